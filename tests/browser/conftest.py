"""Playwright driving Debian's chromium (`playwright install` cannot download here)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KPCS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run scripts/install-system-packages.sh (make test does)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(page, base: str, username: str, password: str | None = None) -> None:
    """Log in through the real form, with the two-factor step where the account has (or, as
    a secretariat account, must have) an authenticator: the account gets one with a known
    test key and the code is computed as the app would (django_otp.oath)."""
    from kpcs.accounts import two_factor
    from kpcs.accounts.models import User
    from kpcs.accounts.tests.factories import TEST_PASSWORD
    from kpcs.accounts.tests.two_factor_helpers import code_for, give_authenticator

    user = User.objects.get(username=username)
    device = None
    if two_factor.has_two_factor(user):
        device = user.totpdevice_set.filter(confirmed=True).first()
    elif two_factor.two_factor_required(user):
        device = give_authenticator(user)
    page.goto(f"{base}/en/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password or TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if device is not None:
        page.wait_for_url(f"{base}/en/accounts/login/code/")
        page.get_by_label("Authentication code").fill(code_for(device))
        page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base}/en/")
