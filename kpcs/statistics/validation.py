"""The one validation of statistics rows, whatever way they come in (CSV or XLSX upload, the
browser grid, the JSON API, the secretariat's historical import).

Every entry path turns its input into plain row dicts keyed by the FORMATS.md §1 column names
(`participant`, `year`, `period`, `flow`, `partner`, `hs_code`, `carats`, `value_usd`,
`certificates`; values as text, or numbers from XLSX/JSON) and calls `validate_rows`. It
answers with findings and the typed rows that passed:

- errors block: the figures cannot be stored as they are;
- warnings need a written explanation before a participant submits (the historical import
  only reports them).

Row numbers follow the spreadsheet convention and never change: the header is row 1, so
`rows[0]` is row 2, `rows[i]` is row `i + 2`. Readers keep blank rows in the list (they are
skipped here without a finding) so a number always points at the same line in the file. Input
without a header (grid, JSON) is numbered as if it had been written under one.

Validation runs a constant number of queries whatever the number of rows: the participants,
their status events and the stored figures it compares with (the declared opening stock
among them) are read once per call.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import models
from django.db.models import F, Q, Sum, Value
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kpcs.participants.models import Country, Participant, StatusEvent
from kpcs.participants.selectors import Standing
from kpcs.statistics.models import (
    DATASET_PERIODS,
    Dataset,
    HSCode,
    Period,
    ProductionRecord,
    StockDeclaration,
    Submission,
    TradeRecord,
)

# --- The contract (FORMATS.md §1) -----------------------------------------------------------

HEADER: tuple[str, ...] = (
    "participant",
    "year",
    "period",
    "flow",
    "partner",
    "hs_code",
    "carats",
    "value_usd",
    "certificates",
)
PRODUCTION = "production"
IMPORT = "import"
EXPORT = "export"
FLOWS: tuple[str, ...] = (PRODUCTION, IMPORT, EXPORT)
HS_CODES: frozenset[str] = frozenset(HSCode.values)
PERIODS: frozenset[str] = frozenset(Period.values)
SUB_PERIODS: dict[str, frozenset[str]] = {
    Dataset.PRODUCTION: frozenset({Period.H1, Period.H2}),
    Dataset.TRADE: frozenset({Period.Q1, Period.Q2, Period.Q3, Period.Q4}),
}

ERROR = "error"
WARNING = "warning"

# The KPCS started in January 2003: there are no KP statistics for earlier years.
FIRST_YEAR = 2003


def _largest(name: str) -> Decimal:
    """The largest figure a trade record's DecimalField holds (production's are the same)."""
    model_field = TradeRecord._meta.get_field(name)
    assert isinstance(model_field, models.DecimalField)
    places = model_field.decimal_places or 0
    digits = model_field.max_digits or 0
    return Decimal(10) ** (digits - places) - Decimal(1).scaleb(-places)


# The largest figures the database holds: anything above is a typo.
MAX_CARATS = _largest("carats")
MAX_VALUE_USD = _largest("value_usd")
# PositiveIntegerField on PostgreSQL.
MAX_CERTIFICATES = 2_147_483_647
DECIMAL_PLACES = 2

# --- Warning thresholds ----------------------------------------------------------------------

# A participant's unit value ($/ct) for a flow and HS code is compared with the median of its
# own yearly unit values over the previous three years of accepted data. Rough-diamond prices
# move by tens of per cent in a year, not by a factor of three: beyond ×3 or ÷3 the likely
# causes are a slipped decimal, carats and dollars swapped, or a wrong HS code.
UNIT_VALUE_HISTORY_YEARS = 3
UNIT_VALUE_HISTORY_FACTOR = Decimal(3)
# Unit values across all participants for one HS code and year spread wider than one
# participant's own over time (an assortment of gem-quality Botswana goods and one of boart
# are both 7102.10), so the band around the world average is wider.
UNIT_VALUE_WORLD_FACTOR = Decimal(5)
# Below this many carats a row is a sample or a single stone, whose $/ct says nothing.
UNIT_VALUE_MIN_CARATS = Decimal(100)
# Period-on-period: more than +200 % (three times the previous period's figure) or a fall
# to less than a third is what the WGS asks about. Small bases are left alone, because a jump
# from 10 to 40 carats is noise.
JUMP_FACTOR = Decimal(3)
JUMP_MIN_CARATS = Decimal(1_000)
JUMP_MIN_VALUE_USD = Decimal(100_000)
# Exports above production, imports and the declared opening stock for the year: valuation,
# rounding and stock nobody declared make small gaps normal; beyond 10 % the WGS asks where
# the diamonds came from.
SUPPLY_GAP_MARGIN = Decimal("0.10")
# One certificate covers one shipment; a shipment five times larger than the participant's
# usual (median carats per certificate over the previous three years) suggests the count of
# certificates is missing rows or the carats are wrong.
CARATS_PER_CERTIFICATE_FACTOR = Decimal(5)

# Statuses whose figures count as "accepted data" for history and averages.
ACCEPTED_STATUSES = (Submission.Status.ACCEPTED, Submission.Status.PUBLISHED)

_PERIOD_DATES: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    Period.YEAR: ((1, 1), (12, 31)),
    Period.H1: ((1, 1), (6, 30)),
    Period.H2: ((7, 1), (12, 31)),
    Period.Q1: ((1, 1), (3, 31)),
    Period.Q2: ((4, 1), (6, 30)),
    Period.Q3: ((7, 1), (9, 30)),
    Period.Q4: ((10, 1), (12, 31)),
}
# The period before each period, as (years back, period).
_PREVIOUS_PERIOD: dict[str, tuple[int, str]] = {
    Period.YEAR: (1, Period.YEAR),
    Period.H1: (1, Period.H2),
    Period.H2: (0, Period.H1),
    Period.Q1: (1, Period.Q4),
    Period.Q2: (0, Period.Q1),
    Period.Q3: (0, Period.Q2),
    Period.Q4: (0, Period.Q3),
}

_YEAR = re.compile(r"\d{4}")
# Digits before the point that always fit under MAX_CARATS / MAX_VALUE_USD.
_PLAIN_CARATS = re.compile(r"\d{1,12}(?:\.\d{0,2})?")
_PLAIN_VALUE = re.compile(r"\d{1,14}(?:\.\d{0,2})?")
_DECIMAL = re.compile(r"\d+(?:\.(\d*))?")
_WHOLE = re.compile(r"\d+")
_THOUSANDS = re.compile(r"\d{1,3}(?:[,  '’ ]\d{3})+(?:\.\d*)?")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")
_NOT_FINITE = frozenset({"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})


# --- What validation answers -----------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A problem in the input. `row_number` follows the spreadsheet convention (header = 1,
    first data row = 2) and is None for the file as a whole; `column` is a FORMATS.md column
    name, or "" when the finding is about a whole row or the file."""

    rule: str
    severity: str
    row_number: int | None
    column: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


