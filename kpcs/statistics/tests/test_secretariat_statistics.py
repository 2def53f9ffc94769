"""The secretariat's statistics pages: completeness and timeliness, the review of a
submission (query, accept, reopen), deadlines and extensions, publication, anomalies; who may
use them; and the public list of participants that have not reported."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kpcs.accounts.tests.factories import UserFactory
from kpcs.common.models import AuditEntry, BackgroundJob
from kpcs.participants.models import Participant
from kpcs.participants.tests.factories import ParticipantFactory
from kpcs.statistics.deadlines import edit_state
from kpcs.statistics.models import (
    Anomaly,
    AnomalyQuestion,
    DeadlineExtension,
    Release,
    ReportingDeadline,
    Submission,
    SubmissionTransition,
)
from kpcs.statistics.publication import release_publish
from kpcs.statistics.selectors.analysis import completeness_matrix
from kpcs.statistics.services import (
    figures_save,
    submission_accept,
    submission_submit,
    warning_explain,
)
from kpcs.statistics.tests.factories import SubmissionFactory, TradeRecordFactory

pytestmark = pytest.mark.django_db

YEAR = 2024
FAR = dt.date(2999, 1, 1)
OTHER_ROLES = ["authority", "reviewer", "observer"]


def url(name: str, *args: object) -> str:
    return reverse(f"statistics_secretariat:{name}", args=args)


def page(response) -> str:
    return response.content.decode()


# --- Figures built through the one write path --------------------------------------------------


def trade_row(code: str, period: str = "Q1", **values: str) -> dict[str, str]:
    return {
        "participant": code,
        "year": str(YEAR),
        "period": period,
        "flow": values.get("flow", "export"),
        "partner": values.get("partner", "ZAF"),
        "hs_code": values.get("hs_code", "7102.31"),
        "carats": values.get("carats", "1000.00"),
        "value_usd": values.get("value_usd", "150000.00"),
        "certificates": values.get("certificates", "2"),
    }


def authority_of(participant: Participant):
    return UserFactory(
        role="authority", participant=participant, username=f"{participant.code.lower()}-auth"
    )


def draft(code: str, period: str = "Q1", **values: str) -> Submission:
    """Trade figures saved by the participant's authority (the period kept open)."""
    ReportingDeadline.objects.update_or_create(year=YEAR, period=period, defaults={"due_date": FAR})
    participant = Participant.objects.get(code=code)
    figures_save(
        participant=participant,
        actor=authority_of(participant),
        rows=[trade_row(code, period, **values)],
    )
    return Submission.objects.get(participant=participant, year=YEAR, period=period)


def submitted(code: str, period: str = "Q1", **values: str) -> Submission:
    submission = draft(code, period, **values)
    author = authority_of(submission.participant)
    for finding in submission.findings.filter(explanation=""):
        warning_explain(finding=finding, actor=author, explanation="A large parcel.")
    return submission_submit(submission=submission, actor=author)


def accepted(code: str, period: str = "Q1", *, by=None, **values: str) -> Submission:
    submission = submitted(code, period, **values)
    return submission_accept(
        submission=submission, actor=by or UserFactory(role="secretariat", username="acceptor")
    )


def anomaly_for(participant: Participant, *, year: int = YEAR, n: int = 0) -> Anomaly:
    return Anomaly.objects.create(
        year=year,
        rule=Anomaly.Rule.SUPPLY_GAP,
        severity=Anomaly.Severity.HIGH,
        participant=participant,
        period="Y",
        message=f"{participant.code} exported more than it produced and imported.",
        figures={"export_carats": "1500.00", "gap_pct": "50.0", "submissions_in_workflow": []},
        fingerprint=f"supply_gap|{participant.code}||{year}|Y|{n}",
        last_found_at=timezone.now(),
    )


@pytest.fixture
def secretariat():
    return UserFactory(role="secretariat", username="sec")


@pytest.fixture
def sec_client(client, secretariat):
    client.force_login(secretariat)
    return client


# --- Who may use the pages ---------------------------------------------------------------------


