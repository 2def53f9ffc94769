"""The standard terms of reference of a KP review visit. A new visit's form is prefilled with
them in the secretariat's language; the text is then the visit's own and may be edited."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kpcs.reviews.models import ReviewVisit

STANDARD_TERMS_OF_REFERENCE = _(
    "1. Purpose. The review team assesses how the participant implements the minimum "
    "requirements of the Kimberley Process Certification Scheme (Section IV of the KPCS "
    "document) and identifies good practices and areas where implementation can be "
    "strengthened.\n"
    "\n"
    "2. Scope. The team looks at each requirement area:\n"
    "- legislation and institutions: the laws and regulations that give effect to the KPCS, "
    "the designated KP authorities and their resources;\n"
    "- import and export controls: the issuing, checking and confirming of KP certificates, "
    "sealed containers, the handling of shipments at the border;\n"
    "- internal controls over mining and trading: licensing of miners, buyers and exporters, "
    "the chain of custody from mine to export, controls in production areas;\n"
    "- statistics: the collection of production and trade data and their timely submission;\n"
    "- certificates: the security features of the certificate and the records kept;\n"
    "- enforcement: the detection of and response to infringements, seizures and penalties.\n"
    "\n"
    "3. Programme. The participant arranges meetings with the KP authorities, the customs "
    "and police services, the mining and trading sector and civil society, and visits to "
    "mining areas, buying offices and the export office, as agreed with the team lead.\n"
    "\n"
    "4. Team. The team is led by a participant and includes representatives of other "
    "participants, of the industry and of civil society, and experts from the roster where "
    "needed. The participant reviewed bears its own costs; team members bear theirs unless "
    "agreed otherwise.\n"
    "\n"
    "5. Report. The team lead prepares a draft report from the team's findings within "
    "six weeks of the visit. The participant reviewed comments on the draft; the final report, "
    "with its recommendations, is submitted to the Working Group on Monitoring for adoption.\n"
    "\n"
    "6. Confidentiality. Findings, drafts and comments are restricted to the team, the "
    "participant reviewed, the secretariat and, once the report is adopted, the Working Group "
    "on Monitoring. The participant decides with the working group whether the final report is "
    "published."
)

MISSION_PREAMBLE = _(
    "This review mission is sent because of credible indications of significant "
    "non-compliance. The terms below apply, with the scope focused on the matters that led "
    "to the mission."
)

EXPERT_MISSION_PREAMBLE = _(
    "This expert mission assesses whether the applicant's system meets the minimum "
    "requirements of the KPCS before it is admitted. The terms below apply."
)


def standard_terms_of_reference(kind: str | None = None) -> str:
    """The standard terms in the active language, with a preamble for missions."""
    preambles: dict[str, Any] = {
        ReviewVisit.Kind.REVIEW_MISSION: MISSION_PREAMBLE,
        ReviewVisit.Kind.EXPERT_MISSION: EXPERT_MISSION_PREAMBLE,
    }
    preamble = preambles.get(kind or "")
    text = str(STANDARD_TERMS_OF_REFERENCE)
    if preamble is None:
        return text
    return f"{preamble}\n\n{text}"
