"""Two-factor authentication and lock-out as a person meets them in the browser: a new
secretariat member sets up an authenticator while logging in, keeps the backup codes, logs
in again with one; an authority turns it on and off; a guesser meets the lock-out page."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django_otp.oath import TOTP

from kpcs.accounts.tests.factories import TEST_PASSWORD, UserFactory
from tests.browser.conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret: str) -> str:
    """What an authenticator app shows for the key typed from the page."""
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def watch_csp(page) -> list[str]:
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def password_step(page, base: str, username: str, password: str = TEST_PASSWORD) -> None:
    page.goto(f"{base}/en/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_new_secretariat_member_sets_up_two_factor_while_logging_in(
    live_server, page, screenshot
) -> None:
    refused = watch_csp(page)
    UserFactory(username="nadia", role="secretariat", is_staff=True)
    base = live_server.url

    password_step(page, base, "nadia")
    page.wait_for_url(f"{base}/en/accounts/login/set-up/")
    assert page.get_by_role("heading", name="Set up two-factor authentication").is_visible()
    qr = page.get_by_alt_text("QR code for your authenticator app")
    assert qr.is_visible()
    assert qr.evaluate("img => img.naturalWidth") > 100  # the data: image was drawn
    # Not logged in yet: no user menu, and the secretariat's pages are out of reach.
    assert page.locator(".who").count() == 0
    screenshot("two-factor-enrol")
    secret = page.locator("#totp-secret").inner_text()

    page.get_by_label("Code from the app").fill("000000" if app_code(secret) != "000000" else "1")
    page.get_by_role("button", name="Confirm and turn on").click()
    assert page.get_by_text("That code does not match").is_visible()
    time.sleep(1.1)  # django-otp's back-off after a wrong code

    page.get_by_label("Code from the app").fill(app_code(secret))
    page.get_by_role("button", name="Confirm and turn on").click()
    page.wait_for_url(f"{base}/en/accounts/security/backup-codes/")
    codes = page.locator("#backup-codes code").all_inner_texts()
    assert len(codes) == 10
    screenshot("two-factor-backup-codes")
    page.get_by_role("link", name="I have saved them, continue").click()
    page.wait_for_url(f"{base}/en/")
    assert page.locator(".who").inner_text().startswith("nadia")

    page.get_by_role("link", name="Account security").click()
    page.wait_for_url(f"{base}/en/accounts/security/")
    assert page.get_by_text("You have 10 unused backup codes.").is_visible()
    assert page.get_by_role("link", name="Turn off two-factor authentication").count() == 0
    screenshot("two-factor-security-page-secretariat")

    page.get_by_role("button", name="Log out").click()
    password_step(page, base, "nadia")
    page.wait_for_url(f"{base}/en/accounts/login/code/")
    screenshot("two-factor-code-step")
    page.get_by_label("Authentication code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base}/en/")
    assert page.locator(".who").inner_text().startswith("nadia")
    assert refused == []


def test_an_authority_turns_two_factor_on_and_off(live_server, page, screenshot) -> None:
    refused = watch_csp(page)
    UserFactory(username="kagiso", role="authority")
    base = live_server.url
    password_step(page, base, "kagiso")
    page.wait_for_url(f"{base}/en/")  # no second factor yet: offered, not required

    page.get_by_role("link", name="Account security").click()
    screenshot("two-factor-security-page-off")
    page.get_by_role("link", name="Turn on two-factor authentication").click()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from the app").fill(app_code(secret))
    page.get_by_role("button", name="Confirm and turn on").click()
    page.wait_for_url("**/accounts/security/backup-codes/")
    page.get_by_role("link", name="I have saved them, continue").click()
    page.wait_for_url(f"{base}/en/accounts/security/")
    assert page.get_by_text("On", exact=True).is_visible()

    page.get_by_role("link", name="Turn off two-factor authentication").click()
    page.get_by_label("Your password, or a code from your authenticator app").fill("not-it")
    page.get_by_role("button", name="Turn off").click()
    assert page.get_by_text("neither your password nor a valid code").is_visible()
    screenshot("two-factor-disable-refused")
    page.get_by_label("Your password, or a code from your authenticator app").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Turn off").click()
    page.wait_for_url(f"{base}/en/accounts/security/")
    assert page.get_by_text("Two-factor authentication is off.").is_visible()
    assert refused == []


def test_a_guesser_meets_the_lock_out_page_and_the_secretariat_lifts_it(
    live_server, browser, page, screenshot
) -> None:
    UserFactory(username="thabo", role="authority")
    base = live_server.url
    for _ in range(5):
        password_step(page, base, "thabo", password="guess-" + str(_))
    assert page.get_by_role("heading", name="Account temporarily locked").is_visible()
    assert re.search(r"try again in about 30 minutes", page.content())
    screenshot("lockout-page")
    password_step(page, base, "thabo")
    assert page.get_by_role("heading", name="Account temporarily locked").is_visible()

    UserFactory(username="sec", role="secretariat")
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    sec = context.new_page()
    log_in(sec, base, "sec")
    sec.goto(f"{base}/en/accounts/lockouts/")
    row = sec.locator("#lockouts tr", has_text="thabo")
    assert row.get_by_text("locked").is_visible()
    sec.screenshot(path=str(ARTIFACTS / "lockouts-secretariat.png"), full_page=True)
    row.get_by_role("button", name="Unlock").click()
    assert sec.get_by_text("thabo can log in again.").is_visible()
    context.close()

    password_step(page, base, "thabo")
    page.wait_for_url(f"{base}/en/")
