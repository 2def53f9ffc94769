"""Load test: the public statistics pages and API and the certificate verification API under
50 concurrent clients for 60 seconds (`make load`), against a bare Django view in the same run.

What it does:

1. a scratch database `<name>_load` on the server DATABASE_URL names (the embedded one when
   unset), migrated and filled with the reference data and the demo data (`load_demo_data`:
   published statistics releases, about 400 certificates); dropped again at the end;
2. gunicorn on 127.0.0.1 (a free port) with the production settings (DEBUG off; plain HTTP on
   loopback, so SECURE_SSL_REDIRECT=false) plus the bare view (bench/_load_settings.py);
   LOAD_WORKERS (2) processes of LOAD_THREADS (4) threads each (gthread): one process per
   core of a small server, and threads so that a process keeps its core busy while one
   request waits for PostgreSQL;
3. every address once, in turn: each must answer 200 before the load starts;
4. locust, headless, LOAD_USERS (50) clients with no pause between requests, after a
   warm-up of LOAD_WARMUP_SECONDS (5, not counted):
   - the main run, LOAD_SECONDS (60): the three targets mixed at random — statistics pages
     (HTML), the public statistics API, the certificate verification API;
   - then each target alone, and the bare view alone, LOAD_SOLO_SECONDS (10) each: each
     target's throughput against the bare view's (the floor: Django with the same middleware
     and no database or template).

The throttles are raised for the run: every client comes from 127.0.0.1, which the
verification API limits to 30 requests a minute (CERTIFICATE_VERIFY_RATE) and the public API
to 120 (PUBLIC_API_RATE). REDIS_URL is not passed on, so the throttle counts are in each
process's memory.

Exit status 1 when any request failed (an error status, a redirect, a timeout): the run
requires zero errors. Prints, per target: requests, errors, p50/p95/p99 latency, requests per
second and the ratio to the bare view; LOAD_REPORT=path also writes them as JSON.
"""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpcs.settings.local")
os.environ["DEBUG"] = "false"

from _benchkit import env_int, scratch_database  # noqa: E402 - after the path and settings
from local_servers import AppServer, django_env, fetch  # noqa: E402

USERS = env_int("LOAD_USERS", 50)
SECONDS = env_int("LOAD_SECONDS", 60)
SOLO_SECONDS = env_int("LOAD_SOLO_SECONDS", 10)
WORKERS = env_int("LOAD_WORKERS", 2)
THREADS = env_int("LOAD_THREADS", 4)
# Before the main run, not counted: every thread's first requests (connections, caches).
WARMUP_SECONDS = env_int("LOAD_WARMUP_SECONDS", 5, minimum=0)
# Far above what 50 clients on one machine can send: the throttles must not answer 429.
UNTHROTTLED = "1000000/minute"

TARGETS = {
    "statistics pages": "public statistics pages (HTML)",
    "statistics API": "public statistics API (JSON)",
    "verification API": "certificate verification API",
    "bare view": "bare Django view (floor)",
}
MAIN = ["statistics pages", "statistics API", "verification API"]


@dataclass
class Result:
    target: str
    phase: str
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    per_second: float
    ratio_to_bare: float | None = None


def prepare() -> dict[str, list[str]]:
    """Migrate and fill the scratch database; the addresses each target is asked for."""
    # The demo's e-mails (certificate expiry alerts) are not wanted on the console here, and
    # the scratch data has no business in a shared Redis (CI's).
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    quiet = io.StringIO()
    started = time.monotonic()
    call_command("migrate", verbosity=0, stdout=quiet)
    call_command("load_reference_data", stdout=quiet)
    call_command("load_demo_data", stdout=quiet)
    print(f"database ready in {time.monotonic() - started:.0f} s", flush=True)

    from kpcs.certificates.models import Certificate
    from kpcs.statistics.models import Release, ReleaseProduction, ReleaseTrade

    years = sorted(set(Release.objects.values_list("year", flat=True)))
    if not years:
        raise SystemExit("The demo data published no statistics release: nothing to load-test.")
    codes = sorted(
        set(ReleaseProduction.objects.values_list("participant__code", flat=True))
        | set(ReleaseTrade.objects.values_list("participant__code", flat=True))
    )[:10]
    pages = ["/en/statistics/", "/en/statistics/releases/"]
    pages += [f"/en/statistics/?year={year}" for year in years]
    pages += [f"/en/statistics/participants/{code}/" for code in codes]
    api = ["/api/v1/public/statistics/releases/"]
    for year in years:
        api += [
            f"/api/v1/public/statistics/production/?year={year}",
            f"/api/v1/public/statistics/trade/?year={year}",
        ]
    api += [f"/api/v1/public/statistics/participants/{code}/" for code in codes]
    certificates = list(
        Certificate.objects.order_by("?").values_list(
            "issuing_participant__code", "number", "carats"
        )[:200]
    )
    if not certificates:
        raise SystemExit("The demo data holds no certificates: nothing to verify.")
    verify = "/api/v1/public/certificates/verify/?participant={}&number={}"
    checks = [verify.format(code, number) for code, number, _carats in certificates]
    # With the carats (the full check), and numbers nobody issued (the answer "unknown").
    checks += [
        verify.format(code, number) + f"&carats={carats}"
        for code, number, carats in certificates[:50]
    ]
    checks += [verify.format(code, f"{number}9") for code, number, _carats in certificates[:50]]
    connections.close_all()
    return {
        "statistics pages": pages,
        "statistics API": api,
        "verification API": checks,
        "bare view": ["/bench/bare/"],
    }


