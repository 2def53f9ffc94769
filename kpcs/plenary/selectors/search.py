"""Full-text search of plenary documents in each of the six languages (PostgreSQL).

`document_search(queryset, q, language)` narrows any document queryset (already scoped to
what the user may see) to the documents matching `q` in `language`, best first:

- the words are matched against the title and body in that language, with the language's
  text search configuration, so inflected forms find each other (French "décisions" finds
  "décision", Russian "решения" finds "решение", Arabic "القرار" finds "قرار"); where a
  language version is empty its English text is searched instead. The match is answered from
  a GIN index per language (migration 0002_compendium_search_indexes);
- ranking: a symbol typed in full, then in part, then the words' weight in the title
  (SearchRank), then the newest;
- `q` is read like a web search box (`websearch_to_tsquery`): "quoted phrases", `or`, and
  `-word` to exclude; it never raises on odd input (stray quotes, operators, punctuation);
- the symbol matches too (`KP/2026`, `Decision 1`);
- Chinese is written without spaces, so PostgreSQL's `simple` configuration sees a whole
  clause as one word: for Chinese a plain substring match on the title and body is added, so a
  two-character query such as 决定 finds the documents that contain it.

`search_headlines(...)` gives the highlighted title and snippet of each result for a page of
results (SearchHeadline), with the document's text escaped and only our own <mark> tags kept.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, NullIf
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kpcs.plenary.models import Document, DocumentTranslation

M = TypeVar("M", bound=Model)

# The text search configuration of each UN language. PostgreSQL ships Snowball stemmers for
# English, French, Spanish, Russian and Arabic; it has none for Chinese, whose words `simple`
# cannot split (hence the substring match below).
SEARCH_CONFIGS: dict[str, str] = {
    "en": "english",
    "fr": "french",
    "es": "spanish",
    "ru": "russian",
    "zh-hans": "simple",
    "ar": "arabic",
}
# Languages written without spaces between words: also matched as a plain substring.
SUBSTRING_LANGUAGES = frozenset({"zh-hans"})
MAX_QUERY_LENGTH = 200
# Private-use characters that mark the highlighted words in SearchHeadline's output; they are
# turned into <mark> tags after the text around them has been escaped.
MARK_START = "\ue000"
MARK_STOP = "\ue001"
SNIPPET_CHARS = 90

# Ranking bonuses (ts_rank gives values well below 1): a symbol typed in the box comes first.
SYMBOL_EXACT_BONUS = 2.0
SYMBOL_PART_BONUS = 1.0
SUBSTRING_BONUS = 0.05


def search_language(language: str | None) -> str:
    """The language code searched for `language` ("zh_hans", "ZH-Hans" → "zh-hans"); an
    unknown language searches English."""
    code = (language or "").strip().lower().replace("_", "-")
    if code == "zh":
        code = "zh-hans"
    return code if code in SEARCH_CONFIGS else "en"


def field_suffix(language: str) -> str:
    """The modeltranslation suffix of a language: `zh-hans` → `zh_hans`."""
    return search_language(language).replace("-", "_")


def search_config(language: str) -> str:
    return SEARCH_CONFIGS[search_language(language)]


def localized_text(field: str, language: str) -> Combinable:
    """The document's `field` ("title" or "body") in `language`, or in English where that
    language version is empty."""
    suffix = field_suffix(language)
    # output_field: modeltranslation's field classes differ from Django's, which
    # Coalesce/NullIf would otherwise refuse to mix.
    english = Coalesce(F(f"{field}_en"), Value(""), output_field=TextField())
    if suffix == "en":
        return english
    translated = NullIf(F(f"{field}_{suffix}"), Value(""), output_field=TextField())
    return Coalesce(translated, english, output_field=TextField())


def issued_text(field: str, language: str) -> Combinable:
    """The document's `field` as readers may see it in `language`: that language version
    where it is issued (its translation is final and made from the current English source),
    else English. What is shown (titles, snippets); a draft or outdated translation is not."""
    language = search_language(language)
    english = Coalesce(F(f"{field}_en"), Value(""), output_field=TextField())
    if language == "en":
        return english
    issued = DocumentTranslation.objects.filter(
        document=OuterRef("pk"),
        language=language,
        status=DocumentTranslation.Status.FINAL,
        source_fingerprint=OuterRef("source_fingerprint"),
    )
    return Case(
        When(Exists(issued), then=localized_text(field, language)),
        default=english,
        output_field=TextField(),
    )


def clean_query(q: Any) -> str:
    """What is searched for: the text with its spaces collapsed, at most MAX_QUERY_LENGTH
    characters (NUL characters, which PostgreSQL refuses in text, are dropped)."""
    text = " ".join(str(q or "").replace("\x00", " ").split())
    return text[:MAX_QUERY_LENGTH].strip()


def match_vector(language: str) -> SearchVector:
    """The words of the title and body in `language`, for matching. Migration
    0002_compendium_search_indexes indexes exactly this expression (one GIN index per
    language), so a match is an index lookup; change both together (a test checks that the
    plan uses the index)."""
    return SearchVector(
        localized_text("title", language),
        localized_text("body", language),
        config=search_config(language),
    )


def rank_vector(language: str) -> SearchVector:
    """What results are ranked by: the title's words (weight A). Ranking by the body too would
    rebuild every matching body's vector (an index cannot give it back): seconds when a common
    word matches thousands of long documents. Body-only matches rank by date."""
    return SearchVector(
        localized_text("title", language), config=search_config(language), weight="A"
    )


def search_query(text: str, language: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=search_config(language))


def document_search(queryset: QuerySet[M], q: Any, language: str | None) -> QuerySet[M]:
    """The documents of `queryset` that match `q` in `language`, best first (annotated with
    `search_rank`: words in the title, a symbol typed in full or in part), then newest first.
    An empty `q` returns the queryset unchanged."""
    text = clean_query(q)
    if not text:
        return queryset
    language = search_language(language)
    query = search_query(text, language)
    # The full-text match is a subquery on its own, so PostgreSQL answers it from the GIN
    # index once (a hashed subplan) even though it is OR-ed with the symbol test below.
    words = (
        Document.objects.alias(search_words=match_vector(language))
        .filter(search_words=query)
        .order_by()
        .values("pk")
    )
    match = Q(pk__in=words) | Q(symbol__icontains=text)
    bonuses: list[When] = [
        When(symbol__iexact=text, then=Value(SYMBOL_EXACT_BONUS)),
        When(symbol__icontains=text, then=Value(SYMBOL_PART_BONUS)),
    ]
    found: Any = queryset  # alias()/annotate() lose the stubs' model type
    if language in SUBSTRING_LANGUAGES:
        # alias(), not annotate(): compared only, never sent back. The body is matched with
        # LIKE, not ILIKE: Chinese has no letter case, and upper-casing every long body costs
        # ten times more (Latin words are already matched, case-blind, by the full text).
        found = found.alias(
            search_title=localized_text("title", language),
            search_body=localized_text("body", language),
        )
        substring = Q(search_title__icontains=text) | Q(search_body__contains=text)
        match |= substring
        bonuses.append(When(substring, then=Value(SUBSTRING_BONUS)))
    ranked: QuerySet[M] = (
        found.filter(match)
        .annotate(
            search_rank=SearchRank(rank_vector(language), query)
            + Case(*bonuses, default=Value(0.0), output_field=FloatField())
        )
        .order_by("-search_rank", "-date", "symbol")
    )
    return ranked


def highlight(text: str | None) -> SafeString:
    """`text` escaped, with the spans between MARK_START and MARK_STOP in <mark> tags (always
    balanced, whatever the text contains)."""
    out: list[str] = []
    open_mark = False
    for char_run in _split_marks(text or ""):
        if char_run == MARK_START:
            if not open_mark:
                out.append("<mark>")
                open_mark = True
        elif char_run == MARK_STOP:
            if open_mark:
                out.append("</mark>")
                open_mark = False
        else:
            out.append(escape(char_run))
    if open_mark:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped


def _split_marks(text: str) -> list[str]:
    pieces: list[str] = []
    current: list[str] = []
    for char in text:
        if char in (MARK_START, MARK_STOP):
            if current:
                pieces.append("".join(current))
                current = []
            pieces.append(char)
        else:
            current.append(char)
    if current:
        pieces.append("".join(current))
    return pieces


def _one_line(text: str | None) -> str:
    """A snippet on one line: the body's paragraph breaks and table rows become spaces."""
    return " ".join((text or "").split())


