"""The fault drill's scenarios and what they share (scripts/fault_drill.py runs them).

A scenario is a function taking the `Drill` and registered with `@scenario("group")`; it
reports each thing it proves with `drill.check(...)`, which prints a PASS or FAIL line. Each
module of this package holds one group (queue.py: Redis and workers; database.py, disk.py:
PostgreSQL restarts and a full disk) and is imported by fault_drill.py in name order.

The Drill gives every scenario the same setting: Django configured on a database of the
drill's own (created and dropped by fault_drill.py), a private redis-server on a free port
(never the machine's Redis on 6379), a temporary media folder, and real Celery worker
processes it can start and kill.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local_servers import RedisServer

ROOT = Path(__file__).resolve().parent.parent.parent
WORKER_OPTIONS = ("--pool=solo", "--without-mingle", "--without-gossip", "--loglevel=WARNING")
# Fast fault detection for the drill: a killed worker's job is abandoned after 5 s (production
# default 90 s, settings.KPCS_JOB_STALE_AFTER_SECONDS).
HEARTBEAT_SECONDS = 0.5
STALE_AFTER_SECONDS = 5.0


@dataclass
class Scenario:
    group: str
    name: str
    run: Callable[[Drill], None]


SCENARIOS: list[Scenario] = []


def scenario(group: str) -> Callable[[Callable[[Drill], None]], Callable[[Drill], None]]:
    """Register the decorated function as a scenario of `group`, in definition order."""

    def register(run: Callable[[Drill], None]) -> Callable[[Drill], None]:
        SCENARIOS.append(Scenario(group=group, name=run.__name__, run=run))
        return run

    return register


@dataclass
class Drill:
    database_url: str
    redis: RedisServer
    media_root: Path
    log_dir: Path
    results: list[tuple[str, bool, str]] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: dict[int, Path] = field(default_factory=dict)
    current: str = ""

    def check(self, what: str, ok: bool, detail: str = "") -> bool:
        """Print and record one PASS/FAIL line of the current scenario."""
        label = f"{self.current}: {what}" if self.current else what
        self.results.append((label, bool(ok), detail))
        print(f"{'PASS' if ok else 'FAIL'}  {label}{f'  ({detail})' if detail else ''}", flush=True)
        return bool(ok)

    def worker_env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("KPCS_TEST_TASK_DELAY", "PYTEST_XDIST_WORKER")
        }
        env.update(
            DJANGO_SETTINGS_MODULE="kpcs.settings.local",
            DEBUG="false",
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis.url(0),
            MEDIA_ROOT=str(self.media_root),
            KPCS_JOB_HEARTBEAT_SECONDS=str(HEARTBEAT_SECONDS),
            KPCS_JOB_STALE_AFTER_SECONDS=str(STALE_AFTER_SECONDS),
        )
        env.update(extra)
        return env

    def start_worker(self, *, delay: str = "") -> subprocess.Popen[bytes]:
        """A real worker (solo pool, its own process group); `delay` sets
        KPCS_TEST_TASK_DELAY, e.g. "pack.store=300", so that it can be killed there."""
        number = len(self.logs)
        log = self.log_dir / f"worker-{number}.log"
        name = f"drill-{number}-{os.getpid()}@%h"
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "kpcs", "worker", *WORKER_OPTIONS, "-n", name],
            cwd=ROOT,
            env=self.worker_env(KPCS_TEST_TASK_DELAY=delay),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers.append(process)
        self.logs[process.pid] = log
        return process

    @staticmethod
    def kill(process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker's whole process group: no shutdown, no acknowledgement."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)

    def stop_workers(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.terminate()
        for process in self.workers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill(process)
        self.workers.clear()

    def worker_log(self, process: subprocess.Popen[bytes]) -> str:
        """The end of a worker's log, to show with a FAIL."""
        path = self.logs.get(process.pid)
        return path.read_text(errors="replace")[-2000:] if path and path.exists() else ""


def wait_for(condition: Callable[[], Any], seconds: float = 60.0, every: float = 0.25) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started
