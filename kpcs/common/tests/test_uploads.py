"""Uploaded documents are recognised by their content, not their name, and their names are
made safe before they are kept."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kpcs.common import uploads


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n...", uploads.PDF),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, uploads.PNG),
        (b"\xff\xd8\xff\xe0" + b"\0" * 20, uploads.JPEG),
        (b"GIF89a" + b"\0" * 20, uploads.GIF),
        (b"RIFF\0\0\0\0WEBPVP8 ", uploads.WEBP),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 20, uploads.DOC),
        (DOCX, uploads.DOCX),
        (XLSX, uploads.XLSX),
        (ODT, uploads.ODT),
    ],
)
def test_documents_are_recognised_by_their_content(content: bytes, kind: str) -> None:
    checked = uploads.check_document(SimpleUploadedFile("whatever.bin", content))
    assert checked.kind == kind
    assert checked.content_type == uploads.CONTENT_TYPES[kind]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"<html><script>alert(1)</script></html>"),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("notes.docx", _zip({"readme.txt": b"not an office document"})),
        ("broken.docx", b"PK\x03\x04 truncated"),
        ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
    ],
)
def test_a_file_named_as_a_document_but_holding_something_else_is_refused(
    name: str, content: bytes
) -> None:
    with pytest.raises(ValidationError) as refused:
        uploads.check_document(SimpleUploadedFile(name, content))
    assert refused.value.code == "file_type"
    assert name in refused.value.messages[0]


def test_an_oversized_file_is_refused_with_its_size_and_the_limit() -> None:
    upload = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2048)
    with pytest.raises(ValidationError) as refused:
        uploads.check_document(upload, max_bytes=1024)
    assert refused.value.code == "too_large"
    assert "big.pdf" in refused.value.messages[0]


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        uploads.check_document(SimpleUploadedFile("empty.pdf", b""))
    assert refused.value.code == "empty"


def test_a_kind_outside_the_allowed_ones_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        uploads.check_document(
            SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20),
            kinds=uploads.REPORT_KINDS,
        )
    assert refused.value.code == "file_type"


def test_a_zip_that_would_unpack_beyond_the_limit_is_not_taken_for_an_office_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(uploads, "_MAX_UNPACKED", 10)
    with pytest.raises(ValidationError):
        uploads.check_document(SimpleUploadedFile("bomb.docx", DOCX))


@pytest.mark.parametrize(
    ("name", "kind", "safe"),
    [
        ("../../etc/passwd.pdf", uploads.PDF, "passwd.pdf"),
        ("C:\\Users\\me\\report 2025.PDF", uploads.PDF, "report 2025.pdf"),
        ("photo.png", uploads.JPEG, "photo.jpg"),
        ("evil\x00name<script>.pdf", uploads.PDF, "evilname_script.pdf"),
        ("rapport annuel été.docx", uploads.DOCX, "rapport annuel été.docx"),
        ("tableau.xls", uploads.DOC, "tableau.xls"),
        (".pdf", uploads.PDF, "document.pdf"),
    ],
)
def test_names_lose_folders_and_unsafe_characters_and_take_the_real_extension(
    name: str, kind: str, safe: str
) -> None:
    assert uploads.safe_filename(name, kind=kind) == safe


def test_a_long_name_is_shortened() -> None:
    assert len(uploads.safe_filename("a" * 500 + ".pdf", kind=uploads.PDF)) <= 120


def test_a_stored_document_is_sent_as_a_download_never_inline(tmp_path) -> None:
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path)
    stored = storage.save("evidence.pdf", io.BytesIO(b"%PDF-1.7"))
    response = uploads.document_response(
        storage.open(stored), name="evidence.pdf", content_type="application/pdf"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.7"
