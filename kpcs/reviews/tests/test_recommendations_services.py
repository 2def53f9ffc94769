"""The recommendations' follow-up as the services keep it: writing (numbered per visit, from the
draft report until publication, by the secretariat or the lead), editing until someone answers,
the participant's responses with evidence, the secretariat's assessments, and every status
change: open → answered → partly implemented → answered → implemented (closed)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kpcs.accounts.tests.factories import UserFactory
from kpcs.common.models import AuditEntry
from kpcs.reviews.models import (
    EvidenceFile,
    Recommendation,
    RecommendationUpdate,
    RequirementArea,
    ReviewVisit,
)
from kpcs.reviews.services.recommendations import (
    recommendation_assess,
    recommendation_create,
    recommendation_edit,
    recommendation_respond,
)
from kpcs.reviews.tests.factories_followup import (
    INVITED_ON,
    fake_pdf,
    files_under,
    pdf,
    recommendation,
    visit_world,
)

pytestmark = pytest.mark.django_db

Status = Recommendation.Status
Assessment = RecommendationUpdate.Assessment


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world():
    return visit_world()


@pytest.fixture
def secretariat():
    return UserFactory(role="secretariat")


def _create(actor, visit, **overrides):
    values = {
        "area": RequirementArea.STATISTICS,
        "text": "Explain revisions of statistics.",
        "priority": Recommendation.Priority.HIGH,
        "due_on": dt.date(2027, 6, 30),
        "owner": "Statistics unit",
    }
    return recommendation_create(actor=actor, visit=visit, **{**values, **overrides})


# --- Writing and editing -----------------------------------------------------------------------


def test_lead_writes_recommendations_numbered_per_visit(world):
    first = _create(world.lead, world.visit)
    second = _create(world.lead, world.visit, text="Second one.")
    assert (first.number, second.number) == (1, 2)
    assert first.status == Status.OPEN
    assert AuditEntry.objects.filter(object_repr=str(first)).exists()


def test_numbers_restart_for_each_visit(world, secretariat):
    other = visit_world()
    _create(secretariat, world.visit)
    assert _create(secretariat, other.visit).number == 1


def test_secretariat_writes_recommendations(world, secretariat):
    assert _create(secretariat, world.visit).number == 1


def test_team_member_who_is_not_lead_cannot_write(world):
    with pytest.raises(PermissionDenied):
        _create(world.member, world.visit)
    assert not Recommendation.objects.exists()


def test_reviewed_participant_cannot_write(world):
    with pytest.raises(PermissionDenied):
        _create(world.authority, world.visit)


@pytest.mark.parametrize(
    "status",
    [ReviewVisit.Status.VISIT_DONE, ReviewVisit.Status.PUBLISHED, ReviewVisit.Status.RESTRICTED],
)
def test_no_recommendations_before_the_draft_report_or_after_publication(status, secretariat):
    world = visit_world(status=status)
    with pytest.raises(ValidationError) as refused:
        _create(secretariat, world.visit)
    assert "draft report" in str(refused.value)
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize(
    "status",
    [
        ReviewVisit.Status.DRAFT_REPORT,
        ReviewVisit.Status.COMMENTS_RECEIVED,
        ReviewVisit.Status.FINAL_REPORT,
        ReviewVisit.Status.ADOPTED,
    ],
)
def test_recommendations_are_written_from_draft_report_until_published(status, secretariat):
    assert _create(secretariat, visit_world(status=status).visit).number == 1


def test_due_date_before_invitation_is_refused_with_both_dates(world, secretariat):
    with pytest.raises(ValidationError) as refused:
        _create(secretariat, world.visit, due_on=INVITED_ON - dt.timedelta(days=1))
    message = refused.value.message_dict["due_on"][0]
    assert "2026-01-14" in message and INVITED_ON.isoformat() in message
    assert not Recommendation.objects.exists()


def test_due_date_on_invitation_day_is_accepted(world, secretariat):
    assert _create(secretariat, world.visit, due_on=INVITED_ON).due_on == INVITED_ON


def test_missing_area_text_and_owner_are_named(world, secretariat):
    with pytest.raises(ValidationError) as refused:
        _create(secretariat, world.visit, area="", text="  ", owner="")
    assert set(refused.value.message_dict) == {"area", "text", "owner"}
    assert not Recommendation.objects.exists()


def test_edit_changes_fields_while_nobody_answered(world):
    rec = _create(world.lead, world.visit)
    recommendation_edit(
        actor=world.lead, recommendation=rec, changes={"due_on": dt.date(2027, 12, 31)}
    )
    rec.refresh_from_db()
    assert rec.due_on == dt.date(2027, 12, 31)


def test_edit_is_refused_once_answered(world):
    rec = _create(world.lead, world.visit)
    recommendation_respond(actor=world.authority, recommendation=rec, text="Done.")
    with pytest.raises(ValidationError):
        recommendation_edit(actor=world.lead, recommendation=rec, changes={"owner": "Other"})
    rec.refresh_from_db()
    assert rec.owner == "Statistics unit"


def test_edit_by_member_is_forbidden(world):
    rec = _create(world.lead, world.visit)
    with pytest.raises(PermissionDenied):
        recommendation_edit(actor=world.member, recommendation=rec, changes={"owner": "X"})


def test_edit_refuses_due_date_before_invitation(world):
    rec = _create(world.lead, world.visit)
    with pytest.raises(ValidationError) as refused:
        recommendation_edit(
            actor=world.lead, recommendation=rec, changes={"due_on": dt.date(2025, 1, 1)}
        )
    assert "due_on" in refused.value.message_dict


# --- The follow-up's status changes ------------------------------------------------------------


def test_full_cycle_open_answered_partly_answered_implemented(world, secretariat, media):
    rec = recommendation(world.visit)
    assert rec.status == Status.OPEN

    response = recommendation_respond(
        actor=world.authority, recommendation=rec, text="Register set up.", files=[pdf()]
    )
    rec.refresh_from_db()
    assert rec.status == Status.ANSWERED
    evidence = EvidenceFile.objects.get()
    assert evidence.recommendation_update == response and evidence.name == "evidence.pdf"
    assert evidence.content_type == "application/pdf" and evidence.uploaded_by == world.authority
    assert len(files_under(media)) == 1

    recommendation_assess(
        actor=secretariat,
        recommendation=rec,
        assessment=Assessment.PARTLY_IMPLEMENTED,
        text="Only half the districts.",
    )
    rec.refresh_from_db()
    assert rec.status == Status.PARTLY_IMPLEMENTED

    recommendation_respond(actor=world.authority, recommendation=rec, text="All districts now.")
    rec.refresh_from_db()
    assert rec.status == Status.ANSWERED

    recommendation_assess(
        actor=secretariat, recommendation=rec, assessment=Assessment.IMPLEMENTED, text="Done."
    )
    rec.refresh_from_db()
    assert rec.status == Status.IMPLEMENTED
    kinds = list(rec.updates.values_list("kind", "assessment"))
    assert kinds == [
        ("response", ""),
        ("assessment", "partly_implemented"),
        ("response", ""),
        ("assessment", "implemented"),
    ]


def test_not_implemented_lets_the_participant_respond_again(world, secretariat):
    rec = recommendation(world.visit)
    recommendation_assess(
        actor=secretariat,
        recommendation=rec,
        assessment=Assessment.NOT_IMPLEMENTED,
        text="Nothing was done.",
    )
    rec.refresh_from_db()
    assert rec.status == Status.NOT_IMPLEMENTED
    recommendation_respond(actor=world.authority, recommendation=rec, text="Now it is.")
    rec.refresh_from_db()
    assert rec.status == Status.ANSWERED


def test_implemented_recommendation_refuses_responses_and_assessments(world, secretariat):
    rec = recommendation(world.visit, status=Status.IMPLEMENTED)
    with pytest.raises(ValidationError):
        recommendation_respond(actor=world.authority, recommendation=rec, text="More.")
    with pytest.raises(ValidationError):
        recommendation_assess(
            actor=secretariat,
            recommendation=rec,
            assessment=Assessment.PARTLY_IMPLEMENTED,
            text="x",
        )
    assert not RecommendationUpdate.objects.exists()


def test_another_participants_authority_cannot_respond(world):
    rec = recommendation(world.visit)
    stranger = visit_world().authority
    with pytest.raises(PermissionDenied):
        recommendation_respond(actor=stranger, recommendation=rec, text="Not ours.")
    rec.refresh_from_db()
    assert rec.status == Status.OPEN


@pytest.mark.parametrize("who", ["lead", "member"])
def test_team_cannot_respond(world, who):
    rec = recommendation(world.visit)
    with pytest.raises(PermissionDenied):
        recommendation_respond(actor=getattr(world, who), recommendation=rec, text="x")


@pytest.mark.parametrize("who", ["authority", "lead", "member"])
def test_only_the_secretariat_assesses(world, who):
    rec = recommendation(world.visit, status=Status.ANSWERED)
    with pytest.raises(PermissionDenied):
        recommendation_assess(
            actor=getattr(world, who),
            recommendation=rec,
            assessment=Assessment.IMPLEMENTED,
            text="Self-assessed.",
        )
    rec.refresh_from_db()
    assert rec.status == Status.ANSWERED


def test_response_without_text_is_refused(world):
    rec = recommendation(world.visit)
    with pytest.raises(ValidationError) as refused:
        recommendation_respond(actor=world.authority, recommendation=rec, text="  ")
    assert "text" in refused.value.message_dict


def test_bad_file_refuses_the_whole_response_and_leaves_nothing(world, media):
    rec = recommendation(world.visit)
    with pytest.raises(ValidationError) as refused:
        recommendation_respond(
            actor=world.authority,
            recommendation=rec,
            text="Attached.",
            files=[pdf("good.pdf"), fake_pdf("payload.pdf")],
        )
    assert "payload.pdf" in refused.value.message_dict["evidence"][0]
    assert not RecommendationUpdate.objects.exists()
    assert not EvidenceFile.objects.exists()
    assert files_under(media) == []
    rec.refresh_from_db()
    assert rec.status == Status.OPEN


def test_oversized_file_is_refused_naming_it(world, media, settings):
    settings.REVIEW_UPLOAD_MAX_MB = 1
    rec = recommendation(world.visit)
    big = pdf("big.pdf")
    big.size = 2 * 1024 * 1024
    with pytest.raises(ValidationError) as refused:
        recommendation_respond(actor=world.authority, recommendation=rec, text="x", files=[big])
    assert "big.pdf" in refused.value.message_dict["evidence"][0]
    assert not RecommendationUpdate.objects.exists() and files_under(media) == []


def test_failure_while_storing_removes_files_already_written(world, media, monkeypatch):
    rec = recommendation(world.visit)
    calls = {"n": 0}
    original = EvidenceFile.save

    def fail_on_second(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EvidenceFile, "save", fail_on_second)
    with pytest.raises(RuntimeError):
        recommendation_respond(
            actor=world.authority,
            recommendation=rec,
            text="Two files.",
            files=[pdf("one.pdf"), pdf("two.pdf")],
        )
    assert files_under(media) == []
    assert not RecommendationUpdate.objects.exists()


def test_assessment_needs_a_valid_choice_and_text(world, secretariat):
    rec = recommendation(world.visit, status=Status.ANSWERED)
    with pytest.raises(ValidationError) as refused:
        recommendation_assess(actor=secretariat, recommendation=rec, assessment="great", text="")
    assert set(refused.value.message_dict) == {"assessment", "text"}
    assert not RecommendationUpdate.objects.exists()


def test_assessment_can_move_the_due_date_unless_implemented(world, secretariat):
    rec = recommendation(world.visit, status=Status.ANSWERED)
    recommendation_assess(
        actor=secretariat,
        recommendation=rec,
        assessment=Assessment.PARTLY_IMPLEMENTED,
        text="More time.",
        due_on=dt.date(2028, 1, 31),
    )
    rec.refresh_from_db()
    assert rec.due_on == dt.date(2028, 1, 31)
    with pytest.raises(ValidationError) as refused:
        recommendation_assess(
            actor=secretariat,
            recommendation=rec,
            assessment=Assessment.IMPLEMENTED,
            text="Done.",
            due_on=dt.date(2028, 6, 30),
        )
    assert "due_on" in refused.value.message_dict
