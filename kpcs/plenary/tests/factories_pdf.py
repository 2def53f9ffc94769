"""Test helpers for the PDF rendering (helper PDF): a document with real sentences in the six
languages, and readers of what a PDF holds (text, fonts, where a text run starts) via pypdf."""

from __future__ import annotations

import io
from typing import Any, cast

from pypdf import PdfReader

from kpcs.plenary.models import Document
from kpcs.plenary.tests.factories import DocumentFactory

# (title, body, a word of that language that must be found in its PDF)
SIX_LANGUAGES: dict[str, tuple[str, str, str]] = {
    "en": (
        "Administrative decision on statistics",
        "# General provisions\n\n"
        "The Plenary decides to adopt the administrative decision on statistics.\n\n"
        "Participants shall submit their figures before the first of April.",
        "Plenary",
    ),
    "fr": (
        "Décision administrative relative aux statistiques",
        "# Dispositions générales\n\n"
        "La Plénière décide d'adopter la décision administrative relative aux statistiques.\n\n"
        "Les participants communiquent leurs chiffres avant le premier avril.",
        "Plénière",
    ),
    "es": (
        "Decisión administrativa sobre las estadísticas",
        "# Disposiciones generales\n\n"
        "El Pleno decide aprobar la decisión administrativa sobre las estadísticas.\n\n"
        "Los participantes presentarán sus cifras antes del primero de abril.",
        "estadísticas",
    ),
    "ru": (
        "Административное решение о статистике",
        "# Общие положения\n\n"
        "Пленарное заседание постановляет принять административное решение о статистике.\n\n"
        "Участники представляют свои данные до первого апреля.",
        "Пленарное",
    ),
    "zh-hans": (
        "关于统计数据的行政决定",
        "# 总则\n\n全体会议决定通过关于统计数据的行政决定。\n\n各参与方应在四月一日之前提交数据。",
        "全体会议",
    ),
    "ar": (
        "قرار إداري بشأن الإحصاءات",
        "# أحكام عامة\n\n"
        "يقرر الاجتماع العام اعتماد القرار الإداري المتعلق بالإحصاءات.\n\n"
        "يقدم المشاركون أرقامهم قبل الأول من نيسان.",
        "الإحصاءات",
    ),
}


def six_language_document(**kwargs: Any) -> Document:
    title, body, _word = SIX_LANGUAGES["en"]
    kwargs.setdefault("status", Document.Status.ADOPTED)
    document = DocumentFactory(
        title_en=title,
        body_en=body,
        translated={
            language: (title, body)
            for language, (title, body, _word) in SIX_LANGUAGES.items()
            if language != "en"
        },
        **kwargs,
    )
    return cast(Document, document)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Each font the pages use (its PostScript name) → whether its program is embedded."""
    fonts: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"]
        for reference in resources["/Font"].values():
            font = reference.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            fonts[str(font["/BaseFont"])] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    return fonts


def text_runs(pdf: bytes, page: int = 0) -> list[tuple[str, float]]:
    """(text, x where the run starts in points) for each text run of a page."""
    reader = PdfReader(io.BytesIO(pdf))
    runs: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_args: Any) -> None:
        if text.strip():
            runs.append((text.strip(), cm[4] + tm[4] * cm[0]))

    reader.pages[page].extract_text(visitor_text=visit)
    return runs


def page_width(pdf: bytes) -> float:
    return float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width)
