"""The admin is for reference data only (DESIGN.md §5); the secretariat works in its own pages.
Changes made here bypass the services, so the admin is read-only for audited models, except
countries, whose edits it records in the audit trail itself; nothing is deleted here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin

from kpcs.common.admin import AuditedSaveMixin
from kpcs.participants.models import Country, Observer, Participant, WorkingBody


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditedAdmin(AuditedSaveMixin, admin.ModelAdmin):
    """Edits allowed, each recorded in the audit trail (the admin writes past the services);
    deleting is not: an official record is corrected, never removed."""

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Country)
class CountryAdmin(AuditedAdmin, TabbedTranslationAdmin):
    list_display = ("alpha3", "alpha2", "name", "is_eu_member")
    search_fields = ("alpha3", "alpha2", "name")
    list_filter = ("is_eu_member",)


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin, TabbedTranslationAdmin):
    list_display = ("code", "name", "kind", "admitted_on")
    search_fields = ("code", "name")
    list_filter = ("kind",)


@admin.register(Observer)
class ObserverAdmin(ReadOnlyAdmin, TabbedTranslationAdmin):
    list_display = ("code", "name", "kind", "since")


@admin.register(WorkingBody)
class WorkingBodyAdmin(ReadOnlyAdmin, TabbedTranslationAdmin):
    list_display = ("code", "name", "kind")
