"""Queue faults: Redis stopped and back, a worker killed in the middle of an import and of a
PDF pack. What each scenario proves is in docs/operations.md; the tests in tests/faults/ prove the
same on every CI run."""

from __future__ import annotations

import importlib
import json
import time
from pathlib import Path
from typing import Any

from drill import STALE_AFTER_SECONDS, Drill, scenario, timed, wait_for


def _factory(path: str) -> Any:
    """A factory-boy factory of the test suite (kpcs/<app>/tests/factories.py): drill data
    made the way the tests make it."""
    module, _dot, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


# What a person may wait for a page while Redis is down.
QUICK = 3.0


def _authority_and_rows(count: int) -> tuple[Any, bytes]:
    factories = "kpcs.certificates.tests.factories"
    authority = _factory("kpcs.accounts.tests.factories.UserFactory")(role="authority")
    destination = _factory("kpcs.participants.tests.factories.ParticipantFactory")()
    row = _factory(f"{factories}.certificate_row")
    rows = [row(authority.participant, destination) for _ in range(count)]
    return authority, _factory(f"{factories}.rows_csv")(rows)


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _redeliver_unacknowledged(drill: Drill) -> int:
    """What Redis does with an unacknowledged message after the visibility timeout (an hour):
    put it back on its queue. Done at once here."""
    import redis

    client = redis.Redis.from_url(drill.redis.url(0), socket_timeout=2)
    count = 0
    for tag, payload in client.hgetall("unacked").items():
        message, _exchange, routing_key = json.loads(payload)
        client.lpush(routing_key or "celery", json.dumps(message))
        client.hdel("unacked", tag)
        client.zrem("unacked_index", tag)
        count += 1
    return count


def _queue_drained(drill: Drill) -> bool:
    import redis

    client = redis.Redis.from_url(drill.redis.url(0), socket_timeout=2)
    return bool(client.llen("celery") == 0 and client.hlen("unacked") == 0)


@scenario("queue")
def redis_down_pages_answer(drill: Drill) -> None:
    """With Redis stopped every page and API call answers quickly, throttles still count and
    /healthz names the broker."""
    UserFactory = _factory("kpcs.accounts.tests.factories.UserFactory")

    client = _client(UserFactory(role="secretariat"))
    client.get("/en/")  # warm up: the first request of a process imports templates
    drill.redis.stop()
    for path in ("/en/", "/en/certificates/verify/", "/en/plenary/packs/", "/api/v1/participants/"):
        response, seconds = timed(lambda path=path: client.get(path))  # type: ignore[misc]
        drill.check(
            f"GET {path} answers with Redis down",
            response.status_code == 200 and seconds < QUICK,
            f"{response.status_code} in {seconds:.2f} s",
        )
    anonymous = _client(UserFactory(role="observer"))
    anonymous.logout()
    codes = [
        anonymous.get("/api/v1/public/certificates/verify/?participant=BWA&number=BW1").status_code
        for _ in range(40)
    ]
    drill.check(
        "the verification throttle keeps counting in memory (429, never 500)",
        429 in codes and 500 not in codes,
        f"{codes.count(200)} answered, {codes.count(429)} refused",
    )
    health, seconds = timed(lambda: client.get("/healthz"))
    body = health.json()
    drill.check(
        "/healthz says the broker is down",
        health.status_code == 503 and body["checks"]["broker"]["ok"] is False,
        f"{health.status_code} in {seconds:.2f} s: {body['checks']['broker'].get('error', '')}",
    )
    drill.redis.start()
    health = client.get("/healthz")
    drill.check(
        "/healthz sees the broker again once Redis is back",
        health.json()["checks"]["broker"]["ok"] is True,
    )


