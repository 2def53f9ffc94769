"""A worker bootstep that records a heartbeat in the database every few seconds.

/healthz reads it to say whether a worker is alive. It works with any broker, including the
filesystem transport, which cannot answer Celery's broadcast `inspect ping`.
"""

from __future__ import annotations

import logging
import socket

from celery import bootsteps

logger = logging.getLogger(__name__)


def record_heartbeat(hostname: str) -> None:
    from django.utils import timezone

    from kpcs.common.models import WorkerHeartbeat

    try:
        WorkerHeartbeat.objects.update_or_create(
            hostname=hostname, defaults={"last_seen": timezone.now()}
        )
    except Exception:  # the database may be restarting; the next beat will try again
        logger.warning("could not record the worker heartbeat", exc_info=True)


def _beat(hostname: str) -> None:
    from django.db import close_old_connections

    # The timer thread keeps its own connection; drop it if the database went away meanwhile.
    close_old_connections()
    record_heartbeat(hostname)


class WorkerHeartbeat(bootsteps.StartStopStep):
    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker: object, **kwargs: object) -> None:
        self.tref = None

    def start(self, worker: object) -> None:
        from django.conf import settings

        hostname = getattr(worker, "hostname", None) or socket.gethostname()
        _beat(hostname)
        self.tref = worker.timer.call_repeatedly(  # type: ignore[attr-defined]
            settings.KPCS_WORKER_HEARTBEAT_SECONDS, _beat, (hostname,), priority=10
        )

    def stop(self, worker: object) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
