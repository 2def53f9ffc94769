"""Reads about annual reports: the due date, who is expected to report on a year and where each
stands (not started, draft, submitted, assessed), the missing ones, the previous year's report
a new one is pre-filled from, and the year-on-year comparison.

Who may see which report is decided by `kpcs.reviews.selectors.access.annual_reports_visible_to`
(the secretariat all, an authority its own participant's); every function here that takes a
user scopes through it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    CharField,
    DateTimeField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpcs.participants.models import Participant
from kpcs.participants.selectors import (
    NOT_A_PARTICIPANT,
    participants_in_good_standing_on,
    participants_with_standing_on,
)
from kpcs.reviews.models import AnnualReport
from kpcs.reviews.selectors.access import annual_reports_visible_to

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Section = AnnualReport.Section
Status = AnnualReport.Status

# The scheme began in January 2003: the first year a report can be on.
FIRST_YEAR = 2003
# Reports are due on 31 March of the year after the one they report on.
DUE_MONTH, DUE_DAY = 3, 31
NOT_STARTED = "not_started"
MISSING = "missing"
SECTIONS: tuple[str, ...] = tuple(Section.values)
# "Changes since last year" is new every year: it is neither carried over nor required.
CARRIED_SECTIONS: tuple[str, ...] = tuple(s for s in SECTIONS if s != Section.CHANGES)
REQUIRED_SECTIONS: tuple[str, ...] = CARRIED_SECTIONS
FIGURES: tuple[str, ...] = ("enforcement_cases", "seizures", "seized_carats")
# Who is expected to report: participants in good standing at the end of the year, or every
# participant of that year (suspended ones included).
SCOPE_GOOD = "good"
SCOPE_ALL = "all"
SCOPES = (SCOPE_GOOD, SCOPE_ALL)
# A previous year's report counts (for pre-filling and "no change") once it was submitted.
SUBMITTED_STATUSES = (Status.SUBMITTED, Status.ASSESSED)


def field_label(name: str) -> StrOrPromise:
    return getattr(AnnualReport._meta.get_field(name), "verbose_name", name)


def status_label(status: str) -> StrOrPromise:
    if status == NOT_STARTED:
        return _("not started")
    return Status(status).label


STATUS_CHOICES: list[tuple[str, Any]] = [(NOT_STARTED, _("not started")), *Status.choices]


def today_or(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def due_date(year: int) -> dt.date:
    """The report on `year` is due on 31 March of the next year."""
    return dt.date(year + 1, DUE_MONTH, DUE_DAY)


def last_complete_year(today: dt.date | None = None) -> int:
    return today_or(today).year - 1


def reportable_years(today: dt.date | None = None) -> range:
    """Every year a report can be on: from the scheme's start to the last complete year."""
    return range(last_complete_year(today), FIRST_YEAR - 1, -1)


def is_reportable_year(year: int, today: dt.date | None = None) -> bool:
    return FIRST_YEAR <= year <= last_complete_year(today)


def days_late(*, year: int, submitted_at: dt.datetime | None, today: dt.date | None = None) -> int:
    """Days past the due date: until the submission, or until today while not submitted."""
    until = timezone.localdate(submitted_at) if submitted_at else today_or(today)
    return max(0, (until - due_date(year)).days)


# --- One report -------------------------------------------------------------------------------


def annual_report_get(*, user: Any, code: str, year: int) -> AnnualReport | None:
    """The report of participant `code` on `year`, if the user may see it."""
    return (
        annual_reports_visible_to(user)
        .select_related("submitted_by", "assessed_by")
        .filter(participant__code=code.upper()[:3], year=year)
        .first()
    )


def annual_report_get_by_id(*, user: Any, report_id: int) -> AnnualReport | None:
    return (
        annual_reports_visible_to(user)
        .select_related("submitted_by", "assessed_by")
        .filter(pk=report_id)
        .first()
    )


def previous_report(*, participant: Participant | int, year: int) -> AnnualReport | None:
    """The participant's submitted (or assessed) report on the year before, which a new
    report is pre-filled from and "no change" copies; None when there is none."""
    participant_id = participant if isinstance(participant, int) else participant.pk
    return AnnualReport.objects.filter(
        participant_id=participant_id, year=year - 1, status__in=SUBMITTED_STATUSES
    ).first()


