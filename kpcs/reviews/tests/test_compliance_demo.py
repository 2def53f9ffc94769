"""The demo compliance cases: Ghana's (2006–2007) with its review mission, action plan and
milestones (one overdue) and the Plenary's decision; the Central African Republic's, whose
decisions are linked to the status events of the reference data (not duplicated), with its
interim measure. Loading twice creates nothing the second time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.models import Participant, StatusEvent
from kpcs.reviews import demo_compliance
from kpcs.reviews.models import ComplianceAction, ComplianceCase, ReviewVisit
from kpcs.reviews.selectors.compliance import is_milestone_overdue
from kpcs.reviews.tests.factories import ReviewVisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture(autouse=True)
def demo_secretariat() -> Any:
    return UserFactory(role="secretariat", username="secretariat")


def test_the_demo_loads_both_cases_once() -> None:
    first = demo_compliance.load()
    assert first == {
        "compliance cases": 2,
        "compliance actions": 3,
        "milestones": 4,
        "compliance decisions": 3,
    }
    assert set(demo_compliance.load().values()) == {0}
    assert ComplianceCase.objects.count() == 2


def test_ghanas_case_has_a_mission_a_plan_with_an_overdue_milestone_and_a_decision() -> None:
    ghana = Participant.objects.get(code="GHA")
    mission = ReviewVisitFactory(
        participant=ghana,
        kind=ReviewVisit.Kind.REVIEW_MISSION,
        round=1,
        invited_on=dt.date(2007, 1, 22),
        planned_start=dt.date(2007, 2, 26),
        planned_end=dt.date(2007, 3, 2),
    )
    demo_compliance.load()
    case = ComplianceCase.objects.get(participant=ghana)
    assert (case.status, case.trigger) == ("open", "un_decision")
    review, plan = case.actions.order_by("decided_on", "id")
    assert (review.kind, review.review_visit) == (ComplianceAction.Kind.REVIEW_MISSION, mission)
    milestones = list(plan.milestones.order_by("due_on"))
    assert len(milestones) == 4
    assert sum(m.completed_on is not None for m in milestones) == 3
    assert [is_milestone_overdue(m) for m in milestones] == [False, False, False, True]
    (decision,) = case.decisions.all()
    assert decision.body == "plenary" and decision.status_event is None


def test_the_central_african_republics_decision_is_linked_to_the_2013_suspension() -> None:
    caf = Participant.objects.get(code="CAF")
    suspension = StatusEvent.objects.get(participant=caf, date=dt.date(2013, 5, 23))
    events_before = StatusEvent.objects.filter(participant=caf).count()
    demo_compliance.load()
    case = ComplianceCase.objects.get(participant=caf)
    assert case.trigger == "un_decision"
    assert (case.status, case.closed_on) == ("closed", dt.date(2024, 11, 1))
    first = case.decisions.order_by("decided_on").first()
    assert first is not None and first.status_event == suspension
    assert StatusEvent.objects.filter(participant=caf).count() == events_before
    (measure,) = case.actions.all()
    assert (measure.kind, measure.status) == ("interim_measure", "lifted")
