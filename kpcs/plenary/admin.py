"""The admin is for reference only (DESIGN.md §5): meetings and documents are written through
the secretariat's pages and API (audited services), so here they are read-only, with a tab per
language (modeltranslation) to compare the versions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin

from kpcs.plenary.models import AgendaItem, Document, Meeting


class ReadOnlyTranslationAdmin(TabbedTranslationAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyTranslationAdmin):
    list_display = ("code", "title", "kind", "start_date", "end_date", "venue")
    list_filter = ("kind",)
    search_fields = ("code", "title_en")


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyTranslationAdmin):
    list_display = ("meeting", "number", "title")
    list_select_related = ("meeting",)


@admin.register(Document)
class DocumentAdmin(ReadOnlyTranslationAdmin):
    list_display = ("symbol", "kind", "date", "distribution", "status", "advance_release")
    list_filter = ("kind", "status", "distribution")
    search_fields = ("symbol", "title_en")
    date_hierarchy = "date"
