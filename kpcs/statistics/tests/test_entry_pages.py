"""The participant authority's statistics pages: the overview of its periods, the grid of one
period (errors at their row and column, warnings to explain, submit), the file upload with a
dry run before anything is stored, and who may see what."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.models import Participant
from kpcs.statistics.models import (
    ProductionRecord,
    ReportingDeadline,
    Submission,
    TradeRecord,
    ValidationFinding,
)
from kpcs.statistics.services import (
    figures_save,
    submission_accept,
    submission_query,
    submission_reopen,
    submission_submit,
)
from kpcs.statistics.tests.factories import TradeRecordFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

YEAR = 2025
OVERVIEW = "/en/submissions/"
UPLOAD = "/en/submissions/upload/"
CONFIRM = "/en/submissions/upload/confirm/"
Q1 = f"/en/submissions/{YEAR}/trade/Q1/"
H1 = f"/en/submissions/{YEAR}/production/H1/"
HEADER = "participant,year,period,flow,partner,hs_code,carats,value_usd,certificates\n"


@pytest.fixture(autouse=True)
def open_periods():
    """Keep YEAR's periods open whatever today's date is."""
    for period in ("Q1", "Q2", "Q3", "Q4", "H1", "H2"):
        ReportingDeadline.objects.create(year=YEAR, period=period, due_date=dt.date(2999, 1, 1))


@pytest.fixture(autouse=True)
def upload_storage(settings, tmp_path):
    """Files waiting for "store these figures" go to a folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def botswana():
    return Participant.objects.get(code="BWA")


@pytest.fixture
def authority(botswana):
    return UserFactory(role="authority", participant=botswana, username="bwa-authority")


@pytest.fixture
def secretariat():
    return UserFactory(role="secretariat", username="secretariat")


@pytest.fixture
def bwa_client(client, authority):
    client.force_login(authority)
    return client


def html(response) -> str:
    return response.content.decode()


def trade_row(partner="ZAF", carats="1000.00", value="150000.00", certificates="2", **extra):
    row = {
        "participant": "BWA",
        "year": str(YEAR),
        "period": "Q1",
        "flow": "export",
        "partner": partner,
        "hs_code": "7102.31",
        "carats": carats,
        "value_usd": value,
        "certificates": certificates,
    }
    row.update(extra)
    return row


def grid_post(rows, *, action="save", removed=()):
    """The POST of the trade grid with these rows (dicts of cells), in grid order."""
    data = {
        "action": action,
        "trade-TOTAL_FORMS": str(len(rows)),
        "trade-INITIAL_FORMS": "0",
        "trade-MIN_NUM_FORMS": "0",
        "trade-MAX_NUM_FORMS": "2000",
    }
    for index, row in enumerate(rows):
        for column in ("flow", "partner", "hs_code", "carats", "value_usd", "certificates"):
            data[f"trade-{index}-{column}"] = row.get(column, "")
        if index in removed:
            data[f"trade-{index}-DELETE"] = "on"
    return data


def q1(botswana):
    return Submission.objects.get(participant=botswana, year=YEAR, dataset="trade", period="Q1")


def cell_errors(page: str, field_id: str) -> str:
    """The error list rendered in the grid cell of the input `field_id` ("" if none)."""
    match = re.search(
        rf'<td class="cell-error"><input[^>]*id="{field_id}"[^>]*>(<ul class="errorlist".*?</ul>)',
        page,
        re.S,
    )
    return match.group(1) if match else ""


# --- The overview ---------------------------------------------------------------------------------


def test_overview_lists_each_period_with_status_due_date_and_why_it_cannot_be_edited(
    bwa_client, botswana, authority
) -> None:
    figures_save(participant=botswana, actor=authority, rows=[trade_row()])
    submission_submit(submission=q1(botswana), actor=authority)
    response = bwa_client.get(OVERVIEW, {"year": YEAR})
    page = html(response)
    assert response.status_code == 200
    assert "Botswana" in page
    for period in ("Q1", "Q2", "Q3", "Q4", "H1", "H2"):
        assert f"· {period} " in page
    assert "Submitted: the secretariat is reviewing these figures." in page
    assert "not started" in page
    assert "Jan. 1, 2999" in page  # the due date, formatted for the language
    assert f'href="{Q1}"' in page


