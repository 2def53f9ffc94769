from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from kpcs.accounts.models import User
from kpcs.common.admin import AuditedSaveMixin


@admin.register(User)
class UserAdmin(AuditedSaveMixin, DjangoUserAdmin):
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

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        # An API client's service account is managed on the API clients pages: a password or
        # another role would break what the database guarantees about it
        # (user_api_client_has_no_password), so the admin shows it read-only.
        if obj is not None and obj.is_api_client:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        # Accounts are deactivated (is_active), never deleted: the audit trail names them.
        return False


# The admin site logs in through the site's own log-in (password, then the second factor
# and the lock-out rules), never through a form of its own; and it serves only sessions
# verified by a second factor (every admin-site account must have one).
def _admin_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    if request.user.is_authenticated:
        raise PermissionDenied(
            _(
                "The admin site needs a log-in with two-factor authentication. "
                "Log out and log in again."
            )
        )
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")


_default_has_permission = admin.site.has_permission


def _admin_has_permission(request: HttpRequest) -> bool:
    user = request.user
    return bool(_default_has_permission(request) and getattr(user, "is_verified", bool)())


admin.site.login = _admin_login  # type: ignore[method-assign]
admin.site.has_permission = _admin_has_permission  # type: ignore[method-assign]
