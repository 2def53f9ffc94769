"""Writes about documents: creating one under its symbol, editing its facts and its English
source (through TRANSLATIONS' `source_edit`, which keeps the source versions and decides which
translations become outdated), its status (draft → adopted → published, and the advance
release of an adopted document), and its revisions and corrigenda.

Every write is the secretariat's, runs in one transaction and is audited. Bad input raises
ValidationError with messages under the field at fault; nothing is half-saved.

Publication waits for every required language (settings.KPCS_DOCUMENT_LANGUAGES) to be final
and current; the secretariat may publish anyway by releasing an advance version on purpose.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kpcs.accounts.permissions import is_secretariat
from kpcs.common import audit
from kpcs.participants.models import WorkingBody
from kpcs.plenary.fingerprints import source_fingerprint
from kpcs.plenary.models import Document, DocumentTranslation, Meeting
from kpcs.plenary.selectors.documents import (
    LANGUAGE_CODES,
    english,
    language_name,
    required_languages_missing,
    suffix,
)
from kpcs.plenary.services.translations import source_edit, source_version_record

Status = Document.Status

SYMBOL_MAX = 200
TITLE_MAX = 500
BODY_MAX = 500_000
FIRST_YEAR = 2000
LAST_YEAR = 2100
# Characters that cannot stand in an address (/<lang>/documents/<symbol>/) or a file name.
_SYMBOL_FORBIDDEN = re.compile(r"[?#%\\<>\"\x00-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
_SPACED_SLASH = re.compile(r"\s*/\s*")

ACTION_ADOPT = "adopt"
ACTION_PUBLISH = "publish"
ACTION_RELEASE_ADVANCE = "release_advance"
ACTIONS = (ACTION_ADOPT, ACTION_PUBLISH, ACTION_RELEASE_ADVANCE)

FACT_FIELDS = ("kind", "meeting", "date", "distribution", "working_body", "compendium_section")


def _require_secretariat(actor: Any) -> None:
    if not is_secretariat(actor):
        raise PermissionDenied(_("Only the KP secretariat manages plenary documents."))


def _day(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def clean_text(text: str | None) -> str:
    """Text from a form or a client: Windows line endings made plain, trimmed."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _add(problems: dict[str, list[str]], field: str, message: str) -> None:
    problems.setdefault(field, []).append(message)


def _raise(problems: dict[str, list[str]]) -> None:
    if problems:
        raise ValidationError(problems)


def language_list(codes: list[str]) -> str:
    """“French (fr), Chinese (zh-hans)”: languages named for a person."""
    return ", ".join(f"{language_name(code)} ({code})" for code in codes)


# --- Symbols ---------------------------------------------------------------------------------


def normalise_symbol(symbol: str) -> str:
    """The symbol as stored: trimmed, runs of spaces made one, no spaces around slashes
    (“ KP / 2026/Plenary/Administrative  Decision 1 ” → “KP/2026/Plenary/Administrative
    Decision 1”)."""
    text = _SPACES.sub(" ", str(symbol or "")).strip()
    return _SPACED_SLASH.sub("/", text)


def symbol_problems(symbol: str, *, document: Document | None = None) -> list[str]:
    """What is wrong with a (normalised) symbol: empty, too long, characters that cannot
    stand in an address, empty parts, or the symbol of another document (any case)."""
    if not symbol:
        return [_("Give the document's symbol, e.g. KP/2026/Plenary/Administrative Decision 1.")]
    problems = []
    if len(symbol) > SYMBOL_MAX:
        problems.append(
            _("The symbol is %(count)s characters long: at most %(max)s.")
            % {"count": len(symbol), "max": SYMBOL_MAX}
        )
    bad = sorted(set(_SYMBOL_FORBIDDEN.findall(symbol)))
    if bad:
        shown = " ".join(repr(char)[1:-1] for char in bad)
        problems.append(
            _("A symbol cannot contain %(chars)s: it is part of the document's address.")
            % {"chars": shown}
        )
    if symbol.startswith("/") or symbol.endswith("/") or "//" in symbol:
        problems.append(_("Each part of the symbol between slashes needs some text."))
    if problems:
        return problems
    clash = Document.objects.filter(symbol__iexact=symbol)
    if document is not None and document.pk:
        clash = clash.exclude(pk=document.pk)
    other = clash.first()
    if other is not None:
        problems.append(
            _("The symbol “%(symbol)s” is already used by “%(title)s” (%(status)s).")
            % {
                "symbol": other.symbol,
                "title": english(other),
                "status": other.get_status_display(),
            }
        )
    return problems


# --- Facts -----------------------------------------------------------------------------------


