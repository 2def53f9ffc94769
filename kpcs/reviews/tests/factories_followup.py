"""Arrangements for the follow-up tests (recommendations, reminders, dashboards): a visit at a
given status with its reviewed participant's authority, its team lead and a member, and small
files that pass or fail the upload check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.core.files.uploadedfile import SimpleUploadedFile

from kpcs.accounts.models import Role, User
from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.tests.factories import ParticipantFactory, WorkingBodyFactory
from kpcs.reviews.models import Recommendation, ReviewVisit, TeamMember
from kpcs.reviews.tests.factories import RecommendationFactory, ReviewVisitFactory, team_member

INVITED_ON = dt.date(2026, 1, 15)
PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@dataclass
class VisitWorld:
    visit: ReviewVisit
    authority: User  # the reviewed participant's authority
    lead: User
    member: User


def visit_world(status: str = ReviewVisit.Status.DRAFT_REPORT, **visit_kwargs: Any) -> VisitWorld:
    """A visit at `status` (adoption and publication recorded when the status needs them)."""
    participant = ParticipantFactory()
    values: dict[str, Any] = {
        "participant": participant,
        "status": status,
        "invited_on": INVITED_ON,
    }
    if status in (
        ReviewVisit.Status.ADOPTED,
        ReviewVisit.Status.PUBLISHED,
        ReviewVisit.Status.RESTRICTED,
    ):
        values["adopted_on"] = dt.date(2026, 9, 1)
        values["adopted_by"] = WorkingBodyFactory(code="WGM", name="Working Group on Monitoring")
    if status == ReviewVisit.Status.PUBLISHED:
        values["published_on"] = dt.date(2026, 10, 1)
    visit = cast(ReviewVisit, ReviewVisitFactory(**{**values, **visit_kwargs}))
    authority = cast(User, UserFactory(role=Role.AUTHORITY, participant=participant))
    lead = team_member(visit, TeamMember.Role.LEAD).user
    member = team_member(visit, TeamMember.Role.MEMBER).user
    return VisitWorld(visit=visit, authority=authority, lead=lead, member=member)


def recommendation(visit: ReviewVisit, **kwargs: Any) -> Recommendation:
    number = kwargs.pop("number", None)
    if number is None:
        number = (
            visit.recommendations.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
    return cast(Recommendation, RecommendationFactory(visit=visit, number=number, **kwargs))


def pdf(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def fake_pdf(name: str = "payload.pdf") -> SimpleUploadedFile:
    """Named and sent as a PDF, but a script inside."""
    return SimpleUploadedFile(name, b"#!/bin/sh\necho hello\n", content_type="application/pdf")


def files_under(root: Any) -> list[str]:
    return sorted(str(p) for p in root.rglob("*") if p.is_file())
