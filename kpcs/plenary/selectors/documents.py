"""Reads about documents: the public list and page of released documents (scoped by
`access.documents_visible_to`, so a document the user may not see is never listed nor found),
the secretariat's list and history of a document, which language versions are issued, and the
ready PDF of each language.

A language version is *issued* (shown on the public page, listed in the API's `languages`)
when it is English (the source) or its state in TRANSLATIONS' language matrix is "final" (a
final translation made from the current English source).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import get_language, override
from modeltranslation.utils import build_localized_fieldname

from kpcs.common.audit import entries_for
from kpcs.common.models import AuditEntry
from kpcs.plenary.models import Document, DocumentPack, DocumentPackFile, Meeting, SourceVersion
from kpcs.plenary.selectors import translations
from kpcs.plenary.selectors.access import documents_visible_to, released

SOURCE_LANGUAGE = "en"
LANGUAGE_CODES: list[str] = [code for code, _name in settings.LANGUAGES]


def suffix(language: str) -> str:
    """The modeltranslation suffix of a language: zh-hans → zh_hans."""
    return language.replace("-", "_")


def language_name(language: str) -> str:
    return str(dict(settings.LANGUAGES).get(language, language))


def current_language() -> str:
    language = get_language() or SOURCE_LANGUAGE
    return language if language in LANGUAGE_CODES else SOURCE_LANGUAGE


def english(instance: Any, field: str = "title") -> str:
    """The English value of a translated field (modeltranslation's `<field>_en`), as stored."""
    return getattr(instance, build_localized_fieldname(field, SOURCE_LANGUAGE)) or ""


def text_in(document: Document, language: str) -> tuple[str, str]:
    """The title and body stored for one language (empty strings when not filled)."""
    end = suffix(language)
    return (
        getattr(document, f"title_{end}", None) or "",
        getattr(document, f"body_{end}", None) or "",
    )


# --- Language versions -----------------------------------------------------------------------
# TRANSLATIONS decides the state of each language (kpcs.plenary.selectors.translations): the
# lists here take its SQL annotation (`with_languages`), so no query is made per document.


def _state_field(language: str) -> str:
    return build_localized_fieldname("language_state", language)


def language_states(document: Document) -> dict[str, str]:
    """The state of every language: source, missing, draft, final or outdated."""
    if all(hasattr(document, _state_field(code)) for code in LANGUAGE_CODES):
        return {code: getattr(document, _state_field(code)) for code in LANGUAGE_CODES}
    return dict(translations.language_matrix(document))


def language_state(document: Document, language: str) -> str:
    return language_states(document).get(language, "missing")


def issued_languages(document: Document) -> list[str]:
    """English and every language whose translation is final and current, in the order of
    settings.LANGUAGES."""
    states = language_states(document)
    return [code for code in LANGUAGE_CODES if states.get(code) in ("source", "final")]


def required_languages_missing(document: Document) -> list[str]:
    """The required languages (settings.KPCS_DOCUMENT_LANGUAGES) that are not final: what
    publication waits for (TRANSLATIONS' `required_languages_final`)."""
    return list(translations.required_languages_final(document))


# --- PDFs ------------------------------------------------------------------------------------

# How many of a document's newest packs with ready files are checked for currency, and for
# how long a list remembers the answer.
PACKS_CHECKED = 3
PACK_CHECK_SECONDS = 300


def _ready_files(documents: list[Document]) -> dict[int, list[DocumentPackFile]]:
    """The ready files of each document's packs, newest pack first (one query)."""
    files: dict[int, list[DocumentPackFile]] = {document.pk: [] for document in documents}
    if not files:
        return files
    rows = (
        DocumentPackFile.objects.filter(
            pack__subject=DocumentPack.Subject.DOCUMENT,
            pack__document_id__in=list(files),
            status=DocumentPackFile.Status.DONE,
        )
        .exclude(file="")
        .select_related("pack")
        .order_by("-pack__created_at", "-pack_id", "language")
    )
    for row in rows:
        if row.pack.document_id in files:
            files[row.pack.document_id].append(row)
    return files


def _pack_is_current(pack: DocumentPack, document: Document, *, cached: bool) -> bool:
    """PACKS decides whether the pack's fingerprint still matches the content of its
    languages (it renders each language's HTML: a few milliseconds and queries). Lists keep
    the answer a few minutes, keyed by the document's last save (every change of its text,
    translations, status or supersession saves it); the PDF itself is always checked afresh."""
    from kpcs.plenary.services.packs import pack_is_current

    if not cached:
        return bool(pack_is_current(pack))
    key = f"plenary:pack-current:{pack.pk}:{pack.fingerprint}:{document.updated_at.isoformat()}"
    answer = cache.get(key)
    if answer is None:
        answer = bool(pack_is_current(pack))
        cache.set(key, answer, PACK_CHECK_SECONDS)
    return bool(answer)


def _pick(
    document: Document, files: list[DocumentPackFile], *, cached: bool
) -> dict[str, DocumentPackFile]:
    """For each issued language: the ready file of the newest pack that is still current (a
    pack built before the text changed shows superseded text, so it is not offered)."""
    issued = set(issued_languages(document))
    packs: dict[int, list[DocumentPackFile]] = {}
    for row in files:
        packs.setdefault(row.pack_id, []).append(row)
    chosen: dict[str, DocumentPackFile] = {}
    for rows in list(packs.values())[:PACKS_CHECKED]:
        wanted = [row for row in rows if row.language in issued and row.language not in chosen]
        if wanted and _pack_is_current(rows[0].pack, document, cached=cached):
            chosen.update({row.language: row for row in wanted})
    return chosen


def ready_pdfs(
    documents: Iterable[Document], *, cached: bool = True
) -> dict[int, dict[str, DocumentPackFile]]:
    """The current ready PDF of each issued language of each document."""
    documents = list(documents)
    files = _ready_files(documents)
    return {
        document.pk: _pick(document, files[document.pk], cached=cached) for document in documents
    }


def ready_pdf(document: Document, language: str) -> DocumentPackFile | None:
    """The PDF to serve: checked against the content as it is now."""
    return ready_pdfs([document], cached=False)[document.pk].get(language)


# --- Public reading --------------------------------------------------------------------------


def with_languages(documents: QuerySet[Document]) -> QuerySet[Document]:
    """Documents with the state of each language (what the language helpers above read)."""
    return translations.with_language_states(documents)


def search(documents: QuerySet[Document], q: str, language: str) -> QuerySet[Document]:
    """COMPENDIUM's full-text search in that language; while it does not exist, the symbol
    or the title (in that language or English) containing the words."""
    try:
        from kpcs.plenary.selectors.search import document_search
    except ImportError:
        return documents.filter(
            Q(symbol__icontains=q)
            | Q(**{f"title_{suffix(language)}__icontains": q})
            | Q(title_en__icontains=q)
        )
    return document_search(documents, q, language)


def released_documents(*, user: Any) -> QuerySet[Document]:
    """What the user may read: published documents (and advance versions the secretariat
    released) within the distribution the user may see. The secretariat too sees only released
    documents here (its own list shows drafts)."""
    return documents_visible_to(user).filter(released())


def public_document_list(
    *,
    user: Any,
    kind: str | None = None,
    meeting: Meeting | None = None,
    year: int | None = None,
    q: str | None = None,
    language: str | None = None,
) -> QuerySet[Document]:
    documents = released_documents(user=user)
    if kind:
        documents = documents.filter(kind=kind)
    if meeting is not None:
        documents = documents.filter(meeting=meeting)
    if year is not None:
        documents = documents.filter(date__year=year)
    if q:
        documents = search(documents, q, language or current_language())
    return with_languages(documents).order_by("-date", "symbol")


def released_document_by_symbol(*, user: Any, symbol: str) -> Document | None:
    """One released document the user may read (the public API: no drafts, even for the
    secretariat)."""
    documents = released_documents(user=user).filter(symbol=symbol).select_related("meeting")
    return with_languages(documents).first()


def document_by_symbol(*, user: Any, symbol: str) -> Document | None:
    """One document the user may see, by its symbol (the secretariat may preview drafts)."""
    return with_languages(documents_visible_to(user).filter(symbol=symbol)).first()


@dataclass
class Relations:
    revision_of: Document | None
    revisions: list[Document]
    supersedes: list[Document]
    superseded_by: Document | None


def relations(document: Document, *, user: Any) -> Relations:
    """The documents linked to this one that the user may see."""
    visible = documents_visible_to(user)
    linked_ids = [pk for pk in (document.revision_of_id, document.superseded_by_id) if pk]
    linked = {d.pk: d for d in visible.filter(pk__in=linked_ids)} if linked_ids else {}
    return Relations(
        revision_of=linked.get(document.revision_of_id or 0),
        revisions=list(visible.filter(revision_of=document).order_by("date", "symbol")),
        supersedes=list(visible.filter(superseded_by=document).order_by("date", "symbol")),
        superseded_by=linked.get(document.superseded_by_id or 0),
    )


# --- The secretariat's lists -----------------------------------------------------------------


def document_list(
    *,
    kind: str | None = None,
    status: str | None = None,
    meeting: Meeting | None = None,
    q: str | None = None,
) -> QuerySet[Document]:
    """Every document, in every status, for the secretariat's list."""
    documents = Document.objects.select_related("meeting", "working_body", "revision_of")
    if kind:
        documents = documents.filter(kind=kind)
    if status:
        documents = documents.filter(status=status)
    if meeting is not None:
        documents = documents.filter(meeting=meeting)
    if q:
        documents = documents.filter(Q(symbol__icontains=q) | Q(title_en__icontains=q))
    return with_languages(documents).order_by("-date", "symbol")


def document_get(*, user: Any, pk: int) -> Document | None:
    return with_languages(documents_visible_to(user).filter(pk=pk)).first()


def document_for_api(*, pk: int) -> Document | None:
    """One document for the secretariat's API, with what its JSON shows."""
    documents = Document.objects.select_related(
        "meeting", "working_body", "revision_of"
    ).prefetch_related("revisions")
    return with_languages(documents.filter(pk=pk)).first()


def page_url(symbol: str, language: str) -> str:
    """The stable address of a document's public page in a language:
    /<language>/documents/<symbol>/."""
    with override(language):
        return reverse("documents:detail", args=[symbol])


def pdf_url(symbol: str, language: str, *, page_language: str | None = None) -> str:
    """The address of a document's PDF in `language` (under the page's language prefix)."""
    with override(page_language or language):
        return reverse("documents:pdf", args=[symbol, language])


def revision_chain(document: Document) -> list[Document]:
    """The documents this one revises or corrects, oldest first (the original at the head)."""
    chain: list[Document] = []
    seen = {document.pk}
    current = document.revision_of
    while current is not None and current.pk not in seen:
        chain.append(current)
        seen.add(current.pk)
        current = current.revision_of
    chain.reverse()
    return chain


def source_versions(document: Document) -> QuerySet[SourceVersion]:
    return document.source_versions.select_related("created_by").order_by("-created_at", "-id")


def audit_trail(document: Document) -> QuerySet[AuditEntry]:
    return entries_for(document).order_by("-timestamp", "-id")


def documents_for_choice(*, meeting: Meeting | None = None) -> QuerySet[Document]:
    """Documents to attach to an agenda item: the meeting's, then those of no meeting."""
    documents = Document.objects.all()
    if meeting is not None:
        documents = documents.filter(Q(meeting=meeting) | Q(meeting__isnull=True))
    return documents.order_by("symbol")
