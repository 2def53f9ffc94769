from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
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
    if getattr(user, "is_secretariat", False):
        context["statistics_waiting"] = _secretariat_statistics_waiting()
    if getattr(user, "is_authority", False) and user.participant_id:
        context["statistics_to_do"] = _authority_statistics_to_do(user.participant_id)
    if getattr(user, "is_authenticated", False) and user.participant_id:
        context["own_participant"] = user.participant
    if getattr(user, "is_authenticated", False) and user.observer_id:
        context["own_observer"] = user.observer
    return context


def audit_entry_list(
    *,
    actor_id: int | None = None,
    system_only: bool = False,
    record_type: str = "",
    object_id: str = "",
) -> QuerySet[AuditEntry]:
    """The whole audit trail, newest first, optionally for one user (or the system's own
    data loads), one record type (`app_label.model`) and one object of that type (its
    history, kept after the object itself is deleted)."""
    entries = AuditEntry.objects.select_related("content_type").order_by("-timestamp", "-id")
    if object_id:
        entries = entries.filter(object_id=object_id)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    elif system_only:
        entries = entries.filter(actor__isnull=True)
    if record_type:
        app_label, _dot, model = record_type.partition(".")
        entries = entries.filter(content_type__app_label=app_label, content_type__model=model)
    return entries


def audit_actors() -> QuerySet[Any]:
    """Users who appear in the audit trail, for its filter."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(pk__in=AuditEntry.objects.filter(actor__isnull=False).values("actor"))
        .order_by("username")
    )


def audit_content_types() -> QuerySet[ContentType]:
    """Record types that appear in the audit trail, for its filter."""
    return ContentType.objects.filter(pk__in=AuditEntry.objects.values("content_type")).order_by(
        "app_label", "model"
    )


def background_job_list(*, kind: str, limit: int = 10) -> QuerySet[BackgroundJob]:
    """The latest jobs of one kind, newest first, with who started them."""
    return BackgroundJob.objects.filter(kind=kind).select_related("created_by")[:limit]


def _secretariat_statistics_waiting() -> dict[str, int]:
    from kpcs.statistics.models import AnomalyQuestion, Submission

    return {
        "to_review": Submission.objects.filter(status=Submission.Status.SUBMITTED).count(),
        "answered_questions": AnomalyQuestion.objects.filter(
            status=AnomalyQuestion.Status.ANSWERED
        ).count(),
    }


def _authority_statistics_to_do(participant_id: int) -> dict[str, int]:
    from kpcs.statistics.models import AnomalyQuestion, Submission

    return {
        "queried": Submission.objects.filter(
            participant_id=participant_id, status=Submission.Status.QUERIED
        ).count(),
        "drafts": Submission.objects.filter(
            participant_id=participant_id, status=Submission.Status.DRAFT
        ).count(),
        "open_questions": AnomalyQuestion.objects.filter(
            participant_id=participant_id, status=AnomalyQuestion.Status.OPEN
        ).count(),
    }
