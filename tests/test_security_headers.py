"""Every answer, page or API, carries the browser protections: a Content Security Policy that
allows no inline script or style, no framing, no content-type guessing, no referrer leaks."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PATHS = ["/en/", "/en/accounts/login/", "/api/v1/participants/", "/api/docs/", "/en/no-such-page/"]


@pytest.mark.parametrize("path", PATHS)
def test_every_answer_carries_the_browser_protections(path: str) -> None:
    response = Client().get(path)

    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_template_carries_an_inline_script_or_style() -> None:
    """The policy would refuse them; a browser test would only catch the pages it visits."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    offenders = []
    for template in [*root.glob("templates/**/*.html"), *root.glob("kpcs/*/templates/**/*.html")]:
        if "/pdf/" in str(template):  # WeasyPrint's input, never sent to a browser
            continue
        text = template.read_text(encoding="utf-8")
        for marker in ("<script>", "<style", ' style="', " onclick=", " onload=", " onchange="):
            if marker in text:
                offenders.append(f"{template.relative_to(root)}: {marker.strip()}")
    assert offenders == []


def test_uploaded_files_are_not_reachable_by_their_storage_address(settings, tmp_path) -> None:
    """Files live under MEDIA_ROOT, outside the static root, and no URL serves that folder:
    every download goes through a view that checks who is asking."""
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "reviews").mkdir()
    (tmp_path / "reviews" / "evidence.pdf").write_bytes(b"%PDF-1.4 confidential")

    for path in ("/media/reviews/evidence.pdf", "/static/../var/media/reviews/evidence.pdf"):
        response = Client().get(path)
        assert response.status_code == 404, path
        assert b"confidential" not in response.content
    assert not str(tmp_path).startswith(str(settings.STATIC_ROOT or "/nonexistent"))


def test_a_log_in_lasts_a_working_day_not_two_weeks(client) -> None:
    from django.conf import settings

    from kpcs.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(role="authority"))
    response = client.get("/en/")
    assert client.session.get_expiry_age() == 12 * 3600 == settings.SESSION_COOKIE_AGE
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert response.status_code == 200
