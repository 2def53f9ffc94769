"""The working papers through the API, below /api/v1/reviews/visits/<id>/: findings with
evidence (multipart), their downloads, report versions, comments and their sending; the same
rules and messages as the pages, errors in the common shape, nothing stored on a refusal."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from kpcs.accounts.tests.factories import api_client_as
from kpcs.reviews.models import EvidenceFile, Finding, ReportComment, ReportVersion
from kpcs.reviews.services import working_papers as services
from kpcs.reviews.tests.factories_papers import (
    exe_upload,
    files_under,
    html_as_pdf,
    papers_world,
    pdf_upload,
    png_upload,
    set_status,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world():
    return papers_world()


def as_user(user) -> APIClient:
    """A client calling as the user would: an authority through its participant's API client
    key, other roles (no machine keys) as persons logged in."""
    return api_client_as(user)


def base(visit) -> str:
    return f"/api/v1/reviews/visits/{visit.pk}"


def assert_error(response, status: int, code: str) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert (body["status"], body["code"]) == (status, code)
    assert body["detail"]
    return body


def assert_nothing_stored(media) -> None:
    assert Finding.objects.count() == 0
    assert EvidenceFile.objects.count() == 0
    assert files_under(media) == []


# --- Findings ---------------------------------------------------------------------------------


def test_a_team_member_files_a_finding_with_evidence_files(world, media):
    client = as_user(world.member)
    response = client.post(
        f"{base(world.visit)}/findings/",
        {
            "area": "certificates",
            "rating": "partly_met",
            "text": "Void notices come late.",
            "evidence": [pdf_upload("notice.pdf"), png_upload("stamp.png")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["area"], body["rating"], body["author"]) == (
        "certificates",
        "partly_met",
        world.member.username,
    )
    assert sorted(item["name"] for item in body["evidence"]) == ["notice.pdf", "stamp.png"]
    download = client.get(body["evidence"][0]["url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    listed = client.get(f"{base(world.visit)}/findings/").json()
    assert listed["count"] == 1
    assert client.get(body["url"]).json()["id"] == body["id"]


def test_a_finding_without_area_is_refused_naming_the_field(world, media):
    response = as_user(world.member).post(
        f"{base(world.visit)}/findings/",
        {"rating": "met", "text": "Fine.", "evidence": [pdf_upload()]},
        format="multipart",
    )
    body = assert_error(response, 400, "invalid")
    assert body["errors"]["area"] == ["Choose the requirement area (area) the finding is about."]
    assert_nothing_stored(media)


def test_a_finding_with_empty_text_is_refused(world, media):
    response = as_user(world.member).post(
        f"{base(world.visit)}/findings/",
        {"area": "statistics", "rating": "met", "text": ""},
        format="multipart",
    )
    body = assert_error(response, 400, "invalid")
    assert "text" in body["errors"]
    assert_nothing_stored(media)


@pytest.mark.parametrize(
    ("upload", "name"), [(exe_upload, "tool.exe"), (html_as_pdf, "report.pdf")]
)
def test_a_file_of_the_wrong_type_is_refused_naming_it(world, media, upload, name):
    response = as_user(world.member).post(
        f"{base(world.visit)}/findings/",
        {
            "area": "statistics",
            "rating": "met",
            "text": "Fine.",
            "evidence": [pdf_upload("good.pdf"), upload()],
        },
        format="multipart",
    )
    body = assert_error(response, 400, "invalid")
    assert name in body["errors"]["evidence"][0]
    assert_nothing_stored(media)


def test_an_oversized_file_is_refused(world, media, settings):
    settings.REVIEW_UPLOAD_MAX_MB = 1
    response = as_user(world.member).post(
        f"{base(world.visit)}/findings/",
        {
            "area": "statistics",
            "rating": "met",
            "text": "Fine.",
            "evidence": [pdf_upload("big.pdf", size=2 * 1024 * 1024)],
        },
        format="multipart",
    )
    body = assert_error(response, 400, "invalid")
    assert body["errors"]["evidence"] == ["big.pdf is 2.0 MB; files may be at most 1 MB."]
    assert_nothing_stored(media)


def test_findings_are_refused_once_the_final_report_is_issued(world, media):
    set_status(world.visit, "final_report")
    response = as_user(world.member).post(
        f"{base(world.visit)}/findings/",
        {"area": "statistics", "rating": "met", "text": "Late."},
        format="multipart",
    )
    body = assert_error(response, 400, "invalid")
    assert "status" in body["errors"]
    assert_nothing_stored(media)


def _finding(world, user=None):
    return services.finding_create(
        actor=user or world.member,
        visit=world.visit,
        area="statistics",
        rating="met",
        text="Fine.",
        files=[pdf_upload()],
    )


def test_the_author_patches_a_finding_and_adds_evidence(world, media):
    finding = _finding(world)
    client = as_user(world.member)
    url = f"{base(world.visit)}/findings/{finding.pk}/"
    response = client.patch(url, {"rating": "not_met"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["rating"] == "not_met"
    response = client.patch(url, {"evidence": [png_upload()]}, format="multipart")
    assert response.status_code == 200
    assert len(response.json()["evidence"]) == 2
    assert len(files_under(media)) == 2


def test_another_member_may_not_patch_a_finding(world):
    finding = _finding(world, user=world.lead)
    response = as_user(world.member).patch(
        f"{base(world.visit)}/findings/{finding.pk}/", {"text": "Mine now."}, format="json"
    )
    assert_error(response, 403, "permission_denied")
    finding.refresh_from_db()
    assert finding.text == "Fine."


def test_a_patch_with_a_bad_file_changes_nothing(world, media):
    finding = _finding(world)
    response = as_user(world.member).patch(
        f"{base(world.visit)}/findings/{finding.pk}/",
        {"text": "Changed.", "evidence": [exe_upload()]},
        format="multipart",
    )
    assert_error(response, 400, "invalid")
    finding.refresh_from_db()
    assert finding.text == "Fine."
    assert EvidenceFile.objects.count() == 1
    assert len(files_under(media)) == 1


def test_evidence_under_another_finding_or_visit_is_not_found(world):
    finding = _finding(world)
    other = services.finding_create(
        actor=world.lead, visit=world.visit, area="legislation", rating="met", text="Law."
    )
    evidence = finding.evidence.get()
    client = as_user(world.secretariat)
    assert (
        client.get(f"{base(world.visit)}/findings/{other.pk}/evidence/{evidence.pk}/").status_code
        == 404
    )
    assert (
        client.get(
            f"{base(world.other_visit)}/findings/{finding.pk}/evidence/{evidence.pk}/"
        ).status_code
        == 404
    )
    assert client.get(f"{base(world.other_visit)}/findings/{finding.pk}/").status_code == 404


# --- Report versions --------------------------------------------------------------------------


def test_the_lead_writes_a_draft_and_issues_the_final_report(world):
    client = as_user(world.lead)
    response = client.post(
        f"{base(world.visit)}/reports/", {"text": "Draft.", "note": "first"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["number"], response.json()["kind"]) == (1, "draft")
    world.visit.refresh_from_db()
    assert world.visit.status == "draft_report"
    response = client.post(
        f"{base(world.visit)}/reports/", {"text": "Final.", "kind": "final"}, format="json"
    )
    assert response.status_code == 201
    world.visit.refresh_from_db()
    assert world.visit.status == "final_report"
    response = client.post(f"{base(world.visit)}/reports/", {"text": "More."}, format="json")
    body = assert_error(response, 400, "invalid")
    assert "kind" in body["errors"]
    listed = client.get(f"{base(world.visit)}/reports/").json()
    assert [(v["number"], v["kind"]) for v in listed["results"]] == [(1, "draft"), (2, "final")]


def test_a_version_with_a_wrong_kind_or_no_text_is_refused(world):
    client = as_user(world.lead)
    body = assert_error(
        client.post(
            f"{base(world.visit)}/reports/", {"text": "x", "kind": "interim"}, format="json"
        ),
        400,
        "invalid",
    )
    assert "interim" in body["errors"]["kind"][0]
    body = assert_error(
        client.post(f"{base(world.visit)}/reports/", {"text": ""}, format="json"), 400, "invalid"
    )
    assert "text" in body["errors"]
    assert ReportVersion.objects.count() == 0


# --- Comments ---------------------------------------------------------------------------------


def test_the_reviewed_participant_comments_and_sends_its_comments(world):
    services.report_version_create(actor=world.lead, visit=world.visit, text="Draft.")
    client = as_user(world.authority)
    response = client.post(
        f"{base(world.visit)}/reports/1/comments/",
        {"text": "Please correct the figures.", "area": "statistics"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["area"] == "statistics"
    listed = as_user(world.lead).get(f"{base(world.visit)}/reports/1/comments/").json()
    assert listed["count"] == 1
    response = client.post(f"{base(world.visit)}/reports/comments-sent/")
    assert response.status_code == 200
    assert response.json() == {"id": world.visit.pk, "status": "comments_received"}
    response = client.post(f"{base(world.visit)}/reports/comments-sent/")
    assert_error(response, 400, "invalid")


def test_only_the_reviewed_participant_comments_or_sends(world):
    services.report_version_create(actor=world.lead, visit=world.visit, text="Draft.")
    for user in (world.lead, world.member, world.secretariat):
        client = as_user(user)
        response = client.post(
            f"{base(world.visit)}/reports/1/comments/", {"text": "x"}, format="json"
        )
        assert_error(response, 403, "permission_denied")
        assert_error(
            client.post(f"{base(world.visit)}/reports/comments-sent/"), 403, "permission_denied"
        )
    assert ReportComment.objects.count() == 0
    world.visit.refresh_from_db()
    assert world.visit.status == "draft_report"


def test_an_empty_comment_is_refused(world):
    services.report_version_create(actor=world.lead, visit=world.visit, text="Draft.")
    response = as_user(world.authority).post(
        f"{base(world.visit)}/reports/1/comments/", {"text": ""}, format="json"
    )
    body = assert_error(response, 400, "invalid")
    assert "text" in body["errors"]
    assert ReportComment.objects.count() == 0


def test_the_schema_documents_the_working_papers():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    prefix = "/api/v1/reviews/visits/{visit_id}/"
    for path in (
        "findings/",
        "findings/{finding_id}/",
        "findings/{finding_id}/evidence/{evidence_id}/",
        "reports/",
        "reports/{number}/",
        "reports/{number}/comments/",
        "reports/comments-sent/",
    ):
        assert prefix + path in paths, path
