"""Forms of the recommendations' follow-up and of the peer-review dashboards. They check what
they can on their own (with messages naming the field or the file); the services check it all
again, so the API gets the same answers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kpcs.common.uploads import EVIDENCE_KINDS, check_document, describe_kinds
from kpcs.participants.models import Participant
from kpcs.reviews.models import (
    Recommendation,
    RecommendationUpdate,
    RequirementArea,
    ReviewVisit,
)
from kpcs.reviews.selectors.dashboard import DEFAULT_YEARS, MAX_YEARS
from kpcs.reviews.services.recommendations import MAX_EVIDENCE_FILES

_BLANK = [("", "—")]
_DATE_ERRORS = {"invalid": _("Enter a real date, for example 2027-06-30.")}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class RecommendationForm(forms.Form):
    area = forms.ChoiceField(
        label=_("Requirement area"),
        choices=_BLANK + list(RequirementArea.choices),
        error_messages={
            "required": _("Choose the requirement area the recommendation is about."),
            "invalid_choice": _("Choose one of the requirement areas listed."),
        },
    )
    text = forms.CharField(
        label=_("Recommendation"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write the recommendation.")},
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Recommendation.Priority.choices,
        initial=Recommendation.Priority.MEDIUM,
    )
    due_on = forms.DateField(
        label=_("Due date"),
        widget=DateInput(),
        error_messages={"required": _("Give the due date."), **_DATE_ERRORS},
    )
    owner = forms.CharField(
        label=_("Owner"),
        max_length=255,
        help_text=_("The body at the participant that is to act on it"),
        error_messages={
            "required": _("Name the owner: the body at the participant that is to act on it.")
        },
    )

    def __init__(self, *args: Any, visit: ReviewVisit, **kwargs: Any) -> None:
        self.visit = visit
        super().__init__(*args, **kwargs)
        if visit.invited_on:
            self.fields["due_on"].widget.attrs["min"] = visit.invited_on.isoformat()

    def clean_due_on(self) -> Any:
        due_on = self.cleaned_data["due_on"]
        invited_on = self.visit.invited_on
        if invited_on is not None and due_on < invited_on:
            raise ValidationError(
                _(
                    "The due date (%(due)s) is before the visit's invitation date "
                    "(%(invited)s): give a date on or after the invitation."
                ),
                params={"due": due_on.isoformat(), "invited": invited_on.isoformat()},
                code="before_invitation",
            )
        return due_on


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (none included) under one name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ResponseForm(forms.Form):
    text = forms.CharField(
        label=_("Response"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What was done, and what remains to be done"),
        error_messages={"required": _("Write your response: what was done, and what remains.")},
    )
    evidence = MultipleFileField(label=_("Evidence files"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = _(
            "Up to %(count)s files of at most %(size)s MB each: %(kinds)s."
        ) % {
            "count": MAX_EVIDENCE_FILES,
            "size": settings.REVIEW_UPLOAD_MAX_MB,
            "kinds": describe_kinds(EVIDENCE_KINDS),
        }

    def clean_evidence(self) -> list[Any]:
        files: list[Any] = self.cleaned_data.get("evidence") or []
        if len(files) > MAX_EVIDENCE_FILES:
            raise ValidationError(
                _("Send at most %(max)s files with one response."),
                params={"max": MAX_EVIDENCE_FILES},
            )
        errors = []
        max_bytes = settings.REVIEW_UPLOAD_MAX_MB * 1024 * 1024
        for upload in files:
            try:
                check_document(upload, kinds=EVIDENCE_KINDS, max_bytes=max_bytes)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return files


class AssessmentForm(forms.Form):
    assessment = forms.ChoiceField(
        label=_("Assessment"),
        choices=RecommendationUpdate.Assessment.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _(
                "Choose the assessment: implemented, partly implemented or not implemented."
            )
        },
    )
    text = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write the assessment: why it is (or is not) implemented.")},
    )
    due_on = forms.DateField(
        label=_("New due date"),
        required=False,
        widget=DateInput(),
        help_text=_("Only if it is partly or not implemented and the participant gets more time"),
        error_messages=_DATE_ERRORS,
    )


# --- Dashboards ------------------------------------------------------------------------------


class NotVisitedForm(forms.Form):
    years = forms.IntegerField(
        label=_("Not visited for (years)"),
        min_value=1,
        max_value=MAX_YEARS,
        required=False,
        initial=DEFAULT_YEARS,
        error_messages={
            "invalid": _("Give the number of years as a whole number, for example 5."),
            "min_value": _("Give at least 1 year."),
            "max_value": _("Give at most %(limit_value)s years."),
        },
    )

    def chosen_years(self) -> int:
        return self.cleaned_data.get("years") or DEFAULT_YEARS


class OpenRecommendationFilterForm(forms.Form):
    participant = forms.ChoiceField(label=_("Participant"), required=False)
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = (
            Participant.objects.filter(review_visits__recommendations__isnull=False)
            .distinct()
            .order_by("code")
        )
        participant_field = self.fields["participant"]
        assert isinstance(participant_field, forms.ChoiceField)
        participant_field.choices = _BLANK + [(p.code, f"{p.code} · {p.name}") for p in codes]
        participant_field.error_messages["invalid_choice"] = _(
            "“%(value)s” is not a participant with recommendations."
        )

    def chosen_participant(self) -> Participant | None:
        code = self.cleaned_data.get("participant") if self.is_valid() else None
        return Participant.objects.filter(code=code).first() if code else None
