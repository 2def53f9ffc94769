"""Certificates against statistics and confirmations: the reconciliation finds a planted gap
and leaves a clean pair alone, the anomaly rule `certificate_mismatch` reports it in words and
figures, and the secretariat's page shows it (and nobody else sees the page)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpcs.accounts.tests.factories import UserFactory
from kpcs.certificates.models import Certificate
from kpcs.certificates.reconciliation import (
    STATISTICS_STATUSES,
    Tolerance,
    _past,
    gap_measure,
    reconciliation_by_quarter,
)
from kpcs.certificates.tests.factories import CertificateFactory, ImportConfirmationFactory
from kpcs.participants.models import Country, Participant
from kpcs.statistics.anomalies import ANALYSED_STATUSES, AnomalySettings, anomaly_analysis_run
from kpcs.statistics.models import Anomaly, AnomalyQuestion, Submission, TradeRecord
from kpcs.statistics.tests.test_anomalies import participant, submission, trade

pytestmark = pytest.mark.django_db

YEAR = 2023
QUARTER_DATES = {
    "Q1": dt.date(YEAR, 2, 10),
    "Q2": dt.date(YEAR, 5, 10),
    "Q3": dt.date(YEAR, 8, 10),
    "Q4": dt.date(YEAR, 11, 10),
}
URL = "/en/secretariat/certificates/reconciliation/"
CSV_URL = "/en/secretariat/certificates/reconciliation/csv/"


def issue(
    exporter: Participant,
    importer: Participant,
    count: int,
    carats: int | str,
    value_usd: int | str,
    *,
    period: str = "Q1",
    status: str = Certificate.Status.CONFIRMED,
    confirmed_carats: int | str | None = None,
    exporting_country: Country | None = None,
) -> list[Certificate]:
    """`count` certificates of `carats` and `value_usd` each; confirmed ones get their import
    confirmation (of the same carats unless told)."""
    extra = {"exporting_country": exporting_country} if exporting_country else {}
    made = []
    for _ in range(count):
        certificate = CertificateFactory(
            issuing_participant=exporter,
            destination_participant=importer,
            date_issued=QUARTER_DATES[period],
            carats=Decimal(carats),
            value_usd=Decimal(value_usd),
            status=status,
            **extra,
        )
        if status == Certificate.Status.CONFIRMED:
            ImportConfirmationFactory(
                certificate=certificate,
                carats=Decimal(confirmed_carats if confirmed_carats is not None else carats),
            )
        made.append(certificate)
    return made


def reported(
    exporter: Participant,
    importer: Participant,
    carats: int,
    value_usd: int,
    certificates: int,
    *,
    period: str = "Q1",
    importer_carats: int | None = None,
    importer_value_usd: int | None = None,
    importer_certificates: int | None = None,
) -> None:
    """Both sides' statistics of the trade: the exporter's exports and the importer's imports."""
    export = trade(exporter, "export", importer, carats, value_usd, period=period)
    export.certificates = certificates
    export.save()
    imported = trade(
        importer,
        "import",
        exporter,
        importer_carats if importer_carats is not None else carats,
        importer_value_usd if importer_value_usd is not None else value_usd,
        period=period,
    )
    imported.certificates = (
        importer_certificates if importer_certificates is not None else certificates
    )
    imported.save()


@pytest.fixture
def planted() -> dict[str, Participant]:
    """BWA → ZAF in Q1: 10 certificates for 15,000 ct, but BWA reports 9,000 ct on 6
    certificates (ZAF's imports match the certificates); BWA reported the whole year.
    XCT → XCP: 4 certificates of 10,000 ct that both sides report alike, all confirmed: the
    clean control pair."""
    bwa, zaf = participant("BWA"), participant("ZAF")
    xct, xcp = participant("XCT"), participant("XCP")
    issue(bwa, zaf, 10, 1_500, 225_000)
    reported(
        bwa,
        zaf,
        9_000,
        1_350_000,
        6,
        importer_carats=15_000,
        importer_value_usd=2_250_000,
        importer_certificates=10,
    )
    for quarter in ("Q2", "Q3", "Q4"):  # the rest of BWA's year: no trade with ZAF
        submission(bwa, period=quarter)
    issue(xct, xcp, 4, 2_500, 375_000)
    reported(xct, xcp, 10_000, 1_500_000, 4)
    return {"BWA": bwa, "ZAF": zaf, "XCT": xct, "XCP": xcp}


