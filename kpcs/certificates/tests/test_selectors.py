"""Reads and their access rules: authorities see what their participant issued or received,
the secretariat sees all, others nothing; the public answer is one word."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpcs.accounts.tests.factories import UserFactory
from kpcs.certificates import selectors
from kpcs.certificates.models import Certificate
from kpcs.certificates.tests.factories import (
    CertificateAlertFactory,
    CertificateFactory,
    ImportConfirmationFactory,
    SpecimenFactory,
    VoidNoticeFactory,
)
from kpcs.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three() -> tuple[Certificate, Certificate, Certificate]:
    """Two certificates of one participant (one issued, one received) and one of others."""
    mine = ParticipantFactory()
    return (
        CertificateFactory(issuing_participant=mine, date_issued=dt.date(2023, 1, 5)),
        CertificateFactory(destination_participant=mine, date_issued=dt.date(2023, 2, 5)),
        CertificateFactory(date_issued=dt.date(2023, 3, 5)),
    )


def test_an_authority_sees_the_certificates_its_participant_issued_or_received(three: Any) -> None:
    issued, received, _other = three
    user = UserFactory(role="authority", participant=issued.issuing_participant)
    assert list(selectors.certificate_list(user=user)) == [received, issued]
    assert (
        selectors.certificate_get(
            user=user, issuing_code=received.issuing_participant.code, number=received.number
        )
        == received
    )


def test_an_authority_does_not_see_others_certificates(three: Any) -> None:
    issued, _received, other = three
    user = UserFactory(role="authority", participant=issued.issuing_participant)
    assert other not in selectors.certificate_list(user=user)
    assert (
        selectors.certificate_get(
            user=user, issuing_code=other.issuing_participant.code, number=other.number
        )
        is None
    )


def test_the_secretariat_sees_all(three: Any, secretariat_user: Any) -> None:
    assert selectors.certificate_list(user=secretariat_user).count() == 3


@pytest.mark.parametrize("role", ["reviewer", "observer"])
def test_other_roles_see_no_certificate(three: Any, role: str) -> None:
    user = UserFactory(role=role)
    assert not selectors.certificate_list(user=user).exists()
    assert not selectors.alerts_for(user=user).exists()
    assert not selectors.uploads_for(user=user).exists()


def test_the_list_filters(three: Any, secretariat_user: Any) -> None:
    issued, received, other = three

    def listed(**filters: Any) -> list[Certificate]:
        return list(selectors.certificate_list(user=secretariat_user, **filters))

    assert listed(issuing_participant=issued.issuing_participant) == [issued]
    assert listed(issuing_participant=issued.issuing_participant.code.lower()) == [issued]
    assert listed(destination_participant=received.destination_participant.code) == [received]
    assert listed(date_from=dt.date(2023, 2, 1), date_to=dt.date(2023, 2, 28)) == [received]
    assert listed(number=other.number[:-1].lower()) == [other]
    assert listed(status="void") == []


def test_the_list_reads_participants_with_the_certificates(secretariat_user: Any) -> None:
    for _ in range(5):
        CertificateFactory()
    with CaptureQueriesContext(connection) as captured:
        for c in selectors.certificate_list(user=secretariat_user):
            _ = (c.issuing_participant.code, c.destination_participant.code, c.exporting_country)
    assert len(captured) == 1


# --- The public answer ---------------------------------------------------------------------------


def _status(certificate: Certificate, **kwargs: Any) -> str:
    return selectors.certificate_status_public(
        participant_code=certificate.issuing_participant.code, number=certificate.number, **kwargs
    )


def test_public_status_of_each_kind_of_certificate() -> None:
    issued = CertificateFactory()  # expires 2023-04-30
    assert _status(issued, today=dt.date(2023, 4, 30)) == "valid"
    assert _status(issued, today=dt.date(2023, 5, 1)) == "expired"
    assert _status(ImportConfirmationFactory().certificate) == "confirmed"
    assert _status(CertificateFactory(status=Certificate.Status.EXPIRED)) == "expired"
    assert _status(VoidNoticeFactory().certificate) == "void"


def test_public_status_of_an_unknown_certificate() -> None:
    certificate = CertificateFactory()
    assert selectors.certificate_status_public(participant_code="ZZZ", number="ZZ1") == "unknown"
    assert (
        selectors.certificate_status_public(
            participant_code=certificate.destination_participant.code, number=certificate.number
        )
        == "unknown"
    )
    assert selectors.certificate_status_public(participant_code="", number="") == "unknown"


def test_public_status_with_carats_that_differ_is_unknown() -> None:
    certificate = CertificateFactory()  # 1,500.00 carats
    today = dt.date(2023, 3, 2)
    assert _status(certificate, carats="1500", today=today) == "valid"
    assert _status(certificate, carats="1510", today=today) == "valid"
    assert _status(certificate, carats="1600", today=today) == "unknown"
    assert _status(certificate, carats="lots", today=today) == "unknown"


def test_public_status_is_one_query_and_case_blind() -> None:
    certificate = CertificateFactory()
    with CaptureQueriesContext(connection) as captured:
        answer = selectors.certificate_status_public(
            participant_code=certificate.issuing_participant.code.lower(),
            number=certificate.number.lower(),
            today=dt.date(2023, 3, 2),
        )
    assert answer == "valid"
    assert len(captured) == 1


# --- Notices, specimens, alerts, uploads -------------------------------------------------------


def test_void_notices_and_specimens_are_listed_for_everyone() -> None:
    notice = VoidNoticeFactory()
    specimen = SpecimenFactory()
    assert list(selectors.void_notice_list()) == [notice]
    assert list(selectors.specimen_list()) == [specimen]
    assert list(selectors.specimen_list(participant=ParticipantFactory())) == []


def test_alerts_go_to_each_side_until_it_dismisses_them(secretariat_user: Any) -> None:
    alert = CertificateAlertFactory()
    certificate = alert.certificate
    issuer = UserFactory(role="authority", participant=certificate.issuing_participant)
    receiver = UserFactory(role="authority", participant=certificate.destination_participant)
    stranger = UserFactory(role="authority")
    assert list(selectors.alerts_for(user=issuer)) == [alert]
    assert list(selectors.alerts_for(user=receiver)) == [alert]
    assert list(selectors.alerts_for(user=secretariat_user)) == [alert]
    assert list(selectors.alerts_for(user=stranger)) == []
    alert.dismissed_by_issuer_at = alert.created_at
    alert.save()
    assert list(selectors.alerts_for(user=issuer)) == []
    assert list(selectors.alerts_for(user=issuer, include_dismissed=True)) == [alert]
    assert list(selectors.alerts_for(user=receiver)) == [alert]


def test_uploads_are_followed_by_their_participant_and_the_secretariat(
    secretariat_user: Any,
) -> None:
    from kpcs.certificates.models import CertificateUpload

    mine = UserFactory(role="authority")
    colleague = UserFactory(role="authority", participant=mine.participant)
    upload = CertificateUpload.objects.create(
        kind="certificates", participant=mine.participant, uploaded_by=mine, original_name="a.csv"
    )
    assert list(selectors.uploads_for(user=colleague)) == [upload]
    assert list(selectors.uploads_for(user=secretariat_user)) == [upload]
    assert list(selectors.uploads_for(user=UserFactory(role="authority"))) == []
    assert selectors.upload_get(user=UserFactory(role="authority"), upload_id=upload.pk) is None
