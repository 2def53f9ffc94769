"""Links into the secretariat's audit log: one object's history, one user's changes."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from kpcs.common.models import AuditEntry

register = template.Library()

# The audit log's value for entries written by no user (imports, the nightly runs).
SYSTEM_ACTOR = "system"


def _log_url(**query: str) -> str:
    return f"{reverse('secretariat:audit-log')}?{urlencode(query)}"


@register.filter
def audit_history_url(instance: models.Model) -> str:
    """The audit log filtered to one record's history."""
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    return _log_url(
        record=f"{content_type.app_label}.{content_type.model}", object=str(instance.pk)
    )


@register.filter
def audit_entry_object_url(entry: AuditEntry) -> str:
    """The history of the object an entry is about."""
    content_type = entry.content_type
    return _log_url(record=f"{content_type.app_label}.{content_type.model}", object=entry.object_id)


@register.filter
def audit_entry_actor_url(entry: AuditEntry) -> str:
    """Every change made by the user who made this one (or by the system)."""
    return _log_url(user=str(entry.actor_id) if entry.actor_id else SYSTEM_ACTOR)
