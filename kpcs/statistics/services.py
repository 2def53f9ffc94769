"""Writes about statistics submissions: saving figures (from the browser grid, an uploaded
file or the API — all through the same validation), the workflow draft → submitted →
queried → accepted → published, explanations of warnings, deadline extensions and the
participants' declared opening stock."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kpcs.accounts.permissions import is_secretariat
from kpcs.common import audit
from kpcs.participants.models import Participant
from kpcs.statistics.deadlines import submission_edit_state
from kpcs.statistics.models import (
    DATASET_PERIODS,
    Dataset,
    DeadlineExtension,
    ProductionRecord,
    ReportingDeadline,
    StockDeclaration,
    Submission,
    SubmissionTransition,
    TradeRecord,
    ValidationFinding,
)
from kpcs.statistics.revisions import (
    figures_diff,
    figures_of,
    revision_record,
    trade_row_key,
)
from kpcs.statistics.selectors.submissions import user_may_enter_figures_for
from kpcs.statistics.validation import (
    ERROR,
    FIRST_YEAR,
    MAX_CARATS,
    MAX_VALUE_USD,
    PRODUCTION,
    WARNING,
    CleanRow,
    Finding,
    StatisticsRejected,
    ValidationContext,
    validate_rows,
)

Status = Submission.Status
SubmissionKey = tuple[int, str, str]  # (year, dataset, period) of one participant


class WorkflowError(Exception):
    """A step the workflow does not allow now; the message says why."""


@dataclass
class SaveReport:
    """What saving figures did (or, for a dry run, would do)."""

    findings: list[Finding] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)
    dry_run: bool = False

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]


def _row_key(row: CleanRow) -> str:
    return (
        "production"
        if row.flow == PRODUCTION
        else trade_row_key(row.flow, row.partner, row.hs_code)
    )


def _edit_refusals(
    participant: Participant, keys: Sequence[SubmissionKey], first_rows: Mapping[Any, int | None]
) -> tuple[dict[SubmissionKey, Submission], list[Finding]]:
    existing = {
        (s.year, s.dataset, s.period): s
        for s in Submission.objects.filter(participant=participant).filter(
            year__in={k[0] for k in keys}
        )
    }
    refusals = []
    for key in keys:
        year, dataset, period = key
        submission = existing.get(key) or Submission(
            participant=participant, year=year, dataset=dataset, period=period
        )
        state = submission_edit_state(submission=submission)
        if not state.editable:
            refusals.append(
                Finding(
                    rule="period_locked",
                    severity=ERROR,
                    row_number=first_rows.get(key),
                    column="period",
                    message=_("%(period)s %(year)s %(dataset)s cannot be changed. %(reason)s")
                    % {
                        "period": period,
                        "year": year,
                        "dataset": Dataset(dataset).label,
                        "reason": state.reason,
                    },
                )
            )
    return existing, refusals


@transaction.atomic
def figures_save(
    *,
    participant: Participant,
    actor: Any,
    rows: Sequence[Mapping[str, Any]],
    scope: Sequence[SubmissionKey] = (),
    dry_run: bool = False,
) -> SaveReport:
    """Validate `rows` (FORMATS.md §1 columns, every row for `participant`) and store them as
    the figures of the submissions they belong to, replacing what those submissions held.

    `scope` names submissions to replace even when no row is given for them (a grid saved
    empty: a nil return). Whole or nothing: any error raises StatisticsRejected with every
    finding and stores nothing. With `dry_run`, nothing is stored either; the report says
    what would happen."""
    result = (
        validate_rows(rows, participant=participant, context=ValidationContext()) if rows else None
    )
    if result is not None and not result.is_valid:
        raise StatisticsRejected(result.findings)
    clean = result.rows if result else []
    by_key: dict[SubmissionKey, list[CleanRow]] = defaultdict(list)
    for row in clean:
        by_key[(row.year, row.dataset, row.period)].append(row)
    keys = list(dict.fromkeys([*by_key, *scope]))
    first_rows = {key: (rows_[0].row_number if rows_ else None) for key, rows_ in by_key.items()}
    existing, refusals = _edit_refusals(participant, keys, first_rows)
    findings = list(result.findings) if result else []
    if refusals:
        raise StatisticsRejected([*refusals, *findings])
    report = SaveReport(findings=findings, dry_run=dry_run)
    if dry_run:
        return report
    warnings_by_row: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        warnings_by_row[finding.row_number or 0].append(finding)
    for key in keys:
        year, dataset, period = key
        creating = key not in existing
        submission = existing.get(key) or Submission.objects.create(
            participant=participant, year=year, dataset=dataset, period=period
        )
        before = {} if creating else _trail_fields(submission)
        # Read on a fresh instance: figures_of caches the production row on the instance it
        # is given, and the rows are about to be replaced.
        before_figures = None if creating else figures_of(_fresh(submission))
        _replace_records(submission, by_key.get(key, []))
        row_keys = {row.row_number: _row_key(row) for row in by_key.get(key, [])}
        # A warning about a whole year (no row) concerns every submission being saved.
        own = [
            f
            for row_number, found in warnings_by_row.items()
            for f in found
            if row_number in row_keys or row_number == 0
        ]
        _store_warnings(submission, own, row_keys)
        if submission.status == Status.QUERIED and _changed_since_last_revision(submission):
            # Every change after submission is kept.
            revision_record(submission=submission, actor=actor)
        submission.save(update_fields=["updated_at"])
        # The figures are part of the submission's record: each saved change of a value is
        # in the submission's trail entry, so the trail shows every draft, not only revisions.
        figures_before, figures_after = _figure_fields(
            before_figures, figures_of(_fresh(submission))
        )
        after = _trail_fields(submission) | figures_after
        if creating:
            audit.record_create(actor=actor, instance=submission, after=after)
        else:
            audit.record_update(
                actor=actor, instance=submission, before=before | figures_before, after=after
            )
        report.submissions.append(submission)
    return report


def _fresh(submission: Submission) -> Submission:
    return Submission.objects.select_related("participant").get(pk=submission.pk)


def _trail_fields(submission: Submission) -> dict[str, Any]:
    # updated_at moves on every save; a save that changes nothing leaves no entry.
    return {k: v for k, v in audit.snapshot(submission).items() if k != "updated_at"}


def _figure_fields(
    old: Mapping[str, Any] | None, new: Mapping[str, Any]
) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """The values that differ between two sets of figures, as trail fields ("figures: <row>
    <column>") before and after, to sit beside the submission's own fields."""
    changes = figures_diff(dict(old) if old is not None else None, dict(new))

    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    names = [f"figures: {c['row'].replace('|', ' ')} {c['column']}" for c in changes]
    return (
        {name: text(c["before"]) for name, c in zip(names, changes, strict=True)},
        {name: text(c["after"]) for name, c in zip(names, changes, strict=True)},
    )


def _changed_since_last_revision(submission: Submission) -> bool:
    last = submission.revisions.order_by("-number").first()
    return last is None or last.figures != figures_of(submission)


def _may_enter(actor: Any, submission: Submission) -> None:
    if not user_may_enter_figures_for(user=actor, participant_id=submission.participant_id):
        raise WorkflowError(_("Only the participant's own authority may do this."))


def _replace_records(submission: Submission, rows: Sequence[CleanRow]) -> None:
    if submission.dataset == Dataset.PRODUCTION:
        ProductionRecord.objects.filter(submission=submission).delete()
        for row in rows:
            ProductionRecord.objects.create(
                submission=submission, carats=row.carats, value_usd=row.value_usd
            )
        return
    TradeRecord.objects.filter(submission=submission).delete()
    TradeRecord.objects.bulk_create(_trade_record(submission, row) for row in rows)


def _trade_record(submission: Submission, row: CleanRow) -> TradeRecord:
    # Validation guarantees a partner on every trade row.
    assert row.partner_id is not None
    return TradeRecord(
        submission=submission,
        flow=row.flow,
        partner_id=row.partner_id,
        hs_code=row.hs_code,
        carats=row.carats,
        value_usd=row.value_usd,
        certificates=row.certificates or 0,
    )


def _store_warnings(
    submission: Submission, findings: Sequence[Finding], row_keys: Mapping[int, str]
) -> None:
    """Replace the submission's warnings, keeping the participant's explanations of warnings
    that are still there (same rule, row and column)."""
    kept = {(f.rule, f.row, f.column): f for f in submission.findings.exclude(explanation="")}
    submission.findings.all().delete()
    stored = {}
    for finding in findings:
        if finding.severity != WARNING:
            continue
        row = row_keys.get(finding.row_number or 0, "")
        key = (finding.rule, row, finding.column)
        if key in stored:
            continue
        previous = kept.get(key)
        stored[key] = ValidationFinding(
            submission=submission,
            rule=finding.rule,
            severity=WARNING,
            row=row,
            column=finding.column,
            message=finding.message,
            explanation=previous.explanation if previous else "",
            explained_by=previous.explained_by if previous else None,
            explained_at=previous.explained_at if previous else None,
        )
    ValidationFinding.objects.bulk_create(stored.values())


EXPLANATION_MAX_LENGTH = 2000


def warning_explain(*, finding: ValidationFinding, actor: Any, explanation: str) -> None:
    _may_enter(actor, finding.submission)
    explanation = explanation.strip()
    if not explanation:
        raise WorkflowError(_("Write an explanation: a warning cannot be explained by nothing."))
    if len(explanation) > EXPLANATION_MAX_LENGTH:
        raise WorkflowError(
            _("Keep the explanation under %(max)s characters.") % {"max": EXPLANATION_MAX_LENGTH}
        )
    if not submission_edit_state(submission=finding.submission).editable:
        raise WorkflowError(submission_edit_state(submission=finding.submission).reason)
    before = audit.snapshot(finding)
    finding.explanation = explanation
    finding.explained_by = actor
    finding.explained_at = timezone.now()
    finding.save(update_fields=["explanation", "explained_by", "explained_at"])
    # The participant's words are submitted data (the finding itself is recomputed).
    audit.record_update(actor=actor, instance=finding, before=before)


def _transition(
    submission: Submission, to: str, actor: Any, comment: str = "", **stamps: Any
) -> Submission:
    SubmissionTransition.objects.create(
        submission=submission,
        from_status=submission.status,
        to_status=to,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        comment=comment,
    )
    before = _trail_fields(submission)
    submission.status = to
    for name, value in stamps.items():
        setattr(submission, name, value)
    submission.save()
    audit.record_update(
        actor=actor,
        instance=submission,
        before=before,
        after=_trail_fields(submission),
        reason=comment,
    )
    return submission


@transaction.atomic
def submission_submit(*, submission: Submission, actor: Any) -> Submission:
    """The participant says the figures are complete. Every warning needs an explanation."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _may_enter(actor, submission)
    if submission.status not in (Status.DRAFT, Status.QUERIED):
        raise WorkflowError(
            _("Only a draft or a queried submission can be submitted; this one is %(status)s.")
            % {"status": submission.get_status_display()}
        )
    state = submission_edit_state(submission=submission)
    if not state.editable:
        raise WorkflowError(state.reason)
    unexplained = submission.findings.filter(severity=WARNING, explanation="")
    if unexplained.exists():
        raise WorkflowError(
            _("Explain every warning before submitting: %(count)s still need an explanation.")
            % {"count": unexplained.count()}
        )
    _transition(
        submission, Status.SUBMITTED, actor, submitted_at=timezone.now(), submitted_by=actor
    )
    revision_record(submission=submission, actor=actor)
    return submission


def _secretariat_only(actor: Any) -> None:
    if not is_secretariat(actor):
        raise WorkflowError(_("Only the secretariat may do this."))


@transaction.atomic
def submission_query(*, submission: Submission, actor: Any, comment: str) -> Submission:
    """The secretariat asks questions; the participant may correct and submit again."""
    _secretariat_only(actor)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != Status.SUBMITTED:
        raise WorkflowError(_("Only a submitted submission can be queried."))
    if not comment.strip():
        raise WorkflowError(_("Say what the participant should look at."))
    return _transition(submission, Status.QUERIED, actor, comment.strip())


@transaction.atomic
def submission_accept(*, submission: Submission, actor: Any, comment: str = "") -> Submission:
    """The secretariat vouches for the figures; they are locked from now on."""
    _secretariat_only(actor)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != Status.SUBMITTED:
        raise WorkflowError(_("Only a submitted submission can be accepted."))
    _transition(
        submission,
        Status.ACCEPTED,
        actor,
        comment,
        accepted_at=timezone.now(),
        accepted_by=actor,
    )
    revision_record(submission=submission, actor=actor)
    return submission


@transaction.atomic
def submission_reopen(*, submission: Submission, actor: Any, reason: str) -> Submission:
    """Accepted (or published) figures need a correction: the secretariat sends them back to
    the participant. Published figures stay in their release until the next one."""
    _secretariat_only(actor)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status not in (Status.ACCEPTED, Status.PUBLISHED):
        raise WorkflowError(_("Only accepted or published figures can be reopened."))
    if not reason.strip():
        raise WorkflowError(_("Say why the figures are reopened."))
    return _transition(submission, Status.QUERIED, actor, reason.strip())


@transaction.atomic
def deadline_extension_grant(
    *,
    participant: Participant,
    year: int,
    dataset: str,
    period: str,
    until: dt.datetime,
    reason: str,
    actor: Any,
) -> DeadlineExtension:
    """Lift the deadline lock for one participant and period until a moment (audited)."""
    _secretariat_only(actor)
    if period not in DATASET_PERIODS[Dataset(dataset)]:
        raise WorkflowError(
            _("%(dataset)s is not reported for the period %(period)s.")
            % {"dataset": Dataset(dataset).label, "period": period}
        )
    if until <= timezone.now():
        raise WorkflowError(_("The extension must end in the future."))
    if not reason.strip():
        raise WorkflowError(_("Say why the deadline is lifted."))
    extension = DeadlineExtension.objects.create(
        participant=participant,
        year=year,
        dataset=dataset,
        period=period,
        until=until,
        reason=reason.strip(),
        granted_by=actor,
    )
    audit.record_create(actor=actor, instance=extension, reason=reason.strip())
    return extension


@transaction.atomic
def reporting_deadline_set(
    *, year: int, period: str, due_date: dt.date, actor: Any
) -> ReportingDeadline:
    """Set (or move) the due date of one period of a year, in the audit trail."""
    _secretariat_only(actor)
    deadline = (
        ReportingDeadline.objects.select_for_update().filter(year=year, period=period).first()
    )
    return audit.save_with_audit(
        instance=deadline or ReportingDeadline(year=year, period=period),
        actor=actor,
        values={"due_date": due_date},
    )


# --- Declared stock ----------------------------------------------------------------------------

STOCK_NOTE_MAX_LENGTH = 2000


def _stock_figure_problems() -> dict[str, dict[str, str]]:
    """Each stock figure's messages, naming the field so a person knows which to correct
    (whole sentences per field: translations cannot assemble them from pieces)."""
    return {
        "carats": {
            "not_a_number": _("The carats must be a number."),
            "negative": _("The carats cannot be negative; declare 0 when there was no stock."),
            "too_large": _("The carats are more than %(max)s; check the figure."),
            "decimals": _("Give the carats with at most two decimals."),
        },
        "value_usd": {
            "not_a_number": _("The value (US$) must be a number."),
            "negative": _("The value (US$) cannot be negative."),
            "too_large": _("The value (US$) is more than %(max)s; check the figure."),
            "decimals": _("Give the value (US$) with at most two decimals (cents)."),
        },
    }


def _stock_figure_problem(name: str, value: Decimal, limit: Decimal) -> str | None:
    messages = _stock_figure_problems()[name]
    if not value.is_finite():
        return messages["not_a_number"]
    if value < 0:
        return messages["negative"]
    if value > limit:
        return messages["too_large"] % {"max": formats.number_format(limit, 2, force_grouping=True)}
    if value != value.quantize(Decimal("0.01")):
        return messages["decimals"]
    return None


@transaction.atomic
def stock_declare(
    *,
    participant: Participant,
    year: int,
    carats: Decimal,
    value_usd: Decimal,
    note: str,
    actor: Any,
) -> StockDeclaration:
    """Declare (or change) the participant's opening stock of `year`: the rough diamonds it
    held at the start of the year, available to export during it. Only the participant's
    own authority declares it (PermissionDenied otherwise). Bad input raises ValidationError
    keyed by field (year, carats, value_usd, note), every problem at once; nothing is
    written. Each change is in the audit trail; declaring the same figures again changes
    nothing."""
    if not user_may_enter_figures_for(user=actor, participant_id=participant.pk):
        raise PermissionDenied(_("Only the participant's own authority may declare its stock."))
    note = note.strip()
    errors: dict[str, str] = {}
    last_year = timezone.localdate().year
    if not FIRST_YEAR <= year <= last_year:
        errors["year"] = _(
            "The year must be from %(first)s to %(last)s: KP statistics start in %(first)s, "
            "and a year's opening stock is declared once the year has begun."
        ) % {"first": FIRST_YEAR, "last": last_year}
    carats_problem = _stock_figure_problem("carats", carats, MAX_CARATS)
    if carats_problem:
        errors["carats"] = carats_problem
    value_problem = _stock_figure_problem("value_usd", value_usd, MAX_VALUE_USD)
    if value_problem:
        errors["value_usd"] = value_problem
    elif not carats_problem and carats == 0 and value_usd != 0:
        errors["value_usd"] = _(
            "A value (US$) needs carats: declare the carats held in stock, or a value of 0."
        )
    if len(note) > STOCK_NOTE_MAX_LENGTH:
        errors["note"] = _("Keep the note under %(max)s characters.") % {
            "max": STOCK_NOTE_MAX_LENGTH
        }
    if errors:
        raise ValidationError(errors)
    declaration = (
        StockDeclaration.objects.select_for_update()
        .filter(participant=participant, year=year)
        .first()
    )
    if (
        declaration is not None
        and declaration.carats == carats
        and declaration.value_usd == value_usd
        and declaration.note == note
    ):
        return declaration
    return audit.save_with_audit(
        instance=declaration or StockDeclaration(participant=participant, year=year),
        actor=actor,
        values={
            "carats": carats,
            "value_usd": value_usd,
            "note": note,
            "declared_at": timezone.now(),
            "declared_by": actor,
        },
    )
