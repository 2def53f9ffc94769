"""Benchmark: the statistics at the scale of the KP's own data, against floors in the same run.

Twenty years of 60 participants' figures (half-yearly production, quarterly trade by partner
and HS code: about 400,000 trade rows, mirror pairs that mostly agree, a few planted
discrepancies) are written as accepted submissions with COPY and published as one release a
year. Then, each against a floor measured in the same run:

- the public production and trade summaries of a year (API and page) against a bare Django
  JSON view returning the same release rows with `.values()` (goal: within 1.5×);
- the anomaly analysis of a year against one SQL aggregation of the year's accepted trade
  rows (goal: within 5×);
- the historical import of a 100,000-row FORMATS.md §1 file (statistics_file_read +
  statistics_import) against PostgreSQL COPY of the same file into a staging table with the
  same columns (goal: at most 3×). COPY plus INSERT … SELECT into the statistics tables
  themselves is printed as a second, fairer floor; the goal is judged against plain COPY.

The script works in a scratch database of its own on the server DATABASE_URL names (or the
embedded one), created, migrated and dropped again here, so it never touches anyone's data.
The file is not a test (pytest collects test_*.py only) and is named so that it does not
shadow the standard library's `statistics` for the other scripts in this folder.

Sizes: BENCH_YEARS (20), BENCH_PARTICIPANTS (60), BENCH_IMPORT_ROWS (100000); repeats:
BENCH_REPEAT (requests, 200), BENCH_RUNS (anomaly analyses, 5), BENCH_IMPORT_RUNS (3).
BENCH_ONLY=summaries,analysis,import picks measurements. BENCH_PROFILE=1 prints a cProfile of
each measured operation (50 requests, one analysis, one import); BENCH_KEEP_DB=1
keeps the scratch database for a look afterwards.
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
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
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

YEARS = env_int("BENCH_YEARS", 20)
PARTICIPANTS = env_int("BENCH_PARTICIPANTS", 60, minimum=3)
IMPORT_ROWS = env_int("BENCH_IMPORT_ROWS", 100_000, minimum=10)
REPEAT = env_int("BENCH_REPEAT", 200)
RUNS = env_int("BENCH_RUNS", 5)
IMPORT_RUNS = env_int("BENCH_IMPORT_RUNS", 3)
PROFILE = env_flag("BENCH_PROFILE")
# BENCH_ONLY=summaries,analysis,import runs only some of the measurements (set-up is the same).
ONLY = env_only()


def _wanted(name: str) -> bool:
    return not ONLY or name in ONLY


GOAL_SUMMARY = 1.5
GOAL_ANALYSIS = 5.0
GOAL_IMPORT = 3.0


# --- A scratch database, before Django reads its settings ----------------------------------------


SCRATCH_NAME = scratch_database("bench_statistics")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from kpcs import urls as project_urls  # noqa: E402
from kpcs.participants.models import Participant, StatusEvent  # noqa: E402
from kpcs.participants.selectors import NOT_A_PARTICIPANT, NOT_IN_GOOD_STANDING  # noqa: E402
from kpcs.participants.services import reference_data_load  # noqa: E402
from kpcs.statistics.anomalies import ANALYSED_STATUSES, anomaly_analysis_run  # noqa: E402
from kpcs.statistics.importing import statistics_file_read, statistics_import  # noqa: E402
from kpcs.statistics.models import (  # noqa: E402
    Anomaly,
    Release,
    ReleaseProduction,
    ReleaseTrade,
    Submission,
    TradeRecord,
)
from kpcs.statistics.publication import release_publish  # noqa: E402
from kpcs.statistics.validation import FIRST_YEAR, HEADER  # noqa: E402

# --- The floors: bare views over the release tables ---------------------------------------------


def _release(request: HttpRequest) -> Release | None:
    year = int(request.GET["year"])
    return Release.objects.filter(year=year).order_by("-number").first()


def _production_rows(release: Release | None) -> list[Any]:
    return list(
        ReleaseProduction.objects.filter(release=release).values(
            "participant__code", "carats", "value_usd"
        )
    )


def _trade_rows(release: Release | None) -> list[Any]:
    return list(
        ReleaseTrade.objects.filter(release=release).values(
            "participant__code", "flow", "carats", "value_usd", "certificates"
        )
    )


def bare_production(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"rows": _production_rows(_release(request))})


def bare_trade(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"rows": _trade_rows(_release(request))})


def bare_both(request: HttpRequest) -> JsonResponse:
    release = _release(request)
    return JsonResponse({"production": _production_rows(release), "trade": _trade_rows(release)})


urlpatterns = [
    path("bench/bare/production/", bare_production),
    path("bench/bare/trade/", bare_trade),
    path("bench/bare/both/", bare_both),
    *project_urls.urlpatterns,
]


# --- Who could report what, and when ------------------------------------------------------------

QUARTERS = ("Q1", "Q2", "Q3", "Q4")
HALVES = ("H1", "H2")
PERIOD_DATES = {
    "Q1": ((1, 1), (3, 31)),
    "Q2": ((4, 1), (6, 30)),
    "Q3": ((7, 1), (9, 30)),
    "Q4": ((10, 1), (12, 31)),
    "H1": ((1, 1), (6, 30)),
    "H2": ((7, 1), (12, 31)),
}


class Standings:
    """Status events in memory: whether a participant was one (or in good standing) for a
    whole period, by the rule of participant_standing_on (the latest event on a date)."""

    def __init__(self) -> None:
        self.events: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
        for pid, date, event in StatusEvent.objects.order_by("date", "id").values_list(
            "participant_id", "date", "event"
        ):
            self.events[pid].append((date, event))

    def _throughout(self, pid: int, start: dt.date, end: dt.date, bad: frozenset[str]) -> bool:
        state = None
        for date, event in self.events[pid]:
            if date <= start:
                state = event
            elif date <= end and event in bad:
                return False
        return state is not None and state not in bad

    def participant(self, pid: int, year: int, period: str) -> bool:
        start, end = _period_dates(year, period)
        return self._throughout(pid, start, end, frozenset(map(str, NOT_A_PARTICIPANT)))

    def trading(self, pid: int, year: int, period: str) -> bool:
        start, end = _period_dates(year, period)
        return self._throughout(pid, start, end, frozenset(map(str, NOT_IN_GOOD_STANDING)))


def _period_dates(year: int, period: str) -> tuple[dt.date, dt.date]:
    (m1, d1), (m2, d2) = PERIOD_DATES[period]
    return dt.date(year, m1, d1), dt.date(year, m2, d2)


# --- Generating the figures ----------------------------------------------------------------------

# US$ per carat by HS code (the ranges); each trade relation gets its own price in
# the range, so participants' unit values differ the way assortments do.
UNIT_VALUES = {"7102.10": (60.0, 120.0), "7102.21": (10.0, 30.0), "7102.31": (100.0, 200.0)}
HS_SHARES = {"7102.10": 0.45, "7102.21": 0.15, "7102.31": 0.40}
# Producers: million carats a year and US$/ct, roughly the KP's published figures.
PRODUCERS = {
    "RUS": (40.0, 95.0),
    "BWA": (23.0, 150.0),
    "CAN": (16.0, 130.0),
    "COD": (12.0, 10.0),
    "AUS": (10.0, 25.0),
    "AGO": (9.0, 120.0),
    "ZAF": (8.0, 110.0),
    "ZWE": (3.0, 50.0),
    "NAM": (2.0, 500.0),
    "SLE": (0.6, 300.0),
    "LSO": (0.3, 1000.0),
    "TZA": (0.3, 250.0),
    "BRA": (0.2, 150.0),
    "GIN": (0.15, 120.0),
    "GUY": (0.1, 200.0),
    "CAF": (0.1, 150.0),
    "LBR": (0.06, 250.0),
    "GHA": (0.1, 25.0),
    "CMR": (0.02, 50.0),
    "TGO": (0.01, 40.0),
    "IND": (0.02, 100.0),
}
# Where rough diamonds are traded: more partners pick them, and larger flows go there.
HUBS = {"EUR": 10.0, "IND": 10.0, "ARE": 8.0, "ISR": 4.0, "CHN": 4.0, "USA": 3.0, "BWA": 3.0}
PARTNERS_PER_PARTICIPANT = 15  # exports to 15 partners (and imports from about as many)
RE_EXPORTED = 0.7  # share of production + imports exported in the year
PLANTED_GAP = 0.002  # share of mirror pairs where the importer reports far less (or more)
PLANTED_TRANSIT = 0.002  # share where the import is booked a quarter later


def _money(value: float) -> str:
    # Figures leave the generator as two-decimal text: COPY and the CSV take them as written.
    return f"{value:.2f}"


@dataclass
class Generated:
    years: list[int]
    participants: list[Participant]
    trade_rows: int = 0
    production_rows: int = 0
    submissions: int = 0
    planted: dict[int, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))


def _copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    count = 0
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def dataset_generate(*, years: list[int], participants: list[Participant]) -> Generated:
    """Accepted submissions and their records, written with bulk_create and COPY."""
    rng = random.Random(2003)
    data = Generated(years=years, participants=participants)
    standings = Standings()
    codes = {p.pk: p.code for p in participants}
    ids = list(codes)

    # Submissions: every period in which the participant was a participant.
    now = timezone.now()
    submissions = [
        Submission(
            participant_id=pid,
            year=year,
            dataset=dataset,
            period=period,
            status=Submission.Status.ACCEPTED,
            submitted_at=now,
            accepted_at=now,
        )
        for year in years
        for pid in ids
        for dataset, periods in (("production", HALVES), ("trade", QUARTERS))
        for period in periods
        if standings.participant(pid, year, period)
    ]
    Submission.objects.bulk_create(submissions, batch_size=2000)
    data.submissions = len(submissions)
    submission_id = {(s.participant_id, s.year, s.period): s.pk for s in submissions}

    # Trade relations, fixed over the years: each participant exports to a few partners,
    # hubs more often; each relation has its own HS mix and prices.
    weight = {pid: HUBS.get(codes[pid], 1.0) for pid in ids}
    degree = min(PARTNERS_PER_PARTICIPANT, len(ids) - 1)
    relations: dict[int, list[int]] = {}
    strength: dict[tuple[int, int], float] = {}
    mix: dict[tuple[int, int], dict[str, float]] = {}
    price: dict[tuple[int, int, str], float] = {}
    for a in ids:
        others = [b for b in ids if b != a]
        chosen: list[int] = []
        while len(chosen) < degree:  # weighted sampling without replacement
            pick = rng.choices(others, weights=[weight[b] for b in others])[0]
            others.remove(pick)
            chosen.append(pick)
        relations[a] = chosen
        raw = {b: weight[b] * rng.lognormvariate(0, 0.8) for b in chosen}
        total = sum(raw.values())
        for b in chosen:
            strength[(a, b)] = raw[b] / total
            shares = {hs: s * rng.lognormvariate(0, 0.5) for hs, s in HS_SHARES.items()}
            share_total = sum(shares.values())
            mix[(a, b)] = {hs: s / share_total for hs, s in shares.items()}
            for hs, (low, high) in UNIT_VALUES.items():
                price[(a, b, hs)] = rng.uniform(low, high)
    shipment = {pid: rng.lognormvariate(math.log(3000), 0.7) for pid in ids}
    production_base = {pid: PRODUCERS.get(codes[pid], (0.0, 0.0)) for pid in ids}

    carried: dict[tuple[int, int, int, str], list[float]] = {}  # imports booked next year
    for year in years:
        index = rng.lognormvariate(0, 0.08)  # the year's price level
        produced = {
            pid: (mct * 1e6 * rng.lognormvariate(0, 0.12), per_ct * index)
            for pid, (mct, per_ct) in production_base.items()
        }
        # Exports are a share of what a participant produced and imported: solved by
        # iteration, so nobody exports diamonds it never had (no supply gaps by design).
        exported = dict.fromkeys(ids, 0.0)
        for _ in range(60):
            received = dict.fromkeys(ids, 0.0)
            for a in ids:
                for b in relations[a]:
                    received[b] += exported[a] * strength[(a, b)]
            exported = {pid: RE_EXPORTED * (produced[pid][0] + received[pid]) for pid in ids}

        production = []
        for pid in ids:
            carats, per_ct = produced[pid]
            first = rng.uniform(0.45, 0.55)
            for period, share in (("H1", first), ("H2", 1 - first)):
                sid = submission_id.get((pid, year, period))
                if sid is not None:
                    c = carats * share
                    production.append(
                        (sid, _money(c), _money(c * per_ct * rng.uniform(0.97, 1.03)))
                    )
        data.production_rows += _copy(
            "statistics_productionrecord", ("submission_id", "carats", "value_usd"), production
        )

        exports: dict[tuple[int, int, int, str], list[float]] = {}
        imports: dict[tuple[int, int, int, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
        for key, figures in carried.items():
            imports[key] = figures
        carried = {}
        gaps = transits = 0
        for a in ids:
            for b in relations[a]:
                quarter_shares = [rng.lognormvariate(0, 0.15) for _ in QUARTERS]
                quarter_total = sum(quarter_shares)
                for q, quarter in enumerate(QUARTERS, start=1):
                    if not (
                        standings.trading(a, year, quarter) and standings.trading(b, year, quarter)
                    ):
                        continue
                    for hs, share in mix[(a, b)].items():
                        carats = max(
                            1.0,
                            exported[a]
                            * strength[(a, b)]
                            * share
                            * quarter_shares[q - 1]
                            / quarter_total
                            * rng.lognormvariate(0, 0.1),
                        )
                        value = carats * price[(a, b, hs)] * index * rng.lognormvariate(0, 0.05)
                        certificates = max(1, round(carats / shipment[a]))
                        exports[(a, q, b, hs)] = [carats, value, certificates]
                        # The importer's side: valuation and rounding differ a little.
                        mirrored = [
                            carats * rng.gauss(1, 0.01),
                            value * rng.gauss(1, 0.02),
                            certificates,
                        ]
                        roll = rng.random()
                        booked = (b, q, a, hs)
                        if roll < PLANTED_GAP:
                            factor = rng.choice((rng.uniform(0.2, 0.6), rng.uniform(1.8, 3.0)))
                            mirrored[0] *= factor
                            mirrored[1] *= factor
                            gaps += 1
                        elif roll < PLANTED_GAP + PLANTED_TRANSIT:
                            transits += 1
                            booked = (b, q + 1, a, hs)
                        if booked[1] > 4:
                            carried[(b, 1, a, hs)] = mirrored
                            continue
                        target = imports[booked]
                        target[0] += mirrored[0]
                        target[1] += mirrored[1]
                        target[2] += mirrored[2]
        data.planted[year] = {"gaps": gaps, "transits": transits}
        rows: list[tuple[int, str, int, str, str, str, int]] = []
        for flow, booked_rows in (("export", exports), ("import", imports)):
            for (pid, q, partner, hs), (carats, value, count) in booked_rows.items():
                sid = submission_id.get((pid, year, QUARTERS[q - 1]))
                if sid is not None:
                    rows.append((sid, flow, partner, hs, _money(carats), _money(value), int(count)))
        data.trade_rows += _copy(
            "statistics_traderecord",
            (
                "submission_id",
                "flow",
                "partner_id",
                "hs_code",
                "carats",
                "value_usd",
                "certificates",
            ),
            rows,
        )
    return data


def import_file_write(
    *, target: Path, rows_wanted: int, years: list[int], participants: list[Participant]
) -> tuple[int, list[int], int]:
    """A FORMATS.md §1 file of valid rows for `years` (none of them stored): every participant
    in good standing throughout, with as many partners as it takes to reach `rows_wanted`.
    Returns (rows written, years used, partners per participant)."""
    rng = random.Random(1971)
    standings = Standings()
    eligible = [
        p
        for p in participants
        if all(standings.trading(p.pk, year, q) for year in years for q in QUARTERS)
    ]
    if len(eligible) < 2:
        raise SystemExit(f"Too few participants in good standing in {years} for an import file.")
    # Per participant and year: 2 production rows, 4 quarters × 2 flows × 3 HS codes × k.
    per_year_participant = rows_wanted / (len(years) * len(eligible))
    partners = max(1, math.ceil((per_year_participant - 2) / 24))
    if partners > len(eligible) - 1:
        most = len(years) * len(eligible) * (2 + 24 * (len(eligible) - 1))
        raise SystemExit(
            f"At most {most} rows fit in the import years {years[0]}–{years[-1]}; lower "
            "BENCH_IMPORT_ROWS or BENCH_YEARS."
        )
    chosen = {p.pk: rng.sample([o for o in eligible if o.pk != p.pk], partners) for p in eligible}

    def lines() -> Iterator[list[Any]]:
        for year in years:
            for participant in eligible:
                mct, per_ct = PRODUCERS.get(participant.code, (0.0, 0.0))
                for period in HALVES:
                    carats = mct * 1e6 / 2 * rng.uniform(0.9, 1.1)
                    head = [participant.code, year, period, "production", "", ""]
                    yield [*head, _money(carats), _money(carats * per_ct), ""]
                for quarter in QUARTERS:
                    for flow in ("export", "import"):
                        for partner in chosen[participant.pk]:
                            for hs, (low, high) in UNIT_VALUES.items():
                                carats = rng.lognormvariate(math.log(20_000), 1.5)
                                value = carats * rng.uniform(low, high)
                                head = [participant.code, year, quarter, flow, partner.code, hs]
                                yield [
                                    *head,
                                    _money(carats),
                                    _money(value),
                                    round(carats / 3000) or 1,
                                ]

    with target.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        written = 0
        for line in itertools.islice(lines(), rows_wanted):
            out.writerow(line)
            written += 1
    return written, years, partners


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


def report(result: Result) -> None:
    RESULTS.append(result)
    ratio = result.ratio
    ratio_text = f"{ratio:7.2f}x" if ratio is not None else "   1.00x"
    verdict = ""
    if result.goal is not None and ratio is not None:
        verdict = f"  goal ≤ {result.goal:g}x: {'PASS' if ratio <= result.goal else 'MISS'}"
    note = f"  ({result.note})" if result.note else ""
    print(f"{result.label:58s} {result.seconds * 1000:11.2f} ms {ratio_text}{verdict}{note}")


def interleaved(
    cases: dict[str, Callable[[], Any]],
    *,
    rounds: int,
    warmup: int = 1,
    block: int = 1,
    after: Callable[[], None] | None = None,
) -> dict[str, float]:
    """Median time of each case, the cases taking turns (`block` calls of one, then of the
    next) so that drift in the machine's speed hits floor and case alike. Short requests go
    in blocks: right after a heavy page, a light view pays for the page's garbage and cold
    caches, which would flatter the ratio. `after` runs untimed after each call (clean-up)."""
    for _ in range(warmup):
        for run in cases.values():
            run()
            if after is not None:
                after()
    samples: dict[str, list[float]] = {label: [] for label in cases}
    for _ in range(rounds):
        for label, run in cases.items():
            for _ in range(block):
                start = time.perf_counter()
                run()
                samples[label].append(time.perf_counter() - start)
                if after is not None:
                    after()
    return {label: statistics.median(values) for label, values in samples.items()}


def profile(
    label: str, run: Callable[[], Any], after: Callable[[], None] | None = None, times: int = 1
) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(times):
        run()
    profiler.disable()
    if after is not None:
        after()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    print(f"\n--- profile: {label} ({times} times)\n{out.getvalue()}")


def _get(client: Client, url: str) -> Callable[[], None]:
    def run() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return run


# --- The measurements ----------------------------------------------------------------------------


def measure_summaries(year: int) -> None:
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        production = client.get(f"/api/v1/public/statistics/production/?year={year}").json()
        trade = client.get(f"/api/v1/public/statistics/trade/?year={year}").json()
        print(
            f"\npublic summaries of {year}: {len(production['rows'])} production rows, "
            f"{len(trade['rows'])} trade rows; median of {REPEAT} requests, taking turns "
            "with the floor in blocks of 10"
        )
        pairs = (
            ("production", "/api/v1/public/statistics/production/?year={y}", "production"),
            ("trade", "/api/v1/public/statistics/trade/?year={y}", "trade"),
            ("page", "/en/statistics/?year={y}", "both"),
        )
        for name, url, floor_name in pairs:
            floor_url = f"/bench/bare/{floor_name}/?year={year}"
            real_url = url.format(y=year)
            times = interleaved(
                {"floor": _get(client, floor_url), "case": _get(client, real_url)},
                rounds=max(1, REPEAT // 10),
                warmup=5,
                block=10,
            )
            report(Result(f"floor: bare .values() JSON ({floor_name})", times["floor"]))
            if name == "page":
                # The goal is for the summaries (the API); the HTML page of the same figures,
                # with its tables, chart and navigation, is measured for information.
                note = "HTML page, for information"
                report(Result(f"page {real_url}", times["case"], times["floor"], note=note))
            else:
                report(Result(f"GET {real_url}", times["case"], times["floor"], GOAL_SUMMARY))
            if PROFILE:
                profile(real_url, _get(client, real_url), times=50)


FLOOR_ANALYSIS_SQL = """
SELECT s.participant_id, t.partner_id, t.flow, s.period,
       SUM(t.carats) AS carats, SUM(t.value_usd) AS value_usd
