"""The secretariat's translation pages: a document's language matrix, a meeting's matrix, and
one language side by side with the English source (with the diff of the source when the
translation is outdated); and who may open them (anonymous → log-in, other roles → 403)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kpcs.plenary.models import DocumentTranslation
from kpcs.plenary.selectors.translations import language_matrix
from kpcs.plenary.services.translations import source_edit, translation_save
from kpcs.plenary.tests.factories_translations import (
    ARABIC,
    FRENCH,
    SOURCE_BODY,
    TranslationWorld,
    translation_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> TranslationWorld:
    return translation_world()


def matrix_url(world: TranslationWorld) -> str:
    return f"/en/plenary/documents/{world.document.pk}/languages/"


def translation_url(world: TranslationWorld, language: str) -> str:
    return f"/en/plenary/documents/{world.document.pk}/languages/{language}/"


def meeting_url(world: TranslationWorld) -> str:
    return f"/en/plenary/meetings/{world.meeting.code}/languages/"


def as_secretariat(client, world: TranslationWorld):
    client.force_login(world.secretariat)
    return client


def test_the_url_names_are_those_agreed(world) -> None:
    pk = world.document.pk
    assert reverse("plenary:document-languages", args=[pk]) == matrix_url(world)
    assert reverse("plenary:translation", args=[pk, "zh-hans"]) == translation_url(world, "zh-hans")
    assert reverse("plenary:meeting-languages", args=[world.meeting.code]) == meeting_url(world)


# --- Who may open them -------------------------------------------------------------------------


def _pages(world: TranslationWorld) -> list[str]:
    return [matrix_url(world), translation_url(world, "fr"), meeting_url(world)]


def test_anonymous_visitors_are_sent_to_log_in(client, world) -> None:
    for url in _pages(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/en/accounts/login/")


@pytest.mark.parametrize("role", ["authority", "observer"])
def test_other_roles_may_not_open_the_translation_pages(client, world, role) -> None:
    client.force_login(getattr(world, role))
    for url in _pages(world):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", ["authority", "observer"])
def test_other_roles_may_not_save_a_translation(client, world, role) -> None:
    client.force_login(getattr(world, role))

    response = client.post(
        translation_url(world, "es"), {"title": "Título", "body": "Texto", "status": "final"}
    )

    assert response.status_code == 403
    assert not DocumentTranslation.objects.filter(document=world.document, language="es").exists()


def test_anonymous_visitors_may_not_save_a_translation(client, world) -> None:
    response = client.post(
        translation_url(world, "es"), {"title": "Título", "body": "Texto", "status": "final"}
    )

    assert response.status_code == 302
    assert not DocumentTranslation.objects.filter(document=world.document, language="es").exists()


def test_a_document_or_meeting_that_does_not_exist_is_a_404(client, world) -> None:
    as_secretariat(client, world)

    assert client.get("/en/plenary/documents/999999/languages/").status_code == 404
    assert client.get("/en/plenary/documents/999999/languages/fr/").status_code == 404
    assert client.get("/en/plenary/meetings/no-such-meeting/languages/").status_code == 404


@pytest.mark.parametrize("language", ["de", "zh_hans", "xx-yy", "EN"])
def test_an_unknown_language_is_a_404(client, world, language) -> None:
    as_secretariat(client, world)

    assert client.get(translation_url(world, language)).status_code == 404
    response = client.post(
        translation_url(world, language), {"title": "T", "body": "B", "status": "draft"}
    )
    assert response.status_code == 404


def test_english_is_not_edited_as_a_translation(client, world) -> None:
    response = as_secretariat(client, world).get(translation_url(world, "en"))

    assert response.status_code == 404


# --- A document's matrix -----------------------------------------------------------------------


def test_the_document_matrix_shows_each_language_its_state_and_a_link(client, world) -> None:
    translation_save(
        document=world.document,
        language="es",
        title="Decisión",
        body="Texto",
        status="draft",
        actor=world.secretariat,
    )

    response = as_secretariat(client, world).get(matrix_url(world))

    assert response.status_code == 200
    page = response.content.decode()
    states = {cell.language: cell.state for cell in response.context["row"].cells}
    assert states == language_matrix(world.document)
    for state in ("source", "final", "draft", "missing"):
        assert f"language-state-{state}" in page
    assert page.count(">required<") == 5  # en, fr, es, ru, zh-hans by default
    for language in ("fr", "es", "ru", "zh-hans", "ar"):
        assert f'href="{translation_url(world, language)}"' in page
    assert "tr-secretariat" in page  # who saved the Spanish draft
    assert "Publication waits for these required languages" in page
    assert "Spanish, Russian, Chinese" in page


def test_the_document_matrix_says_when_every_required_language_is_final(
    client, world, settings
) -> None:
    settings.KPCS_DOCUMENT_LANGUAGES = ["en", "fr"]

    page = as_secretariat(client, world).get(matrix_url(world)).content.decode()

    assert "Every required language is final and current." in page
    assert page.count(">required<") == 2


# --- A meeting's matrix ------------------------------------------------------------------------


def test_the_meeting_matrix_has_documents_by_languages_with_counts(client, world) -> None:
    response = as_secretariat(client, world).get(meeting_url(world))

    assert response.status_code == 200
    page = response.content.decode()
    assert world.document.symbol in page and world.untranslated.symbol in page
    assert len(response.context["rows"]) == 2
    french = next(c for c in response.context["counts"] if c.language == "fr")
    assert french.counts == {"final": 1, "draft": 0, "outdated": 0, "missing": 1}
    assert f'href="{translation_url(world, "ar")}"' in page
    assert f'href="{matrix_url(world)}"' in page
    assert '<span class="language-final-count">1</span> / 2' in page


def test_a_meeting_without_documents_says_so(client, world) -> None:
    from kpcs.plenary.tests.factories import MeetingFactory

    empty = MeetingFactory(code="2026-intersessional")

    page = as_secretariat(client, world).get(f"/en/plenary/meetings/{empty.code}/languages/")

    assert "This meeting has no documents yet." in page.content.decode()


# --- One language beside the source ------------------------------------------------------------


def test_the_translation_page_shows_the_source_beside_the_form(client, world) -> None:
    response = as_secretariat(client, world).get(translation_url(world, "fr"))

    assert response.status_code == 200
    page = response.content.decode()
    assert world.document.title_en in page
    assert "Participants report their statistics every quarter." in page
    assert f'value="{FRENCH[0]}"' in page.replace("&#x27;", "'")
    assert 'lang="en" dir="ltr"' in page
    assert re.search(r'<textarea[^>]*lang="fr"[^>]*dir="ltr"', page)
    assert 'value="final"' in page and "checked" in page
    assert response.context["diff"] is None


def test_the_arabic_page_is_right_to_left(client, world) -> None:
    page = as_secretariat(client, world).get(translation_url(world, "ar")).content.decode()

    assert re.search(r'<textarea[^>]*lang="ar"[^>]*dir="rtl"', page)
    assert re.search(r'<input[^>]*lang="ar"[^>]*dir="rtl"[^>]*name="title"', page) or re.search(
        r'<input[^>]*name="title"[^>]*lang="ar"[^>]*dir="rtl"', page
    )
    assert '<div class="document-text" lang="ar" dir="rtl">' in page  # the preview
    assert '<div class="document-text" lang="en" dir="ltr">' in page  # the source
    assert ARABIC[0] in page


def test_an_outdated_translation_shows_the_diff_of_the_source(client, world) -> None:
    source_edit(
        document=world.document,
        title=world.document.title_en,
        body=SOURCE_BODY.replace("every quarter", "every half year")
        + "\n\nThe secretariat publishes a summary.",
        actor=world.secretariat,
    )

    response = as_secretariat(client, world).get(translation_url(world, "fr"))

    page = response.content.decode()
    assert "The English source changed since this translation was made" in page
    assert '<del class="diff-removed">quarter.</del>' in page
    assert '<ins class="diff-added">half year.</ins>' in page
    assert '<ins class="diff-added">The secretariat publishes a summary.</ins>' in page
    assert "Save: the translation is current again" in page


def test_saving_the_outdated_translation_makes_it_current_again(client, world) -> None:
    source_edit(
        document=world.document,
        title=world.document.title_en,
        body=SOURCE_BODY.replace("every quarter", "every half year"),
        actor=world.secretariat,
    )
    as_secretariat(client, world)

    response = client.post(
        translation_url(world, "fr"),
        {
            "title": FRENCH[0],
            "body": FRENCH[1].replace("chaque trimestre", "chaque semestre"),
            "status": "final",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == translation_url(world, "fr")
    assert language_matrix(world.document)["fr"] == "final"
    page = client.get(response["Location"]).content.decode()
    assert "saved as final and is current" in page
    assert "The English source changed" not in page


def test_a_final_translation_without_a_title_is_refused_with_a_message(client, world) -> None:
    response = as_secretariat(client, world).post(
        translation_url(world, "es"), {"title": "", "body": "Texto", "status": "final"}
    )

    assert response.status_code == 400
    assert "A final translation needs its title." in response.content.decode()
    assert not DocumentTranslation.objects.filter(document=world.document, language="es").exists()
    world.document.refresh_from_db()
    assert world.document.body_es is None


def test_an_unknown_status_is_refused_at_the_field(client, world) -> None:
    response = as_secretariat(client, world).post(
        translation_url(world, "es"), {"title": "Título", "body": "Texto", "status": "adopted"}
    )

    assert response.status_code == 400
    assert "is not a status" in response.content.decode()


def test_a_draft_is_saved_and_shown_in_the_matrix(client, world) -> None:
    as_secretariat(client, world).post(
        translation_url(world, "ru"), {"title": "Решение", "body": "", "status": "draft"}
    )

    page = client.get(matrix_url(world)).content.decode()
    assert response_state(client, world, "ru") == "draft"
    assert "language-state-draft" in page


def response_state(client, world: TranslationWorld, language: str) -> str:
    return language_matrix(world.document)[language]


def test_html_in_a_translation_is_escaped_everywhere(client, world) -> None:
    evil = '<script>alert("x")</script><b>bold</b>'
    translation_save(
        document=world.document,
        language="es",
        title=evil,
        body=evil + "\n\n" + evil,
        status="final",
        actor=world.secretariat,
    )
    source_edit(
        document=world.document,
        title=world.document.title_en,
        body=SOURCE_BODY + "\n\n" + evil,
        actor=world.secretariat,
    )
    as_secretariat(client, world)

    for url in (translation_url(world, "es"), translation_url(world, "fr"), matrix_url(world)):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page, url
        assert "<b>bold</b>" not in page, url
    page = client.get(translation_url(world, "fr")).content.decode()
    assert "&lt;script&gt;alert" in page  # in the diff of the source


def test_the_paragraphs_out_of_step_with_the_source_are_pointed_out(client, world) -> None:
    translation_save(
        document=world.document,
        language="fr",
        title=FRENCH[0],
        body="Un seul paragraphe.",
        status="draft",
        actor=world.secretariat,
    )

    page = as_secretariat(client, world).get(translation_url(world, "fr")).content.decode()

    assert "The English source has 3 numbered paragraphs, this version 1" in page
