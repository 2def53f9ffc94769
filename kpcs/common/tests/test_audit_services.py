"""The services that write submitted and official data in bulk or through a workflow leave
entries too: a submission's figures and each step of its workflow, the historical import,
a publication, the nightly expiry of certificates, a participant's explanation of a warning."""

from __future__ import annotations

import datetime as dt

import pytest

from kpcs.accounts.tests.factories import UserFactory
from kpcs.common.audit import entries_for
from kpcs.participants.models import Participant
from kpcs.statistics.importing import statistics_import
from kpcs.statistics.models import Release, ReportingDeadline, Submission
from kpcs.statistics.services import (
    figures_save,
    submission_accept,
    submission_query,
    submission_submit,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

YEAR = 2024


@pytest.fixture(autouse=True)
def open_periods():
    ReportingDeadline.objects.create(year=YEAR, period="Q1", due_date=dt.date(2999, 1, 1))


def _trade(partner: str = "ZAF", carats: str = "1000.00") -> dict[str, str]:
    return {
        "participant": "BWA",
        "year": str(YEAR),
        "period": "Q1",
        "flow": "export",
        "partner": partner,
        "hs_code": "7102.31",
        "carats": carats,
        "value_usd": "150000.00",
        "certificates": "2",
    }


def test_each_save_of_a_submissions_figures_is_in_its_trail_with_values_before_and_after():
    botswana = Participant.objects.get(code="BWA")
    authority = UserFactory(role="authority", participant=botswana, username="bwa")
    figures_save(participant=botswana, actor=authority, rows=[_trade()])
    submission = Submission.objects.get(participant=botswana, year=YEAR, period="Q1")
    created = entries_for(submission).get()
    assert created.action == "create" and created.actor == authority
    assert created.changes["figures: export ZAF 7102.31 carats"] == [None, "1000.00"]

    figures_save(participant=botswana, actor=authority, rows=[_trade(carats="1200.00")])
    changed = entries_for(submission).filter(action="update").get()
    assert changed.changes == {"figures: export ZAF 7102.31 carats": ["1000.00", "1200.00"]}

    figures_save(participant=botswana, actor=authority, rows=[_trade(carats="1200.00")])
    assert entries_for(submission).count() == 2, "a save that changes nothing leaves no entry"


def test_each_step_of_the_workflow_is_an_update_entry_with_the_comment_as_reason():
    botswana = Participant.objects.get(code="BWA")
    authority = UserFactory(role="authority", participant=botswana, username="bwa")
    secretariat = UserFactory(role="secretariat", username="sec")
    figures_save(participant=botswana, actor=authority, rows=[_trade()])
    submission = Submission.objects.get(participant=botswana, year=YEAR, period="Q1")
    submission_submit(submission=submission, actor=authority)
    submission_query(submission=submission, actor=secretariat, comment="Check ZAF.")
    submission_submit(submission=submission, actor=authority)
    submission_accept(submission=submission, actor=secretariat)
    steps = [
        (e.actor.username, e.changes["status"], e.reason)
        for e in entries_for(submission).filter(action="update").order_by("id")
    ]
    assert steps == [
        ("bwa", ["draft", "submitted"], ""),
        ("sec", ["submitted", "queried"], "Check ZAF."),
        ("bwa", ["queried", "submitted"], ""),
        ("sec", ["submitted", "accepted"], ""),
    ]


def test_the_historical_import_and_its_publication_leave_an_entry_per_submission():
    secretariat = UserFactory(role="secretariat", username="sec")
    statistics_import(rows=[_trade()], actor=secretariat, publish=True, note="2024 file")
    submission = Submission.objects.get(participant__code="BWA", year=YEAR, period="Q1")
    created, published = entries_for(submission).order_by("id")
    assert created.action == "create" and "historical import" in created.reason
    assert created.changes["status"] == [None, "accepted"]
    assert published.changes["status"] == ["accepted", "published"]
    assert published.reason == f"release {YEAR}/1"
    assert entries_for(Release.objects.get(year=YEAR)).get().action == "create"


def test_the_nightly_expiry_of_a_certificate_is_in_its_history():
    from kpcs.certificates.services import certificates_expire
    from kpcs.certificates.tests.factories import CertificateFactory

    certificate = CertificateFactory(
        date_issued=dt.date(2020, 1, 1), date_expiry=dt.date(2020, 3, 1), status="issued"
    )
    assert certificates_expire(today=dt.date(2021, 1, 1)) == 1
    entry = entries_for(certificate).get()
    assert entry.action == "update" and entry.actor is None
    assert entry.changes["status"] == ["issued", "expired"]
