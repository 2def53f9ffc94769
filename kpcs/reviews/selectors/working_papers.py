"""Reads of a visit's working papers: findings with their evidence, report versions with the
reviewed participant's comments, and who may do what with them.

Every scoping decision goes through kpcs.reviews.selectors.access: a visit the user may not
see, or whose working papers the user may not see, is None here (404 in pages and API).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from kpcs.reviews.models import (
    EvidenceFile,
    Finding,
    ReportComment,
    ReportVersion,
    RequirementArea,
    ReviewVisit,
    TeamMember,
)
from kpcs.reviews.selectors.access import (
    can_see_working_papers,
    is_reviewed_participant,
    is_team_lead,
    is_team_member,
    visit_visible_to,
)

# While (and after) the visit takes place, until the final report is issued.
FINDING_STATUSES = (
    ReviewVisit.Status.SCHEDULED,
    ReviewVisit.Status.VISIT_DONE,
    ReviewVisit.Status.DRAFT_REPORT,
    ReviewVisit.Status.COMMENTS_RECEIVED,
)
# The lead writes a draft version from these statuses (the first one moves the visit on).
DRAFT_STATUSES = (
    ReviewVisit.Status.VISIT_DONE,
    ReviewVisit.Status.DRAFT_REPORT,
    ReviewVisit.Status.COMMENTS_RECEIVED,
)
# The final version is issued after the participant commented, or (comments waived) from a
# draft.
FINAL_STATUSES = (ReviewVisit.Status.DRAFT_REPORT, ReviewVisit.Status.COMMENTS_RECEIVED)


# --- The visit ---------------------------------------------------------------------------------


def visit_for_papers(*, user: Any, visit_id: int) -> ReviewVisit | None:
    """The visit if the user may see it and its working papers (findings, evidence, drafts,
    comments); None otherwise, so that both cases look alike (404)."""
    visit = visit_visible_to(user, visit_id)
    if visit is None or not can_see_working_papers(user, visit):
        return None
    return visit


# --- Who may do what ---------------------------------------------------------------------------


def can_file_findings(user: Any, visit: ReviewVisit) -> bool:
    return is_team_member(user, visit) and visit.status in FINDING_STATUSES


def can_edit_finding(user: Any, finding: Finding) -> bool:
    """The author or the lead, while findings may be filed."""
    visit = finding.visit
    if visit.status not in FINDING_STATUSES or not is_team_member(user, visit):
        return False
    return finding.author_id == user.pk or is_team_lead(user, visit)


def report_kinds_open(visit: ReviewVisit) -> list[str]:
    """The kinds of version the lead may write now (none once the final report is out)."""
    kinds = []
    if visit.status in DRAFT_STATUSES:
        kinds.append(ReportVersion.Kind.DRAFT.value)
    if visit.status in FINAL_STATUSES:
        kinds.append(ReportVersion.Kind.FINAL.value)
    return kinds


def can_write_report(user: Any, visit: ReviewVisit) -> bool:
    return is_team_lead(user, visit) and bool(report_kinds_open(visit))


def current_draft(visit: ReviewVisit) -> ReportVersion | None:
    """The latest version if it is a draft (the one the participant comments on)."""
    latest = visit.report_versions.order_by("-number").first()
    if latest is None or latest.kind != ReportVersion.Kind.DRAFT:
        return None
    return latest


def can_comment(user: Any, version: ReportVersion) -> bool:
    """The reviewed participant comments on the current draft while the visit is at
    draft_report."""
    visit = version.visit
    if not is_reviewed_participant(user, visit):
        return False
    if visit.status != ReviewVisit.Status.DRAFT_REPORT:
        return False
    draft = current_draft(visit)
    return draft is not None and draft.pk == version.pk


def can_send_comments(user: Any, visit: ReviewVisit) -> bool:
    return is_reviewed_participant(user, visit) and visit.status == ReviewVisit.Status.DRAFT_REPORT


# --- Findings ----------------------------------------------------------------------------------


def findings_of(visit: ReviewVisit) -> QuerySet[Finding]:
    return (
        Finding.objects.filter(visit=visit)
        .select_related("author", "author__participant", "author__observer")
        .prefetch_related(Prefetch("evidence", queryset=EvidenceFile.objects.order_by("id")))
        .order_by("area", "id")
    )


@dataclass
class AreaFindings:
    area: str
    label: str
    findings: list[Finding] = field(default_factory=list)


def findings_by_area(visit: ReviewVisit) -> list[AreaFindings]:
    """The visit's findings grouped by requirement area, in the areas' order (areas without a
    finding left out). The labels are in the active language."""
    groups = {value: AreaFindings(value, str(label)) for value, label in RequirementArea.choices}
    for finding in findings_of(visit):
        groups[finding.area].findings.append(finding)
    return [group for group in groups.values() if group.findings]


def finding_get(*, visit: ReviewVisit, finding_id: int) -> Finding | None:
    return findings_of(visit).filter(pk=finding_id).first()


def evidence_get(*, user: Any, visit_id: int, evidence_id: int) -> EvidenceFile | None:
    """An evidence file of this visit (of a finding, or of a response to one of its
    recommendations) if the user may see the visit's working papers; None otherwise."""
    visit = visit_for_papers(user=user, visit_id=visit_id)
    if visit is None:
        return None
    return (
        EvidenceFile.objects.filter(pk=evidence_id)
        .filter(Q(finding__visit=visit) | Q(recommendation_update__recommendation__visit=visit))
        .first()
    )


