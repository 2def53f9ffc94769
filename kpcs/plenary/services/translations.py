"""Writes of the translation workflow: the English source of a document and its language
versions.

English is the source. Every change of the source gets a new fingerprint
(`kpcs.plenary.fingerprints.source_fingerprint`) and a `SourceVersion` keeping that text, so a
translator can later see what changed since their translation was made. A translation records
the fingerprint of the source it was made from: when the document's fingerprint moves on, the
translation is outdated, unless the editor marked the change as minor, which moves every
translation that was current to the new fingerprint with it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from kpcs.common.audit import record_update, save_with_audit, snapshot
from kpcs.plenary.fingerprints import source_fingerprint
from kpcs.plenary.models import Document, DocumentTranslation, SourceVersion

SOURCE_LANGUAGE = "en"
TITLE_MAX_LENGTH = 500
# A plenary document is a few dozen pages at most; a far longer body is a pasting accident.
BODY_MAX_LENGTH = 500_000


def field_name(field: str, language: str) -> str:
    """The modeltranslation field of `field` in `language` (`title_zh_hans` for zh-hans)."""
    return build_localized_fieldname(field, language)


def localized(document: Document, field: str, language: str) -> str:
    """The text of `field` in `language` as stored, without falling back to English."""
    return getattr(document, field_name(field, language)) or ""


def translation_languages() -> list[str]:
    """The languages a document may be translated into: every UN language but English."""
    return [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]


def _normal_body(body: str | None) -> str:
    # Browsers send textareas with CRLF line ends; the text is kept with LF only.
    return (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _check_text(*, title: str, body: str, title_required: bool) -> None:
    errors: dict[str, list[str]] = {}
    if title_required and not title:
        errors["title"] = [_("Give the title.")]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [
            _("The title has %(length)s characters: at most %(max)s are allowed.")
            % {"length": len(title), "max": TITLE_MAX_LENGTH}
        ]
    if len(body) > BODY_MAX_LENGTH:
        errors["body"] = [
            _("The body has %(length)s characters: at most %(max)s are allowed.")
            % {"length": len(body), "max": BODY_MAX_LENGTH}
        ]
    if errors:
        raise ValidationError(errors)


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _current_fingerprint(document: Document) -> str:
    """The stored fingerprint; documents written before fingerprints were kept get theirs
    from their English text."""
    return document.source_fingerprint or source_fingerprint(
        localized(document, "title", SOURCE_LANGUAGE), localized(document, "body", SOURCE_LANGUAGE)
    )


def source_version_record(
    *, document: Document, actor: Any = None, minor: bool = False
) -> SourceVersion:
    """The SourceVersion of the document's current English text (one per fingerprint):
    the existing one, or a new one recorded now. A minor change marks the version minor."""
    fingerprint = _current_fingerprint(document)
    version, created = SourceVersion.objects.get_or_create(
        document=document,
        fingerprint=fingerprint,
        defaults={
            "title": localized(document, "title", SOURCE_LANGUAGE),
            "body": localized(document, "body", SOURCE_LANGUAGE),
            "minor": minor,
            "created_by": _actor(actor),
        },
    )
    if not created and minor and not version.minor:
        version.minor = True
        version.save(update_fields=["minor"])
    return version


def _locked(document: Document) -> Document:
    # Two editors saving at once: the second waits and sees the first one's fingerprint.
    return Document.objects.select_for_update().get(pk=document.pk)


@transaction.atomic
def source_edit(
    *, document: Document, title: str, body: str, actor: Any, minor: bool = False
) -> Document:
    """Save the English title and body. A change of the text gets a new fingerprint and a
    SourceVersion (the version before is recorded too if it was missing, so every translation
    has a base to be compared with). Translations made from the previous text become outdated,
    unless `minor`: then they move to the new fingerprint and stay current. Nothing changes
    (and nothing is recorded) when the text is the same. Returns the saved document."""
    title = (title or "").strip()
    body = _normal_body(body)
    _check_text(title=title, body=body, title_required=True)
    stored = _locked(document)
    if title == localized(stored, "title", SOURCE_LANGUAGE) and body == localized(
        stored, "body", SOURCE_LANGUAGE
    ):
        return stored
    previous = _current_fingerprint(stored)
    if localized(stored, "title", SOURCE_LANGUAGE):
        source_version_record(document=stored, actor=actor)
    fingerprint = source_fingerprint(title, body)
    reason = _("Minor change of the English source") if minor else ""
    save_with_audit(
        instance=stored,
        actor=actor,
        values={"title_en": title, "body_en": body, "source_fingerprint": fingerprint},
        reason=reason,
    )
    if fingerprint == previous:
        # Only line ends or Unicode forms changed: the same text for the translators.
        return stored
    source_version_record(document=stored, actor=actor, minor=minor)
    if minor:
        kept = DocumentTranslation.objects.select_for_update().filter(
            document=stored, source_fingerprint=previous
        )
        for translation in kept:
            before = snapshot(translation)
            # update() leaves updated_at alone: the translator's date stays the translator's.
            DocumentTranslation.objects.filter(pk=translation.pk).update(
                source_fingerprint=fingerprint
            )
            translation.source_fingerprint = fingerprint
            record_update(actor=actor, instance=translation, before=before, reason=reason)
    return stored


@transaction.atomic
def translation_save(
    *,
    document: Document,
    language: str,
    title: str,
    body: str,
    status: str,
    actor: Any,
) -> DocumentTranslation:
    """Save one language version (any UN language but English) as draft or final. It is
    recorded as made from the document's current source, so saving an outdated translation
    makes it current again. A final version needs a title, and a body when the source has
    one. Returns the translation record."""
    errors: dict[str, list[str]] = {}
    if language == SOURCE_LANGUAGE:
        errors["language"] = [
            _("English is the source: edit it on the document's page, not as a translation.")
        ]
    elif language not in translation_languages():
        errors["language"] = [
            _("“%(language)s” is not a language of the KP: use one of %(languages)s.")
            % {"language": str(language)[:20], "languages": ", ".join(translation_languages())}
        ]
    if status not in DocumentTranslation.Status.values:
        errors["status"] = [
            _("“%(status)s” is not a status of a translation: use draft or final.")
            % {"status": str(status)[:20]}
        ]
    if errors:
        raise ValidationError(errors)
    title = (title or "").strip()
    body = _normal_body(body)
    _check_text(title=title, body=body, title_required=False)
    stored = _locked(document)
    if status == DocumentTranslation.Status.FINAL:
        if not title:
            errors["title"] = [_("A final translation needs its title.")]
        if not body and localized(stored, "body", SOURCE_LANGUAGE).strip():
            errors["body"] = [_("A final translation needs its body: the English source has one.")]
        if errors:
            raise ValidationError(errors)
    fingerprint = _current_fingerprint(stored)
    # The base of the diff a translator will see once the source moves on.
    source_version_record(document=stored, actor=actor)
    save_with_audit(
        instance=stored,
        actor=actor,
        values={
            field_name("title", language): title,
            field_name("body", language): body,
            "source_fingerprint": fingerprint,
        },
    )
    translation = DocumentTranslation.objects.filter(document=stored, language=language).first()
    if translation is None:
        translation = DocumentTranslation(document=stored, language=language)
    save_with_audit(
        instance=translation,
        actor=actor,
        values={"status": status, "source_fingerprint": fingerprint, "updated_by": _actor(actor)},
    )
    # The caller's instance shows what was saved.
    for name in (field_name("title", language), field_name("body", language)):
        setattr(document, name, getattr(stored, name))
    document.source_fingerprint = fingerprint
    return translation
