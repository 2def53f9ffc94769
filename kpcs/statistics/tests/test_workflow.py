"""The submission workflow: draft → submitted → queried → accepted → published, deadlines and
their extensions, and warnings that need the participant's explanation."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from django.utils import timezone

from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.models import Participant
from kpcs.statistics.deadlines import default_due_date, edit_state, submission_edit_state
from kpcs.statistics.models import (
    ProductionRecord,
    ReportingDeadline,
    Submission,
    SubmissionRevision,
    TradeRecord,
    ValidationFinding,
)
from kpcs.statistics.revisions import changes_since_acceptance
from kpcs.statistics.services import (
    WorkflowError,
    deadline_extension_grant,
    figures_save,
    submission_accept,
    submission_query,
    submission_reopen,
    submission_submit,
    warning_explain,
)
from kpcs.statistics.validation import StatisticsRejected

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

YEAR = 2024


@pytest.fixture(autouse=True)
def open_periods():
    """Keep 2024's periods open whatever today's date is."""
    for period in ("Q1", "Q2", "H1"):
        ReportingDeadline.objects.create(year=YEAR, period=period, due_date=dt.date(2999, 1, 1))


@pytest.fixture
def botswana():
    return Participant.objects.get(code="BWA")


@pytest.fixture
def authority(botswana):
    return UserFactory(role="authority", participant=botswana, username="bwa")


@pytest.fixture
def secretariat():
    return UserFactory(role="secretariat", username="sec")


def trade(
    partner="ZAF",
    carats="1000.00",
    value="150000.00",
    certificates="2",
    period="Q1",
    flow="export",
    hs="7102.31",
):
    return {
        "participant": "BWA",
        "year": str(YEAR),
        "period": period,
        "flow": flow,
        "partner": partner,
        "hs_code": hs,
        "carats": carats,
        "value_usd": value,
        "certificates": certificates,
    }


def production(carats="5000.00", value="900000.00", period="H1"):
    return {
        "participant": "BWA",
        "year": str(YEAR),
        "period": period,
        "flow": "production",
        "partner": "",
        "hs_code": "",
        "carats": carats,
        "value_usd": value,
        "certificates": "",
    }


def q1(botswana):
    return Submission.objects.get(participant=botswana, year=YEAR, period="Q1")


def test_saving_figures_stores_a_draft(botswana, authority) -> None:
    figures_save(
        participant=botswana, actor=authority, rows=[trade(), trade(partner="EUR"), production()]
    )
    submission = q1(botswana)
    assert submission.status == "draft"
    assert TradeRecord.objects.filter(submission=submission).count() == 2
    assert ProductionRecord.objects.get(submission__period="H1").carats == 5000


def test_any_error_refuses_the_whole_save_and_stores_nothing(botswana, authority) -> None:
    with pytest.raises(StatisticsRejected) as refused:
        figures_save(
            participant=botswana, actor=authority, rows=[trade(), trade(partner="EUR", carats="-5")]
        )
    assert any(f.column == "carats" and f.row_number == 3 for f in refused.value.errors)
    assert not Submission.objects.exists()


def test_a_dry_run_reports_and_stores_nothing(botswana, authority) -> None:
    report = figures_save(participant=botswana, actor=authority, rows=[trade()], dry_run=True)
    assert report.dry_run
    assert not Submission.objects.exists()


def test_a_participant_cannot_report_for_another(botswana, authority) -> None:
    row = trade()
    row["participant"] = "ZAF"
    with pytest.raises(StatisticsRejected):
        figures_save(participant=botswana, actor=authority, rows=[row])


def test_an_empty_grid_is_a_nil_return(botswana, authority) -> None:
    figures_save(participant=botswana, actor=authority, rows=[], scope=[(YEAR, "trade", "Q1")])
    submission = q1(botswana)
    assert not submission.trade_records.exists()
    submission_submit(submission=submission, actor=authority)
    assert q1(botswana).status == "submitted"


def test_saving_again_replaces_the_figures(botswana, authority) -> None:
    figures_save(participant=botswana, actor=authority, rows=[trade(), trade(partner="EUR")])
    figures_save(participant=botswana, actor=authority, rows=[trade(carats="2000.00")])
    records = TradeRecord.objects.filter(submission=q1(botswana))
    assert [str(r.carats) for r in records] == ["2000.00"]


def test_warnings_must_be_explained_before_submitting(botswana, authority) -> None:
    # Certificates for a shipment of no diamonds: the WGS would ask.
    figures_save(
        participant=botswana, actor=authority, rows=[trade(carats="0", value="0", certificates="2")]
    )
    submission = q1(botswana)
    warning = ValidationFinding.objects.get(submission=submission)
    assert warning.severity == "warning" and warning.row == "export|ZAF|7102.31"
    with pytest.raises(WorkflowError, match="Explain every warning"):
        submission_submit(submission=submission, actor=authority)
    warning_explain(finding=warning, actor=authority, explanation="Certificates voided in transit.")
    # Saving the same figures again keeps the explanation.
    figures_save(
        participant=botswana, actor=authority, rows=[trade(carats="0", value="0", certificates="2")]
    )
    assert ValidationFinding.objects.get(submission=submission).explanation.startswith("Cert")
    submission_submit(submission=submission, actor=authority)
    assert q1(botswana).status == "submitted"


def test_an_empty_explanation_is_refused(botswana, authority) -> None:
    figures_save(
        participant=botswana, actor=authority, rows=[trade(carats="0", value="0", certificates="2")]
    )
    with pytest.raises(WorkflowError, match="explanation"):
        warning_explain(finding=ValidationFinding.objects.get(), actor=authority, explanation="   ")


def test_submitted_figures_are_locked_with_the_reason(botswana, authority) -> None:
    figures_save(participant=botswana, actor=authority, rows=[trade()])
    submission_submit(submission=q1(botswana), actor=authority)
    with pytest.raises(StatisticsRejected) as refused:
        figures_save(participant=botswana, actor=authority, rows=[trade(carats="1.00")])
    assert "the secretariat is reviewing" in refused.value.errors[0].message
    assert submission_edit_state(submission=q1(botswana)).editable is False


def test_query_lets_the_participant_correct_and_every_change_is_kept(
    botswana, authority, secretariat
) -> None:
    figures_save(participant=botswana, actor=authority, rows=[trade()])
    submission_submit(submission=q1(botswana), actor=authority)
    submission_query(submission=q1(botswana), actor=secretariat, comment="Check ZAF carats.")
    figures_save(participant=botswana, actor=authority, rows=[trade(carats="1200.00")])
    assert SubmissionRevision.objects.filter(submission=q1(botswana)).count() == 2
    submission_submit(submission=q1(botswana), actor=authority)
    submission_accept(submission=q1(botswana), actor=secretariat)
    submission = q1(botswana)
    assert submission.status == "accepted" and submission.accepted_by == secretariat
    assert [t.to_status for t in submission.transitions.all()] == [
        "submitted",
        "queried",
        "submitted",
        "accepted",
    ]


def test_reviewers_see_what_changed_since_the_last_acceptance(
    botswana, authority, secretariat
) -> None:
    figures_save(participant=botswana, actor=authority, rows=[trade()])
    submission_submit(submission=q1(botswana), actor=authority)
    submission_accept(submission=q1(botswana), actor=secretariat)
    submission_reopen(submission=q1(botswana), actor=secretariat, reason="ZAF disagrees")
    figures_save(participant=botswana, actor=authority, rows=[trade(carats="1500.00")])
    assert changes_since_acceptance(submission=q1(botswana)) == [
        {"row": "export|ZAF|7102.31", "column": "carats", "before": "1000.00", "after": "1500.00"}
    ]


@pytest.mark.parametrize("step", ["query", "accept", "reopen"])
def test_only_the_secretariat_moves_submissions_on(botswana, authority, step) -> None:
    figures_save(participant=botswana, actor=authority, rows=[trade()])
    submission_submit(submission=q1(botswana), actor=authority)
    with pytest.raises(WorkflowError, match="Only the secretariat"):
        if step == "query":
            submission_query(submission=q1(botswana), actor=authority, comment="x")
        elif step == "accept":
            submission_accept(submission=q1(botswana), actor=authority)
        else:
            submission_reopen(submission=q1(botswana), actor=authority, reason="x")


def test_steps_out_of_order_are_refused(botswana, authority, secretariat) -> None:
    figures_save(participant=botswana, actor=authority, rows=[trade()])
    with pytest.raises(WorkflowError, match="Only a submitted"):
        submission_accept(submission=q1(botswana), actor=secretariat)
    with pytest.raises(WorkflowError, match="Only accepted"):
        submission_reopen(submission=q1(botswana), actor=secretariat, reason="x")


def test_past_the_deadline_the_period_is_locked_until_the_secretariat_reopens_it(
    botswana, authority, secretariat
) -> None:
    ReportingDeadline.objects.filter(year=YEAR, period="Q2").update(due_date=dt.date(2024, 8, 31))
    state = edit_state(participant_id=botswana.pk, year=YEAR, dataset="trade", period="Q2")
    assert not state.editable and "Past the deadline of Aug. 31, 2024" in state.reason
    deadline_extension_grant(
        participant=botswana,
        year=YEAR,
        dataset="trade",
        period="Q2",
        until=timezone.now() + timedelta(days=3),
        reason="late customs",
        actor=secretariat,
    )
    state = edit_state(participant_id=botswana.pk, year=YEAR, dataset="trade", period="Q2")
    assert state.editable and "Reopened by the secretariat" in state.reason
    # The extension is for Botswana only.
    south_africa = Participant.objects.get(code="ZAF")
    assert not edit_state(
        participant_id=south_africa.pk, year=YEAR, dataset="trade", period="Q2"
    ).editable


def test_an_extension_must_end_in_the_future_and_have_a_reason(botswana, secretariat) -> None:
    with pytest.raises(WorkflowError, match="future"):
        deadline_extension_grant(
            participant=botswana,
            year=YEAR,
            dataset="trade",
            period="Q2",
            until=timezone.now() - timedelta(days=1),
            reason="x",
            actor=secretariat,
        )
    with pytest.raises(WorkflowError, match="why"):
        deadline_extension_grant(
            participant=botswana,
            year=YEAR,
            dataset="trade",
            period="Q2",
            until=timezone.now() + timedelta(days=1),
            reason=" ",
            actor=secretariat,
        )


def test_a_period_that_has_not_ended_is_not_yet_open(botswana) -> None:
    today = timezone.localdate()
    state = edit_state(participant_id=botswana.pk, year=today.year, dataset="trade", period="Q4")
    if today < dt.date(today.year, 12, 31):
        assert not state.editable and state.reason.startswith("Not yet open")


@pytest.mark.parametrize(
    ("period", "due"),
    [
        ("Q1", dt.date(2023, 5, 31)),
        ("Q4", dt.date(2024, 2, 29)),
        ("H2", dt.date(2024, 2, 29)),
        ("H1", dt.date(2023, 8, 31)),
        ("Y", dt.date(2024, 2, 29)),
    ],
)
def test_figures_are_due_two_months_after_the_period(period, due) -> None:
    assert default_due_date(2023, period) == due


def test_an_extension_for_a_period_the_dataset_has_not_is_refused(botswana, secretariat) -> None:
    with pytest.raises(WorkflowError, match="not reported for the period Q1"):
        deadline_extension_grant(
            participant=botswana,
            year=YEAR,
            dataset="production",
            period="Q1",
            until=timezone.now() + timedelta(days=1),
            reason="late",
            actor=secretariat,
        )


def test_extensions_and_due_dates_are_in_the_audit_trail(botswana, secretariat) -> None:
    from kpcs.common.models import AuditEntry
    from kpcs.statistics.services import reporting_deadline_set

    deadline_extension_grant(
        participant=botswana,
        year=YEAR,
        dataset="trade",
        period="Q2",
        until=timezone.now() + timedelta(days=1),
        reason="customs",
        actor=secretariat,
    )
    reporting_deadline_set(year=YEAR, period="Q3", due_date=dt.date(2999, 6, 30), actor=secretariat)
    entries = AuditEntry.objects.filter(actor=secretariat)
    assert {e.content_type.model for e in entries} == {"deadlineextension", "reportingdeadline"}


def test_only_the_secretariat_sets_due_dates(authority) -> None:
    from kpcs.statistics.services import reporting_deadline_set

    with pytest.raises(WorkflowError, match="Only the secretariat"):
        reporting_deadline_set(
            year=YEAR, period="Q3", due_date=dt.date(2999, 6, 30), actor=authority
        )
