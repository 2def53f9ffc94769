"""Compliance pages: the list of cases, opening a case, a case with its actions, milestones,
decisions and the participant's status history, and each participant's compliance page.

Who may come in: anonymous visitors go to the log-in page; reviewers and observers get 403.
The list of cases and opening a case are the secretariat's alone. A case and a participant's
compliance page are seen by the secretariat and, read-only, by the participant's own
authority; another participant's answer 404 (as if they did not exist). Every write is the
secretariat's: an authority posting to its own case gets 403. The services decide and refuse
with messages the pages place at the field they name; nothing is stored on a refusal.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kpcs.accounts.permissions import is_secretariat
from kpcs.participants.models import Participant
from kpcs.participants.selectors import participant_get
from kpcs.participants.views import paginate
from kpcs.reviews import compliance_forms as cf
from kpcs.reviews.models import ActionMilestone, ComplianceAction, ComplianceCase
from kpcs.reviews.selectors import compliance as selectors
from kpcs.reviews.services import compliance as services

TEMPLATES = "reviews/compliance/"
PAGE_SIZE = 50
CASES = gettext_lazy("Compliance cases")


# --- Access -----------------------------------------------------------------------------------


class ComplianceView(AccessMixin, View):
    """Anonymous → log-in; the secretariat and authorities in (only the secretariat where
    `secretariat_only`); everyone else → 403."""

    secretariat_only = False
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        allowed = (
            is_secretariat(request.user)
            if self.secretariat_only
            else selectors.may_use_compliance(request.user)
        )
        if not allowed:
            raise PermissionDenied(_("Compliance cases are for the KP secretariat."))
        return super().dispatch(request, *args, **kwargs)


class CaseWriteView(ComplianceView):
    """A form posted on a case's page: the case must be visible (404 otherwise) and the
    user the secretariat (403 otherwise)."""

    http_method_names = ["post"]

    def case(self, case_id: int) -> ComplianceCase:
        case = _case_or_404(self.request, case_id)
        if not selectors.may_manage_compliance(self.request.user):
            raise PermissionDenied(_("Only the KP secretariat may change compliance cases."))
        return case


def _case_or_404(request: HttpRequest, case_id: int) -> ComplianceCase:
    case = selectors.compliance_case_get(user=request.user, case_id=case_id)
    if case is None:
        raise Http404(_("There is no compliance case number %(id)s for you.") % {"id": case_id})
    return case


def _place(form: BaseForm, exc: ValidationError) -> None:
    """Put each of the service's messages at the form's field it names, or above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _crumbs(request: HttpRequest, *trail: tuple[Any, str]) -> list[tuple[Any, str]]:
    if is_secretariat(request.user):
        return [(CASES, reverse("compliance:cases")), *trail]
    return list(trail)


# --- Cases --------------------------------------------------------------------------------------


class CaseListView(ComplianceView):
    secretariat_only = True

    def get(self, request: HttpRequest) -> HttpResponse:
        form = cf.CaseFilterForm(request.GET or None)
        status, filters = 200, {}
        if form.is_bound and not form.is_valid():
            status = 400
        elif form.is_bound:
            filters = {key: value for key, value in form.cleaned_data.items() if value}
        cases = selectors.compliance_case_list(user=request.user, **filters)
        if status != 200:
            cases = cases.none()
        page = paginate(request, cases, per_page=PAGE_SIZE)
        context = {
            "form": form,
            "page": page,
            "filtered": bool(filters),
            "breadcrumbs": [(CASES, "")],
        }
        return render(request, TEMPLATES + "case_list.html", context, status=status)


