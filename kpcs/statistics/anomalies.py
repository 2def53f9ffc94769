"""Anomaly analysis: what the Working Group on Statistics looks for in the accepted figures.

`anomaly_analysis_run(year=...)` runs six rules over ACCEPTED and PUBLISHED submissions only
(drafts, submitted and queried figures are the participant's and the reviewer's business
until they are accepted) and keeps one `Anomaly` row per finding:

- mirror_discrepancy: A's exports to B against B's imports from A (per quarter and per year,
  in carats and US$), after testing whether a one-quarter shift (goods in transit: A's
  exports of Q against B's imports of Q+1, Q4 against Q1 of the next year, or the other way
  round when imports are ahead) explains the gap; the year is shifted the same way when both
  sides reported quarters, and compared as it is when either reported the whole year (Y);
- supply_gap: exports above production + imports + the opening stock the participant
  declared for the year (zero when it declared none);
- unit_value_outlier: US$/ct against the participant's own history (modified z-score) and
  against every other participant's figures for the same HS code and year;
- jump: quarter on quarter (trade), half on half (production) and year on year;
- missing_data: participants that produced or traded in the previous years but have no
  accepted figures for this one;
- certificate_mismatch: per exporter, importer and quarter (and year), the KP certificates
  the exporter recorded in the registry against the exports it reported (carats, US$ and
  number of certificates), and against the importer's confirmations of them; it reads the
  reconciliation of kpcs.certificates.reconciliation, so the secretariat's reconciliation
  page and the anomalies always agree.

Each rule is one aggregation query (the certificate rule a fixed few: the reconciliation's);
Python only words the findings. The statistics rules do not read the trade records
themselves: the mirror rule reads each submission's totals by flow and partner
(SubmissionPartnerTotal), the others its totals by flow and HS code (SubmissionTradeTotal),
both kept by triggers; a half and a tenth of the rows, which matters most for the unit-value
rule's ten years of history. Only the certificate rule reads trade records (the number of
certificates is kept by partner nowhere else), and only those of the exporters that recorded
certificates in the year, with no query beyond the first when none did. A finding is identified
by its fingerprint (rule|participant|partner|year|period, plus what tells two findings of
one rule apart, e.g. flow and HS code), so a later run updates the same row; findings that
are gone are marked `still_present=False`, never deleted (a questionnaire question may hang
on them).

Severity: each finding measures how far past its thresholds it is ("excess": the gap divided
by the threshold it crossed; where a rule has a relative and an absolute threshold, the
smaller of the two ratios, so a large percentage of a small amount stays low). Excess of
at least `severity_high_factor` (4) is high, at least `severity_medium_factor` (2) medium,
anything else that was flagged low.

Messages are worded in the site's default language (settings.LANGUAGE_CODE), whoever or
whatever started the run, so a row does not change language from one run to the next.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kpcs.certificates.reconciliation import (
    DEFAULT_TOLERANCE,
    Gap,
    ReconciliationRow,
    Tolerance,
    reconciliation_by_quarter,
)
from kpcs.participants.models import Participant
from kpcs.participants.selectors import NOT_A_PARTICIPANT, NOT_IN_GOOD_STANDING
from kpcs.statistics.models import Anomaly, Submission

Progress = Callable[[int, int, str], None]

# The only figures the analysis reads.
ANALYSED_STATUSES = [str(Submission.Status.ACCEPTED), str(Submission.Status.PUBLISHED)]

IN_REVIEW = [str(Submission.Status.SUBMITTED), str(Submission.Status.QUERIED)]

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True)
class AnomalySettings:
    """Thresholds of the rules. The defaults follow the WGS's practice; every one can be
    changed for a run (e.g. a stricter tolerance for a review)."""

    # Mirror data never match exactly (valuation at export and import, exchange rates,
    # rounding on certificates): below 10% of the two figures' average a gap is noise.
    mirror_tolerance: Decimal = Decimal("0.10")
    # A 50% gap on 40 carats is not worth a question: both the relative and the absolute
    # gap must be large. 1,000 ct or US$ 100,000 is a small parcel for a producer.
    mirror_min_carats: Decimal = Decimal("1000")
    mirror_min_value_usd: Decimal = Decimal("100000")

    # What was available is production + imports + the opening stock the participant
    # declared (StockDeclaration; none declared counts as zero). Valuation, rounding and
    # goods counted in the next year still blur it, so only a gap above 10% of what was
    # available (and above 1,000 ct) is flagged.
    supply_tolerance: Decimal = Decimal("0.10")
    supply_min_carats: Decimal = Decimal("1000")

    # Iglewicz and Hoaglin's cut-off for the modified z-score (0.6745 · (x − median) / MAD):
    # above 3.5 a value is an outlier of its own history.
    unit_value_max_z: Decimal = Decimal("3.5")
    # Previous years that make the history (at most), and how many are needed for a
    # median and a deviation to mean anything.
    unit_value_history_years: int = 10
    unit_value_min_history_years: int = 3
    # A perfectly steady history has a MAD of zero, which would flag a 1% change; the MAD is
    # taken as at least 5% of the median (so a steady history flags changes above ~26%).
    unit_value_mad_floor: Decimal = Decimal("0.05")
    # Rough diamonds of one HS code vary a lot in quality; only a unit value more than four
    # times (or less than a quarter of) what every other participant reported is flagged.
    unit_value_world_factor: Decimal = Decimal("4")
    # US$/ct of a few carats is noise, for the flow checked and for the world yardstick.
    unit_value_min_carats: Decimal = Decimal("1000")

    # A change of more than +300% (more than four times the previous period), or its
    # mirror image downwards (a fall to less than a quarter), between consecutive periods.
    jump_threshold: Decimal = Decimal("3.00")
    # Percentages explode on small bases: a previous period below 1,000 ct is not compared.
    jump_min_base_carats: Decimal = Decimal("1000")

    # A participant that produced (or traded) in any of the previous three years is
    # expected to report this year.
    missing_data_lookback_years: int = 3
    # The size against which what is now missing is measured for the severity.
    missing_data_min_carats: Decimal = Decimal("1000")

    # Certificates recorded against the exporter's own statistics and against the import
    # confirmations (kpcs.certificates.reconciliation): the statistics are compiled from the
    # certificates, so the mirror rule's thresholds are generous; the number of certificates
    # must differ by more than two.
    certificate_tolerance: Decimal = DEFAULT_TOLERANCE.relative
    certificate_min_carats: Decimal = DEFAULT_TOLERANCE.min_carats
    certificate_min_value_usd: Decimal = DEFAULT_TOLERANCE.min_value_usd
    certificate_min_count: int = DEFAULT_TOLERANCE.min_certificates

    # Severity from the excess (see the module docstring).
    severity_medium_factor: Decimal = Decimal("2")
    severity_high_factor: Decimal = Decimal("4")


DEFAULT_SETTINGS = AnomalySettings()


@dataclass
class AnalysisReport:
    """What one run found and what it changed."""

    year: int
    found: dict[str, int] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    no_longer_present: int = 0

    @property
    def total(self) -> int:
        return sum(self.found.values())

    def summary(self) -> str:
        return gettext(
            "%(year)s: %(total)s anomalies found (%(created)s new, %(updated)s seen before); "
            "%(gone)s no longer present."
        ) % {
            "year": self.year,
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "gone": self.no_longer_present,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "found": dict(self.found),
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "no_longer_present": self.no_longer_present,
        }


@dataclass(frozen=True)
class Finding:
    rule: str
    year: int
    participant_id: int
    participant_code: str
    period: str
    severity: str
    message: str
    figures: dict[str, Any]
    partner_id: int | None = None
    partner_code: str | None = None
    # Tells apart findings of one rule that share participant, partner and period.
    detail: str = ""

    @property
    def fingerprint(self) -> str:
        parts = [self.rule, self.participant_code, self.partner_code or "", str(self.year)]
        parts.append(self.period)
        if self.detail:
            parts.append(self.detail)
        return "|".join(parts)


# Entry points ---------------------------------------------------------------------------------


def anomaly_analysis_run(
    *,
    year: int,
    settings: AnomalySettings = DEFAULT_SETTINGS,
    progress: Progress | None = None,
) -> AnalysisReport:
    """Run every rule over the accepted and published figures of `year` and store what they
    find: new findings are added, known ones updated in place (figures, message, severity,
    last_found_at; their status is left to the secretariat), and those no longer found are
    marked still_present=False. Running it twice on the same data changes nothing but
    last_found_at."""
    rules: list[tuple[Anomaly.Rule, Callable[..., list[Finding]]]] = [
        (Anomaly.Rule.MIRROR_DISCREPANCY, _mirror_discrepancies),
        (Anomaly.Rule.SUPPLY_GAP, _supply_gaps),
        (Anomaly.Rule.UNIT_VALUE_OUTLIER, _unit_value_outliers),
        (Anomaly.Rule.JUMP, _jumps),
        (Anomaly.Rule.MISSING_DATA, _missing_data),
        (Anomaly.Rule.CERTIFICATE_MISMATCH, _certificate_mismatches),
    ]
    total_steps = len(rules) + 1
    report = AnalysisReport(year=year)
    findings: list[Finding] = []
    with translation.override(django_settings.LANGUAGE_CODE), transaction.atomic():
        with connection.cursor() as cursor:
            # The rules are a few aggregations whose cost estimates cross PostgreSQL's JIT
            # threshold; compiling them costs more than running them (bench/kp_statistics.py).
            # And room to hash and sort a year's trade rows in memory (the default 4 MB
            # spills to disk). Both for this transaction only (set_config's is_local).
            cursor.execute(
                "SELECT set_config('jit', 'off', true), set_config('work_mem', '32MB', true)"
            )
        for step, (rule, find) in enumerate(rules):
            if progress is not None:
                progress(
                    step,
                    total_steps,
                    gettext("Checking %(year)s: %(rule)s") % {"year": year, "rule": rule.label},
                )
            found = find(year=year, settings=settings)
            report.found[str(rule)] = len(found)
            findings.extend(found)
        if progress is not None:
            progress(len(rules), total_steps, gettext("Saving the anomalies"))
        report.created, report.updated, report.no_longer_present = _store(
            year=year, findings=findings
        )
        if progress is not None:
            progress(total_steps, total_steps, report.summary())
    return report


def anomaly_analysis_has_run(*, year: int) -> bool:
    """Whether any analysis has left a trace for `year` (there is no run log: a year whose
    analysis found nothing at all looks the same as one never analysed)."""
    return Anomaly.objects.filter(year=year).exists()


def anomaly_list(
    *,
    year: int,
    rule: str = "",
    participant: Participant | None = None,
    severity: str = "",
) -> QuerySet[Anomaly]:
    """The anomalies the latest analysis of `year` still finds, by participant and rule."""
    anomalies = Anomaly.objects.filter(year=year, still_present=True)
    if rule:
        anomalies = anomalies.filter(rule=rule)
    if participant is not None:
        anomalies = anomalies.filter(participant=participant)
    if severity:
        anomalies = anomalies.filter(severity=severity)
    return anomalies.select_related("participant", "partner").order_by(
        "participant__code", "rule", "partner__code", "period", "fingerprint"
    )


@transaction.atomic
def _store(*, year: int, findings: list[Finding]) -> tuple[int, int, int]:
    """Upsert the findings on their fingerprint; mark the year's others as gone."""
    by_fingerprint = {f.fingerprint: f for f in findings}
    fingerprints = list(by_fingerprint)
    known = set(
        Anomaly.objects.filter(fingerprint__in=fingerprints)
        .order_by()
        .values_list("fingerprint", flat=True)
    )
    now = timezone.now()
    if by_fingerprint:
        Anomaly.objects.bulk_create(
            [
                Anomaly(
                    year=f.year,
                    rule=f.rule,
                    severity=f.severity,
                    participant_id=f.participant_id,
                    partner_id=f.partner_id,
                    period=f.period,
                    message=f.message,
                    figures=f.figures,
                    fingerprint=fingerprint,
                    last_found_at=now,
                    still_present=True,
                )
                for fingerprint, f in by_fingerprint.items()
            ],
            # One statement for new and known findings alike, safe against a run started at
            # the same moment (nightly and "analyse now"). The status is the secretariat's.
            update_conflicts=True,
            unique_fields=["fingerprint"],
            update_fields=[
                "severity",
                "participant",
                "partner",
                "period",
                "message",
                "figures",
                "last_found_at",
                "still_present",
            ],
        )
    gone = (
        Anomaly.objects.filter(year=year, still_present=True)
        .exclude(fingerprint__in=fingerprints)
        .update(still_present=False)
    )
    return len(by_fingerprint) - len(known), len(known), gone


