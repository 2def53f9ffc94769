"""Background jobs: queue a Celery task after commit and let the page follow its progress.

A task receives the job id, calls `run_job`, and reports progress through the callback it is
handed; the page that started it polls `common:job-status` (htmx) for a progress bar.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from uuid import UUID

import psycopg
from celery import Task
from django.db import connection, transaction
from django.utils import timezone

from kpcs.common.models import BackgroundJob

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


def background_job_start(
    *, kind: str, description: str, task: Task, user: Any = None, **task_kwargs: Any
) -> BackgroundJob:
    """Create the job row and queue `task(job_id=..., **task_kwargs)` once the row is committed."""
    job = BackgroundJob.objects.create(
        kind=kind,
        description=description,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    job_id = str(job.id)
    transaction.on_commit(lambda: _enqueue(task, job_id, task_kwargs))
    return job


def _enqueue(task: Task, job_id: str, task_kwargs: dict[str, Any]) -> None:
    try:
        task.delay(job_id=job_id, **task_kwargs)
    except Exception as exc:  # the broker may be down; the page must say so, not crash
        logger.exception("could not queue job %s", job_id)
        # Only a job that never started: an eagerly run task may have failed on its own.
        BackgroundJob.objects.filter(pk=job_id, status=BackgroundJob.Status.QUEUED).update(
            status=BackgroundJob.Status.FAILED,
            message=f"Could not reach the task queue: {exc}",
            finished_at=timezone.now(),
        )


def run_job(job_id: str | UUID, work: Callable[[Progress], dict[str, Any]]) -> None:
    """Run `work(progress)` for a job, recording start, progress, result or failure.

    Idempotent in the Celery sense: a job that already finished is not run again.
    """
    job = BackgroundJob.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    BackgroundJob.objects.filter(pk=job_id).update(
        status=BackgroundJob.Status.RUNNING, started_at=timezone.now()
    )

    side = _SideConnection()

    def progress(done: int, total: int, message: str = "") -> None:
        done = min(done, total)
        # Work that runs in one transaction (an import, a reload) would hide its progress
        # until the end; write it on a connection of its own so the page sees it move.
        if connection.in_atomic_block and side.update(job_id, done, total, message):
            return
        BackgroundJob.objects.filter(pk=job_id).update(
            progress_done=done, progress_total=total, message=message
        )

    try:
        result = work(progress)
    except Exception as exc:
        logger.exception("job %s failed", job_id)
        BackgroundJob.objects.filter(pk=job_id).update(
            status=BackgroundJob.Status.FAILED,
            message=str(exc)[:2000],
            finished_at=timezone.now(),
        )
        raise
    finally:
        # A worker runs many jobs: each one's progress connection ends with it.
        side.close()
    BackgroundJob.objects.filter(pk=job_id).update(
        status=BackgroundJob.Status.SUCCEEDED,
        result=result or {},
        finished_at=timezone.now(),
    )


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
