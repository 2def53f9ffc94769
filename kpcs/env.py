"""The one place settings read the environment (STYLE.md rule 9).

Every variable has a default that works for the embedded mode of `make run`; production
sets them explicitly (see `.env.example` and README "Configuration").
"""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A developer may keep local overrides in .env; the environment always wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def embedded_database_url() -> str:
    # Same URL scripts/embedded_db.py hands out: the wheel's server listens on a socket in
    # its data directory.
    return f"postgresql://postgres@/kpcs?host={VAR_DIR / 'pgdata'}"


def database_config() -> dict:
    # An empty DATABASE_URL means "not set", as it does for the scripts.
    config = env.db_url_config(env.str("DATABASE_URL", default="") or embedded_database_url())
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise environ.ImproperlyConfigured(
            "DATABASE_URL must point at PostgreSQL: the system relies on its constraints "
            "and aggregations, and tests run on the same engine as production."
        )
    config["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    # A kept connection is checked before each request reuses it, so that after a database
    # restart the app reconnects by itself instead of failing on a dead connection.
    config["CONN_HEALTH_CHECKS"] = True
    # While the database is unreachable a request fails within this many seconds (503)
    # instead of hanging on the connection attempt.
    options = config.setdefault("OPTIONS", {})
    options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
    return config


def redis_url() -> str | None:
    return env.str("REDIS_URL", default="") or None
