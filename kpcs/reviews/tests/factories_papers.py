"""Test helpers for the working papers (helper PAPERS): a visit with its team and the people
around it, and uploads of each kind (good, wrong type, oversized)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kpcs.accounts.models import Role
from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.tests.factories import (
    ParticipantFactory,
    WorkingBodyFactory,
    WorkingBodyMembershipFactory,
)
from kpcs.reviews.models import ReviewVisit, TeamMember
from kpcs.reviews.tests.factories import ReviewVisitFactory, team_member

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def pdf_upload(name: str = "evidence.pdf", *, size: int | None = None) -> SimpleUploadedFile:
    """A PDF (padded to `size` bytes if given)."""
    content = PDF_BYTES if size is None else PDF_BYTES + b"0" * max(size - len(PDF_BYTES), 0)
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def exe_upload(name: str = "tool.exe") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, content_type="application/x-msdownload"
    )


def html_as_pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    """An HTML page with a .pdf name and a PDF content type: refused by its content."""
    return SimpleUploadedFile(
        name, b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )


def files_under(root: Path) -> list[Path]:
    return [path for path in Path(root).rglob("*") if path.is_file()]


@dataclass
class PapersWorld:
    """A visit of participant `participant` with a lead and a member; the reviewed
    participant's authority; the secretariat; another visit with its own team member; another
    participant's authority; a WGM member (through its participant); a reviewer on no team."""

    visit: ReviewVisit
    participant: Any
    lead: Any
    member: Any
    authority: Any
    secretariat: Any
    other_visit: ReviewVisit
    other_member: Any
    other_authority: Any
    wgm_member: Any
    outsider_reviewer: Any


def papers_world(status: str = ReviewVisit.Status.VISIT_DONE) -> PapersWorld:
    participant = ParticipantFactory()
    visit: Any = ReviewVisitFactory(participant=participant, status=status)
    lead = team_member(visit, TeamMember.Role.LEAD).user
    member = team_member(visit).user
    other_visit: Any = ReviewVisitFactory(status=ReviewVisit.Status.VISIT_DONE)
    other_member = team_member(other_visit).user
    wgm = WorkingBodyFactory(code="WGM")
    wgm_participant = ParticipantFactory()
    WorkingBodyMembershipFactory(working_body=wgm, participant=wgm_participant, year_from=2020)
    return PapersWorld(
        visit=visit,
        participant=participant,
        lead=lead,
        member=member,
        authority=UserFactory(role=Role.AUTHORITY, participant=participant),
        secretariat=UserFactory(role=Role.SECRETARIAT),
        other_visit=other_visit,
        other_member=other_member,
        other_authority=UserFactory(role=Role.AUTHORITY),
        wgm_member=UserFactory(role=Role.AUTHORITY, participant=wgm_participant),
        outsider_reviewer=UserFactory(role=Role.REVIEWER),
    )


def set_status(visit: ReviewVisit, status: str, **extra: Any) -> ReviewVisit:
    """Put a visit at a status (with the adoption and publication data those need)."""
    values: dict[str, Any] = {"status": status, **extra}
    if status in ("adopted", "published", "restricted"):
        values.setdefault("adopted_on", dt.date(2026, 11, 1))
        values.setdefault("adopted_by", WorkingBodyFactory(code="WGM"))
    if status == "published":
        values.setdefault("published_on", dt.date(2026, 11, 10))
    ReviewVisit.objects.filter(pk=visit.pk).update(**values)
    visit.refresh_from_db()
    return visit
