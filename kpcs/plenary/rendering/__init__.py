"""PDF rendering of plenary documents, meeting packs and reports, in every language (WeasyPrint).

The contract PACKS relies on:

- `render_document_pdf(document, language) -> bytes`
- `render_meeting_pdf(meeting, language, documents=None) -> bytes`
- `render_report_pdf(subject, key, language) -> bytes` for "statistics_summary" (key
  "YEAR/NUMBER" of a release), "review_report" (key: the visit's id) and "participant_list"
  (key "" for today, or "YYYY-MM-DD")
- `content_fingerprint(subject, key, language) -> str`: sha256 of everything that goes into
  that PDF; subjects as DocumentPack.Subject, with the document's or meeting's id as key
- `page_count(pdf_bytes) -> int`
- `render_html(subject, key, language) -> str`: the HTML WeasyPrint turns into the PDF

A subject that does not exist raises `SubjectNotFound`; a language whose script has no
installed font raises `FontsMissing` (never a PDF of boxes).
"""

from __future__ import annotations

from django.db.models import QuerySet

from kpcs.plenary.models import Document, DocumentPack, Meeting
from kpcs.plenary.rendering.documents import document_html, meeting_documents, meeting_html
from kpcs.plenary.rendering.fonts import FontsMissing
from kpcs.plenary.rendering.pdf import (
    RENDERER_VERSION,
    SubjectNotFound,
    fingerprint_html,
    html_to_pdf,
    page_count,
)
from kpcs.plenary.rendering.reports import REPORTS

__all__ = [
    "RENDERER_VERSION",
    "FontsMissing",
    "SubjectNotFound",
    "content_fingerprint",
    "meeting_documents",
    "page_count",
    "render_document_pdf",
    "render_html",
    "render_meeting_pdf",
    "render_report_pdf",
]

Subject = DocumentPack.Subject


def _object(model: type[Document] | type[Meeting], key: str) -> Document | Meeting:
    try:
        return model.objects.get(pk=int(key))
    except (ValueError, model.DoesNotExist):
        raise SubjectNotFound(f"no {model._meta.model_name} {key!r}") from None


def render_html(
    subject: str, key: str, language: str, *, documents: QuerySet[Document] | None = None
) -> str:
    """The self-contained HTML of the PDF of `subject` `key` in `language`."""
    if subject == Subject.DOCUMENT:
        document = _object(Document, key)
        assert isinstance(document, Document)
        return document_html(document, language)
    if subject == Subject.MEETING:
        meeting = _object(Meeting, key)
        assert isinstance(meeting, Meeting)
        return meeting_html(meeting, language, documents)
    if subject in REPORTS:
        return REPORTS[subject](key, language)
    raise SubjectNotFound(f"no PDF subject {subject!r}")


def content_fingerprint(
    subject: str, key: str, language: str, *, documents: QuerySet[Document] | None = None
) -> str:
    """sha256 of everything that goes into the PDF (texts, dates, names, the stylesheet and
    templates as rendered, the renderer's and WeasyPrint's versions): the same content gives
    the same fingerprint, another language another one."""
    return fingerprint_html(render_html(subject, key, language, documents=documents), language)


def render_document_pdf(document: Document, language: str) -> bytes:
    return html_to_pdf(document_html(document, language), language)


def render_meeting_pdf(
    meeting: Meeting, language: str, documents: QuerySet[Document] | None = None
) -> bytes:
    return html_to_pdf(meeting_html(meeting, language, documents), language)


def render_report_pdf(subject: str, key: str, language: str) -> bytes:
    if subject not in REPORTS:
        raise SubjectNotFound(f"no report {subject!r}")
    return html_to_pdf(REPORTS[subject](key, language), language)
