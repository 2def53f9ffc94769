"""Statistics: what participants report (production, trade by partner and HS code), the
workflow that turns a draft into published figures, and what the secretariat finds in them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kpcs.participants.models import Participant

MAX_CARATS = Decimal("999999999999.99")


class HSCode(models.TextChoices):
    UNSORTED = "7102.10", _("7102.10 unsorted")
    INDUSTRIAL = "7102.21", _("7102.21 industrial")
    NON_INDUSTRIAL = "7102.31", _("7102.31 non-industrial")


class Dataset(models.TextChoices):
    PRODUCTION = "production", _("production")
    TRADE = "trade", _("trade")


class Period(models.TextChoices):
    """FORMATS.md §1: a whole year, half-years (production) or quarters (trade)."""

    YEAR = "Y", _("whole year")
    H1 = "H1", _("first half-year")
    H2 = "H2", _("second half-year")
    Q1 = "Q1", _("first quarter")
    Q2 = "Q2", _("second quarter")
    Q3 = "Q3", _("third quarter")
    Q4 = "Q4", _("fourth quarter")


class Flow(models.TextChoices):
    IMPORT = "import", _("import")
    EXPORT = "export", _("export")


# Which periods each dataset is reported in; `Y` (whole year) is for historical data.
DATASET_PERIODS = {
    Dataset.PRODUCTION: (Period.YEAR, Period.H1, Period.H2),
    Dataset.TRADE: (Period.YEAR, Period.Q1, Period.Q2, Period.Q3, Period.Q4),
}


class Submission(models.Model):
    """One participant's figures for one dataset and period, and where they are in the
    workflow: draft → submitted → queried → accepted → published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        QUERIED = "queried", _("queried")
        ACCEPTED = "accepted", _("accepted")
        PUBLISHED = "published", _("published")

    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("participant"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    dataset = models.CharField(_("dataset"), max_length=16, choices=Dataset.choices)
    period = models.CharField(_("period"), max_length=2, choices=Period.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    # Loaded by the secretariat from past years' files rather than entered by the participant.
    historical = models.BooleanField(_("historical data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["participant__code", "year", "dataset", "period"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "year", "dataset", "period"],
                name="submission_unique_per_period",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="submission_year_plausible"
            ),
            models.CheckConstraint(
                condition=(Q(dataset="production") & Q(period__in=["Y", "H1", "H2"]))
                | (Q(dataset="trade") & Q(period__in=["Y", "Q1", "Q2", "Q3", "Q4"])),
                name="submission_period_fits_dataset",
            ),
        ]
        indexes = [models.Index(fields=["year", "dataset", "status"])]

    def __str__(self) -> str:
        return f"{self.participant.code} {self.year} {self.period} {self.get_dataset_display()}"


class ProductionRecord(models.Model):
    """Rough diamonds produced in one period: carats and value."""

    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, related_name="production"
    )
    carats = models.DecimalField(_("carats"), max_digits=14, decimal_places=2)
    value_usd = models.DecimalField(_("value (US$)"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("production record")
        verbose_name_plural = _("production records")
        constraints = [
            models.CheckConstraint(
                condition=Q(carats__gte=0) & Q(value_usd__gte=0), name="production_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(carats__gt=0) | Q(value_usd=0), name="production_value_needs_carats"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission}: {self.carats} ct"


class TradeRecord(models.Model):
    """Imports or exports in one period, with one partner, under one HS code."""

    # Its own index, although trade_record_natural_key starts with the submission: reading a
    # submission's records through the wider natural key took twice as long, in every
    # aggregation that joins records to submissions (docs/performance.md).
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="trade_records"
    )
    flow = models.CharField(_("flow"), max_length=6, choices=Flow.choices)
    partner = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="+", verbose_name=_("partner")
    )
    hs_code = models.CharField(_("HS code"), max_length=7, choices=HSCode.choices)
    carats = models.DecimalField(_("carats"), max_digits=14, decimal_places=2)
    value_usd = models.DecimalField(_("value (US$)"), max_digits=16, decimal_places=2)
    certificates = models.PositiveIntegerField(_("number of certificates"))

    class Meta:
        ordering = ["flow", "partner__code", "hs_code"]
        verbose_name = _("trade record")
        verbose_name_plural = _("trade records")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "flow", "partner", "hs_code"], name="trade_record_natural_key"
            ),
            models.CheckConstraint(
                condition=Q(carats__gte=0) & Q(value_usd__gte=0), name="trade_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(carats__gt=0) | Q(value_usd=0), name="trade_value_needs_carats"
            ),
            models.CheckConstraint(
                condition=Q(hs_code__in=HSCode.values), name="trade_hs_code_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.flow} {self.partner_id} {self.hs_code}"


class SubmissionTradeTotal(models.Model):
    """A submission's trade summed over its partners, by flow and HS code.

    Kept by PostgreSQL triggers on statistics_traderecord (migration 0002), whatever writes the
    records (the services, the importer's COPY, a script), so it always matches them. The
    anomaly rules that need no partner (unit values over ten years of history, jumps, supply,
    missing data) read these few rows instead of every trade record (docs/performance.md).
    Read-only for Django: never written from Python."""

    submission = models.ForeignKey(
        Submission, on_delete=models.DO_NOTHING, related_name="trade_totals", db_index=False
    )
    flow = models.CharField(max_length=6, choices=Flow.choices)
    hs_code = models.CharField(max_length=7, choices=HSCode.choices)
    carats = models.DecimalField(max_digits=18, decimal_places=2)
    value_usd = models.DecimalField(max_digits=20, decimal_places=2)
    certificates = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "flow", "hs_code"], name="submission_trade_total_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.flow} {self.hs_code}"


class SubmissionPartnerTotal(models.Model):
    """A submission's trade summed over its HS codes, by flow and partner: what the mirror
    rule compares (A's exports to B against B's imports from A). Kept by the same triggers
    as SubmissionTradeTotal; read-only for Django."""

    submission = models.ForeignKey(
        Submission, on_delete=models.DO_NOTHING, related_name="partner_totals", db_index=False
    )
    flow = models.CharField(max_length=6, choices=Flow.choices)
    partner = models.ForeignKey(
        Participant, on_delete=models.DO_NOTHING, related_name="+", db_index=False
    )
    carats = models.DecimalField(max_digits=18, decimal_places=2)
    value_usd = models.DecimalField(max_digits=20, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "flow", "partner"], name="submission_partner_total_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.flow} {self.partner_id}"


class StockDeclaration(models.Model):
    """Rough diamonds a participant held in stock at the start of a year (its opening stock),
    available to export during the year. Declared apart from the statistics rows, whose
    exchange format (FORMATS.md §1) has no place for it; the supply-gap checks count it
    beside production and imports."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="stock_declarations",
        verbose_name=_("participant"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    carats = models.DecimalField(_("carats"), max_digits=14, decimal_places=2)
    value_usd = models.DecimalField(_("value (US$)"), max_digits=16, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    declared_at = models.DateTimeField(_("declared"))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["participant__code", "-year"]
        verbose_name = _("stock declaration")
        verbose_name_plural = _("stock declarations")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "year"], name="stock_declaration_unique_year"
            ),
            # The KPCS started in 2003 (validation.FIRST_YEAR): no stock before it.
            models.CheckConstraint(
                condition=Q(year__gte=2003) & Q(year__lte=2100),
                name="stock_declaration_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(carats__gte=0) & Q(value_usd__gte=0),
                name="stock_declaration_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(carats__gt=0) | Q(value_usd=0),
                name="stock_declaration_value_needs_carats",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.code} {self.year} stock: {self.carats} ct"


class SubmissionTransition(models.Model):
    """Each step of the workflow: who moved the submission, from where to where, and why."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=Submission.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Submission.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["submission", "at", "id"]

    def __str__(self) -> str:
        return f"{self.submission}: {self.from_status or '-'} → {self.to_status}"


class SubmissionRevision(models.Model):
    """The submission's figures as they stood at a moment (each submit, each acceptance and
    every change after submission), so reviewers see what changed value by value."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Submission.Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # {"production": {"carats": "...", "value_usd": "..."} | null,
    #  "trade": {"export|BWA|7102.10": {"carats": "...", "value_usd": "...", "certificates": n}}}
    figures = models.JSONField()

    class Meta:
        ordering = ["submission", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "number"], name="submission_revision_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} revision {self.number}"


class ValidationFinding(models.Model):
    """A problem found in a submission's figures: errors block, warnings need an explanation."""

    class Severity(models.TextChoices):
        ERROR = "error", _("error")
        WARNING = "warning", _("warning")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="findings")
    rule = models.CharField(_("rule"), max_length=64)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    # Where the finding points: a row key such as "export|BWA|7102.10" and a column name.
    row = models.CharField(_("row"), max_length=64, blank=True)
    column = models.CharField(_("column"), max_length=32, blank=True)
    message = models.TextField(_("message"))
    explanation = models.TextField(_("participant's explanation"), blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    explained_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submission", "severity", "rule", "row"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "rule", "row", "column"], name="validation_finding_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.severity} {self.rule} {self.row}"