def previous_texts(*, participant: Participant | int, year: int) -> dict[str, str]:
    """Last year's text of each carried section ("" when there is no previous report)."""
    previous = previous_report(participant=participant, year=year)
    return {s: (getattr(previous, s) if previous else "") for s in CARRIED_SECTIONS}


def reports_of_participant(*, user: Any, participant: Participant) -> QuerySet[AnnualReport]:
    """The participant's reports the user may see, latest year first."""
    return annual_reports_visible_to(user).filter(participant=participant).order_by("-year")


# --- Who reports, and where each stands -------------------------------------------------------


def participants_expected_to_report(*, year: int, scope: str = SCOPE_GOOD) -> QuerySet[Participant]:
    """Participants expected to report on `year`: in good standing on 31 December of it
    (scope "good"), or participants on that day whatever their standing (scope "all")."""
    end = dt.date(year, 12, 31)
    if scope == SCOPE_ALL:
        return (
            participants_with_standing_on(date=end)
            .filter(standing_event__isnull=False)
            .exclude(standing_event__in=NOT_A_PARTICIPANT)
        )
    return participants_in_good_standing_on(date=end)


def annual_report_overview(
    *,
    year: int,
    scope: str = SCOPE_GOOD,
    status: str = "",
    today: dt.date | None = None,
) -> QuerySet[Any]:
    """Each participant expected to report on `year`, annotated (one query) with its report:
    `report_id`, `report_status` (not_started when there is none) and `report_submitted_at`.
    `status` filters: a report status, not_started, or missing (not submitted after the
    due date)."""
    report = AnnualReport.objects.filter(participant=OuterRef("pk"), year=year)
    participants: QuerySet[Any] = participants_expected_to_report(year=year, scope=scope).annotate(
        report_id=Subquery(report.values("pk")[:1], output_field=IntegerField()),
        report_status=Coalesce(
            Subquery(report.values("status")[:1], output_field=CharField()),
            Value(NOT_STARTED),
        ),
        report_submitted_at=Subquery(
            report.values("submitted_at")[:1], output_field=DateTimeField()
        ),
    )
    if status == MISSING:
        if today_or(today) <= due_date(year):
            return participants.none()
        participants = participants.filter(report_status__in=[NOT_STARTED, Status.DRAFT])
    elif status:
        participants = participants.filter(report_status=status)
    return participants.select_related("country").order_by("name", "code")


def annual_reports_missing(
    *, year: int, scope: str = SCOPE_GOOD, today: dt.date | None = None
) -> QuerySet[Any]:
    """Participants whose report on `year` is not submitted although the due date has passed
    (none before it)."""
    return annual_report_overview(year=year, scope=scope, status=MISSING, today=today)


@dataclass(frozen=True)
class OverviewRow:
    """One participant's line in the list (from an annotated overview participant)."""

    participant: Participant
    year: int
    status: str
    report_id: int | None
    submitted_at: dt.datetime | None
    due: dt.date
    days_late: int
    missing: bool

    @property
    def status_label(self) -> StrOrPromise:
        return status_label(self.status)


def overview_rows(
    participants: Iterable[Any], *, year: int, today: dt.date | None = None
) -> list[OverviewRow]:
    today = today_or(today)
    due = due_date(year)
    rows = []
    for participant in participants:
        submitted_at = participant.report_submitted_at
        status = participant.report_status
        rows.append(
            OverviewRow(
                participant=participant,
                year=year,
                status=status,
                report_id=participant.report_id,
                submitted_at=submitted_at,
                due=due,
                days_late=days_late(year=year, submitted_at=submitted_at, today=today),
                missing=today > due and status in (NOT_STARTED, Status.DRAFT),
            )
        )
    return rows


