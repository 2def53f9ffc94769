"""The secretariat's statistics pages: completeness and timeliness of the reporting, the
review of one submission (query, accept, reopen), due dates and extensions, publication of
releases, anomalies, the questions of the Data Anomaly Questionnaire and the opening stock
participants declared.

Every page here is for the secretariat only (anonymous → log-in, other roles → 403), except
`nonreporting_public`: the public list of participants that have not reported, shown for the
years whose statistics have been published.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kpcs.accounts.permissions import SecretariatRequiredMixin
from kpcs.common import selectors as common_selectors
from kpcs.participants.views import paginate
from kpcs.statistics import questionnaire, services
from kpcs.statistics import secretariat_forms as sf
from kpcs.statistics.anomalies import anomaly_analysis_has_run
from kpcs.statistics.deadlines import edit_state, submission_edit_state
from kpcs.statistics.models import (
    Anomaly,
    AnomalyQuestion,
    Dataset,
    Period,
    Submission,
)
from kpcs.statistics.publication import PublicationError, release_publish
from kpcs.statistics.revisions import changes_since_acceptance
from kpcs.statistics.selectors import analysis as selectors
from kpcs.statistics.selectors import stock as stock_selectors
from kpcs.statistics.selectors.submissions import submission_findings
from kpcs.statistics.tasks import ANOMALY_ANALYSIS, anomaly_analysis_job_start

TEMPLATES = "statistics/secretariat/"
ANOMALIES_PAGE_SIZE = 50
QUESTIONS_PAGE_SIZE = 50
STOCK_PAGE_SIZE = 50

Crumbs = list[tuple[Any, str]]
Status = Submission.Status


# --- Helpers ---------------------------------------------------------------------------------


def _home_crumb() -> tuple[Any, str]:
    return (gettext_lazy("Statistics work"), reverse("statistics_secretariat:dashboard"))


def _crumbs(*items: tuple[Any, str]) -> Crumbs:
    return [_home_crumb(), *items]


def _url(name: str, *, year: int | None = None, args: list[Any] | None = None) -> str:
    url = reverse(f"statistics_secretariat:{name}", args=args or [])
    return f"{url}?year={year}" if year is not None else url


def _year_of(request: HttpRequest) -> tuple[sf.YearForm, int, int]:
    """The `?year=` of a page, the current year by default; an invalid year is reported on
    the page (400) rather than failing."""
    form = sf.YearForm(request.GET or None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return form, form.year_or_default(), status


def _posted_year(request: HttpRequest) -> int | None:
    form = sf.HiddenYearForm(request.POST)
    return int(form.cleaned_data["year"]) if form.is_valid() else None


def _submission_or_404(pk: int) -> Submission:
    submission = selectors.submission_for_review(submission_id=pk)
    if submission is None:
        raise Http404(_("There is no submission number %(id)s.") % {"id": pk})
    return submission


def _anomaly_or_404(pk: int) -> Anomaly:
    anomaly = Anomaly.objects.select_related("participant", "partner").filter(pk=pk).first()
    if anomaly is None:
        raise Http404(_("There is no anomaly number %(id)s.") % {"id": pk})
    return anomaly


def _question_or_404(request: HttpRequest, pk: int) -> AnomalyQuestion:
    question = selectors.question_get_visible_to(user=request.user, question_id=pk)
    if question is None:
        raise Http404(_("There is no question number %(id)s.") % {"id": pk})
    return question


class SecretariatView(SecretariatRequiredMixin, View):
    """A page for the secretariat only."""

    request: HttpRequest


class SecretariatActionView(SecretariatView):
    """A button's POST: anonymous → log-in, other roles → 403, GET → 405."""

    http_method_names = ["post"]


# --- Completeness and timeliness -------------------------------------------------------------