class ReportingDeadline(models.Model):
    """A due date the secretariat set for a period; without one, two months after its end."""

    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=2, choices=Period.choices)
    due_date = models.DateField(_("due date"))

    class Meta:
        ordering = ["year", "period"]
        constraints = [
            models.UniqueConstraint(fields=["year", "period"], name="deadline_unique_period"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.period}: {self.due_date}"


class DeadlineExtension(models.Model):
    """The secretariat lifts the deadline lock for one participant until a moment."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=2, choices=Period.choices)
    dataset = models.CharField(_("dataset"), max_length=16, choices=Dataset.choices)
    until = models.DateTimeField(_("open until"))
    reason = models.CharField(_("reason"), max_length=500)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.year} {self.period} until {self.until:%Y-%m-%d}"


class Release(models.Model):
    """Published figures for a year: dated and citable; a revision is a new release with a
    note, and earlier releases stay downloadable."""

    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("release"))
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("what changed"), blank=True)

    class Meta:
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="release_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="release_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} release {self.number}"


class ReleaseProduction(models.Model):
    """A participant's production for the year, as published in a release."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="production")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    carats = models.DecimalField(max_digits=16, decimal_places=2)
    value_usd = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release", "participant"], name="release_production_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.release}: {self.participant_id} production"


class ReleaseTrade(models.Model):
    """A participant's imports or exports for the year, as published in a release."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="trade")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    flow = models.CharField(max_length=6, choices=Flow.choices)
    carats = models.DecimalField(max_digits=16, decimal_places=2)
    value_usd = models.DecimalField(max_digits=18, decimal_places=2)
    certificates = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release", "participant", "flow"], name="release_trade_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.release}: {self.participant_id} {self.flow}"


class Anomaly(models.Model):
    """Something in the accepted figures that needs a look, with the figures behind it."""

    class Rule(models.TextChoices):
        MIRROR_DISCREPANCY = "mirror_discrepancy", _("mirror discrepancy")
        SUPPLY_GAP = "supply_gap", _("exports above production and imports")
        UNIT_VALUE_OUTLIER = "unit_value_outlier", _("unit value outlier")
        JUMP = "jump", _("jump between periods")
        MISSING_DATA = "missing_data", _("missing data")
        CERTIFICATE_MISMATCH = "certificate_mismatch", _("certificate mismatch")

    class Severity(models.TextChoices):
        LOW = "low", _("low")
        MEDIUM = "medium", _("medium")
        HIGH = "high", _("high")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        QUESTIONED = "questioned", _("question sent")
        CLOSED = "closed", _("closed")
        ESCALATED = "escalated", _("escalated")

    year = models.PositiveSmallIntegerField(_("year"))
    rule = models.CharField(_("rule"), max_length=32, choices=Rule.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="anomalies")
    partner = models.ForeignKey(
        Participant, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    period = models.CharField(_("period"), max_length=2, choices=Period.choices)
    message = models.TextField(_("explanation"))
    figures = models.JSONField(_("figures"), default=dict)
    # The same finding on a later run updates this row instead of adding another.
    fingerprint = models.CharField(max_length=128, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    first_found_at = models.DateTimeField(auto_now_add=True)
    last_found_at = models.DateTimeField()
    # Unset when the latest analysis no longer finds it (e.g. after a correction).
    still_present = models.BooleanField(default=True)

    class Meta:
        ordering = ["year", "participant__code", "rule"]
        indexes = [models.Index(fields=["year", "rule"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(partner=F("participant")), name="anomaly_partner_differs"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.rule} {self.participant_id}"


class AnomalyQuestion(models.Model):
    """A question of the Data Anomaly Questionnaire: asked by the secretariat about one
    anomaly, answered by the participant in the app, then closed or escalated."""

    class Status(models.TextChoices):
        OPEN = "open", _("awaiting answer")
        ANSWERED = "answered", _("answered")
        CLOSED = "closed", _("closed")
        ESCALATED = "escalated", _("escalated")

    anomaly = models.OneToOneField(Anomaly, on_delete=models.PROTECT, related_name="question")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="anomaly_questions"
    )
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(auto_now_add=True)
    due_date = models.DateField(_("answer due"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    closing_note = models.TextField(_("secretariat's note"), blank=True)

    class Meta:
        ordering = ["-asked_at"]

    def __str__(self) -> str:
        return f"question on {self.anomaly}"
