"""The annual reports API: list by year, start a draft, change it, attach and download the
document, submit, the secretariat's assessment and return for correction, the missing
reports; and who may do which (anonymous 401, reviewers and observers 403, another
participant's report 404, a step the status does not allow 409)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from kpcs.accounts.models import Role
from kpcs.accounts.tests.factories import UserFactory, api_client_as
from kpcs.participants.tests.factories import ParticipantFactory
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

LIST = "/api/v1/reviews/annual-reports/"
MISSING = "/api/v1/reviews/annual-reports/missing/"
LAST = ar.last_complete_year()
OLD = LAST - 1
Status = AnnualReport.Status


def url(report_id: int, action: str = "") -> str:
    return f"{LIST}{report_id}/{action + '/' if action else ''}"


def client_for(user) -> APIClient:
    return api_client_as(user)


def assert_error(response, status: int, code: str) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert body["status"] == status and body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def participant():
    return ParticipantFactory()


@pytest.fixture
def authority(participant):
    return UserFactory(role=Role.AUTHORITY, participant=participant)


@pytest.fixture
def api(authority):
    return client_for(authority)


@pytest.fixture
def secretariat_api():
    return client_for(UserFactory(role=Role.SECRETARIAT))


@pytest.fixture
def other_api():
    return client_for(UserFactory(role=Role.AUTHORITY))


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


# --- Access -----------------------------------------------------------------------------------


def test_anonymous_clients_are_refused(participant):
    report = submitted_report(participant, LAST)
    client = APIClient()
    assert client.get(LIST).status_code == 401
    assert client.get(url(report.pk)).status_code == 401
    assert client.get(MISSING).status_code == 401


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.OBSERVER])
def test_reviewers_and_observers_are_refused(participant, role):
    report = submitted_report(participant, LAST)
    client = client_for(UserFactory(role=role))
    for response in (
        client.get(LIST),
        client.get(url(report.pk)),
        client.get(url(report.pk, "document")),
        client.post(LIST, {"year": LAST}, format="json"),
        client.get(MISSING),
    ):
        assert_error(response, 403, "permission_denied")


def test_an_authority_cannot_see_or_touch_another_participants_report(participant, other_api):
    report = submitted_report(participant, LAST, document=pdf())
    draft = AnnualReportFactory(participant=participant, year=OLD)
    assert other_api.get(LIST).json()["count"] == 0
    for response in (
        other_api.get(url(report.pk)),
        other_api.get(url(report.pk, "document")),
        other_api.patch(url(draft.pk), {"legislation": "x"}, format="json"),
        other_api.post(url(draft.pk, "submit")),
        other_api.post(url(draft.pk, "document"), {"document": pdf()}, format="multipart"),
    ):
        assert_error(response, 404, "not_found")
    draft.refresh_from_db()
    assert draft.legislation != "x"


def test_the_missing_list_is_for_the_secretariat_only(api):
    assert_error(api.get(MISSING), 403, "permission_denied")


# --- Reading ----------------------------------------------------------------------------------


def test_the_secretariat_lists_all_reports_of_a_year_and_an_authority_its_own(
    participant, api, secretariat_api
):
    own = submitted_report(participant, LAST)
    submitted_report(participant, OLD)
    AnnualReportFactory(participant=ParticipantFactory(), year=LAST)
    body = secretariat_api.get(LIST, {"year": LAST}).json()
    assert body["count"] == 2
    body = api.get(LIST).json()
    assert {r["year"] for r in body["results"]} == {LAST, OLD}
    first = api.get(LIST, {"year": LAST}).json()["results"]
    assert [r["id"] for r in first] == [own.pk]
    assert first[0]["participant"] == participant.code
    assert first[0]["due_date"] == f"{LAST + 1}-03-31"
    assert first[0]["status"] == "submitted"


@pytest.mark.parametrize("year", ["20x5", str(LAST + 1), "1990"])
def test_a_bad_year_answers_400_naming_year(api, year):
    body = assert_error(api.get(LIST, {"year": year}), 400, "invalid")
    assert "year" in body["errors"]


def test_a_bad_status_or_page_size_answers_400(api):
    assert "status" in assert_error(api.get(LIST, {"status": "lost"}), 400, "invalid")["errors"]
    assert_error(api.get(LIST, {"page_size": "x"}), 400, "invalid")


def test_the_missing_list_names_participants_without_a_submitted_report(
    participant, secretariat_api
):
    submitted_report(participant, OLD)
    drafting = ParticipantFactory()
    AnnualReportFactory(participant=drafting, year=OLD)
    silent = ParticipantFactory()
    body = secretariat_api.get(MISSING, {"year": OLD}).json()
    rows = {row["participant"]: row for row in body["results"]}
    assert participant.code not in rows
    assert rows[drafting.code]["status"] == "draft"
    assert rows[silent.code]["status"] == "not_started"
    assert rows[silent.code]["days_late"] > 0
    body = assert_error(secretariat_api.get(MISSING, {"year": "soon"}), 400, "invalid")
    assert "year" in body["errors"]
    body = assert_error(secretariat_api.get(MISSING, {"scope": "most"}), 400, "invalid")
    assert "scope" in body["errors"]


# --- Writing ----------------------------------------------------------------------------------


def test_an_authority_starts_its_report_pre_filled_from_last_year(participant, api):
    last = submitted_report(participant, LAST - 1)
    response = api.post(LIST, {"year": LAST, "changes": "New permit system."}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["legislation"] == last.legislation
    assert body["changes"] == "New permit system."
    assert body["enforcement_cases"] is None
    assert body["url"].endswith(url(body["id"]))


def test_starting_the_same_year_twice_is_409(participant, api):
    AnnualReportFactory(participant=participant, year=LAST)
    assert_error(api.post(LIST, {"year": LAST}, format="json"), 409, "conflict")


@pytest.mark.parametrize("year", [LAST + 1, 2002, "abc", None])
def test_starting_a_bad_year_is_400_naming_year(api, year):
    payload = {} if year is None else {"year": year}
    body = assert_error(api.post(LIST, payload, format="json"), 400, "invalid")
    assert "year" in body["errors"]
    assert not AnnualReport.objects.exists()


def test_the_secretariat_cannot_start_a_participants_report(secretariat_api):
    assert_error(
        secretariat_api.post(LIST, {"year": LAST}, format="json"), 403, "permission_denied"
    )


def test_patch_changes_the_draft_and_no_change_copies_last_year(participant, api):
    last = submitted_report(participant, LAST - 1)
    report = AnnualReportFactory(participant=participant, year=LAST, legislation="Draft text")
    response = api.patch(
        url(report.pk),
        {"statistics": "On time.", "seizures": 3, "unchanged_sections": ["legislation"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["legislation"] == last.legislation
    assert body["unchanged_sections"] == ["legislation"]
    assert (body["statistics"], body["seizures"]) == ("On time.", 3)
    body = api.patch(url(report.pk), {"legislation": "Amended."}, format="json").json()
    assert body["unchanged_sections"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"seizures": -1}, "seizures"),
        ({"enforcement_cases": -2}, "enforcement_cases"),
        ({"seized_carats": "-3.00"}, "seized_carats"),
        ({"seized_carats": "1.234"}, "seized_carats"),
        ({"seizures": 0, "seized_carats": "5.00"}, "seized_carats"),
        ({"unchanged_sections": ["legislation"]}, "unchanged_sections"),
        ({"unchanged_sections": ["nonsense"]}, "unchanged_sections"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_nothing_changes(participant, api, payload, field):
    report = AnnualReportFactory(participant=participant, year=LAST, statistics="Before.")
    body = assert_error(
        api.patch(url(report.pk), {**payload, "statistics": "After."}, format="json"),
        400,
        "invalid",
    )
    assert field in body["errors"]
    report.refresh_from_db()
    assert report.statistics == "Before."


def test_the_document_is_attached_and_downloaded(participant, api, secretariat_api):
    report = AnnualReportFactory(participant=participant, year=LAST)
    response = api.post(url(report.pk, "document"), {"document": pdf("AR.pdf")}, format="multipart")
    assert response.status_code == 200, response.json()
    document = response.json()["document"]
    assert document["name"] == "AR.pdf" and document["content_type"] == "application/pdf"
    for client in (api, secretariat_api):
        download = client.get(url(report.pk, "document"))
        assert download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_document_of_the_wrong_type_is_refused_and_nothing_stored(participant, api, media):
    report = AnnualReportFactory(participant=participant, year=LAST)
    body = assert_error(
        api.post(
            url(report.pk, "document"), {"document": png_named_pdf("x.pdf")}, format="multipart"
        ),
        400,
        "invalid",
    )
    assert "x.pdf" in body["errors"]["document"][0]
    report.refresh_from_db()
    assert not report.document
    assert stored_files(media) == []


def test_an_oversized_document_is_refused(participant, api, media, settings):
    settings.REVIEW_UPLOAD_MAX_MB = 1
    report = AnnualReportFactory(participant=participant, year=LAST)
    big = pdf("big.pdf")
    big.file.write(b"0" * (2 * 1024 * 1024))
    big.file.seek(0)
    body = assert_error(
        api.post(url(report.pk, "document"), {"document": big}, format="multipart"), 400, "invalid"
    )
    assert "big.pdf" in body["errors"]["document"][0]
    assert stored_files(media) == []


def test_downloading_a_missing_document_is_404(participant, api):
    report = AnnualReportFactory(participant=participant, year=LAST)
    assert_error(api.get(url(report.pk, "document")), 404, "not_found")


# --- The workflow -----------------------------------------------------------------------------


def test_draft_to_submitted_to_assessed(participant, api, secretariat_api):
    report = AnnualReportFactory(participant=participant, year=LAST, **complete_sections())
    body = api.post(url(report.pk, "submit")).json()
    assert body["status"] == "submitted" and body["submitted_at"]
    body = secretariat_api.post(
        url(report.pk, "assessment"),
        {"assessment": "Complete.", "feedback": "Thank you."},
        format="json",
    ).json()
    assert body["status"] == "assessed"
    assert api.get(url(report.pk)).json()["feedback"] == "Thank you."


def test_submitting_an_incomplete_report_names_each_missing_part(participant, api):
    report = AnnualReportFactory(participant=participant, year=LAST, legislation="Only this.")
    body = assert_error(api.post(url(report.pk, "submit")), 400, "invalid")
    assert {"internal_controls", "statistics", "seizures"} <= set(body["errors"])
    assert "changes" not in body["errors"] and "legislation" not in body["errors"]
    report.refresh_from_db()
    assert report.status == Status.DRAFT


def test_a_submitted_report_cannot_be_changed_or_resubmitted(participant, api):
    report = submitted_report(participant, LAST)
    assert_error(api.patch(url(report.pk), {"legislation": "x"}, format="json"), 409, "conflict")
    assert_error(api.post(url(report.pk, "submit")), 409, "conflict")
    assert_error(
        api.post(url(report.pk, "document"), {"document": pdf()}, format="multipart"),
        409,
        "conflict",
    )


def test_assessing_a_draft_is_409_and_an_authority_assessing_is_403(
    participant, api, secretariat_api
):
    draft = AnnualReportFactory(participant=participant, year=LAST)
    assert_error(
        secretariat_api.post(url(draft.pk, "assessment"), {"assessment": "x"}, format="json"),
        409,
        "conflict",
    )
    report = submitted_report(participant, OLD)
    assert_error(
        api.post(url(report.pk, "assessment"), {"assessment": "Excellent"}, format="json"),
        403,
        "permission_denied",
    )
    body = assert_error(
        secretariat_api.post(url(report.pk, "assessment"), {"assessment": ""}, format="json"),
        400,
        "invalid",
    )
    assert "assessment" in body["errors"]
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_return_for_correction(participant, api, secretariat_api):
    report = submitted_report(participant, LAST)
    assert_error(
        api.post(url(report.pk, "return"), {"feedback": "x"}, format="json"),
        403,
        "permission_denied",
    )
    body = assert_error(
        secretariat_api.post(url(report.pk, "return"), {"feedback": ""}, format="json"),
        400,
        "invalid",
    )
    assert "feedback" in body["errors"]
    body = secretariat_api.post(
        url(report.pk, "return"), {"feedback": "Add penalties."}, format="json"
    ).json()
    assert body["status"] == "draft" and body["submitted_at"] is None
    assert body["feedback"] == "Add penalties."
    assert_error(
        secretariat_api.post(url(report.pk, "return"), {"feedback": "Again"}, format="json"),
        409,
        "conflict",
    )
    assert api.patch(url(report.pk), {"penalties": "Fine."}, format="json").status_code == 200
