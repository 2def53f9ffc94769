"""Forms of the secretariat's statistics pages. They check what a person can correct, with a
message in their language; the services check the workflow rules again before writing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpcs.participants.models import Participant
from kpcs.participants.selectors import participant_get
from kpcs.statistics.models import (
    DATASET_PERIODS,
    Anomaly,
    AnomalyQuestion,
    Dataset,
    Period,
)
from kpcs.statistics.selectors.analysis import DASHBOARD_COLUMNS

FIRST_YEAR = 2000
LAST_YEAR = 2100

YEAR_ERRORS = {
    "required": _("Give the year, e.g. 2024."),
    "invalid": _("Give the year as four digits, e.g. 2024."),
    "min_value": _("Statistics start in 2000: give a year from 2000 to 2100."),
    "max_value": _("Give a year from 2000 to 2100."),
}


def _text(
    label: Any, *, required: bool = True, help_text: Any = "", rows: int = 3, max_length: int = 5000
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, "dir": "auto"}),
        error_messages={"required": _("This field is required: write a few words.")},
    )


def _year_field(**kwargs: Any) -> forms.IntegerField:
    kwargs.setdefault("widget", forms.NumberInput(attrs={"class": "short"}))
    return forms.IntegerField(
        label=_("Year"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages=YEAR_ERRORS,
        **kwargs,
    )


class YearForm(forms.Form):
    """`?year=` on the pages that show one year; the current year when none is given."""

    year = _year_field(required=False)

    def year_or_default(self) -> int:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("year"):
            return int(self.cleaned_data["year"])
        return timezone.localdate().year


class HiddenYearForm(forms.Form):
    year = _year_field(widget=forms.HiddenInput)


class ParticipantCodeField(forms.CharField):
    """A participant named by its code (BWA, EUR), as the FORMATS.md files name them."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("label", _("Participant code"))
        kwargs.setdefault(
            "error_messages",
            {"max_length": _("A participant code has three letters, e.g. BWA or EUR.")},
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"class": "short", "dir": "ltr", "autocomplete": "off"})

    def clean(self, value: Any) -> Participant | None:  # type: ignore[override]
        code = super().clean(value)
        if not code:
            return None
        participant = participant_get(code=code)
        if participant is None:
            raise forms.ValidationError(
                _("No participant has the code “%(code)s”.") % {"code": code.upper()}
            )
        return participant


# --- Submission review ---------------------------------------------------------------------------


class QueryForm(forms.Form):
    comment = _text(
        _("What should the participant look at?"),
        help_text=_("The participant reads this and may correct the figures and submit again."),
    )


class AcceptForm(forms.Form):
    comment = _text(_("Comment (optional)"), required=False, rows=2)


class ReopenForm(forms.Form):
    reason = _text(
        _("Why are the figures reopened?"),
        help_text=_(
            "The figures go back to the participant for correction. Published figures stay "
            "in their release until the next one."
        ),
    )


# --- Deadlines -----------------------------------------------------------------------------------


def _column_choices() -> list[tuple[str, Any]]:
    return [
        (
            period,
            _("%(period)s (%(dataset)s)")
            % {"period": Period(period).label, "dataset": Dataset(dataset).label},
        )
        for dataset, period in DASHBOARD_COLUMNS
    ]


class DeadlineForm(forms.Form):
    year = _year_field(widget=forms.HiddenInput)
    period = forms.ChoiceField(label=_("Period"), choices=_column_choices)
    due_date = forms.DateField(
        label=_("Due date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give the date as YYYY-MM-DD, e.g. 2025-05-31.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year, due = data.get("year"), data.get("due_date")
        if year and due and due.year < year:
            self.add_error("due_date", _("The due date cannot be before the year it reports."))
        return data


def _period_choices() -> list[tuple[str, Any]]:
    return [(p, Period(p).label) for p in Period.values if p != Period.YEAR]


class ExtensionForm(forms.Form):
    participant = ParticipantCodeField()
    year = _year_field()
    dataset = forms.ChoiceField(label=_("Dataset"), choices=Dataset.choices)
    period = forms.ChoiceField(label=_("Period"), choices=_period_choices)
    until = forms.DateTimeField(
        label=_("Open until"),
        help_text=_("The participant may enter and submit figures until this moment."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Give a date and time, e.g. 2025-06-30 18:00.")},
    )
    # DeadlineExtension.reason holds 500 characters.
    reason = _text(_("Reason"), rows=2, max_length=500)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        dataset, period = data.get("dataset"), data.get("period")
        if dataset and period and period not in DATASET_PERIODS[Dataset(dataset)]:
            allowed = ", ".join(p for p in DATASET_PERIODS[Dataset(dataset)] if p != Period.YEAR)
            self.add_error(
                "period",
                _("%(dataset)s is reported for %(allowed)s.")
                % {"dataset": Dataset(dataset).label, "allowed": allowed},
            )
        until = data.get("until")
        if until is not None and until <= timezone.now():
            self.add_error("until", _("The extension must end in the future."))
        return data


# --- Publication ---------------------------------------------------------------------------------


class ReleaseForm(forms.Form):
    year = _year_field(widget=forms.HiddenInput)
    note = _text(
        _("What changed"),
        required=False,
        help_text=_(
            "Shown with the release on the public page. Required for a revision (release 2 "
            "and later): say what changed since the previous release."
        ),
    )

    def __init__(self, *args: Any, revision: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.revision = revision

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.revision and not (data.get("note") or "").strip():
            self.add_error(
                "note", _("Say what changed since the previous release: a revision needs a note.")
            )
        return data


# --- Anomalies and questions ---------------------------------------------------------------------


class AnomalyFilterForm(forms.Form):
    year = _year_field(required=False)
    rule = forms.ChoiceField(
        label=_("Rule"), required=False, choices=[("", _("all rules")), *Anomaly.Rule.choices]
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        required=False,
        choices=[("", _("all severities")), *Anomaly.Severity.choices],
    )
    participant = ParticipantCodeField(required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("all statuses")), *Anomaly.Status.choices],
    )
    include_gone = forms.BooleanField(label=_("Include those no longer found"), required=False)


class QuestionFilterForm(forms.Form):
    year = _year_field(required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("all statuses")), *AnomalyQuestion.Status.choices],
    )


class StockFilterForm(forms.Form):
    year = _year_field(required=False)
    participant = ParticipantCodeField(required=False)


class QuestionAskForm(forms.Form):
    question = _text(
        _("Question to the participant"),
        rows=6,
        help_text=_(
            "Prefilled from the anomaly's explanation; say what you would like to know. The "
            "participant's authority reads and answers it in the app."
        ),
    )
    due_date = forms.DateField(
        label=_("Answer due (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give the date as YYYY-MM-DD, e.g. 2025-05-31.")},
    )

    def clean_due_date(self) -> dt.date | None:
        due = self.cleaned_data.get("due_date")
        if due is not None and due < timezone.localdate():
            raise forms.ValidationError(_("The answer cannot be due in the past."))
        return due


class QuestionCloseForm(forms.Form):
    note = _text(_("Why is the question closed?"), rows=2)


class QuestionEscalateForm(forms.Form):
    note = _text(_("Why is the question escalated?"), rows=2)
