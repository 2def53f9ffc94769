"""Demo recommendations for `load_demo_data`: five recommendations of Botswana's second-round
review visit across the requirement areas and priorities, in every stage of their follow-up:
one answered with a response and its evidence, one assessed "partly implemented", one due
within the reminder window, one overdue, one open with time to spare. Due dates are counted
from the day the demo is loaded, so the reminders and the overdue highlighting show.

Written through the services (numbered, audited, checked) by the team's lead (or the
secretariat), the Botswana authority and the secretariat. Safe to re-run: a recommendation
whose text is already on the visit is left as it is.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from kpcs.accounts.models import User
from kpcs.participants.models import Participant
from kpcs.reviews.demo_visits import demo_pdf, round_two_visit
from kpcs.reviews.models import (
    Recommendation,
    RecommendationUpdate,
    RequirementArea,
    ReviewVisit,
    TeamMember,
)
from kpcs.reviews.services.recommendations import (
    recommendation_assess,
    recommendation_create,
    recommendation_respond,
)

Priority = Recommendation.Priority
OWNER = "Ministry of Minerals and Energy, Diamond Hub"

# (area, priority, days from today to the due date, owner, text, what happens next)
RECOMMENDATIONS = [
    (
        RequirementArea.INTERNAL_CONTROLS,
        Priority.HIGH,
        120,
        OWNER,
        "Keep the licences of small diamond dealers in one central register, reconciled every "
        "month with the district offices' records.",
        "response",
    ),
    (
        RequirementArea.STATISTICS,
        Priority.MEDIUM,
        200,
        "Department of Mines, statistics unit",
        "Explain every revision of quarterly trade and production statistics in a note sent "
        "with the revised figures.",
        "partly",
    ),
    (
        RequirementArea.ENFORCEMENT,
        Priority.HIGH,
        14,
        "Directorate of Public Prosecutions",
        "Prosecute the infringements found in the two reported seizures and apply the penalties "
        "the law provides.",
        "",
    ),
    (
        RequirementArea.LEGISLATION,
        Priority.LOW,
        -20,
        OWNER,
        "Publish the implementing regulations of the Diamond Cutting Act on the ministry's "
        "website.",
        "",
    ),
    (
        RequirementArea.IMPORT_EXPORT,
        Priority.MEDIUM,
        365,
        "Botswana Unified Revenue Service, customs",
        "Train the customs officers at Sir Seretse Khama airport in checking KP certificates "
        "against the specimens every year.",
        "",
    ),
]

RESPONSE = (
    "A central register of dealer licences went live in October; the district offices now "
    "enter every licence in it. The first monthly reconciliation is attached."
)
PARTLY_RESPONSE = (
    "Revisions of the 2025 figures are now explained in the submission's note; earlier "
    "revisions will be explained in the next annual report."
)
PARTLY_ASSESSMENT = (
    "Revisions are now explained for new submissions. The revisions of 2025 remain "
    "unexplained: partly implemented."
)


def _writer(visit: ReviewVisit) -> User | None:
    lead = (
        TeamMember.objects.filter(visit=visit, role=TeamMember.Role.LEAD)
        .select_related("user")
        .first()
    )
    return lead.user if lead else User.objects.filter(username="secretariat").first()


@transaction.atomic
def load() -> dict[str, int]:
    created = {"recommendations": 0, "recommendation responses": 0, "recommendation assessments": 0}
    bwa = Participant.objects.filter(code="BWA").first()
    if bwa is None:
        return created
    visit = round_two_visit()
    writer = _writer(visit)
    authority = User.objects.filter(username="bwa-authority", participant=bwa).first()
    secretariat = User.objects.filter(username="secretariat").first()
    if writer is None:
        return created
    today = timezone.localdate()
    for area, priority, days, owner, text, next_step in RECOMMENDATIONS:
        if Recommendation.objects.filter(visit=visit, text=text).exists():
            continue
        due_on = today + dt.timedelta(days=days)
        if visit.invited_on is not None:
            due_on = max(due_on, visit.invited_on)
        recommendation = recommendation_create(
            actor=writer,
            visit=visit,
            area=area,
            text=text,
            priority=priority,
            due_on=due_on,
            owner=owner,
        )
        created["recommendations"] += 1
        if not next_step or authority is None:
            continue
        if next_step == "response":
            evidence = SimpleUploadedFile(
                "dealer-licence-register-reconciliation.pdf",
                demo_pdf("Dealer licence register: monthly reconciliation (October)"),
                content_type="application/pdf",
            )
            recommendation_respond(
                actor=authority, recommendation=recommendation, text=RESPONSE, files=[evidence]
            )
            created["recommendation responses"] += 1
        elif next_step == "partly" and secretariat is not None:
            recommendation_respond(
                actor=authority, recommendation=recommendation, text=PARTLY_RESPONSE
            )
            recommendation_assess(
                actor=secretariat,
                recommendation=recommendation,
                assessment=RecommendationUpdate.Assessment.PARTLY_IMPLEMENTED,
                text=PARTLY_ASSESSMENT,
            )
            created["recommendation responses"] += 1
            created["recommendation assessments"] += 1
    return created
