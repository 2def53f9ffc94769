"""A worker bootstep that records a heartbeat in the database every few seconds.

/healthz reads it to say whether a worker is alive. It works with any broker, including the
filesystem transport, which cannot answer Celery's broadcast `inspect ping`.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from celery import bootsteps
from celery.signals import worker_ready

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


@worker_ready.connect
def _sweep_at_start_up(sender: Any = None, **kwargs: Any) -> None:
    """A worker that starts (or restarts after being killed) sends at once what waits in the
    outbox and takes back jobs whose worker died, without waiting for beat's next minute."""
    from django.db import connections

    from kpcs.common.jobs import background_jobs_dispatch_pending

    try:
        report = background_jobs_dispatch_pending()
        logger.info("start-up sweep of background jobs: %s", report)
    except Exception:  # the database may still be starting; beat's sweep will follow
        logger.warning("the start-up sweep of background jobs failed", exc_info=True)
    finally:
        # The pool's processes have their own connections; this one is not needed again.
        connections.close_all()
