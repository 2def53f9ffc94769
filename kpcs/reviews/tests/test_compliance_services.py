"""The compliance services: opening a case with its trigger, actions and milestones, decisions
(with a change of standing that changes which certificates are accepted), closing and
reopening; every refusal names the field and stores nothing; only the secretariat writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kpcs.accounts.tests.factories import UserFactory
from kpcs.certificates.models import Certificate
from kpcs.certificates.services import certificate_record
from kpcs.certificates.tests.factories import certificate_row
from kpcs.certificates.validation import CertificateValidationError
from kpcs.common.audit import entries_for
from kpcs.participants.models import StatusEvent
from kpcs.participants.selectors import participant_standing_on
from kpcs.participants.tests.factories import (
    ObserverFactory,
    ParticipantFactory,
    WorkingBodyFactory,
)
from kpcs.reviews.models import (
    ActionMilestone,
    ComplianceAction,
    ComplianceCase,
    ComplianceDecision,
    ReviewVisit,
)
from kpcs.reviews.services import compliance as services
from kpcs.reviews.tests.factories import (
    ComplianceActionFactory,
    ComplianceCaseFactory,
    FindingFactory,
    ReviewVisitFactory,
)
from kpcs.reviews.tests.factories_compliance import (
    ActionMilestoneFactory,
    anomaly_of,
    authority_of,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def secretariat() -> Any:
    return UserFactory(role="secretariat", username="compliance-secretariat")


@pytest.fixture
def participant() -> Any:
    return ParticipantFactory()


@pytest.fixture
def case(participant: Any) -> ComplianceCase:
    return ComplianceCaseFactory(participant=participant, opened_on=dt.date(2026, 2, 1))


def refusal(caught: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return caught.value.message_dict


def open_case(secretariat: Any, participant: Any, **kwargs: Any) -> ComplianceCase:
    values: dict[str, Any] = {
        "title": "Exports above capacity",
        "trigger": ComplianceCase.Trigger.UN_DECISION,
        "trigger_detail": "Resolution 1643",
        "opened_on": dt.date(2026, 3, 1),
        "today": TODAY,
    }
    values.update(kwargs)
    return services.compliance_case_open(actor=secretariat, participant=participant, **values)


# --- Opening a case --------------------------------------------------------------------------


def test_the_secretariat_opens_a_case_on_a_un_decision_and_it_is_audited(
    secretariat: Any, participant: Any
) -> None:
    case = open_case(secretariat, participant)
    assert case.status == ComplianceCase.Status.OPEN
    assert case.created_by == secretariat
    assert case.trigger_detail == "Resolution 1643"
    (entry,) = entries_for(case)
    assert entry.actor == secretariat
    assert entry.changes["title"] == [None, "Exports above capacity"]


def test_a_case_on_an_anomaly_names_one_of_the_participants_anomalies(
    secretariat: Any, participant: Any
) -> None:
    anomaly = anomaly_of(participant)
    case = open_case(
        secretariat, participant, trigger=ComplianceCase.Trigger.STATISTICS_ANOMALY, anomaly=anomaly
    )
    assert case.anomaly == anomaly


def test_an_anomaly_of_another_participant_is_refused_naming_both(
    secretariat: Any, participant: Any
) -> None:
    other = ParticipantFactory()
    anomaly = anomaly_of(other)
    with pytest.raises(ValidationError) as caught:
        open_case(
            secretariat,
            participant,
            trigger=ComplianceCase.Trigger.STATISTICS_ANOMALY,
            anomaly=anomaly,
        )
    (message,) = refusal(caught)["anomaly"]
    assert other.code in message and participant.code in message
    assert not ComplianceCase.objects.exists()


def test_an_anomaly_trigger_without_an_anomaly_is_refused(
    secretariat: Any, participant: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        open_case(secretariat, participant, trigger=ComplianceCase.Trigger.STATISTICS_ANOMALY)
    assert "anomaly" in refusal(caught)
    assert not ComplianceCase.objects.exists()


def test_a_finding_of_a_visit_of_another_participant_is_refused(
    secretariat: Any, participant: Any
) -> None:
    other_visit = ReviewVisitFactory(status=ReviewVisit.Status.VISIT_DONE)
    finding = FindingFactory(visit=other_visit)
    with pytest.raises(ValidationError) as caught:
        open_case(
            secretariat,
            participant,
            trigger=ComplianceCase.Trigger.REVIEW_FINDING,
            finding=finding,
        )
    (message,) = refusal(caught)["finding"]
    assert other_visit.participant.code in message
    assert not ComplianceCase.objects.exists()


def test_a_finding_trigger_names_a_finding_of_the_participants_visit(
    secretariat: Any, participant: Any
) -> None:
    finding = FindingFactory(visit=ReviewVisitFactory(participant=participant))
    with pytest.raises(ValidationError) as caught:
        open_case(secretariat, participant, trigger=ComplianceCase.Trigger.REVIEW_FINDING)
    assert "finding" in refusal(caught)
    case = open_case(
        secretariat, participant, trigger=ComplianceCase.Trigger.REVIEW_FINDING, finding=finding
    )
    assert case.finding == finding


def test_an_observer_report_names_the_observer(secretariat: Any, participant: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        open_case(secretariat, participant, trigger=ComplianceCase.Trigger.OBSERVER_REPORT)
    assert "reporting_observer" in refusal(caught)
    observer = ObserverFactory()
    case = open_case(
        secretariat,
        participant,
        trigger=ComplianceCase.Trigger.OBSERVER_REPORT,
        reporting_observer=observer,
    )
    assert case.reporting_observer == observer


def test_a_link_that_does_not_fit_the_trigger_is_refused(
    secretariat: Any, participant: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        open_case(secretariat, participant, anomaly=anomaly_of(participant))
    assert "anomaly" in refusal(caught)
    assert not ComplianceCase.objects.exists()


def test_a_case_opened_in_the_future_or_without_title_is_refused(
    secretariat: Any, participant: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        open_case(secretariat, participant, title="  ", opened_on=dt.date(2026, 12, 1))
    assert set(refusal(caught)) == {"title", "opened_on"}
    assert not ComplianceCase.objects.exists()


@pytest.mark.parametrize("role", ["authority", "reviewer", "observer"])
def test_only_the_secretariat_opens_a_case(role: str, participant: Any) -> None:
    user = authority_of(participant) if role == "authority" else UserFactory(role=role)
    with pytest.raises(PermissionDenied):
        open_case(user, participant)
    assert not ComplianceCase.objects.exists()


# --- Actions and milestones ---------------------------------------------------------------------


def test_an_action_plan_is_added_with_its_dates(secretariat: Any, case: ComplianceCase) -> None:
    action = services.compliance_action_add(
        actor=secretariat,
        case=case,
        kind=ComplianceAction.Kind.ACTION_PLAN,
        title="Strengthen internal controls",
        decided_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 12, 31),
        today=TODAY,
    )
    assert action.status == ComplianceAction.Status.PLANNED
    assert entries_for(action).count() == 1


def test_an_action_ending_before_it_was_decided_is_refused(
    secretariat: Any, case: ComplianceCase
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.compliance_action_add(
            actor=secretariat,
            case=case,
            kind=ComplianceAction.Kind.INTERIM_MEASURE,
            title="Suspension",
            decided_on=dt.date(2026, 3, 1),
            ends_on=dt.date(2026, 2, 28),
            today=TODAY,
        )
    (message,) = refusal(caught)["ends_on"]
    assert "before it was decided" in message
    assert not ComplianceAction.objects.exists()


def test_an_action_decided_before_the_case_was_opened_is_refused(
    secretariat: Any, case: ComplianceCase
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.compliance_action_add(
            actor=secretariat,
            case=case,
            kind=ComplianceAction.Kind.ACTION_PLAN,
            title="Plan",
            decided_on=dt.date(2026, 1, 1),
            today=TODAY,
        )
    assert "decided_on" in refusal(caught)
    assert not ComplianceAction.objects.exists()


def test_a_review_mission_links_a_mission_of_the_cases_participant_only(
    secretariat: Any, case: ComplianceCase
) -> None:
    elsewhere = ReviewVisitFactory(kind=ReviewVisit.Kind.REVIEW_MISSION)
    not_a_mission = ReviewVisitFactory(participant=case.participant)
    mission = ReviewVisitFactory(participant=case.participant, kind=ReviewVisit.Kind.REVIEW_MISSION)

    def add(visit: ReviewVisit, kind: str = ComplianceAction.Kind.REVIEW_MISSION) -> Any:
        return services.compliance_action_add(
            actor=secretariat,
            case=case,
            kind=kind,
            title="Mission",
            decided_on=dt.date(2026, 3, 1),
            review_visit=visit,
            today=TODAY,
        )

    for visit, kind in (
        (elsewhere, ComplianceAction.Kind.REVIEW_MISSION),
        (not_a_mission, ComplianceAction.Kind.REVIEW_MISSION),
        (mission, ComplianceAction.Kind.ACTION_PLAN),
    ):
        with pytest.raises(ValidationError) as caught:
            add(visit, kind)
        assert "review_visit" in refusal(caught)
    assert not ComplianceAction.objects.exists()
    assert add(mission).review_visit == mission


def test_only_an_interim_measure_is_lifted(secretariat: Any, case: ComplianceCase) -> None:
    plan = ComplianceActionFactory(case=case, kind=ComplianceAction.Kind.ACTION_PLAN)
    with pytest.raises(ValidationError) as caught:
        services.compliance_action_update(
            actor=secretariat, action=plan, values={"status": "lifted"}, today=TODAY
        )
    assert "status" in refusal(caught)
    measure = ComplianceActionFactory(case=case, kind=ComplianceAction.Kind.INTERIM_MEASURE)
    services.compliance_action_update(
        actor=secretariat,
        action=measure,
        values={"status": "lifted", "ends_on": dt.date(2026, 10, 1)},
        today=TODAY,
    )
    measure.refresh_from_db()
    assert (measure.status, measure.ends_on) == ("lifted", dt.date(2026, 10, 1))
    plan.refresh_from_db()
    assert plan.status == ComplianceAction.Status.PLANNED


def test_a_status_change_ending_the_action_before_its_decision_is_refused(
    secretariat: Any, case: ComplianceCase
) -> None:
    action = ComplianceActionFactory(case=case, decided_on=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError) as caught:
        services.compliance_action_update(
            actor=secretariat,
            action=action,
            values={"status": "completed", "ends_on": dt.date(2026, 2, 1)},
            today=TODAY,
        )
    assert "ends_on" in refusal(caught)
    action.refresh_from_db()
    assert (action.status, action.ends_on) == ("planned", None)


def test_milestones_belong_to_an_action_plan_and_fall_due_after_its_decision(
    secretariat: Any, case: ComplianceCase
) -> None:
    measure = ComplianceActionFactory(case=case, kind=ComplianceAction.Kind.INTERIM_MEASURE)
    with pytest.raises(ValidationError) as caught:
        services.action_milestone_add(
            actor=secretariat, action=measure, description="x", due_on=dt.date(2026, 5, 1)
        )
    assert "action" in refusal(caught)
    plan = ComplianceActionFactory(case=case, decided_on=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError) as caught:
        services.action_milestone_add(
            actor=secretariat, action=plan, description="", due_on=dt.date(2026, 2, 1)
        )
    assert set(refusal(caught)) == {"description", "due_on"}
    assert not ActionMilestone.objects.exists()
    milestone = services.action_milestone_add(
        actor=secretariat, action=plan, description="Register buyers", due_on=dt.date(2026, 5, 1)
    )
    assert milestone.completed_on is None


def test_a_milestone_completed_in_the_future_or_before_the_plan_is_refused(
    secretariat: Any, case: ComplianceCase
) -> None:
    milestone = ActionMilestoneFactory(
        action=ComplianceActionFactory(case=case, decided_on=dt.date(2026, 3, 1))
    )
    for date in (dt.date(2026, 11, 21), dt.date(2026, 2, 28)):
        with pytest.raises(ValidationError) as caught:
            services.action_milestone_complete(
                actor=secretariat, milestone=milestone, completed_on=date, today=TODAY
            )
        assert "completed_on" in refusal(caught)
        milestone.refresh_from_db()
        assert milestone.completed_on is None
    services.action_milestone_complete(
        actor=secretariat, milestone=milestone, completed_on=TODAY, today=TODAY
    )
    milestone.refresh_from_db()
    assert milestone.completed_on == TODAY
    services.action_milestone_complete(
        actor=secretariat, milestone=milestone, completed_on=None, today=TODAY
    )
    milestone.refresh_from_db()
    assert milestone.completed_on is None
    assert entries_for(milestone).count() == 2


# --- Closing and reopening -------------------------------------------------------------------


def test_a_case_closed_before_it_was_opened_or_in_the_future_is_refused(
    secretariat: Any, case: ComplianceCase
) -> None:
    for date in (dt.date(2026, 1, 31), dt.date(2026, 12, 1), None):
        with pytest.raises(ValidationError) as caught:
            services.compliance_case_close(
                actor=secretariat, case=case, closed_on=date, today=TODAY
            )
        assert "closed_on" in refusal(caught)
        case.refresh_from_db()
        assert (case.status, case.closed_on) == ("open", None)


def test_a_closed_case_takes_nothing_until_reopened(secretariat: Any, case: ComplianceCase) -> None:
    plan = ComplianceActionFactory(case=case, decided_on=dt.date(2026, 3, 1))
    milestone = ActionMilestoneFactory(action=plan)
    services.compliance_case_close(
        actor=secretariat, case=case, closed_on=dt.date(2026, 10, 1), today=TODAY
    )
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("closed", dt.date(2026, 10, 1))
    calls = [
        lambda: services.compliance_action_add(
            actor=secretariat,
            case=case,
            kind="action_plan",
            title="More",
            decided_on=dt.date(2026, 3, 1),
            today=TODAY,
        ),
        lambda: services.action_milestone_add(
            actor=secretariat, action=plan, description="x", due_on=dt.date(2026, 5, 1)
        ),
        lambda: services.action_milestone_complete(
            actor=secretariat, milestone=milestone, completed_on=TODAY, today=TODAY
        ),
        lambda: services.compliance_decision_record(
            actor=secretariat,
            case=case,
            decided_on=dt.date(2026, 3, 1),
            body="chair",
            text="x",
            today=TODAY,
        ),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as caught:
            call()
        assert "reopen" in refusal(caught)["case"][0]
    services.compliance_case_reopen(actor=secretariat, case=case)
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("open", None)
    assert entries_for(case).filter(action="update").count() == 2


# --- Decisions and the participant's standing ---------------------------------------------------


def test_a_working_body_decision_names_the_working_body(
    secretariat: Any, case: ComplianceCase
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.compliance_decision_record(
            actor=secretariat,
            case=case,
            decided_on=dt.date(2026, 3, 1),
            body="working_body",
            text="The WGM asks for an action plan.",
            today=TODAY,
        )
    assert "working_body" in refusal(caught)
    assert not ComplianceDecision.objects.exists()
    wgm = WorkingBodyFactory(code="WGM")
    decision = services.compliance_decision_record(
        actor=secretariat,
        case=case,
        decided_on=dt.date(2026, 3, 1),
        body="working_body",
        working_body=wgm,
        text="The WGM asks for an action plan.",
        today=TODAY,
    )
    assert decision.working_body == wgm
    assert decision.status_event is None


def test_a_decision_without_text_or_in_the_future_is_refused(
    secretariat: Any, case: ComplianceCase
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.compliance_decision_record(
            actor=secretariat,
            case=case,
            decided_on=dt.date(2026, 12, 1),
            body="plenary",
            text=" ",
            status_change=services.StatusChange(event="suspended"),
            today=TODAY,
        )
    assert set(refusal(caught)) == {"decided_on", "text"}
    assert not ComplianceDecision.objects.exists()
    assert not StatusEvent.objects.filter(event="suspended").exists()


def _certificate(issuer: Any, destination: Any, issued: dt.date) -> dict[str, Any]:
    row = certificate_row(
        issuer,
        destination,
        date_issued=issued.isoformat(),
        date_expiry=(issued + dt.timedelta(days=60)).isoformat(),
    )
    lines = [{k: row.pop(k) for k in ("hs_code", "carats", "value_usd", "parcels")}]
    return {"header": row, "lines": lines}


def test_a_suspension_decided_here_is_a_status_event_that_refuses_certificates_from_its_date(
    secretariat: Any, case: ComplianceCase
) -> None:
    participant = case.participant
    destination = ParticipantFactory()
    suspended_on = dt.date(2026, 6, 15)
    decision = services.compliance_decision_record(
        actor=secretariat,
        case=case,
        decided_on=dt.date(2026, 6, 10),
        body="plenary",
        reference="Administrative decision on temporary suspension",
        text="The participant is temporarily suspended.",
        status_change=services.StatusChange(event="suspended", date=suspended_on),
        today=TODAY,
    )
    event = decision.status_event
    assert event is not None
    assert (event.participant, event.date, event.event) == (participant, suspended_on, "suspended")
    assert event.decision == "Administrative decision on temporary suspension"
    assert entries_for(event).count() == 1

    assert not participant_standing_on(participant=participant, date=suspended_on).in_good_standing
    assert participant_standing_on(
        participant=participant, date=suspended_on - dt.timedelta(days=1)
    ).in_good_standing

    for issued in (suspended_on, suspended_on + dt.timedelta(days=30)):
        with pytest.raises(CertificateValidationError) as caught:
            certificate_record(
                actor=secretariat,
                participant=None,
                **_certificate(participant, destination, issued),
            )
        assert {(f.column, f.code) for f in caught.value.findings} == {
            ("issuing_participant", "not_in_good_standing")
        }
    before = certificate_record(
        actor=secretariat,
        participant=None,
        **_certificate(participant, destination, suspended_on - dt.timedelta(days=1)),
    )
    assert Certificate.objects.get() == before


def test_the_identical_status_event_already_recorded_is_linked_not_duplicated(
    secretariat: Any, case: ComplianceCase
) -> None:
    existing = StatusEvent.objects.create(
        participant=case.participant, date=dt.date(2026, 5, 23), event="suspended"
    )
    decision = services.compliance_decision_record(
        actor=secretariat,
        case=case,
        decided_on=dt.date(2026, 5, 23),
        body="written_procedure",
        text="Temporary suspension.",
        status_change=services.StatusChange(event="suspended"),
        today=TODAY,
    )
    assert decision.status_event == existing
    assert StatusEvent.objects.filter(participant=case.participant, event="suspended").count() == 1
    other_case = ComplianceCaseFactory(participant=case.participant, opened_on=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as caught:
        services.compliance_decision_record(
            actor=secretariat,
            case=other_case,
            decided_on=dt.date(2026, 5, 23),
            body="chair",
            text="Again.",
            status_change=services.StatusChange(event="suspended"),
            today=TODAY,
        )
    assert case.title in refusal(caught)["status_change"][0]
    assert not other_case.decisions.exists()


def test_a_change_of_standing_before_the_decision_is_refused(
    secretariat: Any, case: ComplianceCase
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.compliance_decision_record(
            actor=secretariat,
            case=case,
            decided_on=dt.date(2026, 6, 10),
            body="plenary",
            text="Suspended.",
            status_change=services.StatusChange(event="suspended", date=dt.date(2026, 6, 1)),
            today=TODAY,
        )
    assert "status_change_date" in refusal(caught)
    assert not ComplianceDecision.objects.exists()
    assert not StatusEvent.objects.filter(event="suspended").exists()


def test_the_status_event_is_not_kept_when_the_decision_fails(
    secretariat: Any, case: ComplianceCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transaction: the event is only recorded together with its decision."""
    original = services.save_with_audit

    def failing(*, instance: Any, **kwargs: Any) -> Any:
        if isinstance(instance, ComplianceDecision):
            raise ValidationError({"text": ["refused late"]})
        return original(instance=instance, **kwargs)

    monkeypatch.setattr(services, "save_with_audit", failing)
    with pytest.raises(ValidationError):
        services.compliance_decision_record(
            actor=secretariat,
            case=case,
            decided_on=dt.date(2026, 6, 10),
            body="plenary",
            text="Suspended.",
            status_change=services.StatusChange(event="suspended"),
            today=TODAY,
        )
    assert not StatusEvent.objects.filter(event="suspended").exists()


def test_only_the_secretariat_records_decisions(case: ComplianceCase) -> None:
    with pytest.raises(PermissionDenied):
        services.compliance_decision_record(
            actor=authority_of(case.participant),
            case=case,
            decided_on=dt.date(2026, 3, 1),
            body="chair",
            text="x",
            today=TODAY,
        )
    assert not ComplianceDecision.objects.exists()