class DashboardView(SecretariatView):
    def get(self, request: HttpRequest) -> HttpResponse:
        form, year, status = _year_of(request)
        context = {
            "form": form,
            "year": year,
            "matrix": selectors.completeness_matrix(year=year),
            "awaiting": list(selectors.submissions_awaiting_review(year=year)),
            "unanswered": list(selectors.questions_unanswered(year=year)),
            "published": year in selectors.nonreporting_years(),
            "breadcrumbs": [(gettext_lazy("Statistics work"), "")],
            "section": "dashboard",
        }
        return render(request, TEMPLATES + "dashboard.html", context, status=status)


# --- One submission under review ---------------------------------------------------------------


def render_review(
    request: HttpRequest,
    submission: Submission,
    *,
    status: int = 200,
    refusal: str = "",
    **bound_forms: forms.Form,
) -> HttpResponse:
    """The review page; `refusal` is the workflow's reason for refusing the step asked."""
    trade = submission.dataset == Dataset.TRADE
    ever_accepted = submission.revisions.filter(status=Status.ACCEPTED).exists()
    context = {
        "submission": submission,
        "refusal": refusal,
        "edit_state": submission_edit_state(submission=submission),
        "production": getattr(submission, "production", None) if not trade else None,
        "trade_records": list(selectors.submission_trade_records(submission=submission))
        if trade
        else [],
        "trade_totals": selectors.submission_trade_totals(submission=submission) if trade else None,
        "findings": list(submission_findings(submission=submission)),
        # What the supply checks count beside production and imports for this year.
        "stock": stock_selectors.stock_declaration_for(
            participant_id=submission.participant_id, year=submission.year
        ),
        "transitions": list(selectors.submission_transitions(submission=submission)),
        "changes": selectors.changes_for_display(changes_since_acceptance(submission=submission)),
        "ever_accepted": ever_accepted,
        "can_review": submission.status == Status.SUBMITTED,
        "can_reopen": submission.status in (Status.ACCEPTED, Status.PUBLISHED),
        "query_form": bound_forms.get("query_form") or sf.QueryForm(),
        "accept_form": bound_forms.get("accept_form") or sf.AcceptForm(),
        "reopen_form": bound_forms.get("reopen_form") or sf.ReopenForm(),
        "breadcrumbs": _crumbs(
            (
                gettext_lazy("Completeness %(year)s") % {"year": submission.year},
                _url("dashboard", year=submission.year),
            ),
            (str(submission), ""),
        ),
        "section": "dashboard",
    }
    return render(request, TEMPLATES + "submission_review.html", context, status=status)