class CleanRow(NamedTuple):
    """A row that passed every error rule, with typed values. `partner` and `hs_code` are ""
    and `certificates` None for production; `dataset` is production or trade. (A named tuple:
    a 100,000-row file makes as many.)"""

    row_number: int
    participant: str
    participant_id: int
    year: int
    period: str
    flow: str
    partner: str
    partner_id: int | None
    hs_code: str
    carats: Decimal
    value_usd: Decimal
    certificates: int | None
    dataset: str

    @property
    def submission_key(self) -> tuple[int, int, str, str]:
        """(participant id, year, dataset, period): the Submission these figures belong to."""
        return (self.participant_id, self.year, self.dataset, self.period)


@dataclass
class ValidationResult:
    findings: list[Finding] = field(default_factory=list)
    rows: list[CleanRow] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def is_valid(self) -> bool:
        return not any(f.severity == ERROR for f in self.findings)


@dataclass(frozen=True)
class ValidationContext:
    """What validation compares with. `today` bounds the year (defaults to the local date);
    without `compare_with_stored`, stored figures are ignored (no conflicts with stored
    periods, no history for warnings)."""

    today: dt.date | None = None
    compare_with_stored: bool = True


class StatisticsRejected(Exception):
    """Input refused: carries every finding (errors, and warnings found on the way)."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        super().__init__("; ".join(f.message for f in self.errors[:5]))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]


# --- Messages ----------------------------------------------------------------------------------


def located(row_number: int | None, column: str, text: str) -> str:
    """Prefix a message with where it points: "Row 7, column carats: …"."""
    if row_number is None:
        return text
    if column:
        return _("Row %(row)s, column %(column)s: %(text)s") % {
            "row": row_number,
            "column": column,
            "text": text,
        }
    return _("Row %(row)s: %(text)s") % {"row": row_number, "text": text}


def _quoted(value: str) -> str:
    """The value as given, cut short so one absurd cell cannot flood a report."""
    return value if len(value) <= 40 else value[:37] + "…"


def _amount(value: Decimal, places: int = 2) -> str:
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def _period_label(year: int, period: str) -> str:
    return str(year) if period == Period.YEAR else f"{year} {period}"


def _column_noun(column: str) -> str:
    if column == "carats":
        return _("carats")
    if column == "value_usd":
        return _("values in US$")
    return _("numbers of certificates")


def _flow_noun(flow: str) -> str:
    # One look-up per message, not one per flow: a large file can give thousands of them.
    if flow == PRODUCTION:
        return _("production")
    if flow == IMPORT:
        return _("imports")
    return _("exports")


def header_findings(header: Sequence[str]) -> list[Finding]:
    """Problems with a file's header row (row 1): missing or repeated FORMATS.md columns.
    Extra columns are allowed (FORMATS.md: "the system may accept more") and ignored; they
    are named when columns are missing, because a misspelt name is the usual cause."""
    names = [name for name in header if name]
    missing = [column for column in HEADER if column not in names]
    unexpected = [name for name in names if name not in HEADER]
    repeated = sorted({name for name in names if name in HEADER and names.count(name) > 1})
    findings = []
    if missing:
        if len(names) == 1 and ";" in names[0]:
            text = _(
                "the header is separated by semicolons; the file must be comma separated "
                "(columns: %(expected)s)."
            ) % {"expected": ", ".join(HEADER)}
        elif unexpected:
            text = _(
                "the header lacks the columns %(missing)s and has columns the format does not "
                "know: %(unexpected)s (expected: %(expected)s)."
            ) % {
                "missing": ", ".join(missing),
                "unexpected": ", ".join(_quoted(n) for n in unexpected),
                "expected": ", ".join(HEADER),
            }
        else:
            text = _("the header lacks the columns %(missing)s (expected: %(expected)s).") % {
                "missing": ", ".join(missing),
                "expected": ", ".join(HEADER),
            }
        findings.append(Finding("header", ERROR, 1, "", located(1, "", text)))
    if repeated:
        text = _("the header names the column %(columns)s more than once.") % {
            "columns": ", ".join(repeated)
        }
        findings.append(Finding("header", ERROR, 1, "", located(1, "", text)))
    return findings


# --- Reference data, read once ------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as text: CSV gives strings; XLSX and JSON may give numbers."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    return str(value).strip()


class _PeriodStanding:
    """A participant's standing over one period: at its start and after each change in it."""

    __slots__ = ("first_not_in_good_standing", "last", "was_in_good_standing", "was_participant")

    def __init__(self, standings: Sequence[Standing]) -> None:
        self.was_participant = any(s.is_participant for s in standings)
        self.was_in_good_standing = any(s.in_good_standing for s in standings)
        self.first_not_in_good_standing = next(
            (s for s in standings if not s.in_good_standing), None
        )
        self.last = standings[-1]


