"""The annual report services: starting a draft pre-filled from last year, "no change" per
section, enforcement figures, the document, submission, assessment, return for correction;
who may take which step, and refused input storing nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kpcs.accounts.models import Role
from kpcs.accounts.tests.factories import UserFactory
from kpcs.common.models import AuditEntry
from kpcs.participants.tests.factories import ParticipantFactory
from kpcs.reviews.models import AnnualReport
from kpcs.reviews.selectors import annual_reports as ar
from kpcs.reviews.services import annual_reports as services
from kpcs.reviews.services.annual_reports import AnnualReportWorkflowError
from kpcs.reviews.tests.factories import AnnualReportFactory
from kpcs.reviews.tests.factories_annual import (
    complete_sections,
    odt,
    pdf,
    png_named_pdf,
    submitted_report,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 4)
YEAR = 2025
Status = AnnualReport.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def participant():
    return ParticipantFactory()


@pytest.fixture
def authority(participant):
    return UserFactory(role=Role.AUTHORITY, participant=participant)


@pytest.fixture
def secretariat():
    return UserFactory(role=Role.SECRETARIAT)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def save(authority, participant, **kwargs):
    kwargs.setdefault("today", TODAY)
    return services.annual_report_save(
        actor=authority, participant=participant, year=kwargs.pop("year", YEAR), **kwargs
    )


# --- Starting and pre-filling -----------------------------------------------------------------


def test_a_new_report_starts_from_last_years_submitted_text_but_not_its_figures(
    authority, participant
):
    last = submitted_report(participant, YEAR - 1, enforcement_cases=4, changes="New act.")
    report = save(authority, participant)
    assert report.status == Status.DRAFT
    for section in ar.CARRIED_SECTIONS:
        assert getattr(report, section) == getattr(last, section)
    assert report.changes == ""
    assert report.enforcement_cases is None
    assert report.unchanged_sections == []
    assert AuditEntry.objects.filter(object_id=str(report.pk), action="create").exists()


def test_a_draft_of_last_year_is_not_used_for_pre_filling(authority, participant):
    AnnualReportFactory(participant=participant, year=YEAR - 1, legislation="Unsent draft.")
    report = save(authority, participant)
    assert report.legislation == ""


def test_no_change_copies_last_years_text_and_marks_the_section(authority, participant):
    last = submitted_report(participant, YEAR - 1)
    report = save(
        authority,
        participant,
        values={"legislation": "Something else"},
        unchanged=["legislation"],
    )
    assert report.legislation == last.legislation
    assert report.unchanged_sections == ["legislation"]


def test_editing_a_marked_section_away_from_last_year_removes_the_mark(authority, participant):
    submitted_report(participant, YEAR - 1)
    save(authority, participant, unchanged=["legislation", "statistics"])
    report = save(authority, participant, values={"legislation": "Amended in 2025."})
    assert report.unchanged_sections == ["statistics"]
    assert report.legislation == "Amended in 2025."


def test_no_change_is_refused_without_a_submitted_report_last_year(authority, participant):
    with pytest.raises(ValidationError) as excinfo:
        save(authority, participant, unchanged=["legislation"])
    assert "unchanged_sections" in excinfo.value.message_dict
    assert not AnnualReport.objects.exists()


def test_changes_since_last_year_cannot_be_marked_unchanged(authority, participant):
    submitted_report(participant, YEAR - 1)
    with pytest.raises(ValidationError) as excinfo:
        save(authority, participant, unchanged=["changes"])
    assert "unchanged_sections" in excinfo.value.message_dict


# --- Years and figures ------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2026, 2027, 2002, 1999])
def test_the_current_a_future_or_a_pre_scheme_year_is_refused(authority, participant, year):
    with pytest.raises(ValidationError) as excinfo:
        save(authority, participant, year=year)
    assert "year" in excinfo.value.message_dict
    assert "2003" in excinfo.value.message_dict["year"][0]
    assert not AnnualReport.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("seizures", -1),
        ("enforcement_cases", -3),
        ("seized_carats", Decimal("-0.5")),
        ("seized_carats", "lots"),
        ("seized_carats", Decimal("1.234")),
        ("seized_carats", Decimal("900000000")),
        ("enforcement_cases", 5_000_000),
        ("seizures", "two"),
    ],
)
def test_implausible_figures_are_refused_naming_the_field(authority, participant, field, value):
    with pytest.raises(ValidationError) as excinfo:
        save(authority, participant, values={field: value, "legislation": "x"})
    assert field in excinfo.value.message_dict
    assert not AnnualReport.objects.exists()


def test_carats_seized_without_a_seizure_are_refused(authority, participant):
    with pytest.raises(ValidationError) as excinfo:
        save(authority, participant, values={"seizures": 0, "seized_carats": Decimal("10")})
    assert "seized_carats" in excinfo.value.message_dict


def test_a_negative_figure_on_an_existing_draft_changes_nothing(authority, participant):
    report = save(authority, participant, values={"seizures": 2, "legislation": "Act."})
    with pytest.raises(ValidationError):
        save(authority, participant, values={"seizures": -2, "legislation": "Changed"})
    report.refresh_from_db()
    assert (report.seizures, report.legislation) == (2, "Act.")


# --- The document -----------------------------------------------------------------------------


def test_a_pdf_or_odt_document_is_stored_with_its_name_and_type(authority, participant, media):
    report = save(authority, participant, document=pdf("Rapport annuel 2025.pdf"))
    assert report.document_name == "Rapport annuel 2025.pdf"
    assert report.document_content_type == "application/pdf"
    assert report.document.name.startswith("annual-reports/")
    report = save(authority, participant, document=odt())
    assert report.document_content_type == "application/vnd.oasis.opendocument.text"
    # The replaced PDF is gone: one file left.
    assert len(stored_files(media)) == 1


def test_a_document_of_the_wrong_type_by_content_stores_nothing(authority, participant, media):
    with pytest.raises(ValidationError) as excinfo:
        save(authority, participant, values={"legislation": "x"}, document=png_named_pdf())
    assert "report.pdf" in excinfo.value.message_dict["document"][0]
    assert not AnnualReport.objects.exists()
    assert stored_files(media) == []


def test_an_oversized_document_stores_nothing(authority, participant, media, settings):
    settings.REVIEW_UPLOAD_MAX_MB = 1
    big = pdf("big.pdf")
    big.size = 2 * 1024 * 1024
    with pytest.raises(ValidationError) as excinfo:
        save(authority, participant, values={"legislation": "x"}, document=big)
    assert "big.pdf" in excinfo.value.message_dict["document"][0]
    assert not AnnualReport.objects.exists()
    assert stored_files(media) == []


def test_a_refusal_after_the_file_is_written_deletes_it_again(authority, participant, media):
    # Submitting an incomplete report with a document: refused, and no file stays behind.
    with pytest.raises(ValidationError):
        save(authority, participant, document=pdf(), submit=True)
    assert not AnnualReport.objects.exists()
    assert stored_files(media) == []


# --- Submission -------------------------------------------------------------------------------


def test_a_complete_draft_is_submitted_with_who_and_when(authority, participant):
    report = save(authority, participant, values=complete_sections())
    report = services.annual_report_submit(actor=authority, report=report)
    assert report.status == Status.SUBMITTED
    assert report.submitted_by == authority
    assert report.submitted_at is not None


def test_submitting_an_incomplete_draft_names_each_missing_section(authority, participant):
    values = complete_sections()
    values.update({"legislation": "", "statistics": " ", "seizures": None, "changes": ""})
    report = save(authority, participant, values=values)
    with pytest.raises(ValidationError) as excinfo:
        services.annual_report_submit(actor=authority, report=report)
    assert set(excinfo.value.message_dict) == {"legislation", "statistics", "seizures"}
    report.refresh_from_db()
    assert report.status == Status.DRAFT


def test_save_and_submit_in_one_step_stores_nothing_when_incomplete(authority, participant):
    with pytest.raises(ValidationError):
        save(authority, participant, values={"legislation": "Only this."}, submit=True)
    assert not AnnualReport.objects.exists()


def test_a_submitted_report_can_no_longer_be_changed(authority, participant):
    report = save(authority, participant, values=complete_sections(), submit=True)
    with pytest.raises(AnnualReportWorkflowError):
        services.annual_report_update(actor=authority, report=report, values={"legislation": "x"})
    with pytest.raises(AnnualReportWorkflowError):
        services.annual_report_submit(actor=authority, report=report)
    report.refresh_from_db()
    assert report.legislation != "x"


def test_starting_a_year_twice_is_refused(authority, participant):
    save(authority, participant)
    with pytest.raises(AnnualReportWorkflowError):
        services.annual_report_create(
            actor=authority, participant=participant, year=YEAR, today=TODAY
        )


def test_the_secretariat_does_not_write_a_participants_report(secretariat, participant):
    with pytest.raises(PermissionDenied):
        save(secretariat, participant)
    assert not AnnualReport.objects.exists()


def test_an_authority_cannot_write_another_participants_report(participant):
    other = UserFactory(role=Role.AUTHORITY)
    with pytest.raises(PermissionDenied):
        save(other, participant)


def test_reviewers_and_observers_cannot_write_a_report(participant):
    for role in (Role.REVIEWER, Role.OBSERVER):
        with pytest.raises(PermissionDenied):
            save(UserFactory(role=role), participant)


# --- Assessment and return --------------------------------------------------------------------


def test_the_secretariat_assesses_a_submitted_report(authority, participant, secretariat):
    report = save(authority, participant, values=complete_sections(), submit=True)
    report = services.annual_report_assess(
        actor=secretariat, report=report, assessment="Complete.", feedback="Well done."
    )
    assert report.status == Status.ASSESSED
    assert (report.assessment, report.feedback) == ("Complete.", "Well done.")
    assert report.assessed_by == secretariat and report.assessed_at is not None


def test_a_draft_cannot_be_assessed(authority, participant, secretariat):
    report = save(authority, participant, values=complete_sections())
    with pytest.raises(AnnualReportWorkflowError):
        services.annual_report_assess(actor=secretariat, report=report, assessment="Fine.")
    report.refresh_from_db()
    assert report.status == Status.DRAFT


def test_an_assessment_needs_text(authority, participant, secretariat):
    report = save(authority, participant, values=complete_sections(), submit=True)
    with pytest.raises(ValidationError) as excinfo:
        services.annual_report_assess(actor=secretariat, report=report, assessment="  ")
    assert "assessment" in excinfo.value.message_dict


def test_an_authority_cannot_assess_even_its_own_report(authority, participant):
    report = save(authority, participant, values=complete_sections(), submit=True)
    with pytest.raises(PermissionDenied):
        services.annual_report_assess(actor=authority, report=report, assessment="Excellent.")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_returning_for_correction_makes_it_a_draft_again_and_is_audited(
    authority, participant, secretariat
):
    report = save(authority, participant, values=complete_sections(), submit=True)
    report = services.annual_report_return(
        actor=secretariat, report=report, feedback="Give the seizures by case."
    )
    assert report.status == Status.DRAFT
    assert report.submitted_at is None and report.submitted_by is None
    assert report.feedback == "Give the seizures by case."
    entry = AuditEntry.objects.filter(object_id=str(report.pk)).order_by("-id").first()
    assert entry is not None and entry.changes["status"] == ["submitted", "draft"]
    assert "returned for correction" in entry.reason
    # The participant corrects and submits again.
    report = services.annual_report_update(
        actor=authority, report=report, values={"penalties": "x"}
    )
    assert services.annual_report_submit(actor=authority, report=report).status == "submitted"


def test_return_needs_feedback_and_a_submitted_report(authority, participant, secretariat):
    report = save(authority, participant, values=complete_sections(), submit=True)
    with pytest.raises(ValidationError):
        services.annual_report_return(actor=secretariat, report=report, feedback="")
    services.annual_report_assess(actor=secretariat, report=report, assessment="Fine.")
    with pytest.raises(AnnualReportWorkflowError):
        services.annual_report_return(actor=secretariat, report=report, feedback="Redo it.")
    with pytest.raises(PermissionDenied):
        services.annual_report_return(actor=authority, report=report, feedback="Redo it.")
