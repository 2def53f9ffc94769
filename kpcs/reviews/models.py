"""Peer review (the Working Group on Monitoring's cycle): review visits and missions with their
teams, findings, reports and recommendations; annual reports; compliance cases.

Files (evidence, annual report documents) are stored under MEDIA_ROOT, which is never served:
they are sent through views that check who may see them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RequirementArea(models.TextChoices):
    """The KPCS requirement areas a review looks at (and recommendations and annual report
    sections are grouped by)."""

    LEGISLATION = "legislation", _("legislation and institutions")
    IMPORT_EXPORT = "import_export", _("import and export controls")
    INTERNAL_CONTROLS = "internal_controls", _("internal controls over mining and trading")
    STATISTICS = "statistics", _("statistics")
    CERTIFICATES = "certificates", _("certificates")
    ENFORCEMENT = "enforcement", _("enforcement")


class ReviewVisit(models.Model):
    """A review visit (at the participant's invitation), a review mission (credible indications
    of significant non-compliance) or an expert mission to an applicant."""

    class Kind(models.TextChoices):
        REVIEW_VISIT = "review_visit", _("review visit")
        REVIEW_MISSION = "review_mission", _("review mission")
        EXPERT_MISSION = "expert_mission", _("expert mission to an applicant")

    class Status(models.TextChoices):
        INVITED = "invited", _("invited")
        TEAM_FORMED = "team_formed", _("team formed")
        SCHEDULED = "scheduled", _("scheduled")
        VISIT_DONE = "visit_done", _("visit done")
        DRAFT_REPORT = "draft_report", _("draft report")
        COMMENTS_RECEIVED = "comments_received", _("comments received")
        FINAL_REPORT = "final_report", _("final report")
        ADOPTED = "adopted", _("adopted by the working group")
        PUBLISHED = "published", _("published")
        RESTRICTED = "restricted", _("kept restricted")

    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        related_name="review_visits",
        verbose_name=_("participant reviewed"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    invited_on = models.DateField(
        _("invitation date"),
        null=True,
        blank=True,
        help_text=_(
            "The date of the participant's invitation (or of the decision to send a mission)"
        ),
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    terms_of_reference = models.TextField(_("terms of reference"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.INVITED
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        "participants.WorkingBody",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adopted_review_reports",
        verbose_name=_("adopted by"),
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-invited_on", "-id"]
        verbose_name = _("review visit")
        verbose_name_plural = _("review visits")
        constraints = [
            models.CheckConstraint(condition=Q(round__gte=1), name="review_visit_round_positive"),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="review_visit_planned_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(actual_start__isnull=True)
                | Q(actual_end__gte=F("actual_start")),
                name="review_visit_actual_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(invited_on__isnull=True)
                | Q(planned_start__gte=F("invited_on")),
                name="review_visit_planned_after_invitation",
            ),
            models.CheckConstraint(
                condition=~Q(kind="review_visit") | Q(invited_on__isnull=False),
                name="review_visit_invited",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["adopted", "published", "restricted"])
                | (Q(adopted_on__isnull=False) & Q(adopted_by__isnull=False)),
                name="review_visit_adoption_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_on__isnull=False),
                name="review_visit_publication_dated",
            ),
        ]
        indexes = [models.Index(fields=["participant", "-invited_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.participant.code} ({self.round})"


class ExpertNomination(models.Model):
    """The roster of experts that participants and observers nominate for review teams."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="expert_nominations",
        verbose_name=_("expert"),
    )
    nominated_by_participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expert_nominations",
        verbose_name=_("nominated by participant"),
    )
    nominated_by_observer = models.ForeignKey(
        "participants.Observer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expert_nominations",
        verbose_name=_("nominated by observer"),
    )
    areas = ArrayField(
        models.CharField(max_length=20, choices=RequirementArea.choices),
        default=list,
        blank=True,
        verbose_name=_("areas of expertise"),
    )
    expertise = models.TextField(_("expertise"), blank=True)
    nominated_on = models.DateField(_("nominated on"))
    active = models.BooleanField(_("on the roster"), default=True)

    class Meta:
        ordering = ["user__last_name", "user__username"]
        verbose_name = _("expert nomination")
        verbose_name_plural = _("expert nominations")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(nominated_by_participant__isnull=False)
                    & Q(nominated_by_observer__isnull=True)
                )
                | (
                    Q(nominated_by_participant__isnull=True)
                    & Q(nominated_by_observer__isnull=False)
                ),
                name="expert_nomination_by_participant_xor_observer",
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(active=True), name="expert_nomination_one_active"
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class TeamMember(models.Model):
    """A person on a review team. Being on the team is what lets a user see that visit."""

    class Role(models.TextChoices):
        LEAD = "lead", _("lead")
        MEMBER = "member", _("member")
        EXPERT = "expert", _("expert")

    class Represents(models.TextChoices):
        PARTICIPANT = "participant", _("participant")
        INDUSTRY = "industry", _("industry")
        CIVIL_SOCIETY = "civil_society", _("civil society")
        EXPERT = "expert", _("expert from the roster")
        SECRETARIAT = "secretariat", _("secretariat")

    visit = models.ForeignKey(
        ReviewVisit, on_delete=models.CASCADE, related_name="team", verbose_name=_("visit")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_team_memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    represents = models.CharField(_("represents"), max_length=20, choices=Represents.choices)
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("participant represented"),
    )
    observer = models.ForeignKey(
        "participants.Observer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("observer represented"),
    )
    nomination = models.ForeignKey(
        ExpertNomination,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="team_places",
        verbose_name=_("roster nomination"),
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["visit", "role", "id"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["visit", "user"], name="team_member_once_per_visit"),
            models.UniqueConstraint(
                fields=["visit"], condition=Q(role="lead"), name="team_one_lead_per_visit"
            ),
            # The lead is a participant (the KP's rule for review teams).
            models.CheckConstraint(
                condition=~Q(role="lead") | Q(represents="participant"),
                name="team_lead_is_participant",
            ),
            models.CheckConstraint(
                condition=~Q(represents="participant")
                | (Q(participant__isnull=False) & Q(observer__isnull=True)),
                name="team_member_participant_named",
            ),
            models.CheckConstraint(
                condition=~Q(represents__in=["industry", "civil_society"])
                | (Q(observer__isnull=False) & Q(participant__isnull=True)),
                name="team_member_observer_named",
            ),
            models.CheckConstraint(
                condition=~Q(represents="expert") | Q(nomination__isnull=False),
                name="team_member_expert_from_roster",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Finding(models.Model):
    """What the team found in one requirement area, with its rating."""

    class Rating(models.TextChoices):
        MET = "met", _("met")
        PARTLY_MET = "partly_met", _("partly met")
        NOT_MET = "not_met", _("not met")

    visit = models.ForeignKey(
        ReviewVisit, on_delete=models.PROTECT, related_name="findings", verbose_name=_("visit")
    )
    area = models.CharField(_("requirement area"), max_length=20, choices=RequirementArea.choices)
    text = models.TextField(_("finding"))
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_findings",
        verbose_name=_("filed by"),
    )
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["visit", "area", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.CheckConstraint(condition=~Q(area=""), name="finding_area_required"),
            models.CheckConstraint(condition=~Q(text=""), name="finding_text_required"),
        ]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.get_rating_display()}"


