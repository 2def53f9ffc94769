"""What every admin page that may change official data shares."""

from __future__ import annotations

from typing import Any

from kpcs.common.audit import record_create, record_update, snapshot


class AuditedSaveMixin:
    """The admin writes past the services, so it records its creates and edits in the audit
    trail itself. Mixed in before a ModelAdmin class."""

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        if before is None:
            record_create(actor=request.user, instance=obj, reason="created in the admin")
        else:
            record_update(
                actor=request.user, instance=obj, before=before, reason="changed in the admin"
            )
