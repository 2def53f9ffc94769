"""API clients: machine keys scoped to one participant (services and selectors).

A key is `kpcs_<prefix>_<secret>`: the prefix (8 hex characters) is stored in clear to tell
keys apart on the list page; the whole key is stored only as its SHA-256. The key is returned
once, by `api_client_create`, and nowhere else: neither the key nor its hash goes into the
audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kpcs.accounts.models import ApiClient, Role, User
from kpcs.common import audit
from kpcs.participants.models import Participant

KEY_SCHEME = "kpcs"
# How stale `last_used_at` may get: the authentication writes it at most this often per client,
# so a busy client does not cost a database write per request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
NAME_MAX_LENGTH = ApiClient._meta.get_field("name").max_length or 100
REASON_MAX_LENGTH = 500

# Kept out of the trail: the hash is as good as a key to anyone comparing hashes, and the
# service account's id says nothing a reader of the trail needs.
_UNRECORDED = frozenset({"key_hash"})


def key_hash(key: str) -> str:
    """SHA-256 of the key, hex. Keys carry 256 random bits, so a fast hash is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(ApiClient.KEY_PREFIX_LENGTH // 2)
    return prefix, f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"


def _trail(client: ApiClient) -> dict[str, str | None]:
    return {k: v for k, v in audit.snapshot(client).items() if k not in _UNRECORDED}


# --- Who may do what ------------------------------------------------------------------------


def can_manage_api_clients(user: Any) -> bool:
    """The secretariat (any participant) and an authority (its own participant's); a machine
    client's own account never manages keys, not even its own."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_api_client", False):
        return False
    return bool(user.is_secretariat or (user.is_authority and user.participant_id))


def can_manage_for(user: Any, participant: Participant) -> bool:
    if not can_manage_api_clients(user):
        return False
    return bool(user.is_secretariat or user.participant_id == participant.pk)


# --- Selectors ------------------------------------------------------------------------------


def api_clients_visible_to(user: Any) -> QuerySet[ApiClient]:
    """The clients a user may see: all for the secretariat, its own participant's for an
    authority, none for anyone else."""
    clients = ApiClient.objects.select_related("participant", "created_by", "revoked_by")
    if not can_manage_api_clients(user):
        return clients.none()
    if user.is_secretariat:
        return clients
    return clients.filter(participant_id=user.participant_id)


def api_client_for_key(key: str) -> ApiClient | None:
    """The client holding this key, revoked or not (None for an unknown key)."""
    if not key.startswith(f"{KEY_SCHEME}_") or len(key) > 200:
        return None
    return (
        ApiClient.objects.select_related("user", "participant")
        .filter(key_hash=key_hash(key))
        .first()
    )


def participants_for_new_client(user: Any) -> QuerySet[Participant]:
    """Whom the user may create a client for."""
    if not can_manage_api_clients(user):
        return Participant.objects.none()
    if user.is_secretariat:
        return Participant.objects.order_by("code")
    return Participant.objects.filter(pk=user.participant_id)


# --- Services -------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": [_("Give the client a name, e.g. “Customs system”.")]})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {
                "name": [
                    _("The name is %(length)s characters long; at most %(max)s are allowed.")
                    % {"length": len(name), "max": NAME_MAX_LENGTH}
                ]
            }
        )
    return name


def _service_username(participant: Participant, prefix: str) -> str:
    return f"api-{participant.code.lower()}-{prefix}"


@transaction.atomic
def api_client_create(
    *, participant: Participant, name: str, actor: User | None
) -> tuple[ApiClient, str]:
    """A new client for `participant` and its key. The key is returned here only: store it in
    the client system now. `actor` None means the command line (no person to check)."""
    if actor is not None and not can_manage_for(actor, participant):
        raise PermissionDenied(_("You may not create API clients for this participant."))
    name = _clean_name(name)
    if ApiClient.objects.filter(
        participant=participant, name__iexact=name, revoked_at__isnull=True
    ).exists():
        raise ValidationError(
            {
                "name": [
                    _(
                        "%(participant)s already has an active API client called “%(name)s”: "
                        "choose another name, or revoke that one first."
                    )
                    % {"participant": participant.code, "name": name}
                ]
            }
        )
    for _attempt in range(5):
        prefix, key = _new_key()
        if not ApiClient.objects.filter(key_prefix=prefix).exists():
            break
    else:  # pragma: no cover - 32-bit prefixes colliding five times in a row
        raise RuntimeError("Could not draw an unused API key prefix.")
    user = User(
        username=_service_username(participant, prefix),
        role=Role.AUTHORITY,
        participant=participant,
        first_name=name[:150],
        is_api_client=True,
    )
    user.set_unusable_password()
    user.save()
    try:
        with transaction.atomic():
            client = ApiClient.objects.create(
                name=name,
                participant=participant,
                user=user,
                key_prefix=prefix,
                key_hash=key_hash(key),
                created_by=actor,
            )
    except IntegrityError as exc:  # a concurrent request took the name between check and save
        raise ValidationError(
            {"name": [_("This participant already has an active API client of that name.")]}
        ) from exc
    audit.record_create(actor=actor, instance=client, after=_trail(client))
    return client, key


@transaction.atomic
def api_client_revoke(*, client: ApiClient, reason: str, actor: User | None) -> ApiClient:
    """The key stops working at once (the next request is refused). The client's account is
    deactivated too, but kept: records it created still name it."""
    if actor is not None and not can_manage_for(actor, client.participant):
        raise PermissionDenied(_("You may not revoke this API client."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            {"reason": [_("Say why the key is revoked, e.g. “system replaced”.")]}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": [
                    _("The reason is %(length)s characters long; at most %(max)s are allowed.")
                    % {"length": len(reason), "max": REASON_MAX_LENGTH}
                ]
            }
        )
    client = ApiClient.objects.select_for_update().select_related("participant").get(pk=client.pk)
    if client.is_revoked:
        raise ValidationError(
            _("This API client was already revoked on %(date)s.")
            % {"date": timezone.localtime(client.revoked_at).strftime("%Y-%m-%d %H:%M")}
        )
    before = _trail(client)
    client.revoked_at = timezone.now()
    client.revoked_by = actor
    client.revocation_reason = reason
    client.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    User.objects.filter(pk=client.user_id).update(is_active=False)
    audit.record_update(
        actor=actor, instance=client, before=before, after=_trail(client), reason=reason
    )
    return client


def api_client_touch(*, client: ApiClient, now: dt.datetime | None = None) -> None:
    """Note that the client was used, at most once per LAST_USED_RESOLUTION (one conditional
    UPDATE, which also settles concurrent requests)."""
    now = now or timezone.now()
    last = client.last_used_at
    if last is not None and now - last < LAST_USED_RESOLUTION:
        return
    ApiClient.objects.filter(pk=client.pk).exclude(
        last_used_at__gt=now - LAST_USED_RESOLUTION
    ).update(last_used_at=now)
    client.last_used_at = now
