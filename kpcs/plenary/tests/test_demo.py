"""The demo plenary data (kpcs.plenary.demo.load): the 2026 meetings with agenda and
attendance, the published administrative decision and communiqué in all six languages (final,
made from the current source), the compendium with a decision superseded by the 2026 one, a
restricted draft working paper, and a second run that creates nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.management import call_command

from kpcs.accounts.tests.factories import UserFactory
from kpcs.plenary import demo
from kpcs.plenary.fingerprints import source_fingerprint
from kpcs.plenary.models import Attendance, Document, DocumentTranslation, Meeting, SourceVersion
from kpcs.plenary.selectors.access import documents_visible_to, public_documents
from kpcs.plenary.selectors.compendium import compendium_sections
from kpcs.plenary.selectors.search import document_search

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
DECISION = "KP/2026/Plenary/Administrative Decision 1"
COMMUNIQUE = "KP/2026/Plenary/Final Communiqué"


@pytest.fixture
def loaded(reference_data):
    return demo.load()


def test_first_run_creates_and_second_run_creates_nothing(reference_data):
    first = demo.load()
    assert first["meetings"] == 2
    assert first["documents"] == len(demo.DEMO_DOCUMENTS)
    assert first["supersessions"] == 1
    counts = (Meeting.objects.count(), Document.objects.count(), SourceVersion.objects.count())
    second = demo.load()
    assert not any(second.values()), second
    assert (Meeting.objects.count(), Document.objects.count(), SourceVersion.objects.count()) == (
        counts
    )


@pytest.mark.parametrize("symbol", [DECISION, COMMUNIQUE])
def test_decision_and_communique_are_published_in_all_six_languages(loaded, symbol):
    document = Document.objects.get(symbol=symbol)
    assert document.status == Document.Status.PUBLISHED
    assert document.distribution == Document.Distribution.PUBLIC
    assert document.published_on is not None and document.adopted_on is not None
    assert not document.advance_release
    for language in LANGUAGES:
        suffix = language.replace("-", "_")
        assert getattr(document, f"title_{suffix}").strip(), language
        assert getattr(document, f"body_{suffix}").strip(), language
    current = source_fingerprint(document.title_en, document.body_en)
    assert document.source_fingerprint == current
    translations = DocumentTranslation.objects.filter(document=document)
    assert {t.language for t in translations} == set(LANGUAGES) - {"en"}
    assert all(t.status == DocumentTranslation.Status.FINAL for t in translations)
    assert all(t.source_fingerprint == current for t in translations)
    assert SourceVersion.objects.filter(document=document, fingerprint=current).exists()


def test_the_texts_are_in_their_own_scripts(loaded):
    decision = Document.objects.get(symbol=DECISION)
    assert "décision" in decision.body_fr
    assert "решение" in decision.body_ru
    assert "决定" in decision.body_zh_hans
    assert "القرار" in decision.body_ar
    # A heading, numbered paragraphs and a table, in every language.
    for language in LANGUAGES:
        body = getattr(decision, f"body_{language.replace('-', '_')}")
        assert body.startswith("# ")
        assert sum(line.startswith("|") for line in body.splitlines()) == 3
        assert len(body.split("\n\n")) >= 6


def test_language_matrix_shows_final_for_the_decision_and_draft_or_missing_for_the_paper(
    loaded,
):
    from kpcs.plenary.selectors.translations import language_matrix

    decision = Document.objects.get(symbol=DECISION)
    assert set(language_matrix(decision).values()) == {"source", "final"}
    paper = Document.objects.get(symbol="KP/2026/WGM/Working Paper 3")
    matrix = language_matrix(paper)
    assert matrix["en"] == "source"
    assert matrix["fr"] == "draft"
    assert matrix["es"] == "missing"


def test_decision_has_two_source_versions_the_draft_first(loaded):
    decision = Document.objects.get(symbol=DECISION)
    versions = list(SourceVersion.objects.filter(document=decision).order_by("created_at"))
    assert len(versions) == 2
    assert "30 April" in versions[0].body
    assert versions[1].fingerprint == decision.source_fingerprint


def test_meetings_with_agenda_and_attendance(loaded):
    plenary = Meeting.objects.get(code="2026-plenary")
    assert plenary.kind == Meeting.Kind.PLENARY
    assert plenary.start_date.year == 2026 and plenary.start_date.month == 11
    assert plenary.host is not None and plenary.host.code == "BWA"
    assert plenary.chair and plenary.venue
    assert 4 <= plenary.agenda_items.count() <= 6
    assert plenary.title_fr and plenary.title_ar
    participants = Attendance.objects.filter(meeting=plenary, participant__isnull=False).count()
    observers = Attendance.objects.filter(meeting=plenary, observer__isnull=False).count()
    assert participants >= 10 and observers == 3
    intersessional = Meeting.objects.get(code="2026-intersessional")
    assert intersessional.kind == Meeting.Kind.INTERSESSIONAL
    assert intersessional.start_date.month == 6
    assert Document.objects.get(symbol=DECISION).agenda_items.filter(meeting=plenary).exists()


def test_compendium_shows_in_force_and_superseded(loaded):
    sections = {section.section: section for section in compendium_sections(None)}
    decisions = {
        entry.document.symbol: entry
        for entry in sections[Document.CompendiumSection.ADMINISTRATIVE_DECISIONS].entries
    }
    old = decisions[demo.AD_2012]
    assert old.document.in_force is False
    assert old.document.superseded_by.symbol == DECISION
    assert old.document.superseded_on == dt.date(2026, 11, 6)
    assert [revision.symbol for revision in old.revisions] == [f"{demo.AD_2012}/Corr.1"]
    assert decisions[DECISION].document.in_force is True
    assert [
        e.document.symbol for e in sections[Document.CompendiumSection.CORE_DOCUMENT].entries
    ] == ["KP/2003/Core Document"]
    assert sections[Document.CompendiumSection.GUIDANCE].entries


def test_restricted_draft_and_members_report_are_not_public(loaded):
    public = set(public_documents().values_list("symbol", flat=True))
    assert "KP/2026/WGM/Working Paper 3" not in public
    assert "KP/2026/Plenary/Chair's Report" not in public
    assert {DECISION, COMMUNIQUE} <= public
    authority = UserFactory(role="authority")
    assert documents_visible_to(authority).filter(symbol="KP/2026/Plenary/Chair's Report").exists()
    paper = Document.objects.get(symbol="KP/2026/WGM/Working Paper 3")
    assert paper.status == Document.Status.DRAFT
    assert paper.working_body.code == "WGM"


def test_demo_is_found_by_search_in_each_language(loaded):
    queries = {
        "en": "submission",
        "fr": "décisions",
        "es": "decisiones",
        "ru": "решения",
        "zh-hans": "决定",
        "ar": "قرار",
    }
    for language, q in queries.items():
        found = document_search(public_documents(), q, language).values_list("symbol", flat=True)
        assert DECISION in found, language


def test_load_demo_data_calls_the_plenary_demo(reference_data, capsys, monkeypatch):
    # The other apps' demos are not under test here.
    from kpcs.certificates import demo as certificates_demo
    from kpcs.reviews import demo as reviews_demo
    from kpcs.statistics import demo as statistics_demo

    class Quiet:
        changed = False

        def summary(self) -> str:
            return "unchanged"

    monkeypatch.setattr(
        "kpcs.participants.management.commands.load_demo_data.demo_data_load", lambda: {}
    )
    monkeypatch.setattr(statistics_demo, "demo_statistics_load", Quiet)
    monkeypatch.setattr(certificates_demo, "demo_certificates_load", Quiet)
    monkeypatch.setattr(reviews_demo, "demo_reviews_load", Quiet)
    call_command("load_demo_data")
    assert Document.objects.filter(symbol=DECISION).exists()
    assert "plenary: 2 meetings" in capsys.readouterr().out
