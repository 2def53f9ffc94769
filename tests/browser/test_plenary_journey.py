"""A plenary document from draft to PDFs, in the browser, with a real Celery worker: the
secretariat creates the document, fills the French and Arabic versions, reads the language
matrix, asks for the PDFs, watches the progress bar of each language until the worker has
built them, and downloads the Arabic PDF (its text, in Arabic, read back from the file)."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from kpcs.accounts.tests.factories import UserFactory
from kpcs.plenary.models import Document, DocumentPackFile
from tests.browser.conftest import ARTIFACTS, log_in
from tests.worker import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = "en,fr,ar"
BODY_EN = "The Plenary adopts the peer review schedule.\n\nThe Chair reports on it next year."
BODY_FR = "La Plénière adopte le calendrier des examens.\n\nLa présidence en rend compte."
BODY_AR = "يعتمد الاجتماع العام جدول الاستعراض.\n\nويقدم الرئيس تقريرا عنه في العام المقبل."


@pytest.fixture
def three_languages(settings, monkeypatch, tmp_path):
    """Documents here are issued in English, French and Arabic, in the web process and in the
    worker (which reads the environment); files go where both look."""
    settings.KPCS_DOCUMENT_LANGUAGES = LANGUAGES.split(",")
    monkeypatch.setenv("KPCS_DOCUMENT_LANGUAGES", LANGUAGES)
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_secretariat_translates_a_document_and_downloads_its_pdfs(
    three_languages, worker, live_server, browser, reference_data
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    UserFactory(username="sec", role="secretariat")
    base = live_server.url
    page = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(20_000)
    log_in(page, base, "sec")  # through the form, with the two-factor step

    # The English source.
    page.locator("nav.main-nav").get_by_role("link", name="Plenary").click()
    page.locator("main").get_by_role("link", name="New document").first.click()
    page.get_by_label("Symbol").fill("KP/2026/Plenary/Administrative Decision 7")
    page.get_by_label("Kind").select_option("administrative_decision")
    page.locator("input[name=date]").fill("2026-11-06")
    page.get_by_label("Distribution").select_option("public")
    page.get_by_label("Title (English)").fill("Peer review schedule")
    page.get_by_label("Body (English)").fill(BODY_EN)
    page.get_by_role("button", name="Create the document").click()
    page.wait_for_url(re.compile(r".*/plenary/documents/\d+/$"))
    document = Document.objects.get(symbol="KP/2026/Plenary/Administrative Decision 7")

    # Two translations, both final.
    for language, title, body in (
        ("fr", "Calendrier des examens", BODY_FR),
        ("ar", "جدول الاستعراض", BODY_AR),
    ):
        page.goto(f"{base}/en/plenary/documents/{document.pk}/languages/{language}/")
        page.locator("input[name=title]").fill(title)
        page.locator("textarea[name=body]").fill(body)
        page.get_by_label("final", exact=True).check()
        page.get_by_role("button", name="Save").click()
        page.wait_for_load_state()
    assert page.locator("textarea[name=body]").get_attribute("dir") == "rtl"

    # The matrix: English the source, French and Arabic final, the others missing.
    page.goto(f"{base}/en/plenary/documents/{document.pk}/languages/")
    page.screenshot(path=str(ARTIFACTS / "plenary-language-matrix.png"), full_page=True)
    matrix = page.locator("main").inner_text()
    assert "final" in matrix and "missing" in matrix

    # The PDFs: the page follows the worker language by language.
    page.goto(f"{base}/en/plenary/documents/{document.pk}/")
    page.get_by_role("button", name="Build the PDFs").click()
    page.wait_for_url(re.compile(r".*/plenary/packs/\d+/$"))
    page.locator("#pack-progress progress").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "plenary-pack-progress.png"), full_page=True)
    assert wait_for(
        lambda: DocumentPackFile.objects.filter(status="done").count() == 3, seconds=180
    ), list(DocumentPackFile.objects.values_list("language", "status", "error"))
    page.locator('#pack-progress[data-state="ready"]').wait_for(timeout=30_000)
    assert page.locator("#pack-progress > progress").get_attribute("value") == "100"
    page.screenshot(path=str(ARTIFACTS / "plenary-pack-ready.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF (Arabic)").click(modifiers=["Alt"])
    pdf = download.value.path().read_bytes()
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "الاستعراض" in text.replace("\u200f", "")
