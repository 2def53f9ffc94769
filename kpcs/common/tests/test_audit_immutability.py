"""Audit entries cannot be edited or deleted from the application: the database refuses
every UPDATE and DELETE of an entry (a trigger), the admin has no page for them, the audit
log answers only GET, and no official record can be deleted in the admin."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from kpcs.accounts.tests.factories import UserFactory
from kpcs.common import audit
from kpcs.common.audit_registry import AUDITED
from kpcs.common.models import AuditEntry
from kpcs.participants.tests.factories import CountryFactory, ObserverFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry() -> AuditEntry:
    return audit.record_create(actor=None, instance=ObserverFactory(), reason="as written")


def test_the_database_refuses_to_update_an_entry(entry) -> None:
    with pytest.raises(IntegrityError, match="cannot be changed or deleted"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    entry.refresh_from_db()
    assert entry.reason == "as written"


def test_saving_a_changed_entry_is_refused(entry) -> None:
    entry.reason = "rewritten"
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).reason == "as written"


def test_the_database_refuses_to_delete_an_entry(entry) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_emptying_the_tables_between_tests_still_works() -> None:
    """pytest-django's flush uses TRUNCATE, a statement the row trigger leaves alone: this
    test's teardown would fail otherwise."""
    audit.record_create(actor=None, instance=ObserverFactory())
    assert AuditEntry.objects.exists()


def test_the_admin_has_no_page_for_audit_entries() -> None:
    assert AuditEntry not in admin.site._registry
    with pytest.raises(NoReverseMatch):
        reverse("admin:common_auditentry_change", args=[1])


def test_the_secretariat_cannot_post_to_the_audit_log(client, entry) -> None:
    client.force_login(UserFactory(role="secretariat"))
    url = reverse("secretariat:audit-log")
    for method in (client.post, client.put, client.patch, client.delete):
        assert method(url, {"reason": "rewritten"}).status_code == 405
    assert AuditEntry.objects.get(pk=entry.pk).reason == "as written"


def test_a_user_named_in_the_trail_cannot_be_deleted(entry) -> None:
    user = UserFactory(role="secretariat")
    audit.record_create(actor=user, instance=ObserverFactory())
    with pytest.raises(ProtectedError):
        user.delete()


def test_no_official_record_can_be_deleted_in_the_admin() -> None:
    request = RequestFactory().get("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    registered = {
        f"{model._meta.app_label}.{model._meta.object_name}": model_admin
        for model, model_admin in admin.site._registry.items()
    }
    official = sorted(label for label in registered if label in AUDITED)
    assert "accounts.User" in official and "participants.Country" in official
    deletable = [label for label in official if registered[label].has_delete_permission(request)]
    assert not deletable, f"{deletable} can be deleted in the admin"


def test_changes_made_in_the_admin_are_recorded_in_the_trail() -> None:
    request = RequestFactory().post("/")
    request.user = UserFactory(is_superuser=True, is_staff=True, username="admin")
    country = CountryFactory(name="Oldname")
    country.name = "Newname"
    admin.site._registry[type(country)].save_model(request, country, None, True)
    entry = audit.entries_for(country).get()
    assert entry.actor_name == "admin" and entry.reason == "changed in the admin"
    assert ["Oldname", "Newname"] in entry.changes.values()

    User = get_user_model()
    account = UserFactory(email="old@example.org")
    account.email = "new@example.org"
    admin.site._registry[User].save_model(request, account, None, True)
    assert audit.entries_for(account).get().changes["email"] == [
        "old@example.org",
        "new@example.org",
    ]