class _Reference:
    """Participants, countries and status events, read in three queries; standings per
    period are derived from the events in memory (the rule of participant_standing_on: the
    latest event on or before a date)."""

    def __init__(self) -> None:
        self.participants: dict[str, int] = dict(
            Participant.objects.values_list("code", "pk").order_by()
        )
        self.countries: dict[str, tuple[str, bool]] = {
            alpha3: (name, is_eu)
            for alpha3, name, is_eu in Country.objects.values_list(
                "alpha3", "name", "is_eu_member"
            ).order_by()
        }
        self.events: dict[int, list[StatusEvent]] = defaultdict(list)
        for event in StatusEvent.objects.order_by("participant_id", "date", "id"):
            self.events[event.participant_id].append(event)
        self.dates = {pk: [e.date for e in events] for pk, events in self.events.items()}
        self._periods: dict[tuple[int, int, str], _PeriodStanding] = {}
        self._admitted: dict[tuple[int, int, str], bool] = {}

    def was_participant(self, participant_id: int, year: int, period: str) -> bool:
        """A participant at some time in the period."""
        key = (participant_id, year, period)
        found = self._admitted.get(key)
        if found is None:
            found = self._admitted[key] = self.period_standing(
                participant_id, year, period
            ).was_participant
        return found

    def period_standing(self, participant_id: int, year: int, period: str) -> _PeriodStanding:
        key = (participant_id, year, period)
        found = self._periods.get(key)
        if found is None:
            (start_month, start_day), (end_month, end_day) = _PERIOD_DATES[period]
            start = dt.date(year, start_month, start_day)
            end = dt.date(year, end_month, end_day)
            events = self.events.get(participant_id, [])
            dates = self.dates.get(participant_id, [])
            first = bisect.bisect_right(dates, start)
            last = bisect.bisect_right(dates, end)
            found = _PeriodStanding(
                (
                    Standing(date=start, event=events[first - 1] if first else None),
                    *(Standing(date=e.date, event=e) for e in events[first:last]),
                )
            )
            self._periods[key] = found
        return found


# --- Row by row ---------------------------------------------------------------------------------

_FLOW_DATASET = {PRODUCTION: Dataset.PRODUCTION, IMPORT: Dataset.TRADE, EXPORT: Dataset.TRADE}
_FLOW_PERIODS = {
    flow: frozenset(str(p) for p in DATASET_PERIODS[dataset])
    for flow, dataset in _FLOW_DATASET.items()
}