# Words and numbers ------------------------------------------------------------------------------


def _q(value: Decimal, places: Decimal = CENT) -> Decimal:
    return value.quantize(places)


def _fig(value: Decimal | None, places: Decimal = CENT) -> str | None:
    """A figure for the `figures` JSON: a decimal as a string."""
    return None if value is None else str(_q(value, places))


def _num(value: Decimal, places: int = 2) -> str:
    return number_format(
        _q(value, Decimal(1).scaleb(-places)), decimal_pos=places, force_grouping=True
    )


def _signed(value: Decimal, places: int = 2) -> str:
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return sign + _num(abs(value), places)


def _ct(value: Decimal) -> str:
    return gettext("%(amount)s ct") % {"amount": _num(value)}


def _usd(value: Decimal) -> str:
    return gettext("US$ %(amount)s") % {"amount": _num(value)}


def _per_ct(value: Decimal) -> str:
    return gettext("US$ %(amount)s/ct") % {"amount": _num(value)}


def _difference_per_ct(difference: Decimal, reference: Decimal) -> str:
    """E.g. "US$ 247.50/ct (162.3%) above" a reference unit value."""
    values = {
        "amount": _per_ct(abs(difference)),
        "pct": _pct(abs(difference) / reference * HUNDRED) if reference else "—",
    }
    if difference >= 0:
        return gettext("%(amount)s (%(pct)s) above") % values
    return gettext("%(amount)s (%(pct)s) below") % values


def _pct(value: Decimal) -> str:
    return gettext("%(amount)s%%") % {"amount": _num(value, 1)}


def _period_label(year: int, period: str) -> str:
    if period == "Y":
        return str(year)
    return gettext("%(period)s %(year)s") % {"period": period, "year": year}


def _unit_value(carats: Decimal, value_usd: Decimal) -> Decimal | None:
    return value_usd / carats if carats else None


def _severity(excess: Decimal, settings: AnomalySettings) -> str:
    if excess >= settings.severity_high_factor:
        return Anomaly.Severity.HIGH
    if excess >= settings.severity_medium_factor:
        return Anomaly.Severity.MEDIUM
    return Anomaly.Severity.LOW


