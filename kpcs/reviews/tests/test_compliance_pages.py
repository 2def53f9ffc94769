"""The compliance pages: the secretariat's list of cases and its form, a case with its actions,
milestones, decisions and the participant's status history, every form on it and its refusal;
the participant's compliance page; and who may see and do what (anonymous → log-in, reviewers
and observers → 403, another participant's case or page → 404, an authority's write → 403)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kpcs.accounts.tests.factories import UserFactory
from kpcs.certificates.models import Certificate
from kpcs.certificates.tests.factories import CertificateAlertFactory, CertificateFactory
from kpcs.participants.models import StatusEvent
from kpcs.participants.tests.factories import ObserverFactory, ParticipantFactory
from kpcs.reviews.models import (
    ActionMilestone,
    ComplianceAction,
    ComplianceCase,
    ComplianceDecision,
    Recommendation,
    ReviewVisit,
)
from kpcs.reviews.tests.factories import (
    AnnualReportFactory,
    ComplianceActionFactory,
    ComplianceCaseFactory,
    ComplianceDecisionFactory,
    FindingFactory,
    RecommendationFactory,
    ReviewVisitFactory,
)
from kpcs.reviews.tests.factories_compliance import (
    ActionMilestoneFactory,
    anomaly_of,
    authority_of,
    question_on,
)
from kpcs.statistics.tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db

CASES = "/en/compliance/cases/"
NEW = "/en/compliance/cases/new/"


def case_url(case: ComplianceCase, tail: str = "") -> str:
    return f"/en/compliance/cases/{case.pk}/{tail}"


def page_of(participant: Any) -> str:
    return f"/en/compliance/participants/{participant.code}/"


def resolves(name: str, *args: Any) -> str | None:
    """The address of another helper's page, or None while it is not wired yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@pytest.fixture
def participant() -> Any:
    return ParticipantFactory()


@pytest.fixture
def case(participant: Any) -> ComplianceCase:
    return ComplianceCaseFactory(participant=participant, opened_on=dt.date(2026, 2, 1))


@pytest.fixture
def secretariat(client: Any) -> Any:
    user = UserFactory(role="secretariat", username="compliance-sec")
    client.force_login(user)
    return user


def login(client: Any, user: Any) -> Any:
    client.force_login(user)
    return user


def others() -> dict[str, Any]:
    return {
        "reviewer": UserFactory(role="reviewer"),
        "observer": UserFactory(role="observer", observer=ObserverFactory()),
    }


