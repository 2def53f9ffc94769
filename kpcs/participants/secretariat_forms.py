"""Forms of the secretariat's reference-data pages.

They check what a person can correct (with a message in their language); the services
validate again against the model and its constraints before anything is written.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kpcs.common import selectors as common_selectors
from kpcs.participants.models import (
    Authority,
    AuthorityContact,
    Chairmanship,
    Country,
    Observer,
    Participant,
    StatusEvent,
    WorkingBody,
    WorkingBodyMembership,
)

# modeltranslation adds one column per language: name_en, name_fr, ..., name_zh_hans, name_ar.
NAME_FIELDS = [f"name_{code.replace('-', '_')}" for code, _label in settings.LANGUAGES]
REFERENCE_NAME_FIELD = f"name_{settings.LANGUAGE_CODE.replace('-', '_')}"
FIRST_YEAR = 2000  # the Kimberley Process began in 2000 (the scheme itself in 2003)
LAST_YEAR = 2100

Fieldsets = list[tuple[Any, list[forms.BoundField], str]]


class SecretariatModelForm(forms.ModelForm):
    """Text boxes take the direction of what is typed in them (dir="auto"), so an English
    note reads correctly on an Arabic page and an Arabic name on an English one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.TextInput | forms.Textarea):
                field.widget.attrs.setdefault("dir", "auto")


class TranslatedNameFormMixin:
    """The name in each of the six languages, in a fieldset of its own; only the reference
    language (English) is required, the others fall back to it when left empty."""

    fields: dict[str, forms.Field]

    def _set_up_name_fields(self) -> None:
        for (code, language), name in zip(settings.LANGUAGES, NAME_FIELDS, strict=True):
            field = self.fields[name]
            field.label = capfirst(language)
            field.widget.attrs.update({"lang": code, "dir": "rtl" if code == "ar" else "auto"})
            if name == REFERENCE_NAME_FIELD:
                field.required = True
            else:
                field.help_text = _("Leave empty to show the English name.")

    @property
    def fieldsets(self) -> Fieldsets:
        names = [self[name] for name in NAME_FIELDS]  # type: ignore[index]
        others = [self[name] for name in self.fields if name not in NAME_FIELDS]  # type: ignore[index]
        return [
            (_("Name in the six languages"), names, "name-grid"),
            (_("Details"), others, ""),
        ]


