"""Fixtures for the API fuzz (tests/api/test_openapi_fuzz.py): a world of data the generated
requests can find by id, the users each run acts as, and how those users authenticate.

The world is built once per test module inside a transaction that is rolled back at the end;
each generated test runs inside a savepoint of it (pytest-django's `db`), so whatever a fuzzed
POST/PATCH/DELETE writes is undone before the next operation is tried.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings

ROLES = ("anonymous", "authority", "secretariat")


# --- Authentication -------------------------------------------------------------------------
# >>> THE ONE PLACE THAT KNOWS HOW A USER PROVES WHO THEY ARE. Change it here when the API's
# authentication changes: today an authority calls as a machine client (ApiClient key, header
# `Authorization: Token <key>`, kpcs.accounts.authentication) and the secretariat as a person
# logged in through the site (session cookie, plus the CSRF cookie and header a browser sends).
def auth_headers_for(user: Any) -> dict[str, str]:
    """The request headers that authenticate `user` to the API (none for anonymous). For an
    authority, the headers of a new API client of its participant."""
    if user is None:
        return {}
    if user.is_authority:
        from kpcs.accounts.api_clients import api_client_create

        _client, key = api_client_create(
            participant=user.participant, name=f"Fuzz client of {user.username}", actor=None
        )
        return {"Authorization": f"Token {key}"}
    from django.conf import settings
    from django.test import Client
    from django.utils.crypto import get_random_string

    browser = Client()
    # Named: the first backend (django-axes's) only checks lock-outs and cannot load a user.
    browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    csrf = get_random_string(32)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}",
        settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace("_", "-"): csrf,
    }


# --- The world ------------------------------------------------------------------------------
@dataclass
class FuzzWorld:
    users: dict[str, Any]
    headers: dict[str, dict[str, str]]
    # Real path parameters per path template, so that generated requests also reach objects
    # that exist (not only 404s).
    path_parameters: dict[str, dict[str, Any]] = field(default_factory=dict)


# A 1×1 PNG: small enough to build fast, real enough for ImageField and content sniffing.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _build_world() -> FuzzWorld:
    from django.utils import timezone

    from kpcs.accounts.models import Role
    from kpcs.accounts.tests.factories import UserFactory
    from kpcs.certificates.models import Certificate, CertificateUpload, SpecimenImage
    from kpcs.certificates.tests.factories import (
        CertificateFactory,
        SpecimenFactory,
        VoidNoticeFactory,
    )
    from kpcs.common.models import BackgroundJob
    from kpcs.participants.models import Participant
    from kpcs.participants.services import reference_data_load
    from kpcs.plenary.models import Document
    from kpcs.plenary.tests.factories import (
        AgendaItemFactory,
        AttendanceFactory,
        MeetingFactory,
    )
    from kpcs.plenary.tests.factories_docs import document, ready_pack
    from kpcs.reviews.models import EvidenceFile, ReviewVisit, TeamMember
    from kpcs.reviews.tests.factories import (
        AnnualReportFactory,
        ComplianceActionFactory,
        ComplianceCaseFactory,
        ComplianceDecisionFactory,
        FindingFactory,
        RecommendationFactory,
        ReportCommentFactory,
        ReportVersionFactory,
        ReviewVisitFactory,
        team_member,
    )
    from kpcs.reviews.tests.factories_compliance import ActionMilestoneFactory, anomaly_of
    from kpcs.statistics.models import Dataset, Period
    from kpcs.statistics.tests.factories import (
        StockDeclarationFactory,
        SubmissionFactory,
        TradeRecordFactory,
    )

    reference_data_load()
    bwa = Participant.objects.get(code="BWA")
    zaf = Participant.objects.get(code="ZAF")
    authority = UserFactory(role=Role.AUTHORITY, username="fuzz-authority", participant=bwa)
    secretariat = UserFactory(role=Role.SECRETARIAT, username="fuzz-secretariat")

    # Statistics: a draft trade submission, an accepted production one, stock, an anomaly.
    trade = SubmissionFactory(participant=bwa, year=2023)
    TradeRecordFactory(submission=trade, partner=zaf)
    SubmissionFactory(
        participant=bwa, year=2023, dataset=Dataset.PRODUCTION, period=Period.H1, status="accepted"
    )
    StockDeclarationFactory(participant=bwa, year=2023)
    anomaly_of(bwa, year=2023)

    # Certificates: one each way, a void one, a specimen with its picture, an upload.
    exported = CertificateFactory(issuing_participant=bwa, destination_participant=zaf)
    CertificateFactory(
        issuing_participant=zaf,
        destination_participant=bwa,
        status=Certificate.Status.ISSUED,
        carats=Decimal("10.00"),
    )
    VoidNoticeFactory(
        certificate__issuing_participant=bwa, certificate__destination_participant=zaf
    )
    specimen = SpecimenFactory(participant=bwa)
    image = SpecimenImage(specimen=specimen, caption="Front")
    image.image.save("front.png", ContentFile(PNG_BYTES), save=True)
    job = BackgroundJob.objects.create(kind="fuzz", description="Fuzz job", created_by=secretariat)
    upload = CertificateUpload(
        participant=bwa, uploaded_by=authority, kind=CertificateUpload.Kind.CERTIFICATES, job=job
    )
    upload.file.save("certificates.csv", ContentFile(b"number\n"), save=True)

    # Peer review: a visit of BWA with its team, a finding with evidence, a report with a
    # comment, recommendations, an annual report, a compliance case with an action plan.
    visit = ReviewVisitFactory(participant=bwa, status=ReviewVisit.Status.VISIT_DONE)
    lead = team_member(visit, TeamMember.Role.LEAD)
    finding = FindingFactory(visit=visit, author=lead.user)
    evidence = EvidenceFile(
        finding=finding,
        name="evidence.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        uploaded_by=lead.user,
    )
    evidence.file.save("evidence.pdf", ContentFile(PDF_BYTES), save=True)
    version = ReportVersionFactory(visit=visit, number=1, created_by=lead.user)
    ReportCommentFactory(version=version, author=authority)
    reported = ReviewVisitFactory(participant=bwa, status=ReviewVisit.Status.FINAL_REPORT, round=1)
    recommendation = RecommendationFactory(visit=reported, number=1)
    annual = AnnualReportFactory(participant=bwa, year=2025)
    case = ComplianceCaseFactory(participant=bwa)
    action = ComplianceActionFactory(case=case)
    milestone = ActionMilestoneFactory(action=action)
    ComplianceDecisionFactory(case=case)

    # Plenary: a meeting with its agenda and attendance; a published document translated into
    # French, a draft; a ready PDF pack.
    meeting = MeetingFactory(code="fuzz-plenary")
    item = AgendaItemFactory(meeting=meeting, number=1)
    attendance = AttendanceFactory(meeting=meeting, participant=bwa)
    published = document(
        symbol="KP/2026/Plenary/Administrative Decision 901",
        status=Document.Status.PUBLISHED,
        meeting=meeting,
        translated={"fr": ("Décision", "La Plénière décide.")},
    )
    draft = document(symbol="KP/2026/Plenary/Administrative Decision 902", meeting=meeting)
    pack = ready_pack(published, ["en", "fr"])

    users = {"anonymous": None, "authority": authority, "secretariat": secretariat}
    world = FuzzWorld(
        users=users, headers={role: auth_headers_for(user) for role, user in users.items()}
    )
    p = "/api/v1"
    cert = {"issuing_code": bwa.code, "number": exported.number}
    world.path_parameters = {
        f"{p}/certificates/{{issuing_code}}/{{number}}/": cert,
        f"{p}/certificates/{{issuing_code}}/{{number}}/confirmation/": {
            "issuing_code": zaf.code,
            "number": Certificate.objects.filter(issuing_participant=zaf).first().number,  # type: ignore[union-attr]
        },
        f"{p}/certificates/{{issuing_code}}/{{number}}/void/": cert,
        f"{p}/certificates/specimens/images/{{image_id}}/": {"image_id": image.pk},
        f"{p}/certificates/uploads/{{upload_id}}/": {"upload_id": upload.pk},
        f"{p}/jobs/{{job_id}}/": {"job_id": str(job.pk)},
        f"{p}/participants/{{code}}/": {"code": bwa.code},
        f"{p}/participants/{{code}}/standing/": {"code": bwa.code},
        f"{p}/plenary/compendium/documents/{{id}}/section/": {"id": published.pk},
        f"{p}/plenary/compendium/documents/{{id}}/supersession/": {"id": published.pk},
        f"{p}/plenary/documents/{{id}}/": {"id": draft.pk},
        f"{p}/plenary/documents/{{id}}/languages/": {"id": published.pk},
        f"{p}/plenary/documents/{{id}}/languages/{{language}}/": {
            "id": published.pk,
            "language": "fr",
        },
        f"{p}/plenary/documents/{{id}}/revise/": {"id": published.pk},
        f"{p}/plenary/documents/{{id}}/status/": {"id": draft.pk},
        f"{p}/plenary/meetings/{{code}}/": {"code": meeting.code},
        f"{p}/plenary/meetings/{{code}}/agenda/": {"code": meeting.code},
        f"{p}/plenary/meetings/{{code}}/agenda/{{item_id}}/": {
            "code": meeting.code,
            "item_id": item.pk,
        },
        f"{p}/plenary/meetings/{{code}}/attendance/": {"code": meeting.code},
        f"{p}/plenary/meetings/{{code}}/attendance/{{attendance_id}}/": {
            "code": meeting.code,
            "attendance_id": attendance.pk,
        },
        f"{p}/plenary/meetings/{{code}}/languages/": {"code": meeting.code},
        f"{p}/plenary/packs/{{id}}/": {"id": pack.pk},
        f"{p}/plenary/packs/{{id}}/files/{{language}}/": {"id": pack.pk, "language": "fr"},
        f"{p}/plenary/packs/{{id}}/retry/": {"id": pack.pk},
        f"{p}/public/documents/{{symbol}}/": {"symbol": published.symbol},
        f"{p}/public/statistics/participants/{{code}}/": {"code": bwa.code},
        f"{p}/reviews/annual-reports/{{report_id}}/": {"report_id": annual.pk},
        f"{p}/reviews/annual-reports/{{report_id}}/assessment/": {"report_id": annual.pk},
        f"{p}/reviews/annual-reports/{{report_id}}/document/": {"report_id": annual.pk},
        f"{p}/reviews/annual-reports/{{report_id}}/return/": {"report_id": annual.pk},
        f"{p}/reviews/annual-reports/{{report_id}}/submit/": {"report_id": annual.pk},
        f"{p}/reviews/compliance-cases/{{case_id}}/": {"case_id": case.pk},
        f"{p}/reviews/compliance-cases/{{case_id}}/actions/": {"case_id": case.pk},
        f"{p}/reviews/compliance-cases/{{case_id}}/actions/{{action_id}}/": {
            "case_id": case.pk,
            "action_id": action.pk,
        },
        f"{p}/reviews/compliance-cases/{{case_id}}/actions/{{action_id}}/milestones/": {
            "case_id": case.pk,
            "action_id": action.pk,
        },
        f"{p}/reviews/compliance-cases/{{case_id}}/decisions/": {"case_id": case.pk},
        f"{p}/reviews/compliance-cases/milestones/{{milestone_id}}/": {
            "milestone_id": milestone.pk
        },
        f"{p}/reviews/compliance-cases/participants/{{code}}/": {"code": bwa.code},
        f"{p}/reviews/visits/{{visit_id}}/": {"visit_id": visit.pk},
        f"{p}/reviews/visits/{{visit_id}}/findings/": {"visit_id": visit.pk},
        f"{p}/reviews/visits/{{visit_id}}/findings/{{finding_id}}/": {
            "visit_id": visit.pk,
            "finding_id": finding.pk,
        },
        f"{p}/reviews/visits/{{visit_id}}/findings/{{finding_id}}/evidence/{{evidence_id}}/": {
            "visit_id": visit.pk,
            "finding_id": finding.pk,
            "evidence_id": evidence.pk,
        },
        f"{p}/reviews/visits/{{visit_id}}/recommendations/": {"visit_id": reported.pk},
        f"{p}/reviews/visits/{{visit_id}}/recommendations/{{number}}/": {
            "visit_id": reported.pk,
            "number": recommendation.number,
        },
        f"{p}/reviews/visits/{{visit_id}}/recommendations/{{number}}/assessments/": {
            "visit_id": reported.pk,
            "number": recommendation.number,
        },
        f"{p}/reviews/visits/{{visit_id}}/recommendations/{{number}}/responses/": {
            "visit_id": reported.pk,
            "number": recommendation.number,
        },
        f"{p}/reviews/visits/{{visit_id}}/reports/": {"visit_id": visit.pk},
        f"{p}/reviews/visits/{{visit_id}}/reports/{{number}}/": {
            "visit_id": visit.pk,
            "number": version.number,
        },
        f"{p}/reviews/visits/{{visit_id}}/reports/{{number}}/comments/": {
            "visit_id": visit.pk,
            "number": version.number,
        },
        f"{p}/reviews/visits/{{visit_id}}/reports/comments-sent/": {"visit_id": visit.pk},
        f"{p}/reviews/visits/{{visit_id}}/team/": {"visit_id": visit.pk},
        f"{p}/reviews/visits/{{visit_id}}/team/{{member_id}}/": {
            "visit_id": visit.pk,
            "member_id": lead.pk,
        },
        f"{p}/reviews/visits/{{visit_id}}/transition/": {"visit_id": visit.pk},
        f"{p}/statistics/stock/{{year}}/": {"year": 2024},
        f"{p}/statistics/submissions/{{submission_id}}/": {"submission_id": trade.pk},
        f"{p}/statistics/submissions/{{submission_id}}/submit/": {"submission_id": trade.pk},
        f"{p}/statistics/submissions/{{submission_id}}/findings/{{finding_id}}/explain/": {
            "submission_id": trade.pk,
            "finding_id": "supply-gap",
        },
    }
    assert timezone.now()  # the world is built in the test's time zone
    return world


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[FuzzWorld]:
    """The world, built once for the module and rolled back after it. Files go to a temporary
    MEDIA_ROOT that is removed afterwards."""
    with (
        tempfile.TemporaryDirectory(prefix="kpcs-fuzz-media-") as media,
        override_settings(MEDIA_ROOT=media),
        django_db_blocker.unblock(),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def in_process_requests() -> Iterator[None]:
    """Requests go straight into Django's WSGI handler, in this thread and this transaction.
    Django closes "old" database connections at the start and end of every request, which
    would close the test's connection in the middle of its transaction: the test client
    turns that off for the same reason, and so do we. Each operation starts with empty rate
    limit counts (the cache), so that its examples are not all answered 429."""
    from django.core.cache import cache

    cache.clear()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
