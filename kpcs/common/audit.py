"""The audit trail: services call `record_*` inside their transaction.

Changes are stored as `{field: [before, after]}` with values as text, so an entry reads the
same years later whatever happened to the schema.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from kpcs.common.models import AuditEntry


def _value(instance: models.Model, field: models.Field) -> str | None:
    value = getattr(instance, field.attname)
    if value is None:
        return None
    return str(value)


# Never copied into the trail: secrets, and bookkeeping that changes on every log-in.
UNRECORDED_FIELDS = frozenset({"password", "last_login"})


def snapshot(instance: models.Model) -> dict[str, str | None]:
    """The concrete field values of an instance, as text (secrets left out)."""
    return {
        field.name: _value(instance, field)
        for field in instance._meta.concrete_fields
        if not field.primary_key and field.name not in UNRECORDED_FIELDS
    }


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _entry(
    *, actor: Any, instance: models.Model, action: str, changes: dict, reason: str = ""
) -> AuditEntry:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_name=user.get_username() if user else "system",
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        changes=changes,
        reason=reason[:500],
    )


def record_create(*, actor: Any, instance: models.Model, reason: str = "") -> AuditEntry:
    return _entry(
        actor=actor,
        instance=instance,
        action=AuditEntry.Action.CREATE,
        changes=_diff({}, snapshot(instance)),
        reason=reason,
    )


def record_update(
    *, actor: Any, instance: models.Model, before: dict[str, Any], reason: str = ""
) -> AuditEntry | None:
    """Record an update; returns None (and writes nothing) when nothing changed."""
    changes = _diff(before, snapshot(instance))
    if not changes:
        return None
    return _entry(
        actor=actor,
        instance=instance,
        action=AuditEntry.Action.UPDATE,
        changes=changes,
        reason=reason,
    )


def record_delete(*, actor: Any, instance: models.Model, reason: str = "") -> AuditEntry:
    return _entry(
        actor=actor,
        instance=instance,
        action=AuditEntry.Action.DELETE,
        changes=_diff(snapshot(instance), {}),
        reason=reason,
    )


def entries_for(instance: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
    ).select_related("actor")


def save_with_audit(
    *, instance: models.Model, actor: Any, values: dict[str, Any] | None = None, reason: str = ""
) -> models.Model:
    """Apply `values`, validate against the model (and so its constraints), save, and record
    the change in the trail. The caller owns the transaction."""
    creating = instance._state.adding
    before = {} if creating else snapshot(type(instance)._default_manager.get(pk=instance.pk))
    m2m: dict[str, Any] = {}
    for name, value in (values or {}).items():
        field = instance._meta.get_field(name)
        if field.many_to_many:
            m2m[name] = value
        else:
            setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    for name, value in m2m.items():
        getattr(instance, name).set(value)
    if creating:
        record_create(actor=actor, instance=instance, reason=reason)
    else:
        record_update(actor=actor, instance=instance, before=before, reason=reason)
    return instance


def delete_with_audit(*, instance: models.Model, actor: Any, reason: str = "") -> None:
    record_delete(actor=actor, instance=instance, reason=reason)
    instance.delete()
