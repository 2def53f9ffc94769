"""Test helpers for the translation workflow (helper TRANSLATIONS): the people (the
secretariat, an authority, an observer's representative) and a document in a meeting whose
French and Arabic versions are final and current, its source version recorded as
`source_edit` and `translation_save` would have done."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kpcs.accounts.models import Role
from kpcs.accounts.tests.factories import UserFactory
from kpcs.plenary.models import Document, Meeting
from kpcs.plenary.services.translations import source_version_record
from kpcs.plenary.tests.factories import DocumentFactory, MeetingFactory

SOURCE_BODY = (
    "The Plenary decides to adopt the rules below.\n\n"
    "Participants report their statistics every quarter.\n\n"
    "This decision enters into force on adoption."
)
FRENCH = (
    "Décision administrative sur les statistiques",
    "La Plénière décide d'adopter les règles ci-dessous.\n\n"
    "Les participants communiquent leurs statistiques chaque trimestre.\n\n"
    "Cette décision entre en vigueur dès son adoption.",
)
ARABIC = (
    "قرار إداري بشأن الإحصاءات",
    "يقرر الاجتماع العام اعتماد القواعد الواردة أدناه.\n\n"
    "يقدم المشاركون إحصاءاتهم كل ثلاثة أشهر.\n\n"
    "يدخل هذا القرار حيز النفاذ عند اعتماده.",
)


def translated_document(**kwargs: Any) -> Document:
    """A document (French and Arabic final and current unless `translated` says otherwise)
    with the SourceVersion of its current English text recorded."""
    kwargs.setdefault("title_en", "Administrative decision on statistics")
    kwargs.setdefault("body_en", SOURCE_BODY)
    kwargs.setdefault("translated", {"fr": FRENCH, "ar": ARABIC})
    document = DocumentFactory(**kwargs)
    source_version_record(document=document)
    return document


@dataclass
class TranslationWorld:
    secretariat: Any
    authority: Any
    observer: Any
    meeting: Meeting
    document: Document
    untranslated: Document


def translation_world() -> TranslationWorld:
    meeting = MeetingFactory(code="2026-plenary", title="Plenary 2026", title_en="Plenary 2026")
    return TranslationWorld(
        secretariat=UserFactory(role=Role.SECRETARIAT, username="tr-secretariat"),
        authority=UserFactory(role=Role.AUTHORITY, username="tr-authority"),
        observer=UserFactory(role=Role.OBSERVER, username="tr-observer"),
        meeting=meeting,
        document=translated_document(meeting=meeting),
        untranslated=translated_document(meeting=meeting, translated={}),
    )
