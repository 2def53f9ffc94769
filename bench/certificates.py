"""Benchmark: the certificate registry at the scale of twenty years of KP certificates.

A FORMATS.md §2 file of 1,000,000 certificate rows over 20 years is written (streamed to
disk): certificates issued on working days by participants in good standing on the day, to
participants in good standing, numbers starting with the exporting country's alpha-2 code (EU
certificates with EU and the member state they leave), 1–3 HS-code lines each. Then, each
against a floor measured in the same run:

- (a) importing it with full validation, as `manage.py import_certificates` does
  (certificate_file_read + certificates_import, actor None), against PostgreSQL COPY of the
  same file into a bare table with the file's columns (goal: at least half its speed, so
  within 2×). COPY plus INSERT … SELECT into the registry's own tables is printed as a
  second, fairer floor, for information;
- (b) the peak memory of that import: the growth of the process's peak resident set
  (VmHWM, reset before each import through /proc/self/clear_refs; ru_maxrss where that is
  not available) while importing the whole file and a file a quarter its size (goal: below
  300 MB, and about the same for both: memory does not grow with the file);
- (c) verification lookups per second through selectors.certificate_status_public against a
  bare primary-key SELECT through Django (`Certificate.objects.filter(pk=…)
  .values_list("status")`) (goal: within 2×);
- (d) the quarterly reconciliation of one year (reconciliation_by_quarter), with statistics
  and confirmations derived from the certificates and a few planted gaps, for information.

The script works in a scratch database of its own on the server DATABASE_URL names (or the
embedded one): `<name>_bench_certificates`, created, migrated and dropped again here. It is
not a test (pytest collects test_*.py only).

Sizes: BENCH_CERT_ROWS (1000000), BENCH_CERT_YEARS (20); repeats: BENCH_IMPORT_RUNS (1:
imports of the whole file, each with its floors), BENCH_LOOKUPS (2000 per round),
BENCH_RUNS (5: rounds of lookups, reconciliations). Quick run: BENCH_CERT_ROWS=50000
BENCH_IMPORT_RUNS=2. BENCH_ONLY=memory,lookups,reconciliation picks measurements (the
import of the whole file always runs: the others read what it stored). BENCH_PROFILE=1 prints
a cProfile of the import and of the lookups; BENCH_KEEP_DB=1 keeps the scratch database.
"""

from __future__ import annotations

import cProfile
import csv
import datetime as dt
import io
import itertools
import math
import os
import pstats
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpcs.settings.local")
# Thousands of anonymous requests a minute from one address: the benchmark measures the work of
# a request, not the rate limits (docs/security.md), so those are lifted for it.
os.environ.setdefault("PUBLIC_API_RATE", "100000000/minute")
os.environ.setdefault("CERTIFICATE_VERIFY_RATE", "100000000/minute")
os.environ["DEBUG"] = "false"

from _benchkit import env_flag, env_int, env_only, scratch_database

ROWS = env_int("BENCH_CERT_ROWS", 1_000_000, minimum=1000)
YEARS = env_int("BENCH_CERT_YEARS", 20)
IMPORT_RUNS = env_int("BENCH_IMPORT_RUNS", 1)
LOOKUPS = env_int("BENCH_LOOKUPS", 2000, minimum=10)
RUNS = env_int("BENCH_RUNS", 5)
PROFILE = env_flag("BENCH_PROFILE")
ONLY = env_only()


def _wanted(name: str) -> bool:
    return not ONLY or name in ONLY


GOAL_IMPORT = 2.0
GOAL_LOOKUP = 2.0
GOAL_MEMORY_MB = 300.0


# --- A scratch database, before Django reads its settings ----------------------------------------


