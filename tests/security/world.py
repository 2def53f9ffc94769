"""The small world the authorization matrix runs against.

Two participants, each with its authority and one object of every kind the URLs name: the
*own* side (BWA: the authority role under test acts for it, the reviewer under test sits on
its review team) and the *other* side (ZAF: nobody under test acts for it). Plenary material
is split the same way by working body (own = a body BWA sits on, other = one only ZAF sits
on), with a *public* variant for what anyone may read.

Built once per test module through the apps' factories (see `conftest.py`); every cell of
the matrix then runs in a savepoint that is rolled back.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from kpcs.accounts.api_clients import api_client_create
from kpcs.accounts.models import Role
from kpcs.accounts.tests.factories import UserFactory
from kpcs.certificates.models import CertificateUpload, SpecimenImage
from kpcs.certificates.tests.factories import (
    CertificateAlertFactory,
    CertificateFactory,
    SpecimenFactory,
    VoidNoticeFactory,
)
from kpcs.common.models import BackgroundJob
from kpcs.participants.models import Observer, Participant, StatusEvent
from kpcs.participants.tests.factories import (
    AuthorityContactFactory,
    AuthorityFactory,
    ChairmanshipFactory,
    WorkingBodyFactory,
    WorkingBodyMembershipFactory,
)
from kpcs.plenary.models import Document, DocumentPack, DocumentPackFile, Meeting
from kpcs.plenary.tests.factories import AgendaItemFactory, AttendanceFactory, MeetingFactory
from kpcs.plenary.tests.factories_docs import FRENCH, document, ready_pack
from kpcs.reviews.models import (
    EvidenceFile,
    RecommendationUpdate,
    ReportVersion,
    ReviewVisit,
    TeamMember,
)
from kpcs.reviews.tests.factories import (
    ComplianceActionFactory,
    ComplianceCaseFactory,
    ComplianceDecisionFactory,
    ExpertNominationFactory,
    FindingFactory,
    RecommendationFactory,
    RecommendationUpdateFactory,
    ReportCommentFactory,
    ReportVersionFactory,
    ReviewVisitFactory,
)
from kpcs.reviews.tests.factories_annual import submitted_report
from kpcs.reviews.tests.factories_compliance import ActionMilestoneFactory, anomaly_of, question_on
from kpcs.statistics.models import Dataset, Period, Submission, ValidationFinding
from kpcs.statistics.tests.factories import StockDeclarationFactory, SubmissionFactory

OWN_CODE = "BWA"
OTHER_CODE = "ZAF"
# Where both sides' certificates go: a third participant, so that neither side's
# certificate is the other side's as its destination.
DESTINATION_CODE = "IND"
# The participant the reviewer under test represents on the own side's review team.
REVIEWER_CODE = "NAM"
OBSERVER_CODE = "WDC"

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def _ready_pack(subject: str, key: str, **subject_fields: Any) -> DocumentPack:
    """A pack whose English and French files are ready (small fake PDFs; nothing rendered)."""
    pack = DocumentPack.objects.create(
        subject=subject,
        subject_key=key,
        fingerprint=f"authz-{subject}-{key}",
        languages=["en", "fr"],
        **subject_fields,
    )
    for language in ("en", "fr"):
        row = DocumentPackFile(pack=pack, language=language, status=DocumentPackFile.Status.DONE)
        row.file.save(f"{language}.pdf", ContentFile(PDF), save=False)
        row.size, row.pages = len(PDF), 1
        row.save()
    return pack


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Side:
    """One participant's objects (every field is a model instance or a key for a URL)."""

    participant: Participant
    authority: Any
    submission: Submission
    finding: ValidationFinding
    anomaly: Any  # questioned (has a question)
    open_anomaly: Any  # not yet questioned
    question: Any
    certificate: Any
    void_certificate: Any
    upload: CertificateUpload
    specimen_image: SpecimenImage
    alert: Any
    visit: ReviewVisit
    team_member: TeamMember
    nomination: Any
    review_finding: Any
    evidence: EvidenceFile
    report: ReportVersion
    recommendation: Any
    annual_report: Any
    case: Any
    action: Any
    milestone: Any
    job: BackgroundJob
    status_event: StatusEvent
    authority_office: Any
    contact: Any
    working_body: Any
    membership: Any
    meeting: Meeting
    agenda_item: Any
    attendance: Any
    document: Document
    pack: Any
    api_client: Any


@dataclass
class World:
    users: dict[str, Any]
    own: Side
    other: Side
    public_meeting: Meeting
    public_document: Document
    public_pack: Any
    observer: Observer
    chairmanship_year: int
    extra: dict[str, Any] = field(default_factory=dict)

    def side(self, variant: str) -> Side:
        return self.own if variant == "own" else self.other


