"""Full-text search of documents in each language (kpcs.plenary.selectors.search): stemmed
words in French, Spanish, Russian and Arabic, a two-character Chinese query, symbols, the
English text where a language version is empty, odd input that must never fail, and
highlighted snippets that keep the documents' own HTML escaped."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpcs.plenary.models import Document
from kpcs.plenary.selectors.search import (
    MAX_QUERY_LENGTH,
    clean_query,
    document_search,
    search_headlines,
    search_language,
)
from kpcs.plenary.tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def symbols(queryset):
    return [document.symbol for document in queryset]


@pytest.fixture
def decision():
    return DocumentFactory(
        symbol="KP/2026/Plenary/Administrative Decision 1",
        title_en="Administrative decision on the submission of statistics",
        body_en="The Plenary adopts this decision.\n\nEach participant submits its statistics.",
        translated={
            "fr": (
                "Décision administrative relative à la communication des statistiques",
                "La Plénière adopte la présente décision.",
            ),
            "es": (
                "Decisión administrativa sobre la presentación de estadísticas",
                "El Plenario aprueba la presente decisión.",
            ),
            "ru": (
                "Административное решение о представлении статистических данных",
                "Пленарное заседание принимает настоящее решение.",
            ),
            "zh-hans": ("关于提交统计数据的行政决定", "全体会议通过本决定。"),
            "ar": ("قرار إداري بشأن تقديم الإحصاءات", "يعتمد الاجتماع العام هذا القرار."),
        },
    )


@pytest.fixture
def communique():
    return DocumentFactory(
        symbol="KP/2026/Plenary/Final Communiqué",
        kind=Document.Kind.COMMUNIQUE,
        title_en="Final communiqué",
        body_en="Delegations of participants and observers took part in the meeting.",
        translated={
            "fr": ("Communiqué final", "Des délégations ont pris part à la réunion."),
            "ru": ("Заключительное коммюнике", "В заседании приняли участие делегации."),
            "zh-hans": ("最后公报", "各代表团出席了会议。"),
            "ar": ("البيان الختامي", "شاركت الوفود في الاجتماع."),
        },
    )


def test_french_plural_finds_the_singular(decision, communique):
    assert symbols(document_search(Document.objects.all(), "décisions", "fr")) == [decision.symbol]


def test_spanish_plural_finds_the_singular(decision, communique):
    assert symbols(document_search(Document.objects.all(), "decisiones", "es")) == [decision.symbol]


@pytest.mark.parametrize("word", ["решения", "решением", "решениях"])
def test_russian_inflections_find_each_other(decision, communique, word):
    assert symbols(document_search(Document.objects.all(), word, "ru")) == [decision.symbol]


def test_chinese_two_character_query_finds_the_document(decision, communique):
    # 决定 is inside the longer runs 行政决定 and 本决定, which PostgreSQL cannot split.
    assert symbols(document_search(Document.objects.all(), "决定", "zh-hans")) == [decision.symbol]


def test_chinese_accepts_the_underscore_form_of_the_language(decision, communique):
    assert symbols(document_search(Document.objects.all(), "公报", "zh_hans")) == [
        communique.symbol
    ]


def test_arabic_word_with_the_article_finds_the_word_without_it(decision, communique):
    # "القرار" (the decision) in the body; "قرار" (a decision) in the title.
    assert symbols(document_search(Document.objects.all(), "القرار", "ar")) == [decision.symbol]
    assert symbols(document_search(Document.objects.all(), "قرار", "ar")) == [decision.symbol]


def test_english_stemming(decision, communique):
    assert symbols(document_search(Document.objects.all(), "submitting", "en")) == [decision.symbol]


def test_symbol_matches_in_any_language(decision, communique):
    for language in ("en", "fr", "zh-hans", "ar"):
        found = symbols(document_search(Document.objects.all(), "Final Communiqué", language))
        assert found[0] == communique.symbol


def test_part_of_a_symbol_matches(decision, communique):
    found = symbols(document_search(Document.objects.all(), "KP/2026/Plenary", "en"))
    assert set(found) == {decision.symbol, communique.symbol}


def test_falls_back_to_english_where_the_language_version_is_empty(decision):
    english_only = DocumentFactory(
        symbol="KP/2019/WGM/Guidance Note 1",
        kind=Document.Kind.GUIDANCE_NOTE,
        title_en="Guidance on annual reports",
        body_en="What the Working Group on Monitoring expects in an annual report.",
    )
    for language in ("fr", "es", "ru", "zh-hans", "ar"):
        assert symbols(document_search(Document.objects.all(), "Monitoring", language)) == [
            english_only.symbol
        ]


def test_language_version_is_searched_not_english_where_it_exists(decision):
    # The French version exists, so the English word is not found in French.
    assert symbols(document_search(Document.objects.all(), "submission", "fr")) == []


def test_results_are_ranked_title_before_body(decision):
    in_body = DocumentFactory(
        title_en="Final communiqué", body_en="Participants submit statistics every year."
    )
    found = symbols(document_search(Document.objects.all(), "statistics", "en"))
    assert found == [decision.symbol, in_body.symbol]


def test_websearch_syntax_phrase_and_exclusion(decision, communique):
    assert symbols(document_search(Document.objects.all(), '"administrative decision"', "en")) == [
        decision.symbol
    ]
    assert symbols(document_search(Document.objects.all(), "plenary -statistics", "en")) == []


def test_empty_query_returns_the_queryset_unchanged(decision):
    queryset = Document.objects.filter(pk=decision.pk)
    assert document_search(queryset, "   ", "fr") is queryset
    assert document_search(queryset, None, "fr") is queryset


@pytest.mark.parametrize(
    "odd",
    [
        '"',
        '""',
        "'",
        "&|!():*<->",
        "!!! ??? ...",
        "-",
        "or",
        "the and of",
        "a & b | !c",
        "\x00statistics",
        "%_%",
        "\\",
        "décision' OR 1=1 --",
        "<script>alert(1)</script>",
        "😀",
        "x" * 5000,
    ],
)
@pytest.mark.parametrize("language", ["en", "fr", "ru", "zh-hans", "ar", "xx"])
def test_odd_input_never_fails(decision, odd, language):
    list(document_search(Document.objects.all(), odd, language))


def test_query_is_trimmed_and_cut_to_the_maximum():
    assert clean_query("  a \n b\t ") == "a b"
    assert len(clean_query("y" * 1000)) == MAX_QUERY_LENGTH
    assert clean_query("a\x00b") == "a b"


def test_unknown_language_searches_english():
    assert search_language("xx") == "en"
    assert search_language("ZH_HANS") == "zh-hans"
    assert search_language(None) == "en"


def test_search_keeps_the_callers_scope(decision, communique):
    scoped = Document.objects.exclude(pk=decision.pk)
    assert symbols(document_search(scoped, "KP/2026", "en")) == [communique.symbol]


def test_headlines_mark_the_matched_words(decision):
    found = list(document_search(Document.objects.all(), "décisions", "fr"))
    title, snippet = search_headlines(found, "décisions", "fr")[decision.pk]
    assert "<mark>Décision</mark> administrative" in title
    assert "<mark>décision</mark>" in snippet


def test_chinese_headline_marks_every_occurrence(decision):
    found = list(document_search(Document.objects.all(), "决定", "zh-hans"))
    title, snippet = search_headlines(found, "决定", "zh-hans")[decision.pk]
    assert title == "关于提交统计数据的行政<mark>决定</mark>"
    assert "本<mark>决定</mark>" in snippet


def test_headlines_escape_the_documents_html():
    document = DocumentFactory(
        title_en="Rules <b>bold</b> & more",
        body_en='The <script>alert("x")</script> rules apply to <i>all</i> statistics.',
    )
    found = list(document_search(Document.objects.all(), "rules", "en"))
    title, snippet = search_headlines(found, "rules", "en")[document.pk]
    assert "<b>" not in title and "&lt;b&gt;" in title
    # PostgreSQL's parser drops tags from a headline fragment; whatever is left is escaped.
    assert "<script" not in snippet and "<i>" not in snippet
    assert "<mark>rules</mark> apply" in snippet
    assert "<mark>Rules</mark>" in title


def test_snippet_without_a_match_keeps_the_html_escaped():
    document = DocumentFactory(
        symbol="KP/2026/Plenary/Tag Test",
        title_en="Untitled",
        body_en='<img src=x onerror="alert(1)"> Nothing else here.',
    )
    found = list(document_search(Document.objects.all(), "Tag Test", "en"))
    _title, snippet = search_headlines(found, "Tag Test", "en")[document.pk]
    assert "<img" not in snippet


def test_headlines_are_balanced_even_when_the_text_holds_the_marker_characters():
    document = DocumentFactory(title_en="Rules \ue000 open", body_en="rules \ue001\ue001 close")
    found = list(document_search(Document.objects.all(), "rules", "en"))
    title, snippet = search_headlines(found, "rules", "en")[document.pk]
    for text in (title, snippet):
        assert text.count("<mark>") == text.count("</mark>")


def test_headlines_take_one_query(decision, communique):
    found = list(document_search(Document.objects.all(), "KP", "fr"))
    with CaptureQueriesContext(connection) as queries:
        search_headlines(found, "KP", "fr")
    assert len(queries) == 1


def test_headlines_show_english_where_the_translation_is_not_final():
    from kpcs.plenary.models import DocumentTranslation

    document = DocumentFactory(
        title_en="Rules on statistics",
        body_en="The rules apply.",
        title_fr="Règles provisoires",
        body_fr="Texte provisoire.",
    )
    DocumentTranslation.objects.create(
        document=document,
        language="fr",
        status="draft",
        source_fingerprint=document.source_fingerprint,
    )
    found = list(document_search(Document.objects.all(), "provisoires", "fr"))
    title, snippet = search_headlines(found, "provisoires", "fr")[document.pk]
    assert "provisoire" not in title and "provisoire" not in snippet
    assert title == "Rules on statistics"
