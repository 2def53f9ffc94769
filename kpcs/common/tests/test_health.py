"""/healthz says whether the database, the broker and a worker are there."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kpcs.common import health
from kpcs.common.models import WorkerHeartbeat
from kpcs.common.worker import record_heartbeat

pytestmark = pytest.mark.django_db


def test_healthy_when_database_broker_and_a_recent_worker_answer(client) -> None:
    record_heartbeat("worker@test")
    response = client.get("/healthz")
    body = response.json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["worker"] == {"ok": True, "workers": ["worker@test"]}
    if body["checks"]["broker"]["ok"]:
        assert response.status_code == 200 and body["ok"] is True


def test_a_stale_worker_heartbeat_makes_the_check_fail(client) -> None:
    WorkerHeartbeat.objects.create(hostname="old", last_seen=timezone.now() - timedelta(hours=1))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False
    assert "no Celery worker" in response.json()["checks"]["worker"]["error"]


def test_unreachable_broker_is_reported_by_name(monkeypatch) -> None:
    from kpcs.celery import app

    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    status = health.broker_status()
    assert status["ok"] is False
    assert status["transport"] == "redis"


def test_filesystem_broker_is_healthy_when_its_folder_is_writable(monkeypatch, tmp_path) -> None:
    from kpcs.celery import app

    monkeypatch.setitem(app.conf, "broker_url", "filesystem://")
    monkeypatch.setitem(
        app.conf, "broker_transport_options", {"data_folder_out": str(tmp_path / "queue")}
    )
    assert health.broker_status() == {"ok": True, "transport": "filesystem"}


def test_database_failure_is_reported_without_an_exception(monkeypatch) -> None:
    class Broken:
        def cursor(self):
            raise RuntimeError("connection refused\nmore detail")

    monkeypatch.setattr(health, "connection", Broken())
    assert health.database_status() == {"ok": False, "error": "connection refused"}


def test_heartbeat_is_recorded_by_hostname() -> None:
    record_heartbeat("w1")
    record_heartbeat("w1")
    assert WorkerHeartbeat.objects.filter(hostname="w1").count() == 1
