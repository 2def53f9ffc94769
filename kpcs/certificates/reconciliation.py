"""Certificates against the trade statistics and the import confirmations, per exporter,
importer and quarter (docs/certificates.md, "Reconciliation with statistics").

For each exporter (the issuing participant), importer (the destination participant) and
quarter of a year (by date of issue), `reconciliation_by_quarter` sets side by side:

- the certificates issued: how many, carats and US$ (void certificates are left out of the
  figures and counted apart). Trade statistics give the number of certificates behind each
  row, and a row is one HS code: a certificate of two HS codes is behind two rows. So the
  number compared with the statistics counts each certificate once per HS code (its lines);
  the plain number is shown beside it;
- the exporter's trade statistics: its exports to that importer (carats, US$ and the number
  of certificates it reported);
- the importer's trade statistics: its imports from that exporter;
- the import confirmations: of the certificates due one (confirmed, or expired without a
  confirmation; those still awaiting one are counted apart), how many were confirmed and the
  carats received;

with the gap of each against the certificates and a flag where it is beyond the tolerance:
like the mirror rule, both the relative gap (to the average of the two figures, so 200 % when
one side is zero) and the absolute gap must be past their thresholds.

Statistics are those of ACCEPTED and PUBLISHED submissions, as in the anomaly analysis. A side
that has no such trade submission for a quarter did not report it: nothing is compared (that
is the missing-data rule's business); one that reported the quarter but no trade with the
partner reported zero. A side that reported the whole year (Y) is compared in the year's row
only, and a year is compared only when the side reported all of it (Y, or all four quarters).
Only exporters that recorded at least one certificate in the year are reconciled: a
participant that keeps its certificates elsewhere would otherwise show a gap for every
partner. The European Union is one participant (EUR) on both sides, whatever member state
the shipment left from.

A fixed number of queries whatever the number of pairs: the certificates with their
confirmations grouped by pair and quarter, the trade records grouped by reporter, partner,
flow and period, the periods each participant reported, and the participants' names. Python
puts the groups together (about 10,000 rows for a year of 45,000 certificates), decides for
each row whether it is beyond the tolerance, and works out the gaps themselves only for the
rows that are shown or reported (docs/performance.md, "Certificates").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from kpcs.participants.models import Participant
from kpcs.statistics.models import Submission

# The statistics compared: the same as the anomaly analysis reads (ANALYSED_STATUSES there,
# which imports this module, so it is not imported from there).
STATISTICS_STATUSES = [str(Submission.Status.ACCEPTED), str(Submission.Status.PUBLISHED)]

QUARTERS = ("Q1", "Q2", "Q3", "Q4")
YEAR = "Y"
ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Tolerance:
    """When a gap counts. Both thresholds must be crossed: a 50 % gap on 40 carats is not worth
    a question, nor is a 2 % gap on a million. The defaults are the mirror rule's: 10 % of the
    two figures' average, 1,000 ct, US$ 100,000 and, for the number of certificates, more
    than two."""

    relative: Decimal = Decimal("0.10")
    min_carats: Decimal = Decimal("1000")
    min_value_usd: Decimal = Decimal("100000")
    min_certificates: int = 2


DEFAULT_TOLERANCE = Tolerance()


@dataclass(frozen=True)
class Party:
    id: int
    code: str
    name: str


# The figures and gaps are plain slotted dataclasses, not frozen ones: a year makes thousands
# of them, and a frozen dataclass sets each field through object.__setattr__. Nothing
# changes them once made.


@dataclass(slots=True)
class Figures:
    """One account of a period's trade: carats, US$ and the number of certificates counted
    once per HS code, as trade statistics count them."""

    carats: Decimal = ZERO
    value_usd: Decimal = ZERO
    certificates: int = 0

    @property
    def is_zero(self) -> bool:
        return not (self.carats or self.value_usd or self.certificates)


NOTHING = Figures()


@dataclass(slots=True)
class Gap:
    """The certificates' figure against another account's, for one measure."""

    measure: str  # carats, value_usd or certificates
    certified: Decimal
    reported: Decimal
    # How far past the thresholds (the smaller of the relative and the absolute ratio, as the
    # anomaly rules' "excess"); None when within the tolerance.
    excess: Decimal | None

    @property
    def difference(self) -> Decimal:
        return self.certified - self.reported

    @property
    def relative(self) -> Decimal:
        """|a − b| over the average of a and b: symmetric, 200 % when one side is zero."""
        return relative_gap(self.certified, self.reported)

    @property
    def pct(self) -> Decimal:
        return self.relative * HUNDRED

    @property
    def flagged(self) -> bool:
        return self.excess is not None


def relative_gap(a: Decimal, b: Decimal) -> Decimal:
    mean = (a + b) / 2
    return abs(a - b) / mean if mean else ZERO


def gap_measure(
    measure: str, certified: Decimal, reported: Decimal, relative: Decimal, minimum: Decimal
) -> Gap:
    """The gap, flagged when past both the relative tolerance and the absolute minimum (the
    cheap absolute test first: it is asked of every pair and period of a year)."""
    difference = abs(certified - reported)
    excess = None
    if difference > minimum:
        ratio = relative_gap(certified, reported) / relative
        if ratio > 1:
            excess = min(ratio, difference / minimum) if minimum else ratio
    return Gap(measure, certified, reported, excess)


def _gaps(certified: Figures, reported: Figures, tolerance: Tolerance) -> list[Gap]:
    relative = tolerance.relative
    return [
        gap_measure("carats", certified.carats, reported.carats, relative, tolerance.min_carats),
        gap_measure(
            "value_usd", certified.value_usd, reported.value_usd, relative, tolerance.min_value_usd
        ),
        gap_measure(
            "certificates",
            Decimal(certified.certificates),
            Decimal(reported.certificates),
            relative,
            Decimal(tolerance.min_certificates),
        ),
    ]


@dataclass(slots=True)
class Confirmations:
    """The import confirmations of a period's certificates (by their date of issue)."""

    due: int = 0  # confirmed, or expired without a confirmation
    due_carats: Decimal = ZERO
    confirmed: int = 0
    received_carats: Decimal = ZERO
    awaiting: int = 0  # issued, still within validity and the grace days

    def __add__(self, other: Confirmations) -> Confirmations:
        return Confirmations(
            self.due + other.due,
            self.due_carats + other.due_carats,
            self.confirmed + other.confirmed,
            self.received_carats + other.received_carats,
            self.awaiting + other.awaiting,
        )


