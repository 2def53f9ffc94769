"""Forms of the log-in's second step and of the account security page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """Step 2 of the log-in: a code from the authenticator app, or a backup code."""

    code = forms.CharField(
        label=_("Authentication code"),
        max_length=24,
        help_text=_(
            "The 6-digit code your authenticator app shows now, or one of your backup codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class EnrolForm(forms.Form):
    """Confirming a newly scanned authenticator with the code it shows."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=12,
        help_text=_("Type the 6-digit code the app shows for this account."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ConfirmIdentityForm(forms.Form):
    """Before changing the second factor: the password, or a current code."""

    secret = forms.CharField(
        label=_("Your password, or a code from your authenticator app"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
