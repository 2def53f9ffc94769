"""`manage.py build_document_pack SYMBOL --out DIR [--languages …]`: renders here and now (no
Celery), writes DIR/<language>.pdf, prints the paths; unknown symbol or language → a clear
CommandError and nothing written. The renderer is a fake (test_packs_rendering.py runs the
real one)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kpcs.plenary.models import DocumentPack
from kpcs.plenary.tests.factories import DocumentFactory
from kpcs.plenary.tests.factories_packs import install_fake_rendering

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_rendering(monkeypatch):
    return install_fake_rendering(monkeypatch)


SYMBOL = "KP/2026/Plenary/Administrative Decision 3"


@pytest.fixture(autouse=True)
def languages(settings):
    settings.KPCS_DOCUMENT_LANGUAGES = ["en", "fr", "es", "ru", "zh-hans"]


@pytest.fixture
def document():
    return DocumentFactory(symbol=SYMBOL, translated={"fr": ("Décision", "La Plénière décide.")})


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("build_document_pack", *args, stdout=out)
    return out.getvalue().splitlines()


def test_the_command_writes_every_required_language_and_prints_the_paths(
    fake_rendering, document, tmp_path
):
    out = tmp_path / "new" / "folder"  # created when missing
    printed = run(SYMBOL, "--out", str(out))
    expected = [str(out / f"{lang}.pdf") for lang in ("en", "fr", "es", "ru", "zh-hans")]
    assert printed == expected
    for path in expected:
        assert Path(path).read_bytes().startswith(b"%PDF-")
    assert "La Plénière décide." in (out / "fr.pdf").read_text()
    assert sorted(p.name for p in out.iterdir()) == sorted(p.rsplit("/", 1)[1] for p in expected)
    assert DocumentPack.objects.count() == 0  # no pack, no Celery: straight to the folder


def test_the_command_builds_only_the_languages_asked_for(fake_rendering, document, tmp_path):
    printed = run(SYMBOL, "--out", str(tmp_path), "--languages", "ar, fr")
    assert printed == [str(tmp_path / "fr.pdf"), str(tmp_path / "ar.pdf")]


def test_an_unknown_symbol_is_a_clear_error(fake_rendering, document, tmp_path):
    with pytest.raises(CommandError, match="No document has the symbol “KP/2026/Nothing”"):
        run("KP/2026/Nothing", "--out", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_an_unknown_language_is_a_clear_error(fake_rendering, document, tmp_path):
    with pytest.raises(CommandError, match="“xx” is not a language of the system"):
        run(SYMBOL, "--out", str(tmp_path / "out"), "--languages", "en,xx")
    assert not (tmp_path / "out").exists()


def test_a_language_that_fails_to_render_writes_nothing(fake_rendering, document, tmp_path):
    fake_rendering.fail["ru"] = -1
    with pytest.raises(CommandError, match=r"The ru PDF of .* could not be built"):
        run(SYMBOL, "--out", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
