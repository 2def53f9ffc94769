"""Writes to a visit's working papers: findings with evidence files, report versions, the
reviewed participant's comments; and the status moves they make (draft_report,
comments_received, final_report), audited in the same transaction as the write.

Callers (pages, API) resolve the visit through kpcs.reviews.selectors.working_papers first
(404 for what the user may not see); these services then decide what the user may do
(PermissionDenied) and refuse bad input with a ValidationError whose keys name the fields.
Uploaded files are checked (type by content, size) before anything is written; a write that
fails after a file was stored removes the file again, so a refusal leaves no trace.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kpcs.common.audit import record_create, record_update, save_with_audit, snapshot
from kpcs.common.uploads import EVIDENCE_KINDS, CheckedUpload, check_document
from kpcs.reviews.models import (
    EvidenceFile,
    Finding,
    ReportComment,
    ReportVersion,
    RequirementArea,
    ReviewVisit,
)
from kpcs.reviews.selectors.access import is_reviewed_participant, is_team_lead, is_team_member
from kpcs.reviews.selectors.working_papers import (
    DRAFT_STATUSES,
    FINAL_STATUSES,
    FINDING_STATUSES,
    current_draft,
)

MAX_FILES = 10
MAX_TEXT = 50_000

Errors = dict[str, list[str]]


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _status_label(visit: ReviewVisit) -> str:
    return str(visit.get_status_display())


def upload_max_bytes() -> int:
    return int(settings.REVIEW_UPLOAD_MAX_MB) * 1024 * 1024


# --- Checks -------------------------------------------------------------------------------------


def evidence_check(
    files: Sequence[UploadedFile], *, errors: Errors, field: str = "evidence"
) -> list[tuple[UploadedFile, CheckedUpload]]:
    """Check every file (type by content, size); each refusal names its file under `field`."""
    if len(files) > MAX_FILES:
        _add(
            errors,
            field,
            _("Send at most %(count)s files at a time.") % {"count": MAX_FILES},
        )
        return []
    checked = []
    for upload in files:
        try:
            checked.append(
                (upload, check_document(upload, kinds=EVIDENCE_KINDS, max_bytes=upload_max_bytes()))
            )
        except ValidationError as exc:
            for message in exc.messages:
                _add(errors, field, message)
    return checked


def _check_area(value: str, errors: Errors, *, field: str = "area", required: bool = True) -> None:
    if not value:
        if required:
            _add(errors, field, _("Choose the requirement area (area) the finding is about."))
        return
    if value not in RequirementArea.values:
        _add(
            errors,
            field,
            _("“%(value)s” is not a requirement area: use one of %(choices)s.")
            % {"value": str(value)[:40], "choices": ", ".join(RequirementArea.values)},
        )


def _check_rating(value: str, errors: Errors) -> None:
    if not value:
        _add(errors, "rating", _("Choose a rating (met, partly met or not met)."))
    elif value not in Finding.Rating.values:
        _add(
            errors,
            "rating",
            _("“%(value)s” is not a rating: use met, partly_met or not_met.")
            % {"value": str(value)[:40]},
        )


def _check_text(value: str, errors: Errors, *, field: str, empty: str) -> None:
    if not value.strip():
        _add(errors, field, empty)
    elif len(value) > MAX_TEXT:
        _add(
            errors,
            field,
            _("%(field)s is %(length)s characters long; at most %(max)s are kept.")
            % {"field": field, "length": len(value), "max": MAX_TEXT},
        )


# --- Files ----------------------------------------------------------------------------------------


def _delete_stored(names: list[str]) -> None:
    storage = EvidenceFile._meta.get_field("file").storage  # type: ignore[attr-defined]
    for name in names:
        storage.delete(name)


def _store_evidence(
    *,
    actor: Any,
    finding: Finding,
    files: list[tuple[UploadedFile, CheckedUpload]],
    stored: list[str],
) -> list[EvidenceFile]:
    """Write each (already checked) file and its row; `stored` collects the storage names so
    that the caller can remove them if the transaction fails."""
    evidence = []
    for upload, checked in files:
        item = EvidenceFile(
            finding=finding,
            name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            uploaded_by=actor,
        )
        upload.seek(0)
        item.file.save(checked.name, upload, save=False)
        stored.append(str(item.file.name))
        item.save()
        record_create(actor=actor, instance=item)
        evidence.append(item)
    return evidence


def _locked(visit: ReviewVisit) -> ReviewVisit:
    """The visit's row, locked until the transaction ends (two writers see one status)."""
    return ReviewVisit.objects.select_for_update().get(pk=visit.pk)