NO_CONFIRMATIONS = Confirmations()


@dataclass
class ReconciliationRow:
    """One exporter, importer and period (a quarter, or Y for the whole year).

    Whether each account is beyond the tolerance is decided for every row (a comparison of
    decimals, no object made); the gaps themselves, with their percentages and excess, are
    worked out when asked for: a page shows a hundred rows of a year's ten thousand."""

    exporter: Party
    importer: Party
    year: int
    period: str
    # The certificates (not void): `certificates` of them, `issued.certificates` when each is
    # counted once per HS code (the number compared with the statistics).
    certificates: int
    issued: Figures
    void: int
    confirmations: Confirmations
    # None when that side did not report the period (or reported the whole year only: then
    # `*_yearly` is set and the year's row compares it).
    exports: Figures | None
    imports: Figures | None
    tolerance: Tolerance = DEFAULT_TOLERANCE
    exports_yearly: bool = False
    imports_yearly: bool = False
    export_flagged: bool = field(init=False, default=False)
    import_flagged: bool = field(init=False, default=False)
    confirmation_flagged: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        t = self.tolerance
        if self.exports is not None:
            self.export_flagged = _beyond(self.issued, self.exports, t)
        if self.imports is not None:
            self.import_flagged = _beyond(self.issued, self.imports, t)
        c = self.confirmations
        self.confirmation_flagged = bool(c.due) and (
            _past(Decimal(c.due), Decimal(c.confirmed), t.relative, Decimal(t.min_certificates))
            or _past(c.due_carats, c.received_carats, t.relative, t.min_carats)
        )

    @property
    def flagged(self) -> bool:
        return self.export_flagged or self.import_flagged or self.confirmation_flagged

    @property
    def export_gaps(self) -> list[Gap]:
        """Carats, US$ and number of certificates against the exporter's statistics (none
        when they are not compared)."""
        return [] if self.exports is None else _gaps(self.issued, self.exports, self.tolerance)

    @property
    def import_gaps(self) -> list[Gap]:
        return [] if self.imports is None else _gaps(self.issued, self.imports, self.tolerance)

    @property
    def confirmation_gaps(self) -> list[Gap]:
        """Certificates confirmed against those due a confirmation, and carats received
        against theirs (none when no certificate is due one yet)."""
        c, t = self.confirmations, self.tolerance
        if not c.due:
            return []
        return [
            gap_measure(
                "certificates",
                Decimal(c.due),
                Decimal(c.confirmed),
                t.relative,
                Decimal(t.min_certificates),
            ),
            gap_measure("carats", c.due_carats, c.received_carats, t.relative, t.min_carats),
        ]

    def gap(self, against: str, measure: str) -> Gap | None:
        gaps = {
            "exports": self.export_gaps,
            "imports": self.import_gaps,
            "confirmations": self.confirmation_gaps,
        }[against]
        return next((g for g in gaps if g.measure == measure), None)


