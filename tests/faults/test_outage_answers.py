"""What a person or a script sees while the database cannot be reached (in-process: every
connection attempt refused, as when PostgreSQL is down). The same against a real PostgreSQL
stopped under gunicorn: test_database_restart.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import RequestFactory

from kpcs.accounts.tests.factories import UserFactory
from kpcs.common.views import server_error

pytestmark = pytest.mark.django_db

UNAVAILABLE = "The database is unavailable at the moment"


@contextmanager
def database_down() -> Iterator[None]:
    """Every query fails as it does when the server refuses connections."""

    def refuse(self: BaseDatabaseWrapper) -> None:
        raise OperationalError(
            'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
        )

    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", refuse):
        yield


def test_a_public_page_answers_503_with_a_page_saying_to_try_again(client) -> None:
    with database_down():
        response = client.get("/en/statistics/")
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert UNAVAILABLE in page
    assert "Traceback" not in page and "OperationalError" not in page


def test_a_logged_in_users_page_answers_503_though_the_session_cannot_be_read(client) -> None:
    client.force_login(UserFactory(role="secretariat"))
    with database_down():
        response = client.get("/en/secretariat/audit-log/")
    assert response.status_code == 503
    assert UNAVAILABLE in response.content.decode()


def test_the_api_answers_503_in_its_error_format(client) -> None:
    with database_down():
        response = client.get("/api/v1/public/statistics/releases/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body == {
        "status": 503,
        "code": "database_unavailable",
        "detail": mock.ANY,
    }
    assert "try again in a moment" in body["detail"]
    assert response["Retry-After"].isdigit()


def test_a_form_post_answers_503_too(client) -> None:
    user = UserFactory(role="secretariat")
    client.force_login(user)
    with database_down():
        response = client.post("/en/accounts/logout/")
    assert response.status_code == 503


def test_healthz_names_the_database_as_down(client) -> None:
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["ok"] is False


def test_a_database_failure_outside_a_view_gets_the_same_answer_from_the_500_handler() -> None:
    # Middleware that reads the database before the view (e.g. the session) does not reach
    # OutageMiddleware.process_exception; Django hands the error to handler500 instead.
    request = RequestFactory().get("/api/v1/public/statistics/releases/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert json.loads(response.content)["code"] == "database_unavailable"


def test_any_other_error_still_answers_500() -> None:
    request = RequestFactory().get("/en/")
    request.user = AnonymousUser()
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = server_error(request)
    assert response.status_code == 500
