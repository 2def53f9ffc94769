"""Background jobs: queue a Celery task after commit and let the page follow its progress.

A task receives the job id, calls `run_job`, and reports progress through the callback it is
handed; the page that started it polls `common:job-status` (htmx) for a progress bar.

Fault tolerance (docs/operations.md):

- Outbox. The job row records the task and its arguments; its message is published after
  commit and `dispatched_at` is set only once the broker took it. With the broker down the
  request still succeeds: the job stays queued with a clear message, and
  `background_jobs_dispatch_pending` (beat, every minute, and each worker at start-up) sends
  it when the broker is back.
- One run at a time. `run_job` claims the row with one conditional UPDATE (queued, or running
  with a dead heartbeat); a second message for the same job finds it claimed or finished and
  does nothing. Tasks are acknowledged late, so a message is not lost with its worker.
- Abandoned work. While a job runs a thread writes its heartbeat; a job whose heartbeat stops
  (the worker was killed) is queued again by the dispatcher, at most KPCS_JOB_MAX_ATTEMPTS
  times. The work itself must be all or nothing (one transaction) and idempotent.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg
from celery import Task, current_app
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext_lazy
from kombu.exceptions import OperationalError as BrokerOperationalError

from kpcs.common.models import BackgroundJob

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
Status = BackgroundJob.Status

# What publishing raises when the broker (Redis, the filesystem transport) cannot be reached.
BROKER_ERRORS: tuple[type[BaseException], ...] = (BrokerOperationalError, OSError, TimeoutError)
try:  # redis-py's own errors, should kombu ever let one through unwrapped
    from redis.exceptions import ConnectionError as _RedisConnectionError
    from redis.exceptions import TimeoutError as _RedisTimeoutError

    BROKER_ERRORS += (_RedisConnectionError, _RedisTimeoutError)
except ImportError:  # pragma: no cover - redis is installed with celery[redis]
    pass

QUEUE_UNAVAILABLE = gettext_lazy(
    "The task queue is unavailable; the job is queued and will start when it returns."
)
# A job younger than this is still being sent by the request that created it.
DISPATCH_GRACE = timedelta(seconds=15)


def background_job_start(
    *, kind: str, description: str, task: Task, user: Any = None, **task_kwargs: Any
) -> BackgroundJob:
    """Create the job row and queue `task(job_id=..., **task_kwargs)` once the row is
    committed. When the task queue cannot be reached the job stays queued (the page says
    so) and is sent when the queue is back; the caller never sees a broker error."""
    job = BackgroundJob.objects.create(
        kind=kind,
        description=description,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        task_name=task.name,
        task_kwargs=task_kwargs,
    )
    job_id = str(job.id)
    transaction.on_commit(lambda: background_job_dispatch(job_id=job_id))
    return job


def _task(name: str) -> Task:
    """The registered task called `name`; its module is imported first if need be (a web
    process only knows the tasks it has imported)."""
    if name not in current_app.tasks:
        importlib.import_module(name.rpartition(".")[0])
    return current_app.tasks[name]


def background_job_dispatch(*, job_id: str | UUID) -> bool:
    """Publish the job's message; True when the broker took it (or there was nothing to
    send: the job already runs or finished). A broker that cannot be reached leaves the job
    queued with QUEUE_UNAVAILABLE, for background_jobs_dispatch_pending to send later."""
    job = BackgroundJob.objects.filter(pk=job_id, status=Status.QUEUED).first()
    if job is None:
        return True
    if not job.task_name:
        logger.error("job %s has no task to send", job_id)
        return False
    task = _task(job.task_name)
    eager = bool(task.app.conf.task_always_eager)
    try:
        task.apply_async(kwargs={"job_id": str(job.id), **job.task_kwargs})
    except Exception as exc:
        if eager or not isinstance(exc, BROKER_ERRORS):
            # Run in-process (tests), the task failed on its own and run_job recorded it;
            # anything else is a bug: fail the job that never started rather than hang.
            logger.exception("could not queue job %s", job_id)
            BackgroundJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
                status=Status.FAILED,
                message=gettext("The job could not be queued: %(error)s")
                % {"error": str(exc)[:300]},
                finished_at=timezone.now(),
            )
            return False
        logger.warning("task queue unavailable: job %s stays queued (%s)", job_id, exc)
        BackgroundJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
            dispatch_error=(str(exc) or type(exc).__name__)[:300],
            message=str(QUEUE_UNAVAILABLE),
        )
        return False
    now = timezone.now()
    BackgroundJob.objects.filter(pk=job_id, dispatched_at__isnull=True).update(
        dispatched_at=now, dispatch_error=""
    )
    BackgroundJob.objects.filter(
        pk=job_id, status=Status.QUEUED, message=str(QUEUE_UNAVAILABLE)
    ).update(message="")
    return True


def background_jobs_recover() -> dict[str, int]:
    """Queue again the jobs whose worker died (running, heartbeat older than
    KPCS_JOB_STALE_AFTER_SECONDS); fail those that already used KPCS_JOB_MAX_ATTEMPTS."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.KPCS_JOB_STALE_AFTER_SECONDS)
    abandoned = (
        BackgroundJob.objects.filter(status=Status.RUNNING)
        .exclude(task_name="")
        .filter(_stale(cutoff))
    )
    requeued = failed = 0
    for job in abandoned.only("id", "attempts", "heartbeat_at", "worker"):
        # Conditional on the heartbeat read: a job that came back to life is left alone.
        still = BackgroundJob.objects.filter(
            pk=job.pk, status=Status.RUNNING, heartbeat_at=job.heartbeat_at
        )
        if job.attempts >= settings.KPCS_JOB_MAX_ATTEMPTS:
            failed += still.update(
                status=Status.FAILED,
                finished_at=now,
                message=gettext(
                    "The worker running this job stopped %(count)d times; it was not tried "
                    "again. Nothing of it was saved: start it again or ask the secretariat."
                )
                % {"count": job.attempts},
            )
            logger.error("job %s abandoned %s times: failed", job.pk, job.attempts)
        else:
            requeued += still.update(
                status=Status.QUEUED,
                worker="",
                dispatched_at=None,
                dispatch_error="",
                message=gettext(
                    "The worker running this job stopped; nothing of it was saved and it is "
                    "queued again."
                ),
            )
            logger.warning("job %s abandoned by worker %s: queued again", job.pk, job.worker)
    return {"requeued": requeued, "failed": failed}


