"""The documents API. Public (/api/v1/public/documents/): the released documents the caller
may read, with `symbol`, `title`, `kind`, `date`, `languages`, `pdf` and `url`, filters that
name a bad parameter, a 404 for a document outside the caller's reach. Secretariat
(/api/v1/plenary/): meetings and documents, their status moves and revisions; 401/403 for
everyone else."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from kpcs.accounts.tests.factories import api_client_as
from kpcs.plenary.models import Document, Meeting
from kpcs.plenary.tests.factories_docs import FRENCH, docs_world, document, ready_pack

pytestmark = pytest.mark.django_db

S = Document.Status
PUBLIC = "/api/v1/public/documents/"
MEETINGS = "/api/v1/plenary/meetings/"
DOCUMENTS = "/api/v1/plenary/documents/"


@pytest.fixture
def world():
    return docs_world()


def client_for(user=None) -> APIClient:
    return api_client_as(user)


def assert_error(response, status: int, code: str) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert body["status"] == status
    assert body["code"] == code
    assert body["detail"]
    return body


def symbols(response) -> set[str]:
    assert response.status_code == 200, response.json()
    return {row["symbol"] for row in response.json()["results"]}


# --- The public list -------------------------------------------------------------------------


def test_the_public_list_has_the_agreed_shape(world):
    ready_pack(world.public, ["en", "fr"])
    body = client_for().get(PUBLIC).json()
    assert set(body) >= {"count", "results"}
    row = next(r for r in body["results"] if r["symbol"] == world.public.symbol)
    assert set(row) >= {"symbol", "title", "kind", "date", "languages", "pdf", "url"}
    assert row["title"] == "Public decision"
    assert row["kind"] == "administrative_decision"
    assert row["date"] == "2026-11-06"
    assert row["languages"] == ["en", "fr", "es", "ru", "zh-hans", "ar"]
    assert set(row["pdf"]) == {"en", "fr"}
    assert row["pdf"]["fr"].startswith("http://testserver/")
    assert row["pdf"]["fr"].endswith("/pdf/fr/")
    assert row["url"] == (
        "http://testserver/en/documents/KP/2026/Plenary/Administrative%20Decision%201/"
    )
    pdf = APIClient().get(row["pdf"]["fr"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"


def test_the_title_and_links_follow_the_language_asked_for(world):
    rows = {r["symbol"]: r for r in client_for().get(PUBLIC, {"language": "fr"}).json()["results"]}
    assert rows[world.public.symbol]["title"] == FRENCH[0]
    assert rows[world.public.symbol]["title_language"] == "fr"
    assert rows[world.public.symbol]["url"].startswith("http://testserver/fr/documents/")
    assert rows[world.advance.symbol]["title_language"] == "en"


ROLES = {
    None: {"public", "advance"},
    "reviewer": {"public", "advance"},
    "other_authority": {"public", "advance", "participants"},
    "observer": {"public", "advance", "participants"},
    "member_authority": {"public", "advance", "participants", "restricted"},
    "member_observer": {"public", "advance", "participants", "restricted"},
    "secretariat": {"public", "advance", "participants", "restricted"},
}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_caller_lists_what_its_distribution_allows_and_never_a_draft(world, role):
    user = world.users()[role] if role else None
    expected = {getattr(world, name).symbol for name in ROLES[role]}
    assert symbols(client_for(user).get(PUBLIC)) == expected


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("level", ["public", "participants", "restricted", "draft", "advance"])
def test_one_document_is_a_404_for_whoever_may_not_read_it(world, role, level):
    user = world.users()[role] if role else None
    target = getattr(world, level)
    response = client_for(user).get(PUBLIC + target.symbol + "/")
    if level in ROLES[role]:
        assert response.status_code == 200
        assert response.json()["symbol"] == target.symbol
    else:
        assert_error(response, 404, "not_found")


def test_one_document_gives_its_text_in_the_language_asked_for(world):
    body = client_for().get(PUBLIC + world.public.symbol + "/", {"language": "fr"}).json()
    assert body["title"] == FRENCH[0]
    assert body["body"] == FRENCH[1]
    assert body["revision_of"] is None


def test_the_list_filters_by_kind_year_and_words(world):
    older = document(status=S.PUBLISHED, date=world.public.date.replace(year=2024))
    assert symbols(client_for().get(PUBLIC, {"kind": "communique"})) == {world.advance.symbol}
    assert symbols(client_for().get(PUBLIC, {"year": 2024})) == {older.symbol}
    assert symbols(client_for().get(PUBLIC, {"q": "communiqué"})) == {world.advance.symbol}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "poem"}, "kind"),
        ({"year": "soon"}, "year"),
        ({"year": "1999"}, "year"),
        ({"language": "xx"}, "language"),
        ({"q": "x" * 201}, "q"),
        ({"page_size": "abc"}, "page_size"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(world, params, field):
    body = assert_error(client_for().get(PUBLIC, params), 400, "invalid")
    assert field in body["errors"]


# --- The secretariat's API: access -----------------------------------------------------------


def secretariat_endpoints(world) -> list[tuple[str, str]]:
    code, pk = world.meeting.code, world.public.pk
    return [
        ("get", MEETINGS),
        ("post", MEETINGS),
        ("get", f"{MEETINGS}{code}/"),
        ("patch", f"{MEETINGS}{code}/"),
        ("post", f"{MEETINGS}{code}/agenda/"),
        ("post", f"{MEETINGS}{code}/attendance/"),
        ("get", DOCUMENTS),
        ("post", DOCUMENTS),
        ("get", f"{DOCUMENTS}{pk}/"),
        ("patch", f"{DOCUMENTS}{pk}/"),
        ("post", f"{DOCUMENTS}{pk}/status/"),
        ("post", f"{DOCUMENTS}{pk}/revise/"),
    ]


@pytest.mark.parametrize(
    "role", ["member_authority", "other_authority", "observer", "member_observer", "reviewer"]
)
def test_the_secretariat_api_is_forbidden_to_everyone_else(world, role):
    client = client_for(world.users()[role])
    for method, url in secretariat_endpoints(world):
        assert_error(getattr(client, method)(url, {}, format="json"), 403, "permission_denied")


def test_the_secretariat_api_asks_anonymous_callers_to_authenticate(world):
    for method, url in secretariat_endpoints(world):
        response = getattr(client_for(), method)(url, {}, format="json")
        assert response.status_code == 401, url


# --- The secretariat's API: meetings ---------------------------------------------------------


def test_the_secretariat_creates_reads_and_patches_a_meeting(world):
    client = client_for(world.secretariat)
    response = client.post(
        MEETINGS,
        {
            "code": "2027-plenary",
            "kind": "plenary",
            "title": "Plenary 2027",
            "titles": {"fr": "Plénière 2027"},
            "start_date": "2027-11-02",
            "end_date": "2027-11-05",
            "host": world.member.code,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["titles"]["fr"] == "Plénière 2027"
    assert body["host"] == world.member.code
    assert body["url"].endswith("/api/v1/plenary/meetings/2027-plenary/")
    patched = client.patch(MEETINGS + "2027-plenary/", {"venue": "Brussels"}, format="json").json()
    assert patched["venue"] == "Brussels"
    assert patched["title"] == "Plenary 2027"
    refused = client.patch(MEETINGS + "2027-plenary/", {"code": "x"}, format="json")
    assert "code" in assert_error(refused, 400, "invalid")["errors"]


def test_meeting_dates_out_of_order_and_a_missing_working_body_are_named(world):
    client = client_for(world.secretariat)
    body = {
        "code": "wg-2027",
        "kind": "working_body",
        "title": "WG 2027",
        "start_date": "2027-06-05",
        "end_date": "2027-06-01",
    }
    errors = assert_error(client.post(MEETINGS, body, format="json"), 400, "invalid")["errors"]
    assert "working_body" in errors
    assert "end_date" not in errors or errors["end_date"]
    body["working_body"] = "WGX"
    errors = assert_error(client.post(MEETINGS, body, format="json"), 400, "invalid")["errors"]
    assert "cannot end" in " ".join(errors["end_date"])
    assert not Meeting.objects.filter(code="wg-2027").exists()


def test_agenda_and_attendance_through_the_api(world):
    client = client_for(world.secretariat)
    base = f"{MEETINGS}{world.meeting.code}/"
    first = client.post(
        base + "agenda/",
        {"title": "Statistics", "documents": [world.public.symbol]},
        format="json",
    )
    assert first.status_code == 201, first.json()
    client.post(base + "agenda/", {"title": "Opening", "number": 1}, format="json")
    moved = client.patch(f"{base}agenda/{first.json()['id']}/", {"number": 1}, format="json").json()
    assert moved["number"] == 1
    assert moved["documents"] == [world.public.symbol]
    unknown = client.post(base + "agenda/", {"title": "X", "documents": ["nope"]}, format="json")
    assert "documents" in assert_error(unknown, 400, "invalid")["errors"]
    added = client.post(
        base + "attendance/", {"participant": world.member.code, "delegates": 3}, format="json"
    )
    assert added.status_code == 201
    again = client.post(base + "attendance/", {"participant": world.member.code}, format="json")
    assert "participant" in assert_error(again, 400, "invalid")["errors"]
    meeting = client.get(base).json()
    assert [item["title"] for item in meeting["agenda"]] == ["Statistics", "Opening"]
    assert meeting["attendance"][0]["participant"] == world.member.code
    assert client.delete(f"{base}attendance/{added.json()['id']}/").status_code == 204
    assert client.delete(f"{base}agenda/{first.json()['id']}/").status_code == 204
    assert [item["number"] for item in client.get(base).json()["agenda"]] == [1]


# --- The secretariat's API: documents --------------------------------------------------------


def test_the_secretariat_creates_a_document_with_a_normalised_symbol(world):
    client = client_for(world.secretariat)
    response = client.post(
        DOCUMENTS,
        {
            "symbol": "  KP / 2026/Plenary/Administrative  Decision 5 ",
            "kind": "administrative_decision",
            "meeting": world.meeting.code,
            "date": "2026-11-06",
            "distribution": "public",
            "title": "On the chair",
            "body": "The Plenary decides.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["symbol"] == "KP/2026/Plenary/Administrative Decision 5"
    assert body["status"] == "draft"
    assert body["languages"]["en"] == "source"
    assert body["languages"]["fr"] == "missing"
    assert body["missing_languages"] == ["fr", "es", "ru", "zh-hans"]
    duplicate = client.post(
        DOCUMENTS,
        {
            "symbol": body["symbol"].lower(),
            "kind": "communique",
            "date": "2026-11-06",
            "distribution": "public",
            "title": "Another",
        },
        format="json",
    )
    assert "already used" in " ".join(assert_error(duplicate, 400, "invalid")["errors"]["symbol"])


def test_the_secretariat_lists_documents_with_validated_filters(world):
    client = client_for(world.secretariat)
    drafts = client.get(DOCUMENTS, {"status": "draft"}).json()
    assert [row["symbol"] for row in drafts["results"]] == [world.draft.symbol]
    assert "body" not in drafts["results"][0]
    for params, field in (
        ({"status": "gone"}, "status"),
        ({"meeting": "nowhere"}, "meeting"),
        ({"kind": "x"}, "kind"),
    ):
        assert field in assert_error(client.get(DOCUMENTS, params), 400, "invalid")["errors"]


def test_a_patch_of_the_english_source_goes_through_source_edit(world):
    target = document(translated={"fr": FRENCH})
    client = client_for(world.secretariat)
    minor = client.patch(
        f"{DOCUMENTS}{target.pk}/", {"title": "Fixed title", "minor": True}, format="json"
    ).json()
    assert minor["title"] == "Fixed title"
    assert minor["languages"]["fr"] == "final"
    body = client.patch(f"{DOCUMENTS}{target.pk}/", {"body": "New text."}, format="json").json()
    assert body["body"] == "New text."
    assert body["languages"]["fr"] == "outdated"
    refused = client.patch(f"{DOCUMENTS}{target.pk}/", {"status": "published"}, format="json")
    assert "status" in assert_error(refused, 400, "invalid")["errors"]


def test_status_moves_through_the_api(world):
    target = document(translated={"fr": FRENCH})
    client = client_for(world.secretariat)
    url = f"{DOCUMENTS}{target.pk}/status/"
    adopted = client.post(url, {"action": "adopt", "date": "2026-11-06"}, format="json").json()
    assert adopted["status"] == "adopted"
    refused = client.post(url, {"action": "publish", "date": "2026-11-07"}, format="json")
    message = " ".join(assert_error(refused, 400, "invalid")["errors"]["advance"])
    assert "Spanish (es)" in message and "French" not in message
    released = client.post(url, {"action": "release_advance"}, format="json").json()
    assert (released["status"], released["advance_release"]) == ("adopted", True)
    published = client.post(
        url, {"action": "publish", "date": "2026-11-07", "advance": True}, format="json"
    ).json()
    assert published["status"] == "published"
    bad = client.post(url, {"action": "burn"}, format="json")
    assert "action" in assert_error(bad, 400, "invalid")["errors"]


def test_a_revision_through_the_api_keeps_the_history(world):
    client = client_for(world.secretariat)
    response = client.post(
        f"{DOCUMENTS}{world.public.pk}/revise/", {"kind": "revision"}, format="json"
    )
    assert response.status_code == 201, response.json()
    revision = response.json()
    assert revision["symbol"] == world.public.symbol + "/Rev.1"
    assert revision["revision_of"] == world.public.symbol
    original = client.get(f"{DOCUMENTS}{world.public.pk}/").json()
    assert original["revisions"] == [revision["symbol"]]
    assert original["status"] == "published"
    draft = client.post(f"{DOCUMENTS}{world.draft.pk}/revise/", {"kind": "revision"}, format="json")
    assert_error(draft, 400, "invalid")


def test_an_unknown_document_or_meeting_is_a_404(world):
    client = client_for(world.secretariat)
    assert_error(client.get(f"{DOCUMENTS}999999/"), 404, "not_found")
    assert_error(client.get(f"{MEETINGS}nowhere/"), 404, "not_found")


# --- Cost ------------------------------------------------------------------------------------


def test_the_public_list_does_not_query_per_document(world):
    def queries_for_list() -> int:
        client = client_for()
        client.get(PUBLIC)  # the currency of each pack is remembered after the first answer
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PUBLIC).status_code == 200
        return len(captured.captured_queries)

    ready_pack(world.public, ["en", "fr"])
    few = queries_for_list()
    for _ in range(4):
        ready_pack(document(status=S.PUBLISHED, translated={"fr": FRENCH}), ["en", "fr"])
    assert queries_for_list() == few


def test_a_remembered_pdf_link_goes_when_the_document_changes(world):
    ready_pack(world.public, ["en", "fr"])
    rows = {r["symbol"]: r for r in client_for().get(PUBLIC).json()["results"]}
    assert set(rows[world.public.symbol]["pdf"]) == {"en", "fr"}
    world.public.refresh_from_db()
    world.public.title_fr = "Un autre titre"
    world.public.save()
    rows = {r["symbol"]: r for r in client_for().get(PUBLIC).json()["results"]}
    assert rows[world.public.symbol]["pdf"] == {}
