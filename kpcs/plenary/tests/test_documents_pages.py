"""The document pages. Public: the list with its filters and search, the stable page of each
document by its symbol in every language (numbered paragraphs, headings, tables, the other
languages, a note and English when a language is missing or outdated), the PDFs; and who sees
what at each distribution level (a document the user may not see is a 404 everywhere).
Secretariat: the list, a new document, its page, edit, status moves and revisions (403 for
everyone else)."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from kpcs.plenary.models import Document, DocumentTranslation
from kpcs.plenary.tests.factories_docs import (
    ALL_TRANSLATIONS,
    FRENCH,
    docs_world,
    document,
    ready_pack,
)

pytestmark = pytest.mark.django_db

S = Document.Status
LIST = "/en/documents/"


@pytest.fixture
def world():
    return docs_world()


def page(document: Document, language: str = "en") -> str:
    return reverse("documents:detail", args=[document.symbol]).replace("/en/", f"/{language}/", 1)


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


# --- URL names -------------------------------------------------------------------------------


def test_the_url_names_are_those_agreed(world):
    symbol = world.public.symbol
    assert reverse("documents:list") == LIST
    assert reverse("documents:detail", args=[symbol]) == (
        "/en/documents/KP/2026/Plenary/Administrative%20Decision%201/"
    )
    assert reverse("documents:pdf", args=[symbol, "fr"]).endswith("/pdf/fr/")
    pk = world.public.pk
    assert reverse("plenary:documents") == "/en/plenary/documents/"
    assert reverse("plenary:document-create") == "/en/plenary/documents/new/"
    assert reverse("plenary:document", args=[pk]) == f"/en/plenary/documents/{pk}/"
    assert reverse("plenary:document-edit", args=[pk]).endswith(f"/{pk}/edit/")
    assert reverse("plenary:document-status", args=[pk]).endswith(f"/{pk}/status/")
    assert reverse("plenary:document-revise", args=[pk]).endswith(f"/{pk}/revise/")


# --- Who sees what ---------------------------------------------------------------------------

VISIBLE = {
    None: {"public", "advance"},
    "reviewer": {"public", "advance"},
    "other_authority": {"public", "advance", "participants"},
    "observer": {"public", "advance", "participants"},
    "member_authority": {"public", "advance", "participants", "restricted"},
    "member_observer": {"public", "advance", "participants", "restricted"},
    "secretariat": {"public", "advance", "participants", "restricted"},
}


@pytest.mark.parametrize("role", list(VISIBLE))
def test_the_public_list_shows_what_each_role_may_read(client, world, role):
    user = world.users()[role] if role else None
    response = as_user(client, user).get(LIST)
    assert response.status_code == 200
    listed = {row["document"].pk for row in response.context["rows"]}
    expected = {getattr(world, name).pk for name in VISIBLE[role]}
    assert listed == expected


@pytest.mark.parametrize("role", list(VISIBLE))
@pytest.mark.parametrize("level", ["public", "participants", "restricted", "draft", "advance"])
def test_each_document_page_is_a_404_for_whoever_may_not_read_it(client, world, role, level):
    user = world.users()[role] if role else None
    target = getattr(world, level)
    response = as_user(client, user).get(page(target))
    may_read = level in VISIBLE[role] or (role == "secretariat" and level == "draft")
    assert response.status_code == (200 if may_read else 404)
    if not may_read:
        assert target.title_en not in response.content.decode()


def test_the_pdf_of_a_document_one_may_not_read_is_a_404_even_when_ready(client, world):
    ready_pack(world.restricted, ["en"])
    url = reverse("documents:pdf", args=[world.restricted.symbol, "en"])
    assert as_user(client, world.other_authority).get(url).status_code == 404
    client.logout()
    assert as_user(client, world.member_authority).get(url).status_code == 200


def test_a_working_body_document_is_for_members_of_this_year_only(client, world):
    membership = world.member.working_body_memberships.get()
    membership.year_to = membership.year_from
    membership.save()
    assert as_user(client, world.member_authority).get(page(world.restricted)).status_code == 404


def test_the_secretariat_previews_a_draft_with_a_note(client, world):
    response = as_user(client, world.secretariat).get(page(world.draft))
    assert "not released: only the secretariat" in text(response)


# --- One document ----------------------------------------------------------------------------


def test_the_page_shows_the_text_with_numbered_paragraphs_headings_and_tables(client):
    shown = document(
        status=S.PUBLISHED,
        body_en=(
            "# Decisions\n\nThe Plenary decides.\nSecond line.\n\n"
            "| Participant | Carats |\n|---|---|\n| Botswana | 100 |\n\n"
            "It enters into force."
        ),
    )
    body = client.get(page(shown)).content.decode()
    assert '<h2 id="h1">Decisions</h2>' in body
    assert 'id="para-1"' in body
    assert '">1.</a> <span class="paragraph-text">The Plenary decides.<br>Second line.' in body
    assert '">2.</a> <span class="paragraph-text">It enters into force.' in body
    assert '<th scope="col">Participant</th>' in body
    assert "<td>Botswana</td>" in body


def test_html_in_titles_and_bodies_is_shown_as_text(client):
    shown = document(
        status=S.PUBLISHED,
        title_en="<script>alert(1)</script> decision",
        body_en="<b>bold</b> & <img src=x onerror=alert(1)>",
    )
    body = client.get(page(shown)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; decision" in body
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img" in body
    listing = client.get(LIST).content.decode()
    assert "<script>alert(1)" not in listing


def test_the_page_in_french_shows_the_french_version_and_links_the_other_languages(client, world):
    response = client.get(page(world.public, "fr"))
    body = text(response)
    assert FRENCH[0] in body
    assert "La Plénière décide." in body
    assert 'href="/ar/documents/KP/2026/Plenary/Administrative%20Decision%201/"' in body
    assert 'lang="fr"' in body


def test_the_arabic_version_is_laid_out_right_to_left(client, world):
    body = client.get(page(world.public, "ar")).content.decode()
    assert 'class="document-body" lang="ar" dir="rtl"' in body


# The notes are shown in the page's language: compare with the catalogue's wording.
MISSING_NOTE = (
    "This document is not available in this language (%(language)s) yet; the English version "
    "is shown."
)
OUTDATED_NOTE = (
    "The version in this language (%(language)s) is being updated after a change of the text; "
    "the English version is shown."
)


def _note_start(language: str, message: str) -> str:
    from django.utils import translation

    with translation.override(language):
        translated = translation.gettext(message)
    assert translated != message or language == "en"
    return translated.split("%(language)s")[0].strip()


def test_a_missing_language_shows_english_with_a_note(client):
    shown = document(status=S.PUBLISHED, translated={"fr": FRENCH})
    response = client.get(page(shown, "ru"))
    body = text(response)
    assert _note_start("ru", MISSING_NOTE) in body
    assert shown.title_en in body
    assert response.context["text"]["language"] == "en"


def test_an_outdated_language_shows_english_with_a_note(client):
    shown = document(status=S.PUBLISHED, translated={"fr": FRENCH})
    DocumentTranslation.objects.filter(document=shown, language="fr").update(
        source_fingerprint="0" * 64
    )
    body = text(client.get(page(shown, "fr")))
    assert _note_start("fr", OUTDATED_NOTE) in body
    assert FRENCH[0] not in body


def test_a_draft_translation_is_not_shown(client):
    shown = document(status=S.PUBLISHED, translated={"fr": FRENCH})
    DocumentTranslation.objects.filter(document=shown, language="fr").update(status="draft")
    response = client.get(page(shown, "fr"))
    assert response.context["text"]["language"] == "en"
    assert [v["code"] for v in response.context["versions"]] == ["en"]


def test_an_advance_version_says_so(client, world):
    assert "Advance version" in text(client.get(page(world.advance)))


def test_a_revised_document_shows_what_revised_it(client, world):
    revision = document(
        symbol=world.public.symbol + "/Rev.1",
        status=S.PUBLISHED,
        revision_of=world.public,
        revision_kind="revision",
    )
    body = text(client.get(page(world.public)))
    assert "Revised by:" in body
    assert revision.symbol in body
    assert world.public.symbol in text(client.get(page(revision)))


def test_an_unreleased_revision_is_not_announced(client, world):
    document(
        symbol=world.public.symbol + "/Rev.1",
        revision_of=world.public,
        revision_kind="revision",
    )
    assert "Revised by:" not in text(client.get(page(world.public)))


# --- PDFs ------------------------------------------------------------------------------------


def test_the_page_links_the_ready_pdfs_of_the_current_content(client, world):
    ready_pack(world.public, ["en", "fr"])
    response = client.get(page(world.public))
    codes = [pdf["code"] for pdf in response.context["pdfs"]]
    assert codes == ["en", "fr"]
    pdf = client.get(response.context["pdfs"][1]["url"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["X-Content-Type-Options"] == "nosniff"
    assert "inline" in pdf["Content-Disposition"]
    assert b"%PDF" in b"".join(pdf.streaming_content)


def test_a_pdf_of_older_content_is_not_offered(client, world):
    ready_pack(world.public, ["en", "fr"])
    Document.objects.filter(pk=world.public.pk).update(title_fr="Nouveau titre")
    response = client.get(page(world.public))
    assert response.context["pdfs"] == []
    missing = client.get(reverse("documents:pdf", args=[world.public.symbol, "fr"]))
    assert missing.status_code == 404
    assert "No PDF of" in text(missing)


def test_a_pdf_in_an_unknown_language_is_a_404_naming_it(client, world):
    response = client.get(reverse("documents:pdf", args=[world.public.symbol, "xx"]))
    assert response.status_code == 404
    assert "“xx” is not a language" in text(response)


# --- The list --------------------------------------------------------------------------------


def test_the_list_filters_by_kind_meeting_year_and_words(client, world):
    other_year = document(status=S.PUBLISHED, date=world.public.date.replace(year=2024))

    def listed(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.content
        return {row["document"].pk for row in response.context["rows"]}

    assert listed(kind="communique") == {world.advance.pk}
    assert listed(year=2024) == {other_year.pk}
    assert listed(meeting=world.meeting.code) == {world.public.pk, world.advance.pk}
    assert listed(q="communiqué") == {world.advance.pk}


def test_the_list_shows_titles_in_the_current_language(client, world):
    response = client.get("/fr/documents/")
    rows = {row["document"].pk: row for row in response.context["rows"]}
    assert rows[world.public.pk]["text"]["title"] == FRENCH[0]
    assert rows[world.advance.pk]["text"]["title"] == world.advance.title_en


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"kind": "poem"}, "“poem” is not a kind of document"),
        ({"year": "1850"}, "Give a year from 2000 to 2100"),
        ({"year": "soon"}, "four digits"),
        ({"meeting": "nowhere"}, "“nowhere” is not the code of a meeting"),
        ({"q": "x" * 201}, "at most 200"),
    ],
)
def test_a_bad_filter_is_named_and_lists_nothing(client, world, params, words):
    response = client.get(LIST, params)
    assert response.status_code == 400
    assert words in text(response)
    assert response.context["rows"] == []


def test_a_page_number_that_is_not_one_is_a_404(client, world):
    assert client.get(LIST, {"page": "abc"}).status_code == 404


# --- The secretariat's pages -----------------------------------------------------------------


SECRETARIAT_PAGES = [
    ("plenary:documents", False),
    ("plenary:document-create", False),
    ("plenary:document", True),
    ("plenary:document-edit", True),
    ("plenary:document-revise", True),
]


@pytest.mark.parametrize(("name", "with_pk"), SECRETARIAT_PAGES)
@pytest.mark.parametrize(
    "role", ["member_authority", "other_authority", "observer", "member_observer", "reviewer"]
)
def test_the_secretariat_pages_are_forbidden_to_everyone_else(client, world, name, with_pk, role):
    url = reverse(name, args=[world.public.pk] if with_pk else [])
    response = as_user(client, world.users()[role]).get(url)
    assert response.status_code == 403
    posted = client.post(url, {"symbol": "X", "title": "Y"})
    assert posted.status_code == 403


@pytest.mark.parametrize(("name", "with_pk"), SECRETARIAT_PAGES)
def test_anonymous_visitors_go_to_the_log_in_page(client, world, name, with_pk):
    response = client.get(reverse(name, args=[world.public.pk] if with_pk else []))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_status_moves_are_forbidden_to_everyone_else(client, world):
    url = reverse("plenary:document-status", args=[world.draft.pk])
    response = as_user(client, world.member_authority).post(url, {"action": "adopt"})
    assert response.status_code == 403
    world.draft.refresh_from_db()
    assert world.draft.status == S.DRAFT


def test_an_unknown_document_number_is_a_404_for_the_secretariat(client, world):
    response = as_user(client, world.secretariat).get(reverse("plenary:document", args=[99999]))
    assert response.status_code == 404


def test_the_secretariat_list_shows_drafts_and_filters_by_status(client, world):
    client = as_user(client, world.secretariat)
    response = client.get(reverse("plenary:documents"))
    assert {row["document"].pk for row in response.context["rows"]} >= {
        world.draft.pk,
        world.restricted.pk,
    }
    drafts = client.get(reverse("plenary:documents"), {"status": "draft"})
    assert [row["document"].pk for row in drafts.context["rows"]] == [world.draft.pk]
    bad = client.get(reverse("plenary:documents"), {"status": "gone"})
    assert bad.status_code == 400
    assert "“gone” is not a status" in text(bad)


def new_document(**values: str) -> dict[str, str]:
    return {
        "symbol": " KP/2026/Plenary/Administrative  Decision 9 ",
        "kind": "administrative_decision",
        "meeting": "2026-plenary",
        "date": "2026-11-06",
        "distribution": "public",
        "title": "On the statistics",
        "body": "The Plenary decides.",
    } | values


def test_the_secretariat_creates_a_document(client, world):
    client = as_user(client, world.secretariat)
    assert client.get(reverse("plenary:document-create")).status_code == 200
    response = client.post(reverse("plenary:document-create"), new_document())
    made = Document.objects.get(symbol="KP/2026/Plenary/Administrative Decision 9")
    assert response.status_code == 302
    assert response["Location"] == reverse("plenary:document", args=[made.pk])
    assert made.meeting == world.meeting
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert "is recorded as a draft" in text(detail)


def test_a_duplicate_symbol_is_named_at_the_field(client, world):
    client = as_user(client, world.secretariat)
    response = client.post(
        reverse("plenary:document-create"), new_document(symbol=world.public.symbol.upper())
    )
    assert response.status_code == 400
    assert "is already used by “Public decision”" in text(response)


def test_a_restricted_document_without_its_working_body_is_refused(client, world):
    client = as_user(client, world.secretariat)
    response = client.post(
        reverse("plenary:document-create"), new_document(distribution="working_body")
    )
    assert response.status_code == 400
    assert "needs that working body" in text(response)
    response = client.post(
        reverse("plenary:document-create"),
        new_document(distribution="working_body", working_body="WGX"),
    )
    assert response.status_code == 302


def test_the_document_page_links_the_language_matrix_and_the_pack_build(client, world):
    response = as_user(client, world.secretariat).get(
        reverse("plenary:document", args=[world.public.pk])
    )
    body = response.content.decode()
    assert reverse("plenary:document-languages", args=[world.public.pk]) in body
    assert reverse("plenary:pack-build", args=[world.public.pk]) in body
    assert "Revisions and history" in body


def test_the_edit_page_saves_the_source_through_source_edit(client, world):
    target = document(translated={"fr": FRENCH})
    client = as_user(client, world.secretariat)
    url = reverse("plenary:document-edit", args=[target.pk])
    assert client.get(url).status_code == 200
    values = new_document(symbol=target.symbol, meeting="", title=target.title_en, body="Changed.")
    response = client.post(url, values)
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.body_en == "Changed."
    matrix = client.get(reverse("plenary:document", args=[target.pk])).context["states"]
    assert {row["code"]: row["state"] for row in matrix}["fr"] == "outdated"


def test_a_minor_edit_on_the_page_keeps_translations_current(client, world):
    target = document(translated={"fr": FRENCH})
    client = as_user(client, world.secretariat)
    values = new_document(
        symbol=target.symbol, meeting="", title=target.title_en + ".", body=target.body_en
    )
    values["minor"] = "on"
    client.post(reverse("plenary:document-edit", args=[target.pk]), values)
    states = client.get(reverse("plenary:document", args=[target.pk])).context["states"]
    assert {row["code"]: row["state"] for row in states}["fr"] == "final"


def test_publishing_with_missing_languages_lists_them_and_changes_nothing(client, world):
    target = document(status=S.ADOPTED, translated={"fr": FRENCH})
    client = as_user(client, world.secretariat)
    response = client.post(
        reverse("plenary:document-status", args=[target.pk]),
        {"action": "publish", "date": "2026-11-07"},
    )
    assert response.status_code == 400
    body = text(response)
    assert "Spanish (es)" in body and "Russian (ru)" in body
    target.refresh_from_db()
    assert target.status == S.ADOPTED


def test_the_secretariat_adopts_then_publishes_an_advance_version_on_purpose(client, world):
    target = document()
    client = as_user(client, world.secretariat)
    url = reverse("plenary:document-status", args=[target.pk])
    response = client.post(url, {"action": "adopt", "date": "2026-11-06"})
    assert response.status_code == 302
    response = client.post(url, {"action": "publish", "date": "2026-11-07", "advance": "on"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.advance_release) == (S.PUBLISHED, True)
    assert "published as an advance version" in text(client.get(response["Location"]))


def test_the_secretariat_publishes_when_every_language_is_final(client, world):
    target = document(status=S.ADOPTED, translated=ALL_TRANSLATIONS)
    client = as_user(client, world.secretariat)
    response = client.post(
        reverse("plenary:document-status", args=[target.pk]),
        {"action": "publish", "date": "2026-11-07"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.advance_release) == (S.PUBLISHED, False)


def test_an_advance_release_without_publishing(client, world):
    target = document(status=S.ADOPTED)
    client = as_user(client, world.secretariat)
    client.post(reverse("plenary:document-status", args=[target.pk]), {"action": "release_advance"})
    target.refresh_from_db()
    assert (target.status, target.advance_release) == (S.ADOPTED, True)
    client.logout()
    assert client.get(page(target)).status_code == 200


def test_an_illegal_move_is_said_above_the_page(client, world):
    client = as_user(client, world.secretariat)
    response = client.post(
        reverse("plenary:document-status", args=[world.public.pk]), {"action": "adopt"}
    )
    assert response.status_code == 400
    assert "already published" in text(response)
    response = client.post(
        reverse("plenary:document-status", args=[world.public.pk]), {"action": "explode"}
    )
    assert response.status_code == 400


def test_the_secretariat_issues_a_corrigendum(client, world):
    client = as_user(client, world.secretariat)
    url = reverse("plenary:document-revise", args=[world.public.pk])
    assert "/Corr.1" in text(client.get(url))
    response = client.post(url, {"kind": "corrigendum", "date": "2026-11-20"})
    corrigendum = Document.objects.get(symbol=world.public.symbol + "/Corr.1")
    assert response["Location"] == reverse("plenary:document", args=[corrigendum.pk])
    original = client.get(reverse("plenary:document", args=[world.public.pk]))
    assert corrigendum.symbol in text(original)


def test_the_edit_page_of_a_published_document_keeps_its_text(client, world):
    client = as_user(client, world.secretariat)
    url = reverse("plenary:document-edit", args=[world.public.pk])
    form = client.get(url).context["form"]
    assert form.fields["body"].disabled and form.fields["symbol"].disabled
    values = new_document(symbol="changed", title="Changed", body="Changed.", meeting="")
    values["compendium_section"] = "administrative_decisions"
    response = client.post(url, values)
    assert response.status_code == 302, response.context["form"].errors
    world.public.refresh_from_db()
    assert world.public.title_en == "Public decision"
    assert world.public.symbol == "KP/2026/Plenary/Administrative Decision 1"
    assert world.public.compendium_section == "administrative_decisions"


def test_a_ready_pdf_lost_from_storage_is_a_404_not_an_error(client, world):
    pack = ready_pack(world.public, ["en", "fr"])
    lost = pack.files.get(language="fr")
    lost.file.storage.delete(lost.file.name)
    response = client.get(reverse("documents:pdf", args=[world.public.symbol, "fr"]))
    assert response.status_code == 404
    assert "No PDF of" in text(response)
