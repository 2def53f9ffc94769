"""Pages for API clients: list, create (the key shown once), details and revoke.

The secretariat sees every participant's clients and creates them for any participant; an
authority sees and manages its own participant's only (another participant's client is "not
found"); everyone else is refused. The key appears in exactly one answer: the one to the
creating POST, marked not to be stored by the browser. Nothing else can show it again: only
its hash is kept.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views import View

from kpcs.accounts import api_clients
from kpcs.accounts.models import ApiClient
from kpcs.participants.models import Participant


class ApiClientForm(forms.Form):
    participant = forms.ModelChoiceField(
        label=_("Participant"),
        queryset=Participant.objects.none(),
        empty_label=_("Choose the participant"),
        help_text=_("The client can read and write this participant's data only."),
        error_messages={
            "required": _("Choose the participant the client acts for."),
            "invalid_choice": _("You may not create API clients for that participant."),
        },
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=api_clients.NAME_MAX_LENGTH,
        help_text=_("What the client is, e.g. “Customs system”: shown in lists and the audit log."),
        error_messages={
            "required": _("Give the client a name, e.g. “Customs system”."),
            "max_length": _("The name may have at most %(limit_value)d characters."),
        },
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = api_clients.participants_for_new_client(user)
        field = self.fields["participant"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = choices
        if not user.is_secretariat:
            # An authority creates clients for its own participant only: no choice to make.
            field.initial = user.participant_id
            field.widget = forms.HiddenInput()
        self.fields["name"].widget.attrs.update({"autocomplete": "off", "autofocus": True})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # A hidden field's errors would not be shown beside it: show them above the form.
        if self.fields["participant"].widget.is_hidden and "participant" in self.errors:
            self.add_error(None, self.errors.pop("participant"))
        return cleaned


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=api_clients.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the audit log, e.g. “system replaced” or “key exposed”."),
        error_messages={
            "required": _("Say why the key is revoked, e.g. “system replaced”."),
            "max_length": _("The reason may have at most %(limit_value)d characters."),
        },
    )


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ApiClientAccessMixin(AccessMixin):
    """Anonymous visitors go to the log-in page; users who manage no clients get 403."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not api_clients.can_manage_api_clients(request.user):
            raise PermissionDenied(
                _("Only the secretariat and participant authorities manage API clients.")
            )
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class ApiClientListView(ApiClientAccessMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        clients = api_clients.api_clients_visible_to(request.user).order_by(
            "revoked_at", "participant__code", "name", "pk"
        )
        return render(
            request,
            "accounts/api_clients/list.html",
            {"clients": clients, "show_participant": request.user.is_secretariat},  # type: ignore[union-attr]
        )


class ApiClientCreateView(ApiClientAccessMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self._form_page(request, ApiClientForm(user=request.user))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ApiClientForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                client, key = api_clients.api_client_create(
                    participant=form.cleaned_data["participant"],
                    name=form.cleaned_data["name"],
                    actor=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                # The only answer that ever carries the key: not to be cached or stored.
                response = render(
                    request, "accounts/api_clients/created.html", {"client": client, "key": key}
                )
                add_never_cache_headers(response)
                response["Cache-Control"] += ", no-store"
                return response
        return self._form_page(request, form, status=400)

    def _form_page(
        self, request: HttpRequest, form: ApiClientForm, status: int = 200
    ) -> HttpResponse:
        return render(request, "accounts/api_clients/create.html", {"form": form}, status=status)


class ApiClientDetailView(ApiClientAccessMixin, View):
    """The client's record and, while it is active, the form to revoke it."""

    def _client(self, request: HttpRequest, pk: int) -> ApiClient:
        return get_object_or_404(api_clients.api_clients_visible_to(request.user), pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        client = self._client(request, pk)
        return self._page(request, client, RevokeForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        client = self._client(request, pk)
        form = RevokeForm(request.POST)
        if form.is_valid():
            try:
                api_clients.api_client_revoke(
                    client=client,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("“%(name)s” is revoked: its key no longer works.") % {"name": client.name},
                )
                return redirect("api_clients:list")
        return self._page(request, client, form, status=400)

    def _page(
        self, request: HttpRequest, client: ApiClient, form: RevokeForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "accounts/api_clients/detail.html",
            {"client": client, "form": form},
            status=status,
        )
