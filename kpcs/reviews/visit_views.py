"""Pages of review visits: the list with its filters, a new visit, a visit with its status
timeline, team and links to its papers, the team page, the status moves and the expert roster.

Who sees which visit is decided by `access.visits_visible_to` (a visit the user may not see
answers 404, as if it did not exist); the public sees published visits, their header and a
link to the report. Creating, editing, forming the team and moving the status are the
secretariat's: another user gets 403 on a visit it may see (anonymous visitors go to the
log-in page). The services decide every rule; the pages place their messages at the field.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin, LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kpcs.accounts.permissions import SecretariatRequiredMixin, is_secretariat
from kpcs.participants.views import paginate
from kpcs.reviews import visit_forms as vf
from kpcs.reviews.models import RequirementArea, ReviewVisit
from kpcs.reviews.selectors import visits as selectors
from kpcs.reviews.selectors.access import can_see_working_papers
from kpcs.reviews.selectors.working_papers import papers_summary
from kpcs.reviews.services import visits as services
from kpcs.reviews.terms_of_reference import standard_terms_of_reference

TEMPLATES = "reviews/visits/"
PAGE_SIZE = 25
VISITS = gettext_lazy("Review visits")

Crumbs = list[tuple[Any, str]]


def _crumbs(*trail: tuple[Any, str]) -> Crumbs:
    return [(VISITS, reverse("reviews:list")), *trail]


def _visit_crumbs(visit: ReviewVisit, *trail: tuple[Any, str]) -> Crumbs:
    return _crumbs((capfirst(str(visit)), reverse("reviews:detail", args=[visit.pk])), *trail)


def place_errors(form: BaseForm, exc: ValidationError) -> None:
    """Put each of the service's messages at the form field it names; messages about
    anything else (or a hidden field) go above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        visible = field in form.fields and not form.fields[field].widget.is_hidden
        for error in errors:
            form.add_error(field if visible else None, error)


def _visit_or_404(request: HttpRequest, visit_id: int) -> ReviewVisit:
    visit = selectors.visit_get(user=request.user, visit_id=visit_id)
    if visit is None:
        raise Http404(_("There is no review visit number %(id)s for you.") % {"id": visit_id})
    return visit


class SecretariatVisitView(AccessMixin, View):
    """A secretariat page about one visit: 404 if the user may not see the visit, then
    log-in for anonymous visitors and 403 for other users."""

    visit: ReviewVisit

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.visit = _visit_or_404(request, kwargs["visit_id"])
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_secretariat(request.user):
            raise PermissionDenied(_("Only the KP secretariat manages review visits."))
        return super().dispatch(request, *args, **kwargs)


# --- The list --------------------------------------------------------------------------------