def _fetch(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c.name for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


MEASURES = {
    "production": _("production"),
    "export": _("exports"),
    "import": _("imports"),
}


# Mirror discrepancies ------------------------------------------------------------------------

# Every trade record of the year (and of the quarters either side of it, for the shift test)
# on the key (exporter, importer, slot): an export is the exporter's side, an import the
# importer's. Slots: the year's periods (Q1..Q4 or Y), P = Q4 of the previous year,
# N = Q1 of the next one.
MIRROR_SQL = """
WITH analysed AS (
    SELECT s.id, s.participant_id, s.year, s.period
    FROM statistics_submission s
    WHERE s.dataset = 'trade' AND s.status = ANY(%(statuses)s)
      -- Only the slots compared: half the rows of three whole years.
      AND (s.year = %(year)s
           OR (s.year = %(year)s - 1 AND s.period = 'Q4')
           OR (s.year = %(year)s + 1 AND s.period = 'Q1'))
),
reports AS (
    SELECT
        CASE WHEN t.flow = 'export' THEN a.participant_id ELSE t.partner_id END AS exporter_id,
        CASE WHEN t.flow = 'export' THEN t.partner_id ELSE a.participant_id END AS importer_id,
        t.flow, t.carats, t.value_usd,
        CASE
            WHEN a.year = %(year)s THEN a.period
            WHEN a.year = %(year)s - 1 AND a.period = 'Q4' THEN 'P'
            WHEN a.year = %(year)s + 1 AND a.period = 'Q1' THEN 'N'
        END AS slot
    FROM statistics_submissionpartnertotal t
    JOIN analysed a ON a.id = t.submission_id
),
-- Grouped on ids, and only then joined to the codes: sorting 30,000 rows on text codes
-- spilled to disk and was half the query.
grouped AS (
    SELECT
        r.exporter_id, r.importer_id, r.slot,
        COALESCE(SUM(r.carats) FILTER (WHERE r.flow = 'export'), 0) AS export_carats,
        COALESCE(SUM(r.value_usd) FILTER (WHERE r.flow = 'export'), 0) AS export_value_usd,
        COALESCE(SUM(r.carats) FILTER (WHERE r.flow = 'import'), 0) AS import_carats,
        COALESCE(SUM(r.value_usd) FILTER (WHERE r.flow = 'import'), 0) AS import_value_usd
    FROM reports r
    WHERE r.slot IS NOT NULL AND r.exporter_id <> r.importer_id
    GROUP BY r.exporter_id, r.importer_id, r.slot
),
-- Only the pairs where a quarter or the year is past both thresholds go to Python, which
-- words them and tests the shift; most of the year's 1,000-odd pairs agree. The test is
-- MirrorPair.excess, loosened to >= so that no pair Python would flag is left out here.
pairs AS (
    SELECT exporter_id, importer_id,
        BOOL_OR(slot IN ('Q1', 'Q2', 'Q3', 'Q4') AND (
            (ABS(export_carats - import_carats) >= %(min_carats)s
             AND 2 * ABS(export_carats - import_carats)
                 >= %(tolerance)s * (export_carats + import_carats))
            OR (ABS(export_value_usd - import_value_usd) >= %(min_value_usd)s
                AND 2 * ABS(export_value_usd - import_value_usd)
                    >= %(tolerance)s * (export_value_usd + import_value_usd))
        )) AS a_quarter_flagged,
        SUM(export_carats) FILTER (WHERE slot NOT IN ('P', 'N')) AS export_carats,
        SUM(import_carats) FILTER (WHERE slot NOT IN ('P', 'N')) AS import_carats,
        SUM(export_value_usd) FILTER (WHERE slot NOT IN ('P', 'N')) AS export_value_usd,
        SUM(import_value_usd) FILTER (WHERE slot NOT IN ('P', 'N')) AS import_value_usd
    FROM grouped
    GROUP BY exporter_id, importer_id
),
flagged AS (
    SELECT exporter_id, importer_id
    FROM pairs
    WHERE a_quarter_flagged
       OR (ABS(export_carats - import_carats) >= %(min_carats)s
           AND 2 * ABS(export_carats - import_carats)
               >= %(tolerance)s * (export_carats + import_carats))
       OR (ABS(export_value_usd - import_value_usd) >= %(min_value_usd)s
           AND 2 * ABS(export_value_usd - import_value_usd)
               >= %(tolerance)s * (export_value_usd + import_value_usd))
),
yearly AS (
    SELECT DISTINCT participant_id FROM analysed WHERE year = %(year)s AND period = 'Y'
)
SELECT
    g.*, e.code AS exporter_code, i.code AS importer_code,
    ye.participant_id IS NOT NULL AS exporter_yearly,
    yi.participant_id IS NOT NULL AS importer_yearly
FROM grouped g
JOIN flagged USING (exporter_id, importer_id)
JOIN participants_participant e ON e.id = g.exporter_id
JOIN participants_participant i ON i.id = g.importer_id
LEFT JOIN yearly ye ON ye.participant_id = g.exporter_id
LEFT JOIN yearly yi ON yi.participant_id = g.importer_id
ORDER BY e.code, i.code, g.slot
"""

QUARTERS = ("Q1", "Q2", "Q3", "Q4")


@dataclass(frozen=True)
class MirrorPair:
    """One side's figures against the other's for one period."""

    export_carats: Decimal = ZERO
    export_value_usd: Decimal = ZERO
    import_carats: Decimal = ZERO
    import_value_usd: Decimal = ZERO

    def __add__(self, other: MirrorPair) -> MirrorPair:
        return MirrorPair(
            self.export_carats + other.export_carats,
            self.export_value_usd + other.export_value_usd,
            self.import_carats + other.import_carats,
            self.import_value_usd + other.import_value_usd,
        )

    def excess(self, settings: AnomalySettings) -> Decimal | None:
        """How far past the thresholds the worse measure is; None when neither is flagged.
        (Asked of every pair and period of the year: the cheap absolute test comes first.)"""
        worst: Decimal | None = None
        tolerance = settings.mirror_tolerance
        for a, b, minimum in (
            (self.export_carats, self.import_carats, settings.mirror_min_carats),
            (self.export_value_usd, self.import_value_usd, settings.mirror_min_value_usd),
        ):
            gap = abs(a - b)
            if gap <= minimum:
                continue
            relative = _relative_gap(a, b)
            if relative > tolerance:
                excess = min(relative / tolerance, gap / minimum)
                worst = excess if worst is None else max(worst, excess)
        return worst


NO_TRADE = MirrorPair()


def _relative_gap(a: Decimal, b: Decimal) -> Decimal:
    """|a − b| over the average of a and b: symmetric, 200% when one side is zero."""
    mean = (a + b) / 2
    return abs(a - b) / mean if mean else ZERO


# Slots in time order: Q4 of the previous year, the year's quarters, Q1 of the next year.
SEQUENCE = ("P", *QUARTERS, "N")


@dataclass(frozen=True)
class Shift:
    """The same comparison one quarter apart: exports ahead of imports may arrive in the
    next quarter (direction "next"), imports ahead of exports may have left in the previous
    one ("previous"). `pair` holds the exporter's and the importer's figures so shifted."""

    direction: str
    pair: MirrorPair
    shifted_slots: tuple[int, ...]


def _window(slots: dict[str, MirrorPair], indices: Iterable[int]) -> MirrorPair:
    """The slots' figures added up. (Run for every pair and period of a year: summed here
    rather than through MirrorPair.__add__, which builds an object per step.)"""
    present = [slots[name] for name in (SEQUENCE[i] for i in indices) if name in slots]
    if len(present) == 1:
        return present[0]
    return MirrorPair(
        sum((p.export_carats for p in present), ZERO),
        sum((p.export_value_usd for p in present), ZERO),
        sum((p.import_carats for p in present), ZERO),
        sum((p.import_value_usd for p in present), ZERO),
    )


def _shift(slots: dict[str, MirrorPair], indices: tuple[int, ...]) -> Shift:
    current = _window(slots, indices)
    exports_ahead = (current.export_carats, current.export_value_usd) > (
        current.import_carats,
        current.import_value_usd,
    )
    if exports_ahead:
        later = tuple(i + 1 for i in indices)
        imports = _window(slots, later)
        return Shift(
            "next",
            MirrorPair(
                current.export_carats,
                current.export_value_usd,
                imports.import_carats,
                imports.import_value_usd,
            ),
            later,
        )
    earlier = tuple(i - 1 for i in indices)
    exports = _window(slots, earlier)
    return Shift(
        "previous",
        MirrorPair(
            exports.export_carats,
            exports.export_value_usd,
            current.import_carats,
            current.import_value_usd,
        ),
        earlier,
    )


def _slot_label(year: int, index: int) -> str:
    if index == 0:
        return _period_label(year - 1, "Q4")
    if index == len(SEQUENCE) - 1:
        return _period_label(year + 1, "Q1")
    return _period_label(year, SEQUENCE[index])


def _mirror_discrepancies(*, year: int, settings: AnomalySettings) -> list[Finding]:
    rows = _fetch(
        MIRROR_SQL,
        {
            "year": year,
            "statuses": ANALYSED_STATUSES,
            "min_carats": settings.mirror_min_carats,
            "min_value_usd": settings.mirror_min_value_usd,
            "tolerance": settings.mirror_tolerance,
        },
    )
    pairs: dict[tuple[int, int], dict[str, Any]] = {}
    for row in rows:
        pair = pairs.setdefault(
            (row["exporter_id"], row["importer_id"]),
            {
                "exporter": row["exporter_code"],
                "importer": row["importer_code"],
                "yearly_only": row["exporter_yearly"] or row["importer_yearly"],
                "slots": {},
            },
        )
        pair["slots"][row["slot"]] = MirrorPair(
            row["export_carats"],
            row["export_value_usd"],
            row["import_carats"],
            row["import_value_usd"],
        )

    findings = []
    for (exporter_id, importer_id), pair in pairs.items():
        slots: dict[str, MirrorPair] = pair["slots"]
        yearly_only: bool = pair["yearly_only"]
        common: dict[str, Any] = {
            "year": year,
            "exporter": (exporter_id, pair["exporter"]),
            "importer": (importer_id, pair["importer"]),
            "yearly_only": yearly_only,
        }
        # Each quarter, then the year (the sum of the quarters, or the Y figures).
        comparisons: list[tuple[str, MirrorPair, tuple[int, ...] | None]] = []
        if not yearly_only:
            comparisons += [
                (SEQUENCE[i], slots.get(SEQUENCE[i], NO_TRADE), (i,)) for i in range(1, 5)
            ]
        whole_year = _window(slots, range(1, 5)) + slots.get("Y", NO_TRADE)
        comparisons.append(("Y", whole_year, None if yearly_only else (1, 2, 3, 4)))
        for period, compared, indices in comparisons:
            excess = compared.excess(settings)
            if excess is None:
                continue
            shift = _shift(slots, indices) if indices else None
            if shift is not None and shift.pair.excess(settings) is None:
                continue  # goods in transit: one quarter later (or earlier) the figures match
            findings.append(
                _mirror_finding(
                    **common,
                    period=period,
                    pair=compared,
                    severity=_severity(excess, settings),
                    shift=shift,
                )
            )
    return findings


def _side(carats: Decimal, value_usd: Decimal) -> str:
    """Carats, value and US$/ct of one report, or "nothing"."""
    if not carats and not value_usd:
        return gettext("nothing")
    values = {"carats": _ct(carats), "value": _usd(value_usd)}
    if not carats:
        return gettext("%(carats)s worth %(value)s") % values
    return gettext("%(carats)s worth %(value)s (%(unit_value)s)") % {
        **values,
        "unit_value": _per_ct(value_usd / carats),
    }


def _mirror_finding(
    *,
    year: int,
    exporter: tuple[int, str],
    importer: tuple[int, str],
    period: str,
    pair: MirrorPair,
    severity: str,
    yearly_only: bool,
    shift: Shift | None = None,
) -> Finding:
    names = {"exporter": exporter[1], "importer": importer[1]}
    if pair.export_carats or pair.export_value_usd:
        exports = gettext("%(exporter)s reported exports to %(importer)s of %(figures)s") % {
            **names,
            "figures": _side(pair.export_carats, pair.export_value_usd),
        }
    else:
        exports = gettext("%(exporter)s reported no exports to %(importer)s") % names
    if pair.import_carats or pair.import_value_usd:
        imports = gettext("%(importer)s reported imports from %(exporter)s of %(figures)s") % {
            **names,
            "figures": _side(pair.import_carats, pair.import_value_usd),
        }
    else:
        imports = gettext("%(importer)s reported no imports from %(exporter)s") % names
    gap_carats = pair.export_carats - pair.import_carats
    gap_value = pair.export_value_usd - pair.import_value_usd
    carats_pct = _relative_gap(pair.export_carats, pair.import_carats) * HUNDRED
    value_pct = _relative_gap(pair.export_value_usd, pair.import_value_usd) * HUNDRED
    parts = [
        gettext("In %(period)s, %(exports)s; %(imports)s.")
        % {"period": _period_label(year, period), "exports": exports, "imports": imports},
        gettext(
            "The gap is %(carats)s (%(carats_pct)s) and %(value)s (%(value_pct)s), "
            "as a share of the average of the two figures."
        )
        % {
            "carats": _ct(abs(gap_carats)),
            "carats_pct": _pct(carats_pct),
            "value": _usd(abs(gap_value)),
            "value_pct": _pct(value_pct),
        },
    ]
    figures: dict[str, Any] = {
        "exporter": exporter[1],
        "importer": importer[1],
        "export_carats": _fig(pair.export_carats),
        "export_value_usd": _fig(pair.export_value_usd),
        "export_usd_per_carat": _fig(_unit_value(pair.export_carats, pair.export_value_usd)),
        "import_carats": _fig(pair.import_carats),
        "import_value_usd": _fig(pair.import_value_usd),
        "import_usd_per_carat": _fig(_unit_value(pair.import_carats, pair.import_value_usd)),
        "gap_carats": _fig(gap_carats),
        "gap_carats_pct": _fig(carats_pct, TENTH),
        "gap_value_usd": _fig(gap_value),
        "gap_value_usd_pct": _fig(value_pct, TENTH),
        "yearly_only": yearly_only,
    }
    if shift is not None:
        first, last = shift.shifted_slots[0], shift.shifted_slots[-1]
        label = (
            _slot_label(year, first)
            if first == last
            else gettext("%(first)s to %(last)s")
            % {"first": _slot_label(year, first), "last": _slot_label(year, last)}
        )
        if shift.direction == "next":
            sentence = gettext(
                "Goods in transit do not explain it: %(importer)s's imports from "
                "%(exporter)s one quarter later (%(period)s) were %(figures)s."
            )
            shifted_figures = _side(shift.pair.import_carats, shift.pair.import_value_usd)
        else:
            sentence = gettext(
                "Goods in transit do not explain it: %(exporter)s's exports to "
                "%(importer)s one quarter earlier (%(period)s) were %(figures)s."
            )
            shifted_figures = _side(shift.pair.export_carats, shift.pair.export_value_usd)
        parts.append(sentence % {**names, "period": label, "figures": shifted_figures})
        figures["shift"] = {
            "direction": shift.direction,
            "periods": label,
            "export_carats": _fig(shift.pair.export_carats),
            "export_value_usd": _fig(shift.pair.export_value_usd),
            "import_carats": _fig(shift.pair.import_carats),
            "import_value_usd": _fig(shift.pair.import_value_usd),
        }
    elif yearly_only:
        parts.append(
            gettext(
                "Trade reported for the whole year only (historical data) is compared for "
                "the year only."
            )
        )
    return Finding(
        rule=Anomaly.Rule.MIRROR_DISCREPANCY,
        year=year,
        participant_id=exporter[0],
        participant_code=exporter[1],
        partner_id=importer[0],
        partner_code=importer[1],
        period=period,
        severity=severity,
        message=" ".join(parts),
        figures=figures,
    )


# Supply gap ---------------------------------------------------------------------------------

SUPPLY_SQL = """
WITH figures AS (
    SELECT s.participant_id, t.flow AS kind, t.carats, t.value_usd
    FROM statistics_submissiontradetotal t
    JOIN statistics_submission s ON s.id = t.submission_id
    WHERE s.year = %(year)s AND s.dataset = 'trade' AND s.status = ANY(%(statuses)s)
    UNION ALL
    SELECT s.participant_id, 'production', r.carats, r.value_usd
    FROM statistics_productionrecord r
    JOIN statistics_submission s ON s.id = r.submission_id
    WHERE s.year = %(year)s AND s.dataset = 'production' AND s.status = ANY(%(statuses)s)
),
totals AS (
    SELECT participant_id,
        COALESCE(SUM(carats) FILTER (WHERE kind = 'export'), 0) AS export_carats,
        COALESCE(SUM(value_usd) FILTER (WHERE kind = 'export'), 0) AS export_value_usd,
        COALESCE(SUM(carats) FILTER (WHERE kind = 'production'), 0) AS production_carats,
        COALESCE(SUM(value_usd) FILTER (WHERE kind = 'production'), 0) AS production_value_usd,
        COALESCE(SUM(carats) FILTER (WHERE kind = 'import'), 0) AS import_carats,
        COALESCE(SUM(value_usd) FILTER (WHERE kind = 'import'), 0) AS import_value_usd
    FROM figures
    GROUP BY participant_id
)
SELECT p.id AS participant_id, p.code, t.*,
       d.id IS NOT NULL AS stock_declared,
       COALESCE(d.carats, 0) AS stock_carats,
       COALESCE(d.value_usd, 0) AS stock_value_usd
FROM totals t
JOIN participants_participant p ON p.id = t.participant_id
-- The opening stock the participant declared for the year (one row at most: unique on
-- participant and year); none declared counts as zero.
LEFT JOIN statistics_stockdeclaration d
       ON d.participant_id = t.participant_id AND d.year = %(year)s
WHERE t.export_carats - (t.production_carats + t.import_carats + COALESCE(d.carats, 0))
      > GREATEST(
          %(min_carats)s,
          %(tolerance)s * (t.production_carats + t.import_carats + COALESCE(d.carats, 0))
      )
ORDER BY p.code
"""


def _supply_gaps(*, year: int, settings: AnomalySettings) -> list[Finding]:
    rows = _fetch(
        SUPPLY_SQL,
        {
            "year": year,
            "statuses": ANALYSED_STATUSES,
            "min_carats": settings.supply_min_carats,
            "tolerance": settings.supply_tolerance,
        },
    )
    findings = []
    for row in rows:
        stock = row["stock_carats"]
        available = row["production_carats"] + row["import_carats"] + stock
        gap = row["export_carats"] - available
        gap_pct = gap / available * HUNDRED if available else None
        excess = gap / settings.supply_min_carats
        if available:
            excess = min(excess, gap / (available * settings.supply_tolerance))
        values = {
            "participant": row["code"],
            "year": year,
            "exports": _ct(row["export_carats"]),
            "export_value": _usd(row["export_value_usd"]),
            "export_unit_value": _per_ct(row["export_value_usd"] / row["export_carats"]),
            "production": _ct(row["production_carats"]),
            "production_value": _usd(row["production_value_usd"]),
            "imports": _ct(row["import_carats"]),
            "import_value": _usd(row["import_value_usd"]),
            "stock": _ct(stock),
            "stock_value": _usd(row["stock_value_usd"]),
            "available": _ct(available),
            "gap": _ct(gap),
        }
        if row["stock_declared"]:
            sentence = gettext(
                "In %(year)s, %(participant)s exported %(exports)s worth %(export_value)s "
                "(%(export_unit_value)s), but produced %(production)s (%(production_value)s), "
                "imported %(imports)s (%(import_value)s) and declared an opening stock of "
                "%(stock)s (%(stock_value)s): %(available)s available."
            )
        elif available:
            sentence = gettext(
                "In %(year)s, %(participant)s exported %(exports)s worth %(export_value)s "
                "(%(export_unit_value)s), but produced %(production)s (%(production_value)s) "
                "and imported %(imports)s (%(import_value)s): %(available)s available."
            )
        else:
            sentence = gettext(
                "In %(year)s, %(participant)s exported %(exports)s worth %(export_value)s "
                "(%(export_unit_value)s), but reported no production and no imports."
            )
        parts = [sentence % values]
        if gap_pct is not None:
            parts.append(
                gettext("Exports exceed what was available by %(gap)s (%(gap_pct)s).")
                % {**values, "gap_pct": _pct(gap_pct)}
            )
        else:
            parts.append(gettext("Exports exceed what was available by %(gap)s.") % values)
        if not row["stock_declared"]:
            parts.append(
                gettext(
                    "No opening stock is declared for %(year)s, so stock is counted as zero; "
                    "diamonds held in stock from earlier years may explain part of the gap."
                )
                % values
            )
        findings.append(
            Finding(
                rule=Anomaly.Rule.SUPPLY_GAP,
                year=year,
                participant_id=row["participant_id"],
                participant_code=row["code"],
                period="Y",
                severity=_severity(excess, settings),
                message=" ".join(parts),
                figures={
                    "export_carats": _fig(row["export_carats"]),
                    "export_value_usd": _fig(row["export_value_usd"]),
                    "production_carats": _fig(row["production_carats"]),
                    "production_value_usd": _fig(row["production_value_usd"]),
                    "import_carats": _fig(row["import_carats"]),
                    "import_value_usd": _fig(row["import_value_usd"]),
                    "stock_declared": row["stock_declared"],
                    "stock_carats": _fig(stock),
                    "stock_value_usd": _fig(row["stock_value_usd"]),
                    "available_carats": _fig(available),
                    "gap_carats": _fig(gap),
                    "gap_pct": _fig(gap_pct, TENTH),
                },
            )
        )
    return findings


# Unit value outliers ----------------------------------------------------------------------------

# The median of an even number of values is the mean of the two middle ones: percentile_disc
# (exact, in numeric) taken from both ends gives them; percentile_cont would go through float.
UNIT_VALUE_SQL = """
WITH yearly AS (
    SELECT s.participant_id, t.flow, t.hs_code, s.year,
           SUM(t.carats) AS carats, SUM(t.value_usd) AS value_usd
    FROM statistics_submissiontradetotal t
    JOIN statistics_submission s ON s.id = t.submission_id
    WHERE s.dataset = 'trade' AND s.status = ANY(%(statuses)s)
      AND s.year BETWEEN %(first_year)s AND %(year)s - 1
    GROUP BY s.participant_id, t.flow, t.hs_code, s.year
),
history AS (
    SELECT participant_id, flow, hs_code, year, value_usd / carats AS unit_value
    FROM yearly
    WHERE carats > 0
),
medians AS (
    SELECT participant_id, flow, hs_code, COUNT(*) AS years,
           MIN(year) AS first_year, MAX(year) AS last_year,
           (percentile_disc(0.5) WITHIN GROUP (ORDER BY unit_value)
            + percentile_disc(0.5) WITHIN GROUP (ORDER BY unit_value DESC)) / 2 AS median,
           ARRAY_AGG(unit_value) AS unit_values
    FROM history
    GROUP BY participant_id, flow, hs_code
),
-- The median absolute deviation from each group's own few values (its array), not from a
-- join of the history to the medians: PostgreSQL estimated such a join at one row and then
-- compared every figure of the year with every group in nested loops.
stats AS (
    SELECT m.*,
           (SELECT (percentile_disc(0.5) WITHIN GROUP (ORDER BY ABS(v - m.median))
                    + percentile_disc(0.5) WITHIN GROUP (ORDER BY ABS(v - m.median) DESC)) / 2
            FROM UNNEST(m.unit_values) AS v) AS mad
    FROM medians m
),
-- The year's figures straight from the tables rather than filtered out of `yearly` (a filter
-- on a CTE is estimated at a few rows, which also leads the planner to nested loops).
current AS (
    SELECT s.participant_id, t.flow, t.hs_code,
           SUM(t.carats) AS carats, SUM(t.value_usd) AS value_usd
    FROM statistics_submissiontradetotal t
    JOIN statistics_submission s ON s.id = t.submission_id
    WHERE s.dataset = 'trade' AND s.status = ANY(%(statuses)s) AND s.year = %(year)s
    GROUP BY s.participant_id, t.flow, t.hs_code
),
world AS (
    SELECT hs_code, SUM(carats) AS carats, SUM(value_usd) AS value_usd
    FROM current GROUP BY hs_code
),
own AS (
    SELECT participant_id, hs_code, SUM(carats) AS carats, SUM(value_usd) AS value_usd
    FROM current GROUP BY participant_id, hs_code
),
scored AS (
    SELECT c.participant_id, c.flow, c.hs_code, c.carats, c.value_usd,
           c.value_usd / c.carats AS unit_value,
           m.years, m.first_year, m.last_year, m.median, m.mad,
           GREATEST(m.mad, m.median * %(mad_floor)s) AS mad_used,
           w.carats - o.carats AS world_carats,
           w.value_usd - o.value_usd AS world_value_usd
    FROM current c
    JOIN own o ON o.participant_id = c.participant_id AND o.hs_code = c.hs_code
    JOIN world w ON w.hs_code = c.hs_code
    LEFT JOIN stats m
      ON m.participant_id = c.participant_id AND m.flow = c.flow AND m.hs_code = c.hs_code
    WHERE c.carats >= %(min_carats)s
),
tested AS (
    SELECT *,
        CASE WHEN years >= %(min_years)s AND mad_used > 0
             THEN 0.6745 * (unit_value - median) / mad_used END AS z,
        CASE WHEN world_carats >= %(min_carats)s AND world_value_usd > 0
             THEN world_value_usd / world_carats END AS world_unit_value
    FROM scored
)
SELECT p.code, t.*
FROM tested t
JOIN participants_participant p ON p.id = t.participant_id
WHERE ABS(t.z) > %(max_z)s
   OR t.unit_value > t.world_unit_value * %(world_factor)s
   OR t.unit_value * %(world_factor)s < t.world_unit_value
ORDER BY p.code, t.flow, t.hs_code
"""


def _unit_value_outliers(*, year: int, settings: AnomalySettings) -> list[Finding]:
    rows = _fetch(
        UNIT_VALUE_SQL,
        {
            "year": year,
            "first_year": year - settings.unit_value_history_years,
            "statuses": ANALYSED_STATUSES,
            "min_carats": settings.unit_value_min_carats,
            "min_years": settings.unit_value_min_history_years,
            "mad_floor": settings.unit_value_mad_floor,
            "max_z": settings.unit_value_max_z,
            "world_factor": settings.unit_value_world_factor,
        },
    )
    findings = []
    for row in rows:
        unit_value: Decimal = row["unit_value"]
        z: Decimal | None = row["z"]
        world: Decimal | None = row["world_unit_value"]
        history_flagged = z is not None and abs(z) > settings.unit_value_max_z
        world_ratio = unit_value / world if world else None
        world_flagged = world_ratio is not None and (
            world_ratio > settings.unit_value_world_factor
            or world_ratio * settings.unit_value_world_factor < 1
        )
        excesses = []
        if history_flagged:
            assert z is not None
            excesses.append(abs(z) / settings.unit_value_max_z)
        if world_flagged:
            assert world_ratio is not None
            times = world_ratio if world_ratio >= 1 else (1 / world_ratio if world_ratio else None)
            excesses.append(
                times / settings.unit_value_world_factor if times else settings.severity_high_factor
            )
        excess = min(max(excesses), row["carats"] / settings.unit_value_min_carats)
        measure = MEASURES[row["flow"]]
        parts = [
            gettext(
                "In %(year)s, %(participant)s's %(measure)s of HS %(hs_code)s were %(carats)s "
                "worth %(value)s, that is %(unit_value)s."
            )
            % {
                "year": year,
                "participant": row["code"],
                "measure": measure,
                "hs_code": row["hs_code"],
                "carats": _ct(row["carats"]),
                "value": _usd(row["value_usd"]),
                "unit_value": _per_ct(unit_value),
            }
        ]
        figures: dict[str, Any] = {
            "flow": row["flow"],
            "hs_code": row["hs_code"],
            "carats": _fig(row["carats"]),
            "value_usd": _fig(row["value_usd"]),
            "usd_per_carat": _fig(unit_value),
            "history_years": row["years"] or 0,
            "history_median_usd_per_carat": _fig(row["median"]),
            "history_mad_usd_per_carat": _fig(row["mad_used"]),
            "modified_z_score": _fig(z),
            "world_carats": _fig(row["world_carats"]),
            "world_value_usd": _fig(row["world_value_usd"]),
            "world_usd_per_carat": _fig(world),
            "world_ratio": _fig(world_ratio),
            "flagged_against_history": history_flagged,
            "flagged_against_world": world_flagged,
        }
        if z is not None:
            median: Decimal = row["median"]
            difference = unit_value - median
            figures["history_gap_usd_per_carat"] = _fig(difference)
            figures["history_gap_pct"] = _fig(
                difference / median * HUNDRED if median else None, TENTH
            )
            sentence = (
                gettext(
                    "That is %(difference)s its own median of %(median)s over "
                    "%(first)s–%(last)s (%(years)s years): a modified z-score of %(z)s, "
                    "flagged beyond ±%(limit)s."
                )
                if history_flagged
                else gettext(
                    "Its own median over %(first)s–%(last)s (%(years)s years) was %(median)s "
                    "(modified z-score %(z)s, within ±%(limit)s)."
                )
            )
            parts.append(
                sentence
                % {
                    "difference": _difference_per_ct(difference, median),
                    "median": _per_ct(median),
                    "first": row["first_year"],
                    "last": row["last_year"],
                    "years": row["years"],
                    "z": _signed(z),
                    "limit": _num(settings.unit_value_max_z, 1),
                }
            )
        if world is not None:
            assert world_ratio is not None
            difference = unit_value - world
            figures["world_gap_usd_per_carat"] = _fig(difference)
            figures["world_gap_pct"] = _fig(difference / world * HUNDRED, TENTH)
            sentence = (
                gettext(
                    "The other participants' figures for HS %(hs_code)s in %(year)s give "
                    "%(world)s: this is %(ratio)s times that, %(difference)s it, outside "
                    "the ×%(factor)s / ÷%(factor)s band."
                )
                if world_flagged
                else gettext(
                    "The other participants' figures for HS %(hs_code)s in %(year)s give "
                    "%(world)s (%(ratio)s times that, within the ×%(factor)s / ÷%(factor)s "
                    "band)."
                )
            )
            parts.append(
                sentence
                % {
                    "hs_code": row["hs_code"],
                    "year": year,
                    "world": _per_ct(world),
                    "ratio": _num(world_ratio),
                    "difference": _difference_per_ct(difference, world),
                    "factor": _num(settings.unit_value_world_factor, 0),
                }
            )
        findings.append(
            Finding(
                rule=Anomaly.Rule.UNIT_VALUE_OUTLIER,
                year=year,
                participant_id=row["participant_id"],
                participant_code=row["code"],
                period="Y",
                severity=_severity(excess, settings),
                message=" ".join(parts),
                figures=figures,
                detail=f"{row['flow']}|{row['hs_code']}",
            )
        )
    return findings


# Jumps --------------------------------------------------------------------------------------

# Series per participant and measure (production, exports, imports) over the year and the
# one before. A trade submission without records for a flow counts as zero for that flow: a
# participant that reported a quarter and exported nothing in it did export nothing.
# Consecutive sub-periods are compared (Q4 of last year with Q1 of this one, too); whole
# years only when both are complete (Y, or every sub-period), so a year still in progress
# does not look like a collapse.
JUMP_SQL = """
WITH analysed AS (
    SELECT s.id, s.participant_id, s.year, s.period, s.dataset
    FROM statistics_submission s
    WHERE s.status = ANY(%(statuses)s) AND s.year BETWEEN %(year)s - 1 AND %(year)s
),
series AS (
    SELECT a.participant_id, 'production' AS measure, a.year, a.period,
           COALESCE(r.carats, 0) AS carats, COALESCE(r.value_usd, 0) AS value_usd
    FROM analysed a
    LEFT JOIN statistics_productionrecord r ON r.submission_id = a.id
    WHERE a.dataset = 'production'
    UNION ALL
    SELECT a.participant_id, f.flow, a.year, a.period,
           COALESCE(SUM(t.carats), 0), COALESCE(SUM(t.value_usd), 0)
    FROM analysed a
    CROSS JOIN (VALUES ('export'), ('import')) AS f (flow)
    LEFT JOIN statistics_submissiontradetotal t ON t.submission_id = a.id AND t.flow = f.flow
    WHERE a.dataset = 'trade'
    GROUP BY a.participant_id, f.flow, a.year, a.period
),
steps AS (
    SELECT *,
        CASE WHEN period LIKE 'Q_' THEN year * 4 + CAST(SUBSTR(period, 2, 1) AS integer)
             ELSE year * 2 + CAST(SUBSTR(period, 2, 1) AS integer) END AS seq
    FROM series
    WHERE period <> 'Y'
),
sub_periods AS (
    SELECT participant_id, measure, year, period, carats, value_usd, seq,
           LAG(seq) OVER w AS base_seq, LAG(year) OVER w AS base_year,
           LAG(period) OVER w AS base_period, LAG(carats) OVER w AS base_carats,
           LAG(value_usd) OVER w AS base_value_usd
    FROM steps
    WINDOW w AS (PARTITION BY participant_id, measure ORDER BY seq)
),
years AS (
    SELECT participant_id, measure, year, SUM(carats) AS carats, SUM(value_usd) AS value_usd,
           BOOL_OR(period = 'Y')
           OR COUNT(*) = CASE WHEN measure = 'production' THEN 2 ELSE 4 END AS complete
    FROM series
    GROUP BY participant_id, measure, year
),
-- The previous year by LAG rather than a self-join, which PostgreSQL misestimated into a
-- nested loop over every pair of rows.
year_steps AS (
    SELECT *,
           LAG(year) OVER w AS base_year, LAG(carats) OVER w AS base_carats,
           LAG(value_usd) OVER w AS base_value_usd, LAG(complete) OVER w AS base_complete
    FROM years
    WINDOW w AS (PARTITION BY participant_id, measure ORDER BY year)
),
compared AS (
    SELECT participant_id, measure, year, period, carats, value_usd,
           base_year, base_period, base_carats, base_value_usd
    FROM sub_periods
    WHERE year = %(year)s AND base_seq = seq - 1
    UNION ALL
    SELECT participant_id, measure, year, 'Y', carats, value_usd,
           base_year, 'Y', base_carats, base_value_usd
    FROM year_steps
    WHERE year = %(year)s AND base_year = year - 1 AND complete AND base_complete
)
SELECT p.code, c.*
FROM compared c
JOIN participants_participant p ON p.id = c.participant_id
WHERE c.base_carats >= %(min_base)s
  AND (c.carats > c.base_carats * (1 + %(threshold)s)
       OR c.carats * (1 + %(threshold)s) < c.base_carats)
ORDER BY p.code, c.measure, c.period
"""


def _jumps(*, year: int, settings: AnomalySettings) -> list[Finding]:
    rows = _fetch(
        JUMP_SQL,
        {
            "year": year,
            "statuses": ANALYSED_STATUSES,
            "min_base": settings.jump_min_base_carats,
            "threshold": settings.jump_threshold,
        },
    )
    findings = []
    for row in rows:
        base: Decimal = row["base_carats"]
        current: Decimal = row["carats"]
        change = current - base
        change_pct = change / base * HUNDRED
        # Downwards, the change is measured the other way round (a fall to a fifth is a
        # +400% change read backwards), so the threshold means the same in both directions.
        times = current / base if change > 0 else (base / current if current else None)
        relative_excess = (
            (times - 1) / settings.jump_threshold
            if times is not None
            else settings.severity_high_factor
        )
        excess = min(relative_excess, base / settings.jump_min_base_carats)
        values = {
            "participant": row["code"],
            "measure": MEASURES[row["measure"]],
            "base_period": _period_label(row["base_year"], row["base_period"]),
            "base": _side(base, row["base_value_usd"]),
            "period": _period_label(row["year"], row["period"]),
            "current": _side(current, row["value_usd"]),
            "change": _signed(change) + " " + gettext("ct"),
            "change_pct": _signed(change_pct, 1) + "%",
            "limit": _num(settings.jump_threshold * HUNDRED, 0),
        }
        sentence = (
            gettext(
                "%(participant)s's %(measure)s rose from %(base)s in %(base_period)s to "
                "%(current)s in %(period)s: a change of %(change)s (%(change_pct)s), beyond "
                "the ±%(limit)s%% threshold."
            )
            if change > 0
            else gettext(
                "%(participant)s's %(measure)s fell from %(base)s in %(base_period)s to "
                "%(current)s in %(period)s: a change of %(change)s (%(change_pct)s), beyond "
                "the ±%(limit)s%% threshold read downwards (a fall to less than a quarter)."
            )
        )
        findings.append(
            Finding(
                rule=Anomaly.Rule.JUMP,
                year=year,
                participant_id=row["participant_id"],
                participant_code=row["code"],
                period=row["period"],
                severity=_severity(excess, settings),
                message=sentence % values,
                figures={
                    "measure": row["measure"],
                    "base_year": row["base_year"],
                    "base_period": row["base_period"],
                    "base_carats": _fig(base),
                    "base_value_usd": _fig(row["base_value_usd"]),
                    "base_usd_per_carat": _fig(_unit_value(base, row["base_value_usd"])),
                    "carats": _fig(current),
                    "value_usd": _fig(row["value_usd"]),
                    "usd_per_carat": _fig(_unit_value(current, row["value_usd"])),
                    "change_carats": _fig(change),
                    "change_pct": _fig(change_pct, TENTH),
                },
                detail=row["measure"],
            )
        )
    return findings


# Missing data -------------------------------------------------------------------------------

# Producers (accepted production above zero) and traders (accepted trade above zero) of the
# previous years with no accepted submission of that dataset this year. Only once the year's
# first period is due (a deadline the secretariat set, or two months after the period), and
# only for participants expected to report on the year's last day (or today): not those
# removed or withdrawn, and for trade not those barred from trading (suspended, embargoed).
MISSING_SQL = """
WITH past AS (
    SELECT s.participant_id, 'production' AS dataset, s.year,
           SUM(r.carats) AS carats, SUM(r.value_usd) AS value_usd
    FROM statistics_productionrecord r
    JOIN statistics_submission s ON s.id = r.submission_id
    WHERE s.dataset = 'production' AND s.status = ANY(%(statuses)s)
      AND s.year BETWEEN %(first_year)s AND %(year)s - 1
    GROUP BY s.participant_id, s.year
    HAVING SUM(r.carats) > 0
    UNION ALL
    SELECT s.participant_id, 'trade', s.year, SUM(t.carats), SUM(t.value_usd)
    FROM statistics_submissiontradetotal t
    JOIN statistics_submission s ON s.id = t.submission_id
    WHERE s.dataset = 'trade' AND s.status = ANY(%(statuses)s)
      AND s.year BETWEEN %(first_year)s AND %(year)s - 1
    GROUP BY s.participant_id, s.year
    HAVING SUM(t.carats) > 0
),
latest AS (
    SELECT DISTINCT ON (participant_id, dataset) participant_id, dataset, year, carats, value_usd
    FROM past
    ORDER BY participant_id, dataset, year DESC
),
expected AS (
    SELECT l.*, p.code,
        (SELECT e.event FROM participants_statusevent e
         WHERE e.participant_id = p.id AND e.date <= %(standing_on)s
         ORDER BY e.date DESC, e.id DESC LIMIT 1) AS standing,
        COALESCE(
            (SELECT d.due_date FROM statistics_reportingdeadline d
             WHERE d.year = %(year)s
               AND d.period = CASE WHEN l.dataset = 'production' THEN 'H1' ELSE 'Q1' END),
            CASE WHEN l.dataset = 'production' THEN %(production_due)s::date
                 ELSE %(trade_due)s::date END
        ) AS due_date,
        (SELECT ARRAY_AGG(DISTINCT s.status ORDER BY s.status) FROM statistics_submission s
         WHERE s.participant_id = l.participant_id AND s.dataset = l.dataset
           AND s.year = %(year)s) AS statuses_this_year
    FROM latest l
    JOIN participants_participant p ON p.id = l.participant_id
)
SELECT x.*
FROM expected x
WHERE x.due_date <= %(today)s
  AND x.standing IS NOT NULL
  AND x.standing <> ALL(CASE WHEN x.dataset = 'production' THEN %(not_participant)s::text[]
                             ELSE %(not_trading)s::text[] END)
  AND NOT EXISTS (
      SELECT 1 FROM statistics_submission s
      WHERE s.participant_id = x.participant_id AND s.dataset = x.dataset
        AND s.year = %(year)s AND s.status = ANY(%(statuses)s)
  )
ORDER BY x.code, x.dataset
"""


def _two_months_after(year: int, last_month: int) -> dt.date:
    """The default due date: the last day of the second month after the period's end."""
    month = last_month + 2
    due_year = year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(due_year, month, calendar.monthrange(due_year, month)[1])


def _missing_data(*, year: int, settings: AnomalySettings) -> list[Finding]:
    today = timezone.localdate()
    rows = _fetch(
        MISSING_SQL,
        {
            "year": year,
            "first_year": year - settings.missing_data_lookback_years,
            "statuses": ANALYSED_STATUSES,
            "standing_on": min(dt.date(year, 12, 31), today),
            "today": today,
            "production_due": _two_months_after(year, 6),
            "trade_due": _two_months_after(year, 3),
            "not_participant": sorted(str(e) for e in NOT_A_PARTICIPANT),
            "not_trading": sorted(str(e) for e in NOT_IN_GOOD_STANDING),
        },
    )
    labels = dict(Submission.Status.choices)
    findings = []
    for row in rows:
        # Drafts are the participant's own business until submitted.
        pending = [s for s in (row["statuses_this_year"] or []) if s in IN_REVIEW]
        values = {
            "participant": row["code"],
            "year": year,
            "last_year": row["year"],
            "figures": _side(row["carats"], row["value_usd"]),
            "lookback": settings.missing_data_lookback_years,
        }
        if row["dataset"] == "production":
            sentence = gettext(
                "%(participant)s reported production of %(figures)s in %(last_year)s, but no "
                "production figures for %(year)s have been accepted. Participants that "
                "produced in any of the previous %(lookback)s years are expected to report."
            )
        else:
            sentence = gettext(
                "%(participant)s reported trade of %(figures)s in %(last_year)s, but no "
                "trade figures for %(year)s have been accepted. Participants that traded in "
                "any of the previous %(lookback)s years are expected to report."
            )
        parts = [sentence % values]
        if pending:
            parts.append(
                gettext("A submission for %(year)s is in the workflow (%(statuses)s).")
                % {"year": year, "statuses": ", ".join(str(labels[s]) for s in pending)}
            )
        findings.append(
            Finding(
                rule=Anomaly.Rule.MISSING_DATA,
                year=year,
                participant_id=row["participant_id"],
                participant_code=row["code"],
                period="Y",
                severity=_severity(row["carats"] / settings.missing_data_min_carats, settings),
                message=" ".join(parts),
                figures={
                    "dataset": row["dataset"],
                    "last_reported_year": row["year"],
                    "last_reported_carats": _fig(row["carats"]),
                    "last_reported_value_usd": _fig(row["value_usd"]),
                    "due_date": row["due_date"].isoformat(),
                    "submissions_in_workflow": pending,
                },
                detail=row["dataset"],
            )
        )
    return findings


# Certificate mismatch -----------------------------------------------------------------------

# The rule's figures are the reconciliation's (kpcs.certificates.reconciliation: its queries
# and its gaps), so that the secretariat's reconciliation page shows what the rule found. A
# finding per exporter, importer and period where the certificates recorded differ from the
# exporter's reported exports, or from the importer's confirmations, beyond the tolerance.
# The importer's statistics are left to the mirror rule: where the certificates match the
# exporter's figures, a gap on the importer's side is a mirror discrepancy.


def _certificate_mismatches(*, year: int, settings: AnomalySettings) -> list[Finding]:
    tolerance = Tolerance(
        relative=settings.certificate_tolerance,
        min_carats=settings.certificate_min_carats,
        min_value_usd=settings.certificate_min_value_usd,
        min_certificates=settings.certificate_min_count,
    )
    findings = []
    for row in reconciliation_by_quarter(year=year, tolerance=tolerance).rows:
        if not (row.export_flagged or row.confirmation_flagged):
            continue
        excesses = [
            g.excess for g in (*row.export_gaps, *row.confirmation_gaps) if g.excess is not None
        ]
        findings.append(
            Finding(
                rule=Anomaly.Rule.CERTIFICATE_MISMATCH,
                year=year,
                participant_id=row.exporter.id,
                participant_code=row.exporter.code,
                partner_id=row.importer.id,
                partner_code=row.importer.code,
                period=row.period,
                severity=_severity(max(excesses), settings),
                message=_certificate_message(row),
                figures=_certificate_figures(row),
            )
        )
    return findings


def _certificate_count(count: int) -> str:
    return ngettext("%(count)s certificate", "%(count)s certificates", count) % {
        "count": _num(Decimal(count), 0)
    }


def _gap_words(gap: Gap) -> str:
    """E.g. "6,000.00 ct (50.0%)" or "5 certificates (52.6%)"."""
    amount = abs(gap.difference)
    if gap.measure == "carats":
        text = _ct(amount)
    elif gap.measure == "value_usd":
        text = _usd(amount)
    else:
        text = _certificate_count(int(amount))
    return gettext("%(amount)s (%(pct)s)") % {"amount": text, "pct": _pct(gap.pct)}


def _certificate_message(row: ReconciliationRow) -> str:
    names = {
        "exporter": row.exporter.code,
        "importer": row.importer.code,
        "period": _period_label(row.year, row.period),
    }
    issued = row.issued
    if row.certificates:
        parts = [
            gettext(
                "In %(period)s, %(exporter)s recorded %(certificates)s for shipments to "
                "%(importer)s: %(figures)s."
            )
            % {
                **names,
                "certificates": _certificate_count(row.certificates),
                "figures": _side(issued.carats, issued.value_usd),
            }
        ]
        if issued.certificates != row.certificates:
            # Trade statistics count a certificate once per HS code (one row each).
            parts.append(
                gettext(
                    "Counted once per HS code, as trade statistics count them, they make %(count)s."
                )
                % {"count": _num(Decimal(issued.certificates), 0)}
            )
    else:
        parts = [
            gettext(
                "In %(period)s, %(exporter)s recorded no certificate for shipments to %(importer)s."
            )
            % names
        ]
    if row.void:
        parts.append(
            ngettext(
                "%(count)s void certificate is not counted.",
                "%(count)s void certificates are not counted.",
                row.void,
            )
            % {"count": row.void}
        )
    if row.export_flagged:
        assert row.exports is not None
        exports = row.exports
        if exports.is_zero:
            parts.append(
                gettext("%(exporter)s's statistics report no exports to %(importer)s.") % names
            )
        else:
            parts.append(
                gettext(
                    "%(exporter)s's statistics report exports to %(importer)s of %(figures)s "
                    "on %(certificates)s."
                )
                % {
                    **names,
                    "figures": _side(exports.carats, exports.value_usd),
                    "certificates": _certificate_count(exports.certificates),
                }
            )
        carats, value, count = (_gap_words(g) for g in row.export_gaps)
        parts.append(
            gettext(
                "Certificates and statistics differ by %(carats)s, %(value)s and %(count)s, "
                "as a share of the average of the two figures."
            )
            % {"carats": carats, "value": value, "count": count}
        )
    if row.confirmation_flagged:
        c = row.confirmations
        values = {
            **names,
            "due": _certificate_count(c.due),
            "due_carats": _ct(c.due_carats),
            "confirmed": _num(Decimal(c.confirmed), 0),
            "received": _ct(c.received_carats),
        }
        if c.confirmed:
            sentence = gettext(
                "Of the %(due)s due an import confirmation (%(due_carats)s), %(importer)s "
                "confirmed %(confirmed)s, with %(received)s received:"
            )
        else:
            sentence = gettext(
                "Of the %(due)s due an import confirmation (%(due_carats)s), %(importer)s "
                "confirmed none:"
            )
        count, carats = (_gap_words(g) for g in row.confirmation_gaps)
        parts.append(
            sentence % values
            + " "
            + gettext("a gap of %(count)s and %(carats)s.") % {"count": count, "carats": carats}
        )
        if c.awaiting:
            parts.append(
                ngettext(
                    "%(count)s more certificate still awaits its confirmation.",
                    "%(count)s more certificates still await their confirmation.",
                    c.awaiting,
                )
                % {"count": c.awaiting}
            )
    return " ".join(parts)


def _certificate_figures(row: ReconciliationRow) -> dict[str, Any]:
    c = row.confirmations
    figures: dict[str, Any] = {
        "exporter": row.exporter.code,
        "importer": row.importer.code,
        "certificates": row.certificates,
        "certificates_by_hs_code": row.issued.certificates,
        "certificate_carats": _fig(row.issued.carats),
        "certificate_value_usd": _fig(row.issued.value_usd),
        "void_certificates": row.void,
        "export_carats": None,
        "export_value_usd": None,
        "export_certificates": None,
    }
    if row.exports is not None:
        figures.update(
            export_carats=_fig(row.exports.carats),
            export_value_usd=_fig(row.exports.value_usd),
            export_certificates=row.exports.certificates,
        )
    for gap in row.export_gaps:
        name = "gap_certificates" if gap.measure == "certificates" else f"gap_{gap.measure}"
        figures[name] = (
            int(gap.difference) if gap.measure == "certificates" else _fig(gap.difference)
        )
        figures[f"{name}_pct"] = _fig(gap.pct, TENTH)
    figures.update(
        confirmations_due=c.due,
        confirmations_due_carats=_fig(c.due_carats),
        confirmed=c.confirmed,
        received_carats=_fig(c.received_carats),
        awaiting_confirmation=c.awaiting,
    )
    if row.confirmation_gaps:
        count, carats = row.confirmation_gaps
        figures.update(
            gap_confirmations=int(count.difference),
            gap_received_carats=_fig(carats.difference),
            gap_received_carats_pct=_fig(carats.pct, TENTH),
        )
    return figures
