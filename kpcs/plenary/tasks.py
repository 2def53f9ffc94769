"""Background work on plenary documents: building the PDFs of a pack, one language per task,
so that a language that fails is retried on its own and never holds up or undoes the others."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import shared_task

from kpcs.plenary.services import packs

MAX_RETRIES = 2


@shared_task(
    bind=True,
    autoretry_for=(packs.PackBuildRetry,),
    max_retries=MAX_RETRIES,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    acks_late=True,
    # A huge meeting pack may take minutes; a stuck renderer must not hold a worker forever
    # (the soft limit raises inside the task, which records it and retries).
    soft_time_limit=15 * 60,
    time_limit=20 * 60,
)
def pack_file_build(self: Any, file_id: int) -> str:
    """Render one language of a pack and register the file (services.packs.pack_file_build).
    Idempotent: a file that is ready is left alone. On a failure with attempts left the
    service raises PackBuildRetry and Celery runs the task again later; the last attempt
    records the language as failed and ends normally."""
    final = self.request.retries >= MAX_RETRIES
    return packs.pack_file_build(file_id=file_id, final_attempt=final)


@contextmanager
def retries_in_process() -> Iterator[None]:
    """Let Celery's retries run when tasks run in-process (CELERY_TASK_ALWAYS_EAGER: tests,
    the benchmark). With eager errors propagating, as the test settings ask, Celery raises a
    retry as an exception instead of running the task again; inside this block it runs the
    attempts as a worker would. Not for production, where a worker runs the retries."""
    conf = pack_file_build.app.conf
    saved = conf.task_eager_propagates
    conf.task_eager_propagates = False
    try:
        yield
    finally:
        conf.task_eager_propagates = saved
