"""With Redis stopped (REDIS_URL set, as in production): pages and the API still answer
quickly, throttles keep counting in each process's memory, /healthz says what is down, and a
document build or an import asked for is recorded as queued with a clear message; when Redis
returns the waiting work is sent (by a worker's start-up sweep or beat's minute sweep) and runs
once. The private redis-server of tests.faults.conftest is stopped and started; the machine's
Redis is never touched."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from kpcs.accounts.tests.factories import UserFactory
from kpcs.certificates.models import Certificate, CertificateUpload
from kpcs.certificates.tests.factories import certificate_row, rows_csv
from kpcs.common import jobs
from kpcs.common.health import worker_status
from kpcs.common.models import BackgroundJob
from kpcs.participants.tests.factories import ParticipantFactory
from kpcs.plenary.models import DocumentPackFile
from kpcs.plenary.tests.factories import DocumentFactory
from tests.faults.conftest import RedisServer, Workers, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

# What a person may wait for a page while Redis is down (measured: well under a second).
QUICK = 3.0


def _timed(call: Any) -> tuple[Any, float]:
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def test_with_redis_stopped_an_upload_waits_in_the_queue_and_runs_once_redis_returns(
    client: Any, redis_broker: RedisServer, workers: Workers
) -> None:
    authority = UserFactory(role="authority")
    rows = [certificate_row(authority.participant, ParticipantFactory()) for _ in range(5)]
    client.force_login(authority)
    redis_broker.stop()

    for path in ("/en/", "/en/certificates/verify/", reverse("certificates:upload")):
        response, seconds = _timed(lambda path=path: client.get(path))
        assert response.status_code == 200, path
        assert seconds < QUICK, (path, seconds)

    from django.core.files.uploadedfile import SimpleUploadedFile

    upload_file = SimpleUploadedFile("march.csv", rows_csv(rows), content_type="text/csv")
    response, seconds = _timed(
        lambda: client.post(
            reverse("certificates:upload"), {"kind": "certificates", "file": upload_file}
        )
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert seconds < QUICK, seconds
    upload = CertificateUpload.objects.get()
    job = BackgroundJob.objects.get(pk=upload.job_id)
    assert (job.status, job.dispatched_at) == ("queued", None)
    assert job.waits_for_queue
    page = client.get(response["Location"]).content.decode()
    assert "The task queue is unavailable; the job is queued and will start when it" in page

    health, seconds = _timed(lambda: client.get("/healthz"))
    assert health.status_code == 503
    checks = health.json()["checks"]
    assert checks["broker"]["ok"] is False
    assert checks["jobs"]["waiting_for_queue"] == 1
    assert seconds < QUICK, seconds

    # Redis returns; a worker starts and its start-up sweep sends what waited.
    redis_broker.start()
    worker = workers.start()
    assert wait_for(lambda: BackgroundJob.objects.get(pk=job.pk).is_finished, 90), workers.output(
        worker
    )
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    assert job.attempts == 1
    assert job.dispatched_at is not None and job.dispatch_error == ""
    upload.refresh_from_db()
    assert (upload.status, upload.stored) == ("stored", 5)
    assert Certificate.objects.count() == 5
    assert client.get("/healthz").json()["checks"]["broker"]["ok"] is True


def test_with_redis_stopped_a_pack_build_is_queued_and_built_after_the_minute_sweep(
    client: Any, redis_broker: RedisServer, workers: Workers
) -> None:
    document = DocumentFactory(
        symbol="KP/2026/Plenary/Queue drill",
        title_en="Built after the queue came back",
        body_en="The Plenary notes that the queue was down and came back.",
    )
    client.force_login(UserFactory(role="secretariat"))
    # The first build asked for in a process imports the renderer (WeasyPrint: seconds on a
    # loaded machine) whatever Redis does; ask for one with Redis up so that the timing below
    # is Redis's alone.
    warm_up = DocumentFactory(symbol="KP/2026/Plenary/Warm-up", title_en="Warm-up")
    client.post(reverse("plenary:pack-build", args=[warm_up.pk]), {"languages": "en"})
    worker = workers.start()
    assert wait_for(lambda: worker_status()["ok"], 60), workers.output(worker)
    redis_broker.stop()

    response, seconds = _timed(
        lambda: client.post(
            reverse("plenary:pack-build", args=[document.pk]), {"languages": "en"}, follow=True
        )
    )
    assert response.status_code == 200
    assert seconds < QUICK, seconds
    assert "the task queue cannot be reached now" in response.content.decode()
    pack_file = DocumentPackFile.objects.get(pack__document=document)
    assert pack_file.status == "pending"

    # Redis returns; the worker that lived through the outage reconnects by itself, and
    # beat's minute sweep (run here rather than waiting for the minute) sends the build.
    redis_broker.start()
    report = jobs.background_jobs_dispatch_pending()
    assert report["pack_files_requeued"] == 1
    assert wait_for(
        lambda: DocumentPackFile.objects.get(pk=pack_file.pk).status in ("done", "failed"), 120
    ), workers.output(worker)
    pack_file.refresh_from_db()
    assert (pack_file.status, pack_file.attempts) == ("done", 1), pack_file.error
    page = client.get(reverse("plenary:pack", args=[pack_file.pack_id])).content.decode()
    assert "cannot be reached" not in page


def test_with_redis_stopped_the_verification_throttle_still_counts_in_memory(
    client: Any, redis_broker: RedisServer, monkeypatch: Any
) -> None:
    from kpcs.certificates.verification import CertificateVerifyThrottle

    monkeypatch.setattr(
        CertificateVerifyThrottle, "THROTTLE_RATES", {"certificate_verify": "5/minute"}
    )
    redis_broker.stop()
    url = "/api/v1/public/certificates/verify/?participant=BWA&number=BW0001"
    codes = []
    started = time.monotonic()
    for _ in range(8):
        codes.append(client.get(url).status_code)
    assert 500 not in codes
    assert 429 in codes, codes  # fail-safe: the limit holds without Redis
    assert time.monotonic() - started < QUICK * 2


def test_the_cache_goes_back_to_redis_when_it_returns(redis_broker: RedisServer) -> None:
    cache.set("probe", "in redis")
    assert redis_broker.client(1).keys("kpcs-cache:*probe")
    redis_broker.stop()
    assert cache.get("probe") is None  # served from memory, no error
    cache.set("probe", "in memory")
    assert cache.get("probe") == "in memory"
    redis_broker.start()
    cache._down_until = 0.0  # the retry delay has passed
    cache.set("probe", "in redis again")
    assert redis_broker.client(1).get(redis_broker.client(1).keys("kpcs-cache:*probe")[0])
