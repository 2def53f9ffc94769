"""The pages of document packs: the secretariat starts a build (the request only queues), follows
each language's progress bar (htmx polling while anything waits), retries a failed language,
downloads the files and the ZIP. Other roles are refused; report files follow the report's own
rule. The "PDF in every language" box on the statistics summary, a review report and the
participant list."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.utils import timezone

from kpcs.accounts.tests.factories import UserFactory
from kpcs.plenary.models import DocumentPack, DocumentPackFile
from kpcs.plenary.services import packs as services
from kpcs.plenary.tests.factories import DocumentFactory, MeetingFactory
from kpcs.plenary.tests.factories_packs import install_fake_rendering, install_queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_rendering(monkeypatch):
    return install_fake_rendering(monkeypatch)


@pytest.fixture
def queue(monkeypatch):
    return install_queue(monkeypatch)


FIVE = ["en", "fr", "es", "ru", "zh-hans"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KPCS_DOCUMENT_LANGUAGES = FIVE


@pytest.fixture
def secretariat():
    return UserFactory(role="secretariat")


@pytest.fixture
def document():
    return DocumentFactory(symbol="KP/2026/Plenary/Administrative Decision 7")


@pytest.fixture
def built(fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks):
    """A document pack, built in every language but Russian (which failed)."""
    fake_rendering.fail["ru"] = -1
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.pack_request(subject="document", document=document, actor=secretariat)
    queue.run_all()
    fake_rendering.fail.clear()
    return pack


def url(name: str, *args) -> str:
    from django.urls import reverse

    return reverse(f"plenary:{name}", args=args)


# --- Starting a build ----------------------------------------------------------------------------


def test_the_secretariat_starts_a_document_pack_and_the_request_only_queues(
    client, fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("pack-build", document.pk))

    pack = DocumentPack.objects.get()
    assert response.status_code == 302
    assert response.url == url("pack", pack.pk)
    assert fake_rendering.renders == []  # no PDF rendered in the web request
    assert len(queue.queued) == 5
    page = client.get(response.url)
    assert "being built in the background" in page.content.decode()


def test_building_the_same_document_again_offers_the_same_files(
    client, built, document, secretariat, queue, django_capture_on_commit_callbacks
):
    DocumentPackFile.objects.filter(pack=built, language="ru").update(status="done", file="x.pdf")
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("pack-build", document.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("pack", built.pk)
    assert "already built from the same content" in response.content.decode()
    assert queue.queued == []


def test_a_meeting_pack_is_started_by_its_code(
    client, fake_rendering, queue, secretariat, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(code="2026-plenary")
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("meeting-pack-build", "2026-plenary"))
    pack = DocumentPack.objects.get()
    assert (pack.subject, pack.meeting_id) == ("meeting", meeting.pk)
    assert response.url == url("pack", pack.pk)
    assert client.post(url("meeting-pack-build", "no-such-meeting")).status_code == 404
    assert client.post(url("pack-build", 999999)).status_code == 404


def test_checked_languages_choose_the_pack_languages(
    client, fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("pack-build", document.pk), {"languages": ["ar", "en"]})
    assert DocumentPack.objects.get().languages == ["en", "ar"]


def test_a_bad_language_is_refused_naming_it_and_nothing_is_queued(
    client, fake_rendering, queue, document, secretariat
):
    client.force_login(secretariat)
    response = client.post(url("pack-build", document.pk), {"languages": "en,klingon"})
    assert response.status_code == 400
    assert "“klingon” is not a language" in response.content.decode()
    assert DocumentPack.objects.count() == 0


def test_report_packs_are_started_with_a_subject_and_a_key(
    client, fake_rendering, queue, secretariat, django_capture_on_commit_callbacks
):
    from kpcs.statistics.models import Release

    Release.objects.create(year=2025, number=1, published_at=timezone.now())
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("report-pack-build"), {"subject": "statistics_summary", "key": "2025/1"}
        )
    pack = DocumentPack.objects.get()
    assert response.url == url("pack", pack.pk)
    assert pack.subject_key == "2025/1"

    refused = client.post(url("report-pack-build"), {"subject": "document", "key": "1"})
    assert refused.status_code == 400
    assert "is not a report" in refused.content.decode()
    no_release = client.post(
        url("report-pack-build"), {"subject": "statistics_summary", "key": "1999/1"}
    )
    assert no_release.status_code == 400
    assert "No statistics release 1999/1" in no_release.content.decode()
    assert client.get(url("report-pack-build")).status_code == 405


# --- Following it ------------------------------------------------------------------------------


def test_the_pack_page_shows_a_progress_bar_per_language_and_polls_while_building(
    client, fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.pack_request(subject="document", document=document, actor=secretariat)
    client.force_login(secretariat)

    page = client.get(url("pack", pack.pk)).content.decode()
    assert page.count("<progress") == 6  # one per language and the whole pack
    assert 'hx-trigger="every 1s"' in page
    assert "Waiting for a worker" in page

    fragment = client.get(url("pack", pack.pk), headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode()
    assert 'hx-trigger="every 1s"' in fragment.content.decode()

    queue.run_all()
    done = client.get(url("pack", pack.pk), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done  # finished: the polling stops
    assert "Every language is ready." in done
    for language in FIVE:
        assert url("pack-file", pack.pk, language) in done
    assert url("pack-zip", pack.pk) in done


def test_a_failed_language_shows_its_error_and_a_retry_button_for_it_alone(
    client, built, secretariat, queue, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    page = client.get(url("pack", built.pk)).content.decode()
    assert "RenderingBroke: the ru renderer broke" in page
    assert 'name="language" value="ru"' in page
    assert page.count('name="language" value=') == 1
    ready = {f.language: f.file.name for f in built.files.exclude(language="ru")}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("pack-retry", built.pk), {"language": "ru"}, follow=True)
    assert "Queued again: ru." in response.content.decode()
    queue.run_all()
    assert built.files.get(language="ru").status == "done"
    assert {f.language: f.file.name for f in built.files.exclude(language="ru")} == ready


def test_retrying_a_ready_language_is_refused_with_a_message(client, built, secretariat):
    client.force_login(secretariat)
    response = client.post(url("pack-retry", built.pk), {"language": "fr"}, follow=True)
    assert "nothing to retry" in response.content.decode()


def test_with_the_broker_down_the_page_says_the_build_is_queued_and_can_queue_it_again(
    client, fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    queue.down = True
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        # (The queue is tried after commit: outside a test, before the view answers.)
        response = client.post(url("pack-build", document.pk))
    page = client.get(response.url).content.decode()
    assert "the build starts by itself when the queue is back" in page
    assert "Queue it again" in page
    pack = DocumentPack.objects.get()
    assert set(pack.files.values_list("status", flat=True)) == {"pending"}

    queue.down = False
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("pack-retry", pack.pk))
    assert len(queue.queued) == 5
    queue.run_all()
    assert set(pack.files.values_list("status", flat=True)) == {"done"}


def test_the_list_shows_every_pack_and_refuses_an_unknown_subject(client, built, secretariat):
    client.force_login(secretariat)
    page = client.get(url("packs")).content.decode()
    assert "KP/2026/Plenary/Administrative Decision 7" in page
    assert "4 / 5" in page
    assert client.get(url("packs") + "?subject=document").status_code == 200
    bad = client.get(url("packs") + "?subject=poem")
    assert bad.status_code == 400
    assert "“poem” is not something a pack is made of" in bad.content.decode()


# --- Downloads ---------------------------------------------------------------------------------


def test_a_ready_file_downloads_as_a_pdf_named_after_the_symbol(client, built, secretariat):
    client.force_login(secretariat)
    response = client.get(url("pack-file", built.pk, "fr"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "KP-2026-Plenary-Administrative-Decision-7-fr.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    not_ready = client.get(url("pack-file", built.pk, "ru"))
    assert not_ready.status_code == 404
    assert "not ready" in not_ready.content.decode()


def test_the_zip_holds_the_ready_files_and_is_named_after_the_symbol(client, built, secretariat):
    client.force_login(secretariat)
    response = client.get(url("pack-zip", built.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert (
        'filename="KP-2026-Plenary-Administrative-Decision-7.zip"'
        in (response["Content-Disposition"])
    )
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    stem = "KP-2026-Plenary-Administrative-Decision-7"
    assert sorted(archive.namelist()) == sorted(
        f"{stem}-{lang}.pdf" for lang in ("en", "fr", "es", "zh-hans")
    )
    assert archive.testzip() is None
    french = built.files.get(language="fr")
    assert archive.read(f"{stem}-fr.pdf") == french.file.read()


def test_the_zip_of_a_pack_with_nothing_ready_is_a_404(
    client, fake_rendering, queue, document, secretariat
):
    pack = services.pack_request(subject="document", document=document, actor=secretariat)
    client.force_login(secretariat)
    assert client.get(url("pack-zip", pack.pk)).status_code == 404


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["authority", "observer", "reviewer"])
def test_other_roles_may_not_build_follow_or_retry_packs(client, built, document, role):
    client.force_login(UserFactory(role=role))
    assert client.get(url("packs")).status_code == 403
    assert client.get(url("pack", built.pk)).status_code == 403
    assert client.post(url("pack-retry", built.pk), {"language": "ru"}).status_code == 403
    assert client.post(url("pack-build", document.pk)).status_code == 403
    assert client.post(url("meeting-pack-build", MeetingFactory().code)).status_code == 403
    report = {"subject": "participant_list", "key": ""}
    assert client.post(url("report-pack-build"), report).status_code == 403
    assert DocumentPack.objects.count() == 1


def test_visitors_are_sent_to_log_in(client, built, document):
    for response in (
        client.get(url("packs")),
        client.get(url("pack", built.pk)),
        client.post(url("pack-build", document.pk)),
        client.post(url("pack-retry", built.pk)),
    ):
        assert response.status_code == 302
        assert "/accounts/login/" in response.url


@pytest.mark.parametrize("role", ["authority", "observer", "reviewer", None])
def test_only_the_secretariat_downloads_document_pack_files_here(client, built, role):
    """Even a published document's PDFs go to others through its public page
    (documents:pdf), not through the secretariat's pack."""
    DocumentPack.objects.filter(pk=built.pk).update()
    built.document.status = "published"
    built.document.adopted_on = built.document.published_on = built.document.date
    built.document.save()
    if role:
        client.force_login(UserFactory(role=role))
    assert client.get(url("pack-file", built.pk, "fr")).status_code == 404
    assert client.get(url("pack-zip", built.pk)).status_code == 404