@pytest.fixture
def records(db) -> dict:
    participant = ParticipantFactory()
    submission = SubmissionFactory(participant=participant, year=YEAR, status="submitted")
    anomaly = anomaly_for(participant)
    other = anomaly_for(participant, n=1)
    question = AnomalyQuestion.objects.create(
        anomaly=other,
        participant=participant,
        question="Why?",
        asked_by=UserFactory(role="secretariat", username="asker"),
    )
    return {"submission": submission, "anomaly": anomaly, "question": question}


POST_ONLY = {
    "submission-query",
    "submission-accept",
    "submission-reopen",
    "deadline-set",
    "release-publish",
    "anomaly-analyse",
    "question-close",
    "question-escalate",
}


def secretariat_urls(records: dict) -> list[tuple[str, str]]:
    submission = records["submission"].pk
    question = records["question"].pk
    names = [
        ("dashboard", []),
        ("submission", [submission]),
        ("submission-query", [submission]),
        ("submission-accept", [submission]),
        ("submission-reopen", [submission]),
        ("deadlines", []),
        ("deadline-set", []),
        ("extension-grant", []),
        ("publication", []),
        ("release-publish", []),
        ("anomalies", []),
        ("anomaly-analyse", []),
        ("question-ask", [records["anomaly"].pk]),
        ("stock", []),
        ("questions", []),
        ("question", [question]),
        ("question-close", [question]),
        ("question-escalate", [question]),
    ]
    return [(name, url(name, *args)) for name, args in names]


PAGE_COUNT = 18


def test_the_access_tests_cover_every_secretariat_statistics_page(records) -> None:
    from kpcs.statistics.secretariat_urls import urlpatterns as pages

    assert len(secretariat_urls(records)) == len(pages) == PAGE_COUNT


@pytest.mark.parametrize("index", range(PAGE_COUNT))
def test_secretariat_can_open_every_page(sec_client, records, index) -> None:
    name, address = secretariat_urls(records)[index]

    response = sec_client.get(address)

    # Buttons are POST-only; every other address is a page.
    assert response.status_code == (405 if name in POST_ONLY else 200), address


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("index", range(PAGE_COUNT))
def test_anonymous_visitor_is_sent_to_log_in(client, records, index, method) -> None:
    _name, address = secretariat_urls(records)[index]

    response = getattr(client, method)(address)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize("index", range(PAGE_COUNT))
def test_other_roles_are_refused_every_page(client, records, index, role) -> None:
    _name, address = secretariat_urls(records)[index]
    client.force_login(UserFactory(role=role))

    response = client.get(address)

    assert response.status_code == 403


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize("index", range(PAGE_COUNT))
def test_other_roles_cannot_change_anything_by_posting(client, records, index, role) -> None:
    _name, address = secretariat_urls(records)[index]
    user = UserFactory(role=role)
    if role == "authority":
        # Even the authority of the participant concerned.
        user.participant = records["submission"].participant
        user.save()
    client.force_login(user)

    response = client.post(
        address,
        {
            "year": YEAR,
            "comment": "hijacked",
            "reason": "hijacked",
            "note": "hijacked",
            "question": "hijacked",
            "period": "Q1",
            "due_date": "2030-01-01",
        },
    )

    assert response.status_code == 403
    assert not SubmissionTransition.objects.exists()
    assert not Release.objects.exists()
    assert not ReportingDeadline.objects.exists()
    assert not BackgroundJob.objects.exists()
    assert AnomalyQuestion.objects.get().status == AnomalyQuestion.Status.OPEN
    assert not AuditEntry.objects.exists()


# --- Completeness and timeliness ----------------------------------------------------------------


def cell(html: str, code: str, period: str) -> str:
    """The table cell of one participant's period, from the dashboard's HTML."""
    row = html.split(f'<span class="muted">{code}</span>', 1)[1].split("</tr>", 1)[0]
    return row.split(f'data-period="{period}"', 1)[1].split("</td>", 1)[0]