def background_jobs_dispatch_pending(*, limit: int = 200) -> dict[str, int]:
    """The outbox sweep (beat every minute, each worker at start-up): queue again the jobs of
    dead workers, then send every queued job whose message was never published. Each row is
    locked while sent (skip_locked), so two sweeps never send the same job together; a
    duplicate message would be harmless anyway (run_job claims the row). Stops at the first
    broker error: the broker is still down, the next sweep tries again."""
    report = background_jobs_recover()
    sent = waiting = 0
    grace = timezone.now() - DISPATCH_GRACE
    pending = (
        BackgroundJob.objects.filter(status=Status.QUEUED, dispatched_at__isnull=True)
        .exclude(task_name="")
        .filter(Q(created_at__lt=grace) | ~Q(dispatch_error="") | ~Q(message=""))
        .order_by("created_at")
    )
    with transaction.atomic():
        for job in pending.select_for_update(skip_locked=True)[:limit]:
            if background_job_dispatch(job_id=job.pk):
                sent += 1
            else:
                waiting += 1
                break
    report.update(sent=sent, waiting=waiting)
    for path in settings.KPCS_JOB_RECOVERY_HOOKS:
        try:
            for key, value in (import_string(path)() or {}).items():
                report[key] = report.get(key, 0) + int(value)
        except Exception:  # one app's recovery must not stop the others'
            logger.exception("job recovery hook %s failed", path)
    if any(report.values()):
        logger.info("background jobs dispatched: %s", report)
    return report


def _stale(cutoff: Any) -> Q:
    return Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)


def worker_identity() -> str:
    """Who runs a job, for the operator: host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"[:255]


def _claim(job_id: str | UUID) -> bool:
    """Take the job for this process in one UPDATE: queued, or running with a dead heartbeat
    (its worker was killed and the message came back) and attempts left."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.KPCS_JOB_STALE_AFTER_SECONDS)
    claimable = Q(status=Status.QUEUED) | (
        Q(status=Status.RUNNING, attempts__lt=settings.KPCS_JOB_MAX_ATTEMPTS) & _stale(cutoff)
    )
    return bool(
        BackgroundJob.objects.filter(claimable, pk=job_id).update(
            status=Status.RUNNING,
            started_at=now,
            finished_at=None,
            worker=worker_identity(),
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            dispatched_at=Coalesce(F("dispatched_at"), models.Value(now)),
            dispatch_error="",
        )
    )


