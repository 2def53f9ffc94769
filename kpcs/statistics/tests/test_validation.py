"""The statistics validation engine: one rule per test, each with a minimal file that breaks
it, and the row, column and message a person reads.

Row numbers follow the spreadsheet convention: the header is row 1, the first data row is 2.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpcs.participants.models import Participant
from kpcs.statistics.importing import StatisticsFileError, statistics_file_read
from kpcs.statistics.models import Dataset, Period, Submission
from kpcs.statistics.tests.factories import (
    ProductionRecordFactory,
    StockDeclarationFactory,
    SubmissionFactory,
    TradeRecordFactory,
)
from kpcs.statistics.validation import (
    ERROR,
    HEADER,
    WARNING,
    Finding,
    ValidationContext,
    validate_rows,
)

TODAY = dt.date(2024, 6, 30)
HEADER_LINE = ",".join(HEADER)
# A good export row and a good production row; each test breaks one thing.
TRADE = "BWA,2019,Q1,export,IND,7102.31,1000.50,150000.00,3"
PRODUCTION = "BWA,2019,H1,production,,,2000000.00,300000000.00,"


def csv_file(*lines: str, header: str = HEADER_LINE) -> io.BytesIO:
    return io.BytesIO("\n".join([header, *lines, ""]).encode())


def validate(
    *lines: str, participant: Participant | None = None, header: str = HEADER_LINE
) -> list[Finding]:
    rows = statistics_file_read(csv_file(*lines, header=header), "statistics.csv")
    result = validate_rows(rows, participant=participant, context=ValidationContext(today=TODAY))
    return result.findings


def only_finding(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, [f.message for f in findings]
    return findings[0]


def read_error(data: bytes, name: str = "statistics.csv") -> Finding:
    with pytest.raises(StatisticsFileError) as caught:
        statistics_file_read(io.BytesIO(data), name)
    return only_finding(caught.value.findings)


def participant(code: str) -> Participant:
    return Participant.objects.get(code=code)


# --- A good file -----------------------------------------------------------------------------


def test_clean_file_has_no_finding(reference_data):
    findings = validate(
        TRADE,
        "BWA,2019,Q1,export,EUR,7102.10,20000.00,1500000.00,4",
        "BWA,2019,Q1,import,ZAF,7102.21,300.00,3000.00,1",
        PRODUCTION,
        "EUR,2019,Q1,import,BWA,7102.10,19000.00,1450000.00,4",
        "ARE,2019,Y,export,TWN,7102.31,1500.00,200000.00,2",
        "ARE,2019,Y,import,IND,7102.31,2000.00,250000.00,3",
        "RUS,2019,Y,production,,,40000000.00,3500000000.00,",
    )

    assert findings == []


def test_clean_rows_come_back_typed(reference_data):
    rows = statistics_file_read(csv_file(TRADE, PRODUCTION), "statistics.csv")

    result = validate_rows(rows, context=ValidationContext(today=TODAY))

    trade, production = result.rows
    assert trade.row_number == 2
    assert (trade.participant, trade.year, trade.period, trade.flow) == (
        "BWA",
        2019,
        "Q1",
        "export",
    )
    assert trade.partner == "IND"
    assert trade.partner_id == participant("IND").pk
    assert trade.carats == Decimal("1000.50")
    assert trade.certificates == 3
    assert trade.submission_key == (participant("BWA").pk, 2019, Dataset.TRADE, "Q1")
    assert production.row_number == 3
    assert (production.partner, production.hs_code, production.certificates) == ("", "", None)


def test_codes_and_words_are_read_whatever_their_case(reference_data):
    assert validate("bwa,2019,q1,Export,ind,7102.31,1000.50,150000.00,3") == []


def test_extra_columns_are_allowed_and_ignored(reference_data):
    findings = validate(TRADE + ",a remark", header=HEADER_LINE + ",remarks")

    assert findings == []


def test_blank_lines_are_skipped_without_changing_row_numbers(reference_data):
    findings = validate(TRADE, "", ",,,,,,,,", "BWA,2019,Q1,export,IND,7102.31,-5,150000.00,3")

    assert only_finding(findings).row_number == 5


def test_no_rows_at_all_is_an_error(reference_data):
    result = validate_rows([{}, {"carats": " "}], context=ValidationContext(today=TODAY))

    finding = only_finding(result.findings)
    assert finding.rule == "no_rows"
    assert not result.is_valid


# --- The file itself ---------------------------------------------------------------------------


def test_header_without_a_column_names_the_missing_and_unexpected_ones(reference_data):
    header = "participant,year,period,flow,partner,hs,carats,value_usd,certificates"

    finding = read_error(f"{header}\n{TRADE}\n".encode())

    assert finding.rule == "header"
    assert finding.row_number == 1
    assert "lacks the columns hs_code" in finding.message
    assert "hs" in finding.message.split("does not know:")[1]
    assert finding.message.startswith("Row 1: ")


def test_header_with_a_column_twice_is_refused(reference_data):
    finding = read_error(f"{HEADER_LINE},carats\n{TRADE},5\n".encode())

    assert finding.rule == "header"
    assert "carats more than once" in finding.message


def test_semicolon_separated_file_is_refused_with_the_reason(reference_data):
    finding = read_error((HEADER_LINE.replace(",", ";") + "\n").encode())

    assert "semicolons" in finding.message


def test_byte_order_mark_is_accepted(reference_data):
    data = b"\xef\xbb\xbf" + "\n".join([HEADER_LINE, TRADE, ""]).encode()

    rows = statistics_file_read(io.BytesIO(data), "statistics.csv")

    assert validate_rows(rows, context=ValidationContext(today=TODAY)).findings == []


def test_windows_line_endings_and_quoted_fields_are_read(reference_data):
    data = (
        f'{HEADER_LINE}\r\n"BWA","2019","Q1","export","IND","7102.31","1000.50","150000.00","3"\r\n'
    )

    rows = statistics_file_read(io.BytesIO(data.encode()), "statistics.csv")

    assert validate_rows(rows, context=ValidationContext(today=TODAY)).findings == []


def test_latin_1_file_is_refused_as_not_utf_8(reference_data):
    data = "\n".join([HEADER_LINE, TRADE, "CIV,2019,Q1,export,IND,7102.31,1,1,1 # Côte"]).encode(
        "latin-1"
    )

    finding = read_error(data)

    assert finding.rule == "encoding"
    assert finding.row_number == 3
    assert "not UTF-8" in finding.message
    assert "0xF4" in finding.message


def test_utf_16_file_is_refused(reference_data):
    finding = read_error(f"{HEADER_LINE}\n{TRADE}\n".encode("utf-16"))

    assert finding.rule == "encoding"
    assert "UTF-16" in finding.message


def test_empty_file_is_refused(reference_data):
    finding = read_error(b"")

    assert finding.rule == "empty_file"
    assert "empty" in finding.message


def test_header_only_file_is_refused(reference_data):
    finding = read_error(f"{HEADER_LINE}\n\n".encode())

    assert finding.rule == "no_rows"
    assert "no data rows" in finding.message


def test_zip_that_is_not_a_workbook_is_refused(reference_data):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("statistics.csv", f"{HEADER_LINE}\n{TRADE}\n")

    finding = read_error(buffer.getvalue(), "statistics.xlsx")

    assert finding.rule == "not_xlsx"
    assert "ZIP archive but not an Excel workbook" in finding.message


def test_text_named_xlsx_is_refused(reference_data):
    finding = read_error(f"{HEADER_LINE}\n{TRADE}\n".encode(), "statistics.xlsx")

    assert finding.rule == "not_xlsx"


def test_workbook_named_csv_is_refused(reference_data):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")

    finding = read_error(buffer.getvalue(), "statistics.csv")

    assert finding.rule == "not_csv"


def test_damaged_workbook_is_refused(reference_data):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "not xml at all")

    finding = read_error(buffer.getvalue(), "statistics.xlsx")

    assert finding.rule == "not_xlsx"


def test_other_file_types_are_refused(reference_data):
    assert read_error(b"\xd0\xcf\x11\xe0 old excel", "statistics.xls").rule == "unsupported_format"
    assert read_error(b"%PDF-1.4", "statistics.pdf").rule == "unsupported_format"


def test_cells_beyond_the_header_are_an_error(reference_data):
    finding = only_finding(validate(TRADE + ",surprise"))

    assert finding.rule == "row_length"
    assert finding.row_number == 2
    assert "“surprise”" in finding.message


# --- One rule per column ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "rule", "column", "message"),
    [
        pytest.param(
            ",2019,Q1,export,IND,7102.31,1000.50,150000.00,3",
            "participant_missing",
            "participant",
            "Row 2, column participant: the participant is missing.",
            id="participant-missing",
        ),
        pytest.param(
            "XYZ,2019,Q1,export,IND,7102.31,1000.50,150000.00,3",
            "participant_unknown",
            "participant",
            "Row 2, column participant: “XYZ” is not a participant code (ISO 3166-1 alpha-3, "
            "or EUR for the European Union).",
            id="participant-unknown",
        ),
        pytest.param(
            "BEL,2019,Q1,export,IND,7102.31,1000.50,150000.00,3",
            "participant_unknown",
            "participant",
            "Row 2, column participant: “BEL” (Belgium) is an EU member state, not a "
            "participant: the European Union takes part as one participant under the code EUR.",
            id="participant-eu-member-state",
        ),
        pytest.param(
            "UZB,2010,Q1,export,IND,7102.31,1000.50,150000.00,3",
            "participant_not_admitted",
            "participant",
            "Row 2, column participant: UZB was not a participant in 2010 Q1 (not yet admitted).",
            id="participant-not-yet-admitted",
        ),
        pytest.param(
            "BWA,19,Q1,export,IND,7102.31,1000.50,150000.00,3",
            "year_format",
            "year",
            "Row 2, column year: “19” is not a year; write four digits (e.g. 2019).",
            id="year-not-four-digits",
        ),
        pytest.param(
            "BWA,2002,Y,export,IND,7102.31,1000.50,150000.00,3",
            "year_range",
            "year",
            "Row 2, column year: 2002 is outside 2003–2024 (the KPCS started in 2003).",
            id="year-before-the-kpcs",
        ),
        pytest.param(
            "BWA,2025,Q1,export,IND,7102.31,1000.50,150000.00,3",
            "year_range",
            "year",
            "Row 2, column year: 2025 is outside 2003–2024",
            id="year-in-the-future",
        ),
        pytest.param(
            "BWA,2019,Q5,export,IND,7102.31,1000.50,150000.00,3",
            "period_unknown",
            "period",
            "Row 2, column period: “Q5” is not a period; use Y, H1, H2 or Q1 to Q4.",
            id="period-unknown",
        ),
        pytest.param(
            "BWA,2019,Q1,production,,,1000.50,150000.00,",
            "period_flow",
            "period",
            "Row 2, column period: “Q1” is not a production period; production is reported "
            "as Y, H1 or H2.",
            id="production-in-quarters",
        ),
        pytest.param(
            "BWA,2019,H2,export,IND,7102.31,1000.50,150000.00,3",
            "period_flow",
            "period",
            "Row 2, column period: “H2” is not a trade period; trade is reported as Y or Q1 to Q4.",
            id="trade-in-half-years",
        ),
        pytest.param(
            "BWA,2019,Q1,re-export,IND,7102.31,1000.50,150000.00,3",
            "flow_unknown",
            "flow",
            "Row 2, column flow: “re-export” is not a flow; use production, import or export.",
            id="flow-unknown",
        ),
        pytest.param(
            "BWA,2019,H1,production,IND,,1000.50,150000.00,",
            "partner_unexpected",
            "partner",
            "Row 2, column partner: “IND”: production has no partner; leave the cell empty.",
            id="partner-for-production",
        ),
        pytest.param(
            "BWA,2019,Q1,export,,7102.31,1000.50,150000.00,3",
            "partner_missing",
            "partner",
            "Row 2, column partner: the partner is missing",
            id="partner-missing-for-trade",
        ),
        pytest.param(
            "BWA,2019,Q1,export,QQQ,7102.31,1000.50,150000.00,3",
            "partner_unknown",
            "partner",
            "Row 2, column partner: “QQQ” is not a participant code",
            id="partner-unknown",
        ),
        pytest.param(
            "EUR,2019,Q1,export,BEL,7102.31,1000.50,150000.00,3",
            "partner_unknown",
            "partner",
            "Row 2, column partner: “BEL” (Belgium) is an EU member state, not a participant",
            id="partner-eu-member-state",
        ),
        pytest.param(
            "BWA,2019,Q1,export,BWA,7102.31,1000.50,150000.00,3",
            "partner_self",
            "partner",
            "Row 2, column partner: “BWA” is the reporting participant itself",
            id="partner-is-the-participant",
        ),
        pytest.param(
            "BWA,2019,H1,production,,7102.10,1000.50,150000.00,",
            "hs_code_unexpected",
            "hs_code",
            "Row 2, column hs_code: “7102.10”: production is reported without HS code",
            id="hs-code-for-production",
        ),
        pytest.param(
            "BWA,2019,Q1,export,IND,,1000.50,150000.00,3",
            "hs_code_missing",
            "hs_code",
            "Row 2, column hs_code: the HS code is missing",
            id="hs-code-missing-for-trade",
        ),
        pytest.param(
            "BWA,2019,Q1,export,IND,7102.39,1000.50,150000.00,3",
            "hs_code_invalid",
            "hs_code",
            "Row 2, column hs_code: “7102.39” is not a rough-diamond HS code",
            id="hs-code-not-rough",
        ),
        pytest.param(
            "BWA,2019,Q1,export,IND,7102.31,-5,150000.00,3",
            "number_negative",
            "carats",
            "Row 2, column carats: “-5” is negative; carats are never negative.",
            id="carats-negative",
        ),
        pytest.param(
            "BWA,2019,Q1,export,IND,7102.31,1000.50,-1.00,3",
            "number_negative",
            "value_usd",
            "Row 2, column value_usd: “-1.00” is negative; values in US$ are never negative.",
            id="value-negative",
        ),
        pytest.param(
            "BWA,2019,Q1,export,IND,7102.31,,150000.00,3",
            "number_missing",
            "carats",
            "Row 2, column carats: the value is missing.",
            id="carats-missing",
        ),
        pytest.param(
            "BWA,2019,Q1,export,IND,7102.31,about 1000,150000.00,3",
            "number_format",
            "carats",
            "Row 2, column carats: “about 1000” is not a number",
            id="carats-not-a-number",
        ),
        pytest.param(
            "BWA,2019,Q1,export,IND,7102.31,1e5,150000.00,3",
            "number_format",
            "carats",
            "Row 2, column carats: “1e5” is not a number",
            id="carats-with-exponent",
        ),
        pytest.param(
            "BWA,2019,Q1,export,IND,7102.31,NaN,150000.00,3",
            "number_not_finite",
            "carats",
            "Row 2, column carats: “NaN” is not a number; give the figure in digits.",
            id="carats-nan",
        ),
        pytest.param(
            "BWA,2019,Q1,export,IND,7102.31,1000.50,Infinity,3",
            "number_not_finite",
            "value_usd",
            "Row 2, column value_usd: “Infinity” is not a number",
            id="value-infinity",
        ),
        pytest.param(
            "BWA,2019,Q1,export,IND,7102.31,1000.505,150000.00,3",
            "number_decimals",
            "carats",
            "Row 2, column carats: “1000.505” has more than 2 decimals.",
            id="carats-three-decimals",
        ),
        pytest.param(
            'BWA,2019,Q1,export,IND,7102.31,1000.50,"150,000.00",3',
            "number_thousands_separator",
            "value_usd",
            "Row 2, column value_usd: “150,000.00” has a thousands separator",
            id="value-thousands-separator",
        ),
        pytest.param(
            'BWA,2019,Q1,export,IND,7102.31,"1000,5",150000.00,3',
            "number_decimal_comma",
            "carats",
            "Row 2, column carats: “1000,5” uses a comma for decimals; use a dot",
            id="carats-decimal-comma",
        ),
        pytest.param(
            "BWA,2019,Q1,export,IND,7102.31,1000000000000.00,150000.00,3",
            "number_too_large",
            "carats",
            "Row 2, column carats: “1000000000000.00” is larger than the largest figure the "
            "system holds (999,999,999,999.99).",
            id="carats-absurdly-large",
        ),
        pytest.param(
            "BWA,2019,Q1,export,IND,7102.31,0,150000.00,3",
            "value_without_carats",
            "value_usd",
            "Row 2, column value_usd: “150000.00” US$ for 0 carats; a value needs carats.",
            id="value-without-carats",
        ),
        pytest.param(
            "BWA,2019,H1,production,,,1000.50,150000.00,2",
            "certificates_unexpected",
            "certificates",
            "Row 2, column certificates: “2”: production is reported without a number of "
            "certificates",
            id="certificates-for-production",
        ),
        pytest.param(
            "BWA,2019,Q1,export,IND,7102.31,1000.50,150000.00,",
            "certificates_missing",
            "certificates",
            "Row 2, column certificates: the number of KP certificates is missing",
            id="certificates-missing-for-trade",
        ),
        pytest.param(
            "BWA,2019,Q1,export,IND,7102.31,1000.50,150000.00,2.5",
            "certificates_not_whole",
            "certificates",
            "Row 2, column certificates: “2.5” is not a whole number of certificates.",
            id="certificates-not-whole",
        ),
        pytest.param(
            "BWA,2019,Q1,export,IND,7102.31,1000.50,150000.00,-1",
            "number_negative",
            "certificates",
            "Row 2, column certificates: “-1” is negative; numbers of certificates are never "
            "negative.",
            id="certificates-negative",
        ),
        pytest.param(
            "BWA,2019,Q1,export,IND,7102.31,1000.50,150000.00,99999999999",
            "number_too_large",
            "certificates",
            "Row 2, column certificates: “99999999999” is larger than the largest figure",
            id="certificates-absurdly-large",
        ),
    ],
)
def test_each_rule_names_the_row_the_column_and_the_reason(
    reference_data, line, rule, column, message
):
    finding = only_finding(validate(line))

    assert (finding.rule, finding.severity, finding.row_number, finding.column) == (
        rule,
        ERROR,
        2,
        column,
    )
    assert finding.message.startswith(message), finding.message


def test_every_bad_cell_of_a_row_is_reported(reference_data):
    findings = validate("BWA,19,Q1,export,BWA,7102.39,-5,1.234,")

    assert [(f.column, f.rule) for f in findings] == [
        ("year", "year_format"),
        ("partner", "partner_self"),
        ("hs_code", "hs_code_invalid"),
        ("carats", "number_negative"),
        ("value_usd", "number_decimals"),
        ("certificates", "certificates_missing"),
    ]


def test_rows_of_another_participant_are_refused_in_its_upload(reference_data):
    finding = only_finding(
        validate(TRADE, "ZAF,2019,Q1,export,IND,7102.31,10,10,1", participant=participant("BWA"))
    )

    assert (finding.rule, finding.row_number, finding.column) == (
        "participant_not_yours",
        3,
        "participant",
    )
    assert "“ZAF” is not the participant these figures are reported for (BWA)" in finding.message


# --- Standing of the partner ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("partner", "year", "standing"),
    [("CAF", 2014, "suspended"), ("VEN", 2010, "self-suspended"), ("CIV", 2010, "embargoed")],
)
def test_partner_not_in_good_standing_in_the_period_is_refused(
    reference_data, partner, year, standing
):
    finding = only_finding(validate(f"BWA,{year},Q2,import,{partner},7102.10,500,5000,1"))

    assert (finding.rule, finding.row_number, finding.column) == (
        "partner_not_in_good_standing",
        2,
        "partner",
    )
    assert f"{partner} was not a participant in good standing at any time in {year} Q2" in (
        finding.message
    )
    assert f"({standing})" in finding.message


@pytest.mark.parametrize(("partner", "year"), [("CAF", 2016), ("VEN", 2018), ("CIV", 2015)])
def test_same_partner_in_good_standing_is_accepted(reference_data, partner, year):
    assert validate(f"BWA,{year},Q2,import,{partner},7102.10,500,5000,1") == []


def test_partner_suspended_during_the_period_gives_a_warning(reference_data):
    finding = only_finding(validate("BWA,2013,Y,import,CAF,7102.10,500,5000,1"))

    assert (finding.rule, finding.severity, finding.column) == (
        "partner_standing_partial",
        WARNING,
        "partner",
    )
    assert "suspended from 2013-05-23" in finding.message


def test_trading_entity_is_an_allowed_partner(reference_data):
    assert validate("ARE,2019,Q3,export,TWN,7102.31,1500,200000,2") == []


def test_eu_is_one_participant(reference_data):
    assert validate("EUR,2019,Q3,import,RUS,7102.31,1500,200000,2") == []


# --- Across rows --------------------------------------------------------------------------------


def test_same_natural_key_twice_is_refused_on_the_second_row(reference_data):
    finding = only_finding(validate(TRADE, PRODUCTION, TRADE.replace("1000.50", "7")))

    assert (finding.rule, finding.row_number, finding.column) == ("duplicate_row", 4, "")
    assert "as row 2" in finding.message


def test_year_as_whole_and_by_quarter_in_one_file_is_refused(reference_data):
    findings = validate(
        "BWA,2019,Y,export,IND,7102.31,4000,600000,12",
        "BWA,2019,Q1,export,ZAF,7102.31,1000,150000,3",
    )

    finding = only_finding(findings)
    assert (finding.rule, finding.row_number, finding.column) == ("year_and_periods", 3, "period")
    assert "both as a whole year (row 2) and by period" in finding.message


def test_whole_year_for_one_flow_and_quarters_for_another_are_accepted(reference_data):
    assert (
        validate(
            "BWA,2019,Y,export,IND,7102.31,4000,600000,12",
            "BWA,2019,Q1,import,ZAF,7102.31,1000,150000,3",
        )
        == []
    )


def test_quarter_against_a_stored_whole_year_is_refused(reference_data):
    stored = SubmissionFactory(
        participant=participant("BWA"), year=2019, period=Period.YEAR, status="accepted"
    )
    TradeRecordFactory(submission=stored, partner=participant("IND"))

    finding = only_finding(validate(TRADE))

    assert (finding.rule, finding.row_number, finding.column) == (
        "year_and_periods_stored",
        2,
        "period",
    )
    assert "already stored as a whole year" in finding.message


def test_whole_year_against_stored_quarters_is_refused(reference_data):
    stored = SubmissionFactory(participant=participant("BWA"), year=2019, period=Period.Q2)
    TradeRecordFactory(submission=stored, partner=participant("IND"))

    finding = only_finding(validate("BWA,2019,Y,export,IND,7102.31,4000,600000,12"))

    assert finding.rule == "year_and_periods_stored"
    assert "already stored by period (Q2)" in finding.message


def test_rows_replacing_a_stored_period_do_not_conflict_with_it(reference_data):
    # The file's whole-year row replaces the stored whole-year submission (its exports go),
    # so exports by quarter no longer clash with it.
    stored = SubmissionFactory(participant=participant("BWA"), year=2019, period=Period.YEAR)
    TradeRecordFactory(submission=stored, partner=participant("IND"))

    assert validate("BWA,2019,Y,import,ZAF,7102.31,4000,600000,12", TRADE) == []


def test_validating_more_rows_does_not_run_more_queries(
    reference_data, django_assert_max_num_queries
):
    def rows(count: int) -> list[dict[str, str]]:
        partners = ["IND", "ZAF", "RUS", "EUR", "CAN", "ARE", "CHN", "ISR", "USA", "NAM"]
        return [
            dict(
                zip(
                    HEADER,
                    [
                        "BWA",
                        str(2010 + n // 40),
                        f"Q{n // 10 % 4 + 1}",
                        "export",
                        partners[n % 10],
                        "7102.31",
                        "1000",
                        "150000",
                        "2",
                    ],
                    strict=True,
                )
            )
            for n in range(count)
        ]

    context = ValidationContext(today=TODAY)
    with CaptureQueriesContext(connection) as few:
        assert validate_rows(rows(10), context=context).is_valid
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert validate_rows(rows(200), context=context).is_valid


# --- Warnings -----------------------------------------------------------------------------------


def accepted_trade(code: str, year: int, period: str, **values) -> None:
    submission, _ = Submission.objects.get_or_create(
        participant=participant(code),
        year=year,
        dataset=Dataset.TRADE,
        period=period,
        defaults={"status": Submission.Status.ACCEPTED},
    )
    TradeRecordFactory(submission=submission, **values)


def test_unit_value_far_from_own_history_is_a_warning(reference_data):
    for year in (2016, 2017, 2018):
        accepted_trade(
            "BWA",
            year,
            "Y",
            partner=participant("IND"),
            carats=Decimal("10000"),
            value_usd=Decimal("1500000"),
            certificates=3,
        )

    findings = validate("BWA,2019,Q1,export,IND,7102.31,10000,15000000,3")

    finding = only_finding(findings)
    assert finding.rule == "unit_value_history"
    assert (finding.severity, finding.row_number, finding.column) == (WARNING, 2, "value_usd")
    assert "1,500.00 US$/ct" in finding.message
    assert "BWA's median of 150.00 US$/ct" in finding.message
    assert "2016–2018" in finding.message


def test_unit_value_close_to_own_history_is_no_warning(reference_data):
    for year in (2016, 2017, 2018):
        accepted_trade(
            "BWA",
            year,
            "Y",
            partner=participant("IND"),
            carats=Decimal("10000"),
            value_usd=Decimal("1500000"),
            certificates=3,
        )

    assert validate("BWA,2019,Q1,export,IND,7102.31,10000,2000000,3") == []


def test_unit_value_far_from_the_world_average_is_a_warning(reference_data):
    accepted_trade(
        "ZAF",
        2019,
        "Y",
        partner=participant("IND"),
        hs_code="7102.31",
        carats=Decimal("1000000"),
        value_usd=Decimal("100000000"),
        certificates=300,
    )

    finding = only_finding(validate("BWA,2019,Q1,export,IND,7102.31,1000,5000,3"))

    assert (finding.rule, finding.severity, finding.column) == (
        "unit_value_world",
        WARNING,
        "value_usd",
    )
    assert "5.00 US$/ct" in finding.message
    assert "for 7102.31 in 2019 across all participants" in finding.message


def test_jump_from_the_previous_period_is_a_warning(reference_data):
    findings = validate(
        "BWA,2019,Q1,export,IND,7102.31,10000,1500000,3",
        "BWA,2019,Q2,export,IND,7102.31,40000,6000000,12",
    )

    jumps = [f for f in findings if f.rule == "period_jump"]
    assert [(f.row_number, f.column) for f in jumps] == [(3, "carats"), (3, "value_usd")]
    assert "total 40,000.00 ct in 2019 Q2 against 10,000.00 ct in 2019 Q1 (+300 %)" in (
        jumps[0].message
    )
    assert "6,000,000.00 US$ in 2019 Q2" in jumps[1].message


def test_small_change_from_the_previous_period_is_no_warning(reference_data):
    assert (
        validate(
            "BWA,2019,Q1,export,IND,7102.31,10000,1500000,3",
            "BWA,2019,Q2,export,IND,7102.31,25000,3750000,7",
        )
        == []
    )


def test_exports_above_production_and_imports_are_a_warning(reference_data):
    findings = validate(
        "BWA,2019,Y,production,,,1000,150000,",
        "BWA,2019,Y,import,ZAF,7102.10,500,50000,1",
        "BWA,2019,Y,export,IND,7102.31,3000,450000,2",
    )

    finding = only_finding(findings)
    assert (finding.rule, finding.severity, finding.row_number, finding.column) == (
        "supply_gap",
        WARNING,
        4,
        "carats",
    )
    assert "exports for 2019 (3,000.00 ct) are above its production and imports (1,500.00 ct)" in (
        finding.message
    )


SUPPLY_GAP_2019 = (
    "BWA,2019,Y,production,,,1000,150000,",
    "BWA,2019,Y,import,ZAF,7102.10,500,50000,1",
    "BWA,2019,Y,export,IND,7102.31,3000,450000,2",
)


def test_declared_stock_that_covers_the_exports_leaves_no_supply_warning(reference_data):
    StockDeclarationFactory(participant=participant("BWA"), year=2019, carats=1500)

    assert validate(*SUPPLY_GAP_2019) == []


def test_exports_above_production_imports_and_stock_warn_naming_the_stock(reference_data):
    StockDeclarationFactory(participant=participant("BWA"), year=2019, carats=500)
    # Stock of other years and other participants does not count.
    StockDeclarationFactory(participant=participant("BWA"), year=2018, carats=5000)
    StockDeclarationFactory(participant=participant("ZAF"), year=2019, carats=5000)

    finding = only_finding(validate(*SUPPLY_GAP_2019))

    assert (finding.rule, finding.row_number, finding.column) == ("supply_gap", 4, "carats")
    assert (
        "exports for 2019 (3,000.00 ct) are above its production, imports and declared "
        "opening stock (2,000.00 ct, of which 500.00 ct stock)"
    ) in finding.message


def test_declared_stock_is_read_without_another_query(reference_data):
    rows = statistics_file_read(csv_file(*SUPPLY_GAP_2019), "statistics.csv")
    context = ValidationContext(today=TODAY)
    with CaptureQueriesContext(connection) as without_stock:
        validate_rows(rows, context=context)
    StockDeclarationFactory(participant=participant("BWA"), year=2019, carats=500)

    with CaptureQueriesContext(connection) as with_stock:
        result = validate_rows(rows, context=context)

    assert "of which 500.00 ct stock" in result.warnings[0].message
    assert len(with_stock.captured_queries) == len(without_stock.captured_queries)


def test_supply_is_not_judged_before_the_year_is_complete(reference_data):
    assert validate("BWA,2019,Q1,export,IND,7102.31,3000,450000,2") == []


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("BWA,2019,Q1,export,IND,7102.31,0,0,4", "4 certificates for 0 carats"),
        ("BWA,2019,Q1,export,IND,7102.31,500,50000,0", "no certificate for 500.00 carats"),
    ],
)
def test_certificates_that_do_not_fit_the_carats_are_a_warning(reference_data, line, fragment):
    finding = only_finding(validate(line))

    assert (finding.rule, finding.severity, finding.column) == (
        "certificates_implausible",
        WARNING,
        "certificates",
    )
    assert fragment in finding.message


def test_carats_per_certificate_far_above_history_are_a_warning(reference_data):
    for year in (2016, 2017, 2018):
        accepted_trade(
            "BWA",
            year,
            "Y",
            partner=participant("IND"),
            carats=Decimal("10000"),
            value_usd=Decimal("1500000"),
            certificates=10,
        )

    finding = only_finding(validate("BWA,2019,Q1,export,IND,7102.31,10000,1500000,1"))

    assert finding.rule == "certificates_implausible"
    assert "10,000.00 carats per certificate" in finding.message
    assert "BWA's usual 1,000.00 carats per certificate" in finding.message


def test_warnings_wait_until_errors_are_fixed(reference_data):
    findings = validate(
        "BWA,2019,Q1,export,IND,7102.31,0,0,4",
        "BWA,2019,Q1,export,ZAF,7102.31,-1,0,4",
    )

    assert [f.severity for f in findings] == [ERROR]


def test_history_ignores_figures_not_yet_accepted(reference_data):
    submission = SubmissionFactory(
        participant=participant("BWA"), year=2018, dataset=Dataset.PRODUCTION, period="Y"
    )
    ProductionRecordFactory(submission=submission, carats=Decimal("10"), value_usd=Decimal("1"))

    assert validate("BWA,2019,Y,production,,,100000,15000000,") == []


def test_numbers_from_a_workbook_or_json_are_read_like_text(reference_data):
    typed = {
        "participant": "BWA",
        "year": 2019,
        "period": "Q1",
        "flow": "export",
        "partner": "IND",
        "hs_code": "7102.31",
        "carats": 1000.5,
        "value_usd": Decimal("150000.00"),
        "certificates": 3,
    }
    text = dict(zip(HEADER, TRADE.split(","), strict=True))
    context = ValidationContext(today=TODAY)

    assert (
        validate_rows([typed], context=context).rows == validate_rows([text], context=context).rows
    )


def test_a_number_with_too_many_decimals_from_a_workbook_is_refused(reference_data):
    row = dict(zip(HEADER, TRADE.split(","), strict=True)) | {"carats": 0.1 + 0.2}

    finding = only_finding(validate_rows([row], context=ValidationContext(today=TODAY)).findings)

    assert finding.rule == "number_decimals"
    assert "“0.30000000000000004” has more than 2 decimals" in finding.message


def test_missing_keys_in_a_row_dict_are_empty_cells(reference_data):
    row = {
        "participant": "BWA",
        "year": "2019",
        "period": "H1",
        "flow": "production",
        "carats": "10",
        "value_usd": "1000",
    }

    assert validate_rows([row], context=ValidationContext(today=TODAY)).findings == []


def test_an_uploaded_file_is_read_like_a_path(reference_data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("statistics.csv", f"{HEADER_LINE}\n{TRADE}\n".encode())

    rows = statistics_file_read(upload, upload.name)

    assert rows == [dict(zip(HEADER, TRADE.split(","), strict=True))]