FROM statistics_traderecord t
JOIN statistics_submission s ON s.id = t.submission_id
WHERE s.year = %s AND s.dataset = 'trade' AND s.status = ANY(%s)
GROUP BY s.participant_id, t.partner_id, t.flow, s.period
"""


def measure_analysis(year: int) -> None:
    def floor() -> int:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_ANALYSIS_SQL, [year, ANALYSED_STATUSES])
            return len(cursor.fetchall())

    steps: dict[int, list[float]] = defaultdict(list)

    def run() -> None:
        # The run reports progress before each rule and before saving: time between reports.
        marks: list[float] = []
        anomaly_analysis_run(year=year, progress=lambda *_: marks.append(time.perf_counter()))
        for index, (begin, end) in enumerate(itertools.pairwise(marks)):
            steps[index].append(end - begin)

    groups = floor()
    start = time.perf_counter()
    first = anomaly_analysis_run(year=year)
    first_run = time.perf_counter() - start
    assert Anomaly.objects.filter(year=year).exists()
    rows = TradeRecord.objects.filter(submission__year=year).count()
    print(
        f"\nanomaly analysis of {year}: {rows} trade rows ({groups} groups in the floor); "
        f"found {first.as_dict()['found']}; median of {RUNS} runs after a first one"
    )
    times = interleaved({"floor": floor, "case": run}, rounds=RUNS, warmup=0)
    report(Result("floor: one SQL aggregation of the year's trade rows", times["floor"]))
    report(
        Result(
            "first anomaly_analysis_run (creates the anomalies)",
            first_run,
            times["floor"],
            note="for information",
        )
    )
    names = ("mirror", "supply", "unit value", "jump", "missing", "certificates", "saving")
    split = ", ".join(
        f"{name} {statistics.median(steps[i]) * 1000:.0f}" for i, name in enumerate(names)
    )
    report(
        Result(
            "anomaly_analysis_run (updates them)",
            times["case"],
            times["floor"],
            GOAL_ANALYSIS,
            note=f"ms per step: {split}",
        )
    )
    if PROFILE:
        profile("anomaly_analysis_run", run)


STAGING_COLUMNS = """
    participant text, year smallint, period text, flow text, partner text, hs_code text,
    carats numeric(14, 2), value_usd numeric(16, 2), certificates integer