SCRATCH_NAME = scratch_database("bench_certificates")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from kpcs.certificates.importing import certificate_file_read  # noqa: E402
from kpcs.certificates.models import Certificate  # noqa: E402
from kpcs.certificates.reconciliation import reconciliation_by_quarter  # noqa: E402
from kpcs.certificates.selectors import certificate_status_public  # noqa: E402
from kpcs.certificates.services import certificates_import  # noqa: E402
from kpcs.certificates.validation import CERTIFICATE_COLUMNS  # noqa: E402
from kpcs.participants.models import Country, Participant, StatusEvent  # noqa: E402
from kpcs.participants.selectors import NOT_IN_GOOD_STANDING  # noqa: E402
from kpcs.participants.services import reference_data_load  # noqa: E402
from kpcs.statistics.anomalies import anomaly_analysis_run  # noqa: E402

# --- Who could issue what, and when --------------------------------------------------------------

# How much each participant exports, roughly (relative weights: producers and trading hubs
# issue most certificates); everyone else 1.
ISSUER_WEIGHTS = {
    "EUR": 40.0,
    "IND": 30.0,
    "ARE": 30.0,
    "BWA": 12.0,
    "ZAF": 10.0,
    "RUS": 10.0,
    "ISR": 10.0,
    "CHN": 6.0,
    "USA": 6.0,
    "CAN": 5.0,
    "AGO": 5.0,
    "COD": 5.0,
    "NAM": 4.0,
    "AUS": 3.0,
    "SLE": 3.0,
    "ZWE": 3.0,
    "CHE": 3.0,
    "THA": 2.0,
    "LSO": 2.0,
}
# Where rough diamonds go: the hubs receive most shipments.
DESTINATION_WEIGHTS = {
    "EUR": 30.0,
    "IND": 30.0,
    "ARE": 25.0,
    "ISR": 10.0,
    "CHN": 8.0,
    "USA": 6.0,
    "BWA": 4.0,
    "ZAF": 3.0,
    "CHE": 3.0,
    "THA": 2.0,
}
PRODUCERS = {"RUS", "BWA", "CAN", "COD", "AUS", "AGO", "ZAF", "ZWE", "NAM", "SLE", "LSO"}
# US$ per carat by HS code (the issue's ranges), as in bench/kp_statistics.py.
UNIT_VALUES = {"7102.10": (60.0, 120.0), "7102.21": (10.0, 30.0), "7102.31": (100.0, 200.0)}
HS_CODES = tuple(UNIT_VALUES)
# Lines per certificate: most shipments are of one HS code. Twenty years of a million rows
# then make about 45,000 certificates a year.
LINE_COUNTS = (1, 2, 3)
LINE_WEIGHTS = (0.92, 0.06, 0.02)
VALIDITY_DAYS = 60


@dataclass(frozen=True)
class Party:
    code: str
    alpha2: str  # certificate prefix: the exporting country's alpha-2 code
    countries: tuple[tuple[str, str], ...]  # (alpha3, alpha2) it may ship from
    origin: str  # alpha-3 of origin for its own production, or MIXED


class Standings:
    """Who is in good standing on a date: the latest status event on or before it, as
    participant_standing_on and the validation read it. Cached per date."""

    def __init__(self, parties: dict[int, Party]) -> None:
        self.events: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
        for pid, date, event in StatusEvent.objects.order_by("date", "id").values_list(
            "participant_id", "date", "event"
        ):
            self.events[pid].append((date, event))
        self.parties = parties
        self.bad = frozenset(str(e) for e in NOT_IN_GOOD_STANDING)
        self._cache: dict[dt.date, tuple[list[int], list[float], list[float]]] = {}

    def good(self, pid: int, date: dt.date) -> bool:
        state = None
        for when, event in self.events[pid]:
            if when > date:
                break
            state = event
        return state is not None and state not in self.bad

    def weights(self, date: dt.date) -> tuple[list[int], list[float], list[float]]:
        """Who is in good standing on the date, with the cumulative weights of each as an
        issuer and as a destination (for random.choices)."""
        found = self._cache.get(date)
        if found is None:
            eligible = [pid for pid in self.parties if self.good(pid, date)]
            codes = [self.parties[pid].code for pid in eligible]
            found = (
                eligible,
                list(itertools.accumulate(ISSUER_WEIGHTS.get(c, 1.0) for c in codes)),
                list(itertools.accumulate(DESTINATION_WEIGHTS.get(c, 1.0) for c in codes)),
            )
            self._cache[date] = found
        return found


