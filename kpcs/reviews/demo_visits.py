"""Demo review visits: Botswana's second-round review visit of June 2026 with its full team
(ZAF leads; CAN and IND for other participants; WDC for the industry; the civil society
coalition), at draft report; Botswana's first-round visit of 2008, adopted and published; and
a 2007 review mission to Ghana, adopted and kept restricted. Two experts on the roster.

Safe to re-run: a visit is found again by participant, kind, round and invitation date, a
team place by visit and person, a nomination by person; nothing existing is changed. The demo
findings and report versions are loaded by kpcs.reviews.demo_papers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from kpcs.common.audit import record_create
from kpcs.participants.models import Observer, Participant, WorkingBody
from kpcs.reviews.models import ExpertNomination, RequirementArea, ReviewVisit, TeamMember
from kpcs.reviews.selectors.access import WGM_CODE
from kpcs.reviews.terms_of_reference import standard_terms_of_reference

Kind = ReviewVisit.Kind
Status = ReviewVisit.Status
Role = TeamMember.Role
Represents = TeamMember.Represents

# participant, kind, round, invited, planned/actual start and end, status, adopted, published
DEMO_VISITS: list[dict[str, Any]] = [
    {
        "participant": "BWA",
        "kind": Kind.REVIEW_VISIT,
        "round": 2,
        "invited_on": dt.date(2026, 2, 10),
        "dates": (dt.date(2026, 6, 8), dt.date(2026, 6, 12)),
        "status": Status.DRAFT_REPORT,
        "adopted_on": None,
        "published_on": None,
        "team": [
            ("zaf-lead", Role.LEAD, Represents.PARTICIPANT, "ZAF"),
            ("reviewer", Role.MEMBER, Represents.PARTICIPANT, "CAN"),
            ("ind-reviewer", Role.MEMBER, Represents.PARTICIPANT, "IND"),
            ("wdc-reviewer", Role.MEMBER, Represents.INDUSTRY, "WDC"),
            ("csc-reviewer", Role.MEMBER, Represents.CIVIL_SOCIETY, "CSC"),
        ],
    },
    {
        # The first round: Botswana invited a visit, held in March 2008.
        "participant": "BWA",
        "kind": Kind.REVIEW_VISIT,
        "round": 1,
        "invited_on": dt.date(2007, 11, 5),
        "dates": (dt.date(2008, 3, 10), dt.date(2008, 3, 14)),
        "status": Status.PUBLISHED,
        "adopted_on": dt.date(2008, 6, 19),
        "published_on": dt.date(2008, 7, 10),
        "team": [],
    },
    {
        # A review mission after credible indications of significant non-compliance (the
        # 2007 Chair's programme: react quickly with review missions and action plans).
        "participant": "GHA",
        "kind": Kind.REVIEW_MISSION,
        "round": 1,
        "invited_on": dt.date(2007, 1, 22),
        "dates": (dt.date(2007, 2, 26), dt.date(2007, 3, 2)),
        "status": Status.RESTRICTED,
        "adopted_on": dt.date(2007, 6, 20),
        "published_on": None,
        "team": [],
    },
]

# person, nominated by (participant or observer code), areas, expertise
DEMO_ROSTER = [
    (
        "reviewer",
        "CAN",
        [RequirementArea.STATISTICS, RequirementArea.CERTIFICATES],
        "Diamond statistics and the certificate database.",
    ),
    (
        "wdc-reviewer",
        "WDC",
        [RequirementArea.INTERNAL_CONTROLS],
        "Chain of custody in the trade; system of warranties.",
    ),
]


def _visit(spec: dict[str, Any], wgm: WorkingBody | None) -> tuple[ReviewVisit, bool]:
    participant = Participant.objects.get(code=spec["participant"])
    start, end = spec["dates"]
    with translation.override("en"):
        terms = standard_terms_of_reference(spec["kind"])
    return ReviewVisit.objects.get_or_create(
        participant=participant,
        kind=spec["kind"],
        round=spec["round"],
        invited_on=spec["invited_on"],
        defaults={
            "planned_start": start,
            "planned_end": end,
            "actual_start": start,
            "actual_end": end,
            "terms_of_reference": terms,
            "status": spec["status"],
            "adopted_on": spec["adopted_on"],
            "adopted_by": wgm if spec["adopted_on"] else None,
            "published_on": spec["published_on"],
        },
    )


DEMO_REASON = "demo data"


@transaction.atomic
def load() -> dict[str, int]:
    User = get_user_model()
    created = {"review visits": 0, "review team places": 0, "roster experts": 0}
    wgm = WorkingBody.objects.filter(code=WGM_CODE).first()
    for spec in DEMO_VISITS:
        visit, made = _visit(spec, wgm)
        if made:
            record_create(actor=None, instance=visit, reason=DEMO_REASON)
        created["review visits"] += int(made)
        for username, role, represents, code in spec["team"]:
            user = User.objects.get(username=username)
            by_observer = represents in (Represents.INDUSTRY, Represents.CIVIL_SOCIETY)
            member, made = TeamMember.objects.get_or_create(
                visit=visit,
                user=user,
                defaults={
                    "role": role,
                    "represents": represents,
                    "participant": None if by_observer else Participant.objects.get(code=code),
                    "observer": Observer.objects.get(code=code) if by_observer else None,
                },
            )
            if made:
                record_create(actor=None, instance=member, reason=DEMO_REASON)
            created["review team places"] += int(made)
    for username, code, areas, expertise in DEMO_ROSTER:
        user = User.objects.get(username=username)
        if ExpertNomination.objects.filter(user=user).exists():
            continue
        nomination = ExpertNomination.objects.create(
            user=user,
            nominated_by_participant=Participant.objects.filter(code=code).first(),
            nominated_by_observer=Observer.objects.filter(code=code).first(),
            areas=list(areas),
            expertise=expertise,
            nominated_on=dt.date(2025, 11, 14),
        )
        record_create(actor=None, instance=nomination, reason=DEMO_REASON)
        created["roster experts"] += 1
    return created


def round_two_visit() -> ReviewVisit:
    """Botswana's second-round visit, which the demo's findings, report and recommendations
    belong to (the demo visits are loaded first when they are not there yet)."""
    load()
    return ReviewVisit.objects.get(participant__code="BWA", kind=Kind.REVIEW_VISIT, round=2)


def demo_pdf(title: str) -> bytes:
    """A small, valid one-page PDF that says what it is (no library needed)."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)
