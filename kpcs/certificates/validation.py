"""The one validation of certificates and import confirmations, whatever way they come in (a
CSV or XLSX file, the browser form, the API, `manage.py import_certificates`).

Every entry path turns its input into plain row dicts keyed by the FORMATS.md §2 (or §3)
column names, values as text, and hands them, numbered, to a `CertificateValidator` (or
`ConfirmationValidator`). The validator answers with findings (file row — header = row 1 —,
column, a code per rule and a translated message naming the value, the rule and the dates)
and the clean records ready to store: certificates grouped with their lines by HS code, or
confirmations matched to their certificates.

Participants, countries and status events are read once (four queries, `Reference.load`) and
every row is judged against them in memory: a participant's standing on a date is the latest
status event on or before it (the rule of `participant_standing_on`). The stored certificates
a batch refers to are read once per batch (two queries at most), so a batch costs the same
number of queries whatever its size; a large file is validated batch by batch
(kpcs.certificates.importing) with the reference data kept.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.db import connection
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpcs.certificates.models import Certificate, CertificateLine, ImportConfirmation
from kpcs.participants.models import Country, Participant, StatusEvent
from kpcs.participants.selectors import NOT_A_PARTICIPANT, NOT_IN_GOOD_STANDING
from kpcs.statistics.models import HSCode

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# --- The contract (FORMATS.md §2 and §3) -------------------------------------------------------

CERTIFICATE_COLUMNS: tuple[str, ...] = (
    "certificate_number",
    "issuing_participant",
    "exporting_country",
    "destination_participant",
    "date_issued",
    "date_expiry",
    "hs_code",
    "carats",
    "value_usd",
    "parcels",
    "origin",
    "exporter",
    "importer",
)
# What a certificate says once, whatever its number of HS codes ...
HEADER_COLUMNS: tuple[str, ...] = (
    "certificate_number",
    "issuing_participant",
    "exporting_country",
    "destination_participant",
    "date_issued",
    "date_expiry",
    "origin",
    "exporter",
    "importer",
)
# ... and what it says per HS code (one row each in a file).
LINE_COLUMNS: tuple[str, ...] = ("hs_code", "carats", "value_usd", "parcels")
CONFIRMATION_COLUMNS: tuple[str, ...] = (
    "certificate_number",
    "issuing_participant",
    "confirming_participant",
    "date_received",
    "carats",
)
MIXED = "MIXED"
# Named in messages; lazy, because a good row must not pay for a translation look-up.
_ISSUE = gettext_lazy("the date of issue")
_RECEIVED = gettext_lazy("the date received")
EU_CODE = "EUR"
HS_CODES: frozenset[str] = frozenset(HSCode.values)

# The largest figures the database holds (DecimalField(16, 2) and (18, 2), PostgreSQL integer).
MAX_CARATS_DIGITS = 14
MAX_VALUE_DIGITS = 16
MAX_PARCELS = 2_147_483_647
MAX_NAME_LENGTH = 200
MAX_NUMBER_LENGTH = 40

_NUMBER = re.compile(r"[A-Z]{2}[A-Z0-9/.-]{1,38}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CARATS = re.compile(r"\d{1,14}(?:\.\d{1,2})?")
_VALUE = re.compile(r"\d{1,16}(?:\.\d{1,2})?")
_DECIMAL = re.compile(r"[-+]?\d+(?:\.(\d*))?|[-+]?\.(\d+)")
_THOUSANDS = re.compile(r"\d{1,3}(?:[,  '’]\d{3})+(?:\.\d*)?")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")
_WHOLE = re.compile(r"\d{1,10}")


# --- What validation answers -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem. `row` is the file row (header = 1, first data row = 2), None for the file
    or the form as a whole; `line` is the certificate line (1, 2, …) when the input came from
    the form or the API rather than a file; `column` is a FORMATS.md column (or form field)
    name, "" for a whole row; `code` names the rule."""

    row: int | None
    column: str
    code: str
    message: str
    line: int | None = None

    @property
    def located(self) -> str:
        """The message with where it points: "Row 7, column carats: …"."""
        if self.line is not None:
            if self.column:
                return _("Line %(line)s, %(column)s: %(text)s") % {
                    "line": self.line,
                    "column": self.column,
                    "text": self.message,
                }
            return _("Line %(line)s: %(text)s") % {"line": self.line, "text": self.message}
        if self.row is None:
            if self.column:
                return f"{self.column}: {self.message}"
            return self.message
        if self.column:
            return _("Row %(row)s, column %(column)s: %(text)s") % {
                "row": self.row,
                "column": self.column,
                "text": self.message,
            }
        return _("Row %(row)s: %(text)s") % {"row": self.row, "text": self.message}

    def as_dict(self) -> dict[str, Any]:
        """The shape stored on CertificateUpload.findings and sent by the API. A NUL byte
        quoted from the file is shown as ␀: PostgreSQL's jsonb cannot hold one, and the
        reader should see where it was."""
        found: dict[str, Any] = {
            "row": self.row,
            "column": self.column.replace("\x00", "\u2400"),
            "code": self.code,
            "message": self.message.replace("\x00", "\u2400"),
        }
        if self.line is not None:
            found["line"] = self.line
        return found


