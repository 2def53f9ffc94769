"""/api/v1/reviews/visits/<id>/recommendations/: the list and one recommendation for whoever may
see the visit (404 otherwise; the public a published visit's, without history), writing and
editing by the secretariat or the lead, responses with evidence (multipart) by the reviewed
participant, assessments by the secretariat; 401/403/404 and 400 with nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from kpcs.accounts.tests.factories import UserFactory
from kpcs.reviews.models import (
    EvidenceFile,
    Recommendation,
    RecommendationUpdate,
    ReviewVisit,
)
from kpcs.reviews.tests.factories import RecommendationUpdateFactory
from kpcs.reviews.tests.factories_followup import (
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


def client_for(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def base(visit):
    return f"/api/v1/reviews/visits/{visit.pk}/recommendations/"


NEW = {
    "area": "enforcement",
    "text": "Prosecute infringements.",
    "priority": "high",
    "due_on": "2027-03-31",
    "owner": "Prosecutor",
}


# --- Reading -------------------------------------------------------------------------------------


def test_list_with_history_for_the_reviewed_participant(world):
    rec = recommendation(world.visit, due_on=dt.date(2020, 1, 1))
    RecommendationUpdateFactory(recommendation=rec, text="Working on it.")
    response = client_for(world.authority).get(base(world.visit))
    assert response.status_code == 200
    item = response.json()["results"][0]
    assert item["number"] == rec.number and item["status"] == "open"
    assert item["overdue"] is True
    assert item["history"][0]["text"] == "Working on it."
    assert item["url"].endswith(f"{base(world.visit)}{rec.number}/")


def test_public_reads_a_published_visit_without_history():
    world = visit_world(status=ReviewVisit.Status.PUBLISHED)
    rec = recommendation(world.visit)
    RecommendationUpdateFactory(recommendation=rec, text="Internal.")
    response = client_for().get(base(world.visit))
    assert response.status_code == 200
    assert response.json()["results"][0]["history"] is None
    detail = client_for().get(f"{base(world.visit)}{rec.number}/")
    assert detail.status_code == 200 and detail.json()["history"] is None


@pytest.mark.parametrize("status", [ReviewVisit.Status.DRAFT_REPORT, ReviewVisit.Status.ADOPTED])
def test_public_gets_404_on_an_unpublished_visit(status):
    world = visit_world(status=status)
    rec = recommendation(world.visit)
    assert client_for().get(base(world.visit)).status_code == 404
    assert client_for().get(f"{base(world.visit)}{rec.number}/").status_code == 404


def test_another_participants_authority_gets_404(world):
    rec = recommendation(world.visit)
    stranger = client_for(visit_world().authority)
    assert stranger.get(base(world.visit)).status_code == 404
    assert stranger.get(f"{base(world.visit)}{rec.number}/").status_code == 404
    response = stranger.post(
        f"{base(world.visit)}{rec.number}/responses/", {"text": "x"}, format="multipart"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_team_member_of_visit_a_gets_404_on_visit_b(world):
    other = visit_world()
    recommendation(other.visit)
    assert client_for(world.member).get(base(other.visit)).status_code == 404
    assert client_for(world.lead).post(base(other.visit), NEW, format="json").status_code == 404


def test_unknown_number_is_404(world, secretariat):
    assert client_for(secretariat).get(f"{base(world.visit)}7/").status_code == 404


# --- Writing and editing -------------------------------------------------------------------------


def test_lead_creates_a_recommendation(world):
    response = client_for(world.lead).post(base(world.visit), NEW, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == 1 and body["status"] == "open" and body["history"] == []
    assert Recommendation.objects.get().owner == "Prosecutor"


def test_secretariat_creates_with_default_priority(world, secretariat):
    data = {k: v for k, v in NEW.items() if k != "priority"}
    response = client_for(secretariat).post(base(world.visit), data, format="json")
    assert response.status_code == 201 and response.json()["priority"] == "medium"


def test_team_member_who_is_not_lead_gets_403_on_create(world):
    response = client_for(world.member).post(base(world.visit), NEW, format="json")
    assert response.status_code == 403
    assert not Recommendation.objects.exists()


def test_anonymous_write_is_401(world):
    assert client_for().post(base(world.visit), NEW, format="json").status_code == 401


def test_missing_area_and_early_due_date_are_400_naming_the_fields(world):
    data = {**NEW, "due_on": "2025-01-01"}
    del data["area"]
    response = client_for(world.lead).post(base(world.visit), data, format="json")
    assert response.status_code == 400
    assert "area" in response.json()["errors"]
    response = client_for(world.lead).post(
        base(world.visit), {**NEW, "due_on": "2025-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "invitation" in response.json()["errors"]["due_on"][0]
    assert not Recommendation.objects.exists()


def test_create_on_a_visit_before_the_draft_report_is_400(secretariat):
    world = visit_world(status=ReviewVisit.Status.SCHEDULED)
    response = client_for(secretariat).post(base(world.visit), NEW, format="json")
    assert response.status_code == 400
    assert "draft report" in response.json()["detail"]


def test_patch_until_someone_answers(world):
    rec = recommendation(world.visit)
    url = f"{base(world.visit)}{rec.number}/"
    response = client_for(world.lead).patch(url, {"priority": "low"}, format="json")
    assert response.status_code == 200 and response.json()["priority"] == "low"
    RecommendationUpdateFactory(recommendation=rec)
    response = client_for(world.lead).patch(url, {"priority": "high"}, format="json")
    assert response.status_code == 400
    rec.refresh_from_db()
    assert rec.priority == "low"


def test_patch_by_the_participant_is_403(world):
    rec = recommendation(world.visit)
    response = client_for(world.authority).patch(
        f"{base(world.visit)}{rec.number}/", {"priority": "low"}, format="json"
    )
    assert response.status_code == 403


# --- Responses and assessments -------------------------------------------------------------------


def test_participant_responds_with_evidence_then_secretariat_assesses(world, secretariat, media):
    rec = recommendation(world.visit)
    url = f"{base(world.visit)}{rec.number}/"
    response = client_for(world.authority).post(
        url + "responses/",
        {"text": "Register opened.", "evidence": [pdf("one.pdf"), pdf("two.pdf")]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "answered"
    names = [e["name"] for e in body["history"][0]["evidence"]]
    assert names == ["one.pdf", "two.pdf"]
    assert body["history"][0]["evidence"][0]["download_url"].startswith("http://testserver/")
    assert len(files_under(media)) == 2

    response = client_for(secretariat).post(
        url + "assessments/",
        {"assessment": "partly_implemented", "text": "Half.", "due_on": "2027-09-30"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "partly_implemented"
    assert response.json()["due_on"] == "2027-09-30"

    client_for(world.authority).post(url + "responses/", {"text": "All."}, format="multipart")
    response = client_for(secretariat).post(
        url + "assessments/", {"assessment": "implemented", "text": "Done."}, format="json"
    )
    assert response.json()["status"] == "implemented"
    response = client_for(world.authority).post(
        url + "responses/", {"text": "Even more."}, format="multipart"
    )
    assert response.status_code == 400
    assert RecommendationUpdate.objects.count() == 4


def test_bad_file_is_400_naming_it_and_nothing_is_stored(world, media):
    rec = recommendation(world.visit)
    response = client_for(world.authority).post(
        f"{base(world.visit)}{rec.number}/responses/",
        {"text": "See files.", "evidence": [pdf("ok.pdf"), fake_pdf("evil.pdf")]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "evil.pdf" in response.json()["errors"]["evidence"][0]
    assert not RecommendationUpdate.objects.exists() and not EvidenceFile.objects.exists()
    assert files_under(media) == []


@pytest.mark.parametrize("who", ["lead", "member", "secretariat"])
def test_only_the_reviewed_participant_responds(world, secretariat, who):
    rec = recommendation(world.visit)
    user = secretariat if who == "secretariat" else getattr(world, who)
    response = client_for(user).post(
        f"{base(world.visit)}{rec.number}/responses/", {"text": "x"}, format="multipart"
    )
    assert response.status_code == 403


def test_reviewed_participant_gets_403_on_assess(world):
    rec = recommendation(world.visit, status=Status.ANSWERED)
    response = client_for(world.authority).post(
        f"{base(world.visit)}{rec.number}/assessments/",
        {"assessment": "implemented", "text": "We did it."},
        format="json",
    )
    assert response.status_code == 403
    rec.refresh_from_db()
    assert rec.status == Status.ANSWERED


def test_bad_assessment_is_400(world, secretariat):
    rec = recommendation(world.visit, status=Status.ANSWERED)
    response = client_for(secretariat).post(
        f"{base(world.visit)}{rec.number}/assessments/",
        {"assessment": "brilliant", "text": ""},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"assessment", "text"}
    assert not RecommendationUpdate.objects.exists()


def test_anonymous_response_is_401(world):
    rec = recommendation(world.visit)
    response = client_for().post(
        f"{base(world.visit)}{rec.number}/responses/", {"text": "x"}, format="multipart"
    )
    assert response.status_code == 401
