"""Checks for uploaded documents (evidence, reports): the type is read from the content, never
from the name or the browser's claim, and the name is sanitised before it is kept.

Files are stored under MEDIA_ROOT, which is never served; they are sent back through views that
check who may see them (`document_response`).
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# Each kind maps to (label shown to users, file extension we store it under).
PDF = "pdf"
PNG = "png"
JPEG = "jpeg"
GIF = "gif"
WEBP = "webp"
DOCX = "docx"
XLSX = "xlsx"
PPTX = "pptx"
ODT = "odt"
ODS = "ods"
DOC = "doc"  # the legacy OLE compound formats: .doc, .xls, .ppt share one signature
TIFF = "tiff"

CONTENT_TYPES = {
    PDF: "application/pdf",
    PNG: "image/png",
    JPEG: "image/jpeg",
    GIF: "image/gif",
    WEBP: "image/webp",
    TIFF: "image/tiff",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ODT: "application/vnd.oasis.opendocument.text",
    ODS: "application/vnd.oasis.opendocument.spreadsheet",
    DOC: "application/octet-stream",
}

EVIDENCE_KINDS = frozenset(CONTENT_TYPES)
REPORT_KINDS = frozenset({PDF, DOCX, ODT, DOC})

_OOXML = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_ODF = {
    b"application/vnd.oasis.opendocument.text": ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": ODS,
}
# A zip whose members would unpack to more than this is refused (a zip bomb named .docx).
_MAX_UNPACKED = 200 * 1024 * 1024


@dataclass(frozen=True)
class CheckedUpload:
    kind: str
    content_type: str
    size: int
    name: str


# A spreadsheet's XML packs about 10 to 15 times smaller (measured on openpyxl workbooks of
# 100,000 statistics rows); a ZIP bomb packs about 1,000 times. Importers that unpack a
# workbook refuse one that would unpack to more than this many times its size (and more than
# the floor, so that small workbooks with much repeated text still pass).
UNPACK_RATIO = 50
UNPACK_FLOOR = 50 * 1024 * 1024


class ZipBombError(Exception):
    """The archive would unpack to far more than any real document of its size."""

    def __init__(self, *, unpacked: int, limit: int) -> None:
        super().__init__(f"unpacks to {unpacked} bytes, more than {limit}")
        self.unpacked = unpacked
        self.limit = limit


def zip_unpacked_check(handle: IO[bytes], *, size: int | None = None) -> None:
    """Raise ZipBombError when the ZIP archive in `handle` (a workbook, an office document)
    would unpack to more than UNPACK_RATIO times its size and more than UNPACK_FLOOR: read
    from the sizes its directory declares (zipfile refuses, while unpacking, a member larger
    than declared). Anything that is not a readable ZIP is left to the caller's own check."""
    position = handle.tell()
    try:
        if size is None:
            size = handle.seek(0, 2)
        handle.seek(0)
        with zipfile.ZipFile(handle) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    finally:
        handle.seek(position)
    limit = max(UNPACK_FLOOR, UNPACK_RATIO * size)
    if unpacked > limit:
        raise ZipBombError(unpacked=unpacked, limit=limit)


def zip_bomb_text(name: str, error: ZipBombError) -> str:
    """What to tell the person who sent a ZIP bomb (or a damaged archive claiming as much)."""
    return _(
        "%(name)s would unpack to %(size)s MB, far more than any real document of its size; "
        "it is refused (a damaged file or a ZIP bomb). Save the document again and send that."
    ) % {"name": name, "size": f"{error.unpacked / 1024 / 1024:,.0f}"}


def _sniff_zip(handle: IO[bytes]) -> str | None:
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > _MAX_UNPACKED:
                raise ZipBombError(
                    unpacked=sum(info.file_size for info in infos), limit=_MAX_UNPACKED
                )
            names = [info.filename for info in infos]
            if "mimetype" in names:
                return _ODF.get(archive.read("mimetype").strip())
            if "[Content_Types].xml" in names:
                for prefix, kind in _OOXML.items():
                    if any(name.startswith(prefix) for name in names):
                        return kind
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    return None


def sniff(handle: IO[bytes]) -> str | None:
    """The kind of document the bytes hold, or None when it is none we accept; ZipBombError
    for a ZIP archive that would unpack to more than any document we keep."""
    handle.seek(0)
    head = handle.read(16)
    handle.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return DOC
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(handle)
    return None


def safe_filename(name: str, *, kind: str | None = None) -> str:
    """A name safe to keep and to send in Content-Disposition: no folders, no control
    characters, at most 120 characters, and the extension of the kind actually found."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem, dot, _ext = base.rpartition(".")
    if not dot:
        stem, _ext = base, ""
    stem = re.sub(r"[^\w\- .()]+", "_", stem).strip(" ._") or "document"
    if kind == JPEG:
        extension = "jpg"
    elif kind == DOC:
        extension = _ext.lower() if _ext.lower() in {"doc", "xls", "ppt"} else "doc"
    else:
        extension = kind or re.sub(r"[^a-z0-9]", "", _ext.lower())[:8]
    return f"{stem[:110]}.{extension}" if extension else stem[:120]


def check_document(
    upload: Any, *, kinds: frozenset[str] = EVIDENCE_KINDS, max_bytes: int = DEFAULT_MAX_BYTES
) -> CheckedUpload:
    """Raise a ValidationError naming the file and what is wrong with it, or return what it
    is. Used by forms and the API alike."""
    name = getattr(upload, "name", "") or "file"
    size = getattr(upload, "size", None) or 0
    if size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("%(name)s is %(size)s MB; files may be at most %(limit)s MB.")
            % {
                "name": name,
                "size": f"{size / 1024 / 1024:.1f}",
                "limit": max_bytes // (1024 * 1024),
            },
            code="too_large",
        )
    try:
        kind = sniff(upload)
    except ZipBombError as exc:
        raise ValidationError(zip_bomb_text(name, exc), code="zip_bomb") from exc
    if kind is None or kind not in kinds:
        raise ValidationError(
            _(
                "%(name)s is not a file type we accept (the content was checked, not the "
                "name). Send %(kinds)s."
            )
            % {"name": name, "kinds": describe_kinds(kinds)},
            code="file_type",
        )
    return CheckedUpload(
        kind=kind, content_type=CONTENT_TYPES[kind], size=size, name=safe_filename(name, kind=kind)
    )


def describe_kinds(kinds: frozenset[str]) -> str:
    labels = []
    if PDF in kinds:
        labels.append("PDF")
    if kinds & {PNG, JPEG, GIF, WEBP, TIFF}:
        labels.append(_("images (PNG, JPEG, GIF, WebP, TIFF)"))
    if kinds & {DOCX, XLSX, PPTX, ODT, ODS, DOC}:
        labels.append(_("office documents (Word, Excel, PowerPoint, OpenDocument)"))
    return ", ".join(labels)


def document_response(file: Any, *, name: str, content_type: str = "") -> FileResponse:
    """Send a stored document as a download, never rendered inline by the browser (an SVG or
    HTML file could otherwise run script on our origin)."""
    handle = file.open("rb")
    guessed = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=guessed, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
