"""Background work on certificates: the check of an uploaded file and the daily expiry."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from kpcs.certificates.services import certificate_upload_process, certificates_expire
from kpcs.common.jobs import Progress, run_job


@shared_task
def certificate_upload_check(job_id: str, upload_id: int) -> None:
    """Read, validate and store an uploaded file (or refuse it with every finding), with the
    job's progress bar following the rows checked. Idempotent: a finished job or upload is
    not run again."""

    def work(progress: Progress) -> dict[str, Any]:
        return certificate_upload_process(upload_id=upload_id, progress=progress)

    run_job(job_id, work)


# A lost database connection is worth another try; any other error is a bug to look at.
@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=60, max_retries=3)
def certificates_expire_daily() -> int:
    """Mark expired the certificates unconfirmed past their grace days, with alerts and
    e-mails (services.certificates_expire). A second run the same day changes nothing."""
    return certificates_expire()
