"""Who may do what: one place for the role rules, used by views and API views alike."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import AccessMixin
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


def is_secretariat(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_secretariat", False))


class SecretariatRequiredMixin(AccessMixin):
    """Anonymous visitors go to the log-in page; other roles get 403."""

    raise_exception = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_secretariat(request.user):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class IsSecretariat(BasePermission):
    message = _("Only the KP secretariat may do this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_secretariat(request.user)