class _Validator:
    def __init__(
        self, *, participant: Participant | None, context: ValidationContext, ref: _Reference
    ) -> None:
        self.only = participant.code if participant is not None else None
        self.context = context
        self.last_year = (context.today or timezone.localdate()).year
        self.years = {str(y): y for y in range(FIRST_YEAR, self.last_year + 1)}
        self.ref = ref
        self.findings: list[Finding] = []
        self.errors = 0
        self.rows: list[CleanRow] = []
        self.keys: dict[tuple[str, int, str, str, str, str], int] = {}
        # (participant id, year, flow) -> period -> first row reporting it
        self.periods: dict[tuple[int, int, str], dict[str, int]] = defaultdict(dict)
        self.codes: dict[int, str] = {}
        self.good_heads: dict[
            tuple[str, str, str, str], tuple[int | None, int | None, str, str]
        ] = {}
        self.good_partners: dict[tuple[str, int | None, str], int] = {}

    def error(self, rule: str, row: int | None, column: str, text: str) -> None:
        self.errors += 1
        self.findings.append(Finding(rule, ERROR, row, column, located(row, column, text)))

    def warning(self, rule: str, row: int | None, column: str, text: str) -> None:
        self.findings.append(Finding(rule, WARNING, row, column, located(row, column, text)))

    def row(self, number: int, raw: Mapping[str, Any]) -> None:
        """Check one row; keep it as a CleanRow if it has no error. The common case (a good
        row) costs a few dict look-ups and regular expressions; explanations are built only
        for what is wrong."""
        given: list[Any] = [raw.get(column) for column in HEADER]
        try:  # CSV gives text: the usual case, made cheap
            cells: list[str] = [cell.strip() for cell in given]
        except AttributeError:  # numbers (XLSX, JSON) or absent cells
            cells = [_text(cell) for cell in given]
        (
            code,
            year_text,
            period_text,
            flow_text,
            partner,
            hs_code,
            carats_text,
            value_text,
            certificates_text,
        ) = cells
        code = code.upper()
        partner = partner.upper()
        unnamed = raw.get("")
        extra = [v for v in map(_text, unnamed) if v] if unnamed else []
        if not any(cells) and not extra:
            return  # a blank line: nothing to say, nothing to keep
        start = self.errors
        if extra:
            self.error(
                "row_length",
                number,
                "",
                _("there are values in cells without a column name: %(values)s.")
                % {"values": ", ".join(f"“{_quoted(v)}”" for v in extra)},
            )

        # Who, when and which flow: a file repeats few combinations, so a good one is
        # checked once and then looked up.
        head_key = (code, year_text, period_text, flow_text)
        head = self.good_heads.get(head_key)
        if head is None:
            head = self.head(number, code, year_text, period_text, flow_text)
            if self.errors == start:
                self.good_heads[head_key] = head
        participant_id, year, period, flow = head

        partner_id: int | None = None
        certificates: int | None = None
        if flow == PRODUCTION:
            if partner or hs_code or certificates_text:
                self.production_extras(number, partner, hs_code, certificates_text)
        elif flow:
            partner_id = self.good_partners.get((partner, year, period))
            if partner_id is None or partner == code:
                partner_id = self.partner(number, code, partner, year, period)
            if hs_code not in HS_CODES:
                self.hs_code_problem(number, hs_code)
            if _WHOLE.fullmatch(certificates_text) and len(certificates_text) < 10:
                certificates = int(certificates_text)
            else:
                certificates = self.certificates_problem(number, certificates_text)

        # Plain numbers that cannot exceed the limits skip the detailed checks.
        if _PLAIN_CARATS.fullmatch(carats_text):
            carats: Decimal | None = Decimal(carats_text)
        else:
            carats = self.decimal(number, "carats", carats_text, MAX_CARATS)
        if _PLAIN_VALUE.fullmatch(value_text):
            value_usd: Decimal | None = Decimal(value_text)
        else:
            value_usd = self.decimal(number, "value_usd", value_text, MAX_VALUE_USD)
        if carats == 0 and value_usd:
            self.error(
                "value_without_carats",
                number,
                "value_usd",
                _("“%(value)s” US$ for 0 carats; a value needs carats.") % {"value": value_text},
            )

        if self.errors != start:
            return
        # Only reachable when every column passed.
        assert participant_id is not None and year is not None
        assert carats is not None and value_usd is not None
        key = (code, year, period, flow, partner, hs_code)
        first = self.keys.get(key)
        if first is not None:
            self.error(
                "duplicate_row",
                number,
                "",
                _(
                    "the same participant, year, period, flow, partner and HS code as row "
                    "%(first)s; each combination is given once."
                )
                % {"first": first},
            )
            return
        self.keys[key] = number
        self.periods[(participant_id, year, flow)].setdefault(period, number)
        self.codes[participant_id] = code
        self.rows.append(
            CleanRow._make(  # skips the keyword handling of CleanRow(...): same tuple
                (
                    number,
                    code,
                    participant_id,
                    year,
                    period,
                    flow,
                    partner,
                    partner_id,
                    hs_code,
                    carats,
                    value_usd,
                    certificates,
                    _FLOW_DATASET[flow],
                )
            )
        )

    def head(
        self, number: int, code: str, year_text: str, period_text: str, flow_text: str
    ) -> tuple[int | None, int | None, str, str]:
        """The participant id, year, period and flow of a row ("" or None where wrong)."""
        participant_id = self.ref.participants.get(code)
        if participant_id is None or (self.only is not None and code != self.only):
            self.participant_problem(number, code, participant_id)
        year = self.years.get(year_text)
        if year is None:
            self.year_problem(number, year_text)
        flow = flow_text if flow_text in _FLOW_DATASET else flow_text.lower()
        if flow not in _FLOW_DATASET:
            self.flow_problem(number, flow_text)
            flow = ""
        period = period_text.upper()
        if period not in PERIODS:
            self.error(
                "period_unknown",
                number,
                "period",
                _("“%(value)s” is not a period; use Y, H1, H2 or Q1 to Q4.")
                % {"value": _quoted(period_text)}
                if period_text
                else _("the period is missing; use Y, H1, H2 or Q1 to Q4."),
            )
            period = ""
        elif flow and period not in _FLOW_PERIODS[flow]:
            self.period_flow_problem(number, flow, period)
            period = ""
        if (
            participant_id is not None
            and year is not None
            and period
            and not self.ref.was_participant(participant_id, year, period)
        ):
            self.error(
                "participant_not_admitted",
                number,
                "participant",
                _("%(code)s was not a participant in %(period)s (%(standing)s).")
                % {
                    "code": code,
                    "period": _period_label(year, period),
                    "standing": self.ref.period_standing(participant_id, year, period).last.label,
                },
            )

        return participant_id, year, period, flow

    # What is wrong, said for a person

    def unknown_code(self, rule: str, row: int, column: str, code: str) -> None:
        country = self.ref.countries.get(code)
        if country and country[1]:
            text = _(
                "“%(value)s” (%(name)s) is an EU member state, not a participant: the "
                "European Union takes part as one participant under the code EUR."
            ) % {"value": code, "name": country[0]}
        elif country:
            text = _("“%(value)s” (%(name)s) is not a KP participant.") % {
                "value": code,
                "name": country[0],
            }
        else:
            text = _(
                "“%(value)s” is not a participant code (ISO 3166-1 alpha-3, or EUR for the "
                "European Union)."
            ) % {"value": _quoted(code)}
        self.error(rule, row, column, text)

    def participant_problem(self, row: int, code: str, participant_id: int | None) -> None:
        if not code:
            self.error("participant_missing", row, "participant", _("the participant is missing."))
        elif participant_id is None:
            self.unknown_code("participant_unknown", row, "participant", code)
        else:
            self.error(
                "participant_not_yours",
                row,
                "participant",
                _("“%(value)s” is not the participant these figures are reported for (%(own)s).")
                % {"value": code, "own": self.only},
            )

    def year_problem(self, row: int, text: str) -> None:
        if not text:
            self.error("year_format", row, "year", _("the year is missing."))
        elif not _YEAR.fullmatch(text):
            self.error(
                "year_format",
                row,
                "year",
                _("“%(value)s” is not a year; write four digits (e.g. 2019).")
                % {"value": _quoted(text)},
            )
        else:
            self.error(
                "year_range",
                row,
                "year",
                _("%(value)s is outside %(first)s–%(last)s (the KPCS started in %(first)s).")
                % {"value": text, "first": FIRST_YEAR, "last": self.last_year},
            )

    def flow_problem(self, row: int, text: str) -> None:
        self.error(
            "flow_unknown",
            row,
            "flow",
            _("“%(value)s” is not a flow; use production, import or export.")
            % {"value": _quoted(text)}
            if text
            else _("the flow is missing; use production, import or export."),
        )

    def period_flow_problem(self, row: int, flow: str, period: str) -> None:
        if flow == PRODUCTION:
            text = _(
                "“%(value)s” is not a production period; production is reported as Y, H1 or H2."
            )
        else:
            text = _("“%(value)s” is not a trade period; trade is reported as Y or Q1 to Q4.")
        self.error("period_flow", row, "period", text % {"value": period})

    def production_extras(self, row: int, partner: str, hs_code: str, certificates: str) -> None:
        if partner:
            self.error(
                "partner_unexpected",
                row,
                "partner",
                _("“%(value)s”: production has no partner; leave the cell empty.")
                % {"value": _quoted(partner)},
            )
        if hs_code:
            self.error(
                "hs_code_unexpected",
                row,
                "hs_code",
                _("“%(value)s”: production is reported without HS code; leave the cell empty.")
                % {"value": _quoted(hs_code)},
            )
        if certificates:
            self.error(
                "certificates_unexpected",
                row,
                "certificates",
                _(
                    "“%(value)s”: production is reported without a number of certificates; "
                    "leave the cell empty."
                )
                % {"value": _quoted(certificates)},
            )

    def hs_code_problem(self, row: int, hs_code: str) -> None:
        if not hs_code:
            self.error(
                "hs_code_missing",
                row,
                "hs_code",
                _("the HS code is missing; use 7102.10, 7102.21 or 7102.31."),
            )
        else:
            self.error(
                "hs_code_invalid",
                row,
                "hs_code",
                _(
                    "“%(value)s” is not a rough-diamond HS code; use 7102.10 (unsorted), "
                    "7102.21 (industrial) or 7102.31 (non-industrial)."
                )
                % {"value": _quoted(hs_code)},
            )

    def partner(
        self, row: int, code: str, partner: str, year: int | None, period: str
    ) -> int | None:
        """The partner's id, or None with an error saying why it cannot be one (a warning
        when it was in good standing for part of the period only)."""
        partner_id = self.ref.participants.get(partner)
        column = "partner"
        if not partner:
            self.error(
                "partner_missing",
                row,
                column,
                _("the partner is missing; imports and exports name the other participant."),
            )
            return None
        if partner_id is None:
            self.unknown_code("partner_unknown", row, column, partner)
            return None
        if partner == code:
            self.error(
                "partner_self",
                row,
                column,
                _("“%(value)s” is the reporting participant itself; trade is with another one.")
                % {"value": partner},
            )
            return None
        if year is None or not period:
            return partner_id
        standing = self.ref.period_standing(partner_id, year, period)
        if standing.first_not_in_good_standing is None:
            self.good_partners[(partner, year, period)] = partner_id
            return partner_id
        label = _period_label(year, period)
        if not standing.was_in_good_standing:
            self.error(
                "partner_not_in_good_standing",
                row,
                column,
                _(
                    "%(value)s was not a participant in good standing at any time in "
                    "%(period)s (%(standing)s); KP trade with it was not possible."
                )
                % {"value": partner, "period": label, "standing": standing.last.label},
            )
            return None
        bad = standing.first_not_in_good_standing
        assert bad is not None
        self.warning(
            "partner_standing_partial",
            row,
            column,
            _(
                "%(value)s was not in good standing for part of %(period)s (%(standing)s from "
                "%(date)s); only trade while it was in good standing was legitimate."
            )
            % {
                "value": partner,
                "period": label,
                "standing": bad.label,
                "date": bad.date.isoformat(),
            },
        )
        return partner_id

    def certificates_problem(self, row: int, raw: str) -> int | None:
        column = "certificates"
        if raw == "":
            self.error(
                "certificates_missing",
                row,
                column,
                _("the number of KP certificates is missing; trade rows give it."),
            )
        elif _WHOLE.fullmatch(raw):
            if int(raw) <= MAX_CERTIFICATES:
                return int(raw)
            self.too_large(row, column, raw, MAX_CERTIFICATES)
        elif _DECIMAL.fullmatch(raw):
            self.error(
                "certificates_not_whole",
                row,
                column,
                _("“%(value)s” is not a whole number of certificates.") % {"value": _quoted(raw)},
            )
        else:
            self.number_problem(row, column, raw)
        return None

    def decimal(self, row: int, column: str, raw: str, limit: Decimal) -> Decimal | None:
        match = _DECIMAL.fullmatch(raw)
        if match is None:
            self.number_problem(row, column, raw)
            return None
        decimals = match.group(1)
        if decimals is not None and len(decimals) > DECIMAL_PLACES:
            self.error(
                "number_decimals",
                row,
                column,
                _("“%(value)s” has more than %(places)s decimals.")
                % {"value": _quoted(raw), "places": DECIMAL_PLACES},
            )
            return None
        value = Decimal(raw)
        if value > limit:
            self.too_large(row, column, raw, limit)
            return None
        return value

    def too_large(self, row: int, column: str, raw: str, limit: Decimal | int) -> None:
        self.error(
            "number_too_large",
            row,
            column,
            _("“%(value)s” is larger than the largest figure the system holds (%(max)s).")
            % {
                "value": _quoted(raw),
                "max": _amount(limit) if isinstance(limit, Decimal) else limit,
            },
        )

    def number_problem(self, row: int, column: str, raw: str) -> None:
        """Say why `raw` is not a plain non-negative number with a dot for decimals."""
        value = {"value": _quoted(raw)}
        if raw == "":
            self.error("number_missing", row, column, _("the value is missing."))
        elif raw.lower() in _NOT_FINITE:
            self.error(
                "number_not_finite",
                row,
                column,
                _("“%(value)s” is not a number; give the figure in digits.") % value,
            )
        elif raw[0] in "-−" and _DECIMAL.fullmatch(raw[1:].strip()):
            self.error(
                "number_negative",
                row,
                column,
                _("“%(value)s” is negative; %(what)s are never negative.")
                % {**value, "what": _column_noun(column)},
            )
        elif _THOUSANDS.fullmatch(raw):
            self.error(
                "number_thousands_separator",
                row,
                column,
                _(
                    "“%(value)s” has a thousands separator; write numbers without separators "
                    "and with a dot for decimals (e.g. 1234567.89)."
                )
                % value,
            )
        elif _DECIMAL_COMMA.fullmatch(raw):
            self.error(
                "number_decimal_comma",
                row,
                column,
                _("“%(value)s” uses a comma for decimals; use a dot (e.g. 1234.5).") % value,
            )
        else:
            self.error(
                "number_format",
                row,
                column,
                _(
                    "“%(value)s” is not a number; write digits with a dot for decimals, "
                    "without separators, units or exponents (e.g. 1234567.89)."
                )
                % value,
            )

    # Across rows

    def mixed_periods(self, stored: Mapping[tuple[int, int, str], set[str]]) -> None:
        """A year is reported whole (Y) or by periods, never both, for one participant and
        flow: within the rows, and against stored figures the rows do not replace."""
        for (participant_id, year, flow), periods in self.periods.items():
            first_sub = min((r for p, r in periods.items() if p != Period.YEAR), default=None)
            what = {"code": self.codes[participant_id], "year": year, "flow": _flow_noun(flow)}
            if Period.YEAR in periods and first_sub is not None:
                self.error(
                    "year_and_periods",
                    first_sub,
                    "period",
                    _(
                        "%(code)s reports %(flow)s for %(year)s both as a whole year (row "
                        "%(row)s) and by period; a year is reported one way or the other."
                    )
                    % {**what, "row": periods[Period.YEAR]},
                )
                continue
            before = stored.get((participant_id, year, flow), set())
            if Period.YEAR in periods and before - {Period.YEAR}:
                self.error(
                    "year_and_periods_stored",
                    periods[Period.YEAR],
                    "period",
                    _(
                        "%(code)s's %(flow)s for %(year)s are already stored by period "
                        "(%(periods)s); a year is reported either whole or by period."
                    )
                    % {**what, "periods": ", ".join(sorted(before - {Period.YEAR}))},
                )
            elif first_sub is not None and Period.YEAR in before:
                self.error(
                    "year_and_periods_stored",
                    first_sub,
                    "period",
                    _(
                        "%(code)s's %(flow)s for %(year)s are already stored as a whole year "
                        "(Y); a year is reported either whole or by period."
                    )
                    % what,
                )


