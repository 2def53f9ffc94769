"""The meeting services: a meeting's particulars (dates in order, a working body for a working
body meeting, a code that can be an address), titles in other languages, the agenda (added,
inserted, moved and removed items keep the numbers 1, 2, …) and the attendance (a participant
or an observer, once per meeting); every write audited and the secretariat's only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kpcs.accounts.models import Role
from kpcs.accounts.tests.factories import UserFactory
from kpcs.common.audit import entries_for
from kpcs.common.models import AuditEntry
from kpcs.participants.tests.factories import (
    ObserverFactory,
    ParticipantFactory,
    WorkingBodyFactory,
)
from kpcs.plenary.models import AgendaItem, Attendance, Meeting
from kpcs.plenary.services import meetings as services
from kpcs.plenary.tests.factories import MeetingFactory
from kpcs.plenary.tests.factories_docs import document

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat():
    return UserFactory(role=Role.SECRETARIAT, username="meet-secretariat")


def create(actor, **values):
    values = {
        "code": "2026-plenary",
        "kind": Meeting.Kind.PLENARY,
        "title": "Plenary meeting 2026",
        "start_date": dt.date(2026, 11, 3),
        "end_date": dt.date(2026, 11, 6),
        "venue": "Gaborone",
        "chair": "Botswana",
    } | values
    return services.meeting_create(actor=actor, **values)


def messages(exc: ValidationError, field: str) -> str:
    return " ".join(exc.message_dict[field])


def numbers(meeting: Meeting) -> list[tuple[int, str]]:
    return list(meeting.agenda_items.order_by("number").values_list("number", "title_en"))


# --- Meetings --------------------------------------------------------------------------------


def test_a_meeting_is_recorded_with_its_titles_host_and_chair(secretariat):
    host = ParticipantFactory()
    meeting = create(secretariat, host=host, titles={"fr": "Plénière 2026", "ar": ""})
    assert meeting.title_en == "Plenary meeting 2026"
    assert meeting.title_fr == "Plénière 2026"
    assert meeting.title_ar is None
    assert meeting.host == host
    assert entries_for(meeting).get().reason == "meeting created"


def test_a_meeting_cannot_end_before_it_starts(secretariat):
    with pytest.raises(ValidationError) as caught:
        create(secretariat, start_date=dt.date(2026, 11, 6), end_date=dt.date(2026, 11, 3))
    assert "cannot end" in messages(caught.value, "end_date")
    assert not Meeting.objects.exists()


def test_a_one_day_meeting_is_fine(secretariat):
    meeting = create(secretariat, end_date=dt.date(2026, 11, 3))
    assert meeting.start_date == meeting.end_date


def test_a_working_body_meeting_needs_its_working_body(secretariat):
    with pytest.raises(ValidationError) as caught:
        create(secretariat, kind=Meeting.Kind.WORKING_BODY)
    assert "needs its working body" in messages(caught.value, "working_body")
    body = WorkingBodyFactory()
    meeting = create(secretariat, kind=Meeting.Kind.WORKING_BODY, working_body=body)
    assert meeting.working_body == body


def test_a_plenary_keeps_no_working_body(secretariat):
    assert create(secretariat, working_body=WorkingBodyFactory()).working_body is None


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("", "Give the meeting a code"),
        ("2026 plenary", "lower-case letters"),
        ("new", "a word the pages use"),
    ],
)
def test_a_code_that_cannot_be_an_address_is_refused(secretariat, code, words):
    with pytest.raises(ValidationError) as caught:
        create(secretariat, code=code)
    assert words in messages(caught.value, "code")


def test_a_code_already_used_is_refused(secretariat):
    create(secretariat)
    with pytest.raises(ValidationError) as caught:
        create(secretariat, code="2026-Plenary")
    assert "already used" in messages(caught.value, "code")


def test_an_update_keeps_the_titles_not_named(secretariat):
    meeting = create(secretariat, titles={"fr": "Plénière"})
    services.meeting_update(
        actor=secretariat,
        meeting=meeting,
        kind=meeting.kind,
        title="Plenary 2026 (Gaborone)",
        start_date=meeting.start_date,
        end_date=dt.date(2026, 11, 7),
    )
    meeting.refresh_from_db()
    assert meeting.title_en == "Plenary 2026 (Gaborone)"
    assert meeting.title_fr == "Plénière"
    assert meeting.end_date == dt.date(2026, 11, 7)
    assert entries_for(meeting).filter(reason="meeting changed").exists()


def test_only_the_secretariat_manages_meetings():
    with pytest.raises(PermissionDenied):
        create(UserFactory(role=Role.OBSERVER))


# --- The agenda ------------------------------------------------------------------------------


def test_items_are_added_at_the_end_or_inserted_at_a_number(secretariat):
    meeting = MeetingFactory()
    services.agenda_item_add(actor=secretariat, meeting=meeting, title="Opening")
    services.agenda_item_add(actor=secretariat, meeting=meeting, title="Closing")
    services.agenda_item_add(actor=secretariat, meeting=meeting, title="Statistics", number=2)
    assert numbers(meeting) == [(1, "Opening"), (2, "Statistics"), (3, "Closing")]


def test_a_number_beyond_the_end_is_refused(secretariat):
    meeting = MeetingFactory()
    with pytest.raises(ValidationError) as caught:
        services.agenda_item_add(actor=secretariat, meeting=meeting, title="X", number=3)
    assert "from 1 to 1" in messages(caught.value, "number")
    assert not AgendaItem.objects.exists()


def test_moving_an_item_shifts_the_ones_in_between(secretariat):
    meeting = MeetingFactory()
    for title in ("A", "B", "C", "D"):
        services.agenda_item_add(actor=secretariat, meeting=meeting, title=title)
    last = meeting.agenda_items.get(title_en="D")
    services.agenda_item_update(actor=secretariat, item=last, title="D", number=1)
    assert numbers(meeting) == [(1, "D"), (2, "A"), (3, "B"), (4, "C")]
    first = meeting.agenda_items.get(title_en="D")
    services.agenda_item_update(actor=secretariat, item=first, title="D", number=3)
    assert numbers(meeting) == [(1, "A"), (2, "B"), (3, "D"), (4, "C")]
    assert entries_for(first).filter(reason="agenda renumbered").exists()


def test_removing_an_item_closes_the_gap(secretariat):
    meeting = MeetingFactory()
    for title in ("A", "B", "C"):
        services.agenda_item_add(actor=secretariat, meeting=meeting, title=title)
    services.agenda_item_remove(actor=secretariat, item=meeting.agenda_items.get(title_en="A"))
    assert numbers(meeting) == [(1, "B"), (2, "C")]


def test_documents_are_attached_to_an_item(secretariat):
    meeting = MeetingFactory()
    paper = document(meeting=meeting)
    item = services.agenda_item_add(
        actor=secretariat, meeting=meeting, title="Statistics", documents=[paper]
    )
    assert list(item.documents.all()) == [paper]
    services.agenda_item_update(actor=secretariat, item=item, title="Statistics", documents=[])
    assert not item.documents.exists()
    assert entries_for(item).filter(reason="agenda item changed").exists()


# --- Attendance ------------------------------------------------------------------------------


def test_a_participant_attends_once(secretariat):
    meeting = MeetingFactory()
    participant = ParticipantFactory()
    services.attendance_add(
        actor=secretariat,
        meeting=meeting,
        participant=participant,
        delegates=4,
        head_of_delegation="Minister",
    )
    with pytest.raises(ValidationError) as caught:
        services.attendance_add(actor=secretariat, meeting=meeting, participant=participant)
    assert "already on this meeting's attendance" in messages(caught.value, "participant")
    assert Attendance.objects.count() == 1


def test_an_observer_attends_once_too(secretariat):
    meeting = MeetingFactory()
    observer = ObserverFactory()
    services.attendance_add(actor=secretariat, meeting=meeting, observer=observer)
    with pytest.raises(ValidationError) as caught:
        services.attendance_add(actor=secretariat, meeting=meeting, observer=observer)
    assert "already on" in messages(caught.value, "observer")


def test_a_delegation_is_a_participant_or_an_observer_not_both(secretariat):
    meeting = MeetingFactory()
    with pytest.raises(ValidationError) as caught:
        services.attendance_add(
            actor=secretariat,
            meeting=meeting,
            participant=ParticipantFactory(),
            observer=ObserverFactory(),
        )
    assert "either a participant or an observer" in messages(caught.value, "participant")
    with pytest.raises(ValidationError):
        services.attendance_add(actor=secretariat, meeting=meeting)


def test_a_delegation_has_at_least_one_delegate(secretariat):
    with pytest.raises(ValidationError) as caught:
        services.attendance_add(
            actor=secretariat,
            meeting=MeetingFactory(),
            participant=ParticipantFactory(),
            delegates=0,
        )
    assert "from 1 to 500" in messages(caught.value, "delegates")


def test_a_delegation_is_removed_with_an_audit_entry(secretariat):
    meeting = MeetingFactory()
    row = services.attendance_add(actor=secretariat, meeting=meeting, observer=ObserverFactory())
    row_id = row.pk
    services.attendance_remove(actor=secretariat, attendance=row)
    assert not Attendance.objects.exists()
    assert AuditEntry.objects.filter(
        object_id=str(row_id), action="delete", content_type__model="attendance"
    ).exists()