@pytest.mark.usefixtures("reference_data")
def test_dashboard_marks_late_periods_and_counts_participants_that_report_nothing(
    sec_client,
) -> None:
    bwa_q1 = submitted("BWA", "Q1")
    draft("ZAF", "Q1", partner="BWA")
    # Q1 was due long ago; Q2 is still open; the rest keep their default (passed) due dates.
    ReportingDeadline.objects.filter(year=YEAR, period="Q1").update(due_date=dt.date(2024, 5, 31))
    ReportingDeadline.objects.create(year=YEAR, period="Q2", due_date=FAR)

    response = sec_client.get(url("dashboard"), {"year": YEAR})

    html = page(response)
    assert response.status_code == 200
    assert "state-submitted" in cell(html, "BWA", "trade-Q1")
    assert url("submission", bwa_q1.pk) in cell(html, "BWA", "trade-Q1")
    # A draft past its due date is late; so is a period with nothing at all.
    assert "state-late" in cell(html, "ZAF", "trade-Q1")
    assert "Draft" in cell(html, "ZAF", "trade-Q1") or "draft" in cell(html, "ZAF", "trade-Q1")
    assert "state-late" in cell(html, "BWA", "trade-Q3")
    assert "state-open" in cell(html, "BWA", "trade-Q2")
    matrix = completeness_matrix(year=YEAR)
    expected = len(matrix.rows)
    assert expected > 40  # every participant of the reference data in 2024
    # Everyone has something late; only Botswana has submitted anything.
    assert f'id="count-late">{expected}<' in html
    assert f'id="count-never">{expected - 1}<' in html
    never = {row.participant.code for row in matrix.rows if row.never_reported}
    assert "BWA" not in never
    assert {"ZAF", "NAM"} <= never


@pytest.mark.usefixtures("reference_data")
def test_a_whole_year_submission_covers_each_quarter(sec_client) -> None:
    SubmissionFactory(
        participant=Participant.objects.get(code="BWA"), year=YEAR, period="Y", status="accepted"
    )

    matrix = completeness_matrix(year=YEAR)

    row = next(r for r in matrix.rows if r.participant.code == "BWA")
    trade = [c for c in row.cells if c.column.dataset == "trade"]
    assert all(c.status == "accepted" and c.whole_year and not c.late for c in trade)
    assert all(c.late for c in row.cells if c.column.dataset == "production")


@pytest.mark.usefixtures("reference_data")
def test_dashboard_shows_unanswered_questions_and_highlights_overdue_ones(sec_client) -> None:
    bwa, zaf = Participant.objects.get(code="BWA"), Participant.objects.get(code="ZAF")
    asker = UserFactory(role="secretariat", username="asker")
    AnomalyQuestion.objects.create(
        anomaly=anomaly_for(bwa),
        participant=bwa,
        question="Why?",
        asked_by=asker,
        due_date=dt.date(2025, 1, 31),
    )
    AnomalyQuestion.objects.create(
        anomaly=anomaly_for(zaf), participant=zaf, question="Why?", asked_by=asker, due_date=FAR
    )

    html = page(sec_client.get(url("dashboard"), {"year": YEAR}))

    assert 'id="count-unanswered">2<' in html
    unanswered = html.split('id="unanswered"', 1)[1]
    assert unanswered.count("overdue") == 1
    assert unanswered.index("Botswana") < unanswered.index("South Africa")


def test_dashboard_reports_a_year_that_is_not_a_year(sec_client) -> None:
    response = sec_client.get(url("dashboard"), {"year": "20x4"})

    assert response.status_code == 400
    assert "Give the year as four digits" in page(response)


def test_dashboard_query_count_does_not_grow_with_participants(sec_client) -> None:
    def plant(count: int) -> None:
        for _n in range(count):
            participant = ParticipantFactory()
            SubmissionFactory(participant=participant, year=YEAR, period="Q1", status="submitted")
            SubmissionFactory(participant=participant, year=YEAR, period="Y", dataset="production")
            AnomalyQuestion.objects.create(
                anomaly=anomaly_for(participant),
                participant=participant,
                question="Why?",
                asked_by=UserFactory(role="secretariat", username="asker"),
            )

    address = url("dashboard") + f"?year={YEAR}"
    plant(2)
    with CaptureQueriesContext(connection) as few:
        assert sec_client.get(address).status_code == 200
    plant(8)
    with CaptureQueriesContext(connection) as many:
        html = page(sec_client.get(address))

    assert html.count('data-period="trade-Q1"') == 10
    assert len(many) == len(few)


# --- Reviewing a submission ---------------------------------------------------------------------


