"""The annual report pages: the secretariat's list by year with the missing reports and the
CSV export, an authority's own reports, the form (pre-filled from last year, "no change",
figures, the document, submission), a report with its assessment and return for correction,
the year-on-year comparison; and who may see and do what (anonymous → log-in; reviewers and
observers refused; another participant's report → 404; a forbidden action → 403)."""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path

import pytest
from django.utils import timezone

from kpcs.accounts.models import Role
from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.tests.factories import ParticipantFactory, StatusEventFactory
from kpcs.reviews.models import AnnualReport
from kpcs.reviews.selectors import annual_reports as ar
from kpcs.reviews.tests.factories import AnnualReportFactory
from kpcs.reviews.tests.factories_annual import (
    complete_sections,
    pdf,
    png_named_pdf,
    submitted_report,
)

pytestmark = pytest.mark.django_db

LIST = "/en/annual-reports/"
EXPORT = "/en/annual-reports/export.csv"
LAST = ar.last_complete_year()
# A year whose due date has passed whatever the day the tests run.
OLD = LAST - 1
Status = AnnualReport.Status


def detail(code: str, year: int) -> str:
    return f"/en/annual-reports/{code}/{year}/"


def edit(code: str, year: int) -> str:
    return f"/en/annual-reports/{code}/{year}/edit/"


def document(code: str, year: int) -> str:
    return f"/en/annual-reports/{code}/{year}/document/"


def compare(code: str) -> str:
    return f"/en/annual-reports/{code}/compare/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def participant():
    return ParticipantFactory(name="Botswana demo", name_en="Botswana demo")


@pytest.fixture
def authority(participant):
    return UserFactory(role=Role.AUTHORITY, participant=participant)


@pytest.fixture
def other_authority():
    return UserFactory(role=Role.AUTHORITY)


@pytest.fixture
def secretariat():
    return UserFactory(role=Role.SECRETARIAT)


def logged_in(client, user):
    client.force_login(user)
    return client


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def text(response) -> str:
    return html.unescape(response.content.decode())


def form_data(**overrides):
    data = {k: ("" if v is None else v) for k, v in complete_sections().items()}
    data.update(overrides)
    return data


# --- Access -----------------------------------------------------------------------------------


def test_anonymous_visitors_go_to_the_log_in_page(client, participant):
    submitted_report(participant, LAST)
    for url in (
        LIST,
        EXPORT,
        detail(participant.code, LAST),
        edit(participant.code, LAST),
        document(participant.code, LAST),
        compare(participant.code),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.OBSERVER])
def test_reviewers_and_observers_are_refused_everywhere(client, participant, role):
    report = submitted_report(participant, LAST, document=pdf())
    assert report.document
    logged_in(
        client, UserFactory(role=role, participant=participant if role == "reviewer" else None)
    )
    assert client.get(LIST).status_code == 403
    assert client.get(EXPORT).status_code == 403
    for url in (
        detail(participant.code, LAST),
        edit(participant.code, LAST),
        document(participant.code, LAST),
        compare(participant.code),
    ):
        assert client.get(url).status_code == 404, url