"""
COPY_CSV = (
    "COPY {table} (participant, year, period, flow, partner, hs_code, carats, value_usd, "
    "certificates) FROM STDIN WITH (FORMAT csv, HEADER true)"
)
# What the import has to write, done by the database alone: the file's submissions and its
# rows, with codes resolved, into the statistics tables with all their constraints and
# indexes (no validation, no revisions, no transitions).
INSERT_SUBMISSIONS_SQL = """
INSERT INTO statistics_submission
    (participant_id, year, dataset, period, status, historical, created_at, updated_at,
     accepted_at)
SELECT DISTINCT p.id, s.year,
       CASE WHEN s.flow = 'production' THEN 'production' ELSE 'trade' END,
       s.period, 'accepted', true, now(), now(), now()
FROM bench_staging_tables s
JOIN participants_participant p ON p.code = s.participant
"""
INSERT_TRADE_SQL = """
INSERT INTO statistics_traderecord
    (submission_id, flow, partner_id, hs_code, carats, value_usd, certificates)
SELECT sub.id, s.flow, partner.id, s.hs_code, s.carats, s.value_usd, s.certificates
FROM bench_staging_tables s
JOIN participants_participant p ON p.code = s.participant
JOIN participants_participant partner ON partner.code = s.partner
JOIN statistics_submission sub
  ON sub.participant_id = p.id AND sub.year = s.year AND sub.dataset = 'trade'
 AND sub.period = s.period
