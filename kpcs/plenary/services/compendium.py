"""Writes of the compendium of KPCS rules and guidance (secretariat only, audited): putting a
document in a section of the compendium, marking it superseded by a later administrative
decision from a date, and clearing that mark.

Rules of supersession (each refusal names its field):
- the superseding document is an adopted or published administrative decision;
- a document is not superseded by itself, and no chain of supersessions may loop back
  (A superseded by B superseded by A);
- the date is not before either document's date;
- only an adopted or published document can be superseded (a draft is simply changed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kpcs.accounts.permissions import is_secretariat
from kpcs.common.audit import save_with_audit
from kpcs.plenary.models import Document

SUPERSEDING_STATUSES = (Document.Status.ADOPTED, Document.Status.PUBLISHED)
# A chain of supersessions longer than this is treated as a loop (there are a few dozen
# decisions a decade).
MAX_CHAIN = 1000


def _require_secretariat(actor: Any) -> None:
    if not is_secretariat(actor):
        raise PermissionDenied(_("Only the KP secretariat may change the compendium."))


def _locked(document: Document) -> Document:
    return Document.objects.select_for_update().get(pk=document.pk)


@transaction.atomic
def compendium_section_set(*, document: Document, section: str, actor: Any) -> Document:
    """Put the document in a section of the compendium ("" takes it out)."""
    _require_secretariat(actor)
    section = (section or "").strip()
    if section and section not in Document.CompendiumSection.values:
        raise ValidationError(
            {
                "section": _("“%(value)s” is not a section of the compendium: use one of %(ok)s.")
                % {"value": section[:40], "ok": ", ".join(Document.CompendiumSection.values)}
            }
        )
    document = _locked(document)
    return save_with_audit(
        instance=document,
        actor=actor,
        values={"compendium_section": section},
        reason="compendium section",
    )


def _loops_back(document: Document, superseded_by: Document) -> bool:
    """Whether following `superseded_by`'s own supersessions reaches `document`."""
    current: int | None = superseded_by.pk
    seen: set[int] = set()
    while current is not None and len(seen) < MAX_CHAIN:
        if current == document.pk:
            return True
        if current in seen:
            return True
        seen.add(current)
        current = (
            Document.objects.filter(pk=current).values_list("superseded_by_id", flat=True).first()
        )
    return len(seen) >= MAX_CHAIN


def supersession_errors(
    *, document: Document, superseded_by: Document | None, superseded_on: Any
) -> dict[str, list[str]]:
    """Why `document` may not be marked superseded by `superseded_by` on `superseded_on`
    (empty when it may), field by field."""
    errors: dict[str, list[str]] = {}
    if document.status not in SUPERSEDING_STATUSES:
        errors.setdefault("document", []).append(
            _("%(symbol)s is a draft: only an adopted or published document can be superseded.")
            % {"symbol": document.symbol}
        )
    if superseded_by is None:
        errors.setdefault("superseded_by", []).append(
            _("Choose the decision that supersedes this document.")
        )
    elif superseded_by.pk == document.pk:
        errors.setdefault("superseded_by", []).append(
            _("A document cannot be superseded by itself.")
        )
    else:
        if superseded_by.kind != Document.Kind.ADMINISTRATIVE_DECISION:
            errors.setdefault("superseded_by", []).append(
                _("%(symbol)s is a %(kind)s: only an administrative decision supersedes rules.")
                % {"symbol": superseded_by.symbol, "kind": superseded_by.get_kind_display()}
            )
        if superseded_by.status not in SUPERSEDING_STATUSES:
            errors.setdefault("superseded_by", []).append(
                _(
                    "%(symbol)s is still a draft: only an adopted or published decision "
                    "supersedes another document."
                )
                % {"symbol": superseded_by.symbol}
            )
        if _loops_back(document, superseded_by):
            errors.setdefault("superseded_by", []).append(
                _(
                    "%(symbol)s is itself superseded, directly or through other decisions, "
                    "by %(document)s: supersessions cannot go round in a circle."
                )
                % {"symbol": superseded_by.symbol, "document": document.symbol}
            )
    if not isinstance(superseded_on, dt.date):
        errors.setdefault("superseded_on", []).append(
            _("Give the date from which it is superseded (YYYY-MM-DD).")
        )
    else:
        for other in (document, superseded_by):
            if other is not None and superseded_on < other.date:
                errors.setdefault("superseded_on", []).append(
                    _(
                        "The date (%(date)s) is before the date of %(symbol)s (%(other)s): "
                        "give a date on or after it."
                    )
                    % {
                        "date": superseded_on.isoformat(),
                        "symbol": other.symbol,
                        "other": other.date.isoformat(),
                    }
                )
    return errors


@transaction.atomic
def document_supersede(
    *,
    document: Document,
    superseded_by: Document | None,
    superseded_on: dt.date | None,
    actor: Any,
) -> Document:
    """Mark `document` superseded by the administrative decision `superseded_by` from
    `superseded_on` (replacing any earlier mark). It stays in the compendium, marked."""
    _require_secretariat(actor)
    # Both rows are locked (in id order, so two supersessions at once cannot deadlock) and the
    # rules are checked against what is stored now.
    ids = sorted({document.pk, *([superseded_by.pk] if superseded_by is not None else [])})
    locked = {row.pk: row for row in Document.objects.select_for_update().filter(pk__in=ids)}
    document = locked[document.pk]
    superseded_by = locked.get(superseded_by.pk) if superseded_by is not None else None
    if errors := supersession_errors(
        document=document, superseded_by=superseded_by, superseded_on=superseded_on
    ):
        raise ValidationError(errors)
    return save_with_audit(
        instance=document,
        actor=actor,
        values={"superseded_by": superseded_by, "superseded_on": superseded_on},
        reason="superseded",
    )


@transaction.atomic
def document_supersession_clear(*, document: Document, actor: Any) -> Document:
    """The document is in force again (the supersession was recorded by mistake)."""
    _require_secretariat(actor)
    document = _locked(document)
    return save_with_audit(
        instance=document,
        actor=actor,
        values={"superseded_by": None, "superseded_on": None},
        reason="supersession cleared",
    )