def test_an_authority_cannot_see_another_participants_report(client, participant, other_authority):
    submitted_report(participant, LAST, document=pdf())
    logged_in(client, other_authority)
    for url in (
        detail(participant.code, LAST),
        edit(participant.code, LAST),
        document(participant.code, LAST),
        compare(participant.code),
        f"{compare(participant.code)}?years={LAST - 1},{LAST}",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(edit(participant.code, LAST), form_data())
    assert response.status_code == 404
    assert client.get(EXPORT).status_code == 403


def test_an_unknown_participant_or_year_is_404(client, secretariat, participant):
    logged_in(client, secretariat)
    assert client.get(detail("QQQ", LAST)).status_code == 404
    assert client.get(detail(participant.code, LAST)).status_code == 404


# --- The secretariat's list -------------------------------------------------------------------


def test_the_list_shows_every_expected_participant_with_its_status(
    client, secretariat, participant
):
    draft_one = ParticipantFactory()
    AnnualReportFactory(participant=draft_one, year=OLD)
    submitted_report(participant, OLD)
    silent = ParticipantFactory()
    logged_in(client, secretariat)
    response = client.get(LIST, {"year": OLD})
    assert response.status_code == 200
    rows = {row.participant.code: row for row in response.context["rows"]}
    assert rows[participant.code].status == "submitted"
    assert rows[draft_one.code].status == "draft" and rows[draft_one.code].missing
    assert rows[silent.code].status == "not_started" and rows[silent.code].missing
    assert rows[silent.code].days_late > 0
    assert rows[silent.code].due.isoformat() == f"{OLD + 1}-03-31"
    missing = {row.participant.code for row in response.context["missing"]}
    assert missing == {draft_one.code, silent.code}


def test_the_list_defaults_to_the_last_complete_year(client, secretariat):
    logged_in(client, secretariat)
    response = client.get(LIST)
    assert response.status_code == 200
    assert response.context["year"] == LAST


def test_the_missing_filter_lists_only_missing_reports(client, secretariat, participant):
    silent = ParticipantFactory()
    submitted_report(participant, OLD)
    logged_in(client, secretariat)
    response = client.get(LIST, {"year": OLD, "status": "missing"})
    codes = {row.participant.code for row in response.context["rows"]}
    assert silent.code in codes and participant.code not in codes


def test_a_suspended_participant_is_listed_only_with_all_participants(client, secretariat):
    suspended = ParticipantFactory()
    StatusEventFactory(
        participant=suspended, date=timezone.datetime(OLD, 2, 1).date(), event="suspended"
    )
    logged_in(client, secretariat)
    good = {r.participant.code for r in client.get(LIST, {"year": OLD}).context["rows"]}
    everyone = {
        r.participant.code for r in client.get(LIST, {"year": OLD, "scope": "all"}).context["rows"]
    }
    assert suspended.code not in good
    assert suspended.code in everyone


@pytest.mark.parametrize("year", [str(LAST + 1), "1999", "abc", "2002"])
def test_a_bad_year_in_the_list_says_so(client, secretariat, year):
    logged_in(client, secretariat)
    response = client.get(LIST, {"year": year})
    assert response.status_code == 400
    assert "is not a year with annual reports" in text(response)


def test_a_bad_status_filter_says_so(client, secretariat):
    logged_in(client, secretariat)
    response = client.get(LIST, {"status": "lost"})
    assert response.status_code == 400
    assert "is not a status" in text(response)


def test_the_csv_export_neutralises_formulas(client, secretariat):
    ParticipantFactory(name="=HYPERLINK(1)", name_en="=HYPERLINK(1)")
    logged_in(client, secretariat)
    response = client.get(EXPORT, {"year": OLD, "status": "missing"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["participant", "name", "year", "status"]
    names = [row[1] for row in rows[1:]]
    assert "'=HYPERLINK(1)" in names
    assert all(row[7] == "yes" for row in rows[1:])


def test_the_csv_export_refuses_a_bad_year(client, secretariat):
    logged_in(client, secretariat)
    response = client.get(EXPORT, {"year": "20x5"})
    assert response.status_code == 400


# --- An authority's list ----------------------------------------------------------------------


def test_an_authority_sees_its_own_years_and_a_start_button(client, authority, participant):
    submitted_report(participant, OLD)
    AnnualReportFactory(participant=ParticipantFactory(), year=OLD)
    logged_in(client, authority)
    response = client.get(LIST)
    assert response.status_code == 200
    years = [item.year for item in response.context["years"]]
    assert years == [LAST, OLD]
    page = text(response)
    assert f"Start the report on {LAST}" in page
    assert edit(participant.code, LAST) in page


# --- The form ---------------------------------------------------------------------------------


def test_starting_a_year_shows_last_years_text_beside_each_section(client, authority, participant):
    last = submitted_report(participant, LAST - 1, legislation="Diamond Act <2003> & rules.")
    logged_in(client, authority)
    response = client.get(edit(participant.code, LAST))
    assert response.status_code == 200
    page = response.content.decode()
    form = response.context["form"]
    assert form["legislation"].value() == last.legislation
    assert "Diamond Act &lt;2003&gt; &amp; rules." in page
    assert 'value="unchanged:legislation"' in page
    assert 'value="unchanged:changes"' not in page
    # Nothing is stored until the draft is saved.
    assert not AnnualReport.objects.filter(year=LAST).exists()


def test_saving_the_draft_creates_it(client, authority, participant):
    logged_in(client, authority)
    response = client.post(
        edit(participant.code, LAST), form_data(action="save", legislation="Mines Act.")
    )
    assert response.status_code == 302
    report = AnnualReport.objects.get(participant=participant, year=LAST)
    assert report.status == Status.DRAFT
    assert report.legislation == "Mines Act."


def test_no_change_copies_last_years_text_marks_it_and_editing_removes_the_mark(
    client, authority, participant
):
    last = submitted_report(participant, LAST - 1)
    logged_in(client, authority)
    response = client.post(
        edit(participant.code, LAST),
        form_data(action="unchanged:legislation", legislation="typed over"),
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#section-legislation")
    report = AnnualReport.objects.get(participant=participant, year=LAST)
    assert report.legislation == last.legislation
    assert report.unchanged_sections == ["legislation"]
    # The page shows the mark, and a second "no change" keeps the first.
    page = client.get(edit(participant.code, LAST))
    assert page.context["form"].marked() == ["legislation"]
    data = form_data(
        action="unchanged:statistics",
        legislation=last.legislation,
        unchanged_sections=["legislation"],
    )
    client.post(edit(participant.code, LAST), data)
    report.refresh_from_db()
    assert report.unchanged_sections == ["legislation", "statistics"]
    # Editing the text away from last year's removes that section's mark.
    data = form_data(
        action="save",
        legislation="Amended.",
        statistics=last.statistics,
        unchanged_sections=["legislation", "statistics"],
    )
    client.post(edit(participant.code, LAST), data)
    report.refresh_from_db()
    assert report.unchanged_sections == ["statistics"]
    assert report.legislation == "Amended."


def test_no_change_without_a_report_last_year_is_refused(client, authority, participant):
    logged_in(client, authority)
    response = client.post(edit(participant.code, LAST), form_data(action="unchanged:legislation"))
    assert response.status_code == 400
    assert "no submitted report on" in text(response)
    assert not AnnualReport.objects.exists()


def test_a_document_is_uploaded_and_downloaded_by_those_who_may_see_it(
    client, authority, participant, secretariat, media
):
    logged_in(client, authority)
    data = form_data(action="save", document=pdf("Annual report.pdf"))
    assert client.post(edit(participant.code, LAST), data).status_code == 302
    report = AnnualReport.objects.get(participant=participant, year=LAST)
    assert report.document_name == "Annual report.pdf"
    response = client.get(document(participant.code, LAST))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    logged_in(client, secretariat)
    assert client.get(document(participant.code, LAST)).status_code == 200


def test_a_file_of_the_wrong_type_is_refused_by_name_and_nothing_is_stored(
    client, authority, participant, media
):
    logged_in(client, authority)
    data = form_data(action="save", document=png_named_pdf("scan.pdf"))
    response = client.post(edit(participant.code, LAST), data)
    assert response.status_code == 400
    assert "scan.pdf is not a file type we accept" in text(response)
    assert not AnnualReport.objects.exists()
    assert stored_files(media) == []


def test_an_oversized_file_is_refused_and_nothing_is_stored(
    client, authority, participant, media, settings
):
    settings.REVIEW_UPLOAD_MAX_MB = 1
    big = pdf("big.pdf")
    big.file.write(b"0" * (2 * 1024 * 1024))
    big.file.seek(0)
    big.size = len(big.file.getvalue())
    logged_in(client, authority)
    response = client.post(edit(participant.code, LAST), form_data(action="save", document=big))
    assert response.status_code == 400
    assert "big.pdf is 2.0 MB" in text(response)
    assert not AnnualReport.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("seizures", "-1", "Seizures cannot be negative"),
        ("enforcement_cases", "-4", "Infringement cases cannot be negative"),
        ("seized_carats", "-2.5", "Carats seized cannot be negative"),
        ("seized_carats", "abc", "Give the carats seized as a number"),
    ],
)
def test_bad_figures_are_refused_with_a_message_and_nothing_is_stored(
    client, authority, participant, field, value, message
):
    logged_in(client, authority)
    response = client.post(edit(participant.code, LAST), form_data(action="save", **{field: value}))
    assert response.status_code == 400
    assert message in text(response)
    assert not AnnualReport.objects.exists()


@pytest.mark.parametrize("year", [LAST + 1, LAST + 5, 2002])
def test_a_report_on_the_current_or_a_future_year_is_refused(client, authority, participant, year):
    logged_in(client, authority)
    for response in (
        client.get(edit(participant.code, year)),
        client.post(edit(participant.code, year), form_data(action="save")),
    ):
        assert response.status_code == 400
        assert "An annual report covers a past year" in text(response)
    assert not AnnualReport.objects.exists()


def test_submitting_an_incomplete_report_names_each_missing_section(client, authority, participant):
    logged_in(client, authority)
    data = form_data(action="submit", legislation="", internal_controls="", seizures="")
    response = client.post(edit(participant.code, LAST), data)
    assert response.status_code == 400
    page = text(response)
    assert "“legislation” is empty" in page
    assert "“internal controls” is empty" in page
    assert "Give the number of seizures" in page
    assert not AnnualReport.objects.exists()


def test_submitting_a_complete_report(client, authority, participant):
    logged_in(client, authority)
    response = client.post(edit(participant.code, LAST), form_data(action="submit", changes=""))
    assert response.status_code == 302
    assert response["Location"] == detail(participant.code, LAST)
    report = AnnualReport.objects.get(participant=participant, year=LAST)
    assert report.status == Status.SUBMITTED
    assert report.submitted_by == authority


def test_a_submitted_report_cannot_be_edited(client, authority, participant):
    report = submitted_report(participant, LAST)
    logged_in(client, authority)
    response = client.get(edit(participant.code, LAST))
    assert response.status_code == 302
    assert response["Location"] == detail(participant.code, LAST)
    response = client.post(edit(participant.code, LAST), form_data(action="save", legislation="x"))
    assert response.status_code == 409
    report.refresh_from_db()
    assert report.legislation != "x"


def test_the_secretariat_reads_but_does_not_write_a_report(client, secretariat, participant):
    AnnualReportFactory(participant=participant, year=LAST)
    logged_in(client, secretariat)
    assert client.get(detail(participant.code, LAST)).status_code == 200
    response = client.get(edit(participant.code, LAST))
    assert response.status_code == 403
    assert "only the participant's own authority writes" in text(response)
    response = client.post(edit(participant.code, LAST), form_data(action="save", legislation="x"))
    assert response.status_code == 403
    assert AnnualReport.objects.get().legislation != "x"


# --- A report: assessment and return ----------------------------------------------------------


def test_the_secretariat_assesses_and_the_participant_reads_the_feedback(
    client, secretariat, authority, participant
):
    submitted_report(participant, LAST)
    logged_in(client, secretariat)
    page = client.get(detail(participant.code, LAST))
    assert page.context["assess_form"] is not None and page.context["return_form"] is not None
    response = client.post(
        f"{detail(participant.code, LAST)}assess/",
        {"assessment": "Complete and clear.", "feedback": "Give seizures by case."},
    )
    assert response.status_code == 302
    report = AnnualReport.objects.get()
    assert report.status == Status.ASSESSED and report.assessed_by == secretariat
    logged_in(client, authority)
    page = client.get(detail(participant.code, LAST))
    body = text(page)
    assert "Complete and clear." in body and "Give seizures by case." in body
    assert page.context["assess_form"] is None


def test_an_assessment_without_text_is_refused(client, secretariat, participant):
    submitted_report(participant, LAST)
    logged_in(client, secretariat)
    response = client.post(f"{detail(participant.code, LAST)}assess/", {"assessment": ""})
    assert response.status_code == 400
    assert "Write the working group's assessment." in text(response)
    assert AnnualReport.objects.get().status == Status.SUBMITTED


def test_a_draft_cannot_be_assessed_from_the_page(client, secretariat, participant):
    AnnualReportFactory(participant=participant, year=LAST)
    logged_in(client, secretariat)
    response = client.post(f"{detail(participant.code, LAST)}assess/", {"assessment": "Fine."})
    assert response.status_code == 409
    assert AnnualReport.objects.get().status == Status.DRAFT


def test_an_authority_cannot_assess_or_return_its_own_report(client, authority, participant):
    submitted_report(participant, LAST)
    logged_in(client, authority)
    response = client.post(f"{detail(participant.code, LAST)}assess/", {"assessment": "Great."})
    assert response.status_code == 403
    response = client.post(f"{detail(participant.code, LAST)}return/", {"return-feedback": "x"})
    assert response.status_code == 403
    assert AnnualReport.objects.get().status == Status.SUBMITTED


def test_return_for_correction_reopens_the_draft_with_the_feedback(
    client, secretariat, authority, participant
):
    submitted_report(participant, LAST)
    logged_in(client, secretariat)
    response = client.post(
        f"{detail(participant.code, LAST)}return/", {"return-feedback": "Add the penalties."}
    )
    assert response.status_code == 302
    report = AnnualReport.objects.get()
    assert report.status == Status.DRAFT and report.submitted_at is None
    logged_in(client, authority)
    page = client.get(edit(participant.code, LAST))
    assert page.status_code == 200
    assert "Add the penalties." in text(page)
    history = [
        str(step["what"]) for step in client.get(detail(participant.code, LAST)).context["history"]
    ]
    assert "returned for correction" in history


# --- Year on year -----------------------------------------------------------------------------


def test_the_comparison_shows_a_word_diff_escaped(client, authority, participant):
    submitted_report(participant, LAST - 1, legislation="Diamond Act of 2003.")
    submitted_report(participant, LAST, legislation="Diamond Act of 2003 <b>amended</b> 2025.")
    logged_in(client, authority)
    response = client.get(compare(participant.code))
    assert response.status_code == 200
    assert response.context["comparison"].years == (LAST - 1, LAST)
    page = response.content.decode()
    assert "<del>2003.</del>" in page
    assert "<ins>2003 &lt;b&gt;amended&lt;/b&gt; 2025.</ins>" in page
    figures = {f.name: f for f in response.context["comparison"].figures}
    assert figures["enforcement_cases"].change == 0


def test_the_secretariat_compares_chosen_years_even_with_one_missing(
    client, secretariat, participant
):
    submitted_report(participant, LAST)
    logged_in(client, secretariat)
    response = client.get(compare(participant.code), {"years": f"{LAST},{LAST - 3}"})
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert comparison.years == (LAST - 3, LAST)
    assert comparison.earlier is None and comparison.later is not None


@pytest.mark.parametrize(
    "years", ["2024", "abc,def", f"{LAST},{LAST}", f"{LAST},{LAST + 1}", "2001,2024"]
)
def test_bad_years_to_compare_say_so(client, secretariat, participant, years):
    logged_in(client, secretariat)
    response = client.get(compare(participant.code), {"years": years})
    assert response.status_code == 400
    assert "years must be two different years" in text(response)


def test_an_authority_starts_another_year_from_its_list(client, authority, participant):
    logged_in(client, authority)
    response = client.get(LIST, {"start": str(LAST - 4)})
    assert response.status_code == 302
    assert response["Location"] == edit(participant.code, LAST - 4)
    response = client.get(LIST, {"start": str(LAST + 1)})
    assert response.status_code == 400
    assert "An annual report covers a past year" in text(response)


def test_the_list_takes_the_same_number_of_queries_for_more_participants(
    client, secretariat, django_assert_max_num_queries
):
    logged_in(client, secretariat)
    for _ in range(3):
        AnnualReportFactory(participant=ParticipantFactory(), year=OLD)
    client.get(LIST, {"year": OLD})  # warm the session and content types
    with django_assert_max_num_queries(12) as few:
        client.get(LIST, {"year": OLD})
    for _ in range(30):
        submitted_report(ParticipantFactory(), OLD)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST, {"year": OLD})
