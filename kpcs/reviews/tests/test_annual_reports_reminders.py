"""Deadline reminders of annual reports (the daily beat task): 30 and 7 days before 31 March
and once after it, to the participant's authority users in their language, the overdue one
copied to the secretariat; each sent once; only participants in good standing that should
report and have not submitted; a mail failure neither stops the run nor counts as sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from kpcs.accounts.models import Role
from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.models import StatusEvent
from kpcs.participants.tests.factories import ParticipantFactory, StatusEventFactory
from kpcs.reviews.models import AnnualReport, AnnualReportReminder
from kpcs.reviews.services.annual_reports import annual_report_reminders_send
from kpcs.reviews.tasks import annual_report_reminders_daily
from kpcs.reviews.tests.factories import AnnualReportFactory
from kpcs.reviews.tests.factories_annual import submitted_report

pytestmark = pytest.mark.django_db

YEAR = 2025
THIRTY_DAYS_BEFORE = dt.date(2026, 3, 1)
SEVEN_DAYS_BEFORE = dt.date(2026, 3, 24)
AFTER_THE_DEADLINE = dt.date(2026, 4, 1)


@pytest.fixture
def participant():
    return ParticipantFactory()


@pytest.fixture
def authority(participant):
    return UserFactory(role=Role.AUTHORITY, participant=participant, email="kp@example.org")


@pytest.fixture
def secretariat():
    return UserFactory(role=Role.SECRETARIAT, email="secretariat@example.org")


def sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_nothing_is_sent_long_before_the_deadline(authority):
    assert annual_report_reminders_send(dt.date(2026, 2, 1)) == 0
    assert mail.outbox == []


def test_thirty_days_before_the_authority_is_reminded_once(authority, participant):
    assert annual_report_reminders_send(THIRTY_DAYS_BEFORE) == 1
    assert sent_to() == ["kp@example.org"]
    assert "March 31, 2026" in mail.outbox[0].subject
    assert participant.name in mail.outbox[0].body
    assert "30 days" in mail.outbox[0].body
    # Running again (the next day too) sends nothing more.
    assert annual_report_reminders_send(THIRTY_DAYS_BEFORE) == 0
    assert annual_report_reminders_send(THIRTY_DAYS_BEFORE + dt.timedelta(days=1)) == 0
    assert AnnualReportReminder.objects.filter(
        participant=participant, year=YEAR, kind="before_30"
    ).exists()


def test_seven_days_before_a_second_reminder_goes(authority):
    annual_report_reminders_send(THIRTY_DAYS_BEFORE)
    assert annual_report_reminders_send(SEVEN_DAYS_BEFORE) == 1
    assert len(mail.outbox) == 2
    assert "7 days" in mail.outbox[1].body


def test_a_run_first_started_late_sends_only_the_nearest_reminder(authority):
    assert annual_report_reminders_send(dt.date(2026, 3, 28)) == 1
    assert set(AnnualReportReminder.objects.values_list("kind", flat=True)) == {"before_7"}


def test_after_the_deadline_one_overdue_reminder_with_a_copy_to_the_secretariat(
    authority, secretariat, participant
):
    assert annual_report_reminders_send(AFTER_THE_DEADLINE) == 2
    assert sent_to() == ["kp@example.org", "secretariat@example.org"]
    assert all("verdue" in message.subject for message in mail.outbox)
    assert annual_report_reminders_send(AFTER_THE_DEADLINE + dt.timedelta(days=30)) == 0


def test_a_draft_is_reminded_but_a_submitted_report_is_not(authority, participant):
    other = ParticipantFactory()
    UserFactory(role=Role.AUTHORITY, participant=other, email="other@example.org")
    AnnualReportFactory(participant=participant, year=YEAR, status=AnnualReport.Status.DRAFT)
    submitted_report(other, YEAR)
    assert annual_report_reminders_send(SEVEN_DAYS_BEFORE) == 1
    assert sent_to() == ["kp@example.org"]
    assert "draft" in mail.outbox[0].body


def test_a_suspended_participant_is_not_reminded(authority, participant):
    StatusEventFactory(
        participant=participant, date=dt.date(2024, 5, 1), event=StatusEvent.Event.SUSPENDED
    )
    assert annual_report_reminders_send(THIRTY_DAYS_BEFORE) == 0
    assert mail.outbox == []


def test_a_participant_admitted_after_the_year_is_not_reminded():
    newcomer = ParticipantFactory(admitted_on=dt.date(2026, 1, 15))
    UserFactory(role=Role.AUTHORITY, participant=newcomer, email="new@example.org")
    assert annual_report_reminders_send(THIRTY_DAYS_BEFORE) == 0


def test_users_without_an_address_and_other_roles_get_nothing(participant):
    UserFactory(role=Role.AUTHORITY, participant=participant, email="")
    UserFactory(role=Role.REVIEWER, participant=participant, email="rev@example.org")
    assert annual_report_reminders_send(THIRTY_DAYS_BEFORE) == 0
    # Nothing is recorded: an authority with an address added later is still reminded.
    assert not AnnualReportReminder.objects.exists()


def test_each_recipient_reads_the_reminder_in_their_language(participant):
    UserFactory(
        role=Role.AUTHORITY,
        participant=participant,
        email="fr@example.org",
        preferred_language="fr",
    )
    UserFactory(role=Role.AUTHORITY, participant=participant, email="en@example.org")
    assert annual_report_reminders_send(THIRTY_DAYS_BEFORE) == 2
    french = next(m for m in mail.outbox if m.to == ["fr@example.org"])
    english = next(m for m in mail.outbox if m.to == ["en@example.org"])
    assert "/fr/annual-reports/" in french.body
    assert "/en/annual-reports/" in english.body


def test_a_mail_failure_does_not_stop_the_run_nor_record_the_reminder(
    authority, participant, monkeypatch
):
    other = ParticipantFactory()
    UserFactory(role=Role.AUTHORITY, participant=other, email="other@example.org")
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send

    def flaky_send(self, *args, **kwargs):
        if self.to == ["kp@example.org"]:
            raise OSError("mail server down")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky_send)
    assert annual_report_reminders_send(THIRTY_DAYS_BEFORE) == 1
    assert sent_to() == ["other@example.org"]
    assert not AnnualReportReminder.objects.filter(participant=participant).exists()
    # The next day, with the server back, the failed one goes.
    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert annual_report_reminders_send(THIRTY_DAYS_BEFORE + dt.timedelta(days=1)) == 1


def test_the_daily_task_runs_the_service():
    # No participant at all: nothing to remind, whatever today is.
    assert annual_report_reminders_daily.delay().get() == 0