class CaseCreateView(ComplianceView):
    secretariat_only = True

    def get(self, request: HttpRequest) -> HttpResponse:
        code = request.GET.get("participant", "")
        participant = participant_get(code=code) if code and len(code) <= 3 else None
        initial: dict[str, Any] = {"opened_on": timezone.localdate()}
        if participant is not None:
            initial["participant"] = participant.code
        return self.page(cf.CaseForm(initial=initial, participant=participant))

    def post(self, request: HttpRequest) -> HttpResponse:
        code = request.POST.get("participant", "")
        chosen = participant_get(code=code) if code and len(code) <= 3 else None
        form = cf.CaseForm(request.POST, participant=chosen)
        if not form.is_valid():
            return self.page(form, status=400)
        data = form.cleaned_data
        try:
            case = services.compliance_case_open(
                actor=request.user,
                participant=data["participant"],
                title=data["title"],
                trigger=data["trigger"],
                trigger_detail=data["trigger_detail"],
                anomaly=data["anomaly"],
                finding=data["finding"],
                reporting_observer=data["reporting_observer"],
                opened_on=data["opened_on"],
            )
        except ValidationError as exc:
            _place(form, exc)
            return self.page(form, status=400)
        messages.success(
            request,
            _("The compliance case “%(title)s” of %(participant)s is open.")
            % {"title": case.title, "participant": case.participant.name},
        )
        return redirect("compliance:case", case.pk)

    def page(self, form: cf.CaseForm, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "breadcrumbs": _crumbs(self.request, (gettext_lazy("Open a case"), "")),
        }
        return render(self.request, TEMPLATES + "case_form.html", context, status=status)


