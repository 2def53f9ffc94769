"""Reads of the compendium of KPCS rules and guidance: the core document, administrative
decisions, guidance notes and other rules, each placed in a section by the secretariat.

A document is in force until the date it was superseded by a later decision
(`superseded_by`, `superseded_on`). Revisions and corrigenda (`revision_of`) are listed under
the document they revise. Every read is scoped by kpcs.plenary.selectors.access: the public
sees published public documents only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField as BooleanOutput
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractYear, NullIf
from django.utils import timezone
from django.utils.translation import get_language

from kpcs.plenary.models import Document, SourceVersion
from kpcs.plenary.selectors.access import documents_visible_to, public_documents
from kpcs.plenary.selectors.search import document_search, issued_text

Section = Document.CompendiumSection
# The order of the sections on the compendium's pages.
SECTIONS: list[Section] = [
    Section.CORE_DOCUMENT,
    Section.ADMINISTRATIVE_DECISIONS,
    Section.GUIDANCE,
    Section.OTHER,
]
# How deep a chain of revisions of revisions is followed (Rev.2 of Rev.1 of …).
MAX_REVISION_DEPTH = 6
# The kinds of document the secretariat usually puts in the compendium (its work list).
COMPENDIUM_KINDS = (
    Document.Kind.CORE_DOCUMENT,
    Document.Kind.ADMINISTRATIVE_DECISION,
    Document.Kind.GUIDANCE_NOTE,
)


def section_slug(section: str) -> str:
    """The section's part of an address: `administrative_decisions` →
    `administrative-decisions`."""
    return section.replace("_", "-")


def section_from_slug(slug: str) -> Section | None:
    value = (slug or "").replace("-", "_")
    return Section(value) if value in Section.values else None


def _today(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


def with_compendium_facts(
    documents: QuerySet[Document], *, on: dt.date | None = None, language: str | None = None
) -> Any:
    """`documents` annotated for the compendium: `display_title` (in `language` — default the
    active one — where that version is issued, else English), `in_force` (not superseded, or
    superseded only from a later date), `compendium_group` (its own section, else that of the
    document it revises), `version_count` and `version_at` (the English source's versions),
    and `decision_year`/`decision_number` for the order by year and number."""
    versions = SourceVersion.objects.filter(document=OuterRef("pk")).order_by().values("document")
    return documents.select_related("superseded_by", "revision_of").annotate(
        display_title=issued_text("title", language or get_language() or "en"),
        in_force=Case(
            When(superseded_by__isnull=True, then=Value(True)),
            When(superseded_on__gt=_today(on), then=Value(True)),
            default=Value(False),
            output_field=BooleanOutput(),
        ),
        compendium_group=Coalesce(
            NullIf(F("compendium_section"), Value("")), F("revision_of__compendium_section")
        ),
        version_count=Coalesce(
            Subquery(versions.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            Value(0),
        ),
        version_at=Subquery(
            versions.annotate(at=Max("created_at")).values("at"), output_field=DateTimeField()
        ),
        decision_year=ExtractYear("date"),
        # The number at the end of the symbol ("… Administrative Decision 12" → 12); at most
        # nine digits, so the cast cannot overflow.
        decision_number=Cast(
            Func(F("symbol"), Value(r"(\d{1,9})\s*$"), function="substring"),
            IntegerField(),
        ),
    )


def in_compendium(section: str | None = None) -> Q:
    """Documents placed in the compendium (in `section`), or revising one that is."""
    if section:
        return Q(compendium_section=section) | Q(
            compendium_section="", revision_of__compendium_section=section
        )
    # `> ""`: any section; unlike a negated test it does not let documents without an
    # original through the outer join.
    return Q(compendium_section__gt="") | Q(revision_of__compendium_section__gt="")


def _ordered(documents: Any) -> Any:
    return documents.order_by("decision_year", F("decision_number").asc(nulls_last=True), "symbol")


def compendium_documents(
    user: Any,
    *,
    section: str | None = None,
    on: dt.date | None = None,
    language: str | None = None,
) -> QuerySet[Document]:
    """The compendium's documents the user may see (in `section`), annotated (see
    `with_compendium_facts`) and in order: by year, then by number."""
    visible = documents_visible_to(user).filter(in_compendium(section))
    return _ordered(with_compendium_facts(visible, on=on, language=language))


def public_compendium_documents(
    *, section: str | None = None, language: str | None = None
) -> QuerySet[Document]:
    """What the public API lists: published public documents of the compendium."""
    published = public_documents().filter(in_compendium(section))
    return _ordered(with_compendium_facts(published, language=language))


def compendium_search(
    user: Any, q: Any, language: str, *, section: str | None = None
) -> QuerySet[Document]:
    """The compendium's documents the user may see that match `q` in `language`, best first."""
    visible = documents_visible_to(user).filter(in_compendium(section))
    return document_search(with_compendium_facts(visible, language=language), q, language)


