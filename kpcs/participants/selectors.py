"""Reads about participants: standing on a date, lists for the public and the secretariat."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpcs.participants.models import (
    Authority,
    Chairmanship,
    Observer,
    Participant,
    StatusEvent,
    WorkingBody,
)

Event = StatusEvent.Event

# README of the reference data: not in good standing while the latest event is one of these.
NOT_IN_GOOD_STANDING = frozenset(
    {Event.REMOVED, Event.EMBARGOED, Event.SELF_SUSPENDED, Event.SUSPENDED, Event.WITHDRAWN}
)
NOT_A_PARTICIPANT = frozenset({Event.REMOVED, Event.WITHDRAWN})


@dataclass(frozen=True)
class Standing:
    """A participant's standing on one date, derived from its status events."""

    date: dt.date
    event: StatusEvent | None

    @property
    def is_participant(self) -> bool:
        return self.event is not None and self.event.event not in NOT_A_PARTICIPANT

    @property
    def in_good_standing(self) -> bool:
        return self.event is not None and self.event.event not in NOT_IN_GOOD_STANDING

    @property
    def restricted_to_compliant_zones(self) -> bool:
        return self.event is not None and self.event.event == Event.PARTIALLY_RESUMED

    @property
    def label(self) -> str:
        return str(standing_label(self.event.event if self.event else None))


def standing_label(event: str | None) -> str:
    if event is None:
        return _("not yet admitted")
    if event in (
        Event.REMOVED,
        Event.WITHDRAWN,
        Event.EMBARGOED,
        Event.SELF_SUSPENDED,
        Event.SUSPENDED,
    ):
        return Event(event).label
    if event == Event.PARTIALLY_RESUMED:
        return _("in good standing (compliant zones only)")
    return _("in good standing")


def participant_standing_on(*, participant: Participant, date: dt.date) -> Standing:
    """What participant X's status was on date D (the latest event on or before D)."""
    event = (
        StatusEvent.objects.filter(participant=participant, date__lte=date)
        .order_by("-date", "-id")
        .first()
    )
    return Standing(date=date, event=event)


def participants_in_good_standing_on(*, date: dt.date) -> QuerySet[Participant]:
    return (
        participants_with_standing_on(date=date)
        .filter(standing_event__isnull=False)
        .exclude(standing_event__in=NOT_IN_GOOD_STANDING)
    )


def participants_with_standing_on(*, date: dt.date) -> QuerySet[Participant]:
    """Participants annotated with `standing_event` and `standing_since` for one date,
    in one query (a correlated subquery per row, evaluated by PostgreSQL)."""
    latest = StatusEvent.objects.filter(participant=OuterRef("pk"), date__lte=date).order_by(
        "-date", "-id"
    )
    return Participant.objects.annotate(
        standing_event=Subquery(latest.values("event")[:1]),
        standing_since=Subquery(latest.values("date")[:1]),
    )


def participant_list(
    *, date: dt.date | None = None, search: str = "", kind: str = "", standing: str = ""
) -> QuerySet[Participant]:
    """The filtered participant list shown publicly and to the secretariat."""
    participants = participants_with_standing_on(date=date or timezone.localdate())
    if search:
        participants = participants.filter(
            Q(code__iexact=search)
            | Q(iso2__iexact=search)
            | Q(name__icontains=search)
            | Q(name_en__icontains=search)
        )
    if kind:
        participants = participants.filter(kind=kind)
    if standing == "good":
        participants = participants.filter(standing_event__isnull=False).exclude(
            standing_event__in=NOT_IN_GOOD_STANDING
        )
    elif standing == "not_good":
        participants = participants.filter(
            Q(standing_event__isnull=True) | Q(standing_event__in=NOT_IN_GOOD_STANDING)
        )
    return participants.select_related("country").order_by("name")


def participant_get(*, code: str) -> Participant | None:
    return (
        Participant.objects.filter(code=code.upper())
        .select_related("country")
        .prefetch_related("member_countries")
        .first()
    )


def participant_status_history(*, participant: Participant) -> QuerySet[StatusEvent]:
    return participant.status_events.order_by("-date", "-id")


def authorities_of(*, participant: Participant) -> QuerySet[Authority]:
    return participant.authorities.prefetch_related("contacts").order_by("name")


def observer_list() -> QuerySet[Observer]:
    return Observer.objects.order_by("name")


def working_body_list() -> QuerySet[WorkingBody]:
    return WorkingBody.objects.prefetch_related(
        "memberships__participant", "memberships__observer"
    ).order_by("code")


def chairmanship_list() -> QuerySet[Chairmanship]:
    return Chairmanship.objects.select_related("chair", "vice_chair").order_by("-year")


def chair_of(*, year: int) -> Chairmanship | None:
    return Chairmanship.objects.select_related("chair", "vice_chair").filter(year=year).first()