class CertificateValidationError(Exception):
    """Input refused: carries every finding (at most `importing.MAX_FINDINGS` of them;
    `total` counts them all). Nothing of the input was stored."""

    def __init__(
        self, findings: Sequence[Finding], *, total: int | None = None, rows: int | None = None
    ) -> None:
        self.findings = list(findings)
        self.total = max(total or 0, len(self.findings))
        # The data rows read, when the input was a file read to its end.
        self.rows = rows
        super().__init__("; ".join(f.located for f in self.findings[:5]))

    @property
    def truncated(self) -> bool:
        return self.total > len(self.findings)


class CleanLine(NamedTuple):
    row: int
    hs_code: str
    carats: Decimal
    value_usd: Decimal
    parcels: int


class CleanCertificate(NamedTuple):
    """A certificate that passed every rule and is not stored yet: its header and its lines.
    (A named tuple: a large file makes many.)"""

    row: int
    issuing_participant_id: int
    number: str
    exporting_country_id: int
    destination_participant_id: int
    date_issued: dt.date
    date_expiry: dt.date
    origin_id: int | None
    exporter: str
    importer: str
    lines: list[CleanLine]

    @property
    def carats(self) -> Decimal:
        return sum((line.carats for line in self.lines), Decimal(0))

    @property
    def value_usd(self) -> Decimal:
        return sum((line.value_usd for line in self.lines), Decimal(0))

    @property
    def parcels(self) -> int:
        return sum(line.parcels for line in self.lines)


class CleanConfirmation(NamedTuple):
    """An import confirmation that passed every rule, matched to its stored certificate."""

    row: int
    certificate_id: int
    number: str
    issuing_participant_id: int
    destination_participant_id: int
    confirming_participant_id: int
    date_received: dt.date
    carats: Decimal
    certificate_carats: Decimal
    carats_differ: bool


@dataclass
class CertificateCheck:
    """What a batch of certificate rows gave: findings, the new certificates to store, and
    the ids of stored certificates the batch repeats identically (nothing to do for them)."""

    findings: list[Finding] = field(default_factory=list)
    certificates: list[CleanCertificate] = field(default_factory=list)
    unchanged_ids: list[int] = field(default_factory=list)
    rows: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.findings


@dataclass
class ConfirmationCheck:
    findings: list[Finding] = field(default_factory=list)
    confirmations: list[CleanConfirmation] = field(default_factory=list)
    unchanged_ids: list[int] = field(default_factory=list)
    rows: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.findings


# --- Messages ----------------------------------------------------------------------------------


def _quoted(value: str) -> str:
    """The value as given, cut short so one absurd cell cannot flood a report."""
    return value if len(value) <= 40 else value[:37] + "…"


def _long_date(date: dt.date) -> str:
    return formats.date_format(date, "j F Y")


def _amount(value: Decimal) -> str:
    return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def _text(value: Any) -> str:
    """A cell as text: CSV gives strings; XLSX and JSON may give numbers or dates."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    if isinstance(value, list | tuple):
        return ", ".join(t for t in map(_text, value) if t)
    return str(value).strip()


def _cells(raw: Mapping[str, Any], columns: Sequence[str]) -> list[str]:
    given: list[Any] = [raw.get(column) for column in columns]
    try:  # text from a CSV: the usual case, made cheap
        return [cell.strip() for cell in given]
    except AttributeError:
        return [_text(cell) for cell in given]


def _unnamed(raw: Mapping[str, Any]) -> list[str]:
    """Values in cells without a column name (readers put them under the key "")."""
    extra = raw.get("")
    if not extra:
        return []
    values = extra if isinstance(extra, list | tuple) else [extra]
    return [t for t in map(_text, values) if t]


# --- Reference data, read once -----------------------------------------------------------------


class CountryRef(NamedTuple):
    id: int
    alpha3: str
    alpha2: str
    name: str
    is_eu_member: bool


class EventRef(NamedTuple):
    date: dt.date
    event: str
    label: str
    decision: str


class ParticipantRef(NamedTuple):
    id: int
    code: str
    name: str
    iso2: str
    # The countries its certificates may name as exporting country: its own country, the
    # member states for the EU.
    export_country_ids: frozenset[int]


class Reference:
    """Participants, countries and status events, read in four queries whatever the size of
    what is validated against them."""

    def __init__(
        self,
        *,
        participants: Iterable[ParticipantRef],
        countries: Iterable[CountryRef],
        events: Mapping[int, Sequence[EventRef]],
    ) -> None:
        self.participants: dict[str, ParticipantRef] = {p.code: p for p in participants}
        self.participants_by_id: dict[int, ParticipantRef] = {
            p.id: p for p in self.participants.values()
        }
        self.countries: dict[str, CountryRef] = {c.alpha3: c for c in countries}
        self.countries_by_id: dict[int, CountryRef] = {c.id: c for c in self.countries.values()}
        self.events: dict[int, list[EventRef]] = {pid: list(e) for pid, e in events.items()}
        self.dates: dict[int, list[dt.date]] = {
            pid: [e.date for e in events] for pid, events in self.events.items()
        }
        # A participant whose events never took it out of good standing is in good standing
        # from its first event on: one comparison instead of a search for most of them.
        self.good_since: dict[int, dt.date] = {
            pid: events[0].date
            for pid, events in self.events.items()
            if events and not any(e.event in NOT_IN_GOOD_STANDING for e in events)
        }

    @classmethod
    def load(cls) -> Reference:
        countries = [
            CountryRef(*row)
            for row in Country.objects.order_by().values_list(
                "pk", "alpha3", "alpha2", "name", "is_eu_member"
            )
        ]
        members: dict[int, set[int]] = {}
        for participant_id, country_id in Participant.member_countries.through.objects.values_list(
            "participant_id", "country_id"
        ):
            members.setdefault(participant_id, set()).add(country_id)
        by_alpha3 = {c.alpha3: c.id for c in countries}
        eu_members = frozenset(c.id for c in countries if c.is_eu_member)
        participants = []
        for pk, code, name, iso2, country_id in Participant.objects.order_by().values_list(
            "pk", "code", "name", "iso2", "country_id"
        ):
            allowed = set(members.get(pk, ()))
            if country_id is not None:
                allowed.add(country_id)
            if code == EU_CODE and not allowed:
                allowed = set(eu_members)
            if not allowed and code in by_alpha3:
                # A trading entity has no Participant.country; its territory is the country
                # of the same code.
                allowed.add(by_alpha3[code])
            participants.append(ParticipantRef(pk, code, name, iso2, frozenset(allowed)))
        labels = dict(StatusEvent.Event.choices)
        events: dict[int, list[EventRef]] = {}
        for participant_id, date, event, decision, note in StatusEvent.objects.order_by(
            "participant_id", "date", "id"
        ).values_list("participant_id", "date", "event", "decision", "note"):
            events.setdefault(participant_id, []).append(
                EventRef(date, event, str(labels.get(event, event)), decision or note)
            )
        return cls(participants=participants, countries=countries, events=events)

    def standing(
        self, participant_id: int, date: dt.date
    ) -> tuple[EventRef | None, EventRef | None]:
        """The participant's latest status event on or before `date`, and the next one."""
        events = self.events.get(participant_id)
        if not events:
            return None, None
        index = bisect.bisect_right(self.dates[participant_id], date)
        return (
            events[index - 1] if index else None,
            events[index] if index < len(events) else None,
        )

    def in_good_standing(self, participant_id: int, date: dt.date) -> bool:
        since = self.good_since.get(participant_id)
        if since is not None:
            return date >= since
        current, _next = self.standing(participant_id, date)
        return current is not None and current.event not in NOT_IN_GOOD_STANDING