def row_of(reconciliation, exporter: str, importer: str, period: str):
    matches = [
        r
        for r in reconciliation.rows
        if (r.exporter.code, r.importer.code, r.period) == (exporter, importer, period)
    ]
    assert len(matches) == 1, (exporter, importer, period, reconciliation.rows)
    return matches[0]


# --- The reconciliation ------------------------------------------------------------------------


def test_a_planted_gap_with_the_exporters_statistics_is_flagged_and_the_clean_pair_is_not(
    planted,
) -> None:
    reconciliation = reconciliation_by_quarter(year=YEAR)

    gap = row_of(reconciliation, "BWA", "ZAF", "Q1")
    assert (gap.issued.certificates, gap.issued.carats, gap.issued.value_usd) == (
        10,
        Decimal("15000.00"),
        Decimal("2250000.00"),
    )
    assert gap.exports is not None
    assert (gap.exports.carats, gap.exports.certificates) == (Decimal("9000.00"), 6)
    assert gap.export_flagged
    carats = gap.gap("exports", "carats")
    assert carats is not None
    assert carats.difference == Decimal("6000.00")
    assert carats.pct == Decimal(50)
    assert gap.gap("exports", "certificates").difference == 4
    assert not gap.import_flagged  # ZAF's imports match the certificates
    assert not gap.confirmation_flagged
    assert row_of(reconciliation, "BWA", "ZAF", "Y").export_flagged
    clean = [r for r in reconciliation.rows if r.exporter.code == "XCT"]
    assert [r.period for r in clean] == ["Q1", "Y"]  # quiet quarters are left out
    assert not any(r.flagged for r in clean)
    assert {(r.exporter.code, r.importer.code, r.period) for r in reconciliation.flagged} == {
        ("BWA", "ZAF", "Q1"),
        ("BWA", "ZAF", "Y"),
    }


def test_void_certificates_are_counted_apart_and_left_out_of_the_figures(planted) -> None:
    issue(planted["XCT"], planted["XCP"], 3, 5_000, 750_000, status=Certificate.Status.VOID)

    row = row_of(reconciliation_by_quarter(year=YEAR), "XCT", "XCP", "Q1")

    assert row.void == 3
    assert (row.issued.certificates, row.issued.carats) == (4, Decimal("10000.00"))
    assert not row.flagged


def test_missing_confirmations_and_carats_received_short_are_a_gap(planted) -> None:
    nam, bel = participant("NAM"), participant("BEL")
    issue(nam, bel, 5, 1_000, 150_000, period="Q2")
    issue(nam, bel, 3, 1_000, 150_000, period="Q2", status=Certificate.Status.EXPIRED)
    issue(nam, bel, 2, 1_000, 150_000, period="Q2", status=Certificate.Status.ISSUED)
    reported(nam, bel, 10_000, 1_500_000, 10, period="Q2")

    row = row_of(reconciliation_by_quarter(year=YEAR), "NAM", "BEL", "Q2")

    c = row.confirmations
    assert (c.due, c.confirmed, c.awaiting) == (8, 5, 2)
    assert (c.due_carats, c.received_carats) == (Decimal("8000.00"), Decimal("5000.00"))
    assert row.confirmation_flagged
    assert not row.export_flagged


