"""The authorization matrix's world: built once per module inside a transaction that is rolled
back when the module ends, so the rest of the test run never sees it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import translation

from tests.security.world import World, build_world


@pytest.fixture(scope="module")
def world(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    from kpcs.participants.services import reference_data_load

    media = tmp_path_factory.mktemp("authz-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with translation.override("en"):
                reference_data_load()
                built = build_world()
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def role_cookies(world: World, django_db_blocker: Any) -> dict[str, Any]:
    """Each role's session cookies, logged in once (the sessions live in the module's
    transaction); each cell starts from a copy, so a cell that logs out changes nothing."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    cookies: dict[str, Any] = {}
    with django_db_blocker.unblock():
        for role, user in world.users.items():
            client = Client()
            if user is not None:
                client.force_login(user)
            if role == "secretariat":
                # The secretariat logs in with its second factor (as it must): its session is
                # verified, as after the log-in's code step.
                device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()
            cookies[role] = client.cookies
    return cookies
