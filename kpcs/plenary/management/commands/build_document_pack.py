"""`manage.py build_document_pack SYMBOL --out DIR [--languages en,fr,…]`: render a document's
PDF in each language here and now (no Celery, for scripts and operators), write
DIR/<language>.pdf and print the paths, one per line. Scripts call it by this name."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from kpcs.plenary.models import Document
from kpcs.plenary.services.packs import document_pdfs_render, pack_languages


class Command(BaseCommand):
    help = (
        "Build the PDF of the document SYMBOL in each language (default: the languages "
        "documents are issued in, KPCS_DOCUMENT_LANGUAGES), synchronously, and write them to "
        "DIR/<language>.pdf (DIR is created if missing). Prints the paths written. Every "
        "language is rendered before any file is written: a failure writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("symbol", help="The document's symbol, e.g. “KP/2026/Plenary/1”.")
        parser.add_argument("--out", required=True, help="The folder to write the PDFs to.")
        parser.add_argument(
            "--languages",
            default="",
            help="Comma-separated language codes, e.g. en,fr,es,ru,zh-hans,ar.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            self._build(options["symbol"], options["out"], options["languages"])

    def _build(self, symbol: str, out: str, languages_text: str) -> None:
        document = Document.objects.filter(symbol=symbol.strip()).first()
        if document is None:
            raise CommandError(f"No document has the symbol “{symbol}”.")
        requested = [part.strip() for part in languages_text.split(",") if part.strip()]
        try:
            languages = pack_languages(requested or None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        pdfs: list[tuple[str, bytes]] = []
        for language in languages:
            try:
                pdfs.extend(document_pdfs_render(document=document, languages=[language]))
            except Exception as exc:
                raise CommandError(
                    f"The {language} PDF of “{symbol}” could not be built: {exc}. "
                    "Nothing was written."
                ) from exc
        folder = Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"Cannot create the folder {folder}: {exc.strerror}.") from exc
        for language, pdf in pdfs:
            path = folder / f"{language}.pdf"
            _write_atomically(path, pdf)
            self.stdout.write(str(path))


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target, then rename over it: a reader never sees half a PDF."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
