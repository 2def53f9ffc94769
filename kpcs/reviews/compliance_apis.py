"""The compliance API under /api/v1/reviews/compliance-cases/ (docs/reviews.md).

The secretariat sees every case and writes (opens, edits, closes and reopens cases; adds
actions and milestones, completes milestones; records decisions, with an optional change of
the participant's standing). A participant authority reads its own participant's cases and
compliance figures; another participant's answer 404, and its writes 403. Reviewers and
observers get 403, anonymous clients 401. Writes go through kpcs.reviews.services.compliance,
the same rules and messages as the pages: a refused write answers 400 naming the fields at
fault and stores nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from kpcs.accounts.permissions import is_secretariat
from kpcs.common.api import ErrorSerializer, StandardPagination
from kpcs.participants.models import Observer, Participant, StatusEvent, WorkingBody
from kpcs.participants.selectors import participant_get
from kpcs.reviews.models import (
    ActionMilestone,
    ComplianceAction,
    ComplianceCase,
    ComplianceDecision,
    Finding,
    ReviewVisit,
)
from kpcs.reviews.selectors import compliance as selectors
from kpcs.reviews.services import compliance as services
from kpcs.statistics.models import Anomaly

TAGS = ["compliance cases"]
_DATE_MESSAGE = _("Enter a real date in the form YYYY-MM-DD, for example 2026-06-30.")


def _date_field(**kwargs: Any) -> serializers.DateField:
    kwargs.setdefault("input_formats", ["%Y-%m-%d"])
    kwargs.setdefault("error_messages", {"invalid": _DATE_MESSAGE})
    return serializers.DateField(**kwargs)


# --- Access ----------------------------------------------------------------------------------


class IsAuthorityOrSecretariat(BasePermission):
    message = _("Only the KP secretariat and participant authorities may use the compliance API.")

    def has_permission(self, request: Any, view: Any) -> bool:
        return selectors.may_use_compliance(request.user)


def _require_manage(request: Request) -> None:
    if not is_secretariat(request.user):
        raise exceptions.PermissionDenied(
            gettext("Only the KP secretariat may change compliance cases.")
        )


def _case_or_404(request: Request, case_id: int) -> ComplianceCase:
    case = selectors.compliance_case_get(user=request.user, case_id=case_id)
    if case is None:
        raise exceptions.NotFound(
            gettext("There is no compliance case number %(id)s for you.") % {"id": case_id}
        )
    return case


def _participant_or_invalid(code: str) -> Participant:
    participant = participant_get(code=code.strip()) if len(code.strip()) <= 3 else None
    if participant is None:
        raise serializers.ValidationError(
            gettext("No participant has the code “%(code)s”.") % {"code": code[:10]}
        )
    return participant


# --- Shapes ----------------------------------------------------------------------------------


class ComplianceMilestoneSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    description = serializers.CharField()
    due_on = serializers.DateField()
    completed_on = serializers.DateField(allow_null=True)
    overdue = serializers.SerializerMethodField(
        help_text=_("Not completed and its due date has passed.")
    )

    class Meta:
        ref_name = "ComplianceMilestone"

    def get_overdue(self, milestone: ActionMilestone) -> bool:
        return selectors.is_milestone_overdue(milestone, today=self.context.get("today"))


class ComplianceMilestoneInputSerializer(serializers.Serializer):
    description = serializers.CharField(
        max_length=5000,
        error_messages={"blank": _("Say what is to be done by the date.")},
    )
    due_on = _date_field(help_text=_("YYYY-MM-DD, not before the plan was decided."))

    class Meta:
        ref_name = "ComplianceMilestoneInput"


class ComplianceMilestoneCompletionSerializer(serializers.Serializer):
    completed_on = _date_field(
        allow_null=True,
        help_text=_(
            "YYYY-MM-DD, between the plan's decision and today; null: not completed after all."
        ),
    )

    class Meta:
        ref_name = "ComplianceMilestoneCompletion"


class ComplianceActionSerializer(serializers.Serializer):
    """An action: the shape answered, and (all fields, or some for PATCH) the body sent."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(
        choices=ComplianceAction.Kind.choices,
        error_messages={
            "invalid_choice": _(
                "“{input}” is not a kind of action: use review_mission, action_plan or "
                "interim_measure."
            )
        },
    )
    title = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    decided_on = _date_field(help_text=_("YYYY-MM-DD: not before the case was opened."))
    ends_on = _date_field(
        required=False, allow_null=True, default=None, help_text=_("Not before decided_on.")
    )
    status = serializers.ChoiceField(
        choices=ComplianceAction.Status.choices,
        required=False,
        default=ComplianceAction.Status.PLANNED,
        help_text=_("planned, in_progress, completed; an interim measure is lifted."),
    )
    review_visit = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        source="review_visit_id",
        help_text=_(
            "For a review mission: the id of the review mission visit of the case's participant."
        ),
    )
    milestones = ComplianceMilestoneSerializer(many=True, read_only=True, source="milestones.all")

    class Meta:
        ref_name = "ComplianceAction"


class ComplianceStatusEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    event = serializers.ChoiceField(choices=StatusEvent.Event.choices)
    decision = serializers.CharField()

    class Meta:
        ref_name = "ComplianceStatusEvent"


class ComplianceDecisionSerializer(serializers.Serializer):
    """A decision: the shape answered and the body sent. `status_change` (with
    `status_change_date`, the decision's date by default) records the participant's status
    event in the same transaction; the answer shows it under `status_event`."""

    id = serializers.IntegerField(read_only=True)
    decided_on = _date_field(help_text=_("YYYY-MM-DD, not before the case was opened."))
    body = serializers.ChoiceField(
        choices=ComplianceDecision.Body.choices,
        error_messages={
            "invalid_choice": _(
                "“{input}” is not a deciding body: use plenary, chair, working_body or "
                "written_procedure."
            )
        },
    )
    working_body = serializers.CharField(
        required=False,
        allow_null=True,
        default=None,
        source="working_body.code",
        help_text=_("The working body's acronym (e.g. WGM) when body is working_body."),
    )
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    text = serializers.CharField()
    status_change = serializers.ChoiceField(
        choices=StatusEvent.Event.choices,
        required=False,
        allow_null=True,
        default=None,
        write_only=True,
        help_text=_("Optional: the status event the decision records (e.g. suspended)."),
    )
    status_change_date = _date_field(
        required=False,
        allow_null=True,
        default=None,
        write_only=True,
        help_text=_("The event's date (not before decided_on); the decision's date by default."),
    )
    status_event = ComplianceStatusEventSerializer(read_only=True, allow_null=True)

    class Meta:
        ref_name = "ComplianceDecision"


class _ParticipantRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "ComplianceParticipant"


class ComplianceCaseSerializer(serializers.Serializer):
    """A case with its actions (and their milestones) and decisions. PATCH changes the
    title, the trigger's description, or the status: `closed` with `closed_on` closes the
    case, `open` reopens it."""

    id = serializers.IntegerField(read_only=True)
    participant = _ParticipantRefSerializer(read_only=True)
    title = serializers.CharField(max_length=255)
    trigger = serializers.ChoiceField(choices=ComplianceCase.Trigger.choices, read_only=True)
    trigger_detail = serializers.CharField(allow_blank=True)
    anomaly = serializers.IntegerField(source="anomaly_id", read_only=True, allow_null=True)
    finding = serializers.IntegerField(source="finding_id", read_only=True, allow_null=True)
    reporting_observer = serializers.CharField(
        source="reporting_observer.code", read_only=True, allow_null=True
    )
    opened_on = serializers.DateField(read_only=True)
    status = serializers.ChoiceField(
        choices=ComplianceCase.Status.choices,
        error_messages={"invalid_choice": _("“{input}” is not a status: use open or closed.")},
    )
    closed_on = _date_field(
        allow_null=True,
        required=False,
        help_text=_("With status closed: the date, between the opening and today."),
    )
    actions = ComplianceActionSerializer(many=True, read_only=True, source="actions.all")
    decisions = ComplianceDecisionSerializer(many=True, read_only=True, source="decisions.all")
    url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ComplianceCase"

    def get_url(self, case: ComplianceCase) -> str:
        return reverse(
            "api:compliance-case-detail",
            kwargs={"case_id": case.pk},
            request=self.context.get("request"),
        )