class SubmissionReviewView(SecretariatView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render_review(request, _submission_or_404(pk))


class SubmissionActionMixin:
    """Validate the form, call one workflow service, redirect to the review page with a
    message; or show the review page again with the form's errors (400), the workflow's
    refusal among them."""

    form_class: type[forms.Form]
    form_name: str
    request: HttpRequest

    def act(self, submission: Submission, data: dict[str, Any]) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        submission = _submission_or_404(pk)
        form = self.form_class(request.POST)
        refusal = ""
        if form.is_valid():
            try:
                message = self.act(submission, form.cleaned_data)
            except services.WorkflowError as exc:
                refusal = str(exc)
            else:
                messages.success(request, message)
                return redirect("statistics_secretariat:submission", pk=submission.pk)
        return render_review(
            request, submission, status=400, refusal=refusal, **{self.form_name: form}
        )


class SubmissionQueryView(SubmissionActionMixin, SecretariatActionView):
    form_class = sf.QueryForm
    form_name = "query_form"

    def act(self, submission: Submission, data: dict[str, Any]) -> str:
        services.submission_query(
            submission=submission, actor=self.request.user, comment=data["comment"]
        )
        return _("The figures were sent back to the participant with your questions.")


class SubmissionAcceptView(SubmissionActionMixin, SecretariatActionView):
    form_class = sf.AcceptForm
    form_name = "accept_form"

    def act(self, submission: Submission, data: dict[str, Any]) -> str:
        services.submission_accept(
            submission=submission, actor=self.request.user, comment=data["comment"]
        )
        return _("The figures are accepted and locked; the next release will publish them.")


class SubmissionReopenView(SubmissionActionMixin, SecretariatActionView):
    form_class = sf.ReopenForm
    form_name = "reopen_form"

    def act(self, submission: Submission, data: dict[str, Any]) -> str:
        services.submission_reopen(
            submission=submission, actor=self.request.user, reason=data["reason"]
        )
        return _("The figures are reopened: the participant may correct and submit them again.")


# --- Deadlines ---------------------------------------------------------------------------------


def render_deadlines(
    request: HttpRequest,
    *,
    year: int,
    year_form: sf.YearForm | None = None,
    deadline_form: sf.DeadlineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": year_form or sf.YearForm(initial={"year": year}),
        "year": year,
        "rows": selectors.deadline_overview(year=year),
        "deadline_form": deadline_form or sf.DeadlineForm(initial={"year": year}),
        "extensions": list(selectors.extensions_active()),
        "breadcrumbs": _crumbs((gettext_lazy("Deadlines"), "")),
        "section": "deadlines",
    }
    return render(request, TEMPLATES + "deadlines.html", context, status=status)


class DeadlinesView(SecretariatView):
    def get(self, request: HttpRequest) -> HttpResponse:
        form, year, status = _year_of(request)
        return render_deadlines(request, year=year, year_form=form, status=status)


class DeadlineSetView(SecretariatActionView):
    def post(self, request: HttpRequest) -> HttpResponse:
        form = sf.DeadlineForm(request.POST)
        if not form.is_valid():
            year = _posted_year(request) or sf.YearForm().year_or_default()
            return render_deadlines(request, year=year, deadline_form=form, status=400)
        data = form.cleaned_data
        services.reporting_deadline_set(
            year=data["year"], period=data["period"], due_date=data["due_date"], actor=request.user
        )
        messages.success(
            request,
            _("%(period)s %(year)s is now due on %(date)s.")
            % {
                "period": Period(data["period"]).label,
                "year": data["year"],
                "date": data["due_date"].isoformat(),
            },
        )
        return redirect(_url("deadlines", year=data["year"]))


class ExtensionGrantView(SecretariatView):
    template_name = TEMPLATES + "form_page.html"

    def render_form(self, form: sf.ExtensionForm, *, status: int = 200) -> HttpResponse:
        title = _("Reopen a period for one participant")
        context = {
            "form": form,
            "title": title,
            "intro": _(
                "Past its due date a period is locked. An extension lets one participant enter "
                "and submit that period's figures until the moment you choose."
            ),
            "submit_label": _("Grant the extension"),
            "cancel_url": _url("deadlines"),
            "breadcrumbs": _crumbs((gettext_lazy("Deadlines"), _url("deadlines")), (title, "")),
            "section": "deadlines",
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        initial: dict[str, Any] = {"year": sf.YearForm().year_or_default()}
        for name in ("participant", "year", "dataset", "period"):
            if request.GET.get(name):
                initial[name] = request.GET[name][:10]
        return self.render_form(sf.ExtensionForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = sf.ExtensionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.deadline_extension_grant(
                    participant=data["participant"],
                    year=data["year"],
                    dataset=data["dataset"],
                    period=data["period"],
                    until=data["until"],
                    reason=data["reason"],
                    actor=request.user,
                )
            except services.WorkflowError as exc:
                form.add_error(None, str(exc))
            else:
                submission = Submission.objects.filter(
                    participant=data["participant"],
                    year=data["year"],
                    dataset=data["dataset"],
                    period=data["period"],
                ).first()
                state = edit_state(
                    participant_id=data["participant"].pk,
                    year=data["year"],
                    dataset=data["dataset"],
                    period=data["period"],
                    submission=submission,
                )
                messages.success(
                    request,
                    _(
                        "Extension granted to %(participant)s for %(period)s %(year)s "
                        "(%(dataset)s). Now: %(state)s"
                    )
                    % {
                        "participant": data["participant"].name,
                        "period": data["period"],
                        "year": data["year"],
                        "dataset": Dataset(data["dataset"]).label,
                        "state": state.reason,
                    },
                )
                return redirect(_url("deadlines", year=data["year"]))
        return self.render_form(form, status=400)


# --- Publication -------------------------------------------------------------------------------


def render_publication(
    request: HttpRequest,
    *,
    year: int,
    year_form: sf.YearForm | None = None,
    release_form: sf.ReleaseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    state = selectors.publication_state(year=year)
    context = {
        "form": year_form or sf.YearForm(initial={"year": year}),
        "year": year,
        "state": state,
        "release_form": release_form
        or sf.ReleaseForm(initial={"year": year}, revision=bool(state.releases)),
        "public_url": reverse("statistics:summary") + f"?year={year}",
        "breadcrumbs": _crumbs((gettext_lazy("Publication"), "")),
        "section": "publication",
    }
    return render(request, TEMPLATES + "publication.html", context, status=status)


class PublicationView(SecretariatView):
    def get(self, request: HttpRequest) -> HttpResponse:
        form, year, status = _year_of(request)
        return render_publication(request, year=year, year_form=form, status=status)


class ReleasePublishView(SecretariatActionView):
    def post(self, request: HttpRequest) -> HttpResponse:
        year = _posted_year(request)
        if year is None:
            form = sf.ReleaseForm(request.POST)
            form.is_valid()
            year_now = sf.YearForm().year_or_default()
            return render_publication(request, year=year_now, release_form=form, status=400)
        state = selectors.publication_state(year=year)
        form = sf.ReleaseForm(request.POST, revision=bool(state.releases))
        if form.is_valid() and not state.publishable:
            form.add_error(
                None,
                _("Nothing of %(year)s has been accepted yet: there is nothing to publish.")
                % {"year": year},
            )
        if not form.is_valid():
            return render_publication(request, year=year, release_form=form, status=400)
        try:
            release = release_publish(year=year, note=form.cleaned_data["note"], actor=request.user)
        except PublicationError as exc:
            form.add_error(None, str(exc))
            return render_publication(request, year=year, release_form=form, status=400)
        messages.success(
            request,
            _("Release %(number)s of the %(year)s statistics is published.")
            % {"number": release.number, "year": year},
        )
        return redirect(_url("publication", year=year))


# --- Anomalies ---------------------------------------------------------------------------------


class AnomalyListView(SecretariatView):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = sf.AnomalyFilterForm(request.GET or None)
        status, filters = 200, {}
        if form.is_bound and not form.is_valid():
            status = 400
        elif form.is_bound:
            filters = form.cleaned_data
        year = filters.get("year") or sf.YearForm().year_or_default()
        anomalies = selectors.anomalies_for_review(
            year=year,
            rule=filters.get("rule", ""),
            severity=filters.get("severity", ""),
            participant=filters.get("participant"),
            status=filters.get("status", ""),
            include_gone=filters.get("include_gone", False),
        )
        if status != 200:
            anomalies = anomalies.none()
        page = paginate(request, anomalies, per_page=ANOMALIES_PAGE_SIZE)
        jobs = list(common_selectors.background_job_list(kind=ANOMALY_ANALYSIS, limit=1))
        context = {
            "form": form,
            "year": year,
            "page": page,
            "rows": [(a, selectors.anomaly_figure_rows(a.figures)) for a in page.object_list],
            "analysed": anomaly_analysis_has_run(year=year),
            "latest_job": jobs[0] if jobs else None,
            "analyse_form": sf.HiddenYearForm(initial={"year": year}),
            "breadcrumbs": _crumbs((gettext_lazy("Anomalies"), "")),
            "section": "anomalies",
        }
        return render(request, TEMPLATES + "anomalies.html", context, status=status)


class AnomalyAnalyseView(SecretariatActionView):
    def post(self, request: HttpRequest) -> HttpResponse:
        year = _posted_year(request)
        if year is None:
            messages.error(request, _("Give the year to analyse as four digits, e.g. 2024."))
            return redirect(_url("anomalies"))
        anomaly_analysis_job_start(year=year, user=request.user)
        messages.success(
            request,
            _("The %(year)s statistics are being analysed; the list updates when it is done.")
            % {"year": year},
        )
        return redirect(_url("anomalies", year=year))


class QuestionAskView(SecretariatView):
    template_name = TEMPLATES + "question_ask.html"
    anomaly: Anomaly

    def render_form(self, form: sf.QuestionAskForm, *, status: int = 200) -> HttpResponse:
        anomaly = self.anomaly
        title = _("Ask %(participant)s about this anomaly") % {
            "participant": anomaly.participant.name
        }
        context = {
            "form": form,
            "title": title,
            "anomaly": anomaly,
            "figures": selectors.anomaly_figure_rows(anomaly.figures),
            "submit_label": _("Send the question"),
            "cancel_url": _url("anomalies", year=anomaly.year),
            "breadcrumbs": _crumbs(
                (gettext_lazy("Anomalies"), _url("anomalies", year=anomaly.year)), (title, "")
            ),
            "section": "anomalies",
        }
        return render(self.request, self.template_name, context, status=status)

    def _asked_already(self) -> HttpResponse | None:
        question = AnomalyQuestion.objects.filter(anomaly=self.anomaly).first()
        if question is None:
            return None
        messages.info(self.request, _("A question about this anomaly was already sent."))
        return redirect("statistics_secretariat:question", pk=question.pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.anomaly = _anomaly_or_404(pk)
        asked = self._asked_already()
        if asked is not None:
            return asked
        return self.render_form(sf.QuestionAskForm(initial={"question": self.anomaly.message}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.anomaly = _anomaly_or_404(pk)
        form = sf.QuestionAskForm(request.POST)
        if form.is_valid():
            try:
                question = questionnaire.question_ask(
                    anomaly=self.anomaly,
                    actor=request.user,
                    question=form.cleaned_data["question"],
                    due_date=form.cleaned_data["due_date"],
                )
            except services.WorkflowError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("The question was sent to %(participant)s.")
                    % {"participant": self.anomaly.participant.name},
                )
                return redirect("statistics_secretariat:question", pk=question.pk)
        return self.render_form(form, status=400)


# --- Declared stock ----------------------------------------------------------------------------


class StockListView(SecretariatView):
    """The opening stock every participant declared, of one year or all (never published)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = sf.StockFilterForm(request.GET or None)
        status, filters = 200, {}
        if form.is_bound and not form.is_valid():
            status = 400
        elif form.is_bound:
            filters = form.cleaned_data
        participant = filters.get("participant")
        declarations = stock_selectors.stock_declarations_visible_to(
            request.user,
            year=filters.get("year"),
            participant_id=participant.pk if participant is not None else None,
        )
        if status != 200:
            declarations = declarations.none()
        context = {
            "form": form,
            "page": paginate(request, declarations, per_page=STOCK_PAGE_SIZE),
            "breadcrumbs": _crumbs((gettext_lazy("Declared stock"), "")),
            "section": "stock",
        }
        return render(request, TEMPLATES + "stock.html", context, status=status)


# --- Questions of the Data Anomaly Questionnaire ------------------------------------------------


class QuestionListView(SecretariatView):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = sf.QuestionFilterForm(request.GET or None)
        status, filters = 200, {}
        if form.is_bound and not form.is_valid():
            status = 400
        elif form.is_bound:
            filters = form.cleaned_data
        questions = selectors.question_list(
            user=request.user, year=filters.get("year"), status=filters.get("status", "")
        )
        if status != 200:
            questions = questions.none()
        context = {
            "form": form,
            "page": paginate(request, questions, per_page=QUESTIONS_PAGE_SIZE),
            "breadcrumbs": _crumbs((gettext_lazy("Questionnaire"), "")),
            "section": "questions",
        }
        return render(request, TEMPLATES + "questions.html", context, status=status)


def render_question(
    request: HttpRequest,
    question: AnomalyQuestion,
    *,
    status: int = 200,
    refusal: str = "",
    **bound: forms.Form,
) -> HttpResponse:
    context = {
        "question": question,
        "refusal": refusal,
        "anomaly": question.anomaly,
        "figures": selectors.anomaly_figure_rows(question.anomaly.figures),
        "still_open": question.status in questionnaire.STILL_OPEN,
        "close_form": bound.get("close_form") or sf.QuestionCloseForm(),
        "escalate_form": bound.get("escalate_form") or sf.QuestionEscalateForm(),
        "breadcrumbs": _crumbs(
            (gettext_lazy("Questionnaire"), _url("questions")),
            (_("Question %(id)s") % {"id": question.pk}, ""),
        ),
        "section": "questions",
    }
    return render(request, TEMPLATES + "question_detail.html", context, status=status)


class QuestionDetailView(SecretariatView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render_question(request, _question_or_404(request, pk))


class QuestionConcludeMixin:
    form_class: type[forms.Form]
    form_name: str

    def conclude(self, question: AnomalyQuestion, actor: Any, note: str) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        question = _question_or_404(request, pk)
        form = self.form_class(request.POST)
        refusal = ""
        if form.is_valid():
            try:
                message = self.conclude(question, request.user, form.cleaned_data["note"])
            except services.WorkflowError as exc:
                refusal = str(exc)
            else:
                messages.success(request, message)
                return redirect("statistics_secretariat:question", pk=question.pk)
        return render_question(
            request, question, status=400, refusal=refusal, **{self.form_name: form}
        )


class QuestionCloseView(QuestionConcludeMixin, SecretariatActionView):
    form_class = sf.QuestionCloseForm
    form_name = "close_form"

    def conclude(self, question: AnomalyQuestion, actor: Any, note: str) -> str:
        questionnaire.question_close(question=question, actor=actor, note=note)
        return _("The question and its anomaly are closed.")


class QuestionEscalateView(QuestionConcludeMixin, SecretariatActionView):
    form_class = sf.QuestionEscalateForm
    form_name = "escalate_form"

    def conclude(self, question: AnomalyQuestion, actor: Any, note: str) -> str:
        questionnaire.question_escalate(question=question, actor=actor, note=note)
        return _("The question and its anomaly are escalated to the Working Group on Statistics.")


# --- The public list of participants that have not reported -------------------------------------


def nonreporting_public(request: HttpRequest) -> HttpResponse:
    """PUBLIC (no login): participants that have not submitted a period whose due date has
    passed, for a year whose statistics have been published (default: the latest). A year
    without a release answers 404 naming the years that have one."""
    years = selectors.nonreporting_years()
    form = sf.YearForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "years": years}
    if form.is_bound and not form.is_valid():
        return render(request, TEMPLATES + "nonreporting_public.html", context, status=400)
    asked = form.cleaned_data.get("year") if form.is_bound else None
    year = asked or (years[0] if years else None)
    context["year"] = year
    if year is None:
        return render(request, TEMPLATES + "nonreporting_public.html", context)
    listing = selectors.nonreporting_list(year=year)
    if listing is None:
        context["problem"] = _(
            "The list for %(year)s is not public yet: it is published together with the "
            "year's statistics."
        ) % {"year": year}
        return render(request, TEMPLATES + "nonreporting_public.html", context, status=404)
    context["listing"] = listing
    return render(request, TEMPLATES + "nonreporting_public.html", context)
