from __future__ import annotations

from typing import Any

from celery import shared_task
from django.utils import translation

from kpcs.common.jobs import Progress, run_job
from kpcs.participants import services

REFERENCE_DATA_RELOAD = "reference_data_reload"


@shared_task
def reference_data_reload(job_id: str, update: bool) -> None:
    """Load the reference files for a background job; idempotent like the loader itself."""

    def work(progress: Progress) -> dict[str, Any]:
        # The files and the loader's rows are in English; so is the report.
        with translation.override("en"):
            report = services.reference_data_load(update=update, progress=progress)
            return {"summary": report.summary(), **report.as_dict()}

    run_job(job_id, work)