def two_code_certificates(exporter: Participant, importer: Participant, count: int) -> None:
    """`count` confirmed certificates of two HS codes each: 600 ct of 7102.10, 400 of 7102.31."""
    for _ in range(count):
        certificate = CertificateFactory(
            issuing_participant=exporter,
            destination_participant=importer,
            date_issued=QUARTER_DATES["Q2"],
            status=Certificate.Status.CONFIRMED,
            lines=[
                {"hs_code": "7102.10", "carats": "600", "value_usd": "54000", "parcels": 1},
                {"hs_code": "7102.31", "carats": "400", "value_usd": "60000", "parcels": 1},
            ],
        )
        ImportConfirmationFactory(certificate=certificate, carats=certificate.carats)


def exports_by_code(exporter: Participant, importer: Participant, certificates: int) -> None:
    """The exporter's Q2 exports of what two_code_certificates(…, 6) recorded."""
    for hs_code, carats, value in (("7102.10", 3_600, 324_000), ("7102.31", 2_400, 360_000)):
        row = trade(exporter, "export", importer, carats, value, period="Q2", hs_code=hs_code)
        row.certificates = certificates
        row.save()


def test_certificates_are_counted_once_per_hs_code_as_the_statistics_count_them(
    planted,
) -> None:
    nam, bel = participant("NAM"), participant("BEL")
    two_code_certificates(nam, bel, 6)
    exports_by_code(nam, bel, 6)  # six certificates behind each HS code's row

    row = row_of(reconciliation_by_quarter(year=YEAR), "NAM", "BEL", "Q2")

    assert row.certificates == 6
    assert row.issued.certificates == 12
    assert row.exports is not None and row.exports.certificates == 12
    assert row.issued.carats == Decimal("6000.00")
    assert not row.flagged


def test_a_count_reported_per_certificate_instead_of_per_hs_code_is_a_gap_named_as_such(
    planted,
) -> None:
    nam, bel = participant("NAM"), participant("BEL")
    two_code_certificates(nam, bel, 6)
    exports_by_code(nam, bel, 3)  # the six certificates split between the two rows

    anomaly_analysis_run(year=YEAR)

    found = mismatch("NAM", "Q2")
    assert found.message.startswith(
        "In Q2 2023, NAM recorded 6 certificates for shipments to BEL: 6,000.00 ct worth "
        "US$ 684,000.00 (US$ 114.00/ct). Counted once per HS code, as trade statistics count "
        "them, they make 12."
    )
    assert "on 6 certificates" in found.message
    assert "and 6 certificates (66.7%)" in found.message
    assert found.figures["certificates"] == 6
    assert found.figures["certificates_by_hs_code"] == 12
    assert found.figures["gap_certificates"] == 6


def test_confirmations_within_tolerance_are_not_a_gap(planted) -> None:
    nam, bel = participant("NAM"), participant("BEL")
    issue(nam, bel, 10, 1_000, 150_000, period="Q2", confirmed_carats="990")
    reported(nam, bel, 10_000, 1_500_000, 10, period="Q2")

    row = row_of(reconciliation_by_quarter(year=YEAR), "NAM", "BEL", "Q2")

    assert row.confirmations.received_carats == Decimal("9900.00")
    assert not row.flagged


def test_statistics_reported_for_the_whole_year_are_compared_for_the_year_only(planted) -> None:
    gin, bel = participant("GIN"), participant("BEL")
    issue(gin, bel, 2, 2_000, 300_000, period="Q1")
    issue(gin, bel, 2, 2_000, 300_000, period="Q3")
    export = trade(gin, "export", bel, 2_000, 300_000, period="Y")
    export.certificates = 1
    export.save()

    reconciliation = reconciliation_by_quarter(year=YEAR)

    quarter = row_of(reconciliation, "GIN", "BEL", "Q1")
    assert quarter.exports is None and quarter.exports_yearly
    assert not quarter.flagged
    year = row_of(reconciliation, "GIN", "BEL", "Y")
    assert year.issued.carats == Decimal("8000.00")
    assert year.exports is not None and year.exports.carats == Decimal("2000.00")
    assert year.export_flagged