def _set_queryset(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    cast(forms.ModelChoiceField, form.fields[name]).queryset = queryset


def _year_field(label: Any, *, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=required, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ParticipantForm(TranslatedNameFormMixin, SecretariatModelForm):
    iso2 = forms.CharField(
        label=_("Certificate prefix"),
        max_length=2,
        widget=forms.TextInput(attrs={"class": "short"}),
        help_text=_("ISO alpha-2 code that starts its certificate numbers"),
    )

    class Meta:
        model = Participant
        fields = [
            *NAME_FIELDS,
            "iso2",
            "kind",
            "admitted_on",
            "admission_date_known",
            "source_note",
            "member_countries",
        ]
        widgets = {
            "admitted_on": _date_widget(),
            "source_note": forms.Textarea(attrs={"rows": 2}),
            "member_countries": forms.CheckboxSelectMultiple(attrs={"class": "checkbox-columns"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_up_name_fields()
        if self.instance.kind == Participant.Kind.REGIONAL_ORGANISATION:
            _set_queryset(self, "member_countries", Country.objects.order_by("name"))
        else:
            # Only a regional organisation (the EU) covers member countries.
            del self.fields["member_countries"]

    def clean_iso2(self) -> str:
        iso2 = self.cleaned_data["iso2"].strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", iso2):
            raise forms.ValidationError(_("Enter two letters, for example ZA."))
        return iso2

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("kind") == Participant.Kind.STATE and self.instance.country_id is None:
            self.add_error(
                "kind",
                _("Only a participant linked to a country can be a state; this one has none."),
            )
        admitted = cleaned.get("admitted_on")
        if admitted and admitted.year < FIRST_YEAR:
            self.add_error("admitted_on", _("The Kimberley Process started in 2003."))
        return cleaned


class StatusEventForm(SecretariatModelForm):
    class Meta:
        model = StatusEvent
        fields = ["date", "event", "date_approximate", "decision", "note"]
        widgets = {"date": _date_widget(), "note": forms.Textarea(attrs={"rows": 3})}

    def clean_date(self) -> dt.date:
        date = self.cleaned_data["date"]
        if date.year < FIRST_YEAR:
            raise forms.ValidationError(_("The Kimberley Process started in 2003."))
        return date


class DeleteWithReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the record is deleted; kept in the audit trail."),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the record is deleted."))
        return reason


class ConfirmForm(forms.Form):
    """A deletion that asks for nothing but the click."""


class AuthorityForm(SecretariatModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Authority
        fields = [
            "name",
            "handles_exports",
            "handles_imports",
            "handles_statistics",
            "address",
            "website",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        functions = ("handles_exports", "handles_imports", "handles_statistics")
        if not any(cleaned.get(name) for name in functions):
            # On a field, not above the form: the model's own check on these fields is then
            # skipped instead of adding its technical message.
            self.add_error(
                "handles_exports", _("Tick at least one function: exports, imports or statistics.")
            )
        return cleaned


class AuthorityContactForm(SecretariatModelForm):
    class Meta:
        model = AuthorityContact
        fields = ["name", "position", "email", "phone"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not cleaned.get("email") and not cleaned.get("phone") and not self.errors:
            self.add_error("email", _("Give an email address or a telephone number."))
        return cleaned


class ObserverForm(TranslatedNameFormMixin, SecretariatModelForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=10,
        widget=forms.TextInput(attrs={"class": "short"}),
        help_text=_("2 to 10 capital letters or digits, for example WDC"),
    )

    class Meta:
        model = Observer
        fields = ["code", *NAME_FIELDS, "kind", "since", "source_note"]
        widgets = {"since": _date_widget(), "source_note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_up_name_fields()
        if not self.instance._state.adding:
            # The code names the observer in addresses and exports; it is set once.
            del self.fields["code"]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        if not re.fullmatch(r"[A-Z0-9]{2,10}", code):
            raise forms.ValidationError(_("Use 2 to 10 capital letters or digits."))
        return code


class WorkingBodyForm(TranslatedNameFormMixin, SecretariatModelForm):
    class Meta:
        model = WorkingBody
        fields = [*NAME_FIELDS, "open_to_observers"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_up_name_fields()


class WorkingBodyMembershipForm(SecretariatModelForm):
    year_from = _year_field(_("From year"))
    year_to = _year_field(_("To year"), required=False)

    class Meta:
        model = WorkingBodyMembership
        fields = ["participant", "observer", "role", "year_from", "year_to"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "participant", Participant.objects.order_by("code"))
        _set_queryset(self, "observer", Observer.objects.order_by("code"))
        self.fields["participant"].help_text = _("A participant or an observer, not both.")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        participant, observer = cleaned.get("participant"), cleaned.get("observer")
        if bool(participant) == bool(observer):
            self.add_error(
                "observer" if participant else "participant",
                _("Choose either a participant or an observer."),
            )
        year_from, year_to = cleaned.get("year_from"), cleaned.get("year_to")
        if year_from and year_to and year_to < year_from:
            self.add_error("year_to", _("The last year cannot come before the first."))
        return cleaned


class ChairmanshipForm(SecretariatModelForm):
    year = _year_field(_("Year"))

    class Meta:
        model = Chairmanship
        fields = ["year", "chair", "vice_chair", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "chair", Participant.objects.order_by("code"))
        _set_queryset(self, "vice_chair", Participant.objects.order_by("code"))
        if not self.instance._state.adding:
            # The year identifies the chairmanship; a wrong year is a new record.
            del self.fields["year"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        chair, vice_chair = cleaned.get("chair"), cleaned.get("vice_chair")
        if chair and vice_chair and chair == vice_chair:
            self.add_error("vice_chair", _("The vice-chair must be another participant."))
        return cleaned


class ReferenceDataReloadForm(forms.Form):
    update = forms.BooleanField(
        label=_("Also correct rows that differ from the files"),
        required=False,
        help_text=_(
            "Without this, only missing rows are added and the secretariat's own corrections "
            "stay. With it, rows that differ are brought back to the files' values (each "
            "change is audited)."
        ),
    )


SYSTEM_ACTOR = "system"


class AuditLogFilterForm(forms.Form):
    """The query string of the audit log; unknown values are reported, never a 500."""

    user = forms.ChoiceField(
        label=_("User"), required=False, widget=forms.Select(attrs={"data-autosubmit": True})
    )
    record = forms.ChoiceField(
        label=_("Record type"),
        required=False,
        widget=forms.Select(attrs={"data-autosubmit": True}),
    )
    # One object's history: set by the links of the trail and of the records' own pages.
    object = forms.CharField(
        label=_("Object"), required=False, max_length=64, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = [(str(u.pk), u.get_username()) for u in common_selectors.audit_actors()]
        record_types = [
            (f"{ct.app_label}.{ct.model}", capfirst(model._meta.verbose_name))
            for ct in common_selectors.audit_content_types()
            if (model := ct.model_class()) is not None
        ]
        cast(forms.ChoiceField, self.fields["user"]).choices = [
            ("", _("all users")),
            (SYSTEM_ACTOR, _("system (data loads)")),
            *users,
        ]
        cast(forms.ChoiceField, self.fields["record"]).choices = [
            ("", _("all record types")),
            *record_types,
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("object") and not cleaned.get("record"):
            self.add_error(
                "object", _("An object's history needs its record type as well (record=).")
            )
        return cleaned

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for `common.selectors.audit_entry_list`."""
        user = self.cleaned_data.get("user") or ""
        record = self.cleaned_data.get("record") or ""
        return {
            "actor_id": int(user) if user and user != SYSTEM_ACTOR else None,
            "system_only": user == SYSTEM_ACTOR,
            "record_type": record,
            "object_id": (self.cleaned_data.get("object") or "").strip(),
        }