def parties_load() -> dict[int, Party]:
    """Every participant with the countries its certificates may name (as the validation
    reads them: its own country, the member states for the EU, the same-code country for a
    trading entity)."""
    by_alpha3 = dict(Country.objects.values_list("alpha3", "alpha2"))
    eu_members = tuple(
        sorted(Country.objects.filter(is_eu_member=True).values_list("alpha3", "alpha2"))
    )
    parties = {}
    for participant in Participant.objects.select_related("country").prefetch_related(
        "member_countries"
    ):
        members = tuple(sorted((c.alpha3, c.alpha2) for c in participant.member_countries.all()))
        if participant.country is not None:
            countries: tuple[tuple[str, str], ...] = (
                (participant.country.alpha3, participant.country.alpha2),
            )
        elif members:
            countries = members
        elif participant.code == "EUR":
            countries = eu_members
        elif participant.code in by_alpha3:
            countries = ((participant.code, by_alpha3[participant.code]),)
        else:
            continue  # no country to ship from: issues nothing here
        origin = countries[0][0] if participant.code in PRODUCERS else "MIXED"
        parties[participant.pk] = Party(participant.code, countries[0][1], countries, origin)
    return parties


# --- The file ------------------------------------------------------------------------------------


def _working_days(year: int) -> list[dt.date]:
    day, days = dt.date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def certificate_rows(
    *, rows_wanted: int, years: list[int], parties: dict[int, Party], standings: Standings
) -> Iterator[list[Any]]:
    """FORMATS.md §2 rows, certificate after certificate (its lines together), in date order,
    until at least `rows_wanted` rows (the last certificate is not cut)."""
    rng = random.Random(2002)
    per_year = rows_wanted / len(years)
    sequence: dict[tuple[int, int], int] = defaultdict(int)
    companies = {
        pid: [f"{party.code} Diamond Exports {n}" for n in range(1, 6)]
        + [f"{party.code} Rough Trading, Ltd"]
        for pid, party in parties.items()
    }
    written = 0
    for year in years:
        days = _working_days(year)
        year_rows = 0
        price_level = rng.lognormvariate(0, 0.08)
        while year_rows < per_year and written < rows_wanted:
            date = days[min(len(days) - 1, int(len(days) * year_rows / per_year))]
            eligible, issuer_weights, destination_weights = standings.weights(date)
            issuer_id = rng.choices(eligible, cum_weights=issuer_weights)[0]
            destination_id = issuer_id
            while destination_id == issuer_id:  # never oneself
                destination_id = rng.choices(eligible, cum_weights=destination_weights)[0]
            issuer, destination = parties[issuer_id], parties[destination_id]
            alpha3, alpha2 = rng.choice(issuer.countries)
            sequence[(issuer_id, year)] += 1
            serial = sequence[(issuer_id, year)]
            if issuer.code == "EUR":
                number = f"EU/{alpha2}/{year}/{serial:06d}"
            else:
                number = f"{alpha2}{year % 100:02d}{serial:07d}"
            count = rng.choices(LINE_COUNTS, weights=LINE_WEIGHTS)[0]
            head = [
                number,
                issuer.code,
                alpha3,
                destination.code,
                date.isoformat(),
                (date + dt.timedelta(days=VALIDITY_DAYS)).isoformat(),
            ]
            tail = [
                issuer.origin,
                rng.choice(companies[issuer_id]),
                rng.choice(companies[destination_id]),
            ]
            for hs_code in rng.sample(HS_CODES, count):
                carats = rng.lognormvariate(math.log(800), 1.3) + 0.01
                low, high = UNIT_VALUES[hs_code]
                value = carats * rng.uniform(low, high) * price_level
                yield [
                    *head,
                    hs_code,
                    f"{carats:.2f}",
                    f"{value:.2f}",
                    rng.randint(1, 5),
                    *tail,
                ]
            year_rows += count
            written += count


