"""The anomaly analysis: each rule finds what was planted, leaves a clean participant alone,
reads only accepted and published figures, and keeps one row per finding across runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kpcs.common.models import BackgroundJob
from kpcs.participants.models import Participant, StatusEvent
from kpcs.participants.tests.factories import ParticipantFactory, StatusEventFactory
from kpcs.statistics.anomalies import AnomalySettings, anomaly_analysis_run
from kpcs.statistics.models import (
    Anomaly,
    Dataset,
    HSCode,
    ReportingDeadline,
    Submission,
    TradeRecord,
)
from kpcs.statistics.tasks import (
    anomaly_analysis_job_start,
    anomaly_analysis_nightly,
)
from kpcs.statistics.tests.factories import (
    ProductionRecordFactory,
    StockDeclarationFactory,
    SubmissionFactory,
    TradeRecordFactory,
)

pytestmark = pytest.mark.django_db

YEAR = 2023
ACCEPTED = Submission.Status.ACCEPTED
QUARTERS = ("Q1", "Q2", "Q3", "Q4")


# Building figures ------------------------------------------------------------------------------


def participant(code: str) -> Participant:
    return ParticipantFactory(country__alpha3=code, country__name=f"Country {code}")


def submission(
    who: Participant,
    *,
    year: int = YEAR,
    period: str = "Q1",
    dataset: str = Dataset.TRADE,
    status: str = ACCEPTED,
) -> Submission:
    existing = Submission.objects.filter(
        participant=who, year=year, dataset=dataset, period=period
    ).first()
    return existing or SubmissionFactory(
        participant=who, year=year, dataset=dataset, period=period, status=status
    )


def trade(
    reporter: Participant,
    flow: str,
    partner: Participant,
    carats: int | str,
    value_usd: int | str,
    *,
    year: int = YEAR,
    period: str = "Q1",
    hs_code: str = HSCode.NON_INDUSTRIAL,
    status: str = ACCEPTED,
) -> TradeRecord:
    return TradeRecordFactory(
        submission=submission(reporter, year=year, period=period, status=status),
        flow=flow,
        partner=partner,
        hs_code=hs_code,
        carats=Decimal(carats),
        value_usd=Decimal(value_usd),
    )


def shipment(
    exporter: Participant,
    importer: Participant,
    carats: int | str,
    value_usd: int | str,
    *,
    year: int = YEAR,
    period: str = "Q1",
    hs_code: str = HSCode.NON_INDUSTRIAL,
) -> None:
    """Trade both sides report alike: the exporter's export and the importer's import."""
    trade(
        exporter, "export", importer, carats, value_usd, year=year, period=period, hs_code=hs_code
    )
    trade(
        importer, "import", exporter, carats, value_usd, year=year, period=period, hs_code=hs_code
    )


def production(
    who: Participant,
    carats: int | str,
    value_usd: int | str,
    *,
    year: int = YEAR,
    period: str = "H1",
    status: str = ACCEPTED,
) -> None:
    ProductionRecordFactory(
        submission=submission(
            who, year=year, period=period, dataset=Dataset.PRODUCTION, status=status
        ),
        carats=Decimal(carats),
        value_usd=Decimal(value_usd),
    )


@pytest.fixture
def control() -> tuple[Participant, Participant]:
    """A clean pair: XCT produces and exports to XCP every quarter, both report alike, at a
    steady US$ 150/ct, with three years of steady history. No rule may flag either."""
    xct, xcp = participant("XCT"), participant("XCP")
    for year, unit_value in ((2020, 148), (2021, 150), (2022, 152)):
        production(xct, 120_000, 18_000_000, year=year, period="Y")
        shipment(xct, xcp, 40_000, 40_000 * unit_value, year=year, period="Y")
    production(xct, 60_000, 9_000_000, period="H1")
    production(xct, 60_000, 9_000_000, period="H2")
    for quarter in QUARTERS:
        shipment(xct, xcp, 10_000, 1_500_000, period=quarter)
    return xct, xcp


def anomalies_about(*participants: Participant) -> list[Anomaly]:
    return [
        a
        for a in Anomaly.objects.filter(still_present=True)
        if a.participant in participants or a.partner in participants
    ]


def found(rule: str, code: str, period: str = "Y", **filters: object) -> Anomaly:
    return Anomaly.objects.get(
        rule=rule, participant__code=code, period=period, still_present=True, **filters
    )


# Mirror discrepancies ------------------------------------------------------------------------


def test_mirror_discrepancy_is_flagged_per_quarter_and_for_the_year_with_its_figures(
    control,
) -> None:
    bwa, zaf = participant("BWA"), participant("ZAF")
    trade(bwa, "export", zaf, 20_000, 3_000_000, period="Q1")
    trade(zaf, "import", bwa, 12_000, 1_800_000, period="Q1")
    submission(zaf, period="Q2")  # ZAF reported Q2 too: nothing from BWA arrived then

    report = anomaly_analysis_run(year=YEAR)

    quarter = found("mirror_discrepancy", "BWA", "Q1", partner=zaf)
    assert quarter.year == YEAR
    assert quarter.severity == "high"  # 50% against 10%, 8,000 ct against 1,000: 5 times
    assert quarter.figures["export_carats"] == "20000.00"
    assert quarter.figures["import_carats"] == "12000.00"
    assert quarter.figures["gap_carats"] == "8000.00"
    assert quarter.figures["gap_carats_pct"] == "50.0"
    assert quarter.figures["gap_value_usd"] == "1200000.00"
    assert quarter.figures["export_usd_per_carat"] == "150.00"
    assert quarter.figures["shift"]["import_carats"] == "0.00"
    assert "BWA reported exports to ZAF of 20,000.00 ct worth US$ 3,000,000.00" in (quarter.message)
    assert "(US$ 150.00/ct)" in quarter.message
    assert "ZAF reported imports from BWA of 12,000.00 ct worth US$ 1,800,000.00" in (
        quarter.message
    )
    assert "The gap is 8,000.00 ct (50.0%) and US$ 1,200,000.00 (50.0%)" in quarter.message
    assert "one quarter later (Q2 2023)" in quarter.message
    year = found("mirror_discrepancy", "BWA", "Y", partner=zaf)
    assert year.figures["gap_carats"] == "8000.00"
    assert quarter.fingerprint == "mirror_discrepancy|BWA|ZAF|2023|Q1"
    assert report.found["mirror_discrepancy"] == 2
    assert anomalies_about(*control) == []


def test_a_one_quarter_shift_explains_goods_in_transit_but_not_a_real_gap(control) -> None:
    nam, are, ago, bel, cod = (participant(c) for c in ("NAM", "ARE", "AGO", "BEL", "COD"))
    # Shipped in Q3, recorded on arrival in Q4.
    trade(nam, "export", are, 15_000, 2_250_000, period="Q3")
    trade(are, "import", nam, 15_000, 2_250_000, period="Q4")
    # Shipped in Q4, recorded in Q1 of the next year.
    trade(ago, "export", bel, 8_000, 1_200_000, period="Q4")
    trade(bel, "import", ago, 8_000, 1_200_000, year=YEAR + 1, period="Q1")
    # A real gap: never recorded by the importer, in no quarter.
    trade(cod, "export", are, 5_000, 750_000, period="Q3")
    submission(are, period="Q3")

    anomaly_analysis_run(year=YEAR)

    mirror = Anomaly.objects.filter(rule="mirror_discrepancy", still_present=True)
    assert not mirror.filter(participant__in=[nam, ago])
    assert sorted(mirror.filter(participant=cod).values_list("period", flat=True)) == ["Q3", "Y"]
    gap = found("mirror_discrepancy", "COD", "Q3")
    assert "ARE reported no imports from COD" in gap.message
    assert "Goods in transit do not explain it" in gap.message
    assert anomalies_about(*control) == []


def test_without_next_years_figures_a_fourth_quarter_gap_stays_flagged(control) -> None:
    ago, bel = participant("AGO"), participant("BEL")
    trade(ago, "export", bel, 8_000, 1_200_000, period="Q4")
    submission(bel, period="Q4")

    anomaly_analysis_run(year=YEAR)

    assert found("mirror_discrepancy", "AGO", "Q4").figures["shift"]["periods"] == "Q1 2024"


def test_one_sided_trade_is_a_discrepancy_only_above_the_minimum_size(control) -> None:
    sle, lso, bel = participant("SLE"), participant("LSO"), participant("BEL")
    trade(sle, "export", bel, 5_000, 750_000, period="Q2")
    trade(lso, "export", bel, 500, 60_000, period="Q2")  # below 1,000 ct and US$ 100,000

    anomaly_analysis_run(year=YEAR)

    one_sided = found("mirror_discrepancy", "SLE", "Q2", partner=bel)
    assert one_sided.figures["import_carats"] == "0.00"
    assert one_sided.figures["gap_carats_pct"] == "200.0"
    assert "BEL reported no imports from SLE" in one_sided.message
    assert not Anomaly.objects.filter(participant=lso)


def test_trade_reported_for_the_whole_year_is_compared_for_the_year_only(control) -> None:
    gin, bel = participant("GIN"), participant("BEL")
    trade(gin, "export", bel, 10_000, 1_500_000, period="Y")
    trade(bel, "import", gin, 3_000, 450_000, period="Q1")

    anomaly_analysis_run(year=YEAR)

    flagged = Anomaly.objects.filter(rule="mirror_discrepancy", participant=gin)
    assert list(flagged.values_list("period", flat=True)) == ["Y"]
    assert "compared for the year only" in flagged.get().message
    assert flagged.get().figures["yearly_only"] is True


# Supply gap ---------------------------------------------------------------------------------


def test_exports_above_production_and_imports_are_a_supply_gap(control) -> None:
    civ, tgo, bel = participant("CIV"), participant("TGO"), participant("BEL")
    production(civ, 30_000, 4_500_000, period="H1")
    production(civ, 20_000, 3_000_000, period="H2")
    trade(civ, "import", bel, 20_000, 3_000_000)
    trade(civ, "export", bel, 100_000, 15_000_000, period="Q2")
    # Within the tolerance: exports 5% above what was available.
    production(tgo, 100_000, 15_000_000, period="H1")
    trade(tgo, "export", bel, 105_000, 15_750_000, period="Q2")

    anomaly_analysis_run(year=YEAR)

    gap = found("supply_gap", "CIV")
    assert gap.partner is None
    assert gap.figures["available_carats"] == "70000.00"
    assert gap.figures["gap_carats"] == "30000.00"
    assert gap.figures["gap_pct"] == "42.9"
    assert gap.figures["stock_carats"] == "0.00"
    assert gap.figures["stock_declared"] is False
    assert gap.severity == "high"  # 42.9% against 10%, 30,000 ct against 1,000: over 4 times
    assert "CIV exported 100,000.00 ct worth US$ 15,000,000.00 (US$ 150.00/ct)" in gap.message
    assert "produced 50,000.00 ct" in gap.message
    assert "imported 20,000.00 ct" in gap.message
    assert "by 30,000.00 ct (42.9%)" in gap.message
    assert "No opening stock is declared for 2023, so stock is counted as zero" in gap.message
    assert not Anomaly.objects.filter(rule="supply_gap", participant=tgo)
    assert anomalies_about(*control) == []


def civ_exporting_more_than_it_produced_and_imported() -> Participant:
    """CIV: 50,000 ct produced and 20,000 ct imported, 100,000 ct exported in YEAR."""
    civ, bel = participant("CIV"), participant("BEL")
    production(civ, 30_000, 4_500_000, period="H1")
    production(civ, 20_000, 3_000_000, period="H2")
    trade(civ, "import", bel, 20_000, 3_000_000)
    trade(civ, "export", bel, 100_000, 15_000_000, period="Q2")
    return civ


def test_declared_stock_that_explains_the_gap_leaves_no_supply_gap(control) -> None:
    civ = civ_exporting_more_than_it_produced_and_imported()
    # 70,000 ct produced and imported + 30,000 ct in stock cover the 100,000 ct exported.
    StockDeclarationFactory(participant=civ, year=YEAR, carats=30_000, value_usd=4_200_000)

    report = anomaly_analysis_run(year=YEAR)

    assert report.found["supply_gap"] == 0
    assert not Anomaly.objects.filter(rule="supply_gap", participant=civ)
    assert anomalies_about(*control) == []


def test_a_gap_larger_than_production_imports_and_stock_is_flagged_naming_the_stock(
    control,
) -> None:
    civ = civ_exporting_more_than_it_produced_and_imported()
    StockDeclarationFactory(participant=civ, year=YEAR, carats=10_000, value_usd=1_400_000)
    # A control without any declaration: 20,000 ct exported, 5,000 ct produced.
    tgo, bel = participant("TGO"), participant("BEL")
    production(tgo, 5_000, 750_000, period="H1")
    trade(tgo, "export", bel, 20_000, 3_000_000, period="Q2")

    anomaly_analysis_run(year=YEAR)

    gap = found("supply_gap", "CIV")
    assert gap.figures["stock_declared"] is True
    assert gap.figures["stock_carats"] == "10000.00"
    assert gap.figures["stock_value_usd"] == "1400000.00"
    assert gap.figures["available_carats"] == "80000.00"
    assert gap.figures["gap_carats"] == "20000.00"
    assert gap.figures["gap_pct"] == "25.0"
    assert (
        "produced 50,000.00 ct (US$ 7,500,000.00), imported 20,000.00 ct (US$ 3,000,000.00) "
        "and declared an opening stock of 10,000.00 ct (US$ 1,400,000.00): 80,000.00 ct "
        "available."
    ) in gap.message
    assert "by 20,000.00 ct (25.0%)" in gap.message
    assert "counted as zero" not in gap.message
    without_stock = found("supply_gap", "TGO")
    assert without_stock.figures["stock_declared"] is False
    assert without_stock.figures["stock_carats"] == "0.00"
    assert "No opening stock is declared for 2023, so stock is counted as zero" in (
        without_stock.message
    )
    assert anomalies_about(*control) == []


def test_stock_declared_for_another_year_does_not_count(control) -> None:
    civ = civ_exporting_more_than_it_produced_and_imported()
    StockDeclarationFactory(participant=civ, year=YEAR - 1, carats=50_000, value_usd=7_000_000)
    StockDeclarationFactory(participant=civ, year=YEAR + 1, carats=50_000, value_usd=7_000_000)

    anomaly_analysis_run(year=YEAR)

    gap = found("supply_gap", "CIV")
    assert gap.figures["stock_carats"] == "0.00"
    assert gap.figures["gap_carats"] == "30000.00"


def test_a_changed_stock_declaration_updates_the_known_supply_gap(control) -> None:
    civ = civ_exporting_more_than_it_produced_and_imported()
    anomaly_analysis_run(year=YEAR)
    first = found("supply_gap", "CIV")
    StockDeclarationFactory(participant=civ, year=YEAR, carats=40_000, value_usd=5_600_000)

    anomaly_analysis_run(year=YEAR)

    first.refresh_from_db()
    assert first.still_present is False


# Unit values --------------------------------------------------------------------------------


def test_a_unit_value_far_from_the_participants_own_history_is_an_outlier(control) -> None:
    his, bel = participant("HIS"), participant("BEL")
    for year, unit_value in ((2019, 140), (2020, 150), (2021, 155), (2022, 160)):
        trade(his, "export", bel, 10_000, 10_000 * unit_value, year=year, period="Y")
    trade(his, "export", bel, 10_000, 4_000_000)  # US$ 400/ct

    anomaly_analysis_run(year=YEAR)

    outlier = found("unit_value_outlier", "HIS")
    figures = outlier.figures
    assert figures["flow"] == "export"
    assert figures["hs_code"] == "7102.31"
    assert figures["usd_per_carat"] == "400.00"
    assert figures["history_years"] == 4
    assert figures["history_median_usd_per_carat"] == "152.50"
    # MAD 5.00 is below the floor of 5% of the median (7.625): 0.6745 × 247.5 / 7.625.
    assert figures["modified_z_score"] == "21.89"
    assert figures["history_gap_usd_per_carat"] == "247.50"
    assert figures["flagged_against_history"] is True
    assert figures["flagged_against_world"] is False
    assert "US$ 400.00/ct" in outlier.message
    assert "median of US$ 152.50/ct over 2019–2022 (4 years)" in outlier.message
    assert "modified z-score of +21.89" in outlier.message
    assert "US$ 247.50/ct (162.3%) above its own median" in outlier.message
    assert outlier.fingerprint == "unit_value_outlier|HIS||2023|Y|export|7102.31"
    assert anomalies_about(*control) == []


def test_a_unit_value_far_from_the_world_for_its_hs_code_is_an_outlier(control) -> None:
    uvx, uvl, w1, w2 = (participant(c) for c in ("UVX", "UVL", "WOA", "WOB"))
    shipment(w1, w2, 100_000, 10_000_000, hs_code=HSCode.UNSORTED)  # US$ 100/ct
    trade(uvx, "export", w2, 5_000, 15_000_000, hs_code=HSCode.UNSORTED)  # US$ 3,000/ct
    trade(uvl, "export", w2, 2_000, 20_000, hs_code=HSCode.UNSORTED)  # US$ 10/ct

    anomaly_analysis_run(year=YEAR)

    high = found("unit_value_outlier", "UVX")
    # The world is every other participant's figures: WOA's exports and WOB's imports at
    # US$ 100/ct and UVL's 2,000 ct at US$ 10/ct.
    assert high.figures["world_carats"] == "202000.00"
    assert high.figures["world_usd_per_carat"] == "99.11"
    assert high.figures["world_ratio"] == "30.27"
    assert high.figures["flagged_against_world"] is True
    assert high.figures["modified_z_score"] is None  # no history
    assert "US$ 3,000.00/ct" in high.message
    assert "US$ 99.11/ct: this is 30.27 times that, US$ 2,900.89/ct (2,927.0%) above it" in (
        high.message
    )
    low = found("unit_value_outlier", "UVL")
    assert low.figures["world_usd_per_carat"] == "170.73"
    assert low.figures["world_ratio"] == "0.06"
    assert not Anomaly.objects.filter(rule="unit_value_outlier", participant__in=[w1, w2])
    assert anomalies_about(*control) == []


# Jumps ----------------------------------------------------------------------------------------


def test_jumps_between_quarters_halves_and_years_are_flagged_above_a_small_base(
    control,
) -> None:
    jmp, smb, bel = participant("JMP"), participant("SMB"), participant("BEL")
    trade(jmp, "export", bel, 10_000, 1_500_000, period="Q1")
    trade(jmp, "export", bel, 50_000, 7_500_000, period="Q2")  # +400%
    production(jmp, 20_000, 3_000_000, year=YEAR - 1, period="Y")
    production(jmp, 100_000, 15_000_000, period="H1")
    production(jmp, 20_000, 3_000_000, period="H2")  # a fall to a fifth
    trade(smb, "export", bel, 500, 75_000, period="Q1")
    trade(smb, "export", bel, 5_000, 750_000, period="Q2")  # +900%, but from 500 ct

    anomaly_analysis_run(year=YEAR)

    quarter = found("jump", "JMP", "Q2")
    assert quarter.figures["measure"] == "export"
    assert quarter.figures["base_carats"] == "10000.00"
    assert quarter.figures["change_carats"] == "40000.00"
    assert quarter.figures["change_pct"] == "400.0"
    assert "JMP's exports rose from 10,000.00 ct worth US$ 1,500,000.00" in quarter.message
    assert "in Q1 2023 to 50,000.00 ct" in quarter.message
    assert "+40,000.00 ct (+400.0%)" in quarter.message
    half = found("jump", "JMP", "H2")
    assert half.figures["change_pct"] == "-80.0"
    assert "JMP's production fell from 100,000.00 ct" in half.message
    year = found("jump", "JMP", "Y")
    assert year.figures["base_carats"] == "20000.00"
    assert year.figures["carats"] == "120000.00"
    assert year.figures["change_pct"] == "500.0"
    assert not Anomaly.objects.filter(rule="jump", participant=smb)
    assert anomalies_about(*control) == []


def test_an_unfinished_year_is_not_compared_with_the_previous_one(control) -> None:
    jmp = participant("JMP")
    production(jmp, 200_000, 30_000_000, year=YEAR - 1, period="Y")
    production(jmp, 100_000, 15_000_000, period="H1")  # H2 not yet reported

    anomaly_analysis_run(year=YEAR)

    assert not Anomaly.objects.filter(rule="jump", participant=jmp)


# Missing data -----------------------------------------------------------------------------------


def test_producers_and_traders_of_the_previous_years_without_figures_are_flagged(
    control,
) -> None:
    mis, trd, old, gone, bel = (participant(c) for c in ("MIS", "TRD", "OLD", "GON", "BEL"))
    production(mis, 80_000, 12_000_000, year=YEAR - 2, period="Y")
    trade(trd, "export", bel, 9_000, 1_350_000, year=YEAR - 1, period="Y")
    trade(trd, "export", bel, 9_000, 1_350_000, status=Submission.Status.SUBMITTED)
    production(old, 50_000, 7_500_000, year=YEAR - 4, period="Y")  # beyond three years
    production(gone, 50_000, 7_500_000, year=YEAR - 1, period="Y")
    StatusEventFactory(participant=gone, date=f"{YEAR}-06-01", event=StatusEvent.Event.WITHDRAWN)

    anomaly_analysis_run(year=YEAR)

    producer = found("missing_data", "MIS")
    assert producer.figures["dataset"] == "production"
    assert producer.figures["last_reported_year"] == YEAR - 2
    assert producer.figures["last_reported_carats"] == "80000.00"
    assert producer.severity == "high"
    assert "MIS reported production of 80,000.00 ct worth US$ 12,000,000.00" in (producer.message)
    assert "no production figures for 2023 have been accepted" in producer.message
    trader = found("missing_data", "TRD")
    assert trader.figures["dataset"] == "trade"
    assert trader.figures["submissions_in_workflow"] == ["submitted"]
    assert "in the workflow (submitted)" in trader.message
    assert not Anomaly.objects.filter(rule="missing_data", participant__in=[old, gone])
    assert anomalies_about(*control) == []


def test_missing_data_waits_for_the_first_deadline_of_the_year(control) -> None:
    mis = participant("MIS")
    this_year = timezone.localdate().year
    production(mis, 80_000, 12_000_000, year=this_year - 1, period="Y")
    ReportingDeadline.objects.create(
        year=this_year, period="H1", due_date=dt.date(this_year + 1, 1, 31)
    )

    anomaly_analysis_run(year=this_year)

    assert not Anomaly.objects.filter(rule="missing_data", participant=mis)


# What is analysed -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [Submission.Status.DRAFT, Submission.Status.SUBMITTED, Submission.Status.QUERIED],
)
def test_figures_not_yet_accepted_are_ignored(control, status) -> None:
    bwa, zaf = participant("BWA"), participant("ZAF")
    # Accepted: BWA's exports. Not accepted: ZAF's matching imports and a wild quarter.
    trade(bwa, "export", zaf, 20_000, 3_000_000)
    trade(zaf, "import", bwa, 20_000, 3_000_000, status=status)
    trade(zaf, "export", bwa, 900_000, 900, period="Q2", status=status)

    anomaly_analysis_run(year=YEAR)

    assert found("mirror_discrepancy", "BWA", "Q1").figures["import_carats"] == "0.00"
    assert not Anomaly.objects.filter(participant=zaf)


def test_published_figures_are_analysed(control) -> None:
    bwa, zaf = participant("BWA"), participant("ZAF")
    trade(bwa, "export", zaf, 20_000, 3_000_000, status=Submission.Status.PUBLISHED)

    anomaly_analysis_run(year=YEAR)

    assert found("mirror_discrepancy", "BWA", "Q1")


# Runs over time ---------------------------------------------------------------------------------


def test_a_second_run_updates_in_place_and_a_correction_marks_the_anomaly_gone(
    control,
) -> None:
    bwa, zaf = participant("BWA"), participant("ZAF")
    trade(bwa, "export", zaf, 20_000, 3_000_000)
    imports = trade(zaf, "import", bwa, 12_000, 1_800_000)

    first = anomaly_analysis_run(year=YEAR)
    quarter = found("mirror_discrepancy", "BWA", "Q1")
    Anomaly.objects.filter(pk=quarter.pk).update(status=Anomaly.Status.QUESTIONED)
    rows = Anomaly.objects.count()

    second = anomaly_analysis_run(year=YEAR)

    assert Anomaly.objects.count() == rows
    assert (first.created, second.created, second.updated) == (rows, 0, rows)
    again = Anomaly.objects.get(pk=quarter.pk)
    assert again.last_found_at > quarter.last_found_at
    assert again.first_found_at == quarter.first_found_at
    assert again.status == "questioned"  # the secretariat's, not the analysis's

    imports.carats, imports.value_usd = Decimal("20000"), Decimal("3000000")
    imports.save()
    third = anomaly_analysis_run(year=YEAR)

    corrected = Anomaly.objects.get(pk=quarter.pk)
    assert corrected.still_present is False
    assert corrected.status == "questioned"
    assert third.no_longer_present == 2  # the quarter and the year
    assert Anomaly.objects.count() == rows


def test_a_changed_figure_updates_the_message_severity_and_figures(control) -> None:
    bwa, zaf = participant("BWA"), participant("ZAF")
    trade(bwa, "export", zaf, 20_000, 3_000_000)
    imports = trade(zaf, "import", bwa, 12_000, 1_800_000)
    anomaly_analysis_run(year=YEAR)
    imports.carats, imports.value_usd = Decimal("17500"), Decimal("2625000")
    imports.save()

    anomaly_analysis_run(year=YEAR)

    quarter = found("mirror_discrepancy", "BWA", "Q1")
    assert quarter.figures["gap_carats"] == "2500.00"
    assert quarter.severity == "low"  # 13.3% against 10%
    assert "17,500.00 ct" in quarter.message


def test_thresholds_can_be_changed_for_a_run(control) -> None:
    bwa, zaf = participant("BWA"), participant("ZAF")
    trade(bwa, "export", zaf, 20_000, 3_000_000)
    trade(zaf, "import", bwa, 17_500, 2_625_000)

    anomaly_analysis_run(year=YEAR, settings=AnomalySettings(mirror_tolerance=Decimal("0.2")))

    assert not Anomaly.objects.filter(rule="mirror_discrepancy")


def _plant_pairs(count: int, offset: int) -> None:
    """`count` pairs of participants, each with every rule's trigger."""
    for n in range(offset, offset + count):
        a = participant(f"XA{chr(65 + n)}")
        b = participant(f"XB{chr(65 + n)}")
        production(a, 1_000, 150_000, year=YEAR - 1, period="Y")
        trade(a, "export", b, 20_000, 3_000_000, period="Q1")
        trade(a, "export", b, 90_000, 90_000, period="Q2")
        trade(b, "import", a, 12_000, 1_800_000, year=YEAR - 1, period="Y")