def _side(
    code: str, *, authority: Any, reviewer: Any, secretariat: Any, destination: Participant
) -> Side:
    participant = Participant.objects.get(code=code)
    submission = SubmissionFactory(
        participant=participant, year=2024, dataset=Dataset.TRADE, period=Period.Q1
    )
    finding = ValidationFinding.objects.create(
        submission=submission,
        rule="authz_probe",
        severity=ValidationFinding.Severity.WARNING,
        row="export|IND|7102.10",
        column="carats",
        message="A warning the matrix asks about.",
    )
    StockDeclarationFactory(participant=participant, year=2023)
    anomaly = anomaly_of(participant)
    question = question_on(
        anomaly, asked_by=secretariat, question=f"Why do {code} exports exceed production?"
    )
    open_anomaly = anomaly_of(participant)

    certificate = CertificateFactory(
        issuing_participant=participant,
        destination_participant=destination,
        recorded_by=authority,
    )
    void_certificate = VoidNoticeFactory(
        certificate__issuing_participant=participant,
        certificate__destination_participant=destination,
    ).certificate
    upload = CertificateUpload(
        kind=CertificateUpload.Kind.CERTIFICATES,
        participant=participant,
        uploaded_by=authority,
        original_name=f"{code}-certificates.csv",
        status=CertificateUpload.Status.REFUSED,
        rows=1,
        findings=[{"row": 2, "column": "carats", "code": "bad", "message": "Not a number."}],
    )
    upload.file.save("certificates.csv", ContentFile(b"certificate_number\nX1\n"), save=False)
    upload.save()
    specimen = SpecimenFactory(participant=participant)
    specimen_image = SpecimenImage(specimen=specimen, caption="Front")
    specimen_image.image.save("front.png", ContentFile(_png()), save=False)
    specimen_image.save()
    alert = CertificateAlertFactory(
        certificate__issuing_participant=participant,
        certificate__destination_participant=destination,
    )

    # A visit with a final report: findings, a draft version with a comment, recommendations.
    visit = ReviewVisitFactory(
        participant=participant,
        status=ReviewVisit.Status.FINAL_REPORT,
        planned_start=dt.date(2026, 5, 4),
        planned_end=dt.date(2026, 5, 8),
        actual_start=dt.date(2026, 5, 4),
        actual_end=dt.date(2026, 5, 8),
    )
    team_member = TeamMember.objects.create(
        visit=visit,
        user=reviewer,
        role=TeamMember.Role.LEAD,
        represents=TeamMember.Represents.PARTICIPANT,
        participant=reviewer.participant,
    )
    nomination = ExpertNominationFactory(user=reviewer, nominated_by_participant=participant)
    review_finding = FindingFactory(visit=visit, author=reviewer)
    evidence = EvidenceFile(
        finding=review_finding,
        name="evidence.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=reviewer,
    )
    evidence.file.save("evidence.pdf", ContentFile(PDF), save=False)
    evidence.save()
    report = ReportVersionFactory(
        visit=visit, number=1, kind=ReportVersion.Kind.DRAFT, created_by=reviewer
    )
    ReportCommentFactory(version=report, author=authority)
    # The final version: what a review report pack (and the public, once published) shows.
    ReportVersionFactory(visit=visit, number=2, kind=ReportVersion.Kind.FINAL, created_by=reviewer)
    recommendation = RecommendationFactory(visit=visit, number=1)
    RecommendationUpdateFactory(
        recommendation=recommendation, kind=RecommendationUpdate.Kind.RESPONSE, author=authority
    )

    annual_report = submitted_report(participant, 2025, submitted_by=authority)
    annual_report.document.save("annual-report.pdf", ContentFile(PDF), save=False)
    annual_report.document_name = "annual-report.pdf"
    annual_report.document_content_type = "application/pdf"
    annual_report.save()
    case = ComplianceCaseFactory(participant=participant, title=f"Compliance case of {code}")
    action = ComplianceActionFactory(case=case)
    milestone = ActionMilestoneFactory(action=action)
    ComplianceDecisionFactory(case=case)

    job = BackgroundJob.objects.create(
        kind="authz.probe", description=f"{code} authority's job", created_by=authority
    )

    status_event = StatusEvent.objects.create(
        participant=participant,
        date=dt.date(2019, 6, 1),
        event=StatusEvent.Event.SELF_SUSPENDED,
    )
    # Back in good standing: the matrix must not depend on a suspension.
    StatusEvent.objects.create(
        participant=participant, date=dt.date(2019, 9, 1), event=StatusEvent.Event.REINSTATED
    )
    authority_office = AuthorityFactory(participant=participant)
    contact = AuthorityContactFactory(authority=authority_office)

    year = timezone.localdate().year
    # Closed to observers: only its members (and the secretariat) see its meetings.
    working_body = WorkingBodyFactory(
        code=f"AZ{code}",
        name=f"Working group of {code}",
        name_en=f"Working group of {code}",
        open_to_observers=False,
    )
    membership = WorkingBodyMembershipFactory(
        working_body=working_body, participant=participant, year_from=year - 1
    )
    meeting = MeetingFactory(
        code=f"authz-{code.lower()}-meeting",
        kind=Meeting.Kind.WORKING_BODY,
        working_body=working_body,
    )
    agenda_item = AgendaItemFactory(meeting=meeting)
    attendance = AttendanceFactory(meeting=meeting, participant=participant)
    restricted = document(
        symbol=f"KP/2026/AZ{code}/Working Paper 1",
        kind=Document.Kind.WORKING_PAPER,
        title_en=f"Paper of the {code} working group",
        status=Document.Status.PUBLISHED,
        date=dt.date(2026, 11, 6),
        meeting=meeting,
        distribution=Document.Distribution.WORKING_BODY,
        working_body=working_body,
        translated={"fr": FRENCH},
    )
    ready_pack(restricted, ["fr"])  # its PDF, for the documents:pdf page
    # The side's pack: its review visit's report (downloaded by whoever may see the visit).
    pack = _ready_pack(DocumentPack.Subject.REVIEW_REPORT, str(visit.pk))

    return Side(
        participant=participant,
        authority=authority,
        submission=submission,
        finding=finding,
        anomaly=anomaly,
        open_anomaly=open_anomaly,
        question=question,
        certificate=certificate,
        void_certificate=void_certificate,
        upload=upload,
        specimen_image=specimen_image,
        alert=alert,
        visit=visit,
        team_member=team_member,
        nomination=nomination,
        review_finding=review_finding,
        evidence=evidence,
        report=report,
        recommendation=recommendation,
        annual_report=annual_report,
        case=case,
        action=action,
        milestone=milestone,
        job=job,
        status_event=status_event,
        authority_office=authority_office,
        contact=contact,
        working_body=working_body,
        membership=membership,
        meeting=meeting,
        agenda_item=agenda_item,
        attendance=attendance,
        document=restricted,
        pack=pack,
        api_client=api_client_create(participant=participant, name=f"{code} customs", actor=None)[
            0
        ],
    )