@pytest.mark.usefixtures("reference_data")
def test_review_page_shows_figures_findings_and_explanations(sec_client) -> None:
    submission = submitted("BWA", "Q1", carats="1234.50", value_usd="98765.40")
    submission.findings.create(
        rule="unit_value",
        severity="warning",
        row="export|ZAF|7102.31",
        column="value_usd",
        message="The unit value is far from last year's.",
        explanation="A single exceptional stone.",
    )

    html = page(sec_client.get(url("submission", submission.pk)))

    assert "1,234.50" in html
    assert "98,765.40" in html
    assert "The unit value is far from last year&#x27;s." in html
    assert "A single exceptional stone." in html
    assert "Submitted: the secretariat is reviewing these figures." in html
    assert "bwa-auth" in html  # who submitted


@pytest.mark.usefixtures("reference_data")
def test_secretariat_queries_a_submission_with_a_comment(sec_client, secretariat) -> None:
    submission = submitted("BWA")

    response = sec_client.post(
        url("submission-query", submission.pk), {"comment": "Check the value to ZAF."}
    )

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "queried"
    step = submission.transitions.order_by("-at", "-id").first()
    assert (step.from_status, step.to_status, step.actor) == ("submitted", "queried", secretariat)
    assert step.comment == "Check the value to ZAF."
    html = page(sec_client.get(url("submission", submission.pk)))
    assert "Check the value to ZAF." in html
    # The participant may correct the figures now.
    assert "Queried: correct the figures and submit them again." in html


@pytest.mark.usefixtures("reference_data")
def test_a_query_needs_a_comment(sec_client) -> None:
    submission = submitted("BWA")

    response = sec_client.post(url("submission-query", submission.pk), {"comment": "  "})

    assert response.status_code == 400
    assert "This field is required" in page(response)
    submission.refresh_from_db()
    assert submission.status == "submitted"


@pytest.mark.usefixtures("reference_data")
def test_secretariat_accepts_a_submission(sec_client, secretariat) -> None:
    submission = submitted("BWA")

    response = sec_client.post(url("submission-accept", submission.pk), {"comment": ""})

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "accepted"
    assert submission.accepted_by == secretariat
    html = page(sec_client.get(response["Location"]))
    assert "The figures are accepted and locked" in html
    assert "Reopen the figures" in html


@pytest.mark.usefixtures("reference_data")
def test_a_step_the_workflow_refuses_is_explained_not_a_server_error(sec_client) -> None:
    submission = accepted("BWA")

    response = sec_client.post(url("submission-accept", submission.pk), {"comment": ""})
    query = sec_client.post(url("submission-query", submission.pk), {"comment": "Why?"})

    assert response.status_code == 400
    assert "Only a submitted submission can be accepted." in page(response)
    assert query.status_code == 400
    assert "Only a submitted submission can be queried." in page(query)
    submission.refresh_from_db()
    assert submission.status == "accepted"


@pytest.mark.usefixtures("reference_data")
def test_reopening_needs_a_reason_and_shows_what_changed_since_acceptance(
    sec_client, secretariat
) -> None:
    submission = accepted("BWA", carats="1000.00")

    refused = sec_client.post(url("submission-reopen", submission.pk), {"reason": ""})
    reopened = sec_client.post(
        url("submission-reopen", submission.pk), {"reason": "ZAF reports 1,500 ct."}
    )
    participant = submission.participant
    figures_save(
        participant=participant,
        actor=authority_of(participant),
        rows=[trade_row("BWA", carats="1500.00")],
    )

    assert refused.status_code == 400
    assert reopened.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "queried"
    step = submission.transitions.order_by("-at", "-id").first()
    assert (step.from_status, step.to_status, step.comment) == (
        "accepted",
        "queried",
        "ZAF reports 1,500 ct.",
    )
    html = page(sec_client.get(url("submission", submission.pk)))
    changes = html.split('id="changes"', 1)[1].split("</table>", 1)[0]
    assert "What changed since the last acceptance" in html
    assert "carats" in changes
    assert "1,000" in changes
    assert "1,500" in changes
    assert "ZAF" in changes


@pytest.mark.usefixtures("reference_data")
def test_published_figures_can_be_reopened(sec_client) -> None:
    submission = accepted("BWA")
    release_publish(year=YEAR)

    response = sec_client.post(url("submission-reopen", submission.pk), {"reason": "A correction."})

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "queried"


