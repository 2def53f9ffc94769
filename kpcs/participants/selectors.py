"""Reads about participants: standing on a date, lists for the public and the secretariat."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpcs.common.models import AuditEntry
from kpcs.participants.models import (
    Authority,
    AuthorityContact,
    Chairmanship,
    Observer,
    Participant,
    StatusEvent,
    WorkingBody,
    WorkingBodyMembership,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations

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


def standing_label(event: str | None) -> StrOrPromise:
    """The label, lazily translated: callers turn it into text in the language of the moment."""
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


class StandingAnnotations(TypedDict):
    """What participants_with_standing_on adds to each participant."""

    standing_event: str | None
    standing_since: dt.date | None


def participants_in_good_standing_on(
    *, date: dt.date
) -> QuerySet[WithAnnotations[Participant, StandingAnnotations]]:
    return (
        participants_with_standing_on(date=date)
        .filter(standing_event__isnull=False)
        .exclude(standing_event__in=NOT_IN_GOOD_STANDING)
    )


def participants_with_standing_on(
    *, date: dt.date
) -> QuerySet[WithAnnotations[Participant, StandingAnnotations]]:
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
) -> QuerySet[WithAnnotations[Participant, StandingAnnotations]]:
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


# --- The secretariat's pages ----------------------------------------------------------------


def status_event_get(*, participant: Participant, event_id: int) -> StatusEvent | None:
    return participant.status_events.filter(pk=event_id).first()


def authority_get(*, participant: Participant, authority_id: int) -> Authority | None:
    return participant.authorities.filter(pk=authority_id).first()


def authority_contact_get(*, authority: Authority, contact_id: int) -> AuthorityContact | None:
    return authority.contacts.filter(pk=contact_id).first()


def observer_get(*, code: str) -> Observer | None:
    return Observer.objects.filter(code=code.upper()).first()


def working_body_get(*, code: str) -> WorkingBody | None:
    return WorkingBody.objects.filter(code=code.upper()).first()


def working_body_memberships(*, working_body: WorkingBody) -> QuerySet[WorkingBodyMembership]:
    return working_body.memberships.select_related("participant", "observer").order_by(
        "-year_from", "role", "id"
    )


def working_body_membership_get(
    *, working_body: WorkingBody, membership_id: int
) -> WorkingBodyMembership | None:
    return (
        working_body.memberships.select_related("participant", "observer")
        .filter(pk=membership_id)
        .first()
    )


def chairmanship_get(*, year: int) -> Chairmanship | None:
    return chair_of(year=year)


def _ids_linked_to(model: type[Model], field: str, parent_ids: set[str]) -> set[str]:
    """Ids of `model` rows linked through `field` to one of `parent_ids`: those linked now,
    and those whose trail shows the link (rows deleted since included)."""
    if not parent_ids:
        return set()
    content_type = ContentType.objects.get_for_model(model)
    in_trail = AuditEntry.objects.filter(content_type=content_type).filter(
        Q(**{f"changes__{field}__0__in": sorted(parent_ids)})
        | Q(**{f"changes__{field}__1__in": sorted(parent_ids)})
    )
    now = model._default_manager.filter(**{f"{field}_id__in": sorted(parent_ids)})
    return {str(pk) for pk in now.values_list("pk", flat=True)} | set(
        in_trail.values_list("object_id", flat=True)
    )


def participant_audit_trail(*, participant: Participant) -> QuerySet[AuditEntry]:
    """Changes to a participant, its status events, its authorities and their contacts,
    newest first, deleted records included."""
    own = {str(participant.pk)}
    authorities = _ids_linked_to(Authority, "participant", own)
    records: list[tuple[type[Model], set[str]]] = [
        (Participant, own),
        (StatusEvent, _ids_linked_to(StatusEvent, "participant", own)),
        (Authority, authorities),
        (AuthorityContact, _ids_linked_to(AuthorityContact, "authority", authorities)),
    ]
    wanted = Q(pk__in=[])
    for model, ids in records:
        if ids:
            wanted |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
    return (
        AuditEntry.objects.filter(wanted)
        .select_related("content_type")
        .order_by("-timestamp", "-id")
    )
