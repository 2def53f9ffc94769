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
