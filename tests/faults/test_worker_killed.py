"""A Celery worker killed (SIGKILL) in the middle of a PDF pack or of an import leaves no
half-written result, and once a worker runs again the task completes exactly once.

The real worker process is made to pause at a named point (KPCS_TEST_TASK_DELAY, read only by
kpcs.common.jobs.fault_injection_pause) so that the kill lands there every time: inside the
import's open transaction after its first rows were written, and in a pack build after the
PDF was written to its temporary file but before it was moved into place and registered."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kpcs.accounts.tests.factories import UserFactory
from kpcs.certificates.models import Certificate, CertificateLine, CertificateUpload
from kpcs.certificates.services import certificate_upload_start
from kpcs.certificates.tests.factories import certificate_row, rows_csv
from kpcs.common import jobs
from kpcs.common.audit import entries_for
from kpcs.common.models import BackgroundJob
from kpcs.participants.tests.factories import ParticipantFactory
from kpcs.plenary.models import DocumentPackFile
from kpcs.plenary.tests.factories import DocumentFactory
from tests.faults.conftest import STALE_AFTER_SECONDS, RedisServer, Workers, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 40


def _job(job_id: Any) -> BackgroundJob:
    return BackgroundJob.objects.get(pk=job_id)


def _redeliver_unacknowledged(redis: RedisServer) -> int:
    """What kombu does with a message whose worker never acknowledged it once the visibility
    timeout (an hour) has passed: put it back on its queue. Returns how many."""
    client = redis.client(0)
    count = 0
    for tag, payload in client.hgetall("unacked").items():
        message, _exchange, routing_key = json.loads(payload)
        client.lpush(routing_key or "celery", json.dumps(message))
        client.hdel("unacked", tag)
        client.zrem("unacked_index", tag)
        count += 1
    return count


def _queue_drained(redis: RedisServer) -> bool:
    client = redis.client(0)
    return client.llen("celery") == 0 and client.hlen("unacked") == 0


def test_a_worker_killed_in_the_middle_of_an_import_leaves_nothing_and_it_runs_once_after(
    workers: Workers, redis_broker: RedisServer
) -> None:
    authority = UserFactory(role="authority")
    rows = [certificate_row(authority.participant, ParticipantFactory()) for _ in range(ROWS)]
    first = workers.start(delay="job.progress=300")
    upload = certificate_upload_start(
        actor=authority,
        participant=None,
        kind=CertificateUpload.Kind.CERTIFICATES,
        uploaded_file=SimpleUploadedFile("march.csv", rows_csv(rows), content_type="text/csv"),
    )
    job_id = upload.job_id
    # The worker has copied the rows inside its transaction, reported progress and paused.
    assert wait_for(lambda: _job(job_id).progress_done == ROWS, 90), workers.output(first)
    assert _job(job_id).status == "running"
    assert not Certificate.objects.exists()  # written, but not committed

    workers.kill(first)

    # Nothing half-written: the transaction died with the worker's connection.
    assert not Certificate.objects.exists()
    assert not CertificateLine.objects.exists()
    upload.refresh_from_db()
    assert (upload.status, upload.stored, upload.finished_at) == ("checking", 0, None)
    # Its heartbeat stops; a new worker takes the job back at start-up and runs it.
    assert wait_for(
        lambda: _job(job_id).heartbeat_at < timezone.now() - timedelta(seconds=STALE_AFTER_SECONDS),
        30,
    )
    second = workers.start()
    assert wait_for(lambda: _job(job_id).is_finished, 90), workers.output(second)

    job = _job(job_id)
    assert job.status == "succeeded", job.message
    assert job.attempts == 2  # the killed run and the one that finished
    upload.refresh_from_db()
    assert (upload.status, upload.rows, upload.stored) == ("stored", ROWS, ROWS)
    assert Certificate.objects.count() == ROWS
    assert entries_for(upload).count() == 2  # received, then stored: once

    # The killed worker's message was never acknowledged: Redis gives it back after the
    # visibility timeout. Delivered now, it finds the job finished and changes nothing.
    assert _redeliver_unacknowledged(redis_broker) == 1
    assert wait_for(lambda: _queue_drained(redis_broker), 60), workers.output(second)
    assert _job(job_id).attempts == 2
    assert Certificate.objects.count() == ROWS


def _pack_files(media: Path) -> tuple[list[Path], list[Path]]:
    folder = media / "document-packs"
    pdfs = sorted(folder.rglob("*.pdf")) if folder.exists() else []
    parts = sorted(folder.rglob(".pack-*.part")) if folder.exists() else []
    return pdfs, parts


def test_a_worker_killed_while_storing_a_pack_registers_nothing_and_builds_it_once_after(
    workers: Workers, redis_broker: RedisServer, media: Path
) -> None:
    from kpcs.plenary.services.packs import pack_request

    document = DocumentFactory(
        symbol="KP/2026/Plenary/Fault drill",
        title_en="A document built while its worker dies",
        body_en="The Plenary notes that a killed worker leaves no half-written PDF.",
    )
    first = workers.start(delay="pack.store=300")
    pack = pack_request(
        subject="document",
        document=document,
        languages=["en"],
        actor=UserFactory(role="secretariat"),
    )
    pack_file = DocumentPackFile.objects.get(pack=pack)
    # Rendered and written to a temporary file; paused before the move and the registration.
    assert wait_for(lambda: _pack_files(media)[1], 120), workers.output(first)

    workers.kill(first)

    pack_file.refresh_from_db()
    assert pack_file.status == "running"
    assert pack_file.file.name == ""  # nothing registered
    pdfs, parts = _pack_files(media)
    assert pdfs == []  # and nothing under a final name
    assert len(parts) == 1  # only the temporary file the dead worker was writing

    assert wait_for(
        lambda: (
            DocumentPackFile.objects.get(pk=pack_file.pk).heartbeat_at
            < timezone.now() - timedelta(seconds=STALE_AFTER_SECONDS)
        ),
        30,
    )
    second = workers.start()
    assert wait_for(
        lambda: DocumentPackFile.objects.get(pk=pack_file.pk).status in ("done", "failed"), 120
    ), workers.output(second)

    pack_file.refresh_from_db()
    assert pack_file.status == "done", pack_file.error
    assert pack_file.attempts == 2
    pdfs, parts = _pack_files(media)
    assert [p.relative_to(media).as_posix() for p in pdfs] == [pack_file.file.name]
    assert parts == []  # the dead worker's temporary file was swept away
    assert pack_file.size == pdfs[0].stat().st_size
    assert pdfs[0].read_bytes().startswith(b"%PDF-")
    job = pack.job
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == ("succeeded", 1, 1)

    # The killed worker's unacknowledged message, delivered again, finds the file ready.
    assert _redeliver_unacknowledged(redis_broker) == 1
    assert wait_for(lambda: _queue_drained(redis_broker), 60), workers.output(second)
    pack_file.refresh_from_db()
    assert (pack_file.status, pack_file.attempts) == ("done", 2)
    assert len(_pack_files(media)[0]) == 1


# --- The rules the recovery rests on, without a worker ------------------------------------------


def _running_job(*, beat_seconds_ago: float, attempts: int = 1) -> BackgroundJob:
    beat = timezone.now() - timedelta(seconds=beat_seconds_ago)
    return BackgroundJob.objects.create(
        kind="test",
        description="Import",
        task_name="kpcs.common.tasks.background_jobs_prune",
        status="running",
        started_at=beat,
        heartbeat_at=beat,
        attempts=attempts,
        worker="gone:1",
        dispatched_at=beat,
    )


def test_a_job_is_never_claimed_by_two_workers_while_its_heartbeat_is_fresh(settings) -> None:
    settings.KPCS_JOB_STALE_AFTER_SECONDS = 60
    job = BackgroundJob.objects.create(kind="test", description="Import")
    assert jobs._claim(job.pk) is True
    assert jobs._claim(job.pk) is False  # the duplicate message: already running
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)


def test_a_running_job_whose_heartbeat_stopped_is_taken_back(settings) -> None:
    settings.KPCS_JOB_STALE_AFTER_SECONDS = 60
    job = _running_job(beat_seconds_ago=120)
    assert jobs._claim(job.pk) is True  # a redelivered message may take it at once
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 2)
    assert job.worker == jobs.worker_identity()


def test_the_sweep_queues_an_abandoned_job_again_and_leaves_a_live_one(
    settings, monkeypatch
) -> None:
    settings.KPCS_JOB_STALE_AFTER_SECONDS = 60
    sent: list[str] = []
    monkeypatch.setattr(jobs, "background_job_dispatch", lambda *, job_id: sent.append(job_id))
    abandoned = _running_job(beat_seconds_ago=120)
    alive = _running_job(beat_seconds_ago=5)
    report = jobs.background_jobs_dispatch_pending()
    abandoned.refresh_from_db()
    alive.refresh_from_db()
    assert (abandoned.status, abandoned.dispatched_at, abandoned.worker) == ("queued", None, "")
    assert "stopped" in abandoned.message
    assert alive.status == "running"
    assert report["requeued"] == 1
    assert sent == [abandoned.pk]


def test_a_job_that_killed_its_worker_every_time_fails_for_good(settings) -> None:
    settings.KPCS_JOB_STALE_AFTER_SECONDS = 60
    settings.KPCS_JOB_MAX_ATTEMPTS = 3
    job = _running_job(beat_seconds_ago=120, attempts=3)
    assert jobs._claim(job.pk) is False
    assert jobs.background_jobs_recover() == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == "failed"
    assert "stopped 3 times" in job.message