class ReportVersion(models.Model):
    """One version of a visit's report; drafts and the final report are all kept."""

    class Kind(models.TextChoices):
        DRAFT = "draft", _("draft")
        FINAL = "final", _("final")

    visit = models.ForeignKey(
        ReviewVisit,
        on_delete=models.PROTECT,
        related_name="report_versions",
        verbose_name=_("visit"),
    )
    number = models.PositiveSmallIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.DRAFT)
    text = models.TextField(_("report"))
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["visit", "number"]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        constraints = [
            models.UniqueConstraint(fields=["visit", "number"], name="report_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="report_version_positive"),
            models.CheckConstraint(condition=~Q(text=""), name="report_text_required"),
        ]

    def __str__(self) -> str:
        return f"{self.visit} v{self.number} ({self.get_kind_display()})"


class ReportComment(models.Model):
    """The reviewed participant's comments on a draft report."""

    version = models.ForeignKey(
        ReportVersion, on_delete=models.PROTECT, related_name="comments", verbose_name=_("version")
    )
    area = models.CharField(
        _("requirement area"), max_length=20, choices=RequirementArea.choices, blank=True
    )
    text = models.TextField(_("comment"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["version", "id"]
        verbose_name = _("comment on a report")
        verbose_name_plural = _("comments on reports")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="report_comment_text_required")
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.text[:40]}"


class Recommendation(models.Model):
    """A recommendation of a review report, followed up until it is implemented."""

    class Priority(models.TextChoices):
        HIGH = "high", _("high")
        MEDIUM = "medium", _("medium")
        LOW = "low", _("low")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ANSWERED = "answered", _("answered, awaiting assessment")
        PARTLY_IMPLEMENTED = "partly_implemented", _("partly implemented")
        NOT_IMPLEMENTED = "not_implemented", _("not implemented")
        IMPLEMENTED = "implemented", _("implemented")

    visit = models.ForeignKey(
        ReviewVisit,
        on_delete=models.PROTECT,
        related_name="recommendations",
        verbose_name=_("visit"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    area = models.CharField(_("requirement area"), max_length=20, choices=RequirementArea.choices)
    text = models.TextField(_("recommendation"))
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.MEDIUM
    )
    due_on = models.DateField(_("due date"))
    owner = models.CharField(
        _("owner"),
        max_length=255,
        help_text=_("The body at the participant that is to act on it"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["visit", "number"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(fields=["visit", "number"], name="recommendation_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="recommendation_positive"),
            models.CheckConstraint(condition=~Q(text=""), name="recommendation_text_required"),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.visit.participant.code} R{self.number}"


class RecommendationUpdate(models.Model):
    """The participant's response to a recommendation, or the secretariat's assessment of it."""

    class Kind(models.TextChoices):
        RESPONSE = "response", _("response")
        ASSESSMENT = "assessment", _("assessment")

    class Assessment(models.TextChoices):
        IMPLEMENTED = "implemented", _("implemented")
        PARTLY_IMPLEMENTED = "partly_implemented", _("partly implemented")
        NOT_IMPLEMENTED = "not_implemented", _("not implemented")

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.PROTECT,
        related_name="updates",
        verbose_name=_("recommendation"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("text"))
    assessment = models.CharField(
        _("assessment"), max_length=20, choices=Assessment.choices, blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["recommendation", "created_at", "id"]
        verbose_name = _("recommendation update")
        verbose_name_plural = _("recommendation updates")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="assessment") & ~Q(assessment=""))
                | (Q(kind="response") & Q(assessment="")),
                name="recommendation_update_assessment_iff_kind",
            ),
            models.CheckConstraint(
                condition=~Q(text=""), name="recommendation_update_text_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} {self.get_kind_display()}"


class RecommendationReminder(models.Model):
    """A reminder that was sent, so that the daily run sends each one once."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("due soon")
        OVERDUE = "overdue", _("overdue")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_on = models.DateField(help_text="The due date the reminder was about")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "kind", "due_on"], name="recommendation_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} {self.kind} {self.due_on}"


class EvidenceFile(models.Model):
    """A file backing a finding or a participant's response to a recommendation. Type (by
    content) and size are checked by kpcs.common.uploads before one is stored."""

    finding = models.ForeignKey(
        Finding,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("finding"),
    )
    recommendation_update = models.ForeignKey(
        RecommendationUpdate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("response"),
    )
    file = models.FileField(_("file"), upload_to="review-evidence/%Y/%m/")
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        constraints = [
            models.CheckConstraint(
                condition=(Q(finding__isnull=False) & Q(recommendation_update__isnull=True))
                | (Q(finding__isnull=True) & Q(recommendation_update__isnull=False)),
                name="evidence_backs_one_thing",
            )
        ]

    def __str__(self) -> str:
        return self.name


class AnnualReport(models.Model):
    """A participant's annual report on one year (due 31 March of the next year): an uploaded
    document and the template's sections. "Not started" is the absence of a row."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        ASSESSED = "assessed", _("assessed")

    class Section(models.TextChoices):
        INSTITUTIONAL_FRAMEWORK = "institutional_framework", _("institutional framework")
        LEGISLATION = "legislation", _("legislation")
        IMPORT_EXPORT_REGIME = "import_export_regime", _("import and export regime")
        INTERNAL_CONTROLS = "internal_controls", _("internal controls")
        STATISTICS = "statistics", _("statistics")
        ENFORCEMENT = "enforcement", _("enforcement and infringements")
        CHANGES = "changes", _("changes since last year")

    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        related_name="annual_reports",
        verbose_name=_("participant"),
    )
    year = models.PositiveSmallIntegerField(_("year reported on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # The template's sections (text), named as Section's values.
    institutional_framework = models.TextField(_("institutional framework"), blank=True)
    legislation = models.TextField(_("legislation"), blank=True)
    import_export_regime = models.TextField(_("import and export regime"), blank=True)
    internal_controls = models.TextField(_("internal controls"), blank=True)
    statistics = models.TextField(_("statistics"), blank=True)
    enforcement = models.TextField(_("enforcement and infringements"), blank=True)
    changes = models.TextField(_("changes since last year"), blank=True)
    # Enforcement in figures, so the working group can compare years and participants.
    enforcement_cases = models.PositiveIntegerField(_("infringement cases"), null=True, blank=True)
    seizures = models.PositiveIntegerField(_("seizures"), null=True, blank=True)
    seized_carats = models.DecimalField(
        _("carats seized"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    penalties = models.TextField(_("penalties imposed"), blank=True)
    # Sections the participant marked "no change" (the text was carried over from last year).
    unchanged_sections = ArrayField(
        models.CharField(max_length=30, choices=Section.choices),
        default=list,
        blank=True,
        verbose_name=_("sections without change"),
    )
    document = models.FileField(_("report document"), upload_to="annual-reports/%Y/", blank=True)
    document_name = models.CharField(_("document name"), max_length=255, blank=True)
    document_content_type = models.CharField(max_length=100, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    assessment = models.TextField(_("working group's assessment"), blank=True)
    feedback = models.TextField(_("feedback to the participant"), blank=True)
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-year", "participant__code"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "year"], name="annual_report_one_per_year"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2002) & Q(year__lte=2100), name="annual_report_year_plausible"
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(submitted_at__isnull=False) & Q(submitted_by__isnull=False)),
                name="annual_report_submission_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status="assessed")
                | (Q(assessed_at__isnull=False) & Q(assessed_by__isnull=False)),
                name="annual_report_assessment_recorded",
            ),
            models.CheckConstraint(
                condition=Q(seized_carats__isnull=True) | Q(seized_carats__gte=0),
                name="annual_report_seized_carats_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.code} {self.year}"


class AnnualReportReminder(models.Model):
    """A deadline reminder that was sent, so that the daily run sends each one once."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "year", "kind"], name="annual_report_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.year} {self.kind}"


class ComplianceCase(models.Model):
    """A participant's compliance case: what triggered it, the actions taken and the decisions."""

    class Trigger(models.TextChoices):
        STATISTICS_ANOMALY = "statistics_anomaly", _("statistics anomaly")
        REVIEW_FINDING = "review_finding", _("review finding")
        UN_DECISION = "un_decision", _("UN decision")
        OBSERVER_REPORT = "observer_report", _("report from an observer")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        # A case, not a question or a recommendation: languages with gender need the context.
        OPEN = "open", pgettext_lazy("compliance case", "open")
        CLOSED = "closed", pgettext_lazy("compliance case", "closed")

    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        related_name="compliance_cases",
        verbose_name=_("participant"),
    )
    title = models.CharField(_("title"), max_length=255)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    trigger_detail = models.TextField(_("what triggered it"), blank=True)
    anomaly = models.ForeignKey(
        "statistics.Anomaly",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compliance_cases",
        verbose_name=_("statistics anomaly"),
    )
    finding = models.ForeignKey(
        Finding,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compliance_cases",
        verbose_name=_("review finding"),
    )
    reporting_observer = models.ForeignKey(
        "participants.Observer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compliance_reports",
        verbose_name=_("reporting observer"),
    )
    opened_on = models.DateField(_("opened on"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("compliance case")
        verbose_name_plural = _("compliance cases")
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="open") & Q(closed_on__isnull=True))
                | (Q(status="closed") & Q(closed_on__isnull=False)),
                name="compliance_case_closed_dated",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="compliance_case_dates_in_order",
            ),
            models.CheckConstraint(
                condition=~Q(trigger="statistics_anomaly") | Q(anomaly__isnull=False),
                name="compliance_case_anomaly_named",
            ),
            models.CheckConstraint(
                condition=~Q(trigger="review_finding") | Q(finding__isnull=False),
                name="compliance_case_finding_named",
            ),
            models.CheckConstraint(
                condition=~Q(trigger="observer_report") | Q(reporting_observer__isnull=False),
                name="compliance_case_observer_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.code}: {self.title}"


class ComplianceAction(models.Model):
    """A review mission, an action plan (with milestones) or an interim measure."""

    class Kind(models.TextChoices):
        REVIEW_MISSION = "review_mission", _("review mission")
        ACTION_PLAN = "action_plan", _("action plan")
        INTERIM_MEASURE = "interim_measure", _("interim measure")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")
        LIFTED = "lifted", _("lifted")

    case = models.ForeignKey(
        ComplianceCase, on_delete=models.PROTECT, related_name="actions", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    decided_on = models.DateField(_("decided on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    review_visit = models.ForeignKey(
        ReviewVisit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compliance_actions",
        verbose_name=_("review mission"),
    )
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        ordering = ["case", "decided_on", "id"]
        verbose_name = _("compliance action")
        verbose_name_plural = _("compliance actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("decided_on")),
                name="compliance_action_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class ActionMilestone(models.Model):
    """A milestone of an action plan, with its due date."""

    action = models.ForeignKey(
        ComplianceAction,
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("action"),
    )
    description = models.TextField(_("milestone"))
    due_on = models.DateField(_("due date"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        ordering = ["action", "due_on", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="milestone_text_required")
        ]

    def __str__(self) -> str:
        return f"{self.due_on}: {self.description[:60]}"


class ComplianceDecision(models.Model):
    """A decision taken on a case. One that changes the participant's standing records a
    status event, which is what certificates and trade are checked against from that date."""

    class Body(models.TextChoices):
        PLENARY = "plenary", _("Plenary")
        CHAIR = "chair", _("Chair")
        WORKING_BODY = "working_body", _("working body")
        WRITTEN_PROCEDURE = "written_procedure", _("written procedure")

    case = models.ForeignKey(
        ComplianceCase, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("case")
    )
    decided_on = models.DateField(_("decided on"))
    body = models.CharField(_("taken by"), max_length=20, choices=Body.choices)
    working_body = models.ForeignKey(
        "participants.WorkingBody",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("working body"),
    )
    reference = models.CharField(
        _("reference"), max_length=255, blank=True, help_text=_("e.g. the administrative decision")
    )
    text = models.TextField(_("decision"))
    status_event = models.OneToOneField(
        "participants.StatusEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compliance_decision",
        verbose_name=_("status change recorded"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["case", "decided_on", "id"]
        verbose_name = _("compliance decision")
        verbose_name_plural = _("compliance decisions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(body="working_body") | Q(working_body__isnull=False),
                name="compliance_decision_working_body_named",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="compliance_decision_text_required"),
        ]

    def __str__(self) -> str:
        return f"{self.decided_on} {self.get_body_display()}"
