"""Findings in the browser and through their service: a team member files one by area with a
rating, text and evidence files while findings are open; the author or the lead edits it;
bad input (no area, empty text, a file of the wrong type by content, an oversized file) gets
a message naming what is wrong and leaves nothing behind (no row, no file); evidence is sent
only to those who may see the working papers."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kpcs.common.audit import entries_for
from kpcs.reviews.models import EvidenceFile, Finding, RequirementArea, ReviewVisit
from kpcs.reviews.services import working_papers as services
from kpcs.reviews.tests.factories import (
    RecommendationFactory,
    RecommendationUpdateFactory,
)
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

OPEN = ["scheduled", "visit_done", "draft_report", "comments_received"]
CLOSED = ["invited", "team_formed", "final_report", "adopted", "published"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world():
    return papers_world()


def findings_url(visit) -> str:
    return f"/en/reviews/visits/{visit.pk}/findings/"


def create_url(visit) -> str:
    return f"/en/reviews/visits/{visit.pk}/findings/new/"


def edit_url(finding) -> str:
    return f"/en/reviews/visits/{finding.visit_id}/findings/{finding.pk}/edit/"


def evidence_url(visit, evidence) -> str:
    return f"/en/reviews/visits/{visit.pk}/evidence/{evidence.pk}/"


def file_finding(world, user=None, **overrides):
    values = {
        "area": RequirementArea.STATISTICS,
        "rating": "partly_met",
        "text": "Quarterly figures were revised twice.",
        "files": [],
    }
    values.update(overrides)
    return services.finding_create(actor=user or world.member, visit=world.visit, **values)


def assert_nothing_stored(media) -> None:
    assert Finding.objects.count() == 0
    assert EvidenceFile.objects.count() == 0
    assert files_under(media) == []


# --- Filing -----------------------------------------------------------------------------------


def test_team_member_files_a_finding_with_several_evidence_files(client, world, media):
    client.force_login(world.member)
    response = client.post(
        create_url(world.visit),
        {
            "area": "import_export",
            "rating": "met",
            "text": "Every export traced had a certificate.",
            "evidence": [pdf_upload("register.pdf"), png_upload("seal.png")],
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert (finding.area, finding.rating, finding.author) == ("import_export", "met", world.member)
    assert sorted(e.name for e in finding.evidence.all()) == ["register.pdf", "seal.png"]
    assert len(files_under(media)) == 2
    assert entries_for(finding).count() == 1
    assert all(entries_for(item).count() == 1 for item in finding.evidence.all())


@pytest.mark.parametrize("status", OPEN)
def test_findings_are_filed_while_the_visit_is_scheduled_and_until_the_final_report(world, status):
    set_status(world.visit, status)
    finding = file_finding(world)
    assert finding.pk is not None


@pytest.mark.parametrize("status", CLOSED)
def test_findings_are_refused_before_scheduling_and_once_the_final_report_is_issued(
    world, media, status
):
    set_status(world.visit, status)
    with pytest.raises(ValidationError) as refusal:
        file_finding(world, files=[pdf_upload()])
    assert "status" in refusal.value.message_dict
    assert_nothing_stored(media)


def test_the_reviewed_participant_may_not_file_findings(client, world, media):
    client.force_login(world.authority)
    assert client.get(create_url(world.visit)).status_code == 403
    response = client.post(
        create_url(world.visit), {"area": "statistics", "rating": "met", "text": "x"}
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        file_finding(world, user=world.authority)
    assert_nothing_stored(media)


def test_the_secretariat_sees_findings_but_does_not_file_them(client, world):
    file_finding(world)
    client.force_login(world.secretariat)
    assert client.get(findings_url(world.visit)).status_code == 200
    assert client.get(create_url(world.visit)).status_code == 403


def test_the_finding_form_goes_back_to_the_findings_once_the_final_report_is_out(client, world):
    set_status(world.visit, "final_report")
    client.force_login(world.member)
    response = client.get(create_url(world.visit))
    assert response.status_code == 302
    assert response["Location"].endswith(findings_url(world.visit))


# --- Bad input ----------------------------------------------------------------------------------


def test_a_finding_without_area_is_refused_naming_the_field_and_nothing_is_stored(
    client, world, media
):
    client.force_login(world.member)
    response = client.post(
        create_url(world.visit),
        {"area": "", "rating": "met", "text": "Good.", "evidence": [pdf_upload()]},
    )
    assert response.status_code == 400
    assert "Choose the requirement area of the finding." in response.content.decode()
    assert_nothing_stored(media)
    with pytest.raises(ValidationError) as refusal:
        file_finding(world, area="", files=[pdf_upload()])
    assert "area" in refusal.value.message_dict
    assert_nothing_stored(media)


def test_a_finding_with_empty_text_is_refused_and_nothing_is_stored(client, world, media):
    client.force_login(world.member)
    response = client.post(
        create_url(world.visit),
        {"area": "statistics", "rating": "met", "text": "   ", "evidence": [pdf_upload()]},
    )
    assert response.status_code == 400
    assert "Write the finding." in response.content.decode()
    with pytest.raises(ValidationError) as refusal:
        file_finding(world, text="  \n ")
    assert refusal.value.message_dict["text"] == ["Write the finding (text)."]
    assert_nothing_stored(media)


@pytest.mark.parametrize(
    ("upload", "name"), [(exe_upload, "tool.exe"), (html_as_pdf, "report.pdf")]
)
def test_a_file_of_the_wrong_type_by_content_is_refused_naming_it_and_nothing_is_stored(
    client, world, media, upload, name
):
    client.force_login(world.member)
    response = client.post(
        create_url(world.visit),
        {
            "area": "statistics",
            "rating": "met",
            "text": "Good.",
            "evidence": [pdf_upload("fine.pdf"), upload()],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"{name} is not a file type we accept" in page
    assert_nothing_stored(media)
    with pytest.raises(ValidationError) as refusal:
        file_finding(world, files=[pdf_upload("fine.pdf"), upload()])
    assert name in refusal.value.message_dict["evidence"][0]
    assert_nothing_stored(media)


def test_an_oversized_file_is_refused_naming_it_and_nothing_is_stored(
    client, world, media, settings
):
    settings.REVIEW_UPLOAD_MAX_MB = 1
    big = pdf_upload("scan.pdf", size=1024 * 1024 + 10)
    client.force_login(world.member)
    response = client.post(
        create_url(world.visit),
        {"area": "statistics", "rating": "met", "text": "Good.", "evidence": [big]},
    )
    assert response.status_code == 400
    assert "scan.pdf is 1.0 MB; files may be at most 1 MB." in response.content.decode()
    assert_nothing_stored(media)


def test_a_failure_after_a_file_was_written_removes_the_file_again(world, media, monkeypatch):
    calls = []

    def failing_record_create(**kwargs):
        calls.append(kwargs["instance"])
        raise RuntimeError("the audit trail is down")

    monkeypatch.setattr(services, "record_create", failing_record_create)
    with pytest.raises(RuntimeError):
        file_finding(world, files=[pdf_upload("a.pdf"), pdf_upload("b.pdf")])
    assert calls  # the first file was written before the failure
    assert_nothing_stored(media)


def test_a_rating_that_is_not_one_is_refused(world, media):
    with pytest.raises(ValidationError) as refusal:
        file_finding(world, rating="excellent")
    assert "excellent" in refusal.value.message_dict["rating"][0]
    assert_nothing_stored(media)


# --- The findings page --------------------------------------------------------------------------


def test_findings_are_grouped_by_area_with_rating_badges_and_evidence_links(client, world):
    with_file = file_finding(world, area="enforcement", rating="not_met", files=[pdf_upload()])
    file_finding(world, user=world.lead, area="legislation", rating="met", text="Law in force.")
    client.force_login(world.lead)
    page = client.get(findings_url(world.visit)).content.decode()
    assert page.index("Legislation and institutions") < page.index("Enforcement")
    assert 'class="badge rating-not_met bad"' in page
    assert 'class="badge rating-met good"' in page
    evidence = with_file.evidence.get()
    assert evidence_url(world.visit, evidence) in page


def test_html_in_a_finding_is_shown_as_text(client, world):
    file_finding(world, text='<script>alert("x")</script><b>bold</b>')
    client.force_login(world.member)
    page = client.get(findings_url(world.visit)).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page


# --- Editing ------------------------------------------------------------------------------------


def test_the_author_edits_a_finding_and_adds_evidence(client, world, media):
    finding = file_finding(world, files=[pdf_upload("first.pdf")])
    client.force_login(world.member)
    assert client.get(edit_url(finding)).status_code == 200
    response = client.post(
        edit_url(finding),
        {"area": "statistics", "rating": "not_met", "text": "Worse.", "evidence": [png_upload()]},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.rating, finding.text) == ("not_met", "Worse.")
    assert finding.evidence.count() == 2
    assert len(files_under(media)) == 2
    assert entries_for(finding).count() == 2  # created, then updated


def test_the_lead_edits_a_members_finding(client, world):
    finding = file_finding(world)
    client.force_login(world.lead)
    response = client.post(
        edit_url(finding), {"area": "certificates", "rating": "met", "text": "Moved."}
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.area == "certificates"


def test_another_member_may_not_edit_a_finding(client, world):
    finding = file_finding(world, user=world.lead)
    client.force_login(world.member)
    assert client.get(edit_url(finding)).status_code == 403
    response = client.post(edit_url(finding), {"area": "statistics", "rating": "met", "text": "x"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.finding_update(actor=world.member, finding=finding, text="x")


def test_a_finding_is_not_edited_once_the_final_report_is_issued(client, world, media):
    finding = file_finding(world)
    set_status(world.visit, "final_report")
    finding.refresh_from_db()
    with pytest.raises(ValidationError):
        services.finding_update(
            actor=world.member, finding=finding, text="Late.", files=[pdf_upload()]
        )
    client.force_login(world.member)
    assert client.get(edit_url(finding)).status_code == 302
    finding.refresh_from_db()
    assert finding.text != "Late."
    assert files_under(media) == []


def test_a_bad_file_added_on_edit_changes_nothing(world, media):
    finding = file_finding(world, text="Before.")
    with pytest.raises(ValidationError):
        services.finding_update(
            actor=world.member, finding=finding, text="After.", files=[exe_upload()]
        )
    finding.refresh_from_db()
    assert finding.text == "Before."
    assert EvidenceFile.objects.count() == 0
    assert files_under(media) == []


def test_a_finding_of_another_visit_is_not_found_under_this_one(client, world):
    set_status(world.other_visit, ReviewVisit.Status.VISIT_DONE)
    other = services.finding_create(
        actor=world.other_member,
        visit=world.other_visit,
        area="statistics",
        rating="met",
        text="Elsewhere.",
    )
    client.force_login(world.lead)
    url = f"/en/reviews/visits/{world.visit.pk}/findings/{other.pk}/edit/"
    assert client.get(url).status_code == 404


# --- Evidence downloads -------------------------------------------------------------------------


def test_evidence_is_sent_as_a_download_to_the_team(client, world):
    finding = file_finding(world, files=[pdf_upload("register.pdf")])
    evidence = finding.evidence.get()
    client.force_login(world.lead)
    response = client.get(evidence_url(world.visit, evidence))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "register.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_evidence_under_the_wrong_visit_is_not_found(client, world):
    finding = file_finding(world, files=[pdf_upload()])
    evidence = finding.evidence.get()
    client.force_login(world.secretariat)  # sees both visits
    assert client.get(evidence_url(world.other_visit, evidence)).status_code == 404


def _response_evidence(world, media):
    recommendation = RecommendationFactory(visit=world.visit)
    update = RecommendationUpdateFactory(recommendation=recommendation, author=world.authority)
    evidence = EvidenceFile(
        recommendation_update=update,
        name="answer.pdf",
        content_type="application/pdf",
        size=len(pdf_upload().read()),
        uploaded_by=world.authority,
    )
    evidence.file.save("answer.pdf", pdf_upload(), save=True)
    return evidence


def test_evidence_of_a_response_goes_to_those_who_see_the_working_papers(client, world, media):
    set_status(world.visit, "final_report")
    evidence = _response_evidence(world, media)
    url = evidence_url(world.visit, evidence)
    for user in (world.authority, world.secretariat, world.member):
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    for user in (world.other_authority, world.other_member, world.wgm_member):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.logout()
    assert client.get(url).status_code == 404


def test_evidence_of_a_response_goes_to_the_working_group_once_adopted_not_the_public(
    client, world, media
):
    evidence = _response_evidence(world, media)
    set_status(world.visit, "published")
    url = evidence_url(world.visit, evidence)
    client.force_login(world.wgm_member)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 404
