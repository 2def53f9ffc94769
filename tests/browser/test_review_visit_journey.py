"""A review visit from invitation to follow-up, in the browser: the secretariat creates the
visit (a date out of order is refused first) and forms its team; a team member files a finding
with evidence (a file of the wrong type is refused first, storing nothing); the lead assembles
the draft report from the findings and records a recommendation; the reviewed participant
comments on the draft and answers the recommendation with evidence; the secretariat assesses
the answer."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.models import Participant
from kpcs.reviews.models import (
    EvidenceFile,
    Finding,
    Recommendation,
    RecommendationUpdate,
    ReportComment,
    ReportVersion,
    ReviewVisit,
)
from tests.browser.conftest import ARTIFACTS
from tests.browser.conftest import log_in as log_in_through_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def new_page(browser):
    page = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    return page


def log_in(browser, base: str, username: str):
    page = new_page(browser)
    log_in_through_form(page, base, username)
    return page


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"review-{name}.png"), full_page=True)


def test_a_review_visit_from_invitation_to_the_assessed_recommendation(
    live_server, browser, reference_data, tmp_path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    ARTIFACTS.mkdir(exist_ok=True)
    participants = {p.code: p for p in Participant.objects.filter(code__in=["BWA", "ZAF", "CAN"])}
    UserFactory(username="sec", role="secretariat")
    UserFactory(username="bwa", role="authority", participant=participants["BWA"])
    UserFactory(username="zaf-lead", role="reviewer", participant=participants["ZAF"])
    UserFactory(username="can-member", role="reviewer", participant=participants["CAN"])
    base = live_server.url
    today = timezone.localdate()
    invited, start, end = (today - dt.timedelta(days=d) for d in (120, 30, 26))

    # The secretariat creates the visit; an end before the start is refused first.
    sec = log_in(browser, base, "sec")
    sec.locator("nav.main-nav").get_by_role("link", name="Review visits").click()
    sec.wait_for_url("**/en/reviews/visits/")
    sec.locator("main").get_by_role("link", name="New visit").last.click()
    sec.get_by_label("Participant reviewed").select_option("BWA")
    sec.get_by_label("Kind").select_option("review_visit")
    sec.get_by_label("Round").fill("2")
    sec.get_by_label("Invitation date").fill(invited.isoformat())
    sec.get_by_label("Planned start").fill(end.isoformat())
    sec.get_by_label("Planned end").fill(start.isoformat())
    sec.get_by_role("button", name="Create the visit").click()
    sec.locator(".errorlist").first.wait_for()
    shot(sec, "visit-dates-refused")
    assert not ReviewVisit.objects.exists()
    sec.get_by_label("Planned start").fill(start.isoformat())
    sec.get_by_label("Planned end").fill(end.isoformat())
    sec.get_by_role("button", name="Create the visit").click()
    sec.wait_for_url("**/en/reviews/visits/*/")
    visit = ReviewVisit.objects.get()
    assert (visit.participant.code, visit.round, visit.status) == ("BWA", 2, "invited")

    # Its team: ZAF leads, CAN is a member.
    sec.goto(f"{base}/en/reviews/visits/{visit.pk}/team/")
    for username, role in (("zaf-lead", "lead"), ("can-member", "member")):
        person = sec.get_by_label("Person")
        person.select_option(label=person.locator("option", has_text=f"({username})").inner_text())
        sec.get_by_label("Role").select_option(role)
        sec.get_by_label("Represents").select_option("participant")
        sec.get_by_role("button", name="Add to the team").click()
        sec.get_by_role("cell", name=username).first.wait_for()
    shot(sec, "visit-team")
    sec.goto(f"{base}/en/reviews/visits/{visit.pk}/")
    for status in ("team formed", "scheduled", "visit done"):
        sec.get_by_role("button", name=f"Move to “{status}”").click()
        sec.wait_for_load_state()
    visit.refresh_from_db()
    assert visit.status == ReviewVisit.Status.VISIT_DONE
    shot(sec, "visit-done")

    # A team member files a finding; a program renamed .pdf is refused and nothing is stored.
    member = log_in(browser, base, "can-member")
    member.goto(f"{base}/en/reviews/visits/{visit.pk}/")
    member.get_by_role("link", name="File a finding").click()
    member.get_by_label("Requirement area").select_option("statistics")
    member.get_by_label("partly met").check()
    member.locator("textarea[name=text]").fill("Quarterly statistics reach the WGS late.")
    fake = tmp_path / "minutes.pdf"
    fake.write_bytes(b"MZ\x90\x00 not a pdf at all")
    member.locator("input[type=file]").set_input_files(str(fake))
    member.get_by_role("button", name="File the finding").click()
    member.get_by_text("minutes.pdf is not a file type we accept").first.wait_for()
    shot(member, "finding-refused")
    assert not Finding.objects.exists() and not EvidenceFile.objects.exists()
    evidence = tmp_path / "wgs-submissions.pdf"
    evidence.write_bytes(PDF)
    member.locator("input[type=file]").set_input_files(str(evidence))
    member.get_by_role("button", name="File the finding").click()
    member.wait_for_url(re.compile(r".*/findings/(#finding-\d+)?$"))
    member.get_by_text("Quarterly statistics reach the WGS late.").wait_for()
    shot(member, "findings")
    assert Finding.objects.get().evidence.count() == 1

    # The lead assembles the draft from the findings and records a recommendation.
    lead = log_in(browser, base, "zaf-lead")
    lead.goto(f"{base}/en/reviews/visits/{visit.pk}/")
    lead.get_by_role("link", name="Assemble the draft from the findings").click()
    draft = lead.locator("textarea[name=text]").input_value()
    assert "Quarterly statistics reach the WGS late." in draft
    lead.get_by_role("button", name="Save this version").click()
    lead.wait_for_load_state()
    visit.refresh_from_db()
    assert visit.status == ReviewVisit.Status.DRAFT_REPORT
    assert ReportVersion.objects.get(visit=visit).kind == ReportVersion.Kind.DRAFT
    lead.goto(f"{base}/en/reviews/visits/{visit.pk}/recommendations/new/")
    lead.get_by_label("Requirement area").select_option("statistics")
    lead.locator("textarea[name=text]").fill("Submit quarterly statistics on time.")
    lead.get_by_label("Due date").fill((today + dt.timedelta(days=90)).isoformat())
    lead.get_by_label("Owner").fill("Department of Mines")
    lead.get_by_role("button", name="Record the recommendation").click()
    lead.wait_for_load_state()
    recommendation = Recommendation.objects.get(visit=visit)
    shot(lead, "recommendation")

    # The reviewed participant comments on the draft and answers the recommendation.
    bwa = log_in(browser, base, "bwa")
    bwa.goto(f"{base}/en/reviews/visits/{visit.pk}/")
    bwa.get_by_role("link", name="Comment on the draft report").click()
    bwa.locator("textarea[name=text]").fill("The late figures were those of 2024 only.")
    bwa.get_by_role("button", name="Add the comment").click()
    bwa.get_by_role("button", name="Send our comments").click()
    bwa.wait_for_load_state()
    visit.refresh_from_db()
    assert visit.status == ReviewVisit.Status.COMMENTS_RECEIVED
    assert ReportComment.objects.get().author.username == "bwa"
    bwa.goto(f"{base}/en/reviews/visits/{visit.pk}/recommendations/{recommendation.number}/")
    bwa.get_by_role("link", name="Respond").first.click()
    bwa.locator("textarea[name=text]").fill("Figures are now sent within the quarter.")
    answer = tmp_path / "submission-receipts.pdf"
    answer.write_bytes(PDF)
    bwa.locator("input[type=file]").set_input_files(str(answer))
    bwa.get_by_role("button", name="Send the response").click()
    bwa.wait_for_load_state()
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.ANSWERED
    shot(bwa, "recommendation-answered")

    # The secretariat assesses the answer.
    sec.goto(f"{base}/en/reviews/visits/{visit.pk}/recommendations/{recommendation.number}/")
    sec.get_by_role("link", name="Assess").first.click()
    sec.get_by_label("implemented", exact=True).check()
    sec.locator("textarea[name=text]").fill("The 2026 figures arrived on time.")
    sec.get_by_role("button", name="Record the assessment").click()
    sec.wait_for_load_state()
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.IMPLEMENTED
    assert [u.kind for u in recommendation.updates.order_by("id")] == [
        RecommendationUpdate.Kind.RESPONSE,
        RecommendationUpdate.Kind.ASSESSMENT,
    ]
    shot(sec, "recommendation-assessed")