@scenario("queue")
def redis_down_import_waits_then_runs(drill: Drill) -> None:
    """An upload asked for with Redis stopped is queued with a clear message and runs once
    when Redis returns (a worker's start-up sweep sends it)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kpcs.certificates.models import Certificate, CertificateUpload
    from kpcs.common.models import BackgroundJob

    authority, data = _authority_and_rows(20)
    client = _client(authority)
    client.get("/en/certificates/upload/")
    drill.redis.stop()
    upload_file = SimpleUploadedFile("drill.csv", data, content_type="text/csv")
    response, seconds = timed(
        lambda: client.post(
            "/en/certificates/upload/", {"kind": "certificates", "file": upload_file}
        )
    )
    drill.check(
        "the upload is accepted with Redis down",
        response.status_code == 302 and seconds < QUICK,
        f"{response.status_code} in {seconds:.2f} s",
    )
    upload = CertificateUpload.objects.filter(original_name="drill.csv").latest("pk")
    job = BackgroundJob.objects.get(pk=str(upload.job_id))
    drill.check("its job is queued, not sent", job.status == "queued" and not job.dispatched_at)
    page = client.get(response["Location"]).content.decode()
    drill.check("the page says the queue is unavailable", "task queue is unavailable" in page)

    drill.redis.start()
    back = time.monotonic()
    worker = drill.start_worker()
    finished = wait_for(lambda: BackgroundJob.objects.get(pk=job.pk).is_finished, 120)
    job.refresh_from_db()
    upload.refresh_from_db()
    drill.check(
        "when Redis returns the job runs once",
        finished and job.status == "succeeded" and job.attempts == 1,
        f"{job.status}, {job.attempts} run(s), "
        f"{time.monotonic() - back:.1f} s after Redis (worker start-up included)"
        + ("" if finished else f"\n{drill.worker_log(worker)}"),
    )
    drill.check(
        "every row is stored once",
        upload.status == "stored" and Certificate.objects.filter(upload=upload).count() == 20,
    )


@scenario("queue")
def redis_down_pack_waits_then_builds(drill: Drill) -> None:
    """A PDF pack asked for with Redis stopped is recorded as waiting; the worker lives
    through the outage and beat's minute sweep sends the build when Redis is back."""
    UserFactory = _factory("kpcs.accounts.tests.factories.UserFactory")
    from kpcs.common.health import worker_status
    from kpcs.common.jobs import background_jobs_dispatch_pending
    from kpcs.plenary.models import DocumentPackFile

    DocumentFactory = _factory("kpcs.plenary.tests.factories.DocumentFactory")

    client = _client(UserFactory(role="secretariat"))
    warm_up = DocumentFactory(symbol="KP/DRILL/Warm-up", title_en="Warm-up")
    client.post(f"/en/plenary/documents/{warm_up.pk}/pack/", {"languages": "en"})
    worker = drill.start_worker()
    wait_for(lambda: worker_status()["ok"], 60)
    document = DocumentFactory(symbol="KP/DRILL/Pack", title_en="Built after the outage")
    drill.redis.stop()
    response, seconds = timed(
        lambda: client.post(
            f"/en/plenary/documents/{document.pk}/pack/", {"languages": "en"}, follow=True
        )
    )
    drill.check(
        "the build is accepted with Redis down and the page says it waits",
        response.status_code == 200
        and seconds < QUICK
        and "cannot be reached" in response.content.decode(),
        f"{response.status_code} in {seconds:.2f} s",
    )
    drill.redis.start()
    report = background_jobs_dispatch_pending()  # what beat runs every minute
    drill.check("the sweep sends the waiting build", report.get("pack_files_requeued") == 1)
    done = wait_for(
        lambda: DocumentPackFile.objects.get(pack__document=document).status == "done", 120
    )
    drill.check(
        "the worker that lived through the outage builds it",
        done,
        "" if done else drill.worker_log(worker),
    )


