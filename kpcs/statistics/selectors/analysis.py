"""Reads for the secretariat's statistics pages: completeness and timeliness of the reporting,
the review of one submission, deadlines, what waits for publication, anomalies and the Data
Anomaly Questionnaire; and the public list of participants that have not reported.

The completeness matrix is one grouped query (participants × the year's submissions, with
one conditional aggregate per period); due dates and extensions are one small query each, so
the number of queries does not depend on the number of participants.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    ExpressionWrapper,
    FilteredRelation,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kpcs.accounts.permissions import is_secretariat
from kpcs.participants.models import Participant
from kpcs.participants.selectors import NOT_A_PARTICIPANT, participants_with_standing_on
from kpcs.statistics.deadlines import default_due_date, opens_on
from kpcs.statistics.models import (
    Anomaly,
    AnomalyQuestion,
    Dataset,
    DeadlineExtension,
    Flow,
    Period,
    Release,
    ReportingDeadline,
    Submission,
    SubmissionTransition,
    TradeRecord,
)
from kpcs.statistics.selectors.published import published_years

__all__ = [
    "DASHBOARD_COLUMNS",
    "REPORTED_STATUSES",
    "Cell",
    "Column",
    "Completeness",
    "CompletenessRow",
    "DeadlineRow",
    "NonReportingList",
    "NonReportingRow",
    "PublicationState",
    "anomalies_for_review",
    "anomaly_figure_rows",
    "changes_for_display",
    "completeness_matrix",
    "deadline_overview",
    "extensions_active",
    "nonreporting_list",
    "nonreporting_years",
    "publication_state",
    "question_get_visible_to",
    "question_list",
    "questions_unanswered",
    "questions_visible_to",
    "submission_for_review",
    "submission_trade_records",
    "submission_trade_totals",
    "submission_transitions",
    "submissions_awaiting_review",
]

Status = Submission.Status

# The periods participants report in: trade by quarter, production by half-year.
DASHBOARD_COLUMNS: tuple[tuple[str, str], ...] = (
    (Dataset.TRADE, Period.Q1),
    (Dataset.TRADE, Period.Q2),
    (Dataset.TRADE, Period.Q3),
    (Dataset.TRADE, Period.Q4),
    (Dataset.PRODUCTION, Period.H1),
    (Dataset.PRODUCTION, Period.H2),
)
# Figures kept as text (revisions, anomaly figures) that are numbers.
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
# A period counts as reported once submitted, even if the secretariat has queried it since.
REPORTED_STATUSES = frozenset({Status.SUBMITTED, Status.QUERIED, Status.ACCEPTED, Status.PUBLISHED})


# Completeness and timeliness ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    dataset: str
    period: str
    due: dt.date
    opens: dt.date
    # The due date was set by the secretariat (otherwise it is the two-month default).
    set_by_secretariat: bool
    past_due: bool

    @property
    def key(self) -> str:
        return f"{self.dataset}_{self.period}"

    @property
    def dataset_label(self) -> Promise:
        return Dataset(self.dataset).label

    @property
    def period_label(self) -> Promise:
        return Period(self.period).label


@dataclass(frozen=True)
class Cell:
    """One participant's one period: where its submission is, and whether it is late."""

    column: Column
    status: str | None
    submission_id: int | None
    # Reported for the whole year (period Y) rather than period by period.
    whole_year: bool
    extended_until: dt.datetime | None
    today: dt.date

    @property
    def reported(self) -> bool:
        return self.status in REPORTED_STATUSES

    @property
    def late(self) -> bool:
        """Past its due date and not submitted (missing, or still a draft)."""
        return self.column.past_due and not self.reported

    @property
    def state(self) -> str:
        """A word for the CSS class and the tests: one of the statuses, or late, open,
        not_open (the period has not ended yet)."""
        if self.late:
            return "late"
        if self.status:
            return self.status
        if self.today < self.column.opens:
            return "not_open"
        return "open"

    @property
    def label(self) -> Promise | str:
        if self.status:
            return Status(self.status).label
        if self.today < self.column.opens:
            return _("not yet open")
        if self.late:
            return _("missing")
        return _("not yet reported")


@dataclass(frozen=True)
class CompletenessRow:
    participant: Participant
    standing_event: str | None
    cells: list[Cell]

    @property
    def late_cells(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.late]

    @property
    def is_late(self) -> bool:
        return bool(self.late_cells)

    @property
    def never_reported(self) -> bool:
        """Nothing submitted for the year although at least one period is past due."""
        return any(cell.column.past_due for cell in self.cells) and not any(
            cell.reported for cell in self.cells
        )


