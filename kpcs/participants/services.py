"""Writes about participants. Every change to official data goes through here and is audited."""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpcs.common import audit
from kpcs.participants.models import (
    Authority,
    AuthorityContact,
    Chairmanship,
    Country,
    Observer,
    Participant,
    StatusEvent,
    WorkingBody,
    WorkingBodyMembership,
)

REFERENCE_DATA_DIR = Path(__file__).resolve().parent / "data"
SCHEME_START = dt.date(2003, 1, 1)
LANGUAGE_FIELDS = {code: code.replace("-", "_") for code, _name in settings.LANGUAGES}

Progress = Callable[[int, int, str], None]


@dataclass
class ReferenceDataReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, *, created: bool, changed: bool = False) -> None:
        if created:
            self.created[what] = self.created.get(what, 0) + 1
        elif changed:
            self.updated[what] = self.updated.get(what, 0) + 1

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {"created": self.created, "updated": self.updated}

    def summary(self) -> str:
        if not self.created and not self.updated:
            return _("Reference data already up to date: nothing changed.")
        parts = [f"{n} {what} created" for what, n in sorted(self.created.items())]
        parts += [f"{n} {what} updated" for what, n in sorted(self.updated.items())]
        return "; ".join(parts) + "."


def _rows(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8-sig", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _translated(names: dict[str, str] | None, english: str) -> dict[str, str]:
    values = {"name_en": english}
    for suffix in LANGUAGE_FIELDS.values():
        if names and names.get(suffix):
            values[f"name_{suffix}"] = names[suffix]
    values.setdefault("name", english)
    return values


M = TypeVar("M", bound=models.Model)


def _upsert(
    model: type[M],
    lookup: dict[str, Any],
    values: dict[str, Any],
    *,
    update: bool,
    report: ReferenceDataReport,
    what: str,
) -> M:
    """Create the row if missing; touch an existing one only when asked to (`update`), so a
    re-run never undoes the secretariat's own corrections."""
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup)
        audit.save_with_audit(
            instance=instance, actor=None, values=values, reason="reference data", validate=False
        )
        report.count(what, created=True)
        return instance
    if update:
        before = audit.snapshot(instance)
        for key, value in values.items():
            setattr(instance, key, value)
        if audit.snapshot(instance) != before:
            audit.save_with_audit(
                instance=instance, actor=None, reason="reference data", validate=False
            )
            report.count(what, created=False, changed=True)
    return instance


