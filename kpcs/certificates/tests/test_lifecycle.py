"""Following each certificate: issued → confirmed, issued → expired unconfirmed (with alerts
and e-mails), issued or expired → void; confirmed and void certificates stay as they are."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from kpcs.accounts.tests.factories import UserFactory
from kpcs.certificates import services
from kpcs.certificates.models import Certificate, CertificateAlert, VoidNotice
from kpcs.certificates.tasks import certificates_expire_daily
from kpcs.certificates.tests.factories import (
    CertificateFactory,
    ImportConfirmationFactory,
    confirmation_row,
)
from kpcs.certificates.validation import CertificateValidationError
from kpcs.common.audit import entries_for
from kpcs.participants.tests.factories import AuthorityContactFactory, AuthorityFactory

pytestmark = pytest.mark.django_db

# CertificateFactory: issued 2023-03-01, expires 2023-04-30.
EXPIRY = dt.date(2023, 4, 30)


def grace_passed(settings: Any) -> dt.date:
    return EXPIRY + dt.timedelta(days=settings.CERTIFICATE_CONFIRMATION_GRACE_DAYS + 1)


# --- Confirmed ----------------------------------------------------------------------------------


def test_an_issued_certificate_becomes_confirmed() -> None:
    certificate = CertificateFactory()
    services.confirmations_import(rows=[confirmation_row(certificate)], actor=None)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.CONFIRMED
    assert certificate.status_changed_at is not None


def test_a_late_confirmation_confirms_an_expired_certificate() -> None:
    certificate = CertificateFactory(status=Certificate.Status.EXPIRED)
    services.confirmations_import(rows=[confirmation_row(certificate)], actor=None)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.CONFIRMED


# --- Expired unconfirmed -----------------------------------------------------------------------


def test_an_unconfirmed_certificate_expires_after_its_grace_days_with_an_alert(
    settings: Any,
) -> None:
    certificate = CertificateFactory()
    last_day = EXPIRY + dt.timedelta(days=settings.CERTIFICATE_CONFIRMATION_GRACE_DAYS)
    assert services.certificates_expire(today=last_day) == 0
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED

    assert services.certificates_expire(today=grace_passed(settings)) == 1
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.EXPIRED
    assert certificate.status_changed_at is not None
    alert = CertificateAlert.objects.get(certificate=certificate)
    assert alert.kind == CertificateAlert.Kind.EXPIRED_UNCONFIRMED
    assert certificate.number in alert.message
    assert "2023-04-30" in alert.message
    assert f"{settings.CERTIFICATE_CONFIRMATION_GRACE_DAYS} days" in alert.message


def test_expiry_runs_are_idempotent(settings: Any) -> None:
    CertificateFactory()
    assert services.certificates_expire(today=grace_passed(settings)) == 1
    assert services.certificates_expire(today=grace_passed(settings)) == 0
    assert CertificateAlert.objects.count() == 1


def test_confirmed_and_void_certificates_do_not_expire(settings: Any) -> None:
    confirmed = ImportConfirmationFactory().certificate
    void = CertificateFactory(status=Certificate.Status.VOID)
    assert services.certificates_expire(today=grace_passed(settings)) == 0
    confirmed.refresh_from_db()
    void.refresh_from_db()
    assert (confirmed.status, void.status) == ("confirmed", "void")
    assert not CertificateAlert.objects.exists()


def test_expiry_emails_both_authorities_and_the_secretariat_once_per_run(
    settings: Any, secretariat_user: Any
) -> None:
    first = CertificateFactory()
    second = CertificateFactory(
        issuing_participant=first.issuing_participant,
        destination_participant=first.destination_participant,
    )
    exporter_contact = AuthorityContactFactory(
        authority=AuthorityFactory(participant=first.issuing_participant)
    )
    importer_user = UserFactory(role="authority", participant=first.destination_participant)
    assert services.certificates_expire(today=grace_passed(settings)) == 2
    recipients = sorted(tuple(m.to) for m in mail.outbox)
    assert recipients == sorted(
        [(exporter_contact.email,), (importer_user.email,), (secretariat_user.email,)]
    )
    for message in mail.outbox:
        assert first.number in message.body and second.number in message.body
        assert message.from_email == settings.DEFAULT_FROM_EMAIL


def test_a_failing_mail_server_does_not_undo_the_expiry(
    settings: Any, secretariat_user: Any, monkeypatch: Any
) -> None:
    certificate = CertificateFactory()

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(services, "send_mail", refuse)
    assert services.certificates_expire(today=grace_passed(settings)) == 1
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.EXPIRED


def test_the_daily_task_expires_what_is_due(settings: Any) -> None:
    CertificateFactory(date_issued=dt.date(2020, 1, 1), date_expiry=dt.date(2020, 3, 1))
    assert certificates_expire_daily() == 1
    assert "kpcs.certificates.tasks.certificates_expire_daily" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


# --- Void --------------------------------------------------------------------------------------


def test_the_issuing_authority_voids_an_issued_certificate() -> None:
    certificate = CertificateFactory()
    user = UserFactory(role="authority", participant=certificate.issuing_participant)
    notice = services.certificate_void(
        actor=user, certificate=certificate, reason="stolen", note=" Taken at the airport. "
    )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VOID
    assert certificate.status_changed_at is not None
    assert (notice.reason, notice.note, notice.declared_by) == (
        "stolen",
        "Taken at the airport.",
        user,
    )
    assert entries_for(notice).count() == 1
    assert entries_for(certificate).get().changes["status"] == ["issued", "void"]


def test_an_expired_certificate_can_be_voided(secretariat_user: Any) -> None:
    certificate = CertificateFactory(status=Certificate.Status.EXPIRED)
    services.certificate_void(actor=secretariat_user, certificate=certificate, reason="lost")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VOID


def test_a_confirmed_certificate_is_voided_only_by_the_secretariat(secretariat_user: Any) -> None:
    certificate = ImportConfirmationFactory().certificate
    issuer = UserFactory(role="authority", participant=certificate.issuing_participant)
    with pytest.raises(CertificateValidationError) as caught:
        services.certificate_void(actor=issuer, certificate=certificate, reason="cancelled")
    assert caught.value.findings[0].code == "confirmed_not_voidable"
    assert "secretariat" in caught.value.findings[0].message
    services.certificate_void(
        actor=secretariat_user, certificate=certificate, reason="cancelled", note="Forged."
    )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VOID


def test_a_void_certificate_is_not_voided_again_nor_confirmed(secretariat_user: Any) -> None:
    certificate = CertificateFactory()
    services.certificate_void(actor=secretariat_user, certificate=certificate, reason="lost")
    with pytest.raises(CertificateValidationError) as caught:
        services.certificate_void(actor=secretariat_user, certificate=certificate, reason="lost")
    assert caught.value.findings[0].code == "already_void"
    with pytest.raises(CertificateValidationError) as caught:
        services.confirmations_import(rows=[confirmation_row(certificate)], actor=None)
    assert caught.value.findings[0].code == "certificate_void"
    assert VoidNotice.objects.count() == 1


def test_a_void_reason_is_lost_stolen_or_cancelled(secretariat_user: Any) -> None:
    certificate = CertificateFactory()
    with pytest.raises(CertificateValidationError) as caught:
        services.certificate_void(actor=secretariat_user, certificate=certificate, reason="burnt")
    assert caught.value.findings[0].column == "reason"
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED


@pytest.mark.parametrize("who", ["destination", "reviewer", "observer"])
def test_only_the_issuer_or_the_secretariat_voids(who: str) -> None:
    certificate = CertificateFactory()
    if who == "destination":
        user = UserFactory(role="authority", participant=certificate.destination_participant)
    else:
        user = UserFactory(role=who)
    with pytest.raises(PermissionDenied):
        services.certificate_void(actor=user, certificate=certificate, reason="lost")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
