"""Factories for meetings and documents. `DocumentFactory` keeps `source_fingerprint` in step
with its English title and body; give `translated={"fr": ("Titre", "Corps")}` to fill language
versions (final, made from the current source)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from kpcs.plenary.fingerprints import source_fingerprint
from kpcs.plenary.models import AgendaItem, Attendance, Document, DocumentTranslation, Meeting


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    code = factory.Sequence(lambda n: f"meeting-{n}")
    kind = Meeting.Kind.PLENARY
    title = factory.Sequence(lambda n: f"Plenary meeting {n}")
    title_en = factory.SelfAttribute("title")
    start_date = dt.date(2026, 11, 3)
    end_date = dt.date(2026, 11, 6)
    venue = "Gaborone"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Agenda item {n}")
    title_en = factory.SelfAttribute("title")


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document
        skip_postgeneration_save = True

    symbol = factory.Sequence(lambda n: f"KP/2026/Plenary/Administrative Decision {n}")
    kind = Document.Kind.ADMINISTRATIVE_DECISION
    date = dt.date(2026, 11, 6)
    distribution = Document.Distribution.PUBLIC
    status = Document.Status.DRAFT
    title_en = factory.Sequence(lambda n: f"Administrative decision {n}")
    body_en = "The Plenary decides.\n\nThis decision enters into force on adoption."
    source_fingerprint = factory.LazyAttribute(lambda d: source_fingerprint(d.title_en, d.body_en))

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        status = kwargs.get("status")
        if status in (Document.Status.ADOPTED, Document.Status.PUBLISHED):
            kwargs.setdefault("adopted_on", kwargs.get("date"))
        if status == Document.Status.PUBLISHED:
            kwargs.setdefault("published_on", kwargs.get("date"))
        return kwargs

    @factory.post_generation
    def translated(
        self, create: bool, extracted: dict[str, tuple[str, str]] | None, **kwargs: Any
    ) -> None:
        if not create or not extracted:
            return
        for language, (title, body) in extracted.items():
            suffix = language.replace("-", "_")
            setattr(self, f"title_{suffix}", title)
            setattr(self, f"body_{suffix}", body)
            DocumentTranslation.objects.create(
                document=self,
                language=language,
                status=DocumentTranslation.Status.FINAL,
                source_fingerprint=self.source_fingerprint,
            )
        self.save()