@dataclass
class CompendiumEntry:
    """A document of the compendium with the revisions and corrigenda listed under it."""

    document: Document
    revisions: list[Document] = field(default_factory=list)
    # Whether the user may open the decision that superseded it (else only its symbol shows).
    superseded_by_visible: bool = False


@dataclass
class CompendiumSection:
    section: Section
    entries: list[CompendiumEntry]

    @property
    def slug(self) -> str:
        return section_slug(self.section)

    @property
    def label(self) -> str:
        return str(self.section.label)


def compendium_sections(
    user: Any, *, section: str | None = None, on: dt.date | None = None
) -> list[CompendiumSection]:
    """The compendium as the user may see it, section by section (only `section` if given),
    every section listed even when empty. Revisions of revisions are followed down to
    MAX_REVISION_DEPTH levels; a query per level, usually one or two."""
    documents = list(compendium_documents(user, section=section, on=on))
    known = {document.pk for document in documents}
    frontier = [document.pk for document in documents if document.revision_of_id is not None]
    for _level in range(MAX_REVISION_DEPTH):
        if not frontier:
            break
        deeper = [
            document
            for document in compendium_revisions(user, of=frontier, on=on)
            if document.pk not in known
        ]
        documents += deeper
        known |= {document.pk for document in deeper}
        frontier = [document.pk for document in deeper]
    by_pk = {document.pk: document for document in documents}

    def root_of(document: Document) -> Document:
        seen = {document.pk}
        while document.revision_of_id in by_pk and document.revision_of_id not in seen:
            document = by_pk[document.revision_of_id]
            seen.add(document.pk)
        return document

    # Entries keep the order of their original document (by year and number).
    roots = {document.pk: root_of(document) for document in documents}
    entries: dict[int, CompendiumEntry] = {
        document.pk: CompendiumEntry(document=document)
        for document in documents
        if roots[document.pk] is document
    }
    for document in documents:
        if roots[document.pk] is not document:
            entries[roots[document.pk].pk].revisions.append(document)
    mark_superseding_visible(user, [entry.document for entry in entries.values()])
    grouped: dict[str, list[CompendiumEntry]] = {value: [] for value in Section.values}
    for entry in entries.values():
        entry.revisions.sort(key=lambda revision: (revision.date, revision.symbol))
        entry.superseded_by_visible = bool(getattr(entry.document, "superseded_by_visible", False))
        group = entry.document.compendium_section or getattr(entry.document, "compendium_group", "")
        if group in grouped:
            grouped[group].append(entry)
    wanted = [Section(section)] if section else SECTIONS
    return [CompendiumSection(section=value, entries=grouped[value]) for value in wanted]


def mark_superseding_visible(user: Any, documents: list[Document]) -> None:
    """Set `superseded_by_visible` on each document: whether the user may open the decision
    that superseded it (one query; else only its symbol is shown)."""
    superseding = {document.superseded_by_id for document in documents if document.superseded_by_id}
    visible = (
        set(documents_visible_to(user).filter(pk__in=superseding).values_list("pk", flat=True))
        if superseding
        else set()
    )
    for document in documents:
        # An attribute for the templates and the entry, like an annotation.
        setattr(document, "superseded_by_visible", document.superseded_by_id in visible)  # noqa: B010


def compendium_revisions(
    user: Any, *, of: list[int], on: dt.date | None = None
) -> QuerySet[Document]:
    """The revisions and corrigenda the user may see of the documents `of`."""
    visible = documents_visible_to(user).filter(revision_of_id__in=of)
    return with_compendium_facts(visible, on=on).order_by("date", "symbol")


def supersession_candidates(*, document: Document | None = None) -> QuerySet[Document]:
    """The decisions that may supersede another: adopted or published administrative
    decisions (not the document itself)."""
    decisions = Document.objects.filter(
        kind=Document.Kind.ADMINISTRATIVE_DECISION,
        status__in=[Document.Status.ADOPTED, Document.Status.PUBLISHED],
    ).order_by("-date", "symbol")
    if document is not None:
        decisions = decisions.exclude(pk=document.pk)
    return decisions


def compendium_work_list(*, q: str = "", language: str = "en") -> QuerySet[Document]:
    """The secretariat's list on the management page: every document in the compendium or of
    a kind that usually belongs there, in any status (matching `q` when given)."""
    documents = with_compendium_facts(
        Document.objects.filter(Q(kind__in=COMPENDIUM_KINDS) | Q(compendium_section__gt=""))
    )
    if q:
        return document_search(documents, q, language)
    return documents.order_by("-date", "symbol")
