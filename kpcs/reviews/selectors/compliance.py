"""Reads of compliance cases and each participant's compliance page.

Who may see what:
- the secretariat: every case and every participant's compliance page, and it alone writes;
- a participant authority: its own participant's compliance page and cases (with their
  actions, milestones and decisions), read-only; another participant's answer 404;
- reviewers, observers and the public: none (their pages answer 403, the API 403/401).

The compliance page gathers what the secretariat looks at before acting on a participant:
status and its history, statistics submissions and open anomaly questions, certificate and
confirmation figures, annual reports, review visits, open recommendations and compliance
cases. Each section is one query (aggregated in SQL), so the page costs the same number of
queries whatever the amount of data behind it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpcs.accounts.permissions import is_secretariat
from kpcs.certificates.models import Certificate
from kpcs.certificates.selectors import alerts_for
from kpcs.participants.models import Participant, StatusEvent
from kpcs.participants.selectors import (
    NOT_A_PARTICIPANT,
    Standing,
    participant_standing_on,
)
from kpcs.reviews.models import (
    ActionMilestone,
    AnnualReport,
    ComplianceAction,
    ComplianceCase,
    ComplianceDecision,
    Finding,
    Recommendation,
    ReviewVisit,
)
from kpcs.reviews.selectors.access import annual_reports_visible_to, visits_visible_to
from kpcs.reviews.selectors.annual_reports import due_date
from kpcs.statistics.models import Anomaly, AnomalyQuestion, Dataset, Period, Submission

# How many years back the compliance page looks (statistics, certificates, annual reports).
YEARS_BACK = 5
# Annual reports are due on 31 March of the year after the one they report on.


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _own_participant_id(user: Any) -> int | None:
    """The participant an authority acts for; None for everyone else."""
    if _authenticated(user) and getattr(user, "is_authority", False):
        return getattr(user, "participant_id", None)
    return None


def may_use_compliance(user: Any) -> bool:
    """The compliance pages are for the secretariat and participant authorities."""
    return is_secretariat(user) or _own_participant_id(user) is not None


def may_see_compliance_of(user: Any, participant: Participant) -> bool:
    return is_secretariat(user) or _own_participant_id(user) == participant.pk


def may_manage_compliance(user: Any) -> bool:
    return is_secretariat(user)


# --- Cases ---------------------------------------------------------------------------------


def compliance_cases_visible_to(user: Any) -> QuerySet[ComplianceCase]:
    cases = ComplianceCase.objects.select_related("participant")
    if is_secretariat(user):
        return cases
    participant_id = _own_participant_id(user)
    if participant_id is None:
        return cases.none()
    return cases.filter(participant_id=participant_id)


def _milestones() -> Prefetch:
    return Prefetch("milestones", queryset=ActionMilestone.objects.order_by("due_on", "id"))


def _case_details(cases: QuerySet[ComplianceCase]) -> QuerySet[ComplianceCase]:
    """With what a case's page and the API show: trigger links, actions with their
    milestones, decisions with their status events (a fixed number of queries)."""
    return cases.select_related(
        "anomaly",
        "anomaly__participant",
        "anomaly__question",
        "finding__visit__participant",
        "reporting_observer",
        "created_by",
    ).prefetch_related(
        Prefetch(
            "actions",
            queryset=ComplianceAction.objects.select_related("review_visit")
            .prefetch_related(_milestones())
            .order_by("decided_on", "id"),
        ),
        Prefetch(
            "decisions",
            queryset=ComplianceDecision.objects.select_related(
                "working_body", "status_event"
            ).order_by("decided_on", "id"),
        ),
    )


def compliance_case_list(
    *,
    user: Any,
    participant: Participant | None = None,
    status: str = "",
    trigger: str = "",
    details: bool = False,
) -> QuerySet[ComplianceCase]:
    """The cases the user may see, filtered, newest first; each annotated with
    `open_actions` and `overdue_milestones` (as of today)."""
    cases = compliance_cases_visible_to(user)
    if participant is not None:
        cases = cases.filter(participant=participant)
    if status:
        cases = cases.filter(status=status)
    if trigger:
        cases = cases.filter(trigger=trigger)
    cases = with_case_counts(cases)
    if details:
        cases = _case_details(cases)
    return cases.order_by("-opened_on", "-id")


def with_case_counts(
    cases: QuerySet[ComplianceCase], *, today: dt.date | None = None
) -> QuerySet[ComplianceCase]:
    today = today or timezone.localdate()
    open_actions = Q(
        actions__status__in=[ComplianceAction.Status.PLANNED, ComplianceAction.Status.IN_PROGRESS]
    )
    overdue = Q(
        actions__milestones__completed_on__isnull=True,
        actions__milestones__due_on__lt=today,
    )
    return cases.annotate(
        open_actions=Count("actions", filter=open_actions, distinct=True),
        overdue_milestones=Count("actions__milestones", filter=overdue, distinct=True),
        decision_count=Count("decisions", distinct=True),
    )


def compliance_case_get(*, user: Any, case_id: int) -> ComplianceCase | None:
    """One case the user may see, with its actions, milestones and decisions; None if it
    does not exist or is not the user's to see."""
    return _case_details(compliance_cases_visible_to(user)).filter(pk=case_id).first()