def file_write(target: Path, rows: Iterator[list[Any]]) -> tuple[int, int]:
    """Stream the rows to a CSV file; (rows, certificates) written."""
    written = certificates = 0
    last = None
    with target.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(CERTIFICATE_COLUMNS)
        for row in rows:
            out.writerow(row)
            written += 1
            if (row[0], row[1]) != last:
                certificates += 1
                last = (row[0], row[1])
    return written, certificates


# --- Timing --------------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    seconds: float
    floor: float | None = None
    goal: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.floor if self.floor else None


RESULTS: list[Result] = []
MEMORY: list[tuple[str, float]] = []


def report(result: Result) -> None:
    RESULTS.append(result)
    ratio = result.ratio
    ratio_text = f"{ratio:6.2f}x" if ratio is not None else "       "
    verdict = ""
    if result.goal is not None and ratio is not None:
        verdict = "  PASS" if ratio <= result.goal else "  MISS"
    note = f"  ({result.note})" if result.note else ""
    print(f"{result.label:58s} {result.seconds * 1000:12.2f} ms {ratio_text}{verdict}{note}")


def profile(label: str, run: Callable[[], Any]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    print(f"\n--- profile: {label}\n{out.getvalue()}")


# --- Memory --------------------------------------------------------------------------------------

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kb(field: str) -> int | None:
    try:
        match = re.search(rf"^{field}:\s+(\d+) kB", _STATUS.read_text(), re.MULTILINE)
    except OSError:
        return None
    return int(match.group(1)) if match else None


def _peak_reset() -> bool:
    """Reset the peak resident set (VmHWM) to the current one; False where Linux's
    /proc/self/clear_refs is not there to do it."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def peak_growth(run: Callable[[], Any]) -> tuple[float, str]:
    """How far the process's peak resident set rose above its size before `run`, in MB."""
    import gc

    gc.collect()
    if _peak_reset() and (before := _status_kb("VmRSS")) is not None:
        run()
        peak = _status_kb("VmHWM") or 0
        return (peak - before) / 1024, "VmHWM after reset"
    # ru_maxrss never goes down: the growth over the process's earlier peak (a lower bound
    # when something earlier peaked higher).
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    run()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (after - before) / 1024, "ru_maxrss"


# --- The measurements ----------------------------------------------------------------------------

STAGING_COLUMNS = """
    certificate_number text, issuing_participant text, exporting_country text,
    destination_participant text, date_issued date, date_expiry date, hs_code text,
    carats numeric(16, 2), value_usd numeric(18, 2), parcels integer, origin text,
    exporter text, importer text
"""
COPY_CSV = (
    "COPY {table} ("
    + ", ".join(CERTIFICATE_COLUMNS)
    + ") FROM STDIN WITH (FORMAT csv, HEADER true)"
)
# What the import has to write, done by the database alone: the file's certificates (their
# rows grouped by issuer and number, totals summed) and their lines, codes resolved, into the
# registry's tables with all their constraints and indexes (no validation at all).
INSERT_CERTIFICATES_SQL = """
INSERT INTO certificates_certificate
    (issuing_participant_id, number, exporting_country_id, destination_participant_id,
     date_issued, date_expiry, origin_id, exporter, importer, carats, value_usd, parcels,
     status, recorded_at)
SELECT ip.id, s.certificate_number, MIN(ec.id), MIN(dp.id), MIN(s.date_issued),
       MIN(s.date_expiry), MIN(oc.id), MIN(s.exporter), MIN(s.importer), SUM(s.carats),
       SUM(s.value_usd), SUM(s.parcels), 'issued', now()
FROM bench_staging_tables s
JOIN participants_participant ip ON ip.code = s.issuing_participant
JOIN participants_participant dp ON dp.code = s.destination_participant
JOIN participants_country ec ON ec.alpha3 = s.exporting_country
LEFT JOIN participants_country oc ON oc.alpha3 = s.origin
GROUP BY ip.id, s.certificate_number
"""
INSERT_LINES_SQL = """
INSERT INTO certificates_certificateline (certificate_id, hs_code, carats, value_usd, parcels)
SELECT c.id, s.hs_code, s.carats, s.value_usd, s.parcels
FROM bench_staging_tables s
JOIN participants_participant ip ON ip.code = s.issuing_participant
JOIN certificates_certificate c
  ON c.issuing_participant_id = ip.id AND c.number = s.certificate_number
"""
REGISTRY_TABLES = (
    "certificates_certificateline",
    "certificates_importconfirmation",
    "certificates_voidnotice",
    "certificates_certificatealert",
    "certificates_certificate",
)


def _copy_file(table: str, csv_path: Path) -> None:
    with (
        connection.cursor() as cursor,
        cursor.copy(COPY_CSV.format(table=table)) as copy,
        csv_path.open("rb") as handle,
    ):
        while chunk := handle.read(1 << 20):
            copy.write(chunk)


def registry_empty() -> None:
    """Remove every certificate (untimed) and vacuum, so each import starts alike."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(REGISTRY_TABLES)}")
        cursor.execute(f"VACUUM ANALYZE {', '.join(REGISTRY_TABLES)}")


def import_file(csv_path: Path) -> Any:
    """What `manage.py import_certificates PATH` does."""
    return certificates_import(rows=certificate_file_read(csv_path, csv_path.name), actor=None)


def measure_import(csv_path: Path, rows: int, certificates: int) -> None:
    with connection.cursor() as cursor:
        for table in ("bench_staging_copy", "bench_staging_tables"):
            cursor.execute(f"CREATE TABLE {table} ({STAGING_COLUMNS})")

    def staging_empty() -> None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE bench_staging_copy, bench_staging_tables")
            cursor.execute("VACUUM ANALYZE bench_staging_copy, bench_staging_tables")

    def floor_copy() -> None:
        _copy_file("bench_staging_copy", csv_path)

    def floor_tables() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            _copy_file("bench_staging_tables", csv_path)
            cursor.execute(INSERT_CERTIFICATES_SQL)
            cursor.execute(INSERT_LINES_SQL)

    def timed(run: Callable[[], Any]) -> float:
        start = time.perf_counter()
        run()
        return time.perf_counter() - start

    size = csv_path.stat().st_size / 1e6
    print(
        f"\nimport of {rows} rows ({certificates} certificates, {size:.1f} MB) into an empty "
        f"registry; {IMPORT_RUNS} round(s): COPY, COPY + INSERT…SELECT, the import, each "
        "followed by an untimed clean-up (the last import is kept for the other measurements)"
    )
    floor_copy()  # warm the file into the page cache
    staging_empty()
    copies, tables, imports, reads = [], [], [], []
    memory = None
    for index in range(IMPORT_RUNS):
        copies.append(timed(floor_copy))
        staging_empty()
        tables.append(timed(floor_tables))
        registry_empty()
        staging_empty()
        # Reading alone (no validation, nothing stored): how much of the import is the file.
        reads.append(timed(lambda: sum(1 for _ in certificate_file_read(csv_path, "x.csv"))))
        started = time.perf_counter()
        growth, how = peak_growth(lambda: _checked_import(csv_path, certificates))
        imports.append(time.perf_counter() - started)
        memory = (growth, how)
        if index < IMPORT_RUNS - 1:
            registry_empty()
    copied, tabled, imported = (statistics.median(v) for v in (copies, tables, imports))
    report(Result("floor: COPY of the file into a bare table", copied))
    report(
        Result(
            "COPY + INSERT…SELECT into the registry tables",
            tabled,
            copied,
            note="fairer floor, for information",
        )
    )
    report(
        Result(
            "certificate_file_read + certificates_import",
            imported,
            copied,
            GOAL_IMPORT,
            note=f"reading the file alone {statistics.median(reads) * 1000:.0f} ms; "
            f"{imported / tabled:.2f}x the fairer floor; "
            f"{rows / imported:,.0f} rows/s",
        )
    )
    assert memory is not None
    MEMORY.append((f"import of {rows} rows", memory[0]))
    print(f"peak memory growth of that import: {memory[0]:.1f} MB ({memory[1]})")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_staging_copy, bench_staging_tables")
        cursor.execute(f"VACUUM ANALYZE {', '.join(REGISTRY_TABLES)}")
    if PROFILE:
        registry_empty()
        profile("certificate_file_read + certificates_import", lambda: import_file(csv_path))


def _checked_import(csv_path: Path, certificates: int) -> None:
    result = import_file(csv_path)
    assert result.created == certificates, result.summary()


def measure_memory(small_path: Path, rows: int, certificates: int) -> None:
    """The quarter-size file into an empty registry (then emptied again)."""
    registry_empty()
    growth, how = peak_growth(lambda: _checked_import(small_path, certificates))
    MEMORY.append((f"import of {rows} rows", growth))
    print(
        f"\npeak memory growth importing {rows} rows ({certificates} certificates): "
        f"{growth:.1f} MB ({how})"
    )
    registry_empty()


def measure_lookups() -> None:
    rng = random.Random(7)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, p.code, c.number, c.carats FROM certificates_certificate c "
            "JOIN participants_participant p ON p.id = c.issuing_participant_id "
            "ORDER BY random() LIMIT %s",
            [LOOKUPS],
        )
        sample = cursor.fetchall()
    # A tenth of what customs ask about is not in the registry (a typo, a forgery).
    queries = [
        (code, number if rng.random() > 0.1 else number + "X", carats)
        for _, code, number, carats in sample
    ]
    ids = [pk for pk, *_ in sample]

    def floor() -> None:
        # order_by(): without it the model's default ordering (date, issuer's code, number)
        # would add a join and a sort to the "bare" primary-key read.
        for pk in ids:
            list(Certificate.objects.filter(pk=pk).order_by().values_list("status"))

    def case() -> None:
        for code, number, _ in queries:
            certificate_status_public(participant_code=code, number=number)

    def case_carats() -> None:
        for code, number, carats in queries:
            certificate_status_public(participant_code=code, number=number, carats=carats)

    answers: defaultdict[str, int] = defaultdict(int)
    for code, number, _ in queries:
        answers[certificate_status_public(participant_code=code, number=number)] += 1
    print(
        f"\nverification: {len(queries)} lookups a round ({dict(answers)}), {RUNS} rounds "
        "taking turns with the floor, median round"
    )
    samples: dict[str, list[float]] = defaultdict(list)
    for warm_up in (floor, case, case_carats):
        warm_up()
    for _ in range(RUNS):
        for label, run in (("floor", floor), ("case", case), ("carats", case_carats)):
            start = time.perf_counter()
            run()
            samples[label].append(time.perf_counter() - start)
    per = {label: statistics.median(v) / len(queries) for label, v in samples.items()}
    report(
        Result(
            "floor: Certificate.objects.filter(pk=…).values_list(…)",
            per["floor"],
            note=f"{1 / per['floor']:,.0f} lookups/s",
        )
    )
    report(
        Result(
            "certificate_status_public(participant, number)",
            per["case"],
            per["floor"],
            GOAL_LOOKUP,
            note=f"{1 / per['case']:,.0f} lookups/s",
        )
    )
    report(
        Result(
            "certificate_status_public(…, carats=…)",
            per["carats"],
            per["floor"],
            GOAL_LOOKUP,
            note=f"{1 / per['carats']:,.0f} lookups/s",
        )
    )
    if PROFILE:
        profile("certificate_status_public × lookups", case)


# Statistics and confirmations for the reconciliation, derived from the stored certificates
# in SQL (set-up, untimed): most certificates confirmed with the carats sent, a few expired
# unconfirmed or void; each exporter's and importer's quarterly trade statistics of the year
# as the sums of the certificates' lines, the importer's within 1 %, and a few pairs planted
# with exports reported 40 % low.
STATUSES_SQL = """
UPDATE certificates_certificate
SET status = CASE WHEN (id * 7919) %% 1000 < 5 THEN 'void'
                  WHEN (id * 7919) %% 1000 < 30 THEN 'expired'
                  ELSE 'confirmed' END,
    status_changed_at = now()
WHERE date_expiry < %(today)s
"""
CONFIRMATIONS_SQL = """
INSERT INTO certificates_importconfirmation
    (certificate_id, confirming_participant_id, date_received, carats, carats_differ,
     recorded_at)
SELECT id, destination_participant_id, date_issued + 12,
       CASE WHEN (id * 104729) %% 500 = 0 THEN ROUND(carats * 0.8, 2) ELSE carats END,
       (id * 104729) %% 500 = 0, now()
FROM certificates_certificate
WHERE status = 'confirmed'
"""
VOID_NOTICES_SQL = """
INSERT INTO certificates_voidnotice (certificate_id, reason, note, declared_at)
SELECT id, 'cancelled', 'benchmark', now() FROM certificates_certificate WHERE status = 'void'
"""
SUBMISSIONS_SQL = """
INSERT INTO statistics_submission
    (participant_id, year, dataset, period, status, historical, created_at, updated_at,
     submitted_at, accepted_at)
SELECT p.id, %(year)s, 'trade', q.period, 'accepted', false, now(), now(), now(), now()
FROM participants_participant p
CROSS JOIN (VALUES ('Q1'), ('Q2'), ('Q3'), ('Q4')) AS q (period)
WHERE EXISTS (
    SELECT 1 FROM certificates_certificate c
    WHERE c.date_issued BETWEEN %(start)s AND %(end)s
      AND (c.issuing_participant_id = p.id OR c.destination_participant_id = p.id)
)
"""
TRADE_SQL = """
WITH lines AS (
    SELECT c.issuing_participant_id AS exporter_id,
           c.destination_participant_id AS importer_id,
           'Q' || EXTRACT(QUARTER FROM c.date_issued)::int AS period, l.hs_code,
           SUM(l.carats) AS carats, SUM(l.value_usd) AS value_usd,
           COUNT(DISTINCT c.id) AS certificates
    FROM certificates_certificate c
    JOIN certificates_certificateline l ON l.certificate_id = c.id
    WHERE c.date_issued BETWEEN %(start)s AND %(end)s AND c.status <> 'void'
    GROUP BY 1, 2, 3, 4
),
planted AS (
    SELECT *, (exporter_id * 31 + importer_id * 17) %% 100 < %(planted_pct)s AS low
    FROM lines
)
INSERT INTO statistics_traderecord
    (submission_id, flow, partner_id, hs_code, carats, value_usd, certificates)
SELECT s.id, 'export', l.importer_id, l.hs_code,
       ROUND(l.carats * CASE WHEN l.low THEN 0.6 ELSE 1 END, 2),
       ROUND(l.value_usd * CASE WHEN l.low THEN 0.6 ELSE 1 END, 2),
       l.certificates
FROM planted l
JOIN statistics_submission s
  ON s.participant_id = l.exporter_id AND s.year = %(year)s AND s.dataset = 'trade'
 AND s.period = l.period
UNION ALL
SELECT s.id, 'import', l.exporter_id, l.hs_code,
       ROUND(l.carats * (0.995 + ((l.exporter_id + l.importer_id) %% 10) / 1000.0), 2),
       ROUND(l.value_usd * (0.99 + ((l.exporter_id * l.importer_id) %% 20) / 1000.0), 2),
       l.certificates
FROM planted l
JOIN statistics_submission s
  ON s.participant_id = l.importer_id AND s.year = %(year)s AND s.dataset = 'trade'
 AND s.period = l.period
"""


def reconciliation_setup(year: int) -> None:
    start = time.perf_counter()
    params: dict[str, Any] = {
        "year": year,
        "start": dt.date(year, 1, 1),
        "end": dt.date(year, 12, 31),
        "today": timezone.localdate(),
        "planted_pct": 2,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in (
            STATUSES_SQL,
            CONFIRMATIONS_SQL,
            VOID_NOTICES_SQL,
            SUBMISSIONS_SQL,
            TRADE_SQL,
        ):
            cursor.execute(statement, params)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(
        f"\nreconciliation set-up (not measured): statuses, confirmations and {year}'s "
        f"statistics derived from the certificates in {time.perf_counter() - start:.1f} s"
    )


def measure_reconciliation(year: int) -> None:
    first = reconciliation_by_quarter(year=year)
    pairs = {(r.exporter.code, r.importer.code) for r in first.rows}
    certificates = Certificate.objects.filter(date_issued__year=year).count()
    print(
        f"reconciliation of {year}: {certificates} certificates, {len(pairs)} pairs, "
        f"{len(first.rows)} rows, {len(first.flagged)} with a gap beyond tolerance "
        f"(exporters' statistics {sum(r.export_flagged for r in first.rows)}, importers' "
        f"{sum(r.import_flagged for r in first.rows)}, confirmations "
        f"{sum(r.confirmation_flagged for r in first.rows)}); median of {RUNS} runs"
    )
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        reconciliation_by_quarter(year=year)
        times.append(time.perf_counter() - start)
    report(
        Result(
            f"reconciliation_by_quarter(year={year})",
            statistics.median(times),
            note="for information",
        )
    )
    # The analysis reports progress before each rule and before saving: the certificate rule
    # is the last rule, between the last two reports but one.
    marks: list[float] = []
    analysis = anomaly_analysis_run(
        year=year, progress=lambda *_: marks.append(time.perf_counter())
    )
    report(
        Result(
            "certificate_mismatch rule in anomaly_analysis_run",
            marks[-2] - marks[-3],
            note=f"for information; {analysis.found.get('certificate_mismatch', 0)} findings",
        )
    )


# --- The run -------------------------------------------------------------------------------------


def main() -> None:
    setup_start = time.perf_counter()
    call_command("migrate", verbosity=0)
    with translation.override("en"):
        reference_data_load()
    last_year = timezone.localdate().year - 1  # the latest complete year
    years = list(range(last_year - YEARS + 1, last_year + 1))
    parties = parties_load()
    standings = Standings(parties)

    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "certificates.csv"
        small = Path(folder) / "certificates-quarter.csv"
        rows, certificates = file_write(
            big,
            certificate_rows(rows_wanted=ROWS, years=years, parties=parties, standings=standings),
        )
        small_rows, small_certificates = file_write(
            small,
            certificate_rows(
                rows_wanted=ROWS // 4, years=years, parties=parties, standings=standings
            ),
        )
        print(
            f"scratch database {SCRATCH_NAME}; {big.name}: {rows} rows, {certificates} "
            f"certificates over {years[0]}–{years[-1]} (about {certificates // len(years):,} "
            f"a year), {big.stat().st_size / 1e6:.1f} MB; {small.name}: {small_rows} rows; "
            f"set-up {time.perf_counter() - setup_start:.1f} s (not measured)"
        )
        if _wanted("memory"):
            measure_memory(small, small_rows, small_certificates)
        measure_import(big, rows, certificates)

    # Statuses, confirmations and a year's statistics, derived from what was imported: the
    # lookups then meet confirmed, expired and void certificates as customs would.
    reconciliation_setup(years[-1])
    if _wanted("lookups"):
        measure_lookups()
    if _wanted("reconciliation"):
        measure_reconciliation(years[-1])
    summary_print()


def summary_print() -> None:
    print("\nsummary (goals against floors measured in this run)")
    for result in RESULTS:
        if result.goal is not None and result.ratio is not None:
            verdict = "PASS" if result.ratio <= result.goal else "MISS"
            print(f"  {verdict}  {result.label}: {result.ratio:.2f}x (goal ≤ {result.goal:g}x)")
    if MEMORY:
        worst = max(growth for _, growth in MEMORY)
        verdict = "PASS" if worst < GOAL_MEMORY_MB else "MISS"
        sizes = ", ".join(f"{label}: {growth:.0f} MB" for label, growth in MEMORY)
        print(
            f"  {verdict}  peak memory growth of the import ({sizes}; goal < {GOAL_MEMORY_MB:g} MB)"
        )


if __name__ == "__main__":
    main()
