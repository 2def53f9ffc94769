"""Forms of the compendium's pages: the public search box and the secretariat's changes (the
services check the rules again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kpcs.plenary.models import Document
from kpcs.plenary.selectors.compendium import supersession_candidates
from kpcs.plenary.selectors.search import MAX_QUERY_LENGTH

SECTION_CHOICES = [("", _("All sections")), *Document.CompendiumSection.choices]


class CompendiumSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the compendium"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        strip=True,
        error_messages={
            "max_length": _(
                "Search with at most %(limit_value)d characters (you typed %(show_value)d)."
            )
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    section = forms.ChoiceField(
        label=_("Section"),
        required=False,
        choices=SECTION_CHOICES,
        error_messages={"invalid_choice": _("“%(value)s” is not a section of the compendium.")},
    )


class SectionForm(forms.Form):
    section = forms.ChoiceField(
        label=_("Compendium section"),
        required=False,
        choices=[("", _("— not in the compendium —")), *Document.CompendiumSection.choices],
        error_messages={"invalid_choice": _("“%(value)s” is not a section of the compendium.")},
    )


class DecisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        return f"{obj.symbol} ({obj.date:%Y-%m-%d})"


class SupersedeForm(forms.Form):
    superseded_by = DecisionChoiceField(
        label=_("Superseded by"),
        queryset=Document.objects.none(),
        help_text=_("An adopted or published administrative decision."),
        error_messages={
            "required": _("Choose the decision that supersedes this document."),
            "invalid_choice": _("Choose an adopted or published administrative decision."),
        },
    )
    superseded_on = forms.DateField(
        label=_("Superseded on"),
        help_text=_("YYYY-MM-DD, not before the date of either document."),
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": _("Give the date from which it is superseded."),
            "invalid": _("Enter a real date in the form YYYY-MM-DD, for example 2026-11-06."),
        },
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, document: Document, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["superseded_by"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = supersession_candidates(document=document)
