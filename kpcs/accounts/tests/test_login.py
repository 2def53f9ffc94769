"""Logging in and out, resetting a password, and the database rules on roles."""

import re

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from kpcs.accounts.models import User
from kpcs.accounts.tests.factories import TEST_PASSWORD, UserFactory
from kpcs.participants.tests.factories import ObserverFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def test_user_logs_in_and_lands_on_the_home_page(client) -> None:
    # An authority without two-factor authentication: the password alone logs in (the
    # secretariat's two steps are in test_two_factor.py).
    UserFactory(username="amina", role="authority")
    response = client.post("/en/accounts/login/", {"username": "amina", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/en/"
    page = client.get("/en/")
    assert "amina" in page.content.decode()


def test_wrong_password_is_refused_with_a_message(client) -> None:
    UserFactory(username="amina")
    response = client.post("/en/accounts/login/", {"username": "amina", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_deactivated_user_cannot_log_in(client) -> None:
    UserFactory(username="gone", is_active=False)
    client.post("/en/accounts/login/", {"username": "gone", "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post_and_ends_the_session(client) -> None:
    user = UserFactory()
    client.force_login(user)
    assert client.get("/en/accounts/logout/").status_code == 405
    response = client.post("/en/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_that_sets_a_new_password(client) -> None:
    UserFactory(username="reset-me", email="reset@example.org")
    response = client.post("/en/accounts/password/reset/", {"email": "reset@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    new_password = "a-new-and-long-passphrase"
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302
    assert User.objects.get(username="reset-me").check_password(new_password)


def test_password_reset_for_unknown_address_does_not_reveal_it(client) -> None:
    response = client.post("/en/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0


def test_login_page_is_translated(client) -> None:
    response = client.get("/fr/accounts/login/")
    assert response.status_code == 200
    assert 'lang="fr"' in response.content.decode()


@pytest.mark.parametrize(
    ("role", "with_participant", "with_observer"),
    [
        ("authority", False, False),
        ("observer", False, False),
        ("secretariat", True, False),
        ("reviewer", True, True),
    ],
)
def test_database_refuses_inconsistent_roles(role, with_participant, with_observer) -> None:
    user = User(
        username="x",
        role=role,
        participant=ParticipantFactory() if with_participant else None,
        observer=ObserverFactory() if with_observer else None,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()
