"""The Data Anomaly Questionnaire: the secretariat asks a participant about an anomaly in its
figures, the participant's authority answers in the app, and the secretariat closes the
question (with a note) or escalates it. Every change is in the audit trail, the question's
and its anomaly's status alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kpcs.accounts.permissions import is_secretariat
from kpcs.common.audit import record_create, record_update, snapshot
from kpcs.statistics.models import Anomaly, AnomalyQuestion
from kpcs.statistics.services import WorkflowError

QuestionStatus = AnomalyQuestion.Status
# A question the secretariat has not yet closed or escalated.
STILL_OPEN = (QuestionStatus.OPEN, QuestionStatus.ANSWERED)


def _secretariat_only(actor: Any) -> None:
    if not is_secretariat(actor):
        raise WorkflowError(_("Only the secretariat may do this."))


def _set_anomaly_status(anomaly: Anomaly, status: str, actor: Any, reason: str = "") -> None:
    before = snapshot(anomaly)
    anomaly.status = status
    anomaly.save(update_fields=["status"])
    record_update(actor=actor, instance=anomaly, before=before, reason=reason)


@transaction.atomic
def question_ask(
    *, anomaly: Anomaly, actor: Any, question: str, due_date: dt.date | None = None
) -> AnomalyQuestion:
    """Ask the anomaly's participant about it; the anomaly becomes "question sent". One
    question per anomaly; the due date, when given, is today or later."""
    _secretariat_only(actor)
    anomaly = Anomaly.objects.select_for_update().get(pk=anomaly.pk)
    existing = AnomalyQuestion.objects.filter(anomaly=anomaly).first()
    if existing is not None:
        raise WorkflowError(
            _("A question about this anomaly was already sent on %(date)s.")
            % {"date": timezone.localdate(existing.asked_at).isoformat()}
        )
    if anomaly.status != Anomaly.Status.OPEN:
        raise WorkflowError(
            _("Only an open anomaly can be put to the participant; this one is %(status)s.")
            % {"status": anomaly.get_status_display()}
        )
    text = question.strip()
    if not text:
        raise WorkflowError(_("Write the question for the participant."))
    if due_date is not None and due_date < timezone.localdate():
        raise WorkflowError(_("The answer cannot be due in the past."))
    asked = AnomalyQuestion.objects.create(
        anomaly=anomaly,
        participant_id=anomaly.participant_id,
        question=text,
        asked_by=actor,
        due_date=due_date,
    )
    record_create(actor=actor, instance=asked)
    _set_anomaly_status(anomaly, Anomaly.Status.QUESTIONED, actor)
    return asked


def user_may_answer(*, user: Any, question: AnomalyQuestion) -> bool:
    """Only an authority of the participant asked answers (not even the secretariat)."""
    return bool(
        getattr(user, "is_authority", False) and user.participant_id == question.participant_id
    )


@transaction.atomic
def question_answer(*, question: AnomalyQuestion, actor: Any, answer: str) -> AnomalyQuestion:
    """The participant's answer. It may be amended until the secretariat closes or escalates
    the question; the trail keeps every version."""
    if not user_may_answer(user=actor, question=question):
        raise WorkflowError(_("Only the participant's authority may answer this question."))
    question = AnomalyQuestion.objects.select_for_update().get(pk=question.pk)
    if question.status not in STILL_OPEN:
        raise WorkflowError(
            _("This question is %(status)s: it can no longer be answered.")
            % {"status": question.get_status_display()}
        )
    text = answer.strip()
    if not text:
        raise WorkflowError(_("Write an answer: an empty answer says nothing."))
    before = snapshot(question)
    question.answer = text
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.status = QuestionStatus.ANSWERED
    question.save(update_fields=["answer", "answered_by", "answered_at", "status"])
    record_update(actor=actor, instance=question, before=before)
    return question


def _conclude(question: AnomalyQuestion, actor: Any, note: str, status: str) -> AnomalyQuestion:
    _secretariat_only(actor)
    question = (
        AnomalyQuestion.objects.select_for_update().select_related("anomaly").get(pk=question.pk)
    )
    if question.status not in STILL_OPEN:
        raise WorkflowError(
            _("This question is already %(status)s.") % {"status": question.get_status_display()}
        )
    text = note.strip()
    if not text:
        raise WorkflowError(_("Write a note saying why."))
    before = snapshot(question)
    question.status = status
    question.closing_note = text
    question.save(update_fields=["status", "closing_note"])
    record_update(actor=actor, instance=question, before=before, reason=text)
    anomaly_status = (
        Anomaly.Status.CLOSED if status == QuestionStatus.CLOSED else Anomaly.Status.ESCALATED
    )
    _set_anomaly_status(question.anomaly, anomaly_status, actor, reason=text)
    return question


@transaction.atomic
def question_close(*, question: AnomalyQuestion, actor: Any, note: str) -> AnomalyQuestion:
    """The secretariat is satisfied (with the answer, or otherwise): the question and its
    anomaly are closed, with a note saying why."""
    return _conclude(question, actor, note, QuestionStatus.CLOSED)


@transaction.atomic
def question_escalate(*, question: AnomalyQuestion, actor: Any, note: str) -> AnomalyQuestion:
    """The answer does not settle it, or none came: the question and its anomaly go to the
    Working Group on Statistics, with a note saying why."""
    return _conclude(question, actor, note, QuestionStatus.ESCALATED)
