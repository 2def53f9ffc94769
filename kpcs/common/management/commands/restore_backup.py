from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kpcs.common.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup (its manifest .json) into an existing, empty database on the "
        "configured server and its files into MEDIA_ROOT (or --media), then check that every "
        "table holds the rows the backup counted."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("manifest", type=Path, help="the backup's .json manifest")
        parser.add_argument("--database", required=True, help="the empty database to fill")
        parser.add_argument("--media", type=Path, default=None, help="where the files go")

    def handle(self, *args: Any, **options: Any) -> None:
        media = options["media"] or Path(settings.MEDIA_ROOT)
        try:
            counts = backup_restore(
                options["manifest"], database=options["database"], media_root=media
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {sum(counts.values())} rows in {len(counts)} tables into "
            f"{options['database']}, files into {media}: every count matches the backup."
        )
