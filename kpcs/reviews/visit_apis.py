"""The review visits API under /api/v1/reviews/visits/ (docs/reviews.md).

Reads are open: anyone lists and opens the visits they may see (`access.visits_visible_to`;
without a login the published ones); a visit outside that answers 404 at every level. Writes
(create, edit, team, status moves) are the secretariat's: another caller gets 403 on a visit
it may see (401 without credentials). Writes go through kpcs.reviews.services.visits, the same
rules and messages as the pages: refused input answers 400 naming the field, nothing stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import Resolver404, resolve
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from kpcs.accounts.permissions import is_secretariat
from kpcs.common.api import ErrorSerializer, StandardPagination
from kpcs.participants.models import Observer, Participant, WorkingBody
from kpcs.reviews.models import ExpertNomination, ReviewVisit, TeamMember
from kpcs.reviews.selectors import visits as selectors
from kpcs.reviews.services import visits as services

TAGS = ["review visits"]
DATE_MESSAGE = _("Enter a real date in the form YYYY-MM-DD, for example 2026-06-08.")

# Where the papers of a visit hang below it (the first path that is routed is given).
PAPER_PATHS = {
    "findings": ("findings/",),
    "reports": ("reports/", "report/"),
    "recommendations": ("recommendations/",),
}


def _date(**kwargs: Any) -> serializers.DateField:
    kwargs.setdefault("required", False)
    return serializers.DateField(
        input_formats=["%Y-%m-%d"], error_messages={"invalid": DATE_MESSAGE}, **kwargs
    )


def _code_field(help_text: Any, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=10, help_text=help_text, **kwargs)


def _participant(code: str) -> Participant:
    participant = Participant.objects.filter(code=code.strip().upper()).first()
    if participant is None:
        raise serializers.ValidationError(
            gettext("No participant has the code “%(code)s”.") % {"code": code[:10]}
        )
    return participant


def _observer(code: str) -> Observer:
    observer = Observer.objects.filter(code=code.strip().upper()).first()
    if observer is None:
        raise serializers.ValidationError(
            gettext("No observer has the code “%(code)s”.") % {"code": code[:10]}
        )
    return observer


def _working_body(code: str) -> WorkingBody:
    body = WorkingBody.objects.filter(code=code.strip().upper()).first()
    if body is None:
        raise serializers.ValidationError(
            gettext("No working body has the acronym “%(code)s”.") % {"code": code[:10]}
        )
    return body


def _choice(choices: Any, message: Any, **kwargs: Any) -> serializers.ChoiceField:
    kwargs["error_messages"] = {"invalid_choice": message, **kwargs.get("error_messages", {})}
    return serializers.ChoiceField(choices=choices, **kwargs)


KIND_MESSAGE = _(
    "“{input}” is not a kind of visit: use review_visit, review_mission or expert_mission."
)
STATUS_MESSAGE = _("“{input}” is not a status of a visit.")
ROUND_MESSAGES: dict[str, Any] = {
    "invalid": _("The round is a whole number from 1 to 20."),
    "min_value": _("The round is a whole number from 1 to 20."),
    "max_value": _("The round is a whole number from 1 to 20."),
}


def _visit_or_404(request: Request, visit_id: int) -> ReviewVisit:
    visit = selectors.visit_get(user=request.user, visit_id=visit_id)
    if visit is None:
        raise exceptions.NotFound(
            gettext("There is no review visit number %(id)s for you.") % {"id": visit_id}
        )
    return visit


class VisitApiView(APIView):
    """Reads for anyone allowed by the selectors; writes for the secretariat."""

    permission_classes = [AllowAny]

    def require_secretariat(self, request: Request) -> None:
        if not is_secretariat(request.user):
            self.permission_denied(
                request, message=gettext("Only the KP secretariat manages review visits.")
            )


# --- Shapes ----------------------------------------------------------------------------------


class TeamMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = serializers.CharField(source="user.username")
    name = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=TeamMember.Role.choices)
    represents = serializers.ChoiceField(choices=TeamMember.Represents.choices)
    participant = serializers.CharField(
        source="participant.code", allow_null=True, default=None, help_text=_("Its code.")
    )
    observer = serializers.CharField(
        source="observer.code", allow_null=True, default=None, help_text=_("Its code.")
    )
    nomination = serializers.IntegerField(
        source="nomination_id", allow_null=True, help_text=_("The roster nomination (experts).")
    )

    class Meta:
        ref_name = "ReviewTeamMember"

    def get_name(self, member: TeamMember) -> str:
        return member.user.get_full_name() or member.user.get_username()


class VisitLinksSerializer(serializers.Serializer):
    findings = serializers.URLField(
        allow_null=True, help_text=_("Only for those who may see the working papers.")
    )
    reports = serializers.URLField(allow_null=True)
    recommendations = serializers.URLField(allow_null=True)

    class Meta:
        ref_name = "ReviewVisitLinks"


class VisitSerializer(serializers.Serializer):
    """A visit. `team` is given to those who may see the visit's working papers (the team,
    the participant reviewed, the secretariat, the working group once adopted); everyone else
    gets null and only the lead participant."""

    id = serializers.IntegerField()
    participant = serializers.CharField(source="participant.code")
    participant_name = serializers.CharField(source="participant.name")
    kind = serializers.ChoiceField(choices=ReviewVisit.Kind.choices)
    round = serializers.IntegerField()
    invited_on = serializers.DateField(allow_null=True)
    planned_start = serializers.DateField(allow_null=True)
    planned_end = serializers.DateField(allow_null=True)
    actual_start = serializers.DateField(allow_null=True)
    actual_end = serializers.DateField(allow_null=True)
    terms_of_reference = serializers.CharField()
    status = serializers.ChoiceField(
        choices=ReviewVisit.Status.choices,
        help_text=_(
            "invited → team_formed → scheduled → visit_done → draft_report → comments_received "
            "→ final_report → adopted → published or restricted (restricted → published)."
        ),
    )
    adopted_on = serializers.DateField(allow_null=True)
    adopted_by = serializers.CharField(
        source="adopted_by.code",
        allow_null=True,
        default=None,
        help_text=_("The working body's acronym, e.g. WGM."),
    )
    published_on = serializers.DateField(allow_null=True)
    lead_participant = serializers.SerializerMethodField(
        help_text=_("The code of the participant that leads the team.")
    )
    team = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    urls = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ReviewVisit"

    def _team(self, visit: ReviewVisit) -> list[TeamMember]:
        return list(visit.team.all())

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_lead_participant(self, visit: ReviewVisit) -> str | None:
        for member in self._team(visit):
            if member.role == TeamMember.Role.LEAD and member.participant is not None:
                return member.participant.code
        return None

    def _full(self, visit: ReviewVisit) -> bool:
        decide: Callable[[ReviewVisit], bool] = self.context["working_papers"]
        return decide(visit)

    @extend_schema_field(TeamMemberSerializer(many=True, allow_null=True))
    def get_team(self, visit: ReviewVisit) -> list[dict[str, Any]] | None:
        if not self._full(visit):
            return None
        return [dict(item) for item in TeamMemberSerializer(self._team(visit), many=True).data]

    def get_url(self, visit: ReviewVisit) -> str:
        return reverse(
            "api:review-visit-detail",
            kwargs={"visit_id": visit.pk},
            request=self.context.get("request"),
        )

    @extend_schema_field(VisitLinksSerializer)
    def get_urls(self, visit: ReviewVisit) -> dict[str, str | None]:
        base = reverse("api:review-visit-detail", kwargs={"visit_id": visit.pk})
        request = self.context.get("request")
        full = self._full(visit)
        links: dict[str, str | None] = {}
        for name, suffixes in PAPER_PATHS.items():
            links[name] = None
            if name == "findings" and not full:
                continue
            for suffix in suffixes:
                if _routed(base + suffix):
                    path = base + suffix
                    links[name] = request.build_absolute_uri(path) if request else path
                    break
        return links


def _routed(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def _context(request: Request) -> dict[str, Any]:
    return {
        "request": request,
        "working_papers": selectors.working_papers_rule(user=request.user),
    }


def _visit_body(request: Request, visit_id: int) -> dict[str, Any]:
    visit = selectors.visits_with_team(selectors.visit_list(user=request.user)).get(pk=visit_id)
    return dict(VisitSerializer(visit, context=_context(request)).data)


# --- Visits ----------------------------------------------------------------------------------


class VisitFilterSerializer(serializers.Serializer):
    participant = _code_field(
        _("Only visits of this participant (its code, e.g. BWA)."), required=False
    )
    kind = _choice(ReviewVisit.Kind.choices, KIND_MESSAGE, required=False)
    round = serializers.IntegerField(
        required=False, min_value=1, max_value=services.MAX_ROUND, error_messages=ROUND_MESSAGES
    )
    status = _choice(ReviewVisit.Status.choices, STATUS_MESSAGE, required=False)
    year = serializers.IntegerField(
        required=False,
        min_value=services.FIRST_YEAR,
        max_value=services.LAST_YEAR,
        help_text=_("The year the visit took place (actual, else planned, else invitation)."),
        error_messages={
            "invalid": _("Give the year as four digits, e.g. 2026."),
            "min_value": _("Give a year from 2000 to 2100."),
            "max_value": _("Give a year from 2000 to 2100."),
        },
    )

    class Meta:
        ref_name = "ReviewVisitFilter"

    def validate_participant(self, code: str) -> Participant:
        return _participant(code)


class VisitInputSerializer(serializers.Serializer):
    participant = _code_field(
        _("The participant reviewed (its code)."),
        error_messages={"required": _("Name the participant reviewed (its code).")},
    )
    kind = _choice(
        ReviewVisit.Kind.choices,
        KIND_MESSAGE,
        error_messages={"required": _("Say which kind of visit.")},
    )
    round = serializers.IntegerField(
        required=False,
        default=1,
        min_value=1,
        max_value=services.MAX_ROUND,
        error_messages=ROUND_MESSAGES,
    )
    invited_on = _date(allow_null=True, help_text=_("Required for a review visit (YYYY-MM-DD)."))
    planned_start = _date(allow_null=True)
    planned_end = _date(allow_null=True)
    terms_of_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=50000,
        help_text=_("Left out or empty: the standard terms of reference."),
    )

    class Meta:
        ref_name = "ReviewVisitInput"

    def validate_participant(self, code: str) -> Participant:
        return _participant(code)


class VisitPatchSerializer(serializers.Serializer):
    """The particulars of a visit; the status and the adoption and publication facts change
    through …/transition/ (sending them here is refused, not ignored)."""

    participant = _code_field(_("The participant reviewed (its code)."), required=False)
    kind = _choice(ReviewVisit.Kind.choices, KIND_MESSAGE, required=False)
    round = serializers.IntegerField(
        required=False, min_value=1, max_value=services.MAX_ROUND, error_messages=ROUND_MESSAGES
    )
    invited_on = _date(allow_null=True)
    planned_start = _date(allow_null=True)
    planned_end = _date(allow_null=True)
    actual_start = _date(allow_null=True)
    actual_end = _date(allow_null=True)
    terms_of_reference = serializers.CharField(required=False, allow_blank=True, max_length=50000)

    class Meta:
        ref_name = "ReviewVisitPatch"

    def validate_participant(self, code: str) -> Participant:
        return _participant(code)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        sent = set(getattr(self, "initial_data", {}) or {})
        unknown = sorted(sent - set(self.fields))
        if unknown:
            message = gettext(
                "This cannot be changed here: the status, adoption and publication change "
                "through …/transition/."
            )
            raise serializers.ValidationError({name: [message] for name in unknown})
        return data


class VisitListApi(VisitApiView):
    """GET: the visits you may see (without a login: the published ones), latest invitation
    first, filtered. POST: the secretariat records a new visit (status invited)."""

    pagination_class = StandardPagination

    @extend_schema(
        operation_id="review_visit_list",
        tags=TAGS,
        parameters=[VisitFilterSerializer],
        responses={200: VisitSerializer(many=True), 400: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        filters = VisitFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        visits = selectors.visits_with_team(
            selectors.visit_list(user=request.user, **filters.validated_data)
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(visits, request, view=self)
        output = VisitSerializer(page, many=True, context=_context(request))
        return paginator.get_paginated_response(output.data)

    @extend_schema(
        operation_id="review_visit_create",
        tags=TAGS,
        request=VisitInputSerializer,
        responses={
            201: VisitSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        self.require_secretariat(request)
        payload = VisitInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        visit = services.visit_create(actor=request.user, **payload.validated_data)
        return Response(_visit_body(request, visit.pk), status=status.HTTP_201_CREATED)


class VisitDetailApi(VisitApiView):
    """GET: one visit you may see (404 otherwise). PATCH: the secretariat changes its
    particulars; the status changes through …/transition/."""

    @extend_schema(
        operation_id="review_visit_retrieve",
        tags=TAGS,
        responses={200: VisitSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, visit_id: int) -> Response:
        _visit_or_404(request, visit_id)
        return Response(_visit_body(request, visit_id))

    @extend_schema(
        operation_id="review_visit_update",
        tags=TAGS,
        request=VisitPatchSerializer,
        responses={
            200: VisitSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def patch(self, request: Request, visit_id: int) -> Response:
        visit = _visit_or_404(request, visit_id)
        self.require_secretariat(request)
        payload = VisitPatchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.visit_update(actor=request.user, visit=visit, **payload.validated_data)
        return Response(_visit_body(request, visit_id))


# --- The team --------------------------------------------------------------------------------


class TeamMemberInputSerializer(serializers.Serializer):
    user = serializers.CharField(
        max_length=150,
        help_text=_("The person's user name."),
        error_messages={"required": _("Name the person to add (their user name).")},
    )
    role = _choice(
        TeamMember.Role.choices, _("“{input}” is not a role: use lead, member or expert.")
    )
    represents = _choice(
        TeamMember.Represents.choices,
        _(
            "“{input}” is not whom a member can represent: use participant, industry, "
            "civil_society, expert or secretariat."
        ),
    )
    participant = _code_field(
        _("The participant represented (default: the one the person acts for)."),
        required=False,
        allow_null=True,
    )
    observer = _code_field(
        _("The observer represented (default: the one the person acts for)."),
        required=False,
        allow_null=True,
    )
    nomination = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("The roster nomination of an expert (default: the person's own)."),
    )

    class Meta:
        ref_name = "ReviewTeamMemberInput"

    def validate_user(self, username: str) -> Any:
        user = selectors.user_by_username(username=username.strip())
        if user is None:
            raise serializers.ValidationError(
                gettext("No active user is called “%(name)s”.") % {"name": username[:40]}
            )
        return user

    def validate_participant(self, code: str | None) -> Participant | None:
        return _participant(code) if code else None

    def validate_observer(self, code: str | None) -> Observer | None:
        return _observer(code) if code else None

    def validate_nomination(self, pk: int | None) -> ExpertNomination | None:
        if pk is None:
            return None
        nomination = ExpertNomination.objects.filter(pk=pk).select_related("user").first()
        if nomination is None:
            raise serializers.ValidationError(
                gettext("There is no nomination number %(id)s on the roster.") % {"id": pk}
            )
        return nomination


class VisitTeamApi(VisitApiView):
    """GET: the team of a visit whose working papers you may see (403 otherwise). POST: the
    secretariat adds a member (the team's rules are checked: 400 naming the field)."""

    @extend_schema(
        operation_id="review_visit_team_list",
        tags=TAGS,
        responses={
            200: TeamMemberSerializer(many=True),
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def get(self, request: Request, visit_id: int) -> Response:
        visit = _visit_or_404(request, visit_id)
        if not selectors.working_papers_rule(user=request.user)(visit):
            self.permission_denied(
                request,
                message=gettext(
                    "The team is shown to the team, the participant reviewed, the secretariat "
                    "and, once the report is adopted, the Working Group on Monitoring."
                ),
            )
        team = selectors.visit_team(visit=visit)
        return Response(TeamMemberSerializer(team, many=True).data)

    @extend_schema(
        operation_id="review_visit_team_add",
        tags=TAGS,
        request=TeamMemberInputSerializer,
        responses={
            201: TeamMemberSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def post(self, request: Request, visit_id: int) -> Response:
        visit = _visit_or_404(request, visit_id)
        self.require_secretariat(request)
        payload = TeamMemberInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        member = services.team_member_add(actor=request.user, visit=visit, **payload.validated_data)
        member = selectors.team_member_get(visit=visit, member_id=member.pk) or member
        return Response(TeamMemberSerializer(member).data, status=status.HTTP_201_CREATED)


class VisitTeamMemberApi(VisitApiView):
    """DELETE: the secretariat takes a member off the team (before adoption)."""

    @extend_schema(
        operation_id="review_visit_team_remove",
        tags=TAGS,
        responses={
            204: OpenApiResponse(description=_("Removed.")),
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def delete(self, request: Request, visit_id: int, member_id: int) -> Response:
        visit = _visit_or_404(request, visit_id)
        self.require_secretariat(request)
        member = selectors.team_member_get(visit=visit, member_id=member_id)
        if member is None:
            raise exceptions.NotFound(
                gettext("Member %(id)s is not on this visit's team.") % {"id": member_id}
            )
        services.team_member_remove(actor=request.user, visit=visit, member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Status moves ----------------------------------------------------------------------------


class TransitionInputSerializer(serializers.Serializer):
    to = _choice(
        ReviewVisit.Status.choices,
        _("“{input}” is not a status of a visit."),
        help_text=_(
            "The status to move to: team_formed, scheduled, visit_done, adopted, published or "
            "restricted (the report's own workflow sets the others)."
        ),
        error_messages={"required": _("Say which status to move to (`to`).")},
    )
    planned_start = _date(allow_null=True, help_text=_("For scheduled, if not yet set."))
    planned_end = _date(allow_null=True, help_text=_("For scheduled, if not yet set."))
    actual_start = _date(allow_null=True, help_text=_("For visit_done, if not yet set."))
    actual_end = _date(allow_null=True, help_text=_("For visit_done, if not yet set."))
    adopted_on = _date(allow_null=True, help_text=_("For adopted: required."))
    adopted_by = _code_field(
        _("For adopted: the working body's acronym (default WGM)."),
        required=False,
        allow_null=True,
    )
    published_on = _date(allow_null=True, help_text=_("For published: required."))

    class Meta:
        ref_name = "ReviewVisitTransition"

    def validate_adopted_by(self, code: str | None) -> WorkingBody | None:
        return _working_body(code) if code else None


class VisitTransitionApi(VisitApiView):
    """POST: the secretariat moves the visit to the next status, with the facts the move
    needs; an illegal move or a missing fact answers 400 and nothing changes."""

    @extend_schema(
        operation_id="review_visit_transition",
        tags=TAGS,
        request=TransitionInputSerializer,
        responses={
            200: VisitSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def post(self, request: Request, visit_id: int) -> Response:
        visit = _visit_or_404(request, visit_id)
        self.require_secretariat(request)
        payload = TransitionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        details = dict(payload.validated_data)
        to = details.pop("to")
        services.visit_transition(visit=visit, to=to, actor=request.user, **details)
        return Response(_visit_body(request, visit_id))
