from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from kpcs.participants.models import Participant

STANDING_CHOICES = [
    ("", _("any standing")),
    ("good", _("in good standing")),
    ("not_good", _("not in good standing")),
]


class ParticipantFilterForm(forms.Form):
    """The query string of the participant list; bad values are reported, never a 500."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("all kinds")), *Participant.Kind.choices]
    )
    standing = forms.ChoiceField(label=_("Standing"), required=False, choices=STANDING_CHOICES)
    date = forms.DateField(
        label=_("On date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Standing as it was on this date (default: today)"),
    )

    def clean_date(self) -> dt.date | None:
        value = self.cleaned_data.get("date")
        if value and value.year < 2000:
            raise forms.ValidationError(_("The Kimberley Process started in 2003."))
        return value
