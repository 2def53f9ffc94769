"""Log-in lock-out: by username + address after a few failures, by username alone after
many, never by address alone; lifted by time, by the secretariat or by a command."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.utils import timezone

from kpcs.accounts.tests.factories import TEST_PASSWORD, UserFactory
from kpcs.common.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/en/accounts/login/"
OFFICE = "203.0.113.10"  # documentation addresses (RFC 5737): never real hosts


def log_in(client, username, password, address=OFFICE, **extra):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def fail(client, username, times, address=OFFICE, **extra):
    responses = [log_in(client, username, "wrong-password", address, **extra) for _ in range(times)]
    return responses[-1]


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_username_at_that_address(client, settings) -> None:
    UserFactory(username="amina", role="authority")
    assert fail(client, "amina", 4).status_code == 200  # the form again, with its message
    response = fail(client, "amina", 1)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Account temporarily locked" in page
    assert "30 minutes" in page
    assert "secretariat" in page
    assert response["Retry-After"] == "1800"


def test_a_locked_out_user_is_refused_even_with_the_right_password(client) -> None:
    UserFactory(username="amina", role="authority")
    fail(client, "amina", 5)
    response = log_in(client, "amina", TEST_PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in(client)


def test_a_colleague_behind_the_same_address_can_still_log_in(client) -> None:
    UserFactory(username="amina", role="authority")
    UserFactory(username="boitumelo", role="authority")
    fail(client, "amina", 5)
    response = log_in(client, "boitumelo", TEST_PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_the_pair_limit_does_not_lock_the_user_out_of_another_address(client) -> None:
    UserFactory(username="amina", role="authority")
    fail(client, "amina", 5)
    response = log_in(client, "amina", TEST_PASSWORD, address="198.51.100.7")
    assert response.status_code == 302


def test_the_same_username_from_many_addresses_is_locked_after_the_larger_count(
    client, settings
) -> None:
    UserFactory(username="amina", role="authority")
    # 4 failures from each of 5 addresses: no pair reaches 5, the username reaches 20.
    for n in range(1, 5):
        assert fail(client, "amina", 4, address=f"198.51.100.{n}").status_code == 200
    response = fail(client, "amina", 4, address="198.51.100.5")
    assert response.status_code == 429
    response = log_in(client, "amina", TEST_PASSWORD, address="192.0.2.99")
    assert response.status_code == 429
    assert not is_logged_in(client)


def test_an_unknown_username_is_counted_like_a_real_one(client) -> None:
    assert fail(client, "nobody-here", 5).status_code == 429


def test_x_forwarded_for_is_not_trusted_without_configured_proxies(client) -> None:
    """NUM_PROXIES is 0 by default: a guesser cannot reset the count by sending a
    different X-Forwarded-For each time."""
    UserFactory(username="amina", role="authority")
    for n in range(4):
        log_in(client, "amina", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = log_in(client, "amina", "wrong", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {OFFICE}


def test_x_forwarded_for_is_read_behind_the_configured_proxy(client, settings) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    from rest_framework.settings import api_settings

    api_settings.reload()
    try:
        UserFactory(username="amina", role="authority")
        fail(client, "amina", 5, HTTP_X_FORWARDED_FOR="192.0.2.44")
        # Another client behind the same proxy is another address.
        response = log_in(client, "amina", TEST_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.45")
        assert response.status_code == 302
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.44"}
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
        api_settings.reload()


def test_failures_are_forgotten_after_the_cool_off(client) -> None:
    UserFactory(username="amina", role="authority")
    fail(client, "amina", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    assert log_in(client, "amina", TEST_PASSWORD).status_code == 302


def test_a_successful_log_in_clears_earlier_failures(client) -> None:
    UserFactory(username="amina", role="authority")
    fail(client, "amina", 4)
    assert log_in(client, "amina", TEST_PASSWORD).status_code == 302
    client.post("/en/accounts/logout/")
    # Four more typos do not lock: the count started again.
    assert fail(client, "amina", 4).status_code == 200


def test_the_unlock_command_lifts_the_lock_out(client) -> None:
    UserFactory(username="amina", role="authority")
    fail(client, "amina", 5)
    call_command("axes_reset_username", "amina", stdout=None)
    assert log_in(client, "amina", TEST_PASSWORD).status_code == 302


def test_the_secretariat_sees_lock_outs_and_lifts_one(client) -> None:
    amina = UserFactory(username="amina", role="authority")
    fail(client, "amina", 5)
    secretariat = UserFactory(username="sec", role="secretariat")
    staff = client.__class__()
    staff.force_login(secretariat)
    page = staff.get("/en/accounts/lockouts/").content.decode()
    assert re.search(r"amina</td>\s*<td><span class=\"badge bad\">locked", page)
    assert OFFICE in page
    response = staff.post("/en/accounts/lockouts/", {"username": "amina"})
    assert response.status_code == 302
    assert log_in(client, "amina", TEST_PASSWORD).status_code == 302
    entry = AuditEntry.objects.filter(object_id=str(amina.pk)).latest("timestamp")
    assert entry.changes == {"login_lockout": ["locked", "lifted"]}
    assert entry.actor == secretariat


@pytest.mark.parametrize("role", ["authority", "reviewer", "observer"])
def test_only_the_secretariat_sees_the_lock_out_page(client, role) -> None:
    client.force_login(UserFactory(role=role))
    assert client.get("/en/accounts/lockouts/").status_code == 403
    assert client.post("/en/accounts/lockouts/", {"username": "x"}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in_from_the_lock_out_page(client) -> None:
    response = client.get("/en/accounts/lockouts/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_an_empty_username_never_unlocks_everyone(client) -> None:
    UserFactory(username="amina", role="authority")
    fail(client, "amina", 5)
    client.force_login(UserFactory(username="sec", role="secretariat"))
    client.post("/en/accounts/lockouts/", {"username": ""})
    assert AccessAttempt.objects.filter(username="amina").exists()


def test_the_admin_log_in_form_cannot_be_used_to_get_around_the_lock_out(client) -> None:
    UserFactory(username="sec", role="secretariat", is_staff=True)
    fail(client, "sec", 5)
    response = client.post(
        "/en/admin/login/", {"username": "sec", "password": TEST_PASSWORD}, REMOTE_ADDR=OFFICE
    )
    # The admin has no log-in form of its own: it sends everyone to the site's log-in.
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not is_logged_in(client)


def test_the_api_takes_no_password_so_it_cannot_be_used_to_guess_one(client) -> None:
    import base64

    UserFactory(username="amina", role="authority")
    basic = base64.b64encode(f"amina:{TEST_PASSWORD}".encode()).decode()
    response = client.get("/api/v1/statistics/submissions/", HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code in (401, 403)


def test_logging_in_does_not_clear_a_guessers_count_elsewhere(client) -> None:
    UserFactory(username="amina", role="authority")
    fail(client, "amina", 3, address="192.0.2.66")
    assert log_in(client, "amina", TEST_PASSWORD).status_code == 302
    client.post("/en/accounts/logout/")
    assert fail(client, "amina", 2, address="192.0.2.66").status_code == 429


def test_failed_attempts_keep_no_password_in_the_record(client) -> None:
    UserFactory(username="amina", role="authority")
    log_in(client, "amina", "my-secret-guess")
    attempt = AccessAttempt.objects.get()
    assert "my-secret-guess" not in attempt.post_data
