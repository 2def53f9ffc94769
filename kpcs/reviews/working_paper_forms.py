"""Forms of a visit's working papers: a finding with its evidence files, a report version, a
comment on a draft. They keep absurd input out and say what is missing; the services
(kpcs.reviews.services.working_papers) check everything again, files included."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpcs.reviews.models import Finding, ReportVersion, RequirementArea
from kpcs.reviews.services.working_papers import (
    MAX_FILES,
    MAX_TEXT,
    evidence_check,
    upload_max_bytes,
)

ACCEPT = (
    ".pdf,.png,.jpg,.jpeg,.gif,.webp,.tif,.tiff,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,"
    "application/pdf,image/*"
)


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several evidence files in one input; each is checked by content and size."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files: Sequence[Any] = data if isinstance(data, list | tuple) else [data] if data else []
        errors: dict[str, list[str]] = {}
        evidence_check(list(files), errors=errors)
        if errors:
            raise forms.ValidationError(errors["evidence"])
        return list(files)


def _area_choices(*, blank: str) -> list[tuple[str, Any]]:
    return [("", blank), *RequirementArea.choices]


class FindingForm(forms.Form):
    area = forms.ChoiceField(
        label=gettext_lazy("Requirement area"),
        error_messages={"required": gettext_lazy("Choose the requirement area of the finding.")},
    )
    rating = forms.ChoiceField(
        label=gettext_lazy("Rating"),
        choices=Finding.Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose a rating: met, partly met or not met.")},
    )
    text = forms.CharField(
        label=gettext_lazy("Finding"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": gettext_lazy("Write the finding.")},
        help_text=gettext_lazy("What the team found, and on what it rests."),
    )
    evidence = EvidenceField(label=gettext_lazy("Evidence files"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = _area_choices(blank="—")  # type: ignore[attr-defined]
        self.fields["evidence"].help_text = _(
            "PDF, images or office documents, several at once (at most %(count)s, "
            "%(size)s MB each)."
        ) % {"count": MAX_FILES, "size": upload_max_bytes() // (1024 * 1024)}


class ReportVersionForm(forms.Form):
    """A new version of the report: its text (pre-filled from the findings or the latest
    version), its kind (the kinds open at the visit's status) and what changed."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Version"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose whether this is a draft or the final.")},
    )
    text = forms.CharField(
        label=gettext_lazy("Report"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 30}),
        error_messages={"required": gettext_lazy("Write the report's text.")},
    )
    note = forms.CharField(
        label=gettext_lazy("What changed"),
        max_length=500,
        required=False,
        help_text=gettext_lazy(
            "For the version list, e.g. “comments of the participant taken in”."
        ),
    )

    def __init__(self, *args: Any, kinds: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            ReportVersion.Kind.DRAFT.value: _("a new draft, for the participant's comments"),
            ReportVersion.Kind.FINAL.value: _(
                "the final report (no version follows it; the visit moves to final report)"
            ),
        }
        self.fields["kind"].choices = [(kind, labels[kind]) for kind in kinds]  # type: ignore[attr-defined]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]


class ReportCommentForm(forms.Form):
    area = forms.ChoiceField(label=gettext_lazy("Requirement area"), required=False)
    text = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": gettext_lazy("Write your comment.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = _area_choices(blank=_("the report as a whole"))  # type: ignore[attr-defined]
