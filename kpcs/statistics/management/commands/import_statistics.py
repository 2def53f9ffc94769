"""`manage.py import_statistics PATH [--publish] [--note TEXT]`: the secretariat's import of
past years' statistics. Scripts outside the project call it by this name and flag."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kpcs.statistics.importing import statistics_file_read, statistics_import
from kpcs.statistics.validation import StatisticsRejected


class Command(BaseCommand):
    help = (
        "Import historical statistics from a CSV or XLSX file in the FORMATS.md §1 columns "
        "(participant, year, period, flow, partner, hs_code, carats, value_usd, certificates) "
        "as accepted submissions. The whole file or nothing: on any error every bad row is "
        "listed and nothing is stored. Re-importing the same file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the .csv or .xlsx file")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish a release for each year the file changed (or that has none yet)",
        )
        parser.add_argument(
            "--note", default="", help="what the import is, for the transitions and releases"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        if not path.is_file():
            raise CommandError(_("%(path)s is a folder, not a file.") % {"path": path})
        try:
            rows = statistics_file_read(path, path.name)
            # The system imports: no user is the actor.
            report = statistics_import(
                rows=rows, actor=None, publish=options["publish"], note=options["note"]
            )
        except StatisticsRejected as exc:
            errors = exc.errors
            for finding in errors:
                self.stderr.write(finding.message)
            raise CommandError(
                ngettext(
                    "%(name)s was refused (%(count)d error); nothing was stored.",
                    "%(name)s was refused (%(count)d errors); nothing was stored.",
                    len(errors),
                )
                % {"name": path.name, "count": len(errors)}
            ) from exc
        for finding in report.warnings:
            self.stdout.write(_("Warning: %(message)s") % {"message": finding.message})
        self.stdout.write(report.summary())