def fact_problems(
    *,
    kind: Any,
    date: dt.date | None,
    distribution: Any,
    working_body: WorkingBody | None,
    compendium_section: Any = "",
) -> dict[str, list[str]]:
    """What is wrong with a document's facts, by field (forms and API say the same)."""
    problems: dict[str, list[str]] = {}
    if kind not in Document.Kind.values:
        _add(
            problems,
            "kind",
            _("“%(value)s” is not a kind of document: use %(values)s.")
            % {"value": str(kind)[:40], "values": ", ".join(Document.Kind.values)},
        )
    if distribution not in Document.Distribution.values:
        _add(
            problems,
            "distribution",
            _("“%(value)s” is not a distribution: use %(values)s.")
            % {"value": str(distribution)[:40], "values": ", ".join(Document.Distribution.values)},
        )
    elif distribution == Document.Distribution.WORKING_BODY and working_body is None:
        _add(
            problems,
            "working_body",
            _("A document restricted to a working body needs that working body."),
        )
    if compendium_section and compendium_section not in Document.CompendiumSection.values:
        _add(
            problems,
            "compendium_section",
            _("“%(value)s” is not a section of the compendium: use %(values)s.")
            % {
                "value": str(compendium_section)[:40],
                "values": ", ".join(Document.CompendiumSection.values),
            },
        )
    if date is None:
        _add(problems, "date", _("Give the document's date."))
    elif not FIRST_YEAR <= date.year <= LAST_YEAR:
        _add(
            problems,
            "date",
            _("Give a date from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return problems


def source_problems(*, title: str, body: str) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not title.strip():
        _add(problems, "title", _("Give the English title."))
    elif len(title) > TITLE_MAX:
        _add(
            problems,
            "title",
            _("The title is %(count)s characters long: at most %(max)s.")
            % {"count": len(title), "max": TITLE_MAX},
        )
    if len(body) > BODY_MAX:
        _add(
            problems,
            "body",
            _("The body is %(count)s characters long: at most %(max)s.")
            % {"count": len(body), "max": BODY_MAX},
        )
    return problems


def _facts(
    *,
    kind: str,
    meeting: Meeting | None,
    date: dt.date,
    distribution: str,
    working_body: WorkingBody | None,
    compendium_section: str,
) -> dict[str, Any]:
    # The working body names who may read a restricted document; on any other it means
    # nothing, so it is not kept (it would mislead).
    restricted = distribution == Document.Distribution.WORKING_BODY
    return {
        "kind": kind,
        "meeting": meeting,
        "date": date,
        "distribution": distribution,
        "working_body": working_body if restricted else None,
        "compendium_section": compendium_section or "",
    }


def _record_source(document: Document, actor: Any) -> None:
    """The first source version, so a translation made from it can be compared later."""
    source_version_record(document=document, actor=actor)


@transaction.atomic
def document_create(
    *,
    actor: Any,
    symbol: str,
    kind: str,
    date: dt.date,
    distribution: str,
    title: str,
    body: str = "",
    meeting: Meeting | None = None,
    working_body: WorkingBody | None = None,
    compendium_section: str = "",
) -> Document:
    """A new draft document under its symbol, with its English title and body (the source
    every translation is made from)."""
    _require_secretariat(actor)
    symbol = normalise_symbol(symbol)
    title = _SPACES.sub(" ", title or "").strip()
    body = clean_text(body)
    problems = fact_problems(
        kind=kind,
        date=date,
        distribution=distribution,
        working_body=working_body,
        compendium_section=compendium_section,
    )
    for message in symbol_problems(symbol):
        _add(problems, "symbol", message)
    for field, messages in source_problems(title=title, body=body).items():
        problems.setdefault(field, []).extend(messages)
    _raise(problems)
    document = Document(created_by=_actor(actor))
    values = _facts(
        kind=kind,
        meeting=meeting,
        date=date,
        distribution=distribution,
        working_body=working_body,
        compendium_section=compendium_section,
    ) | {
        "symbol": symbol,
        "status": Status.DRAFT,
        "title_en": title,
        "body_en": body,
        "source_fingerprint": source_fingerprint(title, body),
    }
    audit.save_with_audit(instance=document, actor=actor, values=values, reason="document created")
    _record_source(document, actor)
    return document


@transaction.atomic
def document_update(
    *,
    actor: Any,
    document: Document,
    kind: str,
    date: dt.date,
    distribution: str,
    meeting: Meeting | None = None,
    working_body: WorkingBody | None = None,
    compendium_section: str = "",
    symbol: str | None = None,
) -> Document:
    """Change a document's facts. The symbol changes only while the document is a draft
    (once adopted it is cited, and its public address must stay)."""
    _require_secretariat(actor)
    # The stored row, locked: a translation saved meanwhile is not overwritten.
    document = Document.objects.select_for_update().get(pk=document.pk)
    problems = fact_problems(
        kind=kind,
        date=date,
        distribution=distribution,
        working_body=working_body,
        compendium_section=compendium_section,
    )
    values = _facts(
        kind=kind,
        meeting=meeting,
        date=date,
        distribution=distribution,
        working_body=working_body,
        compendium_section=compendium_section,
    )
    if symbol is not None:
        symbol = normalise_symbol(symbol)
        if symbol != document.symbol:
            if document.status != Status.DRAFT:
                _add(
                    problems,
                    "symbol",
                    _(
                        "The symbol of an adopted or published document does not change: it "
                        "is cited and is its public address. Issue a revision instead."
                    ),
                )
            else:
                for message in symbol_problems(symbol, document=document):
                    _add(problems, "symbol", message)
                values["symbol"] = symbol
    _raise(problems)
    return audit.save_with_audit(
        instance=document, actor=actor, values=values, reason="document facts changed"
    )


@transaction.atomic
def document_edit(
    *,
    actor: Any,
    document: Document,
    title: str,
    body: str,
    minor: bool = False,
    **facts: Any,
) -> Document:
    """The edit page's one save: the facts (document_update) and the English source, which
    goes through TRANSLATIONS' `source_edit` when it changed (a `minor` change keeps the
    current translations current). The text of a published document does not change: it is
    corrected by a corrigendum or replaced by a revision."""
    _require_secretariat(actor)
    title = _SPACES.sub(" ", title or "").strip()
    body = clean_text(body)
    problems = source_problems(title=title, body=body)
    changed = title != english(document) or body != english(document, "body")
    if changed and document.status == Status.PUBLISHED:
        _add(
            problems,
            "body",
            _(
                "The text of a published document does not change: issue a corrigendum or a "
                "revision."
            ),
        )
    _raise(problems)
    document = document_update(actor=actor, document=document, **facts)
    if changed:
        document = source_edit(document=document, title=title, body=body, actor=actor, minor=minor)
    return document


# --- Status ----------------------------------------------------------------------------------


def available_actions(document: Document) -> list[str]:
    """What the secretariat may do next with the document's status."""
    if document.status == Status.DRAFT:
        return [ACTION_ADOPT]
    if document.status == Status.ADOPTED:
        actions = [ACTION_PUBLISH]
        if not document.advance_release:
            actions.append(ACTION_RELEASE_ADVANCE)
        return actions
    return []


def _check_date(
    problems: dict[str, list[str]], on: dt.date | None, *, after: dt.date | None, what: str
) -> None:
    if on is None:
        _add(problems, "date", _("Give the date of the decision."))
        return
    if not FIRST_YEAR <= on.year <= LAST_YEAR:
        _add(
            problems,
            "date",
            _("Give a date from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    elif on > timezone.localdate():
        _add(problems, "date", _("The date (%(date)s) is in the future.") % {"date": _day(on)})
    elif after is not None and on < after:
        _add(
            problems,
            "date",
            _("The %(what)s date (%(date)s) cannot be before %(after)s.")
            % {"what": what, "date": _day(on), "after": _day(after)},
        )


@transaction.atomic
def document_transition(
    *,
    actor: Any,
    document: Document,
    action: str,
    on: dt.date | None = None,
    advance: bool = False,
) -> Document:
    """adopt: draft → adopted on `on`. publish: adopted → published on `on`, refused while a
    required language is not final unless `advance` (the secretariat releases an advance
    version: `advance_release` is set). release_advance: an adopted document becomes readable
    by its distribution before publication."""
    _require_secretariat(actor)
    document = Document.objects.select_for_update().get(pk=document.pk)
    problems: dict[str, list[str]] = {}
    if action not in ACTIONS:
        _add(
            problems,
            "action",
            _("“%(action)s” is not something to do with a document's status: use %(actions)s.")
            % {"action": str(action)[:30], "actions": ", ".join(ACTIONS)},
        )
        _raise(problems)
    if action not in available_actions(document):
        raise ValidationError(
            {"action": [_refusal(document, action)]},
        )
    values: dict[str, Any]
    reason: str
    if action == ACTION_ADOPT:
        _check_date(problems, on, after=None, what=_("adoption"))
        _raise(problems)
        values, reason = {"status": Status.ADOPTED, "adopted_on": on}, "document adopted"
    elif action == ACTION_PUBLISH:
        _check_date(problems, on, after=document.adopted_on, what=_("publication"))
        _raise(problems)
        missing = required_languages_missing(document)
        if missing and not advance:
            raise ValidationError(
                {
                    "advance": [
                        _(
                            "Not published: these required languages are not final yet: "
                            "%(languages)s. Finish them, or publish an advance version on "
                            "purpose."
                        )
                        % {"languages": language_list(missing)}
                    ]
                }
            )
        values = {"status": Status.PUBLISHED, "published_on": on}
        reason = "document published"
        if missing:
            values["advance_release"] = True
            reason = f"document published as an advance version (missing: {', '.join(missing)})"
    else:
        values = {"advance_release": True}
        reason = "advance version released"
    return audit.save_with_audit(instance=document, actor=actor, values=values, reason=reason)


def _refusal(document: Document, action: str) -> str:
    if document.status == Status.PUBLISHED:
        return _("The document is already published.")
    if action == ACTION_PUBLISH:
        return _("Only an adopted document can be published: adopt it first.")
    if action == ACTION_RELEASE_ADVANCE and document.advance_release:
        return _("An advance version of this document is already released.")
    if action == ACTION_RELEASE_ADVANCE:
        return _("Only an adopted document can be released as an advance version.")
    return _("The document is already adopted.")


# --- Revisions and corrigenda ----------------------------------------------------------------

_REVISION_TAIL = re.compile(r"/(?:Rev|Corr)\.\d+$")


def _next_number(prefix: str) -> int:
    pattern = re.compile(re.escape(prefix) + r"(\d+)$", re.IGNORECASE)
    numbers = [
        int(match.group(1))
        for symbol in Document.objects.filter(symbol__istartswith=prefix).values_list(
            "symbol", flat=True
        )
        if (match := pattern.match(symbol))
    ]
    return max(numbers, default=0) + 1


def revision_symbol(document: Document, kind: str) -> str:
    """The symbol of the next revision (“…/Rev.N” of the original symbol: a revision of
    Rev.1 is Rev.2) or corrigendum (“…/Corr.N” of this document's symbol)."""
    if kind == Document.RevisionKind.REVISION:
        base = document.symbol
        while _REVISION_TAIL.search(base):
            base = _REVISION_TAIL.sub("", base)
        return f"{base}/Rev.{_next_number(base + '/Rev.')}"
    return f"{document.symbol}/Corr.{_next_number(document.symbol + '/Corr.')}"


@transaction.atomic
def document_revise(
    *,
    actor: Any,
    document: Document,
    kind: str,
    date: dt.date | None = None,
) -> Document:
    """A new draft revision or corrigendum of an adopted or published document, linked by
    `revision_of`, with a copy of its facts, its English source and its language versions
    (each translation keeps its state: it is current until the new document's source is
    edited). The original is not changed: its page lists what revised it."""
    _require_secretariat(actor)
    problems: dict[str, list[str]] = {}
    if kind not in Document.RevisionKind.values:
        _add(
            problems,
            "kind",
            _("“%(value)s” is neither a revision nor a corrigendum: use revision or corrigendum.")
            % {"value": str(kind)[:30]},
        )
    if document.status == Status.DRAFT:
        _add(
            problems,
            "kind",
            _(
                "A draft is corrected by editing it: only adopted or published documents are "
                "revised."
            ),
        )
    date = date or timezone.localdate()
    if not FIRST_YEAR <= date.year <= LAST_YEAR:
        _add(
            problems,
            "date",
            _("Give a date from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    elif date < document.date:
        _add(
            problems,
            "date",
            _("The date (%(date)s) cannot be before the document's own (%(original)s).")
            % {"date": _day(date), "original": _day(document.date)},
        )
    _raise(problems)
    # Two secretariat users revising at once must not get the same number.
    document = Document.objects.select_for_update().get(pk=document.pk)
    symbol = revision_symbol(document, kind)
    for message in symbol_problems(symbol):
        _add(problems, "kind", message)
    _raise(problems)
    values: dict[str, Any] = {
        "symbol": symbol,
        "kind": document.kind,
        "meeting": document.meeting,
        "date": date,
        "distribution": document.distribution,
        "working_body": document.working_body,
        "compendium_section": document.compendium_section,
        "status": Status.DRAFT,
        "revision_of": document,
        "revision_kind": kind,
        "source_fingerprint": document.source_fingerprint,
    }
    for code in LANGUAGE_CODES:
        end = suffix(code)
        values[f"title_{end}"] = getattr(document, f"title_{end}")
        values[f"body_{end}"] = getattr(document, f"body_{end}")
    revision = Document(created_by=_actor(actor))
    audit.save_with_audit(
        instance=revision,
        actor=actor,
        values=values,
        reason=f"{kind} of {document.symbol}",
    )
    _record_source(revision, actor)
    DocumentTranslation.objects.bulk_create(
        DocumentTranslation(
            document=revision,
            language=row.language,
            status=row.status,
            source_fingerprint=row.source_fingerprint,
            updated_by=_actor(actor),
        )
        for row in document.translations.all()
    )
    return revision
