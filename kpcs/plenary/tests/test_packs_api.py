"""The document packs API (/api/v1/plenary/packs/): the secretariat asks for a pack (202, the
build queued), follows it language by language and retries; others are refused; bad input
answers 400 naming the field; a ready file downloads with a token."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from kpcs.accounts.tests.factories import UserFactory
from kpcs.plenary.models import DocumentPack
from kpcs.plenary.tests.factories import DocumentFactory, MeetingFactory
from kpcs.plenary.tests.factories_packs import install_fake_rendering, install_queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_rendering(monkeypatch):
    return install_fake_rendering(monkeypatch)


@pytest.fixture
def queue(monkeypatch):
    return install_queue(monkeypatch)


PACKS = "/api/v1/plenary/packs/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KPCS_DOCUMENT_LANGUAGES = ["en", "fr", "es", "ru", "zh-hans"]


@pytest.fixture
def secretariat():
    return UserFactory(role="secretariat")


@pytest.fixture
def api(secretariat):
    client = APIClient()
    client.force_authenticate(secretariat)
    return client


@pytest.fixture
def document():
    return DocumentFactory(symbol="KP/2026/Plenary/Communiqué")


def post(api, captured, path, data):
    with captured(execute=True):
        return api.post(path, data, format="json")


def test_asking_for_a_document_pack_answers_202_with_every_language_queued(
    api, fake_rendering, queue, document, django_capture_on_commit_callbacks
):
    response = post(
        api,
        django_capture_on_commit_callbacks,
        PACKS,
        {"subject": "document", "document": "KP/2026/Plenary/Communiqué"},
    )
    assert response.status_code == 202
    body = response.json()
    pack = DocumentPack.objects.get()
    assert body["id"] == pack.pk
    assert (body["subject"], body["document"], body["key"]) == (
        "document",
        "KP/2026/Plenary/Communiqué",
        str(document.pk),
    )
    assert body["languages"] == ["en", "fr", "es", "ru", "zh-hans"]
    assert body["state"] == "queued"
    assert [f["status"] for f in body["files"]] == ["pending"] * 5
    assert all(f["url"] is None for f in body["files"])
    assert body["urls"]["self"].endswith(f"{PACKS}{pack.pk}/")
    assert fake_rendering.renders == []
    assert len(queue.queued) == 5


def test_following_a_pack_shows_each_language_and_the_file_urls(
    api, fake_rendering, queue, document, django_capture_on_commit_callbacks
):
    fake_rendering.fail["ru"] = -1
    created = post(
        api,
        django_capture_on_commit_callbacks,
        PACKS,
        {"subject": "document", "document": str(document.pk), "languages": ["en", "ru"]},
    ).json()
    queue.run_all()

    body = api.get(created["urls"]["self"]).json()
    assert body["state"] == "failed"
    assert body["finished"] is True
    assert body["progress"] == {"done": 1, "failed": 1, "total": 2, "percent": 50}
    english, russian = body["files"]
    assert english["status"] == "done"
    assert english["url"].endswith(f"{PACKS}{body['id']}/files/en/")
    assert english["pages"] == 3
    assert russian["status"] == "failed"
    assert russian["attempts"] == 3
    assert "renderer broke" in russian["error"]

    download = api.get(english["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert api.get(f"{PACKS}{body['id']}/files/ru/").status_code == 404

    fake_rendering.fail.clear()
    retried = post(
        api, django_capture_on_commit_callbacks, created["urls"]["retry"], {"languages": ["ru"]}
    )
    assert retried.status_code == 202
    queue.run_all()
    assert api.get(created["urls"]["self"]).json()["state"] == "ready"


def test_the_same_content_asked_for_again_is_the_same_pack(
    api, fake_rendering, queue, document, django_capture_on_commit_callbacks
):
    data = {"subject": "document", "document": document.symbol}
    first = post(api, django_capture_on_commit_callbacks, PACKS, data).json()
    queue.run_all()
    second = post(api, django_capture_on_commit_callbacks, PACKS, data).json()
    assert second["id"] == first["id"]
    assert second["state"] == "ready"
    assert queue.queued == []


def test_meeting_and_report_packs(api, fake_rendering, queue, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(code="2026-intersessional")
    body = post(
        api,
        django_capture_on_commit_callbacks,
        PACKS,
        {"subject": "meeting", "meeting": "2026-intersessional", "languages": ["fr"]},
    ).json()
    assert (body["meeting"], body["key"]) == ("2026-intersessional", str(meeting.pk))
    report = post(
        api,
        django_capture_on_commit_callbacks,
        PACKS,
        {"subject": "participant_list", "languages": ["ar"]},
    ).json()
    assert (report["subject"], report["key"], report["languages"]) == (
        "participant_list",
        "",
        ["ar"],
    )
    assert api.get(PACKS).json()["count"] == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"subject": "poem"}, "subject", "is not something a pack is made of"),
        ({}, "subject", "Say what the pack is of"),
        ({"subject": "document", "document": "KP/none"}, "document", "No document has the symbol"),
        ({"subject": "document"}, "document", "Name the document"),
        ({"subject": "meeting", "meeting": "nowhere"}, "meeting", "No meeting has the code"),
        (
            {"subject": "statistics_summary", "key": "2020/9"},
            "key",
            "No statistics release 2020/9",
        ),
        ({"subject": "participant_list", "languages": ["tlh"]}, "languages", "“tlh”"),
        ({"subject": "participant_list", "languages": []}, "languages", ""),
    ],
)
def test_bad_input_is_refused_naming_the_field(api, fake_rendering, queue, data, field, message):
    response = api.post(PACKS, data, format="json")
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"]
    assert message in " ".join(body["errors"][field])
    assert DocumentPack.objects.count() == 0


@pytest.mark.parametrize("role", ["authority", "observer", "reviewer"])
def test_other_roles_are_refused(fake_rendering, queue, document, role):
    client = APIClient()
    client.force_authenticate(UserFactory(role=role))
    assert (
        client.post(PACKS, {"subject": "document", "document": document.symbol}).status_code == 403
    )
    assert client.get(PACKS).status_code == 403
    assert client.get(f"{PACKS}1/").status_code == 403
    assert client.post(f"{PACKS}1/retry/").status_code == 403
    assert DocumentPack.objects.count() == 0


def test_without_credentials_the_api_answers_401(fake_rendering, document):
    client = APIClient()
    assert client.post(PACKS, {"subject": "participant_list"}).status_code == 401
    assert client.get(PACKS).status_code == 401


def test_a_document_pack_file_is_not_for_others(
    api, fake_rendering, queue, document, django_capture_on_commit_callbacks
):
    body = post(
        api,
        django_capture_on_commit_callbacks,
        PACKS,
        {"subject": "document", "document": document.symbol, "languages": ["en"]},
    ).json()
    queue.run_all()
    other = APIClient()
    other.force_authenticate(UserFactory(role="authority"))
    assert other.get(f"{PACKS}{body['id']}/files/en/").status_code == 404
    assert APIClient().get(f"{PACKS}{body['id']}/files/en/").status_code == 404


def test_an_unknown_pack_is_a_404(api):
    assert api.get(f"{PACKS}999999/").status_code == 404
    assert api.post(f"{PACKS}999999/retry/").status_code == 404


def test_retrying_a_ready_language_is_refused(
    api, fake_rendering, queue, document, django_capture_on_commit_callbacks
):
    body = post(
        api,
        django_capture_on_commit_callbacks,
        PACKS,
        {"subject": "document", "document": document.symbol, "languages": ["en"]},
    ).json()
    queue.run_all()
    response = api.post(body["urls"]["retry"], {"languages": ["en"]}, format="json")
    assert response.status_code == 400
    assert "language" in response.json()["errors"]
