"""Who may see which visit, report and annual report. Every page and API endpoint of the app
scopes its querysets through these functions, so a forbidden object is a 404, never a leak.

- secretariat: everything;
- a review team member: the visits they are on (and nothing else of its kind);
- the reviewed participant's authority: its own visits, findings, reports, recommendations;
- members of the Working Group on Monitoring (through their participant or observer): visits
  whose report the working group has adopted (adopted, published, kept restricted);
- everyone, including the public: published visits (their final report and recommendations).

Annual reports: the secretariat all (it records the working group's assessment), an authority
its own participant's; nobody else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from kpcs.accounts.permissions import is_secretariat
from kpcs.participants.models import WorkingBodyMembership
from kpcs.reviews.models import AnnualReport, ReviewVisit, TeamMember

WGM_CODE = "WGM"

ADOPTED_STATUSES = (
    ReviewVisit.Status.ADOPTED,
    ReviewVisit.Status.PUBLISHED,
    ReviewVisit.Status.RESTRICTED,
)


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def is_wgm_member(user: Any, *, on: dt.date | None = None) -> bool:
    """Whether the user's participant or observer sits on the Working Group on Monitoring."""
    if not _authenticated(user):
        return False
    participant_id = getattr(user, "participant_id", None)
    observer_id = getattr(user, "observer_id", None)
    if participant_id is None and observer_id is None:
        return False
    year = (on or timezone.localdate()).year
    seat = Q(participant_id=participant_id) if participant_id else Q(observer_id=observer_id)
    return (
        WorkingBodyMembership.objects.filter(seat, working_body__code=WGM_CODE, year_from__lte=year)
        .filter(Q(year_to__isnull=True) | Q(year_to__gte=year))
        .exists()
    )


def visits_visible_to(user: Any) -> QuerySet[ReviewVisit]:
    visits = ReviewVisit.objects.select_related("participant", "adopted_by")
    if is_secretariat(user):
        return visits
    rule = Q(status=ReviewVisit.Status.PUBLISHED)
    if _authenticated(user):
        rule |= Q(team__user=user)
        if getattr(user, "is_authority", False):
            rule |= Q(participant_id=user.participant_id)
        if is_wgm_member(user):
            rule |= Q(status__in=ADOPTED_STATUSES)
    # The team join can repeat a visit; filtering on ids keeps the queryset plain.
    return visits.filter(pk__in=ReviewVisit.objects.filter(rule).values("pk"))


def visit_visible_to(user: Any, visit_id: int) -> ReviewVisit | None:
    return visits_visible_to(user).filter(pk=visit_id).first()


def team_role_of(user: Any, visit: ReviewVisit) -> str | None:
    """The user's role on the visit's team (lead, member, expert), or None."""
    if not _authenticated(user):
        return None
    return TeamMember.objects.filter(visit=visit, user=user).values_list("role", flat=True).first()


def is_team_member(user: Any, visit: ReviewVisit) -> bool:
    return team_role_of(user, visit) is not None


def is_team_lead(user: Any, visit: ReviewVisit) -> bool:
    return team_role_of(user, visit) == TeamMember.Role.LEAD


def is_reviewed_participant(user: Any, visit: ReviewVisit) -> bool:
    return bool(
        _authenticated(user)
        and getattr(user, "is_authority", False)
        and user.participant_id == visit.participant_id
    )


def can_see_working_papers(user: Any, visit: ReviewVisit) -> bool:
    """Findings, evidence, draft versions and comments: the restricted material. The public
    sees only a published visit's final report and recommendations."""
    if is_secretariat(user) or is_team_member(user, visit) or is_reviewed_participant(user, visit):
        return True
    return visit.status in ADOPTED_STATUSES and is_wgm_member(user)


def annual_reports_visible_to(user: Any) -> QuerySet[AnnualReport]:
    """The secretariat sees every annual report (it records the working group's assessment);
    an authority its own participant's; nobody else any."""
    reports = AnnualReport.objects.select_related("participant")
    if is_secretariat(user):
        return reports
    if _authenticated(user) and getattr(user, "is_authority", False):
        return reports.filter(participant_id=user.participant_id)
    return reports.none()
