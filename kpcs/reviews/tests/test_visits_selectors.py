"""The visit selectors: the batched working-papers rule agrees with the access module's."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from kpcs.reviews.models import ReviewVisit
from kpcs.reviews.selectors.access import can_see_working_papers
from kpcs.reviews.selectors.visits import visit_list, working_papers_rule
from kpcs.reviews.tests.factories_visits import at_status, visit_world

pytestmark = pytest.mark.django_db


def test_the_batched_rule_is_the_access_rule_for_every_user_and_status() -> None:
    world = visit_world()
    world.form_team()
    people = [
        AnonymousUser(),
        world.secretariat,
        world.reviewed_authority,
        world.lead_user,
        world.member_user,
        world.wgm_user,
        world.outsider,
        world.reviewer,
        world.industry_observer_user,
    ]
    for status in ReviewVisit.Status.values:
        at_status(world.visit, status)
        at_status(world.other_visit, status)
        for person in people:
            decide = working_papers_rule(user=person)
            for visit in (world.visit, world.other_visit):
                assert decide(visit) == can_see_working_papers(person, visit), (person, status)


def test_the_year_filter_takes_the_actual_then_planned_then_invitation_year() -> None:
    world = visit_world()
    at_status(world.visit, ReviewVisit.Status.VISIT_DONE)  # took place in 2026
    assert list(visit_list(user=world.secretariat, year=2026, participant=world.reviewed)) == [
        world.visit
    ]
    assert not visit_list(user=world.secretariat, year=2025).exists()