def _stored_periods(rows: Sequence[CleanRow]) -> dict[tuple[int, int, str], set[str]]:
    """Periods already stored (any status) per (participant, year, flow), leaving out the
    submissions the rows replace. Two queries."""
    participants = {r.participant_id for r in rows}
    years = {r.year for r in rows}
    replaced = {r.submission_key for r in rows}
    stored: dict[tuple[int, int, str], set[str]] = defaultdict(set)
    where = {"submission__participant_id__in": participants, "submission__year__in": years}
    trade = (
        TradeRecord.objects.filter(**where)
        .values_list("submission__participant_id", "submission__year", "submission__period", "flow")
        .order_by()
        .distinct()
    )
    for participant_id, year, period, flow in trade:
        if (participant_id, year, Dataset.TRADE, period) not in replaced:
            stored[(participant_id, year, flow)].add(period)
    production = (
        ProductionRecord.objects.filter(**where)
        .values_list("submission__participant_id", "submission__year", "submission__period")
        .order_by()
        .distinct()
    )
    for participant_id, year, period in production:
        if (participant_id, year, Dataset.PRODUCTION, period) not in replaced:
            stored[(participant_id, year, PRODUCTION)].add(period)
    return stored


# --- Warnings ----------------------------------------------------------------------------------

# (participant id, year, period, flow, hs_code) -> [carats, value, certificates]
_AggKey = tuple[int, int, str, str, str]
# (participant id, year) -> declared opening stock in carats
_StockKey = tuple[int, int]
# What the production read marks the stock rows it carries with, in place of a period.
_STOCK = "stock"