def compliance_action_get(*, user: Any, case_id: int, action_id: int) -> ComplianceAction | None:
    return (
        ComplianceAction.objects.select_related("case__participant", "review_visit")
        .filter(case__in=compliance_cases_visible_to(user), case_id=case_id, pk=action_id)
        .first()
    )


def action_milestone_get(*, user: Any, milestone_id: int) -> ActionMilestone | None:
    return (
        ActionMilestone.objects.select_related("action__case__participant")
        .filter(action__case__in=compliance_cases_visible_to(user), pk=milestone_id)
        .first()
    )


def is_milestone_overdue(milestone: ActionMilestone, *, today: dt.date | None = None) -> bool:
    return milestone.completed_on is None and milestone.due_on < (today or timezone.localdate())


# What the case form offers for the trigger and the actions, for one participant.


def anomalies_of(participant: Participant) -> QuerySet[Anomaly]:
    return Anomaly.objects.filter(participant=participant).order_by("-year", "rule", "id")


def findings_of(participant: Participant) -> QuerySet[Finding]:
    return (
        Finding.objects.filter(visit__participant=participant)
        .select_related("visit")
        .order_by("-visit__invited_on", "visit_id", "area", "id")
    )


def review_missions_of(participant: Participant) -> QuerySet[ReviewVisit]:
    return ReviewVisit.objects.filter(
        participant=participant, kind=ReviewVisit.Kind.REVIEW_MISSION
    ).order_by("-invited_on", "-id")


def status_history_with_decisions(*, participant: Participant) -> QuerySet[StatusEvent]:
    """The participant's status events, newest first, each annotated with the decision and
    case that recorded it (`decision_id`, `decision_case_id`, null when none did)."""
    return participant.status_events.annotate(
        decision_id=F("compliance_decision__id"),
        decision_case_id=F("compliance_decision__case_id"),
    ).order_by("-date", "-id")


# --- The participant's compliance page --------------------------------------------------------


@dataclass
class SubmissionRow:
    year: int
    dataset: str
    dataset_label: str
    # (period's label, status, status's label), in period order
    periods: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class CertificateYear:
    year: int
    issued: int = 0
    issued_confirmed: int = 0
    issued_expired: int = 0
    issued_void: int = 0
    received: int = 0
    received_confirmed: int = 0
    received_expired: int = 0


@dataclass
class AnnualReportYear:
    year: int
    due_on: dt.date
    report: AnnualReport | None
    # submitted, assessed, draft, not_started, missing (not submitted after the due date),
    # not_expected (not a participant on 31 December of the year)
    state: str

    @property
    def is_missing(self) -> bool:
        return self.state == "missing"

    @property
    def state_label(self) -> str:
        labels = {
            "missing": _("missing"),
            "not_started": _("not started"),
            "not_expected": _("not expected (not a participant that year)"),
        }
        if self.state in labels:
            return str(labels[self.state])
        return str(AnnualReport.Status(self.state).label)


@dataclass
class ComplianceOverview:
    participant: Participant
    today: dt.date
    standing: Standing
    status_events: list[StatusEvent]
    first_year: int
    submissions: list[SubmissionRow]
    open_questions: list[AnomalyQuestion]
    certificate_years: list[CertificateYear]
    open_alerts: int
    annual_reports: list[AnnualReportYear]
    visits: list[ReviewVisit]
    open_recommendations: list[Recommendation]
    cases: list[ComplianceCase]

    @property
    def overdue_recommendations(self) -> int:
        return sum(1 for r in self.open_recommendations if getattr(r, "is_overdue", False))

    @property
    def missing_annual_reports(self) -> int:
        return sum(1 for r in self.annual_reports if r.is_missing)

    @property
    def certificate_totals(self) -> CertificateYear:
        total = CertificateYear(year=0)
        for row in self.certificate_years:
            for name in (
                "issued",
                "issued_confirmed",
                "issued_expired",
                "issued_void",
                "received",
                "received_confirmed",
                "received_expired",
            ):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        return total


def _submissions(participant: Participant, first_year: int) -> list[SubmissionRow]:
    rows: dict[tuple[int, str], SubmissionRow] = {}
    labels = dict(Dataset.choices)
    period_labels = dict(Period.choices)
    status_labels = dict(Submission.Status.choices)
    for year, dataset, period, status in (
        Submission.objects.filter(participant=participant, year__gte=first_year)
        .order_by("-year", "dataset", "period")
        .values_list("year", "dataset", "period", "status")
    ):
        row = rows.setdefault(
            (year, dataset),
            SubmissionRow(
                year=year, dataset=dataset, dataset_label=str(labels.get(dataset, dataset))
            ),
        )
        row.periods.append(
            (
                str(period_labels.get(period, period)),
                status,
                str(status_labels.get(status, status)),
            )
        )
    return list(rows.values())


