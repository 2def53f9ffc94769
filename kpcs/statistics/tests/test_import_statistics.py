"""The secretariat's historical import: `manage.py import_statistics PATH [--publish]` and the
service behind it. A file is imported whole or not at all; re-importing it changes nothing."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from kpcs.participants.models import Participant
from kpcs.statistics.importing import (
    StatisticsImportError,
    statistics_file_read,
    statistics_import,
)
from kpcs.statistics.models import (
    Dataset,
    ProductionRecord,
    Release,
    ReleaseProduction,
    ReleaseTrade,
    Submission,
    SubmissionRevision,
    SubmissionTransition,
    TradeRecord,
)
from kpcs.statistics.revisions import figures_of
from kpcs.statistics.tests.factories import SubmissionFactory
from kpcs.statistics.validation import HEADER, ValidationContext, validate_rows

HEADER_LINE = ",".join(HEADER)
# Six submissions: BWA 2019 trade Q1 and Q2, production H1 and H2; ZAF 2019 trade Y;
# RUS 2018 production Y.
LINES = [
    "BWA,2019,Q1,export,IND,7102.31,1000.50,150000.00,3",
    "BWA,2019,Q1,export,EUR,7102.10,20000.00,1500000.00,4",
    "BWA,2019,Q2,export,IND,7102.31,1100.00,160000.00,3",
    "BWA,2019,H1,production,,,2000000.00,300000000.00,",
    "BWA,2019,H2,production,,,2100000.00,310000000.00,",
    "ZAF,2019,Y,import,BWA,7102.10,5000.00,400000.00,2",
    "RUS,2018,Y,production,,,40000000.00,3500000000.00,",
]
MODELS = [
    Submission,
    ProductionRecord,
    TradeRecord,
    SubmissionRevision,
    SubmissionTransition,
    Release,
    ReleaseProduction,
    ReleaseTrade,
]


def write_csv(tmp_path: Path, lines: list[str], name: str = "statistics.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER_LINE, *lines, ""]), encoding="utf-8")
    return path


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_statistics", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(path: Path, *args: str) -> tuple[str, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_statistics", str(path), *args, stdout=io.StringIO(), stderr=err)
    return str(caught.value), err.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def participant(code: str) -> Participant:
    return Participant.objects.get(code=code)


def stored_trade() -> dict[tuple, tuple]:
    return {
        (
            r.submission.participant.code,
            r.submission.year,
            r.submission.period,
            r.flow,
            r.partner.code,
            r.hs_code,
        ): (r.pk, r.carats, r.value_usd, r.certificates)
        for r in TradeRecord.objects.select_related("submission__participant", "partner")
    }


# --- Importing --------------------------------------------------------------------------------


def test_import_stores_accepted_historical_submissions(reference_data, tmp_path):
    out, err = run(write_csv(tmp_path, LINES))

    assert err == ""
    assert "submissions: 6 created, 0 updated, 0 unchanged" in out
    assert "7 rows created" in out
    assert counts() == {
        "Submission": 6,
        "ProductionRecord": 3,
        "TradeRecord": 4,
        "SubmissionRevision": 6,
        "SubmissionTransition": 6,
        "Release": 0,
        "ReleaseProduction": 0,
        "ReleaseTrade": 0,
    }
    assert set(Submission.objects.values_list("status", "historical")) == {("accepted", True)}
    bwa_q1 = Submission.objects.get(
        participant__code="BWA", year=2019, dataset=Dataset.TRADE, period="Q1"
    )
    assert bwa_q1.trade_records.count() == 2
    assert bwa_q1.accepted_at is not None
    production = ProductionRecord.objects.get(submission__participant__code="RUS")
    assert production.carats == Decimal("40000000.00")
    assert production.value_usd == Decimal("3500000000.00")


def test_each_submission_gets_a_transition_and_a_revision_of_its_figures(reference_data, tmp_path):
    run(write_csv(tmp_path, LINES))

    for submission in Submission.objects.all():
        transition = submission.transitions.get()
        assert (transition.from_status, transition.to_status) == ("", "accepted")
        assert transition.comment == "historical import"
        assert transition.actor is None
        revision = submission.revisions.get()
        assert (revision.number, revision.status) == (1, "accepted")
        assert revision.figures == figures_of(submission)


def test_import_by_a_user_names_the_user(reference_data, secretariat_user):
    rows = statistics_file_read(io.BytesIO("\n".join([HEADER_LINE, *LINES]).encode()), "s.csv")

    report = statistics_import(rows=rows, actor=secretariat_user, note="2019 data from WGS")

    assert report.submissions_created == 6
    assert report.rows == 7
    submission = Submission.objects.first()
    assert submission.accepted_by == secretariat_user
    assert submission.transitions.get().actor == secretariat_user
    assert submission.transitions.get().comment == "historical import: 2019 data from WGS"
    assert submission.revisions.get().created_by == secretariat_user


def test_xlsx_with_the_same_rows_imports_the_same(reference_data, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(HEADER))
    for line in LINES:
        cells: list[object] = line.split(",")
        cells[1] = int(cells[1])  # a year typed as a number
        cells[6] = float(cells[6])  # carats and values as numbers
        cells[7] = float(cells[7])
        if cells[5] == "7102.10":
            cells[5] = 7102.1  # what a spreadsheet makes of 7102.10 typed in a cell
        if cells[8]:
            cells[8] = int(cells[8])
        sheet.append([None if c == "" else c for c in cells])
    xlsx = tmp_path / "statistics.xlsx"
    workbook.save(xlsx)
    from_csv = statistics_file_read(write_csv(tmp_path, LINES), "statistics.csv")
    from_xlsx = statistics_file_read(xlsx, "statistics.xlsx")
    context = ValidationContext()

    assert (
        validate_rows(from_xlsx, context=context).rows
        == validate_rows(from_csv, context=context).rows
    )
    run(xlsx)
    assert counts()["Submission"] == 6
    assert counts()["TradeRecord"] == 4


# --- Whole or nothing ----------------------------------------------------------------------------


def test_one_bad_row_among_good_ones_stores_nothing(reference_data, tmp_path):
    run(write_csv(tmp_path, LINES))
    before = counts()
    lines = [
        *LINES,
        "CAN,2019,Q1,export,IND,7102.31,-5,100.00,1",
        "IND,2019,Q1,import,CAN,7102.31,5,100.00,1",
    ]

    message, err = refused(write_csv(tmp_path, lines, "more.csv"))

    assert "more.csv was refused (1 error); nothing was stored." in message
    assert "Row 9, column carats: “-5” is negative; carats are never negative." in err
    assert counts() == before
    assert not Submission.objects.filter(participant__code="IND").exists()


def test_every_bad_row_is_printed_with_its_reason(reference_data, tmp_path):
    lines = [
        LINES[0],
        "BWA,2019,Q1,export,BEL,7102.31,10,10,1",
        "BWA,2019,Q3,export,IND,7102.39,10,10,1",
        "BWA,2019,Q4,export,IND,7102.31,10,10,",
    ]

    message, err = refused(write_csv(tmp_path, lines))

    assert "(3 errors)" in message
    assert err.splitlines() == [
        "Row 3, column partner: “BEL” (Belgium) is an EU member state, not a participant: the "
        "European Union takes part as one participant under the code EUR.",
        "Row 4, column hs_code: “7102.39” is not a rough-diamond HS code; use 7102.10 "
        "(unsorted), 7102.21 (industrial) or 7102.31 (non-industrial).",
        "Row 5, column certificates: the number of KP certificates is missing; trade rows give it.",
    ]
    assert counts()["Submission"] == 0


def test_missing_file_is_a_clear_error(reference_data, tmp_path):
    message, _err = refused(tmp_path / "nowhere.csv")

    assert "There is no file" in message
    assert "nowhere.csv" in message


def test_folder_is_a_clear_error(reference_data, tmp_path):
    message, _err = refused(tmp_path)

    assert "is a folder, not a file" in message


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.csv", b"", "The file empty.csv is empty."),
        ("header.csv", (HEADER_LINE + "\n").encode(), "header.csv has a header but no data rows."),
        (
            "latin.csv",
            f"{HEADER_LINE}\nCIV,2019,Q1,export,IND,7102.31,1,1,1 Côte\n".encode("latin-1"),
            "Row 2: the file is not UTF-8 (byte 0xF4 cannot be read)",
        ),
        ("fake.xlsx", b"PK\x03\x04 but not really", "fake.xlsx is not an Excel workbook (.xlsx)"),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(
    reference_data, tmp_path, name, content, reason
):
    path = tmp_path / name
    path.write_bytes(content)

    message, err = refused(path)

    assert reason in err
    assert "was refused (1 error); nothing was stored." in message
    assert counts()["Submission"] == 0


def test_zip_that_is_not_a_workbook_is_refused(reference_data, tmp_path):
    path = tmp_path / "statistics.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("statistics.csv", HEADER_LINE + "\n" + LINES[0])

    _message, err = refused(path)

    assert "statistics.xlsx is a ZIP archive but not an Excel workbook" in err


def test_bom_is_accepted(reference_data, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join([HEADER_LINE, *LINES]).encode())

    run(path)

    assert counts()["Submission"] == 6


# --- Idempotence and corrections -----------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(reference_data, tmp_path):
    path = write_csv(tmp_path, LINES)
    run(path)
    before, figures = counts(), stored_trade()
    updated_at = dict(Submission.objects.values_list("pk", "updated_at"))

    out, _err = run(path)

    assert "submissions: 0 created, 0 updated, 6 unchanged" in out
    assert "0 rows created, 0 changed, 0 removed, 7 unchanged" in out
    assert counts() == before
    assert stored_trade() == figures
    assert dict(Submission.objects.values_list("pk", "updated_at")) == updated_at


def test_corrected_file_updates_only_the_changed_values_and_adds_one_revision(
    reference_data, tmp_path
):
    run(write_csv(tmp_path, LINES))
    before, figures = counts(), stored_trade()
    corrected = [LINES[0].replace("1000.50", "1000.75"), *LINES[1:]]

    out, _err = run(write_csv(tmp_path, corrected, "corrected.csv"))

    assert "submissions: 0 created, 1 updated, 5 unchanged" in out
    assert "0 rows created, 1 changed, 0 removed, 6 unchanged" in out
    after = stored_trade()
    key = ("BWA", 2019, "Q1", "export", "IND", "7102.31")
    assert after[key] == (figures[key][0], Decimal("1000.75"), Decimal("150000.00"), 3)
    assert {k: v for k, v in after.items() if k != key} == {
        k: v for k, v in figures.items() if k != key
    }
    assert counts() == {**before, "SubmissionRevision": before["SubmissionRevision"] + 1}
    submission = Submission.objects.get(participant__code="BWA", dataset="trade", period="Q1")
    latest = submission.revisions.get(number=2)
    assert latest.figures == figures_of(submission)
    assert latest.figures["trade"]["export|IND|7102.31"]["carats"] == "1000.75"


def test_row_left_out_of_a_corrected_file_is_removed_from_its_submission(reference_data, tmp_path):
    run(write_csv(tmp_path, LINES))

    out, _err = run(write_csv(tmp_path, [LINES[0], *LINES[2:]], "corrected.csv"))

    assert "1 removed" in out
    submission = Submission.objects.get(participant__code="BWA", dataset="trade", period="Q1")
    assert list(submission.trade_records.values_list("partner__code", flat=True)) == ["IND"]
    assert submission.revisions.count() == 2


def test_submission_a_participant_is_working_on_is_not_overwritten(reference_data, tmp_path):
    SubmissionFactory(participant=participant("BWA"), year=2019, period="Q1")
    before = counts()

    message, err = refused(write_csv(tmp_path, LINES))

    assert "was refused (1 error)" in message
    assert (
        "Row 2, column period: BWA's trade submission for 2019 Q1 is draft: the participant is "
        "working on it, and a historical import does not overwrite it." in err
    )
    assert counts() == before


def test_service_refusal_carries_every_finding(reference_data):
    rows = statistics_file_read(
        io.BytesIO(f"{HEADER_LINE}\nBWA,2019,Q1,export,IND,7102.31,-1,1,1\n".encode()), "s.csv"
    )

    with pytest.raises(StatisticsImportError) as caught:
        statistics_import(rows=rows)

    assert [f.rule for f in caught.value.findings] == ["number_negative"]
    assert Submission.objects.count() == 0


# --- Periods and standing ------------------------------------------------------------------------


def test_year_reported_as_y_and_as_q1_is_refused(reference_data, tmp_path):
    lines = [
        "BWA,2019,Y,export,IND,7102.31,4000,600000,12",
        "BWA,2019,Q1,export,ZAF,7102.31,1000,150000,3",
    ]

    _message, err = refused(write_csv(tmp_path, lines))

    assert "Row 3, column period: BWA reports exports for 2019 both as a whole year (row 2)" in err
    assert counts()["Submission"] == 0


def test_quarter_of_a_year_already_imported_whole_is_refused(reference_data, tmp_path):
    run(write_csv(tmp_path, ["BWA,2019,Y,export,IND,7102.31,4000,600000,12"]))

    _message, err = refused(
        write_csv(tmp_path, ["BWA,2019,Q1,export,ZAF,7102.31,1000,150000,3"], "q1.csv")
    )

    assert "BWA's exports for 2019 are already stored as a whole year (Y)" in err
    assert counts()["Submission"] == 1


def test_partner_suspended_in_the_period_is_refused(reference_data, tmp_path):
    _message, err = refused(write_csv(tmp_path, ["BWA,2014,Y,import,CAF,7102.10,500,5000,1"]))

    assert "CAF was not a participant in good standing at any time in 2014 (suspended)" in err
    assert counts()["Submission"] == 0


def test_same_partner_in_good_standing_is_accepted(reference_data, tmp_path):
    run(write_csv(tmp_path, ["BWA,2016,Y,import,CAF,7102.10,500,5000,1"]))

    assert TradeRecord.objects.get().partner.code == "CAF"


def test_warnings_are_reported_but_do_not_stop_the_import(reference_data, tmp_path):
    out, _err = run(write_csv(tmp_path, ["BWA,2019,Q1,export,IND,7102.31,500,50000,0"]))

    assert "Warning: Row 2, column certificates: no certificate for 500.00 carats" in out
    assert "1 warning;" in out
    assert counts()["TradeRecord"] == 1


# --- Publication --------------------------------------------------------------------------------


def test_publish_creates_releases_whose_sums_match_the_file(reference_data, tmp_path):
    out, _err = run(write_csv(tmp_path, LINES), "--publish", "--note", "historical series")

    assert "releases published: 2018/1, 2019/1" in out
    release = Release.objects.get(year=2019)
    assert release.note == "historical series"
    production = {
        p.participant.code: (p.carats, p.value_usd)
        for p in ReleaseProduction.objects.filter(release=release).select_related("participant")
    }
    assert production == {"BWA": (Decimal("4100000.00"), Decimal("610000000.00"))}
    trade = {
        (t.participant.code, t.flow): (t.carats, t.value_usd, t.certificates)
        for t in ReleaseTrade.objects.filter(release=release).select_related("participant")
    }
    assert trade == {
        ("BWA", "export"): (Decimal("22100.50"), Decimal("1810000.00"), 10),
        ("ZAF", "import"): (Decimal("5000.00"), Decimal("400000.00"), 2),
    }
    assert ReleaseProduction.objects.get(release__year=2018).carats == Decimal("40000000.00")
    assert set(Submission.objects.values_list("status", flat=True)) == {"published"}


def test_reimporting_with_publish_creates_no_new_release(reference_data, tmp_path):
    path = write_csv(tmp_path, LINES)
    run(path, "--publish")
    before = counts()

    out, _err = run(path, "--publish")

    assert "no release published" in out
    assert counts() == before


def test_publishing_a_file_imported_earlier_without_publish(reference_data, tmp_path):
    path = write_csv(tmp_path, LINES)
    run(path)

    out, _err = run(path, "--publish")

    assert "submissions: 0 created, 0 updated, 6 unchanged" in out
    assert "releases published: 2018/1, 2019/1" in out


def test_correction_of_published_figures_publishes_a_new_release_of_that_year_only(
    reference_data, tmp_path
):
    run(write_csv(tmp_path, LINES), "--publish")
    corrected = [*LINES[:5], LINES[5].replace("5000.00", "5500.00"), LINES[6]]

    out, _err = run(write_csv(tmp_path, corrected, "corrected.csv"), "--publish")

    assert "releases published: 2019/2" in out
    assert list(Release.objects.values_list("year", "number")) == [(2019, 2), (2019, 1), (2018, 1)]
    latest = ReleaseTrade.objects.get(release__year=2019, release__number=2, flow="import")
    assert latest.carats == Decimal("5500.00")
    zaf = Submission.objects.get(participant__code="ZAF")
    assert list(zaf.transitions.values_list("from_status", "to_status")) == [
        ("", "accepted"),
        ("accepted", "published"),
        ("published", "accepted"),
        ("accepted", "published"),
    ]
    assert zaf.status == "published"


def test_importing_more_rows_runs_no_more_queries(reference_data, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def rows(year: int, count: int) -> list[dict[str, str]]:
        partners = ["IND", "ZAF", "RUS", "EUR", "CAN", "ARE", "CHN", "ISR", "USA", "NAM"]
        return [
            dict(
                zip(
                    HEADER,
                    [
                        "BWA",
                        str(year),
                        f"Q{n // 50 + 1}",
                        "export" if n % 2 else "import",
                        partners[n // 2 % 10],
                        ("7102.10", "7102.21", "7102.31")[n % 50 // 20],
                        "1000",
                        "150000",
                        "2",
                    ],
                    strict=True,
                )
            )
            for n in range(count)
        ]

    with CaptureQueriesContext(connection) as few:
        statistics_import(rows=rows(2018, 10))
    with django_assert_max_num_queries(len(few.captured_queries)):
        statistics_import(rows=rows(2019, 200))
    assert TradeRecord.objects.count() == 210


def test_submission_in_progress_and_bad_rows_are_reported_together(reference_data):
    SubmissionFactory(participant=participant("BWA"), year=2019, period="Q1")
    lines = [*LINES, "CAN,2019,Q1,export,IND,7102.31,-5,100.00,1"]
    rows = statistics_file_read(io.BytesIO("\n".join([HEADER_LINE, *lines]).encode()), "s.csv")

    with pytest.raises(StatisticsImportError) as caught:
        statistics_import(rows=rows)

    assert [f.rule for f in caught.value.errors] == ["submission_in_progress", "number_negative"]
