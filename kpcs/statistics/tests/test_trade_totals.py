"""SubmissionTradeTotal, kept by triggers: whatever writes trade records (the ORM, a bulk
update, a delete, the importer's COPY), each submission's totals by flow and HS code are the
sums of its records afterwards."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Sum

from kpcs.statistics.importing import statistics_file_read, statistics_import
from kpcs.statistics.models import (
    Flow,
    HSCode,
    Submission,
    SubmissionPartnerTotal,
    SubmissionTradeTotal,
    TradeRecord,
)
from kpcs.statistics.tests.factories import SubmissionFactory, TradeRecordFactory
from kpcs.statistics.tests.test_import_statistics import LINES, write_csv

pytestmark = pytest.mark.django_db


def totals() -> dict[tuple, tuple]:
    return {
        (t.submission_id, t.flow, t.hs_code): (t.carats, t.value_usd, t.certificates)
        for t in SubmissionTradeTotal.objects.all()
    }


def partner_totals() -> dict[tuple, tuple]:
    return {
        (t.submission_id, t.flow, t.partner_id): (t.carats, t.value_usd)
        for t in SubmissionPartnerTotal.objects.all()
    }


def partner_sums_of_the_records() -> dict[tuple, tuple]:
    grouped = TradeRecord.objects.values("submission_id", "flow", "partner_id").annotate(
        c=Sum("carats"), v=Sum("value_usd")
    )
    return {(g["submission_id"], g["flow"], g["partner_id"]): (g["c"], g["v"]) for g in grouped}


def assert_both_match() -> None:
    assert totals() == sums_of_the_records()
    assert partner_totals() == partner_sums_of_the_records()


def sums_of_the_records() -> dict[tuple, tuple]:
    grouped = TradeRecord.objects.values("submission_id", "flow", "hs_code").annotate(
        c=Sum("carats"), v=Sum("value_usd"), n=Sum("certificates")
    )
    return {
        (g["submission_id"], g["flow"], g["hs_code"]): (g["c"], g["v"], g["n"]) for g in grouped
    }


@pytest.fixture
def submission() -> Submission:
    submission = SubmissionFactory()
    for carats, hs_code, flow in (
        ("100.00", HSCode.NON_INDUSTRIAL, Flow.EXPORT),
        ("50.50", HSCode.NON_INDUSTRIAL, Flow.EXPORT),  # another partner, same HS code
        ("7.00", HSCode.UNSORTED, Flow.EXPORT),
        ("3.00", HSCode.NON_INDUSTRIAL, Flow.IMPORT),
    ):
        TradeRecordFactory(
            submission=submission,
            flow=flow,
            hs_code=hs_code,
            carats=Decimal(carats),
            value_usd=Decimal(carats) * 10,
            certificates=1,
        )
    return submission


def test_inserted_records_are_summed_by_flow_and_hs_code_and_by_flow_and_partner(
    submission,
) -> None:
    assert totals() == {
        (submission.pk, "export", "7102.31"): (Decimal("150.50"), Decimal("1505.00"), 2),
        (submission.pk, "export", "7102.10"): (Decimal("7.00"), Decimal("70.00"), 1),
        (submission.pk, "import", "7102.31"): (Decimal("3.00"), Decimal("30.00"), 1),
    }
    # By partner: four partners (one record each).
    assert len(partner_totals()) == 4
    assert_both_match()


def test_an_update_of_records_changes_the_totals(submission) -> None:
    TradeRecord.objects.filter(submission=submission, flow=Flow.EXPORT).update(
        carats=Decimal("1.00")
    )
    assert totals()[(submission.pk, "export", "7102.31")][0] == Decimal("2.00")
    assert_both_match()


def test_deleted_records_leave_no_total_behind(submission) -> None:
    TradeRecord.objects.filter(submission=submission, hs_code=HSCode.UNSORTED).delete()
    assert (submission.pk, "export", "7102.10") not in totals()
    assert_both_match()


def test_deleting_the_submission_removes_its_totals(submission) -> None:
    submission.delete()
    assert totals() == {} and partner_totals() == {}
    # The foreign key is checked at commit; check it now.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_other_submissions_are_left_as_they_were(submission) -> None:
    other = TradeRecordFactory().submission
    before = {key: value for key, value in totals().items() if key[0] == other.pk}
    TradeRecord.objects.filter(submission=submission).delete()
    assert {key: value for key, value in totals().items() if key[0] == other.pk} == before
    assert before


def test_the_importers_copy_keeps_the_totals(reference_data, tmp_path: Path) -> None:
    path = write_csv(tmp_path, LINES)
    statistics_import(rows=statistics_file_read(path, path.name))
    assert_both_match()
    # BWA's Q1 exports (two HS codes) and Q2 exports, ZAF's imports.
    assert len(totals()) == 4
    # A second file changes one row and drops another: replaced, updated and deleted rows.
    changed = [line.replace("1000.50", "999.00") for line in LINES if "EUR" not in line]
    path = write_csv(tmp_path, changed, name="again.csv")
    statistics_import(rows=statistics_file_read(path, path.name))
    assert_both_match()
    assert len(totals()) == 3
