"""Forms of the meeting pages: the lists' filters, a meeting, an agenda item and a delegation.
They check what a person can correct at the field; the services check again (and decide the
domain rules) before anything is written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kpcs.plenary.models import Meeting
from kpcs.plenary.selectors import documents as document_selectors
from kpcs.plenary.selectors import meetings as selectors
from kpcs.plenary.selectors.documents import language_name, suffix
from kpcs.plenary.services import meetings as services

YEAR_RANGE = _("Give a year from 2000 to 2100.")


def date_field(label: Any, **kwargs: Any) -> forms.DateField:
    kwargs.setdefault("required", False)
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a real date, e.g. 2026-11-06.")},
        **kwargs,
    )


def year_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=services.FIRST_YEAR,
        max_value=services.LAST_YEAR,
        widget=forms.NumberInput(attrs={"class": "short"}),
        error_messages={
            "invalid": _("Give the year as four digits, e.g. 2026."),
            "min_value": YEAR_RANGE,
            "max_value": YEAR_RANGE,
        },
    )


class CodeChoiceField(forms.ModelChoiceField):
    """A participant, observer or working body shown as “name (code)” and sent as its code."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


def code_choice(
    label: Any, queryset: Any, *, invalid: Any, empty: Any = "—", **kwargs: Any
) -> CodeChoiceField:
    kwargs.setdefault("required", False)
    return CodeChoiceField(
        label=label,
        queryset=queryset,
        to_field_name="code",
        empty_label=empty,
        error_messages={"invalid_choice": invalid},
        **kwargs,
    )


class MeetingFilterForm(forms.Form):
    """The query string of a meeting list; a bad value is named, never a 500."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("any kind")), *Meeting.Kind.choices],
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not a kind of meeting: use plenary, intersessional or working_body."
            )
        },
    )
    year = year_field()


def _other_titles(max_length: int) -> dict[str, forms.CharField]:
    return {
        f"title_{suffix(code)}": forms.CharField(
            label=_("Title in %(language)s") % {"language": language_name(code)},
            required=False,
            max_length=max_length,
            widget=forms.TextInput(attrs={"lang": code, "dir": "auto"}),
        )
        for code in services.OTHER_LANGUAGES
    }


class TitlesMixin:
    """English title plus optional titles in the other languages (`titles()` for services)."""

    cleaned_data: dict[str, Any]

    def titles(self) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(f"title_{suffix(code)}") or ""
            for code in services.OTHER_LANGUAGES
        }

    def service_values(self) -> dict[str, Any]:
        other = {f"title_{suffix(code)}" for code in services.OTHER_LANGUAGES}
        values = {k: v for k, v in self.cleaned_data.items() if k not in other}
        values["titles"] = self.titles()
        return values


class MeetingForm(TitlesMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Meeting.Kind.choices)
    code = forms.CharField(
        label=_("Code"),
        max_length=60,
        help_text=_("Part of the meeting's address; lower-case letters, digits and hyphens."),
    )
    title = forms.CharField(label=_("Title (English)"), max_length=services.TITLE_MAX)
    working_body = code_choice(
        _("Working body"),
        selectors.working_bodies_for_choice(),
        invalid=_("Choose one of the working bodies listed."),
        empty=_("none (a Plenary or an intersessional meeting)"),
        help_text=_("Required for a working body meeting."),
    )
    start_date = date_field(_("First day"), required=True)
    end_date = date_field(_("Last day"), required=True)
    venue = forms.CharField(label=_("Venue"), max_length=255, required=False)
    host = code_choice(
        _("Host"),
        selectors.participants_for_choice(),
        invalid=_("Choose one of the participants listed."),
        empty=_("no host participant"),
    )
    chair = forms.CharField(label=_("Chair"), max_length=255, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_other_titles(services.TITLE_MAX))
        if editing:
            # The code is part of the meeting's address: it stays.
            del self.fields["code"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        fields = ("kind", "working_body", "start_date", "end_date")
        if any(name in self.errors for name in fields):
            return cleaned
        problems = services.meeting_problems(**{name: cleaned.get(name) for name in fields})
        for field, messages in problems.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        return cleaned


class DocumentsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.symbol} — {obj.title_en}"


class AgendaItemForm(TitlesMixin, forms.Form):
    number = forms.IntegerField(
        label=_("Number"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "short"}),
        help_text=_("Left empty: at the end. Another number moves the item there."),
        error_messages={
            "invalid": _("The number is a whole number, e.g. 3."),
            "min_value": _("Numbers start at 1."),
        },
    )
    title = forms.CharField(label=_("Title (English)"), max_length=services.AGENDA_TITLE_MAX)
    documents = DocumentsField(
        label=_("Documents"),
        queryset=document_selectors.documents_for_choice(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose documents among those listed.")},
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_other_titles(services.AGENDA_TITLE_MAX))
        documents = self.fields["documents"]
        assert isinstance(documents, forms.ModelMultipleChoiceField)
        documents.queryset = document_selectors.documents_for_choice(meeting=meeting)


class AttendanceForm(forms.Form):
    participant = code_choice(
        _("Participant"),
        selectors.participants_for_choice(),
        invalid=_("Choose one of the participants listed."),
        empty=_("— a participant —"),
    )
    observer = code_choice(
        _("Observer"),
        selectors.observers_for_choice(),
        invalid=_("Choose one of the observers listed."),
        empty=_("— or an observer —"),
    )
    delegates = forms.IntegerField(
        label=_("Delegates"),
        initial=1,
        min_value=1,
        max_value=services.MAX_DELEGATES,
        widget=forms.NumberInput(attrs={"class": "short"}),
        error_messages={
            "invalid": _("The number of delegates is a whole number, e.g. 4."),
            "min_value": _("A delegation has at least one delegate."),
            "max_value": _("At most 500 delegates."),
        },
    )
    head_of_delegation = forms.CharField(
        label=_("Head of delegation"), max_length=255, required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "participant" in self.errors or "observer" in self.errors:
            return cleaned
        if (cleaned.get("participant") is None) == (cleaned.get("observer") is None):
            self.add_error(
                "participant", _("Choose either a participant or an observer (not both).")
            )
        return cleaned
