"""The report in the browser and through its services: the lead assembles the first draft from
the findings (visit → draft_report), writes further drafts and issues the final report
(→ final_report, no version after it); the reviewed participant comments on the current draft
and sends its comments (→ comments_received). Every version is kept; every status change is
audited; each refused move says why and changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kpcs.common.audit import entries_for
from kpcs.reviews.models import ReportComment, ReportVersion, RequirementArea, ReviewVisit
from kpcs.reviews.selectors.working_papers import report_text_from_findings, version_diff
from kpcs.reviews.services import working_papers as services
from kpcs.reviews.tests.factories_papers import papers_world, set_status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world():
    return papers_world()


def report_url(visit) -> str:
    return f"/en/reviews/visits/{visit.pk}/report/"


def draft_url(visit, lang: str = "en") -> str:
    return f"/{lang}/reviews/visits/{visit.pk}/report/draft/"


def version_url(visit, number: int) -> str:
    return f"/en/reviews/visits/{visit.pk}/report/{number}/"


def comment_url(visit, number: int) -> str:
    return f"/en/reviews/visits/{visit.pk}/report/{number}/comment/"


def send_url(visit) -> str:
    return f"/en/reviews/visits/{visit.pk}/report/comments/send/"


def write(world, kind: str = "draft", text: str = "The report.", **kwargs):
    return services.report_version_create(
        actor=world.lead, visit=world.visit, text=text, kind=kind, **kwargs
    )


def comment(world, version, text: str = "We disagree.", area: str = ""):
    return services.report_comment_add(actor=world.authority, version=version, text=text, area=area)


def status_changes(visit) -> list[list[str]]:
    """The visit's status changes in the audit trail, oldest first."""
    entries = entries_for(visit).order_by("id")
    return [entry.changes["status"] for entry in entries if "status" in entry.changes]


def refresh(visit) -> ReviewVisit:
    visit.refresh_from_db()
    return visit


# --- The lead's draft -------------------------------------------------------------------------


def test_the_draft_form_is_pre_filled_with_the_findings_by_area(client, world):
    services.finding_create(
        actor=world.member,
        visit=world.visit,
        area="statistics",
        rating="partly_met",
        text="Figures revised twice.",
    )
    services.finding_create(
        actor=world.lead, visit=world.visit, area="legislation", rating="met", text="Law in force."
    )
    client.force_login(world.lead)
    response = client.get(draft_url(world.visit))
    assert response.status_code == 200
    text = response.context["form"].initial["text"]
    assert text.index("Legislation and institutions") < text.index("Statistics")
    assert "Rating: partly met\nFigures revised twice.\nFiled by" in text
    member_name = world.member.get_full_name() or world.member.username
    assert member_name in text


def test_the_draft_headings_are_in_the_users_language(world):
    services.finding_create(
        actor=world.member, visit=world.visit, area="statistics", rating="met", text="Fine."
    )
    with translation.override("fr"):
        heading = str(RequirementArea.STATISTICS.label)
        text = report_text_from_findings(world.visit)
    assert text.startswith(heading[:1].upper() + heading[1:])


def test_the_first_draft_moves_the_visit_to_draft_report_audited(client, world):
    client.force_login(world.lead)
    response = client.post(
        draft_url(world.visit), {"kind": "draft", "text": "First draft.", "note": "v1"}
    )
    assert response.status_code == 302
    version = ReportVersion.objects.get()
    assert (version.number, version.kind, version.created_by) == (1, "draft", world.lead)
    assert refresh(world.visit).status == "draft_report"
    assert status_changes(world.visit) == [["visit_done", "draft_report"]]
    assert entries_for(version).count() == 1


@pytest.mark.parametrize("status", ["draft_report", "comments_received"])
def test_a_new_draft_after_a_draft_or_comments_takes_the_next_number(world, status):
    write(world, text="One.")
    set_status(world.visit, status)
    version = write(world, text="Two.")
    assert version.number == 2
    assert refresh(world.visit).status == "draft_report"


@pytest.mark.parametrize("status", ["invited", "team_formed", "scheduled"])
def test_no_draft_before_the_visit_is_done(client, world, status):
    set_status(world.visit, status)
    with pytest.raises(ValidationError) as refusal:
        write(world)
    assert "kind" in refusal.value.message_dict
    assert ReportVersion.objects.count() == 0
    assert refresh(world.visit).status == status
    client.force_login(world.lead)
    assert client.get(draft_url(world.visit)).status_code == 302


