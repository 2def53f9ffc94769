"""The annual reports API under /api/v1/reviews/annual-reports/ (docs/reviews.md).

Participant authorities (their own participant's reports) and the secretariat (all) only:
reviewers and observers 403, anonymous clients 401; a report the caller may not see answers
404, as if it did not exist. The authority writes its report (create, change, attach the
document, submit) while it is a draft; the secretariat records the working group's
assessment or returns a submitted report for correction. Writes go through
kpcs.reviews.services.annual_reports, like the pages: refused input answers 400 naming each
field and stores nothing; a step the report's status does not allow answers 409.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from kpcs.accounts.permissions import is_secretariat
from kpcs.common.api import ErrorSerializer, StandardPagination, error_responses, file_responses
from kpcs.common.uploads import CONTENT_TYPES, REPORT_KINDS, document_response
from kpcs.reviews.models import AnnualReport
from kpcs.reviews.selectors import annual_reports as ar
from kpcs.reviews.selectors.access import annual_reports_visible_to
from kpcs.reviews.services import annual_reports as services

TAGS = ["annual reports"]
Section = AnnualReport.Section


# --- Access ------------------------------------------------------------------------------------


class IsAuthorityOrSecretariat(BasePermission):
    message = _(
        "Only participant authorities (for their own participant) and the KP secretariat may "
        "use the annual reports API."
    )

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return is_secretariat(user) or bool(
            getattr(user, "is_authority", False) and getattr(user, "participant_id", None)
        )


class Conflict(exceptions.APIException):
    """The report's status does not allow the step now."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = _("The annual report cannot take this step now.")


def _report_or_404(request: Request, report_id: int) -> AnnualReport:
    report = ar.annual_report_get_by_id(user=request.user, report_id=report_id)
    if report is None:
        raise exceptions.NotFound(
            gettext("There is no annual report number %(id)s.") % {"id": report_id}
        )
    return report


def _secretariat_or_403(request: Request) -> None:
    if not is_secretariat(request.user):
        raise exceptions.PermissionDenied(gettext("Only the KP secretariat may do this."))


# --- Shapes ------------------------------------------------------------------------------------


class AnnualReportDocumentSerializer(serializers.Serializer):
    name = serializers.CharField()
    content_type = serializers.CharField()
    url = serializers.CharField(help_text=_("Download it here (the same callers as the report)."))

    class Meta:
        ref_name = "AnnualReportDocument"


class AnnualReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    participant = serializers.CharField(source="participant.code")
    year = serializers.IntegerField(help_text=_("The year reported on."))
    status = serializers.ChoiceField(
        choices=AnnualReport.Status.choices,
        help_text=_("draft → submitted → assessed; a submitted report may be returned to draft."),
    )
    due_date = serializers.SerializerMethodField(help_text=_("31 March of the next year."))
    days_late = serializers.SerializerMethodField(
        help_text=_("Days past the due date: until the submission, or until today.")
    )
    institutional_framework = serializers.CharField()
    legislation = serializers.CharField()
    import_export_regime = serializers.CharField()
    internal_controls = serializers.CharField()
    statistics = serializers.CharField()
    enforcement = serializers.CharField()
    changes = serializers.CharField()
    unchanged_sections = serializers.ListField(
        child=serializers.ChoiceField(choices=Section.choices),
        help_text=_("Sections marked “no change”: their text is last year's."),
    )
    enforcement_cases = serializers.IntegerField(allow_null=True)
    seizures = serializers.IntegerField(allow_null=True)
    seized_carats = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    penalties = serializers.CharField()
    document = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_by = serializers.CharField(source="submitted_by.username", allow_null=True)
    assessment = serializers.CharField(help_text=_("The working group's assessment."))
    feedback = serializers.CharField(
        help_text=_("Feedback to the participant (also what to correct when returned).")
    )
    assessed_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "AnnualReport"

    def get_due_date(self, report: AnnualReport) -> str:
        return ar.due_date(report.year).isoformat()

    def get_days_late(self, report: AnnualReport) -> int:
        return ar.days_late(year=report.year, submitted_at=report.submitted_at)

    def get_url(self, report: AnnualReport) -> str:
        return reverse(
            "api:annual-report-detail", args=[report.pk], request=self.context.get("request")
        )

    @extend_schema_field(AnnualReportDocumentSerializer(allow_null=True))
    def get_document(self, report: AnnualReport) -> dict[str, str] | None:
        if not report.document:
            return None
        return {
            "name": report.document_name,
            "content_type": report.document_content_type,
            "url": reverse(
                "api:annual-report-document",
                args=[report.pk],
                request=self.context.get("request"),
            ),
        }


