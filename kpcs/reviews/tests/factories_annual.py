"""Annual report test helpers (helper ANNUAL): complete sections, small real documents, and
authority accounts."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from kpcs.accounts.models import Role
from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.models import Participant
from kpcs.reviews.models import AnnualReport
from kpcs.reviews.selectors import annual_reports as ar
from kpcs.reviews.tests.factories import AnnualReportFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def complete_sections(prefix: str = "") -> dict[str, Any]:
    """Every section and figure a submission needs."""
    values: dict[str, Any] = {
        section: f"{prefix}{AnnualReport.Section(section).label} text." for section in ar.SECTIONS
    }
    values.update({"enforcement_cases": 1, "seizures": 0, "penalties": "A fine."})
    return values


def submitted_report(participant: Participant, year: int, **kwargs: Any) -> AnnualReport:
    """A submitted report with every section written."""
    from django.utils import timezone

    author = kwargs.pop("submitted_by", None) or UserFactory(
        role=Role.AUTHORITY, participant=participant
    )
    values = {**complete_sections(f"{year} "), **kwargs}
    return AnnualReportFactory(
        participant=participant,
        year=year,
        status=AnnualReport.Status.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=author,
        **values,
    )


def pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def odt(name: str = "report.odt") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def png_named_pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    """A picture pretending to be a PDF (only its name says so)."""
    return SimpleUploadedFile(
        name, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="application/pdf"
    )
