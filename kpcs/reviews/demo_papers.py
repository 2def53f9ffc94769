"""Demo working papers for `load_demo_data`: six findings on Botswana's second-round review
visit, filed by the members of its team across the requirement areas (one with a small PDF
as evidence), the draft report version 1 the lead assembled from them, and the final report of
the 2008 first-round visit. Safe to re-run: what exists is left as it is.

demo_visits (helper VISITS) creates the visits and the team first; this module creates the
same visit and team with the same values if it runs without them.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import translation

from kpcs.accounts.models import User
from kpcs.common.audit import save_with_audit
from kpcs.participants.models import Participant
from kpcs.reviews.demo_visits import demo_pdf, round_two_visit
from kpcs.reviews.models import (
    Finding,
    ReportVersion,
    RequirementArea,
    ReviewVisit,
    TeamMember,
)
from kpcs.reviews.selectors.working_papers import report_text_from_findings
from kpcs.reviews.services.working_papers import finding_create

# (username, role, represents, participant code, observer code)
EVIDENCE_NAME = "diamond-hub-export-register-extract.pdf"

# (author, area, rating, text, with the evidence PDF)
FINDINGS = [
    (
        "zaf-lead",
        RequirementArea.LEGISLATION,
        Finding.Rating.MET,
        "The Diamond Cutting Act and the Precious and Semi-Precious Stones Protection Act give "
        "the Diamond Hub clear powers to license, inspect and certify. The Kimberley Process "
        "Office is staffed and funded.",
        False,
    ),
    (
        "reviewer",
        RequirementArea.IMPORT_EXPORT,
        Finding.Rating.MET,
        "Every export the team traced (12 parcels, March–May) left with a KP certificate "
        "matching the export register; the tamper-proof containers are sealed in the presence "
        "of a government diamond valuator.",
        True,
    ),
    (
        "ind-reviewer",
        RequirementArea.INTERNAL_CONTROLS,
        Finding.Rating.PARTLY_MET,
        "Mine-to-sorthouse controls at the large mines are thorough. The licensing of small "
        "dealers is kept on paper at the district offices and is not reconciled with the "
        "central register.",
        False,
    ),
    (
        "wdc-reviewer",
        RequirementArea.STATISTICS,
        Finding.Rating.PARTLY_MET,
        "Production and trade statistics are submitted on time; quarterly figures for 2025 were "
        "revised twice without an explanation of the revision.",
        False,
    ),
    (
        "csc-reviewer",
        RequirementArea.ENFORCEMENT,
        Finding.Rating.NOT_MET,
        "No infringement has been prosecuted since 2022 although two seizures were reported; "
        "the penalties in the law have not been applied.",
        False,
    ),
    (
        "reviewer",
        RequirementArea.CERTIFICATES,
        Finding.Rating.MET,
        "Certificates carry every minimum element and the security features registered with "
        "the Chair; void certificates are notified the same day.",
        False,
    ),
]


def _findings(visit: ReviewVisit) -> tuple[int, int]:
    findings = evidence = 0
    for username, area, rating, text, with_pdf in FINDINGS:
        author = User.objects.filter(username=username).first()
        if author is None or not TeamMember.objects.filter(visit=visit, user=author).exists():
            continue
        if Finding.objects.filter(visit=visit, area=area, author=author).exists():
            continue
        files = []
        if with_pdf:
            files.append(
                SimpleUploadedFile(
                    EVIDENCE_NAME,
                    demo_pdf("Diamond Hub export register, March-May 2026 (extract)"),
                    content_type="application/pdf",
                )
            )
            evidence += 1
        finding_create(actor=author, visit=visit, area=area, rating=rating, text=text, files=files)
        findings += 1
    return findings, evidence


def _draft_report(visit: ReviewVisit) -> int:
    """Version 1, assembled from the findings as the lead's form proposes it (in English)."""
    if visit.report_versions.exists() or not visit.findings.exists():
        return 0
    lead = TeamMember.objects.filter(visit=visit, role=TeamMember.Role.LEAD).first()
    if lead is None:
        return 0
    with translation.override("en"):
        text = report_text_from_findings(visit)
    # Written directly: the demo visit is already at draft_report, which the lead's first
    # draft would have set.
    version = ReportVersion(visit=visit, created_by=lead.user)
    save_with_audit(
        instance=version,
        actor=lead.user,
        values={
            "number": 1,
            "kind": ReportVersion.Kind.DRAFT,
            "text": text,
            "note": "First draft, assembled from the team's findings.",
        },
    )
    return 1


def _first_round_final(bwa: Participant) -> int:
    """The 2008 first-round visit (published) gets its final report if it has none."""
    visit = (
        ReviewVisit.objects.filter(participant=bwa, round=1, status=ReviewVisit.Status.PUBLISHED)
        .order_by("invited_on")
        .first()
    )
    if visit is None or visit.report_versions.exists():
        return 0
    lead = TeamMember.objects.filter(visit=visit, role=TeamMember.Role.LEAD).first()
    author = lead.user if lead else User.objects.filter(username="secretariat").first()
    if author is None:
        return 0
    version = ReportVersion(visit=visit, created_by=author)
    save_with_audit(
        instance=version,
        actor=author,
        values={
            "number": 1,
            "kind": ReportVersion.Kind.FINAL,
            "text": (
                "Review visit to Botswana, first round (2008): final report.\n\n"
                "Botswana's system of internal controls meets the minimum requirements of the "
                "KPCS Core Document. The team recommends that statistics be reconciled with "
                "export certificates every quarter and that small-dealer licences be kept in "
                "one register."
            ),
            "note": "Final report as adopted by the Working Group on Monitoring.",
        },
    )
    return 1


@transaction.atomic
def load() -> dict[str, int]:
    bwa = Participant.objects.filter(code="BWA").first()
    if bwa is None:
        return {"findings": 0, "evidence files": 0, "report versions": 0}
    visit = round_two_visit()
    findings, evidence = _findings(visit)
    versions = _draft_report(visit) + _first_round_final(bwa)
    return {"findings": findings, "evidence files": evidence, "report versions": versions}
