from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from kpcs.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "role", "participant", "observer", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        # Optional on ModelAdmin in the stubs; Django's UserAdmin always sets it.
        *(DjangoUserAdmin.fieldsets or ()),
        ("KPCS", {"fields": ("role", "participant", "observer", "preferred_language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("KPCS", {"fields": ("role", "participant", "observer")}),
    )
