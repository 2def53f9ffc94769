"""Who sees which submissions: a participant authority its own participant's, the secretariat
all of them, nobody else any (a forbidden submission answers 404, never a leak)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from kpcs.accounts.permissions import is_secretariat
from kpcs.participants.models import Participant
from kpcs.statistics.models import (
    ProductionRecord,
    Submission,
    SubmissionRevision,
    SubmissionTransition,
    TradeRecord,
    ValidationFinding,
)
from kpcs.statistics.revisions import figures_diff, figures_of

__all__ = [
    "SubmissionChanges",
    "participant_submissions",
    "partner_choices",
    "submission_changes",
    "submission_findings",
    "submission_for_period",
    "submission_get_visible_to",
    "submission_latest_query",
    "submission_production",
    "submission_trade_records",
    "submission_transitions",
    "submissions_visible_to",
    "user_may_enter_figures_for",
]


def submissions_visible_to(user: Any) -> QuerySet[Submission]:
    submissions = Submission.objects.select_related("participant")
    if is_secretariat(user):
        return submissions
    if getattr(user, "is_authority", False) and user.participant_id:
        return submissions.filter(participant_id=user.participant_id)
    return submissions.none()


def submission_get_visible_to(*, user: Any, submission_id: int) -> Submission | None:
    return submissions_visible_to(user).filter(pk=submission_id).first()


def user_may_enter_figures_for(*, user: Any, participant_id: int) -> bool:
    """Only the participant's own authority enters its figures (not even the secretariat)."""
    return bool(getattr(user, "is_authority", False) and user.participant_id == participant_id)


def submission_findings(*, submission: Submission) -> QuerySet[ValidationFinding]:
    return submission.findings.select_related("explained_by").order_by("row", "rule")


# A participant's own submissions (the entry pages and the submissions API) -------------------


def _latest_query() -> QuerySet[SubmissionTransition]:
    return SubmissionTransition.objects.filter(
        submission=OuterRef("pk"), to_status=Submission.Status.QUERIED
    ).order_by("-at", "-id")


def participant_submissions(
    *, participant_id: int, years: Iterable[int]
) -> dict[tuple[int, str, str], Submission]:
    """The participant's submissions in `years`, keyed by (year, dataset, period), in one
    query. Each is annotated with `trade_rows`, `has_production`, `warning_count`,
    `unexplained_count` and `query_comment` (the secretariat's latest question or reason for
    reopening; None when it never queried)."""
    submissions = (
        Submission.objects.filter(participant_id=participant_id, year__in=list(years))
        .select_related("participant")
        .annotate(
            # distinct: the two joins multiply each other's rows.
            trade_rows=Count("trade_records", distinct=True),
            warning_count=Count(
                "findings",
                filter=Q(findings__severity=ValidationFinding.Severity.WARNING),
                distinct=True,
            ),
            unexplained_count=Count(
                "findings",
                filter=Q(
                    findings__severity=ValidationFinding.Severity.WARNING,
                    findings__explanation="",
                ),
                distinct=True,
            ),
            has_production=Exists(ProductionRecord.objects.filter(submission=OuterRef("pk"))),
            query_comment=Subquery(_latest_query().values("comment")[:1]),
        )
    )
    return {(s.year, s.dataset, s.period): s for s in submissions}


def submission_for_period(
    *, participant_id: int, year: int, dataset: str, period: str
) -> Submission | None:
    return (
        Submission.objects.filter(
            participant_id=participant_id, year=year, dataset=dataset, period=period
        )
        .select_related("participant")
        .first()
    )


def submission_trade_records(*, submission: Submission) -> QuerySet[TradeRecord]:
    return submission.trade_records.select_related("partner").order_by(
        "flow", "partner__code", "hs_code"
    )


def submission_production(*, submission: Submission) -> ProductionRecord | None:
    return ProductionRecord.objects.filter(submission=submission).first()


def submission_transitions(*, submission: Submission) -> QuerySet[SubmissionTransition]:
    return submission.transitions.select_related("actor").order_by("at", "id")


def submission_latest_query(*, submission: Submission) -> SubmissionTransition | None:
    """The secretariat's latest question (or reason for reopening) about the submission."""
    return (
        submission.transitions.filter(to_status=Submission.Status.QUERIED)
        .order_by("-at", "-id")
        .first()
    )


@dataclass(frozen=True)
class SubmissionChanges:
    """Value-level changes (revisions.figures_diff entries) since `basis`: the last
    acceptance, or, for figures never accepted, the last submission."""

    basis: SubmissionRevision
    changes: list[dict[str, Any]]

    @property
    def since_acceptance(self) -> bool:
        return self.basis.status == Submission.Status.ACCEPTED


def submission_changes(*, submission: Submission) -> SubmissionChanges | None:
    """What changed since the secretariat last accepted the figures, or, when it never did,
    since they were last submitted; None when there is nothing to compare with."""
    revisions = submission.revisions.order_by("-number")
    basis = (
        revisions.filter(status=Submission.Status.ACCEPTED).first()
        or revisions.filter(status=Submission.Status.SUBMITTED).first()
    )
    if basis is None:
        return None
    return SubmissionChanges(
        basis=basis, changes=figures_diff(basis.figures, figures_of(submission))
    )


def partner_choices(*, exclude_participant_id: int | None = None) -> list[tuple[str, str]]:
    """(code, "Name (CODE)") of every participant, by name in the active language: the
    partners a trade row can name. Standing on the period is for validation to judge."""
    participants = Participant.objects.order_by("name")
    if exclude_participant_id is not None:
        participants = participants.exclude(pk=exclude_participant_id)
    return [(p.code, f"{p.name} ({p.code})") for p in participants.only("code", "name")]
