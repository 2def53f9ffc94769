"""Who takes part in the KPCS, since when, in what standing, and who runs what."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from modeltranslation.manager import MultilingualManager

SCHEME_START = "2003-01-01"


class Country(models.Model):
    """An ISO 3166-1 country: a state participant, an EU member state, or a trade partner."""

    alpha3 = models.CharField(_("ISO alpha-3 code"), max_length=3, unique=True)
    alpha2 = models.CharField(_("ISO alpha-2 code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_eu_member = models.BooleanField(_("EU member state"), default=False)

    # modeltranslation swaps the default manager for its own when the model is registered
    # (translation.py); declared here because the plugin cannot see that swap.
    objects: ClassVar[MultilingualManager[Country]]

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [
            models.CheckConstraint(
                condition=Q(alpha3__regex=r"^[A-Z]{3}$"), name="country_alpha3_format"
            ),
            models.CheckConstraint(
                condition=Q(alpha2__regex=r"^[A-Z]{2}$"), name="country_alpha2_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    class Kind(models.TextChoices):
        STATE = "state", _("state")
        REGIONAL_ORGANISATION = "regional_organisation", _("regional organisation")
        TRADING_ENTITY = "trading_entity", _("rough-diamond trading entity")

    # FORMATS.md: alpha-3, except the European Union, which takes part as `EUR`.
    code = models.CharField(_("code"), max_length=3, unique=True)
    iso2 = models.CharField(
        _("certificate prefix"),
        max_length=2,
        unique=True,
        help_text=_("ISO alpha-2 code that starts its certificate numbers"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.STATE)
    country = models.OneToOneField(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participant",
        verbose_name=_("country"),
    )
    member_countries = models.ManyToManyField(
        Country,
        blank=True,
        related_name="covering_participants",
        verbose_name=_("member countries"),
        help_text=_("For a regional organisation: the countries its participation covers"),
    )
    admitted_on = models.DateField(_("date of admission"), null=True, blank=True)
    admission_date_known = models.BooleanField(
        _("admission date known"),
        default=True,
        help_text=_("Unset when the exact date is not known and the scheme's start is assumed"),
    )
    source_note = models.CharField(_("source note"), max_length=500, blank=True)

    # modeltranslation swaps the default manager for its own when the model is registered
    # (translation.py); declared here because the plugin cannot see that swap.
    objects: ClassVar[MultilingualManager[Participant]]

    class Meta:
        ordering = ["name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{3}$"), name="participant_code_format"
            ),
            models.CheckConstraint(
                condition=Q(iso2__regex=r"^[A-Z]{2}$"), name="participant_iso2_format"
            ),
            models.CheckConstraint(
                condition=~Q(kind="state") | Q(country__isnull=False),
                name="participant_state_has_country",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("participants:detail", kwargs={"code": self.code})


class StatusEvent(models.Model):
    """A dated change of a participant's standing, with the decision behind it."""

    class Event(models.TextChoices):
        ADMITTED = "admitted", _("admitted")
        READMITTED = "readmitted", _("readmitted")
        REMOVED = "removed", _("removed")
        EMBARGOED = "embargoed", _("embargoed")
        EMBARGO_LIFTED = "embargo_lifted", _("embargo lifted")
        SELF_SUSPENDED = "self_suspended", _("self-suspended")
        REINSTATED = "reinstated", _("reinstated")
        SUSPENDED = "suspended", _("suspended")
        PARTIALLY_RESUMED = "partially_resumed", _("partially resumed (compliant zones only)")
        RESTRICTIONS_LIFTED = "restrictions_lifted", _("restrictions lifted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="status_events",
        verbose_name=_("participant"),
    )
    date = models.DateField(_("date"))
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    date_approximate = models.BooleanField(_("date approximate"), default=False)
    decision = models.CharField(
        _("decision"),
        max_length=255,
        blank=True,
        help_text=_("The decision or resolution behind the change"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["participant__code", "date", "id"]
        verbose_name = _("status event")
        verbose_name_plural = _("status events")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "date", "event"], name="status_event_unique_per_day"
            ),
        ]
        indexes = [models.Index(fields=["participant", "-date"])]

    def __str__(self) -> str:
        return f"{self.participant.code} {self.date} {self.get_event_display()}"


