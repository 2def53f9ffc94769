"""The admin site cannot change what the database guarantees about API client accounts."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import is_password_usable
from django_otp import DEVICE_ID_SESSION_KEY

from kpcs.accounts.tests.factories import ApiClientFactory, UserFactory
from kpcs.accounts.tests.two_factor_helpers import give_authenticator

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, reference_data):
    user = UserFactory(role="secretariat", username="sec", is_staff=True, is_superuser=True)
    device = give_authenticator(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_an_api_client_account_is_read_only_in_the_admin(admin_client) -> None:
    account = ApiClientFactory().user
    change = f"/en/admin/accounts/user/{account.pk}/change/"

    assert admin_client.get(change).status_code == 200  # viewable
    response = admin_client.post(change, {"username": account.username, "role": "secretariat"})
    assert response.status_code == 403
    response = admin_client.post(
        f"/en/admin/accounts/user/{account.pk}/password/",
        {"password1": "a-long-enough-passphrase", "password2": "a-long-enough-passphrase"},
    )
    assert response.status_code == 403
    account.refresh_from_db()
    assert account.role == "authority"
    assert not is_password_usable(account.password)


def test_a_person_account_can_still_be_changed_in_the_admin(admin_client) -> None:
    person = UserFactory(role="authority")
    response = admin_client.get(f"/en/admin/accounts/user/{person.pk}/password/")
    assert response.status_code == 200