@dataclass(frozen=True)
class Completeness:
    year: int
    today: dt.date
    columns: list[Column]
    rows: list[CompletenessRow]

    @property
    def late_participants(self) -> int:
        return sum(1 for row in self.rows if row.is_late)

    @property
    def never_reporting(self) -> int:
        return sum(1 for row in self.rows if row.never_reported)

    @property
    def late_periods(self) -> int:
        return sum(len(row.late_cells) for row in self.rows)


def _due_dates(year: int) -> dict[str, dt.date]:
    """The secretariat's due dates for the year's periods (one query)."""
    return dict(
        ReportingDeadline.objects.filter(year=year).values_list("period", "due_date").order_by()
    )


def _columns(year: int, today: dt.date) -> list[Column]:
    set_dates = _due_dates(year)
    columns = []
    for dataset, period in DASHBOARD_COLUMNS:
        due = set_dates.get(period) or default_due_date(year, period)
        columns.append(
            Column(
                dataset=dataset,
                period=period,
                due=due,
                opens=opens_on(year, period),
                set_by_secretariat=period in set_dates,
                past_due=today > due,
            )
        )
    return columns


def _expected_participants(year: int, today: dt.date) -> QuerySet[Any]:
    """Participants expected to report on `year`: a participant (not removed, not withdrawn)
    at the year's end, or today for the current year."""
    return (
        participants_with_standing_on(date=min(dt.date(year, 12, 31), today))
        .filter(standing_event__isnull=False)
        .exclude(standing_event__in=NOT_A_PARTICIPANT)
    )


def _status_aggregates() -> dict[str, Any]:
    """Per period, the status and id of the year's submission (at most one row matches:
    submissions are unique per participant, year, dataset and period)."""
    aggregates: dict[str, Any] = {}
    periods = [*DASHBOARD_COLUMNS, (Dataset.TRADE, Period.YEAR), (Dataset.PRODUCTION, Period.YEAR)]
    for dataset, period in periods:
        condition = Q(this_year__dataset=dataset, this_year__period=period)
        aggregates[f"status_{dataset}_{period}"] = Max("this_year__status", filter=condition)
        aggregates[f"id_{dataset}_{period}"] = Max("this_year__id", filter=condition)
    return aggregates


def _active_extensions(year: int, now: dt.datetime) -> dict[tuple[int, str, str], dt.datetime]:
    extensions: dict[tuple[int, str, str], dt.datetime] = {}
    for participant_id, dataset, period, until in (
        DeadlineExtension.objects.filter(year=year, until__gt=now)
        .order_by("until")
        .values_list("participant_id", "dataset", "period", "until")
    ):
        extensions[(participant_id, dataset, period)] = until  # the latest wins
    return extensions


def completeness_matrix(*, year: int, now: dt.datetime | None = None) -> Completeness:
    """Every participant expected to report on `year` against the year's periods (trade
    Q1–Q4, production H1/H2): the status of each submission, and whether it is late (past
    its due date and not submitted). A submission for the whole year (Y) covers every period
    of its dataset. Three queries whatever the number of participants."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    columns = _columns(year, today)
    participants = (
        _expected_participants(year, today)
        .annotate(
            this_year=FilteredRelation("submissions", condition=Q(submissions__year=year)),
            **_status_aggregates(),
        )
        .order_by("name", "code")
    )
    extensions = _active_extensions(year, now)
    rows = []
    for participant in participants:
        cells = []
        for column in columns:
            status = getattr(participant, f"status_{column.key}")
            submission_id = getattr(participant, f"id_{column.key}")
            whole_year = False
            if status is None:
                status = getattr(participant, f"status_{column.dataset}_{Period.YEAR}")
                submission_id = getattr(participant, f"id_{column.dataset}_{Period.YEAR}")
                whole_year = status is not None
            cells.append(
                Cell(
                    column=column,
                    status=status,
                    submission_id=submission_id,
                    whole_year=whole_year,
                    extended_until=extensions.get((participant.pk, column.dataset, column.period)),
                    today=today,
                )
            )
        rows.append(
            CompletenessRow(
                participant=participant,
                standing_event=participant.standing_event,
                cells=cells,
            )
        )
    return Completeness(year=year, today=today, columns=columns, rows=rows)


def submissions_awaiting_review(*, year: int) -> QuerySet[Submission]:
    """The year's submitted figures the secretariat has not yet queried or accepted."""
    return (
        Submission.objects.filter(year=year, status=Status.SUBMITTED)
        .select_related("participant", "submitted_by")
        .order_by("submitted_at", "participant__code", "dataset", "period")
    )


# The public list of participants that have not reported ----------------------------------------


@dataclass(frozen=True)
class NonReportingRow:
    """A participant and the periods it has not reported although they are due."""

    participant: Participant
    trade: list[str]
    production: list[str]
    nothing_reported: bool


@dataclass(frozen=True)
class NonReportingList:
    year: int
    release: Release
    rows: list[NonReportingRow]
    expected: int


