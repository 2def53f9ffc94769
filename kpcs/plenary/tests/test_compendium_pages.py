"""The compendium's pages: the index and a section in every language with the in-force and
superseded marks, revisions under their original and versions; search in the page's language
with highlighted, escaped snippets; what the public may not see (drafts, restricted
documents); and the secretariat's management page (others: login or 403; unknown: 404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kpcs.accounts.tests.factories import UserFactory
from kpcs.common.models import AuditEntry
from kpcs.participants.tests.factories import WorkingBodyFactory, WorkingBodyMembershipFactory
from kpcs.plenary.models import Document, SourceVersion
from kpcs.plenary.tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

Section = Document.CompendiumSection
Status = Document.Status
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(f"compendium:{name}", kwargs=kwargs or None)


@pytest.fixture
def secretariat():
    return UserFactory(role="secretariat")


@pytest.fixture
def world():
    """A 2026 decision in six languages superseding a 2012 one (with a corrigendum), the core
    document, a draft decision and a decision restricted to a working body."""
    new = DocumentFactory(
        symbol="KP/2026/Plenary/Administrative Decision 1",
        status=Status.PUBLISHED,
        compendium_section=Section.ADMINISTRATIVE_DECISIONS,
        title_en="Administrative decision on the submission of statistics",
        body_en="The Plenary adopts this decision on statistics.",
        translated={
            "fr": (
                "Décision administrative sur les statistiques",
                "La Plénière adopte la décision.",
            ),
            "es": (
                "Decisión administrativa sobre las estadísticas",
                "El Plenario aprueba la decisión.",
            ),
            "ru": (
                "Административное решение о статистике",
                "Пленарное заседание принимает решение.",
            ),
            "zh-hans": ("关于统计数据的行政决定", "全体会议通过本决定。"),
            "ar": ("قرار إداري بشأن الإحصاءات", "يعتمد الاجتماع العام هذا القرار."),
        },
    )
    SourceVersion.objects.create(document=new, fingerprint="a" * 64, title="draft", body="")
    SourceVersion.objects.create(document=new, fingerprint=new.source_fingerprint, title="t")
    old = DocumentFactory(
        symbol="KP/2012/Plenary/Administrative Decision 2",
        date=dt.date(2012, 11, 30),
        status=Status.PUBLISHED,
        compendium_section=Section.ADMINISTRATIVE_DECISIONS,
        title_en="Statistics deadlines",
        superseded_by=new,
        superseded_on=dt.date(2026, 11, 6),
    )
    corrigendum = DocumentFactory(
        symbol="KP/2012/Plenary/Administrative Decision 2/Corr.1",
        date=dt.date(2013, 1, 15),
        status=Status.PUBLISHED,
        title_en="Corrigendum on deadlines",
        revision_of=old,
        revision_kind=Document.RevisionKind.CORRIGENDUM,
    )
    core = DocumentFactory(
        symbol="KP/2003/Core Document",
        kind=Document.Kind.CORE_DOCUMENT,
        date=dt.date(2003, 1, 1),
        status=Status.PUBLISHED,
        compendium_section=Section.CORE_DOCUMENT,
        title_en="Core document",
        body_en="Participants establish a certification scheme for rough diamonds.",
    )
    draft = DocumentFactory(
        symbol="KP/2026/Plenary/Administrative Decision 2",
        status=Status.DRAFT,
        compendium_section=Section.ADMINISTRATIVE_DECISIONS,
        title_en="Secret draft on statistics",
    )
    restricted = DocumentFactory(
        symbol="KP/2026/WGM/Decision 9",
        status=Status.PUBLISHED,
        distribution=Document.Distribution.WORKING_BODY,
        working_body=WorkingBodyFactory(),
        compendium_section=Section.GUIDANCE,
        title_en="Restricted guidance on statistics",
    )
    return {
        "new": new,
        "old": old,
        "corrigendum": corrigendum,
        "core": core,
        "draft": draft,
        "restricted": restricted,
    }


# --- Index and sections ----------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_index_answers_in_every_language_with_the_title_in_that_language(client, world, language):
    response = client.get(url("index", language))
    assert response.status_code == 200
    suffix = language.replace("-", "_")
    title = getattr(world["new"], f"title_{suffix}")
    assert title in response.content.decode()


def test_index_marks_in_force_and_superseded_with_a_link_and_date(client, world):
    page = client.get(url("index")).content.decode()
    assert "in force" in page
    detail = reverse("documents:detail", kwargs={"symbol": world["new"].symbol})
    assert f'superseded by <a href="{detail}"><bdi>{world["new"].symbol}</bdi></a>' in page
    assert "Nov. 6, 2026" in page


def test_index_lists_the_corrigendum_under_its_original_and_the_versions(client, world):
    page = client.get(url("index")).content.decode()
    old_at = page.index(f'id="document-{world["old"].pk}"')
    corrigendum_at = page.index(world["corrigendum"].symbol + "</a>")
    new_at = page.index(f'id="document-{world["new"].pk}"')
    assert old_at < corrigendum_at < new_at
    assert "Corrigendum" in page
    assert "version 2 of" in page


def test_public_does_not_see_drafts_or_restricted_documents(client, world):
    page = client.get(url("index")).content.decode()
    assert world["draft"].symbol not in page
    assert world["restricted"].symbol not in page
    assert "Secret draft" not in page


def test_secretariat_sees_drafts_marked(client, world, secretariat):
    client.force_login(secretariat)
    page = client.get(url("index")).content.decode()
    assert world["draft"].symbol in page
    assert "Manage the compendium" in page


def test_member_of_the_working_body_sees_its_restricted_guidance(client, world):
    user = UserFactory(role="authority")
    WorkingBodyMembershipFactory(
        working_body=world["restricted"].working_body, participant=user.participant, year_from=2003
    )
    client.force_login(user)
    assert world["restricted"].symbol in client.get(url("index")).content.decode()


def test_section_page_shows_only_its_section(client, world):
    response = client.get(url("section", section="core-document"))
    assert response.status_code == 200
    page = response.content.decode()
    assert world["core"].symbol in page
    assert world["new"].symbol not in page


def test_unknown_section_is_404(client, world):
    assert client.get(url("section", section="laws")).status_code == 404


@pytest.mark.parametrize("language", ["fr", "ar", "zh-hans"])
def test_section_pages_answer_in_other_languages(client, world, language):
    response = client.get(url("section", language, section="administrative-decisions"))
    assert response.status_code == 200


# --- Search ----------------------------------------------------------------------------------


def test_search_in_french_highlights_the_stemmed_word(client, world):
    response = client.get(url("search", "fr"), {"q": "décisions"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<mark>Décision</mark> administrative" in page
    assert world["new"].symbol in page


def test_search_in_chinese_finds_two_characters(client, world):
    page = client.get(url("search", "zh-hans"), {"q": "决定"}).content.decode()
    assert "行政<mark>决定</mark>" in page


def test_search_by_symbol(client, world):
    page = client.get(url("search"), {"q": "Corr.1"}).content.decode()
    assert world["corrigendum"].symbol in page


def test_search_does_not_show_the_public_drafts_or_restricted_documents(client, world):
    page = client.get(url("search"), {"q": "statistics"}).content.decode()
    assert world["new"].symbol in page
    assert world["draft"].symbol not in page
    assert world["restricted"].symbol not in page
    page = client.get(url("search"), {"q": "Secret draft"}).content.decode()
    assert "0 documents match" in page


def test_search_within_a_section(client, world):
    page = client.get(url("search"), {"q": "KP", "section": "core_document"}).content.decode()
    assert world["core"].symbol in page
    assert world["new"].symbol not in page


def test_search_keeps_html_in_bodies_escaped(client):
    DocumentFactory(
        status=Status.PUBLISHED,
        compendium_section=Section.GUIDANCE,
        title_en="Guidance <em>with</em> tags",
        body_en='Guidance <script>alert("x")</script> and <b onclick="x()">bold</b> text.',
    )
    page = client.get(url("search"), {"q": "guidance"}).content.decode()
    assert "<script>alert" not in page
    assert "<em>with</em>" not in page
    assert "&lt;em&gt;with&lt;/em&gt;" in page
    assert "<b onclick" not in page
    assert "<mark>Guidance</mark>" in page


@pytest.mark.parametrize("odd", ['"', "&|!", "()", "-", "«»", "\\", "' or 1=1", "<b>"])
def test_odd_searches_answer_200(client, world, odd):
    assert client.get(url("search"), {"q": odd}).status_code == 200


def test_too_long_search_is_400_with_a_message(client, world):
    response = client.get(url("search"), {"q": "x" * 201})
    assert response.status_code == 400
    assert "at most 200 characters" in response.content.decode()


def test_unknown_section_in_search_is_400_naming_it(client, world):
    response = client.get(url("search"), {"q": "x", "section": "laws"})
    assert response.status_code == 400
    assert "“laws” is not a section" in response.content.decode()


def test_search_without_words_shows_the_form(client, world):
    assert client.get(url("search")).status_code == 200
    assert client.get(url("search"), {"q": "  "}).status_code == 200


# --- Management (secretariat) ----------------------------------------------------------------


def test_manage_page_asks_anonymous_visitors_to_log_in(client, world):
    response = client.get(url("manage"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", ["authority", "observer", "reviewer"])
def test_manage_pages_are_forbidden_to_other_roles(client, world, role):
    client.force_login(UserFactory(role=role))
    document = world["old"]
    assert client.get(url("manage")).status_code == 403
    assert client.get(url("manage-supersede", pk=document.pk)).status_code == 403
    assert (
        client.post(url("manage-section", pk=document.pk), {f"d{document.pk}-section": ""})
    ).status_code == 403
    assert client.post(url("manage-clear", pk=document.pk)).status_code == 403
    assert (
        client.post(
            url("manage-supersede", pk=document.pk),
            {"superseded_by": world["new"].pk, "superseded_on": "2026-11-06"},
        ).status_code
        == 403
    )
    document.refresh_from_db()
    assert document.compendium_section == Section.ADMINISTRATIVE_DECISIONS
    assert document.superseded_by == world["new"]


def test_manage_page_lists_documents_with_their_marks(client, world, secretariat):
    client.force_login(secretariat)
    response = client.get(url("manage"))
    assert response.status_code == 200
    page = response.content.decode()
    assert world["draft"].symbol in page and world["core"].symbol in page


def test_manage_page_finds_documents(client, world, secretariat):
    client.force_login(secretariat)
    page = client.get(url("manage"), {"q": "Core"}).content.decode()
    assert world["core"].symbol in page
    assert world["old"].symbol not in page


def test_secretariat_sets_a_section_from_the_manage_page(client, world, secretariat):
    client.force_login(secretariat)
    document = world["core"]
    response = client.post(
        url("manage-section", pk=document.pk),
        {f"d{document.pk}-section": "other", "next": url("manage") + "?page=1"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("manage") + "?page=1"
    document.refresh_from_db()
    assert document.compendium_section == Section.OTHER
    assert AuditEntry.objects.filter(object_id=str(document.pk)).exists()


def test_bad_section_is_400_and_nothing_changes(client, world, secretariat):
    client.force_login(secretariat)
    document = world["core"]
    response = client.post(
        url("manage-section", pk=document.pk), {f"d{document.pk}-section": "laws"}
    )
    assert response.status_code == 400
    assert "“laws” is not a section" in response.content.decode()
    document.refresh_from_db()
    assert document.compendium_section == Section.CORE_DOCUMENT


def test_redirect_goes_back_only_within_the_site(client, world, secretariat):
    client.force_login(secretariat)
    document = world["core"]
    response = client.post(
        url("manage-section", pk=document.pk),
        {f"d{document.pk}-section": "other", "next": "https://evil.example/"},
    )
    assert response["Location"] == url("manage")


def test_secretariat_marks_a_document_superseded(client, world, secretariat):
    client.force_login(secretariat)
    core = world["core"]
    assert client.get(url("manage-supersede", pk=core.pk)).status_code == 200
    response = client.post(
        url("manage-supersede", pk=core.pk),
        {"superseded_by": world["new"].pk, "superseded_on": "2026-12-01"},
    )
    assert response.status_code == 302
    core.refresh_from_db()
    assert core.superseded_by == world["new"] and core.superseded_on == dt.date(2026, 12, 1)


def test_supersede_form_refuses_a_date_before_the_decision(client, world, secretariat):
    client.force_login(secretariat)
    core = world["core"]
    response = client.post(
        url("manage-supersede", pk=core.pk),
        {"superseded_by": world["new"].pk, "superseded_on": "2020-01-01"},
    )
    assert response.status_code == 400
    assert "before the date of" in response.content.decode()
    core.refresh_from_db()
    assert core.superseded_by is None


def test_supersede_form_offers_only_adopted_or_published_decisions(client, world, secretariat):
    client.force_login(secretariat)
    core = world["core"]
    response = client.post(
        url("manage-supersede", pk=core.pk),
        {"superseded_by": world["draft"].pk, "superseded_on": "2026-12-01"},
    )
    assert response.status_code == 400
    core.refresh_from_db()
    assert core.superseded_by is None


def test_supersede_form_refuses_a_circle(client, world, secretariat):
    client.force_login(secretariat)
    new = world["new"]
    response = client.post(
        url("manage-supersede", pk=new.pk),
        {"superseded_by": world["old"].pk, "superseded_on": "2026-12-01"},
    )
    assert response.status_code == 400
    assert "circle" in response.content.decode()


def test_secretariat_clears_a_supersession(client, world, secretariat):
    client.force_login(secretariat)
    old = world["old"]
    response = client.post(url("manage-clear", pk=old.pk))
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.superseded_by is None


def test_manage_pages_answer_404_for_an_unknown_document(client, secretariat):
    client.force_login(secretariat)
    assert client.get(url("manage-supersede", pk=999999)).status_code == 404
    assert client.post(url("manage-clear", pk=999999)).status_code == 404
    assert client.post(url("manage-section", pk=999999)).status_code == 404


def test_index_query_count_does_not_grow_with_the_documents(client, django_assert_max_num_queries):
    def add(first, count):
        for number in range(first, first + count):
            original = DocumentFactory(
                symbol=f"KP/2020/Plenary/Administrative Decision {number}",
                status=Status.PUBLISHED,
                compendium_section=Section.ADMINISTRATIVE_DECISIONS,
            )
            DocumentFactory(
                symbol=f"{original.symbol}/Corr.1",
                status=Status.PUBLISHED,
                revision_of=original,
                revision_kind=Document.RevisionKind.CORRIGENDUM,
            )

    add(1, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(url("index"))
    add(10, 12)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url("index"))
    assert response.content.decode().count("compendium-entry") >= 14


def test_a_translation_not_final_is_not_shown_english_is(client):
    from kpcs.plenary.models import DocumentTranslation

    document = DocumentFactory(
        status=Status.PUBLISHED,
        compendium_section=Section.GUIDANCE,
        title_en="Guidance on statistics",
        title_fr="Brouillon de traduction",
        title_es="Título anticuado",
    )
    DocumentTranslation.objects.create(
        document=document,
        language="fr",
        status="draft",
        source_fingerprint=document.source_fingerprint,
    )
    DocumentTranslation.objects.create(
        document=document, language="es", status="final", source_fingerprint="0" * 64
    )
    for language in ("fr", "es"):
        page = client.get(url("index", language)).content.decode()
        assert "Guidance on statistics" in page
        assert "Brouillon" not in page and "anticuado" not in page
    page = client.get(url("search", "fr"), {"q": "Brouillon"}).content.decode()
    results = page.split('<ol class="compendium-results">', 1)[1].split("</ol>", 1)[0]
    assert "Guidance on statistics" in results
    assert "Brouillon" not in results