def status_counts(*, year: int, scope: str = SCOPE_GOOD) -> dict[str, int]:
    """How many expected participants are at each status (one query)."""
    from django.db.models import Count

    counts = {key: 0 for key, _label in STATUS_CHOICES}
    rows = (
        annual_report_overview(year=year, scope=scope)
        .order_by()
        .values("report_status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["report_status"]] = row["n"]
    return counts


@dataclass(frozen=True)
class ParticipantYear:
    """An authority's view of one year: its report (or none yet) and the due date."""

    year: int
    report: AnnualReport | None
    due: dt.date
    days_late: int

    @property
    def status(self) -> str:
        return self.report.status if self.report else NOT_STARTED

    @property
    def status_label(self) -> StrOrPromise:
        return status_label(self.status)


def participant_years(
    *, user: Any, participant: Participant, today: dt.date | None = None
) -> list[ParticipantYear]:
    """The participant's reports by year, with the last complete year first even when it is
    not started yet."""
    reports = {r.year: r for r in reports_of_participant(user=user, participant=participant)}
    years = sorted(set(reports) | {last_complete_year(today)}, reverse=True)
    return [
        ParticipantYear(
            year=year,
            report=reports.get(year),
            due=due_date(year),
            days_late=days_late(
                year=year,
                submitted_at=reports[year].submitted_at if year in reports else None,
                today=today,
            ),
        )
        for year in years
    ]


# --- Year on year -----------------------------------------------------------------------------

_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class DiffPart:
    """A run of text that is the same in both years, only in the earlier or only in the later
    one. Plain text: the template escapes it."""

    op: str  # "equal", "delete", "insert"
    text: str


def word_diff(before: str, after: str) -> list[DiffPart]:
    """The later text against the earlier one, word by word."""
    old = _TOKEN.findall(before or "")
    new = _TOKEN.findall(after or "")
    parts: list[DiffPart] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(DiffPart("equal", "".join(new[j1:j2])))
            continue
        if tag in ("delete", "replace"):
            parts.append(DiffPart("delete", "".join(old[i1:i2])))
        if tag in ("insert", "replace"):
            parts.append(DiffPart("insert", "".join(new[j1:j2])))
    return parts


@dataclass(frozen=True)
class SectionComparison:
    section: str
    label: StrOrPromise
    earlier: str
    later: str
    diff: list[DiffPart]
    unchanged_mark: bool

    @property
    def changed(self) -> bool:
        return self.earlier != self.later


@dataclass(frozen=True)
class FigureComparison:
    name: str
    label: StrOrPromise
    earlier: int | Decimal | None
    later: int | Decimal | None

    @property
    def change(self) -> int | Decimal | None:
        if self.earlier is None or self.later is None:
            return None
        return self.later - self.earlier


@dataclass(frozen=True)
class Comparison:
    years: tuple[int, int]
    earlier: AnnualReport | None
    later: AnnualReport | None
    sections: list[SectionComparison]
    figures: list[FigureComparison]


def comparison_years(*, user: Any, participant: Participant) -> tuple[int, int] | None:
    """The default pair: the two latest years the participant has a report on."""
    years = list(
        reports_of_participant(user=user, participant=participant).values_list("year", flat=True)[
            :2
        ]
    )
    if len(years) == 2:
        return (years[1], years[0])
    if len(years) == 1:
        return (years[0] - 1, years[0])
    return None


def annual_report_comparison(
    *, user: Any, participant: Participant, years: Sequence[int]
) -> Comparison:
    """The participant's reports on two years side by side (either may be missing), section
    by section with a word diff, and the enforcement figures year on year."""
    first, second = sorted(years)[:2]
    reports = {
        r.year: r
        for r in reports_of_participant(user=user, participant=participant).filter(
            year__in=[first, second]
        )
    }
    earlier, later = reports.get(first), reports.get(second)
    sections = []
    for section in SECTIONS:
        before = getattr(earlier, section) if earlier else ""
        after = getattr(later, section) if later else ""
        sections.append(
            SectionComparison(
                section=section,
                label=Section(section).label,
                earlier=before,
                later=after,
                diff=word_diff(before, after),
                unchanged_mark=bool(later and section in later.unchanged_sections),
            )
        )
    figures = [
        FigureComparison(
            name=name,
            label=field_label(name),
            earlier=getattr(earlier, name) if earlier else None,
            later=getattr(later, name) if later else None,
        )
        for name in FIGURES
    ]
    return Comparison(
        years=(first, second), earlier=earlier, later=later, sections=sections, figures=figures
    )
