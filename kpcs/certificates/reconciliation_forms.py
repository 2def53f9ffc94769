"""The filters of the secretariat's reconciliation page (certificates against statistics)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpcs.statistics.secretariat_forms import (
    FIRST_YEAR,
    LAST_YEAR,
    YEAR_ERRORS,
    ParticipantCodeField,
)


class ReconciliationFilterForm(forms.Form):
    """`?year=&exporter=&importer=&gaps=1`; the current year when none is given."""

    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages=YEAR_ERRORS,
        widget=forms.NumberInput(attrs={"class": "short"}),
    )
    exporter = ParticipantCodeField(required=False, label=_("Exporter"))
    importer = ParticipantCodeField(required=False, label=_("Importer"))
    gaps = forms.BooleanField(required=False, label=_("Only gaps beyond tolerance"))

    def year_or_default(self) -> int:
        """The year asked for when it is valid (even if another filter is not), else this
        year."""
        if self.is_bound:
            self.is_valid()
            year = self.cleaned_data.get("year")
            if year:
                return int(year)
        return timezone.localdate().year
