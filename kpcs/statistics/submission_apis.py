"""The submissions API: participants' own systems post their statistics (FORMATS.md §1 rows as
JSON), read their submissions, explain warnings and submit, and declare their opening stock;
the secretariat reads them all.

A participant authority's token (or session) posts and submits for its own participant only;
the secretariat may read every submission but posts no figures (403). Reviewers and observers
get 403, anonymous clients 401, and another participant's submission is a 404. Figures go
through services.figures_save, the same validation and write as the browser grid and uploads:
a refused batch answers 400 with every finding and stores nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from kpcs.accounts.permissions import is_secretariat
from kpcs.common.api import (
    ErrorSerializer,
    StandardPagination,
    error_responses,
    findings_error_serializer,
)
from kpcs.participants.selectors import participant_get
from kpcs.statistics import services
from kpcs.statistics.deadlines import submission_edit_state
from kpcs.statistics.models import DATASET_PERIODS, Dataset, Period, StockDeclaration, Submission
from kpcs.statistics.selectors import stock as stock_selectors
from kpcs.statistics.selectors import submissions as selectors
from kpcs.statistics.validation import FIRST_YEAR, HEADER, Finding, StatisticsRejected

TAGS = ["statistics submissions"]
STOCK_TAGS = ["statistics stock"]
# A year of one participant's quarterly trade is a few hundred rows; years of history a few
# thousand. A batch far larger is a mistake, and would hold a request for minutes.
MAX_ROWS = 20_000


# --- Access ------------------------------------------------------------------------------------


class IsAuthorityOrSecretariat(BasePermission):
    message = _(
        "Only participant authorities (for their own participant) and the KP secretariat may "
        "use the submissions API."
    )

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return is_secretariat(user) or bool(getattr(user, "is_authority", False))


class Conflict(exceptions.APIException):
    """The workflow does not allow the step now (submitted figures, a past deadline…)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = _("The submission cannot take this step now.")


def _submission_or_404(request: Request, submission_id: int) -> Submission:
    submission = selectors.submission_get_visible_to(user=request.user, submission_id=submission_id)
    if submission is None:
        raise exceptions.NotFound(
            gettext("There is no submission number %(id)s.") % {"id": submission_id}
        )
    return submission


def _may_enter_figures_or_403(request: Request, participant_id: int | None) -> None:
    user = request.user
    if participant_id is None or not selectors.user_may_enter_figures_for(
        user=user, participant_id=participant_id
    ):
        if is_secretariat(user):
            raise exceptions.PermissionDenied(
                gettext(
                    "The secretariat reads submissions but does not enter, submit or explain "
                    "figures: only the participant's own authority does."
                )
            )
        raise exceptions.PermissionDenied(
            gettext("Only the participant's own authority may do this.")
        )


# --- Shapes ------------------------------------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [{"type": "string"}, {"type": "number"}],
        "nullable": True,
        "description": "Text as in the CSV file; numbers are accepted too.",
    }
)
class _CellField(serializers.Field):
    """For the schema of a row's cell: text or a number (the validation reads both)."""


class StatisticsRowSerializer(serializers.Serializer):
    """One row in the FORMATS.md §1 columns (the statistics CSV as JSON)."""

    participant = _CellField(help_text=_("The reporting participant: your own code."))
    year = _CellField(help_text=_("Four digits."))
    period = _CellField(help_text=_("Q1 to Q4 for trade, H1 or H2 for production (Y for a year)."))
    flow = _CellField(help_text=_("production, import or export."))
    partner = _CellField(
        required=False, help_text=_("The other participant for import and export.")
    )
    hs_code = _CellField(required=False, help_text=_("7102.10, 7102.21 or 7102.31 for trade."))
    carats = _CellField(help_text=_("Volume, with a dot for decimals (at most 2)."))
    value_usd = _CellField(help_text=_("Value in US dollars, with a dot for decimals."))
    certificates = _CellField(
        required=False, help_text=_("Number of KP certificates, for import and export.")
    )

    class Meta:
        ref_name = "StatisticsRow"