def test_overview_says_why_a_period_past_its_deadline_is_locked(bwa_client) -> None:
    ReportingDeadline.objects.filter(year=YEAR, period="Q2").update(due_date=dt.date(YEAR, 8, 31))
    page = html(bwa_client.get(OVERVIEW, {"year": YEAR}))
    assert f"Past the deadline of Aug. 31, {YEAR}" in page


def test_overview_shows_recent_years_by_default(bwa_client) -> None:
    from django.utils import timezone

    this_year = timezone.localdate().year
    page = html(bwa_client.get(OVERVIEW))
    for year in (this_year, this_year - 1, this_year - 2):
        assert f'id="year-{year}"' in page


def test_overview_refuses_a_year_that_is_not_a_year(bwa_client) -> None:
    response = bwa_client.get(OVERVIEW, {"year": "abc"})
    assert response.status_code == 400
    assert "is not a year with reporting periods" in html(response)


def test_queried_submission_shows_the_secretariats_question_prominently(
    bwa_client, botswana, authority, secretariat
) -> None:
    figures_save(participant=botswana, actor=authority, rows=[trade_row()])
    submission_submit(submission=q1(botswana), actor=authority)
    submission_query(
        submission=q1(botswana), actor=secretariat, comment="Why so few carats to ZAF?"
    )
    overview = html(bwa_client.get(OVERVIEW, {"year": YEAR}))
    assert "Questions from the secretariat" in overview
    assert "Why so few carats to ZAF?" in overview
    grid = html(bwa_client.get(Q1))
    assert "The secretariat asks" in grid and "Why so few carats to ZAF?" in grid
    assert "Queried: correct the figures and submit them again." in grid


# --- The grid -------------------------------------------------------------------------------------


def test_authority_saves_a_trade_grid(bwa_client, botswana) -> None:
    rows = [trade_row(), trade_row(partner="EUR", carats="20.50", value="3000")]
    response = bwa_client.post(Q1, grid_post(rows))
    assert response.status_code == 302 and response["Location"] == Q1
    records = TradeRecord.objects.filter(submission=q1(botswana)).order_by("partner__code")
    assert [(r.partner.code, str(r.carats)) for r in records] == [
        ("EUR", "20.50"),
        ("ZAF", "1000.00"),
    ]
    assert q1(botswana).status == "draft"
    page = html(bwa_client.get(Q1))
    assert "Saved 2 rows." in page
    # The stored rows come back in the grid, then empty rows.
    assert 'name="trade-0-carats" value="20.50"' in page
    assert 'name="trade-2-carats"' in page


def test_a_grid_error_is_shown_at_its_row_and_column_and_nothing_is_stored(
    bwa_client, botswana
) -> None:
    rows = [trade_row(), {}, trade_row(partner="EUR", carats="-5"), trade_row(partner="RUS")]
    response = bwa_client.post(Q1, grid_post(rows, removed={3}))
    page = html(response)
    assert response.status_code == 400
    assert not Submission.objects.exists()
    # Grid row 3 (index 2), column carats; the other cells carry no error.
    assert "negative" in cell_errors(page, "id_trade-2-carats").lower()
    assert cell_errors(page, "id_trade-0-carats") == ""
    assert cell_errors(page, "id_trade-2-value_usd") == ""
    assert "Nothing was saved: 1 error to correct" in page
    assert '<a href="#id_trade-2-carats">3</a>' in page
    # What was typed stays in the grid.
    assert 'name="trade-2-carats" value="-5"' in page


def test_an_error_about_a_whole_row_is_shown_on_that_row(bwa_client) -> None:
    rows = [trade_row(), trade_row()]
    page = html(bwa_client.post(Q1, grid_post(rows)))
    assert "the same participant, year, period, flow, partner and HS code as row 2" in page
    assert '<a href="#id_trade-1-flow">2</a>' in page


def test_a_warning_is_explained_and_then_the_period_submitted(bwa_client, botswana) -> None:
    # Certificates for a shipment of no diamonds: the WGS would ask.
    response = bwa_client.post(Q1, grid_post([trade_row(carats="0", value="0", certificates="2")]))
    assert response.status_code == 302
    warning = ValidationFinding.objects.get(submission=q1(botswana))
    assert warning.severity == "warning" and warning.column == "certificates"
    page = html(bwa_client.get(Q1))
    assert "1 warning needs your explanation before you submit." in page
    assert f'id="warning-{warning.pk}"' in page
    assert "2 certificates for 0 carats" in page
    assert 'class="cell-warning"' in page

    refused = bwa_client.post(f"/en/submissions/{warning.submission_id}/submit/")
    assert refused.status_code == 400
    assert "Explain every warning before submitting" in html(refused)
    assert q1(botswana).status == "draft"

    explain = f"/en/submissions/{warning.submission_id}/findings/{warning.pk}/explain/"
    assert bwa_client.post(explain, {"explanation": " "}).status_code == 400
    response = bwa_client.post(explain, {"explanation": "Certificates voided in transit."})
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.explanation == "Certificates voided in transit."

    response = bwa_client.post(f"/en/submissions/{warning.submission_id}/submit/")
    assert response.status_code == 302
    assert q1(botswana).status == "submitted"
    assert "Submitted: the secretariat is reviewing" in html(bwa_client.get(Q1))


