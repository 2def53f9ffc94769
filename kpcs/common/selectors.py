from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from kpcs.common.models import AuditEntry, BackgroundJob


def background_job_visible_to(*, user: Any, job_id: str) -> BackgroundJob | None:
    """A job is visible to whoever started it, and to the secretariat."""
    try:
        jobs = BackgroundJob.objects.filter(pk=job_id)
        if not getattr(user, "is_secretariat", False):
            jobs = jobs.filter(created_by=user)
        return jobs.first()
    except Exception:  # a malformed id is simply not found
        return None


def home_overview(*, user: Any) -> dict[str, Any]:
    """What waits for each role on the home page."""
    from kpcs.participants.selectors import NOT_IN_GOOD_STANDING, participants_with_standing_on

    today = timezone.localdate()
    counts = participants_with_standing_on(date=today).aggregate(
        total=Count("pk", filter=~Q(kind="trading_entity")),
        not_good=Count("pk", filter=Q(standing_event__in=NOT_IN_GOOD_STANDING)),
    )
    context: dict[str, Any] = {"participant_counts": counts, "today": today}
    if getattr(user, "is_secretariat", False):
        context["recent_changes"] = AuditEntry.objects.select_related("content_type").order_by(
            "-timestamp"
        )[:8]
        context["recent_jobs"] = BackgroundJob.objects.order_by("-created_at")[:5]
    if getattr(user, "is_authenticated", False) and user.participant_id:
        context["own_participant"] = user.participant
    if getattr(user, "is_authenticated", False) and user.observer_id:
        context["own_observer"] = user.observer
    return context
