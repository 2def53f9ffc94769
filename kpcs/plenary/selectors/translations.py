"""Reads of the translation workflow: the state of each language version of a document (the
language matrix), of a meeting's documents, and the diff of the English source since a
translation was made.

The state of a language:
- "source": English, the text every other language is translated from;
- "missing": no translation record, or no title in that language;
- "outdated": a translation made from another source fingerprint than the document's current
  one, whatever its status (the English text changed since, and not as a minor change);
- "draft" or "final": the translation's status, made from the current source.

The states are computed in SQL (one expression per language), so a meeting's matrix and its
counts take the same few queries whatever the number of documents.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kpcs.plenary.models import Document, DocumentTranslation, Meeting, SourceVersion
from kpcs.plenary.services.translations import SOURCE_LANGUAGE, field_name

SOURCE = "source"
MISSING = "missing"
DRAFT = "draft"
FINAL = "final"
OUTDATED = "outdated"
STATES = (SOURCE, MISSING, DRAFT, FINAL, OUTDATED)
STATE_CHOICES: list[tuple[str, Promise]] = [
    (SOURCE, _("source")),
    (MISSING, _("missing")),
    (DRAFT, _("draft")),
    (FINAL, _("final")),
    (OUTDATED, _("outdated")),
]
STATE_LABELS = dict(STATE_CHOICES)
# The states a translation can have (English is always the source): counted per language.
TRANSLATION_STATES = (FINAL, DRAFT, OUTDATED, MISSING)


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_names() -> dict[str, Any]:
    return dict(settings.LANGUAGES)


def required_languages() -> list[str]:
    """The languages plenary documents must be issued in (settings.KPCS_DOCUMENT_LANGUAGES)."""
    return list(settings.KPCS_DOCUMENT_LANGUAGES)


def is_known_language(language: str) -> bool:
    return language in languages()


# --- States in SQL ----------------------------------------------------------------------------


def _state_alias(language: str) -> str:
    return field_name("language_state", language)


def _state_expression(language: str) -> Any:
    if language == SOURCE_LANGUAGE:
        return Value(SOURCE, output_field=CharField())
    title = field_name("title", language)
    record = DocumentTranslation.objects.filter(document=OuterRef("pk"), language=language)
    record_state = record.annotate(
        state=Case(
            When(source_fingerprint=OuterRef("source_fingerprint"), then=F("status")),
            default=Value(OUTDATED),
            output_field=CharField(),
        )
    ).values("state")[:1]
    return Case(
        When(Q(**{f"{title}__isnull": True}) | Q(**{title: ""}), then=Value(MISSING)),
        default=Coalesce(Subquery(record_state), Value(MISSING)),
        output_field=CharField(),
    )


def with_language_states(documents: QuerySet[Document]) -> QuerySet[Document]:
    """The documents, each with its state in every language (`language_state_<suffix>`)."""
    return documents.annotate(
        **{_state_alias(language): _state_expression(language) for language in languages()}
    )


def _states_of(annotated: Document) -> dict[str, str]:
    return {language: getattr(annotated, _state_alias(language)) for language in languages()}


def language_matrix(document: Document) -> dict[str, str]:
    """The state of every language in settings.LANGUAGES for one document, in that order:
    "source" (English), "missing", "draft", "final" or "outdated"."""
    annotated = with_language_states(Document.objects.filter(pk=document.pk)).get()
    return _states_of(annotated)


def required_languages_final(document: Document) -> list[str]:
    """The required languages (settings.KPCS_DOCUMENT_LANGUAGES) that are not final and
    current: publication waits for these. English counts as final when its title is set.
    An empty list means the document may be published in every required language."""
    matrix = language_matrix(document)
    waiting = []
    for language in required_languages():
        if language == SOURCE_LANGUAGE:
            stored = Document.objects.filter(pk=document.pk).values_list("title_en", flat=True)
            if not (stored.first() or "").strip():
                waiting.append(language)
        elif matrix.get(language) != FINAL:
            waiting.append(language)
    return waiting


def available_languages(document: Document) -> list[str]:
    """English and every language whose version is final and current (what may be shown and
    printed), in the order of settings.LANGUAGES."""
    matrix = language_matrix(document)
    return [language for language, state in matrix.items() if state in (SOURCE, FINAL)]


# --- The matrix of one document and of a meeting ---------------------------------------------


@dataclass(frozen=True)
class LanguageCell:
    """One language of one document: its state and the record behind it (None for English
    and for languages never translated)."""

    language: str
    name: Any
    required: bool
    state: str
    translation: DocumentTranslation | None

    @property
    def state_label(self) -> Any:
        return STATE_LABELS[self.state]

    @property
    def is_source(self) -> bool:
        return self.state == SOURCE


@dataclass(frozen=True)
class DocumentLanguages:
    """A row of a language matrix: one document and its languages."""

    document: Document
    cells: list[LanguageCell]

    @property
    def states(self) -> dict[str, str]:
        return {cell.language: cell.state for cell in self.cells}


def _translations_prefetch() -> Prefetch:
    return Prefetch(
        "translations",
        queryset=DocumentTranslation.objects.select_related("updated_by"),
    )


def _row(annotated: Document) -> DocumentLanguages:
    names = language_names()
    required = set(required_languages())
    records = {t.language: t for t in annotated.translations.all()}
    states = _states_of(annotated)
    cells = [
        LanguageCell(
            language=language,
            name=names[language],
            required=language in required,
            state=states[language],
            translation=records.get(language),
        )
        for language in languages()
    ]
    return DocumentLanguages(document=annotated, cells=cells)


def document_languages(document: Document) -> DocumentLanguages:
    """The language matrix of one document, with who last saved each translation and when."""
    annotated = (
        with_language_states(Document.objects.filter(pk=document.pk))
        .prefetch_related(_translations_prefetch())
        .get()
    )
    return _row(annotated)


def meeting_documents(meeting: Meeting, documents: QuerySet[Document] | None = None) -> Any:
    """The meeting's documents (of `documents`, the caller's visible ones, when given)."""
    queryset = Document.objects.all() if documents is None else documents
    return queryset.filter(meeting=meeting).order_by("date", "symbol", "pk")


def meeting_matrix(
    meeting: Meeting, documents: QuerySet[Document] | None = None
) -> list[DocumentLanguages]:
    """One row per document of the meeting (of `documents` when given, e.g. the documents the
    user may see), each with the state of every language."""
    annotated = with_language_states(meeting_documents(meeting, documents)).prefetch_related(
        _translations_prefetch()
    )
    return [_row(document) for document in annotated]


@dataclass(frozen=True)
class LanguageCount:
    language: str
    name: Any
    required: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def final(self) -> int:
        return self.counts.get(FINAL, 0)


def meeting_counts(
    meeting: Meeting, documents: QuerySet[Document] | None = None
) -> list[LanguageCount]:
    """For each language: how many of the meeting's documents are final, draft, outdated and
    missing in it (English: how many have a source), counted in SQL."""
    names = language_names()
    required = set(required_languages())
    aggregates = {}
    for language in languages():
        alias = _state_alias(language)
        for state in (SOURCE, *TRANSLATION_STATES):
            aggregates[f"{alias}__{state}"] = Count("pk", filter=Q(**{alias: state}))
    totals = with_language_states(meeting_documents(meeting, documents).order_by()).aggregate(
        **aggregates
    )
    result = []
    for language in languages():
        alias = _state_alias(language)
        states = (SOURCE,) if language == SOURCE_LANGUAGE else TRANSLATION_STATES
        result.append(
            LanguageCount(
                language=language,
                name=names[language],
                required=language in required,
                counts={state: totals[f"{alias}__{state}"] for state in states},
            )
        )
    return result


# --- What changed in the source ---------------------------------------------------------------


@dataclass(frozen=True)
class DiffPart:
    """A run of words of a changed paragraph: in both versions ("equal"), only in the old one
    ("removed") or only in the new one ("added")."""

    op: str
    text: str


@dataclass(frozen=True)
class DiffLine:
    """A paragraph of the body: the same in both versions ("context"), only in the version the
    translation was made from ("removed"), only in the current source ("added"), in both but
    reworded ("changed", word by word in `parts`), or a run of unchanged paragraphs left out
    ("gap"). Plain text: templates escape it."""

    kind: str
    text: str
    parts: tuple[DiffPart, ...] = ()


@dataclass(frozen=True)
class SourceDiff:
    """What changed in the English source between the version a translation was made from
    (`base`; None when that version was never recorded) and the current source."""

    language: str
    base: SourceVersion | None
    current_title: str
    current_body: str
    old_title: str = ""
    lines: list[DiffLine] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return self.base is not None

    @property
    def title_changed(self) -> bool:
        return self.base is not None and self.old_title != self.current_title

    @property
    def body_changed(self) -> bool:
        return any(line.kind in ("added", "removed", "changed") for line in self.lines)

    @property
    def changed(self) -> bool:
        return self.title_changed or self.body_changed

    @property
    def title_parts(self) -> tuple[DiffPart, ...]:
        return word_diff(self.old_title, self.current_title) if self.title_changed else ()


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")


def paragraphs(text: str) -> list[str]:
    """The blocks of a body separated by blank lines (paragraphs, headings, tables)."""
    normal = (text or "").replace("\r\n", "\n").strip()
    return [block.strip("\n") for block in _PARAGRAPH_BREAK.split(normal)] if normal else []


_WORDS = re.compile(r"\s+|[^\s]+")
# Below this share of words in common, a paragraph counts as replaced rather than reworded.
REWORDED_RATIO = 0.5


def word_diff(old: str, new: str) -> tuple[DiffPart, ...]:
    """The words of `new` against those of `old`."""
    before, after = _WORDS.findall(old), _WORDS.findall(new)
    parts: list[DiffPart] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(DiffPart("equal", "".join(after[j1:j2])))
            continue
        if tag in ("delete", "replace"):
            parts.append(DiffPart("removed", "".join(before[i1:i2])))
        if tag in ("insert", "replace"):
            parts.append(DiffPart("added", "".join(after[j1:j2])))
    return tuple(parts)


def _replaced(before: list[str], after: list[str]) -> list[DiffLine]:
    """Paragraphs replaced by others: those that stayed alike (in order) are reworded, shown
    word by word; the rest are removed and added."""
    lines: list[DiffLine] = []
    pairs = min(len(before), len(after))
    alike = pairs > 0 and all(
        difflib.SequenceMatcher(
            a=_WORDS.findall(old), b=_WORDS.findall(new), autojunk=False
        ).ratio()
        >= REWORDED_RATIO
        for old, new in zip(before[:pairs], after[:pairs], strict=True)
    )
    if not alike:
        lines.extend(DiffLine("removed", text) for text in before)
        lines.extend(DiffLine("added", text) for text in after)
        return lines
    for old, new in zip(before[:pairs], after[:pairs], strict=True):
        lines.append(DiffLine("changed", new, word_diff(old, new)))
    lines.extend(DiffLine("removed", text) for text in before[pairs:])
    lines.extend(DiffLine("added", text) for text in after[pairs:])
    return lines


def text_diff(old: str, new: str, *, context: int = 2) -> list[DiffLine]:
    """The new text against the old one, paragraph by paragraph (blocks separated by a blank
    line, as the document's body numbers them), with `context` unchanged paragraphs around each
    change and a gap for the rest; an empty list when nothing changed."""
    before, after = paragraphs(old), paragraphs(new)
    if before == after:
        return []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    lines: list[DiffLine] = []
    last = (0, 0)
    for group in matcher.get_grouped_opcodes(context):
        if lines or group[0][1] > 0 or group[0][3] > 0:
            lines.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(DiffLine("context", text) for text in after[j1:j2])
            elif tag == "delete":
                lines.extend(DiffLine("removed", text) for text in before[i1:i2])
            elif tag == "insert":
                lines.extend(DiffLine("added", text) for text in after[j1:j2])
            else:
                lines.extend(_replaced(before[i1:i2], after[j1:j2]))
            last = (i2, j2)
    if last[0] < len(before) or last[1] < len(after):
        lines.append(DiffLine("gap", "…"))
    return lines


def source_diff(document: Document, language: str) -> SourceDiff | None:
    """The diff of the English source between the SourceVersion the translation into
    `language` was made from and the current source; None when there is no translation
    record in that language (nothing to compare)."""
    translation = DocumentTranslation.objects.filter(document=document, language=language).first()
    if translation is None:
        return None
    current = Document.objects.filter(pk=document.pk).values("title_en", "body_en").get()
    current_title, current_body = current["title_en"] or "", current["body_en"] or ""
    base = SourceVersion.objects.filter(
        document=document, fingerprint=translation.source_fingerprint
    ).first()
    if base is None:
        return SourceDiff(
            language=language, base=None, current_title=current_title, current_body=current_body
        )
    return SourceDiff(
        language=language,
        base=base,
        current_title=current_title,
        current_body=current_body,
        old_title=base.title,
        lines=text_diff(base.body, current_body),
    )


def source_versions(document: Document) -> QuerySet[SourceVersion]:
    """The recorded versions of the English source, oldest first."""
    return SourceVersion.objects.filter(document=document).select_related("created_by")


# --- The body as a reader sees it ----------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A block of a document's body: a numbered paragraph, a heading (a line starting with #)
    or a table (lines starting with |). Plain text: templates escape it."""

    kind: str
    text: str
    number: int | None = None


def body_blocks(text: str) -> list[Block]:
    """The body's blocks, paragraphs numbered as in the issued document, so that the source
    and a translation can be read side by side paragraph for paragraph."""
    blocks: list[Block] = []
    number = 0
    for block in paragraphs(text):
        if block.startswith("#"):
            blocks.append(Block("heading", block.lstrip("#").strip()))
        elif block.startswith("|"):
            blocks.append(Block("table", block))
        else:
            number += 1
            blocks.append(Block("paragraph", block, number))
    return blocks


def paragraph_count(text: str) -> int:
    return sum(1 for block in body_blocks(text) if block.kind == "paragraph")