class VisitListView(View):
    """The visits the user may see (anonymous: the published ones), filtered."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = vf.VisitFilterForm(request.GET or None)
        status = 200
        filters: dict[str, Any] = {}
        if form.is_bound and not form.is_valid():
            status = 400
        elif form.is_bound:
            filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        visits = selectors.visit_list(user=request.user, **filters)
        if status != 200:
            visits = visits.none()
        page = paginate(request, visits, per_page=PAGE_SIZE)
        context = {
            "form": form,
            "page": page,
            "filtered": bool(filters),
            "can_create": is_secretariat(request.user),
            "breadcrumbs": [(VISITS, "")],
        }
        return render(request, TEMPLATES + "visit_list.html", context, status=status)


# --- Create and edit -------------------------------------------------------------------------


def _visit_form_page(
    request: HttpRequest,
    form: BaseForm,
    *,
    visit: ReviewVisit | None = None,
    status: int = 200,
) -> HttpResponse:
    if visit is None:
        crumbs = _crumbs((gettext_lazy("New visit"), ""))
    else:
        crumbs = _visit_crumbs(visit, (gettext_lazy("Edit"), ""))
    context = {
        "form": form,
        "visit": visit,
        "kinds": ReviewVisit.Kind.choices,
        "breadcrumbs": crumbs,
    }
    return render(request, TEMPLATES + "visit_form.html", context, status=status)


class VisitCreateView(SecretariatRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        kind = request.GET.get("kind", "")
        if kind not in ReviewVisit.Kind.values:
            kind = ReviewVisit.Kind.REVIEW_VISIT
        form = vf.VisitForm(
            initial={
                "kind": kind,
                "round": 1,
                "terms_of_reference": standard_terms_of_reference(kind),
            }
        )
        return _visit_form_page(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = vf.VisitForm(request.POST)
        if not form.is_valid():
            return _visit_form_page(request, form, status=400)
        try:
            visit = services.visit_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            place_errors(form, exc)
            return _visit_form_page(request, form, status=400)
        messages.success(request, _("The visit is recorded: now form its team."))
        return redirect("reviews:detail", visit.pk)


class VisitEditView(SecretariatVisitView):
    FIELDS = (
        "participant",
        "kind",
        "round",
        "invited_on",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
        "terms_of_reference",
    )

    def get(self, request: HttpRequest, visit_id: int) -> HttpResponse:
        initial = {name: getattr(self.visit, name) for name in self.FIELDS}
        initial["participant"] = self.visit.participant.code
        form = vf.VisitEditForm(initial=initial)
        return _visit_form_page(request, form, visit=self.visit)

    def post(self, request: HttpRequest, visit_id: int) -> HttpResponse:
        form = vf.VisitEditForm(request.POST)
        if not form.is_valid():
            return _visit_form_page(request, form, visit=self.visit, status=400)
        try:
            services.visit_update(actor=request.user, visit=self.visit, **form.cleaned_data)
        except ValidationError as exc:
            place_errors(form, exc)
            return _visit_form_page(request, form, visit=self.visit, status=400)
        messages.success(request, _("The visit is updated."))
        return redirect("reviews:detail", self.visit.pk)


# --- One visit -------------------------------------------------------------------------------


def _timeline(visit: ReviewVisit) -> list[dict[str, Any]]:
    """Every status in order, each done, current, to come or passed by (published and
    kept restricted are two ends: a published report may have been restricted first)."""
    order = services.STATUS_ORDER
    current = order.index(visit.status)
    steps = []
    for index, (value, label) in enumerate(ReviewVisit.Status.choices):
        if value == visit.status:
            state = "current"
        elif index < current:
            state = "done"
        else:
            state = "todo"
        if visit.status == ReviewVisit.Status.RESTRICTED and value == ReviewVisit.Status.PUBLISHED:
            state = "todo"
        if visit.status == ReviewVisit.Status.PUBLISHED and value == ReviewVisit.Status.RESTRICTED:
            state = "skipped"
        steps.append({"value": value, "label": label, "state": state})
    return steps


def detail_page(
    request: HttpRequest,
    visit: ReviewVisit,
    *,
    bound_move: vf.TransitionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    full = can_see_working_papers(user, visit)
    secretariat = is_secretariat(user)
    moves: list[vf.TransitionForm] = []
    if secretariat:
        for to in services.secretariat_moves(visit):
            if bound_move is not None and bound_move.target == to:
                moves.append(bound_move)
            else:
                moves.append(vf.TransitionForm(to=to, visit=visit))
    report_moves = [
        to for to, by in services.TRANSITIONS[visit.status].items() if by == services.BY_REPORT
    ]
    context = {
        "visit": visit,
        "full": full,
        "secretariat": secretariat,
        "timeline": _timeline(visit),
        "moves": moves,
        "report_moves": [ReviewVisit.Status(to).label for to in report_moves],
        "team": selectors.visit_team(visit=visit) if full else None,
        "lead": selectors.visit_lead(visit=visit),
        "papers": papers_summary(user=user, visit=visit),
        "breadcrumbs": _crumbs((capfirst(str(visit)), "")),
    }
    return render(request, TEMPLATES + "visit_detail.html", context, status=status)


class VisitDetailView(View):
    def get(self, request: HttpRequest, visit_id: int) -> HttpResponse:
        return detail_page(request, _visit_or_404(request, visit_id))


class VisitTransitionView(SecretariatVisitView):
    """A status move posted from the visit's page, with the facts it needs."""

    def post(self, request: HttpRequest, visit_id: int) -> HttpResponse:
        to = request.POST.get("to", "")
        if to not in ReviewVisit.Status.values:
            messages.error(
                request,
                _("“%(to)s” is not a status: the move was not made.") % {"to": to[:30]},
            )
            return detail_page(request, self.visit, status=400)
        form = vf.TransitionForm(request.POST, to=to)
        if not form.is_valid():
            return detail_page(request, self.visit, bound_move=form, status=400)
        try:
            visit = services.visit_transition(
                visit=self.visit, to=to, actor=request.user, **form.details()
            )
        except ValidationError as exc:
            if to not in services.secretariat_moves(self.visit):
                # The refused move has no form on the page: say it above the page.
                for message in exc.messages:
                    messages.error(request, message)
                return detail_page(request, self.visit, status=400)
            place_errors(form, exc)
            return detail_page(request, self.visit, bound_move=form, status=400)
        messages.success(
            request,
            _("The visit is now “%(status)s”.") % {"status": visit.get_status_display()},
        )
        return redirect("reviews:detail", visit.pk)