# --- Access ------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client: Any, case: ComplianceCase) -> None:
    for url in (CASES, NEW, case_url(case), page_of(case.participant)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    response = client.post(case_url(case, "decisions/"), {})
    assert response.status_code == 302
    assert not ComplianceDecision.objects.exists()


def test_the_case_list_and_form_are_the_secretariats_alone(
    client: Any, case: ComplianceCase
) -> None:
    for user in [authority_of(case.participant), *others().values()]:
        login(client, user)
        assert client.get(CASES).status_code == 403
        assert client.get(NEW).status_code == 403
        response = client.post(NEW, {"participant": case.participant.code, "title": "x"})
        assert response.status_code == 403
    assert ComplianceCase.objects.count() == 1


def test_reviewers_and_observers_see_no_case_nor_compliance_page(
    client: Any, case: ComplianceCase
) -> None:
    for user in others().values():
        login(client, user)
        assert client.get(case_url(case)).status_code == 403
        assert client.get(page_of(case.participant)).status_code == 403
        response = client.post(
            case_url(case, "decisions/"),
            {"decision-decided_on": "2026-06-10", "decision-body": "chair", "decision-text": "x"},
        )
        assert response.status_code == 403
    assert not ComplianceDecision.objects.exists()


def test_an_authority_reads_its_own_case_and_page_without_forms(
    client: Any, case: ComplianceCase
) -> None:
    ComplianceActionFactory(case=case)
    login(client, authority_of(case.participant))
    response = client.get(case_url(case))
    assert response.status_code == 200
    body = response.content.decode()
    assert case.title in body
    assert 'action="' + case_url(case, "decisions/") not in body
    assert "Record a decision" not in body
    assert client.get(page_of(case.participant)).status_code == 200


def test_another_participants_case_and_page_answer_404_to_an_authority(
    client: Any, case: ComplianceCase
) -> None:
    login(client, authority_of(ParticipantFactory()))
    assert client.get(case_url(case)).status_code == 404
    assert client.get(page_of(case.participant)).status_code == 404
    response = client.post(case_url(case, "close/"), {"close-closed_on": "2026-10-01"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == "open"


def test_an_authoritys_write_on_its_own_case_is_forbidden(
    client: Any, case: ComplianceCase
) -> None:
    action = ComplianceActionFactory(case=case)
    milestone = ActionMilestoneFactory(action=action)
    login(client, authority_of(case.participant))
    posts = [
        (case_url(case, "actions/"), {"action-kind": "action_plan"}),
        (
            case_url(case, f"actions/{action.pk}/status/"),
            {f"status-{action.pk}-status": "completed"},
        ),
        (case_url(case, f"actions/{action.pk}/milestones/"), {}),
        (case_url(case, f"milestones/{milestone.pk}/complete/"), {}),
        (case_url(case, "decisions/"), {}),
        (case_url(case, "close/"), {}),
        (case_url(case, "reopen/"), {}),
        (case_url(case, "edit/"), {"title": "Mine"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert client.get(case_url(case, "edit/")).status_code == 403
    action.refresh_from_db()
    assert action.status == "planned"
    case.refresh_from_db()
    assert case.title != "Mine"


def test_an_unknown_case_or_participant_answers_404(client: Any, secretariat: Any) -> None:
    assert client.get("/en/compliance/cases/999999/").status_code == 404
    assert client.get("/en/compliance/participants/QQQ/").status_code == 404
    assert client.get("/en/compliance/participants/TOOLONG/").status_code == 404


# --- The list and opening a case ---------------------------------------------------------------


def test_the_list_filters_by_participant_status_and_trigger(
    client: Any, secretariat: Any, case: ComplianceCase
) -> None:
    other = ComplianceCaseFactory(
        trigger=ComplianceCase.Trigger.OTHER, status="closed", closed_on=dt.date(2026, 3, 1)
    )
    body = client.get(CASES).content.decode()
    assert case.title in body and other.title in body
    body = client.get(CASES, {"participant": case.participant.code}).content.decode()
    assert case.title in body and other.title not in body
    body = client.get(CASES, {"status": "closed", "trigger": "other"}).content.decode()
    assert case.title not in body and other.title in body


def test_a_bad_filter_is_a_400_naming_it(client: Any, secretariat: Any) -> None:
    response = client.get(CASES, {"participant": "QQQ", "status": "sleeping"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "QQQ" in body and "sleeping" in body


def test_the_form_offers_the_chosen_participants_anomalies_and_findings(
    client: Any, secretariat: Any, participant: Any
) -> None:
    mine = anomaly_of(participant, message="Mine exports too high")
    theirs = anomaly_of(ParticipantFactory(), message="Someone else's gap")
    response = client.get(NEW, {"participant": participant.code})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Mine exports too high" in body
    assert "Someone else" not in body
    assert f'value="{mine.pk}"' in body and f'value="{theirs.pk}"' not in body


def test_the_secretariat_opens_a_case_on_an_anomaly(
    client: Any, secretariat: Any, participant: Any
) -> None:
    anomaly = anomaly_of(participant)
    response = client.post(
        NEW,
        {
            "participant": participant.code,
            "title": "Supply gap",
            "trigger": "statistics_anomaly",
            "anomaly": anomaly.pk,
            "opened_on": "2026-10-01",
        },
    )
    case = ComplianceCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case_url(case)
    assert case.anomaly == anomaly and case.created_by == secretariat


def test_an_anomaly_of_another_participant_is_refused_on_the_form(
    client: Any, secretariat: Any, participant: Any
) -> None:
    other = ParticipantFactory()
    anomaly = anomaly_of(other)
    response = client.post(
        NEW,
        {
            "participant": participant.code,
            "title": "Supply gap",
            "trigger": "statistics_anomaly",
            "anomaly": anomaly.pk,
            "opened_on": "2026-10-01",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f"concerns {other.code}, not {participant.code}" in body
    assert not ComplianceCase.objects.exists()


def test_a_missing_finding_or_an_unknown_one_is_refused(
    client: Any, secretariat: Any, participant: Any
) -> None:
    data = {
        "participant": participant.code,
        "title": "Weak controls",
        "trigger": "review_finding",
        "opened_on": "2026-10-01",
    }
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert "Name the review finding" in response.content.decode()
    response = client.post(NEW, {**data, "finding": 999999})
    assert response.status_code == 400
    assert "no finding number 999999" in response.content.decode()
    assert not ComplianceCase.objects.exists()


def test_a_case_with_a_finding_links_to_it(client: Any, secretariat: Any, participant: Any) -> None:
    visit = ReviewVisitFactory(participant=participant, status=ReviewVisit.Status.VISIT_DONE)
    finding = FindingFactory(visit=visit, text="Buyers are not registered.")
    case = ComplianceCaseFactory(participant=participant, trigger="review_finding", finding=finding)
    body = client.get(case_url(case)).content.decode()
    assert "Buyers are not registered." in body
    findings_url = resolves("reviews:findings", visit.pk)
    if findings_url:
        assert findings_url in body


# --- A case and its forms ----------------------------------------------------------------------


def test_the_case_shows_actions_milestones_overdue_completed_and_decisions(
    client: Any, secretariat: Any, case: ComplianceCase
) -> None:
    plan = ComplianceActionFactory(case=case, title="The action plan")
    ActionMilestoneFactory(action=plan, description="Late one", due_on=dt.date(2026, 3, 1))
    ActionMilestoneFactory(
        action=plan,
        description="Done one",
        due_on=dt.date(2026, 3, 1),
        completed_on=dt.date(2026, 2, 20),
    )
    ActionMilestoneFactory(action=plan, description="Later one", due_on=dt.date(2099, 1, 1))
    event = StatusEvent.objects.create(
        participant=case.participant, date=dt.date(2026, 3, 1), event="suspended"
    )
    ComplianceDecisionFactory(case=case, text="Suspended for now.", status_event=event)
    body = client.get(case_url(case)).content.decode()
    assert "The action plan" in body
    assert body.count("overdue</span>") == 1
    assert "Late one" in body and "Done one" in body and "Later one" in body
    assert "Suspended for now." in body
    assert "this case&#x27;s decision" in body or "this case's decision" in body


def test_the_secretariat_adds_an_action_and_a_milestone_and_completes_it(
    client: Any, secretariat: Any, case: ComplianceCase
) -> None:
    response = client.post(
        case_url(case, "actions/"),
        {
            "action-kind": "action_plan",
            "action-title": "Strengthen controls",
            "action-decided_on": "2026-03-01",
            "action-ends_on": "2026-12-31",
        },
    )
    assert response.status_code == 302
    action = ComplianceAction.objects.get()
    response = client.post(
        case_url(case, f"actions/{action.pk}/milestones/"),
        {
            f"milestone-{action.pk}-description": "Register buyers",
            f"milestone-{action.pk}-due_on": "2026-05-01",
        },
    )
    assert response.status_code == 302
    milestone = ActionMilestone.objects.get()
    today = timezone.localdate()
    response = client.post(
        case_url(case, f"milestones/{milestone.pk}/complete/"),
        {f"complete-{milestone.pk}-completed_on": today.isoformat()},
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.completed_on == today
    response = client.post(
        case_url(case, f"actions/{action.pk}/status/"),
        {f"status-{action.pk}-status": "in_progress"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "in_progress"


def test_an_action_ending_before_its_decision_is_refused_on_the_page(
    client: Any, secretariat: Any, case: ComplianceCase
) -> None:
    response = client.post(
        case_url(case, "actions/"),
        {
            "action-kind": "interim_measure",
            "action-title": "Suspension",
            "action-decided_on": "2026-03-01",
            "action-ends_on": "2026-02-01",
        },
    )
    assert response.status_code == 400
    assert "before it was decided" in response.content.decode()
    assert not ComplianceAction.objects.exists()


def test_a_status_change_ending_before_the_decision_is_refused_on_the_page(
    client: Any, secretariat: Any, case: ComplianceCase
) -> None:
    action = ComplianceActionFactory(
        case=case, kind="interim_measure", decided_on=dt.date(2026, 3, 1)
    )
    response = client.post(
        case_url(case, f"actions/{action.pk}/status/"),
        {f"status-{action.pk}-status": "lifted", f"status-{action.pk}-ends_on": "2026-02-01"},
    )
    assert response.status_code == 400
    assert "before it was decided" in response.content.decode()
    action.refresh_from_db()
    assert (action.status, action.ends_on) == ("planned", None)


def test_a_milestone_due_before_its_plan_is_refused_on_the_page(
    client: Any, secretariat: Any, case: ComplianceCase
) -> None:
    action = ComplianceActionFactory(case=case, decided_on=dt.date(2026, 3, 1))
    response = client.post(
        case_url(case, f"actions/{action.pk}/milestones/"),
        {
            f"milestone-{action.pk}-description": "Register buyers",
            f"milestone-{action.pk}-due_on": "2026-02-01",
        },
    )
    assert response.status_code == 400
    assert "before the plan was decided" in response.content.decode()
    assert not ActionMilestone.objects.exists()


def test_a_milestone_completed_in_the_future_is_refused_on_the_page(
    client: Any, secretariat: Any, case: ComplianceCase
) -> None:
    milestone = ActionMilestoneFactory(action=ComplianceActionFactory(case=case))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        case_url(case, f"milestones/{milestone.pk}/complete/"),
        {f"complete-{milestone.pk}-completed_on": tomorrow.isoformat()},
    )
    assert response.status_code == 400
    assert "is in the future" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.completed_on is None


def test_a_milestone_of_another_case_answers_404(
    client: Any, secretariat: Any, case: ComplianceCase
) -> None:
    elsewhere = ActionMilestoneFactory()
    response = client.post(
        case_url(case, f"milestones/{elsewhere.pk}/complete/"),
        {f"complete-{elsewhere.pk}-completed_on": "2026-03-01"},
    )
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.completed_on is None


def test_a_decision_with_a_suspension_records_the_status_event_and_marks_it(
    client: Any, secretariat: Any, case: ComplianceCase
) -> None:
    response = client.post(
        case_url(case, "decisions/"),
        {
            "decision-decided_on": "2026-06-10",
            "decision-body": "plenary",
            "decision-reference": "AD 2026/1",
            "decision-text": "Temporarily suspended.",
            "decision-status_change": "suspended",
            "decision-status_change_date": "2026-06-15",
        },
    )
    assert response.status_code == 302
    decision = ComplianceDecision.objects.get()
    assert decision.status_event is not None
    assert decision.status_event.date == dt.date(2026, 6, 15)
    body = client.get(case_url(case)).content.decode()
    assert "recorded-here" in body


def test_a_working_body_decision_without_the_body_is_refused(
    client: Any, secretariat: Any, case: ComplianceCase
) -> None:
    response = client.post(
        case_url(case, "decisions/"),
        {
            "decision-decided_on": "2026-06-10",
            "decision-body": "working_body",
            "decision-text": "x",
            "decision-status_change": "suspended",
        },
    )
    assert response.status_code == 400
    assert "Name the working body" in response.content.decode()
    assert not ComplianceDecision.objects.exists()
    assert not StatusEvent.objects.filter(event="suspended").exists()


def test_a_case_closed_before_it_was_opened_is_refused_then_closed_and_reopened(
    client: Any, secretariat: Any, case: ComplianceCase
) -> None:
    response = client.post(case_url(case, "close/"), {"close-closed_on": "2026-01-01"})
    assert response.status_code == 400
    assert "before it was opened" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "open"
    response = client.post(case_url(case, "close/"), {"close-closed_on": "2026-10-01"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("closed", dt.date(2026, 10, 1))
    body = client.get(case_url(case)).content.decode()
    assert "Reopen the case" in body and "Add an action" not in body
    response = client.post(
        case_url(case, "decisions/"),
        {"decision-decided_on": "2026-06-10", "decision-body": "chair", "decision-text": "x"},
    )
    assert response.status_code == 400
    assert "reopen it" in response.content.decode()
    assert client.post(case_url(case, "reopen/")).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("open", None)


def test_the_secretariat_edits_the_title(
    client: Any, secretariat: Any, case: ComplianceCase
) -> None:
    assert client.get(case_url(case, "edit/")).status_code == 200
    response = client.post(case_url(case, "edit/"), {"title": "", "trigger_detail": "x"})
    assert response.status_code == 400
    response = client.post(case_url(case, "edit/"), {"title": "New title", "trigger_detail": "x"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.title, case.trigger_detail) == ("New title", "x")


# --- The participant's compliance page -------------------------------------------------------


def test_the_page_of_a_participant_without_any_data_renders(client: Any, secretariat: Any) -> None:
    bare = ParticipantFactory(admitted=False)
    response = client.get(page_of(bare))
    assert response.status_code == 200
    body = response.content.decode()
    assert "not yet admitted" in body
    assert "No compliance case." in body
    assert "not expected" in body


def _fill(participant: Any, *, scale: int = 1) -> None:
    today = timezone.localdate()
    for i in range(scale):
        SubmissionFactory(participant=participant, year=today.year - 1 - i)
        question_on(anomaly_of(participant))
        destination = ParticipantFactory()
        issued = CertificateFactory(
            issuing_participant=participant,
            destination_participant=destination,
            date_issued=dt.date(today.year - 1, 3, 1),
            status=Certificate.Status.EXPIRED,
        )
        CertificateAlertFactory(certificate=issued)
        CertificateFactory(
            issuing_participant=destination,
            destination_participant=participant,
            date_issued=dt.date(today.year - 2, 3, 1),
            status=Certificate.Status.CONFIRMED,
        )
        visit = ReviewVisitFactory(participant=participant, status=ReviewVisit.Status.FINAL_REPORT)
        RecommendationFactory(visit=visit, due_on=dt.date(2020, 1, 1))
        RecommendationFactory(visit=visit, status=Recommendation.Status.IMPLEMENTED)
        case = ComplianceCaseFactory(participant=participant)
        plan = ComplianceActionFactory(case=case)
        ActionMilestoneFactory(action=plan, due_on=dt.date(2020, 1, 1))
        ComplianceDecisionFactory(case=case)
    AnnualReportFactory(participant=participant, year=today.year - 2, status="draft")


def test_the_page_shows_every_section_with_overdue_and_missing_marked(
    client: Any, secretariat: Any, participant: Any
) -> None:
    _fill(participant)
    response = client.get(page_of(participant))
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview.standing.in_good_standing
    assert len(overview.open_questions) == 1
    assert overview.open_alerts == 1
    years = {row.year: row for row in overview.certificate_years}
    last = timezone.localdate().year - 1
    assert (years[last].issued, years[last].issued_expired) == (1, 1)
    assert (years[last - 1].received, years[last - 1].received_confirmed) == (1, 1)
    assert len(overview.open_recommendations) == 1
    assert overview.overdue_recommendations == 1
    assert [c.overdue_milestones for c in overview.cases] == [1]
    states = {row.year: row.state for row in overview.annual_reports}
    assert states[last - 1] == "missing"  # a draft after its due date
    assert len(overview.annual_reports) == 5
    body = response.content.decode()
    assert "row-late" in body
    detail = resolves("reviews:detail", overview.visits[0].pk)
    if detail:
        assert detail in body
    listing = resolves("recommendations:list", overview.visits[0].pk)
    if listing:
        assert listing in body


def test_an_authority_sees_its_own_figures_only(client: Any, participant: Any) -> None:
    _fill(participant)
    ReviewVisitFactory(status=ReviewVisit.Status.TEAM_FORMED)  # someone else's
    login(client, authority_of(participant))
    response = client.get(page_of(participant))
    assert response.status_code == 200
    overview = response.context["overview"]
    assert {v.participant_id for v in overview.visits} == {participant.pk}
    assert len(overview.cases) == 1
    assert "Open a case" not in response.content.decode()


def test_the_page_costs_the_same_queries_whatever_the_data(
    client: Any, secretariat: Any, django_assert_max_num_queries: Any
) -> None:
    small, large = ParticipantFactory(), ParticipantFactory()
    _fill(small, scale=1)
    _fill(large, scale=4)
    # A fixed number of queries (15 today: session, user, one per section, navigation).
    with django_assert_max_num_queries(18):
        assert client.get(page_of(small)).status_code == 200
    with django_assert_max_num_queries(18):
        assert client.get(page_of(large)).status_code == 200


def test_the_case_page_costs_a_bounded_number_of_queries(
    client: Any, secretariat: Any, case: ComplianceCase, django_assert_max_num_queries: Any
) -> None:
    for _ in range(4):
        plan = ComplianceActionFactory(case=case)
        ActionMilestoneFactory(action=plan)
        ActionMilestoneFactory(action=plan, completed_on=dt.date(2026, 3, 1))
        ComplianceDecisionFactory(case=case)
    with django_assert_max_num_queries(14):
        assert client.get(case_url(case)).status_code == 200