class ComplianceCaseCreateSerializer(serializers.Serializer):
    participant = serializers.CharField(help_text=_("The participant's code, e.g. GHA."))
    title = serializers.CharField(max_length=255)
    trigger = serializers.ChoiceField(
        choices=ComplianceCase.Trigger.choices,
        error_messages={
            "invalid_choice": _(
                "“{input}” is not a trigger: use statistics_anomaly, review_finding, "
                "un_decision, observer_report or other."
            )
        },
    )
    trigger_detail = serializers.CharField(required=False, allow_blank=True, default="")
    anomaly = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("For statistics_anomaly: the id of an anomaly of the participant."),
    )
    finding = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("For review_finding: the id of a finding of a visit of the participant."),
    )
    reporting_observer = serializers.CharField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("For observer_report: the observer's code, e.g. CSC."),
    )
    opened_on = _date_field(help_text=_("YYYY-MM-DD, not in the future."))

    class Meta:
        ref_name = "ComplianceCaseCreate"

    def validate_participant(self, code: str) -> Participant:
        return _participant_or_invalid(code)

    def validate_anomaly(self, value: int | None) -> Anomaly | None:
        if value is None:
            return None
        anomaly = Anomaly.objects.select_related("participant").filter(pk=value).first()
        if anomaly is None:
            raise serializers.ValidationError(
                gettext("There is no anomaly number %(id)s.") % {"id": value}
            )
        return anomaly

    def validate_finding(self, value: int | None) -> Finding | None:
        if value is None:
            return None
        finding = Finding.objects.select_related("visit__participant").filter(pk=value).first()
        if finding is None:
            raise serializers.ValidationError(
                gettext("There is no finding number %(id)s.") % {"id": value}
            )
        return finding

    def validate_reporting_observer(self, code: str | None) -> Observer | None:
        if not code:
            return None
        observer = Observer.objects.filter(code=code.strip().upper()).first()
        if observer is None:
            raise serializers.ValidationError(
                gettext("No observer has the code “%(code)s”.") % {"code": code[:10]}
            )
        return observer


class CaseFilterSerializer(serializers.Serializer):
    participant = serializers.CharField(
        required=False, help_text=_("Only this participant's cases (its code, e.g. GHA).")
    )
    status = serializers.ChoiceField(
        choices=ComplianceCase.Status.choices,
        required=False,
        error_messages={"invalid_choice": _("“{input}” is not a status: use open or closed.")},
    )
    trigger = serializers.ChoiceField(
        choices=ComplianceCase.Trigger.choices,
        required=False,
        error_messages={
            "invalid_choice": _(
                "“{input}” is not a trigger: use statistics_anomaly, review_finding, "
                "un_decision, observer_report or other."
            )
        },
    )

    class Meta:
        ref_name = "ComplianceCaseFilter"

    def validate_participant(self, code: str) -> Participant:
        return _participant_or_invalid(code)


def _case_response(request: Request, case_id: int, code: int = status.HTTP_200_OK) -> Response:
    case = _case_or_404(request, case_id)
    context = {"request": request, "today": timezone.localdate()}
    return Response(ComplianceCaseSerializer(case, context=context).data, status=code)


# --- Cases -------------------------------------------------------------------------------------


