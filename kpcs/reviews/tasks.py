"""Daily reminders of peer review (Celery beat): recommendations before they fall due, and
annual reports before 31 March. Both are idempotent: each reminder is sent once."""

from __future__ import annotations

from celery import shared_task


@shared_task
def recommendation_reminders_daily() -> int:
    from kpcs.reviews.services.recommendations import recommendation_reminders_send

    return recommendation_reminders_send()


@shared_task
def annual_report_reminders_daily() -> int:
    from kpcs.reviews.services.annual_reports import annual_report_reminders_send

    return annual_report_reminders_send()