@transaction.atomic
def reference_data_load(
    *, directory: Path = REFERENCE_DATA_DIR, update: bool = False, progress: Progress | None = None
) -> ReferenceDataReport:
    """Load countries, participants, status events, observers, working bodies and chairs.

    Idempotent: a second run creates nothing. With `update`, rows that differ from the files
    are brought back to the files' values (each change audited)."""
    report = ReferenceDataReport()
    steps = 6
    tick = progress or (lambda done, total, message: None)

    country_names = {r["code"]: r for r in _rows(directory, "country_names.csv")}
    other_names = {(r["kind"], r["code"]): r for r in _rows(directory, "other_names.csv")}

    tick(0, steps, _("Countries"))
    participants = _rows(directory, "participants.csv")
    eu_members = _rows(directory, "eu_member_states.csv")
    countries: dict[str, Country] = {}
    for row, is_eu in [(r, False) for r in participants if r["code"] != "EUR"] + [
        (r, True) for r in eu_members
    ]:
        names = country_names.get(row["code"])
        english = names["en"] if names else row["name"]
        countries[row["code"]] = _upsert(
            Country,
            {"alpha3": row["code"]},
            {"alpha2": row["iso2"], "is_eu_member": is_eu, **_translated(names, english)},
            update=update,
            report=report,
            what="countries",
        )

    tick(1, steps, _("Participants"))
    status_rows = _rows(directory, "status_events.csv")
    # Where the status events file dates an admission itself, that row (with its note) is the
    # admission event; the participants file only supplies the others.
    admitted_in_events = {r["participant"] for r in status_rows if r["event"] == "admitted"}
    for row in participants:
        names = other_names.get(("participant", row["code"])) or country_names.get(row["code"])
        admitted = dt.date.fromisoformat(row["admitted"]) if row["admitted"] else None
        values = {
            "iso2": row["iso2"],
            "kind": row["kind"],
            "country": countries.get(row["code"]) if row["kind"] == "state" else None,
            "admitted_on": admitted or SCHEME_START,
            "admission_date_known": admitted is not None,
            "source_note": row["source_note"],
            **_translated(names, row["name"]),
        }
        participant = _upsert(
            Participant,
            {"code": row["code"]},
            values,
            update=update,
            report=report,
            what="participants",
        )
        if row["kind"] == "regional_organisation" and row["code"] == "EUR":
            wanted = {countries[r["code"]].pk for r in eu_members}
            have = set(participant.member_countries.values_list("pk", flat=True))
            if not have or (update and have != wanted):
                before = audit.links(participant, ["member_countries"])
                participant.member_countries.set(wanted)
                audit.record_update(
                    actor=None,
                    instance=participant,
                    before=before,
                    after=audit.links(participant, ["member_countries"]),
                    reason="reference data",
                )
                report.count("EU member links", created=not have, changed=bool(have))
        if (
            row["code"] not in admitted_in_events
            and not participant.status_events.filter(event=StatusEvent.Event.ADMITTED).exists()
        ):
            _upsert(
                StatusEvent,
                {
                    "participant": participant,
                    "date": admitted or SCHEME_START,
                    "event": StatusEvent.Event.ADMITTED,
                },
                {
                    "note": row["source_note"]
                    if admitted
                    else "admission date not known; the scheme's start is assumed"
                },
                update=False,
                report=report,
                what="status events",
            )

    tick(2, steps, _("Status events"))
    by_code = {p.code: p for p in Participant.objects.all()}
    for row in status_rows:
        note = row["note"]
        _upsert(
            StatusEvent,
            {
                "participant": by_code[row["participant"]],
                "date": dt.date.fromisoformat(row["date"]),
                "event": row["event"],
            },
            {"note": note, "date_approximate": "approximate" in note.lower()},
            update=update,
            report=report,
            what="status events",
        )

    tick(3, steps, _("Observers"))
    for row in _rows(directory, "observers.csv"):
        names = other_names.get(("observer", row["code"]))
        _upsert(
            Observer,
            {"code": row["code"]},
            {
                "kind": row["kind"],
                "since": dt.date.fromisoformat(row["since"]) if row["since"] else None,
                "source_note": row["source_note"],
                **_translated(names, row["name"]),
            },
            update=update,
            report=report,
            what="observers",
        )

    tick(4, steps, _("Working bodies"))
    for row in _rows(directory, "working_bodies.csv"):
        names = other_names.get(("working_body", row["code"]))
        _upsert(
            WorkingBody,
            {"code": row["code"]},
            {"kind": row["kind"], **_translated(names, row["name"])},
            update=update,
            report=report,
            what="working bodies",
        )

    tick(5, steps, _("Chairmanships"))
    for row in _rows(directory, "chairmanships.csv"):
        _upsert(
            Chairmanship,
            {"year": int(row["year"])},
            {
                "chair": by_code[row["chair"]],
                "vice_chair": by_code[row["vice_chair"]] if row["vice_chair"] else None,
                "note": row["note"],
            },
            update=update,
            report=report,
            what="chairmanships",
        )
    tick(steps, steps, _("Done"))
    return report


# --- Edits by the secretariat ---------------------------------------------------------------

P = ParamSpec("P")
R = TypeVar("R")