def report_pack(subject, key, secretariat, queue, captured):
    with captured(execute=True):
        pack = services.pack_request(subject=subject, key=key, actor=secretariat, languages=["en"])
    queue.run_all()
    return pack


def test_the_participant_list_and_statistics_summary_files_are_public(
    client, fake_rendering, queue, secretariat, django_capture_on_commit_callbacks
):
    from kpcs.statistics.models import Release

    Release.objects.create(year=2025, number=1, published_at=timezone.now())
    for subject, key in (("participant_list", ""), ("statistics_summary", "2025/1")):
        pack = report_pack(subject, key, secretariat, queue, django_capture_on_commit_callbacks)
        assert client.get(url("pack-file", pack.pk, "en")).status_code == 200, subject
        assert client.get(url("pack-zip", pack.pk)).status_code == 200, subject
        assert client.get(url("pack", pack.pk)).status_code == 302  # the page is not


def test_a_review_report_goes_to_whoever_may_see_the_visit_report(
    client, fake_rendering, queue, django_capture_on_commit_callbacks
):
    from kpcs.reviews.tests.factories import ReportVersionFactory
    from kpcs.reviews.tests.factories_papers import papers_world, set_status

    world = papers_world()
    ReportVersionFactory(visit=world.visit, kind="final", created_by=world.lead)
    pack = report_pack(
        "review_report",
        str(world.visit.pk),
        world.secretariat,
        queue,
        django_capture_on_commit_callbacks,
    )
    file_url = url("pack-file", pack.pk, "en")

    for allowed in (world.lead, world.member, world.authority, world.secretariat):
        client.force_login(allowed)
        assert client.get(file_url).status_code == 200
    for refused in (world.other_member, world.other_authority, world.outsider_reviewer):
        client.force_login(refused)
        assert client.get(file_url).status_code == 404
    client.logout()
    assert client.get(file_url).status_code == 404  # not published yet

    set_status(world.visit, "published")
    assert client.get(file_url).status_code == 200


