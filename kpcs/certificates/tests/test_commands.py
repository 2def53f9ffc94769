"""`manage.py import_certificates PATH` and `manage.py import_confirmations PATH`: the
secretariat's loads, whole or not at all, every bad row on stderr, re-import a no-op."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kpcs.certificates.models import Certificate, ImportConfirmation
from kpcs.certificates.tests.factories import (
    CertificateFactory,
    certificate_row,
    confirmation_row,
    rows_csv,
)
from kpcs.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def run(command: str, path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_certificates_records_a_file_and_prints_the_counts(tmp_path: Path) -> None:
    issuer, destination = ParticipantFactory(), ParticipantFactory()
    rows = [certificate_row(issuer, destination) for _ in range(3)]
    rows.append(rows[0] | {"hs_code": "7102.10"})
    path = tmp_path / "certificates.csv"
    path.write_bytes(rows_csv(rows))
    out, err = run("import_certificates", path)
    assert "4 rows read: 3 certificates recorded (4 lines), 0 already recorded." in out
    assert err == ""
    assert Certificate.objects.count() == 3

    out, _err = run("import_certificates", path, "--chunk-size", "2")
    assert "nothing changed" in out
    assert Certificate.objects.count() == 3


def test_import_certificates_prints_every_bad_row_exits_non_zero_and_stores_nothing(
    tmp_path: Path,
) -> None:
    issuer, destination = ParticipantFactory(), ParticipantFactory()
    rows = [certificate_row(issuer, destination) for _ in range(4)]
    rows[1]["carats"] = "-1"
    rows[3]["destination_participant"] = issuer.code
    path = tmp_path / "certificates.csv"
    path.write_bytes(rows_csv(rows))
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_certificates", str(path), stdout=io.StringIO(), stderr=err)
    assert "refused (2 problems); nothing was stored" in str(caught.value)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("Row 3, column carats:")
    assert lines[1].startswith("Row 5, column destination_participant:")
    assert not Certificate.objects.exists()


def test_import_certificates_refuses_a_missing_or_unreadable_file(tmp_path: Path) -> None:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_certificates", str(tmp_path / "none.csv"), stderr=err)
    assert "There is no file" in err.getvalue()
    path = tmp_path / "certificates.csv"
    path.write_bytes(b"certificate_number\r\nBW1\r\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_certificates", str(path), stderr=err)
    assert "lacks the columns" in err.getvalue()


def test_the_command_exits_with_status_one(tmp_path: Path) -> None:
    path = tmp_path / "certificates.csv"
    path.write_bytes(b"")
    with pytest.raises(SystemExit) as caught:
        from django.core.management import ManagementUtility

        ManagementUtility(["manage.py", "import_certificates", str(path)]).execute()
    assert caught.value.code == 1


def test_import_confirmations_records_refuses_and_is_idempotent(tmp_path: Path) -> None:
    certificates = [CertificateFactory() for _ in range(2)]
    path = tmp_path / "confirmations.csv"
    path.write_bytes(rows_csv([confirmation_row(c) for c in certificates]))
    out, _err = run("import_confirmations", path)
    assert "2 certificates confirmed (0 with carats that differ)" in out
    out, _err = run("import_confirmations", path)
    assert "nothing changed" in out
    assert ImportConfirmation.objects.count() == 2

    bad = tmp_path / "bad.csv"
    other = CertificateFactory()
    bad.write_bytes(rows_csv([confirmation_row(other, confirming_participant="QQQ")]))
    err: Any = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_confirmations", str(bad), stdout=io.StringIO(), stderr=err)
    assert "Row 2, column confirming_participant:" in err.getvalue()
    assert ImportConfirmation.objects.count() == 2


def test_import_certificates_reads_an_xlsx_workbook(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from kpcs.certificates.validation import CERTIFICATE_COLUMNS

    issuer, destination = ParticipantFactory(), ParticipantFactory()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(CERTIFICATE_COLUMNS))
    for _ in range(3):
        row = certificate_row(issuer, destination, hs_code="7102.10")
        sheet.append(
            [float(row[c]) if c in ("hs_code", "carats") else row[c] for c in CERTIFICATE_COLUMNS]
        )
    path = tmp_path / "certificates.xlsx"
    workbook.save(path)
    out, _err = run("import_certificates", path)
    assert "3 certificates recorded" in out
    assert set(Certificate.objects.values_list("lines__hs_code", flat=True)) == {"7102.10"}
