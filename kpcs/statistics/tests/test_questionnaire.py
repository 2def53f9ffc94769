"""The Data Anomaly Questionnaire: the secretariat asks about an anomaly, the participant's
authority answers in the app, the secretariat closes or escalates; who may see and do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kpcs.accounts.tests.factories import UserFactory
from kpcs.common.audit import entries_for
from kpcs.participants.models import Participant
from kpcs.participants.tests.factories import ParticipantFactory
from kpcs.statistics.models import Anomaly, AnomalyQuestion
from kpcs.statistics.questionnaire import (
    question_answer,
    question_ask,
    question_close,
    question_escalate,
)
from kpcs.statistics.services import WorkflowError

pytestmark = [pytest.mark.django_db]

YEAR = 2024


def sec_url(name: str, *args: object) -> str:
    return reverse(f"statistics_secretariat:{name}", args=args)


def page(response) -> str:
    return response.content.decode()


def anomaly_for(participant: Participant, n: int = 0) -> Anomaly:
    return Anomaly.objects.create(
        year=YEAR,
        rule=Anomaly.Rule.MIRROR_DISCREPANCY,
        severity=Anomaly.Severity.MEDIUM,
        participant=participant,
        period="Q2",
        message=f"{participant.code} reported exports that its partner did not report.",
        figures={"export_carats": "20000.00"},
        fingerprint=f"mirror|{participant.code}|{n}",
        last_found_at=timezone.now(),
    )


@pytest.fixture
def botswana() -> Participant:
    return ParticipantFactory(country__alpha3="XBW", country__name="Botswana-like")


@pytest.fixture
def namibia() -> Participant:
    return ParticipantFactory(country__alpha3="XNA", country__name="Namibia-like")


@pytest.fixture
def secretariat():
    return UserFactory(role="secretariat", username="sec")


@pytest.fixture
def authority(botswana):
    return UserFactory(role="authority", participant=botswana, username="xbw-auth")


@pytest.fixture
def question(botswana, secretariat) -> AnomalyQuestion:
    return question_ask(
        anomaly=anomaly_for(botswana),
        actor=secretariat,
        question="Please explain the exports to your partner in Q2.",
        due_date=dt.date(2999, 1, 1),
    )


# --- The whole flow, through the pages --------------------------------------------------------


def test_ask_answer_close(client, botswana, secretariat, authority) -> None:
    anomaly = anomaly_for(botswana)
    client.force_login(secretariat)

    asked = client.post(
        sec_url("question-ask", anomaly.pk),
        {"question": "Why do the Q2 exports differ?", "due_date": "2999-03-31"},
    )

    assert asked.status_code == 302
    question = AnomalyQuestion.objects.get()
    anomaly.refresh_from_db()
    assert anomaly.status == Anomaly.Status.QUESTIONED
    assert (question.participant, question.asked_by) == (botswana, secretariat)
    assert question.due_date == dt.date(2999, 3, 31)

    client.force_login(authority)
    listed = page(client.get(reverse("questionnaire:list")))
    assert reverse("questionnaire:question", args=[question.pk]) in listed.split('id="awaiting"')[1]
    shown = page(client.get(reverse("questionnaire:question", args=[question.pk])))
    assert "Why do the Q2 exports differ?" in shown
    answered = client.post(
        reverse("questionnaire:question", args=[question.pk]),
        {"answer": "Goods in transit: they arrived in Q3."},
    )
    assert answered.status_code == 302
    question.refresh_from_db()
    assert question.status == AnomalyQuestion.Status.ANSWERED
    assert question.answered_by == authority

    client.force_login(secretariat)
    detail = page(client.get(sec_url("question", question.pk)))
    assert "Goods in transit: they arrived in Q3." in detail
    closed = client.post(sec_url("question-close", question.pk), {"note": "Explained by transit."})

    assert closed.status_code == 302
    question.refresh_from_db()
    anomaly.refresh_from_db()
    assert question.status == AnomalyQuestion.Status.CLOSED
    assert question.closing_note == "Explained by transit."
    assert anomaly.status == Anomaly.Status.CLOSED
    # Asked, answered, closed; the anomaly questioned then closed: all in the trail.
    question_trail = [entry.action for entry in entries_for(question).order_by("timestamp", "id")]
    anomaly_trail = [
        entry.changes["status"] for entry in entries_for(anomaly).order_by("timestamp", "id")
    ]
    assert question_trail == ["create", "update", "update"]
    assert anomaly_trail == [["open", "questioned"], ["questioned", "closed"]]


def test_ask_and_escalate_an_unanswered_question(client, question, secretariat) -> None:
    client.force_login(secretariat)

    response = client.post(
        sec_url("question-escalate", question.pk), {"note": "No answer after two reminders."}
    )

    assert response.status_code == 302
    question.refresh_from_db()
    question.anomaly.refresh_from_db()
    assert question.status == AnomalyQuestion.Status.ESCALATED
    assert question.anomaly.status == Anomaly.Status.ESCALATED
    html = page(client.get(sec_url("question", question.pk)))
    assert "No answer after two reminders." in html
    assert "Close the question" not in html


def test_closing_or_escalating_needs_a_note(client, question, secretariat) -> None:
    client.force_login(secretariat)

    closed = client.post(sec_url("question-close", question.pk), {"note": ""})
    escalated = client.post(sec_url("question-escalate", question.pk), {"note": " "})

    assert closed.status_code == escalated.status_code == 400
    question.refresh_from_db()
    assert question.status == AnomalyQuestion.Status.OPEN


def test_a_concluded_question_cannot_be_concluded_again(client, question, secretariat) -> None:
    question_close(question=question, actor=secretariat, note="Fine.")
    client.force_login(secretariat)

    response = client.post(sec_url("question-escalate", question.pk), {"note": "After all…"})

    assert response.status_code == 400
    assert "This question is already closed." in page(response)


def test_asking_needs_a_question_and_a_due_date_not_in_the_past(client, secretariat, botswana):
    anomaly = anomaly_for(botswana)
    client.force_login(secretariat)

    empty = client.post(sec_url("question-ask", anomaly.pk), {"question": ""})
    past = client.post(
        sec_url("question-ask", anomaly.pk), {"question": "Why?", "due_date": "2020-01-01"}
    )

    assert empty.status_code == past.status_code == 400
    assert "The answer cannot be due in the past." in page(past)
    assert not AnomalyQuestion.objects.exists()
    anomaly.refresh_from_db()
    assert anomaly.status == Anomaly.Status.OPEN


# --- The services' rules -----------------------------------------------------------------------


def test_one_question_per_anomaly(question, secretariat) -> None:
    with pytest.raises(WorkflowError, match="already sent"):
        question_ask(anomaly=question.anomaly, actor=secretariat, question="Again?")


def test_only_the_secretariat_asks_closes_and_escalates(question, authority, botswana) -> None:
    with pytest.raises(WorkflowError, match="Only the secretariat"):
        question_ask(anomaly=anomaly_for(botswana, n=1), actor=authority, question="Why?")
    with pytest.raises(WorkflowError, match="Only the secretariat"):
        question_close(question=question, actor=authority, note="Done.")
    with pytest.raises(WorkflowError, match="Only the secretariat"):
        question_escalate(question=question, actor=authority, note="Done.")


def test_only_the_participants_authority_answers(question, secretariat, namibia) -> None:
    other = UserFactory(role="authority", participant=namibia)

    for actor in (secretariat, other):
        with pytest.raises(WorkflowError, match="Only the participant's authority"):
            question_answer(question=question, actor=actor, answer="An answer.")


def test_an_answer_may_be_amended_until_the_question_is_closed(
    question, authority, secretariat
) -> None:
    question_answer(question=question, actor=authority, answer="First answer.")
    question_answer(question=question, actor=authority, answer="Better answer.")
    question_close(question=question, actor=secretariat, note="Thanks.")

    with pytest.raises(WorkflowError, match="can no longer be answered"):
        question_answer(question=question, actor=authority, answer="Late addition.")
    question.refresh_from_db()
    assert question.answer == "Better answer."


# --- Who may see and do what on the participant's pages ------------------------------------------


def test_participant_sees_its_open_and_its_concluded_questions_only(
    client, question, authority, secretariat, namibia
) -> None:
    concluded = question_ask(
        anomaly=anomaly_for(question.participant, n=1), actor=secretariat, question="Earlier."
    )
    question_close(question=concluded, actor=secretariat, note="Done.")
    others = question_ask(anomaly=anomaly_for(namibia), actor=secretariat, question="Namibia?")
    client.force_login(authority)

    html = page(client.get(reverse("questionnaire:list")))

    awaiting, answered = html.split('id="awaiting"')[1].split('id="answered"')
    assert reverse("questionnaire:question", args=[question.pk]) in awaiting
    assert reverse("questionnaire:question", args=[concluded.pk]) in answered
    assert reverse("questionnaire:question", args=[others.pk]) not in html


def test_another_participants_question_is_not_found(client, question, namibia) -> None:
    client.force_login(UserFactory(role="authority", participant=namibia))
    address = reverse("questionnaire:question", args=[question.pk])

    shown = client.get(address)
    answered = client.post(address, {"answer": "Not mine to answer."})

    assert shown.status_code == answered.status_code == 404
    question.refresh_from_db()
    assert question.answer == ""


def test_the_secretariat_may_read_the_participants_pages_but_not_answer(
    client, question, secretariat
) -> None:
    client.force_login(secretariat)
    address = reverse("questionnaire:question", args=[question.pk])

    listed = client.get(reverse("questionnaire:list"))
    shown = client.get(address)
    answered = client.post(address, {"answer": "Answering for them."})

    assert listed.status_code == shown.status_code == 200
    assert "Please explain the exports" in page(shown)
    assert "Send the answer" not in page(shown)
    assert answered.status_code == 403
    question.refresh_from_db()
    assert question.answer == ""


@pytest.mark.parametrize("role", ["reviewer", "observer"])
def test_other_roles_are_refused_the_questionnaire(client, question, role) -> None:
    client.force_login(UserFactory(role=role))
    address = reverse("questionnaire:question", args=[question.pk])

    assert client.get(reverse("questionnaire:list")).status_code == 403
    assert client.get(address).status_code == 403
    assert client.post(address, {"answer": "x"}).status_code == 403


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_log_in(client, question, method) -> None:
    for address in (
        reverse("questionnaire:list"),
        reverse("questionnaire:question", args=[question.pk]),
    ):
        response = getattr(client, method)(address)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_participant_cannot_close_or_escalate_its_question(client, question, authority) -> None:
    client.force_login(authority)

    closed = client.post(sec_url("question-close", question.pk), {"note": "Settled."})
    escalated = client.post(sec_url("question-escalate", question.pk), {"note": "x"})

    assert closed.status_code == escalated.status_code == 403
    question.refresh_from_db()
    assert question.status == AnomalyQuestion.Status.OPEN


def test_an_empty_answer_is_refused_on_the_page(client, question, authority) -> None:
    client.force_login(authority)

    response = client.post(reverse("questionnaire:question", args=[question.pk]), {"answer": "   "})

    assert response.status_code == 400
    assert "Write an answer" in page(response)
    question.refresh_from_db()
    assert question.status == AnomalyQuestion.Status.OPEN


def test_a_closed_question_shows_the_answer_without_a_form(
    client, question, authority, secretariat
) -> None:
    question_answer(question=question, actor=authority, answer="Transit.")
    question_close(question=question, actor=secretariat, note="Internal: fine.")
    client.force_login(authority)

    html = page(client.get(reverse("questionnaire:question", args=[question.pk])))

    assert "Transit." in html
    assert "Send the answer" not in html
    assert "Internal: fine." not in html  # the secretariat's note is its own