def run_job(job_id: str | UUID, work: Callable[[Progress], dict[str, Any]]) -> None:
    """Run `work(progress)` for a job, recording start, progress, result or failure.

    Idempotent in the Celery sense: a job that already finished, or that another worker is
    running, is not run again (the message is simply acknowledged)."""
    if not _claim(job_id):
        state = BackgroundJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
        logger.info("job %s not run here: %s", job_id, state or "no such job")
        return

    side = _SideConnection()

    def progress(done: int, total: int, message: str = "") -> None:
        done = min(done, total)
        # Work that runs in one transaction (an import, a reload) would hide its progress
        # until the end; write it on a connection of its own so the page sees it move.
        if not (connection.in_atomic_block and side.update(job_id, done, total, message)):
            BackgroundJob.objects.filter(pk=job_id).update(
                progress_done=done, progress_total=total, message=message
            )
        fault_injection_pause("job.progress")

    try:
        with heartbeat(BackgroundJob, job_id):
            result = work(progress)
    except Exception as exc:
        logger.exception("job %s failed", job_id)
        BackgroundJob.objects.filter(pk=job_id).update(
            status=Status.FAILED,
            message=str(exc)[:2000],
            finished_at=timezone.now(),
        )
        raise
    finally:
        # A worker runs many jobs: each one's progress connection ends with it.
        side.close()
    BackgroundJob.objects.filter(pk=job_id).update(
        status=Status.SUCCEEDED,
        result=result or {},
        finished_at=timezone.now(),
    )


class heartbeat:  # lower case: used as a context manager, like contextlib's
    """While the block runs, a thread writes `heartbeat_at = now()` on the row every
    KPCS_JOB_HEARTBEAT_SECONDS on a connection of its own (the block's transaction would hide
    it). When the process dies the writes stop: that is how a dead worker is told from a
    slow one."""

    def __init__(self, model: type[models.Model], pk: Any) -> None:
        self._table = model._meta.db_table
        self._pk = str(pk)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._params: dict[str, Any] = {}

    def __enter__(self) -> heartbeat:
        params = connection.get_connection_params()
        for key in ("cursor_factory", "context"):
            params.pop(key, None)
        self._params = params
        self._thread = threading.Thread(target=self._run, name="job-heartbeat", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        interval = float(settings.KPCS_JOB_HEARTBEAT_SECONDS)
        conn: psycopg.Connection | None = None
        try:
            while not self._stop.wait(interval):
                try:
                    if conn is None:
                        conn = psycopg.connect(**self._params, autocommit=True)
                    with conn.cursor() as cursor:
                        cursor.execute("SET lock_timeout = '1s'")
                        cursor.execute(
                            f"UPDATE {self._table} SET heartbeat_at = now() "  # noqa: S608
                            "WHERE id = %s",
                            [self._pk],
                        )
                except psycopg.Error:
                    logger.warning("could not write a job heartbeat", exc_info=True)
                    if conn is not None:
                        conn.close()
                    conn = None
        finally:
            if conn is not None:
                conn.close()


def fault_injection_pause(point: str) -> None:
    """Tests and the fault drill only: sleep at a named point of a task so that a worker can
    be killed there (settings.KPCS_TEST_TASK_DELAY, from the environment variable of that
    name, e.g. "job.progress=60,pack.store=60"). Empty, the default: does nothing."""
    seconds = settings.KPCS_TEST_TASK_DELAY.get(point)
    if seconds:
        logger.warning("fault injection: pausing %ss at %s", seconds, point)
        time.sleep(float(seconds))


class _SideConnection:
    """A second, autocommit connection to the same database, opened on first use."""

    def __init__(self) -> None:
        self._conn: psycopg.Connection | None = None

    def update(self, job_id: str | UUID, done: int, total: int, message: str) -> bool:
        """Write progress; False when the row is not visible from outside (e.g. it was
        created in the same, still open transaction) or the connection failed."""
        try:
            if self._conn is None:
                params = connection.get_connection_params()
                for key in ("cursor_factory", "context"):
                    params.pop(key, None)
                self._conn = psycopg.connect(**params, autocommit=True)
            with self._conn.cursor() as cursor:
                # Never wait for a lock the job's own transaction may hold.
                cursor.execute("SET lock_timeout = '200ms'")
                cursor.execute(
                    f"UPDATE {BackgroundJob._meta.db_table} "  # noqa: S608 - a model's table
                    "SET progress_done = %s, progress_total = %s, message = %s WHERE id = %s",
                    [done, total, message, str(job_id)],
                )
                return cursor.rowcount == 1
        except psycopg.Error:
            logger.warning("could not write job progress on a side connection", exc_info=True)
            return False

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
