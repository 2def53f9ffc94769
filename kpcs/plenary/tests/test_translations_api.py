"""The translation API under /api/v1/plenary/: a document's language matrix, one language
version (read and save), a meeting's matrix; 400 naming the fields, 404 for an unknown
language, document or meeting; secretariat only (401 anonymous, 403 other roles)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kpcs.plenary.models import DocumentTranslation
from kpcs.plenary.selectors.translations import language_matrix
from kpcs.plenary.services.translations import source_edit
from kpcs.plenary.tests.factories_translations import (
    FRENCH,
    SOURCE_BODY,
    TranslationWorld,
    translation_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> TranslationWorld:
    return translation_world()


@pytest.fixture
def secretariat(api_client, world):
    # The secretariat has no machine key: it calls as a person logged in through the site.
    api_client.force_authenticate(world.secretariat)
    return api_client


def matrix_url(world: TranslationWorld) -> str:
    return f"/api/v1/plenary/documents/{world.document.pk}/languages/"


def language_url(world: TranslationWorld, language: str) -> str:
    return f"/api/v1/plenary/documents/{world.document.pk}/languages/{language}/"


def meeting_url(world: TranslationWorld) -> str:
    return f"/api/v1/plenary/meetings/{world.meeting.code}/languages/"


def test_the_url_names_are_those_agreed(world) -> None:
    pk = world.document.pk
    assert reverse("api:plenary-translation-document", args=[pk]) == matrix_url(world)
    assert reverse("api:plenary-translation-detail", args=[pk, "ar"]) == language_url(world, "ar")
    assert reverse("api:plenary-translation-meeting", args=[world.meeting.code]) == meeting_url(
        world
    )


# --- Who may call them -------------------------------------------------------------------------


def _calls(world: TranslationWorld) -> list[tuple[str, str]]:
    return [
        ("get", matrix_url(world)),
        ("get", language_url(world, "fr")),
        ("put", language_url(world, "fr")),
        ("get", meeting_url(world)),
    ]


def test_anonymous_clients_get_401(api_client, world) -> None:
    for method, url in _calls(world):
        response = getattr(api_client, method)(
            url, {"title": "T", "body": "B", "status": "final"}, format="json"
        )
        assert response.status_code == 401, (method, url)
        assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("role", ["authority", "observer"])
def test_other_roles_get_403(api_client, world, role) -> None:
    api_client.force_authenticate(getattr(world, role))
    for method, url in _calls(world):
        response = getattr(api_client, method)(
            url, {"title": "Hacked", "body": "B", "status": "final"}, format="json"
        )
        assert response.status_code == 403, (method, url)
    world.document.refresh_from_db()
    assert world.document.title_fr == FRENCH[0]


def test_a_document_or_meeting_that_does_not_exist_is_a_404(secretariat) -> None:
    assert secretariat.get("/api/v1/plenary/documents/999999/languages/").status_code == 404
    assert secretariat.get("/api/v1/plenary/documents/999999/languages/fr/").status_code == 404
    assert secretariat.get("/api/v1/plenary/meetings/nothing-here/languages/").status_code == 404


@pytest.mark.parametrize("language", ["de", "zh_hans", "FR"])
def test_an_unknown_language_is_a_404_naming_the_languages(secretariat, world, language) -> None:
    response = secretariat.get(language_url(world, language))
    assert response.status_code == 404
    assert "en, fr, es, ru, zh-hans, ar" in response.json()["detail"]

    response = secretariat.put(
        language_url(world, language), {"title": "T", "status": "draft"}, format="json"
    )
    assert response.status_code == 404


# --- The matrix of a document ------------------------------------------------------------------


def test_the_document_matrix_gives_every_language_its_state(secretariat, world) -> None:
    response = secretariat.get(matrix_url(world))

    assert response.status_code == 200
    body = response.json()
    assert body["symbol"] == world.document.symbol
    assert body["source_fingerprint"] == world.document.source_fingerprint
    states = {entry["language"]: entry["state"] for entry in body["languages"]}
    assert states == language_matrix(world.document)
    french = body["languages"][1]
    assert french["required"] is True
    assert french["status"] == "final"
    assert french["made_from"] == world.document.source_fingerprint
    assert french["url"].endswith(language_url(world, "fr"))
    assert body["languages"][0]["status"] is None
    assert body["required_not_final"] == ["es", "ru", "zh-hans"]
    assert body["available"] == ["en", "fr", "ar"]


def test_a_session_works_as_well_as_a_token(api_client, world) -> None:
    api_client.force_login(world.secretariat)

    assert api_client.get(matrix_url(world)).status_code == 200


# --- One language ------------------------------------------------------------------------------


def test_a_language_version_comes_with_the_current_source(secretariat, world) -> None:
    body = secretariat.get(language_url(world, "fr")).json()

    assert body["state"] == "final"
    assert body["status"] == "final"
    assert body["title"] == FRENCH[0]
    assert body["body"] == FRENCH[1]
    assert body["source"]["body"] == SOURCE_BODY
    assert body["source"]["fingerprint"] == world.document.source_fingerprint
    assert body["source_diff"] is None


def test_english_reads_as_the_source_and_cannot_be_put(secretariat, world) -> None:
    body = secretariat.get(language_url(world, "en")).json()
    assert body["state"] == "source"
    assert body["title"] == world.document.title_en

    response = secretariat.put(
        language_url(world, "en"), {"title": "T", "body": "B", "status": "final"}, format="json"
    )
    assert response.status_code == 400
    assert "English is the source" in response.json()["errors"]["language"][0]


def test_an_untranslated_language_reads_as_missing(secretariat, world) -> None:
    body = secretariat.get(language_url(world, "zh-hans")).json()

    assert (body["state"], body["status"], body["title"], body["made_from"]) == (
        "missing",
        None,
        "",
        None,
    )


def test_an_outdated_version_comes_with_the_diff_of_the_source(secretariat, world) -> None:
    old_fingerprint = world.document.source_fingerprint
    source_edit(
        document=world.document,
        title=world.document.title_en,
        body=SOURCE_BODY.replace("every quarter", "every half year"),
        actor=world.secretariat,
    )

    body = secretariat.get(language_url(world, "fr")).json()

    assert body["state"] == "outdated"
    diff = body["source_diff"]
    assert diff["base_fingerprint"] == old_fingerprint
    assert diff["base_recorded"] is True
    assert diff["title_before"] is None
    changed = next(p for p in diff["paragraphs"] if p["kind"] == "changed")
    assert {"op": "removed", "text": "quarter."} in changed["parts"]
    assert {"op": "added", "text": "half year."} in changed["parts"]


def test_putting_a_version_saves_it_made_from_the_current_source(secretariat, world) -> None:
    source_edit(
        document=world.document,
        title=world.document.title_en,
        body=SOURCE_BODY.replace("every quarter", "every half year"),
        actor=world.secretariat,
    )

    response = secretariat.put(
        language_url(world, "fr"),
        {"title": FRENCH[0], "body": FRENCH[1].replace("trimestre", "semestre"), "status": "final"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "final"
    assert body["made_from"] == body["source"]["fingerprint"]
    assert body["updated_by"] == "tr-secretariat"
    assert body["source_diff"] is None
    assert language_matrix(world.document)["fr"] == "final"


def test_a_new_draft_is_created_by_a_put(secretariat, world) -> None:
    response = secretariat.put(
        language_url(world, "zh-hans"), {"title": "行政决定", "status": "draft"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["state"] == "draft"
    record = DocumentTranslation.objects.get(document=world.document, language="zh-hans")
    assert record.status == "draft"


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"title": "", "body": "Texto", "status": "final"}, {"title"}),
        ({"title": "Título", "body": "", "status": "final"}, {"body"}),
        ({"title": "Título", "body": "Texto", "status": "adopted"}, {"status"}),
        ({"body": "Texto"}, {"title", "status"}),
        ({"title": "x" * 501, "status": "draft"}, {"title"}),
        ({"title": ["not", "text"], "status": "draft"}, {"title"}),
    ],
)
def test_refused_input_answers_400_naming_the_fields(secretariat, world, payload, fields) -> None:
    response = secretariat.put(language_url(world, "es"), payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == fields
    for field in fields:
        assert field in body["detail"]
    assert not DocumentTranslation.objects.filter(document=world.document, language="es").exists()


def test_html_is_kept_as_text(secretariat, world) -> None:
    evil = "<script>alert(1)</script>"
    secretariat.put(
        language_url(world, "es"), {"title": evil, "body": evil, "status": "draft"}, format="json"
    )

    body = secretariat.get(language_url(world, "es")).json()

    assert body["title"] == evil
    assert body["body"] == evil


# --- The matrix of a meeting -------------------------------------------------------------------


def test_the_meeting_matrix_lists_documents_with_states_and_counts(secretariat, world) -> None:
    response = secretariat.get(meeting_url(world))

    assert response.status_code == 200
    body = response.json()
    assert body["meeting"] == world.meeting.code
    assert body["required"] == ["en", "fr", "es", "ru", "zh-hans"]
    documents = {d["symbol"]: d for d in body["documents"]}
    assert documents[world.document.symbol]["languages"]["fr"] == "final"
    assert documents[world.untranslated.symbol]["languages"]["fr"] == "missing"
    assert documents[world.document.symbol]["url"].endswith(matrix_url(world))
    counts = {c["language"]: c for c in body["counts"]}
    assert set(counts) == {"fr", "es", "ru", "zh-hans", "ar"}
    assert counts["fr"] == {
        "language": "fr",
        "required": True,
        "final": 1,
        "draft": 0,
        "outdated": 0,
        "missing": 1,
    }
    assert counts["ar"]["required"] is False


def test_the_schema_describes_the_translation_operations() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        path: {method: operation["operationId"] for method, operation in item.items()}
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/plenary/") and "/languages/" in path
    }
    assert operations == {
        "/api/v1/plenary/documents/{id}/languages/": {
            "get": "plenary_translation_document_languages"
        },
        "/api/v1/plenary/documents/{id}/languages/{language}/": {
            "get": "plenary_translation_get",
            "put": "plenary_translation_put",
        },
        "/api/v1/plenary/meetings/{code}/languages/": {
            "get": "plenary_translation_meeting_languages"
        },
    }
    put = schema["paths"]["/api/v1/plenary/documents/{id}/languages/{language}/"]["put"]
    # 415: a body in a format the operation does not read (kpcs.common.schema).
    assert set(put["responses"]) == {"200", "400", "401", "403", "404", "415", "429"}
