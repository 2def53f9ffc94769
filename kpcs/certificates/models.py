"""KP certificates and import confirmations (DESIGN.md §1, FORMATS.md §2 and §3).

A certificate is issued by the exporting participant's authority and travels with the
shipment; the importing authority sends an import confirmation back. The registry records
both, follows each certificate through its life (issued → confirmed, or expired unconfirmed,
or void) and reconciles them with the trade statistics.

The rules that need other rows (both parties in good standing on the date of issue, the
number's prefix against the exporting country, a duplicate number, a confirmation matching
its certificate) are checked in kpcs.certificates.validation, the same on every path; what a
single row can say about itself is also a database constraint here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kpcs.common.models import BackgroundJob
from kpcs.participants.models import Country, Participant
from kpcs.statistics.models import HSCode

# Certificate numbers: the exporting country's alpha-2 code (or EU), then letters, digits and
# the separators authorities print (BW123456, EU/BE/2023/0001, ZA-00012345).
NUMBER_PATTERN = r"^[A-Z]{2}[A-Z0-9/.-]{1,38}$"


class CertificateUpload(models.Model):
    """A file of certificates or import confirmations sent by an authority (or loaded by the
    secretariat), with its outcome: stored whole, or refused with every bad row named."""

    class Kind(models.TextChoices):
        CERTIFICATES = "certificates", _("certificates")
        CONFIRMATIONS = "confirmations", _("import confirmations")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        CHECKING = "checking", _("being checked")
        STORED = "stored", _("stored")
        REFUSED = "refused", _("refused: errors found")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificate_uploads",
        verbose_name=_("participant"),
        help_text=_("The authority's participant; empty for the secretariat's own loads."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Stored under MEDIA_ROOT/certificate-uploads/, which is never served publicly.
    file = models.FileField(_("file"), upload_to="certificate-uploads/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    stored = models.PositiveIntegerField(_("stored"), default=0)
    unchanged = models.PositiveIntegerField(_("already recorded"), default=0)
    # Every finding: [{"row": 12, "column": "date_expiry", "code": "...", "message": "..."}].
    findings = models.JSONField(default=list, blank=True)
    job = models.ForeignKey(
        BackgroundJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("certificate file")
        verbose_name_plural = _("certificate files")
        constraints = [
            models.CheckConstraint(
                condition=Q(stored__lte=F("rows")) & Q(unchanged__lte=F("rows")),
                name="certificate_upload_counts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.kind}, {self.status})"


class Certificate(models.Model):
    """One KP certificate: its header as printed, its lines by HS code, and where it stands."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("issued")
        CONFIRMED = "confirmed", _("confirmed")
        EXPIRED = "expired", _("expired unconfirmed")
        VOID = "void", _("void")

    issuing_participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="certificates_issued",
        verbose_name=_("issuing participant"),
    )
    number = models.CharField(_("certificate number"), max_length=40)
    exporting_country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("exporting country")
    )
    destination_participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="certificates_received",
        verbose_name=_("destination participant"),
    )
    date_issued = models.DateField(_("date of issue"))
    date_expiry = models.DateField(_("date of expiry"))
    # Empty for mixed parcels (MIXED in the files).
    origin = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("country of origin"),
    )
    exporter = models.CharField(_("exporter"), max_length=200)
    importer = models.CharField(_("importer"), max_length=200)
    # The sums of the lines, kept with them by the services: lists, verification and the
    # quarterly reconciliation read a million certificates without joining their lines.
    carats = models.DecimalField(_("carats"), max_digits=16, decimal_places=2)
    value_usd = models.DecimalField(_("value (US$)"), max_digits=18, decimal_places=2)
    parcels = models.PositiveIntegerField(_("parcels"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    upload = models.ForeignKey(
        CertificateUpload,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificates",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date_issued", "issuing_participant__code", "number"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_participant", "number"], name="certificate_natural_key"
            ),
            models.CheckConstraint(
                condition=Q(number__regex=NUMBER_PATTERN), name="certificate_number_format"
            ),
            models.CheckConstraint(
                condition=Q(date_expiry__gte=F("date_issued")),
                name="certificate_expiry_not_before_issue",
            ),
            models.CheckConstraint(
                condition=Q(carats__gt=0) & Q(value_usd__gt=0) & Q(parcels__gte=1),
                name="certificate_totals_positive",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["issued", "confirmed", "expired", "void"]),
                name="certificate_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["date_issued"], name="certificate_issued_idx"),
            models.Index(
                fields=["destination_participant", "date_issued"],
                name="certificate_destination_idx",
            ),
            models.Index(fields=["status", "date_expiry"], name="certificate_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.issuing_participant_id})"


class CertificateLine(models.Model):
    """One HS code of a certificate (FORMATS.md §2: one row per HS code, same number)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="lines")
    hs_code = models.CharField(_("HS code"), max_length=7, choices=HSCode.choices)
    carats = models.DecimalField(_("carats"), max_digits=16, decimal_places=2)
    value_usd = models.DecimalField(_("value (US$)"), max_digits=18, decimal_places=2)
    parcels = models.PositiveIntegerField(_("parcels"))

    class Meta:
        ordering = ["hs_code"]
        verbose_name = _("certificate line")
        verbose_name_plural = _("certificate lines")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "hs_code"], name="certificate_line_one_per_hs_code"
            ),
            models.CheckConstraint(
                condition=Q(carats__gt=0) & Q(value_usd__gt=0) & Q(parcels__gte=1),
                name="certificate_line_positive",
            ),
            models.CheckConstraint(
                condition=Q(hs_code__in=HSCode.values), name="certificate_line_hs_code_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.hs_code}"


class ImportConfirmation(models.Model):
    """The importing authority's confirmation that the shipment arrived (FORMATS.md §3)."""

    certificate = models.OneToOneField(
        Certificate, on_delete=models.CASCADE, related_name="confirmation"
    )
    confirming_participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirming participant"),
    )
    date_received = models.DateField(_("date received"))
    carats = models.DecimalField(_("carats received"), max_digits=16, decimal_places=2)
    # Set when the carats received differ from the certificate's beyond the tolerance.
    carats_differ = models.BooleanField(_("carats differ"), default=False)
    upload = models.ForeignKey(
        CertificateUpload,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="confirmations",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("import confirmation")
        verbose_name_plural = _("import confirmations")
        constraints = [
            models.CheckConstraint(condition=Q(carats__gt=0), name="confirmation_carats_positive"),
        ]

    def __str__(self) -> str:
        return f"confirmation of {self.certificate_id}"


class VoidNotice(models.Model):
    """A certificate that must not be honoured: lost, stolen or cancelled. Every participant
    can see void notices."""

    class Reason(models.TextChoices):
        LOST = "lost", _("lost")
        STOLEN = "stolen", _("stolen")
        CANCELLED = "cancelled", _("cancelled")

    certificate = models.OneToOneField(
        Certificate, on_delete=models.CASCADE, related_name="void_notice"
    )
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    note = models.TextField(_("note"), blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-declared_at"]
        verbose_name = _("void notice")
        verbose_name_plural = _("void notices")
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=["lost", "stolen", "cancelled"]),
                name="void_notice_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"void {self.certificate_id} ({self.reason})"


class CertificateAlert(models.Model):
    """Something about a certificate an authority or the secretariat must know: it expired
    without a confirmation, or the carats received differ from the certificate's."""

    class Kind(models.TextChoices):
        EXPIRED_UNCONFIRMED = "expired_unconfirmed", _("expired without import confirmation")
        CARATS_DIFFER = "carats_differ", _("carats received differ")

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)
    # Each recipient (the two authorities, the secretariat) dismisses it on its own.
    dismissed_by_issuer_at = models.DateTimeField(null=True, blank=True)
    dismissed_by_destination_at = models.DateTimeField(null=True, blank=True)
    dismissed_by_secretariat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("certificate alert")
        verbose_name_plural = _("certificate alerts")
        constraints = [
            models.UniqueConstraint(fields=["certificate", "kind"], name="certificate_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.certificate_id}"


class Specimen(models.Model):
    """A participant's certificate specimen as notified through the Chair: what its
    certificates look like and their security features, valid from a date (until another
    specimen replaces it). Customs and authorities look them up."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="specimens",
        verbose_name=_("participant"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    notified_on = models.DateField(_("notified through the Chair on"), null=True, blank=True)
    security_features = models.TextField(_("security features"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["participant__code", "-valid_from"]
        verbose_name = _("certificate specimen")
        verbose_name_plural = _("certificate specimens")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="specimen_valid_to_after_from",
            ),
            models.UniqueConstraint(
                fields=["participant", "valid_from"], name="specimen_one_per_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} specimen from {self.valid_from}"


class SpecimenImage(models.Model):
    """A picture of the specimen (front, back, a security feature)."""

    specimen = models.ForeignKey(Specimen, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to="specimens/%Y/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("specimen image")
        verbose_name_plural = _("specimen images")

    def __str__(self) -> str:
        return self.caption or self.image.name or ""