def _in_reference_language(func: Callable[P, R]) -> Callable[P, R]:
    """Write under the reference language, whatever language the secretariat works in:
    modeltranslation fills a translated model's base `name` column from the active
    language, and the audit trail's record names and values should read the same for all."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper


@_in_reference_language
@transaction.atomic
def participant_update(
    *, participant: Participant, actor: Any, values: dict[str, Any], reason: str = ""
) -> Participant:
    return audit.save_with_audit(instance=participant, actor=actor, values=values, reason=reason)


@_in_reference_language
@transaction.atomic
def status_event_record(
    *,
    participant: Participant,
    actor: Any,
    values: dict[str, Any],
    event: StatusEvent | None = None,
) -> StatusEvent:
    """Record (or correct) a change of standing; the participant's status follows from it."""
    instance = event or StatusEvent(participant=participant)
    return audit.save_with_audit(instance=instance, actor=actor, values=values)


@_in_reference_language
@transaction.atomic
def status_event_delete(*, event: StatusEvent, actor: Any, reason: str) -> None:
    audit.delete_with_audit(instance=event, actor=actor, reason=reason)


@_in_reference_language
@transaction.atomic
def observer_save(
    *, actor: Any, values: dict[str, Any], observer: Observer | None = None
) -> Observer:
    return audit.save_with_audit(instance=observer or Observer(), actor=actor, values=values)


@_in_reference_language
@transaction.atomic
def authority_save(
    *,
    participant: Participant,
    actor: Any,
    values: dict[str, Any],
    authority: Authority | None = None,
) -> Authority:
    instance = authority or Authority(participant=participant)
    return audit.save_with_audit(instance=instance, actor=actor, values=values)


@_in_reference_language
@transaction.atomic
def authority_contact_save(
    *,
    authority: Authority,
    actor: Any,
    values: dict[str, Any],
    contact: AuthorityContact | None = None,
) -> AuthorityContact:
    instance = contact or AuthorityContact(authority=authority)
    return audit.save_with_audit(instance=instance, actor=actor, values=values)


@_in_reference_language
@transaction.atomic
def authority_contact_delete(*, contact: AuthorityContact, actor: Any) -> None:
    audit.delete_with_audit(instance=contact, actor=actor)


@_in_reference_language
@transaction.atomic
def working_body_save(
    *, actor: Any, values: dict[str, Any], working_body: WorkingBody | None = None
) -> WorkingBody:
    return audit.save_with_audit(instance=working_body or WorkingBody(), actor=actor, values=values)


@_in_reference_language
@transaction.atomic
def working_body_membership_save(
    *,
    working_body: WorkingBody,
    actor: Any,
    values: dict[str, Any],
    membership: WorkingBodyMembership | None = None,
) -> WorkingBodyMembership:
    """Give a participant or an observer a seat; observers only sit in bodies open to them,
    and a member has one seat per body starting in a given year."""
    instance = membership or WorkingBodyMembership(working_body=working_body)
    observer = values.get("observer")
    if observer is not None and not working_body.open_to_observers:
        raise ValidationError(
            {"observer": gettext_lazy("This working body is not open to observers.")}
        )
    member = {"participant": values.get("participant"), "observer": observer}
    year_from = values.get("year_from")
    # Without a year nothing can match (`year_from` is never NULL), so no query is needed.
    duplicate = (
        year_from is not None
        and WorkingBodyMembership.objects.filter(
            working_body=working_body, year_from=year_from, **member
        )
        .exclude(pk=instance.pk)
        .exists()
    )
    if duplicate:
        raise ValidationError(
            gettext_lazy("This member already has a seat in this body from that year.")
        )
    return audit.save_with_audit(instance=instance, actor=actor, values=values)


@_in_reference_language
@transaction.atomic
def working_body_membership_delete(*, membership: WorkingBodyMembership, actor: Any) -> None:
    audit.delete_with_audit(instance=membership, actor=actor)


@_in_reference_language
@transaction.atomic
def chairmanship_save(
    *, actor: Any, values: dict[str, Any], chairmanship: Chairmanship | None = None
) -> Chairmanship:
    return audit.save_with_audit(
        instance=chairmanship or Chairmanship(), actor=actor, values=values
    )
