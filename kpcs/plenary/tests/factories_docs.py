"""Test helpers for meetings and documents (helper DOCS): a world of people for each role and
distribution level, documents at each level, and a ready PDF pack of a document's current
content (its fingerprint computed as PACKS does, the files small fake PDFs)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from kpcs.accounts.models import Role
from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.models import Observer, Participant, WorkingBody
from kpcs.participants.tests.factories import (
    ObserverFactory,
    ParticipantFactory,
    WorkingBodyFactory,
    WorkingBodyMembershipFactory,
)
from kpcs.plenary.models import Document, DocumentPack, DocumentPackFile, Meeting
from kpcs.plenary.services.packs import pack_fingerprint
from kpcs.plenary.services.translations import source_version_record
from kpcs.plenary.tests.factories import DocumentFactory, MeetingFactory

D = Document.Distribution
S = Document.Status

FRENCH = ("Décision sur les statistiques", "La Plénière décide.\n\nElle entre en vigueur.")
SPANISH = ("Decisión sobre las estadísticas", "El Pleno decide.\n\nEntra en vigor.")
RUSSIAN = ("Решение о статистике", "Пленарное заседание постановляет.\n\nВступает в силу.")
CHINESE = ("关于统计的决定", "全体会议决定。\n\n本决定自通过之日起生效。")
ARABIC = ("قرار بشأن الإحصاءات", "يقرر الاجتماع العام.\n\nيدخل حيز النفاذ.")
ALL_TRANSLATIONS = {
    "fr": FRENCH,
    "es": SPANISH,
    "ru": RUSSIAN,
    "zh-hans": CHINESE,
    "ar": ARABIC,
}


def document(**kwargs: Any) -> Document:
    """A document with the source version of its English text recorded (as document_create
    does)."""
    made = DocumentFactory(**kwargs)
    source_version_record(document=made)
    return made


@dataclass
class DocsWorld:
    secretariat: Any
    member_authority: Any  # acts for a participant that sits on the working body
    other_authority: Any  # acts for a participant that does not
    observer: Any  # an observer's representative (the observer is not on the body)
    member_observer: Any  # an observer's representative whose observer sits on the body
    reviewer: Any  # a reviewer acting for nobody
    member: Participant
    other: Participant
    body: WorkingBody
    observer_body: Observer
    meeting: Meeting
    public: Document
    participants: Document
    restricted: Document
    draft: Document
    advance: Document

    def users(self) -> dict[str, Any]:
        return {
            "secretariat": self.secretariat,
            "member_authority": self.member_authority,
            "other_authority": self.other_authority,
            "observer": self.observer,
            "member_observer": self.member_observer,
            "reviewer": self.reviewer,
        }


def docs_world() -> DocsWorld:
    year = timezone.localdate().year
    member = ParticipantFactory()
    other = ParticipantFactory()
    body = WorkingBodyFactory(code="WGX", name="Working Group X", name_en="Working Group X")
    WorkingBodyMembershipFactory(working_body=body, participant=member, year_from=year - 1)
    sitting_observer = ObserverFactory()
    WorkingBodyMembershipFactory(
        working_body=body, participant=None, observer=sitting_observer, year_from=year
    )
    observer = ObserverFactory()
    meeting = MeetingFactory(code="2026-plenary", title="Plenary 2026", title_en="Plenary 2026")
    day = dt.date(2026, 11, 6)
    return DocsWorld(
        secretariat=UserFactory(role=Role.SECRETARIAT, username="docs-secretariat"),
        member_authority=UserFactory(
            role=Role.AUTHORITY, username="docs-member", participant=member
        ),
        other_authority=UserFactory(role=Role.AUTHORITY, username="docs-other", participant=other),
        observer=UserFactory(role=Role.OBSERVER, username="docs-observer", observer=observer),
        member_observer=UserFactory(
            role=Role.OBSERVER, username="docs-member-observer", observer=sitting_observer
        ),
        reviewer=UserFactory(role=Role.REVIEWER, username="docs-reviewer"),
        member=member,
        other=other,
        body=body,
        observer_body=observer,
        meeting=meeting,
        public=document(
            symbol="KP/2026/Plenary/Administrative Decision 1",
            title_en="Public decision",
            status=S.PUBLISHED,
            date=day,
            meeting=meeting,
            distribution=D.PUBLIC,
            translated=ALL_TRANSLATIONS,
        ),
        participants=document(
            symbol="KP/2026/Plenary/Working Paper 1",
            kind=Document.Kind.WORKING_PAPER,
            title_en="Paper for participants and observers",
            status=S.PUBLISHED,
            date=day,
            meeting=meeting,
            distribution=D.PARTICIPANTS_OBSERVERS,
        ),
        restricted=document(
            symbol="KP/2026/WGX/Working Paper 1",
            kind=Document.Kind.WORKING_PAPER,
            title_en="Paper of the working group",
            status=S.PUBLISHED,
            date=day,
            meeting=meeting,
            distribution=D.WORKING_BODY,
            working_body=body,
        ),
        draft=document(
            symbol="KP/2026/Plenary/Administrative Decision 2",
            title_en="Draft decision",
            status=S.DRAFT,
            date=day,
            meeting=meeting,
            distribution=D.PUBLIC,
        ),
        advance=document(
            symbol="KP/2026/Plenary/Final Communique",
            kind=Document.Kind.COMMUNIQUE,
            title_en="Final communiqué",
            status=S.ADOPTED,
            advance_release=True,
            date=day,
            meeting=meeting,
            distribution=D.PUBLIC,
        ),
    )


def ready_pack(target: Document, languages: list[str]) -> DocumentPack:
    """A pack of the document's current content whose files are all ready (fake PDFs)."""
    key = str(target.pk)
    pack = DocumentPack.objects.create(
        subject=DocumentPack.Subject.DOCUMENT,
        subject_key=key,
        document=target,
        fingerprint=pack_fingerprint(DocumentPack.Subject.DOCUMENT, key, languages),
        languages=languages,
    )
    for language in languages:
        row = DocumentPackFile(pack=pack, language=language, status=DocumentPackFile.Status.DONE)
        content = f"%PDF-1.7\n% {target.symbol} {language}\n%%EOF\n".encode()
        row.file.save(f"{language}.pdf", ContentFile(content), save=False)
        row.size = len(content)
        row.pages = 1
        row.save()
    return pack