WHERE s.flow <> 'production'
"""
INSERT_PRODUCTION_SQL = """
INSERT INTO statistics_productionrecord (submission_id, carats, value_usd)
SELECT sub.id, s.carats, s.value_usd
FROM bench_staging_tables s
JOIN participants_participant p ON p.code = s.participant
JOIN statistics_submission sub
  ON sub.participant_id = p.id AND sub.year = s.year AND sub.dataset = 'production'
 AND sub.period = s.period
WHERE s.flow = 'production'
"""
STATISTICS_TABLES = (
    "statistics_traderecord",
    "statistics_productionrecord",
    "statistics_submissionrevision",
    "statistics_submissiontransition",
    "statistics_validationfinding",
)


def _copy_file(table: str, csv_path: Path) -> None:
    with (
        connection.cursor() as cursor,
        cursor.copy(COPY_CSV.format(table=table)) as copy,
        csv_path.open("rb") as handle,
    ):
        while chunk := handle.read(1 << 20):
            copy.write(chunk)


def measure_import(csv_path: Path, rows: int, years: list[int], partners: int) -> None:
    with connection.cursor() as cursor:
        for table in ("bench_staging_copy", "bench_staging_tables"):
            cursor.execute(f"CREATE TABLE {table} ({STAGING_COLUMNS})")

    def cleanup() -> None:
        """Remove what a run stored, untimed, and vacuum so each run starts alike."""
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE bench_staging_copy, bench_staging_tables")
            gone = "SELECT id FROM statistics_submission WHERE year = ANY(%s)"
            with transaction.atomic():
                for table in STATISTICS_TABLES:
                    cursor.execute(f"DELETE FROM {table} WHERE submission_id IN ({gone})", [years])
                cursor.execute(f"DELETE FROM statistics_submission WHERE id IN ({gone})", [years])
            cursor.execute(f"VACUUM ANALYZE statistics_submission, {', '.join(STATISTICS_TABLES)}")
            cursor.execute("VACUUM ANALYZE bench_staging_copy, bench_staging_tables")

    split: dict[str, list[float]] = defaultdict(list)

    def floor_copy() -> None:
        _copy_file("bench_staging_copy", csv_path)

    def floor_tables() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            _copy_file("bench_staging_tables", csv_path)
            for statement in (INSERT_SUBMISSIONS_SQL, INSERT_TRADE_SQL, INSERT_PRODUCTION_SQL):
                cursor.execute(statement)

    def run() -> None:
        start = time.perf_counter()
        file_rows = statistics_file_read(csv_path, "statistics.csv")
        read = time.perf_counter()
        result = statistics_import(rows=file_rows, note="benchmark")
        split["read"].append(read - start)
        split["import"].append(time.perf_counter() - read)
        assert result.rows_created == rows, result.summary()

    cleanup()
    size = csv_path.stat().st_size / 1e6
    print(
        f"\nimport of {rows} rows ({size:.1f} MB, years {years[0]}–{years[-1]}, {partners} "
        f"partners per participant, none of it stored before); median of {IMPORT_RUNS} runs "
        "after a first one, each followed by an untimed clean-up"
    )
    times = interleaved(
        {"copy": floor_copy, "tables": floor_tables, "case": run},
        rounds=IMPORT_RUNS,
        warmup=1,
        after=cleanup,
    )
    report(Result("floor: COPY of the file into a staging table", times["copy"]))
    report(
        Result(
            "COPY + INSERT…SELECT into the statistics tables",
            times["tables"],
            times["copy"],
            note="fairer floor, for information",
        )
    )
    read = statistics.median(split["read"][1:])
    imported = statistics.median(split["import"][1:])
    report(
        Result(
            "statistics_file_read + statistics_import",
            times["case"],
            times["copy"],
            GOAL_IMPORT,
            note=f"read {read * 1000:.0f} ms, import {imported * 1000:.0f} ms; "
            f"{times['case'] / times['tables']:.2f}x the fairer floor",
        )
    )
    if PROFILE:
        profile("statistics_file_read + statistics_import", run, after=cleanup)


# --- The run -------------------------------------------------------------------------------------


def main() -> None:
    setup_start = time.perf_counter()
    call_command("migrate", verbosity=0)
    with translation.override("en"):
        reference_data_load()
    last_year = timezone.localdate().year - 1  # the latest complete year
    first_year = last_year - YEARS + 1
    if first_year <= FIRST_YEAR:
        raise SystemExit(
            f"BENCH_YEARS={YEARS} leaves no year from {FIRST_YEAR} on for the import to add "
            f"fresh figures to; use at most {last_year - FIRST_YEAR}."
        )
    years = list(range(first_year, last_year + 1))
    participants = list(Participant.objects.order_by("admitted_on", "code")[:PARTICIPANTS])
    if len(participants) < PARTICIPANTS:
        print(f"only {len(participants)} participants in the reference data")

    data = dataset_generate(years=years, participants=participants)
    generated = time.perf_counter()
    for year in years:
        release_publish(year=year, note="benchmark")
    published = time.perf_counter()
    with connection.cursor() as cursor:
        # Settled tables, as in service: without it autovacuum wakes up on the freshly loaded
        # tables during the first measurements.
        cursor.execute("VACUUM (ANALYZE)")
    print(
        f"scratch database {SCRATCH_NAME}: {YEARS} years ({years[0]}–{years[-1]}) × "
        f"{len(participants)} participants: {data.submissions} accepted submissions, "
        f"{data.trade_rows} trade rows, {data.production_rows} production rows; "
        f"set-up {generated - setup_start:.1f} s, {len(years)} releases published in "
        f"{published - generated:.1f} s (not measured)"
    )
    year = years[-2] if len(years) > 1 else years[0]
    planted = data.planted[year]
    print(
        f"planted in {year}: {planted['gaps']} mirror gaps, {planted['transits']} imports "
        "booked a quarter late"
    )

    if _wanted("summaries"):
        measure_summaries(year)
    if _wanted("analysis"):
        measure_analysis(year)
    if not _wanted("import"):
        summary_print()
        return

    fresh = list(range(FIRST_YEAR, first_year))[-3:]  # at most three years before the data
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "statistics.csv"
        rows, import_years, partners = import_file_write(
            target=csv_path, rows_wanted=IMPORT_ROWS, years=fresh, participants=participants
        )
        if rows < IMPORT_ROWS:
            print(f"only {rows} rows fit in the import years")
        measure_import(csv_path, rows, import_years, partners)

    summary_print()


def summary_print() -> None:
    print("\nsummary (goals against floors measured in this run)")
    for result in RESULTS:
        if result.goal is not None and result.ratio is not None:
            verdict = "PASS" if result.ratio <= result.goal else "MISS"
            print(f"  {verdict}  {result.label}: {result.ratio:.2f}x (goal ≤ {result.goal:g}x)")


if __name__ == "__main__":
    main()