def test_a_member_who_is_not_the_lead_may_not_write_the_report(client, world):
    client.force_login(world.member)
    assert client.get(draft_url(world.visit)).status_code == 403
    assert client.post(draft_url(world.visit), {"kind": "draft", "text": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.report_version_create(actor=world.member, visit=world.visit, text="x")
    client.force_login(world.secretariat)
    assert client.get(draft_url(world.visit)).status_code == 403
    assert ReportVersion.objects.count() == 0


def test_an_empty_report_is_refused_and_nothing_is_stored(client, world):
    client.force_login(world.lead)
    response = client.post(draft_url(world.visit), {"kind": "draft", "text": "  "})
    assert response.status_code == 400
    assert "Write the report&#x27;s text." in response.content.decode()
    with pytest.raises(ValidationError) as refusal:
        write(world, text="\n")
    assert "text" in refusal.value.message_dict
    assert ReportVersion.objects.count() == 0
    assert refresh(world.visit).status == "visit_done"


def test_a_kind_that_is_not_one_is_refused(world):
    with pytest.raises(ValidationError) as refusal:
        write(world, kind="interim")
    assert "interim" in refusal.value.message_dict["kind"][0]


# --- The final report --------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["draft_report", "comments_received"])
def test_the_lead_issues_the_final_report_after_a_draft(world, status):
    write(world, text="Draft.")
    set_status(world.visit, status)
    final = write(world, kind="final", text="Final.")
    assert (final.number, final.kind) == (2, "final")
    assert refresh(world.visit).status == "final_report"
    assert status_changes(world.visit)[-1] == [status, "final_report"]


def test_no_final_report_without_a_draft(world):
    with pytest.raises(ValidationError) as refusal:
        write(world, kind="final")
    assert "kind" in refusal.value.message_dict
    assert refresh(world.visit).status == "visit_done"


@pytest.mark.parametrize("kind", ["draft", "final"])
def test_no_version_follows_the_final_report(client, world, kind):
    write(world, text="Draft.")
    write(world, kind="final", text="Final.")
    with pytest.raises(ValidationError) as refusal:
        write(world, kind=kind, text="After.")
    assert "final report is issued" in refusal.value.message_dict["kind"][0]
    assert ReportVersion.objects.count() == 2
    client.force_login(world.lead)
    response = client.get(draft_url(world.visit))
    assert response.status_code == 302
    assert response["Location"].endswith(report_url(world.visit))
    response = client.post(draft_url(world.visit), {"kind": kind, "text": "After."})
    assert response.status_code == 302
    assert ReportVersion.objects.count() == 2


def test_every_version_is_kept_as_written(world):
    write(world, text="One.")
    write(world, text="Two.")
    write(world, kind="final", text="Three.")
    versions = list(
        ReportVersion.objects.filter(visit=world.visit).values_list("number", "kind", "text")
    )
    assert versions == [(1, "draft", "One."), (2, "draft", "Two."), (3, "final", "Three.")]


# --- Comments ----------------------------------------------------------------------------------


def test_the_reviewed_participant_comments_and_sends_its_comments(client, world):
    write(world, text="Draft.")
    client.force_login(world.authority)
    assert client.get(comment_url(world.visit, 1)).status_code == 200
    response = client.post(
        comment_url(world.visit, 1), {"area": "enforcement", "text": "Two cases are pending."}
    )
    assert response.status_code == 302
    saved = ReportComment.objects.get()
    assert (saved.area, saved.author, saved.version.number) == ("enforcement", world.authority, 1)
    response = client.post(send_url(world.visit))
    assert response.status_code == 302
    assert refresh(world.visit).status == "comments_received"
    assert status_changes(world.visit)[-1] == ["draft_report", "comments_received"]


def test_comments_cannot_be_sent_without_a_comment(client, world):
    write(world)
    with pytest.raises(ValidationError):
        services.report_comments_send(actor=world.authority, visit=world.visit)
    client.force_login(world.authority)
    client.post(send_url(world.visit))
    assert refresh(world.visit).status == "draft_report"


def test_comments_cannot_be_sent_twice(world):
    version = write(world)
    comment(world, version)
    services.report_comments_send(actor=world.authority, visit=world.visit)
    with pytest.raises(ValidationError):
        services.report_comments_send(actor=world.authority, visit=world.visit)
    with pytest.raises(ValidationError):
        comment(world, version, text="Late.")


def test_only_the_reviewed_participant_comments(client, world):
    write(world)
    for user in (world.lead, world.member, world.secretariat):
        client.force_login(user)
        assert client.get(comment_url(world.visit, 1)).status_code == 403
        assert client.post(comment_url(world.visit, 1), {"text": "x"}).status_code == 403
        assert client.post(send_url(world.visit)).status_code == 403
    with pytest.raises(PermissionDenied):
        services.report_comment_add(actor=world.lead, version=ReportVersion.objects.get(), text="x")
    assert ReportComment.objects.count() == 0
    assert refresh(world.visit).status == "draft_report"


def test_an_earlier_draft_is_not_commented_on(world):
    first = write(world, text="One.")
    write(world, text="Two.")
    with pytest.raises(ValidationError) as refusal:
        comment(world, first)
    assert "version" in refusal.value.message_dict


def test_an_empty_comment_is_refused(client, world):
    write(world)
    client.force_login(world.authority)
    response = client.post(comment_url(world.visit, 1), {"text": " "})
    assert response.status_code == 400
    assert "Write your comment." in response.content.decode()
    assert ReportComment.objects.count() == 0


# --- Pages -------------------------------------------------------------------------------------


def test_the_report_page_shows_the_current_version_and_all_versions(client, world):
    write(world, text="One.")
    write(world, text="Two.")
    client.force_login(world.member)
    response = client.get(report_url(world.visit))
    assert response.status_code == 200
    assert response.context["current"].number == 2
    assert [v.number for v in response.context["versions"]] == [1, 2]
    assert version_url(world.visit, 1) in response.content.decode()


def test_a_version_shows_the_comments_and_the_changes_since_the_previous_escaped(client, world):
    write(world, text="Line one.\nLine two.")
    version = write(world, text="Line one.\n<b>Line two</b> changed.")
    services.report_comment_add(
        actor=world.authority, version=version, text="<i>Fine</i>", area="statistics"
    )
    client.force_login(world.lead)
    page = client.get(version_url(world.visit, 2)).content.decode()
    assert '<span class="diff-removed">- Line two.</span>' in page
    assert '<span class="diff-added">+ &lt;b&gt;Line two&lt;/b&gt; changed.</span>' in page
    assert "&lt;i&gt;Fine&lt;/i&gt;" in page
    assert "<b>Line two</b>" not in page


def test_version_diff_lists_added_and_removed_lines():
    diff = version_diff("a\nb\nc", "a\nB\nc")
    kinds = [(line.kind, line.text) for line in diff if line.kind != "hunk"]
    assert kinds == [("context", "a"), ("removed", "b"), ("added", "B"), ("context", "c")]


def test_an_unknown_version_number_is_not_found(client, world):
    write(world)
    client.force_login(world.lead)
    assert client.get(version_url(world.visit, 9)).status_code == 404


# --- The panel on the visit's page -------------------------------------------------------------


def render_panel(world, user) -> str:
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    from kpcs.reviews.selectors.working_papers import papers_summary

    user = user or AnonymousUser()
    visit = refresh(world.visit)
    context = {"visit": visit, "papers": papers_summary(user=user, visit=visit)}
    return render_to_string("reviews/visits/_papers_panel.html", context)


def test_the_visit_panel_offers_each_person_what_they_may_do(world):
    services.finding_create(
        actor=world.member, visit=world.visit, area="statistics", rating="not_met", text="x"
    )
    write(world, text="Draft.")
    lead = render_panel(world, world.lead)
    assert "1 finding" in lead and "not met: 1" in lead
    assert "Draft report (version 1)" in lead
    assert f"/visits/{world.visit.pk}/report/draft/" in lead
    participant = render_panel(world, world.authority)
    assert f"/visits/{world.visit.pk}/report/1/comment/" in participant
    assert "/report/draft/" not in participant and "/findings/new/" not in participant


def test_the_visit_panel_shows_the_public_the_final_report_alone(world):
    write(world, text="Draft.")
    write(world, kind="final", text="Final.")
    set_status(world.visit, "published")
    public = render_panel(world, None)
    assert "Final report (version 2)" in public
    assert "/findings/" not in public
