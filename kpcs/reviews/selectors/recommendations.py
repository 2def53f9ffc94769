"""Reads of a visit's recommendations and who may do what with them.

Seeing the recommendations follows the visit (kpcs.reviews.selectors.access.visits_visible_to:
the public sees a published visit's). Their history of responses, assessments and evidence is
working-paper material (can_see_working_papers): the team, the reviewed participant, the
secretariat and, once adopted, the Working Group on Monitoring.

Who may act:
- create and edit (while nobody has answered yet): the secretariat or the team's lead, from
  the draft report until the report is published (CREATION_STATUSES);
- respond: the reviewed participant's authority, on any recommendation not yet implemented;
- assess: the secretariat, on any recommendation not yet implemented.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from kpcs.accounts.permissions import is_secretariat
from kpcs.reviews.models import (
    EvidenceFile,
    Recommendation,
    RecommendationUpdate,
    ReviewVisit,
)
from kpcs.reviews.selectors.access import is_reviewed_participant, is_team_lead

VisitStatus = ReviewVisit.Status
Status = Recommendation.Status

# A visit's statuses in the order of the cycle; "published" and "kept restricted" both end it.
STATUS_ORDER: tuple[str, ...] = tuple(VisitStatus.values)
# Recommendations are written from the draft report until the report is published (or kept
# restricted): after that the report, recommendations included, is what the group adopted.
CREATION_STATUSES = frozenset(
    {
        VisitStatus.DRAFT_REPORT,
        VisitStatus.COMMENTS_RECEIVED,
        VisitStatus.FINAL_REPORT,
        VisitStatus.ADOPTED,
    }
)
# From the draft report on, the participant answers and the secretariat assesses.
FOLLOW_UP_STATUSES = frozenset(STATUS_ORDER[STATUS_ORDER.index(VisitStatus.DRAFT_REPORT) :])
# Implemented closes a recommendation: no more responses, assessments or reminders.
OPEN_STATUSES = tuple(s for s in Status.values if s != Status.IMPLEMENTED)


def today_or(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def with_overdue(
    recommendations: QuerySet[Recommendation], *, today: dt.date | None = None
) -> QuerySet[Recommendation]:
    """Annotate `is_overdue`: the due date has passed and it is not implemented."""
    return recommendations.annotate(
        is_overdue=Case(
            When(Q(due_on__lt=today_or(today)) & ~Q(status=Status.IMPLEMENTED), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def is_overdue(recommendation: Recommendation, *, today: dt.date | None = None) -> bool:
    return recommendation.status != Status.IMPLEMENTED and recommendation.due_on < today_or(today)


def _history() -> Prefetch:
    return Prefetch(
        "updates",
        queryset=RecommendationUpdate.objects.select_related("author").prefetch_related(
            Prefetch("evidence", queryset=EvidenceFile.objects.order_by("id"))
        ),
    )


def recommendation_list(
    *, visit: ReviewVisit, today: dt.date | None = None, with_history: bool = True
) -> QuerySet[Recommendation]:
    """A visit's recommendations by number, with `is_overdue` and (if asked) their history of
    responses and assessments with evidence, in a fixed number of queries."""
    recommendations = with_overdue(
        Recommendation.objects.filter(visit=visit).select_related("visit__participant"),
        today=today,
    ).order_by("number")
    if with_history:
        recommendations = recommendations.prefetch_related(_history())
    return recommendations


def recommendation_get(
    *, visit: ReviewVisit, number: int, today: dt.date | None = None
) -> Recommendation | None:
    return recommendation_list(visit=visit, today=today).filter(number=number).first()


# --- Who may do what -------------------------------------------------------------------------
# Each returns None when the user may, or a Refusal: `forbidden` for the user's role (403),
# otherwise the recommendation's or visit's state does not allow it now (400).


@dataclass(frozen=True)
class Refusal:
    message: str
    forbidden: bool


def why_not_create(user: Any, visit: ReviewVisit) -> Refusal | None:
    if not (is_secretariat(user) or is_team_lead(user, visit)):
        return Refusal(
            _("Only the secretariat and the team's lead may write recommendations."), True
        )
    if visit.status not in CREATION_STATUSES:
        return Refusal(
            _(
                "Recommendations are written from the draft report until the report is "
                "published; this visit is at “%(status)s”."
            )
            % {"status": visit.get_status_display()},
            False,
        )
    return None


def why_not_edit(user: Any, recommendation: Recommendation) -> Refusal | None:
    refusal = why_not_create(user, recommendation.visit)
    if refusal:
        return refusal
    if recommendation.updates.exists():
        return Refusal(
            _(
                "Recommendation %(number)s has been answered or assessed: it can no longer be "
                "changed."
            )
            % {"number": recommendation.number},
            False,
        )
    return None


def why_not_respond(user: Any, recommendation: Recommendation) -> Refusal | None:
    if not is_reviewed_participant(user, recommendation.visit):
        return Refusal(
            _("Only the reviewed participant's authority may respond to a recommendation."),
            True,
        )
    return _why_closed(recommendation)


def why_not_assess(user: Any, recommendation: Recommendation) -> Refusal | None:
    if not is_secretariat(user):
        return Refusal(_("Only the secretariat may assess a recommendation."), True)
    return _why_closed(recommendation)


def _why_closed(recommendation: Recommendation) -> Refusal | None:
    if recommendation.visit.status not in FOLLOW_UP_STATUSES:
        return Refusal(
            _("The visit has no draft report yet: its recommendations are not followed up."),
            False,
        )
    if recommendation.status == Status.IMPLEMENTED:
        return Refusal(
            _("Recommendation %(number)s is implemented: its follow-up is closed.")
            % {"number": recommendation.number},
            False,
        )
    return None