@scenario("queue")
def worker_killed_mid_import(drill: Drill) -> None:
    """SIGKILL in the middle of an import's transaction: nothing stored; a new worker runs
    it again, once; the dead worker's redelivered message changes nothing."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kpcs.certificates.models import Certificate, CertificateUpload
    from kpcs.certificates.services import certificate_upload_start
    from kpcs.common.models import BackgroundJob

    authority, data = _authority_and_rows(30)
    first = drill.start_worker(delay="job.progress=300")
    upload = certificate_upload_start(
        actor=authority,
        participant=None,
        kind=CertificateUpload.Kind.CERTIFICATES,
        uploaded_file=SimpleUploadedFile("killed.csv", data, content_type="text/csv"),
    )

    def job() -> BackgroundJob:
        return BackgroundJob.objects.get(pk=str(upload.job_id))

    paused = wait_for(lambda: job().progress_done == 30, 120)
    drill.check(
        "the worker is inside the import (rows written, not committed)",
        paused and not Certificate.objects.filter(upload=upload).exists(),
        "" if paused else drill.worker_log(first),
    )
    drill.kill(first)
    upload.refresh_from_db()
    drill.check(
        "after SIGKILL nothing of the import is stored",
        not Certificate.objects.filter(upload=upload).exists() and upload.status == "checking",
    )
    wait_for(lambda: False, STALE_AFTER_SECONDS + 1)
    second = drill.start_worker()
    finished = wait_for(lambda: job().is_finished, 120)
    upload.refresh_from_db()
    drill.check(
        "a new worker takes the job back and completes it once",
        finished and job().status == "succeeded" and job().attempts == 2,
        f"{job().status}, {job().attempts} runs" + ("" if finished else drill.worker_log(second)),
    )
    drill.check(
        "every row stored exactly once",
        Certificate.objects.filter(upload=upload).count() == 30 and upload.stored == 30,
    )
    redelivered = _redeliver_unacknowledged(drill)
    drained = wait_for(lambda: _queue_drained(drill), 60)
    drill.check(
        "the dead worker's message, delivered again, changes nothing",
        redelivered == 1 and drained and job().attempts == 2,
        f"{redelivered} message(s) redelivered",
    )


@scenario("queue")
def worker_killed_mid_pack(drill: Drill) -> None:
    """SIGKILL after a PDF was written to its temporary file, before it was moved into place:
    nothing registered, no final file; a new worker builds it once and sweeps the leftover."""
    UserFactory = _factory("kpcs.accounts.tests.factories.UserFactory")
    from kpcs.plenary.models import DocumentPackFile
    from kpcs.plenary.services.packs import pack_request

    DocumentFactory = _factory("kpcs.plenary.tests.factories.DocumentFactory")

    folder = Path(drill.media_root) / "document-packs"

    def files(pattern: str) -> list[Path]:
        return sorted(folder.rglob(pattern)) if folder.exists() else []

    before = set(files("*.pdf"))
    document = DocumentFactory(symbol="KP/DRILL/Killed", title_en="Built after a crash")
    first = drill.start_worker(delay="pack.store=300")
    pack = pack_request(
        subject="document",
        document=document,
        languages=["en"],
        actor=UserFactory(role="secretariat"),
    )
    pack_file = DocumentPackFile.objects.get(pack=pack)
    paused = wait_for(lambda: files(".pack-*.part"), 120)
    drill.check(
        "the worker is writing the PDF", bool(paused), "" if paused else drill.worker_log(first)
    )
    drill.kill(first)
    pack_file.refresh_from_db()
    drill.check(
        "after SIGKILL no file is registered and none is under a final name",
        pack_file.status == "running" and not pack_file.file.name and set(files("*.pdf")) == before,
    )
    wait_for(lambda: False, STALE_AFTER_SECONDS + 1)
    second = drill.start_worker()
    done = wait_for(lambda: DocumentPackFile.objects.get(pk=pack_file.pk).status == "done", 120)
    pack_file.refresh_from_db()
    new = set(files("*.pdf")) - before
    drill.check(
        "a new worker builds it once and registers the one file",
        done and pack_file.attempts == 2 and len(new) == 1,
        f"{pack_file.status}, {pack_file.attempts} runs"
        + ("" if done else drill.worker_log(second)),
    )
    drill.check("the dead worker's temporary file was swept", not files(".pack-*.part"))
    redelivered = _redeliver_unacknowledged(drill)
    drained = wait_for(lambda: _queue_drained(drill), 60)
    pack_file.refresh_from_db()
    drill.check(
        "the dead worker's message, delivered again, changes nothing",
        redelivered == 1 and drained and pack_file.attempts == 2,
    )
