"""Reads for the secretariat's peer-review dashboards: visits by round and status, participants
never visited or not visited for some years, and open and overdue recommendations per
participant. Every count is made by PostgreSQL.

A participant counts as visited by a review visit or a review mission (not by an expert mission
to an applicant) that took place: one with an actual end date, or whose status is "visit done"
or later. The date of that visit is its actual end (failing that its actual start, then its
planned dates, then the invitation).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from kpcs.participants.models import Participant
from kpcs.participants.selectors import NOT_A_PARTICIPANT, participants_with_standing_on
from kpcs.reviews.models import Recommendation, ReviewVisit
from kpcs.reviews.selectors.recommendations import OPEN_STATUSES, today_or, with_overdue

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

VisitStatus = ReviewVisit.Status
VISIT_KINDS = (ReviewVisit.Kind.REVIEW_VISIT, ReviewVisit.Kind.REVIEW_MISSION)
_STATUSES = tuple(VisitStatus.values)
VISITED_STATUSES = _STATUSES[_STATUSES.index(VisitStatus.VISIT_DONE) :]
DEFAULT_YEARS = 5
MAX_YEARS = 50


# --- Visits by round and status --------------------------------------------------------------


@dataclass(frozen=True)
class RoundRow:
    round: int
    counts: list[tuple[str, int]]  # (status, count) in the order of the cycle

    @property
    def total(self) -> int:
        return sum(count for _status, count in self.counts)


@dataclass(frozen=True)
class RoundStatusTable:
    statuses: list[tuple[str, str]]  # (value, label) in the order of the cycle
    rows: list[RoundRow]
    totals: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(count for _status, count in self.totals)


def visits_by_round_and_status() -> RoundStatusTable:
    """How many visits and missions of each round are at each status (one grouped query)."""
    cells: dict[tuple[int, str], int] = {
        (row["round"], row["status"]): row["n"]
        for row in ReviewVisit.objects.order_by().values("round", "status").annotate(n=Count("id"))
    }
    rounds = sorted({round_ for round_, _status in cells})
    statuses = list(VisitStatus.choices)
    rows = [
        RoundRow(
            round=round_,
            counts=[(value, cells.get((round_, value), 0)) for value, _label in statuses],
        )
        for round_ in rounds
    ]
    totals = [
        (value, sum(cells.get((round_, value), 0) for round_ in rounds))
        for value, _label in statuses
    ]
    return RoundStatusTable(
        statuses=[(v, str(label)) for v, label in statuses], rows=rows, totals=totals
    )


# --- Participants and their last visit -------------------------------------------------------


class LastVisit(TypedDict):
    """What participants_with_last_visit adds to each participant."""

    ever_visited: bool
    last_visited_on: dt.date | None


class OpenCounts(TypedDict):
    """What open_recommendations_by_participant adds to each participant."""

    open_count: int
    overdue_count: int
    answered_count: int
    next_due_on: dt.date | None


def _visits_that_took_place() -> QuerySet[ReviewVisit]:
    return ReviewVisit.objects.filter(participant=OuterRef("pk"), kind__in=VISIT_KINDS).filter(
        Q(actual_end__isnull=False) | Q(status__in=VISITED_STATUSES)
    )


def participants_with_last_visit(
    *, today: dt.date | None = None
) -> QuerySet[WithAnnotations[Participant, LastVisit]]:
    """Today's participants (not removed or withdrawn; the trading entity is not one), each
    annotated with `ever_visited` and `last_visited_on`, by code."""
    last = (
        _visits_that_took_place()
        .annotate(
            on=Coalesce("actual_end", "actual_start", "planned_end", "planned_start", "invited_on")
        )
        .order_by(F("on").desc(nulls_last=True))
        .values("on")[:1]
    )
    return (
        participants_with_standing_on(date=today_or(today))
        .filter(standing_event__isnull=False)
        .exclude(standing_event__in=NOT_A_PARTICIPANT)
        .exclude(kind=Participant.Kind.TRADING_ENTITY)
        .annotate(ever_visited=Exists(_visits_that_took_place()), last_visited_on=Subquery(last))
        .order_by("code")
    )


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def participants_never_visited(
    *, today: dt.date | None = None
) -> QuerySet[WithAnnotations[Participant, LastVisit]]:
    return participants_with_last_visit(today=today).filter(ever_visited=False)


def participants_not_visited_since(
    *, years: int, today: dt.date | None = None
) -> QuerySet[WithAnnotations[Participant, LastVisit]]:
    """Participants visited before, but not within the last `years` years (oldest first)."""
    cutoff = years_before(today_or(today), years)
    return (
        participants_with_last_visit(today=today)
        .filter(ever_visited=True, last_visited_on__lt=cutoff)
        .order_by("last_visited_on", "code")
    )


# --- Open and overdue recommendations --------------------------------------------------------


def open_recommendations_by_participant(*, today: dt.date | None = None) -> QuerySet[Participant]:
    """Participants with recommendations not yet implemented, annotated `open_count`,
    `overdue_count`, `answered_count` (awaiting assessment) and `next_due_on`; the most
    overdue first."""
    prefix = "review_visits__recommendations__"
    is_open = Q(**{f"{prefix}status__in": OPEN_STATUSES})
    return (
        Participant.objects.annotate(
            open_count=Count(f"{prefix}id", filter=is_open),
            overdue_count=Count(
                f"{prefix}id", filter=is_open & Q(**{f"{prefix}due_on__lt": today_or(today)})
            ),
            answered_count=Count(
                f"{prefix}id",
                filter=Q(**{f"{prefix}status": Recommendation.Status.ANSWERED}),
            ),
            next_due_on=Min(f"{prefix}due_on", filter=is_open),
        )
        .filter(open_count__gt=0)
        .order_by("-overdue_count", "-open_count", "code")
    )


def open_recommendations(
    *,
    today: dt.date | None = None,
    participant: Participant | None = None,
    overdue_only: bool = False,
) -> QuerySet[Recommendation]:
    """Every recommendation not yet implemented, soonest due first, annotated `is_overdue`."""
    recommendations = Recommendation.objects.filter(status__in=OPEN_STATUSES)
    if participant is not None:
        recommendations = recommendations.filter(visit__participant=participant)
    if overdue_only:
        recommendations = recommendations.filter(due_on__lt=today_or(today))
    return with_overdue(recommendations.select_related("visit__participant"), today=today).order_by(
        "due_on", "visit__participant__code", "visit_id", "number"
    )