def nonreporting_years() -> list[int]:
    """Years whose list is public: those with a release of their statistics (publishing a
    year's figures means the secretariat considers its reporting closed)."""
    return published_years()


def nonreporting_list(*, year: int, now: dt.datetime | None = None) -> NonReportingList | None:
    """Participants that have not submitted a period of `year` whose due date has passed;
    None while nothing has been published for the year (the list is not public yet)."""
    release = Release.objects.filter(year=year).order_by("-number").first()
    if release is None:
        return None
    matrix = completeness_matrix(year=year, now=now)
    rows = [
        NonReportingRow(
            participant=row.participant,
            trade=[c.column.period for c in row.late_cells if c.column.dataset == Dataset.TRADE],
            production=[
                c.column.period for c in row.late_cells if c.column.dataset == Dataset.PRODUCTION
            ],
            nothing_reported=row.never_reported,
        )
        for row in matrix.rows
        if row.is_late
    ]
    return NonReportingList(year=year, release=release, rows=rows, expected=len(matrix.rows))


# One submission under review --------------------------------------------------------------------


def submission_for_review(*, submission_id: int) -> Submission | None:
    return (
        Submission.objects.select_related(
            "participant", "submitted_by", "accepted_by", "production"
        )
        .filter(pk=submission_id)
        .first()
    )


def submission_trade_records(*, submission: Submission) -> QuerySet[TradeRecord]:
    return submission.trade_records.select_related("partner").order_by(
        "flow", "partner__code", "hs_code"
    )


_MONEY = DecimalField(max_digits=20, decimal_places=2)
_ZERO = Value(Decimal("0.00"))


def submission_trade_totals(*, submission: Submission) -> dict[str, Any]:
    """Imports and exports of one trade submission, summed in SQL."""
    totals: dict[str, Any] = {}
    for flow in (Flow.IMPORT, Flow.EXPORT):
        only = Q(flow=flow)
        totals[f"{flow}_carats"] = Coalesce(Sum("carats", filter=only), _ZERO, output_field=_MONEY)
        totals[f"{flow}_value_usd"] = Coalesce(
            Sum("value_usd", filter=only), _ZERO, output_field=_MONEY
        )
        totals[f"{flow}_certificates"] = Coalesce(Sum("certificates", filter=only), Value(0))
        totals[f"{flow}_rows"] = Count("pk", filter=only)
    return submission.trade_records.aggregate(**totals)


_COLUMN_LABELS = {
    "carats": _("carats"),
    "value_usd": _("value (US$)"),
    "certificates": _("number of certificates"),
}


def _figure(value: Any) -> Any:
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return Decimal(value)
    return value


