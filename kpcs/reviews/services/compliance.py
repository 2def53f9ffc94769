"""Writes to compliance cases: opening, editing, closing and reopening a case; its actions
(review mission, action plan, interim measure), an action plan's milestones; its decisions,
which may change the participant's standing by recording a status event.

Only the KP secretariat writes (PermissionDenied otherwise). Bad input is refused with a
ValidationError whose keys name the fields (the API's and the forms' names), and nothing is
stored: every service runs in one transaction and is audited in it. A closed case takes no
further actions, milestones or decisions until it is reopened.

A decision with a status change records the StatusEvent through
kpcs.participants.services.status_event_record in the same transaction and links it
(ComplianceDecision.status_event): from that date on the participant's standing, and so which
certificates and trade are accepted from it, follows the event. If the very same event
(participant, date, kind) is already recorded, e.g. from the reference data, it is linked
rather than duplicated, unless another decision already recorded it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from kpcs.accounts.permissions import is_secretariat
from kpcs.common.audit import save_with_audit
from kpcs.participants.models import Observer, Participant, StatusEvent, WorkingBody
from kpcs.participants.services import status_event_record
from kpcs.reviews.models import (
    ActionMilestone,
    ComplianceAction,
    ComplianceCase,
    ComplianceDecision,
    Finding,
    ReviewVisit,
)
from kpcs.statistics.models import Anomaly

Errors = dict[str, list[str]]
M = TypeVar("M", bound=models.Model)

TITLE_MAX = 255
REFERENCE_MAX = 255
# StatusEvent.decision holds this much of the decision's reference or text.
EVENT_DECISION_MAX = 255


@dataclass(frozen=True)
class StatusChange:
    """The change of standing a decision makes: the event's kind and the date it takes
    effect (the decision's date when not given)."""

    event: str
    date: dt.date | None = None


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _refuse_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _date(value: dt.date) -> str:
    return str(formats.date_format(value, "DATE_FORMAT"))


def _require_secretariat(actor: Any) -> None:
    if not is_secretariat(actor):
        raise PermissionDenied(_("Only the KP secretariat may change compliance cases."))


def _require_open(case: ComplianceCase) -> None:
    if case.status == ComplianceCase.Status.CLOSED:
        raise ValidationError(
            {
                "case": [
                    _("The case was closed on %(date)s: reopen it before changing it.")
                    % {"date": _date(case.closed_on) if case.closed_on else ""}
                ]
            }
        )


def _not_in_future(errors: Errors, name: str, value: dt.date | None, today: dt.date) -> None:
    if value is not None and value > today:
        _add(
            errors,
            name,
            _("%(date)s is in the future: give a date on or before today (%(today)s).")
            % {"date": _date(value), "today": _date(today)},
        )


def _text_required(errors: Errors, name: str, value: str, message: str) -> None:
    if not (value or "").strip():
        _add(errors, name, message)


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _save(instance: M, *, actor: Any, values: dict[str, Any], reason: str = "") -> M:
    """Validate against the model (its constraints too) and save with the audit trail.
    `created_by` is left out of the validation: cases and decisions recorded without an
    author (loaded, or from before authors were kept) must stay editable."""
    for name, value in values.items():
        setattr(instance, name, value)
    instance.full_clean(exclude=["created_by"])
    return save_with_audit(
        instance=instance, actor=actor, values=values, reason=reason, validate=False
    )


# --- Cases ----------------------------------------------------------------------------------


def _check_trigger(
    errors: Errors,
    *,
    participant: Participant | None,
    trigger: str,
    anomaly: Anomaly | None,
    finding: Finding | None,
    reporting_observer: Observer | None,
) -> None:
    """What each trigger must name, and that what it names concerns the case's participant."""
    Trigger = ComplianceCase.Trigger
    if trigger not in Trigger.values:
        _add(
            errors,
            "trigger",
            _("“%(value)s” is not a trigger: use %(choices)s.")
            % {"value": str(trigger)[:40], "choices": ", ".join(Trigger.values)},
        )
        return
    if trigger == Trigger.STATISTICS_ANOMALY:
        if anomaly is None:
            _add(
                errors,
                "anomaly",
                _(
                    "Name the statistics anomaly that triggered the case (one of the "
                    "participant's)."
                ),
            )
        elif participant is not None and anomaly.participant_id != participant.pk:
            _add(
                errors,
                "anomaly",
                _(
                    "Anomaly %(id)s (%(year)s, %(rule)s) concerns %(other)s, not %(participant)s: "
                    "name one of %(participant)s's anomalies."
                )
                % {
                    "id": anomaly.pk,
                    "year": anomaly.year,
                    "rule": anomaly.get_rule_display(),
                    "other": anomaly.participant.code,
                    "participant": participant.code,
                },
            )
    elif anomaly is not None:
        _add(
            errors,
            "anomaly",
            _("An anomaly is named only when the trigger is “statistics anomaly”."),
        )
    if trigger == Trigger.REVIEW_FINDING:
        if finding is None:
            _add(
                errors,
                "finding",
                _(
                    "Name the review finding that triggered the case (from a visit of the "
                    "participant)."
                ),
            )
        elif participant is not None and finding.visit.participant_id != participant.pk:
            _add(
                errors,
                "finding",
                _(
                    "Finding %(id)s is from a visit of %(other)s, not of %(participant)s: "
                    "name a finding of a visit of %(participant)s."
                )
                % {
                    "id": finding.pk,
                    "other": finding.visit.participant.code,
                    "participant": participant.code,
                },
            )
    elif finding is not None:
        _add(
            errors,
            "finding",
            _("A finding is named only when the trigger is “review finding”."),
        )
    if trigger == Trigger.OBSERVER_REPORT:
        if reporting_observer is None:
            _add(
                errors,
                "reporting_observer",
                _("Name the observer whose report triggered the case."),
            )
    elif reporting_observer is not None:
        _add(
            errors,
            "reporting_observer",
            _("An observer is named only when the trigger is “report from an observer”."),
        )


@transaction.atomic
def compliance_case_open(
    *,
    actor: Any,
    participant: Participant | None,
    title: str,
    trigger: str,
    opened_on: dt.date | None,
    trigger_detail: str = "",
    anomaly: Anomaly | None = None,
    finding: Finding | None = None,
    reporting_observer: Observer | None = None,
    today: dt.date | None = None,
) -> ComplianceCase:
    """Open a case for a participant. The trigger names what set it off: a statistics anomaly
    or a review finding of that participant, a report from an observer, a UN decision or
    something else (described in `trigger_detail`)."""
    _require_secretariat(actor)
    today = today or timezone.localdate()
    errors: Errors = {}
    if participant is None:
        _add(errors, "participant", _("Choose the participant the case is about."))
    _text_required(errors, "title", title, _("Give the case a title."))
    if len(title or "") > TITLE_MAX:
        _add(errors, "title", _("A title has at most %(max)s characters.") % {"max": TITLE_MAX})
    if opened_on is None:
        _add(errors, "opened_on", _("Give the date the case was opened."))
    _not_in_future(errors, "opened_on", opened_on, today)
    _check_trigger(
        errors,
        participant=participant,
        trigger=trigger,
        anomaly=anomaly,
        finding=finding,
        reporting_observer=reporting_observer,
    )
    _refuse_if(errors)
    case = ComplianceCase(participant=participant, created_by=_user_or_none(actor))
    return _save(
        instance=case,
        actor=actor,
        values={
            "title": title.strip(),
            "trigger": trigger,
            "trigger_detail": (trigger_detail or "").strip(),
            "anomaly": anomaly,
            "finding": finding,
            "reporting_observer": reporting_observer,
            "opened_on": opened_on,
        },
    )


@transaction.atomic
def compliance_case_update(
    *, actor: Any, case: ComplianceCase, title: str | None = None, trigger_detail: str | None = None
) -> ComplianceCase:
    """Change a case's title or the description of what triggered it (open or closed)."""
    _require_secretariat(actor)
    errors: Errors = {}
    values: dict[str, Any] = {}
    if title is not None:
        _text_required(errors, "title", title, _("Give the case a title."))
        if len(title) > TITLE_MAX:
            _add(errors, "title", _("A title has at most %(max)s characters.") % {"max": TITLE_MAX})
        values["title"] = title.strip()
    if trigger_detail is not None:
        values["trigger_detail"] = trigger_detail.strip()
    _refuse_if(errors)
    return _save(instance=case, actor=actor, values=values)


@transaction.atomic
def compliance_case_close(
    *,
    actor: Any,
    case: ComplianceCase,
    closed_on: dt.date | None,
    reason: str = "",
    today: dt.date | None = None,
) -> ComplianceCase:
    """Close an open case on a date between its opening and today."""
    _require_secretariat(actor)
    today = today or timezone.localdate()
    errors: Errors = {}
    if case.status == ComplianceCase.Status.CLOSED:
        _add(errors, "status", _("The case is already closed."))
    if closed_on is None:
        _add(errors, "closed_on", _("Give the date the case was closed."))
    elif closed_on < case.opened_on:
        _add(
            errors,
            "closed_on",
            _("The case cannot be closed (%(closed)s) before it was opened (%(opened)s).")
            % {"closed": _date(closed_on), "opened": _date(case.opened_on)},
        )
    _not_in_future(errors, "closed_on", closed_on, today)
    _refuse_if(errors)
    return _save(
        instance=case,
        actor=actor,
        values={"status": ComplianceCase.Status.CLOSED, "closed_on": closed_on},
        reason=reason,
    )


@transaction.atomic
def compliance_case_reopen(*, actor: Any, case: ComplianceCase, reason: str = "") -> ComplianceCase:
    """Reopen a closed case (its closing date is kept in the audit trail)."""
    _require_secretariat(actor)
    if case.status == ComplianceCase.Status.OPEN:
        raise ValidationError({"status": [_("The case is open already.")]})
    return _save(
        instance=case,
        actor=actor,
        values={"status": ComplianceCase.Status.OPEN, "closed_on": None},
        reason=reason,
    )


# --- Actions and milestones ------------------------------------------------------------------


def _check_action(
    errors: Errors,
    *,
    case: ComplianceCase,
    kind: str,
    title: str,
    decided_on: dt.date | None,
    ends_on: dt.date | None,
    status: str,
    review_visit: ReviewVisit | None,
    today: dt.date,
) -> None:
    Kind = ComplianceAction.Kind
    if kind not in Kind.values:
        _add(
            errors,
            "kind",
            _("“%(value)s” is not a kind of action: use %(choices)s.")
            % {"value": str(kind)[:40], "choices": ", ".join(Kind.values)},
        )
    if status not in ComplianceAction.Status.values:
        _add(
            errors,
            "status",
            _("“%(value)s” is not a status of an action: use %(choices)s.")
            % {"value": str(status)[:40], "choices": ", ".join(ComplianceAction.Status.values)},
        )
    elif status == ComplianceAction.Status.LIFTED and kind != Kind.INTERIM_MEASURE:
        _add(errors, "status", _("Only an interim measure is lifted; mark this action completed."))
    _text_required(errors, "title", title, _("Give the action a title."))
    if len(title or "") > TITLE_MAX:
        _add(errors, "title", _("A title has at most %(max)s characters.") % {"max": TITLE_MAX})
    if decided_on is None:
        _add(errors, "decided_on", _("Give the date the action was decided."))
    else:
        if decided_on < case.opened_on:
            _add(
                errors,
                "decided_on",
                _(
                    "An action cannot be decided (%(decided)s) before the case was opened "
                    "(%(opened)s)."
                )
                % {"decided": _date(decided_on), "opened": _date(case.opened_on)},
            )
        _not_in_future(errors, "decided_on", decided_on, today)
        if ends_on is not None and ends_on < decided_on:
            _add(
                errors,
                "ends_on",
                _("The action cannot end (%(ends)s) before it was decided (%(decided)s).")
                % {"ends": _date(ends_on), "decided": _date(decided_on)},
            )
    if review_visit is not None:
        if kind != Kind.REVIEW_MISSION:
            _add(
                errors,
                "review_visit",
                _("Only a review mission is linked to a visit; this action is not one."),
            )
        elif review_visit.kind != ReviewVisit.Kind.REVIEW_MISSION:
            _add(
                errors,
                "review_visit",
                _("Visit %(id)s is a %(kind)s, not a review mission.")
                % {"id": review_visit.pk, "kind": review_visit.get_kind_display()},
            )
        elif review_visit.participant_id != case.participant_id:
            _add(
                errors,
                "review_visit",
                _(
                    "Review mission %(id)s went to %(other)s, not to %(participant)s: link a "
                    "mission to the case's participant."
                )
                % {
                    "id": review_visit.pk,
                    "other": review_visit.participant.code,
                    "participant": case.participant.code,
                },
            )


@transaction.atomic
def compliance_action_add(
    *,
    actor: Any,
    case: ComplianceCase,
    kind: str,
    title: str,
    decided_on: dt.date | None,
    description: str = "",
    ends_on: dt.date | None = None,
    review_visit: ReviewVisit | None = None,
    status: str = ComplianceAction.Status.PLANNED,
    today: dt.date | None = None,
) -> ComplianceAction:
    """Add a review mission (optionally linked to the review mission visit of the case's
    participant), an action plan or an interim measure to an open case."""
    _require_secretariat(actor)
    _require_open(case)
    today = today or timezone.localdate()
    errors: Errors = {}
    _check_action(
        errors,
        case=case,
        kind=kind,
        title=title,
        decided_on=decided_on,
        ends_on=ends_on,
        status=status,
        review_visit=review_visit,
        today=today,
    )
    _refuse_if(errors)
    return _save(
        instance=ComplianceAction(case=case),
        actor=actor,
        values={
            "kind": kind,
            "title": title.strip(),
            "description": (description or "").strip(),
            "decided_on": decided_on,
            "ends_on": ends_on,
            "review_visit": review_visit,
            "status": status,
        },
    )


ACTION_FIELDS = ("kind", "title", "description", "decided_on", "ends_on", "review_visit", "status")


@transaction.atomic
def compliance_action_update(
    *,
    actor: Any,
    action: ComplianceAction,
    values: dict[str, Any],
    today: dt.date | None = None,
) -> ComplianceAction:
    """Change an action of an open case: its status (planned, in progress, completed; an
    interim measure is lifted), its end date, or what it says. `values` holds only the
    fields to change (names as in ACTION_FIELDS)."""
    _require_secretariat(actor)
    case = action.case
    _require_open(case)
    today = today or timezone.localdate()
    unknown = sorted(set(values) - set(ACTION_FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    merged = {name: getattr(action, name) for name in ACTION_FIELDS} | values
    errors: Errors = {}
    _check_action(
        errors,
        case=case,
        kind=merged["kind"],
        title=merged["title"] or "",
        decided_on=merged["decided_on"],
        ends_on=merged["ends_on"],
        status=merged["status"],
        review_visit=merged["review_visit"],
        today=today,
    )
    leaves_plan = (
        "kind" in values
        and values["kind"] != action.kind
        and action.kind == ComplianceAction.Kind.ACTION_PLAN
    )
    if leaves_plan and action.milestones.exists():
        _add(errors, "kind", _("This action has milestones: it stays an action plan."))
    _refuse_if(errors)
    if "title" in values:
        values = values | {"title": values["title"].strip()}
    return _save(instance=action, actor=actor, values=values)


@transaction.atomic
def action_milestone_add(
    *,
    actor: Any,
    action: ComplianceAction,
    description: str,
    due_on: dt.date | None,
) -> ActionMilestone:
    """Add a milestone with its due date to an action plan of an open case."""
    _require_secretariat(actor)
    _require_open(action.case)
    errors: Errors = {}
    if action.kind != ComplianceAction.Kind.ACTION_PLAN:
        _add(
            errors,
            "action",
            _("Milestones belong to an action plan; this action is a %(kind)s.")
            % {"kind": action.get_kind_display()},
        )
    _text_required(errors, "description", description, _("Say what is to be done by the date."))
    if due_on is None:
        _add(errors, "due_on", _("Give the milestone's due date."))
    elif due_on < action.decided_on:
        _add(
            errors,
            "due_on",
            _("The milestone cannot fall due (%(due)s) before the plan was decided (%(decided)s).")
            % {"due": _date(due_on), "decided": _date(action.decided_on)},
        )
    _refuse_if(errors)
    return _save(
        instance=ActionMilestone(action=action),
        actor=actor,
        values={"description": description.strip(), "due_on": due_on},
    )


@transaction.atomic
def action_milestone_complete(
    *,
    actor: Any,
    milestone: ActionMilestone,
    completed_on: dt.date | None,
    today: dt.date | None = None,
) -> ActionMilestone:
    """Mark a milestone completed on a date between the plan's decision and today, or (None)
    not completed after all."""
    _require_secretariat(actor)
    action = milestone.action
    _require_open(action.case)
    today = today or timezone.localdate()
    errors: Errors = {}
    if completed_on is not None:
        if completed_on < action.decided_on:
            _add(
                errors,
                "completed_on",
                _(
                    "The milestone cannot be completed (%(completed)s) before the plan was "
                    "decided (%(decided)s)."
                )
                % {"completed": _date(completed_on), "decided": _date(action.decided_on)},
            )
        _not_in_future(errors, "completed_on", completed_on, today)
    _refuse_if(errors)
    return _save(instance=milestone, actor=actor, values={"completed_on": completed_on})


# --- Decisions -------------------------------------------------------------------------------


def _event_for_decision(
    *,
    actor: Any,
    case: ComplianceCase,
    change: StatusChange,
    decided_on: dt.date,
    reference: str,
    text: str,
) -> StatusEvent:
    """The participant's status event the decision records: the existing one of the same
    day and kind (not yet linked to a decision), or a new one."""
    participant = case.participant
    date = change.date or decided_on
    existing = (
        StatusEvent.objects.select_for_update()
        .filter(participant=participant, date=date, event=change.event)
        .first()
    )
    if existing is not None:
        linked = (
            ComplianceDecision.objects.select_related("case").filter(status_event=existing).first()
        )
        if linked is not None:
            raise ValidationError(
                {
                    "status_change": [
                        _(
                            "%(participant)s's status event “%(event)s” of %(date)s is already "
                            "recorded by a decision of %(decided)s (case “%(case)s”)."
                        )
                        % {
                            "participant": participant.code,
                            "event": existing.get_event_display(),
                            "date": _date(date),
                            "decided": _date(linked.decided_on),
                            "case": linked.case.title,
                        }
                    ]
                }
            )
        return existing
    summary = (reference or text).strip().splitlines()[0] if (reference or text).strip() else ""
    # Official data reads the same whatever language the secretariat works in.
    with translation.override(settings.LANGUAGE_CODE):
        note = _("Recorded by a decision on the compliance case “%(case)s”.") % {"case": case.title}
    return status_event_record(
        participant=participant,
        actor=actor,
        values={
            "date": date,
            "event": change.event,
            "decision": summary[:EVENT_DECISION_MAX],
            "note": note,
        },
    )


@transaction.atomic
def compliance_decision_record(
    *,
    actor: Any,
    case: ComplianceCase,
    decided_on: dt.date | None,
    body: str,
    text: str,
    working_body: WorkingBody | None = None,
    reference: str = "",
    status_change: StatusChange | None = None,
    today: dt.date | None = None,
) -> ComplianceDecision:
    """Record a decision on an open case. With `status_change`, the participant's status
    event is recorded (or the identical existing one linked) in the same transaction: a
    suspension dated D means the participant is not in good standing from D, so its
    certificates issued from D are refused."""
    _require_secretariat(actor)
    _require_open(case)
    today = today or timezone.localdate()
    errors: Errors = {}
    Body = ComplianceDecision.Body
    if decided_on is None:
        _add(errors, "decided_on", _("Give the date the decision was taken."))
    else:
        if decided_on < case.opened_on:
            _add(
                errors,
                "decided_on",
                _("A decision on the case cannot predate its opening (%(opened)s).")
                % {"opened": _date(case.opened_on)},
            )
        _not_in_future(errors, "decided_on", decided_on, today)
    if body not in Body.values:
        _add(
            errors,
            "body",
            _("“%(value)s” is not a deciding body: use %(choices)s.")
            % {"value": str(body)[:40], "choices": ", ".join(Body.values)},
        )
    elif body == Body.WORKING_BODY and working_body is None:
        _add(errors, "working_body", _("Name the working body that took the decision."))
    elif body != Body.WORKING_BODY and working_body is not None:
        _add(
            errors,
            "working_body",
            _("A working body is named only when the decision was taken by a working body."),
        )
    _text_required(errors, "text", text, _("Give the text of the decision."))
    if len(reference or "") > REFERENCE_MAX:
        _add(
            errors,
            "reference",
            _("A reference has at most %(max)s characters.") % {"max": REFERENCE_MAX},
        )
    if status_change is not None:
        if status_change.event not in StatusEvent.Event.values:
            _add(
                errors,
                "status_change",
                _("“%(value)s” is not a status event: use %(choices)s.")
                % {
                    "value": str(status_change.event)[:40],
                    "choices": ", ".join(StatusEvent.Event.values),
                },
            )
        if (
            status_change.date is not None
            and decided_on is not None
            and status_change.date < decided_on
        ):
            _add(
                errors,
                "status_change_date",
                _(
                    "A decision cannot change the standing (%(date)s) before it was taken "
                    "(%(decided)s)."
                )
                % {"date": _date(status_change.date), "decided": _date(decided_on)},
            )
    _refuse_if(errors)
    assert decided_on is not None  # for the type checker: refused above otherwise
    event = None
    if status_change is not None:
        event = _event_for_decision(
            actor=actor,
            case=case,
            change=status_change,
            decided_on=decided_on,
            reference=reference,
            text=text,
        )
    return _save(
        instance=ComplianceDecision(case=case, created_by=_user_or_none(actor)),
        actor=actor,
        values={
            "decided_on": decided_on,
            "body": body,
            "working_body": working_body if body == Body.WORKING_BODY else None,
            "reference": (reference or "").strip(),
            "text": text.strip(),
            "status_event": event,
        },
    )