# --- Shared checks -----------------------------------------------------------------------------


class _Checker:
    """What both validators share: findings, reference look-ups and the cell rules."""

    def __init__(
        self,
        *,
        participant: Participant | None,
        reference: Reference | None,
        today: dt.date | None,
    ) -> None:
        self.ref = reference if reference is not None else Reference.load()
        self.only: ParticipantRef | None = (
            self.ref.participants_by_id.get(participant.pk) if participant is not None else None
        )
        if participant is not None and self.only is None:
            self.only = ParticipantRef(
                participant.pk, participant.code, participant.name, "", frozenset()
            )
        self.today = today or timezone.localdate()
        self.findings: list[Finding] = []
        self._dates: dict[str, dt.date | None] = {}

    def error(self, row: int | None, column: str, code: str, text: str) -> None:
        self.findings.append(Finding(row, column, code, text))

    def required(self, row: int, column: str) -> None:
        self.error(row, column, "required", _("%(column)s is missing.") % {"column": column})

    def unnamed(self, row: int, values: list[str]) -> None:
        self.error(
            row,
            "",
            "unnamed_values",
            _("there are values in cells without a column name: %(values)s.")
            % {"values": ", ".join(f"“{_quoted(v)}”" for v in values)},
        )

    def participant(self, row: int, column: str, code: str) -> ParticipantRef | None:
        """The participant of a code, or None with a finding."""
        found = self.ref.participants.get(code)
        if found is not None:
            return found
        if not code:
            self.required(row, column)
            return None
        country = self.ref.countries.get(code)
        if country is not None and country.is_eu_member:
            text = _(
                "“%(value)s” (%(name)s) is an EU member state, not a participant: the European "
                "Union takes part as one participant under the code EUR."
            ) % {"value": code, "name": country.name}
        elif country is not None:
            text = _("“%(value)s” (%(name)s) is not a KP participant.") % {
                "value": code,
                "name": country.name,
            }
        else:
            text = _(
                "“%(value)s” is not a participant code (ISO 3166-1 alpha-3, or EUR for the "
                "European Union)."
            ) % {"value": _quoted(code)}
        self.error(row, column, "participant_unknown", text)
        return None

    def date(self, row: int, column: str, text: str) -> dt.date | None:
        """An ISO date, or None with a finding. Parsed dates are remembered: a file repeats
        few of them."""
        if text in self._dates:
            found = self._dates[text]
            if found is not None:
                return found
        elif _ISO_DATE.fullmatch(text):
            try:
                found = dt.date.fromisoformat(text)
            except ValueError:
                found = None
            self._dates[text] = found
            if found is not None:
                return found
        if not text:
            self.required(row, column)
        elif _ISO_DATE.fullmatch(text):
            self.error(
                row,
                column,
                "date_invalid",
                _("“%(value)s” is not a date of the calendar.") % {"value": text},
            )
        else:
            self.error(
                row,
                column,
                "date_format",
                _("“%(value)s” is not a date written as YYYY-MM-DD (e.g. 2024-03-31).")
                % {"value": _quoted(text)},
            )
        return None

    def not_in_future(self, row: int, column: str, date: dt.date, what: StrOrPromise) -> bool:
        if date <= self.today:
            return True
        self.error(
            row,
            column,
            "date_in_future",
            _("%(what)s %(date)s is in the future (today is %(today)s).")
            % {"what": what, "date": date.isoformat(), "today": self.today.isoformat()},
        )
        return False

    def amount(self, row: int, column: str, text: str, digits: int) -> Decimal | None:
        """A positive amount with at most two decimals, or None with a finding."""
        if not text:
            self.required(row, column)
            return None
        match = _DECIMAL.fullmatch(text)
        if match is None:
            if _THOUSANDS.fullmatch(text):
                reason = _(
                    "“%(value)s” has thousands separators; write the number without them "
                    "(e.g. 1234567.89)."
                )
            elif _DECIMAL_COMMA.fullmatch(text):
                reason = _("“%(value)s” has a decimal comma; use a point (e.g. 1234.5).")
            else:
                reason = _("“%(value)s” is not a number.")
            self.error(row, column, "amount_format", reason % {"value": _quoted(text)})
            return None
        value = Decimal(text)
        places = match.group(1) or match.group(2) or ""
        if value <= 0:
            self.error(
                row,
                column,
                "amount_not_positive",
                _("“%(value)s” is not above zero; %(column)s must be a positive number.")
                % {"value": text, "column": column},
            )
        elif len(places.rstrip("0")) > 2:
            self.error(
                row,
                column,
                "amount_decimals",
                _("“%(value)s” has more than two decimals.") % {"value": _quoted(text)},
            )
        elif value >= Decimal(10) ** digits:
            self.error(
                row,
                column,
                "amount_too_large",
                _("“%(value)s” is larger than the largest amount the register holds.")
                % {"value": _quoted(text)},
            )
        else:
            return value.quantize(Decimal("0.01"))
        return None

    def standing(
        self, row: int, column: str, who: ParticipantRef, date: dt.date, what: StrOrPromise
    ) -> None:
        """A finding when `who` was not a participant in good standing on `date`."""
        if self.ref.in_good_standing(who.id, date):
            return
        current, following = self.ref.standing(who.id, date)
        values = {
            "code": who.code,
            "name": who.name,
            "date": date.isoformat(),
            "what": what,
        }
        until = ""
        if following is not None:
            until = _("; then %(event)s on %(date)s") % {
                "event": following.label,
                "date": _long_date(following.date),
            }
        rule = _(
            "Certificates are issued only by and to participants in good standing on the date "
            "of issue."
        )
        if current is None:
            if following is None:
                text = _(
                    "%(code)s (%(name)s) has never been admitted to the KPCS and was not a "
                    "participant on %(date)s, %(what)s."
                )
            else:
                text = _(
                    "%(code)s (%(name)s) was not yet a participant on %(date)s, %(what)s%(until)s."
                )
            code = "not_a_participant"
        else:
            values["event"] = current.label
            values["since"] = _long_date(current.date)
            values["decision"] = (
                _(" (%(decision)s)") % {"decision": _quoted_decision(current.decision)}
                if current.decision
                else ""
            )
            if current.event in NOT_A_PARTICIPANT:
                text = _(
                    "%(code)s (%(name)s) was %(event)s on %(since)s%(decision)s; it was not a "
                    "participant on %(date)s, %(what)s%(until)s."
                )
                code = "not_a_participant"
            else:
                text = _(
                    "%(code)s (%(name)s) was %(event)s on %(since)s%(decision)s; it was not in "
                    "good standing on %(date)s, %(what)s%(until)s."
                )
                code = "not_in_good_standing"
        values["until"] = until
        self.error(row, column, code, f"{text % values} {rule}")


