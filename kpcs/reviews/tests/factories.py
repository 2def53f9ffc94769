"""Factories for peer review. Helpers for the common arrangement: `team_member(visit, role)`
adds a user to a visit's team."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from kpcs.accounts.models import Role
from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.tests.factories import ObserverFactory, ParticipantFactory
from kpcs.reviews.models import (
    AnnualReport,
    ComplianceAction,
    ComplianceCase,
    ComplianceDecision,
    ExpertNomination,
    Finding,
    Recommendation,
    RecommendationUpdate,
    ReportComment,
    ReportVersion,
    RequirementArea,
    ReviewVisit,
    TeamMember,
)


class ReviewVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewVisit

    participant = factory.SubFactory(ParticipantFactory)
    kind = ReviewVisit.Kind.REVIEW_VISIT
    round = 2
    invited_on = dt.date(2026, 1, 15)
    planned_start = dt.date(2026, 5, 4)
    planned_end = dt.date(2026, 5, 8)
    terms_of_reference = "Standard terms of reference."
    status = ReviewVisit.Status.INVITED


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    visit = factory.SubFactory(ReviewVisitFactory)
    participant = factory.SubFactory(ParticipantFactory)
    user = factory.SubFactory(
        UserFactory, role=Role.REVIEWER, participant=factory.SelfAttribute("..participant")
    )
    role = TeamMember.Role.MEMBER
    represents = TeamMember.Represents.PARTICIPANT


def team_member(
    visit: ReviewVisit, role: str = TeamMember.Role.MEMBER, **kwargs: Any
) -> TeamMember:
    """A reviewer on the visit's team, representing a participant of their own."""
    return TeamMemberFactory(visit=visit, role=role, **kwargs)


class ObserverTeamMemberFactory(TeamMemberFactory):
    participant = None
    observer = factory.SubFactory(ObserverFactory)
    user = factory.SubFactory(UserFactory, role=Role.REVIEWER, participant=None)
    represents = TeamMember.Represents.CIVIL_SOCIETY


class ExpertNominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpertNomination

    user = factory.SubFactory(UserFactory, role=Role.REVIEWER)
    nominated_by_participant = factory.SubFactory(ParticipantFactory)
    areas = factory.LazyFunction(lambda: [RequirementArea.STATISTICS])
    expertise = "Diamond valuation"
    nominated_on = dt.date(2025, 6, 1)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    visit = factory.SubFactory(ReviewVisitFactory, status=ReviewVisit.Status.VISIT_DONE)
    area = RequirementArea.STATISTICS
    text = factory.Sequence(lambda n: f"Finding {n}: statistics are submitted on time.")
    rating = Finding.Rating.PARTLY_MET
    author = factory.SubFactory(UserFactory, role=Role.REVIEWER)


class ReportVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportVersion

    visit = factory.SubFactory(ReviewVisitFactory, status=ReviewVisit.Status.DRAFT_REPORT)
    number = factory.Sequence(lambda n: n + 1)
    kind = ReportVersion.Kind.DRAFT
    text = "Draft report text."
    created_by = factory.SubFactory(UserFactory, role=Role.REVIEWER)


class ReportCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportComment

    version = factory.SubFactory(ReportVersionFactory)
    text = "Our comment."
    author = factory.SubFactory(UserFactory, role=Role.AUTHORITY)


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    visit = factory.SubFactory(ReviewVisitFactory, status=ReviewVisit.Status.FINAL_REPORT)
    number = factory.Sequence(lambda n: n + 1)
    area = RequirementArea.INTERNAL_CONTROLS
    text = factory.Sequence(lambda n: f"Recommendation {n}: register all diamond buyers.")
    priority = Recommendation.Priority.MEDIUM
    due_on = dt.date(2026, 12, 31)
    owner = "Ministry of Mines"


class RecommendationUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecommendationUpdate

    recommendation = factory.SubFactory(RecommendationFactory)
    kind = RecommendationUpdate.Kind.RESPONSE
    text = "Buyers are now registered."
    author = factory.SubFactory(UserFactory, role=Role.AUTHORITY)


class AnnualReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualReport

    participant = factory.SubFactory(ParticipantFactory)
    year = 2025
    status = AnnualReport.Status.DRAFT
    institutional_framework = "The Diamond Office issues certificates."
    legislation = "Diamond Act of 2003."


class ComplianceCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplianceCase

    participant = factory.SubFactory(ParticipantFactory)
    title = factory.Sequence(lambda n: f"Compliance case {n}")
    trigger = ComplianceCase.Trigger.UN_DECISION
    trigger_detail = "Security Council resolution"
    opened_on = dt.date(2026, 2, 1)


class ComplianceActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplianceAction

    case = factory.SubFactory(ComplianceCaseFactory)
    kind = ComplianceAction.Kind.ACTION_PLAN
    title = "Action plan"
    decided_on = dt.date(2026, 2, 15)


class ComplianceDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplianceDecision

    case = factory.SubFactory(ComplianceCaseFactory)
    decided_on = dt.date(2026, 3, 1)
    body = ComplianceDecision.Body.CHAIR
    text = "The Chair takes note."
