"""The PDF of a plenary document in one language, and of a meeting's pack (a cover, the list of
its documents, then each document from a new page).

A document's language version is its `title_<lang>` and `body_<lang>` (modeltranslation; the
suffix of zh-hans is zh_hans). When that version is missing (no title, or no body where the
English has one), the English text is rendered under the language's own header, which says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from kpcs.plenary.models import Document, Meeting
from kpcs.plenary.rendering import pdf
from kpcs.plenary.rendering.body import Body, Table, display_width, parse_body

# A table of contents is given to documents with at least this many headings, or that are
# estimated to run longer than TOC_MIN_PAGES (and have a heading to list).
TOC_MIN_HEADINGS = 3
TOC_MIN_PAGES = 6
# About how many Latin-letter widths an A4 page of body text holds (10.5 pt Noto Sans, with
# the numbered paragraphs' indent and spacing); CJK ideographs count double
# (body.display_width). Measured on generated French, Russian and Chinese documents.
WIDTHS_PER_PAGE = 4000
# What one paragraph, heading or table row costs beyond its letters (spacing, a partial last
# line), in the same widths.
BLOCK_OVERHEAD = 110


@dataclass
class DocumentView:
    """Everything the PDF shows of one document in one language."""

    anchor: str
    symbol: str
    kind: str
    title: str
    body: Body
    toc: bool
    fallback: bool
    language_wanted: str
    content_language: str
    content_direction: str
    letterhead_lines: list[tuple[str, str, str]]
    date: dt.date


def _field(document: Document, name: str, language: str) -> str:
    return getattr(document, build_localized_fieldname(name, language), "") or ""


def language_version(document: Document, language: str) -> tuple[str, str, str]:
    """(title, body, language of the text): the language's version, or the English source when
    that version is missing."""
    title = _field(document, "title", language).strip()
    body = _field(document, "body", language)
    english_body = _field(document, "body", "en")
    if language == "en" or (title and (body.strip() or not english_body.strip())):
        return title or _field(document, "title", "en"), body, language
    return _field(document, "title", "en"), english_body, "en"


def estimated_pages(body: Body, title: str) -> float:
    """A rough length of the document in A4 pages, before it is laid out."""
    widths = display_width(title) + BLOCK_OVERHEAD * 3
    for block in body.blocks:
        if isinstance(block, Table):
            rows = [*([block.header] if block.header else []), *block.rows]
            widths += sum(BLOCK_OVERHEAD + display_width(" ".join(row)) for row in rows)
        else:
            widths += BLOCK_OVERHEAD + display_width(block.text)
    return widths / WIDTHS_PER_PAGE


def wants_toc(body: Body, title: str) -> bool:
    headings = len(body.headings)
    return headings >= TOC_MIN_HEADINGS or (
        headings > 0 and estimated_pages(body, title) > TOC_MIN_PAGES
    )


def _letterhead_lines(document: Document, language: str) -> list[tuple[str, str, str]]:
    lines = [
        ("", document.symbol, "symbol-line"),
        (_("Date"), pdf.format_date(document.date), ""),
        (_("Language"), pdf.language_name(language), ""),
        (_("Distribution"), capfirst(str(document.get_distribution_display())), ""),
    ]
    if document.status == Document.Status.DRAFT:
        lines.append(("", _("Draft"), "status-mark"))
    elif document.adopted_on:
        lines.append((_("Adopted on"), pdf.format_date(document.adopted_on), ""))
    if document.revision_of_id and document.revision_of is not None:
        label = (
            _("Corrigendum to")
            if document.revision_kind == Document.RevisionKind.CORRIGENDUM
            else _("Revision of")
        )
        lines.append((label, document.revision_of.symbol, ""))
    if document.superseded_by_id and document.superseded_by is not None:
        lines.append(
            (
                _("Superseded by"),
                f"{document.superseded_by.symbol} ({pdf.format_date(document.superseded_on)})",
                "status-mark",
            )
        )
    return lines


def document_view(document: Document, language: str, *, anchor: str = "doc") -> DocumentView:
    """The document in `language`; call inside translation.override(language)."""
    title, text, content_language = language_version(document, language)
    body = parse_body(text, anchor_prefix=f"{anchor}-")
    return DocumentView(
        anchor=anchor,
        symbol=document.symbol,
        kind=capfirst(str(document.get_kind_display())),
        title=title,
        body=body,
        toc=wants_toc(body, title),
        fallback=content_language != language,
        language_wanted=pdf.language_name_translated(language),
        content_language=content_language,
        content_direction=pdf.language_direction(content_language),
        letterhead_lines=_letterhead_lines(document, language),
        date=document.date,
    )


def document_html(document: Document, language: str) -> str:
    """The self-contained HTML of the document's PDF in `language`."""
    with translation.override(language):
        view = document_view(document, language)
        context: dict[str, Any] = pdf.base_context(
            language, title=f"{document.symbol} — {view.title}", dated=document.date
        )
        context["document"] = view
        return pdf.render_template("plenary/pdf/document.html", context, language)


def meeting_documents(meeting: Meeting) -> QuerySet[Document]:
    """The documents a meeting pack holds by default: the meeting's adopted and published
    documents, by symbol. Who may receive the pack is the caller's decision."""
    return (
        meeting.documents.filter(status__in=[Document.Status.ADOPTED, Document.Status.PUBLISHED])
        .select_related("revision_of", "superseded_by")
        .order_by("symbol")
    )


def _meeting_facts(meeting: Meeting, language: str) -> list[tuple[str, str]]:
    start, end = pdf.format_date(meeting.start_date), pdf.format_date(meeting.end_date)
    facts = [
        (_("Meeting"), capfirst(str(meeting.get_kind_display()))),
        (_("Dates"), start if start == end else f"{start} – {end}"),
    ]
    if meeting.venue:
        facts.append((_("Venue"), meeting.venue))
    if meeting.host_id and meeting.host is not None:
        facts.append((_("Host"), meeting.host.name))
    if meeting.working_body_id and meeting.working_body is not None:
        facts.append((_("Working body"), meeting.working_body.name))
    if meeting.chair:
        facts.append((_("Chair"), meeting.chair))
    facts.append((_("Language"), pdf.language_name(language)))
    return facts


def meeting_html(
    meeting: Meeting, language: str, documents: QuerySet[Document] | None = None
) -> str:
    """The self-contained HTML of a meeting's pack in `language`: the given documents (by
    default `meeting_documents(meeting)`), each from a new page."""
    if documents is None:
        documents = meeting_documents(meeting)
    else:
        documents = documents.select_related("revision_of", "superseded_by")
    with translation.override(language):
        views = [
            document_view(document, language, anchor=f"doc{index}")
            for index, document in enumerate(documents, start=1)
        ]
        title = str(meeting.title)
        context: dict[str, Any] = pdf.base_context(language, title=title, dated=meeting.start_date)
        context.update(
            {
                "meeting_title": title,
                "cover_lines": [("", capfirst(str(meeting.get_kind_display())), "symbol-line")],
                "facts": _meeting_facts(meeting, language),
                "documents": views,
            }
        )
        return pdf.render_template("plenary/pdf/meeting.html", context, language)
