from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from kpcs.participants.services import REFERENCE_DATA_DIR, reference_data_load


class Command(BaseCommand):
    help = (
        "Load the KP reference data (countries, participants, status events, observers, "
        "working bodies, chairmanships). Safe to re-run: existing rows are left alone "
        "unless --update is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--directory",
            type=Path,
            default=REFERENCE_DATA_DIR,
            help="folder with the reference CSV files",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="bring existing rows back to the files' values (audited)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder.")
        try:
            with translation.override("en"):
                report = reference_data_load(directory=directory, update=options["update"])
        except (FileNotFoundError, KeyError, ValueError) as exc:
            raise CommandError(f"The reference data could not be loaded: {exc}") from exc
        self.stdout.write(report.summary())