def case_page(
    request: HttpRequest,
    case: ComplianceCase,
    *,
    bound: dict[str, BaseForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The case with its actions, milestones, decisions and the participant's status
    history; the secretariat's forms on an open case (a refused one bound, with its
    messages)."""
    bound = bound or {}
    today = timezone.localdate()
    manage = selectors.may_manage_compliance(request.user)
    writable = manage and case.status == ComplianceCase.Status.OPEN

    def form(prefix: str, factory: Any, **kwargs: Any) -> BaseForm | None:
        # A refused form is shown with its messages even on a case closed meanwhile.
        if prefix in bound:
            return bound[prefix]
        return factory(prefix=prefix, **kwargs) if writable else None

    actions = []
    for action in case.actions.all():
        milestones = [
            {
                "milestone": milestone,
                "overdue": selectors.is_milestone_overdue(milestone, today=today),
                "complete_form": (
                    form(f"complete-{milestone.pk}", cf.MilestoneCompleteForm, milestone=milestone)
                    if milestone.completed_on is None
                    else None
                ),
            }
            for milestone in action.milestones.all()
        ]
        actions.append(
            {
                "action": action,
                "milestones": milestones,
                "status_form": form(f"status-{action.pk}", cf.ActionStatusForm, action=action),
                "milestone_form": (
                    form(f"milestone-{action.pk}", cf.MilestoneForm)
                    if action.kind == ComplianceAction.Kind.ACTION_PLAN
                    else None
                ),
            }
        )
    history = list(selectors.status_history_with_decisions(participant=case.participant))
    context = {
        "case": case,
        "today": today,
        "manage": manage,
        "writable": writable,
        "actions": actions,
        "decisions": list(case.decisions.all()),
        "history": history,
        "standing": selectors.participant_standing_on(participant=case.participant, date=today),
        "action_form": form("action", cf.ActionForm, case=case),
        "decision_form": form("decision", cf.DecisionForm),
        "close_form": form("close", cf.CloseForm),
        "breadcrumbs": _crumbs(request, (case.title, "")),
    }
    return render(request, TEMPLATES + "case_detail.html", context, status=status)


class CaseDetailView(ComplianceView):
    def get(self, request: HttpRequest, case_id: int) -> HttpResponse:
        return case_page(request, _case_or_404(request, case_id))


class CaseEditView(ComplianceView):
    def get(self, request: HttpRequest, case_id: int) -> HttpResponse:
        case = self.case(case_id)
        form = cf.CaseEditForm(initial={"title": case.title, "trigger_detail": case.trigger_detail})
        return self.page(case, form)

    def post(self, request: HttpRequest, case_id: int) -> HttpResponse:
        case = self.case(case_id)
        form = cf.CaseEditForm(request.POST)
        if not form.is_valid():
            return self.page(case, form, status=400)
        try:
            services.compliance_case_update(
                actor=request.user,
                case=case,
                title=form.cleaned_data["title"],
                trigger_detail=form.cleaned_data["trigger_detail"],
            )
        except ValidationError as exc:
            _place(form, exc)
            return self.page(case, form, status=400)
        messages.success(request, _("The case is changed."))
        return redirect("compliance:case", case.pk)

    def case(self, case_id: int) -> ComplianceCase:
        case = _case_or_404(self.request, case_id)
        if not selectors.may_manage_compliance(self.request.user):
            raise PermissionDenied(_("Only the KP secretariat may change compliance cases."))
        return case

    def page(self, case: ComplianceCase, form: cf.CaseEditForm, status: int = 200) -> HttpResponse:
        context = {
            "case": case,
            "form": form,
            "breadcrumbs": _crumbs(
                self.request,
                (case.title, reverse("compliance:case", args=[case.pk])),
                (gettext_lazy("Edit"), ""),
            ),
        }
        return render(self.request, TEMPLATES + "case_edit.html", context, status=status)


class CaseCloseView(CaseWriteView):
    def post(self, request: HttpRequest, case_id: int) -> HttpResponse:
        case = self.case(case_id)
        form = cf.CloseForm(request.POST, prefix="close")
        if form.is_valid():
            try:
                services.compliance_case_close(
                    actor=request.user, case=case, closed_on=form.cleaned_data["closed_on"]
                )
            except ValidationError as exc:
                _place(form, exc)
            else:
                messages.success(request, _("The case is closed."))
                return redirect("compliance:case", case.pk)
        return case_page(request, case, bound={"close": form}, status=400)


class CaseReopenView(CaseWriteView):
    def post(self, request: HttpRequest, case_id: int) -> HttpResponse:
        case = self.case(case_id)
        try:
            services.compliance_case_reopen(actor=request.user, case=case)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("compliance:case", case.pk)
        messages.success(request, _("The case is open again."))
        return redirect("compliance:case", case.pk)


class ActionCreateView(CaseWriteView):
    def post(self, request: HttpRequest, case_id: int) -> HttpResponse:
        case = self.case(case_id)
        form = cf.ActionForm(request.POST, prefix="action", case=case)
        if form.is_valid():
            data = form.cleaned_data
            try:
                action = services.compliance_action_add(
                    actor=request.user,
                    case=case,
                    kind=data["kind"],
                    title=data["title"],
                    description=data["description"],
                    decided_on=data["decided_on"],
                    ends_on=data["ends_on"],
                    review_visit=data["review_visit"],
                )
            except ValidationError as exc:
                _place(form, exc)
            else:
                messages.success(
                    request, _("The action “%(title)s” is added.") % {"title": action.title}
                )
                return redirect(reverse("compliance:case", args=[case.pk]) + "#actions")
        return case_page(request, case, bound={"action": form}, status=400)


def _action_of(case: ComplianceCase, action_id: int) -> ComplianceAction:
    for action in case.actions.all():
        if action.pk == action_id:
            return action
    raise Http404(_("This case has no action number %(id)s.") % {"id": action_id})


def _milestone_of(case: ComplianceCase, milestone_id: int) -> ActionMilestone:
    for action in case.actions.all():
        for milestone in action.milestones.all():
            if milestone.pk == milestone_id:
                return milestone
    raise Http404(_("This case has no milestone number %(id)s.") % {"id": milestone_id})


class ActionStatusView(CaseWriteView):
    def post(self, request: HttpRequest, case_id: int, action_id: int) -> HttpResponse:
        case = self.case(case_id)
        action = _action_of(case, action_id)
        prefix = f"status-{action.pk}"
        form = cf.ActionStatusForm(request.POST, prefix=prefix, action=action)
        if form.is_valid():
            try:
                services.compliance_action_update(
                    actor=request.user,
                    action=action,
                    values={
                        "status": form.cleaned_data["status"],
                        "ends_on": form.cleaned_data["ends_on"],
                    },
                )
            except ValidationError as exc:
                _place(form, exc)
            else:
                messages.success(
                    request,
                    _("“%(title)s” is now %(status)s.")
                    % {"title": action.title, "status": action.get_status_display()},
                )
                return redirect(reverse("compliance:case", args=[case.pk]) + f"#action-{action.pk}")
        return case_page(request, case, bound={prefix: form}, status=400)


class MilestoneCreateView(CaseWriteView):
    def post(self, request: HttpRequest, case_id: int, action_id: int) -> HttpResponse:
        case = self.case(case_id)
        action = _action_of(case, action_id)
        prefix = f"milestone-{action.pk}"
        form = cf.MilestoneForm(request.POST, prefix=prefix)
        if form.is_valid():
            try:
                services.action_milestone_add(
                    actor=request.user,
                    action=action,
                    description=form.cleaned_data["description"],
                    due_on=form.cleaned_data["due_on"],
                )
            except ValidationError as exc:
                _place(form, exc)
            else:
                messages.success(request, _("The milestone is added."))
                return redirect(reverse("compliance:case", args=[case.pk]) + f"#action-{action.pk}")
        return case_page(request, case, bound={prefix: form}, status=400)


class MilestoneCompleteView(CaseWriteView):
    def post(self, request: HttpRequest, case_id: int, milestone_id: int) -> HttpResponse:
        case = self.case(case_id)
        milestone = _milestone_of(case, milestone_id)
        prefix = f"complete-{milestone.pk}"
        form = cf.MilestoneCompleteForm(request.POST, prefix=prefix, milestone=milestone)
        if form.is_valid():
            try:
                services.action_milestone_complete(
                    actor=request.user,
                    milestone=milestone,
                    completed_on=form.cleaned_data["completed_on"],
                )
            except ValidationError as exc:
                _place(form, exc)
            else:
                messages.success(request, _("The milestone is marked completed."))
                return redirect(
                    reverse("compliance:case", args=[case.pk]) + f"#action-{milestone.action_id}"
                )
        return case_page(request, case, bound={prefix: form}, status=400)


class DecisionCreateView(CaseWriteView):
    def post(self, request: HttpRequest, case_id: int) -> HttpResponse:
        case = self.case(case_id)
        form = cf.DecisionForm(request.POST, prefix="decision")
        if form.is_valid():
            data = form.cleaned_data
            change = (
                services.StatusChange(event=data["status_change"], date=data["status_change_date"])
                if data["status_change"]
                else None
            )
            try:
                decision = services.compliance_decision_record(
                    actor=request.user,
                    case=case,
                    decided_on=data["decided_on"],
                    body=data["body"],
                    working_body=data["working_body"],
                    reference=data["reference"],
                    text=data["text"],
                    status_change=change,
                )
            except ValidationError as exc:
                _place(form, exc)
            else:
                if decision.status_event is not None:
                    event = decision.status_event
                    messages.success(
                        request,
                        _(
                            "The decision is recorded, with %(participant)s's status event "
                            "“%(event)s” from %(date)s."
                        )
                        % {
                            "participant": case.participant.code,
                            "event": event.get_event_display(),
                            "date": event.date.isoformat(),
                        },
                    )
                else:
                    messages.success(request, _("The decision is recorded."))
                return redirect(reverse("compliance:case", args=[case.pk]) + "#decisions")
        return case_page(request, case, bound={"decision": form}, status=400)


# --- The participant's compliance page ------------------------------------------------------


def _participant_or_404(request: HttpRequest, code: str) -> Participant:
    participant = participant_get(code=code) if len(code) <= 3 else None
    if participant is None or not selectors.may_see_compliance_of(request.user, participant):
        raise Http404(_("There is no compliance page of “%(code)s” for you.") % {"code": code[:10]})
    return participant


class ParticipantComplianceView(ComplianceView):
    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        participant = _participant_or_404(request, code)
        overview = selectors.participant_compliance(user=request.user, participant=participant)
        context = {
            "overview": overview,
            "participant": participant,
            "manage": selectors.may_manage_compliance(request.user),
            "breadcrumbs": _crumbs(
                request,
                (
                    gettext_lazy("Compliance of %(name)s") % {"name": participant.name},
                    "",
                ),
            ),
        }
        return render(request, TEMPLATES + "participant.html", context)