def test_a_period_not_reported_or_not_yet_accepted_is_not_compared(planted) -> None:
    ago, zaf = participant("AGO"), planted["ZAF"]
    reported(ago, zaf, 6_000, 900_000, 2)  # Q1 accepted
    issue(ago, zaf, 5, 3_000, 450_000, period="Q2")
    submission(ago, period="Q2", status=Submission.Status.SUBMITTED)
    issue(ago, zaf, 5, 3_000, 450_000, period="Q3")  # no Q3 submission at all

    reconciliation = reconciliation_by_quarter(year=YEAR)

    for period in ("Q2", "Q3"):
        row = row_of(reconciliation, "AGO", "ZAF", period)
        assert row.exports is None and not row.exports_yearly
        assert not row.export_flagged
    # Nor is the year, which AGO has not reported whole.
    assert row_of(reconciliation, "AGO", "ZAF", "Y").exports is None


def test_a_quarter_reported_without_trade_with_the_partner_counts_as_none(planted) -> None:
    bwa, ind = planted["BWA"], participant("IND")
    issue(bwa, ind, 4, 2_000, 300_000)  # BWA's Q1 submission has no row for IND

    row = row_of(reconciliation_by_quarter(year=YEAR), "BWA", "IND", "Q1")

    assert row.exports is not None and row.exports.is_zero
    assert row.export_flagged
    assert row.gap("exports", "carats").pct == Decimal(200)


def test_exports_reported_without_any_certificate_are_a_gap_for_an_exporter_that_records_them(
    planted,
) -> None:
    bwa, ind = planted["BWA"], participant("IND")
    trade(bwa, "export", ind, 5_000, 750_000)

    row = row_of(reconciliation_by_quarter(year=YEAR), "BWA", "IND", "Q1")

    assert row.issued.certificates == 0
    assert row.export_flagged


def test_an_exporter_that_recorded_no_certificate_in_the_year_is_not_reconciled(planted) -> None:
    lso, bel = participant("LSO"), participant("BEL")
    reported(lso, bel, 5_000, 750_000, 3)
    CertificateFactory(
        issuing_participant=lso, destination_participant=bel, date_issued=dt.date(YEAR - 1, 6, 1)
    )

    reconciliation = reconciliation_by_quarter(year=YEAR)

    assert not [r for r in reconciliation.rows if r.exporter.code == "LSO"]


def test_filters_keep_one_exporter_or_one_importer(planted) -> None:
    by_exporter = reconciliation_by_quarter(year=YEAR, exporter=planted["XCT"])
    by_importer = reconciliation_by_quarter(year=YEAR, importer=planted["ZAF"])

    assert {r.exporter.code for r in by_exporter.rows} == {"XCT"}
    assert {(r.exporter.code, r.importer.code) for r in by_importer.rows} == {("BWA", "ZAF")}


def test_a_stricter_tolerance_flags_smaller_gaps(planted) -> None:
    xct, xcp = planted["XCT"], planted["XCP"]
    issue(xct, xcp, 1, 1_200, 180_000, period="Q2")
    reported(xct, xcp, 1_000, 150_000, 1, period="Q2")

    default = row_of(reconciliation_by_quarter(year=YEAR), "XCT", "XCP", "Q2")
    strict = row_of(
        reconciliation_by_quarter(
            year=YEAR, tolerance=Tolerance(relative=Decimal("0.05"), min_carats=Decimal(100))
        ),
        "XCT",
        "XCP",
        "Q2",
    )

    assert not default.flagged  # 200 ct is below 1,000 ct
    assert strict.gap("exports", "carats").flagged


def test_eu_certificates_are_reconciled_with_the_eus_statistics(reference_data) -> None:
    eur, bwa = Participant.objects.get(code="EUR"), Participant.objects.get(code="BWA")
    belgium = Country.objects.get(alpha3="BEL")
    issue(eur, bwa, 3, 1_000, 150_000, exporting_country=belgium)
    reported(eur, bwa, 3_000, 450_000, 3)

    row = row_of(reconciliation_by_quarter(year=YEAR), "EUR", "BWA", "Q1")

    assert row.issued.carats == Decimal("3000.00")
    assert row.exports is not None and row.exports.carats == Decimal("3000.00")
    assert not row.flagged