def server_env() -> dict[str, str]:
    return django_env(
        DJANGO_SETTINGS_MODULE="bench._load_settings",
        PYTHONPATH=str(ROOT),
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        CERTIFICATE_VERIFY_RATE=UNTHROTTLED,
        PUBLIC_API_RATE=UNTHROTTLED,
        LOG_LEVEL="WARNING",
    )


def check_every_address(base_url: str, targets: dict[str, list[str]]) -> None:
    for target, paths in targets.items():
        for path in paths:
            answer = fetch(base_url + path, timeout=30)
            if answer.status != 200:
                raise SystemExit(f"{target}: {path} answered {answer.status}:\n{answer.text[:800]}")


def run_locust(
    *, base_url: str, plan: Path, targets: list[str], seconds: int, folder: Path, phase: str
) -> list[Result]:
    prefix = folder / phase.replace(" ", "-")
    env = dict(os.environ, LOAD_PLAN=str(plan), LOAD_TARGETS=",".join(targets))
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(Path(__file__).resolve().parent / "_locustfile.py"),
        "--headless",
        "--host",
        base_url,
        "--users",
        str(USERS),
        "--spawn-rate",
        str(USERS),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "ERROR",
    ]
    done = subprocess.run(  # noqa: S603 - our own command
        command, env=env, capture_output=True, text=True, timeout=seconds + 120, check=False
    )
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise SystemExit(f"locust did not run ({done.returncode}):\n{done.stderr[-3000:]}")
    results = []
    with stats.open() as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                continue
            results.append(
                Result(
                    target=row["Name"],
                    phase=phase,
                    requests=int(row["Request Count"]),
                    errors=int(row["Failure Count"]),
                    p50_ms=float(row["50%"]),
                    p95_ms=float(row["95%"]),
                    p99_ms=float(row["99%"]),
                    per_second=float(row["Requests/s"]),
                )
            )
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists() and any(r.errors for r in results):
        print(failures.read_text()[:3000])
    return results


def report(results: list[Result]) -> None:
    bare = next((r.per_second for r in results if r.target == "bare view"), None)
    for result in results:
        if bare and result.phase != "main":
            result.ratio_to_bare = result.per_second / bare
    print(
        f"\n{USERS} clients; main run {SECONDS} s (the three targets mixed), then each target "
        f"alone {SOLO_SECONDS} s; gunicorn {WORKERS} processes x {THREADS} threads\n"
    )
    header = (
        f"{'phase':6s} {'target':18s} {'requests':>9s} {'errors':>6s} {'p50 ms':>7s} "
        f"{'p95 ms':>7s} {'p99 ms':>7s} {'req/s':>8s} {'vs bare':>8s}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        ratio = f"{r.ratio_to_bare:7.2f}x" if r.ratio_to_bare is not None else ""
        print(
            f"{r.phase:6s} {r.target:18s} {r.requests:9d} {r.errors:6d} {r.p50_ms:7.0f} "
            f"{r.p95_ms:7.0f} {r.p99_ms:7.0f} {r.per_second:8.1f} {ratio:>8s}"
        )
    main = [r for r in results if r.phase == "main"]
    total = sum(r.per_second for r in main)
    if bare:
        print(
            f"\nmain run: {total:.1f} req/s in all, {total / bare:.2f}x the bare view's {bare:.1f}"
        )


def main() -> int:
    database = scratch_database("load")
    print(f"scratch database {database}", flush=True)
    targets = prepare()
    folder = Path(tempfile.mkdtemp(prefix="kpcs-load-"))
    plan = folder / "plan.json"
    plan.write_text(json.dumps({"targets": targets}))
    server = AppServer(
        env=server_env(),
        workers=WORKERS,
        threads=THREADS,
        log=folder / "gunicorn.log",
        extra_args=["--worker-class", "gthread"],
    )
    server.start(ready_path="/bench/bare/")
    results: list[Result] = []
    warmup: list[Result] = []
    try:
        check_every_address(server.base_url, targets)
        if WARMUP_SECONDS:
            warmup = run_locust(
                base_url=server.base_url,
                plan=plan,
                targets=[*MAIN, "bare view"],
                seconds=WARMUP_SECONDS,
                folder=folder,
                phase="warm-up",
            )
        print(f"load: {USERS} clients for {SECONDS} s on {server.base_url} ...", flush=True)
        results += run_locust(
            base_url=server.base_url,
            plan=plan,
            targets=MAIN,
            seconds=SECONDS,
            folder=folder,
            phase="main",
        )
        for target in [*MAIN, "bare view"]:
            results += run_locust(
                base_url=server.base_url,
                plan=plan,
                targets=[target],
                seconds=SOLO_SECONDS,
                folder=folder,
                phase="alone",
            )
    finally:
        server.stop()
    report(results)
    if os.environ.get("LOAD_REPORT"):
        Path(os.environ["LOAD_REPORT"]).write_text(
            json.dumps([asdict(r) for r in results], indent=2)
        )
    errors = sum(r.errors for r in [*warmup, *results])
    missing = {*MAIN, "bare view"} - {r.target for r in results}
    if errors or missing:
        print(f"\nFAILED: {errors} errors; targets without requests: {sorted(missing) or 'none'}")
        print(server.log_tail())
        print(f"locust statistics and the gunicorn log kept in {folder}")
        return 1
    print("\nzero errors")
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
