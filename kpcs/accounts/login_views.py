"""The log-in in two steps.

Step 1 checks the username and password (django-axes counts failures and refuses locked-out
accounts). If the account has an authenticator, step 2 asks for a code (or a backup code);
a secretariat account without one must set one up first. Only then is the session logged
in, and marked verified for django-otp. Between the steps the session holds only the
pending user's id, for KPCS_TWO_FACTOR_PENDING_SECONDS: it is not logged in, so it reaches
no page and no API.
"""

from __future__ import annotations

import time
from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from kpcs.accounts import lockout, two_factor
from kpcs.accounts.forms import CodeForm, EnrolForm
from kpcs.accounts.models import User

PENDING_KEY = "kpcs_two_factor_pending"
NEW_CODES_KEY = "kpcs_two_factor_new_codes"


def _set_pending(request: HttpRequest, *, user: User, next_url: str, enrol: bool) -> None:
    # A new session key: whatever was planted in the session before step 1 is not trusted.
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "next": next_url,
        "enrol": enrol,
        "since": time.time(),
    }


def pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    """The user who passed step 1 in this session, if that was recently enough."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("since", 0)) > settings.KPCS_TWO_FACTOR_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user_id = pending.get("user_id")
    if not isinstance(user_id, int):
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None
    return user, pending


def _finish_login(request: HttpRequest, *, user: User, pending: dict, device: Any) -> None:
    request.session.pop(PENDING_KEY, None)
    auth_login(request, user, backend=pending["backend"])
    django_otp.login(request, device)


def _start_again(request: HttpRequest) -> HttpResponse:
    messages.warning(request, _("Your log-in took too long or was not started. Log in again."))
    return redirect("accounts:login")


@method_decorator(sensitive_post_parameters(), name="dispatch")
@method_decorator(never_cache, name="dispatch")
class LoginView(auth_views.LoginView):
    """Step 1: username and password."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        next_url = self.get_success_url()
        if two_factor.has_two_factor(user):
            _set_pending(self.request, user=user, next_url=next_url, enrol=False)
            return redirect("accounts:login_verify")
        if two_factor.two_factor_required(user):
            _set_pending(self.request, user=user, next_url=next_url, enrol=True)
            return redirect("accounts:login_enrol")
        auth_login(self.request, user)
        return HttpResponseRedirect(next_url)


def _safe_next(request: HttpRequest, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse(settings.LOGIN_REDIRECT_URL)


@method_decorator(sensitive_post_parameters(), name="dispatch")
@method_decorator(never_cache, name="dispatch")
class VerifyView(View):
    """Step 2: a code from the authenticator app, or a backup code. Wrong codes count
    towards the lock-out like wrong passwords."""

    template_name = "accounts/login_verify.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        found = pending_user(request)
        if found is None or found[1].get("enrol"):
            return _start_again(request)
        self.user, self.pending = found
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": CodeForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        username = self.user.get_username()
        if lockout.is_locked_out(request=request, username=username):
            request.session.pop(PENDING_KEY, None)
            return lockout.lockout_response(request, None, {"username": username})
        form = CodeForm(request.POST)
        if form.is_valid():
            device = two_factor.verify_code(user=self.user, code=form.cleaned_data["code"])
            if device is not None:
                _finish_login(request, user=self.user, pending=self.pending, device=device)
                return HttpResponseRedirect(_safe_next(request, self.pending.get("next", "")))
            lockout.record_failed_attempt(request=request, username=username)
            if getattr(request, "axes_locked_out", False):
                # That was the last try: the lock-out page answers (AxesMiddleware), and
                # the half-done log-in is forgotten.
                request.session.pop(PENDING_KEY, None)
            if two_factor.is_throttled(self.user):
                form.add_error(
                    "code",
                    _("That code is not valid. Wait a few seconds before trying again."),
                )
            else:
                form.add_error("code", _("That code is not valid, or it was used already."))
        return render(request, self.template_name, {"form": form}, status=200)


@method_decorator(sensitive_post_parameters(), name="dispatch")
@method_decorator(never_cache, name="dispatch")
class EnrolView(View):
    """A secretariat account without an authenticator sets one up before it is logged in."""

    template_name = "accounts/two_factor_enrol.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        found = pending_user(request)
        if found is None or not found[1].get("enrol"):
            return _start_again(request)
        self.user, self.pending = found
        self.device = two_factor.start_enrolment(user=self.user)
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request: HttpRequest, form: EnrolForm) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "qr_code": two_factor.qr_code_data_uri(self.device),
                "secret": two_factor.secret_for_typing(self.device),
                "during_login": True,
            },
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, EnrolForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        username = self.user.get_username()
        if lockout.is_locked_out(request=request, username=username):
            request.session.pop(PENDING_KEY, None)
            return lockout.lockout_response(request, None, {"username": username})
        form = EnrolForm(request.POST)
        if form.is_valid():
            if two_factor.verify_enrolment_code(device=self.device, code=form.cleaned_data["code"]):
                codes = two_factor.confirm_enrolment(
                    user=self.user, device=self.device, actor=self.user
                )
                _finish_login(request, user=self.user, pending=self.pending, device=self.device)
                request.session[NEW_CODES_KEY] = {
                    "codes": codes,
                    "next": _safe_next(request, self.pending.get("next", "")),
                }
                return redirect("accounts:backup_codes")
            lockout.record_failed_attempt(request=request, username=username)
            if getattr(request, "axes_locked_out", False):
                request.session.pop(PENDING_KEY, None)
            form.add_error("code", _("That code does not match. Check the app and try again."))
        return self._render(request, form)