def _quoted_decision(text: str) -> str:
    return text if len(text) <= 160 else text[:157] + "…"


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# --- Certificates ------------------------------------------------------------------------------

# Key of a certificate in a batch: (issuing participant code, number) as given, upper-cased.
Key = tuple[str, str]


class _Group:
    """The rows of one certificate in a batch."""

    __slots__ = ("bad", "first_row", "header", "lines", "texts")

    def __init__(self, first_row: int, texts: tuple[str, ...]) -> None:
        self.first_row = first_row
        self.texts = texts
        self.header: tuple[Any, ...] | None = None
        self.lines: dict[str, CleanLine] = {}
        self.bad = False


class CertificateValidator(_Checker):
    """Validate batches of certificate rows for one actor's participant (None: the
    secretariat, which may record for any issuer). Keep one validator for all the batches of
    a file: the reference data is read once."""

    def __init__(
        self,
        *,
        participant: Participant | None = None,
        reference: Reference | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(participant=participant, reference=reference, today=today)
        self._groups: dict[Key, _Group] = {}

    def check(
        self, rows: Iterable[tuple[int, Mapping[str, Any]]], *, continued: Key | None = None
    ) -> CertificateCheck:
        """Check numbered rows (file row number, row dict). All rows of a certificate must be
        in the same batch; `continued` names a certificate whose earlier rows were in the
        previous batch (a file with more rows for one number than a batch holds): its rows
        here are refused."""
        self.findings = []
        self._groups = {}
        count = 0
        for number, raw in rows:
            if self._row(number, raw, continued):
                count += 1
        result = CertificateCheck(rows=count)
        clean = [(key, g) for key, g in self._groups.items() if not g.bad and g.header is not None]
        if clean:
            self._against_stored(clean, result)
        order = {column: i for i, column in enumerate(("", *CERTIFICATE_COLUMNS))}
        self.findings.sort(key=lambda f: (f.row or 0, order.get(f.column, 99)))
        result.findings = self.findings
        self._groups = {}
        return result

    # Row by row

    def _row(self, number: int, raw: Mapping[str, Any], continued: Key | None) -> bool:
        """Check one row and add it to its certificate's group. False for a blank row."""
        cells = _cells(raw, CERTIFICATE_COLUMNS)
        extra = _unnamed(raw)
        if not extra and not any(cells):
            return False
        (
            number_text,
            issuer_code,
            country_code,
            destination_code,
            issued_text,
            expiry_text,
            hs_code,
            carats_text,
            value_text,
            parcels_text,
            origin_code,
            exporter,
            importer,
        ) = cells
        number_text = number_text.upper()
        issuer_code = issuer_code.upper()
        country_code = country_code.upper()
        destination_code = destination_code.upper()
        origin_code = origin_code.upper()
        start = len(self.findings)
        if extra:
            self.unnamed(number, extra)

        texts = (
            number_text,
            issuer_code,
            country_code,
            destination_code,
            issued_text,
            expiry_text,
            origin_code,
            exporter,
            importer,
        )
        key = (issuer_code, number_text)
        group = self._groups.get(key) if number_text else None
        if group is not None:
            # A further HS code of a certificate already seen: its header is the first row's.
            self._agrees(number, group, texts)
            header = group.header
            header_ok = header is not None and len(self.findings) == start
        else:
            header = self._header(number, texts)
            header_ok = len(self.findings) == start
            if number_text:
                group = self._groups[key] = _Group(number, texts)
                if header_ok:
                    group.header = header
        if continued is not None and key == continued and number_text:
            # The earlier rows of this number were in the previous batch: more rows than
            # any certificate has (one per HS code), every one of them refused.
            self.error(
                number,
                "certificate_number",
                "certificate_too_many_rows",
                _(
                    "certificate %(number)s of %(issuer)s has far more rows in this file than "
                    "a certificate can have (one row per HS code)."
                )
                % {"number": number_text, "issuer": issuer_code},
            )
        line = self._line(number, hs_code, carats_text, value_text, parcels_text)
        if group is not None and line is not None:
            first = group.lines.get(line.hs_code)
            if first is not None:
                self.error(
                    number,
                    "hs_code",
                    "hs_code_repeated",
                    _(
                        "certificate %(number)s already has a line for HS code %(hs)s (row "
                        "%(first)s); each HS code appears once on a certificate."
                    )
                    % {"number": number_text, "hs": line.hs_code, "first": first.row},
                )
            else:
                group.lines[line.hs_code] = line
        if group is not None and (len(self.findings) != start or not header_ok):
            group.bad = True
        return True

    def _agrees(self, number: int, group: _Group, texts: tuple[str, ...]) -> None:
        if texts == group.texts:
            return
        for column, first, given in zip(HEADER_COLUMNS, group.texts, texts, strict=True):
            if first != given:
                self.error(
                    number,
                    column,
                    "header_disagrees",
                    _(
                        "this row gives %(column)s “%(given)s” for certificate %(number)s, but "
                        "row %(first_row)s gives “%(first)s”; the rows of one certificate "
                        "differ only in hs_code, carats, value_usd and parcels."
                    )
                    % {
                        "column": column,
                        "given": _quoted(given),
                        "number": group.texts[0],
                        "first_row": group.first_row,
                        "first": _quoted(first),
                    },
                )

    def _header(self, row: int, texts: tuple[str, ...]) -> tuple[Any, ...] | None:
        (
            number_text,
            issuer_code,
            country_code,
            destination_code,
            issued_text,
            expiry_text,
            origin_code,
            exporter,
            importer,
        ) = texts
        start = len(self.findings)
        issuer = self.participant(row, "issuing_participant", issuer_code)
        if issuer is not None and self.only is not None and issuer.id != self.only.id:
            self.error(
                row,
                "issuing_participant",
                "issuer_not_yours",
                _(
                    "%(value)s issued this certificate; an authority records only the "
                    "certificates of its own participant (%(own)s)."
                )
                % {"value": issuer_code, "own": self.only.code},
            )
        destination = self.participant(row, "destination_participant", destination_code)
        if issuer is not None and destination is not None and issuer.id == destination.id:
            self.error(
                row,
                "destination_participant",
                "destination_is_issuer",
                _(
                    "the destination is the issuing participant (%(code)s); a KP certificate "
                    "goes with a shipment to another participant."
                )
                % {"code": issuer_code},
            )
        country = self._exporting_country(row, country_code, issuer)
        self._number(row, number_text, country, issuer)
        issued = self.date(row, "date_issued", issued_text)
        expiry = self.date(row, "date_expiry", expiry_text)
        if issued is not None:
            self.not_in_future(row, "date_issued", issued, _ISSUE)
        if issued is not None and expiry is not None and expiry < issued:
            self.error(
                row,
                "date_expiry",
                "expiry_before_issue",
                _("the date of expiry %(expiry)s is before the date of issue %(issued)s.")
                % {"expiry": expiry.isoformat(), "issued": issued.isoformat()},
            )
        origin_id = self._origin(row, origin_code)
        for column, name in (("exporter", exporter), ("importer", importer)):
            if not name:
                self.required(row, column)
            elif len(name) > MAX_NAME_LENGTH:
                self.error(
                    row,
                    column,
                    "text_too_long",
                    _("the %(column)s's name is longer than %(max)s characters.")
                    % {"column": column, "max": MAX_NAME_LENGTH},
                )
        if issued is not None:
            if issuer is not None:
                self.standing(row, "issuing_participant", issuer, issued, _ISSUE)
            if destination is not None and (issuer is None or destination.id != issuer.id):
                self.standing(row, "destination_participant", destination, issued, _ISSUE)
        if len(self.findings) != start:
            return None
        assert issuer is not None and destination is not None and country is not None
        return (
            issuer.id,
            number_text,
            country.id,
            destination.id,
            issued,
            expiry,
            origin_id,
            exporter,
            importer,
        )

    def _exporting_country(
        self, row: int, code: str, issuer: ParticipantRef | None
    ) -> CountryRef | None:
        if not code:
            self.required(row, "exporting_country")
            return None
        country = self.ref.countries.get(code)
        if country is None:
            self.error(
                row,
                "exporting_country",
                "country_unknown",
                _("“%(value)s” is not an ISO 3166-1 alpha-3 country code.")
                % {"value": _quoted(code)},
            )
            return None
        if issuer is not None and country.id not in issuer.export_country_ids:
            if issuer.code == EU_CODE:
                text = _(
                    "%(value)s (%(name)s) is not an EU member state; EU certificates name the "
                    "member state the shipment leaves."
                ) % {"value": code, "name": country.name}
            else:
                text = _(
                    "%(value)s (%(name)s) is not the country of the issuing participant "
                    "%(issuer)s; a participant's certificates name its own country."
                ) % {"value": code, "name": country.name, "issuer": issuer.code}
            self.error(row, "exporting_country", "country_not_issuers", text)
        return country

    def _number(
        self,
        row: int,
        text: str,
        country: CountryRef | None,
        issuer: ParticipantRef | None,
    ) -> None:
        if not text:
            self.required(row, "certificate_number")
            return
        if len(text) > MAX_NUMBER_LENGTH or not _NUMBER.fullmatch(text):
            self.error(
                row,
                "certificate_number",
                "number_format",
                _(
                    "“%(value)s” is not a certificate number: two letters, then up to 38 "
                    "letters, digits and the separators / . - (no spaces), 40 characters at "
                    "most."
                )
                % {"value": _quoted(text)},
            )
            return
        if country is None:
            return
        prefixes = {country.alpha2}
        if issuer is not None and issuer.code == EU_CODE:
            prefixes.add(issuer.iso2 or "EU")
        if text[:2] not in prefixes:
            self.error(
                row,
                "certificate_number",
                "number_prefix",
                _(
                    "“%(value)s” does not start with %(prefixes)s; a certificate number starts "
                    "with the alpha-2 code of the exporting country %(country)s."
                )
                % {
                    "value": _quoted(text),
                    "prefixes": _(" or ").join(sorted(prefixes)),
                    "country": country.alpha3,
                },
            )

    def _origin(self, row: int, code: str) -> int | None:
        if code == MIXED:
            return None
        if not code:
            self.error(
                row,
                "origin",
                "required",
                _("origin is missing; give the alpha-3 country of origin, or MIXED."),
            )
            return None
        country = self.ref.countries.get(code)
        if country is None:
            self.error(
                row,
                "origin",
                "origin_unknown",
                _("“%(value)s” is neither an ISO 3166-1 alpha-3 country code nor MIXED.")
                % {"value": _quoted(code)},
            )
            return None
        return country.id

    def _line(
        self, row: int, hs_code: str, carats_text: str, value_text: str, parcels_text: str
    ) -> CleanLine | None:
        start = len(self.findings)
        if hs_code not in HS_CODES:
            if not hs_code:
                self.required(row, "hs_code")
            else:
                self.error(
                    row,
                    "hs_code",
                    "hs_code_unknown",
                    _(
                        "“%(value)s” is not a KP HS code; use 7102.10 (unsorted), 7102.21 "
                        "(industrial) or 7102.31 (non-industrial)."
                    )
                    % {"value": _quoted(hs_code)},
                )
        # Plain numbers, the usual case, skip the detailed checks.
        carats: Decimal | None
        if _CARATS.fullmatch(carats_text) and carats_text.strip("0.") != "":
            carats = Decimal(carats_text)
        else:
            carats = self.amount(row, "carats", carats_text, MAX_CARATS_DIGITS)
        value: Decimal | None
        if _VALUE.fullmatch(value_text) and value_text.strip("0.") != "":
            value = Decimal(value_text)
        else:
            value = self.amount(row, "value_usd", value_text, MAX_VALUE_DIGITS)
        parcels = None
        if _WHOLE.fullmatch(parcels_text) and 1 <= int(parcels_text) <= MAX_PARCELS:
            parcels = int(parcels_text)
        elif not parcels_text:
            self.required(row, "parcels")
        else:
            self.error(
                row,
                "parcels",
                "parcels_invalid",
                _("“%(value)s” is not a number of parcels; give a whole number, at least 1.")
                % {"value": _quoted(parcels_text)},
            )
        if len(self.findings) != start:
            return None
        assert carats is not None and value is not None and parcels is not None
        return CleanLine(row, hs_code, carats, value, parcels)

    # Against what is stored

    def _against_stored(self, clean: list[tuple[Key, _Group]], result: CertificateCheck) -> None:
        """New certificates go to `result.certificates`; an identical stored one is left as
        it is; a different stored one with the number is a duplicate."""
        pids = [g.header[0] for _k, g in clean if g.header is not None]
        numbers = [g.header[1] for _k, g in clean if g.header is not None]
        stored: dict[tuple[int, str], tuple[Any, ...]] = {}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT c.id, c.issuing_participant_id, c.number, c.exporting_country_id, "  # noqa: S608 - table names from the models
                "c.destination_participant_id, c.date_issued, c.date_expiry, c.origin_id, "
                "c.exporter, c.importer, c.recorded_at "
                f"FROM {_table(Certificate)} c "
                "JOIN unnest(%s::bigint[], %s::text[]) AS k(pid, num) "
                "ON c.issuing_participant_id = k.pid AND c.number = k.num",
                [pids, numbers],
            )
            for found in cursor.fetchall():
                stored[(found[1], found[2])] = found
        lines: dict[int, dict[str, tuple[Decimal, Decimal, int]]] = {}
        if stored:
            ids = [found[0] for found in stored.values()]
            for certificate_id, hs_code, carats, value, parcels in CertificateLine.objects.filter(
                certificate_id__in=ids
            ).values_list("certificate_id", "hs_code", "carats", "value_usd", "parcels"):
                lines.setdefault(certificate_id, {})[hs_code] = (carats, value, parcels)
        for _key, group in clean:
            header = group.header
            assert header is not None
            found = stored.get((header[0], header[1]))
            ordered = sorted(group.lines.values())
            if found is None:
                result.certificates.append(
                    CleanCertificate._make((group.first_row, *header, ordered))
                )
                continue
            differ = [
                column
                for column, index in _COMPARED_HEADER
                if found[index] != header[_HEADER_INDEX[column]]
            ]
            given = {line.hs_code: (line.carats, line.value_usd, line.parcels) for line in ordered}
            if given != lines.get(found[0], {}):
                differ.append(_("HS codes, carats, values or parcels"))
            if not differ:
                result.unchanged_ids.append(found[0])
                continue
            self.error(
                group.first_row,
                "certificate_number",
                "duplicate_number",
                _(
                    "%(issuer)s already recorded certificate %(number)s on %(recorded)s, "
                    "differing from this one in %(columns)s; a certificate number is used once "
                    "(re-sending the same certificate changes nothing)."
                )
                % {
                    "issuer": self.ref.participants_by_id[header[0]].code,
                    "number": header[1],
                    "recorded": _long_date(timezone.localtime(found[10]).date()),
                    "columns": ", ".join(differ),
                },
            )


