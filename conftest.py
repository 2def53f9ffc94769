"""Project-wide pytest fixtures: users of each role, API clients, reference data."""

from __future__ import annotations

import os

import pytest

# A real Celery worker for the tests that need one (`worker`, `filesystem_broker`).
pytest_plugins = ["tests.worker"]

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# inside one unless told that this is deliberate (it is: tests are synchronous).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A request to /fr/... leaves French active in the thread; start every test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """API rate limits count requests in the cache (per process memory in tests): every test
    starts with none counted, so that earlier tests' requests cannot push it over a limit."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def reference_data(db):
    """The real KP reference data, loaded through the same service as the command."""
    from django.utils import translation

    from kpcs.participants.services import reference_data_load

    with translation.override("en"):
        return reference_data_load()


@pytest.fixture
def secretariat_user(db):
    from kpcs.accounts.tests.factories import UserFactory

    return UserFactory(role="secretariat", username="secretariat-user")


@pytest.fixture
def authority_user(db):
    from kpcs.accounts.tests.factories import UserFactory

    return UserFactory(role="authority", username="authority-user")


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
