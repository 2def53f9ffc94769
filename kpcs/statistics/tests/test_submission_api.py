"""The submissions API for participants' own systems: post FORMATS.md §1 rows (the same
validation as the grid and uploads), read submissions, explain warnings, submit; and who may
do which."""

from __future__ import annotations

import datetime as dt

import pytest

from kpcs.accounts.tests.factories import UserFactory, api_client_as
from kpcs.participants.models import Participant
from kpcs.statistics.models import ReportingDeadline, Submission, TradeRecord, ValidationFinding
from kpcs.statistics.services import figures_save, submission_query, submission_submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

YEAR = 2025
LIST = "/api/v1/statistics/submissions/"


@pytest.fixture(autouse=True)
def open_periods():
    """Keep YEAR's periods open whatever today's date is."""
    for period in ("Q1", "Q2", "Q3", "Q4", "H1", "H2"):
        ReportingDeadline.objects.create(year=YEAR, period=period, due_date=dt.date(2999, 1, 1))


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
def bwa_api(api_client, authority):
    """A participant's own system, with an API client key of its participant."""
    return api_client_as(authority)


def row(partner="ZAF", carats="1000.00", value="150000.00", certificates="2", **extra):
    cells = {
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
    cells.update(extra)
    return cells


def q1(botswana):
    return Submission.objects.get(participant=botswana, year=YEAR, dataset="trade", period="Q1")


def detail_url(submission) -> str:
    return f"{LIST}{submission.pk}/"


# --- Posting figures -----------------------------------------------------------------------------


def test_an_authority_posts_rows_and_gets_the_submissions_touched_and_the_warnings(
    bwa_api, botswana
) -> None:
    rows = [
        row(),
        row(partner="EUR", carats=0, value=0, certificates=2),  # numbers are accepted too
        {
            "participant": "BWA",
            "year": YEAR,
            "period": "H1",
            "flow": "production",
            "carats": 5000.5,
            "value_usd": "900000",
        },
    ]
    response = bwa_api.post(LIST, {"rows": rows}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["dry_run"] is False
    touched = {(s["dataset"], s["period"]): s for s in body["submissions"]}
    assert set(touched) == {("trade", "Q1"), ("production", "H1")}
    assert touched[("trade", "Q1")]["status"] == "draft"
    assert touched[("trade", "Q1")]["url"].endswith(detail_url(q1(botswana)))
    # The warning about row 3 (rows[1]), and the stored warning to explain, with its id.
    assert [(w["row"], w["column"], w["severity"]) for w in body["warnings"]] == [
        (3, "certificates", "warning")
    ]
    stored = touched[("trade", "Q1")]["warnings"]
    assert [(w["row"], w["column"]) for w in stored] == [("export|EUR|7102.31", "certificates")]
    assert TradeRecord.objects.filter(submission=q1(botswana)).count() == 2
    production = Submission.objects.get(participant=botswana, period="H1").production
    assert str(production.carats) == "5000.50"


def test_a_dry_run_answers_200_and_stores_nothing(bwa_api) -> None:
    response = bwa_api.post(LIST, {"rows": [row()], "dry_run": True}, format="json")
    assert response.status_code == 200
    assert response.json() == {"dry_run": True, "submissions": [], "warnings": []}
    assert not Submission.objects.exists()


def test_refused_rows_answer_400_with_every_finding_and_store_nothing(bwa_api) -> None:
    rows = [row(), row(partner="EUR", carats="-5"), row(partner="RUS", hs_code="7102.99")]
    response = bwa_api.post(LIST, {"rows": rows}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"status", "code", "detail", "errors"}
    assert body["status"] == 400 and body["code"] == "invalid"
    assert "2 errors; nothing was stored" in body["detail"]
    findings = body["errors"]["findings"]
    assert [(f["row"], f["column"], f["severity"]) for f in findings] == [
        (3, "carats", "error"),
        (4, "hs_code", "error"),
    ]
    assert set(findings[0]) == {"row", "column", "rule", "severity", "message"}
    assert findings[0]["message"].startswith("Row 3, column carats:")
    assert not Submission.objects.exists()


def test_a_participant_cannot_post_another_participants_figures(bwa_api) -> None:
    response = bwa_api.post(LIST, {"rows": [row(participant="ZAF")]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["findings"][0]["column"] == "participant"
    assert not Submission.objects.exists()


def test_figures_for_a_submitted_period_are_refused_with_the_reason(
    bwa_api, botswana, authority
) -> None:
    figures_save(participant=botswana, actor=authority, rows=[row()])
    submission_submit(submission=q1(botswana), actor=authority)
    response = bwa_api.post(LIST, {"rows": [row(carats="1.00")]}, format="json")
    assert response.status_code == 400
    finding = response.json()["errors"]["findings"][0]
    assert finding["rule"] == "period_locked"
    assert "the secretariat is reviewing" in finding["message"]
    assert str(TradeRecord.objects.get().carats) == "1000.00"


def test_a_nil_return_is_posted_as_a_period_without_rows(bwa_api, botswana) -> None:
    response = bwa_api.post(
        LIST,
        {"nil_returns": [{"year": YEAR, "dataset": "trade", "period": "Q2"}]},
        format="json",
    )
    assert response.status_code == 201
    submission = Submission.objects.get(participant=botswana, period="Q2")
    assert not submission.trade_records.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "rows", "Send at least one row"),
        ({"rows": "BWA,2025"}, "rows", "Send the rows as a list of objects."),
        ({"rows": [row(), "BWA,2025"]}, "rows", "these are not: 3"),
        ({"rows": [row(carats={"value": 1})]}, "rows", "these rows have other values: 2"),
        (
            {"nil_returns": [{"year": YEAR, "dataset": "trade", "period": "H1"}]},
            "nil_returns",
            "trade is not reported by H1",
        ),
    ],
)
def test_a_malformed_request_is_refused_in_the_common_error_shape(
    bwa_api, body, field, message
) -> None:
    response = bwa_api.post(LIST, body, format="json")
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "invalid" and field in answer["errors"]
    assert message in str(answer["errors"][field])
    assert not Submission.objects.exists()


# --- Reading -------------------------------------------------------------------------------------


def test_an_authority_lists_its_own_submissions_by_year(bwa_api, botswana, authority) -> None:
    figures_save(participant=botswana, actor=authority, rows=[row()])
    south_africa = Participant.objects.get(code="ZAF")
    Submission.objects.create(participant=south_africa, year=YEAR, dataset="trade", period="Q1")
    Submission.objects.create(participant=botswana, year=2024, dataset="trade", period="Q1")
    response = bwa_api.get(LIST, {"year": YEAR})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(s["participant"], s["year"], s["period"]) for s in results] == [("BWA", YEAR, "Q1")]
    assert bwa_api.get(LIST).json()["count"] == 2