class Observer(models.Model):
    class Kind(models.TextChoices):
        INDUSTRY = "industry", _("industry")
        CIVIL_SOCIETY = "civil_society", _("civil society")
        INDEPENDENT = "independent_observer", _("independent observer")

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    since = models.DateField(_("observer since"), null=True, blank=True)
    source_note = models.CharField(_("source note"), max_length=500, blank=True)

    # modeltranslation swaps the default manager for its own when the model is registered
    # (translation.py); declared here because the plugin cannot see that swap.
    objects: ClassVar[MultilingualManager[Observer]]

    class Meta:
        ordering = ["name"]
        verbose_name = _("observer")
        verbose_name_plural = _("observers")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z0-9]{2,10}$"), name="observer_code_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Authority(models.Model):
    """A participant's KP authority: who issues, receives or reports for it."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="authorities",
        verbose_name=_("participant"),
    )
    name = models.CharField(_("name"), max_length=255)
    handles_exports = models.BooleanField(_("exporting authority"), default=False)
    handles_imports = models.BooleanField(_("importing authority"), default=False)
    handles_statistics = models.BooleanField(_("statistics"), default=False)
    address = models.TextField(_("address"), blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["participant__code", "name"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "name"], name="authority_unique_name_per_participant"
            ),
            models.CheckConstraint(
                condition=Q(handles_exports=True)
                | Q(handles_imports=True)
                | Q(handles_statistics=True),
                name="authority_has_a_function",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.participant.code})"


class AuthorityContact(models.Model):
    authority = models.ForeignKey(
        Authority, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("authority")
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("telephone"), max_length=50, blank=True)

    class Meta:
        ordering = ["authority", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone=""), name="authority_contact_reachable"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WorkingBody(models.Model):
    class Kind(models.TextChoices):
        WORKING_GROUP = "working_group", _("working group")
        COMMITTEE = "committee", _("committee")
        AD_HOC_COMMITTEE = "ad_hoc_committee", _("ad hoc committee")

    code = models.CharField(_("acronym"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    open_to_observers = models.BooleanField(_("open to observers"), default=True)

    # modeltranslation swaps the default manager for its own when the model is registered
    # (translation.py); declared here because the plugin cannot see that swap.
    objects: ClassVar[MultilingualManager[WorkingBody]]

    class Meta:
        ordering = ["code"]
        verbose_name = _("working body")
        verbose_name_plural = _("working bodies")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class WorkingBodyMembership(models.Model):
    """A participant's or observer's seat in a working body, for a span of years."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("chair")
        VICE_CHAIR = "vice_chair", _("vice-chair")
        MEMBER = "member", _("member")

    working_body = models.ForeignKey(
        WorkingBody,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("working body"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="working_body_memberships",
        verbose_name=_("participant"),
    )
    observer = models.ForeignKey(
        Observer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="working_body_memberships",
        verbose_name=_("observer"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    year_from = models.PositiveSmallIntegerField(_("from year"))
    year_to = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)

    class Meta:
        ordering = ["working_body__code", "role", "year_from"]
        verbose_name = _("working body membership")
        verbose_name_plural = _("working body memberships")
        constraints = [
            models.CheckConstraint(
                condition=(Q(participant__isnull=False) & Q(observer__isnull=True))
                | (Q(participant__isnull=True) & Q(observer__isnull=False)),
                name="membership_participant_xor_observer",
            ),
            models.CheckConstraint(
                condition=Q(year_to__isnull=True) | Q(year_to__gte=models.F("year_from")),
                name="membership_years_in_order",
            ),
            models.UniqueConstraint(
                fields=["working_body", "participant", "year_from"],
                condition=Q(participant__isnull=False),
                name="membership_unique_participant",
            ),
            models.UniqueConstraint(
                fields=["working_body", "observer", "year_from"],
                condition=Q(observer__isnull=False),
                name="membership_unique_observer",
            ),
        ]

    def __str__(self) -> str:
        member = self.participant or self.observer
        return f"{self.working_body.code}: {member} ({self.get_role_display()})"


class Chairmanship(models.Model):
    """The KP Chair serves a calendar year; the vice-chair usually chairs the next."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    chair = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="chair_years", verbose_name=_("chair")
    )
    vice_chair = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vice_chair_years",
        verbose_name=_("vice-chair"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("chairmanship")
        verbose_name_plural = _("chairmanships")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="chairmanship_year_plausible"
            ),
            models.CheckConstraint(
                condition=Q(vice_chair__isnull=True) | ~Q(vice_chair=models.F("chair")),
                name="chairmanship_vice_chair_differs",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.chair}"
