"""`make run`'s demo visits: Botswana's second-round visit with its full team at draft report,
its first-round visit of 2008 published, a 2007 mission to Ghana kept restricted, two experts
on the roster; loaded once, and each demo account sees what its role allows."""

from __future__ import annotations

import datetime as dt

import pytest

from kpcs.accounts.models import User
from kpcs.participants.demo import demo_data_load
from kpcs.reviews import demo_visits
from kpcs.reviews.models import ExpertNomination, ReviewVisit, TeamMember
from kpcs.reviews.selectors.access import can_see_working_papers, visits_visible_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

S = ReviewVisit.Status


@pytest.fixture
def loaded():
    demo_data_load()
    return demo_visits.load()


def test_a_second_load_creates_nothing(loaded) -> None:
    assert loaded == {"review visits": 3, "review team places": 5, "roster experts": 2}
    counts = (
        ReviewVisit.objects.count(),
        TeamMember.objects.count(),
        ExpertNomination.objects.count(),
    )
    assert set(demo_visits.load().values()) == {0}
    assert counts == (
        ReviewVisit.objects.count(),
        TeamMember.objects.count(),
        ExpertNomination.objects.count(),
    )


def test_the_demo_visit_is_botswanas_second_round_with_a_full_team(loaded) -> None:
    visit = ReviewVisit.objects.get(participant__code="BWA", round=2)
    assert (visit.kind, visit.status, visit.invited_on) == (
        ReviewVisit.Kind.REVIEW_VISIT,
        S.DRAFT_REPORT,
        dt.date(2026, 2, 10),
    )
    assert (visit.planned_start, visit.planned_end) == (dt.date(2026, 6, 8), dt.date(2026, 6, 12))
    assert (visit.actual_start, visit.actual_end) == (visit.planned_start, visit.planned_end)
    assert "minimum requirements" in visit.terms_of_reference
    team = {
        member.user.username: (
            member.role,
            member.represents,
            (member.participant or member.observer).code,
        )
        for member in visit.team.select_related("user", "participant", "observer")
    }
    assert team == {
        "zaf-lead": ("lead", "participant", "ZAF"),
        "reviewer": ("member", "participant", "CAN"),
        "ind-reviewer": ("member", "participant", "IND"),
        "wdc-reviewer": ("member", "industry", "WDC"),
        "csc-reviewer": ("member", "civil_society", "CSC"),
    }


def test_the_history_has_a_published_first_round_and_a_restricted_mission(loaded) -> None:
    first = ReviewVisit.objects.get(participant__code="BWA", round=1)
    assert (first.status, first.adopted_by.code, first.published_on.year) == (
        S.PUBLISHED,
        "WGM",
        2008,
    )
    mission = ReviewVisit.objects.get(participant__code="GHA")
    assert (mission.kind, mission.status, mission.adopted_by.code) == (
        ReviewVisit.Kind.REVIEW_MISSION,
        S.RESTRICTED,
        "WGM",
    )
    assert mission.published_on is None


def test_each_demo_account_sees_what_its_role_allows(loaded) -> None:
    from django.contrib.auth.models import AnonymousUser

    def seen(user) -> set[tuple[str, int]]:
        return {(v.participant.code, v.round) for v in visits_visible_to(user)}

    users = {u.username: u for u in User.objects.all()}
    assert seen(AnonymousUser()) == {("BWA", 1)}
    assert seen(users["bwa-authority"]) == {("BWA", 1), ("BWA", 2)}
    # IND does not sit on the Working Group on Monitoring: its team's visit and the public one.
    assert seen(users["ind-reviewer"]) == {("BWA", 1), ("BWA", 2)}
    # ZAF chairs it: the adopted mission too (through its seat, not through the team).
    assert seen(users["zaf-lead"]) == {("BWA", 1), ("BWA", 2), ("GHA", 1)}
    assert seen(users["wdc-observer"]) == {("BWA", 1), ("GHA", 1)}
    assert seen(users["zaf-authority"]) == {("BWA", 1), ("GHA", 1)}
    demo = ReviewVisit.objects.get(participant__code="BWA", round=2)
    assert can_see_working_papers(users["csc-reviewer"], demo)
    assert not can_see_working_papers(users["zaf-authority"], demo)
