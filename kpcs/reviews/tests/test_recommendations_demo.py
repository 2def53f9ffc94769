"""The demo recommendations: five on Botswana's second-round visit, in every stage of their
follow-up (answered with evidence, partly implemented, due soon, overdue, open); loading twice
creates nothing more, and the daily reminders find the one due soon and the one overdue."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kpcs.participants.demo import demo_data_load
from kpcs.reviews import demo_recommendations
from kpcs.reviews.models import EvidenceFile, Recommendation, RecommendationReminder, ReviewVisit
from kpcs.reviews.selectors.recommendations import is_overdue
from kpcs.reviews.services.recommendations import recommendation_reminders_send

pytestmark = pytest.mark.django_db

Status = Recommendation.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def demo_world(reference_data):
    demo_data_load()


def test_demo_recommendations_cover_every_stage_and_load_once(demo_world):
    created = demo_recommendations.load()
    assert created == {
        "recommendations": 5,
        "recommendation responses": 2,
        "recommendation assessments": 1,
    }
    visit = ReviewVisit.objects.get(participant__code="BWA", kind="review_visit", round=2)
    recommendations = list(visit.recommendations.order_by("number"))
    assert [r.number for r in recommendations] == [1, 2, 3, 4, 5]
    statuses = [r.status for r in recommendations]
    assert statuses.count(Status.ANSWERED) == 1 and Status.PARTLY_IMPLEMENTED in statuses
    assert len({r.area for r in recommendations}) == 5
    assert len({r.priority for r in recommendations}) == 3
    assert (
        EvidenceFile.objects.filter(recommendation_update__recommendation__visit=visit).count() == 1
    )
    today = timezone.localdate()
    assert sum(is_overdue(r, today=today) for r in recommendations) == 1
    assert demo_recommendations.load() == {
        "recommendations": 0,
        "recommendation responses": 0,
        "recommendation assessments": 0,
    }
    assert visit.recommendations.count() == 5


def test_demo_reminders_find_the_one_due_soon_and_the_one_overdue(demo_world):
    demo_recommendations.load()
    assert recommendation_reminders_send(timezone.localdate()) == 2
    assert sorted(RecommendationReminder.objects.values_list("kind", flat=True)) == [
        "due_soon",
        "overdue",
    ]