def _past(a: Decimal, b: Decimal, relative: Decimal, minimum: Decimal) -> bool:
    """gap_measure(…).flagged without making the gap: past the absolute minimum, and
    |a − b| above `relative` of the average of a and b."""
    difference = a - b
    if -minimum <= difference <= minimum:
        return False
    return abs(difference) * 2 > relative * (a + b)


def _beyond(certified: Figures, reported: Figures, t: Tolerance) -> bool:
    return (
        _past(certified.carats, reported.carats, t.relative, t.min_carats)
        or _past(certified.value_usd, reported.value_usd, t.relative, t.min_value_usd)
        or _past(
            Decimal(certified.certificates),
            Decimal(reported.certificates),
            t.relative,
            Decimal(t.min_certificates),
        )
    )


@dataclass
class Reconciliation:
    year: int
    tolerance: Tolerance
    rows: list[ReconciliationRow]
    # Exporters that recorded certificates in the year (the ones reconciled).
    exporters_recording: int

    @property
    def flagged(self) -> list[ReconciliationRow]:
        return [row for row in self.rows if row.flagged]

    def __iter__(self) -> Iterator[ReconciliationRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


# --- The queries ---------------------------------------------------------------------------------

# Certificates of the year with their confirmations, per pair and quarter of issue: a range
# on date_issued (its own index). The lines and the confirmation of each are looked up per
# certificate, on the (certificate, HS code) and certificate unique indexes: a join let
# PostgreSQL hash all twenty years of confirmations (880,000 rows, 0.65 s of a 1.2 s query
# in bench/certificates.py) to keep the year's 45,000. A certificate is confirmed when (and
# only when) its confirmation is recorded, so the status counts them and the subquery is
# read by one aggregate only (PostgreSQL inlines it into each that reads it).
CERTIFICATES_SQL = """
WITH issued AS (
    SELECT c.issuing_participant_id, c.destination_participant_id, c.date_issued, c.status,
           c.carats, c.value_usd,
           (SELECT COUNT(*) FROM certificates_certificateline l
            WHERE l.certificate_id = c.id) AS lines,
           CASE WHEN c.status = 'confirmed' THEN
               (SELECT ic.carats FROM certificates_importconfirmation ic
                WHERE ic.certificate_id = c.id)
           END AS received
    FROM certificates_certificate c
    WHERE c.date_issued BETWEEN %(start)s AND %(end)s {exporter}
)
SELECT issuing_participant_id AS exporter_id,
       destination_participant_id AS importer_id,
       EXTRACT(QUARTER FROM date_issued)::int AS quarter,
       COUNT(*) FILTER (WHERE status <> 'void') AS certificates,
       COALESCE(SUM(lines) FILTER (WHERE status <> 'void'), 0) AS by_hs_code,
       COALESCE(SUM(carats) FILTER (WHERE status <> 'void'), 0) AS carats,
       COALESCE(SUM(value_usd) FILTER (WHERE status <> 'void'), 0) AS value_usd,
       COUNT(*) FILTER (WHERE status = 'void') AS void,
       COUNT(*) FILTER (WHERE status IN ('confirmed', 'expired')) AS due,
       COALESCE(SUM(carats) FILTER (WHERE status IN ('confirmed', 'expired')), 0)
           AS due_carats,
       COUNT(*) FILTER (WHERE status = 'confirmed') AS confirmed,
       COALESCE(SUM(received), 0) AS received_carats,
       COUNT(*) FILTER (WHERE status = 'issued') AS awaiting
FROM issued
GROUP BY 1, 2, 3
"""

# Both sides' statistics of the pairs reconciled: the exporters' exports and their partners'
# imports from them, per period. TradeRecord rather than the per-submission partner totals,
# which carry no number of certificates.
STATISTICS_SQL = """
SELECT CASE WHEN t.flow = 'export' THEN s.participant_id ELSE t.partner_id END AS exporter_id,
       CASE WHEN t.flow = 'export' THEN t.partner_id ELSE s.participant_id END AS importer_id,
       t.flow, s.period,
       SUM(t.carats) AS carats, SUM(t.value_usd) AS value_usd,
       SUM(t.certificates) AS certificates
FROM statistics_traderecord t
JOIN statistics_submission s ON s.id = t.submission_id
WHERE s.dataset = 'trade' AND s.year = %(year)s AND s.status = ANY(%(statuses)s)
  AND ((t.flow = 'export' AND s.participant_id = ANY(%(exporters)s))
       OR (t.flow = 'import' AND t.partner_id = ANY(%(exporters)s)))
GROUP BY 1, 2, 3, 4
"""

# Which periods each participant reported (accepted or published trade submissions).
REPORTED_SQL = """
SELECT participant_id, ARRAY_AGG(period)
FROM statistics_submission
WHERE dataset = 'trade' AND year = %(year)s AND status = ANY(%(statuses)s)
GROUP BY participant_id
"""


def _fetch(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass
class _Pair:
    """What the queries said about one exporter and importer, by slot (Q1..Q4, Y)."""

    issued: dict[str, Figures] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    void: dict[str, int] = field(default_factory=dict)
    confirmations: dict[str, Confirmations] = field(default_factory=dict)
    exports: dict[str, Figures] = field(default_factory=dict)
    imports: dict[str, Figures] = field(default_factory=dict)


def _total(figures: Iterable[Figures]) -> Figures:
    carats, value_usd, certificates = ZERO, ZERO, 0
    for f in figures:
        carats += f.carats
        value_usd += f.value_usd
        certificates += f.certificates
    return Figures(carats, value_usd, certificates)


def _side(
    figures: dict[str, Figures], reported: set[str], period: str
) -> tuple[Figures | None, bool]:
    """One side's figures for a period, and whether it reported the whole year only."""
    yearly = YEAR in reported
    if period == YEAR:
        if yearly or reported.issuperset(QUARTERS):
            return _total(figures.values()), False
        return None, False
    if period in reported:
        return figures.get(period, NOTHING), False
    return None, yearly


def reconciliation_by_quarter(
    *,
    year: int,
    exporter: Participant | None = None,
    importer: Participant | None = None,
    tolerance: Tolerance = DEFAULT_TOLERANCE,
) -> Reconciliation:
    """Certificates issued against both sides' statistics and the import confirmations, for
    each exporter, importer and quarter of `year`, and for the whole year (period Y): every
    pair with a certificate or with trade reported by either side, among the exporters that
    recorded certificates in the year. Rows come ordered by exporter code, importer code and
    period; quarters where nothing at all happened between the pair are left out."""
    outermost = not connection.in_atomic_block
    # One transaction, so that the settings below last for these queries only; within the
    # anomaly analysis (its own transaction, set alike) no savepoint is needed either.
    with transaction.atomic(savepoint=False):
        if outermost:
            with connection.cursor() as cursor:
                # As in the anomaly analysis: a year of certificates crosses PostgreSQL's JIT
                # threshold, and compiling costs more than running (about 70 ms); grouping
                # them spills to disk in the default 4 MB of work_mem.
                cursor.execute(
                    "SELECT set_config('jit', 'off', true), set_config('work_mem', '32MB', true)"
                )
        return _reconciliation(year=year, exporter=exporter, importer=importer, tolerance=tolerance)


def _reconciliation(
    *,
    year: int,
    exporter: Participant | None,
    importer: Participant | None,
    tolerance: Tolerance,
) -> Reconciliation:
    params: dict[str, Any] = {"start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31)}
    exporter_clause = ""
    if exporter is not None:
        exporter_clause = "AND c.issuing_participant_id = %(exporter)s"
        params["exporter"] = exporter.pk
    pairs: dict[tuple[int, int], _Pair] = defaultdict(_Pair)
    recording: set[int] = set()
    for record in _fetch(CERTIFICATES_SQL.format(exporter=exporter_clause), params):
        (exporter_id, importer_id, quarter, count, by_hs_code, carats, value, void) = record[:8]
        due, due_carats, confirmed, received, awaiting = record[8:]
        recording.add(exporter_id)
        if importer is not None and importer_id != importer.pk:
            continue
        pair = pairs[(exporter_id, importer_id)]
        slot = QUARTERS[quarter - 1]
        pair.issued[slot] = Figures(carats, value, int(by_hs_code))
        pair.counts[slot] = count
        pair.void[slot] = void
        pair.confirmations[slot] = Confirmations(due, due_carats, confirmed, received, awaiting)
    if not recording:
        return Reconciliation(year=year, tolerance=tolerance, rows=[], exporters_recording=0)

    statistics = _fetch(
        STATISTICS_SQL,
        {"year": year, "statuses": STATISTICS_STATUSES, "exporters": sorted(recording)},
    )
    for exporter_id, importer_id, flow, period, carats, value, count in statistics:
        if importer is not None and importer_id != importer.pk:
            continue
        pair = pairs[(exporter_id, importer_id)]
        side = pair.exports if flow == "export" else pair.imports
        side[period] = Figures(carats, value, int(count))
    reported: dict[int, set[str]] = {
        pid: set(periods)
        for pid, periods in _fetch(REPORTED_SQL, {"year": year, "statuses": STATISTICS_STATUSES})
    }
    ids = {pid for key in pairs for pid in key}
    parties = {
        p.pk: Party(p.pk, p.code, p.name)
        for p in Participant.objects.filter(pk__in=ids).only("id", "code", "name")
    }

    rows: list[ReconciliationRow] = []
    for (exporter_id, importer_id), pair in pairs.items():
        exporter_reported = reported.get(exporter_id, set())
        importer_reported = reported.get(importer_id, set())
        for period in (*QUARTERS, YEAR):
            if period == YEAR:
                issued = _total(pair.issued.values())
                count = sum(pair.counts.values())
                void = sum(pair.void.values())
                confirmations = sum(pair.confirmations.values(), NO_CONFIRMATIONS)
            else:
                issued = pair.issued.get(period, NOTHING)
                count = pair.counts.get(period, 0)
                void = pair.void.get(period, 0)
                confirmations = pair.confirmations.get(period, NO_CONFIRMATIONS)
            quiet = (
                period != YEAR
                and issued.is_zero
                and not void
                and period not in pair.exports
                and period not in pair.imports
            )
            if quiet:
                continue
            exports, exports_yearly = _side(pair.exports, exporter_reported, period)
            imports, imports_yearly = _side(pair.imports, importer_reported, period)
            row = ReconciliationRow(
                exporter=parties[exporter_id],
                importer=parties[importer_id],
                year=year,
                period=period,
                certificates=count,
                issued=issued,
                void=void,
                confirmations=confirmations,
                exports=exports,
                imports=imports,
                tolerance=tolerance,
                exports_yearly=exports_yearly,
                imports_yearly=imports_yearly,
            )
            rows.append(row)
    order = {period: index for index, period in enumerate((*QUARTERS, YEAR))}
    rows.sort(key=lambda r: (r.exporter.code, r.importer.code, order[r.period]))
    return Reconciliation(
        year=year, tolerance=tolerance, rows=rows, exporters_recording=len(recording)
    )
