"""End to end, as in production: the web side asks for a pack, a real Celery worker process
(through the no-server filesystem broker, as `make run` starts it) builds each language with
the real renderer (kpcs.plenary.rendering, WeasyPrint) and stores the files; the PDFs hold each
language's text, and the command gives byte for byte the same files. Slow: one test."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.management import call_command

from kpcs.accounts.tests.factories import UserFactory
from kpcs.plenary.models import DocumentPackFile
from kpcs.plenary.tests.factories import DocumentFactory
from tests.worker import wait_for  # the `worker` fixture: tests.worker, a plugin

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ["en", "ru", "zh-hans"]


def _real_renderer_or_skip() -> None:
    try:
        from kpcs.plenary import rendering
    except ImportError as exc:  # PDF is written in parallel with PACKS
        pytest.skip(f"kpcs.plenary.rendering cannot be imported yet: {exc}")
    needed = ("render_document_pdf", "content_fingerprint", "page_count")
    missing = [name for name in needed if not hasattr(rendering, name)]
    if missing:
        pytest.skip(f"kpcs.plenary.rendering lacks {', '.join(missing)} (helper PDF)")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # before the worker starts: it writes there
    return settings.MEDIA_ROOT


def test_a_worker_builds_real_pdfs_of_each_language_and_the_command_gives_the_same_files(
    media, worker, tmp_path
):
    _real_renderer_or_skip()
    from pypdf import PdfReader

    from kpcs.plenary.services.packs import pack_request

    document = DocumentFactory(
        symbol="KP/2026/Plenary/Administrative Decision 42",
        title_en="Administrative decision on packs",
        body_en="The Plenary decides to issue its documents in every language.",
        translated={
            "ru": ("Административное решение", "Пленарное заседание постановляет."),
            "zh-hans": ("行政决定", "全体会议决定以各种语文印发文件。"),
        },
    )
    # Outside a transaction on_commit runs at once: the messages are in the broker folder.
    pack = pack_request(
        subject="document",
        document=document,
        languages=LANGUAGES,
        actor=UserFactory(role="secretariat"),
    )
    finished = wait_for(
        lambda: not pack.files.exclude(status__in=["done", "failed"]).exists(), seconds=150
    )
    output = b""
    if not finished and worker.poll() is not None:
        output = worker.stdout.read() if worker.stdout else b""
    assert finished, output.decode(errors="replace")
    files = {f.language: f for f in DocumentPackFile.objects.filter(pack=pack)}
    assert {lang: f.status for lang, f in files.items()} == dict.fromkeys(LANGUAGES, "done"), {
        lang: f.error for lang, f in files.items()
    }
    expected = {"en": "every language", "ru": "Пленарное", "zh-hans": "全体会议"}
    for language, pack_file in files.items():
        data = pack_file.file.read()
        reader = PdfReader(io.BytesIO(data))
        assert pack_file.pages == len(reader.pages) >= 1
        assert pack_file.size == len(data)
        text = "".join(page.extract_text() for page in reader.pages)
        assert expected[language] in text.replace("\n", ""), language
    job = pack.job
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == ("succeeded", 3, 3)

    out = StringIO()
    call_command(
        "build_document_pack",
        document.symbol,
        "--out",
        str(tmp_path / "cli"),
        "--languages",
        ",".join(LANGUAGES),
        stdout=out,
    )
    assert out.getvalue().split() == [str(tmp_path / "cli" / f"{lang}.pdf") for lang in LANGUAGES]
    for language in LANGUAGES:
        files[language].file.seek(0)
        assert (tmp_path / "cli" / f"{language}.pdf").read_bytes() == files[language].file.read()
