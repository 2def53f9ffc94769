"""The audit trail: services call `record_*` inside their transaction.

Changes are stored as `{field: [before, after]}` with values as text, so an entry reads the
same years later whatever happened to the schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models

from kpcs.common.models import AuditEntry

M = TypeVar("M", bound=models.Model)


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


def record_create(
    *, actor: Any, instance: models.Model, reason: str = "", after: dict[str, Any] | None = None
) -> AuditEntry:
    return _entry(
        actor=actor,
        instance=instance,
        action=AuditEntry.Action.CREATE,
        changes=_diff({}, snapshot(instance) if after is None else after),
        reason=reason,
    )


def record_update(
    *,
    actor: Any,
    instance: models.Model,
    before: dict[str, Any],
    reason: str = "",
    after: dict[str, Any] | None = None,
) -> AuditEntry | None:
    """Record an update; returns None (and writes nothing) when nothing changed. `after`
    defaults to the instance's snapshot."""
    changes = _diff(before, snapshot(instance) if after is None else after)
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


def record_many(
    *,
    actor: Any,
    action: str,
    changes_by_instance: Iterable[tuple[models.Model, dict[str, Any]]],
    reason: str = "",
) -> int:
    """One entry per instance, inserted in bulk: for services that write many rows in a few
    statements (imports, publication, the nightly expiry) and must still leave each row's
    history. `changes_by_instance` pairs each instance with its `{field: [before, after]}`.
    Returns the number of entries written."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    content_types: dict[type, ContentType] = {}
    entries = []
    for instance, changes in changes_by_instance:
        model = type(instance)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(
                instance, for_concrete_model=True
            )
        entries.append(
            AuditEntry(
                actor=user,
                actor_name=user.get_username() if user else "system",
                action=action,
                content_type=content_types[model],
                object_id=str(instance.pk),
                object_repr=str(instance)[:255],
                changes=changes,
                reason=reason[:500],
            )
        )
    AuditEntry.objects.bulk_create(entries, batch_size=2000)
    return len(entries)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """`{field: [before, after]}` for what differs: the shape of an entry's changes."""
    return _diff(before, after)


def links(instance: models.Model, names: Any) -> dict[str, str]:
    """Many-to-many links as text (the linked rows' names, sorted), to sit beside a snapshot."""
    return {
        name: "; ".join(sorted(str(obj) for obj in getattr(instance, name).all())) for name in names
    }


def entries_for(instance: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
    ).select_related("actor")


def save_with_audit(
    *,
    instance: M,
    actor: Any,
    values: dict[str, Any] | None = None,
    reason: str = "",
    validate: bool = True,
) -> M:
    """Apply `values`, validate against the model (and so its constraints), save, and record
    the change in the trail. The caller owns the transaction. Loaders of trusted files may
    skip model validation (`validate=False`); the database constraints still apply."""
    creating = instance._state.adding
    m2m = {
        name: value
        for name, value in (values or {}).items()
        if instance._meta.get_field(name).many_to_many
    }
    before: dict[str, Any] = {}
    if not creating:
        stored = type(instance)._default_manager.get(pk=instance.pk)
        before = snapshot(stored) | links(stored, m2m)
    for name, value in (values or {}).items():
        if name not in m2m:
            setattr(instance, name, value)
    if validate:
        instance.full_clean()
    instance.save()
    for name, value in m2m.items():
        getattr(instance, name).set(value)
    # Links are recorded too: changing which countries the EU covers is a change of record.
    after = snapshot(instance) | links(instance, m2m)
    if creating:
        record_create(actor=actor, instance=instance, reason=reason, after=after)
    else:
        record_update(actor=actor, instance=instance, before=before, reason=reason, after=after)
    return instance


def delete_with_audit(*, instance: models.Model, actor: Any, reason: str = "") -> None:
    record_delete(actor=actor, instance=instance, reason=reason)
    instance.delete()