def _text(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, **kwargs)


class AnnualReportInputSerializer(serializers.Serializer):
    """The fields to write; those left out keep their value (on creation: last year's text
    for the sections, empty otherwise)."""

    institutional_framework = _text()
    legislation = _text()
    import_export_regime = _text()
    internal_controls = _text()
    statistics = _text()
    enforcement = _text()
    changes = _text()
    penalties = _text()
    enforcement_cases = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("0 or more (0 if there were none).")
    )
    seizures = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("0 or more (0 if there were none).")
    )
    seized_carats = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=_("0 or more, two decimals at most."),
    )
    unchanged_sections = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_(
            "When given: every section to mark “no change” (its text becomes last year's "
            "submitted text, whatever else is sent for it); the others lose the mark. When "
            "left out, a mark stays while the section's text equals last year's."
        ),
    )

    class Meta:
        ref_name = "AnnualReportInput"


class AnnualReportCreateSerializer(AnnualReportInputSerializer):
    year = serializers.IntegerField(
        help_text=_("The year reported on: a past year from 2003."),
        error_messages={
            "required": _("Say which year the report is on: year=YYYY."),
            "invalid": _("year must be a year, e.g. 2025."),
        },
    )

    class Meta:
        ref_name = "AnnualReportCreate"


def _split(data: dict[str, Any]) -> tuple[dict[str, Any], list[str] | None]:
    data = dict(data)
    data.pop("year", None)
    unchanged = data.pop("unchanged_sections", None)
    return data, unchanged


class YearFilterSerializer(serializers.Serializer):
    year = serializers.CharField(
        required=False,
        help_text=_("The year reported on (YYYY), from 2003 to the last complete year."),
    )

    class Meta:
        ref_name = "AnnualReportYearFilter"

    def validate_year(self, value: str) -> int:
        try:
            return services.check_year(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["year"]) from exc


class ListFilterSerializer(YearFilterSerializer):
    status = serializers.ChoiceField(
        choices=AnnualReport.Status.choices,
        required=False,
        error_messages={
            "invalid_choice": _("“{input}” is not a status: use draft, submitted or assessed.")
        },
    )
    participant = serializers.CharField(
        required=False, help_text=_("Only this participant's reports (its code, e.g. BWA).")
    )

    class Meta:
        ref_name = "AnnualReportFilter"


class MissingFilterSerializer(YearFilterSerializer):
    scope = serializers.ChoiceField(
        choices=[(ar.SCOPE_GOOD, ar.SCOPE_GOOD), (ar.SCOPE_ALL, ar.SCOPE_ALL)],
        required=False,
        help_text=_(
            "good (default): participants in good standing at the end of the year; all: every "
            "participant of that year."
        ),
        error_messages={"invalid_choice": _("“{input}” is not a scope: use good or all.")},
    )

    class Meta:
        ref_name = "AnnualReportMissingFilter"


class MissingReportSerializer(serializers.Serializer):
    participant = serializers.CharField(source="code")
    name = serializers.CharField()
    year = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=[(ar.NOT_STARTED, ar.NOT_STARTED), ("draft", "draft")],
        source="report_status",
        help_text=_("not_started (no report at all) or draft (started, not submitted)."),
    )
    due_date = serializers.DateField()
    days_late = serializers.IntegerField()

    class Meta:
        ref_name = "MissingAnnualReport"


class AssessmentInputSerializer(serializers.Serializer):
    assessment = serializers.CharField(
        allow_blank=True, help_text=_("The working group's assessment (required).")
    )
    feedback = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Feedback to the participant.")
    )

    class Meta:
        ref_name = "AnnualReportAssessment"


class ReturnInputSerializer(serializers.Serializer):
    feedback = serializers.CharField(
        allow_blank=True, help_text=_("What the participant should correct (required).")
    )

    class Meta:
        ref_name = "AnnualReportReturn"