def test_the_secretariat_lists_every_participants_submissions(
    api_client, botswana, secretariat
) -> None:
    for code in ("BWA", "ZAF"):
        Submission.objects.create(
            participant=Participant.objects.get(code=code), year=YEAR, dataset="trade", period="Q1"
        )
    api_client.force_authenticate(secretariat)
    body = api_client.get(LIST, {"year": YEAR}).json()
    assert [s["participant"] for s in body["results"]] == ["BWA", "ZAF"]


def test_a_bad_year_filter_is_explained(bwa_api) -> None:
    response = bwa_api.get(LIST, {"year": "last"})
    assert response.status_code == 400
    assert response.json()["errors"]["year"] == ["Give the year as four digits, e.g. 2024."]


def test_a_submission_shows_figures_warnings_status_edit_state_and_history(
    bwa_api, botswana, authority, secretariat
) -> None:
    figures_save(
        participant=botswana,
        actor=authority,
        rows=[row(), row(partner="EUR", carats="0", value="0", certificates="2")],
    )
    warning = ValidationFinding.objects.get()
    warning.explanation = "Voided in transit."
    warning.save()
    submission_submit(submission=q1(botswana), actor=authority)
    submission_query(submission=q1(botswana), actor=secretariat, comment="Check EUR.")
    body = bwa_api.get(detail_url(q1(botswana))).json()
    assert body["status"] == "queried"
    assert body["edit_state"]["editable"] is True
    assert body["edit_state"]["reason"] == "Queried: correct the figures and submit them again."
    assert body["edit_state"]["due"] == "2999-01-01"
    assert body["production"] is None
    assert body["trade"][1] == {
        "flow": "export",
        "partner": "ZAF",
        "hs_code": "7102.31",
        "carats": "1000.00",
        "value_usd": "150000.00",
        "certificates": 2,
    }
    assert [(w["id"], w["explanation"]) for w in body["warnings"]] == [
        (warning.pk, "Voided in transit.")
    ]
    assert [(t["to_status"], t["comment"]) for t in body["transitions"]] == [
        ("submitted", ""),
        ("queried", "Check EUR."),
    ]


def test_a_submitted_submission_says_why_it_cannot_be_edited(bwa_api, botswana, authority) -> None:
    figures_save(participant=botswana, actor=authority, rows=[row()])
    submission_submit(submission=q1(botswana), actor=authority)
    state = bwa_api.get(detail_url(q1(botswana))).json()["edit_state"]
    assert state["editable"] is False
    assert state["reason"] == "Submitted: the secretariat is reviewing these figures."


