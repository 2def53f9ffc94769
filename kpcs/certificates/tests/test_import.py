"""Files in, records out: reading CSV and XLSX as a stream, and storing a whole file or
nothing, in batches, idempotently."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from kpcs.certificates import importing
from kpcs.certificates.importing import (
    CertificateFileError,
    certificate_file_read,
    confirmation_file_read,
)
from kpcs.certificates.models import (
    Certificate,
    CertificateAlert,
    CertificateLine,
    ImportConfirmation,
)
from kpcs.certificates.services import certificates_import, confirmations_import
from kpcs.certificates.tests.factories import (
    CertificateFactory,
    certificate_row,
    confirmation_row,
    rows_csv,
)
from kpcs.certificates.validation import (
    CERTIFICATE_COLUMNS,
    CONFIRMATION_COLUMNS,
    CertificateValidationError,
)
from kpcs.common.models import AuditEntry
from kpcs.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def parties() -> tuple[Any, Any]:
    return ParticipantFactory(), ParticipantFactory()


def read(data: bytes, name: str = "certificates.csv") -> list[dict[str, Any]]:
    return list(certificate_file_read(io.BytesIO(data), name))


def file_error(data: bytes, name: str = "certificates.csv") -> Any:
    with pytest.raises(CertificateFileError) as caught:
        read(data, name)
    (finding,) = caught.value.findings
    return finding


# --- Reading -----------------------------------------------------------------------------------


def test_a_csv_file_is_read_as_rows_keyed_by_column(parties: Any) -> None:
    row = certificate_row(*parties)
    assert read(rows_csv([row])) == [row]


def test_a_byte_order_mark_and_header_case_are_tolerated(parties: Any) -> None:
    row = certificate_row(*parties)
    data = rows_csv([row]).replace(b"certificate_number", b"Certificate_Number", 1)
    assert read(b"\xef\xbb\xbf" + data) == [row]


def test_blank_lines_keep_the_row_numbers_of_the_file(parties: Any) -> None:
    first, second = certificate_row(*parties), certificate_row(*parties)
    data = rows_csv([first]) + b"\r\n" + rows_csv([second]).split(b"\r\n", 1)[1]
    assert read(data) == [first, {}, second]


def test_extra_columns_are_ignored_and_unnamed_cells_kept_for_validation(parties: Any) -> None:
    row = certificate_row(*parties)
    data = rows_csv([row | {"note": "x"}])
    assert read(data) == [row | {"note": "x"}]
    unnamed = (
        rows_csv([row]).replace(b"\r\n", b",,stray\r\n").replace(b"importer,,stray", b"importer")
    )
    assert read(unnamed)[0][""] == ["", "stray"]


def test_an_xlsx_workbook_is_read_as_text_cells(parties: Any) -> None:
    row = certificate_row(*parties)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(CERTIFICATE_COLUMNS))
    values = [row[c] for c in CERTIFICATE_COLUMNS]
    values[4] = dt.date(2023, 3, 1)  # a date cell (read back as a datetime)
    values[6] = 7102.31  # the spreadsheet's idea of "7102.31"
    values[7] = 1500.5
    values[9] = 2
    sheet.append(values)
    sheet.append([])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = read(buffer.getvalue(), "certificates.xlsx")
    assert rows[0] == row | {"carats": "1500.5"}
    assert all(not r for r in rows[1:])


def test_confirmation_files_have_their_own_columns(parties: Any) -> None:
    row = dict.fromkeys(CONFIRMATION_COLUMNS, "x")
    assert list(confirmation_file_read(io.BytesIO(rows_csv([row])), "c.csv")) == [row]
    with pytest.raises(CertificateFileError):
        list(confirmation_file_read(io.BytesIO(rows_csv([certificate_row(*parties)])), "c.csv"))


@pytest.mark.parametrize(
    ("data", "name", "code", "says"),
    [
        (b"", "certificates.csv", "empty_file", "empty"),
        (b"\xef\xbb\xbf\r\n", "certificates.csv", "empty_file", "empty"),
        (b"\xff\xfec\x00e\x00", "certificates.csv", "encoding", "UTF-16"),
        (b"PK\x03\x04rest", "certificates.csv", "not_csv", "ZIP"),
        (b"not a workbook", "certificates.xlsx", "not_xlsx", "Excel"),
        (b"\xd0\xcf\x11\xe0old", "certificates.xlsx", "not_xlsx", ".xls"),
        (b"%PDF-1.4", "certificates.pdf", "unsupported_format", ".csv"),
        (b"x", "certificates.xls", "unsupported_format", ".xlsx"),
    ],
)
def test_files_that_are_not_certificate_files_are_refused_by_name(
    data: bytes, name: str, code: str, says: str
) -> None:
    finding = file_error(data, name)
    assert finding.code == code
    assert says in finding.message


def test_a_file_that_is_not_utf8_is_refused_naming_the_byte(parties: Any) -> None:
    data = rows_csv([certificate_row(*parties, exporter="Soci\xe9t\xe9")]).replace(
        "Soci\xe9t\xe9".encode(), "Soci\xe9t\xe9".encode("latin-1")
    )
    finding = file_error(data)
    assert finding.code == "encoding"
    assert "0xE9" in finding.message and "UTF-8" in finding.message


def test_a_header_without_the_format_columns_is_refused_naming_them(parties: Any) -> None:
    data = rows_csv([certificate_row(*parties)]).replace(b"date_expiry", b"expiry", 1)
    finding = file_error(data)
    assert (finding.row, finding.code) == (1, "header")
    assert "date_expiry" in finding.message and "expiry" in finding.message
    semicolons = b"certificate_number;issuing_participant\r\nBW1;BWA\r\n"
    assert "semicolons" in file_error(semicolons).message


def test_a_header_without_data_rows_is_refused(parties: Any) -> None:
    data = rows_csv([certificate_row(*parties)]).split(b"\r\n")[0] + b"\r\n\r\n"
    assert file_error(data).code == "no_rows"


def test_a_missing_file_is_refused(tmp_path: Any) -> None:
    with pytest.raises(CertificateFileError) as caught:
        certificate_file_read(tmp_path / "none.csv", "none.csv")
    assert caught.value.findings[0].code == "file_missing"


class _CountingFile(io.BytesIO):
    """Counts the bytes handed out, to prove a reader does not slurp the file."""

    handed = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.handed += len(data)
        return data


def test_files_are_read_as_a_stream_not_at_once(parties: Any) -> None:
    row = certificate_row(*parties)
    data = rows_csv([row] * 20_000)  # a few MB
    source = _CountingFile(data)
    rows = certificate_file_read(source, "certificates.csv")
    assert next(rows) == row
    assert source.handed < len(data) / 10
    assert sum(1 for _ in rows) == 19_999


# --- Storing a whole file or nothing -----------------------------------------------------------


def test_an_import_stores_certificates_with_lines_and_totals(
    parties: Any, secretariat_user: Any
) -> None:
    first = certificate_row(*parties)
    rows = [
        first,
        first | {"hs_code": "7102.10", "carats": "0.5", "value_usd": "10", "parcels": "1"},
        certificate_row(*parties),
    ]
    report = certificates_import(rows=rows, actor=secretariat_user)
    assert (report.rows, report.created, report.unchanged, report.lines) == (3, 2, 0, 3)
    stored = Certificate.objects.get(number=first["certificate_number"])
    assert (stored.carats, stored.value_usd, stored.parcels) == (
        Decimal("1500.50"),
        Decimal("225010.00"),
        3,
    )
    assert stored.status == Certificate.Status.ISSUED
    assert stored.status_changed_at is not None
    assert stored.recorded_by == secretariat_user
    assert sorted(stored.lines.values_list("hs_code", flat=True)) == ["7102.10", "7102.31"]
    # One audit entry for the batch, not one per certificate.
    assert AuditEntry.objects.filter(object_id="batch").count() == 1


def test_a_file_with_one_bad_row_stores_nothing_and_names_every_bad_row(parties: Any) -> None:
    rows = [certificate_row(*parties) for _ in range(4)]
    rows[1]["carats"] = "x"
    rows[3]["date_expiry"] = "2020-01-01"
    with pytest.raises(CertificateValidationError) as caught:
        certificates_import(rows=rows, actor=None)
    assert [(f.row, f.column) for f in caught.value.findings] == [
        (3, "carats"),
        (5, "date_expiry"),
    ]
    assert caught.value.rows == 4
    assert not Certificate.objects.exists()
    assert not CertificateLine.objects.exists()


def test_a_bad_row_in_a_later_batch_undoes_the_batches_already_written(parties: Any) -> None:
    rows = [certificate_row(*parties) for _ in range(9)]
    rows[8]["parcels"] = "0"
    rows[0]["hs_code"] = "7102"
    with pytest.raises(CertificateValidationError) as caught:
        certificates_import(rows=rows, actor=None, chunk_size=3)
    assert [(f.row, f.code) for f in caught.value.findings] == [
        (2, "hs_code_unknown"),
        (10, "parcels_invalid"),
    ]
    assert not Certificate.objects.exists()


def test_importing_the_same_rows_again_changes_nothing(parties: Any) -> None:
    rows = [certificate_row(*parties) for _ in range(3)]
    rows.append(rows[0] | {"hs_code": "7102.21"})
    certificates_import(rows=rows, actor=None)
    before = list(Certificate.objects.values_list("pk", "status_changed_at", "recorded_at"))
    trail = AuditEntry.objects.count()
    report = certificates_import(rows=rows, actor=None, chunk_size=2)
    assert (report.created, report.unchanged, report.lines) == (0, 3, 0)
    assert "nothing changed" in report.summary()
    assert list(Certificate.objects.values_list("pk", "status_changed_at", "recorded_at")) == before
    assert CertificateLine.objects.count() == 4
    assert AuditEntry.objects.count() == trail


def test_a_large_file_is_taken_in_batches_with_the_rows_of_a_certificate_brought_together(
    parties: Any,
) -> None:
    rows = [certificate_row(*parties) for _ in range(12)]
    # The second HS code of the first certificate comes at the very end of the file.
    rows.append(rows[0] | {"hs_code": "7102.10", "carats": "1", "value_usd": "1", "parcels": "1"})
    report = certificates_import(rows=rows, actor=None, chunk_size=4)
    assert (report.rows, report.created, report.lines) == (13, 12, 13)
    assert Certificate.objects.get(number=rows[0]["certificate_number"]).lines.count() == 2


def test_a_repeated_hs_code_is_caught_across_batches(parties: Any) -> None:
    rows = [certificate_row(*parties) for _ in range(8)]
    rows.append(rows[1] | {"carats": "2"})  # row 10 repeats row 3
    rows.append(rows[5] | {"importer": "Another", "hs_code": "7102.10"})  # disagrees with row 7
    with pytest.raises(CertificateValidationError) as caught:
        certificates_import(rows=rows, actor=None, chunk_size=2)
    assert [(f.row, f.column, f.code) for f in caught.value.findings] == [
        (10, "hs_code", "hs_code_repeated"),
        (11, "importer", "header_disagrees"),
    ]
    assert "row 3" in caught.value.findings[0].message
    assert not Certificate.objects.exists()


def test_a_number_with_more_rows_than_batches_hold_is_refused(parties: Any) -> None:
    row = certificate_row(*parties)
    rows = [row | {"hs_code": code} for code in ("7102.10", "7102.21", "7102.31")] * 3
    with pytest.raises(CertificateValidationError) as caught:
        certificates_import(rows=rows, actor=None, chunk_size=2)
    found = {(f.row, f.code) for f in caught.value.findings}
    assert {row for row, _code in found} == set(range(5, 11))
    assert {code for _row, code in found} <= {"hs_code_repeated", "certificate_too_many_rows"}


def test_the_report_keeps_the_first_findings_and_says_how_many_more(
    parties: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(importing, "MAX_FINDINGS", 3)
    rows = [certificate_row(*parties, carats="x") for _ in range(5)]
    with pytest.raises(CertificateValidationError) as caught:
        certificates_import(rows=rows, actor=None)
    findings = caught.value.findings
    assert caught.value.total == 5
    assert [f.code for f in findings] == ["amount_format"] * 3 + ["more_findings"]
    assert "2 more problems" in findings[-1].message


def test_an_empty_batch_is_refused(parties: Any) -> None:
    with pytest.raises(CertificateValidationError) as caught:
        certificates_import(rows=[{}, {}], actor=None)
    assert caught.value.findings[0].code == "no_rows"


def test_a_file_read_as_a_stream_is_imported(parties: Any) -> None:
    rows = [certificate_row(*parties) for _ in range(7)]
    report = certificates_import(
        rows=certificate_file_read(io.BytesIO(rows_csv(rows)), "c.csv"), actor=None, chunk_size=3
    )
    assert report.created == 7


def test_progress_is_reported_per_batch(parties: Any) -> None:
    seen: list[tuple[int, int]] = []
    rows = [certificate_row(*parties) for _ in range(5)]
    certificates_import(
        rows=rows, actor=None, chunk_size=2, progress=lambda d, t, m: seen.append((d, t))
    )
    assert seen[-1] == (5, 5)
    assert len(seen) == 3


# --- Confirmations --------------------------------------------------------------------------------


def test_an_import_of_confirmations_confirms_and_flags(settings: Any) -> None:
    settings.CERTIFICATE_CARATS_TOLERANCE = Decimal("0.01")
    exact, short = CertificateFactory(), CertificateFactory()
    rows = [confirmation_row(exact), confirmation_row(short, carats="1200")]
    report = confirmations_import(rows=rows, actor=None)
    assert (report.rows, report.confirmed, report.unchanged, report.flagged) == (2, 2, 0, 1)
    exact.refresh_from_db()
    short.refresh_from_db()
    assert exact.status == short.status == Certificate.Status.CONFIRMED
    assert short.status_changed_at is not None
    assert short.confirmation.carats_differ is True
    assert exact.confirmation.carats_differ is False
    alert = CertificateAlert.objects.get()
    assert (alert.certificate, alert.kind) == (short, CertificateAlert.Kind.CARATS_DIFFER)
    assert "1,200.00 carats" in alert.message and "1,500.00 carats" in alert.message
    assert "20.0 % less" in alert.message

    again = confirmations_import(rows=rows, actor=None)
    assert (again.confirmed, again.unchanged) == (0, 2)
    assert ImportConfirmation.objects.count() == 2
    assert CertificateAlert.objects.count() == 1


def test_a_confirmations_file_with_one_bad_row_stores_nothing() -> None:
    good, other = CertificateFactory(), CertificateFactory()
    rows = [confirmation_row(good), confirmation_row(other, date_received="someday")]
    with pytest.raises(CertificateValidationError):
        confirmations_import(rows=rows, actor=None)
    assert not ImportConfirmation.objects.exists()
    good.refresh_from_db()
    assert good.status == Certificate.Status.ISSUED


def test_a_certificate_confirmed_twice_across_batches_is_caught() -> None:
    certificates = [CertificateFactory() for _ in range(4)]
    rows = [confirmation_row(c) for c in certificates]
    rows.append(rows[0])
    with pytest.raises(CertificateValidationError) as caught:
        confirmations_import(rows=rows, actor=None, chunk_size=2)
    assert [(f.row, f.code) for f in caught.value.findings] == [(6, "confirmation_repeated")]
    assert not ImportConfirmation.objects.exists()
