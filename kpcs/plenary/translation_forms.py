"""The form of one language version of a document: title, body and status (draft or final).
It checks what a translator can correct at the field; the service checks again before anything
is written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kpcs.plenary.models import DocumentTranslation
from kpcs.plenary.services.translations import BODY_MAX_LENGTH, TITLE_MAX_LENGTH


def text_attributes(language: str) -> dict[str, str]:
    """`lang` (fonts, spelling, hyphenation) and `dir` (right-to-left for Arabic) of a field
    or a block of text in `language`."""
    return {"lang": language, "dir": "rtl" if language in settings.LANGUAGES_BIDI else "ltr"}


class TranslationForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=TITLE_MAX_LENGTH,
        error_messages={
            "max_length": _("The title has %(show_value)d characters: at most %(limit_value)d.")
        },
    )
    body = forms.CharField(
        label=_("Body"),
        required=False,
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 22}),
        help_text=_(
            "Keep the paragraphs of the English source: separate them by a blank line; lines "
            "starting with # are headings, lines starting with | are table rows."
        ),
        error_messages={
            "max_length": _("The body has %(show_value)d characters: at most %(limit_value)d.")
        },
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=DocumentTranslation.Status.choices,
        initial=DocumentTranslation.Status.DRAFT,
        widget=forms.RadioSelect,
        help_text=_("Final: checked and ready to be published in this language."),
        error_messages={
            "required": _("Choose draft or final."),
            "invalid_choice": _("“%(value)s” is not a status: choose draft or final."),
        },
    )

    def __init__(self, *args: Any, language: str, source_body: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language = language
        self.source_body = source_body
        for name in ("title", "body"):
            self.fields[name].widget.attrs.update(text_attributes(language))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") != DocumentTranslation.Status.FINAL:
            return data
        if not data.get("title") and "title" not in self.errors:
            self.add_error("title", _("A final translation needs its title."))
        if not data.get("body") and "body" not in self.errors and self.source_body.strip():
            self.add_error(
                "body", _("A final translation needs its body: the English source has one.")
            )
        return data
