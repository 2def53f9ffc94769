"""Background work on statistics: the nightly anomaly analysis and the "analyse now" job."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.translation import gettext

from kpcs.common.jobs import Progress, background_job_start, run_job
from kpcs.common.models import BackgroundJob
from kpcs.statistics.anomalies import anomaly_analysis_run

ANOMALY_ANALYSIS = "anomaly_analysis"


# A lost database connection is worth another try; any other error is a bug to look at.
@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=60,
    max_retries=3,
)
def anomaly_analysis_nightly() -> dict[str, Any]:
    """Analyse the current year and the previous one (its late and revised figures keep
    arriving well into this year). Idempotent: a second run changes nothing."""
    this_year = timezone.localdate().year
    return {
        str(year): anomaly_analysis_run(year=year).as_dict() for year in (this_year - 1, this_year)
    }


@shared_task
def anomaly_analysis_job(job_id: str, year: int) -> None:
    """Analyse one year for a background job, with progress per rule."""

    def work(progress: Progress) -> dict[str, Any]:
        report = anomaly_analysis_run(year=year, progress=progress)
        return {"summary": report.summary(), **report.as_dict()}

    run_job(job_id, work)


def anomaly_analysis_job_start(*, year: int, user: Any = None) -> BackgroundJob:
    """Queue an analysis of `year` once the current transaction commits (for an "analyse
    now" button); the page follows the job's progress."""
    return background_job_start(
        kind=ANOMALY_ANALYSIS,
        description=gettext("Anomaly analysis of the %(year)s statistics") % {"year": year},
        task=anomaly_analysis_job,
        user=user,
        year=year,
    )
