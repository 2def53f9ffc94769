"""The fault drill (`make drill`): break what production depends on, on purpose, and check
that the system behaves as docs/operations.md says. Prints one PASS or FAIL line per check and
exits 1 when any failed.

It never touches the data or services of the machine: it creates a database of its own beside
the one DATABASE_URL names (`<name>_drill`, dropped at the end unless --keep-db), starts a
private redis-server on a free port, writes files to a temporary folder and runs real Celery
workers against them. Scenarios live in scripts/drill/ (one module per group: queue, database,
disk); `--list` shows them, `--only GROUP_OR_NAME` runs some.

    python scripts/embedded_db.py exec -- python scripts/fault_drill.py [--only queue]
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import drill  # noqa: E402


def _load_scenarios() -> list[drill.Scenario]:
    for module in sorted(pkgutil.iter_modules(drill.__path__), key=lambda m: m.name):
        importlib.import_module(f"drill.{module.name}")
    return list(drill.SCENARIOS)


def _drill_database(url: str) -> str:
    """Create (afresh) the drill's own database on the server `url` points at."""
    import psycopg
    from psycopg import conninfo, sql

    params = conninfo.conninfo_to_dict(url)
    name = f"{params.get('dbname') or 'kpcs'}_drill"
    with psycopg.connect(conninfo.make_conninfo(url, dbname="postgres"), autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    # Same server, same query string (a socket folder, ...), the drill's database name.
    return urlsplit(url)._replace(path=f"/{name}").geturl()


def _drop_database(url: str) -> None:
    import psycopg
    from psycopg import conninfo, sql

    name = str(conninfo.conninfo_to_dict(url)["dbname"])
    with psycopg.connect(conninfo.make_conninfo(url, dbname="postgres"), autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], help="a group or a scenario")
    parser.add_argument("--list", action="store_true", help="list the scenarios and stop")
    parser.add_argument(
        "--keep-db", action="store_true", help="keep the drill database and work folder"
    )
    args = parser.parse_args()

    scenarios = _load_scenarios()
    if args.only:
        scenarios = [s for s in scenarios if s.group in args.only or s.name in args.only]
    if args.list or not scenarios:
        for item in scenarios:
            print(f"{item.group:10} {item.name}")
        return 0 if scenarios else 1

    source_url = os.environ.get("DATABASE_URL", "")
    if not source_url:
        print("DATABASE_URL is not set: run through scripts/embedded_db.py exec (make drill).")
        return 2
    database_url = _drill_database(source_url)
    redis = drill.RedisServer()
    redis.start()
    work = Path(tempfile.mkdtemp(prefix="kpcs-drill-"))
    (work / "media").mkdir()
    context = drill.Drill(
        database_url=database_url, redis=redis, media_root=work / "media", log_dir=work
    )
    # This process is the web side: the same settings as the workers it starts.
    os.environ.update(context.worker_env())
    os.environ.pop("KPCS_TEST_TASK_DELAY", None)
    # The faults provoked are logged with their tracebacks; the PASS/FAIL lines are the output
    # (DRILL_LOG_LEVEL=WARNING shows the log too). Workers log to files in the work folder.
    os.environ["LOG_LEVEL"] = os.environ.get("DRILL_LOG_LEVEL", "CRITICAL")
    started = time.monotonic()
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.test.utils import setup_test_environment

        setup_test_environment()  # the test client's host is allowed; mail stays in memory
        if "DRILL_LOG_LEVEL" not in os.environ:
            logging.disable(logging.ERROR)
        call_command("migrate", verbosity=0, interactive=False)
        print(f"Drill database ready; Redis on port {redis.port}; files in {work}", flush=True)
        for item in scenarios:
            context.current = f"{item.group}/{item.name}"
            print(f"--- {context.current}", flush=True)
            try:
                item.run(context)
            except Exception as exc:
                context.check("ran to the end", False, f"{type(exc).__name__}: {exc}")
                traceback.print_exc()
            finally:
                context.stop_workers()
                if not redis.ping():
                    redis.start()
    finally:
        context.stop_workers()
        redis.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            _drop_database(database_url)
    failed = [label for label, ok, _detail in context.results if not ok]
    if failed or args.keep_db:
        print(f"Worker logs and files kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"\n{len(context.results) - len(failed)} passed, {len(failed)} failed "
        f"in {time.monotonic() - started:.0f} s",
        flush=True,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