def test_an_unknown_submission_is_404_with_a_message(sec_client) -> None:
    response = sec_client.get(url("submission", 999999))

    assert response.status_code == 404
    assert "There is no submission number 999999." in page(response)


# --- Deadlines ------------------------------------------------------------------------------------


def test_secretariat_sets_and_moves_a_due_date_in_the_audit_trail(sec_client) -> None:
    first = sec_client.post(
        url("deadline-set"), {"year": YEAR, "period": "Q2", "due_date": "2024-09-15"}
    )
    moved = sec_client.post(
        url("deadline-set"), {"year": YEAR, "period": "Q2", "due_date": "2024-09-30"}
    )

    assert first.status_code == moved.status_code == 302
    assert ReportingDeadline.objects.get(year=YEAR, period="Q2").due_date == dt.date(2024, 9, 30)
    assert AuditEntry.objects.filter(object_repr__startswith="2024 Q2").count() == 2
    html = page(sec_client.get(url("deadlines"), {"year": YEAR}))
    assert "set by the secretariat" in html


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"period": "Q2", "due_date": "30/09/2024"}, "Give the date as YYYY-MM-DD"),
        ({"period": "Q9", "due_date": "2024-09-30"}, "Select a valid choice"),
        ({"period": "Q2", "due_date": "2023-09-30"}, "cannot be before the year it reports"),
    ],
)
def test_a_bad_due_date_is_refused_with_a_reason(sec_client, values, message) -> None:
    response = sec_client.post(url("deadline-set"), {"year": YEAR, **values})

    assert response.status_code == 400
    assert message in page(response)
    assert not ReportingDeadline.objects.exists()


@pytest.mark.usefixtures("reference_data")
def test_an_extension_makes_a_locked_period_editable_for_that_participant_only(
    sec_client,
) -> None:
    bwa, zaf = Participant.objects.get(code="BWA"), Participant.objects.get(code="ZAF")
    ReportingDeadline.objects.create(year=YEAR, period="Q1", due_date=dt.date(2024, 5, 31))
    state = {"year": YEAR, "dataset": "trade", "period": "Q1"}
    assert not edit_state(participant_id=bwa.pk, **state).editable
    until = (timezone.localtime() + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")

    response = sec_client.post(
        url("extension-grant"),
        {"participant": "bwa", **state, "until": until, "reason": "Customs system outage."},
    )

    assert response.status_code == 302
    assert edit_state(participant_id=bwa.pk, **state).editable
    assert not edit_state(participant_id=zaf.pk, **state).editable
    html = page(sec_client.get(response["Location"], follow=True))
    assert "Reopened by the secretariat until" in html
    extensions = html.split('id="extensions"', 1)[1]
    assert "Botswana" in extensions
    assert "Customs system outage." in extensions


@pytest.mark.usefixtures("reference_data")
@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"participant": "XXX"}, "No participant has the code “XXX”."),
        ({"dataset": "production", "period": "Q1"}, "is reported for H1, H2"),
        ({"until": "2020-01-01T10:00"}, "The extension must end in the future."),
        ({"until": "tomorrow"}, "Give a date and time"),
        ({"reason": ""}, "This field is required"),
    ],
)
def test_a_bad_extension_is_refused_with_a_reason(sec_client, values, message) -> None:
    until = (timezone.localtime() + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "participant": "BWA",
        "year": YEAR,
        "dataset": "trade",
        "period": "Q1",
        "until": until,
        "reason": "Outage.",
    }

    response = sec_client.post(url("extension-grant"), {**data, **values})

    assert response.status_code == 400
    assert message in page(response)
    assert not DeadlineExtension.objects.exists()


