"""The review visit pages: the list with its filters, creating and editing a visit, a visit
with its status timeline and moves, the team page, the expert roster; and who may see and do
what (an invisible visit → 404, a forbidden action on a visible one → 403, anonymous → log-in)."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse

from kpcs.reviews.models import ExpertNomination, ReportVersion, ReviewVisit, TeamMember
from kpcs.reviews.terms_of_reference import standard_terms_of_reference
from kpcs.reviews.tests.factories import (
    ExpertNominationFactory,
    ReportVersionFactory,
    ReviewVisitFactory,
)
from kpcs.reviews.tests.factories_visits import at_status, visit_world

pytestmark = pytest.mark.django_db

S = ReviewVisit.Status
LIST = "/en/reviews/visits/"
CREATE = "/en/reviews/visits/new/"
ROSTER = "/en/reviews/visits/roster/"


def detail(visit: ReviewVisit) -> str:
    return f"/en/reviews/visits/{visit.pk}/"


@pytest.fixture
def world():
    return visit_world()


def as_user(client, user):
    client.force_login(user)
    return client


# --- The list ----------------------------------------------------------------------------------


def test_the_url_names_are_those_agreed(world) -> None:
    assert reverse("reviews:list") == LIST
    assert reverse("reviews:create") == CREATE
    assert reverse("reviews:roster") == ROSTER
    visit = world.visit.pk
    assert reverse("reviews:detail", args=[visit]) == f"/en/reviews/visits/{visit}/"
    assert reverse("reviews:edit", args=[visit]).endswith("/edit/")
    assert reverse("reviews:team", args=[visit]).endswith("/team/")
    assert reverse("reviews:transition", args=[visit]).endswith("/status/")


def test_anonymous_visitors_see_published_visits_only(client, world) -> None:
    published = at_status(ReviewVisitFactory(participant=world.reviewed), S.PUBLISHED)
    at_status(world.other_visit, S.ADOPTED)
    response = client.get(LIST)
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [published]
    assert "New visit" not in response.content.decode()


def test_the_secretariat_sees_every_visit_and_the_new_visit_button(client, world) -> None:
    response = as_user(client, world.secretariat).get(LIST)
    assert set(response.context["page"].object_list) == {world.visit, world.other_visit}
    assert f'href="{CREATE}"' in response.content.decode()


def test_a_team_member_lists_their_visit_and_published_ones_only(client, world) -> None:
    world.form_team()
    response = as_user(client, world.member_user).get(LIST)
    assert list(response.context["page"].object_list) == [world.visit]


def test_filters_narrow_the_list(client, world) -> None:
    mission = ReviewVisitFactory(
        participant=world.reviewed,
        kind=ReviewVisit.Kind.REVIEW_MISSION,
        round=1,
        invited_on=None,
        planned_start=dt.date(2024, 3, 1),
        planned_end=dt.date(2024, 3, 5),
    )
    at_status(world.visit, S.SCHEDULED)
    client = as_user(client, world.secretariat)

    def listed(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.content
        return set(response.context["page"].object_list)

    assert listed(participant=world.reviewed.code) == {world.visit, mission}
    assert listed(kind="review_mission") == {mission}
    assert listed(round=1) == {mission}
    assert listed(status="scheduled") == {world.visit}
    assert listed(year=2024) == {mission}
    assert listed(year=2026, participant=world.reviewed.code) == {world.visit}


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"participant": "ZZZ"}, "“ZZZ” is not a participant's code"),
        ({"kind": "picnic"}, "“picnic” is not a kind of visit"),
        ({"round": "second"}, "The round is a whole number"),
        ({"round": "0"}, "The round is a whole number"),
        ({"status": "closed"}, "“closed” is not a status"),
        ({"year": "1850"}, "Give a year from 2000 to 2100"),
        ({"year": "soon"}, "four digits"),
    ],
)
def test_a_bad_filter_is_named_and_lists_nothing(client, world, params, words) -> None:
    response = as_user(client, world.secretariat).get(LIST, params)
    assert response.status_code == 400
    assert words in html.unescape(response.content.decode())
    assert list(response.context["page"].object_list) == []


def test_a_page_number_that_is_not_one_is_a_404(client, world) -> None:
    assert client.get(LIST, {"page": "abc"}).status_code == 404


# --- Create and edit ---------------------------------------------------------------------------


def visit_post(code: str, /, **values: str) -> dict[str, str]:
    return {
        "participant": code,
        "kind": "review_visit",
        "round": "2",
        "invited_on": "2026-02-10",
        "planned_start": "2026-06-08",
        "planned_end": "2026-06-12",
        "terms_of_reference": "Our terms.",
    } | values


def test_the_new_visit_form_is_prefilled_with_the_standard_terms(client, world) -> None:
    response = as_user(client, world.secretariat).get(CREATE)
    assert response.status_code == 200
    assert response.context["form"].initial["terms_of_reference"] == standard_terms_of_reference(
        "review_visit"
    )
    assert "minimum requirements" in response.content.decode()


def test_the_secretariat_creates_a_visit(client, world) -> None:
    response = as_user(client, world.secretariat).post(CREATE, visit_post(world.reviewed.code))
    visit = ReviewVisit.objects.latest("id")
    assert response.status_code == 302
    assert response["Location"] == detail(visit)
    assert (visit.participant, visit.round, visit.status) == (world.reviewed, 2, S.INVITED)
    assert visit.terms_of_reference == "Our terms."


def test_empty_terms_become_the_standard_ones(client, world) -> None:
    as_user(client, world.secretariat).post(
        CREATE, visit_post(world.reviewed.code, terms_of_reference="")
    )
    visit = ReviewVisit.objects.latest("id")
    assert visit.terms_of_reference == standard_terms_of_reference("review_visit")


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"planned_end": "2026-06-01"}, "planned_end", "is before the start"),
        (
            {"planned_start": "2026-01-05", "planned_end": "2026-01-09"},
            "planned_start",
            "before the invitation",
        ),
        ({"invited_on": ""}, "invited_on", "at the participant's invitation"),
        ({"participant": "ZZZ"}, "participant", "is not a participant's code"),
        ({"round": "0"}, "round", "whole number"),
        ({"invited_on": "2026-02-31"}, "invited_on", "real date"),
    ],
)
def test_bad_input_is_named_at_its_field_and_stores_nothing(
    client, world, values, field, words
) -> None:
    before = ReviewVisit.objects.count()
    response = as_user(client, world.secretariat).post(
        CREATE, visit_post(world.reviewed.code, **values)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert words in " ".join(errors[field])
    assert ReviewVisit.objects.count() == before


def test_only_the_secretariat_creates(client, world) -> None:
    response = client.get(CREATE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for user in (world.reviewed_authority, world.lead_user, world.wgm_user):
        client.force_login(user)
        assert client.get(CREATE).status_code == 403
        assert client.post(CREATE, visit_post(world.reviewed.code)).status_code == 403
    assert ReviewVisit.objects.count() == 2


def test_the_secretariat_edits_a_visit_with_its_actual_dates(client, world) -> None:
    url = reverse("reviews:edit", args=[world.visit.pk])
    client = as_user(client, world.secretariat)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        visit_post(
            world.reviewed.code,
            invited_on="2026-01-15",
            actual_start="2026-06-08",
            actual_end="2026-06-12",
        ),
    )
    assert response.status_code == 302
    world.visit.refresh_from_db()
    assert world.visit.actual_end == dt.date(2026, 6, 12)


def test_editing_refuses_an_actual_end_before_the_start(client, world) -> None:
    url = reverse("reviews:edit", args=[world.visit.pk])
    response = as_user(client, world.secretariat).post(
        url,
        visit_post(world.reviewed.code, actual_start="2026-06-08", actual_end="2026-06-01"),
    )
    assert response.status_code == 400
    assert "is before the start" in " ".join(response.context["form"].errors["actual_end"])
    world.visit.refresh_from_db()
    assert world.visit.actual_end is None


def test_editing_is_403_on_a_visible_visit_and_404_on_an_invisible_one(client, world) -> None:
    world.form_team()
    client.force_login(world.lead_user)
    assert client.get(reverse("reviews:edit", args=[world.visit.pk])).status_code == 403
    assert client.get(reverse("reviews:edit", args=[world.other_visit.pk])).status_code == 404
    client.force_login(world.reviewed_authority)
    response = client.post(
        reverse("reviews:edit", args=[world.visit.pk]), visit_post(world.reviewed.code, round="5")
    )
    assert response.status_code == 403
    world.visit.refresh_from_db()
    assert world.visit.round == 2


# --- One visit ---------------------------------------------------------------------------------


def test_the_secretariat_sees_the_timeline_the_team_and_the_next_move(client, world) -> None:
    world.form_team()
    response = as_user(client, world.secretariat).get(detail(world.visit))
    page = response.content.decode()
    assert response.status_code == 200
    assert [step["state"] for step in response.context["timeline"]][:2] == ["current", "todo"]
    assert 'aria-current="step"' in page
    assert [move.target for move in response.context["moves"]] == [S.TEAM_FORMED]
    assert "Move to “team formed”" in page
    assert world.lead_user.username in page or "lead-reviewer" in page
    assert "Terms of reference" in page
    assert world.lead_participant.name in page


def test_the_team_is_linked_to_the_findings_and_recommendations(client, world) -> None:
    # The report is linked once a version exists (the papers panel's own tests cover that).
    world.form_team()
    page = as_user(client, world.member_user).get(detail(world.visit)).content.decode()
    for name in ("reviews:findings", "recommendations:list"):
        assert f'href="{reverse(name, args=[world.visit.pk])}"' in page
    assert "No version of the report yet." in page


def test_a_team_member_of_one_visit_gets_404_on_another(client, world) -> None:
    world.form_team()
    client.force_login(world.member_user)
    assert client.get(detail(world.visit)).status_code == 200
    assert client.get(detail(world.other_visit)).status_code == 404


def test_an_authority_sees_its_own_visits_not_anothers_unpublished_one(client, world) -> None:
    client.force_login(world.reviewed_authority)
    response = client.get(detail(world.visit))
    assert response.status_code == 200
    assert response.context["full"] is True
    assert client.get(detail(world.other_visit)).status_code == 404


def test_a_wgm_member_sees_adopted_visits_but_not_draft_ones(client, world) -> None:
    client.force_login(world.wgm_user)
    at_status(world.visit, S.DRAFT_REPORT)
    assert client.get(detail(world.visit)).status_code == 404
    at_status(world.visit, S.ADOPTED)
    response = client.get(detail(world.visit))
    assert response.status_code == 200
    assert response.context["full"] is True


def test_the_public_sees_a_published_visits_header_and_report_link_only(client, world) -> None:
    world.form_team()
    at_status(world.visit, S.PUBLISHED)
    ReportVersionFactory(visit=world.visit, number=1, kind=ReportVersion.Kind.FINAL)
    response = client.get(detail(world.visit))
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["full"] is False
    assert response.context["team"] is None
    assert world.member_user.username not in page
    assert "Terms of reference" not in page
    assert world.lead_participant.name in page  # the lead participant, nothing more
    assert f'href="{reverse("reviews:report", args=[world.visit.pk])}"' in page
    assert f'href="{reverse("reviews:findings", args=[world.visit.pk])}"' not in page


def test_anonymous_visitors_get_404_on_an_unpublished_visit(client, world) -> None:
    at_status(world.visit, S.ADOPTED)
    assert client.get(detail(world.visit)).status_code == 404
    assert client.get("/en/reviews/visits/999999/").status_code == 404


# --- Status moves ------------------------------------------------------------------------------


def transition_url(visit: ReviewVisit) -> str:
    return reverse("reviews:transition", args=[visit.pk])


def test_the_secretariat_moves_a_visit_from_its_page(client, world) -> None:
    at_status(world.visit, S.SCHEDULED)
    client = as_user(client, world.secretariat)
    response = client.post(
        transition_url(world.visit),
        {"to": "visit_done", "actual_start": "2026-05-04", "actual_end": "2026-05-08"},
    )
    assert response.status_code == 302
    world.visit.refresh_from_db()
    assert world.visit.status == S.VISIT_DONE
    assert "visit done" in client.get(detail(world.visit)).content.decode()


def test_a_refused_move_says_why_and_changes_nothing(client, world) -> None:
    client = as_user(client, world.secretariat)
    response = client.post(transition_url(world.visit), {"to": "team_formed"})
    assert response.status_code == 400
    assert "The team has no lead yet" in response.content.decode()
    response = client.post(transition_url(world.visit), {"to": "published"})
    assert response.status_code == 400
    assert "cannot move to" in response.content.decode()
    response = client.post(transition_url(world.visit), {"to": "nowhere"})
    assert response.status_code == 400
    world.visit.refresh_from_db()
    assert world.visit.status == S.INVITED


def test_a_move_missing_its_date_is_named_at_the_field(client, world) -> None:
    at_status(world.visit, S.FINAL_REPORT)
    response = as_user(client, world.secretariat).post(
        transition_url(world.visit), {"to": "adopted", "adopted_by": "WGM", "adopted_on": ""}
    )
    assert response.status_code == 400
    form = response.context["moves"][0]
    assert "Give the date" in " ".join(form.errors["adopted_on"])
    world.visit.refresh_from_db()
    assert world.visit.status == S.FINAL_REPORT


def test_moving_is_403_on_a_visible_visit_and_404_on_an_invisible_one(client, world) -> None:
    world.form_team()
    for user in (world.lead_user, world.reviewed_authority):
        client.force_login(user)
        assert client.post(transition_url(world.visit), {"to": "team_formed"}).status_code == 403
    client.force_login(world.lead_user)
    assert client.post(transition_url(world.other_visit), {"to": "team_formed"}).status_code == 404
    client.logout()
    at_status(world.other_visit, S.PUBLISHED)
    assert client.post(transition_url(world.visit), {"to": "team_formed"}).status_code == 404
    response = client.post(transition_url(world.other_visit), {"to": "team_formed"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    world.visit.refresh_from_db()
    assert world.visit.status == S.INVITED


# --- The team page -----------------------------------------------------------------------------


def team_url(visit: ReviewVisit) -> str:
    return reverse("reviews:team", args=[visit.pk])


def test_the_secretariat_forms_a_team_and_moves_the_visit_on(client, world) -> None:
    client = as_user(client, world.secretariat)
    assert client.get(team_url(world.visit)).status_code == 200
    response = client.post(
        team_url(world.visit),
        {"user": world.lead_user.pk, "role": "lead", "represents": "participant"},
    )
    assert response.status_code == 302
    response = client.post(
        team_url(world.visit),
        {
            "user": world.industry_user.pk,
            "role": "member",
            "represents": "industry",
            "observer": world.industry.code,
        },
    )
    assert response.status_code == 302
    assert TeamMember.objects.filter(visit=world.visit).count() == 2
    response = client.post(transition_url(world.visit), {"to": "team_formed"})
    assert response.status_code == 302
    world.visit.refresh_from_db()
    assert world.visit.status == S.TEAM_FORMED


def test_a_team_rule_broken_is_named_and_nothing_is_stored(client, world) -> None:
    client = as_user(client, world.secretariat)
    client.post(
        team_url(world.visit),
        {"user": world.lead_user.pk, "role": "lead", "represents": "participant"},
    )
    response = client.post(
        team_url(world.visit),
        {"user": world.member_user.pk, "role": "lead", "represents": "participant"},
    )
    assert response.status_code == 400
    assert "already has a lead" in " ".join(response.context["form"].errors["role"])
    response = client.post(
        team_url(world.visit),
        {"user": world.civil_user.pk, "role": "member", "represents": "industry"},
    )
    assert response.status_code == 400
    assert "not an industry observer" in " ".join(response.context["form"].errors["observer"])
    response = client.post(
        team_url(world.visit),
        {"user": world.reviewed_authority.pk, "role": "member", "represents": "participant"},
    )
    assert response.status_code == 400  # not even offered: the reviewed participant's own
    assert TeamMember.objects.filter(visit=world.visit).count() == 1


def test_the_secretariat_removes_a_member(client, world) -> None:
    world.form_team()
    member = TeamMember.objects.get(user=world.member_user)
    response = as_user(client, world.secretariat).post(
        reverse("reviews:team-remove", args=[world.visit.pk, member.pk])
    )
    assert response.status_code == 302
    assert not TeamMember.objects.filter(pk=member.pk).exists()


def test_the_team_page_is_403_on_a_visible_visit_and_404_on_an_invisible_one(client, world) -> None:
    world.form_team()
    member = TeamMember.objects.get(user=world.member_user)
    client.force_login(world.lead_user)
    assert client.get(team_url(world.visit)).status_code == 403
    response = client.post(
        team_url(world.visit),
        {"user": world.industry_user.pk, "role": "member", "represents": "industry"},
    )
    assert response.status_code == 403
    remove = reverse("reviews:team-remove", args=[world.visit.pk, member.pk])
    assert client.post(remove).status_code == 403
    assert client.get(team_url(world.other_visit)).status_code == 404
    assert TeamMember.objects.filter(visit=world.visit).count() == 2


# --- The roster --------------------------------------------------------------------------------


def test_the_roster_is_for_people_who_log_in(client, world) -> None:
    response = client.get(ROSTER)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    ExpertNominationFactory(user=world.reviewer, expertise="Valuation of rough diamonds")
    for user in (world.secretariat, world.reviewed_authority, world.industry_observer_user):
        client.force_login(user)
        response = client.get(ROSTER)
        assert "Valuation of rough diamonds" in response.content.decode()
        assert response.context["form"] is not None
    client.force_login(world.lead_user)
    response = client.get(ROSTER)
    assert response.status_code == 200
    assert response.context["form"] is None
    assert client.post(ROSTER, {"user": world.lead_user.pk}).status_code == 403


def test_an_authority_nominates_its_own_people_from_the_roster_page(client, world) -> None:
    from kpcs.accounts.tests.factories import UserFactory

    colleague = UserFactory(role="reviewer", participant=world.reviewed, username="bw-expert")
    client.force_login(world.reviewed_authority)
    response = client.post(ROSTER, {"user": colleague.pk, "areas": ["statistics", "enforcement"]})
    assert response.status_code == 302
    nomination = ExpertNomination.objects.get(user=colleague)
    assert nomination.nominated_by_participant == world.reviewed
    assert nomination.areas == ["statistics", "enforcement"]


def test_an_authority_cannot_nominate_another_participants_user_from_the_page(
    client, world
) -> None:
    client.force_login(world.reviewed_authority)
    response = client.post(ROSTER, {"user": world.lead_user.pk, "areas": ["statistics"]})
    assert response.status_code == 400
    assert "you nominate your own people" in " ".join(response.context["form"].errors["user"])
    assert not ExpertNomination.objects.exists()


def test_a_nomination_without_area_is_refused(client, world) -> None:
    client.force_login(world.secretariat)
    response = client.post(
        ROSTER, {"user": world.reviewer.pk, "nominated_by_participant": world.lead_participant.code}
    )
    assert response.status_code == 400
    assert "at least one area" in " ".join(response.context["form"].errors["areas"])
    response = client.post(ROSTER, {"user": world.reviewer.pk, "areas": ["statistics"]})
    assert response.status_code == 400
    assert "either the participant or the observer" in response.content.decode()
    assert not ExpertNomination.objects.exists()


def test_withdrawing_is_for_the_nominator_and_the_secretariat(client, world) -> None:
    nomination = ExpertNominationFactory(nominated_by_participant=world.reviewed)
    url = reverse("reviews:roster-withdraw", args=[nomination.pk])
    client.force_login(world.outsider)
    assert client.post(url).status_code == 403
    client.force_login(world.reviewed_authority)
    assert client.post(url).status_code == 302
    nomination.refresh_from_db()
    assert nomination.active is False
    assert client.post(url).status_code == 404


def test_a_mission_form_starts_from_the_missions_terms(client, world) -> None:
    client = as_user(client, world.secretariat)
    response = client.get(CREATE, {"kind": "review_mission"})
    assert response.context["form"].initial["terms_of_reference"].startswith("This review mission")
    response = client.get(CREATE, {"kind": "nonsense"})
    assert response.context["form"].initial["kind"] == "review_visit"