@extend_schema_field(StatisticsRowSerializer(many=True))
class RowsField(serializers.Field):
    """A list of FORMATS.md §1 rows as plain dicts for the validation. Cells are kept as
    given (text or numbers) under the FORMATS.md column names; other keys are ignored. Rows
    are numbered as in a file under a header: rows[0] is row 2."""

    default_error_messages = {
        "not_a_list": _("Send the rows as a list of objects."),
        "too_many": _("Send at most {max} rows in one request; split the batch by year."),
        "not_an_object": _(
            "Each row is an object with the statistics columns; these are not: {rows}."
        ),
        "bad_cell": _("A cell holds text, a number or null; these rows have other values: {rows}."),
    }

    def to_internal_value(self, data: Any) -> list[dict[str, Any]]:
        if not isinstance(data, list):
            self.fail("not_a_list")
        if len(data) > MAX_ROWS:
            self.fail("too_many", max=MAX_ROWS)
        rows: list[dict[str, Any]] = []
        not_objects, bad_cells = [], []
        for index, raw in enumerate(data):
            if not isinstance(raw, dict):
                not_objects.append(index + 2)
                continue
            row = {}
            for column in HEADER:
                value = raw.get(column)
                if value is None:
                    value = ""
                elif isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
                    bad_cells.append(index + 2)
                    break
                row[column] = value
            rows.append(row)
        if not_objects:
            self.fail("not_an_object", rows=_row_list(not_objects))
        if bad_cells:
            self.fail("bad_cell", rows=_row_list(bad_cells))
        return rows

    def to_representation(self, value: Any) -> Any:
        return value


def _row_list(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10])
    return shown + ("…" if len(numbers) > 10 else "")


class PeriodKeySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=2100)
    dataset = serializers.ChoiceField(choices=Dataset.choices)
    period = serializers.ChoiceField(choices=Period.choices)

    class Meta:
        ref_name = "StatisticsPeriodKey"

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["period"] not in DATASET_PERIODS[Dataset(data["dataset"])]:
            raise serializers.ValidationError(
                gettext(
                    "%(dataset)s is not reported by %(period)s: trade by quarter (Q1 to Q4), "
                    "production by half-year (H1, H2)."
                )
                % {"dataset": data["dataset"], "period": data["period"]}
            )
        return data


class FindingSerializer(serializers.Serializer):
    """A finding of the validation, pointing at a posted row (rows[0] is row 2) and column."""

    row = serializers.IntegerField(
        source="row_number",
        allow_null=True,
        help_text=_("rows[i] is row i + 2 (as in a file under its header); null for the batch."),
    )
    column = serializers.CharField(help_text=_("A FORMATS.md column name, or empty."))
    rule = serializers.CharField()
    severity = serializers.ChoiceField(choices=[("error", "error"), ("warning", "warning")])
    message = serializers.CharField()

    class Meta:
        ref_name = "StatisticsFinding"


FindingsErrorSerializer = findings_error_serializer(
    ref_name="StatisticsFindingsError",
    finding_ref="StatisticsFinding",
    description="A refused batch: every finding (errors and warnings), nothing stored.",
)


class WarningSerializer(serializers.Serializer):
    """A stored warning of a submission, which the participant explains before submitting."""

    id = serializers.IntegerField()
    rule = serializers.CharField()
    row = serializers.CharField(
        help_text=_("The row it is about: production, or flow|partner|HS code.")
    )
    column = serializers.CharField()
    message = serializers.CharField()
    explanation = serializers.CharField()
    explained_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "SubmissionWarning"


# Inline (not a named enum component): the project's ENUM_NAME_OVERRIDES has no name for the
# submission statuses, and several components share them, which drf-spectacular reports as a
# naming collision with the anomalies' `status`.
@extend_schema_field(
    {
        "allOf": [{"type": "string", "enum": list(Submission.Status.values)}],
        "description": "draft → submitted → queried → accepted → published.",
    }
)
class _StatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Submission.Status.choices, **kwargs)


class SubmissionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    participant = serializers.CharField(source="participant.code")
    year = serializers.IntegerField()
    dataset = serializers.ChoiceField(choices=Dataset.choices)
    period = serializers.ChoiceField(choices=Period.choices)
    status = _StatusField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "SubmissionSummary"

    def get_url(self, submission: Submission) -> str:
        return reverse(
            "api:statistics-submission-detail",
            args=[submission.pk],
            request=self.context.get("request"),
        )


