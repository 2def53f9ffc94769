"""What `import_certificates` and `import_confirmations` share: read a file, import it as
the secretariat, and report every bad row on stderr (exit status 1) or the counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kpcs.certificates.importing import DEFAULT_CHUNK_SIZE
from kpcs.certificates.validation import CertificateValidationError


class ImportCommand(BaseCommand):
    read: Callable[[Path, str], Iterator[dict[str, Any]]]
    run: Callable[..., Any]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the .csv or .xlsx file")
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=DEFAULT_CHUNK_SIZE,
            help="rows checked and written at a time (memory use grows with it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if options["chunk_size"] < 1:
            raise CommandError(_("--chunk-size must be at least 1."))
        try:
            # The secretariat's load: any participant, no user is the actor.
            report = type(self).run(
                rows=type(self).read(path, path.name),
                actor=None,
                participant=None,
                chunk_size=options["chunk_size"],
            )
        except CertificateValidationError as exc:
            for finding in exc.findings:
                self.stderr.write(finding.located)
            raise CommandError(
                ngettext(
                    "%(name)s was refused (%(count)d problem); nothing was stored.",
                    "%(name)s was refused (%(count)d problems); nothing was stored.",
                    exc.total,
                )
                % {"name": path.name, "count": exc.total}
            ) from exc
        self.stdout.write(report.summary())
