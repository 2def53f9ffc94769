"""What /healthz reports: can we reach the database, the broker, and is a worker alive?"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone


def database_status() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "error": str(exc).splitlines()[0][:200]}
    return {"ok": True}


def broker_status() -> dict[str, Any]:
    from kpcs.celery import app

    url = app.conf.broker_url or ""
    if url.startswith("filesystem://"):
        folder = Path(app.conf.broker_transport_options["data_folder_out"])
        folder.mkdir(parents=True, exist_ok=True)
        ok = folder.is_dir() and _writable(folder)
        return (
            {"ok": ok, "transport": "filesystem"}
            if ok
            else {"ok": False, "transport": "filesystem", "error": f"{folder} is not writable"}
        )
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
    except Exception as exc:
        return {"ok": False, "transport": url.split(":", 1)[0], "error": str(exc)[:200]}
    return {"ok": True, "transport": url.split(":", 1)[0]}


def _writable(folder: Path) -> bool:
    probe = folder / ".healthz"
    try:
        probe.write_text("ok")
        probe.unlink()
    except OSError:
        return False
    return True


def worker_status() -> dict[str, Any]:
    from kpcs.common.models import WorkerHeartbeat

    cutoff = timezone.now() - timedelta(seconds=settings.KPCS_WORKER_STALE_AFTER_SECONDS)
    try:
        alive = list(
            WorkerHeartbeat.objects.filter(last_seen__gte=cutoff)
            .order_by("hostname")
            .values_list("hostname", flat=True)
        )
    except Exception as exc:
        return {"ok": False, "error": str(exc).splitlines()[0][:200]}
    if not alive:
        return {
            "ok": False,
            "error": "no Celery worker has reported in the last "
            f"{settings.KPCS_WORKER_STALE_AFTER_SECONDS} seconds",
        }
    return {"ok": True, "workers": alive}


def jobs_status() -> dict[str, Any]:
    """For the operator, never a failure by itself: jobs waiting for the queue to come back
    (their message could not be sent) and jobs whose worker stopped sending its heartbeat
    (the dispatcher queues them again within a minute)."""
    from kpcs.common.models import BackgroundJob

    cutoff = timezone.now() - timedelta(seconds=settings.KPCS_JOB_STALE_AFTER_SECONDS)
    try:
        unsent = (
            BackgroundJob.objects.filter(status="queued", dispatched_at__isnull=True)
            .exclude(task_name="")
            .count()
        )
        abandoned = (
            BackgroundJob.objects.filter(status="running", heartbeat_at__lt=cutoff)
            .exclude(task_name="")
            .count()
        )
    except Exception as exc:
        return {"ok": True, "error": str(exc).splitlines()[0][:200]}
    return {"ok": True, "waiting_for_queue": unsent, "abandoned": abandoned}


def health_report() -> dict[str, Any]:
    checks = {"database": database_status(), "broker": broker_status()}
    checks["worker"] = (
        worker_status()
        if checks["database"]["ok"]
        else {"ok": False, "error": "unknown while the database is unreachable"}
    )
    if checks["database"]["ok"]:
        checks["jobs"] = jobs_status()
    return {"ok": all(c["ok"] for c in checks.values()), "checks": checks}