def test_the_number_of_queries_of_a_run_does_not_grow_with_the_participants(control) -> None:
    _plant_pairs(2, 0)
    with CaptureQueriesContext(connection) as few:
        small = anomaly_analysis_run(year=YEAR)
    _plant_pairs(8, 2)
    with CaptureQueriesContext(connection) as many:
        large = anomaly_analysis_run(year=YEAR)

    assert large.total > small.total
    assert len(many.captured_queries) == len(few.captured_queries)
    # Six rules (the certificate rule's one query: no certificates here), the stored
    # fingerprints, one upsert, one update; settings and savepoints.
    assert len(many.captured_queries) <= 14


# Tasks --------------------------------------------------------------------------------------


def test_the_nightly_task_analyses_this_year_and_the_previous_one(control) -> None:
    this_year = timezone.localdate().year
    bwa, zaf = participant("BWA"), participant("ZAF")
    for year in (this_year - 1, this_year):
        trade(bwa, "export", zaf, 20_000, 3_000_000, year=year)

    result = anomaly_analysis_nightly.delay().get()
    rows = Anomaly.objects.count()
    anomaly_analysis_nightly.delay()

    assert set(result) == {str(this_year - 1), str(this_year)}
    for year in (this_year - 1, this_year):
        assert Anomaly.objects.filter(
            year=year, rule="mirror_discrepancy", participant=bwa, period="Q1"
        ).exists()
    assert Anomaly.objects.count() == rows  # idempotent


def test_the_job_task_analyses_a_year_with_progress_per_rule(
    control, django_capture_on_commit_callbacks, secretariat_user
) -> None:
    bwa, zaf = participant("BWA"), participant("ZAF")
    trade(bwa, "export", zaf, 20_000, 3_000_000)

    with django_capture_on_commit_callbacks(execute=True):
        job = anomaly_analysis_job_start(year=YEAR, user=secretariat_user)

    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.SUCCEEDED
    assert job.kind == "anomaly_analysis"
    assert job.created_by == secretariat_user
    assert (job.progress_done, job.progress_total) == (7, 7)
    assert job.result["year"] == YEAR
    assert job.result["found"]["mirror_discrepancy"] == 2
    assert "2023: " in job.result["summary"]
    assert Anomaly.objects.filter(rule="mirror_discrepancy", participant=bwa).count() == 2