# --- Publication ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("reference_data")
def test_publishing_creates_release_one_then_a_revision_with_its_note(
    sec_client, secretariat
) -> None:
    accepted("BWA", "Q1")

    first = sec_client.post(url("release-publish"), {"year": YEAR, "note": ""})
    accepted("ZAF", "Q1", partner="BWA")
    without_note = sec_client.post(url("release-publish"), {"year": YEAR, "note": " "})
    second = sec_client.post(
        url("release-publish"), {"year": YEAR, "note": "South Africa's first quarter added."}
    )

    assert first.status_code == 302
    assert without_note.status_code == 400
    assert "a revision needs a note" in page(without_note)
    assert second.status_code == 302
    releases = list(Release.objects.filter(year=YEAR).order_by("number"))
    assert [r.number for r in releases] == [1, 2]
    assert releases[1].note == "South Africa's first quarter added."
    assert releases[1].published_by == secretariat
    html = page(sec_client.get(second["Location"], follow=True))
    assert "Release 2 of the 2024 statistics is published." in html
    table = html.split('id="releases"', 1)[1]
    assert "South Africa&#x27;s first quarter added." in table
    assert f"{reverse('statistics:summary')}?year={YEAR}&amp;release=2" in table
    assert not Submission.objects.filter(year=YEAR, status="accepted").exists()


@pytest.mark.usefixtures("reference_data")
def test_publication_page_lists_accepted_figures_waiting_for_a_release(sec_client) -> None:
    submission = accepted("BWA", "Q1")

    html = page(sec_client.get(url("publication"), {"year": YEAR}))

    waiting = html.split('id="accepted"', 1)[1].split("</table>", 1)[0]
    assert url("submission", submission.pk) in waiting
    assert "Publish release 1" in html


def test_nothing_accepted_means_nothing_to_publish(sec_client) -> None:
    SubmissionFactory(year=YEAR, status="submitted")

    response = sec_client.post(url("release-publish"), {"year": YEAR, "note": ""})

    assert response.status_code == 400
    assert "there is nothing to publish" in page(response)
    assert not Release.objects.exists()


def test_publishing_a_year_that_is_not_a_year_is_refused(sec_client) -> None:
    response = sec_client.post(url("release-publish"), {"year": "last", "note": ""})

    assert response.status_code == 400
    assert not Release.objects.exists()


# --- Anomalies ------------------------------------------------------------------------------------


def test_analyse_now_runs_the_analysis_and_the_anomalies_appear(
    sec_client, secretariat, django_capture_on_commit_callbacks
) -> None:
    bwa = ParticipantFactory(country__alpha3="BWA", country__name="Botswana")
    zaf = ParticipantFactory(country__alpha3="ZAF", country__name="South Africa")
    TradeRecordFactory(
        submission=SubmissionFactory(participant=bwa, year=YEAR, status="accepted"),
        flow="export",
        partner=zaf,
        carats=Decimal("20000.00"),
        value_usd=Decimal("3000000.00"),
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = sec_client.post(url("anomaly-analyse"), {"year": YEAR})

    assert response.status_code == 302
    job = BackgroundJob.objects.get()
    assert job.status == BackgroundJob.Status.SUCCEEDED
    assert job.created_by == secretariat
    assert Anomaly.objects.filter(year=YEAR, rule="mirror_discrepancy", participant=bwa).exists()
    html = page(sec_client.get(response["Location"]))
    assert f'id="job-{job.id}"' in html  # the progress partial
    assert "mirror discrepancy" in html
    assert "Ask the participant" in html


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"rule": "supply_gap"}, ["AAA gap"], ["BBB jump"]),
        ({"severity": "low"}, ["BBB jump"], ["AAA gap"]),
        ({"participant": "bbb"}, ["BBB jump"], ["AAA gap"]),
        ({"status": "closed"}, ["CCC closed"], ["AAA gap", "BBB jump"]),
        ({}, ["AAA gap", "BBB jump"], ["DDD gone"]),
        ({"include_gone": "on"}, ["DDD gone"], []),
    ],
)
def test_anomaly_list_filters(sec_client, query, shown, hidden) -> None:
    for code, rule, severity, status, present in [
        ("AAA", "supply_gap", "high", "open", True),
        ("BBB", "jump", "low", "open", True),
        ("CCC", "jump", "low", "closed", True),
        ("DDD", "jump", "low", "open", False),
    ]:
        participant = ParticipantFactory(country__alpha3=code)
        Anomaly.objects.create(
            year=YEAR,
            rule=rule,
            severity=severity,
            participant=participant,
            period="Y",
            message=f"{code} {'gap' if rule == 'supply_gap' else status}",
            fingerprint=f"{rule}|{code}",
            status=status,
            still_present=present,
            last_found_at=timezone.now(),
        )
    Anomaly.objects.filter(participant__code="BBB").update(message="BBB jump")
    Anomaly.objects.filter(participant__code="DDD").update(message="DDD gone")

    html = page(sec_client.get(url("anomalies"), {"year": YEAR, **query}))

    for text in shown:
        assert text in html
    for text in hidden:
        assert text not in html


