"""`make run`'s demo certificates: consistent with the demo statistics, every state shown,
loaded once."""

from io import StringIO

import pytest
from django.core.management import call_command

from kpcs.certificates.models import Certificate, ImportConfirmation
from kpcs.certificates.reconciliation import reconciliation_by_quarter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_demo_certificates_show_each_state_and_a_second_run_changes_nothing(client) -> None:
    call_command("load_demo_data", stdout=StringIO())
    counts = (Certificate.objects.count(), ImportConfirmation.objects.count())
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert counts == (Certificate.objects.count(), ImportConfirmation.objects.count())
    statuses = set(Certificate.objects.values_list("status", flat=True))
    assert statuses == {"issued", "confirmed", "void", "expired"}
    valid = Certificate.objects.filter(status="issued").order_by("-date_expiry").first()
    answer = client.get(
        "/api/v1/public/certificates/verify/",
        {"participant": valid.issuing_participant.code, "number": valid.number},
    )
    assert answer.json() == {"status": "valid"}


def test_demo_certificates_of_2023_balance_with_the_demo_statistics() -> None:
    call_command("load_demo_data", stdout=StringIO())
    reconciliation = reconciliation_by_quarter(year=2023)
    # Six producers, each shipping to three trading centres: quarters and the year.
    assert len({(row.exporter.code, row.importer.code) for row in reconciliation}) == 18
    assert all(row.exports is not None and row.imports is not None for row in reconciliation)
    assert reconciliation.flagged == []