def test_production_is_saved_and_an_empty_grid_is_a_nil_return(bwa_client, botswana) -> None:
    response = bwa_client.post(
        H1, {"action": "save", "production-carats": "5000", "production-value_usd": "900000.5"}
    )
    assert response.status_code == 302
    record = ProductionRecord.objects.get(submission__participant=botswana)
    assert (str(record.carats), str(record.value_usd)) == ("5000.00", "900000.50")
    response = bwa_client.post(
        H1, {"action": "save", "production-carats": "", "production-value_usd": ""}
    )
    assert response.status_code == 302
    assert not ProductionRecord.objects.exists()
    assert "nil return" in html(bwa_client.get(H1))


def test_an_empty_trade_grid_is_a_nil_return_that_can_be_submitted(bwa_client, botswana) -> None:
    assert bwa_client.post(Q1, grid_post([{}, {}])).status_code == 302
    submission = q1(botswana)
    assert not submission.trade_records.exists()
    assert bwa_client.post(f"/en/submissions/{submission.pk}/submit/").status_code == 302
    assert q1(botswana).status == "submitted"


def test_more_rows_adds_empty_rows_and_saves_nothing(bwa_client) -> None:
    response = bwa_client.post(Q1, grid_post([trade_row()], action="more"))
    page = html(response)
    assert response.status_code == 200
    assert not Submission.objects.exists()
    assert 'name="trade-5-carats"' in page and 'name="trade-6-carats"' not in page
    assert 'name="trade-0-carats" value="1000.00"' in page


def test_a_tampered_grid_post_is_refused_with_a_message_not_an_error_page(bwa_client) -> None:
    response = bwa_client.post(Q1, {"action": "save", "trade-0-carats": "5"})
    assert response.status_code == 400
    assert "ManagementForm data is missing" in html(response)
    assert not Submission.objects.exists()


def test_a_locked_period_shows_its_reason_and_refuses_a_post(
    bwa_client, botswana, authority
) -> None:
    figures_save(participant=botswana, actor=authority, rows=[trade_row()])
    submission_submit(submission=q1(botswana), actor=authority)
    page = html(bwa_client.get(Q1))
    assert "Submitted: the secretariat is reviewing these figures." in page
    assert 'name="trade-0-carats"' not in page  # no grid to fill in
    assert "1,000.00" in page  # the figures, read-only
    response = bwa_client.post(Q1, grid_post([trade_row(carats="1.00")]))
    assert response.status_code == 403
    assert "Submitted: the secretariat is reviewing these figures." in html(response)
    assert str(TradeRecord.objects.get().carats) == "1000.00"


def test_a_period_past_its_deadline_refuses_a_post_and_says_so(bwa_client) -> None:
    ReportingDeadline.objects.filter(year=YEAR, period="Q1").update(due_date=dt.date(YEAR, 5, 31))
    response = bwa_client.post(Q1, grid_post([trade_row()]))
    assert response.status_code == 403
    assert f"Past the deadline of May 31, {YEAR}" in html(response)
    assert not Submission.objects.exists()


def test_reopened_figures_show_what_changed_since_acceptance(
    bwa_client, botswana, authority, secretariat
) -> None:
    figures_save(participant=botswana, actor=authority, rows=[trade_row()])
    submission_submit(submission=q1(botswana), actor=authority)
    submission_accept(submission=q1(botswana), actor=secretariat)
    submission_reopen(submission=q1(botswana), actor=secretariat, reason="ZAF reports more.")
    bwa_client.post(Q1, grid_post([trade_row(carats="1500")]))
    page = html(bwa_client.get(Q1))
    assert "What changed since the secretariat accepted these figures" in page
    assert "ZAF reports more." in page
    assert re.search(r"export · ZAF · 7102\.31</td>\s*<td>Carats</td>", page)
    assert "1,000.00" in page and "1,500.00" in page


