"""Reads about meetings: the lists, one meeting with its agenda, attendance and documents.
Every query starts from `access.meetings_visible_to` (a working body's meetings are seen by
its members and the secretariat), and the documents shown are those the user may read
(`access.documents_visible_to`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from kpcs.accounts.permissions import is_secretariat
from kpcs.participants.models import Observer, Participant, WorkingBody
from kpcs.plenary.models import AgendaItem, Attendance, Document, Meeting
from kpcs.plenary.selectors.access import documents_visible_to, meetings_visible_to, released


def meeting_list(
    *, user: Any, kind: str | None = None, year: int | None = None
) -> QuerySet[Meeting]:
    """The meetings the user may see, latest first."""
    meetings = meetings_visible_to(user)
    if kind:
        meetings = meetings.filter(kind=kind)
    if year is not None:
        meetings = meetings.filter(start_date__year=year)
    return meetings.order_by("-start_date", "code")


def meeting_get(*, user: Any, code: str) -> Meeting | None:
    return meetings_visible_to(user).filter(code=code).first()


def readable_documents(*, user: Any) -> QuerySet[Document]:
    """The documents a meeting page lists for the user: the secretariat sees every document
    (drafts marked as such); everyone else the released ones it may read."""
    documents = documents_visible_to(user)
    if not is_secretariat(user):
        documents = documents.filter(released())
    return documents


def meeting_agenda(*, meeting: Meeting, user: Any) -> list[AgendaItem]:
    """The agenda in order, each item with the documents the user may read (one query for
    the items, one for their documents)."""
    documents = readable_documents(user=user).order_by("symbol")
    return list(
        meeting.agenda_items.order_by("number").prefetch_related(
            Prefetch("documents", queryset=documents)
        )
    )


def meeting_attendance(*, meeting: Meeting) -> list[Attendance]:
    """Participants' delegations first (by name), then observers'."""
    rows = list(meeting.attendance.select_related("participant", "observer"))
    return sorted(
        rows,
        key=lambda row: (
            row.participant is None,
            (row.participant or row.observer).name.casefold(),  # type: ignore[union-attr]
        ),
    )


def meeting_documents(*, meeting: Meeting, user: Any) -> QuerySet[Document]:
    return readable_documents(user=user).filter(meeting=meeting).order_by("date", "symbol")


def agenda_item_get(*, meeting: Meeting, item_id: int) -> AgendaItem | None:
    return meeting.agenda_items.filter(pk=item_id).first()


def attendance_get(*, meeting: Meeting, attendance_id: int) -> Attendance | None:
    return (
        meeting.attendance.filter(pk=attendance_id)
        .select_related("participant", "observer")
        .first()
    )


def participants_for_choice() -> QuerySet[Participant]:
    return Participant.objects.order_by("name")


def observers_for_choice() -> QuerySet[Observer]:
    return Observer.objects.order_by("name")


def working_bodies_for_choice() -> QuerySet[WorkingBody]:
    return WorkingBody.objects.order_by("code")
