from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kpcs.common.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format) and the uploaded files into DIR, with a "
        "manifest of every table's row count and the files' checksums (docs/operations.md)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", required=True, type=Path, help="folder for the backup")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backup = backup_create(options["out"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for path in (backup.dump, backup.media, backup.manifest):
            self.stdout.write(str(path))