class EditStateSerializer(serializers.Serializer):
    editable = serializers.BooleanField(help_text=_("Whether the participant may change it now."))
    reason = serializers.CharField(help_text=_("Why (not), in the request's language."))
    due = serializers.DateField()
    extended_until = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "SubmissionEditState"


class ProductionFiguresSerializer(serializers.Serializer):
    carats = serializers.DecimalField(max_digits=14, decimal_places=2)
    value_usd = serializers.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        ref_name = "SubmissionProduction"


class TradeFiguresSerializer(serializers.Serializer):
    flow = serializers.CharField()
    partner = serializers.CharField(source="partner.code")
    hs_code = serializers.CharField()
    carats = serializers.DecimalField(max_digits=14, decimal_places=2)
    value_usd = serializers.DecimalField(max_digits=16, decimal_places=2)
    certificates = serializers.IntegerField()

    class Meta:
        ref_name = "SubmissionTradeRow"


class TransitionSerializer(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    at = serializers.DateTimeField()
    comment = serializers.CharField(
        help_text=_("For a query or a reopening: the secretariat's question or reason.")
    )

    class Meta:
        ref_name = "SubmissionTransition"


class SubmissionDetailSerializer(SubmissionSummarySerializer):
    published_at = serializers.DateTimeField(allow_null=True)
    historical = serializers.BooleanField()
    edit_state = serializers.SerializerMethodField()
    production = serializers.SerializerMethodField()
    trade = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField()

    class Meta:
        ref_name = "SubmissionDetail"

    @extend_schema_field(EditStateSerializer)
    def get_edit_state(self, submission: Submission) -> dict[str, Any]:
        return dict(EditStateSerializer(submission_edit_state(submission=submission)).data)

    @extend_schema_field(ProductionFiguresSerializer(allow_null=True))
    def get_production(self, submission: Submission) -> dict[str, Any] | None:
        if submission.dataset != Dataset.PRODUCTION:
            return None
        record = selectors.submission_production(submission=submission)
        return dict(ProductionFiguresSerializer(record).data) if record else None

    @extend_schema_field(TradeFiguresSerializer(many=True))
    def get_trade(self, submission: Submission) -> list[dict[str, Any]]:
        records = selectors.submission_trade_records(submission=submission)
        return list(TradeFiguresSerializer(records, many=True).data)

    @extend_schema_field(WarningSerializer(many=True))
    def get_warnings(self, submission: Submission) -> list[dict[str, Any]]:
        findings = selectors.submission_findings(submission=submission)
        return list(WarningSerializer(findings, many=True).data)

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, submission: Submission) -> list[dict[str, Any]]:
        transitions = selectors.submission_transitions(submission=submission)
        return list(TransitionSerializer(transitions, many=True).data)


class SavedSubmissionSerializer(SubmissionSummarySerializer):
    warnings = WarningSerializer(many=True, source="findings.all")

    class Meta:
        ref_name = "SavedSubmission"


class SaveReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    submissions = SavedSubmissionSerializer(
        many=True,
        help_text=_(
            "The submissions whose figures were replaced, with their stored warnings (empty "
            "for a dry run)."
        ),
    )
    warnings = FindingSerializer(
        many=True, help_text=_("Warnings about the posted rows: explain them before submitting.")
    )

    class Meta:
        ref_name = "StatisticsSaveReport"