def filed_by(member: TeamMember | None, user: Any) -> str:
    """Who filed a finding, with whom they represent on the team: "Ann Banda (ZAF)"."""
    name = user.get_full_name() or user.get_username()
    if member is None:
        return name
    side = member.participant or member.observer
    code = getattr(side, "code", "")
    return f"{name} ({code})" if code else name


def report_text_from_findings(visit: ReviewVisit) -> str:
    """A first text for the lead's draft: the findings by area (heading, rating, text, who
    filed it), headings in the active language. The lead edits it before saving."""
    team = {
        member.user_id: member
        for member in TeamMember.objects.filter(visit=visit).select_related(
            "participant", "observer"
        )
    }
    parts = []
    for group in findings_by_area(visit):
        parts.append(f"{group.label[:1].upper()}{group.label[1:]}\n{'=' * len(group.label)}")
        for finding in group.findings:
            parts.append(
                "\n".join(
                    [
                        _("Rating: %(rating)s") % {"rating": finding.get_rating_display()},
                        finding.text.strip(),
                        _("Filed by %(who)s")
                        % {"who": filed_by(team.get(finding.author_id), finding.author)},
                    ]
                )
            )
    return "\n\n".join(parts) + ("\n" if parts else "")


# --- Report versions ---------------------------------------------------------------------------


def report_versions_for(*, user: Any, visit: ReviewVisit) -> QuerySet[ReportVersion]:
    """Every version (drafts and final) for those who see the working papers; the final
    version(s) alone for the others who see the visit (the public on a published visit)."""
    versions = (
        ReportVersion.objects.filter(visit=visit)
        .select_related("created_by")
        .annotate(comment_count=Count("comments"))
        .order_by("number")
    )
    if not can_see_working_papers(user, visit):
        versions = versions.filter(kind=ReportVersion.Kind.FINAL)
    return versions


def report_version_get(*, user: Any, visit: ReviewVisit, number: int) -> ReportVersion | None:
    return report_versions_for(user=user, visit=visit).filter(number=number).first()


def comments_of(version: ReportVersion) -> QuerySet[ReportComment]:
    return ReportComment.objects.filter(version=version).select_related("author").order_by("id")


def previous_version(version: ReportVersion) -> ReportVersion | None:
    return (
        ReportVersion.objects.filter(visit_id=version.visit_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed", "context" or "hunk"
    text: str


def version_diff(old_text: str, new_text: str) -> list[DiffLine]:
    """The changes from one version's text to the next, line by line (unified diff, three
    lines of context). Plain text: the template escapes it."""
    lines = []
    diff = difflib.unified_diff(old_text.splitlines(), new_text.splitlines(), lineterm="", n=3)
    for line in diff:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            lines.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            lines.append(DiffLine("added", line[1:]))
        elif line.startswith("-"):
            lines.append(DiffLine("removed", line[1:]))
        else:
            lines.append(DiffLine("context", line[1:]))
    return lines


# --- For the visit's own page -------------------------------------------------------------------


def papers_summary(*, user: Any, visit: ReviewVisit) -> dict[str, Any]:
    """What the visit's page shows of its working papers (template
    reviews/visits/_papers_panel.html, as `papers`): counts, the current version and the
    actions open to the user. Those without the working papers get the final report only."""
    working_papers = can_see_working_papers(user, visit)
    versions = list(report_versions_for(user=user, visit=visit))
    summary: dict[str, Any] = {
        "working_papers": working_papers,
        "current_version": versions[-1] if versions else None,
        "version_count": len(versions),
    }
    if working_papers:
        ratings = Finding.objects.filter(visit=visit).aggregate(
            total=Count("id"),
            met=Count("id", filter=Q(rating=Finding.Rating.MET)),
            partly_met=Count("id", filter=Q(rating=Finding.Rating.PARTLY_MET)),
            not_met=Count("id", filter=Q(rating=Finding.Rating.NOT_MET)),
        )
        summary.update(
            finding_count=ratings["total"],
            ratings=ratings,
            can_file=can_file_findings(user, visit),
            can_write=can_write_report(user, visit),
            can_send=can_send_comments(user, visit),
            current_draft=current_draft(visit),
        )
    return summary
