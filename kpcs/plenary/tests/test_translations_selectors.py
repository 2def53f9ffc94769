"""The translation selectors: the state of each language (from the fingerprint each
translation was made from), the required languages publication waits for, the languages
available, a meeting's matrix and counts, and the diff of the source since a translation."""

from __future__ import annotations

import pytest
from django.test import override_settings

from kpcs.plenary.models import Document, DocumentTranslation
from kpcs.plenary.selectors.translations import (
    available_languages,
    body_blocks,
    language_matrix,
    meeting_counts,
    meeting_matrix,
    required_languages_final,
    source_diff,
    text_diff,
)
from kpcs.plenary.services.translations import source_edit, translation_save
from kpcs.plenary.tests.factories import DocumentFactory
from kpcs.plenary.tests.factories_translations import (
    SOURCE_BODY,
    TranslationWorld,
    translated_document,
    translation_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> TranslationWorld:
    return translation_world()


def _record(document: Document, language: str, status: str, fingerprint: str | None = None):
    return DocumentTranslation.objects.create(
        document=document,
        language=language,
        status=status,
        source_fingerprint=fingerprint or document.source_fingerprint,
    )


# --- States ------------------------------------------------------------------------------------


def test_every_un_language_has_a_state_and_english_is_the_source(world) -> None:
    matrix = language_matrix(world.document)

    assert list(matrix) == ["en", "fr", "es", "ru", "zh-hans", "ar"]
    assert matrix == {
        "en": "source",
        "fr": "final",
        "es": "missing",
        "ru": "missing",
        "zh-hans": "missing",
        "ar": "final",
    }


def test_the_states_follow_the_fingerprint_each_translation_was_made_from() -> None:
    document = DocumentFactory(
        title_fr="Titre",
        title_es="Título",
        title_ru="Заголовок",
        title_zh_hans="标题",
    )
    _record(document, "fr", "draft")
    _record(document, "es", "final", fingerprint="0" * 64)
    _record(document, "ru", "draft", fingerprint="0" * 64)
    _record(document, "ar", "final")  # a record without an Arabic title

    matrix = language_matrix(document)

    assert matrix["fr"] == "draft"
    assert matrix["es"] == "outdated"  # final, but made from another source
    assert matrix["ru"] == "outdated"  # a draft is outdated too
    assert matrix["zh-hans"] == "missing"  # a title but no translation record
    assert matrix["ar"] == "missing"  # a record but no title


def test_required_languages_not_final_by_default(world) -> None:
    assert required_languages_final(world.document) == ["es", "ru", "zh-hans"]


@override_settings(KPCS_DOCUMENT_LANGUAGES=["en", "fr", "ar"])
def test_required_languages_follow_the_setting(world) -> None:
    assert required_languages_final(world.document) == []
    assert required_languages_final(world.untranslated) == ["fr", "ar"]

    source_edit(
        document=world.document,
        title=world.document.title_en,
        body=SOURCE_BODY + "\n\nAnother paragraph.",
        actor=world.secretariat,
    )

    assert required_languages_final(world.document) == ["fr", "ar"]


@override_settings(KPCS_DOCUMENT_LANGUAGES=["en", "fr"])
def test_a_draft_does_not_count_as_final_and_english_counts_when_its_title_is_set(world) -> None:
    translation_save(
        document=world.document,
        language="fr",
        title="Titre",
        body="Corps",
        status="draft",
        actor=world.secretariat,
    )
    assert required_languages_final(world.document) == ["fr"]

    Document.objects.filter(pk=world.document.pk).update(title_en="")

    assert required_languages_final(world.document) == ["en", "fr"]


def test_available_languages_are_english_and_the_final_current_ones(world) -> None:
    assert available_languages(world.document) == ["en", "fr", "ar"]

    source_edit(
        document=world.document, title="A new title", body=SOURCE_BODY, actor=world.secretariat
    )

    assert available_languages(world.document) == ["en"]


# --- A meeting ---------------------------------------------------------------------------------


def test_the_meeting_matrix_has_a_row_per_document_with_every_language(world) -> None:
    rows = meeting_matrix(world.meeting)

    assert {row.document for row in rows} == {world.document, world.untranslated}
    by_document = {row.document.pk: row for row in rows}
    assert by_document[world.document.pk].states["fr"] == "final"
    assert by_document[world.untranslated.pk].states["fr"] == "missing"
    cell = by_document[world.document.pk].cells[1]
    assert (cell.language, cell.required, cell.translation.status) == ("fr", True, "final")
    assert by_document[world.document.pk].cells[-1].required is False  # Arabic, by default


def test_the_meeting_counts_each_state_per_language(world) -> None:
    translation_save(
        document=world.untranslated,
        language="fr",
        title="Titre",
        body="Corps",
        status="draft",
        actor=world.secretariat,
    )
    other = translated_document(meeting=world.meeting)
    source_edit(document=other, title="Changed", body=SOURCE_BODY, actor=world.secretariat)

    counts = {count.language: count.counts for count in meeting_counts(world.meeting)}

    assert counts["en"] == {"source": 3}
    assert counts["fr"] == {"final": 1, "draft": 1, "outdated": 1, "missing": 0}
    assert counts["es"] == {"final": 0, "draft": 0, "outdated": 0, "missing": 3}


def test_the_meeting_matrix_takes_the_same_queries_for_many_documents(
    world, django_assert_max_num_queries
) -> None:
    for _ in range(6):
        translation_save(
            document=translated_document(meeting=world.meeting),
            language="es",
            title="Título",
            body="Texto",
            status="draft",
            actor=world.secretariat,
        )

    with django_assert_max_num_queries(3):
        rows = meeting_matrix(world.meeting)
        assert len(rows) == 8
        # Who saved each translation comes with the rows.
        savers = {str(c.translation.updated_by) for r in rows for c in r.cells if c.translation}
        assert savers == {"None", "tr-secretariat"}


# --- The diff of the source --------------------------------------------------------------------


def test_the_diff_shows_what_changed_in_the_source_since_the_translation(world) -> None:
    source_edit(
        document=world.document,
        title="Administrative decision on statistics and trade",
        body=SOURCE_BODY.replace("every quarter", "every half year")
        + "\n\nThe secretariat publishes a summary.",
        actor=world.secretariat,
    )

    diff = source_diff(world.document, "fr")

    assert diff.available and diff.changed
    assert diff.title_changed
    assert ("added", "and trade") in {(p.op, p.text.strip()) for p in diff.title_parts}
    kinds = [line.kind for line in diff.lines]
    assert "changed" in kinds and "added" in kinds
    changed = next(line for line in diff.lines if line.kind == "changed")
    assert ("removed", "quarter.") in {(p.op, p.text) for p in changed.parts}
    assert ("added", "half year.") in {(p.op, p.text) for p in changed.parts}
    added = next(line for line in diff.lines if line.kind == "added")
    assert added.text == "The secretariat publishes a summary."


def test_the_diff_is_taken_from_the_version_the_translation_was_made_from(world) -> None:
    first = SOURCE_BODY.replace("every quarter", "every month")
    source_edit(document=world.document, title=world.document.title_en, body=first, actor=None)
    translation_save(
        document=world.document,
        language="fr",
        title="Titre",
        body="Corps",
        status="final",
        actor=world.secretariat,
    )
    source_edit(
        document=world.document,
        title=world.document.title_en,
        body=first.replace("every month", "every week"),
        actor=None,
    )

    french = source_diff(world.document, "fr")
    arabic = source_diff(world.document, "ar")

    french_changes = {p.text for line in french.lines for p in line.parts if p.op == "removed"}
    arabic_changes = {p.text for line in arabic.lines for p in line.parts if p.op == "removed"}
    assert french_changes == {"month."}
    assert arabic_changes == {"quarter."}


def test_no_diff_without_a_translation_and_an_empty_one_when_current(world) -> None:
    assert source_diff(world.document, "es") is None
    current = source_diff(world.document, "fr")
    assert current.available and not current.changed and current.lines == []


def test_a_translation_whose_source_version_was_never_recorded_has_no_diff_base() -> None:
    document = DocumentFactory(translated={"fr": ("Titre", "Corps")})
    Document.objects.filter(pk=document.pk).update(source_fingerprint="f" * 64)

    diff = source_diff(document, "fr")

    assert diff is not None and not diff.available and not diff.changed


def test_the_text_diff_leaves_out_long_unchanged_runs() -> None:
    old = "\n\n".join(f"Paragraph {n}." for n in range(1, 11))
    new = old.replace("Paragraph 6.", "Paragraph six, rewritten entirely here.")

    lines = text_diff(old, new)

    assert [line.kind for line in lines] == [
        "gap",
        "context",
        "context",
        "removed",
        "added",
        "context",
        "context",
        "gap",
    ]
    assert lines[1].text == "Paragraph 4."


def test_body_blocks_number_the_paragraphs_but_not_headings_or_tables() -> None:
    blocks = body_blocks("# Rules\n\nFirst.\n\n| a | b |\n| 1 | 2 |\n\nSecond.")

    assert [(b.kind, b.number) for b in blocks] == [
        ("heading", None),
        ("paragraph", 1),
        ("table", None),
        ("paragraph", 2),
    ]
    assert blocks[0].text == "Rules"
