"""Fixtures of the hostile-input suite: a media folder of each test's own (so "nothing was
stored" can be counted), the people who upload, and the helpers that read an answer."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest

YEAR = 2025


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def page_text(response) -> str:
    """The answer as a person reads it: tags dropped, entities decoded, spaces squeezed."""
    content = response.content.decode("utf-8", "replace")
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", content)))


def mentions(text: str, words: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(word.lower() in lowered for word in words)


@pytest.fixture
def open_periods(db) -> None:
    from kpcs.statistics.models import ReportingDeadline

    for period in ("Q1", "Q2", "Q3", "Q4", "H1", "H2"):
        ReportingDeadline.objects.create(year=YEAR, period=period, due_date=dt.date(2999, 1, 1))


@pytest.fixture(scope="module")
def shared_reference(django_db_setup, django_db_blocker):
    """The real reference data, loaded once for a module (loading it takes seconds) and
    flushed after it, so that the tests of other modules find the database as they expect."""
    from django.core.management import call_command
    from django.utils import translation

    from kpcs.participants.services import reference_data_load

    with django_db_blocker.unblock():
        with translation.override("en"):
            reference_data_load()
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def reference(shared_reference, db) -> None:
    """The shared reference data, in a test that may use the database."""


@pytest.fixture
def botswana(reference):
    from kpcs.participants.models import Participant

    return Participant.objects.get(code="BWA")


@pytest.fixture
def south_africa(reference):
    from kpcs.participants.models import Participant

    return Participant.objects.get(code="ZAF")


@pytest.fixture
def bwa_authority(botswana):
    from kpcs.accounts.tests.factories import UserFactory

    return UserFactory(role="authority", participant=botswana, username="bwa-hostile")


@pytest.fixture
def secretariat(db):
    from kpcs.accounts.tests.factories import UserFactory

    return UserFactory(role="secretariat", username="secretariat-hostile")
