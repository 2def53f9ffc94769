"""When a period can be reported, until when, and why a submission cannot be edited."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kpcs.statistics.models import DeadlineExtension, Period, ReportingDeadline, Submission

# The KP's custom: figures are due two months after the period they report.
MONTHS_TO_REPORT = 2

_PERIOD_MONTHS = {
    Period.YEAR: (1, 12),
    Period.H1: (1, 6),
    Period.H2: (7, 12),
    Period.Q1: (1, 3),
    Period.Q2: (4, 6),
    Period.Q3: (7, 9),
    Period.Q4: (10, 12),
}


def period_start(year: int, period: str) -> dt.date:
    return dt.date(year, _PERIOD_MONTHS[Period(period)][0], 1)


def period_end(year: int, period: str) -> dt.date:
    month = _PERIOD_MONTHS[Period(period)][1]
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_due_date(year: int, period: str) -> dt.date:
    end = period_end(year, period)
    # The last day of the month two months on (Q1 ends 31 March: due 31 May).
    due = _add_months(end.replace(day=1), MONTHS_TO_REPORT)
    return due.replace(day=calendar.monthrange(due.year, due.month)[1])


def due_date(year: int, period: str) -> dt.date:
    """The secretariat's due date for the period, or the default."""
    deadline = ReportingDeadline.objects.filter(year=year, period=period).first()
    return deadline.due_date if deadline else default_due_date(year, period)


def opens_on(year: int, period: str) -> dt.date:
    """Figures for a period can be entered from the day after it ends."""
    return period_end(year, period) + dt.timedelta(days=1)


def active_extension(
    *, participant_id: int, year: int, dataset: str, period: str, now: dt.datetime | None = None
) -> DeadlineExtension | None:
    return (
        DeadlineExtension.objects.filter(
            participant_id=participant_id,
            year=year,
            dataset=dataset,
            period=period,
            until__gt=now or timezone.now(),
        )
        .order_by("-until")
        .first()
    )


@dataclass(frozen=True)
class EditState:
    """Whether the participant may change a submission's figures now, and if not, why."""

    editable: bool
    reason: str
    due: dt.date
    extended_until: dt.datetime | None = None


def edit_state(
    *,
    participant_id: int,
    year: int,
    dataset: str,
    period: str,
    submission: Submission | None = None,
    now: dt.datetime | None = None,
) -> EditState:
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = due_date(year, period)
    status = submission.status if submission else Submission.Status.DRAFT
    if status == Submission.Status.SUBMITTED:
        return EditState(False, _("Submitted: the secretariat is reviewing these figures."), due)
    if status == Submission.Status.ACCEPTED:
        return EditState(
            False, _("Accepted: the secretariat vouches for these figures; they are locked."), due
        )
    if status == Submission.Status.PUBLISHED:
        return EditState(False, _("Published: these figures are locked."), due)
    if status == Submission.Status.QUERIED:
        # The secretariat asked questions: the participant answers by correcting the figures.
        return EditState(True, _("Queried: correct the figures and submit them again."), due)
    if today < opens_on(year, period):
        return EditState(
            False,
            _("Not yet open: figures for this period can be entered from %(date)s.")
            % {"date": formats.date_format(opens_on(year, period), "DATE_FORMAT")},
            due,
        )
    if today > due:
        extension = active_extension(
            participant_id=participant_id, year=year, dataset=dataset, period=period, now=now
        )
        if extension is None:
            return EditState(
                False,
                _(
                    "Past the deadline of %(date)s: ask the secretariat to reopen this period "
                    "for you."
                )
                % {"date": formats.date_format(due, "DATE_FORMAT")},
                due,
            )
        return EditState(
            True,
            _("Reopened by the secretariat until %(until)s.")
            % {
                "until": formats.date_format(
                    timezone.localtime(extension.until), "SHORT_DATETIME_FORMAT"
                )
            },
            due,
            extension.until,
        )
    return EditState(
        True, _("Open until %(date)s.") % {"date": formats.date_format(due, "DATE_FORMAT")}, due
    )


def submission_edit_state(*, submission: Submission, now: Any = None) -> EditState:
    return edit_state(
        participant_id=submission.participant_id,
        year=submission.year,
        dataset=submission.dataset,
        period=submission.period,
        submission=submission,
        now=now,
    )