def test_an_invalid_anomaly_filter_is_reported(sec_client) -> None:
    response = sec_client.get(url("anomalies"), {"year": YEAR, "rule": "gossip"})

    assert response.status_code == 400
    assert "Select a valid choice" in page(response)


def test_anomaly_list_query_count_does_not_grow_with_participants(sec_client) -> None:
    def plant(count: int) -> None:
        for _n in range(count):
            participant = ParticipantFactory()
            anomaly_for(participant)
            AnomalyQuestion.objects.create(
                anomaly=anomaly_for(participant, n=1),
                participant=participant,
                question="Why?",
                asked_by=UserFactory(role="secretariat", username="asker"),
            )

    address = url("anomalies") + f"?year={YEAR}"
    plant(2)
    with CaptureQueriesContext(connection) as few:
        assert sec_client.get(address).status_code == 200
    plant(8)
    with CaptureQueriesContext(connection) as many:
        html = page(sec_client.get(address))

    assert html.count('class="panel anomaly') == 20
    assert len(many) == len(few)


def test_asking_prefills_the_question_from_the_anomaly(sec_client) -> None:
    anomaly = anomaly_for(ParticipantFactory(country__alpha3="XAB"))

    html = page(sec_client.get(url("question-ask", anomaly.pk)))

    assert "XAB exported more than it produced and imported." in html
    assert "1,500" in html  # the figures, formatted


def test_asking_twice_leads_to_the_question_already_sent(sec_client, secretariat) -> None:
    anomaly = anomaly_for(ParticipantFactory())
    question = AnomalyQuestion.objects.create(
        anomaly=anomaly, participant=anomaly.participant, question="Why?", asked_by=secretariat
    )

    response = sec_client.get(url("question-ask", anomaly.pk))

    assert response.status_code == 302
    assert response["Location"] == url("question", question.pk)


def test_an_unknown_anomaly_is_404(sec_client) -> None:
    response = sec_client.get(url("question-ask", 999999))

    assert response.status_code == 404
    assert "There is no anomaly number 999999." in page(response)


# --- The public list of participants that have not reported --------------------------------------


@pytest.mark.usefixtures("reference_data")
def test_public_nonreporting_list_is_shown_only_for_years_with_a_release(client) -> None:
    accepted("BWA", "Q1")
    ReportingDeadline.objects.filter(year=YEAR, period="Q1").update(due_date=dt.date(2024, 5, 31))
    address = reverse("statistics:not-reported")

    before = client.get(address, {"year": YEAR})
    release_publish(year=YEAR)
    after = client.get(address, {"year": YEAR})
    default = client.get(address)
    other_year = client.get(address, {"year": YEAR - 1})

    assert before.status_code == 404
    assert "is not public yet" in page(before)
    assert after.status_code == 200
    listing = page(after).split('id="nonreporting"', 1)[1].split("</table>", 1)[0]
    south_africa = listing.split("South Africa", 1)[1].split("</tr>", 1)[0]
    assert "<td>Q1, Q2, Q3, Q4</td>" in south_africa
    assert "nothing reported" in south_africa
    # Botswana submitted Q1 only: it is listed for the other quarters and half-years.
    botswana = listing.split("Botswana", 1)[1].split("</tr>", 1)[0]
    assert "<td>Q2, Q3, Q4</td>" in botswana
    assert "<td>H1, H2</td>" in botswana
    assert "nothing reported" not in botswana
    assert listing in page(default)  # the latest year with a release
    assert other_year.status_code == 404
    assert f"?year={YEAR}" in page(other_year)


def test_public_nonreporting_list_reports_a_bad_year(client) -> None:
    response = client.get(reverse("statistics:not-reported"), {"year": "x"})

    assert response.status_code == 400
    assert "Give the year as four digits" in page(response)


def test_public_nonreporting_list_without_any_release_says_so(client) -> None:
    response = client.get(reverse("statistics:not-reported"))

    assert response.status_code == 200
    assert "No statistics have been published yet" in page(response)
