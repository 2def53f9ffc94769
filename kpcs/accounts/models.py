"""People who log in, the role they have, and what they act for."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
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
