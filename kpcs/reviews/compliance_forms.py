"""Forms of the compliance pages: the case list's filters, opening and editing a case, an
action, a milestone and its completion, a decision (with an optional status change), closing
a case.

The forms check what a form can (required fields, real dates, dates in order within the form)
with messages naming the field; the services check again, with the rules that need the
database (a linked anomaly, finding or mission of the case's participant, dates against the
case's), and the pages place the services' messages at the field they name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpcs.participants.models import Observer, Participant, StatusEvent, WorkingBody
from kpcs.reviews.models import (
    ActionMilestone,
    ComplianceAction,
    ComplianceCase,
    ComplianceDecision,
    Finding,
    ReviewVisit,
)
from kpcs.reviews.selectors.compliance import anomalies_of, findings_of, review_missions_of
from kpcs.statistics.models import Anomaly

DATE_MESSAGE = gettext_lazy("Enter a real date, for example 2026-06-30.")


def _date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_MESSAGE},
    )


def _long(value: dt.date) -> str:
    return str(formats.date_format(value, "DATE_FORMAT"))


def participant_choices() -> list[tuple[str, str]]:
    return [
        (code, f"{name} ({code})")
        for code, name in Participant.objects.order_by("name").values_list("code", "name")
    ]


def _anomaly_label(anomaly: Anomaly) -> str:
    message = anomaly.message if len(anomaly.message) <= 80 else anomaly.message[:79] + "…"
    return f"{anomaly.year} · {anomaly.get_rule_display()} · {message}"


def _finding_label(finding: Finding) -> str:
    text = finding.text if len(finding.text) <= 60 else finding.text[:59] + "…"
    return (
        f"{finding.visit.get_kind_display()} {finding.visit.round} · "
        f"{finding.get_area_display()} ({finding.get_rating_display()}) · {text}"
    )


def _mission_label(visit: ReviewVisit) -> str:
    when = visit.actual_start or visit.planned_start or visit.invited_on
    return f"{visit.get_kind_display()} {visit.round}" + (f" · {when.isoformat()}" if when else "")


def _offer(field: forms.Field, choices: list[tuple[Any, str]]) -> None:
    """The options an id field's select shows (the field itself accepts any id)."""
    widget = field.widget
    assert isinstance(widget, forms.Select)
    widget.choices = choices


