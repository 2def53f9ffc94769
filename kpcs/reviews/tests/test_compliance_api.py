"""The compliance API: cases with their actions, milestones and decisions, and a participant's
compliance figures; every write and its refusal (400 naming the field, nothing stored); who
may do what (anonymous 401, reviewers and observers 403, an authority reads its own
participant's cases only — another's 404 — and writes nothing: 403)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from kpcs.accounts.tests.factories import UserFactory, api_client_as
from kpcs.participants.models import StatusEvent
from kpcs.participants.selectors import participant_standing_on
from kpcs.participants.tests.factories import (
    ObserverFactory,
    ParticipantFactory,
    WorkingBodyFactory,
)
from kpcs.reviews.models import (
    ActionMilestone,
    ComplianceAction,
    ComplianceCase,
    ComplianceDecision,
    ReviewVisit,
)
from kpcs.reviews.tests.factories import (
    ComplianceActionFactory,
    ComplianceCaseFactory,
    ComplianceDecisionFactory,
    ReviewVisitFactory,
)
from kpcs.reviews.tests.factories_compliance import (
    ActionMilestoneFactory,
    anomaly_of,
    authority_of,
)

pytestmark = pytest.mark.django_db

ROOT = "/api/v1/reviews/compliance-cases/"


def detail(case: ComplianceCase, tail: str = "") -> str:
    return f"{ROOT}{case.pk}/{tail}"


def client_for(user: Any) -> APIClient:
    return api_client_as(user)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    body = response.json()
    assert response.status_code == status, body
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.fixture
def participant() -> Any:
    return ParticipantFactory()


@pytest.fixture
def case(participant: Any) -> ComplianceCase:
    return ComplianceCaseFactory(participant=participant, opened_on=dt.date(2026, 2, 1))


@pytest.fixture
def secretariat() -> APIClient:
    return client_for(UserFactory(role="secretariat", username="api-secretariat"))


# --- Access ------------------------------------------------------------------------------------


def test_anonymous_clients_get_401(case: ComplianceCase) -> None:
    client = APIClient()
    for url in (ROOT, detail(case), f"{ROOT}participants/{case.participant.code}/"):
        assert_error(client.get(url), 401, "not_authenticated")
    assert_error(client.post(ROOT, {}, format="json"), 401, "not_authenticated")


@pytest.mark.parametrize("role", ["reviewer", "observer"])
def test_reviewers_and_observers_get_403(role: str, case: ComplianceCase) -> None:
    user = UserFactory(role=role, observer=ObserverFactory() if role == "observer" else None)
    client = client_for(user)
    for url in (ROOT, detail(case), f"{ROOT}participants/{case.participant.code}/"):
        assert_error(client.get(url), 403, "permission_denied")


def test_an_authority_lists_and_reads_its_own_participants_cases_only(
    case: ComplianceCase,
) -> None:
    other = ComplianceCaseFactory()
    client = client_for(authority_of(case.participant))
    body = client.get(ROOT).json()
    assert [c["id"] for c in body["results"]] == [case.pk]
    assert client.get(detail(case)).status_code == 200
    assert_error(client.get(detail(other)), 404, "not_found")
    assert_error(client.get(f"{ROOT}participants/{other.participant.code}/"), 404, "not_found")
    assert client.get(f"{ROOT}participants/{case.participant.code}/").status_code == 200


def test_an_authority_writes_nothing_and_others_cases_stay_hidden(case: ComplianceCase) -> None:
    action = ComplianceActionFactory(case=case)
    milestone = ActionMilestoneFactory(action=action)
    client = client_for(authority_of(case.participant))
    attempts = [
        client.post(ROOT, {"participant": case.participant.code}, format="json"),
        client.patch(detail(case), {"title": "Mine"}, format="json"),
        client.post(detail(case, "actions/"), {}, format="json"),
        client.patch(detail(case, f"actions/{action.pk}/"), {"status": "completed"}, format="json"),
        client.post(detail(case, f"actions/{action.pk}/milestones/"), {}, format="json"),
        client.patch(f"{ROOT}milestones/{milestone.pk}/", {"completed_on": None}, format="json"),
        client.post(detail(case, "decisions/"), {}, format="json"),
    ]
    for response in attempts:
        assert_error(response, 403, "permission_denied")
    elsewhere = ComplianceCaseFactory()
    assert_error(client.post(detail(elsewhere, "decisions/"), {}, format="json"), 404, "not_found")
    case.refresh_from_db()
    assert case.title != "Mine"
    assert not ComplianceDecision.objects.exists()


# --- Cases ---------------------------------------------------------------------------------------


def test_the_secretariat_opens_a_case_on_an_anomaly(
    secretariat: APIClient, participant: Any
) -> None:
    anomaly = anomaly_of(participant)
    response = secretariat.post(
        ROOT,
        {
            "participant": participant.code.lower(),
            "title": "Supply gap",
            "trigger": "statistics_anomaly",
            "anomaly": anomaly.pk,
            "opened_on": "2026-10-01",
        },
        format="json",
    )
    body = response.json()
    assert response.status_code == 201, body
    assert body["participant"]["code"] == participant.code
    assert (body["trigger"], body["anomaly"], body["status"]) == (
        "statistics_anomaly",
        anomaly.pk,
        "open",
    )
    assert body["url"].endswith(f"{ROOT}{body['id']}/")


def test_an_anomaly_of_another_participant_is_a_400_and_nothing_stored(
    secretariat: APIClient, participant: Any
) -> None:
    anomaly = anomaly_of(ParticipantFactory())
    response = secretariat.post(
        ROOT,
        {
            "participant": participant.code,
            "title": "Supply gap",
            "trigger": "statistics_anomaly",
            "anomaly": anomaly.pk,
            "opened_on": "2026-10-01",
        },
        format="json",
    )
    body = assert_error(response, 400, "invalid")
    assert participant.code in body["errors"]["anomaly"][0]
    assert not ComplianceCase.objects.exists()


def test_bad_input_names_the_fields(secretariat: APIClient) -> None:
    response = secretariat.post(
        ROOT,
        {
            "participant": "QQQ",
            "title": "",
            "trigger": "rumour",
            "finding": 999999,
            "opened_on": "01/10/2026",
        },
        format="json",
    )
    body = assert_error(response, 400, "invalid")
    assert set(body["errors"]) == {"participant", "title", "trigger", "finding", "opened_on"}
    assert "rumour" in body["errors"]["trigger"][0]
    assert not ComplianceCase.objects.exists()


def test_the_list_filters_and_refuses_a_bad_filter(
    secretariat: APIClient, case: ComplianceCase
) -> None:
    other = ComplianceCaseFactory(trigger="other")
    body = secretariat.get(ROOT, {"participant": case.participant.code}).json()
    assert [c["id"] for c in body["results"]] == [case.pk]
    body = secretariat.get(ROOT, {"trigger": "other"}).json()
    assert [c["id"] for c in body["results"]] == [other.pk]
    body = assert_error(secretariat.get(ROOT, {"status": "asleep"}), 400, "invalid")
    assert "asleep" in body["errors"]["status"][0]


def test_the_case_shows_actions_milestones_and_decisions(
    secretariat: APIClient, case: ComplianceCase
) -> None:
    plan = ComplianceActionFactory(case=case)
    ActionMilestoneFactory(action=plan, due_on=dt.date(2020, 1, 1))
    event = StatusEvent.objects.create(
        participant=case.participant, date=dt.date(2026, 3, 1), event="suspended"
    )
    ComplianceDecisionFactory(case=case, status_event=event)
    body = secretariat.get(detail(case)).json()
    (action,) = body["actions"]
    assert action["milestones"][0]["overdue"] is True
    (decision,) = body["decisions"]
    assert decision["status_event"]["event"] == "suspended"
    assert decision["status_event"]["date"] == "2026-03-01"


def test_patch_closes_refuses_dates_out_of_order_and_reopens(
    secretariat: APIClient, case: ComplianceCase
) -> None:
    response = secretariat.patch(
        detail(case), {"status": "closed", "closed_on": "2026-01-01", "title": "T"}, format="json"
    )
    assert (
        "before it was opened" in assert_error(response, 400, "invalid")["errors"]["closed_on"][0]
    )
    case.refresh_from_db()
    assert (case.status, case.title) == ("open", case.title)
    assert case.title != "T"  # one change of record: the title did not change either
    response = secretariat.patch(
        detail(case), {"status": "closed", "closed_on": "2026-10-01"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["closed_on"]) == ("closed", "2026-10-01")
    response = secretariat.patch(detail(case), {"status": "open"}, format="json")
    assert (response.json()["status"], response.json()["closed_on"]) == ("open", None)
    assert_error(
        secretariat.patch(detail(case), {"closed_on": "2026-10-01"}, format="json"), 400, "invalid"
    )


# --- Actions and milestones ------------------------------------------------------------------


def test_actions_are_added_and_their_dates_checked(
    secretariat: APIClient, case: ComplianceCase
) -> None:
    mission = ReviewVisitFactory(participant=case.participant, kind=ReviewVisit.Kind.REVIEW_MISSION)
    response = secretariat.post(
        detail(case, "actions/"),
        {
            "kind": "review_mission",
            "title": "Review mission",
            "decided_on": "2026-03-01",
            "review_visit": mission.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["review_visit"] == mission.pk
    response = secretariat.post(
        detail(case, "actions/"),
        {
            "kind": "interim_measure",
            "title": "Suspension",
            "decided_on": "2026-03-01",
            "ends_on": "2026-02-01",
        },
        format="json",
    )
    assert "ends_on" in assert_error(response, 400, "invalid")["errors"]
    response = secretariat.post(
        detail(case, "actions/"),
        {
            "kind": "review_mission",
            "title": "M",
            "decided_on": "2026-03-01",
            "review_visit": 999999,
        },
        format="json",
    )
    assert "review_visit" in assert_error(response, 400, "invalid")["errors"]
    assert ComplianceAction.objects.count() == 1


def test_an_action_status_changes_and_only_an_interim_measure_is_lifted(
    secretariat: APIClient, case: ComplianceCase
) -> None:
    plan = ComplianceActionFactory(case=case)
    response = secretariat.patch(
        detail(case, f"actions/{plan.pk}/"), {"status": "lifted"}, format="json"
    )
    assert "status" in assert_error(response, 400, "invalid")["errors"]
    response = secretariat.patch(
        detail(case, f"actions/{plan.pk}/"), {"status": "in_progress"}, format="json"
    )
    assert response.json()["status"] == "in_progress"
    elsewhere = ComplianceActionFactory()
    assert_error(
        secretariat.patch(
            detail(case, f"actions/{elsewhere.pk}/"), {"status": "completed"}, format="json"
        ),
        404,
        "not_found",
    )


def test_milestones_are_added_and_completed_not_in_the_future(
    secretariat: APIClient, case: ComplianceCase
) -> None:
    plan = ComplianceActionFactory(case=case, decided_on=dt.date(2026, 3, 1))
    response = secretariat.post(
        detail(case, f"actions/{plan.pk}/milestones/"),
        {"description": "Register buyers", "due_on": "2026-02-01"},
        format="json",
    )
    assert "due_on" in assert_error(response, 400, "invalid")["errors"]
    response = secretariat.post(
        detail(case, f"actions/{plan.pk}/milestones/"),
        {"description": "Register buyers", "due_on": "2026-05-01"},
        format="json",
    )
    assert response.status_code == 201
    milestone_id = response.json()["id"]
    response = secretariat.patch(
        f"{ROOT}milestones/{milestone_id}/", {"completed_on": "2099-01-01"}, format="json"
    )
    assert "in the future" in assert_error(response, 400, "invalid")["errors"]["completed_on"][0]
    assert ActionMilestone.objects.get().completed_on is None
    response = secretariat.patch(
        f"{ROOT}milestones/{milestone_id}/", {"completed_on": "2026-04-30"}, format="json"
    )
    assert response.json()["completed_on"] == "2026-04-30"
    assert_error(
        secretariat.patch(f"{ROOT}milestones/999999/", {}, format="json"), 404, "not_found"
    )


# --- Decisions ------------------------------------------------------------------------------------


def test_a_decision_with_a_suspension_records_the_event(
    secretariat: APIClient, case: ComplianceCase
) -> None:
    WorkingBodyFactory(code="WGM")
    response = secretariat.post(
        detail(case, "decisions/"),
        {
            "decided_on": "2026-06-10",
            "body": "working_body",
            "working_body": "wgm",
            "reference": "WGM 2026/3",
            "text": "Suspended until the action plan is met.",
            "status_change": "suspended",
        },
        format="json",
    )
    body = response.json()
    assert response.status_code == 201, body
    assert body["working_body"] == "WGM"
    assert body["status_event"]["event"] == "suspended"
    assert body["status_event"]["date"] == "2026-06-10"
    assert "status_change" not in body
    standing = participant_standing_on(participant=case.participant, date=dt.date(2026, 6, 10))
    assert not standing.in_good_standing


def test_a_bad_decision_is_refused_and_records_no_event(
    secretariat: APIClient, case: ComplianceCase
) -> None:
    response = secretariat.post(
        detail(case, "decisions/"),
        {
            "decided_on": "2026-06-10",
            "body": "working_body",
            "working_body": "NOPE",
            "text": "Suspended.",
            "status_change": "suspended",
        },
        format="json",
    )
    assert "working_body" in assert_error(response, 400, "invalid")["errors"]
    response = secretariat.post(
        detail(case, "decisions/"),
        {
            "decided_on": "2026-06-10",
            "body": "plenary",
            "text": "Suspended.",
            "status_change": "suspended",
            "status_change_date": "2026-06-01",
        },
        format="json",
    )
    assert "status_change_date" in assert_error(response, 400, "invalid")["errors"]
    response = secretariat.post(
        detail(case, "decisions/"),
        {"decided_on": "2026-06-10", "body": "council", "text": "x", "status_change": "banned"},
        format="json",
    )
    errors = assert_error(response, 400, "invalid")["errors"]
    assert {"body", "status_change"} <= set(errors)
    assert not ComplianceDecision.objects.exists()
    assert not StatusEvent.objects.filter(event="suspended").exists()


# --- The participant's figures ----------------------------------------------------------------


def test_the_participants_figures_as_json(secretariat: APIClient, case: ComplianceCase) -> None:
    plan = ComplianceActionFactory(case=case)
    ActionMilestoneFactory(action=plan, due_on=dt.date(2020, 1, 1))
    body = secretariat.get(f"{ROOT}participants/{case.participant.code.lower()}/").json()
    assert body["participant"]["code"] == case.participant.code
    assert body["standing"]["in_good_standing"] is True
    assert len(body["annual_reports"]) == 5
    assert len(body["certificate_years"]) == 6
    assert body["cases"][0]["overdue_milestones"] == 1
    assert body["cases"][0]["case_status"] == "open"


def test_the_figures_of_a_participant_without_any_data(secretariat: APIClient) -> None:
    bare = ParticipantFactory(admitted=False)
    response = secretariat.get(f"{ROOT}participants/{bare.code}/")
    body = response.json()
    assert response.status_code == 200
    assert body["standing"]["in_good_standing"] is False
    assert body["standing"]["since"] is None
    assert body["status_events"] == [] and body["cases"] == []
    assert_error(secretariat.get(f"{ROOT}participants/QQQ/"), 404, "not_found")