def test_the_number_of_queries_does_not_grow_with_the_pairs(planted) -> None:
    def more_pairs(start: int, count: int) -> None:
        for n in range(start, start + count):
            a, b = participant(f"XE{chr(65 + n)}"), participant(f"XF{chr(65 + n)}")
            issue(a, b, 2, 1_000, 150_000, period="Q2")
            reported(a, b, 2_000, 300_000, 2, period="Q2")

    more_pairs(0, 1)
    with CaptureQueriesContext(connection) as few:
        small = reconciliation_by_quarter(year=YEAR)
    more_pairs(1, 5)
    with CaptureQueriesContext(connection) as many:
        large = reconciliation_by_quarter(year=YEAR)

    assert len(large.rows) > len(small.rows)
    assert len(many.captured_queries) == len(few.captured_queries) == 4


def test_with_no_certificate_in_the_year_only_one_query_is_made() -> None:
    bwa, zaf = participant("BWA"), participant("ZAF")
    trade(bwa, "export", zaf, 20_000, 3_000_000)

    with CaptureQueriesContext(connection) as queries:
        reconciliation = reconciliation_by_quarter(year=YEAR)

    assert reconciliation.rows == []
    assert len(queries.captured_queries) == 1


def test_the_quick_flag_agrees_with_the_gaps_it_stands_for() -> None:
    tolerance = Tolerance()
    values = [Decimal(v) for v in ("0", "1", "500", "999", "1000", "1001", "9000", "10000")]
    for a in values:
        for b in values:
            gap = gap_measure("carats", a, b, tolerance.relative, tolerance.min_carats)
            assert _past(a, b, tolerance.relative, tolerance.min_carats) == gap.flagged, (a, b)


def test_the_statistics_compared_are_those_the_anomaly_analysis_reads() -> None:
    assert STATISTICS_STATUSES == ANALYSED_STATUSES


# --- The anomaly rule ----------------------------------------------------------------------------


def mismatch(exporter: str, period: str) -> Anomaly:
    return Anomaly.objects.get(
        rule="certificate_mismatch", participant__code=exporter, period=period, still_present=True
    )


def test_the_analysis_reports_a_certificate_mismatch_in_words_and_figures(planted) -> None:
    report = anomaly_analysis_run(year=YEAR)

    quarter = mismatch("BWA", "Q1")
    assert quarter.partner == planted["ZAF"]
    assert quarter.fingerprint == "certificate_mismatch|BWA|ZAF|2023|Q1"
    # The worst measure: carats 50% against 10% (5 times) and 6,000 ct against 1,000 (6 times).
    assert quarter.severity == "high"
    assert quarter.message.startswith(
        "In Q1 2023, BWA recorded 10 certificates for shipments to ZAF: 15,000.00 ct worth "
        "US$ 2,250,000.00 (US$ 150.00/ct)."
    )
    assert (
        "BWA's statistics report exports to ZAF of 9,000.00 ct worth US$ 1,350,000.00 "
        "(US$ 150.00/ct) on 6 certificates." in quarter.message
    )
    assert (
        "differ by 6,000.00 ct (50.0%), US$ 900,000.00 (50.0%) and 4 certificates (50.0%)"
        in quarter.message
    )
    assert quarter.figures["certificates"] == 10
    assert quarter.figures["certificate_carats"] == "15000.00"
    assert quarter.figures["export_carats"] == "9000.00"
    assert quarter.figures["export_certificates"] == 6
    assert quarter.figures["gap_carats"] == "6000.00"
    assert quarter.figures["gap_carats_pct"] == "50.0"
    assert quarter.figures["gap_certificates"] == 4
    assert mismatch("BWA", "Y").figures["gap_carats"] == "6000.00"
    assert report.found["certificate_mismatch"] == 2
    assert not Anomaly.objects.filter(rule="certificate_mismatch", participant__code="XCT")