def test_an_unknown_period_is_not_found(bwa_client) -> None:
    assert bwa_client.get(f"/en/submissions/{YEAR}/trade/H1/").status_code == 404
    assert bwa_client.get(f"/en/submissions/{YEAR}/stock/Q1/").status_code == 404
    assert bwa_client.get("/en/submissions/1999/trade/Q1/").status_code == 404


def test_a_submission_number_leads_to_its_grid(bwa_client, botswana, authority) -> None:
    figures_save(participant=botswana, actor=authority, rows=[trade_row()])
    response = bwa_client.get(f"/en/submissions/{q1(botswana).pk}/")
    assert response.status_code == 302 and response["Location"] == Q1


def test_the_grid_speaks_arabic_right_to_left(bwa_client, botswana, authority) -> None:
    figures_save(participant=botswana, actor=authority, rows=[trade_row()])
    response = bwa_client.get(f"/ar/submissions/{YEAR}/trade/Q1/")
    assert response.status_code == 200
    assert 'dir="rtl"' in html(response)


# --- Upload -------------------------------------------------------------------------------------


def csv_file(rows, name="statistics.csv"):
    lines = [HEADER] + [",".join(row[c] for c in HEADER.strip().split(",")) + "\n" for row in rows]
    upload = io.BytesIO("".join(lines).encode())
    upload.name = name
    return upload


def test_an_upload_is_checked_first_and_stored_only_when_confirmed(
    bwa_client, botswana, upload_storage
) -> None:
    rows = [trade_row(), trade_row(partner="EUR", carats="0", value="0", certificates="1")]
    response = bwa_client.post(UPLOAD, {"file": csv_file(rows)})
    page = html(response)
    assert response.status_code == 200
    assert "statistics.csv can be stored" in page
    assert not Submission.objects.exists()
    # The warning, with its file row and column, before anything is stored.
    assert re.search(r"<td class=\"num\">3</td>\s*<td>Certificates <code>certificates</code>", page)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)

    assert len(list((upload_storage / "statistics-uploads").iterdir())) == 1

    response = bwa_client.post(CONFIRM, {"token": token})
    assert response.status_code == 302 and response["Location"] == OVERVIEW
    assert TradeRecord.objects.filter(submission=q1(botswana)).count() == 2
    assert list((upload_storage / "statistics-uploads").iterdir()) == []
    assert ValidationFinding.objects.filter(submission=q1(botswana)).count() == 1
    # The same token cannot store twice.
    again = bwa_client.post(CONFIRM, {"token": token})
    assert again.status_code == 400
    assert "no longer waiting to be stored" in html(again)


def test_an_upload_with_errors_lists_every_finding_and_stores_nothing(bwa_client) -> None:
    rows = [trade_row(carats="-1"), trade_row(partner="EUR", hs_code="7102.99")]
    response = bwa_client.post(UPLOAD, {"file": csv_file(rows)})
    page = html(response)
    assert response.status_code == 400
    assert "statistics.csv was refused; nothing was stored" in page
    assert re.search(r"<td class=\"num\">2</td>\s*<td>Carats <code>carats</code>", page)
    assert re.search(r"<td class=\"num\">3</td>\s*<td>HS code <code>hs_code</code>", page)
    assert 'name="token"' not in page
    assert not Submission.objects.exists()


def test_an_upload_for_another_participant_is_refused(bwa_client) -> None:
    response = bwa_client.post(UPLOAD, {"file": csv_file([trade_row(participant="ZAF")])})
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_a_discarded_upload_cannot_be_stored(bwa_client, upload_storage) -> None:
    page = html(bwa_client.post(UPLOAD, {"file": csv_file([trade_row()])}))
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = bwa_client.post("/en/submissions/upload/discard/")
    assert response.status_code == 302
    assert list((upload_storage / "statistics-uploads").iterdir()) == []
    assert bwa_client.post(CONFIRM, {"token": token}).status_code == 400
    assert not Submission.objects.exists()


def test_a_confirmation_with_a_made_up_token_stores_nothing(bwa_client) -> None:
    bwa_client.post(UPLOAD, {"file": csv_file([trade_row()])})
    response = bwa_client.post(CONFIRM, {"token": "made-up"})
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_an_xlsx_upload_is_read_like_a_csv(bwa_client, botswana) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["BWA", YEAR, "Q1", "export", "ZAF", "7102.31", 1000, 150000, 2])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    data.name = "statistics.xlsx"
    page = html(bwa_client.post(UPLOAD, {"file": data}))
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    bwa_client.post(CONFIRM, {"token": token})
    assert str(TradeRecord.objects.get(submission=q1(botswana)).carats) == "1000.00"