# --- The "PDF in every language" box on the report pages ------------------------------------


def test_the_participant_list_page_offers_its_pdfs_and_the_secretariat_a_build_button(
    client, fake_rendering, queue, secretariat, django_capture_on_commit_callbacks
):
    page = client.get("/en/participants/").content.decode()
    assert "PDF in every language" not in page  # nothing built, nothing to build for visitors

    pack = report_pack(
        "participant_list", "", secretariat, queue, django_capture_on_commit_callbacks
    )
    page = client.get("/en/participants/").content.decode()
    assert "PDF in every language" in page
    assert url("pack-file", pack.pk, "en") in page
    assert url("report-pack-build") not in page

    client.force_login(secretariat)
    page = client.get("/en/participants/").content.decode()
    assert url("report-pack-build") in page
    assert 'name="subject" value="participant_list"' in page


def test_the_statistics_summary_page_offers_the_pdfs_of_its_release(
    client, fake_rendering, queue, secretariat, django_capture_on_commit_callbacks
):
    from kpcs.statistics.models import Release

    Release.objects.create(year=2025, number=1, published_at=timezone.now())
    client.force_login(secretariat)
    page = client.get("/en/statistics/?year=2025").content.decode()
    assert 'name="key" value="2025/1"' in page
    pack = report_pack(
        "statistics_summary", "2025/1", secretariat, queue, django_capture_on_commit_callbacks
    )
    client.logout()
    page = client.get("/en/statistics/?year=2025").content.decode()
    assert url("pack-file", pack.pk, "en") in page


