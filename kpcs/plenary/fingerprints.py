"""The fingerprint of a document's source text (English title and body): a translation records
the fingerprint it was made from; when the source's fingerprint changes (and the change was not
marked minor) the translation is outdated."""

from __future__ import annotations

import hashlib
import unicodedata


def source_fingerprint(title: str, body: str) -> str:
    """sha256 of the normalised English title and body (line endings and Unicode forms do not
    count as changes)."""
    normal = "\n".join(
        unicodedata.normalize("NFC", part or "").replace("\r\n", "\n").strip()
        for part in (title, body)
    )
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()