def _certificate_years(
    participant: Participant, first_year: int, last_year: int
) -> list[CertificateYear]:
    """Certificates the participant issued and received per year of issue, by status, in
    one aggregate query; years without any certificate count zero."""
    Status = Certificate.Status
    issued = Q(issuing_participant=participant)
    received = Q(destination_participant=participant)
    figures = (
        Certificate.objects.filter(
            issued | received,
            date_issued__gte=dt.date(first_year, 1, 1),
            date_issued__lte=dt.date(last_year, 12, 31),
        )
        .annotate(year=ExtractYear("date_issued"))
        .values("year")
        .annotate(
            issued=Count("pk", filter=issued),
            issued_confirmed=Count("pk", filter=issued & Q(status=Status.CONFIRMED)),
            issued_expired=Count("pk", filter=issued & Q(status=Status.EXPIRED)),
            issued_void=Count("pk", filter=issued & Q(status=Status.VOID)),
            received=Count("pk", filter=received),
            received_confirmed=Count("pk", filter=received & Q(status=Status.CONFIRMED)),
            received_expired=Count("pk", filter=received & Q(status=Status.EXPIRED)),
        )
        .order_by("year")
    )
    by_year = {row["year"]: CertificateYear(**row) for row in figures}
    return [
        by_year.get(year, CertificateYear(year=year))
        for year in range(last_year, first_year - 1, -1)
    ]


def _is_participant_on(events: list[StatusEvent], date: dt.date) -> bool:
    """From the participant's events (newest first): was it a participant on `date`?"""
    latest = next((e for e in events if e.date <= date), None)
    return latest is not None and latest.event not in NOT_A_PARTICIPANT


def _annual_reports(
    *, user: Any, participant: Participant, events: list[StatusEvent], today: dt.date
) -> list[AnnualReportYear]:
    """The reports on the last YEARS_BACK complete years (newest first). A year is expected
    when the participant was a participant on 31 December of it (so after its admission);
    an expected report not submitted by 31 March of the next year is missing (the same rule
    as the annual reports' list with its scope "all")."""
    last = today.year - 1
    first = last - YEARS_BACK + 1
    reports = {
        r.year: r
        for r in annual_reports_visible_to(user).filter(
            participant=participant, year__gte=first, year__lte=last
        )
    }
    rows = []
    for year in range(last, first - 1, -1):
        due_on = due_date(year)
        report = reports.get(year)
        if report is not None and report.status != AnnualReport.Status.DRAFT:
            state = report.status
        elif not _is_participant_on(events, dt.date(year, 12, 31)):
            state = "not_expected" if report is None else report.status
        elif today > due_on:
            state = "missing"
        else:
            state = report.status if report is not None else "not_started"
        rows.append(AnnualReportYear(year=year, due_on=due_on, report=report, state=state))
    return rows


def participant_compliance(
    *, user: Any, participant: Participant, today: dt.date | None = None
) -> ComplianceOverview:
    """Everything on the participant's compliance page, as the user may see it. Call only
    for a user who may see the participant's compliance (may_see_compliance_of)."""
    today = today or timezone.localdate()
    first_year = today.year - YEARS_BACK
    events = list(status_history_with_decisions(participant=participant))
    standing = participant_standing_on(participant=participant, date=today)
    questions = list(
        AnomalyQuestion.objects.filter(participant=participant)
        .exclude(status=AnomalyQuestion.Status.CLOSED)
        .select_related("anomaly")
        .order_by("due_date", "asked_at")
    )
    open_alerts = (
        alerts_for(user=user)
        .filter(
            Q(certificate__issuing_participant=participant)
            | Q(certificate__destination_participant=participant)
        )
        .count()
    )
    visits = visits_visible_to(user).filter(participant=participant)
    recommendations = (
        Recommendation.objects.filter(visit__in=visits.values("pk"))
        .exclude(status=Recommendation.Status.IMPLEMENTED)
        .select_related("visit")
        .annotate(
            is_overdue=ExpressionWrapper(Q(due_on__lt=today), output_field=BooleanField()),
        )
        .order_by("due_on", "visit_id", "number")
    )
    cases = with_case_counts(
        compliance_cases_visible_to(user).filter(participant=participant), today=today
    ).order_by("-opened_on", "-id")
    return ComplianceOverview(
        participant=participant,
        today=today,
        standing=standing,
        status_events=events,
        first_year=first_year,
        submissions=_submissions(participant, first_year),
        open_questions=questions,
        certificate_years=_certificate_years(participant, first_year, today.year),
        open_alerts=open_alerts,
        annual_reports=_annual_reports(
            user=user, participant=participant, events=events, today=today
        ),
        visits=list(visits.order_by("-invited_on", "-id")),
        open_recommendations=list(recommendations),
        cases=list(cases),
    )
