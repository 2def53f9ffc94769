"""Forms of the review visit pages: the list's filters, a visit, a team member, a roster
nomination and a status move. They check what a person can correct at the field; the services
check again (and decide the domain rules) before anything is written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpcs.participants.models import WorkingBody
from kpcs.reviews.models import RequirementArea, ReviewVisit, TeamMember
from kpcs.reviews.selectors import visits as selectors
from kpcs.reviews.selectors.access import WGM_CODE
from kpcs.reviews.services.visits import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_ROUND,
    MOVE_DETAILS,
    visit_date_problems,
)

User = get_user_model()


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=_date_input(),
        error_messages={"invalid": _("Enter a real date, e.g. 2026-06-08.")},
        **kwargs,
    )


def _round_field(*, required: bool) -> forms.IntegerField:
    message = _("The round is a whole number from 1 to 20.")
    return forms.IntegerField(
        label=_("Round"),
        required=required,
        min_value=1,
        max_value=MAX_ROUND,
        help_text=_("First round, second round, …") if required else "",
        error_messages={"invalid": message, "min_value": message, "max_value": message},
        widget=forms.NumberInput(attrs={"class": "short"}),
    )


class ParticipantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


class ObserverChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


class PersonChoiceField(forms.ModelChoiceField):
    """A person: name, user name and the participant or observer they act for."""

    def label_from_instance(self, obj: Any) -> str:
        return _person_label(obj)


class NominationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        by = obj.nominated_by_participant or obj.nominated_by_observer
        return f"{_person_label(obj.user)} — {by.code if by else ''}"


def _person_label(user: Any) -> str:
    name = user.get_full_name() or user.get_username()
    body = user.participant or user.observer
    acting = f" · {body.code}" if body is not None else ""
    return f"{name} ({user.get_username()}){acting}"


def _participant_field(label: Any, *, required: bool, empty: Any = None) -> forms.ModelChoiceField:
    field = ParticipantChoiceField(
        label=label,
        queryset=selectors.participants_for_choice(),
        to_field_name="code",
        required=required,
        error_messages={
            "invalid_choice": _("“%(value)s” is not a participant's code."),
            "required": _("Choose the participant."),
        },
    )
    if empty is not None:
        field.empty_label = empty
    return field


def _observer_field(label: Any) -> forms.ModelChoiceField:
    field = ObserverChoiceField(
        label=label,
        queryset=selectors.observers_for_choice(),
        to_field_name="code",
        required=False,
        error_messages={"invalid_choice": _("“%(value)s” is not an observer's code.")},
    )
    return field


def _choice(label: Any, choices: Any, *, empty: Any, invalid: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", empty), *choices],
        error_messages={"invalid_choice": invalid},
    )


YEAR_RANGE = _("Give a year from 2000 to 2100.")


class VisitFilterForm(forms.Form):
    """The query string of the visit list; a bad value is named, never a 500."""

    participant = _participant_field(_("Participant"), required=False, empty=_("any participant"))
    kind = _choice(
        _("Kind"),
        ReviewVisit.Kind.choices,
        empty=_("any kind"),
        invalid=_(
            "“%(value)s” is not a kind of visit: use review_visit, review_mission or "
            "expert_mission."
        ),
    )
    round = _round_field(required=False)
    status = _choice(
        _("Status"),
        ReviewVisit.Status.choices,
        empty=_("any status"),
        invalid=_("“%(value)s” is not a status of a visit."),
    )
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        widget=forms.NumberInput(attrs={"class": "short"}),
        error_messages={
            "invalid": _("Give the year as four digits, e.g. 2026."),
            "min_value": YEAR_RANGE,
            "max_value": YEAR_RANGE,
        },
    )


class VisitForm(forms.Form):
    """A new visit: who is reviewed, what kind, which round, the invitation and planned
    dates, and the terms of reference (prefilled with the standard ones)."""

    participant = _participant_field(_("Participant reviewed"), required=True)
    kind = forms.ChoiceField(label=_("Kind"), choices=ReviewVisit.Kind.choices)
    round = _round_field(required=True)
    invited_on = _date(
        _("Invitation date"),
        help_text=_("Required for a review visit; for a mission, the date of the decision."),
    )
    planned_start = _date(_("Planned start"))
    planned_end = _date(_("Planned end"))
    terms_of_reference = forms.CharField(
        label=_("Terms of reference"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "dir": "auto"}),
        help_text=_("The standard terms, to adapt to this visit. Left empty, they are used as is."),
    )

    DATE_FIELDS: tuple[str, ...] = ("invited_on", "planned_start", "planned_end")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        dates = {name: cleaned.get(name) for name in self.DATE_FIELDS}
        if any(name in self.errors for name in self.DATE_FIELDS):
            return cleaned
        for field, messages in visit_date_problems(kind=cleaned.get("kind"), **dates).items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        return cleaned


class VisitEditForm(VisitForm):
    """The same, plus the dates the visit actually took place."""

    actual_start = _date(_("Actual start"))
    actual_end = _date(_("Actual end"))

    DATE_FIELDS = ("invited_on", "planned_start", "planned_end", "actual_start", "actual_end")


class TeamMemberForm(forms.Form):
    user = PersonChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Choose the person to add."),
            "invalid_choice": _("Choose one of the people listed (not already on the team)."),
        },
    )
    role = forms.ChoiceField(label=_("Role"), choices=TeamMember.Role.choices)
    represents = forms.ChoiceField(label=_("Represents"), choices=TeamMember.Represents.choices)
    participant = _participant_field(
        _("Participant represented"), required=False, empty=_("the one the person acts for")
    )
    observer = _observer_field(_("Observer represented"))
    nomination = NominationChoiceField(
        label=_("Roster nomination"),
        queryset=selectors.roster_list(),
        required=False,
        empty_label=_("the person's own nomination"),
        help_text=_("For an expert: the nomination on the roster."),
        error_messages={"invalid_choice": _("Choose a nomination on the active roster.")},
    )

    def __init__(self, *args: Any, visit: ReviewVisit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = selectors.team_candidates(visit=visit)
        self.fields["observer"].empty_label = _("the one the person acts for")  # type: ignore[attr-defined]


class NominationForm(forms.Form):
    """A person for the expert roster. The secretariat names who nominates; an authority or
    an observer's user nominates for its own body."""

    user = PersonChoiceField(
        label=_("Expert"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Choose the person to nominate."),
            "invalid_choice": _("Choose one of the people listed: you nominate your own people."),
        },
    )
    nominated_by_participant = _participant_field(
        _("Nominated by participant"), required=False, empty="—"
    )
    nominated_by_observer = _observer_field(_("Nominated by observer"))
    areas = forms.MultipleChoiceField(
        label=_("Areas of expertise"),
        choices=RequirementArea.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one area of expertise."),
            "invalid_choice": _("“%(value)s” is not a requirement area."),
        },
    )
    expertise = forms.CharField(
        label=_("Expertise"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = selectors.nomination_candidates(actor=actor)
        self.fields["nominated_by_observer"].empty_label = "—"  # type: ignore[attr-defined]
        if not getattr(actor, "is_secretariat", False):
            del self.fields["nominated_by_participant"]
            del self.fields["nominated_by_observer"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "nominated_by_participant" in self.fields:
            by_participant = cleaned.get("nominated_by_participant")
            by_observer = cleaned.get("nominated_by_observer")
            if (by_participant is None) == (by_observer is None):
                raise ValidationError(
                    _("Name either the participant or the observer that nominates the expert.")
                )
        return cleaned


class TransitionForm(forms.Form):
    """One status move with the facts it needs (only those fields are on the form)."""

    to = forms.ChoiceField(choices=ReviewVisit.Status.choices, widget=forms.HiddenInput)
    planned_start = _date(_("Planned start"))
    planned_end = _date(_("Planned end"))
    actual_start = _date(_("Actual start"))
    actual_end = _date(_("Actual end"))
    adopted_on = _date(_("Adopted on"))
    adopted_by = forms.ModelChoiceField(
        label=_("Adopted by"),
        queryset=WorkingBody.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": _("“%(value)s” is not a working body.")},
    )
    published_on = _date(_("Published on"))

    def __init__(self, *args: Any, to: str, visit: ReviewVisit | None = None, **kwargs: Any):
        initial = kwargs.pop("initial", None) or {}
        initial["to"] = to
        if visit is not None:
            initial.update(_move_initial(to, visit))
        # Several moves may be offered on one page: ids of their own.
        kwargs.setdefault("auto_id", f"move-{to}-%s")
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        wanted = set(MOVE_DETAILS.get(to, ())) | {"to"}
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        if "adopted_by" in self.fields:
            body_field = self.fields["adopted_by"]
            assert isinstance(body_field, forms.ModelChoiceField)
            body_field.queryset = selectors.working_bodies_for_choice()
        self.target = to
        self.target_label = ReviewVisit.Status(to).label

    def details(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "to"}


def _move_initial(to: str, visit: ReviewVisit) -> dict[str, Any]:
    """What the move's form starts with: the dates the visit already has, the planned dates
    as the actual ones, WGM as the adopting body, today as the publication date."""
    today = timezone.localdate()
    if to == ReviewVisit.Status.SCHEDULED:
        return {"planned_start": visit.planned_start, "planned_end": visit.planned_end}
    if to == ReviewVisit.Status.VISIT_DONE:
        return {
            "actual_start": visit.actual_start or visit.planned_start,
            "actual_end": visit.actual_end or visit.planned_end,
        }
    if to == ReviewVisit.Status.ADOPTED:
        return {"adopted_by": WGM_CODE, "adopted_on": today}
    if to == ReviewVisit.Status.PUBLISHED:
        return {"published_on": today}
    return {}
