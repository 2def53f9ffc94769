"""The account security page (two-factor authentication for one's own account) and the
secretariat's page of log-in failures and lock-outs."""

from __future__ import annotations

from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from kpcs.accounts import lockout, two_factor
from kpcs.accounts.forms import ConfirmIdentityForm, EnrolForm
from kpcs.accounts.login_views import NEW_CODES_KEY
from kpcs.accounts.models import User
from kpcs.accounts.permissions import SecretariatRequiredMixin


@method_decorator(never_cache, name="dispatch")
class SecurityView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        return render(
            request,
            "accounts/security.html",
            {
                "enabled": two_factor.has_two_factor(user),  # type: ignore[arg-type]
                "required": two_factor.two_factor_required(user),  # type: ignore[arg-type]
                "codes_left": two_factor.backup_codes_left(user),  # type: ignore[arg-type]
            },
        )


@method_decorator(sensitive_post_parameters(), name="dispatch")
@method_decorator(never_cache, name="dispatch")
class EnableView(LoginRequiredMixin, View):
    """Set up an authenticator for one's own account (scan, confirm with a code)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if two_factor.has_two_factor(request.user):  # type: ignore[arg-type]
            messages.info(request, _("Two-factor authentication is already on."))
            return redirect("accounts:security")
        self.device = two_factor.start_enrolment(user=request.user)  # type: ignore[arg-type]
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request: HttpRequest, form: EnrolForm) -> HttpResponse:
        return render(
            request,
            "accounts/two_factor_enrol.html",
            {
                "form": form,
                "qr_code": two_factor.qr_code_data_uri(self.device),
                "secret": two_factor.secret_for_typing(self.device),
                "during_login": False,
            },
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, EnrolForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = EnrolForm(request.POST)
        if form.is_valid():
            if two_factor.verify_enrolment_code(device=self.device, code=form.cleaned_data["code"]):
                codes = two_factor.confirm_enrolment(
                    user=request.user,  # type: ignore[arg-type]
                    device=self.device,
                    actor=request.user,
                )
                django_otp.login(request, self.device)
                request.session[NEW_CODES_KEY] = {"codes": codes, "next": ""}
                return redirect("accounts:backup_codes")
            form.add_error("code", _("That code does not match. Check the app and try again."))
        return self._render(request, form)


@method_decorator(never_cache, name="dispatch")
class BackupCodesView(LoginRequiredMixin, View):
    """New backup codes, shown once: the page forgets them as it shows them."""

    def get(self, request: HttpRequest) -> HttpResponse:
        new = request.session.pop(NEW_CODES_KEY, None)
        if not new:
            messages.info(
                request,
                _("Backup codes are shown only once. Make new ones if you have lost them."),
            )
            return redirect("accounts:security")
        return render(
            request,
            "accounts/backup_codes.html",
            {"codes": new["codes"], "next": new.get("next") or ""},
        )


class _ConfirmedChangeView(LoginRequiredMixin, View):
    """A change to the second factor: needs the password or a current code, and a wrong
    one counts towards the log-in lock-out (it would otherwise be a guessing oracle)."""

    template_name = ""
    title = ""

    def confirmed(self, request: HttpRequest, form: ConfirmIdentityForm) -> bool:
        user = request.user
        username = user.get_username()
        if lockout.is_locked_out(request=request, username=username):
            return False
        secret = form.cleaned_data["secret"]
        if user.check_password(secret) or two_factor.verify_code(
            user=user,  # type: ignore[arg-type]
            code=secret,
        ):
            return True
        lockout.record_failed_attempt(request=request, username=username)
        return False

    def render_form(self, request: HttpRequest, form: ConfirmIdentityForm) -> HttpResponse:
        return render(request, self.template_name, {"form": form})

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_form(request, ConfirmIdentityForm())


@method_decorator(sensitive_post_parameters(), name="dispatch")
@method_decorator(never_cache, name="dispatch")
class DisableView(_ConfirmedChangeView):
    template_name = "accounts/two_factor_disable.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if two_factor.two_factor_required(request.user):  # type: ignore[arg-type]
            raise PermissionDenied(
                _("Two-factor authentication is required for secretariat accounts.")
            )
        if not two_factor.has_two_factor(request.user):  # type: ignore[arg-type]
            return redirect("accounts:security")
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ConfirmIdentityForm(request.POST)
        if form.is_valid():
            if self.confirmed(request, form):
                two_factor.disable_two_factor(user=request.user, actor=request.user)  # type: ignore[arg-type]
                messages.success(request, _("Two-factor authentication is off."))
                return redirect("accounts:security")
            form.add_error("secret", _("That is neither your password nor a valid code."))
        return self.render_form(request, form)


@method_decorator(sensitive_post_parameters(), name="dispatch")
@method_decorator(never_cache, name="dispatch")
class RegenerateBackupCodesView(_ConfirmedChangeView):
    template_name = "accounts/backup_codes_regenerate.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not two_factor.has_two_factor(request.user):  # type: ignore[arg-type]
            return redirect("accounts:security")
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ConfirmIdentityForm(request.POST)
        if form.is_valid():
            if self.confirmed(request, form):
                codes = two_factor.regenerate_backup_codes(
                    user=request.user,  # type: ignore[arg-type]
                    actor=request.user,
                )
                request.session[NEW_CODES_KEY] = {"codes": codes, "next": ""}
                return redirect("accounts:backup_codes")
            form.add_error("secret", _("That is neither your password nor a valid code."))
        return self.render_form(request, form)


@method_decorator(never_cache, name="dispatch")
class LockoutsView(SecretariatRequiredMixin, View):
    """Who is failing to log in, who is locked out, and a button to lift a lock-out."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "accounts/lockouts.html",
            {
                "accounts": lockout.current_lockouts(),
                "failures": lockout.recent_failures(),
                "pair_limit": settings.AXES_FAILURE_LIMIT,
                "username_limit": settings.KPCS_USERNAME_FAILURE_LIMIT,
                "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        username = request.POST.get("username", "").strip()
        if request.POST.get("action") == "reset-two-factor":
            user = User.objects.filter(username=username).first()
            if user is None:
                messages.error(
                    request, _("There is no account %(username)s.") % {"username": username}
                )
            else:
                two_factor.reset_two_factor(user=user, actor=request.user)
                messages.success(
                    request,
                    _(
                        "Two-factor authentication of %(username)s was reset: they set up a "
                        "new authenticator at their next log-in, if their account needs one."
                    )
                    % {"username": username},
                )
            return redirect("accounts:lockouts")
        if not username:
            messages.error(request, _("Choose an account to unlock."))
        else:
            lockout.unlock_username(username=username, actor=request.user)
            messages.success(request, _("%(username)s can log in again.") % {"username": username})
        return redirect("accounts:lockouts")