def _findings_response(findings: list[Finding]) -> Response:
    errors = [f for f in findings if f.is_error]
    detail = ngettext(
        "The figures were refused: %(count)s error; nothing was stored.",
        "The figures were refused: %(count)s errors; nothing was stored.",
        len(errors),
    ) % {"count": len(errors)}
    return Response(
        {
            "status": 400,
            "code": "invalid",
            "detail": detail,
            "errors": {"findings": FindingSerializer(findings, many=True).data},
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


# --- Endpoints ---------------------------------------------------------------------------------


class SubmissionListApi(APIView):
    """GET: submissions you may see (a participant authority its own participant's, the
    secretariat all). POST: a participant authority stores FORMATS.md §1 rows as the figures
    of the periods they name (each period's figures are replaced whole); with `dry_run` the
    rows are only checked. Any error refuses the whole batch (400, every finding)."""

    permission_classes = [IsAuthorityOrSecretariat]
    pagination_class = StandardPagination

    class FilterSerializer(serializers.Serializer):
        year = serializers.IntegerField(
            required=False,
            min_value=FIRST_YEAR,
            max_value=2100,
            help_text=_("Only submissions for this year."),
            error_messages={
                "invalid": _("Give the year as four digits, e.g. 2024."),
                "min_value": _("KP statistics start in 2003: give a year from 2003 to 2100."),
                "max_value": _("Give a year from 2003 to 2100."),
                "max_string_length": _("Give the year as four digits, e.g. 2024."),
            },
        )
        dataset = serializers.ChoiceField(
            choices=Dataset.choices,
            required=False,
            error_messages={
                "invalid_choice": _("“{input}” is not a dataset: use trade or production.")
            },
        )
        status = serializers.ChoiceField(
            choices=Submission.Status.choices,
            required=False,
            error_messages={
                "invalid_choice": _(
                    "“{input}” is not a status: use draft, submitted, queried, accepted or "
                    "published."
                )
            },
        )

    class InputSerializer(serializers.Serializer):
        rows = RowsField(
            required=False,
            help_text=_("The figures as FORMATS.md §1 rows; rows[i] is reported as row i + 2."),
        )
        nil_returns = PeriodKeySerializer(
            many=True,
            required=False,
            help_text=_(
                "Periods to store as having nothing to report (their figures are replaced by "
                "none), e.g. no trade in a quarter."
            ),
        )
        dry_run = serializers.BooleanField(
            default=False, help_text=_("Only check the rows: nothing is stored.")
        )

        class Meta:
            ref_name = "StatisticsSubmissionSave"

        def validate(self, data: dict[str, Any]) -> dict[str, Any]:
            if not data.get("rows") and not data.get("nil_returns"):
                raise serializers.ValidationError(
                    {"rows": [gettext("Send at least one row (or a period under nil_returns).")]}
                )
            return data

    @extend_schema(
        operation_id="statistics_submission_list",
        tags=TAGS,
        parameters=[FilterSerializer],
        responses={
            200: SubmissionSummarySerializer(many=True),
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        submissions = selectors.submissions_visible_to(request.user)
        for name in ("year", "dataset", "status"):
            if name in data:
                submissions = submissions.filter(**{name: data[name]})
        submissions = submissions.order_by("-year", "participant__code", "dataset", "period")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(submissions, request, view=self)
        output = SubmissionSummarySerializer(page, many=True, context={"request": request})
        return paginator.get_paginated_response(output.data)

    @extend_schema(
        operation_id="statistics_submission_save",
        tags=TAGS,
        request=InputSerializer,
        responses={
            201: OpenApiResponse(
                SaveReportSerializer, description=_("Stored; the submissions touched.")
            ),
            200: OpenApiResponse(
                SaveReportSerializer, description=_("A dry run: checked, nothing stored.")
            ),
            400: OpenApiResponse(
                FindingsErrorSerializer,
                description=_(
                    "Refused: every finding under errors.findings (or, for a malformed "
                    "request, the fields at fault under errors); nothing stored."
                ),
            ),
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        user = request.user
        _may_enter_figures_or_403(request, getattr(user, "participant_id", None))
        participant = getattr(user, "participant", None)
        assert participant is not None  # an authority acts for a participant
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        scope = [(p["year"], p["dataset"], p["period"]) for p in data.get("nil_returns", [])]
        try:
            report = services.figures_save(
                participant=participant,
                actor=user,
                rows=data.get("rows") or [],
                scope=scope,
                dry_run=data["dry_run"],
            )
        except StatisticsRejected as exc:
            return _findings_response(exc.findings)
        body = {
            "dry_run": report.dry_run,
            "submissions": SavedSubmissionSerializer(
                report.submissions, many=True, context={"request": request}
            ).data,
            "warnings": FindingSerializer(report.warnings, many=True).data,
        }
        return Response(
            body, status=status.HTTP_200_OK if report.dry_run else status.HTTP_201_CREATED
        )


class SubmissionDetailApi(APIView):
    """One submission: its figures, stored warnings with the participant's explanations, its
    status, whether the participant may edit it now and why (not), and its history."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="statistics_submission_retrieve",
        tags=TAGS,
        responses={
            200: SubmissionDetailSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def get(self, request: Request, submission_id: int) -> Response:
        submission = _submission_or_404(request, submission_id)
        return Response(SubmissionDetailSerializer(submission, context={"request": request}).data)


class SubmissionSubmitApi(APIView):
    """The participant says the period's figures are complete: draft or queried → submitted.
    Every warning needs an explanation first; 409 says what stands in the way."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="statistics_submission_submit",
        tags=TAGS,
        request=None,
        responses={
            200: SubmissionDetailSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request, submission_id: int) -> Response:
        submission = _submission_or_404(request, submission_id)
        _may_enter_figures_or_403(request, submission.participant_id)
        try:
            submission = services.submission_submit(submission=submission, actor=request.user)
        except services.WorkflowError as exc:
            raise Conflict(str(exc)) from exc
        return Response(SubmissionDetailSerializer(submission, context={"request": request}).data)


class WarningExplainApi(APIView):
    """The participant explains one warning of its submission (replacing any earlier
    explanation). Refused (409) once the figures are locked."""

    permission_classes = [IsAuthorityOrSecretariat]

    class InputSerializer(serializers.Serializer):
        explanation = serializers.CharField(
            max_length=2000,
            error_messages={
                "blank": _("Write an explanation: a warning cannot be explained by nothing."),
                "required": _("Write an explanation: a warning cannot be explained by nothing."),
            },
        )

        class Meta:
            ref_name = "SubmissionWarningExplanation"

    @extend_schema(
        operation_id="statistics_submission_warning_explain",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: WarningSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request, submission_id: int, finding_id: int) -> Response:
        submission = _submission_or_404(request, submission_id)
        _may_enter_figures_or_403(request, submission.participant_id)
        finding = selectors.submission_findings(submission=submission).filter(pk=finding_id).first()
        if finding is None:
            raise exceptions.NotFound(
                gettext("Submission %(submission)s has no warning number %(id)s.")
                % {"submission": submission_id, "id": finding_id}
            )
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.warning_explain(
                finding=finding,
                actor=request.user,
                explanation=payload.validated_data["explanation"],
            )
        except services.WorkflowError as exc:
            raise Conflict(str(exc)) from exc
        return Response(WarningSerializer(finding).data)


# --- Declared stock ----------------------------------------------------------------------------


class StockDeclarationSerializer(serializers.Serializer):
    """A participant's opening stock of a year: the rough diamonds it held at the start of the
    year, available to export during it. Never published."""

    participant = serializers.CharField(source="participant.code")
    year = serializers.IntegerField()
    carats = serializers.DecimalField(max_digits=14, decimal_places=2)
    value_usd = serializers.DecimalField(max_digits=16, decimal_places=2)
    note = serializers.CharField()
    declared_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "StockDeclaration"

    def get_url(self, declaration: StockDeclaration) -> str:
        return reverse(
            "api:statistics-stock-declare",
            args=[declaration.year],
            request=self.context.get("request"),
        )


def _stock_figure(*, help_text: Any, required: Any, invalid: Any) -> serializers.DecimalField:
    # Only read as a number here: services.stock_declare judges it (negative, decimals, size,
    # a value without carats) for the API and the browser alike.
    return serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        help_text=help_text,
        error_messages={
            "required": required,
            "null": required,
            "invalid": invalid,
            "max_string_length": invalid,
        },
    )


class StockListApi(APIView):
    """The opening stock declared by your participant (a participant authority), or by every
    participant (the secretariat, which may name one with `participant`), latest year first."""

    permission_classes = [IsAuthorityOrSecretariat]
    pagination_class = StandardPagination

    class FilterSerializer(serializers.Serializer):
        participant = serializers.CharField(
            required=False,
            max_length=3,
            help_text=_("Only this participant's declarations (its code, e.g. BWA)."),
            error_messages={
                "max_length": _("A participant code has three letters, e.g. BWA or EUR."),
                "blank": _("A participant code has three letters, e.g. BWA or EUR."),
            },
        )
        year = serializers.IntegerField(
            required=False,
            min_value=FIRST_YEAR,
            max_value=2100,
            help_text=_("Only the declarations for this year."),
            error_messages={
                "invalid": _("Give the year as four digits, e.g. 2024."),
                "min_value": _("KP statistics start in 2003: give a year from 2003 to 2100."),
                "max_value": _("Give a year from 2003 to 2100."),
                "max_string_length": _("Give the year as four digits, e.g. 2024."),
            },
        )

    @extend_schema(
        operation_id="statistics_stock_list",
        tags=STOCK_TAGS,
        parameters=[FilterSerializer],
        responses={
            200: StockDeclarationSerializer(many=True),
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        participant_id = None
        if "participant" in data:
            participant = participant_get(code=data["participant"])
            if participant is None:
                raise exceptions.ValidationError(
                    {
                        "participant": [
                            gettext("No participant has the code “%(code)s”.")
                            % {"code": data["participant"].upper()}
                        ]
                    }
                )
            if not is_secretariat(request.user) and participant.pk != getattr(
                request.user, "participant_id", None
            ):
                raise exceptions.PermissionDenied(
                    gettext("A participant authority reads its own participant's stock only.")
                )
            participant_id = participant.pk
        declarations = stock_selectors.stock_declarations_visible_to(
            request.user, year=data.get("year"), participant_id=participant_id
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(declarations, request, view=self)
        output = StockDeclarationSerializer(page, many=True, context={"request": request})
        return paginator.get_paginated_response(output.data)


class StockDeclareApi(APIView):
    """A participant authority declares (or changes) its participant's opening stock of a
    year. Declaring the same figures again changes nothing; every change is audited. Bad
    input answers 400 with the message for each field at fault and stores nothing."""

    permission_classes = [IsAuthorityOrSecretariat]

    class InputSerializer(serializers.Serializer):
        carats = _stock_figure(
            help_text=_('Carats held at the start of the year, as a string (e.g. "1250.50").'),
            required=_("Give the carats held in stock (0 when there was none)."),
            invalid=_("The carats must be a number, with a dot for decimals (e.g. 1250.50)."),
        )
        value_usd = _stock_figure(
            help_text=_('Their value in US dollars, as a string (e.g. "187500.00").'),
            required=_("Give the value (US$) of the stock (0 when there was none)."),
            invalid=_(
                "The value (US$) must be a number, with a dot for decimals (e.g. 187500.00)."
            ),
        )
        note = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            help_text=_("Optional: how the stock was counted or valued."),
        )

        class Meta:
            ref_name = "StockDeclarationInput"

    @extend_schema(
        operation_id="statistics_stock_declare",
        tags=STOCK_TAGS,
        request=InputSerializer,
        responses={
            201: OpenApiResponse(StockDeclarationSerializer, description=_("Declared.")),
            200: OpenApiResponse(
                StockDeclarationSerializer, description=_("The year's declaration, changed.")
            ),
            **error_responses(
                400,
                401,
                403,
                404,
                e404=_("No such address: the year in the path is not a whole number."),
            ),
        },
    )
    def put(self, request: Request, year: int) -> Response:
        user = request.user
        participant = getattr(user, "participant", None)
        if participant is None or not selectors.user_may_enter_figures_for(
            user=user, participant_id=participant.pk
        ):
            raise exceptions.PermissionDenied(
                gettext(
                    "Only a participant's own authority declares its stock; the secretariat "
                    "reads the declarations."
                )
            )
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        existed = stock_selectors.stock_declaration_for(participant_id=participant.pk, year=year)
        declaration = services.stock_declare(
            participant=participant,
            year=year,
            carats=data["carats"],
            value_usd=data["value_usd"],
            note=data["note"],
            actor=user,
        )
        return Response(
            StockDeclarationSerializer(declaration, context={"request": request}).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )
