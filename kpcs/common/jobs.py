"""Background jobs: queue a Celery task after commit and let the page follow its progress.

A task receives the job id, calls `run_job`, and reports progress through the callback it is
handed; the page that started it polls `common:job-status` (htmx) for a progress bar.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from uuid import UUID

from celery import Task
from django.db import transaction
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

    def progress(done: int, total: int, message: str = "") -> None:
        BackgroundJob.objects.filter(pk=job_id).update(
            progress_done=min(done, total), progress_total=total, message=message
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
    BackgroundJob.objects.filter(pk=job_id).update(
        status=BackgroundJob.Status.SUCCEEDED,
        result=result or {},
        finished_at=timezone.now(),
    )