class ComplianceCaseListApi(APIView):
    """GET: the cases you may see (the secretariat all, an authority its participant's),
    newest first, filtered by participant, status and trigger. POST (the secretariat): open
    a case; the anomaly or finding it names must be the participant's."""

    permission_classes = [IsAuthorityOrSecretariat]
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="compliance_case_list",
        tags=TAGS,
        parameters=[CaseFilterSerializer],
        responses={
            200: ComplianceCaseSerializer(many=True),
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def get(self, request: Request) -> Response:
        filters = CaseFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        cases = selectors.compliance_case_list(
            user=request.user, details=True, **filters.validated_data
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(cases, request, view=self)
        context = {"request": request, "today": timezone.localdate()}
        return paginator.get_paginated_response(
            ComplianceCaseSerializer(page, many=True, context=context).data
        )

    @extend_schema(
        operation_id="compliance_case_create",
        tags=TAGS,
        request=ComplianceCaseCreateSerializer,
        responses={
            201: OpenApiResponse(ComplianceCaseSerializer, description=_("Opened.")),
            400: OpenApiResponse(ErrorSerializer, description=_("Refused; nothing stored.")),
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        _require_manage(request)
        payload = ComplianceCaseCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        case = services.compliance_case_open(actor=request.user, **payload.validated_data)
        return _case_response(request, case.pk, status.HTTP_201_CREATED)


class ComplianceCaseDetailApi(APIView):
    """GET: one case you may see, with its actions, milestones and decisions (404 if it is
    not yours to see). PATCH (the secretariat): change the title or the trigger's
    description, close (`status: closed` with `closed_on`) or reopen (`status: open`)."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="compliance_case_retrieve",
        tags=TAGS,
        responses={
            200: ComplianceCaseSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def get(self, request: Request, case_id: int) -> Response:
        return _case_response(request, case_id)

    @extend_schema(
        operation_id="compliance_case_update",
        tags=TAGS,
        request=ComplianceCaseSerializer(partial=True),
        responses={
            200: ComplianceCaseSerializer,
            400: OpenApiResponse(ErrorSerializer, description=_("Refused; nothing changed.")),
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def patch(self, request: Request, case_id: int) -> Response:
        case = _case_or_404(request, case_id)
        _require_manage(request)
        payload = ComplianceCaseSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        wanted = data.get("status")
        if "closed_on" in data and wanted != ComplianceCase.Status.CLOSED:
            raise exceptions.ValidationError(
                {"closed_on": [gettext("Give closed_on only with status closed.")]}
            )
        # One change of record: edits and the status move are stored together or not at all.
        with transaction.atomic():
            if "title" in data or "trigger_detail" in data:
                services.compliance_case_update(
                    actor=request.user,
                    case=case,
                    title=data.get("title"),
                    trigger_detail=data.get("trigger_detail"),
                )
            if wanted == ComplianceCase.Status.CLOSED:
                services.compliance_case_close(
                    actor=request.user, case=case, closed_on=data.get("closed_on")
                )
            elif wanted == ComplianceCase.Status.OPEN:
                services.compliance_case_reopen(actor=request.user, case=case)
        return _case_response(request, case.pk)


# --- Actions and milestones ---------------------------------------------------------------------


def _review_visit_or_invalid(visit_id: int | None) -> ReviewVisit | None:
    if visit_id is None:
        return None
    visit = ReviewVisit.objects.select_related("participant").filter(pk=visit_id).first()
    if visit is None:
        raise exceptions.ValidationError(
            {"review_visit": [gettext("There is no visit number %(id)s.") % {"id": visit_id}]}
        )
    return visit


def _action_response(
    request: Request, case_id: int, action_id: int, code: int = status.HTTP_200_OK
) -> Response:
    action = (
        ComplianceAction.objects.filter(case_id=case_id, pk=action_id)
        .prefetch_related("milestones")
        .get()
    )
    context = {"request": request, "today": timezone.localdate()}
    return Response(ComplianceActionSerializer(action, context=context).data, status=code)


class ComplianceActionListApi(APIView):
    """POST (the secretariat): add a review mission, an action plan or an interim measure to
    an open case."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="compliance_action_create",
        tags=TAGS,
        request=ComplianceActionSerializer,
        responses={
            201: OpenApiResponse(ComplianceActionSerializer, description=_("Added.")),
            400: OpenApiResponse(ErrorSerializer, description=_("Refused; nothing stored.")),
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case_or_404(request, case_id)
        _require_manage(request)
        payload = ComplianceActionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        visit = _review_visit_or_invalid(data.pop("review_visit_id", None))
        action = services.compliance_action_add(
            actor=request.user, case=case, review_visit=visit, **data
        )
        return _action_response(request, case.pk, action.pk, status.HTTP_201_CREATED)


class ComplianceActionDetailApi(APIView):
    """PATCH (the secretariat): change an action of an open case: its status, end date,
    what it says or its review mission visit."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="compliance_action_update",
        tags=TAGS,
        request=ComplianceActionSerializer(partial=True),
        responses={
            200: ComplianceActionSerializer,
            400: OpenApiResponse(ErrorSerializer, description=_("Refused; nothing changed.")),
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def patch(self, request: Request, case_id: int, action_id: int) -> Response:
        action = selectors.compliance_action_get(
            user=request.user, case_id=case_id, action_id=action_id
        )
        if action is None:
            raise exceptions.NotFound(
                gettext("There is no action number %(id)s in this case for you.")
                % {"id": action_id}
            )
        _require_manage(request)
        payload = ComplianceActionSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        values = {k: v for k, v in payload.validated_data.items() if k in request.data}
        if "review_visit_id" in payload.validated_data and "review_visit" in request.data:
            values.pop("review_visit_id", None)
            values["review_visit"] = _review_visit_or_invalid(
                payload.validated_data["review_visit_id"]
            )
        services.compliance_action_update(actor=request.user, action=action, values=values)
        return _action_response(request, case_id, action.pk)


class ComplianceMilestoneListApi(APIView):
    """POST (the secretariat): add a milestone with its due date to an action plan."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="compliance_milestone_create",
        tags=TAGS,
        request=ComplianceMilestoneInputSerializer,
        responses={
            201: OpenApiResponse(ComplianceMilestoneSerializer, description=_("Added.")),
            400: OpenApiResponse(ErrorSerializer, description=_("Refused; nothing stored.")),
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def post(self, request: Request, case_id: int, action_id: int) -> Response:
        action = selectors.compliance_action_get(
            user=request.user, case_id=case_id, action_id=action_id
        )
        if action is None:
            raise exceptions.NotFound(
                gettext("There is no action number %(id)s in this case for you.")
                % {"id": action_id}
            )
        _require_manage(request)
        payload = ComplianceMilestoneInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        milestone = services.action_milestone_add(
            actor=request.user, action=action, **payload.validated_data
        )
        context = {"request": request, "today": timezone.localdate()}
        return Response(
            ComplianceMilestoneSerializer(milestone, context=context).data,
            status=status.HTTP_201_CREATED,
        )


class ComplianceMilestoneDetailApi(APIView):
    """PATCH (the secretariat): mark a milestone completed on a date (not in the future,
    not before its plan was decided), or not completed (null)."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="compliance_milestone_update",
        tags=TAGS,
        request=ComplianceMilestoneCompletionSerializer,
        responses={
            200: ComplianceMilestoneSerializer,
            400: OpenApiResponse(ErrorSerializer, description=_("Refused; nothing changed.")),
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def patch(self, request: Request, milestone_id: int) -> Response:
        milestone = selectors.action_milestone_get(user=request.user, milestone_id=milestone_id)
        if milestone is None:
            raise exceptions.NotFound(
                gettext("There is no milestone number %(id)s for you.") % {"id": milestone_id}
            )
        _require_manage(request)
        payload = ComplianceMilestoneCompletionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        milestone = services.action_milestone_complete(
            actor=request.user,
            milestone=milestone,
            completed_on=payload.validated_data["completed_on"],
        )
        context = {"request": request, "today": timezone.localdate()}
        return Response(ComplianceMilestoneSerializer(milestone, context=context).data)


# --- Decisions ---------------------------------------------------------------------------------


class ComplianceDecisionListApi(APIView):
    """POST (the secretariat): record a decision on an open case. With `status_change`, the
    participant's status event is recorded in the same transaction (the identical event
    already recorded, e.g. from the reference data, is linked instead): from its date the
    participant's certificates and trade are judged against it."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="compliance_decision_create",
        tags=TAGS,
        request=ComplianceDecisionSerializer,
        responses={
            201: OpenApiResponse(ComplianceDecisionSerializer, description=_("Recorded.")),
            400: OpenApiResponse(ErrorSerializer, description=_("Refused; nothing stored.")),
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case_or_404(request, case_id)
        _require_manage(request)
        payload = ComplianceDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        code = (data.get("working_body") or {}).get("code")
        working_body = None
        if code:
            working_body = WorkingBody.objects.filter(code=code.strip().upper()).first()
            if working_body is None:
                raise exceptions.ValidationError(
                    {
                        "working_body": [
                            gettext("No working body has the acronym “%(code)s”.")
                            % {"code": code[:10]}
                        ]
                    }
                )
        change = None
        if data.get("status_change"):
            change = services.StatusChange(
                event=data["status_change"], date=data.get("status_change_date")
            )
        elif data.get("status_change_date"):
            raise exceptions.ValidationError(
                {
                    "status_change": [
                        gettext("Give the status event the decision records with its date.")
                    ]
                }
            )
        decision = services.compliance_decision_record(
            actor=request.user,
            case=case,
            decided_on=data["decided_on"],
            body=data["body"],
            working_body=working_body,
            reference=data.get("reference", ""),
            text=data["text"],
            status_change=change,
        )
        decision = ComplianceDecision.objects.select_related("working_body", "status_event").get(
            pk=decision.pk
        )
        return Response(
            ComplianceDecisionSerializer(decision, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


# --- The participant's compliance figures -------------------------------------------------------


class _StatusEventRowSerializer(serializers.Serializer):
    date = serializers.DateField()
    event = serializers.ChoiceField(choices=StatusEvent.Event.choices)
    decision = serializers.CharField()
    compliance_case = serializers.IntegerField(
        source="decision_case_id",
        allow_null=True,
        help_text=_("The compliance case whose decision recorded it, if any."),
    )

    class Meta:
        ref_name = "ComplianceOverviewStatusEvent"


class _StandingSerializer(serializers.Serializer):
    date = serializers.DateField()
    standing = serializers.CharField(source="label", help_text=_("The standing, in words."))
    in_good_standing = serializers.BooleanField()
    is_participant = serializers.BooleanField()
    since = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ComplianceOverviewStanding"

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_since(self, standing: Any) -> dt.date | None:
        return standing.event.date if standing.event is not None else None


class _SubmissionPeriodSerializer(serializers.Serializer):
    period = serializers.CharField(help_text=_("The period's label."))
    status = serializers.CharField(help_text=_("draft, submitted, queried, accepted or published."))
    status_label = serializers.CharField()

    class Meta:
        ref_name = "ComplianceOverviewSubmissionPeriod"

    def to_representation(self, instance: Any) -> dict[str, Any]:
        label, state, state_label = instance
        return {"period": label, "status": state, "status_label": state_label}


class _SubmissionRowSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    dataset = serializers.CharField(help_text=_("production or trade."))
    periods = _SubmissionPeriodSerializer(many=True)

    class Meta:
        ref_name = "ComplianceOverviewSubmissions"


class _QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField(source="anomaly.year")
    rule = serializers.CharField(source="anomaly.rule")
    question = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    status = serializers.CharField(help_text=_("open, answered or escalated."))

    class Meta:
        ref_name = "ComplianceOverviewQuestion"


class _CertificateYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text=_("Year of issue."))
    issued = serializers.IntegerField()
    issued_confirmed = serializers.IntegerField()
    issued_expired = serializers.IntegerField(help_text=_("Expired without confirmation."))
    issued_void = serializers.IntegerField()
    received = serializers.IntegerField()
    received_confirmed = serializers.IntegerField()
    received_expired = serializers.IntegerField(help_text=_("Expired without confirmation."))

    class Meta:
        ref_name = "ComplianceOverviewCertificateYear"


class _AnnualReportYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    due_on = serializers.DateField()
    state = serializers.CharField(
        help_text=_("submitted, assessed, draft, not_started, missing or not_expected.")
    )
    state_label = serializers.CharField()

    class Meta:
        ref_name = "ComplianceOverviewAnnualReport"


class _VisitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    round = serializers.IntegerField()
    invited_on = serializers.DateField(allow_null=True)
    actual_start = serializers.DateField(allow_null=True)
    actual_end = serializers.DateField(allow_null=True)
    status = serializers.CharField(help_text=_("The visit's status (see the visits API)."))

    class Meta:
        ref_name = "ComplianceOverviewVisit"


class _RecommendationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visit = serializers.IntegerField(source="visit_id")
    number = serializers.IntegerField()
    area = serializers.CharField()
    priority = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.CharField()
    overdue = serializers.BooleanField(source="is_overdue")

    class Meta:
        ref_name = "ComplianceOverviewRecommendation"


class _CaseSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    trigger_code = serializers.CharField(source="trigger")
    opened_on = serializers.DateField()
    case_status = serializers.CharField(source="status", help_text=_("open or closed."))
    closed_on = serializers.DateField(allow_null=True)
    open_actions = serializers.IntegerField()
    overdue_milestones = serializers.IntegerField()

    class Meta:
        ref_name = "ComplianceOverviewCase"


class ComplianceOverviewSerializer(serializers.Serializer):
    participant = _ParticipantRefSerializer()
    today = serializers.DateField()
    standing = _StandingSerializer()
    status_events = _StatusEventRowSerializer(many=True)
    submissions = _SubmissionRowSerializer(many=True)
    open_questions = _QuestionSerializer(many=True)
    certificate_years = _CertificateYearSerializer(many=True)
    open_alerts = serializers.IntegerField()
    annual_reports = _AnnualReportYearSerializer(many=True)
    visits = _VisitSerializer(many=True)
    open_recommendations = _RecommendationSerializer(many=True)
    cases = _CaseSummarySerializer(many=True)

    class Meta:
        ref_name = "ComplianceOverview"


class ComplianceOverviewApi(APIView):
    """The figures of a participant's compliance page: standing and status history,
    statistics submissions and open anomaly questions, certificates by year, annual reports
    (missing ones marked), review visits, open recommendations, compliance cases. The
    secretariat for any participant; an authority for its own (another's: 404)."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="compliance_participant_overview",
        tags=TAGS,
        responses={
            200: ComplianceOverviewSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def get(self, request: Request, code: str) -> Response:
        participant = participant_get(code=code) if len(code) <= 3 else None
        if participant is None or not selectors.may_see_compliance_of(request.user, participant):
            raise exceptions.NotFound(
                gettext("There is no compliance page of “%(code)s” for you.") % {"code": code[:10]}
            )
        overview = selectors.participant_compliance(user=request.user, participant=participant)
        return Response(ComplianceOverviewSerializer(overview).data)
