"""Two-factor authentication: an authenticator app (TOTP, django-otp) plus single-use backup
codes. Required for secretariat (and admin-site) accounts, offered to everyone else.

Plain functions; the log-in views (login_views.py) and the account security page
(security_views.py) call them. Enrolment, backup-code regeneration and disabling are
recorded in the audit trail against the user, without any secret.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import segno
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kpcs.accounts.models import Role, User
from kpcs.common import audit

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
BACKUP_NAME = "backup codes"


def two_factor_required(user: User) -> bool:
    """Secretariat accounts, and anyone who may use the admin site, must use a second
    factor; everyone else may."""
    return user.role == Role.SECRETARIAT or user.is_staff or user.is_superuser


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _state(user: User) -> dict[str, str]:
    # What the audit trail records: on/off and when codes were made, never a secret.
    device = StaticDevice.objects.filter(user=user, name=BACKUP_NAME).first()
    return {
        "two_factor": "authenticator app" if has_two_factor(user) else "off",
        "backup_codes": f"{backup_codes_left(user)} codes" if device else "none",
    }


def start_enrolment(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator for the user to scan; the same one while it stays
    unconfirmed, so reloading the page does not change the QR code under the user."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code in a data: URI (the Content Security Policy
    allows data: images, and no inline script or style is needed)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=4, light="#fff"))


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32 in groups of four, for apps where the QR code cannot be scanned."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def verify_enrolment_code(*, device: TOTPDevice, code: str) -> bool:
    code = _normalise(code)
    if not code.isdigit():
        return False
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        ok = bool(locked.verify_token(code))
    device.refresh_from_db()
    return ok


@transaction.atomic
def confirm_enrolment(*, user: User, device: TOTPDevice, actor: Any) -> list[str]:
    """Make the scanned authenticator the user's one authenticator, and issue new backup
    codes (returned once, to be shown once)."""
    before = _state(user)
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_backup_codes(user=user)
    audit.record_update(
        actor=actor,
        instance=user,
        before=before,
        after=_state(user),
        reason="Two-factor authentication enabled",
    )
    return codes


def _new_backup_codes(*, user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes: list[str] = []
    while len(codes) < BACKUP_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def regenerate_backup_codes(*, user: User, actor: Any) -> list[str]:
    """New backup codes; the old ones stop working at once."""
    if not has_two_factor(user):
        raise ValueError("Two-factor authentication is not enabled for this account.")
    before = _state(user)
    before["backup_codes_made"] = "earlier"
    codes = _new_backup_codes(user=user)
    audit.record_update(
        actor=actor,
        instance=user,
        before=before,
        after={**_state(user), "backup_codes_made": timezone.now().isoformat(timespec="seconds")},
        reason="Two-factor backup codes regenerated",
    )
    return codes


@transaction.atomic
def disable_two_factor(*, user: User, actor: Any) -> None:
    """Remove the authenticator and the backup codes. Refused where the second factor is
    required (secretariat and admin-site accounts)."""
    if two_factor_required(user):
        raise PermissionDenied(_("Two-factor authentication is required for this account."))
    _remove_devices(user=user, actor=actor, reason="Two-factor authentication disabled")


@transaction.atomic
def reset_two_factor(*, user: User, actor: Any) -> None:
    """The secretariat's remedy for a lost phone: remove the user's authenticator and backup
    codes. Where the second factor is required, the next log-in sets up a new one."""
    _remove_devices(
        user=user,
        actor=actor,
        reason="Two-factor authentication reset by the secretariat (lost device)",
    )


def _remove_devices(*, user: User, actor: Any, reason: str) -> None:
    before = _state(user)
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).delete()
    audit.record_update(
        actor=actor, instance=user, before=before, after=_state(user), reason=reason
    )


def verify_code(*, user: User, code: str) -> Device | None:
    """The confirmed device (authenticator or backup codes) that accepts the code, or None.
    A backup code is used up by its first use; an authenticator code cannot be replayed."""
    code = _normalise(code)
    if not code or len(code) > 16:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, TOTPDevice) and not code.isdigit():
                continue
            if device.verify_token(code):
                return device
    return None


def is_throttled(user: User) -> bool:
    """django-otp slows down repeated wrong codes per device (1, 2, 4... seconds)."""
    return any(not device.verify_is_allowed()[0] for device in devices_for_user(user))
