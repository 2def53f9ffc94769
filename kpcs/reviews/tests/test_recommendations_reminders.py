"""Reminders of recommendations (Celery beat, daily): once before a recommendation falls due
(within REVIEW_RECOMMENDATION_REMINDER_DAYS) and once when it is overdue, to the reviewed
participant's authorities and the secretariat, each in their own language; again when the due
date moves; never for an implemented one; a mail server that fails records nothing."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from kpcs.accounts.tests.factories import UserFactory
from kpcs.reviews.models import Recommendation, RecommendationReminder, ReviewVisit
from kpcs.reviews.services.recommendations import recommendation_reminders_send
from kpcs.reviews.tasks import recommendation_reminders_daily
from kpcs.reviews.tests.factories_followup import recommendation, visit_world

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)
Kind = RecommendationReminder.Kind


@pytest.fixture(autouse=True)
def window(settings):
    settings.REVIEW_RECOMMENDATION_REMINDER_DAYS = 30
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def world():
    return visit_world()


@pytest.fixture
def secretariat():
    return UserFactory(role="secretariat", email="sec@example.org")


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_due_soon_reminder_goes_to_the_authority_and_the_secretariat(world, secretariat):
    rec = recommendation(world.visit, due_on=TODAY + dt.timedelta(days=30))
    assert recommendation_reminders_send(TODAY) == 1
    assert _recipients() == sorted([world.authority.email, secretariat.email])
    message = mail.outbox[0]
    assert f"R{rec.number}" in message.subject and "falls due" in message.subject
    assert rec.text in message.body
    assert f"/recommendations/{rec.number}/" in message.body
    assert RecommendationReminder.objects.filter(
        recommendation=rec, kind=Kind.DUE_SOON, due_on=rec.due_on
    ).exists()


def test_nothing_is_sent_before_the_window(world, secretariat):
    recommendation(world.visit, due_on=TODAY + dt.timedelta(days=31))
    assert recommendation_reminders_send(TODAY) == 0
    assert mail.outbox == []


def test_due_today_is_still_a_reminder_before_it_falls_due(world, secretariat):
    recommendation(world.visit, due_on=TODAY)
    recommendation_reminders_send(TODAY)
    assert RecommendationReminder.objects.get().kind == Kind.DUE_SOON


def test_each_reminder_is_sent_once(world, secretariat):
    recommendation(world.visit, due_on=TODAY + dt.timedelta(days=10))
    assert recommendation_reminders_send(TODAY) == 1
    sent = len(mail.outbox)
    assert recommendation_reminders_send(TODAY) == 0
    assert recommendation_reminders_send(TODAY + dt.timedelta(days=5)) == 0
    assert len(mail.outbox) == sent


def test_overdue_reminder_once_after_the_due_date(world, secretariat):
    rec = recommendation(world.visit, due_on=TODAY + dt.timedelta(days=10))
    recommendation_reminders_send(TODAY)
    mail.outbox.clear()
    assert recommendation_reminders_send(rec.due_on) == 0  # the due day: not overdue yet
    assert recommendation_reminders_send(rec.due_on + dt.timedelta(days=1)) == 1
    assert "overdue" in mail.outbox[0].subject
    assert recommendation_reminders_send(rec.due_on + dt.timedelta(days=2)) == 0
    kinds = sorted(RecommendationReminder.objects.values_list("kind", flat=True))
    assert kinds == [Kind.DUE_SOON, Kind.OVERDUE]


def test_moved_due_date_is_reminded_again(world, secretariat):
    rec = recommendation(world.visit, due_on=TODAY + dt.timedelta(days=5))
    assert recommendation_reminders_send(TODAY) == 1
    rec.due_on = TODAY + dt.timedelta(days=20)
    rec.save()
    assert recommendation_reminders_send(TODAY) == 1
    assert RecommendationReminder.objects.filter(recommendation=rec).count() == 2


def test_implemented_recommendations_are_not_reminded(world, secretariat):
    recommendation(
        world.visit, due_on=TODAY + dt.timedelta(days=5), status=Recommendation.Status.IMPLEMENTED
    )
    recommendation(
        world.visit, due_on=TODAY - dt.timedelta(days=5), status=Recommendation.Status.IMPLEMENTED
    )
    assert recommendation_reminders_send(TODAY) == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    "status",
    [
        Recommendation.Status.ANSWERED,
        Recommendation.Status.PARTLY_IMPLEMENTED,
        Recommendation.Status.NOT_IMPLEMENTED,
    ],
)
def test_open_statuses_are_reminded(world, secretariat, status):
    recommendation(world.visit, due_on=TODAY - dt.timedelta(days=1), status=status)
    assert recommendation_reminders_send(TODAY) == 1


def test_other_participants_and_roles_are_not_mailed(world, secretariat):
    recommendation(world.visit, due_on=TODAY + dt.timedelta(days=5))
    other = visit_world()  # another participant's authority, reviewers of the other team
    UserFactory(role="secretariat", email="")  # no address
    UserFactory(role="secretariat", email="gone@example.org", is_active=False)
    recommendation_reminders_send(TODAY)
    recipients = _recipients()
    assert other.authority.email not in recipients
    assert world.lead.email not in recipients and world.member.email not in recipients
    assert "gone@example.org" not in recipients
    assert recipients == sorted([world.authority.email, secretariat.email])


def test_each_recipient_reads_the_reminder_in_their_language(world, secretariat):
    world.authority.preferred_language = "fr"
    world.authority.save()
    secretariat.preferred_language = "xx"  # unknown: English
    secretariat.save()
    recommendation(world.visit, due_on=dt.date(2026, 12, 1))
    recommendation_reminders_send(TODAY)
    by_recipient = {message.to[0]: message for message in mail.outbox}
    french = by_recipient[world.authority.email]
    english = by_recipient[secretariat.email]
    assert "/fr/reviews/visits/" in french.body
    assert "/en/reviews/visits/" in english.body
    assert "1 décembre 2026" in french.subject or "1 déc" in french.subject
    assert "Dec" in english.subject


def test_mail_failure_does_not_crash_and_records_nothing(world, secretariat, monkeypatch, caplog):
    recommendation(world.visit, due_on=TODAY + dt.timedelta(days=5))

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    assert recommendation_reminders_send(TODAY) == 0
    assert not RecommendationReminder.objects.exists()
    assert "could not send" in caplog.text
    monkeypatch.undo()
    assert recommendation_reminders_send(TODAY) == 1  # the next run sends it


def test_one_failure_does_not_stop_the_others(world, secretariat, monkeypatch):
    first = recommendation(world.visit, due_on=TODAY + dt.timedelta(days=3))
    second = recommendation(world.visit, due_on=TODAY + dt.timedelta(days=4))
    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages

    def fail_for_first(self, messages):
        if f"R{first.number} " in messages[0].subject:
            raise OSError("connection refused")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", fail_for_first)
    assert recommendation_reminders_send(TODAY) == 1
    assert list(RecommendationReminder.objects.values_list("recommendation", flat=True)) == [
        second.pk
    ]


def test_recommendations_of_a_visit_without_draft_report_are_not_reminded(secretariat):
    world = visit_world(status=ReviewVisit.Status.VISIT_DONE)
    recommendation(world.visit, due_on=TODAY + dt.timedelta(days=5))
    assert recommendation_reminders_send(TODAY) == 0


def test_the_daily_task_runs_the_service(world, secretariat):
    recommendation(world.visit, due_on=timezone.localdate() + dt.timedelta(days=3))
    assert recommendation_reminders_daily.delay().get() == 1
