"""The pages of a visit's recommendations: who sees them (404 for a visit one may not see, the
public only a published visit's, without the follow-up history), who may write, edit, respond
and assess (403 otherwise), overdue highlighting, evidence links, and bad input answered with
a message and nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.tests.factories import WorkingBodyMembershipFactory
from kpcs.reviews.models import (
    EvidenceFile,
    Recommendation,
    RecommendationUpdate,
    ReviewVisit,
)
from kpcs.reviews.tests.factories import RecommendationUpdateFactory
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


def url(name, visit, number=None):
    kwargs = {"visit_id": visit.pk}
    if number is not None:
        kwargs["number"] = number
    return reverse(f"recommendations:{name}", kwargs=kwargs)


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


FORM = {
    "area": "statistics",
    "text": "Explain every revision.",
    "priority": "high",
    "due_on": "2027-06-30",
    "owner": "Statistics unit",
}


# --- Seeing them ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["authority", "lead", "member", "secretariat"])
def test_visit_people_see_the_recommendations_with_their_history(client, world, secretariat, who):
    rec = recommendation(world.visit, text="Keep one register.")
    RecommendationUpdateFactory(recommendation=rec, text="Register opened.")
    user = secretariat if who == "secretariat" else getattr(world, who)
    response = as_user(client, user).get(url("list", world.visit))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Keep one register." in page and "Register opened." in page


def test_another_participants_authority_gets_404_on_an_unpublished_visit(client, world):
    recommendation(world.visit)
    stranger = visit_world().authority
    client.force_login(stranger)
    assert client.get(url("list", world.visit)).status_code == 404
    assert client.get(url("detail", world.visit, 1)).status_code == 404
    assert client.get(url("respond", world.visit, 1)).status_code == 404


def test_team_member_of_one_visit_gets_404_on_another(client, world):
    other = visit_world()
    recommendation(other.visit)
    client.force_login(world.member)
    assert client.get(url("list", other.visit)).status_code == 404
    assert client.get(url("detail", other.visit, 1)).status_code == 404
    client.force_login(world.lead)
    assert client.get(url("create", other.visit)).status_code == 404


@pytest.mark.parametrize(
    "status",
    [
        ReviewVisit.Status.DRAFT_REPORT,
        ReviewVisit.Status.FINAL_REPORT,
        ReviewVisit.Status.ADOPTED,
        ReviewVisit.Status.RESTRICTED,
    ],
)
def test_the_public_gets_404_unless_published(client, status):
    world = visit_world(status=status)
    recommendation(world.visit)
    assert client.get(url("list", world.visit)).status_code == 404
    assert client.get(url("detail", world.visit, 1)).status_code == 404


def test_the_public_sees_a_published_visits_recommendations_without_history(client):
    world = visit_world(status=ReviewVisit.Status.PUBLISHED)
    rec = recommendation(world.visit, text="Publish regulations.")
    RecommendationUpdateFactory(recommendation=rec, text="Secret working response.")
    response = client.get(url("list", world.visit))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Publish regulations." in page
    assert "Secret working response." not in page
    assert client.get(url("detail", world.visit, rec.number)).status_code == 200


def test_wgm_member_sees_adopted_visits_recommendations(client):
    world = visit_world(status=ReviewVisit.Status.ADOPTED)
    recommendation(world.visit, text="Adopted recommendation.")
    seat = WorkingBodyMembershipFactory(
        working_body=world.visit.adopted_by, year_from=2020, year_to=None
    )
    member = UserFactory(role="authority", participant=seat.participant)
    client.force_login(member)
    response = client.get(url("list", world.visit))
    assert response.status_code == 200 and "Adopted recommendation." in response.content.decode()


def test_unknown_number_is_404(client, world, secretariat):
    client.force_login(secretariat)
    assert client.get(url("detail", world.visit, 99)).status_code == 404


def test_overdue_recommendations_are_highlighted(client, world, secretariat):
    today = timezone.localdate()
    recommendation(world.visit, due_on=today - dt.timedelta(days=1), text="Late one.")
    recommendation(
        world.visit,
        due_on=today - dt.timedelta(days=1),
        status=Status.IMPLEMENTED,
        text="Done late.",
    )
    recommendation(world.visit, due_on=today + dt.timedelta(days=1), text="Not yet due.")
    client.force_login(secretariat)
    response = client.get(url("list", world.visit))
    overdue = [r.number for r in response.context["recommendations"] if r.is_overdue]
    assert overdue == [1]
    page = response.content.decode()
    assert page.count('class="panel recommendation overdue"') == 1
    assert "Overdue" in page


def test_list_shows_number_area_priority_due_date_owner_status(client, world, secretariat):
    recommendation(
        world.visit,
        area="enforcement",
        priority="high",
        due_on=dt.date(2027, 3, 31),
        owner="Directorate of Public Prosecutions",
    )
    client.force_login(secretariat)
    page = client.get(url("list", world.visit)).content.decode()
    for text in (
        "Recommendation 1",
        "Enforcement",
        "High",
        "March 31, 2027",
        "Directorate of Public Prosecutions",
        "open",
    ):
        assert text in page


def test_evidence_is_linked_to_its_download(client, world, media):
    from kpcs.reviews.services.recommendations import recommendation_respond

    rec = recommendation(world.visit)
    recommendation_respond(
        actor=world.authority, recommendation=rec, text="See file.", files=[pdf("register.pdf")]
    )
    evidence = EvidenceFile.objects.get()
    client.force_login(world.lead)
    page = client.get(url("list", world.visit)).content.decode()
    link = reverse(
        "reviews:evidence", kwargs={"visit_id": world.visit.pk, "evidence_id": evidence.pk}
    )
    assert f'href="{link}"' in page and "register.pdf" in page


def test_list_queries_do_not_grow_with_the_recommendations(client, world, secretariat, media):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kpcs.reviews.services.recommendations import recommendation_respond

    def add():
        rec = recommendation(world.visit)
        recommendation_respond(
            actor=world.authority, recommendation=rec, text="See file.", files=[pdf()]
        )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("list", world.visit)).status_code == 200
        return len(queries)

    add()
    client.force_login(secretariat)
    one = count()
    for _ in range(4):
        add()
    assert count() == one


# --- Writing -------------------------------------------------------------------------------------


def test_lead_writes_a_recommendation_through_the_form(client, world):
    client.force_login(world.lead)
    assert client.get(url("create", world.visit)).status_code == 200
    response = client.post(url("create", world.visit), FORM)
    assert response.status_code == 302
    rec = Recommendation.objects.get()
    assert (rec.number, rec.area, rec.priority, rec.due_on, rec.owner) == (
        1,
        "statistics",
        "high",
        dt.date(2027, 6, 30),
        "Statistics unit",
    )


def test_secretariat_writes_a_recommendation(client, world, secretariat):
    client.force_login(secretariat)
    assert client.post(url("create", world.visit), FORM).status_code == 302
    assert Recommendation.objects.count() == 1


@pytest.mark.parametrize("who", ["member", "authority"])
def test_team_member_or_participant_gets_403_on_create(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(url("create", world.visit)).status_code == 403
    assert client.post(url("create", world.visit), FORM).status_code == 403
    assert not Recommendation.objects.exists()


def test_create_before_the_draft_report_is_refused_with_the_reason(client, secretariat):
    world = visit_world(status=ReviewVisit.Status.VISIT_DONE)
    client.force_login(secretariat)
    response = client.post(url("create", world.visit), FORM, follow=True)
    assert "from the draft report" in response.content.decode()
    assert not Recommendation.objects.exists()


def test_due_date_before_invitation_is_refused_with_a_clear_message(client, world):
    client.force_login(world.lead)
    response = client.post(url("create", world.visit), {**FORM, "due_on": "2025-12-31"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "before the visit&#x27;s invitation date" in page and INVITED_ON.isoformat() in page
    assert not Recommendation.objects.exists()


def test_missing_area_is_refused_with_a_clear_message(client, world):
    client.force_login(world.lead)
    response = client.post(url("create", world.visit), {**FORM, "area": ""})
    assert response.status_code == 400
    assert "Choose the requirement area" in response.content.decode()
    assert not Recommendation.objects.exists()


def test_lead_edits_until_someone_answers(client, world):
    rec = recommendation(world.visit)
    client.force_login(world.lead)
    assert client.get(url("edit", world.visit, rec.number)).status_code == 200
    response = client.post(url("edit", world.visit, rec.number), {**FORM, "owner": "New owner"})
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.owner == "New owner"
    RecommendationUpdateFactory(recommendation=rec)
    response = client.post(
        url("edit", world.visit, rec.number), {**FORM, "owner": "Later"}, follow=True
    )
    assert "can no longer be changed" in response.content.decode()
    rec.refresh_from_db()
    assert rec.owner == "New owner"


def test_member_gets_403_on_edit(client, world):
    rec = recommendation(world.visit)
    client.force_login(world.member)
    assert client.get(url("edit", world.visit, rec.number)).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in_for_a_published_visits_forms(client):
    world = visit_world(status=ReviewVisit.Status.PUBLISHED)
    rec = recommendation(world.visit)
    response = client.get(url("respond", world.visit, rec.number))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Responding ----------------------------------------------------------------------------------


def test_participant_responds_with_evidence(client, world, media):
    rec = recommendation(world.visit)
    client.force_login(world.authority)
    assert client.get(url("respond", world.visit, rec.number)).status_code == 200
    response = client.post(
        url("respond", world.visit, rec.number),
        {"text": "Register opened.", "evidence": [pdf("a.pdf"), pdf("b.pdf")]},
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.status == Status.ANSWERED
    update = RecommendationUpdate.objects.get()
    assert sorted(update.evidence.values_list("name", flat=True)) == ["a.pdf", "b.pdf"]
    assert len(files_under(media)) == 2


def test_bad_file_is_named_and_nothing_is_stored(client, world, media):
    rec = recommendation(world.visit)
    client.force_login(world.authority)
    response = client.post(
        url("respond", world.visit, rec.number),
        {"text": "Attached.", "evidence": [pdf("fine.pdf"), fake_pdf("virus.pdf")]},
    )
    assert response.status_code == 400
    assert "virus.pdf" in response.content.decode()
    assert not RecommendationUpdate.objects.exists() and not EvidenceFile.objects.exists()
    assert files_under(media) == []
    rec.refresh_from_db()
    assert rec.status == Status.OPEN


@pytest.mark.parametrize("who", ["lead", "member", "secretariat"])
def test_only_the_reviewed_participant_may_respond(client, world, secretariat, who):
    rec = recommendation(world.visit)
    client.force_login(secretariat if who == "secretariat" else getattr(world, who))
    assert client.get(url("respond", world.visit, rec.number)).status_code == 403
    assert client.post(url("respond", world.visit, rec.number), {"text": "x"}).status_code == 403
    assert not RecommendationUpdate.objects.exists()


def test_implemented_recommendation_cannot_be_answered(client, world):
    rec = recommendation(world.visit, status=Status.IMPLEMENTED)
    client.force_login(world.authority)
    response = client.post(url("respond", world.visit, rec.number), {"text": "More."}, follow=True)
    assert "follow-up is closed" in response.content.decode()
    assert not RecommendationUpdate.objects.exists()


# --- Assessing -----------------------------------------------------------------------------------


def test_secretariat_assesses_partly_then_implemented(client, world, secretariat):
    rec = recommendation(world.visit, status=Status.ANSWERED)
    client.force_login(secretariat)
    assert client.get(url("assess", world.visit, rec.number)).status_code == 200
    response = client.post(
        url("assess", world.visit, rec.number),
        {"assessment": "partly_implemented", "text": "Half done.", "due_on": "2027-12-31"},
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.status == Status.PARTLY_IMPLEMENTED and rec.due_on == dt.date(2027, 12, 31)
    client.post(
        url("assess", world.visit, rec.number), {"assessment": "implemented", "text": "Done."}
    )
    rec.refresh_from_db()
    assert rec.status == Status.IMPLEMENTED
    page = client.get(url("detail", world.visit, rec.number)).content.decode()
    assert "Assessment: partly implemented" in page and "Assessment: implemented" in page


def test_reviewed_participant_gets_403_on_assess(client, world):
    rec = recommendation(world.visit, status=Status.ANSWERED)
    client.force_login(world.authority)
    assert client.get(url("assess", world.visit, rec.number)).status_code == 403
    response = client.post(
        url("assess", world.visit, rec.number), {"assessment": "implemented", "text": "Ours."}
    )
    assert response.status_code == 403
    rec.refresh_from_db()
    assert rec.status == Status.ANSWERED


def test_lead_gets_403_on_assess(client, world):
    rec = recommendation(world.visit, status=Status.ANSWERED)
    client.force_login(world.lead)
    assert client.get(url("assess", world.visit, rec.number)).status_code == 403


def test_assessment_without_choice_is_refused(client, world, secretariat):
    rec = recommendation(world.visit, status=Status.ANSWERED)
    client.force_login(secretariat)
    response = client.post(url("assess", world.visit, rec.number), {"text": "Hmm."})
    assert response.status_code == 400
    assert "Choose the assessment" in response.content.decode()
    assert not RecommendationUpdate.objects.exists()


def test_buttons_follow_the_role(client, world, secretariat):
    rec = recommendation(world.visit)
    respond = url("respond", world.visit, rec.number)
    assess = url("assess", world.visit, rec.number)
    client.force_login(world.authority)
    page = client.get(url("list", world.visit)).content.decode()
    assert respond in page and assess not in page
    client.force_login(secretariat)
    page = client.get(url("list", world.visit)).content.decode()
    assert assess in page and respond not in page and url("create", world.visit) in page
    client.force_login(world.member)
    page = client.get(url("list", world.visit)).content.decode()
    assert assess not in page and respond not in page and url("create", world.visit) not in page


def test_assess_page_shows_the_responses_with_their_evidence(client, world, secretariat, media):
    from kpcs.reviews.services.recommendations import recommendation_respond

    rec = recommendation(world.visit)
    recommendation_respond(
        actor=world.authority, recommendation=rec, text="Proof attached.", files=[pdf("proof.pdf")]
    )
    evidence = EvidenceFile.objects.get()
    client.force_login(secretariat)
    page = client.get(url("assess", world.visit, rec.number)).content.decode()
    link = reverse(
        "reviews:evidence", kwargs={"visit_id": world.visit.pk, "evidence_id": evidence.pk}
    )
    assert "Proof attached." in page and f'href="{link}"' in page
