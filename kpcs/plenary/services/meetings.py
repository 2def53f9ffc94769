"""Writes about meetings: a meeting's particulars, its agenda (items added, renumbered,
removed, with the documents discussed under each) and its attendance (one delegation per
participant or observer).

Every write is the secretariat's, runs in one transaction and is audited. Bad input raises
ValidationError with messages under the field at fault; nothing is half-saved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import formats
from django.utils.translation import gettext as _

from kpcs.accounts.permissions import is_secretariat
from kpcs.common import audit
from kpcs.participants.models import Observer, Participant, WorkingBody
from kpcs.plenary.models import AgendaItem, Attendance, Document, Meeting
from kpcs.plenary.selectors.documents import LANGUAGE_CODES, SOURCE_LANGUAGE, english, suffix

FIRST_YEAR = 2000
LAST_YEAR = 2100
TITLE_MAX = 255
AGENDA_TITLE_MAX = 500
MAX_DELEGATES = 500
# Addresses the meeting pages use themselves: a meeting cannot be called that.
RESERVED_CODES = frozenset({"new"})
_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SPACES = re.compile(r"\s+")

OTHER_LANGUAGES = [code for code in LANGUAGE_CODES if code != SOURCE_LANGUAGE]


def _require_secretariat(actor: Any) -> None:
    if not is_secretariat(actor):
        raise PermissionDenied(_("Only the KP secretariat manages meetings."))


def _day(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _add(problems: dict[str, list[str]], field: str, message: str) -> None:
    problems.setdefault(field, []).append(message)


def _raise(problems: dict[str, list[str]]) -> None:
    if problems:
        raise ValidationError(problems)


def _line(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


# --- Meetings --------------------------------------------------------------------------------


def meeting_problems(
    *,
    kind: Any,
    working_body: WorkingBody | None,
    start_date: dt.date | None,
    end_date: dt.date | None,
) -> dict[str, list[str]]:
    """What is wrong with a meeting's kind, body and dates, by field (forms and API)."""
    problems: dict[str, list[str]] = {}
    if kind not in Meeting.Kind.values:
        _add(
            problems,
            "kind",
            _("“%(value)s” is not a kind of meeting: use %(values)s.")
            % {"value": str(kind)[:30], "values": ", ".join(Meeting.Kind.values)},
        )
    elif kind == Meeting.Kind.WORKING_BODY and working_body is None:
        _add(problems, "working_body", _("A working body meeting needs its working body."))
    for field, value in (("start_date", start_date), ("end_date", end_date)):
        if value is None:
            _add(
                problems,
                field,
                _("Give the first day of the meeting.")
                if field == "start_date"
                else _("Give the last day of the meeting."),
            )
        elif not FIRST_YEAR <= value.year <= LAST_YEAR:
            _add(
                problems,
                field,
                _("Give a date from %(first)s to %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
            )
    if not problems and start_date and end_date and end_date < start_date:
        _add(
            problems,
            "end_date",
            _("The meeting cannot end (%(end)s) before it starts (%(start)s).")
            % {"end": _day(end_date), "start": _day(start_date)},
        )
    return problems


def code_problems(code: str, *, meeting: Meeting | None = None) -> list[str]:
    if not code:
        return [_("Give the meeting a code for its address, e.g. 2026-plenary.")]
    if len(code) > 60 or not _CODE.match(code):
        return [
            _(
                "The code is made of lower-case letters, digits and single hyphens (at most "
                "60), e.g. 2026-plenary."
            )
        ]
    if code in RESERVED_CODES:
        return [_("“%(code)s” is a word the pages use: choose another code.") % {"code": code}]
    clash = Meeting.objects.filter(code=code)
    if meeting is not None and meeting.pk:
        clash = clash.exclude(pk=meeting.pk)
    other = clash.first()
    if other is not None:
        return [
            _("The code “%(code)s” is already used by “%(title)s”.")
            % {"code": code, "title": english(other)}
        ]
    return []


def _title_values(
    title: str, titles: dict[str, str] | None, problems: dict[str, list[str]], *, maximum: int
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    title = _line(title)
    if not title:
        _add(problems, "title", _("Give the English title."))
    elif len(title) > maximum:
        _add(problems, "title", _("The title is too long: at most %(max)s.") % {"max": maximum})
    values["title_en"] = title
    for language, text in (titles or {}).items():
        if language not in OTHER_LANGUAGES:
            _add(
                problems,
                "titles",
                _("“%(language)s” is not one of the other languages: use %(languages)s.")
                % {"language": str(language)[:10], "languages": ", ".join(OTHER_LANGUAGES)},
            )
            continue
        text = _line(text)
        if len(text) > maximum:
            _add(
                problems,
                f"title_{suffix(language)}",
                _("The title is too long: at most %(max)s.") % {"max": maximum},
            )
        values[f"title_{suffix(language)}"] = text or None
    return values


def _meeting_values(
    *,
    kind: str,
    title: str,
    titles: dict[str, str] | None,
    working_body: WorkingBody | None,
    start_date: dt.date | None,
    end_date: dt.date | None,
    venue: str,
    host: Participant | None,
    chair: str,
) -> dict[str, Any]:
    problems = meeting_problems(
        kind=kind, working_body=working_body, start_date=start_date, end_date=end_date
    )
    values = _title_values(title, titles, problems, maximum=TITLE_MAX)
    for field, text in (("venue", venue), ("chair", chair)):
        if len(_line(text)) > 255:
            _add(problems, field, _("At most 255 characters."))
    _raise(problems)
    return values | {
        "kind": kind,
        # A Plenary or an intersessional meeting belongs to no working body.
        "working_body": working_body if kind == Meeting.Kind.WORKING_BODY else None,
        "start_date": start_date,
        "end_date": end_date,
        "venue": _line(venue),
        "host": host,
        "chair": _line(chair),
    }


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    code: str,
    kind: str,
    title: str,
    start_date: dt.date | None,
    end_date: dt.date | None,
    titles: dict[str, str] | None = None,
    working_body: WorkingBody | None = None,
    venue: str = "",
    host: Participant | None = None,
    chair: str = "",
) -> Meeting:
    """A new meeting. `title` is English; `titles` gives it in other languages
    ({"fr": "…"}), each optional."""
    _require_secretariat(actor)
    code = (code or "").strip().lower()
    problems: dict[str, list[str]] = {}
    for message in code_problems(code):
        _add(problems, "code", message)
    try:
        values = _meeting_values(
            kind=kind,
            title=title,
            titles=titles,
            working_body=working_body,
            start_date=start_date,
            end_date=end_date,
            venue=venue,
            host=host,
            chair=chair,
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            problems.setdefault(field, []).extend(messages)
        values = {}
    _raise(problems)
    return audit.save_with_audit(
        instance=Meeting(), actor=actor, values={"code": code, **values}, reason="meeting created"
    )


@transaction.atomic
def meeting_update(
    *,
    actor: Any,
    meeting: Meeting,
    kind: str,
    title: str,
    start_date: dt.date | None,
    end_date: dt.date | None,
    titles: dict[str, str] | None = None,
    working_body: WorkingBody | None = None,
    venue: str = "",
    host: Participant | None = None,
    chair: str = "",
) -> Meeting:
    """Change a meeting's particulars (its code, part of its address, stays). Titles in
    other languages not named in `titles` are kept."""
    _require_secretariat(actor)
    values = _meeting_values(
        kind=kind,
        title=title,
        titles=titles,
        working_body=working_body,
        start_date=start_date,
        end_date=end_date,
        venue=venue,
        host=host,
        chair=chair,
    )
    return audit.save_with_audit(
        instance=meeting, actor=actor, values=values, reason="meeting changed"
    )


# --- The agenda ------------------------------------------------------------------------------


def _renumber(meeting: Meeting, order: list[AgendaItem], *, actor: Any) -> None:
    """Give the items numbers 1, 2, … in this order (in two steps: the numbers are unique
    within the meeting at every moment), auditing each item whose number changed."""
    before = {item.pk: item.number for item in order}
    top = (meeting.agenda_items.aggregate(top=Max("number"))["top"] or 0) + len(order) + 1
    for offset, item in enumerate(order):
        AgendaItem.objects.filter(pk=item.pk).update(number=top + offset)
    for number, item in enumerate(order, start=1):
        AgendaItem.objects.filter(pk=item.pk).update(number=number)
        item.number = number
        if before[item.pk] != number:
            audit.record_update(
                actor=actor,
                instance=item,
                before={"number": str(before[item.pk])},
                after={"number": str(number)},
                reason="agenda renumbered",
            )


def _items(meeting: Meeting) -> list[AgendaItem]:
    return list(AgendaItem.objects.select_for_update().filter(meeting=meeting).order_by("number"))


def _check_number(number: int | None, *, last: int, problems: dict[str, list[str]]) -> None:
    if number is not None and not 1 <= number <= last:
        _add(
            problems,
            "number",
            _("The number is from 1 to %(last)s (the agenda's items, in order).") % {"last": last},
        )


def _documents(documents: Iterable[Document] | None) -> list[Document]:
    return list(documents or [])


@transaction.atomic
def agenda_item_add(
    *,
    actor: Any,
    meeting: Meeting,
    title: str,
    number: int | None = None,
    titles: dict[str, str] | None = None,
    documents: Iterable[Document] | None = None,
) -> AgendaItem:
    """An item at the end of the agenda, or at `number` (the items from there move down
    one), with the documents discussed under it."""
    _require_secretariat(actor)
    items = _items(meeting)
    problems: dict[str, list[str]] = {}
    _check_number(number, last=len(items) + 1, problems=problems)
    values = _title_values(title, titles, problems, maximum=AGENDA_TITLE_MAX)
    _raise(problems)
    item = audit.save_with_audit(
        instance=AgendaItem(meeting=meeting),
        actor=actor,
        values=values | {"number": len(items) + 1000, "documents": _documents(documents)},
        reason="agenda item added",
    )
    position = (number or len(items) + 1) - 1
    items.insert(position, item)
    _renumber(meeting, items, actor=actor)
    return item


@transaction.atomic
def agenda_item_update(
    *,
    actor: Any,
    item: AgendaItem,
    title: str,
    number: int | None = None,
    titles: dict[str, str] | None = None,
    documents: Iterable[Document] | None = None,
) -> AgendaItem:
    """Change an item's title and documents; a new `number` moves it there (the items in
    between shift by one)."""
    _require_secretariat(actor)
    items = _items(item.meeting)
    problems: dict[str, list[str]] = {}
    _check_number(number, last=len(items), problems=problems)
    values = _title_values(title, titles, problems, maximum=AGENDA_TITLE_MAX)
    _raise(problems)
    item = audit.save_with_audit(
        instance=item,
        actor=actor,
        values=values | {"documents": _documents(documents)},
        reason="agenda item changed",
    )
    if number is not None and number != item.number:
        order = [other for other in items if other.pk != item.pk]
        order.insert(number - 1, item)
        _renumber(item.meeting, order, actor=actor)
    return item


@transaction.atomic
def agenda_item_remove(*, actor: Any, item: AgendaItem) -> None:
    """Take an item off the agenda; the items after it move up one. Its documents stay."""
    _require_secretariat(actor)
    meeting = item.meeting
    items = [other for other in _items(meeting) if other.pk != item.pk]
    audit.delete_with_audit(instance=item, actor=actor, reason="agenda item removed")
    _renumber(meeting, items, actor=actor)


# --- Attendance ------------------------------------------------------------------------------


@transaction.atomic
def attendance_add(
    *,
    actor: Any,
    meeting: Meeting,
    participant: Participant | None = None,
    observer: Observer | None = None,
    delegates: int = 1,
    head_of_delegation: str = "",
) -> Attendance:
    """A participant's or an observer's delegation (one of them), once per meeting."""
    _require_secretariat(actor)
    problems: dict[str, list[str]] = {}
    if (participant is None) == (observer is None):
        _add(
            problems,
            "participant",
            _("Name either a participant or an observer (one delegation at a time)."),
        )
    elif participant is not None and meeting.attendance.filter(participant=participant).exists():
        _add(
            problems,
            "participant",
            _("%(name)s is already on this meeting's attendance.") % {"name": participant.name},
        )
    elif observer is not None and meeting.attendance.filter(observer=observer).exists():
        _add(
            problems,
            "observer",
            _("%(name)s is already on this meeting's attendance.") % {"name": observer.name},
        )
    if (
        not isinstance(delegates, int)
        or isinstance(delegates, bool)
        or not 1 <= delegates <= MAX_DELEGATES
    ):
        _add(
            problems,
            "delegates",
            _("The number of delegates is a whole number from 1 to %(max)s.")
            % {"max": MAX_DELEGATES},
        )
    head = _line(head_of_delegation)
    if len(head) > 255:
        _add(problems, "head_of_delegation", _("At most 255 characters."))
    _raise(problems)
    return audit.save_with_audit(
        instance=Attendance(meeting=meeting),
        actor=actor,
        values={
            "participant": participant,
            "observer": observer,
            "delegates": delegates,
            "head_of_delegation": head,
        },
        reason="delegation added to the attendance",
    )


@transaction.atomic
def attendance_remove(*, actor: Any, attendance: Attendance) -> None:
    _require_secretariat(actor)
    audit.delete_with_audit(
        instance=attendance, actor=actor, reason="delegation removed from the attendance"
    )
