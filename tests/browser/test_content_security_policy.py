"""Pages work under the strict Content Security Policy: a real browser reports no refused
script, style or image, and the behaviours that need JavaScript (htmx, the API docs) run."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from kpcs.accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = [
    "/en/",
    "/en/statistics/",
    "/en/certificates/verify/",
    "/en/meetings/",
    "/en/documents/",
    "/en/compendium/",
    "/en/participants/",
    "/ar/statistics/",
    "/en/accounts/login/",
]
SECRETARIAT_PAGES = [
    "/en/secretariat/participants/",
    "/en/secretariat/statistics/",
    "/en/secretariat/statistics/anomalies/",
    "/en/secretariat/audit-log/",
    "/en/reviews/visits/",
    "/en/plenary/meetings/",
    "/en/plenary/meetings/new/",
]


def _log_in(page, live_server, user) -> None:
    """Hand the browser a session made by Django's test client (the log-in form and its
    second factor have their own journey test)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def _violations(page) -> list[str]:
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def test_public_and_secretariat_pages_load_without_a_refused_resource(
    live_server, page, reference_data
) -> None:
    refused = _violations(page)
    for path in PUBLIC_PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status < 400, path
        assert "script-src 'self'" in (response.header_value("content-security-policy") or "")
    _log_in(page, live_server, UserFactory(role="secretariat", username="csp-secretariat"))
    for path in SECRETARIAT_PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status < 400, path
        page.wait_for_load_state("networkidle")
    assert refused == []


def test_the_api_documentation_renders_from_the_sites_own_files(
    live_server, page, screenshot
) -> None:
    refused = _violations(page)
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(live_server.url) else None
        ),
    )
    page.goto(f"{live_server.url}/api/docs/")
    # Swagger UI has fetched the schema and drawn the operations.
    page.locator(".opblock").first.wait_for()
    assert page.get_by_text("KPCS Secretariat API").first.is_visible()
    screenshot("api-docs")
    assert refused == []
    assert outside == []
