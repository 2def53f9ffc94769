"""Two-factor authentication: required for the secretariat, offered to everyone; the log-in
gives a session only after the second step; wrong codes count towards the lock-out."""

from __future__ import annotations

import re
import time

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kpcs.accounts import two_factor
from kpcs.accounts.login_views import PENDING_KEY
from kpcs.accounts.tests.factories import TEST_PASSWORD, UserFactory
from kpcs.accounts.tests.two_factor_helpers import code_for, give_authenticator, wrong_code_for
from kpcs.common.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/en/accounts/login/"
VERIFY = "/en/accounts/login/code/"
ENROL = "/en/accounts/login/set-up/"
SECURITY = "/en/accounts/security/"


@pytest.fixture(autouse=True)
def _no_otp_back_off(settings):
    # django-otp makes a device wait 1, 2, 4... seconds after a wrong code; tests that try a
    # right code straight after a wrong one would otherwise wait. One test checks it is on.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def step_one(client, username: str, password: str = TEST_PASSWORD, next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def assert_reaches_nothing(client) -> None:
    """A session that is not logged in: pages send it to log in, the API refuses it."""
    for path in (SECURITY, "/en/secretariat/participants/", "/en/secretariat/audit-log/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(LOGIN), path
    for path in ("/api/v1/statistics/submissions/", "/api/v1/participants/"):
        response = client.get(path)
        if path.endswith("participants/") and response.status_code == 200:
            # The public reference data is open to anyone; it must show no account.
            assert "_auth_user_id" not in client.session
            continue
        assert response.status_code in (401, 403), path
    assert client.get("/en/admin/").status_code == 302
    assert not is_logged_in(client)


# --- The secretariat must enrol -------------------------------------------------------


def test_a_secretariat_account_without_an_authenticator_must_set_one_up_first(client) -> None:
    sec = UserFactory(username="sec", role="secretariat")
    response = step_one(client, "sec")
    assert response.status_code == 302
    assert response["Location"] == ENROL
    assert not is_logged_in(client)
    page = client.get(ENROL)
    content = page.content.decode()
    assert 'src="data:image/svg+xml' in content
    assert "style=" not in content.split("<main", 1)[1]
    device = TOTPDevice.objects.get(user=sec, confirmed=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', content).group(1)
    assert len(secret.replace(" ", "")) == 32
    # The half-done log-in reaches no page and no API.
    assert_reaches_nothing(client)
    # Reloading shows the same key: the QR code does not change under the user.
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=sec).count() == 1
    assert TOTPDevice.objects.get(user=sec).key == device.key


def test_enrolment_with_the_right_code_logs_in_and_shows_backup_codes_once(client) -> None:
    sec = UserFactory(username="sec", role="secretariat", is_staff=True)
    step_one(client, "sec", next_url="/en/secretariat/participants/")
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=sec)
    response = client.post(ENROL, {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/security/backup-codes/"
    assert is_logged_in(client)
    codes_page = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", codes_page)
    assert len(codes) == 10
    assert 'href="/en/secretariat/participants/"' in codes_page
    # Shown once: a second visit does not show them.
    again = client.get("/en/accounts/security/backup-codes/")
    assert again.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/en/secretariat/participants/").status_code == 200
    assert client.get("/en/admin/").status_code == 200
    entry = AuditEntry.objects.filter(object_id=str(sec.pk)).latest("timestamp")
    assert entry.reason == "Two-factor authentication enabled"
    assert entry.changes["two_factor"] == ["off", "authenticator app"]
    trail = str(entry.changes)
    assert device.key not in trail and not any(code in trail for code in codes)


def test_enrolment_with_a_wrong_code_gives_no_session_and_counts_as_a_failure(client) -> None:
    sec = UserFactory(username="sec", role="secretariat")
    step_one(client, "sec")
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=sec)
    response = client.post(ENROL, {"code": wrong_code_for(device)})
    assert response.status_code == 200
    assert "That code does not match" in response.content.decode()
    assert not is_logged_in(client)
    assert AccessAttempt.objects.get(username="sec").failures_since_start == 1
    assert not TOTPDevice.objects.get(user=sec).confirmed


def test_the_enrolment_page_needs_a_password_first(client) -> None:
    response = client.get(ENROL)
    assert response.status_code == 302
    assert response["Location"] == LOGIN


# --- Logging in with an authenticator ---------------------------------------------------


def test_a_secretariat_account_with_an_authenticator_needs_a_valid_code(client) -> None:
    sec = UserFactory(username="sec", role="secretariat", is_staff=True)
    device = give_authenticator(sec)
    response = step_one(client, "sec")
    assert response["Location"] == VERIFY
    assert not is_logged_in(client)
    assert_reaches_nothing(client)
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert is_logged_in(client)
    assert client.get("/en/secretariat/participants/").status_code == 200
    # Verified for django-otp: the admin site, which asks for it, opens.
    assert client.get("/en/admin/").status_code == 200
    assert PENDING_KEY not in client.session


def test_a_wrong_code_is_refused_and_counted_towards_the_lock_out(client) -> None:
    sec = UserFactory(username="sec", role="secretariat")
    device = give_authenticator(sec)
    step_one(client, "sec")
    for n in range(1, 5):
        response = client.post(VERIFY, {"code": wrong_code_for(device)})
        assert response.status_code == 200
        assert "That code is not valid" in response.content.decode()
        assert AccessAttempt.objects.get(username="sec").failures_since_start == n
        assert not is_logged_in(client)
    response = client.post(VERIFY, {"code": wrong_code_for(device)})
    assert response.status_code == 429
    assert "Account temporarily locked" in response.content.decode()
    # The half-done log-in is forgotten, and the right code no longer helps.
    assert PENDING_KEY not in client.session
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302
    assert not is_logged_in(client)
    # Nor does starting again with the right password.
    assert step_one(client, "sec").status_code == 429


def test_a_used_code_cannot_be_used_again(client) -> None:
    sec = UserFactory(username="sec", role="secretariat")
    device = give_authenticator(sec)
    step_one(client, "sec")
    code = code_for(device)
    client.post(VERIFY, {"code": code})
    other = Client()
    step_one(other, "sec")
    response = other.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert not is_logged_in(other)


def test_a_backup_code_works_once(client) -> None:
    sec = UserFactory(username="sec", role="secretariat")
    device = give_authenticator(sec)
    codes = two_factor.regenerate_backup_codes(user=sec, actor=sec)
    step_one(client, "sec")
    response = client.post(VERIFY, {"code": codes[0].upper()})
    assert response.status_code == 302
    assert is_logged_in(client)
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    other = Client()
    step_one(other, "sec")
    assert other.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert not is_logged_in(other)
    assert device.pk  # the authenticator is untouched


def test_the_second_step_expires(client, settings) -> None:
    sec = UserFactory(username="sec", role="secretariat")
    device = give_authenticator(sec)
    step_one(client, "sec")
    session = client.session
    session[PENDING_KEY]["since"] = time.time() - settings.KPCS_TWO_FACTOR_PENDING_SECONDS - 1
    session.save()
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not is_logged_in(client)


def test_the_code_page_without_a_password_first_sends_to_log_in(client) -> None:
    response = client.post(VERIFY, {"code": "123456"})
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not is_logged_in(client)


def test_the_session_key_changes_after_the_password(client) -> None:
    sec = UserFactory(username="sec", role="secretariat")
    give_authenticator(sec)
    client.get(LOGIN)
    client.session.save()
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    step_one(client, "sec")
    assert client.cookies["sessionid"].value != before


def test_an_authority_with_an_authenticator_also_gives_a_code(client) -> None:
    authority = UserFactory(username="bwa", role="authority")
    device = give_authenticator(authority)
    assert step_one(client, "bwa")["Location"] == VERIFY
    assert not is_logged_in(client)
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302
    assert is_logged_in(client)


def test_otp_back_off_slows_down_code_guessing(client, settings) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    settings.OTP_STATIC_THROTTLE_FACTOR = 1
    sec = UserFactory(username="sec", role="secretariat")
    device = give_authenticator(sec)
    step_one(client, "sec")
    client.post(VERIFY, {"code": wrong_code_for(device)})
    response = client.post(VERIFY, {"code": code_for(device)})
    assert "Wait a few seconds" in response.content.decode()
    assert not is_logged_in(client)


# --- The account security page -------------------------------------------------------------


def test_an_authority_can_turn_two_factor_on_and_off(client) -> None:
    authority = UserFactory(username="bwa", role="authority")
    client.force_login(authority)
    page = client.get(SECURITY).content.decode()
    assert "Turn on two-factor authentication" in page
    client.get("/en/accounts/security/two-factor/enable/")
    device = TOTPDevice.objects.get(user=authority)
    response = client.post("/en/accounts/security/two-factor/enable/", {"code": code_for(device)})
    assert response["Location"] == "/en/accounts/security/backup-codes/"
    assert len(re.findall(r"<li><code>", client.get(response["Location"]).content.decode())) == 10
    assert two_factor.has_two_factor(authority)
    page = client.get(SECURITY).content.decode()
    assert "Turn off two-factor authentication" in page
    # A wrong password does not turn it off, and counts as a failure.
    response = client.post("/en/accounts/security/two-factor/disable/", {"secret": "wrong"})
    assert "neither your password nor a valid code" in response.content.decode()
    assert two_factor.has_two_factor(authority)
    assert AccessAttempt.objects.get(username="bwa").failures_since_start == 1
    response = client.post("/en/accounts/security/two-factor/disable/", {"secret": TEST_PASSWORD})
    assert response.status_code == 302
    assert not two_factor.has_two_factor(authority)
    assert not StaticToken.objects.filter(device__user=authority).exists()
    reasons = list(
        AuditEntry.objects.filter(object_id=str(authority.pk)).values_list("reason", flat=True)
    )
    assert "Two-factor authentication enabled" in reasons
    assert "Two-factor authentication disabled" in reasons
    # Logging in is one step again.
    client.post("/en/accounts/logout/")
    assert step_one(client, "bwa")["Location"] == "/en/"


def test_a_current_code_also_confirms_turning_it_off(client) -> None:
    reviewer = UserFactory(username="rev", role="reviewer")
    device = give_authenticator(reviewer)
    client.force_login(reviewer)
    response = client.post(
        "/en/accounts/security/two-factor/disable/", {"secret": code_for(device)}
    )
    assert response.status_code == 302
    assert not two_factor.has_two_factor(reviewer)


def test_the_secretariat_cannot_turn_two_factor_off(client) -> None:
    sec = UserFactory(username="sec", role="secretariat")
    give_authenticator(sec)
    client.force_login(sec)
    assert "Turn off two-factor" not in client.get(SECURITY).content.decode()
    assert client.get("/en/accounts/security/two-factor/disable/").status_code == 403
    response = client.post("/en/accounts/security/two-factor/disable/", {"secret": TEST_PASSWORD})
    assert response.status_code == 403
    assert two_factor.has_two_factor(sec)
    with pytest.raises(PermissionDenied):
        two_factor.disable_two_factor(user=sec, actor=sec)


def test_new_backup_codes_replace_the_old_ones(client) -> None:
    authority = UserFactory(username="bwa", role="authority")
    give_authenticator(authority)
    old = two_factor.regenerate_backup_codes(user=authority, actor=authority)
    client.force_login(authority)
    response = client.post("/en/accounts/security/backup-codes/new/", {"secret": "wrong"})
    assert response.status_code == 200
    assert StaticToken.objects.filter(token=old[0]).exists()
    response = client.post("/en/accounts/security/backup-codes/new/", {"secret": TEST_PASSWORD})
    new = re.findall(
        r"<li><code>([a-z2-7]+)</code>", client.get(response["Location"]).content.decode()
    )
    assert len(new) == 10
    assert not StaticToken.objects.filter(token__in=old).exists()
    entry = AuditEntry.objects.filter(object_id=str(authority.pk)).latest("timestamp")
    assert entry.reason == "Two-factor backup codes regenerated"
    assert not any(code in str(entry.changes) for code in old + new)


def test_the_security_page_needs_a_log_in(client) -> None:
    for path in (
        SECURITY,
        "/en/accounts/security/two-factor/enable/",
        "/en/accounts/security/two-factor/disable/",
        "/en/accounts/security/backup-codes/new/",
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def test_the_secretariat_resets_a_lost_authenticator(client) -> None:
    colleague = UserFactory(username="sec2", role="secretariat")
    give_authenticator(colleague)
    client.force_login(UserFactory(username="sec", role="secretariat"))
    client.post("/en/accounts/lockouts/", {"action": "reset-two-factor", "username": "sec2"})
    assert not two_factor.has_two_factor(colleague)
    other = Client()
    assert step_one(other, "sec2")["Location"] == ENROL


def test_only_the_secretariat_resets_someone_elses_authenticator(client) -> None:
    colleague = UserFactory(username="sec2", role="secretariat")
    give_authenticator(colleague)
    client.force_login(UserFactory(role="authority"))
    response = client.post(
        "/en/accounts/lockouts/", {"action": "reset-two-factor", "username": "sec2"}
    )
    assert response.status_code == 403
    assert two_factor.has_two_factor(colleague)


# --- The admin site -------------------------------------------------------------------------


def test_the_admin_log_in_goes_through_the_sites_log_in(client) -> None:
    response = client.get("/en/admin/login/?next=/en/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=%2Fen%2Fadmin%2F"
    UserFactory(username="sec", role="secretariat")
    response = client.post("/en/admin/login/", {"username": "sec", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert not is_logged_in(client)


def test_the_admin_refuses_a_session_without_a_second_factor(client) -> None:
    client.force_login(UserFactory(username="sec", role="secretariat", is_staff=True))
    response = client.get("/en/admin/", follow=True)
    assert response.status_code == 403


def test_a_half_logged_in_session_cannot_reach_the_admin(client) -> None:
    sec = UserFactory(username="sec", role="secretariat")
    give_authenticator(sec)
    step_one(client, "sec")
    response = client.get("/en/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_password_reset_does_not_log_in(client) -> None:
    from django.core import mail

    sec = UserFactory(username="sec", role="secretariat", email="sec@example.org")
    give_authenticator(sec)
    client.post("/en/accounts/password/reset/", {"email": "sec@example.org"})
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    new = "a-new-and-long-passphrase"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert not is_logged_in(client)
    assert step_one(client, "sec", password=new)["Location"] == VERIFY


# --- The demo ---------------------------------------------------------------------------------


def test_the_demo_secretariat_logs_in_with_the_code_the_demo_script_prints(
    client, reference_data
) -> None:
    import importlib.util
    from pathlib import Path

    from kpcs.participants.demo import DEMO_PASSWORD, demo_data_load

    demo_data_load()
    path = Path(__file__).resolve().parents[3] / "scripts" / "demo_totp.py"
    spec = importlib.util.spec_from_file_location("demo_totp", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    code, _left = script.current_code()
    assert step_one(client, "secretariat", password=DEMO_PASSWORD)["Location"] == VERIFY
    assert client.post(VERIFY, {"code": code}).status_code == 302
    assert is_logged_in(client)
    # The other demo accounts are offered two-factor authentication, not given it.
    assert TOTPDevice.objects.filter(user__username="bwa-authority").count() == 0
    assert step_one(Client(), "bwa-authority", password=DEMO_PASSWORD)["Location"] == "/en/"
