"""The audit trail records who changed what, when, with the values before and after."""

import pytest

from kpcs.accounts.tests.factories import UserFactory
from kpcs.common import audit
from kpcs.common.models import AuditEntry
from kpcs.participants.models import Observer
from kpcs.participants.tests.factories import ObserverFactory

pytestmark = pytest.mark.django_db


def test_creating_records_every_field_as_added() -> None:
    actor = UserFactory(username="sec")
    observer = audit.save_with_audit(
        instance=Observer(),
        actor=actor,
        values={"code": "NEW", "name_en": "New Observer", "kind": "industry"},
    )
    entry = audit.entries_for(observer).get()
    assert entry.action == "create"
    assert entry.actor == actor and entry.actor_name == "sec"
    assert entry.changes["code"] == [None, "NEW"]


def test_updating_records_only_what_changed_with_before_and_after() -> None:
    observer = ObserverFactory(code="ABC", kind="industry")
    audit.save_with_audit(
        instance=observer, actor=None, values={"kind": "civil_society"}, reason="correction"
    )
    entry = audit.entries_for(observer).get()
    assert entry.action == "update"
    assert entry.changes == {"kind": ["industry", "civil_society"]}
    assert entry.actor_name == "system"
    assert entry.reason == "correction"


def test_saving_without_a_change_writes_no_entry() -> None:
    observer = ObserverFactory()
    audit.save_with_audit(instance=observer, actor=None, values={"kind": observer.kind})
    assert not audit.entries_for(observer).exists()


def test_deleting_keeps_the_last_values_in_the_trail() -> None:
    observer = ObserverFactory(code="DEL")
    pk = observer.pk
    audit.delete_with_audit(instance=observer, actor=None, reason="duplicate")
    entry = AuditEntry.objects.get(object_id=str(pk), action="delete")
    assert entry.changes["code"] == ["DEL", None]
    assert entry.reason == "duplicate"


def test_passwords_never_reach_the_trail() -> None:
    user = UserFactory()
    audit.record_create(actor=None, instance=user)
    entry = audit.entries_for(user).get()
    assert "password" not in entry.changes
    assert "last_login" not in entry.changes


def test_invalid_values_are_refused_and_nothing_is_recorded() -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        audit.save_with_audit(
            instance=Observer(),
            actor=None,
            values={"code": "bad code!", "name_en": "X", "kind": "industry"},
        )
    assert not AuditEntry.objects.exists()


def test_audit_entries_cannot_be_changed_in_the_admin() -> None:
    from django.contrib import admin

    assert AuditEntry not in admin.site._registry or not admin.site._registry[
        AuditEntry
    ].has_change_permission(None)