# --- Explaining and submitting -----------------------------------------------------------------


def test_warnings_are_explained_then_the_submission_is_submitted(bwa_api, botswana) -> None:
    bwa_api.post(LIST, {"rows": [row(carats="0", value="0", certificates="2")]}, format="json")
    submission = q1(botswana)
    warning = ValidationFinding.objects.get(submission=submission)
    submit = f"{detail_url(submission)}submit/"

    refused = bwa_api.post(submit)
    assert refused.status_code == 409
    assert refused.json()["code"] == "conflict"
    assert "Explain every warning before submitting" in refused.json()["detail"]

    explain = f"{detail_url(submission)}findings/{warning.pk}/explain/"
    blank = bwa_api.post(explain, {"explanation": "  "}, format="json")
    assert blank.status_code == 400
    assert "cannot be explained by nothing" in str(blank.json()["errors"]["explanation"])
    response = bwa_api.post(explain, {"explanation": "Certificates voided."}, format="json")
    assert response.status_code == 200
    assert response.json()["explanation"] == "Certificates voided."

    response = bwa_api.post(submit)
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert q1(botswana).status == "submitted"
    # Submitted figures are locked: explaining again is refused with the reason.
    again = bwa_api.post(explain, {"explanation": "Another."}, format="json")
    assert again.status_code == 409
    assert "the secretariat is reviewing" in again.json()["detail"]


def test_an_unknown_warning_is_not_found(bwa_api, botswana, authority) -> None:
    figures_save(participant=botswana, actor=authority, rows=[row()])
    url = f"{detail_url(q1(botswana))}findings/999999/explain/"
    response = bwa_api.post(url, {"explanation": "x"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- Who may do what ------------------------------------------------------------------------------


@pytest.fixture
def submission(botswana, authority):
    figures_save(
        participant=botswana, actor=authority, rows=[row(carats="0", value="0", certificates="2")]
    )
    return q1(botswana)


def _urls(submission):
    warning = ValidationFinding.objects.get(submission=submission)
    return [
        ("get", LIST),
        ("post", LIST),
        ("get", detail_url(submission)),
        ("post", f"{detail_url(submission)}submit/"),
        ("post", f"{detail_url(submission)}findings/{warning.pk}/explain/"),
    ]


def test_anonymous_clients_get_401_everywhere(api_client, submission) -> None:
    for method, url in _urls(submission):
        response = getattr(api_client, method)(url, {}, format="json")
        assert response.status_code == 401, url
        assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("role", ["reviewer", "observer"])
def test_reviewers_and_observers_get_403_everywhere(api_client, submission, role) -> None:
    api_client.force_authenticate(UserFactory(role=role))
    for method, url in _urls(submission):
        response = getattr(api_client, method)(url, {}, format="json")
        assert response.status_code == 403, url
        assert response.json()["code"] == "permission_denied"


def test_the_secretariat_reads_but_does_not_post_submit_or_explain(
    api_client, submission, secretariat
) -> None:
    api_client.force_authenticate(secretariat)
    assert api_client.get(detail_url(submission)).status_code == 200
    response = api_client.post(LIST, {"rows": [row()]}, format="json")
    assert response.status_code == 403
    assert "The secretariat reads submissions but does not enter" in response.json()["detail"]
    for method, url in _urls(submission)[3:]:
        assert (
            getattr(api_client, method)(url, {"explanation": "x"}, format="json").status_code == 403
        )
    assert q1(submission.participant).status == "draft"
    assert TradeRecord.objects.get().carats == 0


def test_another_participants_authority_gets_404_for_this_participants_submission(
    api_client, submission
) -> None:
    api_client.force_authenticate(
        UserFactory(role="authority", participant=Participant.objects.get(code="ZAF"))
    )
    for method, url in _urls(submission)[2:]:
        response = getattr(api_client, method)(url, {"explanation": "x"}, format="json")
        assert response.status_code == 404, url
    assert api_client.get(LIST).json()["count"] == 0
    assert q1(submission.participant).status == "draft"
    assert ValidationFinding.objects.get().explanation == ""


def test_listing_runs_no_more_queries_with_more_submissions(
    bwa_api, botswana, django_assert_max_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Submission.objects.create(participant=botswana, year=YEAR, dataset="trade", period="Q1")
    with CaptureQueriesContext(connection) as few:
        bwa_api.get(LIST)
    for period in ("Q2", "Q3", "Q4"):
        Submission.objects.create(participant=botswana, year=YEAR, dataset="trade", period=period)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert bwa_api.get(LIST).json()["count"] == 4