def _move(*, actor: Any, visit: ReviewVisit, to: str, reason: str) -> None:
    """Set the (locked) visit's status, audited."""
    if visit.status == to:
        return
    before = snapshot(visit)
    visit.status = to
    visit.save(update_fields=["status", "updated_at"])
    record_update(actor=actor, instance=visit, before=before, reason=reason)


# --- Findings -----------------------------------------------------------------------------------


def _findings_open(visit: ReviewVisit) -> None:
    if visit.status not in FINDING_STATUSES:
        raise ValidationError(
            {
                "status": [
                    _(
                        "Findings are filed while the visit is scheduled and after it until "
                        "the final report is issued; this visit is at “%(status)s”."
                    )
                    % {"status": _status_label(visit)}
                ]
            }
        )


def finding_create(
    *,
    actor: Any,
    visit: ReviewVisit,
    area: str,
    rating: str,
    text: str,
    files: Sequence[UploadedFile] = (),
) -> Finding:
    """A team member files a finding in one requirement area with its rating, text and
    evidence files. Everything is checked first; nothing is stored unless all is right."""
    if not is_team_member(actor, visit):
        raise PermissionDenied(_("Only the members of this visit's team file findings."))
    _findings_open(visit)
    errors: Errors = {}
    _check_area(area, errors)
    _check_rating(rating, errors)
    _check_text(text or "", errors, field="text", empty=_("Write the finding (text)."))
    checked = evidence_check(files, errors=errors)
    if errors:
        raise ValidationError(errors)
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = _locked(visit)
            _findings_open(locked)
            finding = Finding(visit=locked, author=actor)
            save_with_audit(
                instance=finding,
                actor=actor,
                values={"area": area, "rating": rating, "text": text.strip()},
            )
            _store_evidence(actor=actor, finding=finding, files=checked, stored=stored)
    except BaseException:
        _delete_stored(stored)
        raise
    return finding


def finding_update(
    *,
    actor: Any,
    finding: Finding,
    area: str | None = None,
    rating: str | None = None,
    text: str | None = None,
    files: Sequence[UploadedFile] = (),
) -> Finding:
    """The author or the lead changes a finding (None leaves a value as it is) and adds
    evidence files, while findings may be filed. Every change is audited."""
    visit = finding.visit
    if not is_team_member(actor, visit) or not (
        finding.author_id == actor.pk or is_team_lead(actor, visit)
    ):
        raise PermissionDenied(_("Only the finding's author or the team's lead changes it."))
    _findings_open(visit)
    errors: Errors = {}
    values: dict[str, Any] = {}
    if area is not None:
        _check_area(area, errors)
        values["area"] = area
    if rating is not None:
        _check_rating(rating, errors)
        values["rating"] = rating
    if text is not None:
        _check_text(text, errors, field="text", empty=_("Write the finding (text)."))
        values["text"] = text.strip()
    checked = evidence_check(files, errors=errors)
    if errors:
        raise ValidationError(errors)
    stored: list[str] = []
    try:
        with transaction.atomic():
            _findings_open(_locked(visit))
            finding = Finding.objects.select_for_update().get(pk=finding.pk)
            if values:
                save_with_audit(instance=finding, actor=actor, values=values)
            _store_evidence(actor=actor, finding=finding, files=checked, stored=stored)
    except BaseException:
        _delete_stored(stored)
        raise
    return finding


# --- Report versions ------------------------------------------------------------------------------


CLOSED_STATUSES = (
    ReviewVisit.Status.FINAL_REPORT,
    ReviewVisit.Status.ADOPTED,
    ReviewVisit.Status.PUBLISHED,
    ReviewVisit.Status.RESTRICTED,
)


def _refuse_kind(visit: ReviewVisit, kind: str) -> str | None:
    """Why a version of this kind cannot be written now, or None."""
    status = _status_label(visit)
    if visit.status in CLOSED_STATUSES:
        return _(
            "The final report is issued: no new version can be written (this visit is at "
            "“%(status)s”)."
        ) % {"status": status}
    if kind == ReportVersion.Kind.DRAFT and visit.status not in DRAFT_STATUSES:
        return _("A draft is written once the visit is done; this visit is at “%(status)s”.") % {
            "status": status
        }
    if kind == ReportVersion.Kind.FINAL and visit.status not in FINAL_STATUSES:
        return _(
            "The final report is issued after a draft (once the participant commented, or "
            "when its comments are waived); this visit is at “%(status)s”."
        ) % {"status": status}
    return None