class _IdField(forms.IntegerField):
    """An optional choice of one row by id, shown as a select; the row is looked up (and
    judged against the case's participant) after the form."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Select)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


class CaseFilterForm(forms.Form):
    participant = forms.ChoiceField(label=gettext_lazy("Participant"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("all")), *ComplianceCase.Status.choices],
    )
    trigger = forms.ChoiceField(
        label=gettext_lazy("Trigger"),
        required=False,
        choices=[("", gettext_lazy("all triggers")), *ComplianceCase.Trigger.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["participant"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("all participants")), *participant_choices()]
        field.error_messages["invalid_choice"] = _(
            "“%(value)s” is not a participant's code, e.g. BWA or EUR."
        )
        for name in ("status", "trigger"):
            self.fields[name].error_messages["invalid_choice"] = _(
                "“%(value)s” is not one of the choices."
            )

    def clean_participant(self) -> Participant | None:
        code = self.cleaned_data.get("participant")
        return Participant.objects.filter(code=code).first() if code else None


class CaseForm(forms.Form):
    """Open a case. The anomaly, finding and mission lists show those of the participant
    chosen (the page is reloaded with ?participant=CODE when it changes)."""

    participant = forms.ChoiceField(label=gettext_lazy("Participant"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=255)
    trigger = forms.ChoiceField(
        label=gettext_lazy("Trigger"),
        choices=ComplianceCase.Trigger.choices,
        widget=forms.RadioSelect,
    )
    anomaly = _IdField(
        label=gettext_lazy("Statistics anomaly"),
        help_text=gettext_lazy("For the trigger “statistics anomaly”: one of the participant's."),
    )
    finding = _IdField(
        label=gettext_lazy("Review finding"),
        help_text=gettext_lazy(
            "For the trigger “review finding”: a finding of a visit of the participant."
        ),
    )
    reporting_observer = forms.ChoiceField(
        label=gettext_lazy("Reporting observer"),
        required=False,
        help_text=gettext_lazy("For the trigger “report from an observer”."),
    )
    trigger_detail = forms.CharField(
        label=gettext_lazy("What triggered it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("e.g. the UN resolution, the report or the indications."),
    )
    opened_on = _date_field(gettext_lazy("Opened on"))

    def __init__(self, *args: Any, participant: Participant | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("participant", participant_choices(), blank=_("Choose…"))
        self.fields["participant"].error_messages["invalid_choice"] = _(
            "“%(value)s” is not a participant's code, e.g. BWA or EUR."
        )
        self._set_choices(
            "reporting_observer",
            [
                (code, f"{name} ({code})")
                for code, name in Observer.objects.order_by("name").values_list("code", "name")
            ],
            blank="—",
        )
        anomalies: list[tuple[Any, str]] = []
        findings: list[tuple[Any, str]] = []
        if participant is not None:
            anomalies = [(a.pk, _anomaly_label(a)) for a in anomalies_of(participant)]
            findings = [(f.pk, _finding_label(f)) for f in findings_of(participant)]
        none_yet = _("— choose the participant first —") if participant is None else "—"
        _offer(self.fields["anomaly"], [("", none_yet), *anomalies])
        _offer(self.fields["finding"], [("", none_yet), *findings])

    def _set_choices(self, name: str, choices: list[tuple[str, str]], *, blank: str) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", blank), *choices]

    def clean_participant(self) -> Participant | None:
        return Participant.objects.filter(code=self.cleaned_data["participant"]).first()

    def clean_reporting_observer(self) -> Observer | None:
        code = self.cleaned_data.get("reporting_observer")
        return Observer.objects.filter(code=code).first() if code else None

    def clean_anomaly(self) -> Anomaly | None:
        value = self.cleaned_data.get("anomaly")
        if value is None:
            return None
        anomaly = Anomaly.objects.select_related("participant").filter(pk=value).first()
        if anomaly is None:
            raise forms.ValidationError(_("There is no anomaly number %(id)s.") % {"id": value})
        return anomaly

    def clean_finding(self) -> Finding | None:
        value = self.cleaned_data.get("finding")
        if value is None:
            return None
        finding = Finding.objects.select_related("visit__participant").filter(pk=value).first()
        if finding is None:
            raise forms.ValidationError(_("There is no finding number %(id)s.") % {"id": value})
        return finding


class CaseEditForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=255)
    trigger_detail = forms.CharField(
        label=gettext_lazy("What triggered it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CloseForm(forms.Form):
    closed_on = _date_field(gettext_lazy("Closed on"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"closed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


def _dates_in_order(form: forms.Form, first: str, last: str, message: str) -> None:
    start, end = form.cleaned_data.get(first), form.cleaned_data.get(last)
    if start and end and end < start:
        form.add_error(last, message % {"end": _long(end), "start": _long(start)})


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ComplianceAction.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=255)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    decided_on = _date_field(gettext_lazy("Decided on"))
    ends_on = _date_field(
        gettext_lazy("Ends on"),
        required=False,
        help_text=gettext_lazy("Optional; not before the decision."),
    )
    review_visit = _IdField(
        label=gettext_lazy("Review mission visit"),
        help_text=gettext_lazy(
            "For a review mission: optionally the review mission visit of the participant."
        ),
    )

    def __init__(self, *args: Any, case: ComplianceCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        missions = [(v.pk, _mission_label(v)) for v in review_missions_of(case.participant)]
        _offer(self.fields["review_visit"], [("", "—"), *missions])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _dates_in_order(
            self,
            "decided_on",
            "ends_on",
            _("The action cannot end (%(end)s) before it was decided (%(start)s)."),
        )
        return data

    def clean_review_visit(self) -> ReviewVisit | None:
        value = self.cleaned_data.get("review_visit")
        if value is None:
            return None
        visit = ReviewVisit.objects.select_related("participant").filter(pk=value).first()
        if visit is None:
            raise forms.ValidationError(_("There is no visit number %(id)s.") % {"id": value})
        return visit


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=ComplianceAction.Status.choices
    )
    ends_on = _date_field(gettext_lazy("Ends on"), required=False)

    def __init__(self, *args: Any, action: ComplianceAction, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"status": action.status, "ends_on": action.ends_on})
        super().__init__(*args, **kwargs)
        self.action = action
        if action.kind != ComplianceAction.Kind.INTERIM_MEASURE:
            field = self.fields["status"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [
                c for c in ComplianceAction.Status.choices if c[0] != ComplianceAction.Status.LIFTED
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ends_on = data.get("ends_on")
        if ends_on and ends_on < self.action.decided_on:
            self.add_error(
                "ends_on",
                _("The action cannot end (%(end)s) before it was decided (%(start)s).")
                % {"end": _long(ends_on), "start": _long(self.action.decided_on)},
            )
        return data


class MilestoneForm(forms.Form):
    description = forms.CharField(
        label=gettext_lazy("Milestone"), widget=forms.Textarea(attrs={"rows": 2})
    )
    due_on = _date_field(gettext_lazy("Due date"))


class MilestoneCompleteForm(forms.Form):
    completed_on = _date_field(gettext_lazy("Completed on"))

    def __init__(self, *args: Any, milestone: ActionMilestone, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"completed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.milestone = milestone

    def clean_completed_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["completed_on"]
        today = timezone.localdate()
        if value > today:
            raise forms.ValidationError(
                _("%(date)s is in the future: give a date on or before today (%(today)s).")
                % {"date": _long(value), "today": _long(today)}
            )
        return value


class DecisionForm(forms.Form):
    decided_on = _date_field(gettext_lazy("Decided on"))
    body = forms.ChoiceField(
        label=gettext_lazy("Taken by"), choices=ComplianceDecision.Body.choices
    )
    working_body = forms.ChoiceField(
        label=gettext_lazy("Working body"),
        required=False,
        help_text=gettext_lazy("When the decision was taken by a working body."),
    )
    reference = forms.CharField(
        label=gettext_lazy("Reference"),
        required=False,
        max_length=255,
        help_text=gettext_lazy("e.g. the administrative decision"),
    )
    text = forms.CharField(label=gettext_lazy("Decision"), widget=forms.Textarea(attrs={"rows": 4}))
    status_change = forms.ChoiceField(
        label=gettext_lazy("Change of standing"),
        required=False,
        help_text=gettext_lazy(
            "Optional: the status event the decision records for the participant (e.g. "
            "suspended). Certificates and trade are judged against it from its date."
        ),
    )
    status_change_date = _date_field(
        gettext_lazy("Takes effect on"),
        required=False,
        help_text=gettext_lazy("The date of the status event; the decision's date if left empty."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bodies = self.fields["working_body"]
        assert isinstance(bodies, forms.ChoiceField)
        bodies.choices = [
            ("", "—"),
            *[
                (code, f"{name} ({code})")
                for code, name in WorkingBody.objects.order_by("code").values_list("code", "name")
            ],
        ]
        change = self.fields["status_change"]
        assert isinstance(change, forms.ChoiceField)
        change.choices = [("", _("no change of standing")), *StatusEvent.Event.choices]

    def clean_working_body(self) -> WorkingBody | None:
        code = self.cleaned_data.get("working_body")
        return WorkingBody.objects.filter(code=code).first() if code else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status_change_date") and not data.get("status_change"):
            self.add_error(
                "status_change",
                _("Choose the status event the decision records, or leave its date empty."),
            )
        _dates_in_order(
            self,
            "decided_on",
            "status_change_date",
            _("A decision cannot change the standing (%(end)s) before it was taken (%(start)s)."),
        )
        return data
