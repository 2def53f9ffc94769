"""How to fill each URL pattern's arguments from the world, for each object variant.

A filler takes the world and a variant ("own", "other", "public") and returns the kwargs for
`reverse`. Patterns without arguments need no filler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.security.world import Side, World

Filler = Callable[[World, str], dict[str, Any]]


def side(make: Callable[[Side], dict[str, Any]]) -> Filler:
    """Arguments taken from the own or the other participant's objects."""
    return lambda world, variant: make(world.side(variant))


def plenary(make: Callable[[Any], dict[str, Any]], public: Callable[[World], Any]) -> Filler:
    """Plenary material: the public object, or the own/other working body's one."""

    def fill(world: World, variant: str) -> dict[str, Any]:
        if variant == "public":
            return make(public(world))
        return make(getattr(world.side(variant), _attr(public)))

    return fill


def _attr(public: Callable[[World], Any]) -> str:
    return str(getattr(public, "attr"))  # noqa: B009 - set by _public


def _public(attr: str, getter: Callable[[World], Any]) -> Callable[[World], Any]:
    getter.attr = attr  # type: ignore[attr-defined]
    return getter


PUBLIC_MEETING = _public("meeting", lambda w: w.public_meeting)
PUBLIC_DOCUMENT = _public("document", lambda w: w.public_document)
PUBLIC_PACK = _public("pack", lambda w: w.public_pack)

code = side(lambda s: {"code": s.participant.code})
submission = side(lambda s: {"submission_id": s.submission.pk})
submission_pk = side(lambda s: {"pk": s.submission.pk})
submission_finding = side(lambda s: {"submission_id": s.submission.pk, "finding_id": s.finding.pk})
question_pk = side(lambda s: {"pk": s.question.pk})
open_anomaly_pk = side(lambda s: {"pk": s.open_anomaly.pk})
upload = side(lambda s: {"upload_id": s.upload.pk})
specimen_image = side(lambda s: {"image_id": s.specimen_image.pk})
alert = side(lambda s: {"alert_id": s.alert.pk})
certificate_page = side(lambda s: {"issuing": s.participant.code, "number": s.certificate.number})
certificate_api = side(
    lambda s: {"issuing_code": s.participant.code, "number": s.certificate.number}
)
visit = side(lambda s: {"visit_id": s.visit.pk})
visit_finding = side(lambda s: {"visit_id": s.visit.pk, "finding_id": s.review_finding.pk})
visit_evidence_page = side(lambda s: {"visit_id": s.visit.pk, "evidence_id": s.evidence.pk})
visit_evidence_api = side(
    lambda s: {
        "visit_id": s.visit.pk,
        "finding_id": s.review_finding.pk,
        "evidence_id": s.evidence.pk,
    }
)
visit_report = side(lambda s: {"visit_id": s.visit.pk, "number": s.report.number})
visit_member = side(lambda s: {"visit_id": s.visit.pk, "member_id": s.team_member.pk})
visit_recommendation = side(lambda s: {"visit_id": s.visit.pk, "number": s.recommendation.number})
nomination = side(lambda s: {"nomination_id": s.nomination.pk})
annual_report_page = side(lambda s: {"code": s.participant.code, "year": s.annual_report.year})
annual_report_api = side(lambda s: {"report_id": s.annual_report.pk})
case = side(lambda s: {"case_id": s.case.pk})
case_action = side(lambda s: {"case_id": s.case.pk, "action_id": s.action.pk})
case_milestone = side(lambda s: {"case_id": s.case.pk, "milestone_id": s.milestone.pk})
milestone = side(lambda s: {"milestone_id": s.milestone.pk})
job_api = side(lambda s: {"job_id": s.job.pk})
job_page = side(lambda s: {"job_id": str(s.job.pk)})
status_event = side(lambda s: {"code": s.participant.code, "pk": s.status_event.pk})
authority_office = side(lambda s: {"code": s.participant.code, "pk": s.authority_office.pk})
authority_contacts = side(
    lambda s: {"code": s.participant.code, "authority_pk": s.authority_office.pk}
)
contact = side(
    lambda s: {
        "code": s.participant.code,
        "authority_pk": s.authority_office.pk,
        "pk": s.contact.pk,
    }
)
working_body = side(lambda s: {"code": s.working_body.code})
api_client = side(lambda s: {"pk": s.api_client.pk})
membership = side(lambda s: {"code": s.working_body.code, "pk": s.membership.pk})

meeting = plenary(lambda m: {"code": m.code}, PUBLIC_MEETING)
document_pk = plenary(lambda d: {"pk": d.pk}, PUBLIC_DOCUMENT)
document_symbol = plenary(lambda d: {"symbol": d.symbol}, PUBLIC_DOCUMENT)
document_pdf = plenary(lambda d: {"symbol": d.symbol, "language": "fr"}, PUBLIC_DOCUMENT)
document_language = plenary(lambda d: {"pk": d.pk, "language": "fr"}, PUBLIC_DOCUMENT)
pack = plenary(lambda p: {"pk": p.pk}, PUBLIC_PACK)
pack_file = plenary(lambda p: {"pk": p.pk, "language": "fr"}, PUBLIC_PACK)


def agenda_item(world: World, variant: str) -> dict[str, Any]:
    s = world.side(variant)
    return {"code": s.meeting.code, "item_id": s.agenda_item.pk}


def attendance(world: World, variant: str) -> dict[str, Any]:
    s = world.side(variant)
    return {"code": s.meeting.code, "attendance_id": s.attendance.pk}


def observer_code(world: World, variant: str) -> dict[str, Any]:
    return {"code": world.observer.code}


def chairmanship(world: World, variant: str) -> dict[str, Any]:
    return {"year": world.chairmanship_year}


def compendium_section(world: World, variant: str) -> dict[str, Any]:
    return {"section": "administrative-decisions"}


def compendium_document(world: World, variant: str) -> dict[str, Any]:
    return {"pk": world.public_document.pk}


def stock_year(world: World, variant: str) -> dict[str, Any]:
    return {"year": 2023}


def grid(world: World, variant: str) -> dict[str, Any]:
    return {"year": 2024, "dataset": "trade", "period": "Q1"}


def password_reset(world: World, variant: str) -> dict[str, Any]:
    return {"uidb64": "MQ", "token": "set-password"}
