"""A real Celery worker process for tests (as `make run` starts it), fed through the no-server
filesystem broker: `worker` starts it and stops it after the test; `wait_for` polls a condition.
Import the fixtures into a test module to use them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from kpcs.celery import app

ROOT = Path(__file__).resolve().parent.parent


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
def worker(filesystem_broker, settings):
    django_settings = settings
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
        # The worker writes files (PDF packs) where the web side of the test reads them.
        MEDIA_ROOT=str(django_settings.MEDIA_ROOT),
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
