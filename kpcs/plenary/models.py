"""Meetings and documents of the KP: Plenary, intersessional and working body meetings with
their agenda and attendance; documents under one symbol for all language versions, with a
translated title and body (modeltranslation: `title_en`, `title_fr`, … `body_ar`), the
per-language translation record behind the language matrix, the source versions that
translations are compared against, the compendium of rules and guidance, and the PDF packs
built by Celery workers.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from modeltranslation.manager import MultilingualManager

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class Meeting(models.Model):
    class Kind(models.TextChoices):
        PLENARY = "plenary", _("Plenary")
        INTERSESSIONAL = "intersessional", _("intersessional meeting")
        WORKING_BODY = "working_body", _("working body meeting")

    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("Part of the meeting's address, e.g. 2026-plenary"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    working_body = models.ForeignKey(
        "participants.WorkingBody",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("working body"),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    host = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_meetings",
        verbose_name=_("host"),
    )
    chair = models.CharField(
        _("chair"), max_length=255, blank=True, help_text=_("Who chairs the meeting")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[MultilingualManager[Meeting]]

    class Meta:
        ordering = ["-start_date", "code"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="meeting_dates_in_order"
            ),
            models.CheckConstraint(
                condition=~Q(kind="working_body") | Q(working_body__isnull=False),
                name="meeting_working_body_named",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=500)
    documents: models.ManyToManyField[Document, Any] = models.ManyToManyField(
        "Document", blank=True, related_name="agenda_items", verbose_name=_("documents")
    )

    objects: ClassVar[MultilingualManager[AgendaItem]]

    class Meta:
        ordering = ["meeting", "number"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="agenda_item_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="agenda_item_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Attendance(models.Model):
    """A participant's or observer's delegation at a meeting."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("meeting")
    )
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_attendance",
        verbose_name=_("participant"),
    )
    observer = models.ForeignKey(
        "participants.Observer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_attendance",
        verbose_name=_("observer"),
    )
    delegates = models.PositiveSmallIntegerField(_("delegates"), default=1)
    head_of_delegation = models.CharField(_("head of delegation"), max_length=255, blank=True)

    class Meta:
        ordering = ["meeting", "participant__code", "observer__code"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.CheckConstraint(
                condition=(Q(participant__isnull=False) & Q(observer__isnull=True))
                | (Q(participant__isnull=True) & Q(observer__isnull=False)),
                name="attendance_participant_xor_observer",
            ),
            models.UniqueConstraint(
                fields=["meeting", "participant"],
                condition=Q(participant__isnull=False),
                name="attendance_participant_once",
            ),
            models.UniqueConstraint(
                fields=["meeting", "observer"],
                condition=Q(observer__isnull=False),
                name="attendance_observer_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.participant or self.observer}"


class Document(models.Model):
    """One document under one symbol for all its language versions. English is the source;
    `title_<lang>` and `body_<lang>` (modeltranslation) hold the translations, and one
    DocumentTranslation per language records its state."""

    class Kind(models.TextChoices):
        ADMINISTRATIVE_DECISION = "administrative_decision", _("administrative decision")
        COMMUNIQUE = "communique", _("communiqué")
        CHAIRS_REPORT = "chairs_report", _("chair's report")
        WORKING_PAPER = "working_paper", _("working paper")
        CORE_DOCUMENT = "core_document", _("core document")
        GUIDANCE_NOTE = "guidance_note", _("guidance note")
        REPORT = "report", _("report")

    class Distribution(models.TextChoices):
        PUBLIC = "public", _("public")
        PARTICIPANTS_OBSERVERS = "participants_observers", _("participants and observers")
        WORKING_BODY = "working_body", _("restricted to a working body")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ADOPTED = "adopted", _("adopted")
        PUBLISHED = "published", _("published")

    class RevisionKind(models.TextChoices):
        REVISION = "revision", _("revision")
        CORRIGENDUM = "corrigendum", _("corrigendum")

    class CompendiumSection(models.TextChoices):
        CORE_DOCUMENT = "core_document", _("core document")
        ADMINISTRATIVE_DECISIONS = "administrative_decisions", _("administrative decisions")
        GUIDANCE = "guidance", _("guidance notes")
        OTHER = "other", _("other rules")

    symbol = models.CharField(
        _("symbol"),
        max_length=200,
        unique=True,
        help_text=_("e.g. KP/2026/Plenary/Administrative Decision 1; the same in every language"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("meeting"),
    )
    date = models.DateField(_("date"))
    distribution = models.CharField(_("distribution"), max_length=30, choices=Distribution.choices)
    working_body = models.ForeignKey(
        "participants.WorkingBody",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="restricted_documents",
        verbose_name=_("restricted to working body"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    # Publication waits for every required language to be final, unless the secretariat
    # releases an advance version (e.g. English first) on purpose.
    advance_release = models.BooleanField(_("advance version released"), default=False)
    title = models.CharField(_("title"), max_length=500)
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_(
            "Paragraphs separated by a blank line are numbered; lines starting with # are "
            "headings; lines starting with | are table rows."
        ),
    )
    # The fingerprint (sha256) of the English title and body as they are now: translations
    # made from another fingerprint are outdated unless the change was marked minor.
    source_fingerprint = models.CharField(max_length=64, blank=True)
    revision_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("revision or corrigendum of"),
    )
    revision_kind = models.CharField(
        _("revision kind"), max_length=12, choices=RevisionKind.choices, blank=True
    )
    # The compendium of KPCS rules and guidance.
    compendium_section = models.CharField(
        _("compendium section"), max_length=30, choices=CompendiumSection.choices, blank=True
    )
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    superseded_on = models.DateField(_("superseded on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[MultilingualManager[Document]]

    class Meta:
        ordering = ["-date", "symbol"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=~Q(distribution="working_body") | Q(working_body__isnull=False),
                name="document_working_body_named",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_on__isnull=False),
                name="document_publication_dated",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(adopted_on__isnull=False),
                name="document_adoption_dated",
            ),
            models.CheckConstraint(
                condition=(Q(revision_of__isnull=True) & Q(revision_kind=""))
                | (Q(revision_of__isnull=False) & ~Q(revision_kind="")),
                name="document_revision_kind_iff_revision",
            ),
            models.CheckConstraint(
                condition=Q(superseded_by__isnull=True) | Q(superseded_on__isnull=False),
                name="document_supersession_dated",
            ),
            models.CheckConstraint(
                condition=~Q(superseded_by=F("pk")), name="document_not_superseded_by_itself"
            ),
            models.CheckConstraint(condition=~Q(symbol=""), name="document_symbol_required"),
        ]
        indexes = [
            models.Index(fields=["status", "-date"]),
            models.Index(fields=["compendium_section"]),
        ]

    def __str__(self) -> str:
        return self.symbol


class SourceVersion(models.Model):
    """The English title and body as they were at each change, so that a translator sees what
    changed in the source since their translation was made."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="source_versions")
    fingerprint = models.CharField(max_length=64)
    title = models.CharField(max_length=500)
    body = models.TextField(blank=True)
    minor = models.BooleanField(
        _("minor change"),
        default=False,
        help_text=_("A minor change (a typo, punctuation) keeps the translations current"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "created_at", "id"]
        verbose_name = _("source version")
        verbose_name_plural = _("source versions")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "fingerprint"], name="source_version_unique_fingerprint"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} {self.fingerprint[:8]}"


class DocumentTranslation(models.Model):
    """The state of one language version (not English, the source): draft or final, and the
    source fingerprint it was made from. Missing = no row (or an empty title); outdated =
    made from a fingerprint other than the document's current one."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        FINAL = "final", _("final")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    source_fingerprint = models.CharField(max_length=64)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["document", "language"]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "language"], name="document_translation_unique"
            ),
            models.CheckConstraint(
                condition=~Q(language="en"), name="document_translation_not_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} [{self.language}] {self.status}"


class DocumentPack(models.Model):
    """The PDFs of one subject (a document, a meeting's documents, or a report) in several
    languages, built by Celery workers. Keyed by the content's fingerprint: building the
    same content twice gives the same pack and the same files."""

    class Subject(models.TextChoices):
        DOCUMENT = "document", _("document")
        MEETING = "meeting", _("meeting pack")
        STATISTICS_SUMMARY = "statistics_summary", _("statistics annual summary")
        REVIEW_REPORT = "review_report", _("review visit report")
        PARTICIPANT_LIST = "participant_list", _("participant list")

    subject = models.CharField(_("subject"), max_length=20, choices=Subject.choices)
    # What the subject is: the document's or meeting's id, the release's "year/number", the
    # visit's id, or "" for the participant list.
    subject_key = models.CharField(max_length=100, blank=True)
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, null=True, blank=True, related_name="packs"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="packs"
    )
    fingerprint = models.CharField(max_length=64)
    languages = ArrayField(models.CharField(max_length=10), verbose_name=_("languages"))
    job = models.ForeignKey(
        "common.BackgroundJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("document pack")
        verbose_name_plural = _("document packs")
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "subject_key", "fingerprint"], name="document_pack_unique"
            ),
            models.CheckConstraint(
                condition=~Q(subject="document") | Q(document__isnull=False),
                name="document_pack_document_named",
            ),
            models.CheckConstraint(
                condition=~Q(subject="meeting") | Q(meeting__isnull=False),
                name="document_pack_meeting_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} {self.subject_key} {self.fingerprint[:8]}"


class DocumentPackFile(models.Model):
    """One language of a pack: built, failed (with the reason, retried on its own) or waiting."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("building")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    pack = models.ForeignKey(DocumentPack, on_delete=models.CASCADE, related_name="files")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(_("file"), upload_to="document-packs/%Y/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The building worker's last sign of life (kpcs.common.jobs.heartbeat): a file left
    # "building" with a stale heartbeat was abandoned by a worker that died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pack", "language"]
        verbose_name = _("pack file")
        verbose_name_plural = _("pack files")
        constraints = [
            models.UniqueConstraint(fields=["pack", "language"], name="pack_file_one_per_language"),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(file=""), name="pack_file_done_has_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pack} [{self.language}] {self.status}"