def _combined_figures(
    rows: Sequence[CleanRow], *, with_stored: bool
) -> tuple[dict[_AggKey, list[Any]], dict[_StockKey, Decimal]]:
    """Accepted figures summed in SQL per participant, period, flow and HS code, with the
    submissions the rows replace taken out and the rows put in: the data as it will be once
    the rows are accepted; and the opening stock the rows' participants declared for those
    years. Two queries."""
    combined: dict[_AggKey, list[Any]] = {}
    stock: dict[_StockKey, Decimal] = {}
    if with_stored:
        years = {r.year for r in rows}
        participants = {r.participant_id for r in rows}
        history = set(range(min(years) - UNIT_VALUE_HISTORY_YEARS, max(years) + 1))
        replaced = {r.submission_key for r in rows}
        # Every participant's trade in the rows' years (world averages), and the rows'
        # participants' own figures over the years before (their history).
        wanted = Q(submission__year__in=years) | Q(
            submission__participant_id__in=participants, submission__year__in=history
        )
        trade = (
            TradeRecord.objects.filter(wanted, submission__status__in=ACCEPTED_STATUSES)
            .values(
                "submission__participant_id",
                "submission__year",
                "submission__period",
                "flow",
                "hs_code",
            )
            .annotate(c=Sum("carats"), v=Sum("value_usd"), n=Sum("certificates"))
            .values_list(
                "submission__participant_id",
                "submission__year",
                "submission__period",
                "flow",
                "hs_code",
                "c",
                "v",
                "n",
            )
            .order_by()
        )
        for pid, year, period, flow, hs, c, v, n in trade:
            if (pid, year, Dataset.TRADE, period) not in replaced:
                combined[(pid, year, period, flow, hs)] = [c, v, n]
        production = (
            ProductionRecord.objects.filter(
                submission__participant_id__in=participants,
                submission__year__in=history,
                submission__status__in=ACCEPTED_STATUSES,
            )
            .values_list("submission__participant_id", "submission__year", "submission__period")
            .annotate(c=Sum("carats"), v=Sum("value_usd"))
            .order_by()
        )
        # The declared stock rides along in the same query (a declaration holds one row per
        # participant and year, marked in the period column), so reading it costs no query.
        declared = (
            StockDeclaration.objects.filter(participant_id__in=participants, year__in=years)
            .annotate(kind=Value(_STOCK), c=F("carats"), v=F("value_usd"))
            .values_list("participant_id", "year", "kind", "c", "v")
            .order_by()
        )
        for pid, year, period, c, v in production.union(declared, all=True):
            if period == _STOCK:
                stock[(pid, year)] = c
            elif (pid, year, Dataset.PRODUCTION, period) not in replaced:
                combined[(pid, year, period, PRODUCTION, "")] = [c, v, 0]
    # The stored figures of a submission the rows replace were left out above, so a key
    # the rows touch holds the rows' figures only.
    for r in rows:
        key = (r.participant_id, r.year, r.period, r.flow, r.hs_code)
        figures = combined.get(key)
        if figures is None:
            combined[key] = [r.carats, r.value_usd, r.certificates or 0]
        else:
            figures[0] += r.carats
            figures[1] += r.value_usd
            figures[2] += r.certificates or 0
    return combined, stock


def _complete(periods: Iterable[str], dataset: str) -> bool:
    periods = set(periods)
    return Period.YEAR in periods or SUB_PERIODS[dataset] <= periods