def test_an_upload_over_10_mb_is_refused_clearly(bwa_client) -> None:
    upload = io.BytesIO(HEADER.encode() + b"x" * (10 * 1024 * 1024))
    upload.name = "huge.csv"
    response = bwa_client.post(UPLOAD, {"file": upload})
    assert response.status_code == 400
    assert "files up to 10 MB are accepted" in html(response)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("picture.png", b"\x89PNG\r\n\x1a\n", "neither a .csv nor an .xlsx file"),
        (
            "statistics.csv",
            HEADER.encode() + "BWA,2025,Q1,export,ZAF,7102.31,1,1,é\n".encode("latin-1"),
            "not UTF-8",
        ),
        ("statistics.xlsx", b"not a workbook at all", "is not an Excel workbook"),
        ("archive.xlsx", None, "a ZIP archive but not an Excel workbook"),
    ],
)
def test_an_unreadable_upload_gets_the_readers_message(bwa_client, name, content, message) -> None:
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "hello")
        content = buffer.getvalue()
    upload = io.BytesIO(content)
    upload.name = name
    response = bwa_client.post(UPLOAD, {"file": upload})
    assert response.status_code == 400
    assert message in html(response)
    assert not Submission.objects.exists()


def test_an_upload_without_a_file_says_so(bwa_client) -> None:
    response = bwa_client.post(UPLOAD, {})
    assert response.status_code == 400
    assert "Choose a CSV or XLSX file to upload." in html(response)


# --- Who may see what ----------------------------------------------------------------------------


ENTRY_PAGES = [OVERVIEW, Q1, H1, UPLOAD]


@pytest.mark.parametrize("url", ENTRY_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, url) -> None:
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["reviewer", "observer", "secretariat"])
@pytest.mark.parametrize("url", ENTRY_PAGES)
def test_other_roles_may_not_use_the_entry_pages(client, role, url) -> None:
    client.force_login(UserFactory(role=role))
    assert client.get(url).status_code == 403


def test_the_secretariat_may_not_post_figures_through_the_grid(client, secretariat) -> None:
    client.force_login(secretariat)
    assert client.post(Q1, grid_post([trade_row()])).status_code == 403
    assert not Submission.objects.exists()


def test_another_participants_authority_cannot_reach_this_participants_submission(
    client, botswana, authority
) -> None:
    figures_save(participant=botswana, actor=authority, rows=[trade_row(carats="0", value="0")])
    submission = q1(botswana)
    warning = ValidationFinding.objects.get(submission=submission)
    south_africa = UserFactory(role="authority", participant=Participant.objects.get(code="ZAF"))
    client.force_login(south_africa)
    assert client.get(f"/en/submissions/{submission.pk}/").status_code == 404
    assert client.post(f"/en/submissions/{submission.pk}/submit/").status_code == 404
    explain = f"/en/submissions/{submission.pk}/findings/{warning.pk}/explain/"
    assert client.post(explain, {"explanation": "mine now"}).status_code == 404
    assert q1(botswana).status == "draft"
    warning.refresh_from_db()
    assert warning.explanation == ""
    # Its own grid for the same period shows its own (empty) figures, not Botswana's.
    page = html(client.get(Q1))
    assert "South Africa" in page and 'value="0.00"' not in page


# --- Query counts ------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_overview_and_grid_run_no_more_queries_with_more_rows(bwa_client, botswana) -> None:
    submission = Submission.objects.create(
        participant=botswana, year=YEAR, dataset="trade", period="Q1"
    )
    partners = list(Participant.objects.exclude(code="BWA").order_by("code")[:40])
    TradeRecordFactory(submission=submission, partner=partners[0])
    few_overview, few_grid = (
        _queries(bwa_client, f"{OVERVIEW}?year={YEAR}"),
        _queries(bwa_client, Q1),
    )
    for partner in partners[1:]:
        TradeRecordFactory(submission=submission, partner=partner)
    for period in ("Q2", "Q3"):
        Submission.objects.create(participant=botswana, year=YEAR, dataset="trade", period=period)
    assert _queries(bwa_client, f"{OVERVIEW}?year={YEAR}") <= few_overview
    assert _queries(bwa_client, Q1) <= few_grid
