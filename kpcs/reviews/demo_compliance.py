"""Demo compliance cases, loaded through the services (so audited, and under their rules):

- Ghana (GHA), modelled on the crisis the 2007 Chair's programme describes: the Gaborone
  Plenary (November 2006) found credible indications that Ivorian conflict diamonds were
  entering the legal trade through Ghana (Côte d'Ivoire was under the UN diamond embargo of
  resolution 1643) and decided on a review mission and an action plan to strengthen Ghana's
  internal controls. The case holds the review mission (linked to the demo's 2007 review
  mission visit of Ghana when kpcs.reviews.demo_visits loaded it), the action plan with four
  milestones (three completed, one overdue) and the Plenary's decision. It stays open.
- The Central African Republic (CAF), triggered by the UN's concern over the 2013 crisis: the
  temporary suspension of May 2013 as an interim measure, and the decisions behind it and
  behind the lifting of all restrictions in November 2024, each linked to the status event the
  reference data already holds (found, never duplicated). The case is closed.

Dates and wording are illustrative: the demo shows how a case is followed, it is not a record.
Safe to re-run: a case is found again by participant and title, an action by its case, kind
and title, a milestone by its action and text, a decision by its case, date and body; nothing
existing is changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import translation

from kpcs.participants.models import Participant
from kpcs.reviews.models import (
    ActionMilestone,
    ComplianceAction,
    ComplianceCase,
    ComplianceDecision,
    ReviewVisit,
)
from kpcs.reviews.services import compliance as services

Kind = ComplianceAction.Kind
Body = ComplianceDecision.Body

GHANA = {
    "participant": "GHA",
    "title": "Ivorian rough diamonds entering the legal trade through Ghana",
    "trigger": ComplianceCase.Trigger.UN_DECISION,
    "trigger_detail": (
        "UN Security Council resolution 1643 (2005) bars imports of rough diamonds from Côte "
        "d'Ivoire. In 2006 the UN Group of Experts on Côte d'Ivoire reported Ivorian diamonds "
        "entering the legal trade through Ghana; the Gaborone Plenary found credible "
        "indications of it."
    ),
    "opened_on": dt.date(2006, 11, 9),
    "actions": [
        {
            "kind": Kind.REVIEW_MISSION,
            "title": "Review mission to Ghana",
            "description": (
                "Decided by the Gaborone Plenary: investigate the indications and Ghana's "
                "internal controls over alluvial production and trading."
            ),
            "decided_on": dt.date(2006, 11, 9),
            "ends_on": dt.date(2007, 3, 2),
            "status": ComplianceAction.Status.COMPLETED,
            "mission": True,
            "milestones": [],
        },
        {
            "kind": Kind.ACTION_PLAN,
            "title": "Action plan to strengthen Ghana's internal controls",
            "description": (
                "Ghana's plan after the review mission: know who buys, where the diamonds are "
                "dug, and that exports match what was bought."
            ),
            "decided_on": dt.date(2007, 3, 30),
            "ends_on": None,
            "status": ComplianceAction.Status.IN_PROGRESS,
            "mission": False,
            # description, due date, completed on (None: not yet, and so overdue)
            "milestones": [
                (
                    "Register every licensed diamond buyer and buying agent, with the areas "
                    "they buy in.",
                    dt.date(2007, 4, 30),
                    dt.date(2007, 4, 25),
                ),
                (
                    "Map the alluvial mining areas (Akwatia and the Birim valley) and register "
                    "the diggers working them.",
                    dt.date(2007, 6, 30),
                    dt.date(2007, 8, 15),
                ),
                (
                    "Monthly purchase records from every buyer, reconciled with the exports of "
                    "the Precious Minerals Marketing Company.",
                    dt.date(2007, 9, 30),
                    dt.date(2007, 10, 31),
                ),
                (
                    "Trace every export parcel to the registered area it came from (footprint "
                    "analysis with the Working Group of Diamond Experts).",
                    dt.date(2007, 12, 31),
                    None,
                ),
            ],
        },
    ],
    "decisions": [
        {
            "decided_on": dt.date(2006, 11, 9),
            "body": Body.PLENARY,
            "reference": "Gaborone Plenary, final communiqué (November 2006)",
            "text": (
                "There are credible indications that conflict diamonds from Côte d'Ivoire may be "
                "entering the legal trade through Ghana. Ghana is to take immediate steps and "
                "implement an action plan to strengthen its internal controls; a review mission "
                "will visit Ghana in early 2007."
            ),
            "status_change": None,
        }
    ],
    "closed_on": None,
}

CENTRAL_AFRICAN_REPUBLIC = {
    "participant": "CAF",
    "title": "Crisis in the Central African Republic",
    "trigger": ComplianceCase.Trigger.UN_DECISION,
    "trigger_detail": (
        "After the seizure of power in Bangui in March 2013 the UN Security Council expressed "
        "grave concern at the situation in the Central African Republic: the KP could no longer "
        "be assured that rough diamonds exported from it were free of conflict."
    ),
    "opened_on": dt.date(2013, 5, 23),
    "actions": [
        {
            "kind": Kind.INTERIM_MEASURE,
            "title": "Temporary suspension of rough diamond exports and imports",
            "description": (
                "No KP certificate is issued for exports from the Central African Republic and "
                "participants accept none. Exports resumed from compliant zones only in July "
                "2015; all restrictions were lifted in November 2024."
            ),
            "decided_on": dt.date(2013, 5, 23),
            "ends_on": dt.date(2024, 11, 1),
            "status": ComplianceAction.Status.LIFTED,
            "mission": False,
            "milestones": [],
        },
    ],
    "decisions": [
        {
            "decided_on": dt.date(2013, 5, 23),
            "body": Body.WRITTEN_PROCEDURE,
            "reference": "Administrative decision on temporary suspension",
            "text": (
                "The Central African Republic is temporarily suspended: participants do not "
                "trade rough diamonds with it until the conditions for its resumption are met."
            ),
            # The reference data's event of that day (found and linked, not duplicated).
            "status_change": services.StatusChange(event="suspended"),
        },
        {
            "decided_on": dt.date(2024, 11, 1),
            "body": Body.PLENARY,
            "reference": "Dubai Plenary (November 2024)",
            "text": "All remaining restrictions on the Central African Republic are lifted.",
            "status_change": services.StatusChange(event="restrictions_lifted"),
        },
    ],
    "closed_on": dt.date(2024, 11, 1),
}

CASES = (GHANA, CENTRAL_AFRICAN_REPUBLIC)


def _mission_of(participant: Participant) -> ReviewVisit | None:
    return (
        ReviewVisit.objects.filter(participant=participant, kind=ReviewVisit.Kind.REVIEW_MISSION)
        .order_by("invited_on", "id")
        .first()
    )


def _load_case(spec: dict[str, Any], actor: Any, created: dict[str, int]) -> None:
    participant = Participant.objects.filter(code=spec["participant"]).first()
    if participant is None:  # the reference data is not loaded: nothing to attach a case to
        return
    case = ComplianceCase.objects.filter(participant=participant, title=spec["title"]).first()
    new_case = case is None
    if case is None:
        case = services.compliance_case_open(
            actor=actor,
            participant=participant,
            title=spec["title"],
            trigger=spec["trigger"],
            trigger_detail=spec["trigger_detail"],
            opened_on=spec["opened_on"],
        )
        created["compliance cases"] += 1
    if case.status != ComplianceCase.Status.OPEN:
        return
    for item in spec["actions"]:
        action = ComplianceAction.objects.filter(
            case=case, kind=item["kind"], title=item["title"]
        ).first()
        if action is None:
            action = services.compliance_action_add(
                actor=actor,
                case=case,
                kind=item["kind"],
                title=item["title"],
                description=item["description"],
                decided_on=item["decided_on"],
                ends_on=item["ends_on"],
                status=item["status"],
                review_visit=_mission_of(participant) if item["mission"] else None,
            )
            created["compliance actions"] += 1
        for description, due_on, completed_on in item["milestones"]:
            if ActionMilestone.objects.filter(action=action, description=description).exists():
                continue
            milestone = services.action_milestone_add(
                actor=actor, action=action, description=description, due_on=due_on
            )
            if completed_on is not None:
                services.action_milestone_complete(
                    actor=actor, milestone=milestone, completed_on=completed_on
                )
            created["milestones"] += 1
    for item in spec["decisions"]:
        if ComplianceDecision.objects.filter(
            case=case, decided_on=item["decided_on"], body=item["body"]
        ).exists():
            continue
        services.compliance_decision_record(
            actor=actor,
            case=case,
            decided_on=item["decided_on"],
            body=item["body"],
            reference=item["reference"],
            text=item["text"],
            status_change=item["status_change"],
        )
        created["compliance decisions"] += 1
    # Closed once, when first loaded: a case the secretariat reopened stays open.
    if new_case and spec["closed_on"] is not None:
        services.compliance_case_close(actor=actor, case=case, closed_on=spec["closed_on"])


def load() -> dict[str, int]:
    created = {
        "compliance cases": 0,
        "compliance actions": 0,
        "milestones": 0,
        "compliance decisions": 0,
    }
    actor = get_user_model().objects.filter(username="secretariat", role="secretariat").first()
    if actor is None:  # the demo accounts are loaded first; without them there is no author
        return created
    with translation.override("en"):
        for spec in CASES:
            _load_case(spec, actor, created)
    return created
