"""Pages of a visit's recommendations: the list (each with its history of responses and
assessments), one recommendation, and the forms to write, edit, respond to and assess one.

A visit the user may not see answers 404 at every address below it (the public sees a
published visit's recommendations). An action the user's role does not allow answers 403;
one the recommendation's state does not allow (implemented, already answered) sends the user
back to it with the reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kpcs.accounts.permissions import is_secretariat
from kpcs.reviews import recommendation_forms as rf
from kpcs.reviews.models import Recommendation, ReviewVisit
from kpcs.reviews.selectors import recommendations as selectors
from kpcs.reviews.selectors.access import (
    can_see_working_papers,
    is_reviewed_participant,
    visit_visible_to,
)
from kpcs.reviews.services import recommendations as services

TEMPLATES = "reviews/recommendations/"


def url_or_empty(name: str, **kwargs: Any) -> str:
    """A link to another part of peer review, or "" while that part is not there."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def visit_breadcrumbs(visit: ReviewVisit, *trail: tuple[Any, str]) -> list[tuple[Any, str]]:
    return [
        (gettext_lazy("Review visits"), url_or_empty("reviews:list")),
        (str(visit), url_or_empty("reviews:detail", visit_id=visit.pk)),
        (
            gettext_lazy("Recommendations"),
            reverse("recommendations:list", kwargs={"visit_id": visit.pk}) if trail else "",
        ),
        *trail,
    ]


