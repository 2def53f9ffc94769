"""Test helpers for review visits (helper VISITS): one small world with a visit, the people
around it (the secretariat, the reviewed participant's authority, a would-be team from other
participants and both observer sides, a Working Group on Monitoring member, an outsider) and
a second visit of another participant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from kpcs.accounts.models import Role
from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.models import Observer, Participant, WorkingBody
from kpcs.participants.tests.factories import (
    ObserverFactory,
    ParticipantFactory,
    WorkingBodyFactory,
    WorkingBodyMembershipFactory,
)
from kpcs.reviews.models import ReviewVisit, TeamMember
from kpcs.reviews.selectors.access import WGM_CODE
from kpcs.reviews.tests.factories import ReviewVisitFactory

INVITED = dt.date(2026, 1, 15)
PLANNED = (dt.date(2026, 5, 4), dt.date(2026, 5, 8))


@dataclass
class VisitWorld:
    secretariat: Any
    reviewed: Participant
    reviewed_authority: Any
    visit: ReviewVisit
    lead_participant: Participant
    lead_user: Any
    member_participant: Participant
    member_user: Any
    industry: Observer
    industry_user: Any
    civil: Observer
    civil_user: Any
    industry_observer_user: Any
    wgm: WorkingBody
    wgm_user: Any
    outsider: Any
    reviewer: Any
    other_visit: ReviewVisit

    def form_team(self, visit: ReviewVisit | None = None) -> None:
        """The lead and one other participant's member on the visit."""
        visit = visit or self.visit
        TeamMember.objects.create(
            visit=visit,
            user=self.lead_user,
            role=TeamMember.Role.LEAD,
            represents=TeamMember.Represents.PARTICIPANT,
            participant=self.lead_participant,
        )
        TeamMember.objects.create(
            visit=visit,
            user=self.member_user,
            role=TeamMember.Role.MEMBER,
            represents=TeamMember.Represents.PARTICIPANT,
            participant=self.member_participant,
        )


def visit_world() -> VisitWorld:
    reviewed = ParticipantFactory()
    lead_participant = ParticipantFactory()
    member_participant = ParticipantFactory()
    wgm_participant = ParticipantFactory()
    outsider_participant = ParticipantFactory()
    industry = ObserverFactory(kind=Observer.Kind.INDUSTRY)
    civil = ObserverFactory(kind=Observer.Kind.CIVIL_SOCIETY)
    wgm = WorkingBodyFactory(code=WGM_CODE, name="Working Group on Monitoring")
    WorkingBodyMembershipFactory(working_body=wgm, participant=wgm_participant, year_from=2020)
    visit = ReviewVisitFactory(
        participant=reviewed, invited_on=INVITED, planned_start=None, planned_end=None
    )
    other_visit = ReviewVisitFactory(participant=outsider_participant, invited_on=INVITED)
    return VisitWorld(
        secretariat=UserFactory(role=Role.SECRETARIAT, username="visits-secretariat"),
        reviewed=reviewed,
        reviewed_authority=UserFactory(
            role=Role.AUTHORITY, participant=reviewed, username="reviewed-authority"
        ),
        visit=visit,
        lead_participant=lead_participant,
        lead_user=UserFactory(
            role=Role.REVIEWER, participant=lead_participant, username="lead-reviewer"
        ),
        member_participant=member_participant,
        member_user=UserFactory(
            role=Role.REVIEWER, participant=member_participant, username="member-reviewer"
        ),
        industry=industry,
        industry_user=UserFactory(
            role=Role.REVIEWER, observer=industry, username="industry-reviewer"
        ),
        civil=civil,
        civil_user=UserFactory(role=Role.REVIEWER, observer=civil, username="civil-reviewer"),
        industry_observer_user=UserFactory(
            role=Role.OBSERVER, observer=industry, username="industry-observer"
        ),
        wgm=wgm,
        wgm_user=UserFactory(
            role=Role.AUTHORITY, participant=wgm_participant, username="wgm-authority"
        ),
        outsider=UserFactory(
            role=Role.AUTHORITY, participant=outsider_participant, username="outsider-authority"
        ),
        reviewer=UserFactory(role=Role.REVIEWER, username="free-reviewer"),
        other_visit=other_visit,
    )


def at_status(visit: ReviewVisit, status: str, **values: Any) -> ReviewVisit:
    """Put a visit at a status directly, with the facts that status needs (for tests of
    what follows; the moves themselves are tested through the service)."""
    facts: dict[str, Any] = {
        "planned_start": visit.planned_start or PLANNED[0],
        "planned_end": visit.planned_end or PLANNED[1],
    }
    order = list(ReviewVisit.Status.values)
    if order.index(status) >= order.index(ReviewVisit.Status.VISIT_DONE):
        facts |= {"actual_start": PLANNED[0], "actual_end": PLANNED[1]}
    if order.index(status) >= order.index(ReviewVisit.Status.ADOPTED):
        facts |= {
            "adopted_on": dt.date(2026, 6, 30),
            "adopted_by": WorkingBodyFactory(code=WGM_CODE),
        }
    if status == ReviewVisit.Status.PUBLISHED:
        facts["published_on"] = dt.date(2026, 7, 15)
    facts |= values
    for name, value in facts.items():
        setattr(visit, name, value)
    visit.status = status
    visit.save()
    return visit


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)
