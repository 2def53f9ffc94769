"""Reads about review visits, their teams and the expert roster. Every visit query starts from
`access.visits_visible_to`, so a visit the user may not see is never listed nor found."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, ExtractYear

from kpcs.accounts.models import Role
from kpcs.accounts.permissions import is_secretariat
from kpcs.participants.models import Observer, Participant, WorkingBody
from kpcs.reviews.models import ExpertNomination, ReviewVisit, TeamMember
from kpcs.reviews.selectors.access import ADOPTED_STATUSES, is_wgm_member, visits_visible_to

User = get_user_model()


def visit_list(
    *,
    user: Any,
    participant: Participant | None = None,
    kind: str | None = None,
    round: int | None = None,  # noqa: A002 - the KP's word for it
    status: str | None = None,
    year: int | None = None,
) -> QuerySet[ReviewVisit]:
    """The visits the user may see, latest invitation first. `year` is the year the visit
    took place (its actual start, else its planned start, else the invitation)."""
    visits = visits_visible_to(user).annotate(
        visit_year=ExtractYear(Coalesce("actual_start", "planned_start", "invited_on"))
    )
    if participant is not None:
        visits = visits.filter(participant=participant)
    if kind:
        visits = visits.filter(kind=kind)
    if round is not None:
        visits = visits.filter(round=round)
    if status:
        visits = visits.filter(status=status)
    if year is not None:
        visits = visits.filter(visit_year=year)
    return visits.order_by("-invited_on", "-id")


def visit_get(*, user: Any, visit_id: int) -> ReviewVisit | None:
    return visits_visible_to(user).filter(pk=visit_id).first()


def visits_with_team(visits: QuerySet[ReviewVisit]) -> QuerySet[ReviewVisit]:
    """The visits with their teams fetched in one more query (for lists and JSON)."""
    return visits.prefetch_related(
        Prefetch(
            "team",
            queryset=TeamMember.objects.select_related("user", "participant", "observer").order_by(
                "role", "id"
            ),
        )
    )


def working_papers_rule(*, user: Any) -> Callable[[ReviewVisit], bool]:
    """`access.can_see_working_papers` for many visits at once: the user's teams and seat are
    looked up once, so a list does not query per visit. The same rule: the secretariat, the
    team, the participant reviewed, and the Working Group on Monitoring once adopted."""
    if is_secretariat(user):
        return lambda visit: True
    if not (getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)):
        return lambda visit: False
    team_visits = set(TeamMember.objects.filter(user=user).values_list("visit_id", flat=True))
    own_participant = user.participant_id if getattr(user, "is_authority", False) else None
    wgm = is_wgm_member(user)

    def decide(visit: ReviewVisit) -> bool:
        return (
            visit.pk in team_visits
            or (own_participant is not None and visit.participant_id == own_participant)
            or (wgm and visit.status in ADOPTED_STATUSES)
        )

    return decide


def visit_team(*, visit: ReviewVisit) -> QuerySet[TeamMember]:
    """The team, lead first, with what each member represents."""
    return (
        TeamMember.objects.filter(visit=visit)
        .select_related("user", "participant", "observer", "nomination")
        .order_by("role", "id")
    )


def visit_lead(*, visit: ReviewVisit) -> TeamMember | None:
    return (
        TeamMember.objects.filter(visit=visit, role=TeamMember.Role.LEAD)
        .select_related("participant")
        .first()
    )


def team_member_get(*, visit: ReviewVisit, member_id: int) -> TeamMember | None:
    return visit_team(visit=visit).filter(pk=member_id).first()


def team_candidates(*, visit: ReviewVisit) -> QuerySet[Any]:
    """Who may be put on the team: active users not yet on it, except those acting for the
    participant reviewed (the services judge the rest)."""
    return (
        User.objects.filter(is_active=True)
        .exclude(review_team_memberships__visit=visit)
        .exclude(participant_id=visit.participant_id)
        .select_related("participant", "observer")
        .order_by("username")
    )


def roster_list(*, active: bool = True) -> QuerySet[ExpertNomination]:
    """The expert roster: the active nominations (or the withdrawn ones)."""
    return (
        ExpertNomination.objects.filter(active=active)
        .select_related(
            "user", "user__participant", "nominated_by_participant", "nominated_by_observer"
        )
        .order_by("user__last_name", "user__username")
    )


def nomination_get(*, nomination_id: int) -> ExpertNomination | None:
    return roster_list().filter(pk=nomination_id).first()


def active_nomination_of(*, user: Any) -> ExpertNomination | None:
    return ExpertNomination.objects.filter(user=user, active=True).first()


def nomination_candidates(*, actor: Any) -> QuerySet[Any]:
    """The people the actor may nominate: the secretariat anyone active, an authority the
    users acting for its participant, an observer's user those acting for its organisation;
    nobody already on the roster."""
    users = User.objects.filter(is_active=True).exclude(expert_nominations__active=True)
    if getattr(actor, "is_secretariat", False):
        scoped = users.exclude(role=Role.SECRETARIAT)
    elif getattr(actor, "is_authority", False):
        scoped = users.filter(participant_id=actor.participant_id)
    elif getattr(actor, "is_observer", False):
        scoped = users.filter(observer_id=actor.observer_id)
    else:
        scoped = users.none()
    return scoped.select_related("participant", "observer").order_by("username")


def participants_for_choice() -> QuerySet[Participant]:
    return Participant.objects.order_by("name").only("code", "name")


def observers_for_choice(*, kind: str | None = None) -> QuerySet[Observer]:
    observers = Observer.objects.order_by("name")
    if kind:
        observers = observers.filter(kind=kind)
    return observers


def working_bodies_for_choice() -> QuerySet[WorkingBody]:
    return WorkingBody.objects.order_by("code")


def user_by_username(*, username: str) -> Any | None:
    return (
        User.objects.filter(Q(username=username), is_active=True)
        .select_related("participant", "observer")
        .first()
    )
