"""An authority creates an API client for its national system in a real browser: the key is
shown once (under the strict CSP), works against the API, and stops working when revoked."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from kpcs.accounts.models import ApiClient
from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.models import Participant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JOB = "/api/v1/jobs/00000000-0000-0000-0000-000000000000/"


def _log_in(page, live_server, user) -> None:
    """A session made by Django's test client (the log-in form has its own journey test)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def test_an_authority_creates_copies_and_revokes_a_key(
    live_server, page, screenshot, reference_data
):
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    bwa = Participant.objects.get(code="BWA")
    _log_in(page, live_server, UserFactory(role="authority", participant=bwa, username="bwa-web"))

    page.goto(f"{live_server.url}/en/")
    page.get_by_role("link", name="API clients").click()
    page.get_by_role("link", name="Create an API client").click()
    page.get_by_label("Name").fill("Customs system")
    page.get_by_role("button", name="Create and show the key").click()

    page.get_by_text("Copy the key now: it will not be shown again").wait_for()
    key = page.get_by_label("Key").input_value()
    assert re.fullmatch(r"kpcs_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", key)
    screenshot("api-client-created")
    response = APIClient().get(JOB, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 404  # authenticated: the job simply does not exist

    page.get_by_role("link", name="I have stored the key").click()
    assert key not in page.content()
    page.get_by_role("link", name="Customs system").click()
    page.get_by_label("Reason").fill("Replaced by the new customs system")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke the key").click()
    page.get_by_text("is revoked: its key no longer works").wait_for()
    screenshot("api-clients-list")

    assert ApiClient.objects.get().revoked_at is not None
    assert APIClient().get(JOB, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert refused == []