def place_errors(form: BaseForm, exc: ValidationError) -> None:
    """Put a service's messages at the fields they name (or above the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class VisitView(View):
    """Resolves the visit for the user (404 if they may not see it) before anything else."""

    visit: ReviewVisit

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        visit = visit_visible_to(request.user, kwargs["visit_id"])
        if visit is None:
            raise Http404(
                _("There is no review visit number %(id)s for you.") % {"id": kwargs["visit_id"]}
            )
        self.visit = visit
        return super().dispatch(request, *args, **kwargs)

    def recommendation_or_404(self, number: int) -> Recommendation:
        recommendation = selectors.recommendation_get(visit=self.visit, number=number)
        if recommendation is None:
            raise Http404(_("The visit has no recommendation %(number)s.") % {"number": number})
        return recommendation

    def back_to(self, recommendation: Recommendation) -> HttpResponse:
        return redirect(
            "recommendations:detail", visit_id=self.visit.pk, number=recommendation.number
        )

    def refuse(self, refusal: selectors.Refusal | None, to: Any = None) -> HttpResponse | None:
        """Anonymous visitors log in; a role that may not → 403; a state that does not allow it
        → back to the recommendation (or the list) with the reason."""
        if refusal is None:
            return None
        if not self.request.user.is_authenticated:
            return redirect_to_login(self.request.get_full_path())
        if refusal.forbidden:
            raise PermissionDenied(refusal.message)
        messages.error(self.request, refusal.message)
        if to is not None:
            return self.back_to(to)
        return redirect("recommendations:list", visit_id=self.visit.pk)


def _page_context(request: HttpRequest, visit: ReviewVisit) -> dict[str, Any]:
    """What the user may do on the visit's recommendations, for the buttons (the services
    decide again on submission)."""
    user = request.user
    return {
        "visit": visit,
        "history_visible": can_see_working_papers(user, visit),
        "may_create": selectors.why_not_create(user, visit) is None,
        "may_respond": is_reviewed_participant(user, visit)
        and visit.status in selectors.FOLLOW_UP_STATUSES,
        "may_assess": is_secretariat(user) and visit.status in selectors.FOLLOW_UP_STATUSES,
        "visit_url": url_or_empty("reviews:detail", visit_id=visit.pk),
    }


class RecommendationListView(VisitView):
    def get(self, request: HttpRequest, visit_id: int) -> HttpResponse:
        context = _page_context(request, self.visit)
        context["recommendations"] = selectors.recommendation_list(
            visit=self.visit, with_history=context["history_visible"]
        )
        context["breadcrumbs"] = visit_breadcrumbs(self.visit)
        return render(request, TEMPLATES + "list.html", context)


class RecommendationDetailView(VisitView):
    def get(self, request: HttpRequest, visit_id: int, number: int) -> HttpResponse:
        recommendation = self.recommendation_or_404(number)
        context = _page_context(request, self.visit)
        context["recommendation"] = recommendation
        context["breadcrumbs"] = visit_breadcrumbs(
            self.visit, (_("Recommendation %(number)s") % {"number": number}, "")
        )
        return render(request, TEMPLATES + "detail.html", context)


class RecommendationFormView(VisitView):
    """GET shows the form, POST calls the service; 400 with the messages at their fields."""

    template = TEMPLATES + "form.html"
    title: Any = ""

    def page(
        self,
        form: BaseForm,
        *,
        recommendation: Recommendation | None = None,
        status: int = 200,
    ) -> HttpResponse:
        title = (
            self.title if recommendation is None else self.title % {"number": recommendation.number}
        )
        context = {
            "visit": self.visit,
            "form": form,
            "recommendation": recommendation,
            "title": title,
            "breadcrumbs": visit_breadcrumbs(self.visit, (title, "")),
        }
        return render(self.request, self.template, context, status=status)


class RecommendationCreateView(RecommendationFormView):
    title = gettext_lazy("Write a recommendation")

    def get(self, request: HttpRequest, visit_id: int) -> HttpResponse:
        if refused := self.refuse(selectors.why_not_create(request.user, self.visit)):
            return refused
        return self.page(rf.RecommendationForm(visit=self.visit))

    def post(self, request: HttpRequest, visit_id: int) -> HttpResponse:
        if refused := self.refuse(selectors.why_not_create(request.user, self.visit)):
            return refused
        form = rf.RecommendationForm(request.POST, visit=self.visit)
        if not form.is_valid():
            return self.page(form, status=400)
        try:
            recommendation = services.recommendation_create(
                actor=request.user, visit=self.visit, **form.cleaned_data
            )
        except ValidationError as exc:
            place_errors(form, exc)
            return self.page(form, status=400)
        messages.success(
            request,
            _("Recommendation %(number)s is recorded.") % {"number": recommendation.number},
        )
        return redirect("recommendations:list", visit_id=self.visit.pk)


class RecommendationEditView(RecommendationFormView):
    title = gettext_lazy("Change recommendation %(number)s")

    def get(self, request: HttpRequest, visit_id: int, number: int) -> HttpResponse:
        recommendation = self.recommendation_or_404(number)
        if refused := self.refuse(
            selectors.why_not_edit(request.user, recommendation), recommendation
        ):
            return refused
        initial = {name: getattr(recommendation, name) for name in services.FIELDS}
        form = rf.RecommendationForm(initial=initial, visit=self.visit)
        return self.page(form, recommendation=recommendation)

    def post(self, request: HttpRequest, visit_id: int, number: int) -> HttpResponse:
        recommendation = self.recommendation_or_404(number)
        if refused := self.refuse(
            selectors.why_not_edit(request.user, recommendation), recommendation
        ):
            return refused
        form = rf.RecommendationForm(request.POST, visit=self.visit)
        if not form.is_valid():
            return self.page(form, recommendation=recommendation, status=400)
        try:
            services.recommendation_edit(
                actor=request.user, recommendation=recommendation, changes=form.cleaned_data
            )
        except ValidationError as exc:
            place_errors(form, exc)
            return self.page(form, recommendation=recommendation, status=400)
        messages.success(
            request,
            _("Recommendation %(number)s is changed.") % {"number": recommendation.number},
        )
        return self.back_to(recommendation)


class RecommendationRespondView(RecommendationFormView):
    title = gettext_lazy("Respond to recommendation %(number)s")
    template = TEMPLATES + "respond.html"

    def get(self, request: HttpRequest, visit_id: int, number: int) -> HttpResponse:
        recommendation = self.recommendation_or_404(number)
        if refused := self.refuse(
            selectors.why_not_respond(request.user, recommendation), recommendation
        ):
            return refused
        return self.page(rf.ResponseForm(), recommendation=recommendation)

    def post(self, request: HttpRequest, visit_id: int, number: int) -> HttpResponse:
        recommendation = self.recommendation_or_404(number)
        if refused := self.refuse(
            selectors.why_not_respond(request.user, recommendation), recommendation
        ):
            return refused
        form = rf.ResponseForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form, recommendation=recommendation, status=400)
        try:
            services.recommendation_respond(
                actor=request.user,
                recommendation=recommendation,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["evidence"],
            )
        except ValidationError as exc:
            place_errors(form, exc)
            return self.page(form, recommendation=recommendation, status=400)
        messages.success(
            request,
            _(
                "Your response to recommendation %(number)s is recorded; the secretariat will "
                "assess it."
            )
            % {"number": recommendation.number},
        )
        return self.back_to(recommendation)


class RecommendationAssessView(RecommendationFormView):
    title = gettext_lazy("Assess recommendation %(number)s")
    template = TEMPLATES + "assess.html"

    def get(self, request: HttpRequest, visit_id: int, number: int) -> HttpResponse:
        recommendation = self.recommendation_or_404(number)
        if refused := self.refuse(
            selectors.why_not_assess(request.user, recommendation), recommendation
        ):
            return refused
        return self.page(rf.AssessmentForm(), recommendation=recommendation)

    def post(self, request: HttpRequest, visit_id: int, number: int) -> HttpResponse:
        recommendation = self.recommendation_or_404(number)
        if refused := self.refuse(
            selectors.why_not_assess(request.user, recommendation), recommendation
        ):
            return refused
        form = rf.AssessmentForm(request.POST)
        if not form.is_valid():
            return self.page(form, recommendation=recommendation, status=400)
        try:
            update = services.recommendation_assess(
                actor=request.user, recommendation=recommendation, **form.cleaned_data
            )
        except ValidationError as exc:
            place_errors(form, exc)
            return self.page(form, recommendation=recommendation, status=400)
        messages.success(
            request,
            _("Recommendation %(number)s is assessed: %(assessment)s.")
            % {"number": recommendation.number, "assessment": update.get_assessment_display()},
        )
        return self.back_to(recommendation)
