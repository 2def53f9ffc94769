"""The visit services: creating and editing a visit (dates in order, the invitation of a review
visit), every move of the status workflow (allowed and refused, audited, nothing changed when
refused), the team's rules and the expert roster's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kpcs.accounts.tests.factories import UserFactory
from kpcs.common.models import AuditEntry
from kpcs.participants.tests.factories import ObserverFactory, WorkingBodyFactory
from kpcs.reviews.models import ExpertNomination, ReviewVisit, TeamMember
from kpcs.reviews.services import visits as services
from kpcs.reviews.services.visits import visit_transition
from kpcs.reviews.terms_of_reference import standard_terms_of_reference
from kpcs.reviews.tests.factories import ExpertNominationFactory
from kpcs.reviews.tests.factories_visits import PLANNED, at_status, tomorrow, visit_world

pytestmark = pytest.mark.django_db

S = ReviewVisit.Status


@pytest.fixture
def world():
    return visit_world()


def errors_of(excinfo: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- Creating and editing ----------------------------------------------------------------------


def test_secretariat_creates_a_visit_with_the_standard_terms_of_reference(world) -> None:
    visit = services.visit_create(
        actor=world.secretariat,
        participant=world.reviewed,
        kind=ReviewVisit.Kind.REVIEW_VISIT,
        round=2,
        invited_on=dt.date(2026, 2, 1),
        planned_start=dt.date(2026, 6, 1),
        planned_end=dt.date(2026, 6, 5),
    )
    assert visit.status == S.INVITED
    assert visit.terms_of_reference == standard_terms_of_reference(visit.kind)
    assert "requirement area" in visit.terms_of_reference
    assert visit.created_by == world.secretariat
    assert AuditEntry.objects.filter(object_id=str(visit.pk), action="create").exists()


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"planned_start": dt.date(2026, 6, 5), "planned_end": dt.date(2026, 6, 1)}, "planned_end"),
        (
            {"planned_start": dt.date(2026, 1, 5), "planned_end": dt.date(2026, 1, 9)},
            "planned_start",
        ),
        ({"planned_start": dt.date(2026, 6, 5)}, "planned_end"),
        ({"invited_on": None}, "invited_on"),
        ({"invited_on": dt.date(1990, 1, 1)}, "invited_on"),
    ],
    ids=["end-before-start", "start-before-invitation", "half-dated", "no-invitation", "absurd"],
)
def test_creating_a_visit_with_bad_dates_names_the_field_and_stores_nothing(
    world, dates, field
) -> None:
    values = {"invited_on": dt.date(2026, 2, 1)} | dates
    with pytest.raises(ValidationError) as excinfo:
        services.visit_create(
            actor=world.secretariat,
            participant=world.reviewed,
            kind=ReviewVisit.Kind.REVIEW_VISIT,
            round=1,
            **values,
        )
    assert field in errors_of(excinfo)
    assert ReviewVisit.objects.count() == 2  # the world's two


def test_a_mission_needs_no_invitation(world) -> None:
    visit = services.visit_create(
        actor=world.secretariat,
        participant=world.reviewed,
        kind=ReviewVisit.Kind.REVIEW_MISSION,
        round=1,
    )
    assert visit.invited_on is None
    assert visit.terms_of_reference == standard_terms_of_reference(visit.kind)
    assert visit.terms_of_reference.startswith("This review mission")


def test_only_the_secretariat_creates_and_edits_visits(world) -> None:
    with pytest.raises(PermissionDenied):
        services.visit_create(
            actor=world.reviewed_authority,
            participant=world.reviewed,
            kind=ReviewVisit.Kind.REVIEW_MISSION,
            round=1,
        )
    with pytest.raises(PermissionDenied):
        services.visit_update(actor=world.lead_user, visit=world.visit, round=3)


def test_editing_sets_actual_dates_and_refuses_an_end_before_the_start(world) -> None:
    visit = services.visit_update(
        actor=world.secretariat,
        visit=world.visit,
        actual_start=dt.date(2026, 5, 4),
        actual_end=dt.date(2026, 5, 8),
    )
    assert visit.actual_end == dt.date(2026, 5, 8)
    with pytest.raises(ValidationError) as excinfo:
        services.visit_update(actor=world.secretariat, visit=visit, actual_end=dt.date(2026, 5, 1))
    assert "actual_end" in errors_of(excinfo)
    visit.refresh_from_db()
    assert visit.actual_end == dt.date(2026, 5, 8)


def test_editing_cannot_take_away_the_dates_a_status_relies_on(world) -> None:
    at_status(world.visit, S.VISIT_DONE)
    with pytest.raises(ValidationError) as excinfo:
        services.visit_update(actor=world.secretariat, visit=world.visit, planned_start=None)
    assert "planned_start" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.visit_update(
            actor=world.secretariat, visit=world.visit, actual_start=None, actual_end=None
        )
    assert set(errors_of(excinfo)) == {"actual_start", "actual_end"}


def test_editing_cannot_change_the_status_through_the_back_door(world) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.visit_update(actor=world.secretariat, visit=world.visit, status=S.PUBLISHED)
    assert "status" in errors_of(excinfo)
    world.visit.refresh_from_db()
    assert world.visit.status == S.INVITED


def test_the_participant_reviewed_cannot_become_one_on_the_team(world) -> None:
    world.form_team()
    with pytest.raises(ValidationError) as excinfo:
        services.visit_update(
            actor=world.secretariat, visit=world.visit, participant=world.lead_participant
        )
    assert "participant" in errors_of(excinfo)


# --- The status workflow -----------------------------------------------------------------------


def test_every_secretariat_move_and_only_those_are_in_the_table() -> None:
    by_hand = {
        (source, to)
        for source, moves in services.TRANSITIONS.items()
        for to, by in moves.items()
        if by == services.BY_SECRETARIAT
    }
    assert by_hand == {
        (S.INVITED, S.TEAM_FORMED),
        (S.TEAM_FORMED, S.SCHEDULED),
        (S.SCHEDULED, S.VISIT_DONE),
        (S.FINAL_REPORT, S.ADOPTED),
        (S.ADOPTED, S.PUBLISHED),
        (S.ADOPTED, S.RESTRICTED),
        (S.RESTRICTED, S.PUBLISHED),
    }
    assert set(services.TRANSITIONS) == set(S.values)


def test_invited_to_team_formed_with_a_lead_and_another_member_is_audited(world) -> None:
    world.form_team()
    visit = visit_transition(visit=world.visit, to=S.TEAM_FORMED, actor=world.secretariat)
    assert visit.status == S.TEAM_FORMED
    entry = AuditEntry.objects.filter(object_id=str(visit.pk), action="update").get()
    assert entry.changes["status"] == ["invited", "team_formed"]
    assert entry.reason == "status invited → team_formed"
    assert entry.actor == world.secretariat


def test_a_team_cannot_be_formed_without_a_lead(world) -> None:
    TeamMember.objects.create(
        visit=world.visit,
        user=world.member_user,
        represents=TeamMember.Represents.PARTICIPANT,
        participant=world.member_participant,
    )
    with pytest.raises(ValidationError) as excinfo:
        visit_transition(visit=world.visit, to=S.TEAM_FORMED, actor=world.secretariat)
    assert "no lead" in " ".join(errors_of(excinfo)["team"])
    world.visit.refresh_from_db()
    assert world.visit.status == S.INVITED
    assert not AuditEntry.objects.filter(object_id=str(world.visit.pk), action="update").exists()


def test_a_team_cannot_be_formed_by_the_lead_alone(world) -> None:
    TeamMember.objects.create(
        visit=world.visit,
        user=world.lead_user,
        role=TeamMember.Role.LEAD,
        represents=TeamMember.Represents.PARTICIPANT,
        participant=world.lead_participant,
    )
    with pytest.raises(ValidationError) as excinfo:
        visit_transition(visit=world.visit, to=S.TEAM_FORMED, actor=world.secretariat)
    assert "besides the lead" in " ".join(errors_of(excinfo)["team"])


def test_team_formed_to_scheduled_with_the_planned_dates_given(world) -> None:
    at_status(world.visit, S.TEAM_FORMED, planned_start=None, planned_end=None)
    visit = visit_transition(
        visit=world.visit,
        to=S.SCHEDULED,
        actor=world.secretariat,
        planned_start=PLANNED[0],
        planned_end=PLANNED[1],
    )
    assert (visit.status, visit.planned_start, visit.planned_end) == (S.SCHEDULED, *PLANNED)


def test_team_formed_to_scheduled_with_the_planned_dates_kept(world) -> None:
    at_status(world.visit, S.TEAM_FORMED)
    visit = visit_transition(visit=world.visit, to=S.SCHEDULED, actor=world.secretariat)
    assert visit.status == S.SCHEDULED


def test_scheduling_needs_planned_dates_in_order(world) -> None:
    at_status(world.visit, S.TEAM_FORMED, planned_start=None, planned_end=None)
    with pytest.raises(ValidationError) as excinfo:
        visit_transition(visit=world.visit, to=S.SCHEDULED, actor=world.secretariat)
    assert set(errors_of(excinfo)) == {"planned_start", "planned_end"}
    with pytest.raises(ValidationError) as excinfo:
        visit_transition(
            visit=world.visit,
            to=S.SCHEDULED,
            actor=world.secretariat,
            planned_start=PLANNED[1],
            planned_end=PLANNED[0],
        )
    assert "planned_end" in errors_of(excinfo)
    world.visit.refresh_from_db()
    assert (world.visit.status, world.visit.planned_start) == (S.TEAM_FORMED, None)


def test_scheduled_to_visit_done_with_the_actual_dates(world) -> None:
    at_status(world.visit, S.SCHEDULED)
    visit = visit_transition(
        visit=world.visit,
        to=S.VISIT_DONE,
        actor=world.secretariat,
        actual_start=dt.date(2026, 5, 5),
        actual_end=dt.date(2026, 5, 9),
    )
    assert (visit.status, visit.actual_end) == (S.VISIT_DONE, dt.date(2026, 5, 9))


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({}, "actual_start"),
        ({"actual_start": dt.date(2026, 5, 9), "actual_end": dt.date(2026, 5, 5)}, "actual_end"),
        (
            {"actual_start": dt.date(2025, 12, 1), "actual_end": dt.date(2025, 12, 5)},
            "actual_start",
        ),
    ],
    ids=["missing", "end-before-start", "before-invitation"],
)
def test_visit_done_is_refused_without_sound_actual_dates(world, dates, field) -> None:
    at_status(world.visit, S.SCHEDULED)
    with pytest.raises(ValidationError) as excinfo:
        visit_transition(visit=world.visit, to=S.VISIT_DONE, actor=world.secretariat, **dates)
    assert field in errors_of(excinfo)
    world.visit.refresh_from_db()
    assert (world.visit.status, world.visit.actual_start) == (S.SCHEDULED, None)


def test_a_visit_is_not_done_before_it_ends(world) -> None:
    at_status(world.visit, S.SCHEDULED)
    with pytest.raises(ValidationError) as excinfo:
        visit_transition(
            visit=world.visit,
            to=S.VISIT_DONE,
            actor=world.secretariat,
            actual_start=dt.date(2026, 5, 4),
            actual_end=tomorrow(),
        )
    assert "not over yet" in errors_of(excinfo)["actual_end"][0]


def test_final_report_to_adopted_by_the_working_group_on_monitoring_by_default(world) -> None:
    at_status(world.visit, S.FINAL_REPORT)
    visit = visit_transition(
        visit=world.visit, to=S.ADOPTED, actor=world.secretariat, adopted_on=dt.date(2026, 6, 20)
    )
    assert (visit.status, visit.adopted_on, visit.adopted_by) == (
        S.ADOPTED,
        dt.date(2026, 6, 20),
        world.wgm,
    )


def test_adoption_records_another_body_when_given(world) -> None:
    at_status(world.visit, S.FINAL_REPORT)
    plenary = WorkingBodyFactory(code="PLN")
    visit = visit_transition(
        visit=world.visit,
        to=S.ADOPTED,
        actor=world.secretariat,
        adopted_on=dt.date(2026, 6, 20),
        adopted_by=plenary,
    )
    assert visit.adopted_by == plenary


@pytest.mark.parametrize(
    ("adopted_on", "words"),
    [
        (None, "Give the date"),
        (dt.date(2026, 5, 7), "before the visit ended"),
        ("tomorrow", "future"),
    ],
    ids=["missing", "before-the-visit-ended", "future"],
)
def test_adoption_is_refused_without_a_sound_date(world, adopted_on, words) -> None:
    at_status(world.visit, S.FINAL_REPORT)
    adopted_on = tomorrow() if adopted_on == "tomorrow" else adopted_on
    with pytest.raises(ValidationError) as excinfo:
        visit_transition(
            visit=world.visit, to=S.ADOPTED, actor=world.secretariat, adopted_on=adopted_on
        )
    assert words in errors_of(excinfo)["adopted_on"][0]
    world.visit.refresh_from_db()
    assert (world.visit.status, world.visit.adopted_on) == (S.FINAL_REPORT, None)


def test_adopted_to_published_with_the_publication_date(world) -> None:
    at_status(world.visit, S.ADOPTED)
    visit = visit_transition(
        visit=world.visit, to=S.PUBLISHED, actor=world.secretariat, published_on=dt.date(2026, 7, 1)
    )
    assert (visit.status, visit.published_on) == (S.PUBLISHED, dt.date(2026, 7, 1))


@pytest.mark.parametrize(
    ("published_on", "words"),
    [(None, "Give the date"), (dt.date(2026, 6, 1), "before its adoption"), ("tomorrow", "future")],
    ids=["missing", "before-adoption", "future"],
)
def test_publication_is_refused_without_a_sound_date(world, published_on, words) -> None:
    at_status(world.visit, S.ADOPTED)
    published_on = tomorrow() if published_on == "tomorrow" else published_on
    with pytest.raises(ValidationError) as excinfo:
        visit_transition(
            visit=world.visit, to=S.PUBLISHED, actor=world.secretariat, published_on=published_on
        )
    assert words in errors_of(excinfo)["published_on"][0]
    world.visit.refresh_from_db()
    assert world.visit.status == S.ADOPTED


def test_adopted_to_restricted_then_published(world) -> None:
    at_status(world.visit, S.ADOPTED)
    visit = visit_transition(visit=world.visit, to=S.RESTRICTED, actor=world.secretariat)
    assert visit.status == S.RESTRICTED
    visit = visit_transition(
        visit=visit, to=S.PUBLISHED, actor=world.secretariat, published_on=dt.date(2026, 8, 1)
    )
    assert visit.status == S.PUBLISHED
    reasons = list(
        AuditEntry.objects.filter(object_id=str(visit.pk), action="update")
        .order_by("id")
        .values_list("reason", flat=True)
    )
    assert reasons == ["status adopted → restricted", "status restricted → published"]


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (S.INVITED, S.SCHEDULED),
        (S.INVITED, S.ADOPTED),
        (S.SCHEDULED, S.TEAM_FORMED),
        (S.VISIT_DONE, S.ADOPTED),
        (S.FINAL_REPORT, S.PUBLISHED),
        (S.PUBLISHED, S.RESTRICTED),
        (S.RESTRICTED, S.ADOPTED),
    ],
)
def test_a_move_outside_the_table_is_refused_and_changes_nothing(world, start, to) -> None:
    at_status(world.visit, start)
    with pytest.raises(ValidationError) as excinfo:
        visit_transition(visit=world.visit, to=to, actor=world.secretariat)
    assert "cannot move" in errors_of(excinfo)["to"][0]
    world.visit.refresh_from_db()
    assert world.visit.status == start
    assert not AuditEntry.objects.filter(object_id=str(world.visit.pk), action="update").exists()


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (S.VISIT_DONE, S.DRAFT_REPORT),
        (S.DRAFT_REPORT, S.COMMENTS_RECEIVED),
        (S.COMMENTS_RECEIVED, S.FINAL_REPORT),
    ],
)
def test_the_report_moves_are_not_made_by_hand(world, start, to) -> None:
    at_status(world.visit, start)
    with pytest.raises(ValidationError) as excinfo:
        visit_transition(visit=world.visit, to=to, actor=world.secretariat)
    assert "through its report" in errors_of(excinfo)["to"][0]
    world.visit.refresh_from_db()
    assert world.visit.status == start


def test_an_unknown_status_or_the_same_one_is_refused(world) -> None:
    with pytest.raises(ValidationError) as excinfo:
        visit_transition(visit=world.visit, to="closed", actor=world.secretariat)
    assert "not a status" in errors_of(excinfo)["to"][0]
    with pytest.raises(ValidationError) as excinfo:
        visit_transition(visit=world.visit, to=S.INVITED, actor=world.secretariat)
    assert "already" in errors_of(excinfo)["to"][0]


def test_facts_a_move_does_not_use_are_refused(world) -> None:
    world.form_team()
    with pytest.raises(ValidationError) as excinfo:
        visit_transition(
            visit=world.visit,
            to=S.TEAM_FORMED,
            actor=world.secretariat,
            adopted_on=dt.date(2026, 6, 1),
        )
    assert "adopted_on" in errors_of(excinfo)
    world.visit.refresh_from_db()
    assert world.visit.status == S.INVITED


@pytest.mark.parametrize("who", ["lead_user", "reviewed_authority", "wgm_user", "reviewer"])
def test_only_the_secretariat_moves_a_visit(world, who) -> None:
    world.form_team()
    with pytest.raises(PermissionDenied):
        visit_transition(visit=world.visit, to=S.TEAM_FORMED, actor=getattr(world, who))
    world.visit.refresh_from_db()
    assert world.visit.status == S.INVITED


def test_secretariat_moves_lists_the_next_moves(world) -> None:
    assert services.secretariat_moves(at_status(world.visit, S.ADOPTED)) == [
        S.PUBLISHED,
        S.RESTRICTED,
    ]
    assert services.secretariat_moves(at_status(world.visit, S.DRAFT_REPORT)) == []


# --- The team ----------------------------------------------------------------------------------


def add(world, user, **kwargs):
    kwargs.setdefault("role", TeamMember.Role.MEMBER)
    kwargs.setdefault("represents", TeamMember.Represents.PARTICIPANT)
    return services.team_member_add(actor=world.secretariat, visit=world.visit, user=user, **kwargs)


def test_a_full_team_is_formed_with_each_side(world) -> None:
    lead = add(world, world.lead_user, role=TeamMember.Role.LEAD)
    member = add(world, world.member_user)
    industry = add(world, world.industry_user, represents=TeamMember.Represents.INDUSTRY)
    civil = add(world, world.civil_user, represents=TeamMember.Represents.CIVIL_SOCIETY)
    nomination = ExpertNominationFactory(user=world.reviewer)
    expert = add(
        world, world.reviewer, role=TeamMember.Role.EXPERT, represents=TeamMember.Represents.EXPERT
    )
    secretary = add(world, world.secretariat, represents=TeamMember.Represents.SECRETARIAT)
    # The participant or observer represented defaults to the one the person acts for.
    assert lead.participant == world.lead_participant
    assert member.participant == world.member_participant
    assert industry.observer == world.industry
    assert civil.observer == world.civil
    assert expert.nomination == nomination
    assert secretary.participant is None
    assert AuditEntry.objects.filter(action="create", object_id=str(lead.pk)).exists()
    visit = visit_transition(visit=world.visit, to=S.TEAM_FORMED, actor=world.secretariat)
    assert visit.status == S.TEAM_FORMED


def test_a_team_has_one_lead_who_represents_a_participant(world) -> None:
    add(world, world.lead_user, role=TeamMember.Role.LEAD)
    with pytest.raises(ValidationError) as excinfo:
        add(world, world.member_user, role=TeamMember.Role.LEAD)
    assert "already has a lead" in errors_of(excinfo)["role"][0]
    TeamMember.objects.filter(role=TeamMember.Role.LEAD).delete()
    with pytest.raises(ValidationError) as excinfo:
        add(
            world,
            world.industry_user,
            role=TeamMember.Role.LEAD,
            represents=TeamMember.Represents.INDUSTRY,
        )
    assert "represents a participant" in errors_of(excinfo)["represents"][0]


def test_the_reviewed_participant_is_not_on_its_own_team(world) -> None:
    with pytest.raises(ValidationError) as excinfo:
        add(world, world.reviewed_authority)
    assert "own review team" in errors_of(excinfo)["user"][0]
    with pytest.raises(ValidationError) as excinfo:
        add(world, world.reviewer, participant=world.reviewed)
    assert "participant reviewed" in errors_of(excinfo)["participant"][0]
    assert not TeamMember.objects.exists()


def test_industry_and_civil_society_sit_through_an_observer_of_their_kind(world) -> None:
    with pytest.raises(ValidationError) as excinfo:
        add(world, world.civil_user, represents=TeamMember.Represents.INDUSTRY)
    assert "not an industry observer" in errors_of(excinfo)["observer"][0]
    with pytest.raises(ValidationError) as excinfo:
        add(world, world.reviewer, represents=TeamMember.Represents.CIVIL_SOCIETY)
    assert "Name the civil society observer" in errors_of(excinfo)["observer"][0]
    independent = ObserverFactory(kind="independent_observer")
    with pytest.raises(ValidationError) as excinfo:
        add(
            world,
            world.reviewer,
            represents=TeamMember.Represents.CIVIL_SOCIETY,
            observer=independent,
        )
    assert "observer" in errors_of(excinfo)
    assert not TeamMember.objects.exists()


def test_experts_come_from_the_active_roster(world) -> None:
    expert = {"role": TeamMember.Role.EXPERT, "represents": TeamMember.Represents.EXPERT}
    with pytest.raises(ValidationError) as excinfo:
        add(world, world.reviewer, **expert)
    assert "not on the expert roster" in errors_of(excinfo)["nomination"][0]
    withdrawn = ExpertNominationFactory(user=world.reviewer, active=False)
    with pytest.raises(ValidationError) as excinfo:
        add(world, world.reviewer, nomination=withdrawn, **expert)
    assert "withdrawn" in errors_of(excinfo)["nomination"][0]
    someone_else = ExpertNominationFactory()
    with pytest.raises(ValidationError) as excinfo:
        add(world, world.reviewer, nomination=someone_else, **expert)
    assert "not free-reviewer" in errors_of(excinfo)["nomination"][0]
    with pytest.raises(ValidationError) as excinfo:
        add(world, world.reviewer, role=TeamMember.Role.EXPERT)
    assert "represents" in errors_of(excinfo)
    assert not TeamMember.objects.exists()


def test_a_person_is_on_a_team_once(world) -> None:
    add(world, world.member_user)
    with pytest.raises(ValidationError) as excinfo:
        add(world, world.member_user, role=TeamMember.Role.LEAD)
    assert "already on this visit's team" in errors_of(excinfo)["user"][0]


def test_only_secretariat_people_represent_the_secretariat(world) -> None:
    with pytest.raises(ValidationError) as excinfo:
        add(world, world.reviewer, represents=TeamMember.Represents.SECRETARIAT)
    assert "user" in errors_of(excinfo)


def test_only_the_secretariat_forms_teams(world) -> None:
    with pytest.raises(PermissionDenied):
        services.team_member_add(
            actor=world.lead_user,
            visit=world.visit,
            user=world.member_user,
            role=TeamMember.Role.MEMBER,
            represents=TeamMember.Represents.PARTICIPANT,
        )
    member = add(world, world.member_user)
    with pytest.raises(PermissionDenied):
        services.team_member_remove(
            actor=world.reviewed_authority, visit=world.visit, member=member
        )
    assert TeamMember.objects.filter(pk=member.pk).exists()


def test_a_member_is_removed_with_an_audit_entry(world) -> None:
    member = add(world, world.member_user)
    member_id = member.pk
    services.team_member_remove(actor=world.secretariat, visit=world.visit, member=member)
    assert not TeamMember.objects.exists()
    assert AuditEntry.objects.filter(action="delete", object_id=str(member_id)).exists()


def test_the_team_of_an_adopted_report_no_longer_changes(world) -> None:
    world.form_team()
    at_status(world.visit, S.ADOPTED)
    with pytest.raises(ValidationError):
        add(world, world.industry_user, represents=TeamMember.Represents.INDUSTRY)
    member = TeamMember.objects.first()
    with pytest.raises(ValidationError):
        services.team_member_remove(actor=world.secretariat, visit=world.visit, member=member)
    assert TeamMember.objects.count() == 2


# --- The roster --------------------------------------------------------------------------------


def test_an_authority_nominates_people_acting_for_its_own_participant(world) -> None:
    colleague = UserFactory(username="colleague", role="reviewer", participant=world.reviewed)
    nomination = services.expert_nominate(
        actor=world.reviewed_authority, user=colleague, areas=["statistics"], expertise="Valuer"
    )
    assert nomination.nominated_by_participant == world.reviewed
    assert nomination.active
    assert AuditEntry.objects.filter(action="create", object_id=str(nomination.pk)).exists()


def test_an_authority_cannot_nominate_another_participants_user(world) -> None:
    with pytest.raises(PermissionDenied):
        services.expert_nominate(
            actor=world.reviewed_authority, user=world.lead_user, areas=["statistics"]
        )
    with pytest.raises(PermissionDenied):
        services.expert_nominate(
            actor=world.reviewed_authority,
            user=world.reviewed_authority,
            nominated_by_participant=world.lead_participant,
            areas=["statistics"],
        )
    assert not ExpertNomination.objects.exists()


def test_an_observer_nominates_its_own_people_only(world) -> None:
    nomination = services.expert_nominate(
        actor=world.industry_observer_user, user=world.industry_user, areas=["internal_controls"]
    )
    assert nomination.nominated_by_observer == world.industry
    with pytest.raises(PermissionDenied):
        services.expert_nominate(
            actor=world.industry_observer_user, user=world.civil_user, areas=["statistics"]
        )


def test_reviewers_do_not_nominate(world) -> None:
    with pytest.raises(PermissionDenied):
        services.expert_nominate(actor=world.reviewer, user=world.reviewer, areas=["statistics"])


def test_the_secretariat_nominates_anyone_for_a_named_body(world) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.expert_nominate(actor=world.secretariat, user=world.reviewer, areas=["statistics"])
    assert "nominated_by" in errors_of(excinfo)
    nomination = services.expert_nominate(
        actor=world.secretariat,
        user=world.reviewer,
        nominated_by_observer=world.civil,
        areas=["enforcement"],
    )
    assert nomination.nominated_by_observer == world.civil


def test_a_nomination_needs_an_area_and_a_person_off_the_roster(world) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.expert_nominate(
            actor=world.secretariat, user=world.reviewer, nominated_by_observer=world.civil
        )
    assert "areas" in errors_of(excinfo)
    ExpertNominationFactory(user=world.reviewer)
    with pytest.raises(ValidationError) as excinfo:
        services.expert_nominate(
            actor=world.secretariat,
            user=world.reviewer,
            nominated_by_observer=world.civil,
            areas=["statistics"],
        )
    assert "already on the roster" in errors_of(excinfo)["user"][0]


def test_a_nomination_is_withdrawn_by_its_nominator_or_the_secretariat(world) -> None:
    nomination = ExpertNominationFactory(nominated_by_participant=world.reviewed)
    with pytest.raises(PermissionDenied):
        services.expert_withdraw(actor=world.outsider, nomination=nomination)
    withdrawn = services.expert_withdraw(actor=world.reviewed_authority, nomination=nomination)
    assert withdrawn.active is False
    with pytest.raises(ValidationError):
        services.expert_withdraw(actor=world.secretariat, nomination=withdrawn)
