"""People who log in, the role they have, and what they act for."""

from __future__ import annotations

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("secretariat")
    AUTHORITY = "authority", _("participant authority")
    REVIEWER = "reviewer", _("review team member")
    OBSERVER = "observer", _("observer")


class User(AbstractUser):
    """A person with one role; an authority acts for one participant, an observer's
    representative for one observer organisation, a reviewer for either (or neither)."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("acts for participant"),
    )
    observer = models.ForeignKey(
        "participants.Observer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("acts for observer"),
    )
    preferred_language = models.CharField(_("preferred language"), max_length=10, blank=True)
    # The account a machine client (ApiClient) acts as. Kept on the user row, not only read from
    # the client, so that the database itself can refuse to give it a usable password.
    is_api_client = models.BooleanField(_("API client account"), default=False, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="authority") | Q(participant__isnull=False),
                name="user_authority_acts_for_participant",
            ),
            models.CheckConstraint(
                condition=~Q(role="observer") | Q(observer__isnull=False),
                name="user_observer_acts_for_observer",
            ),
            models.CheckConstraint(
                condition=Q(participant__isnull=True) | Q(observer__isnull=True),
                name="user_acts_for_one_body",
            ),
            models.CheckConstraint(
                condition=~Q(role="secretariat")
                | (Q(participant__isnull=True) & Q(observer__isnull=True)),
                name="user_secretariat_acts_for_no_body",
            ),
            # A machine client's account can never log in with a password (Django marks an
            # unusable password with a leading "!"), and acts as an authority for its
            # participant: every permission rule written for authorities applies to it.
            models.CheckConstraint(
                condition=Q(is_api_client=False)
                | (Q(password__startswith=UNUSABLE_PASSWORD_PREFIX) & Q(role="authority")),
                name="user_api_client_has_no_password",
            ),
        ]

    @property
    def is_secretariat(self) -> bool:
        return self.is_active and self.role == Role.SECRETARIAT

    @property
    def is_authority(self) -> bool:
        return self.is_active and self.role == Role.AUTHORITY

    @property
    def is_reviewer(self) -> bool:
        return self.is_active and self.role == Role.REVIEWER

    @property
    def is_observer(self) -> bool:
        return self.is_active and self.role == Role.OBSERVER


class ApiClient(models.Model):
    """A machine client (a participant's customs or licensing system) calling the API with its
    own key, scoped to one participant.

    It authenticates as its own service account (`user`: role authority, acting for
    `participant`, no usable password), so the API's permission rules apply unchanged. Only the
    SHA-256 of the key is stored: keys are 256 random bits, so a slow password hash would add
    nothing but a per-request cost. The key itself is shown once, when the client is created.
    """

    KEY_PREFIX_LENGTH = 8

    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What the client is, e.g. “BWA customs system”."),
    )
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        related_name="api_clients",
        verbose_name=_("acts for participant"),
    )
    user = models.OneToOneField(
        User,
        on_delete=models.PROTECT,
        related_name="api_client",
        verbose_name=_("service account"),
    )
    key_prefix = models.CharField(
        _("key prefix"),
        max_length=16,
        unique=True,
        help_text=_("The start of the key, to recognise it; not a secret."),
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revocation_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["participant__code", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"),
                name="api_client_key_hash_is_sha256_hex",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="api_client_has_a_name"),
            # Revoked means all three: when, by whom (unless that account was since deleted)
            # and why; an active client has none of them.
            models.CheckConstraint(
                condition=(
                    Q(revoked_at__isnull=True)
                    & Q(revoked_by__isnull=True)
                    & Q(revocation_reason="")
                )
                | (Q(revoked_at__isnull=False) & ~Q(revocation_reason="")),
                name="api_client_revocation_complete",
            ),
            # Two live clients of one participant with one name could not be told apart.
            models.UniqueConstraint(
                fields=["participant", "name"],
                condition=Q(revoked_at__isnull=True),
                name="api_client_unique_live_name_per_participant",
                violation_error_message=_(
                    "This participant already has an active API client of that name."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
