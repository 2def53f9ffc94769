"""Who sees a visit's working papers, page and API alike: the team of that visit (and no other
visit), the reviewed participant, the secretariat, the Working Group on Monitoring once the
report is adopted; the public a published visit's final report only. Everything out of reach
answers 404, as if it did not exist; a forbidden action on a visible visit answers 403."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from kpcs.reviews.models import ReportVersion
from kpcs.reviews.services import working_papers as services
from kpcs.reviews.tests.factories_papers import papers_world, pdf_upload, set_status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world():
    """A visit with a finding (with evidence) and a draft report version 1."""
    world = papers_world()
    finding = services.finding_create(
        actor=world.member,
        visit=world.visit,
        area="statistics",
        rating="met",
        text="Fine.",
        files=[pdf_upload()],
    )
    world.finding = finding  # type: ignore[attr-defined]
    world.evidence = finding.evidence.get()  # type: ignore[attr-defined]
    services.report_version_create(actor=world.lead, visit=world.visit, text="Draft.")
    return world


def pages(world) -> dict[str, str]:
    visit = world.visit
    base = f"/en/reviews/visits/{visit.pk}"
    return {
        "findings": f"{base}/findings/",
        "finding-create": f"{base}/findings/new/",
        "finding-edit": f"{base}/findings/{world.finding.pk}/edit/",
        "evidence": f"{base}/evidence/{world.evidence.pk}/",
        "report": f"{base}/report/",
        "report-version": f"{base}/report/1/",
        "report-draft": f"{base}/report/draft/",
        "report-comment": f"{base}/report/1/comment/",
    }


def api(world) -> dict[str, str]:
    base = f"/api/v1/reviews/visits/{world.visit.pk}"
    finding = f"{base}/findings/{world.finding.pk}/"
    return {
        "findings": f"{base}/findings/",
        "finding": finding,
        "evidence": f"{finding}evidence/{world.evidence.pk}/",
        "reports": f"{base}/reports/",
        "report": f"{base}/reports/1/",
        "comments": f"{base}/reports/1/comments/",
    }


def api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


# --- Another visit's team, another participant, a reviewer on no team -------------------------


@pytest.mark.parametrize("who", ["other_member", "other_authority", "outsider_reviewer"])
def test_people_outside_the_visit_find_nothing_of_it(client, world, who):
    user = getattr(world, who)
    client.force_login(user)
    for name, url in pages(world).items():
        assert client.get(url).status_code == 404, name
    assert client.post(pages(world)["finding-create"], {"area": "statistics"}).status_code == 404
    assert client.post(pages(world)["report-comment"], {"text": "x"}).status_code == 404
    for name, url in api(world).items():
        assert api_client(user).get(url).status_code == 404, name
    for url in (api(world)["findings"], api(world)["reports"], api(world)["comments"]):
        assert api_client(user).post(url, {"text": "x"}).status_code == 404


def test_a_team_member_of_visit_a_finds_nothing_of_visit_b(client, world):
    """The same rule the other way round: visit B's member on visit A's pages and API is
    covered above; here A's lead opens B."""
    other = world.other_visit
    client.force_login(world.lead)
    base = f"/en/reviews/visits/{other.pk}"
    for url in (f"{base}/findings/", f"{base}/report/", f"{base}/findings/new/"):
        assert client.get(url).status_code == 404, url
    # A's evidence under B's address (B not visible to A's lead): 404 as well.
    assert client.get(f"{base}/evidence/{world.evidence.pk}/").status_code == 404
    api_base = f"/api/v1/reviews/visits/{other.pk}"
    for url in (f"{api_base}/findings/", f"{api_base}/reports/"):
        assert api_client(world.lead).get(url).status_code == 404, url


# --- The visit's own people -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lead", "member", "authority", "secretariat"])
def test_the_team_the_reviewed_participant_and_the_secretariat_see_the_working_papers(
    client, world, who
):
    user = getattr(world, who)
    client.force_login(user)
    for name in ("findings", "evidence", "report", "report-version"):
        assert client.get(pages(world)[name]).status_code == 200, name
    for name in ("findings", "finding", "evidence", "reports", "report", "comments"):
        assert api_client(user).get(api(world)[name]).status_code == 200, name


def test_the_reviewed_participant_may_not_file_findings_but_gets_403(client, world):
    client.force_login(world.authority)
    assert client.get(pages(world)["finding-create"]).status_code == 403
    response = api_client(world.authority).post(
        api(world)["findings"], {"area": "statistics", "rating": "met", "text": "x"}
    )
    assert response.status_code == 403


def test_a_member_who_is_not_the_lead_gets_403_on_the_report_draft(client, world):
    client.force_login(world.member)
    assert client.get(pages(world)["report-draft"]).status_code == 403
    response = api_client(world.member).post(api(world)["reports"], {"text": "x"}, format="json")
    assert response.status_code == 403
    assert ReportVersion.objects.count() == 1


# --- The Working Group on Monitoring ----------------------------------------------------------


def test_the_working_group_sees_the_working_papers_only_once_the_report_is_adopted(client, world):
    client.force_login(world.wgm_member)
    set_status(world.visit, "final_report")
    for name in ("findings", "report", "evidence"):
        assert client.get(pages(world)[name]).status_code == 404, name
    assert api_client(world.wgm_member).get(api(world)["findings"]).status_code == 404
    set_status(world.visit, "adopted")
    for name in ("findings", "report", "report-version", "evidence"):
        assert client.get(pages(world)[name]).status_code == 200, name
    assert api_client(world.wgm_member).get(api(world)["findings"]).status_code == 200
    # Seeing is not doing: no finding, no version, no comment.
    assert client.get(pages(world)["finding-create"]).status_code == 403
    assert client.get(pages(world)["report-draft"]).status_code == 403


# --- The public -------------------------------------------------------------------------------


def test_the_public_sees_a_published_visits_final_report_only(client, world):
    services.report_version_create(actor=world.lead, visit=world.visit, text="Final.", kind="final")
    set_status(world.visit, "published")
    urls = pages(world)
    for name in ("findings", "evidence", "finding-create", "report-comment", "report-draft"):
        assert client.get(urls[name]).status_code == 404, name
    assert client.get(urls["report-version"]).status_code == 404  # version 1 is a draft
    response = client.get(urls["report"])
    assert response.status_code == 200
    assert [v.number for v in response.context["versions"]] == [2]
    assert "Final." in response.content.decode()
    assert "Draft." not in response.content.decode()
    public = api_client()
    for name in ("findings", "finding", "evidence", "report", "comments"):
        assert public.get(api(world)[name]).status_code == 404, name
    body = public.get(api(world)["reports"]).json()
    assert [v["number"] for v in body["results"]] == [2]
    assert public.get(f"/api/v1/reviews/visits/{world.visit.pk}/reports/2/").status_code == 200


def test_the_public_finds_nothing_of_an_unpublished_visit(client, world):
    for url in pages(world).values():
        assert client.get(url).status_code == 404, url
    for url in api(world).values():
        assert api_client().get(url).status_code == 404, url


def test_another_participant_sees_a_published_final_report_but_not_the_drafts(client, world):
    services.report_version_create(actor=world.lead, visit=world.visit, text="Final.", kind="final")
    set_status(world.visit, "published")
    client.force_login(world.other_authority)
    assert client.get(pages(world)["report-version"]).status_code == 404
    assert client.get(f"/en/reviews/visits/{world.visit.pk}/report/2/").status_code == 200
    assert client.get(pages(world)["findings"]).status_code == 404