def changes_for_display(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """revisions.figures_diff entries made readable: the row key split into flow, partner
    and HS code, the column named, and numbers as Decimals for the page to format."""
    rows = []
    for change in changes:
        flow, partner, hs_code = "", "", ""
        if change["row"] != "production":
            flow, partner, hs_code = [*change["row"].split("|"), "", ""][:3]
        rows.append(
            {
                "row": change["row"],
                "flow": Flow(flow).label if flow in Flow.values else _("production"),
                "partner": partner,
                "hs_code": hs_code,
                "column": change["column"],
                "column_label": _COLUMN_LABELS.get(change["column"], change["column"]),
                "before": _figure(change["before"]),
                "after": _figure(change["after"]),
            }
        )
    return rows


def submission_transitions(*, submission: Submission) -> QuerySet[SubmissionTransition]:
    return submission.transitions.select_related("actor").order_by("at", "id")


# Deadlines --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineRow:
    dataset: str
    period: str
    due: dt.date
    default_due: dt.date
    set_by_secretariat: bool

    @property
    def dataset_label(self) -> Promise:
        return Dataset(self.dataset).label

    @property
    def period_label(self) -> Promise:
        return Period(self.period).label


def deadline_overview(*, year: int) -> list[DeadlineRow]:
    """The due date of each of the year's periods, and whether the secretariat set it."""
    set_dates = _due_dates(year)
    return [
        DeadlineRow(
            dataset=dataset,
            period=period,
            due=set_dates.get(period) or default_due_date(year, period),
            default_due=default_due_date(year, period),
            set_by_secretariat=period in set_dates,
        )
        for dataset, period in DASHBOARD_COLUMNS
    ]


def extensions_active(*, now: dt.datetime | None = None) -> QuerySet[DeadlineExtension]:
    """Extensions that still lift a deadline, the soonest to end first."""
    return (
        DeadlineExtension.objects.filter(until__gt=now or timezone.now())
        .select_related("participant", "granted_by")
        .order_by("until", "participant__code")
    )


# Publication ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicationState:
    year: int
    releases: list[Release]
    # Accepted, not yet in a release: the next release adds them.
    accepted: list[Submission]
    published_count: int
    # Published once, then sent back to the participant: the next release leaves them out.
    reopened: list[Submission]

    @property
    def latest(self) -> Release | None:
        return self.releases[0] if self.releases else None

    @property
    def next_number(self) -> int:
        return self.latest.number + 1 if self.latest else 1

    @property
    def publishable(self) -> bool:
        return bool(self.accepted) or self.published_count > 0


def publication_state(*, year: int) -> PublicationState:
    submissions = Submission.objects.filter(year=year).select_related("participant")
    return PublicationState(
        year=year,
        releases=list(
            Release.objects.filter(year=year).select_related("published_by").order_by("-number")
        ),
        accepted=list(
            submissions.filter(status=Status.ACCEPTED).order_by(
                "participant__code", "dataset", "period"
            )
        ),
        published_count=submissions.filter(status=Status.PUBLISHED).count(),
        reopened=list(
            submissions.filter(published_at__isnull=False)
            .exclude(status__in=[Status.ACCEPTED, Status.PUBLISHED])
            .order_by("participant__code", "dataset", "period")
        ),
    )


# Anomalies and the Data Anomaly Questionnaire ----------------------------------------------------


def anomalies_for_review(
    *,
    year: int,
    rule: str = "",
    severity: str = "",
    participant: Participant | None = None,
    status: str = "",
    include_gone: bool = False,
) -> QuerySet[Anomaly]:
    """The year's anomalies (by default only those the latest analysis still finds), with
    their participant, partner and question (one query)."""
    anomalies = Anomaly.objects.filter(year=year)
    if not include_gone:
        anomalies = anomalies.filter(still_present=True)
    if rule:
        anomalies = anomalies.filter(rule=rule)
    if severity:
        anomalies = anomalies.filter(severity=severity)
    if participant is not None:
        anomalies = anomalies.filter(participant=participant)
    if status:
        anomalies = anomalies.filter(status=status)
    return anomalies.select_related("participant", "partner", "question").order_by(
        "participant__code", "rule", "partner__code", "period", "fingerprint"
    )


def anomaly_figure_rows(figures: dict[str, Any]) -> list[tuple[str, Any, bool]]:
    """The anomaly's figures as (name, value, is_number) for a table: decimal strings become
    Decimals so that the page formats them for the reader's language."""
    rows: list[tuple[str, Any, bool]] = []
    for name, value in figures.items():
        if isinstance(value, str) and _NUMBER.fullmatch(value):
            rows.append((name, Decimal(value), True))
        elif isinstance(value, int | Decimal) and not isinstance(value, bool):
            rows.append((name, value, True))
        elif isinstance(value, list):
            rows.append((name, ", ".join(str(v) for v in value) or "—", False))
        else:
            rows.append((name, "—" if value is None else value, False))
    return rows


def _with_overdue(questions: QuerySet[AnomalyQuestion], today: dt.date) -> QuerySet[Any]:
    return questions.annotate(
        overdue=ExpressionWrapper(
            Q(status=AnomalyQuestion.Status.OPEN, due_date__lt=today), output_field=BooleanField()
        )
    )


def questions_visible_to(user: Any) -> QuerySet[AnomalyQuestion]:
    """The secretariat sees every question; a participant authority its own participant's;
    nobody else any."""
    questions = AnomalyQuestion.objects.select_related(
        "anomaly", "participant", "asked_by", "answered_by"
    )
    if is_secretariat(user):
        return questions
    if getattr(user, "is_authority", False) and user.participant_id:
        return questions.filter(participant_id=user.participant_id)
    return questions.none()


def question_get_visible_to(*, user: Any, question_id: int) -> AnomalyQuestion | None:
    return (
        _with_overdue(questions_visible_to(user), timezone.localdate())
        .filter(pk=question_id)
        .first()
    )


def question_list(
    *,
    user: Any,
    year: int | None = None,
    status: str = "",
    today: dt.date | None = None,
) -> QuerySet[Any]:
    """Questions the user may see, newest first, each annotated with `overdue` (awaiting
    an answer past its due date)."""
    questions = questions_visible_to(user)
    if year is not None:
        questions = questions.filter(anomaly__year=year)
    if status:
        questions = questions.filter(status=status)
    return _with_overdue(questions, today or timezone.localdate()).order_by("-asked_at", "-id")


def questions_unanswered(*, year: int, today: dt.date | None = None) -> QuerySet[Any]:
    """The year's questions still awaiting an answer, overdue ones first."""
    today = today or timezone.localdate()
    return _with_overdue(
        AnomalyQuestion.objects.filter(
            anomaly__year=year, status=AnomalyQuestion.Status.OPEN
        ).select_related("anomaly", "participant"),
        today,
    ).order_by("-overdue", "due_date", "asked_at")
