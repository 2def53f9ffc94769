"""What the benchmark scripts share: their knobs from the environment and a scratch database.

Not a benchmark itself (run_all.py skips files starting with `_`). Imported by the scripts
before Django reads its settings, since the scratch database must be in DATABASE_URL first.
"""

from __future__ import annotations

import atexit
import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from kpcs.env import embedded_database_url


def env_int(name: str, default: int, minimum: int = 1) -> int:
    value = int(os.environ.get(name) or default)
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum} (got {value}).")
    return value


def env_flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0", "false")


def env_only() -> set[str]:
    """BENCH_ONLY=a,b: the measurements to run (empty: all)."""
    return {part.strip() for part in os.environ.get("BENCH_ONLY", "").split(",") if part.strip()}


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def scratch_database(suffix: str) -> str:
    """Create `<database>_<suffix>` on the server DATABASE_URL names (the embedded one when
    unset), point DATABASE_URL at it, and drop it at exit unless BENCH_KEEP_DB is set.
    Returns its name. Call before django.setup()."""
    source = os.environ.get("DATABASE_URL") or embedded_database_url()
    name = urlsplit(source).path.lstrip("/") + f"_{suffix}"
    maintenance = _with_database(source, "postgres")
    keep = env_flag("BENCH_KEEP_DB")

    def drop() -> None:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def cleanup() -> None:
        from django.db import connections

        connections.close_all()
        if keep:
            print(f"scratch database kept: {name}")
        else:
            drop()

    drop()  # a run that was killed may have left one behind
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    atexit.register(cleanup)
    os.environ["DATABASE_URL"] = _with_database(source, name)
    return name