def report_version_create(
    *, actor: Any, visit: ReviewVisit, text: str, kind: str = "draft", note: str = ""
) -> ReportVersion:
    """The lead writes a new version of the report: a draft (the first one moves the visit
    to draft_report, as does a new draft after comments) or the final report (the visit moves
    to final_report; no version follows it). Earlier versions are never changed."""
    if not is_team_lead(actor, visit):
        raise PermissionDenied(_("Only the lead of the team writes the report."))
    errors: Errors = {}
    if kind not in ReportVersion.Kind.values:
        _add(
            errors,
            "kind",
            _("“%(value)s” is not a kind of version: use draft or final.")
            % {"value": str(kind)[:40]},
        )
    _check_text(text or "", errors, field="text", empty=_("Write the report's text (text)."))
    if len(note or "") > 500:
        _add(errors, "note", _("Say what changed in at most 500 characters (note)."))
    if not errors:
        refusal = _refuse_kind(visit, kind)
        if refusal:
            _add(errors, "kind", refusal)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(visit)
        refusal = _refuse_kind(locked, kind)
        if refusal:
            raise ValidationError({"kind": [refusal]})
        last = locked.report_versions.aggregate(last=Max("number"))["last"] or 0
        version = ReportVersion(visit=locked, created_by=actor)
        save_with_audit(
            instance=version,
            actor=actor,
            values={"number": last + 1, "kind": kind, "text": text.strip(), "note": note or ""},
        )
        if kind == ReportVersion.Kind.FINAL:
            _move(
                actor=actor,
                visit=locked,
                to=ReviewVisit.Status.FINAL_REPORT,
                reason=f"final report, version {version.number}",
            )
        else:
            _move(
                actor=actor,
                visit=locked,
                to=ReviewVisit.Status.DRAFT_REPORT,
                reason=f"draft report, version {version.number}",
            )
    visit.status = locked.status
    return version


# --- The reviewed participant's comments ------------------------------------------------------


def _comments_open(visit: ReviewVisit) -> None:
    if visit.status != ReviewVisit.Status.DRAFT_REPORT:
        raise ValidationError(
            {
                "status": [
                    _(
                        "Comments are written while a draft report awaits them; this visit is "
                        "at “%(status)s”."
                    )
                    % {"status": _status_label(visit)}
                ]
            }
        )


def report_comment_add(
    *, actor: Any, version: ReportVersion, text: str, area: str = ""
) -> ReportComment:
    """The reviewed participant's authority comments on the current draft (optionally on one
    requirement area)."""
    visit = version.visit
    if not is_reviewed_participant(actor, visit):
        raise PermissionDenied(
            _("Only the reviewed participant's authority comments on the draft report.")
        )
    _comments_open(visit)
    errors: Errors = {}
    _check_area(area or "", errors, required=False)
    _check_text(text or "", errors, field="text", empty=_("Write your comment (text)."))
    draft = current_draft(visit)
    if draft is None or draft.pk != version.pk:
        _add(
            errors,
            "version",
            _("Comment on the current draft (version %(number)s), not on version %(this)s.")
            % {"number": draft.number if draft else "—", "this": version.number},
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(visit)
        _comments_open(locked)
        comment = ReportComment(version=version, author=actor)
        save_with_audit(
            instance=comment, actor=actor, values={"text": text.strip(), "area": area or ""}
        )
    return comment


def report_comments_send(*, actor: Any, visit: ReviewVisit) -> ReviewVisit:
    """The reviewed participant sends its comments on the current draft: the visit moves
    from draft_report to comments_received (audited)."""
    if not is_reviewed_participant(actor, visit):
        raise PermissionDenied(
            _("Only the reviewed participant's authority sends comments on the draft report.")
        )
    _comments_open(visit)
    with transaction.atomic():
        locked = _locked(visit)
        _comments_open(locked)
        draft = current_draft(locked)
        if draft is None or not draft.comments.exists():
            raise ValidationError(
                {"comments": [_("Write at least one comment on the current draft before sending.")]}
            )
        _move(
            actor=actor,
            visit=locked,
            to=ReviewVisit.Status.COMMENTS_RECEIVED,
            reason=f"comments on draft version {draft.number} sent",
        )
    visit.status = locked.status
    return locked
