"""A backup restored into a fresh database holds the same data: every table's rows, the
values themselves, and the uploaded files; a damaged backup or a non-empty target is refused."""

from __future__ import annotations

import json

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kpcs.common.backup import server_params
from kpcs.participants.models import Participant

pytestmark = pytest.mark.django_db(transaction=True)


def _server() -> dict:
    return server_params(settings.DATABASES["default"])


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restore"
    with psycopg.connect(dbname="postgres", autocommit=True, **_server()) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(dbname="postgres", autocommit=True, **_server()) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def backed_up(reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "review-evidence").mkdir(parents=True)
    (settings.MEDIA_ROOT / "review-evidence" / "visit.pdf").write_bytes(b"%PDF-1.4 evidence")
    call_command("backup", out=tmp_path / "backup")
    return next((tmp_path / "backup").glob("*.json"))


def test_a_restored_backup_holds_the_same_rows_values_and_files(
    backed_up, fresh_database, tmp_path
) -> None:
    manifest = json.loads(backed_up.read_text())
    assert manifest["tables"]["participants_participant"] == Participant.objects.count() > 50
    restored_media = tmp_path / "restored-media"
    call_command("restore_backup", str(backed_up), database=fresh_database, media=restored_media)
    with psycopg.connect(dbname=fresh_database, **_server()) as restored:
        rows = restored.execute(
            "SELECT code, name_en, name_fr FROM participants_participant ORDER BY code"
        ).fetchall()
    assert rows == list(
        Participant.objects.order_by("code").values_list("code", "name_en", "name_fr")
    )
    assert (restored_media / "review-evidence" / "visit.pdf").read_bytes() == b"%PDF-1.4 evidence"


def test_a_damaged_backup_is_refused(backed_up, fresh_database, tmp_path) -> None:
    dump = next(backed_up.parent.glob("*.dump"))
    dump.write_bytes(dump.read_bytes()[:-10])
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command(
            "restore_backup", str(backed_up), database=fresh_database, media=tmp_path / "m"
        )


def test_restoring_over_a_database_that_holds_tables_is_refused(backed_up, tmp_path) -> None:
    with pytest.raises(CommandError, match="is not empty"):
        call_command(
            "restore_backup",
            str(backed_up),
            database=connection.settings_dict["NAME"],
            media=tmp_path / "m",
        )