# (column, position in the stored row) for the header fields compared with a stored certificate.
_COMPARED_HEADER: tuple[tuple[str, int], ...] = (
    ("exporting_country", 3),
    ("destination_participant", 4),
    ("date_issued", 5),
    ("date_expiry", 6),
    ("origin", 7),
    ("exporter", 8),
    ("importer", 9),
)
# Position of each header field in the tuple CertificateValidator._header builds.
_HEADER_INDEX: dict[str, int] = {
    "exporting_country": 2,
    "destination_participant": 3,
    "date_issued": 4,
    "date_expiry": 5,
    "origin": 6,
    "exporter": 7,
    "importer": 8,
}


# --- Import confirmations ----------------------------------------------------------------------


def carats_differ(received: Decimal, certificate: Decimal) -> bool:
    """Carats received differ from the certificate's by more than the tolerance (a fraction
    of the certificate's carats, settings.CERTIFICATE_CARATS_TOLERANCE)."""
    tolerance = Decimal(str(settings.CERTIFICATE_CARATS_TOLERANCE))
    return abs(received - certificate) > certificate * tolerance


class ConfirmationValidator(_Checker):
    """Validate batches of import confirmation rows for one actor's participant (None: the
    secretariat)."""

    def __init__(
        self,
        *,
        participant: Participant | None = None,
        reference: Reference | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(participant=participant, reference=reference, today=today)

    def check(
        self, rows: Iterable[tuple[int, Mapping[str, Any]]], *, continued: Key | None = None
    ) -> ConfirmationCheck:
        self.findings = []
        seen: dict[Key, int] = {}
        # (row, issuer, number, confirming participant, date received, carats)
        good: list[tuple[int, ParticipantRef, str, ParticipantRef, dt.date, Decimal]] = []
        count = 0
        for number, raw in rows:
            cells = _cells(raw, CONFIRMATION_COLUMNS)
            extra = _unnamed(raw)
            if not extra and not any(cells):
                continue
            count += 1
            start = len(self.findings)
            if extra:
                self.unnamed(number, extra)
            number_text, issuer_code, confirming_code, received_text, carats_text = cells
            number_text = number_text.upper()
            issuer_code = issuer_code.upper()
            confirming_code = confirming_code.upper()
            if not number_text:
                self.required(number, "certificate_number")
            issuer = self.participant(number, "issuing_participant", issuer_code)
            confirming = self.participant(number, "confirming_participant", confirming_code)
            if confirming is not None and self.only is not None and confirming.id != self.only.id:
                self.error(
                    number,
                    "confirming_participant",
                    "confirming_not_yours",
                    _(
                        "%(value)s is not your participant (%(own)s); an authority confirms "
                        "only the shipments its own participant received."
                    )
                    % {"value": confirming_code, "own": self.only.code},
                )
            received = self.date(number, "date_received", received_text)
            if received is not None:
                self.not_in_future(number, "date_received", received, _RECEIVED)
            carats = self.amount(number, "carats", carats_text, MAX_CARATS_DIGITS)
            key = (issuer_code, number_text)
            if number_text:
                first = seen.get(key)
                if first is not None or (continued is not None and key == continued):
                    self.error(
                        number,
                        "certificate_number",
                        "confirmation_repeated",
                        _(
                            "certificate %(number)s of %(issuer)s is confirmed again (row "
                            "%(first)s); a file confirms each certificate once."
                        )
                        % {"number": number_text, "issuer": issuer_code, "first": first or "—"},
                    )
                else:
                    seen[key] = number
            if len(self.findings) == start:
                assert issuer is not None and confirming is not None
                assert received is not None and carats is not None
                good.append((number, issuer, number_text, confirming, received, carats))
        result = ConfirmationCheck(rows=count)
        if good:
            self._against_stored(good, result)
        order = {column: i for i, column in enumerate(("", *CONFIRMATION_COLUMNS))}
        self.findings.sort(key=lambda f: (f.row or 0, order.get(f.column, 99)))
        result.findings = self.findings
        return result

    def _against_stored(
        self,
        good: list[tuple[int, ParticipantRef, str, ParticipantRef, dt.date, Decimal]],
        result: ConfirmationCheck,
    ) -> None:
        stored: dict[tuple[int, str], tuple[Any, ...]] = {}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.id, c.issuing_participant_id, c.number, c.destination_participant_id, "  # noqa: S608 - table names from the models
                "c.date_issued, c.status, c.carats, ic.confirming_participant_id, "
                "ic.date_received, ic.carats "
                f"FROM {_table(Certificate)} c "
                "JOIN unnest(%s::bigint[], %s::text[]) AS k(pid, num) "
                "ON c.issuing_participant_id = k.pid AND c.number = k.num "
                f"LEFT JOIN {_table(ImportConfirmation)} ic ON ic.certificate_id = c.id",
                [[g[1].id for g in good], [g[2] for g in good]],
            )
            for found in cursor.fetchall():
                stored[(found[1], found[2])] = found
        for row, issuer, number, confirming, received, carats in good:
            found = stored.get((issuer.id, number))
            if found is None:
                self.error(
                    row,
                    "certificate_number",
                    "certificate_unknown",
                    _(
                        "%(issuer)s has recorded no certificate %(number)s; check the number "
                        "and the issuing participant."
                    )
                    % {"issuer": issuer.code, "number": number},
                )
                continue
            (
                certificate_id,
                _pid,
                _num,
                destination_id,
                issued,
                status,
                certificate_carats,
                confirmed_by,
                confirmed_on,
                confirmed_carats,
            ) = found
            start = len(self.findings)
            if confirmed_by is not None:
                if (confirmed_by, confirmed_on, confirmed_carats) == (
                    confirming.id,
                    received,
                    carats,
                ):
                    result.unchanged_ids.append(certificate_id)
                else:
                    self.error(
                        row,
                        "certificate_number",
                        "already_confirmed",
                        _(
                            "certificate %(number)s of %(issuer)s was already confirmed by "
                            "%(by)s (received on %(on)s, %(carats)s ct); a certificate is "
                            "confirmed once."
                        )
                        % {
                            "number": number,
                            "issuer": issuer.code,
                            "by": self.ref.participants_by_id[confirmed_by].code,
                            "on": confirmed_on.isoformat(),
                            "carats": _amount(confirmed_carats),
                        },
                    )
                continue
            if status == Certificate.Status.VOID:
                self.error(
                    row,
                    "certificate_number",
                    "certificate_void",
                    _(
                        "certificate %(number)s of %(issuer)s is void (lost, stolen or "
                        "cancelled); a void certificate cannot be confirmed."
                    )
                    % {"number": number, "issuer": issuer.code},
                )
            if destination_id != confirming.id:
                self.error(
                    row,
                    "confirming_participant",
                    "not_destination",
                    _(
                        "certificate %(number)s of %(issuer)s was issued for %(destination)s, "
                        "not %(confirming)s; only the destination confirms a certificate."
                    )
                    % {
                        "number": number,
                        "issuer": issuer.code,
                        "destination": self.ref.participants_by_id[destination_id].code,
                        "confirming": confirming.code,
                    },
                )
            if received < issued:
                self.error(
                    row,
                    "date_received",
                    "received_before_issue",
                    _(
                        "the date received %(received)s is before the date of issue "
                        "%(issued)s of certificate %(number)s."
                    )
                    % {
                        "received": received.isoformat(),
                        "issued": issued.isoformat(),
                        "number": number,
                    },
                )
            if len(self.findings) != start:
                continue
            result.confirmations.append(
                CleanConfirmation(
                    row,
                    certificate_id,
                    number,
                    issuer.id,
                    destination_id,
                    confirming.id,
                    received,
                    carats,
                    certificate_carats,
                    carats_differ(carats, certificate_carats),
                )
            )
