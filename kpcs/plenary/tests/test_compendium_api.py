"""The compendium in the API: the public read (published public documents, title in the
language asked for, in-force and superseded marks, search, parameters checked with a 400
naming the parameter) and the secretariat's writes (sections, supersession: 403 for others,
400 naming the field, 404 for an unknown document)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kpcs.accounts.tests.factories import UserFactory
from kpcs.plenary.models import Document
from kpcs.plenary.tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

Section = Document.CompendiumSection
Status = Document.Status
PUBLIC = reverse("api:public-compendium-list")
SECRETARIAT_LIST = reverse("api:plenary-compendium-list")


def section_url(document):
    return reverse("api:plenary-compendium-section", kwargs={"pk": document.pk})


def supersession_url(document):
    return reverse("api:plenary-compendium-supersession", kwargs={"pk": document.pk})


@pytest.fixture
def secretariat_client(api_client):
    api_client.force_authenticate(UserFactory(role="secretariat"))
    return api_client


@pytest.fixture
def world():
    new = DocumentFactory(
        symbol="KP/2026/Plenary/Administrative Decision 1",
        status=Status.PUBLISHED,
        compendium_section=Section.ADMINISTRATIVE_DECISIONS,
        title_en="Administrative decision on statistics",
        translated={
            "fr": ("Décision administrative sur les statistiques", "La décision."),
            "zh-hans": ("关于统计数据的行政决定", "本决定。"),
        },
    )
    old = DocumentFactory(
        symbol="KP/2012/Plenary/Administrative Decision 2",
        date=dt.date(2012, 11, 30),
        status=Status.PUBLISHED,
        compendium_section=Section.ADMINISTRATIVE_DECISIONS,
        title_en="Statistics deadlines",
        superseded_by=new,
        superseded_on=dt.date(2026, 11, 6),
    )
    draft = DocumentFactory(
        symbol="KP/2026/Plenary/Administrative Decision 2",
        status=Status.DRAFT,
        compendium_section=Section.ADMINISTRATIVE_DECISIONS,
        title_en="Draft decision on statistics",
    )
    members = DocumentFactory(
        symbol="KP/2026/Plenary/Guidance Note 4",
        kind=Document.Kind.GUIDANCE_NOTE,
        status=Status.PUBLISHED,
        distribution=Document.Distribution.PARTICIPANTS_OBSERVERS,
        compendium_section=Section.GUIDANCE,
        title_en="Guidance for members on statistics",
    )
    core = DocumentFactory(
        symbol="KP/2003/Core Document",
        kind=Document.Kind.CORE_DOCUMENT,
        date=dt.date(2003, 1, 1),
        status=Status.PUBLISHED,
        compendium_section=Section.CORE_DOCUMENT,
        title_en="Core document",
    )
    return {"new": new, "old": old, "draft": draft, "members": members, "core": core}


# --- Public read -----------------------------------------------------------------------------


def test_public_lists_published_public_documents_in_order(api_client, world):
    response = api_client.get(PUBLIC)
    assert response.status_code == 200
    symbols = [row["symbol"] for row in response.json()["results"]]
    assert symbols == [world["core"].symbol, world["old"].symbol, world["new"].symbol]


def test_public_rows_carry_the_marks_and_links(api_client, world):
    rows = {row["symbol"]: row for row in api_client.get(PUBLIC).json()["results"]}
    old = rows[world["old"].symbol]
    assert old["in_force"] is False
    assert old["superseded_by"] == world["new"].symbol
    assert old["superseded_on"] == "2026-11-06"
    assert old["section"] == "administrative_decisions"
    new = rows[world["new"].symbol]
    assert new["in_force"] is True and new["superseded_by"] is None
    assert new["url"].endswith("/en/documents/KP/2026/Plenary/Administrative%20Decision%201/")


def test_public_title_in_the_language_asked_for_with_english_fallback(api_client, world):
    rows = {
        row["symbol"]: row for row in api_client.get(PUBLIC, {"language": "fr"}).json()["results"]
    }
    assert rows[world["new"].symbol]["title"] == "Décision administrative sur les statistiques"
    assert rows[world["new"].symbol]["language"] == "fr"
    assert rows[world["new"].symbol]["url"].startswith("http://testserver/fr/")
    assert rows[world["old"].symbol]["title"] == "Statistics deadlines"


def test_public_search_in_a_language(api_client, world):
    response = api_client.get(PUBLIC, {"q": "décisions", "language": "fr"})
    assert [row["symbol"] for row in response.json()["results"]] == [world["new"].symbol]
    response = api_client.get(PUBLIC, {"q": "决定", "language": "zh-hans"})
    assert [row["symbol"] for row in response.json()["results"]] == [world["new"].symbol]


def test_public_filter_by_section(api_client, world):
    response = api_client.get(PUBLIC, {"section": "core_document"})
    assert [row["symbol"] for row in response.json()["results"]] == [world["core"].symbol]


def test_public_never_lists_drafts_or_members_only_documents(api_client, world):
    api_client.force_authenticate(UserFactory(role="secretariat"))
    symbols = {
        row["symbol"] for row in api_client.get(PUBLIC, {"q": "statistics"}).json()["results"]
    }
    assert world["draft"].symbol not in symbols
    assert world["members"].symbol not in symbols


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"section": "laws"}, "section"),
        ({"language": "de"}, "language"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_public_bad_parameters_are_400_naming_them(api_client, world, params, name):
    response = api_client.get(PUBLIC, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [name]


@pytest.mark.parametrize("odd", ['"', "&|!():*", "-", "' or 1=1 --", "\\"])
def test_public_odd_queries_answer_200(api_client, world, odd):
    assert api_client.get(PUBLIC, {"q": odd}).status_code == 200


# --- Secretariat -----------------------------------------------------------------------------


def test_secretariat_list_includes_drafts_and_restricted(secretariat_client, world):
    symbols = {row["symbol"] for row in secretariat_client.get(SECRETARIAT_LIST).json()["results"]}
    assert {world["draft"].symbol, world["members"].symbol} <= symbols


def test_secretariat_sets_a_section(secretariat_client, world):
    response = secretariat_client.post(
        section_url(world["core"]), {"section": "other"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["section"] == "other"
    world["core"].refresh_from_db()
    assert world["core"].compendium_section == Section.OTHER


def test_bad_section_is_400_naming_it(secretariat_client, world):
    response = secretariat_client.post(
        section_url(world["core"]), {"section": "laws"}, format="json"
    )
    assert response.status_code == 400
    assert "section" in response.json()["errors"]


def test_secretariat_supersedes_by_symbol(secretariat_client, world):
    response = secretariat_client.post(
        supersession_url(world["core"]),
        {"superseded_by": world["new"].symbol, "superseded_on": "2026-12-01"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["superseded_by"] == world["new"].symbol
    assert body["superseded_on"] == "2026-12-01"


def test_supersession_rules_answer_400_naming_the_field(secretariat_client, world):
    response = secretariat_client.post(
        supersession_url(world["new"]),
        {"superseded_by": world["new"].symbol, "superseded_on": "2026-12-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "itself" in response.json()["errors"]["superseded_by"][0]
    response = secretariat_client.post(
        supersession_url(world["core"]),
        {"superseded_by": world["new"].symbol, "superseded_on": "2001-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "superseded_on" in response.json()["errors"]


def test_unknown_symbol_and_bad_date_are_400(secretariat_client, world):
    response = secretariat_client.post(
        supersession_url(world["core"]),
        {"superseded_by": "KP/1999/Nothing", "superseded_on": "06/11/2026"},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "No document has the symbol" in errors["superseded_by"][0]
    assert "YYYY-MM-DD" in errors["superseded_on"][0]


def test_secretariat_clears_a_supersession(secretariat_client, world):
    response = secretariat_client.delete(supersession_url(world["old"]))
    assert response.status_code == 200
    assert response.json()["in_force"] is True


def test_unknown_document_is_404(secretariat_client):
    missing = Document(pk=999999)
    assert (
        secretariat_client.post(section_url(missing), {"section": ""}, format="json").status_code
        == 404
    )
    assert secretariat_client.delete(supersession_url(missing)).status_code == 404


@pytest.mark.parametrize("role", ["authority", "observer", "reviewer"])
def test_writes_are_forbidden_to_other_roles(api_client, world, role):
    api_client.force_authenticate(UserFactory(role=role))
    assert api_client.get(SECRETARIAT_LIST).status_code == 403
    assert (
        api_client.post(section_url(world["core"]), {"section": "other"}, format="json").status_code
        == 403
    )
    assert api_client.delete(supersession_url(world["old"])).status_code == 403
    assert (
        api_client.post(
            supersession_url(world["core"]),
            {"superseded_by": world["new"].symbol, "superseded_on": "2026-12-01"},
            format="json",
        ).status_code
        == 403
    )
    world["old"].refresh_from_db()
    world["core"].refresh_from_db()
    assert world["old"].superseded_by == world["new"]
    assert world["core"].compendium_section == Section.CORE_DOCUMENT


def test_writes_need_a_login(api_client, world):
    assert api_client.get(SECRETARIAT_LIST).status_code == 401
    assert (
        api_client.post(section_url(world["core"]), {"section": "other"}, format="json").status_code
        == 401
    )


def test_public_title_is_english_where_the_translation_is_a_draft(api_client, world):
    from kpcs.plenary.models import DocumentTranslation

    core = world["core"]
    core.title_ru = "Черновик"
    core.save()
    DocumentTranslation.objects.create(
        document=core, language="ru", status="draft", source_fingerprint=core.source_fingerprint
    )
    rows = {
        row["symbol"]: row for row in api_client.get(PUBLIC, {"language": "ru"}).json()["results"]
    }
    assert rows[core.symbol]["title"] == "Core document"