class DocumentInputSerializer(serializers.Serializer):
    document = serializers.FileField(
        help_text=_("The report: PDF, Word or OpenDocument text (checked by its content)."),
        error_messages={
            "required": _("Attach the file as the form field `document`."),
            "empty": _("The file is empty."),
        },
    )

    class Meta:
        ref_name = "AnnualReportDocumentUpload"


def _output(report: AnnualReport, request: Request, code: int = 200) -> Response:
    report = _report_or_404(request, report.pk)
    return Response(AnnualReportSerializer(report, context={"request": request}).data, status=code)


COMMON_ERRORS: dict[int, Any] = error_responses(401, 403)


# --- Views -------------------------------------------------------------------------------------


class AnnualReportListApi(APIView):
    """GET: the annual reports you may see (an authority its own participant's, the
    secretariat all), latest year first; `?year=` for one year. POST: an authority starts its
    participant's report on a past year; sections left out start from last year's submitted
    report."""

    permission_classes = [IsAuthorityOrSecretariat]
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="annual_report_list",
        tags=TAGS,
        parameters=[ListFilterSerializer],
        responses={200: AnnualReportSerializer(many=True), 400: ErrorSerializer, **COMMON_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = ListFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        reports = annual_reports_visible_to(request.user).select_related("submitted_by")
        if "year" in data:
            reports = reports.filter(year=data["year"])
        if data.get("status"):
            reports = reports.filter(status=data["status"])
        if data.get("participant"):
            reports = reports.filter(participant__code=data["participant"].upper())
        reports = reports.order_by("-year", "participant__code")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(reports, request, view=self)
        output = AnnualReportSerializer(page, many=True, context={"request": request})
        return paginator.get_paginated_response(output.data)

    @extend_schema(
        operation_id="annual_report_create",
        tags=TAGS,
        request=AnnualReportCreateSerializer,
        responses={
            201: AnnualReportSerializer,
            400: ErrorSerializer,
            **COMMON_ERRORS,
            409: OpenApiResponse(ErrorSerializer, description=_("A report on that year exists.")),
        },
    )
    def post(self, request: Request) -> Response:
        # Who may write is decided before the body is read.
        user = request.user
        participant = getattr(user, "participant", None)
        services.check_writer(user, participant)
        payload = AnnualReportCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values, unchanged = _split(payload.validated_data)
        assert participant is not None  # check_writer refuses anyone without one
        try:
            report = services.annual_report_create(
                actor=user,
                participant=participant,
                year=payload.validated_data["year"],
                values=values,
                unchanged=unchanged,
            )
        except services.AnnualReportWorkflowError as exc:
            raise Conflict(str(exc)) from exc
        return _output(report, request, status.HTTP_201_CREATED)


class AnnualReportMissingApi(APIView):
    """The secretariat's list of participants whose report on `year` (default: the last
    complete year) is not submitted although it was due (empty before 31 March)."""

    permission_classes = [IsAuthorityOrSecretariat]
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="annual_report_missing",
        tags=TAGS,
        parameters=[MissingFilterSerializer],
        responses={
            200: MissingReportSerializer(many=True),
            400: ErrorSerializer,
            **COMMON_ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        _secretariat_or_403(request)
        filters = MissingFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        year = filters.validated_data.get("year") or ar.last_complete_year()
        scope = filters.validated_data.get("scope") or ar.SCOPE_GOOD
        today = timezone.localdate()
        missing = ar.annual_reports_missing(year=year, scope=scope, today=today)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(missing, request, view=self)
        rows = [
            {
                "code": row.participant.code,
                "name": row.participant.name,
                "year": year,
                "report_status": row.status,
                "due_date": row.due,
                "days_late": row.days_late,
            }
            for row in ar.overview_rows(page or [], year=year, today=today)
        ]
        return paginator.get_paginated_response(MissingReportSerializer(rows, many=True).data)


class AnnualReportDetailApi(APIView):
    """GET: one report you may see. PATCH: the authority changes its draft (409 once
    submitted)."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="annual_report_retrieve",
        tags=TAGS,
        responses={200: AnnualReportSerializer, **COMMON_ERRORS, 404: ErrorSerializer},
    )
    def get(self, request: Request, report_id: int) -> Response:
        return _output(_report_or_404(request, report_id), request)

    @extend_schema(
        operation_id="annual_report_update",
        tags=TAGS,
        request=AnnualReportInputSerializer,
        responses={
            200: AnnualReportSerializer,
            400: ErrorSerializer,
            **COMMON_ERRORS,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def patch(self, request: Request, report_id: int) -> Response:
        report = _report_or_404(request, report_id)
        payload = AnnualReportInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values, unchanged = _split(payload.validated_data)
        try:
            report = services.annual_report_update(
                actor=request.user, report=report, values=values, unchanged=unchanged
            )
        except services.AnnualReportWorkflowError as exc:
            raise Conflict(str(exc)) from exc
        return _output(report, request)


class AnnualReportSubmitApi(APIView):
    """The authority submits its draft: 400 naming each missing section or figure."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="annual_report_submit",
        tags=TAGS,
        request=None,
        responses={
            200: AnnualReportSerializer,
            400: ErrorSerializer,
            **COMMON_ERRORS,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request, report_id: int) -> Response:
        report = _report_or_404(request, report_id)
        try:
            report = services.annual_report_submit(actor=request.user, report=report)
        except services.AnnualReportWorkflowError as exc:
            raise Conflict(str(exc)) from exc
        return _output(report, request)


class AnnualReportAssessmentApi(APIView):
    """The secretariat records the working group's assessment of a submitted report (or
    corrects that of an assessed one), with feedback to the participant."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="annual_report_assess",
        tags=TAGS,
        request=AssessmentInputSerializer,
        responses={
            200: AnnualReportSerializer,
            400: ErrorSerializer,
            **COMMON_ERRORS,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request, report_id: int) -> Response:
        report = _report_or_404(request, report_id)
        _secretariat_or_403(request)
        payload = AssessmentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            report = services.annual_report_assess(
                actor=request.user,
                report=report,
                assessment=payload.validated_data["assessment"],
                feedback=payload.validated_data.get("feedback", ""),
            )
        except services.AnnualReportWorkflowError as exc:
            raise Conflict(str(exc)) from exc
        return _output(report, request)


class AnnualReportReturnApi(APIView):
    """The secretariat returns a submitted report to the participant for correction (it is
    a draft again), saying what to correct."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="annual_report_return",
        tags=TAGS,
        request=ReturnInputSerializer,
        responses={
            200: AnnualReportSerializer,
            400: ErrorSerializer,
            **COMMON_ERRORS,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request, report_id: int) -> Response:
        report = _report_or_404(request, report_id)
        _secretariat_or_403(request)
        payload = ReturnInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            report = services.annual_report_return(
                actor=request.user, report=report, feedback=payload.validated_data["feedback"]
            )
        except services.AnnualReportWorkflowError as exc:
            raise Conflict(str(exc)) from exc
        return _output(report, request)


class AnnualReportDocumentApi(APIView):
    """GET: the report's document (the same callers as the report). POST (multipart, field
    `document`): the authority attaches it to its draft, replacing any earlier one; checked
    by its content (PDF, Word, OpenDocument text) and size; refused files store nothing."""

    permission_classes = [IsAuthorityOrSecretariat]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="annual_report_document_download",
        tags=TAGS,
        responses={
            # Sent with the document's own type (PDF, Word or OpenDocument text).
            **file_responses(*(CONTENT_TYPES[kind] for kind in REPORT_KINDS)),
            **COMMON_ERRORS,
            404: ErrorSerializer,
        },
    )
    def get(self, request: Request, report_id: int) -> FileResponse:
        report = _report_or_404(request, report_id)
        missing = gettext("Annual report number %(id)s has no document.") % {"id": report_id}
        if not report.document:
            raise exceptions.NotFound(missing)
        try:
            return document_response(
                report.document,
                name=report.document_name or (report.document.name or "").rsplit("/", 1)[-1],
                content_type=report.document_content_type,
            )
        except FileNotFoundError as exc:
            raise exceptions.NotFound(missing) from exc

    @extend_schema(
        operation_id="annual_report_document_upload",
        tags=TAGS,
        request={"multipart/form-data": DocumentInputSerializer},
        responses={
            200: AnnualReportSerializer,
            400: ErrorSerializer,
            **COMMON_ERRORS,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request, report_id: int) -> Response:
        report = _report_or_404(request, report_id)
        payload = DocumentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            report = services.annual_report_update(
                actor=request.user, report=report, document=payload.validated_data["document"]
            )
        except services.AnnualReportWorkflowError as exc:
            raise Conflict(str(exc)) from exc
        return _output(report, request)
