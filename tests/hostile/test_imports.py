"""Every hostile file (tests/hostile/corpus.py) against every file import: the statistics
upload of an authority (dry run), the secretariat's historical statistics import command,
the certificates and import confirmations uploads (browser and API) and their commands.

For each: no 5xx; a refused file gets a message naming the problem (and the column, where
one is to blame); nothing of a refused file is stored (records counted before and after);
a fine file (a byte-order mark, reordered or extra columns) is taken."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from kpcs.certificates.models import Certificate, CertificateLine, ImportConfirmation
from kpcs.certificates.validation import CERTIFICATE_COLUMNS, CONFIRMATION_COLUMNS
from kpcs.statistics.models import ProductionRecord, Submission, TradeRecord
from kpcs.statistics.validation import HEADER
from tests.hostile.conftest import YEAR, files_under, mentions, page_text
from tests.hostile.corpus import CsvFormat, FileCase, file_cases

pytestmark = [pytest.mark.django_db]


def statistics_row() -> dict[str, str]:
    return {
        "participant": "BWA",
        "year": str(YEAR),
        "period": "Q1",
        "flow": "export",
        "partner": "ZAF",
        "hs_code": "7102.31",
        "carats": "1000.00",
        "value_usd": "150000.00",
        "certificates": "2",
    }


_numbers = iter(range(10_000_000, 99_999_999))


def certificate_row() -> dict[str, str]:
    return {
        "certificate_number": f"BW{next(_numbers)}",
        "issuing_participant": "BWA",
        "exporting_country": "BWA",
        "destination_participant": "ZAF",
        "date_issued": "2023-03-01",
        "date_expiry": "2023-04-30",
        "hs_code": "7102.31",
        "carats": "1500.00",
        "value_usd": "225000.00",
        "parcels": "2",
        "origin": "BWA",
        "exporter": "Exporting Company",
        "importer": "Importing Company",
    }


def confirmation_row() -> dict[str, str]:
    return {
        "certificate_number": "ZA00000001",
        "issuing_participant": "ZAF",
        "confirming_participant": "BWA",
        "date_received": "2023-03-10",
        "carats": "1500.00",
    }


STATISTICS = CsvFormat(
    columns=HEADER,
    row=statistics_row,
    numeric=("carats", "value_usd", "certificates"),
    codes=("partner",),
    filename="statistics.csv",
    extra={
        "year:impossible_date": "2023-02-30",
        "period:Q5": "Q5",
        "hs_code:unknown": "7102.99",
        "certificates:fraction": "2.5",
        "participant:script": "<script>alert(1)</script>",
    },
)
CERTIFICATES = CsvFormat(
    columns=tuple(CERTIFICATE_COLUMNS),
    row=certificate_row,
    numeric=("carats", "value_usd", "parcels"),
    dates=("date_issued",),
    texts=("exporter",),
    codes=("destination_participant",),
    filename="certificates.csv",
    extra={
        "parcels:zero": "0",
        "date_expiry:before_issue": "2023-01-01",
        "origin:unknown": "XXX",
        "certificate_number:nul": "BW\x0012",
    },
)
CONFIRMATIONS = CsvFormat(
    columns=tuple(CONFIRMATION_COLUMNS),
    row=confirmation_row,
    numeric=("carats",),
    dates=("date_received",),
    codes=("confirming_participant",),
    filename="confirmations.csv",
)


def cases(fmt: CsvFormat) -> list:
    return [pytest.param(case, id=case.id) for case in file_cases(fmt)]


def counts() -> dict[str, int]:
    return {
        "submissions": Submission.objects.count(),
        "trade": TradeRecord.objects.count(),
        "production": ProductionRecord.objects.count(),
        "certificates": Certificate.objects.count(),
        "lines": CertificateLine.objects.count(),
        "confirmations": ImportConfirmation.objects.count(),
    }


def assert_named(text: str, case: FileCase) -> None:
    assert mentions(text, case.expect), f"{case.id}: message does not name it: {text[:600]}"
    if case.column:
        assert case.column in text, f"{case.id}: the column {case.column} is not named"


# --- Statistics: the authority's upload (dry run) -------------------------------------------------

UPLOAD = "/en/submissions/upload/"


@pytest.fixture
def bwa_client(client, bwa_authority, open_periods):
    client.force_login(bwa_authority)
    return client


@pytest.mark.parametrize("case", cases(STATISTICS))
def test_statistics_upload_answers_every_hostile_file_clearly(bwa_client, media, case) -> None:
    before = counts()
    response = bwa_client.post(UPLOAD, {"file": SimpleUploadedFile(case.name, case.data)})
    assert response.status_code < 500, case.id
    assert counts() == before, f"{case.id}: a dry run stored figures"
    text = page_text(response)
    if case.accepted:
        assert response.status_code == 200, f"{case.id}: {text[:600]}"
        assert "Store these figures" in text or "store" in text.lower()
        return
    if case.either:
        return
    assert response.status_code == 400, f"{case.id}: {response.status_code} {text[:600]}"
    assert_named(text, case)
    assert files_under(media) == [], f"{case.id}: a refused file was kept"


# --- Statistics: the historical import command ----------------------------------------------------


@pytest.mark.parametrize("case", cases(STATISTICS))
def test_historical_statistics_import_refuses_every_hostile_file_whole(
    reference, tmp_path, capsys, case
) -> None:
    path = tmp_path / case.name
    path.write_bytes(case.data)
    before = counts()
    try:
        call_command("import_statistics", str(path))
    except CommandError as exc:
        assert not case.accepted, f"{case.id}: a fine file was refused: {exc}"
        assert counts() == before, f"{case.id}: half stored"
        if not case.either:
            assert_named(f"{exc} {capsys.readouterr().err}", case)
        return
    assert case.accepted or case.either, f"{case.id}: a hostile file was imported"


# --- Certificates and confirmations: the upload page ----------------------------------------------

CERTIFICATE_UPLOAD = "/en/certificates/upload/"


def _upload_outcome(client, case: FileCase, kind: str, capture) -> tuple[int, str, str]:
    """(status of the post, text shown to the person, status of the upload)."""
    from kpcs.certificates.models import CertificateUpload

    with capture(execute=True):
        response = client.post(
            CERTIFICATE_UPLOAD,
            {"kind": kind, "file": SimpleUploadedFile(case.name, case.data)},
        )
    assert response.status_code < 500, case.id
    if response.status_code != 302:
        return response.status_code, page_text(response), ""
    upload = CertificateUpload.objects.get()
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    return 302, page_text(detail), upload.status


@pytest.fixture
def bwa_registry(client, bwa_authority):
    client.force_login(bwa_authority)
    return client


@pytest.mark.parametrize("case", cases(CERTIFICATES))
def test_certificates_upload_answers_every_hostile_file_clearly(
    bwa_registry, django_capture_on_commit_callbacks, case
) -> None:
    before = counts()
    _status, text, upload_status = _upload_outcome(
        bwa_registry, case, "certificates", django_capture_on_commit_callbacks
    )
    if case.accepted:
        assert upload_status == "stored", f"{case.id}: {text[:600]}"
        assert counts()["certificates"] == before["certificates"] + 1
        return
    if not case.either:
        assert upload_status in ("", "refused"), f"{case.id}: {upload_status} {text[:600]}"
        assert counts() == before, f"{case.id}: half stored"
        assert_named(text, case)
    elif upload_status != "stored":
        assert counts() == before, f"{case.id}: half stored"


@pytest.mark.parametrize("case", cases(CONFIRMATIONS))
def test_confirmations_upload_answers_every_hostile_file_clearly(
    client, south_africa, botswana, bwa_authority, django_capture_on_commit_callbacks, case
) -> None:
    from kpcs.certificates.tests.factories import CertificateFactory

    CertificateFactory(
        number="ZA00000001",
        issuing_participant=south_africa,
        destination_participant=botswana,
        carats="1500.00",
    )
    client.force_login(bwa_authority)
    before = counts()
    _status, text, upload_status = _upload_outcome(
        client, case, "confirmations", django_capture_on_commit_callbacks
    )
    if case.accepted:
        assert upload_status == "stored", f"{case.id}: {text[:600]}"
        return
    if not case.either:
        assert upload_status in ("", "refused"), f"{case.id}: {upload_status} {text[:600]}"
        assert counts() == before, f"{case.id}: half stored"
        assert_named(text, case)


# --- Certificates: the command and the API --------------------------------------------------------


@pytest.mark.parametrize("case", cases(CERTIFICATES))
def test_certificates_import_command_refuses_every_hostile_file_whole(
    reference, tmp_path, capsys, case
) -> None:
    path = Path(tmp_path) / case.name
    path.write_bytes(case.data)
    before = counts()
    try:
        call_command("import_certificates", str(path))
    except CommandError as exc:
        assert not case.accepted, f"{case.id}: a fine file was refused: {exc}"
        assert counts() == before, f"{case.id}: half stored"
        if not case.either:
            assert_named(f"{exc} {capsys.readouterr().err}", case)
        return
    assert case.accepted or case.either, f"{case.id}: a hostile file was imported"


API_UPLOADS = "/api/v1/certificates/uploads/"


@pytest.mark.parametrize(
    "case",
    [
        c
        for c in cases(CERTIFICATES)
        if c.values[0].id in {"utf16", "zip_bomb_xlsx", "empty", "pdf_extension", "carats_nan"}
    ],
)
def test_certificates_api_upload_answers_hostile_files_in_json(
    api_client, bwa_authority, django_capture_on_commit_callbacks, case
) -> None:
    api_client.force_authenticate(bwa_authority)
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            API_UPLOADS,
            {"kind": "certificates", "file": _named(case)},
            format="multipart",
        )
    assert response.status_code < 500, case.id
    assert counts() == before
    if response.status_code == 400:
        assert_named(str(response.json()), case)
        return
    assert response.status_code in (201, 202), response.content
    upload = api_client.get(response.json()["url"]).json()
    assert upload["status"] == "refused", upload
    assert_named(str(upload), case)


def _named(case: FileCase) -> SimpleUploadedFile:
    return SimpleUploadedFile(case.name, case.data)
