"""A real Celery worker process (as `make run` starts it) takes a job queued by the web side
through the no-server filesystem broker, reports progress and its heartbeat, and finishes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from kpcs.accounts.tests.factories import UserFactory
from kpcs.celery import app
from kpcs.common.health import worker_status
from kpcs.common.jobs import background_job_start
from kpcs.common.models import BackgroundJob
from kpcs.participants.models import Participant
from kpcs.participants.tasks import reference_data_reload

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def filesystem_broker(tmp_path, monkeypatch):
    folder = tmp_path / "broker"
    options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }
    for path in options.values():
        if isinstance(path, str):
            os.makedirs(path, exist_ok=True)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", "filesystem://")
    monkeypatch.setitem(app.conf, "broker_transport_options", options)
    # The producer keeps pools of connections made for the broker it first saw: start afresh.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    yield folder


@pytest.fixture
def worker(filesystem_broker):
    settings = connection.settings_dict
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "PYTEST_XDIST_WORKER")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="kpcs.settings.local",
        DEBUG="false",
        DATABASE_URL=(
            f"postgresql://{settings['USER']}@/{settings['NAME']}?host={settings['HOST']}"
            if str(settings.get("HOST", "")).startswith("/")
            else f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT']}"
            f"/{settings['NAME']}"
        ),
        KPCS_BROKER_DIR=str(filesystem_broker),
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kpcs",
            "worker",
            "--concurrency=1",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_for(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


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
