from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from kpcs.common.models import BackgroundJob


@shared_task
def background_jobs_prune(days: int = 30) -> int:
    """Forget finished jobs after a month; their effects are in the audit trail."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = BackgroundJob.objects.filter(finished_at__lt=cutoff).delete()
    return deleted


# The sweep is quick and idempotent; a copy that waited in the queue past the next one is
# worthless (the beat entry expires it), and two at once are harmless (rows are locked).
@shared_task(acks_late=False)
def background_jobs_dispatch_pending() -> dict[str, int]:
    """The outbox sweep: queue again the jobs of workers that died, and send the jobs whose
    message could not be published while the broker was down (kpcs.common.jobs)."""
    from kpcs.common.jobs import background_jobs_dispatch_pending as sweep

    return sweep()
