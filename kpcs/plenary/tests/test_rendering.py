"""PDFs of plenary documents and meeting packs (WeasyPrint): every language's text in its PDF
(Arabic and Chinese included) in embedded fonts, right-to-left Arabic, numbered paragraphs,
tables of contents, escaped text, page numbers, deterministic bytes and fingerprints.

Each render takes WeasyPrint a fraction of a second to a second: tests render only what they
check."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from kpcs.plenary.models import Document
from kpcs.plenary.rendering import (
    FontsMissing,
    SubjectNotFound,
    content_fingerprint,
    page_count,
    render_document_pdf,
    render_html,
    render_meeting_pdf,
)
from kpcs.plenary.rendering import fonts as rendering_fonts
from kpcs.plenary.tests.factories import DocumentFactory, MeetingFactory
from kpcs.plenary.tests.factories_pdf import (
    SIX_LANGUAGES,
    embedded_fonts,
    page_texts,
    page_width,
    pdf_text,
    six_language_document,
    text_runs,
)

pytestmark = pytest.mark.django_db

# The script's own font each language must be set in (PostScript names have a subset tag).
SCRIPT_FONT = {"ar": "Noto-Naskh-Arabic", "zh-hans": "Noto-Sans-CJK-SC"}


@pytest.mark.parametrize("language", list(SIX_LANGUAGES))
def test_document_pdf_holds_the_languages_text_in_embedded_fonts(language):
    document = six_language_document()
    title, _body, word = SIX_LANGUAGES[language]

    pdf = render_document_pdf(document, language)

    text = pdf_text(pdf)
    # pypdf gives Arabic in reading order; spaces between shaped runs may differ.
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", word) in flat
    assert re.sub(r"\s+", "", title) in flat
    assert document.symbol in text
    fonts = embedded_fonts(pdf)
    assert fonts and all(fonts.values()), fonts
    if language in SCRIPT_FONT:
        assert any(SCRIPT_FONT[language] in name for name in fonts), fonts
    # Paragraphs are numbered (an Arabic line shows "1." as ".1").
    assert re.search(r"(^|\s)(1\.|\.1)(\s|$)", text, re.M)
    assert re.search(r"(^|\s)(2\.|\.2)(\s|$)", text, re.M)


def test_arabic_document_is_laid_out_right_to_left():
    document = six_language_document()

    html = render_html("document", str(document.pk), "ar")
    pdf = render_document_pdf(document, "ar")

    assert '<html lang="ar" dir="rtl">' in html
    middle = page_width(pdf) / 2
    numbers = [x for text, x in text_runs(pdf) if text in (".1", "1.")]
    assert numbers and all(x > middle for x in numbers)
    english_numbers = [
        x for text, x in text_runs(render_document_pdf(document, "fr")) if text == "1."
    ]
    assert english_numbers and all(x < middle for x in english_numbers)


def test_page_numbers_say_page_x_of_y():
    document = DocumentFactory(body_en="\n\n".join(["A paragraph of the decision."] * 90))

    pdf = render_document_pdf(document, "en")

    pages = page_texts(pdf)
    assert len(pages) == page_count(pdf) >= 2
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_long_document_gets_a_table_of_contents_with_page_numbers():
    sections = "\n\n".join(
        f"# Section {n}\n\n" + "\n\n".join([f"Paragraph of section {n}, with its text."] * 25)
        for n in range(1, 5)
    )
    document = DocumentFactory(body_en=sections)

    pdf = render_document_pdf(document, "en")

    first = page_texts(pdf)[0]
    assert "Contents" in first
    # Each heading is listed with the page it starts on (dot leaders, then the number).
    listed = dict(re.findall(r"(Section \d)\s*\.+\s*(\d+)", first))
    assert listed["Section 1"] == "1"
    assert int(listed["Section 4"]) > 1


def test_short_document_with_few_headings_has_no_table_of_contents():
    document = DocumentFactory(body_en="# Only heading\n\nOne paragraph.")

    assert "Contents" not in render_html("document", str(document.pk), "en")


def test_html_in_the_body_is_shown_as_text():
    document = DocumentFactory(
        title_en="Decision <i>on</i> markup",
        body_en='<script>alert("x")</script>\n\n<b>Bold</b> & more',
    )

    html = render_html("document", str(document.pk), "en")
    text = pdf_text(render_document_pdf(document, "en"))

    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<script>alert("x")</script>' in text
    assert "<b>Bold</b> & more" in text
    assert "Decision <i>on</i> markup" in text


def test_a_missing_language_version_renders_english_and_says_so():
    document = DocumentFactory(
        title_en="Communiqué of the Plenary", body_en="The Plenary met in Gaborone."
    )

    html = render_html("document", str(document.pk), "ru")

    assert '<html lang="ru"' in html
    assert "The Plenary met in Gaborone." in html
    assert 'class="doc-content" lang="en" dir="ltr"' in html
    assert 'class="note"' in html


def test_the_date_is_written_the_way_the_language_writes_it():
    document = six_language_document()

    french = render_html("document", str(document.pk), "fr")
    chinese = render_html("document", str(document.pk), "zh-hans")

    assert "6 novembre 2026" in french
    assert "2026年11月6日" in chinese


def test_rendering_twice_gives_the_same_bytes_and_fingerprint():
    document = six_language_document()
    key = str(document.pk)

    first, second = render_document_pdf(document, "fr"), render_document_pdf(document, "fr")

    assert first == second
    assert content_fingerprint("document", key, "fr") == content_fingerprint("document", key, "fr")
    assert content_fingerprint("document", key, "fr") != content_fingerprint("document", key, "es")
    reader = PdfReader(io.BytesIO(first))
    assert reader.metadata is not None
    assert reader.metadata["/CreationDate"].startswith("D:20261106")


def test_fingerprint_changes_with_the_text_and_not_otherwise():
    document = six_language_document()
    key = str(document.pk)
    before = content_fingerprint("document", key, "fr")
    english_before = content_fingerprint("document", key, "en")

    Document.objects.filter(pk=document.pk).update(body_fr="Un autre texte.")

    assert content_fingerprint("document", key, "fr") != before
    assert content_fingerprint("document", key, "en") == english_before


def test_meeting_pack_has_a_cover_contents_and_each_document_from_a_new_page():
    meeting = MeetingFactory(title="Plenary meeting 2026", venue="Gaborone", chair="Botswana")
    decision = six_language_document(meeting=meeting, symbol="KP/2026/Plenary/AD 1")
    communique = DocumentFactory(
        meeting=meeting,
        symbol="KP/2026/Plenary/Communiqué",
        status=Document.Status.PUBLISHED,
        body_en="The Plenary met.\n\nIt closed.",
    )
    DocumentFactory(meeting=meeting, symbol="KP/2026/Plenary/Draft", status="draft")

    pdf = render_meeting_pdf(meeting, "en")

    pages = page_texts(pdf)
    assert len(pages) == 3
    cover = pages[0]
    assert "Plenary meeting 2026" in cover and "Gaborone" in cover and "Botswana" in cover
    # The contents list each adopted or published document with its first page.
    assert re.search(r"KP/2026/Plenary/AD 1.*?\.+\s*2", cover, re.S)
    assert re.search(r"KP/2026/Plenary/Communiqué.*?\.+\s*3", cover, re.S)
    assert "KP/2026/Plenary/Draft" not in pdf_text(pdf)
    assert decision.title_en in pages[1]
    assert "The Plenary met." in pages[2]
    assert communique.symbol in pages[2]


def test_meeting_pack_in_arabic_holds_the_arabic_texts():
    meeting = MeetingFactory()
    six_language_document(meeting=meeting)

    pdf = render_meeting_pdf(meeting, "ar")

    assert re.sub(r"\s+", "", SIX_LANGUAGES["ar"][0]) in re.sub(r"\s+", "", pdf_text(pdf))


def test_unknown_subjects_are_refused():
    with pytest.raises(SubjectNotFound):
        render_html("document", "999999", "en")
    with pytest.raises(SubjectNotFound):
        render_html("meeting", "not-an-id", "en")
    with pytest.raises(SubjectNotFound):
        content_fingerprint("minutes", "", "en")
    with pytest.raises(ValueError, match="not 'de'"):
        render_html("document", str(DocumentFactory().pk), "de")


def test_a_language_without_its_script_font_is_refused_not_drawn_as_boxes(monkeypatch):
    document = six_language_document()
    monkeypatch.setattr(rendering_fonts, "installed_families", lambda: frozenset({"Noto Sans"}))

    with pytest.raises(FontsMissing):
        render_document_pdf(document, "zh-hans")
