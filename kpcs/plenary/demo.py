"""Demo plenary data for `load_demo_data`: the 2026 intersessional meeting (Windhoek, June) and
the 2026 Plenary (Gaborone, November) with their agenda and attendance, and the documents that
show each part of the plenary work:

- KP/2026/Plenary/Administrative Decision 1 — published, all six languages final, two
  versions of the English source (the October draft and the adopted text);
- KP/2026/Plenary/Final Communiqué — published, all six languages final;
- KP/2026/Plenary/Chair's Report — for participants and observers, the five required
  languages final;
- KP/2003/Core Document — the core document in the compendium, English and French (released
  in advance of the other languages);
- KP/2019/WGM/Guidance Note 1 — a guidance note in the compendium, English only;
- KP/2012/Plenary/Administrative Decision 2 — superseded by the 2026 decision, with its
  corrigendum KP/2012/Plenary/Administrative Decision 2/Corr.1;
- KP/2026/WGM/Working Paper 3 — a draft restricted to the Working Group on Monitoring, in
  English with a French draft title, so the language matrix shows source, draft and missing.

Safe to re-run: meetings are found by code, documents by symbol, agenda items by number,
attendance by participant or observer; nothing existing is changed, and a second run creates
nothing. Returns what was created.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from kpcs.common.audit import links, record_create, record_update, snapshot
from kpcs.participants.models import Observer, Participant, WorkingBody
from kpcs.plenary import demo_texts as texts
from kpcs.plenary.fingerprints import source_fingerprint
from kpcs.plenary.models import (
    AgendaItem,
    Attendance,
    Document,
    DocumentTranslation,
    Meeting,
    SourceVersion,
)

Kind = Document.Kind
Status = Document.Status
Distribution = Document.Distribution
Section = Document.CompendiumSection

# code, kind, dates, venue, host, chair, titles
DEMO_MEETINGS: list[dict[str, Any]] = [
    {
        "code": "2026-intersessional",
        "kind": Meeting.Kind.INTERSESSIONAL,
        "dates": (dt.date(2026, 6, 15), dt.date(2026, 6, 18)),
        "venue": "Windhoek, Namibia",
        "host": "NAM",
        "chair": "Kimberley Process Chair 2026",
        "title": {
            "en": "Kimberley Process intersessional meeting 2026",
            "fr": "Réunion intersessions du Processus de Kimberley 2026",
            "es": "Reunión entre sesiones del Proceso de Kimberley 2026",
            "ru": "Межсессионное совещание Кимберлийского процесса 2026 года",
            "zh-hans": "2026年金伯利进程闭会期间会议",
            "ar": "اجتماع ما بين الدورات لعملية كيمبرلي لعام 2026",
        },
        "agenda": [
            {
                "en": "Opening of the meeting and adoption of the agenda",
                "fr": "Ouverture de la réunion et adoption de l'ordre du jour",
            },
            {
                "en": "Meetings of the working bodies",
                "fr": "Réunions des organes de travail",
            },
            {
                "en": "Preparations for the 2026 Plenary",
                "fr": "Préparation de la réunion plénière de 2026",
            },
            {
                "en": "Closing of the meeting",
                "fr": "Clôture de la réunion",
            },
        ],
        "participants": ["NAM", "BWA", "ZAF", "CAN", "EUR", "IND"],
        "observers": ["WDC", "CSC"],
    },
    {
        "code": "2026-plenary",
        "kind": Meeting.Kind.PLENARY,
        "dates": (dt.date(2026, 11, 3), dt.date(2026, 11, 6)),
        "venue": "Gaborone International Convention Centre, Gaborone, Botswana",
        "host": "BWA",
        "chair": "Kimberley Process Chair 2026",
        "title": {
            "en": "Kimberley Process Plenary meeting 2026",
            "fr": "Réunion plénière du Processus de Kimberley 2026",
            "es": "Reunión plenaria del Proceso de Kimberley 2026",
            "ru": "Пленарное заседание Кимберлийского процесса 2026 года",
            "zh-hans": "2026年金伯利进程全体会议",
            "ar": "الاجتماع العام لعملية كيمبرلي لعام 2026",
        },
        "agenda": [
            {
                "en": "Opening of the meeting and adoption of the agenda",
                "fr": "Ouverture de la réunion et adoption de l'ordre du jour",
                "es": "Apertura de la reunión y aprobación del programa",
                "ru": "Открытие заседания и утверждение повестки дня",
                "zh-hans": "会议开幕和通过议程",
                "ar": "افتتاح الاجتماع وإقرار جدول الأعمال",
            },
            {
                "en": "Report of the Chair",
                "fr": "Rapport de la présidence",
                "es": "Informe de la Presidencia",
                "ru": "Доклад Председателя",
                "zh-hans": "主席的报告",
                "ar": "تقرير الرئيس",
            },
            {
                "en": "Reports of the working bodies",
                "fr": "Rapports des organes de travail",
                "es": "Informes de los órganos de trabajo",
                "ru": "Доклады рабочих органов",
                "zh-hans": "各工作机构的报告",
                "ar": "تقارير الهيئات العاملة",
            },
            {
                "en": "Administrative decision on the submission of statistics",
                "fr": "Décision administrative relative à la communication des statistiques",
                "es": "Decisión administrativa sobre la presentación de estadísticas",
                "ru": "Административное решение о представлении статистических данных",
                "zh-hans": "关于提交统计数据的行政决定",
                "ar": "القرار الإداري بشأن تقديم الإحصاءات",
            },
            {
                "en": "Peer review: review visits and annual reports",
                "fr": "Examen par les pairs : visites d'examen et rapports annuels",
                "es": "Examen entre pares: visitas de examen e informes anuales",
                "ru": "Коллегиальный обзор: обзорные визиты и годовые доклады",
                "zh-hans": "同行审查：审查访问和年度报告",
                "ar": "استعراض الأقران: زيارات الاستعراض والتقارير السنوية",
            },
            {
                "en": "Adoption of the final communiqué and closing of the meeting",
                "fr": "Adoption du communiqué final et clôture de la réunion",
                "es": "Aprobación del comunicado final y clausura de la reunión",
                "ru": "Принятие заключительного коммюнике и закрытие заседания",
                "zh-hans": "通过最后公报和会议闭幕",
                "ar": "اعتماد البيان الختامي واختتام الاجتماع",
            },
        ],
        "participants": [
            "BWA",
            "ZAF",
            "NAM",
            "CAN",
            "IND",
            "RUS",
            "EUR",
            "ARE",
            "AGO",
            "CHN",
            "USA",
        ],
        "observers": ["WDC", "CSC", "ADPA"],
    },
]

AD_2026 = "KP/2026/Plenary/Administrative Decision 1"
AD_2012 = "KP/2012/Plenary/Administrative Decision 2"

# Documents in the order they are created (a revision after its original). `translated`:
# the languages other than English whose translation is final and current; `draft`: those
# that are drafts.
DEMO_DOCUMENTS: list[dict[str, Any]] = [
    {
        "symbol": "KP/2003/Core Document",
        "kind": Kind.CORE_DOCUMENT,
        "date": dt.date(2003, 1, 1),
        "distribution": Distribution.PUBLIC,
        "status": Status.PUBLISHED,
        "adopted_on": dt.date(2002, 11, 5),
        "published_on": dt.date(2003, 1, 1),
        # English and French only: released ahead of the other required languages.
        "advance_release": True,
        "texts": texts.CORE_DOCUMENT,
        "section": Section.CORE_DOCUMENT,
    },
    {
        "symbol": AD_2012,
        "kind": Kind.ADMINISTRATIVE_DECISION,
        "date": dt.date(2012, 11, 30),
        "distribution": Distribution.PUBLIC,
        "status": Status.PUBLISHED,
        "adopted_on": dt.date(2012, 11, 30),
        "published_on": dt.date(2012, 12, 14),
        "advance_release": True,
        "texts": texts.ADMINISTRATIVE_DECISION_2012,
        "section": Section.ADMINISTRATIVE_DECISIONS,
    },
    {
        "symbol": f"{AD_2012}/Corr.1",
        "kind": Kind.ADMINISTRATIVE_DECISION,
        "date": dt.date(2013, 1, 15),
        "distribution": Distribution.PUBLIC,
        "status": Status.PUBLISHED,
        "adopted_on": dt.date(2013, 1, 15),
        "published_on": dt.date(2013, 1, 15),
        "advance_release": True,
        "texts": texts.CORRIGENDUM_2013,
        "revision_of": AD_2012,
        "revision_kind": Document.RevisionKind.CORRIGENDUM,
    },
    {
        "symbol": "KP/2019/WGM/Guidance Note 1",
        "kind": Kind.GUIDANCE_NOTE,
        "date": dt.date(2019, 11, 15),
        "distribution": Distribution.PUBLIC,
        "status": Status.PUBLISHED,
        "adopted_on": dt.date(2019, 11, 15),
        "published_on": dt.date(2019, 12, 2),
        "advance_release": True,
        "texts": texts.GUIDANCE_NOTE_ANNUAL_REPORTS,
        "section": Section.GUIDANCE,
    },
    {
        "symbol": "KP/2026/WGM/Working Paper 3",
        "kind": Kind.WORKING_PAPER,
        "meeting": "2026-intersessional",
        "agenda_item": 2,
        "date": dt.date(2026, 6, 10),
        "distribution": Distribution.WORKING_BODY,
        "working_body": "WGM",
        "status": Status.DRAFT,
        "texts": texts.WORKING_PAPER_2026,
        "draft": ["fr"],
    },
    {
        "symbol": "KP/2026/Plenary/Chair's Report",
        "kind": Kind.CHAIRS_REPORT,
        "meeting": "2026-plenary",
        "agenda_item": 2,
        "date": dt.date(2026, 10, 20),
        "distribution": Distribution.PARTICIPANTS_OBSERVERS,
        "status": Status.PUBLISHED,
        "adopted_on": dt.date(2026, 10, 20),
        "published_on": dt.date(2026, 10, 27),
        "texts": texts.CHAIRS_REPORT_2026,
    },
    {
        "symbol": AD_2026,
        "kind": Kind.ADMINISTRATIVE_DECISION,
        "meeting": "2026-plenary",
        "agenda_item": 4,
        "date": dt.date(2026, 11, 6),
        "distribution": Distribution.PUBLIC,
        "status": Status.PUBLISHED,
        "adopted_on": dt.date(2026, 11, 6),
        "published_on": dt.date(2026, 11, 13),
        "texts": texts.ADMINISTRATIVE_DECISION_2026,
        "section": Section.ADMINISTRATIVE_DECISIONS,
        # The working group's October draft, recorded before the adopted text.
        "earlier_versions": [
            (
                texts.ADMINISTRATIVE_DECISION_2026_DRAFT_BODY,
                dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC),
            )
        ],
        "recorded_at": dt.datetime(2026, 11, 6, 17, 0, tzinfo=dt.UTC),
    },
    {
        "symbol": "KP/2026/Plenary/Final Communiqué",
        "kind": Kind.COMMUNIQUE,
        "meeting": "2026-plenary",
        "agenda_item": 6,
        "date": dt.date(2026, 11, 6),
        "distribution": Distribution.PUBLIC,
        "status": Status.PUBLISHED,
        "adopted_on": dt.date(2026, 11, 6),
        "published_on": dt.date(2026, 11, 9),
        "texts": texts.FINAL_COMMUNIQUE_2026,
    },
]

# The 2012 decision was superseded by the 2026 one on the day the Plenary adopted it.
SUPERSESSIONS = [(AD_2012, AD_2026, dt.date(2026, 11, 6))]


# Demo rows are written directly, not through the services, so they are put in the audit
# trail here: the trail covers every official row, however it was made.
DEMO_REASON = "demo data"


def _suffix(language: str) -> str:
    return language.replace("-", "_")


def _meeting(spec: dict[str, Any], created: dict[str, int]) -> Meeting:
    start, end = spec["dates"]
    titles = {f"title_{_suffix(language)}": title for language, title in spec["title"].items()}
    meeting, made = Meeting.objects.get_or_create(
        code=spec["code"],
        defaults={
            "kind": spec["kind"],
            "start_date": start,
            "end_date": end,
            "venue": spec["venue"],
            "host": Participant.objects.filter(code=spec["host"]).first(),
            "chair": spec["chair"],
            **titles,
        },
    )
    if made:
        record_create(actor=None, instance=meeting, reason=DEMO_REASON)
    created["meetings"] += int(made)
    for number, item_titles in enumerate(spec["agenda"], start=1):
        item, made = AgendaItem.objects.get_or_create(
            meeting=meeting,
            number=number,
            defaults={f"title_{_suffix(lang)}": title for lang, title in item_titles.items()},
        )
        if made:
            record_create(actor=None, instance=item, reason=DEMO_REASON)
        created["agenda items"] += int(made)
    for position, code in enumerate(spec["participants"]):
        participant = Participant.objects.filter(code=code).first()
        if participant is None:
            continue
        seat, made = Attendance.objects.get_or_create(
            meeting=meeting,
            participant=participant,
            defaults={"delegates": 2 + position % 4},
        )
        if made:
            record_create(actor=None, instance=seat, reason=DEMO_REASON)
        created["attendance"] += int(made)
    for code in spec["observers"]:
        observer = Observer.objects.filter(code=code).first()
        if observer is None:
            continue
        seat, made = Attendance.objects.get_or_create(
            meeting=meeting, observer=observer, defaults={"delegates": 2}
        )
        if made:
            record_create(actor=None, instance=seat, reason=DEMO_REASON)
        created["attendance"] += int(made)
    return meeting


def _source_version(
    document: Document,
    title: str,
    body: str,
    at: dt.datetime,
    actor: Any,
    created: dict[str, int],
) -> None:
    fingerprint = source_fingerprint(title, body)
    version, made = SourceVersion.objects.get_or_create(
        document=document,
        fingerprint=fingerprint,
        defaults={"title": title, "body": body, "created_by": actor},
    )
    if made:
        # The demo's history has dates in the past; created_at is set on creation only.
        SourceVersion.objects.filter(pk=version.pk).update(created_at=at)
    created["source versions"] += int(made)


def _document(spec: dict[str, Any], actor: Any, created: dict[str, int]) -> Document:
    english_title, english_body = spec["texts"]["en"]
    fingerprint = source_fingerprint(english_title, english_body)
    existing = Document.objects.filter(symbol=spec["symbol"]).first()
    if existing is not None:
        return existing
    fields: dict[str, Any] = {
        "symbol": spec["symbol"],
        "kind": spec["kind"],
        "date": spec["date"],
        "distribution": spec["distribution"],
        "status": spec["status"],
        "adopted_on": spec.get("adopted_on"),
        "published_on": spec.get("published_on"),
        "advance_release": spec.get("advance_release", False),
        "compendium_section": spec.get("section", ""),
        "source_fingerprint": fingerprint,
        "created_by": actor,
    }
    if spec.get("meeting"):
        fields["meeting"] = Meeting.objects.get(code=spec["meeting"])
    if spec.get("working_body"):
        fields["working_body"] = WorkingBody.objects.get(code=spec["working_body"])
    if spec.get("revision_of"):
        fields["revision_of"] = Document.objects.get(symbol=spec["revision_of"])
        fields["revision_kind"] = spec["revision_kind"]
    for language, (title, body) in spec["texts"].items():
        fields[f"title_{_suffix(language)}"] = title
        fields[f"body_{_suffix(language)}"] = body
    document = Document.objects.create(**fields)
    record_create(actor=None, instance=document, reason=DEMO_REASON)
    created["documents"] += 1
    for body, at in spec.get("earlier_versions", []):
        _source_version(document, english_title, body, at, actor, created)
    # The current source was recorded when the document was dated (unless said otherwise),
    # so that "version 1 of <date>" reads true for the old documents too.
    recorded_at = spec.get("recorded_at") or dt.datetime.combine(
        spec["date"], dt.time(12, 0), tzinfo=dt.UTC
    )
    _source_version(document, english_title, english_body, recorded_at, actor, created)
    drafts = set(spec.get("draft", []))
    for language in spec["texts"]:
        if language == "en":
            continue
        version, made = DocumentTranslation.objects.get_or_create(
            document=document,
            language=language,
            defaults={
                "status": (
                    DocumentTranslation.Status.DRAFT
                    if language in drafts
                    else DocumentTranslation.Status.FINAL
                ),
                "source_fingerprint": fingerprint,
                "updated_by": actor,
            },
        )
        if made:
            record_create(actor=None, instance=version, reason=DEMO_REASON)
        created["translations"] += int(made)
    if spec.get("meeting") and spec.get("agenda_item"):
        item = AgendaItem.objects.get(meeting=document.meeting, number=spec["agenda_item"])
        before = links(item, ["documents"])
        item.documents.add(document)
        record_update(
            actor=None,
            instance=item,
            before=before,
            after=links(item, ["documents"]),
            reason=DEMO_REASON,
        )
    return document


@transaction.atomic
def load() -> dict[str, int]:
    """Load the demo meetings and documents; returns how many of each were created (all
    zero when everything is already there)."""
    created = {
        "meetings": 0,
        "agenda items": 0,
        "attendance": 0,
        "documents": 0,
        "translations": 0,
        "source versions": 0,
        "supersessions": 0,
    }
    actor = get_user_model().objects.filter(username="secretariat").first()
    # The English source is written into the `*_en` fields whatever the active language.
    with translation.override("en"):
        for spec in DEMO_MEETINGS:
            _meeting(spec, created)
        fresh: set[str] = set()
        for spec in DEMO_DOCUMENTS:
            if not Document.objects.filter(symbol=spec["symbol"]).exists():
                fresh.add(spec["symbol"])
            _document(spec, actor, created)
        for symbol, by_symbol, on in SUPERSESSIONS:
            # Only a decision this run created is marked: a secretariat's later change stays.
            if symbol not in fresh:
                continue
            superseded = Document.objects.filter(symbol=symbol, superseded_by__isnull=True).first()
            if superseded is None:
                continue
            before = snapshot(superseded)
            superseded.superseded_by = Document.objects.get(symbol=by_symbol)
            superseded.superseded_on = on
            superseded.save(update_fields=["superseded_by", "superseded_on"])
            record_update(actor=None, instance=superseded, before=before, reason=DEMO_REASON)
            created["supersessions"] += 1
    return created