def test_the_analysis_reports_missing_confirmations(planted) -> None:
    nam, bel = participant("NAM"), participant("BEL")
    issue(nam, bel, 5, 1_000, 150_000, period="Q2")
    issue(nam, bel, 3, 1_000, 150_000, period="Q2", status=Certificate.Status.EXPIRED)
    issue(nam, bel, 1, 1_000, 150_000, period="Q2", status=Certificate.Status.ISSUED)
    reported(nam, bel, 9_000, 1_350_000, 9, period="Q2")

    anomaly_analysis_run(year=YEAR)

    found = mismatch("NAM", "Q2")
    assert (
        "Of the 8 certificates due an import confirmation (8,000.00 ct), BEL confirmed 5, "
        "with 5,000.00 ct received: a gap of 3 certificates (46.2%) and 3,000.00 ct (46.2%)."
        in found.message
    )
    assert "1 more certificate still awaits its confirmation." in found.message
    assert "statistics report" not in found.message  # the exports match
    assert found.figures["gap_confirmations"] == 3
    assert found.figures["awaiting_confirmation"] == 1


def test_a_corrected_figure_marks_the_mismatch_gone(planted) -> None:
    anomaly_analysis_run(year=YEAR)
    TradeRecord.objects.filter(
        submission__participant=planted["BWA"], partner=planted["ZAF"]
    ).update(carats=Decimal("15000.00"), value_usd=Decimal("2250000.00"), certificates=10)

    anomaly_analysis_run(year=YEAR)

    assert not Anomaly.objects.filter(rule="certificate_mismatch", still_present=True)
    assert Anomaly.objects.filter(rule="certificate_mismatch", still_present=False).count() == 2


def test_the_rules_thresholds_can_be_changed_for_a_run(planted) -> None:
    anomaly_analysis_run(year=YEAR, settings=AnomalySettings(certificate_tolerance=Decimal("0.80")))

    assert not Anomaly.objects.filter(rule="certificate_mismatch")


