"""The services: one certificate or confirmation from the form or the API, uploads checked in
the background, specimens, alerts; and who may do each."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kpcs.accounts.tests.factories import UserFactory
from kpcs.certificates import services
from kpcs.certificates.models import (
    Certificate,
    CertificateAlert,
    CertificateUpload,
    ImportConfirmation,
    Specimen,
)
from kpcs.certificates.tests.factories import (
    CertificateAlertFactory,
    CertificateFactory,
    SpecimenFactory,
    certificate_row,
    confirmation_row,
    rows_csv,
)
from kpcs.certificates.validation import LINE_COLUMNS, CertificateValidationError
from kpcs.common.audit import entries_for
from kpcs.common.models import BackgroundJob
from kpcs.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def issuer_authority() -> Any:
    return UserFactory(role="authority")


@pytest.fixture
def destination() -> Any:
    return ParticipantFactory()


def header_and_lines(row: dict[str, str]) -> tuple[dict[str, str], list[dict[str, str]]]:
    header = {k: v for k, v in row.items() if k not in LINE_COLUMNS}
    return header, [{k: row[k] for k in LINE_COLUMNS}]


# --- One certificate ---------------------------------------------------------------------------


def test_an_authority_records_a_certificate_with_its_lines(
    issuer_authority: Any, destination: Any
) -> None:
    header, lines = header_and_lines(certificate_row(issuer_authority.participant, destination))
    header.pop("issuing_participant")  # the authority's own participant by default
    lines.append({"hs_code": "7102.10", "carats": "20", "value_usd": "100", "parcels": "1"})
    certificate = services.certificate_record(
        actor=issuer_authority, participant=None, header=header, lines=lines
    )
    assert certificate.issuing_participant == issuer_authority.participant
    assert certificate.recorded_by == issuer_authority
    assert certificate.carats == Decimal("1520.00")
    assert certificate.lines.count() == 2
    (entry,) = entries_for(certificate)
    assert "7102.10" in entry.changes["lines"][1]


def test_recording_the_same_certificate_again_returns_it_unchanged(
    issuer_authority: Any, destination: Any
) -> None:
    header, lines = header_and_lines(certificate_row(issuer_authority.participant, destination))
    first = services.certificate_record(
        actor=issuer_authority, participant=None, header=header, lines=lines
    )
    again = services.certificate_record(
        actor=issuer_authority, participant=None, header=header, lines=lines
    )
    assert again.pk == first.pk
    assert Certificate.objects.count() == 1
    assert entries_for(first).count() == 1


def test_form_findings_name_the_field_once_and_lines_by_number(
    issuer_authority: Any, destination: Any
) -> None:
    header, lines = header_and_lines(
        certificate_row(issuer_authority.participant, destination, date_expiry="2000-01-01")
    )
    lines.append({"hs_code": "7102.10", "carats": "abc", "value_usd": "1", "parcels": "1"})
    lines.append(dict(lines[0]))
    with pytest.raises(CertificateValidationError) as caught:
        services.certificate_record(
            actor=issuer_authority, participant=None, header=header, lines=lines
        )
    found = [(f.row, f.line, f.column, f.code) for f in caught.value.findings]
    assert found == [
        (None, None, "date_expiry", "expiry_before_issue"),
        (None, 2, "carats", "amount_format"),
        (None, 3, "hs_code", "hs_code_repeated"),
    ]
    assert caught.value.findings[1].located.startswith("Line 2, carats:")
    assert not Certificate.objects.exists()


def test_a_certificate_needs_a_line(issuer_authority: Any, destination: Any) -> None:
    header, _lines = header_and_lines(certificate_row(issuer_authority.participant, destination))
    with pytest.raises(CertificateValidationError) as caught:
        services.certificate_record(
            actor=issuer_authority, participant=None, header=header, lines=[]
        )
    assert caught.value.findings[0].code == "no_lines"


def test_an_authority_cannot_record_for_another_participant(
    issuer_authority: Any, destination: Any
) -> None:
    header, lines = header_and_lines(certificate_row(destination, issuer_authority.participant))
    with pytest.raises(PermissionDenied):
        services.certificate_record(
            actor=issuer_authority, participant=destination, header=header, lines=lines
        )
    # Naming another issuer in the header is a finding, not a way round the rule.
    with pytest.raises(CertificateValidationError) as caught:
        services.certificate_record(
            actor=issuer_authority, participant=None, header=header, lines=lines
        )
    assert caught.value.findings[0].code == "issuer_not_yours"


@pytest.mark.parametrize("role", ["reviewer", "observer"])
def test_reviewers_and_observers_record_nothing(role: str, destination: Any) -> None:
    user = UserFactory(role=role)
    issuer = ParticipantFactory()
    header, lines = header_and_lines(certificate_row(issuer, destination))
    with pytest.raises(PermissionDenied):
        services.certificate_record(actor=user, participant=issuer, header=header, lines=lines)
    with pytest.raises(PermissionDenied):
        services.certificates_import(rows=[certificate_row(issuer, destination)], actor=user)
    certificate = CertificateFactory()
    with pytest.raises(PermissionDenied):
        services.confirmations_import(rows=[confirmation_row(certificate)], actor=user)
    assert Certificate.objects.count() == 1


def test_an_inactive_secretariat_account_records_nothing(destination: Any) -> None:
    user = UserFactory(role="secretariat", is_active=False)
    issuer = ParticipantFactory()
    with pytest.raises(PermissionDenied):
        services.certificates_import(rows=[certificate_row(issuer, destination)], actor=user)


def test_the_secretariat_records_for_any_participant(
    secretariat_user: Any, destination: Any
) -> None:
    issuer = ParticipantFactory()
    header, lines = header_and_lines(certificate_row(issuer, destination))
    certificate = services.certificate_record(
        actor=secretariat_user, participant=None, header=header, lines=lines
    )
    assert certificate.issuing_participant == issuer


def test_an_authority_imports_only_its_own_participants_rows(
    issuer_authority: Any, destination: Any
) -> None:
    rows = [certificate_row(issuer_authority.participant, destination)]
    assert services.certificates_import(rows=rows, actor=issuer_authority).created == 1
    with pytest.raises(PermissionDenied):
        services.certificates_import(rows=rows, actor=issuer_authority, participant=destination)
    with pytest.raises(CertificateValidationError):
        services.certificates_import(
            rows=[certificate_row(destination, issuer_authority.participant)],
            actor=issuer_authority,
        )


# --- One confirmation -----------------------------------------------------------------------------


def test_the_destinations_authority_records_a_confirmation() -> None:
    certificate = CertificateFactory()
    user = UserFactory(role="authority", participant=certificate.destination_participant)
    confirmation = services.confirmation_record(
        actor=user,
        participant=None,
        certificate_number=certificate.number.lower(),
        issuing_participant_code=certificate.issuing_participant.code,
        date_received=certificate.date_issued,
        carats=Decimal("1500"),
    )
    assert confirmation.confirming_participant == certificate.destination_participant
    assert confirmation.recorded_by == user
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.CONFIRMED
    assert entries_for(confirmation).count() == 1
    again = services.confirmation_record(
        actor=user,
        participant=None,
        certificate_number=certificate.number,
        issuing_participant_code=certificate.issuing_participant.code,
        date_received=certificate.date_issued.isoformat(),
        carats="1500.00",
    )
    assert again.pk == confirmation.pk


def test_the_issuers_authority_cannot_confirm() -> None:
    certificate = CertificateFactory()
    user = UserFactory(role="authority", participant=certificate.issuing_participant)
    with pytest.raises(CertificateValidationError) as caught:
        services.confirmation_record(
            actor=user,
            participant=None,
            certificate_number=certificate.number,
            issuing_participant_code=certificate.issuing_participant.code,
            date_received=certificate.date_issued,
            carats="1500",
        )
    assert caught.value.findings[0].code == "not_destination"
    assert caught.value.findings[0].row is None
    assert not ImportConfirmation.objects.exists()


def test_the_secretariat_confirms_for_the_destination(secretariat_user: Any) -> None:
    certificate = CertificateFactory()
    confirmation = services.confirmation_record(
        actor=secretariat_user,
        participant=None,
        certificate_number=certificate.number,
        issuing_participant_code=certificate.issuing_participant.code,
        date_received=certificate.date_issued,
        carats="1000",
    )
    assert confirmation.confirming_participant == certificate.destination_participant
    assert confirmation.carats_differ is True
    alert = CertificateAlert.objects.get(certificate=certificate)
    assert alert.kind == CertificateAlert.Kind.CARATS_DIFFER
    with pytest.raises(CertificateValidationError) as caught:
        services.confirmation_record(
            actor=secretariat_user,
            participant=None,
            certificate_number="ZZ1",
            issuing_participant_code=certificate.issuing_participant.code,
            date_received=certificate.date_issued,
            carats="1000",
        )
    assert caught.value.findings[0].code == "certificate_unknown"


# --- Alerts ------------------------------------------------------------------------------------


def test_each_recipient_dismisses_an_alert_on_its_own(secretariat_user: Any) -> None:
    alert = CertificateAlertFactory()
    certificate = alert.certificate
    issuer = UserFactory(role="authority", participant=certificate.issuing_participant)
    receiver = UserFactory(role="authority", participant=certificate.destination_participant)
    services.alert_dismiss(actor=issuer, alert=alert)
    alert.refresh_from_db()
    assert alert.dismissed_by_issuer_at is not None
    assert alert.dismissed_by_destination_at is None
    assert alert.dismissed_by_secretariat_at is None
    services.alert_dismiss(actor=receiver, alert=alert)
    services.alert_dismiss(actor=secretariat_user, alert=alert)
    alert.refresh_from_db()
    assert alert.dismissed_by_destination_at is not None
    assert alert.dismissed_by_secretariat_at is not None
    first = alert.dismissed_by_issuer_at
    services.alert_dismiss(actor=issuer, alert=alert)
    alert.refresh_from_db()
    assert alert.dismissed_by_issuer_at == first


@pytest.mark.parametrize("role", ["authority", "reviewer", "observer"])
def test_others_cannot_dismiss_an_alert(role: str) -> None:
    alert = CertificateAlertFactory()
    with pytest.raises(PermissionDenied):
        services.alert_dismiss(actor=UserFactory(role=role), alert=alert)


# --- Specimens ---------------------------------------------------------------------------------


def _picture(name: str = "front.png", kind: str = "PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "teal").save(buffer, kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{kind.lower()}")


def test_an_authority_registers_its_specimen_with_pictures(issuer_authority: Any) -> None:
    import datetime as dt

    specimen = services.specimen_register(
        actor=issuer_authority,
        participant=issuer_authority.participant,
        valid_from=dt.date(2024, 1, 1),
        valid_to=None,
        notified_on=dt.date(2023, 12, 1),
        security_features="Watermark and hologram.",
        images=[_picture(), (_picture("back.jpg", "JPEG"), "Back")],
    )
    assert specimen.recorded_by == issuer_authority
    assert [i.caption for i in specimen.images.all()] == ["", "Back"]
    assert entries_for(specimen).count() == 1


def test_specimen_pictures_are_images_of_at_most_5_mb(issuer_authority: Any) -> None:
    import datetime as dt

    not_a_picture = SimpleUploadedFile("scan.png", b"%PDF-1.4 not an image")
    too_large = SimpleUploadedFile("huge.png", b"0" * (5 * 1024 * 1024 + 1))
    with pytest.raises(CertificateValidationError) as caught:
        services.specimen_register(
            actor=issuer_authority,
            participant=issuer_authority.participant,
            valid_from=dt.date(2024, 1, 1),
            valid_to=dt.date(2023, 1, 1),
            security_features="",
            images=[not_a_picture, too_large],
        )
    found = {(f.column, f.code) for f in caught.value.findings}
    assert found == {
        ("security_features", "required"),
        ("valid_to", "valid_to_before_from"),
        ("images", "image_invalid"),
        ("images", "image_too_large"),
    }
    messages = " ".join(f.message for f in caught.value.findings)
    assert "scan.png" in messages and "5 MB" in messages
    assert not Specimen.objects.exists()


def test_a_specimen_is_registered_once_per_start_date(issuer_authority: Any) -> None:
    existing = SpecimenFactory(participant=issuer_authority.participant)
    with pytest.raises(CertificateValidationError) as caught:
        services.specimen_register(
            actor=issuer_authority,
            participant=existing.participant,
            valid_from=existing.valid_from,
            security_features="Again",
        )
    assert caught.value.findings[0].code == "specimen_exists"


def test_an_authority_cannot_register_another_participants_specimen(
    issuer_authority: Any, destination: Any
) -> None:
    import datetime as dt

    with pytest.raises(PermissionDenied):
        services.specimen_register(
            actor=issuer_authority,
            participant=destination,
            valid_from=dt.date(2024, 1, 1),
            security_features="x",
        )


# --- Uploads -----------------------------------------------------------------------------------


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_an_uploaded_file_is_checked_and_stored_in_the_background(
    issuer_authority: Any, destination: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rows = [certificate_row(issuer_authority.participant, destination) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        upload = services.certificate_upload_start(
            actor=issuer_authority,
            participant=None,
            kind=CertificateUpload.Kind.CERTIFICATES,
            uploaded_file=_upload("march.csv", rows_csv(rows)),
        )
    upload.refresh_from_db()
    assert upload.status == CertificateUpload.Status.STORED
    assert (upload.rows, upload.stored, upload.unchanged) == (3, 3, 0)
    assert upload.participant == issuer_authority.participant
    assert upload.finished_at is not None
    assert set(Certificate.objects.values_list("upload", flat=True)) == {upload.pk}
    job = BackgroundJob.objects.get(pk=upload.job_id)
    assert job.status == BackgroundJob.Status.SUCCEEDED
    assert job.result["stored"] == 3
    assert job.progress_done == job.progress_total == 3
    assert entries_for(upload).count() == 2  # received, then stored

    # The same file again: stored, nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        again = services.certificate_upload_start(
            actor=issuer_authority,
            participant=None,
            kind=CertificateUpload.Kind.CERTIFICATES,
            uploaded_file=_upload("march.csv", rows_csv(rows)),
        )
    again.refresh_from_db()
    assert (again.status, again.stored, again.unchanged) == ("stored", 0, 3)


def test_an_uploaded_file_with_errors_is_refused_with_every_finding(
    issuer_authority: Any, destination: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rows = [certificate_row(issuer_authority.participant, destination) for _ in range(3)]
    rows[2]["carats"] = "lots"
    with django_capture_on_commit_callbacks(execute=True):
        upload = services.certificate_upload_start(
            actor=issuer_authority,
            participant=None,
            kind=CertificateUpload.Kind.CERTIFICATES,
            uploaded_file=_upload("march.csv", rows_csv(rows)),
        )
    upload.refresh_from_db()
    assert upload.status == CertificateUpload.Status.REFUSED
    assert upload.rows == 3
    assert upload.findings == [
        {
            "row": 4,
            "column": "carats",
            "code": "amount_format",
            "message": "“lots” is not a number.",
        }
    ]
    assert not Certificate.objects.exists()
    # Running the check again (a redelivered task) changes nothing.
    assert services.certificate_upload_process(upload_id=upload.pk)["status"] == "refused"


def test_an_unreadable_upload_is_refused_with_the_reason(
    issuer_authority: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        upload = services.certificate_upload_start(
            actor=issuer_authority,
            participant=None,
            kind=CertificateUpload.Kind.CONFIRMATIONS,
            uploaded_file=_upload("c.csv", b"number,date\r\nBW1,2024-01-01\r\n"),
        )
    upload.refresh_from_db()
    assert upload.status == CertificateUpload.Status.REFUSED
    assert upload.findings[0]["code"] == "header"
    assert "confirming_participant" in upload.findings[0]["message"]


def test_a_confirmations_upload_confirms(django_capture_on_commit_callbacks: Any) -> None:
    certificate = CertificateFactory()
    user = UserFactory(role="authority", participant=certificate.destination_participant)
    with django_capture_on_commit_callbacks(execute=True):
        upload = services.certificate_upload_start(
            actor=user,
            participant=None,
            kind=CertificateUpload.Kind.CONFIRMATIONS,
            uploaded_file=_upload("c.csv", rows_csv([confirmation_row(certificate)])),
        )
    upload.refresh_from_db()
    assert (upload.status, upload.stored) == ("stored", 1)
    assert certificate.confirmation.upload == upload


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [("c.pdf", b"x", "unsupported_format"), ("c.csv", b"", "empty_file")],
)
def test_an_upload_that_cannot_be_a_certificate_file_is_refused_at_once(
    issuer_authority: Any, name: str, data: bytes, code: str
) -> None:
    with pytest.raises(CertificateValidationError) as caught:
        services.certificate_upload_start(
            actor=issuer_authority,
            participant=None,
            kind=CertificateUpload.Kind.CERTIFICATES,
            uploaded_file=_upload(name, data),
        )
    assert caught.value.findings[0].code == code
    assert not CertificateUpload.objects.exists()


def test_an_authority_cannot_upload_for_another_participant(
    issuer_authority: Any, destination: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.certificate_upload_start(
            actor=issuer_authority,
            participant=destination,
            kind=CertificateUpload.Kind.CERTIFICATES,
            uploaded_file=_upload("c.csv", b"x"),
        )
    with pytest.raises(PermissionDenied):
        services.certificate_upload_start(
            actor=UserFactory(role="observer"),
            participant=None,
            kind=CertificateUpload.Kind.CERTIFICATES,
            uploaded_file=_upload("c.csv", b"x"),
        )