def test_the_final_review_report_page_offers_its_pdfs(
    client, fake_rendering, queue, django_capture_on_commit_callbacks
):
    from kpcs.reviews.tests.factories import ReportVersionFactory
    from kpcs.reviews.tests.factories_papers import papers_world

    world = papers_world()
    ReportVersionFactory(visit=world.visit, kind="final", created_by=world.lead)
    report_url = f"/en/reviews/visits/{world.visit.pk}/report/"
    client.force_login(world.secretariat)
    assert 'name="subject" value="review_report"' in client.get(report_url).content.decode()
    pack = report_pack(
        "review_report",
        str(world.visit.pk),
        world.secretariat,
        queue,
        django_capture_on_commit_callbacks,
    )
    client.force_login(world.authority)
    page = client.get(report_url).content.decode()
    assert url("pack-file", pack.pk, "en") in page
    assert url("report-pack-build") not in page  # the build is the secretariat's


def test_the_list_page_and_api_read_as_many_queries_for_many_packs_as_for_few(
    client, fake_rendering, queue, secretariat
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from kpcs.reviews.tests.factories import ReportVersionFactory

    def add_packs() -> None:
        document: Any = DocumentFactory()
        meeting: Any = MeetingFactory()
        services.pack_request(subject="document", document=document, actor=secretariat)
        services.pack_request(subject="meeting", meeting=meeting, actor=secretariat)
        final: Any = ReportVersionFactory(kind="final")
        key = str(final.visit_id)
        services.pack_request(subject="review_report", key=key, actor=secretariat)

    def counts() -> tuple[int, int]:
        client.force_login(secretariat)
        api = APIClient()
        api.force_authenticate(secretariat)
        with CaptureQueriesContext(connection) as page:
            assert client.get(url("packs")).status_code == 200
        with CaptureQueriesContext(connection) as listing:
            assert api.get("/api/v1/plenary/packs/").status_code == 200
        return len(page), len(listing)

    add_packs()
    few = counts()
    add_packs()
    add_packs()
    assert counts() == few


def test_the_build_button_for_the_document_and_meeting_pages(
    rf, fake_rendering, queue, built, document, secretariat
):
    from django.template import engines

    template = engines["django"].from_string(
        '{% include "plenary/packs/_build_button.html" with pack_document=document %}'
        '{% include "plenary/packs/_build_button.html" with pack_meeting=meeting %}'
    )
    meeting = MeetingFactory(code="2027-plenary")
    request = rf.get("/")
    request.user = secretariat
    html = template.render({"document": document, "meeting": meeting}, request)
    assert url("pack-build", document.pk) in html
    assert url("pack", built.pk) in html  # the latest pack of the document
    assert url("meeting-pack-build", "2027-plenary") in html
    request.user = UserFactory(role="authority")
    assert "form" not in template.render({"document": document, "meeting": meeting}, request)


def test_a_file_lost_from_storage_is_left_out_of_the_zip_not_a_broken_download(
    client, built, secretariat
):
    client.force_login(secretariat)
    lost = built.files.get(language="fr")
    lost.file.storage.delete(lost.file.name)
    response = client.get(url("pack-zip", built.pk))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    stem = "KP-2026-Plenary-Administrative-Decision-7"
    assert sorted(archive.namelist()) == sorted(
        f"{stem}-{lang}.pdf" for lang in ("en", "es", "zh-hans")
    )
    assert archive.testzip() is None