def build_world() -> World:
    """Every role's user and both sides' objects (reference data must be loaded first)."""
    own_participant = Participant.objects.get(code=OWN_CODE)
    other_participant = Participant.objects.get(code=OTHER_CODE)
    destination = Participant.objects.get(code=DESTINATION_CODE)
    observer = Observer.objects.get(code=OBSERVER_CODE)

    # Staff, as accounts.services makes secretariat users (the admin site is theirs).
    secretariat = UserFactory(role=Role.SECRETARIAT, username="authz-secretariat", is_staff=True)
    authority = UserFactory(
        role=Role.AUTHORITY, username="authz-bwa-authority", participant=own_participant
    )
    other_authority = UserFactory(
        role=Role.AUTHORITY, username="authz-zaf-authority", participant=other_participant
    )
    observer_user = UserFactory(role=Role.OBSERVER, username="authz-observer", observer=observer)
    reviewer = UserFactory(
        role=Role.REVIEWER,
        username="authz-reviewer",
        participant=Participant.objects.get(code=REVIEWER_CODE),
    )
    # The other side's review team: a reviewer who is not a role under test.
    other_reviewer = UserFactory(
        role=Role.REVIEWER,
        username="authz-other-reviewer",
        participant=Participant.objects.get(code="CAN"),
    )

    own = _side(
        OWN_CODE,
        authority=authority,
        reviewer=reviewer,
        secretariat=secretariat,
        destination=destination,
    )
    other = _side(
        OTHER_CODE,
        authority=other_authority,
        reviewer=other_reviewer,
        secretariat=secretariat,
        destination=destination,
    )

    public_meeting = MeetingFactory(code="authz-plenary", kind=Meeting.Kind.PLENARY)
    public_document = document(
        symbol="KP/2026/Plenary/Administrative Decision 99",
        title_en="A public decision",
        status=Document.Status.PUBLISHED,
        date=dt.date(2026, 11, 6),
        meeting=public_meeting,
        distribution=Document.Distribution.PUBLIC,
        compendium_section=Document.CompendiumSection.ADMINISTRATIVE_DECISIONS,
        translated={"fr": FRENCH},
    )
    # A pack of the document's current content (its fingerprint computed as the pack builder
    # does): the PDF the public page serves, and a pack only the secretariat downloads.
    public_pack = ready_pack(public_document, ["fr"])
    chairmanship = ChairmanshipFactory(year=2099, chair=own_participant)

    return World(
        users={
            "anonymous": None,
            "authority": authority,
            "reviewer": reviewer,
            "observer": observer_user,
            "secretariat": secretariat,
        },
        own=own,
        other=other,
        public_meeting=public_meeting,
        public_document=public_document,
        public_pack=public_pack,
        observer=observer,
        chairmanship_year=chairmanship.year,
        extra={"other_authority": other_authority, "other_reviewer": other_reviewer},
    )
