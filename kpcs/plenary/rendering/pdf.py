"""From a template to PDF bytes: the language's direction and fonts, the print stylesheet, the
fingerprint of everything that goes into the file, and a deterministic WeasyPrint run.

Every PDF is one self-contained HTML string (the stylesheet is inlined, there are no images or
remote resources), so the HTML alone decides the PDF: its sha256, with the renderer's and
WeasyPrint's versions, is the content fingerprint, and the same HTML gives the same bytes
(the PDF's dates come from the content, its identifier from the fingerprint).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import zlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, numberformat, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info

from kpcs.plenary.rendering.fonts import ensure_fonts, font_css

# Change when the layout changes in a way the templates' text does not show (e.g. code that
# builds the HTML), so that packs built before are rebuilt.
RENDERER_VERSION = "1"

PRINT_CSS = Path(__file__).resolve().parent.parent / "templates" / "plenary" / "pdf" / "print.css"

# A small SVG mark: a cut diamond in the KP's blue. No external image, no font.
KP_MARK = mark_safe(
    '<svg class="kp-mark" xmlns="http://www.w3.org/2000/svg" width="34" height="30" '
    'viewBox="0 0 34 30" role="img" aria-label="KP">'
    '<polygon points="7,1 27,1 33,10 17,29 1,10" fill="#1d4e89"/>'
    '<polyline points="1,10 33,10" stroke="#ffffff" stroke-width="1.2" fill="none"/>'
    '<polyline points="7,1 12,10 17,1 22,10 27,1" stroke="#ffffff" stroke-width="1" '
    'fill="none"/>'
    '<polyline points="12,10 17,29 22,10" stroke="#ffffff" stroke-width="1" fill="none"/>'
    "</svg>"
)


class SubjectNotFound(LookupError):
    """The document, meeting, release or visit a PDF is asked for does not exist."""


@functools.cache
def _print_css() -> str:
    return PRINT_CSS.read_text(encoding="utf-8")


def language_direction(language: str) -> str:
    return "rtl" if language in settings.LANGUAGES_BIDI else "ltr"


def language_name(language: str) -> str:
    """The language's own name for itself (français, العربيّة, 简体中文)."""
    return str(get_language_info(language)["name_local"])


def language_name_translated(language: str) -> str:
    """The language's name in the active language."""
    return str(get_language_info(language)["name_translated"])


def format_date(value: dt.date | None) -> str:
    """A date as the active language writes it (6 novembre 2026, 2026年11月6日)."""
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def format_number(value: Any, decimals: int = 0) -> str:
    """A number with the active language's separators, grouped in thousands even where the
    language's format sets no grouping or separator (Arabic, Chinese), as figures need ("" for
    None)."""
    if value is None:
        return ""
    return numberformat.format(
        value,
        formats.get_format("DECIMAL_SEPARATOR"),
        decimals,
        formats.get_format("NUMBER_GROUPING") or 3,
        formats.get_format("THOUSAND_SEPARATOR") or ",",
        force_grouping=True,
        use_l10n=True,
    )


def timestamp(value: dt.date | dt.datetime | None) -> str:
    """The W3C date WeasyPrint writes as the PDF's creation and modification date."""
    if value is None:
        value = dt.date(2000, 1, 1)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.strftime("%Y-%m-%dT00:00:00Z")


def base_context(language: str, *, title: str, dated: dt.date | dt.datetime | None) -> dict:
    """What every PDF template needs; call inside translation.override(language)."""
    languages = [code for code, _name in settings.LANGUAGES]
    if language not in languages:
        raise ValueError(f"PDFs are made in {', '.join(languages)}, not {language!r}")
    direction = language_direction(language)
    css = _print_css() + "\n/* fonts.py */\n" + font_css(languages)
    return {
        "language": language,
        "direction": direction,
        "language_name": language_name(language),
        "pdf_title": title,
        "pdf_date": timestamp(dated),
        "css": mark_safe(css),  # noqa: S308 - the project's own stylesheet
        "kp_mark": KP_MARK,
        "page_number": mark_safe('<span class="page-number"></span>'),
        "page_count": mark_safe('<span class="page-count"></span>'),
    }


def render_template(template: str, context: dict, language: str) -> SafeString:
    with translation.override(language):
        return SafeString(render_to_string(template, context))


def fingerprint_html(html: str, language: str) -> str:
    """sha256 of everything that decides the PDF: the HTML (texts, dates, stylesheet), the
    language, and the versions of this renderer and of WeasyPrint."""
    import weasyprint

    digest = hashlib.sha256()
    for part in (RENDERER_VERSION, weasyprint.__version__, language, html):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def html_to_pdf(html: str, language: str) -> bytes:
    """The PDF of a self-contained HTML string. Deterministic: the same HTML gives the same
    bytes (dates from the HTML's dcterms meta, identifier from the fingerprint)."""
    ensure_fonts(language)
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    identifier = fingerprint_html(html, language)[:32].encode("ascii")
    return HTML(string=html, base_url=str(PRINT_CSS.parent), url_fetcher=_no_fetching()).write_pdf(
        font_config=FontConfiguration(), pdf_identifier=identifier
    )


def _no_fetching() -> Any:
    """A URL fetcher that fetches nothing: a PDF is made of its HTML alone (no remote images,
    stylesheets or fonts, whatever a text might hold)."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # pragma: no cover - WeasyPrint before 66 fetches with a function

        def refuse(url: str, *args: Any, **kwargs: Any) -> Any:
            raise ValueError(f"PDFs fetch no resources: {url}")

        return refuse
    return URLFetcher(allowed_protocols=frozenset())


# A page tree node is a flat dictionary (its /Kids are references): << /Type /Pages … >>.
_FLAT_DICT = re.compile(rb"<<([^<>]*)>>")
_PAGES = re.compile(rb"/Type\s*/Pages\b")
_COUNT = re.compile(rb"/Count\s+(\d+)")
_STREAM = re.compile(rb"stream\r?\n")


def _page_counts(data: bytes) -> list[int]:
    counts = []
    for match in _FLAT_DICT.finditer(data):
        entries = match.group(1)
        if _PAGES.search(entries) and (count := _COUNT.search(entries)):
            counts.append(int(count.group(1)))
    return counts


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF (the count of its page tree's root), without a PDF
    library: the root is read in the file or in its compressed object streams."""
    counts = _page_counts(pdf)
    if not counts:
        for match in _STREAM.finditer(pdf):
            try:
                data = zlib.decompressobj().decompress(pdf[match.end() :])
            except zlib.error:
                continue
            counts.extend(_page_counts(data))
    if not counts:
        raise ValueError("not a PDF with a page tree")
    return max(counts)
