"""The review visits API: lists and visits as JSON for whoever may see them (404 otherwise),
the secretariat's writes (create, edit, team, status moves) with their 400s naming the field,
and 401/403 for everyone else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from kpcs.accounts.tests.factories import api_client_as
from kpcs.reviews.models import ReviewVisit, TeamMember
from kpcs.reviews.tests.factories import ExpertNominationFactory, ReviewVisitFactory
from kpcs.reviews.tests.factories_visits import at_status, visit_world

pytestmark = pytest.mark.django_db

S = ReviewVisit.Status
LIST = "/api/v1/reviews/visits/"


def detail(visit: ReviewVisit) -> str:
    return f"{LIST}{visit.pk}/"


@pytest.fixture
def world():
    return visit_world()


def client_for(user=None) -> APIClient:
    return api_client_as(user)


def assert_error(response, status: int, code: str) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    return body


# --- Reading -----------------------------------------------------------------------------------


def test_the_public_lists_published_visits_with_the_lead_participant_only(world) -> None:
    world.form_team()
    at_status(world.visit, S.PUBLISHED)
    at_status(world.other_visit, S.ADOPTED)
    body = client_for().get(LIST).json()
    assert body["count"] == 1
    visit = body["results"][0]
    assert visit["id"] == world.visit.pk
    assert visit["participant"] == world.reviewed.code
    assert visit["status"] == "published"
    assert visit["adopted_by"] == "WGM"
    assert visit["published_on"] == "2026-07-15"
    assert visit["lead_participant"] == world.lead_participant.code
    assert visit["team"] is None
    assert visit["urls"]["findings"] is None
    assert visit["url"].endswith(detail(world.visit))


def test_the_visit_json_has_every_field_for_those_who_see_working_papers(world) -> None:
    world.form_team()
    body = client_for(world.reviewed_authority).get(detail(world.visit)).json()
    assert set(body) >= {
        "id",
        "participant",
        "kind",
        "round",
        "invited_on",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
        "terms_of_reference",
        "status",
        "adopted_on",
        "adopted_by",
        "published_on",
        "team",
        "urls",
    }
    assert body["invited_on"] == "2026-01-15"
    assert body["adopted_by"] is None
    assert {member["user"] for member in body["team"]} == {"lead-reviewer", "member-reviewer"}
    lead = next(m for m in body["team"] if m["role"] == "lead")
    assert (lead["represents"], lead["participant"], lead["observer"]) == (
        "participant",
        world.lead_participant.code,
        None,
    )
    assert body["urls"]["recommendations"].endswith(f"{detail(world.visit)}recommendations/")


def test_a_team_member_of_visit_a_gets_404_on_visit_b(world) -> None:
    world.form_team()
    client = client_for(world.member_user)
    assert client.get(detail(world.visit)).status_code == 200
    assert_error(client.get(detail(world.other_visit)), 404, "not_found")
    assert [v["id"] for v in client.get(LIST).json()["results"]] == [world.visit.pk]


def test_an_authority_sees_its_own_visits_and_404_for_anothers_unpublished(world) -> None:
    client = client_for(world.reviewed_authority)
    assert client.get(detail(world.visit)).status_code == 200
    assert_error(client.get(detail(world.other_visit)), 404, "not_found")
    at_status(world.other_visit, S.PUBLISHED)
    body = client.get(detail(world.other_visit)).json()
    assert body["team"] is None


def test_a_wgm_member_sees_adopted_visits_not_draft_ones(world) -> None:
    client = client_for(world.wgm_user)
    at_status(world.visit, S.DRAFT_REPORT)
    assert_error(client.get(detail(world.visit)), 404, "not_found")
    at_status(world.visit, S.ADOPTED)
    body = client.get(detail(world.visit)).json()
    assert body["status"] == "adopted"
    assert body["team"] == []
    assert client.get(f"{detail(world.visit)}team/").status_code == 200


def test_anonymous_clients_get_404_on_an_unpublished_visit(world) -> None:
    assert_error(client_for().get(detail(world.visit)), 404, "not_found")


def test_the_list_filters_as_the_page_does(world) -> None:
    mission = ReviewVisitFactory(
        participant=world.reviewed,
        kind=ReviewVisit.Kind.REVIEW_MISSION,
        round=1,
        invited_on=None,
        planned_start=dt.date(2024, 3, 1),
        planned_end=dt.date(2024, 3, 5),
    )
    client = client_for(world.secretariat)

    def ids(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.json()
        return {v["id"] for v in response.json()["results"]}

    assert ids(participant=world.reviewed.code.lower()) == {world.visit.pk, mission.pk}
    assert ids(kind="review_mission", round=1, year=2024) == {mission.pk}
    assert ids(status="invited") == {world.visit.pk, world.other_visit.pk, mission.pk}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"participant": "ZZZ"}, "participant"),
        ({"kind": "picnic"}, "kind"),
        ({"round": "x"}, "round"),
        ({"status": "closed"}, "status"),
        ({"year": "1850"}, "year"),
        ({"page_size": "abc"}, "page_size"),
    ],
)
def test_a_bad_filter_answers_400_naming_it(world, params, field) -> None:
    body = assert_error(client_for().get(LIST, params), 400, "invalid")
    assert field in body["errors"]


def test_the_list_does_not_query_per_visit(world) -> None:
    for _ in range(6):
        visit = ReviewVisitFactory(participant=world.reviewed)
        world.form_team(visit)
    client = client_for(world.member_user)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST, {"page_size": 2})
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(LIST).json()["results"]) == 6
    assert len(many) == len(few)


def test_the_team_is_not_shown_to_those_who_may_not_see_working_papers(world) -> None:
    at_status(world.other_visit, S.PUBLISHED)
    url = f"{detail(world.other_visit)}team/"
    assert_error(client_for(world.reviewed_authority).get(url), 403, "permission_denied")
    assert_error(client_for().get(url), 401, "not_authenticated")


# --- Writing -----------------------------------------------------------------------------------


def new_visit(code: str, **values) -> dict:
    return {
        "participant": code,
        "kind": "review_visit",
        "round": 2,
        "invited_on": "2026-02-10",
        "planned_start": "2026-06-08",
        "planned_end": "2026-06-12",
    } | values


def test_the_secretariat_creates_a_visit(world) -> None:
    response = client_for(world.secretariat).post(
        LIST, new_visit(world.reviewed.code), format="json"
    )
    body = response.json()
    assert response.status_code == 201, body
    assert (body["status"], body["round"], body["participant"]) == (
        "invited",
        2,
        world.reviewed.code,
    )
    assert "minimum requirements" in body["terms_of_reference"]
    assert body["team"] == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"planned_end": "2026-06-01"}, "planned_end"),
        ({"planned_start": "2026-01-01", "planned_end": "2026-01-02"}, "planned_start"),
        ({"invited_on": None}, "invited_on"),
        ({"participant": "ZZZ"}, "participant"),
        ({"kind": "holiday"}, "kind"),
        ({"round": 0}, "round"),
        ({"invited_on": "10/02/2026"}, "invited_on"),
    ],
)
def test_bad_input_answers_400_naming_the_field_and_stores_nothing(world, values, field) -> None:
    before = ReviewVisit.objects.count()
    response = client_for(world.secretariat).post(
        LIST, new_visit(world.reviewed.code, **values), format="json"
    )
    body = assert_error(response, 400, "invalid")
    assert field in body["errors"]
    assert ReviewVisit.objects.count() == before


def test_non_secretariat_cannot_create(world) -> None:
    assert_error(
        client_for().post(LIST, new_visit(world.reviewed.code), format="json"),
        401,
        "not_authenticated",
    )
    for user in (world.reviewed_authority, world.lead_user, world.wgm_user):
        response = client_for(user).post(LIST, new_visit(world.reviewed.code), format="json")
        assert_error(response, 403, "permission_denied")
    assert ReviewVisit.objects.count() == 2


def test_the_secretariat_patches_a_visit(world) -> None:
    response = client_for(world.secretariat).patch(
        detail(world.visit),
        {"actual_start": "2026-05-04", "actual_end": "2026-05-08", "round": 3},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["actual_end"], response.json()["round"]) == ("2026-05-08", 3)


def test_a_patch_with_dates_out_of_order_changes_nothing(world) -> None:
    response = client_for(world.secretariat).patch(
        detail(world.visit),
        {"actual_start": "2026-05-08", "actual_end": "2026-05-04"},
        format="json",
    )
    body = assert_error(response, 400, "invalid")
    assert "actual_end" in body["errors"]
    world.visit.refresh_from_db()
    assert world.visit.actual_start is None


def test_patching_is_403_on_a_visible_visit_and_404_on_an_invisible_one(world) -> None:
    world.form_team()
    client = client_for(world.lead_user)
    assert_error(
        client.patch(detail(world.visit), {"round": 4}, format="json"), 403, "permission_denied"
    )
    assert_error(
        client.patch(detail(world.other_visit), {"round": 4}, format="json"), 404, "not_found"
    )
    world.visit.refresh_from_db()
    assert world.visit.round == 2


# --- The team ----------------------------------------------------------------------------------


def test_the_secretariat_adds_and_removes_members(world) -> None:
    client = client_for(world.secretariat)
    url = f"{detail(world.visit)}team/"
    response = client.post(
        url, {"user": "lead-reviewer", "role": "lead", "represents": "participant"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["participant"] == world.lead_participant.code
    response = client.post(
        url,
        {"user": "civil-reviewer", "role": "member", "represents": "civil_society"},
        format="json",
    )
    assert response.json()["observer"] == world.civil.code
    nomination = ExpertNominationFactory(user=world.reviewer)
    response = client.post(
        url,
        {"user": "free-reviewer", "role": "expert", "represents": "expert"},
        format="json",
    )
    assert response.json()["nomination"] == nomination.pk
    assert len(client.get(url).json()) == 3
    member_id = response.json()["id"]
    assert client.delete(f"{url}{member_id}/").status_code == 204
    assert TeamMember.objects.filter(visit=world.visit).count() == 2
    assert_error(client.delete(f"{url}{member_id}/"), 404, "not_found")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"user": "nobody", "role": "member", "represents": "participant"}, "user"),
        ({"user": "reviewed-authority", "role": "member", "represents": "participant"}, "user"),
        ({"user": "civil-reviewer", "role": "member", "represents": "industry"}, "observer"),
        ({"user": "free-reviewer", "role": "expert", "represents": "expert"}, "nomination"),
        ({"user": "industry-reviewer", "role": "lead", "represents": "industry"}, "represents"),
        ({"user": "free-reviewer", "role": "boss", "represents": "participant"}, "role"),
        (
            {
                "user": "free-reviewer",
                "role": "member",
                "represents": "participant",
                "participant": "ZZZ",
            },
            "participant",
        ),
    ],
)
def test_team_rules_answer_400_naming_the_field(world, payload, field) -> None:
    response = client_for(world.secretariat).post(
        f"{detail(world.visit)}team/", payload, format="json"
    )
    body = assert_error(response, 400, "invalid")
    assert field in body["errors"], body
    assert not TeamMember.objects.exists()


def test_managing_the_team_is_403_on_a_visible_visit_and_404_on_an_invisible_one(world) -> None:
    world.form_team()
    member = TeamMember.objects.get(user=world.member_user)
    client = client_for(world.lead_user)
    url = f"{detail(world.visit)}team/"
    payload = {"user": "industry-reviewer", "role": "member", "represents": "industry"}
    assert_error(client.post(url, payload, format="json"), 403, "permission_denied")
    assert_error(client.delete(f"{url}{member.pk}/"), 403, "permission_denied")
    other = f"{detail(world.other_visit)}team/"
    assert_error(client.post(other, payload, format="json"), 404, "not_found")
    assert_error(client.get(other), 404, "not_found")
    assert TeamMember.objects.count() == 2


# --- Status moves ------------------------------------------------------------------------------


def move(client, visit, **body):
    return client.post(f"{detail(visit)}transition/", body, format="json")


def test_the_secretariat_walks_a_visit_through_its_moves(world) -> None:
    world.form_team()
    client = client_for(world.secretariat)
    assert move(client, world.visit, to="team_formed").json()["status"] == "team_formed"
    body = move(
        client, world.visit, to="scheduled", planned_start="2026-05-04", planned_end="2026-05-08"
    ).json()
    assert (body["status"], body["planned_end"]) == ("scheduled", "2026-05-08")
    body = move(
        client, world.visit, to="visit_done", actual_start="2026-05-04", actual_end="2026-05-08"
    ).json()
    assert body["status"] == "visit_done"
    at_status(world.visit, S.FINAL_REPORT)
    body = move(client, world.visit, to="adopted", adopted_on="2026-06-20").json()
    assert (body["status"], body["adopted_by"], body["adopted_on"]) == (
        "adopted",
        "WGM",
        "2026-06-20",
    )
    body = move(client, world.visit, to="restricted").json()
    assert body["status"] == "restricted"
    body = move(client, world.visit, to="published", published_on="2026-07-01").json()
    assert (body["status"], body["published_on"]) == ("published", "2026-07-01")


@pytest.mark.parametrize(
    ("start", "body", "field"),
    [
        (S.INVITED, {"to": "team_formed"}, "team"),
        (S.INVITED, {"to": "scheduled"}, "to"),
        (S.VISIT_DONE, {"to": "draft_report"}, "to"),
        (
            S.TEAM_FORMED,
            {"to": "scheduled", "planned_start": None, "planned_end": None},
            "planned_start",
        ),
        (
            S.SCHEDULED,
            {"to": "visit_done", "actual_start": "2026-05-08", "actual_end": "2026-05-01"},
            "actual_end",
        ),
        (S.FINAL_REPORT, {"to": "adopted"}, "adopted_on"),
        (
            S.FINAL_REPORT,
            {"to": "adopted", "adopted_on": "2026-06-20", "adopted_by": "XYZ"},
            "adopted_by",
        ),
        (S.ADOPTED, {"to": "published"}, "published_on"),
        (S.ADOPTED, {"to": "closed"}, "to"),
        (S.ADOPTED, {}, "to"),
        (S.ADOPTED, {"to": "published", "published_on": "yesterday"}, "published_on"),
    ],
)
def test_an_illegal_move_answers_400_and_changes_nothing(world, start, body, field) -> None:
    if start == S.TEAM_FORMED:
        at_status(world.visit, start, planned_start=None, planned_end=None)
    else:
        at_status(world.visit, start)
    response = move(client_for(world.secretariat), world.visit, **body)
    errors = assert_error(response, 400, "invalid")["errors"]
    assert field in errors, errors
    world.visit.refresh_from_db()
    assert world.visit.status == start


def test_moving_is_403_on_a_visible_visit_and_404_on_an_invisible_one(world) -> None:
    world.form_team()
    for user in (world.lead_user, world.reviewed_authority):
        assert_error(
            move(client_for(user), world.visit, to="team_formed"), 403, "permission_denied"
        )
    assert_error(
        move(client_for(world.lead_user), world.other_visit, to="team_formed"), 404, "not_found"
    )
    assert_error(move(client_for(), world.visit, to="team_formed"), 404, "not_found")
    world.visit.refresh_from_db()
    assert world.visit.status == S.INVITED


def test_the_schema_names_the_visit_operations(client) -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        operation["operationId"]
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/reviews/visits/")
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    assert {
        "review_visit_list",
        "review_visit_create",
        "review_visit_retrieve",
        "review_visit_update",
        "review_visit_team_list",
        "review_visit_team_add",
        "review_visit_team_remove",
        "review_visit_transition",
    } <= operations


def test_a_patch_cannot_change_the_status(world) -> None:
    response = client_for(world.secretariat).patch(
        detail(world.visit), {"status": "published", "published_on": "2026-07-01"}, format="json"
    )
    body = assert_error(response, 400, "invalid")
    assert set(body["errors"]) == {"status", "published_on"}
    world.visit.refresh_from_db()
    assert world.visit.status == S.INVITED
