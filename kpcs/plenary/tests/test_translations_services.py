"""The translation services: editing the English source (with and without "minor change") and
saving a language version, the fingerprints they keep, the source versions they record, the
audit trail and the refusals."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kpcs.common.audit import entries_for
from kpcs.plenary.fingerprints import source_fingerprint
from kpcs.plenary.models import DocumentTranslation, SourceVersion
from kpcs.plenary.selectors.translations import language_matrix
from kpcs.plenary.services.translations import source_edit, translation_save
from kpcs.plenary.tests.factories import DocumentFactory
from kpcs.plenary.tests.factories_translations import (
    FRENCH,
    SOURCE_BODY,
    TranslationWorld,
    translation_world,
)

pytestmark = pytest.mark.django_db

NEW_BODY = SOURCE_BODY.replace("every quarter", "every half year")


@pytest.fixture
def world() -> TranslationWorld:
    return translation_world()


def edit(world: TranslationWorld, body: str, *, minor: bool = False, title: str | None = None):
    document = world.document
    return source_edit(
        document=document,
        title=document.title_en if title is None else title,
        body=body,
        actor=world.secretariat,
        minor=minor,
    )


# --- The English source ------------------------------------------------------------------------


def test_editing_the_english_body_marks_the_other_languages_outdated(world) -> None:
    assert language_matrix(world.document)["fr"] == "final"

    document = edit(world, NEW_BODY)

    matrix = language_matrix(document)
    assert matrix["fr"] == "outdated"
    assert matrix["ar"] == "outdated"
    assert matrix["es"] == "missing"
    assert matrix["en"] == "source"


def test_a_minor_edit_keeps_the_translations_current(world) -> None:
    document = edit(world, SOURCE_BODY.replace("adoption.", "adoption"), minor=True)

    matrix = language_matrix(document)
    assert matrix["fr"] == "final"
    assert matrix["ar"] == "final"
    assert DocumentTranslation.objects.get(document=document, language="fr").source_fingerprint == (
        document.source_fingerprint
    )
    version = SourceVersion.objects.get(document=document, fingerprint=document.source_fingerprint)
    assert version.minor is True


def test_a_minor_edit_does_not_revive_a_translation_already_outdated(world) -> None:
    edit(world, NEW_BODY)
    document = edit(world, NEW_BODY + "\n\nA new paragraph.", minor=True)

    assert language_matrix(document)["fr"] == "outdated"


def test_a_source_edit_stores_the_text_the_fingerprint_and_a_version(world) -> None:
    old_fingerprint = world.document.source_fingerprint

    document = edit(world, NEW_BODY, title="Administrative decision on statistics (revised)")

    document.refresh_from_db()
    assert document.title_en == "Administrative decision on statistics (revised)"
    assert document.body_en == NEW_BODY
    assert document.source_fingerprint == source_fingerprint(document.title_en, NEW_BODY)
    versions = {v.fingerprint: v for v in SourceVersion.objects.filter(document=document)}
    assert set(versions) == {old_fingerprint, document.source_fingerprint}
    assert versions[document.source_fingerprint].body == NEW_BODY
    assert versions[document.source_fingerprint].minor is False
    assert versions[document.source_fingerprint].created_by == world.secretariat


def test_the_version_before_the_first_edit_is_recorded_so_that_diffs_have_a_base(world) -> None:
    document = DocumentFactory(body_en="First text.", translated={"fr": ("Titre", "Premier.")})
    assert not SourceVersion.objects.filter(document=document).exists()
    before = document.source_fingerprint

    source_edit(document=document, title=document.title_en, body="Second text.", actor=None)

    assert SourceVersion.objects.get(document=document, fingerprint=before).body == "First text."


def test_saving_the_same_text_changes_nothing(world) -> None:
    versions = SourceVersion.objects.count()
    trail = entries_for(world.document).count()

    document = edit(world, SOURCE_BODY)

    assert SourceVersion.objects.count() == versions
    assert entries_for(document).count() == trail
    assert language_matrix(document)["fr"] == "final"


def test_line_endings_are_not_a_change_for_the_translators(world) -> None:
    document = edit(world, SOURCE_BODY.replace("\n", "\r\n") + "\r\n")

    assert language_matrix(document)["fr"] == "final"
    assert "\r" not in document.body_en


def test_a_source_edit_is_audited_with_the_minor_mark(world) -> None:
    document = edit(world, NEW_BODY, minor=True)

    entry = entries_for(document).order_by("-id").first()
    assert entry.actor == world.secretariat
    assert "body_en" in entry.changes
    assert entry.reason == "Minor change of the English source"
    moved = entries_for(DocumentTranslation.objects.get(document=document, language="fr"))
    assert "source_fingerprint" in moved.order_by("-id").first().changes


@pytest.mark.parametrize(
    ("title", "field"),
    [("", "title"), ("   ", "title"), ("x" * 501, "title")],
)
def test_the_source_needs_a_title_of_at_most_500_characters(world, title, field) -> None:
    before = world.document.source_fingerprint

    with pytest.raises(ValidationError) as refused:
        edit(world, NEW_BODY, title=title)

    assert field in refused.value.message_dict
    world.document.refresh_from_db()
    assert world.document.source_fingerprint == before
    assert world.document.body_en == SOURCE_BODY


# --- A language version ------------------------------------------------------------------------


def test_saving_an_outdated_translation_makes_it_current(world) -> None:
    edit(world, NEW_BODY)
    assert language_matrix(world.document)["fr"] == "outdated"

    translation = translation_save(
        document=world.document,
        language="fr",
        title=FRENCH[0],
        body=FRENCH[1].replace("chaque trimestre", "chaque semestre"),
        status="final",
        actor=world.secretariat,
    )

    assert translation.source_fingerprint == world.document.source_fingerprint
    assert language_matrix(world.document)["fr"] == "final"
    assert language_matrix(world.document)["ar"] == "outdated"


def test_a_draft_saved_from_an_outdated_translation_is_a_current_draft(world) -> None:
    edit(world, NEW_BODY)

    translation_save(
        document=world.document,
        language="fr",
        title=FRENCH[0],
        body=FRENCH[1],
        status="draft",
        actor=world.secretariat,
    )

    assert language_matrix(world.document)["fr"] == "draft"


def test_a_new_translation_is_stored_in_its_language_field(world) -> None:
    translation = translation_save(
        document=world.untranslated,
        language="zh-hans",
        title="关于统计的行政决定",
        body="全体会议决定。\r\n\r\n本决定自通过之日起生效。",
        status="draft",
        actor=world.secretariat,
    )

    document = world.untranslated
    document.refresh_from_db()
    assert document.title_zh_hans == "关于统计的行政决定"
    assert document.body_zh_hans == "全体会议决定。\n\n本决定自通过之日起生效。"
    assert translation.language == "zh-hans"
    assert translation.updated_by == world.secretariat
    assert language_matrix(document)["zh-hans"] == "draft"
    assert entries_for(translation).count() == 1


def test_english_cannot_be_saved_as_a_translation(world) -> None:
    with pytest.raises(ValidationError) as refused:
        translation_save(
            document=world.document,
            language="en",
            title="Title",
            body="Body",
            status="final",
            actor=world.secretariat,
        )

    assert "English is the source" in refused.value.message_dict["language"][0]


@pytest.mark.parametrize("language", ["de", "zh_hans", "", "EN"])
def test_an_unknown_language_is_refused(world, language) -> None:
    with pytest.raises(ValidationError) as refused:
        translation_save(
            document=world.document,
            language=language,
            title="Titel",
            body="Text",
            status="draft",
            actor=world.secretariat,
        )

    assert "language" in refused.value.message_dict


def test_an_unknown_status_is_refused(world) -> None:
    with pytest.raises(ValidationError) as refused:
        translation_save(
            document=world.untranslated,
            language="es",
            title="Título",
            body="Texto",
            status="published",
            actor=world.secretariat,
        )

    assert "status" in refused.value.message_dict
    assert not DocumentTranslation.objects.filter(document=world.untranslated).exists()


@pytest.mark.parametrize(
    ("title", "body", "fields"),
    [("", "Texto", {"title"}), ("Título", "", {"body"}), ("  ", " ", {"title", "body"})],
)
def test_a_final_translation_needs_a_title_and_a_body(world, title, body, fields) -> None:
    with pytest.raises(ValidationError) as refused:
        translation_save(
            document=world.untranslated,
            language="es",
            title=title,
            body=body,
            status="final",
            actor=world.secretariat,
        )

    assert set(refused.value.message_dict) == fields
    world.untranslated.refresh_from_db()
    assert world.untranslated.title_es is None
    assert not DocumentTranslation.objects.filter(document=world.untranslated).exists()


def test_a_final_translation_of_a_source_without_body_needs_no_body(world) -> None:
    document = DocumentFactory(body_en="")

    translation_save(
        document=document,
        language="ru",
        title="Коммюнике",
        body="",
        status="final",
        actor=world.secretariat,
    )

    assert language_matrix(document)["ru"] == "final"


def test_a_draft_may_be_saved_without_a_title_and_is_still_missing(world) -> None:
    translation_save(
        document=world.untranslated,
        language="ru",
        title="",
        body="Пленарное заседание постановляет.",
        status="draft",
        actor=world.secretariat,
    )

    assert language_matrix(world.untranslated)["ru"] == "missing"


def test_a_translation_title_longer_than_500_characters_is_refused(world) -> None:
    with pytest.raises(ValidationError) as refused:
        translation_save(
            document=world.untranslated,
            language="es",
            title="x" * 501,
            body="Texto",
            status="draft",
            actor=world.secretariat,
        )

    assert "title" in refused.value.message_dict


def test_saving_a_translation_records_the_source_version_it_was_made_from(world) -> None:
    document = DocumentFactory()
    assert not SourceVersion.objects.filter(document=document).exists()

    translation_save(
        document=document,
        language="fr",
        title="Titre",
        body="Corps",
        status="draft",
        actor=world.secretariat,
    )

    assert SourceVersion.objects.filter(
        document=document, fingerprint=document.source_fingerprint
    ).exists()