class _Warnings:
    """What the WGS would ask about, computed on rows that passed every error rule."""

    def __init__(
        self,
        rows: Sequence[CleanRow],
        combined: dict[_AggKey, list[Any]],
        stock: Mapping[_StockKey, Decimal],
        add: Any,
    ):
        self.rows = rows
        self.combined = combined
        self.stock = stock
        self.add = add
        zero = Decimal(0)
        # Yearly sums: per participant, flow and HS code (unit values), per participant and
        # flow (carats per certificate), per HS code (the world average).
        self.yearly: dict[tuple[int, str, str, int], list[Decimal]] = defaultdict(
            lambda: [zero, zero]
        )
        self.per_certificate: dict[tuple[int, str, int], list[Any]] = defaultdict(lambda: [zero, 0])
        self.world: dict[tuple[str, int], list[Decimal]] = defaultdict(lambda: [zero, zero])
        for (pid, year, _period, flow, hs), (c, v, n) in combined.items():
            yearly = self.yearly[(pid, flow, hs, year)]
            yearly[0] += c
            yearly[1] += v
            if flow != PRODUCTION:
                per_certificate = self.per_certificate[(pid, flow, year)]
                per_certificate[0] += c
                per_certificate[1] += n
                world = self.world[(hs, year)]
                world[0] += c
                world[1] += v

    def run(self) -> None:
        # Bands are worked out once per participant, flow, HS code and year (and per HS
        # code and year for the world), so a row costs a few look-ups and comparisons.
        history: dict[tuple[int, str, str, int], tuple[Decimal, Decimal, Decimal] | None] = {}
        world: dict[tuple[str, int], tuple[Decimal, Decimal, Decimal] | None] = {}
        per_certificate: dict[tuple[int, str, int], Decimal | None] = {}
        minimum = UNIT_VALUE_MIN_CARATS
        for row in self.rows:
            carats = row.carats
            trade = row.flow != PRODUCTION
            if carats >= minimum:
                unit = row.value_usd / carats
                key = (row.participant_id, row.flow, row.hs_code, row.year)
                if key in history:
                    band = history[key]
                else:
                    band = history[key] = _band(
                        self.history_unit_value(key), UNIT_VALUE_HISTORY_FACTOR
                    )
                if band is not None and not band[0] <= unit <= band[1]:
                    self.unit_value_history(row, unit, band[2])
                if trade:
                    world_key = (row.hs_code, row.year)
                    if world_key in world:
                        band = world[world_key]
                    else:
                        band = world[world_key] = _band(
                            self.world_unit_value(world_key), UNIT_VALUE_WORLD_FACTOR
                        )
                    if band is not None and not band[0] <= unit <= band[1]:
                        self.unit_value_world(row, unit, band[2])
            if trade:
                count = row.certificates or 0
                if (count == 0) != (carats == 0):
                    self.certificates_without_goods(row, count)
                elif count:
                    flow_key = (row.participant_id, row.flow, row.year)
                    if flow_key in per_certificate:
                        median = per_certificate[flow_key]
                    else:
                        median = per_certificate[flow_key] = self.history_carats_per_certificate(
                            flow_key
                        )
                    if median is not None and carats > median * count * (
                        CARATS_PER_CERTIFICATE_FACTOR
                    ):
                        self.carats_per_certificate(row, median)
        self.jumps()
        self.supply_gap()

    # Reference values

    def history_unit_value(self, key: tuple[int, str, str, int]) -> Decimal | None:
        pid, flow, hs, year = key
        values = []
        for past in range(year - UNIT_VALUE_HISTORY_YEARS, year):
            figures = self.yearly.get((pid, flow, hs, past))
            if figures and figures[0] >= UNIT_VALUE_MIN_CARATS and figures[1] > 0:
                values.append(figures[1] / figures[0])
        return _median(values) if values else None

    def world_unit_value(self, key: tuple[str, int]) -> Decimal | None:
        figures = self.world.get(key)
        if not figures or figures[0] < UNIT_VALUE_MIN_CARATS or not figures[1]:
            return None
        return figures[1] / figures[0]

    def history_carats_per_certificate(self, key: tuple[int, str, int]) -> Decimal | None:
        pid, flow, year = key
        values = []
        for past in range(year - UNIT_VALUE_HISTORY_YEARS, year):
            figures = self.per_certificate.get((pid, flow, past))
            if figures and figures[0] > 0 and figures[1] > 0:
                values.append(figures[0] / figures[1])
        return _median(values) if values else None

    # Findings

    def unit_value_history(self, row: CleanRow, unit: Decimal, median: Decimal) -> None:
        self.add(
            "unit_value_history",
            row.row_number,
            "value_usd",
            _(
                "the unit value of %(unit)s US$/ct is more than %(factor)s times above or below "
                "%(code)s's median of %(median)s US$/ct for %(flow)s%(hs)s in %(first)s–%(last)s; "
                "check the carats and the value, or explain."
            )
            % {
                "unit": _amount(unit),
                "factor": UNIT_VALUE_HISTORY_FACTOR,
                "code": row.participant,
                "median": _amount(median),
                "flow": _flow_noun(row.flow),
                "hs": f" ({row.hs_code})" if row.hs_code else "",
                "first": row.year - UNIT_VALUE_HISTORY_YEARS,
                "last": row.year - 1,
            },
        )

    def unit_value_world(self, row: CleanRow, unit: Decimal, average: Decimal) -> None:
        self.add(
            "unit_value_world",
            row.row_number,
            "value_usd",
            _(
                "the unit value of %(unit)s US$/ct is more than %(factor)s times above or below "
                "the average of %(average)s US$/ct for %(hs)s in %(year)s across all "
                "participants; check the carats, the value and the HS code, or explain."
            )
            % {
                "unit": _amount(unit),
                "factor": UNIT_VALUE_WORLD_FACTOR,
                "average": _amount(average),
                "hs": row.hs_code,
                "year": row.year,
            },
        )

    def certificates_without_goods(self, row: CleanRow, count: int) -> None:
        if count:
            text = _(
                "%(count)s certificates for 0 carats; a certificate goes with a shipment of "
                "diamonds."
            ) % {"count": count}
        else:
            text = _(
                "no certificate for %(carats)s carats; every shipment of rough diamonds travels "
                "with a KP certificate."
            ) % {"carats": _amount(row.carats)}
        self.add("certificates_implausible", row.row_number, "certificates", text)

    def carats_per_certificate(self, row: CleanRow, median: Decimal) -> None:
        self.add(
            "certificates_implausible",
            row.row_number,
            "certificates",
            _(
                "%(per)s carats per certificate is more than %(factor)s times %(code)s's usual "
                "%(median)s carats per certificate for %(flow)s; check the number of "
                "certificates."
            )
            % {
                "per": _amount(row.carats / (row.certificates or 1)),
                "factor": CARATS_PER_CERTIFICATE_FACTOR,
                "code": row.participant,
                "median": _amount(median),
                "flow": _flow_noun(row.flow),
            },
        )

    def jumps(self) -> None:
        """Period-on-period change of a participant's totals per flow and HS code, shown on
        the first row of the period's total."""
        first_rows: dict[_AggKey, CleanRow] = {}
        for row in self.rows:
            first_rows.setdefault(
                (row.participant_id, row.year, row.period, row.flow, row.hs_code), row
            )
        for key, row in first_rows.items():
            pid, year, period, flow, hs = key
            back, previous_period = _PREVIOUS_PERIOD[period]
            previous = self.combined.get((pid, year - back, previous_period, flow, hs))
            if previous is None:
                continue
            current = self.combined[key]
            for index, column, floor in (
                (0, "carats", JUMP_MIN_CARATS),
                (1, "value_usd", JUMP_MIN_VALUE_USD),
            ):
                before, now = previous[index], current[index]
                if before == 0 or max(before, now) < floor:
                    continue
                if now > before * JUMP_FACTOR or now * JUMP_FACTOR < before:
                    self.add(
                        "period_jump",
                        row.row_number,
                        column,
                        _(
                            "%(code)s's %(flow)s%(hs)s total %(now)s %(unit)s in %(period)s "
                            "against %(before)s %(unit)s in %(previous)s (%(change)s %%); "
                            "explain the change or correct the figures."
                        )
                        % {
                            "code": row.participant,
                            "flow": _flow_noun(flow),
                            "hs": f" ({hs})" if hs else "",
                            "unit": _("ct") if column == "carats" else _("US$"),
                            "now": _amount(now),
                            "before": _amount(before),
                            "period": _period_label(year, period),
                            "previous": _period_label(year - back, previous_period),
                            "change": f"{(now - before) / before * 100:+.0f}",
                        },
                    )

    def supply_gap(self) -> None:
        """Exports above production plus imports plus the opening stock declared for the
        year, judged once every flow the participant reports for the year is complete (Y,
        both half-years or all four quarters); a flow with no figures at all counts as
        nothing (most participants mine nothing), and so does stock nobody declared. Shown
        on the year's first export row in the rows (or its first row)."""
        first_rows: dict[tuple[int, int], CleanRow] = {}
        for row in self.rows:
            key = (row.participant_id, row.year)
            held = first_rows.get(key)
            if held is None or (row.flow == EXPORT and held.flow != EXPORT):
                first_rows[key] = row
        totals: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(
            lambda: defaultdict(Decimal)
        )
        periods: dict[tuple[int, int], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for (pid, year, period, flow, _hs), (c, _v, _n) in self.combined.items():
            if (pid, year) in first_rows:
                totals[(pid, year)][flow] += c
                periods[(pid, year)][flow].add(period)
        for key, row in first_rows.items():
            reported = periods[key]
            if not reported[EXPORT] or not all(
                _complete(reported[flow], _FLOW_DATASET[flow]) for flow in FLOWS if reported[flow]
            ):
                continue
            figures = totals[key]
            stock = self.stock.get(key)
            supply = figures[PRODUCTION] + figures[IMPORT] + (stock or 0)
            if figures[EXPORT] <= supply * (1 + SUPPLY_GAP_MARGIN):
                continue
            values = {
                "code": row.participant,
                "year": row.year,
                "exports": _amount(figures[EXPORT]),
                "supply": _amount(supply),
                "stock": _amount(stock or Decimal(0)),
            }
            if stock is None:
                text = _(
                    "%(code)s's exports for %(year)s (%(exports)s ct) are above its "
                    "production and imports (%(supply)s ct); say where the diamonds came "
                    "from (e.g. stock)."
                )
            else:
                text = _(
                    "%(code)s's exports for %(year)s (%(exports)s ct) are above its "
                    "production, imports and declared opening stock (%(supply)s ct, of which "
                    "%(stock)s ct stock); say where the diamonds came from."
                )
            self.add("supply_gap", row.row_number, "carats", text % values)


def _band(reference: Decimal | None, factor: Decimal) -> tuple[Decimal, Decimal, Decimal] | None:
    """(low, high, reference): from a `factor`-th of the reference to `factor` times it."""
    if reference is None:
        return None
    return (reference / factor, reference * factor, reference)


def _median(values: Sequence[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


# --- The entry point ---------------------------------------------------------------------------


def validate_rows(
    rows: Sequence[Mapping[str, Any]],
    *,
    participant: Participant | None = None,
    context: ValidationContext | None = None,
) -> ValidationResult:
    """Check statistics rows against every rule of FORMATS.md §1 and the KP's own.

    `rows` are dicts keyed by FORMATS.md column names (a missing key is an empty cell; other
    keys are ignored, except "" which holds cells without a column name, an error). With
    `participant`, every row must report for it (a participant's upload). Warnings are
    computed only when there is no error, since they compare whole periods and years.
    Findings come ordered by row, then column. A constant number of queries (at most seven)
    whatever the number of rows."""
    context = context or ValidationContext()
    validator = _Validator(participant=participant, context=context, ref=_Reference())
    for index, row in enumerate(rows):
        validator.row(index + 2, row)
    if not validator.rows and not validator.errors:
        validator.error("no_rows", None, "", _("There are no figures: there are no data rows."))
    if validator.rows:
        stored = _stored_periods(validator.rows) if context.compare_with_stored else {}
        validator.mixed_periods(stored)
    if not validator.errors and validator.rows:
        combined, stock = _combined_figures(validator.rows, with_stored=context.compare_with_stored)
        _Warnings(validator.rows, combined, stock, validator.warning).run()
    order = {column: i for i, column in enumerate(("", *HEADER))}
    findings = sorted(
        validator.findings,
        key=lambda f: (f.row_number or 0, order.get(f.column, 0), f.severity != ERROR),
    )
    return ValidationResult(findings=findings, rows=validator.rows)
