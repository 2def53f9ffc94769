"""Forms of the annual report pages: the secretariat's list filters, the participant's report
(sections, enforcement figures, the document, the "no change" marks), the assessment, the
return for correction, and the years to compare. They check the input; the services
(kpcs.reviews.services.annual_reports) check it again and decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kpcs.common.uploads import REPORT_KINDS, check_document
from kpcs.reviews.models import AnnualReport
from kpcs.reviews.selectors import annual_reports as ar
from kpcs.reviews.services.annual_reports import (
    MAX_COUNT,
    MAX_SECTION_CHARS,
    MAX_SEIZED_CARATS,
)

Section = AnnualReport.Section


def _year_choices() -> list[tuple[int, str]]:
    return [(year, str(year)) for year in ar.reportable_years()]


def _year_message() -> str:
    return gettext(
        "“%(value)s” is not a year with annual reports: choose one from %(first)s to %(last)s."
    ) % {"value": "%(value)s", "first": ar.FIRST_YEAR, "last": ar.last_complete_year()}


class AnnualReportFilterForm(forms.Form):
    """The secretariat's list: which year, whom to expect, which status."""

    year = forms.TypedChoiceField(label=_("Year reported on"), coerce=int, required=False)
    scope = forms.ChoiceField(
        label=_("Participants"),
        required=False,
        choices=[
            (ar.SCOPE_GOOD, _("in good standing at the end of the year")),
            (ar.SCOPE_ALL, _("all participants of that year")),
        ],
        error_messages={
            "invalid_choice": _("“%(value)s” is not a choice: use good or all."),
        },
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("any")),
            *ar.STATUS_CHOICES,
            (ar.MISSING, _("missing after the deadline")),
        ],
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not a status: use not_started, draft, submitted, assessed or "
                "missing."
            ),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = self.fields["year"]
        year.choices = _year_choices()  # type: ignore[attr-defined]
        year.error_messages["invalid_choice"] = _year_message()
        year.initial = ar.last_complete_year()

    def filters(self) -> dict[str, Any]:
        """The filters to apply: the valid ones, with the defaults."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "year": data.get("year") or ar.last_complete_year(),
            "scope": data.get("scope") or ar.SCOPE_GOOD,
            "status": data.get("status") or "",
        }


def _normalise(text: Any) -> str:
    return str(text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


class AnnualReportForm(forms.Form):
    """The participant's report. Each carried section has a "no change" button (a submit
    button named `action` with the value `unchanged:<section>`); the sections already marked
    travel in a hidden field and stay marked while their text equals last year's."""

    unchanged_sections = forms.MultipleChoiceField(
        required=False,
        choices=[(s, Section(s).label) for s in ar.CARRIED_SECTIONS],
        widget=forms.MultipleHiddenInput,
    )
    enforcement_cases = forms.IntegerField(
        label=_("Infringement cases"),
        required=False,
        min_value=0,
        max_value=MAX_COUNT,
        help_text=_("Cases of infringement of the KPCS rules opened in the year (0 if none)."),
        error_messages={
            "min_value": _("Infringement cases cannot be negative; give 0 if there were none."),
            "max_value": _("%(limit_value)s infringement cases at most: check the number."),
            "invalid": _("Give the number of infringement cases as a whole number."),
        },
        widget=forms.NumberInput(attrs={"class": "short", "min": 0}),
    )
    seizures = forms.IntegerField(
        label=_("Seizures"),
        required=False,
        min_value=0,
        max_value=MAX_COUNT,
        help_text=_("Seizures of rough diamonds in the year (0 if none)."),
        error_messages={
            "min_value": _("Seizures cannot be negative; give 0 if there were none."),
            "max_value": _("%(limit_value)s seizures at most: check the number."),
            "invalid": _("Give the number of seizures as a whole number."),
        },
        widget=forms.NumberInput(attrs={"class": "short", "min": 0}),
    )
    seized_carats = forms.DecimalField(
        label=_("Carats seized"),
        required=False,
        min_value=Decimal(0),
        max_value=MAX_SEIZED_CARATS,
        max_digits=14,
        decimal_places=2,
        error_messages={
            "min_value": _("Carats seized cannot be negative; give 0 if nothing was seized."),
            "max_value": _(
                "More than %(limit_value)s carats seized is not plausible: check the figure."
            ),
            "invalid": _("Give the carats seized as a number, e.g. 1250.50."),
            "max_decimal_places": _("Carats seized have at most two decimals."),
        },
        widget=forms.NumberInput(attrs={"step": "0.01", "min": 0}),
    )
    penalties = forms.CharField(
        label=_("Penalties imposed"),
        required=False,
        max_length=MAX_SECTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    document = forms.FileField(
        label=_("Report document"),
        required=False,
        help_text=_("The report as a file: PDF, Word or OpenDocument text, at most %(mb)s MB."),
    )

    def __init__(self, *args: Any, previous: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.previous = previous or {}
        for section in reversed(ar.SECTIONS):
            field = forms.CharField(
                label=Section(section).label,
                required=False,
                max_length=MAX_SECTION_CHARS,
                widget=forms.Textarea(attrs={"rows": 6}),
            )
            # Sections first, in the template's order.
            self.fields = {section: field, **self.fields}
        self.fields["document"].help_text = str(self.fields["document"].help_text) % {
            "mb": settings.REVIEW_UPLOAD_MAX_MB
        }
        self.fields["document"].widget.attrs["accept"] = ".pdf,.doc,.docx,.odt"

    def clean_document(self) -> Any:
        upload = self.cleaned_data.get("document")
        if upload:
            try:
                check_document(
                    upload,
                    kinds=REPORT_KINDS,
                    max_bytes=int(settings.REVIEW_UPLOAD_MAX_MB) * 1024 * 1024,
                )
            except ValidationError as exc:
                raise ValidationError(exc.messages) from exc
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        carats, seizures = data.get("seized_carats"), data.get("seizures")
        if carats and seizures == 0:
            self.add_error(
                "seized_carats",
                gettext(
                    "%(carats)s carats seized, but no seizure is recorded: give the number of "
                    "seizures, or 0 carats."
                )
                % {"carats": carats},
            )
        return data

    def section_fields(self) -> list[dict[str, Any]]:
        """Each section with its field, last year's text and whether it is marked."""
        marked = set(self.marked())
        return [
            {
                "name": section,
                "field": self[section],
                "previous": self.previous.get(section, ""),
                "carried": section in ar.CARRIED_SECTIONS,
                "marked": section in marked,
            }
            for section in ar.SECTIONS
        ]

    def marked(self) -> list[str]:
        """The sections shown as "no change": from the submitted marks (or the report's)."""
        if self.is_bound:
            getlist = getattr(self.data, "getlist", None)
            values = getlist("unchanged_sections") if getlist else []
            return [s for s in values if s in ar.CARRIED_SECTIONS]
        return list(self.initial.get("unchanged_sections") or [])

    def values(self) -> dict[str, Any]:
        names = (*ar.SECTIONS, "penalties", "enforcement_cases", "seizures", "seized_carats")
        return {name: self.cleaned_data.get(name) for name in names}

    def declared_unchanged(self, carry: str | None = None) -> list[str]:
        """The sections to keep marked: those marked whose text still equals last year's,
        and the one whose "no change" button was pressed."""
        kept = [
            s
            for s in self.cleaned_data.get("unchanged_sections") or []
            if _normalise(self.cleaned_data.get(s)) == _normalise(self.previous.get(s))
        ]
        if carry and carry not in kept:
            kept.append(carry)
        return kept


class AssessmentForm(forms.Form):
    assessment = forms.CharField(
        label=_("Working group's assessment"),
        max_length=MAX_SECTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write the working group's assessment.")},
    )
    feedback = forms.CharField(
        label=_("Feedback to the participant"),
        required=False,
        max_length=MAX_SECTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReturnForm(forms.Form):
    feedback = forms.CharField(
        label=_("What to correct"),
        max_length=MAX_SECTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what the participant should correct.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "return")
        super().__init__(*args, **kwargs)


def parse_years(value: str) -> tuple[int, int]:
    """Two different report years from "2024,2025" (in any order); ValueError with a message
    saying what is wrong."""
    parts = [p.strip() for p in value.split(",") if p.strip()]
    message = gettext(
        "years must be two different years from %(first)s to %(last)s separated by a comma, "
        "e.g. %(example)s; “%(value)s” is not."
    ) % {
        "first": ar.FIRST_YEAR,
        "last": ar.last_complete_year(),
        "example": f"{ar.last_complete_year() - 1},{ar.last_complete_year()}",
        "value": value[:40],
    }
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 4 for p in parts):
        raise ValueError(message)
    first, second = sorted(int(p) for p in parts)
    if first == second or not (ar.is_reportable_year(first) and ar.is_reportable_year(second)):
        raise ValueError(message)
    return first, second