# --- The team --------------------------------------------------------------------------------


def _team_page(
    request: HttpRequest, visit: ReviewVisit, form: vf.TeamMemberForm, *, status: int = 200
) -> HttpResponse:
    context = {
        "visit": visit,
        "form": form,
        "team": selectors.visit_team(visit=visit),
        "frozen": visit.status in services.TEAM_FROZEN,
        "breadcrumbs": _visit_crumbs(visit, (gettext_lazy("Team"), "")),
    }
    return render(request, TEMPLATES + "visit_team.html", context, status=status)


class VisitTeamView(SecretariatVisitView):
    """The team, with a form to add a member."""

    def get(self, request: HttpRequest, visit_id: int) -> HttpResponse:
        return _team_page(request, self.visit, vf.TeamMemberForm(visit=self.visit))

    def post(self, request: HttpRequest, visit_id: int) -> HttpResponse:
        form = vf.TeamMemberForm(request.POST, visit=self.visit)
        if not form.is_valid():
            return _team_page(request, self.visit, form, status=400)
        try:
            member = services.team_member_add(
                actor=request.user, visit=self.visit, **form.cleaned_data
            )
        except ValidationError as exc:
            place_errors(form, exc)
            return _team_page(request, self.visit, form, status=400)
        messages.success(
            request,
            _("%(user)s is on the team (%(role)s).")
            % {"user": member.user.get_username(), "role": member.get_role_display()},
        )
        return redirect("reviews:team", self.visit.pk)


class TeamMemberRemoveView(SecretariatVisitView):
    def post(self, request: HttpRequest, visit_id: int, member_id: int) -> HttpResponse:
        member = selectors.team_member_get(visit=self.visit, member_id=member_id)
        if member is None:
            raise Http404(_("This person is not on this visit's team."))
        try:
            services.team_member_remove(actor=request.user, visit=self.visit, member=member)
        except ValidationError as exc:
            form = vf.TeamMemberForm(visit=self.visit)
            place_errors(form, exc)
            return _team_page(request, self.visit, form, status=400)
        messages.success(
            request, _("%(user)s is off the team.") % {"user": member.user.get_username()}
        )
        return redirect("reviews:team", self.visit.pk)


# --- The expert roster -----------------------------------------------------------------------


def may_nominate(user: Any) -> bool:
    return bool(
        is_secretariat(user)
        or getattr(user, "is_authority", False)
        or getattr(user, "is_observer", False)
    )


def _roster_page(
    request: HttpRequest, form: vf.NominationForm | None, *, status: int = 200
) -> HttpResponse:
    user = request.user
    area_labels = dict(RequirementArea.choices)
    nominations = [
        (
            nomination,
            [area_labels.get(area, area) for area in nomination.areas],
            services.may_withdraw(user, nomination),
        )
        for nomination in selectors.roster_list()
    ]
    context = {
        "nominations": nominations,
        "form": form,
        "breadcrumbs": _crumbs((gettext_lazy("Expert roster"), "")),
    }
    return render(request, TEMPLATES + "roster.html", context, status=status)


class RosterView(LoginRequiredMixin, View):
    """The active roster for everyone logged in; authorities, observers' users and the
    secretariat nominate."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = vf.NominationForm(actor=request.user) if may_nominate(request.user) else None
        return _roster_page(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not may_nominate(request.user):
            raise PermissionDenied(
                _(
                    "Experts are nominated by participants' authorities, observers and the "
                    "secretariat."
                )
            )
        form = vf.NominationForm(request.POST, actor=request.user)
        if not form.is_valid():
            return _roster_page(request, form, status=400)
        try:
            nomination = services.expert_nominate(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            place_errors(form, exc)
            return _roster_page(request, form, status=400)
        messages.success(
            request,
            _("%(user)s is on the expert roster.") % {"user": nomination.user.get_username()},
        )
        return redirect("reviews:roster")


class NominationWithdrawView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, nomination_id: int) -> HttpResponse:
        nomination = selectors.nomination_get(nomination_id=nomination_id)
        if nomination is None:
            raise Http404(_("There is no active nomination number %(id)s.") % {"id": nomination_id})
        services.expert_withdraw(actor=request.user, nomination=nomination)
        messages.success(
            request,
            _("%(user)s is off the expert roster.") % {"user": nomination.user.get_username()},
        )
        return redirect("reviews:roster")
