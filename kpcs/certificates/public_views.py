"""The public verification page (no login): participant and certificate number (and,
optionally, carats) → where the certificate stands, in plain words, nothing commercial.

The query string is the check (`?participant=BWA&number=BW123456`), so a check can be linked
to and repeated. Checks count against the same per-address limit as the API; beyond it the
page says when to try again (429), it does not fail.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kpcs.certificates import selectors, verification
from kpcs.participants.selectors import participant_list


class VerifyForm(forms.Form):
    participant = forms.ChoiceField(
        label=_("Issuing participant"),
        help_text=_("The participant whose authority issued the certificate."),
        error_messages={
            "required": verification.PARTICIPANT_MESSAGE,
            "invalid_choice": _("Choose the issuing participant from the list."),
        },
    )
    number = forms.CharField(
        label=_("Certificate number"),
        max_length=40,
        help_text=_("As printed on the certificate, for example BW123456."),
        error_messages={
            "required": verification.NUMBER_MISSING_MESSAGE,
            "max_length": verification.NUMBER_MESSAGE,
        },
    )
    carats = forms.CharField(
        label=_("Carats (optional)"),
        required=False,
        max_length=20,
        help_text=_(
            "The carats on the certificate, for example 1250.50: a certificate for other "
            "carats is reported as not known."
        ),
        error_messages={"max_length": verification.CARATS_MESSAGE},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.participant_names = {p.code: f"{p.name} ({p.code})" for p in participant_list()}
        choices = [("", "—"), *self.participant_names.items()]
        self.fields["participant"].choices = choices  # type: ignore[attr-defined]
        self.fields["carats"].widget.attrs["inputmode"] = "decimal"

    def clean_participant(self) -> str:
        return _clean(verification.clean_participant, self.cleaned_data["participant"])

    def clean_number(self) -> str:
        return _clean(verification.clean_number, self.cleaned_data["number"])

    def clean_carats(self) -> Any:
        return _clean(verification.clean_carats, self.cleaned_data["carats"])


def _clean(clean: Any, value: str) -> Any:
    try:
        return clean(value)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None


def verify(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "answer": None, "retry_after": None}
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        data = form.cleaned_data
        # The API's throttle, so that both count in one bucket per address; it reads only
        # request.META, which a plain Django request has too.
        throttle = verification.CertificateVerifyThrottle()
        if throttle.allow_request(request, None):  # type: ignore[arg-type]
            answer = selectors.certificate_status_public(
                participant_code=data["participant"],
                number=data["number"],
                carats=data["carats"],
            )
            query = {"participant": data["participant"], "number": data["number"]}
            if data["carats"] is not None:
                query["carats"] = str(data["carats"])
            context.update(
                answer=answer,
                message=verification.ANSWERS[answer],
                checked=data,
                participant_name=form.participant_names[data["participant"]],
                api_url=reverse("api:public-certificate-verify") + "?" + urlencode(query),
            )
        else:
            status = 429
            context["retry_after"] = math.ceil(throttle.wait() or 60)
    response = render(request, "certificates/public/verify.html", context, status=status)
    if context["retry_after"]:
        response["Retry-After"] = str(context["retry_after"])
    return response
