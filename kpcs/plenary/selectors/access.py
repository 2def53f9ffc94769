"""Who may see which meeting and document. Pages and API endpoints scope their querysets
through these functions, so a document the caller may not see answers 404.

Documents:
- secretariat: every document, in every status;
- everyone else sees only published documents (or ones released in advance), and of those:
  - distribution "public": everyone, without logging in;
  - "participants and observers": users acting for a participant or an observer (authorities,
    observers' representatives, reviewers who act for one);
  - "restricted to a working body": users whose participant or observer sits on that working
    body this year.
Meetings: Plenary and intersessional meetings are public; a working body's meetings are seen by
the secretariat and the body's members (and by every participant and observer when the body is
open to observers).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from kpcs.accounts.permissions import is_secretariat
from kpcs.participants.models import WorkingBodyMembership
from kpcs.plenary.models import Document, Meeting


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def acts_for_participant_or_observer(user: Any) -> bool:
    return _authenticated(user) and bool(
        getattr(user, "participant_id", None) or getattr(user, "observer_id", None)
    )


def working_bodies_of(user: Any, *, on: dt.date | None = None) -> list[int]:
    """Ids of the working bodies the user's participant or observer sits on this year."""
    if not acts_for_participant_or_observer(user):
        return []
    year = (on or timezone.localdate()).year
    seat = (
        Q(participant_id=user.participant_id)
        if user.participant_id
        else Q(observer_id=user.observer_id)
    )
    return list(
        WorkingBodyMembership.objects.filter(seat, year_from__lte=year)
        .filter(Q(year_to__isnull=True) | Q(year_to__gte=year))
        .values_list("working_body_id", flat=True)
        .distinct()
    )


def released() -> Q:
    """Documents others may read: published, or released in advance by the secretariat."""
    return Q(status=Document.Status.PUBLISHED) | Q(advance_release=True)


def documents_visible_to(user: Any) -> QuerySet[Document]:
    documents = Document.objects.select_related("meeting", "working_body")
    if is_secretariat(user):
        return documents
    rule = Q(distribution=Document.Distribution.PUBLIC)
    if acts_for_participant_or_observer(user):
        rule |= Q(distribution=Document.Distribution.PARTICIPANTS_OBSERVERS)
        bodies = working_bodies_of(user)
        if bodies:
            rule |= Q(distribution=Document.Distribution.WORKING_BODY, working_body_id__in=bodies)
    return documents.filter(released()).filter(rule)


def public_documents() -> QuerySet[Document]:
    """What anyone may read without logging in (the public pages and the public API)."""
    return documents_visible_to(None).filter(status=Document.Status.PUBLISHED)


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    meetings = Meeting.objects.select_related("working_body", "host")
    if is_secretariat(user):
        return meetings
    rule = ~Q(kind=Meeting.Kind.WORKING_BODY)
    if acts_for_participant_or_observer(user):
        rule |= Q(working_body__open_to_observers=True)
    bodies = working_bodies_of(user)
    if bodies:
        rule |= Q(working_body_id__in=bodies)
    return meetings.filter(rule)
