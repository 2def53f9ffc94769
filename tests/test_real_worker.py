"""A real Celery worker process (as `make run` starts it) takes a job queued by the web side
through the no-server filesystem broker, reports progress and its heartbeat, and finishes."""

from __future__ import annotations

import pytest

from kpcs.accounts.tests.factories import UserFactory
from kpcs.common.health import worker_status
from kpcs.common.jobs import background_job_start
from kpcs.common.models import BackgroundJob
from kpcs.participants.models import Participant
from kpcs.participants.tasks import reference_data_reload
from tests.worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_worker_runs_a_job_queued_through_the_filesystem_broker(worker) -> None:
    assert wait_for(lambda: worker_status()["ok"]), "the worker never sent its heartbeat"
    job = background_job_start(
        kind="reference-data-reload",
        description="Reload reference data",
        task=reference_data_reload,
        user=UserFactory(role="secretariat"),
        update=False,
    )
    # Outside a transaction on_commit runs at once: the message is now in the broker folder.
    finished = wait_for(lambda: BackgroundJob.objects.get(pk=job.pk).is_finished, seconds=90)
    output = b""
    if not finished and worker.poll() is not None:
        output = worker.stdout.read() if worker.stdout else b""
    assert finished, output.decode(errors="replace")
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    assert job.percent == 100
    assert "participants created" in job.result["summary"]
    assert Participant.objects.filter(code="EUR").exists()
