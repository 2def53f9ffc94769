"""Fixtures for the fault tests: a private redis-server on a free port (started and stopped by
the test; the machine's Redis on 6379 is never touched), the web side pointed at it, and real
Celery worker processes that a test may kill (SIGKILL) and start again."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from kpcs.celery import app
from scripts.local_servers import REDIS_SERVER, RedisServer

ROOT = Path(__file__).resolve().parent.parent.parent
# Fast heartbeats so that a killed worker's job is seen abandoned within seconds.
HEARTBEAT_SECONDS = 0.5
STALE_AFTER_SECONDS = 4.0


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    if not os.path.exists(REDIS_SERVER):
        pytest.skip("redis-server is not installed")
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_broker(redis_server: RedisServer, settings: Any, monkeypatch: Any) -> RedisServer:
    """The web side of the test as in production with REDIS_URL set: tasks published to the
    private Redis (not run in-process), the cache in Redis with the local fallback."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", redis_server.url(0))
    monkeypatch.setitem(
        app.conf, "broker_transport_options", dict(settings.KPCS_REDIS_TRANSPORT_OPTIONS)
    )
    # The producer keeps pools of connections made for the broker it first saw: start afresh.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    settings.CACHES = {
        "default": {
            "BACKEND": "kpcs.common.cache.ResilientRedisCache",
            "LOCATION": redis_server.url(1),
            "KEY_PREFIX": "kpcs-cache",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
    settings.KPCS_JOB_HEARTBEAT_SECONDS = HEARTBEAT_SECONDS
    settings.KPCS_JOB_STALE_AFTER_SECONDS = STALE_AFTER_SECONDS
    return redis_server


def _database_url() -> str:
    db = connection.settings_dict
    if str(db.get("HOST", "")).startswith("/"):
        return f"postgresql://{db['USER']}@/{db['NAME']}?host={db['HOST']}"
    return f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Workers:
    """Starts real worker processes on the private Redis; kills what is left at the end."""

    def __init__(self, redis_url: str, media_root: str, log_dir: Path) -> None:
        self.redis_url = redis_url
        self.media_root = media_root
        self.log_dir = log_dir
        self.started: list[subprocess.Popen[bytes]] = []
        self.logs: dict[int, Path] = {}

    def start(self, *, delay: str = "") -> subprocess.Popen[bytes]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("REDIS_URL", "PYTEST_XDIST_WORKER", "KPCS_TEST_TASK_DELAY")
        }
        env.update(
            DJANGO_SETTINGS_MODULE="kpcs.settings.local",
            DEBUG="false",
            DATABASE_URL=_database_url(),
            REDIS_URL=self.redis_url,
            MEDIA_ROOT=self.media_root,
            KPCS_JOB_HEARTBEAT_SECONDS=str(HEARTBEAT_SECONDS),
            KPCS_JOB_STALE_AFTER_SECONDS=str(STALE_AFTER_SECONDS),
            KPCS_TEST_TASK_DELAY=delay,
        )
        log = self.log_dir / f"worker-{len(self.started)}.log"
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "kpcs",
                "worker",
                "--pool=solo",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=WARNING",
                "-n",
                f"fault-{len(self.started)}-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            # Its own process group: SIGKILL takes the whole worker, as a crash would.
            start_new_session=True,
        )
        self.started.append(process)
        self.logs[process.pid] = log
        return process

    @staticmethod
    def kill(process: subprocess.Popen[bytes]) -> None:
        """SIGKILL: no clean shutdown, no acknowledgement, nothing flushed."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)

    def output(self, process: subprocess.Popen[bytes]) -> str:
        """The end of the worker's log, for assertion messages."""
        return self.logs[process.pid].read_text(errors="replace")[-4000:]

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
        for process in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill(process)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"  # before a worker starts: it writes there
    settings.MEDIA_ROOT.mkdir()
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def workers(redis_broker: RedisServer, media: Path, tmp_path: Path) -> Iterator[Workers]:
    started = Workers(redis_broker.url(0), str(media), tmp_path)
    yield started
    started.stop_all()


def wait_for(condition: Any, seconds: float = 60.0, every: float = 0.25) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False