def test_certificate_mismatches_are_listed_by_the_anomalies_api(
    api_client, secretariat_user, planted
) -> None:
    # The secretariat has no machine key: it calls as a person logged in through the site.
    api_client.force_authenticate(secretariat_user)

    response = api_client.get(
        "/api/v1/statistics/anomalies/", {"year": YEAR, "rule": "certificate_mismatch"}
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert {(r["participant"], r["partner"], r["period"]) for r in results} == {
        ("BWA", "ZAF", "Q1"),
        ("BWA", "ZAF", "Y"),
    }
    assert results[0]["figures"]["gap_carats"] == "6000.00"


def test_the_api_schema_lists_the_rule(api_client) -> None:
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    assert "certificate_mismatch" in str(schema["components"]["schemas"])


def test_the_secretariat_anomaly_pages_show_and_question_a_certificate_mismatch(
    client, secretariat_user, planted
) -> None:
    anomaly_analysis_run(year=YEAR)
    client.force_login(secretariat_user)
    anomaly = mismatch("BWA", "Q1")

    listing = client.get(
        reverse("statistics_secretariat:anomalies"),
        {"year": YEAR, "rule": "certificate_mismatch"},
    )
    asked = client.post(
        reverse("statistics_secretariat:question-ask", args=[anomaly.pk]),
        {"question": anomaly.message},
    )

    assert listing.status_code == 200
    html = listing.content.decode()
    assert f'id="anomaly-{anomaly.pk}"' in html
    assert "certificate mismatch" in html
    assert asked.status_code == 302
    question = AnomalyQuestion.objects.get(anomaly=anomaly)
    assert question.participant == planted["BWA"]


# --- The secretariat's page ----------------------------------------------------------------------


@pytest.fixture
def sec_client(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


def test_the_page_highlights_the_planted_gap_and_not_the_clean_pair(sec_client, planted) -> None:
    response = sec_client.get(URL, {"year": YEAR})

    assert response.status_code == 200
    html = response.content.decode()
    assert '<tr id="row-BWA-ZAF-Q1" class="flagged">' in html
    assert '<tr id="row-BWA-ZAF-Y" class="flagged">' in html
    assert '<tr id="row-XCT-XCP-Q1">' in html
    assert '<tr id="row-XCT-XCP-Y">' in html
    assert "6,000.00 (50.0%)<span" in html  # the carats gap, flagged
    assert html.count('class="badge bad"') == 6  # carats, US$ and count, in Q1 and the year
    assert "4 rows, 2 with a gap beyond tolerance." in html
    assert 'aria-current="page">Certificates and statistics</a>' in html


def test_the_page_filters_by_exporter_importer_and_gaps(sec_client, planted) -> None:
    by_exporter = sec_client.get(URL, {"year": YEAR, "exporter": "xct"}).content.decode()
    gaps_only = sec_client.get(URL, {"year": YEAR, "gaps": "on"}).content.decode()
    by_importer = sec_client.get(URL, {"year": YEAR, "importer": "XCP"}).content.decode()

    assert "row-XCT-XCP-Q1" in by_exporter and "row-BWA" not in by_exporter
    assert "row-BWA-ZAF-Q1" in gaps_only and "row-XCT" not in gaps_only
    assert "row-XCT-XCP-Q1" in by_importer and "row-BWA" not in by_importer


def test_the_csv_holds_the_same_table(sec_client, planted) -> None:
    response = sec_client.get(CSV_URL, {"year": YEAR, "exporter": "BWA"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "kpcs-reconciliation-2023-exporter-BWA.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["exporter"], r["importer"], r["period"]) for r in rows] == [
        ("BWA", "ZAF", "Q1"),
        ("BWA", "ZAF", "Y"),
    ]
    q1 = rows[0]
    assert q1["certificates"] == "10"
    assert q1["certificate_carats"] == "15000.00"
    assert q1["export_carats"] == "9000.00"
    assert q1["export_gap_carats"] == "6000.00"
    assert q1["export_gap_certificates"] == "4"
    assert q1["export_flagged"] == "true"
    assert q1["import_flagged"] == "false"
    assert q1["confirmed"] == "10"


def test_the_page_links_its_csv_with_the_same_filters(sec_client, planted) -> None:
    html = sec_client.get(URL, {"year": YEAR, "importer": "ZAF"}).content.decode()

    assert f'href="{CSV_URL}?year=2023&amp;importer=ZAF"' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"year": "20x3"}, "Give the year as four digits"),
        ({"year": "1999"}, "give a year from 2000 to 2100"),
        ({"year": "2023", "exporter": "QQQ"}, "No participant has the code “QQQ”."),
        ({"year": "2023", "importer": "TOOLONG"}, "A participant code has three letters"),
    ],
)
def test_bad_filters_answer_400_with_the_reason(sec_client, planted, query, message) -> None:
    page = sec_client.get(URL, query)
    download = sec_client.get(CSV_URL, query)

    assert page.status_code == 400
    assert message in page.content.decode()
    assert 'id="reconciliation"' not in page.content.decode()
    assert download.status_code == 400
    assert message in download.content.decode()


def test_a_bad_participant_code_keeps_the_year_asked_for(sec_client, planted) -> None:
    html = sec_client.get(URL, {"year": "2021", "importer": "QQQ"}).content.decode()

    assert "<h1>Certificates and statistics 2021</h1>" in html


def test_a_page_number_out_of_range_is_a_404_with_a_message(sec_client, planted) -> None:
    response = sec_client.get(URL, {"year": YEAR, "page": "9"})

    assert response.status_code == 404


@pytest.mark.parametrize("address", [URL, CSV_URL])
@pytest.mark.parametrize("role", ["authority", "reviewer", "observer"])
def test_other_roles_are_refused_the_reconciliation(client, planted, address, role) -> None:
    client.force_login(UserFactory(role=role))

    assert client.get(address, {"year": YEAR}).status_code == 403


@pytest.mark.parametrize("address", [URL, CSV_URL])
def test_anonymous_visitors_are_sent_to_log_in(client, address) -> None:
    response = client.get(address, {"year": YEAR})

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