def _strip_marks(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_STOP, "")


def _substring_snippet(text: str, needle: str, *, whole: bool) -> str | None:
    """`text` (or a window of it around the first occurrence of `needle`) with the
    occurrences marked; None when `needle` is not in it."""
    text = _strip_marks(text)
    folded, key = text.casefold(), needle.casefold()
    # casefold() may change lengths (ß → ss); mark only where positions still line up.
    if not key or len(folded) != len(text) or key not in folded:
        return None
    first = folded.index(key)
    start, end = (
        (0, len(text))
        if whole
        else (
            max(0, first - SNIPPET_CHARS),
            min(len(text), first + len(key) + SNIPPET_CHARS),
        )
    )
    window, window_folded = text[start:end], folded[start:end]
    out, position = [], 0
    while (found := window_folded.find(key, position)) != -1:
        out += [window[position:found], MARK_START, window[found : found + len(key)], MARK_STOP]
        position = found + len(key)
    out.append(window[position:])
    return ("… " if start > 0 else "") + "".join(out) + (" …" if end < len(text) else "")


def search_headlines(
    documents: list[Document], q: Any, language: str | None
) -> dict[int, tuple[SafeString, SafeString]]:
    """For a page of search results: {document id: (highlighted title, highlighted snippet of
    the body)} in `language` where that version is issued, else in English (one query). The
    document's text is escaped; the only markup is the <mark> around the matched words."""
    text = clean_query(q)
    ids = [document.pk for document in documents]
    if not ids:
        return {}
    language = search_language(language)
    config = search_config(language)
    if not text:
        plain = Document.objects.filter(pk__in=ids).values_list(
            "pk",
            issued_text("title", language),
            issued_text("body", language),
        )
        return {
            pk: (
                highlight(_one_line(_strip_marks(title))),
                highlight(_one_line(_strip_marks(body[: 2 * SNIPPET_CHARS]))),
            )
            for pk, title, body in plain
        }
    query = search_query(text, language)
    rows = (
        Document.objects.filter(pk__in=ids)
        .annotate(
            headline_title=SearchHeadline(
                issued_text("title", language),
                query,
                config=config,
                highlight_all=True,
                start_sel=MARK_START,
                stop_sel=MARK_STOP,
            ),
            headline_body=SearchHeadline(
                issued_text("body", language),
                query,
                config=config,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
                start_sel=MARK_START,
                stop_sel=MARK_STOP,
            ),
            plain_title=issued_text("title", language),
            plain_body=issued_text("body", language),
        )
        .values_list("pk", "headline_title", "headline_body", "plain_title", "plain_body")
    )
    headlines: dict[int, tuple[SafeString, SafeString]] = {}
    by_substring = language in SUBSTRING_LANGUAGES
    for pk, title, body, plain_title, plain_body in rows:
        # What PostgreSQL could not find as words (Chinese, where it cannot split words; a
        # part of a word) is marked where it occurs as typed.
        if by_substring or MARK_START not in (title or ""):
            title = _substring_snippet(plain_title or "", text, whole=True) or title
        if by_substring or MARK_START not in (body or ""):
            body = _substring_snippet(plain_body or "", text, whole=False) or body
        headlines[pk] = (highlight(_one_line(title)), highlight(_one_line(body)))
    return headlines
