"""Writes about review visits: creating and editing a visit, its team, the expert roster and the
secretariat's moves in the visit's status workflow.

Every write is the secretariat's (the roster also takes nominations from authorities and
observers), runs in one transaction and is audited. Bad input raises ValidationError with a
message under the field at fault, a forbidden action PermissionDenied; nothing is half-saved.

The status workflow (TRANSITIONS): the secretariat moves a visit through `visit_transition`;
draft_report, comments_received and final_report are set by the report's workflow (the lead's
first draft, the participant's comments, the final version: kpcs.reviews.services of the
report), never by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kpcs.accounts.permissions import is_secretariat
from kpcs.common import audit
from kpcs.participants.models import Observer, Participant, WorkingBody
from kpcs.reviews.models import ExpertNomination, RequirementArea, ReviewVisit, TeamMember
from kpcs.reviews.selectors.access import WGM_CODE
from kpcs.reviews.terms_of_reference import standard_terms_of_reference

Status = ReviewVisit.Status

# Who makes each move: the secretariat by hand, or the report's workflow (PAPERS' services).
BY_SECRETARIAT = "secretariat"
BY_REPORT = "report"

TRANSITIONS: dict[str, dict[str, str]] = {
    Status.INVITED: {Status.TEAM_FORMED: BY_SECRETARIAT},
    Status.TEAM_FORMED: {Status.SCHEDULED: BY_SECRETARIAT},
    Status.SCHEDULED: {Status.VISIT_DONE: BY_SECRETARIAT},
    Status.VISIT_DONE: {Status.DRAFT_REPORT: BY_REPORT},
    Status.DRAFT_REPORT: {Status.COMMENTS_RECEIVED: BY_REPORT},
    Status.COMMENTS_RECEIVED: {Status.FINAL_REPORT: BY_REPORT},
    Status.FINAL_REPORT: {Status.ADOPTED: BY_SECRETARIAT},
    Status.ADOPTED: {Status.PUBLISHED: BY_SECRETARIAT, Status.RESTRICTED: BY_SECRETARIAT},
    Status.RESTRICTED: {Status.PUBLISHED: BY_SECRETARIAT},
    Status.PUBLISHED: {},
}

# What a move may be given (and, for most, needs).
MOVE_DETAILS: dict[str, tuple[str, ...]] = {
    Status.TEAM_FORMED: (),
    Status.SCHEDULED: ("planned_start", "planned_end"),
    Status.VISIT_DONE: ("actual_start", "actual_end"),
    Status.ADOPTED: ("adopted_on", "adopted_by"),
    Status.PUBLISHED: ("published_on",),
    Status.RESTRICTED: (),
}

STATUS_ORDER: list[str] = list(Status.values)
# The team is fixed once the working group has adopted the report.
TEAM_FROZEN = frozenset({Status.ADOPTED, Status.PUBLISHED, Status.RESTRICTED})

VISIT_FIELDS = (
    "participant",
    "kind",
    "round",
    "invited_on",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "terms_of_reference",
)
DATE_FIELDS = ("invited_on", "planned_start", "planned_end", "actual_start", "actual_end")
FIRST_YEAR = 2000  # the Kimberley Process began in 2000
LAST_YEAR = 2100
MAX_ROUND = 20


def _day(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _status_label(value: str) -> str:
    return str(Status(value).label)


def _require_secretariat(actor: Any, message: str) -> None:
    if not is_secretariat(actor):
        raise PermissionDenied(message)


def status_reached(visit: ReviewVisit, status: str) -> bool:
    """Whether the visit is at `status` or beyond it in the workflow."""
    return STATUS_ORDER.index(visit.status) >= STATUS_ORDER.index(status)


def secretariat_moves(visit: ReviewVisit) -> list[str]:
    """The statuses the secretariat may move the visit to next."""
    return [to for to, by in TRANSITIONS[visit.status].items() if by == BY_SECRETARIAT]


# --- Dates -----------------------------------------------------------------------------------


def visit_date_problems(
    *,
    kind: str | None,
    invited_on: dt.date | None,
    planned_start: dt.date | None,
    planned_end: dt.date | None,
    actual_start: dt.date | None = None,
    actual_end: dt.date | None = None,
) -> dict[str, list[str]]:
    """What is wrong with a visit's dates, by field (the form and the API say the same)."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    dates = {
        "invited_on": invited_on,
        "planned_start": planned_start,
        "planned_end": planned_end,
        "actual_start": actual_start,
        "actual_end": actual_end,
    }
    for field, value in dates.items():
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            add(
                field,
                _("Give a date from %(first)s to %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
            )
    if problems:
        return problems
    if kind == ReviewVisit.Kind.REVIEW_VISIT and invited_on is None:
        add(
            "invited_on",
            _(
                "A review visit takes place at the participant's invitation: give the date "
                "of the invitation."
            ),
        )
    for start_field, end_field, start, end in (
        ("planned_start", "planned_end", planned_start, planned_end),
        ("actual_start", "actual_end", actual_start, actual_end),
    ):
        if start is None and end is not None:
            add(start_field, _("Give the start date too (an end date is given)."))
        if end is None and start is not None:
            add(end_field, _("Give the end date too (a start date is given)."))
        if start is not None and end is not None and end < start:
            add(
                end_field,
                _("The end (%(end)s) is before the start (%(start)s).")
                % {"end": _day(end), "start": _day(start)},
            )
    if invited_on is not None:
        for field, value in (("planned_start", planned_start), ("actual_start", actual_start)):
            if value is not None and value < invited_on:
                add(
                    field,
                    _("The visit cannot start (%(start)s) before the invitation (%(invited)s).")
                    % {"start": _day(value), "invited": _day(invited_on)},
                )
    return problems


def _raise(problems: dict[str, list[str]]) -> None:
    if problems:
        raise ValidationError(problems)


# --- Visits ----------------------------------------------------------------------------------


def _check_kind_and_round(kind: Any, round_: Any, problems: dict[str, list[str]]) -> None:
    if kind not in ReviewVisit.Kind.values:
        problems.setdefault("kind", []).append(
            _("“%(kind)s” is not a kind of visit: use %(kinds)s.")
            % {"kind": str(kind)[:30], "kinds": ", ".join(ReviewVisit.Kind.values)}
        )
    if not isinstance(round_, int) or isinstance(round_, bool) or not 1 <= round_ <= MAX_ROUND:
        problems.setdefault("round", []).append(
            _("The round is a whole number from 1 to %(max)s (first round, second, …).")
            % {"max": MAX_ROUND}
        )


def _team_conflicts(visit: ReviewVisit, participant: Participant) -> list[str]:
    """Members who would be on their own participant's review team."""
    clash = (
        TeamMember.objects.filter(visit=visit)
        .filter(participant=participant)
        .select_related("user")
    )
    acting = TeamMember.objects.filter(visit=visit, user__participant=participant).select_related(
        "user"
    )
    return sorted({m.user.get_username() for m in [*clash, *acting]})


@transaction.atomic
def visit_create(
    *,
    actor: Any,
    participant: Participant,
    kind: str,
    round: int,  # noqa: A002 - the KP's word for it
    invited_on: dt.date | None = None,
    planned_start: dt.date | None = None,
    planned_end: dt.date | None = None,
    terms_of_reference: str | None = None,
) -> ReviewVisit:
    """A new visit at status `invited`, with the standard terms of reference unless others
    are given. Secretariat only."""
    _require_secretariat(actor, _("Only the KP secretariat creates review visits."))
    problems: dict[str, list[str]] = {}
    _check_kind_and_round(kind, round, problems)
    _raise(problems)
    _raise(
        visit_date_problems(
            kind=kind,
            invited_on=invited_on,
            planned_start=planned_start,
            planned_end=planned_end,
        )
    )
    if terms_of_reference is None or not terms_of_reference.strip():
        terms_of_reference = standard_terms_of_reference(kind)
    visit = ReviewVisit(created_by=actor if getattr(actor, "pk", None) else None)
    return audit.save_with_audit(
        instance=visit,
        actor=actor,
        values={
            "participant": participant,
            "kind": kind,
            "round": round,
            "invited_on": invited_on,
            "planned_start": planned_start,
            "planned_end": planned_end,
            "terms_of_reference": terms_of_reference,
            "status": Status.INVITED,
        },
        reason="review visit created",
    )


@transaction.atomic
def visit_update(*, actor: Any, visit: ReviewVisit, **changes: Any) -> ReviewVisit:
    """Change a visit's particulars (VISIT_FIELDS): the status and adoption facts change only
    through `visit_transition`. Dates a status relies on cannot be taken away."""
    _require_secretariat(actor, _("Only the KP secretariat edits review visits."))
    unknown = sorted(set(changes) - set(VISIT_FIELDS))
    if unknown:
        raise ValidationError(
            {
                name: [_("This cannot be edited here: the status workflow sets it.")]
                for name in unknown
            }
        )
    visit = ReviewVisit.objects.select_for_update().get(pk=visit.pk)
    values = {name: getattr(visit, name) for name in VISIT_FIELDS} | changes
    if not (values.get("terms_of_reference") or "").strip():
        values["terms_of_reference"] = standard_terms_of_reference(values["kind"])
    problems: dict[str, list[str]] = {}
    _check_kind_and_round(values["kind"], values["round"], problems)
    _raise(problems)
    problems = visit_date_problems(
        kind=values["kind"],
        invited_on=values["invited_on"],
        planned_start=values["planned_start"],
        planned_end=values["planned_end"],
        actual_start=values["actual_start"],
        actual_end=values["actual_end"],
    )
    if status_reached(visit, Status.SCHEDULED):
        for name in ("planned_start", "planned_end"):
            if values[name] is None:
                problems.setdefault(name, []).append(
                    _("A scheduled visit keeps its planned dates: give this date.")
                )
    if status_reached(visit, Status.VISIT_DONE):
        for name in ("actual_start", "actual_end"):
            if values[name] is None:
                problems.setdefault(name, []).append(
                    _("The visit is done: keep the date it actually took place.")
                )
    if visit.adopted_on and values["actual_end"] and values["actual_end"] > visit.adopted_on:
        problems.setdefault("actual_end", []).append(
            _("The visit cannot end after its report was adopted (%(adopted)s).")
            % {"adopted": _day(visit.adopted_on)}
        )
    if values["participant"].pk != visit.participant_id:
        conflicts = _team_conflicts(visit, values["participant"])
        if conflicts:
            problems.setdefault("participant", []).append(
                _(
                    "A participant cannot be on its own review team: %(users)s on the team "
                    "act for %(participant)s. Remove them first."
                )
                % {"users": ", ".join(conflicts), "participant": values["participant"].code}
            )
    _raise(problems)
    return audit.save_with_audit(
        instance=visit, actor=actor, values=values, reason="review visit edited"
    )


# --- The status workflow ---------------------------------------------------------------------


def _move_refusal(visit: ReviewVisit, to: str) -> str | None:
    if to == visit.status:
        return _("The visit is already “%(status)s”.") % {"status": _status_label(to)}
    allowed = TRANSITIONS[visit.status]
    if to not in allowed:
        next_moves = ", ".join(f"“{_status_label(s)}”" for s in allowed) or _("nowhere (final)")
        return _(
            "A visit at “%(current)s” cannot move to “%(to)s”; from “%(current)s” it moves to "
            "%(next)s."
        ) % {"current": _status_label(visit.status), "to": _status_label(to), "next": next_moves}
    if allowed[to] == BY_REPORT:
        return _(
            "A visit reaches “%(to)s” through its report: the lead's first draft, the "
            "participant's comments and the final version move it there, not a status change "
            "by hand."
        ) % {"to": _status_label(to)}
    return None


def _default_working_body() -> WorkingBody | None:
    return WorkingBody.objects.filter(code=WGM_CODE).first()


def _check_team_formed(visit: ReviewVisit, problems: dict[str, list[str]]) -> None:
    team = TeamMember.objects.filter(visit=visit)
    if not team.filter(role=TeamMember.Role.LEAD).exists():
        problems.setdefault("team", []).append(
            _("The team has no lead yet: add a lead (a participant's representative) first.")
        )
    if not team.exclude(role=TeamMember.Role.LEAD).exists():
        problems.setdefault("team", []).append(
            _("The team needs at least one member besides the lead.")
        )


def _check_required(values: dict[str, Any], names: Iterable[str], message: str) -> dict:
    return {name: [message] for name in names if values.get(name) is None}


@transaction.atomic
def visit_transition(*, visit: ReviewVisit, to: str, actor: Any, **details: Any) -> ReviewVisit:
    """Move the visit to status `to` if TRANSITIONS allows the secretariat that move and its
    conditions hold:

    - team_formed: the team has a lead and at least one other member;
    - scheduled: planned dates (kept or given: planned_start, planned_end);
    - visit_done: actual dates (kept or given: actual_start, actual_end), not after today;
    - adopted: adopted_on (not before the visit's actual end, not after today) and adopted_by
      (a WorkingBody; the Working Group on Monitoring when not given);
    - published: published_on (not before the adoption, not after today);
    - restricted: nothing more.

    Refused moves raise ValidationError naming what is missing; nothing changes."""
    _require_secretariat(actor, _("Only the KP secretariat changes the status of a visit."))
    if to not in Status.values:
        raise ValidationError(
            {
                "to": [
                    _("“%(to)s” is not a status: use one of %(statuses)s.")
                    % {"to": str(to)[:30], "statuses": ", ".join(Status.values)}
                ]
            }
        )
    visit = ReviewVisit.objects.select_for_update().get(pk=visit.pk)
    refusal = _move_refusal(visit, to)
    if refusal:
        raise ValidationError({"to": [refusal]})
    given = {name: value for name, value in details.items() if value is not None}
    accepted = MOVE_DETAILS[to]
    unexpected = sorted(set(given) - set(accepted))
    if unexpected:
        raise ValidationError(
            {
                name: [
                    _("Not used when moving to “%(to)s”: leave it out.") % {"to": _status_label(to)}
                ]
                for name in unexpected
            }
        )
    today = timezone.localdate()
    values: dict[str, Any] = {"status": to, **given}
    problems: dict[str, list[str]] = {}
    if to == Status.TEAM_FORMED:
        _check_team_formed(visit, problems)
    elif to in (Status.SCHEDULED, Status.VISIT_DONE):
        dates = {name: getattr(visit, name) for name in DATE_FIELDS} | given
        needed = MOVE_DETAILS[to]
        problems = _check_required(
            dates, needed, _("Give this date: the visit cannot move on without it.")
        )
        if not problems:
            problems = visit_date_problems(kind=visit.kind, **dates)
        if not problems and to == Status.VISIT_DONE and dates["actual_end"] > today:
            problems["actual_end"] = [
                _("The visit is not over yet: its actual end (%(end)s) is after today.")
                % {"end": _day(dates["actual_end"])}
            ]
    elif to == Status.ADOPTED:
        values.setdefault("adopted_by", _default_working_body())
        if not isinstance(values["adopted_by"], WorkingBody):
            problems["adopted_by"] = [_("Name the working body that adopted the report.")]
        adopted_on = values.get("adopted_on")
        if adopted_on is None:
            problems["adopted_on"] = [_("Give the date the working group adopted the report.")]
        elif adopted_on > today:
            problems["adopted_on"] = [
                _("The adoption date (%(date)s) is in the future.") % {"date": _day(adopted_on)}
            ]
        elif visit.actual_end and adopted_on < visit.actual_end:
            problems["adopted_on"] = [
                _("The report cannot be adopted (%(adopted)s) before the visit ended (%(end)s).")
                % {"adopted": _day(adopted_on), "end": _day(visit.actual_end)}
            ]
    elif to == Status.PUBLISHED:
        published_on = values.get("published_on")
        if published_on is None:
            problems["published_on"] = [_("Give the date the report is published.")]
        elif published_on > today:
            problems["published_on"] = [
                _("The publication date (%(date)s) is in the future.")
                % {"date": _day(published_on)}
            ]
        elif visit.adopted_on and published_on < visit.adopted_on:
            problems["published_on"] = [
                _(
                    "The report cannot be published (%(published)s) before its adoption "
                    "(%(adopted)s)."
                )
                % {"published": _day(published_on), "adopted": _day(visit.adopted_on)}
            ]
    _raise(problems)
    return audit.save_with_audit(
        instance=visit,
        actor=actor,
        values=values,
        reason=f"status {visit.status} → {to}",
    )


# --- The team --------------------------------------------------------------------------------


def _check_team_open(visit: ReviewVisit) -> None:
    if visit.status in TEAM_FROZEN:
        raise ValidationError(
            {
                "visit": [
                    _("The report is adopted (status “%(status)s”): the team no longer changes.")
                    % {"status": _status_label(visit.status)}
                ]
            }
        )


def _member_represents(
    *,
    visit: ReviewVisit,
    user: Any,
    role: str,
    represents: str,
    participant: Participant | None,
    observer: Observer | None,
    nomination: ExpertNomination | None,
    problems: dict[str, list[str]],
) -> dict[str, Any]:
    """Check whom the member represents; return participant, observer and nomination."""

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    Represents = TeamMember.Represents
    if represents not in Represents.values:
        add(
            "represents",
            _("“%(value)s” is not whom a member can represent: use %(choices)s.")
            % {"value": str(represents)[:30], "choices": ", ".join(Represents.values)},
        )
        return {}
    if role == TeamMember.Role.LEAD and represents != Represents.PARTICIPANT:
        add("represents", _("The lead of a review team represents a participant."))
    if role == TeamMember.Role.EXPERT and represents != Represents.EXPERT:
        add("represents", _("An expert on the team comes from the roster: choose “expert”."))
    if nomination is not None and represents != Represents.EXPERT:
        add("nomination", _("A roster nomination is only for a member who joins as an expert."))
    if represents == Represents.PARTICIPANT:
        participant = participant or getattr(user, "participant", None)
        if observer is not None:
            add("observer", _("A participant's representative represents no observer."))
        if participant is None:
            add("participant", _("Name the participant this member represents."))
        elif participant.pk == visit.participant_id:
            add(
                "participant",
                _("%(participant)s is the participant reviewed: it cannot be on its own team.")
                % {"participant": participant.code},
            )
        return {"participant": participant, "observer": None, "nomination": None}
    if represents in (Represents.INDUSTRY, Represents.CIVIL_SOCIETY):
        observer = observer or getattr(user, "observer", None)
        if participant is not None:
            add("participant", _("An observer's representative represents no participant."))
        kind_label = str(Observer.Kind(represents).label)
        if observer is None:
            add(
                "observer",
                _("Name the %(kind)s observer this member represents.") % {"kind": kind_label},
            )
        elif observer.kind != represents:
            if represents == Represents.INDUSTRY:
                message = _("%(observer)s is not an industry observer (it is %(kind)s).")
            else:
                message = _("%(observer)s is not a civil society observer (it is %(kind)s).")
            add(
                "observer",
                message % {"observer": observer.name, "kind": observer.get_kind_display()},
            )
        return {"participant": None, "observer": observer, "nomination": None}
    if participant is not None or observer is not None:
        field = "participant" if participant is not None else "observer"
        add(field, _("Leave this empty: the member represents no participant or observer."))
    if represents == Represents.SECRETARIAT:
        if not is_secretariat(user):
            add("user", _("Only a member of the KP secretariat represents the secretariat."))
        return {"participant": None, "observer": None, "nomination": None}
    # An expert from the roster.
    nomination = nomination or ExpertNomination.objects.filter(user=user, active=True).first()
    if nomination is None:
        add(
            "nomination",
            _("%(user)s is not on the expert roster: only nominated experts join as experts.")
            % {"user": user.get_username()},
        )
    elif not nomination.active:
        add("nomination", _("This nomination was withdrawn from the roster."))
    elif nomination.user_id != user.pk:
        add(
            "nomination",
            _("This nomination is for %(other)s, not %(user)s.")
            % {"other": nomination.user.get_username(), "user": user.get_username()},
        )
    return {"participant": None, "observer": None, "nomination": nomination}


@transaction.atomic
def team_member_add(
    *,
    actor: Any,
    visit: ReviewVisit,
    user: Any,
    role: str,
    represents: str,
    participant: Participant | None = None,
    observer: Observer | None = None,
    nomination: ExpertNomination | None = None,
) -> TeamMember:
    """Put a user on the visit's team. Rules: one lead, who represents a participant; nobody
    for the participant reviewed; industry and civil society through an observer of that
    kind; experts from the active roster; each user once. The participant or observer
    represented defaults to the one the user acts for. Secretariat only."""
    _require_secretariat(actor, _("Only the KP secretariat forms review teams."))
    visit = ReviewVisit.objects.select_for_update().get(pk=visit.pk)
    _check_team_open(visit)
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    name = user.get_username()
    if not user.is_active:
        add("user", _("%(user)s's account is not active.") % {"user": name})
    if TeamMember.objects.filter(visit=visit, user=user).exists():
        add("user", _("%(user)s is already on this visit's team.") % {"user": name})
    if getattr(user, "participant_id", None) == visit.participant_id:
        add(
            "user",
            _(
                "%(user)s acts for %(participant)s, the participant reviewed: a participant "
                "cannot be on its own review team."
            )
            % {"user": name, "participant": visit.participant.code},
        )
    if role not in TeamMember.Role.values:
        add(
            "role",
            _("“%(role)s” is not a role: use lead, member or expert.") % {"role": str(role)[:20]},
        )
    elif role == TeamMember.Role.LEAD:
        lead = TeamMember.objects.filter(visit=visit, role=role).select_related("user").first()
        if lead is not None:
            add(
                "role",
                _("The team already has a lead (%(user)s): a team has one lead.")
                % {"user": lead.user.get_username()},
            )
    represented = _member_represents(
        visit=visit,
        user=user,
        role=role,
        represents=represents,
        participant=participant,
        observer=observer,
        nomination=nomination,
        problems=problems,
    )
    _raise(problems)
    member = TeamMember(visit=visit, user=user)
    return audit.save_with_audit(
        instance=member,
        actor=actor,
        values={"role": role, "represents": represents, **represented},
        reason=f"added to the team of review visit {visit.pk}",
    )


@transaction.atomic
def team_member_remove(*, actor: Any, visit: ReviewVisit, member: TeamMember) -> None:
    """Take a member off the team (before the report is adopted). Secretariat only."""
    _require_secretariat(actor, _("Only the KP secretariat forms review teams."))
    visit = ReviewVisit.objects.select_for_update().get(pk=visit.pk)
    _check_team_open(visit)
    if member.visit_id != visit.pk:
        raise ValidationError({"member": [_("This person is not on this visit's team.")]})
    audit.delete_with_audit(
        instance=member, actor=actor, reason=f"removed from the team of review visit {visit.pk}"
    )


# --- The expert roster -----------------------------------------------------------------------


def _nominating_body(
    actor: Any,
    user: Any,
    participant: Participant | None,
    observer: Observer | None,
) -> tuple[Participant | None, Observer | None]:
    """Who nominates: the secretariat names the participant or observer; an authority
    nominates for its participant and an observer's user for its organisation, each only
    people acting for it."""
    name = user.get_username()
    if is_secretariat(actor):
        if (participant is None) == (observer is None):
            raise ValidationError(
                {
                    "nominated_by": [
                        _("Name either the participant or the observer that nominates the expert.")
                    ]
                }
            )
        return participant, observer
    if getattr(actor, "is_authority", False):
        own = actor.participant
        if observer is not None or (participant is not None and participant.pk != own.pk):
            raise PermissionDenied(
                _("An authority nominates experts for its own participant (%(code)s) only.")
                % {"code": own.code}
            )
        if getattr(user, "participant_id", None) != own.pk:
            raise PermissionDenied(
                _("%(user)s does not act for %(code)s: an authority nominates its own people.")
                % {"user": name, "code": own.code}
            )
        return own, None
    if getattr(actor, "is_observer", False):
        own_observer = actor.observer
        if participant is not None or (observer is not None and observer.pk != own_observer.pk):
            raise PermissionDenied(
                _("An observer nominates experts for its own organisation (%(code)s) only.")
                % {"code": own_observer.code}
            )
        if getattr(user, "observer_id", None) != own_observer.pk:
            raise PermissionDenied(
                _("%(user)s does not act for %(code)s: an observer nominates its own people.")
                % {"user": name, "code": own_observer.code}
            )
        return None, own_observer
    raise PermissionDenied(
        _("Experts are nominated by participants' authorities, observers and the secretariat.")
    )


@transaction.atomic
def expert_nominate(
    *,
    actor: Any,
    user: Any,
    nominated_by_participant: Participant | None = None,
    nominated_by_observer: Observer | None = None,
    areas: Iterable[str] = (),
    expertise: str = "",
    nominated_on: dt.date | None = None,
) -> ExpertNomination:
    """Put a person on the expert roster for the areas given."""
    participant, observer = _nominating_body(
        actor, user, nominated_by_participant, nominated_by_observer
    )
    problems: dict[str, list[str]] = {}
    areas = list(dict.fromkeys(areas))
    unknown = [area for area in areas if area not in RequirementArea.values]
    if unknown:
        problems["areas"] = [
            _("Not a requirement area: %(areas)s.") % {"areas": ", ".join(unknown)[:100]}
        ]
    elif not areas:
        problems["areas"] = [_("Choose at least one area of expertise.")]
    if not user.is_active:
        problems["user"] = [_("%(user)s's account is not active.") % {"user": user.get_username()}]
    elif ExpertNomination.objects.filter(user=user, active=True).exists():
        problems["user"] = [_("%(user)s is already on the roster.") % {"user": user.get_username()}]
    _raise(problems)
    nomination = ExpertNomination(user=user)
    return audit.save_with_audit(
        instance=nomination,
        actor=actor,
        values={
            "nominated_by_participant": participant,
            "nominated_by_observer": observer,
            "areas": areas,
            "expertise": expertise.strip(),
            "nominated_on": nominated_on or timezone.localdate(),
            "active": True,
        },
        reason="nominated to the expert roster",
    )


def may_withdraw(actor: Any, nomination: ExpertNomination) -> bool:
    """The secretariat, or whoever nominated the expert."""
    if is_secretariat(actor):
        return True
    if getattr(actor, "is_authority", False):
        return bool(nomination.nominated_by_participant_id == actor.participant_id)
    if getattr(actor, "is_observer", False):
        return bool(nomination.nominated_by_observer_id == actor.observer_id)
    return False


@transaction.atomic
def expert_withdraw(*, actor: Any, nomination: ExpertNomination) -> ExpertNomination:
    """Take the expert off the roster (kept, inactive). Places already held on teams stay."""
    if not may_withdraw(actor, nomination):
        raise PermissionDenied(
            _("Only the secretariat or whoever nominated the expert may withdraw the nomination.")
        )
    nomination = ExpertNomination.objects.select_for_update().get(pk=nomination.pk)
    if not nomination.active:
        raise ValidationError({"nomination": [_("This nomination is already withdrawn.")]})
    return audit.save_with_audit(
        instance=nomination,
        actor=actor,
        values={"active": False},
        reason="withdrawn from the expert roster",
    )
