"""The participant's side of the Data Anomaly Questionnaire: a participant authority reads the
secretariat's questions about its figures and answers them in the app. The secretariat may
read these pages too (it closes or escalates questions on its own pages); nobody else may.
Another participant's question is a 404, never a leak."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kpcs.accounts.permissions import is_secretariat
from kpcs.participants.views import paginate
from kpcs.statistics import questionnaire
from kpcs.statistics.models import AnomalyQuestion
from kpcs.statistics.selectors import analysis as selectors
from kpcs.statistics.services import WorkflowError

TEMPLATES = "statistics/questionnaire/"
PAGE_SIZE = 50


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Your answer"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8, "dir": "auto"}),
        help_text=gettext_lazy(
            "Explain the figures: a correction you will make, goods in transit, a change in "
            "valuation… The secretariat reads it and closes the question or takes it further."
        ),
        error_messages={"required": gettext_lazy("Write an answer: an empty answer says nothing.")},
    )


class QuestionnaireAccessMixin(AccessMixin):
    """Anonymous visitors go to the log-in page; roles other than a participant authority
    and the secretariat get 403."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return self.handle_no_permission()
        if not (is_secretariat(user) or getattr(user, "is_authority", False)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def _crumb() -> tuple[Any, str]:
    return (gettext_lazy("Data Anomaly Questionnaire"), reverse("questionnaire:list"))


class QuestionListView(QuestionnaireAccessMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        questions = selectors.question_list(user=request.user)
        context = {
            "awaiting": list(questions.filter(status=AnomalyQuestion.Status.OPEN)),
            "page": paginate(
                request,
                questions.exclude(status=AnomalyQuestion.Status.OPEN),
                per_page=PAGE_SIZE,
            ),
            "breadcrumbs": [(gettext_lazy("Data Anomaly Questionnaire"), "")],
        }
        return render(request, TEMPLATES + "list.html", context)


class QuestionDetailView(QuestionnaireAccessMixin, View):
    def _question(self, request: HttpRequest, pk: int) -> AnomalyQuestion:
        question = selectors.question_get_visible_to(user=request.user, question_id=pk)
        if question is None:
            raise Http404(_("There is no question number %(id)s for you.") % {"id": pk})
        return question

    def _render(
        self, request: HttpRequest, question: AnomalyQuestion, form: AnswerForm | None, status: int
    ) -> HttpResponse:
        may_answer = questionnaire.user_may_answer(user=request.user, question=question) and (
            question.status in questionnaire.STILL_OPEN
        )
        context = {
            "question": question,
            "may_answer": may_answer,
            "form": form or AnswerForm(initial={"answer": question.answer}),
            "breadcrumbs": [_crumb(), (_("Question %(id)s") % {"id": question.pk}, "")],
        }
        return render(request, TEMPLATES + "detail.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._question(request, pk), None, 200)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        question = self._question(request, pk)
        if not questionnaire.user_may_answer(user=request.user, question=question):
            raise PermissionDenied
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                questionnaire.question_answer(
                    question=question, actor=request.user, answer=form.cleaned_data["answer"]
                )
            except WorkflowError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Thank you: your answer was sent to the secretariat."))
                return redirect("questionnaire:question", pk=question.pk)
        return self._render(request, question, form, 400)
