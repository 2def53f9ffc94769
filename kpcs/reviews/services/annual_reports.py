"""Writes for annual reports: the participant's draft (pre-filled from last year, "no change"
per section, enforcement figures, the uploaded document), its submission, the working group's
assessment recorded by the secretariat, returning a report for correction, and the deadline
reminders.

Rules (docs/reviews.md, annual reports):
- only the participant's own authority writes its report, and only while it is a draft; the
  secretariat reads it, assesses it or returns it for correction;
- a report covers a past year, from 2003 (the scheme's start) to the last complete year;
- submission needs every section except "changes since last year" written and the number of
  infringement cases and seizures given (0 when there were none); the document is optional;
- "no change" copies last year's submitted text of a section and marks it; a marked section
  whose text no longer equals last year's loses the mark;
- every write is checked whole before anything is stored (the file too) and audited.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from kpcs.accounts.models import Role, User
from kpcs.accounts.permissions import is_secretariat
from kpcs.common.audit import record_create, record_update, snapshot
from kpcs.common.uploads import REPORT_KINDS, CheckedUpload, check_document
from kpcs.participants.models import Participant
from kpcs.participants.selectors import participants_in_good_standing_on
from kpcs.reviews.models import AnnualReport, AnnualReportReminder
from kpcs.reviews.selectors import annual_reports as ar

logger = logging.getLogger(__name__)

Section = AnnualReport.Section
Status = AnnualReport.Status

MAX_SECTION_CHARS = 50_000
MAX_COUNT = 1_000_000
# World production of rough diamonds is about 120 million carats a year: more seized than
# that is a typing error.
MAX_SEIZED_CARATS = Decimal("200000000")
TEXT_FIELDS: tuple[str, ...] = (*ar.SECTIONS, "penalties")
COUNT_FIELDS: tuple[str, ...] = ("enforcement_cases", "seizures")
WRITABLE_FIELDS: frozenset[str] = frozenset((*TEXT_FIELDS, *COUNT_FIELDS, "seized_carats"))
OVERDUE = "overdue"


class AnnualReportWorkflowError(Exception):
    """The report's status does not allow the step (changing a submitted report, assessing a
    draft, starting a year twice). Pages show the message; the API answers 409."""


def _label(field: str) -> str:
    return str(ar.field_label(field))


def _max_upload_bytes() -> int:
    return int(settings.REVIEW_UPLOAD_MAX_MB) * 1024 * 1024


# --- Checks -----------------------------------------------------------------------------------


def check_year(year: Any, *, today: dt.date | None = None) -> int:
    """The year as a number, or a ValidationError naming `year`."""
    last = ar.last_complete_year(today)
    try:
        value = int(year)
    except (TypeError, ValueError):
        value = None
    if value is None or not ar.is_reportable_year(value, today):
        raise ValidationError(
            {
                "year": _(
                    "An annual report covers a past year, from %(first)s (the scheme's start) "
                    "to %(last)s; “%(year)s” is not one."
                )
                % {"first": ar.FIRST_YEAR, "last": last, "year": str(year)[:10]}
            }
        )
    return value


def _clean_text(field: str, value: Any, errors: dict[str, list[str]]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.setdefault(field, []).append(
            _("%(field)s must be text.") % {"field": _label(field).capitalize()}
        )
        return ""
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > MAX_SECTION_CHARS:
        errors.setdefault(field, []).append(
            _("%(field)s is %(length)s characters long; at most %(max)s are accepted.")
            % {"field": _label(field).capitalize(), "length": len(text), "max": MAX_SECTION_CHARS}
        )
    return text


def _clean_count(field: str, value: Any, errors: dict[str, list[str]]) -> int | None:
    if value is None or value == "":
        return None
    number: int | None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    else:
        number = None
    label = _label(field).capitalize()
    if number is None:
        errors.setdefault(field, []).append(
            _("%(field)s must be a whole number (0 if there were none).") % {"field": label}
        )
    elif number < 0:
        errors.setdefault(field, []).append(
            _("%(field)s cannot be negative (%(value)s); give 0 if there were none.")
            % {"field": label, "value": number}
        )
    elif number > MAX_COUNT:
        errors.setdefault(field, []).append(
            _("%(field)s: %(value)s is not plausible; at most %(max)s are accepted.")
            % {"field": label, "value": number, "max": MAX_COUNT}
        )
    else:
        return number
    return None


def _clean_carats(value: Any, errors: dict[str, list[str]]) -> Decimal | None:
    field = "seized_carats"
    if value is None or value == "":
        return None
    label = _label(field).capitalize()
    try:
        carats = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        carats = None
    if isinstance(value, bool) or carats is None or not carats.is_finite():
        errors.setdefault(field, []).append(
            _("%(field)s must be a number of carats, e.g. 1250.50.") % {"field": label}
        )
        return None
    if carats < 0:
        errors.setdefault(field, []).append(
            _("%(field)s cannot be negative (%(value)s); give 0 if nothing was seized.")
            % {"field": label, "value": carats}
        )
    elif carats > MAX_SEIZED_CARATS:
        errors.setdefault(field, []).append(
            _("%(field)s: %(value)s carats is not plausible (more than a year's world production).")
            % {"field": label, "value": carats}
        )
    elif carats != carats.quantize(Decimal("0.01")):
        errors.setdefault(field, []).append(
            _("%(field)s has at most two decimals (%(value)s).") % {"field": label, "value": carats}
        )
    else:
        return carats
    return None


def clean_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The report's fields from a form or the API, normalised; a ValidationError naming every
    field at fault. Only the fields given are returned (a partial update changes those)."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(values) - WRITABLE_FIELDS)
    if unknown:
        errors["non_field_errors"] = [
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)}
        ]
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        if field in TEXT_FIELDS:
            cleaned[field] = _clean_text(field, value, errors)
        elif field in COUNT_FIELDS:
            cleaned[field] = _clean_count(field, value, errors)
        elif field == "seized_carats":
            cleaned[field] = _clean_carats(value, errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_figures(report: AnnualReport) -> None:
    """Figures that contradict each other (after the update is applied)."""
    if report.seized_carats and report.seizures == 0:
        raise ValidationError(
            {
                "seized_carats": _(
                    "%(carats)s carats seized, but no seizure is recorded: give the number of "
                    "seizures, or 0 carats."
                )
                % {"carats": report.seized_carats}
            }
        )


def _check_document(document: Any) -> CheckedUpload:
    try:
        return check_document(document, kinds=REPORT_KINDS, max_bytes=_max_upload_bytes())
    except ValidationError as exc:
        raise ValidationError({"document": exc.messages}) from exc


def check_writer(actor: Any, participant: Participant | None) -> None:
    """PermissionDenied unless the actor is the participant's own authority."""
    if is_secretariat(actor):
        raise PermissionDenied(
            _(
                "The secretariat reads and assesses annual reports; only the participant's own "
                "authority writes its report."
            )
        )
    if participant is None or not (
        getattr(actor, "is_authority", False) and actor.participant_id == participant.pk
    ):
        raise PermissionDenied(_("Only the participant's own authority writes its annual report."))


def _check_draft(report: AnnualReport) -> None:
    if report.status != Status.DRAFT:
        raise AnnualReportWorkflowError(
            _(
                "The report of %(participant)s on %(year)s is %(status)s: it can no longer be "
                "changed (the secretariat may return a submitted report for correction)."
            )
            % {
                "participant": report.participant.code,
                "year": report.year,
                "status": report.get_status_display(),
            }
        )


def missing_for_submission(report: AnnualReport) -> dict[str, str]:
    """What stands in the way of submitting, by field (empty when complete)."""
    missing: dict[str, str] = {}
    for section in ar.REQUIRED_SECTIONS:
        if not getattr(report, section).strip():
            missing[section] = _(
                "“%(section)s” is empty: write it (or, if nothing changed, use “no change” to "
                "carry last year's text over) before submitting."
            ) % {"section": Section(section).label}
    for field in COUNT_FIELDS:
        if getattr(report, field) is None:
            missing[field] = _(
                "Give the number of %(field)s (0 if there were none) before submitting."
            ) % {"field": _label(field)}
    return missing


# --- The participant's draft ------------------------------------------------------------------


def _apply_unchanged(
    report: AnnualReport, *, previous: AnnualReport | None, unchanged: Iterable[str] | None
) -> None:
    """Copy last year's text into each section declared unchanged and mark it; keep a mark
    only while the section's text equals last year's."""
    marks = set(report.unchanged_sections)
    if unchanged is not None:
        declared = list(dict.fromkeys(unchanged))
        errors: list[str] = []
        for section in declared:
            if section not in ar.CARRIED_SECTIONS:
                errors.append(
                    _("“%(section)s” is not a section that can be carried over from last year.")
                    % {"section": str(section)[:40]}
                )
            elif previous is None or not getattr(previous, section).strip():
                errors.append(
                    _(
                        "“%(section)s” cannot be marked “no change”: there is no submitted "
                        "report on %(year)s with that section to carry over."
                    )
                    % {"section": Section(section).label, "year": report.year - 1}
                )
        if errors:
            raise ValidationError({"unchanged_sections": errors})
        for section in declared:
            setattr(report, section, getattr(previous, section))
        marks = set(declared)
    report.unchanged_sections = [
        s
        for s in ar.CARRIED_SECTIONS
        if s in marks and previous is not None and getattr(report, s) == getattr(previous, s)
    ]


def _storage_name(checked: CheckedUpload) -> str:
    """The name to store the file under: the checked name, short enough for the column
    (FileField's 100 characters, folder included); the full name is kept apart."""
    stem, _dot, extension = checked.name.rpartition(".")
    return f"{stem[:60]}.{extension}" if stem else checked.name[:60]


def _mark_submitted(report: AnnualReport, *, actor: Any) -> None:
    missing = missing_for_submission(report)
    if missing:
        raise ValidationError({field: [message] for field, message in missing.items()})
    report.status = Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor


def annual_report_save(
    *,
    actor: Any,
    participant: Participant,
    year: int,
    values: Mapping[str, Any] | None = None,
    unchanged: Iterable[str] | None = None,
    document: Any = None,
    submit: bool = False,
    today: dt.date | None = None,
) -> AnnualReport:
    """Start (pre-filled from last year's submitted report) or update the participant's
    draft on `year`; with `submit`, submit it in the same step. `values` holds the fields to
    change; `unchanged`, when given, is the full list of sections declared "no change" (their
    text is copied from last year, whatever `values` says). A document is checked by its
    content and size before anything is stored. Everything is stored, or nothing (a file
    written before a refusal is deleted again)."""
    check_writer(actor, participant)
    errors: dict[str, list[str]] = {}
    try:
        year = check_year(year, today=today)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    cleaned: dict[str, Any] = {}
    try:
        cleaned = clean_values(values or {})
    except ValidationError as exc:
        errors.update(exc.message_dict)
    checked = None
    if document is not None:
        try:
            checked = _check_document(document)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    written: str | None = None
    replaced: str | None = None
    try:
        with transaction.atomic():
            report = (
                AnnualReport.objects.select_for_update()
                .filter(participant=participant, year=year)
                .first()
            )
            previous = ar.previous_report(participant=participant, year=year)
            before: dict[str, Any] | None = None
            if report is None:
                report = AnnualReport(participant=participant, year=year, status=Status.DRAFT)
                # A new report starts from last year's submitted text (not its figures, which
                # are the year's own, nor "changes since last year").
                for section in ar.CARRIED_SECTIONS:
                    if previous is not None and section not in cleaned:
                        setattr(report, section, getattr(previous, section))
            else:
                _check_draft(report)
                before = snapshot(report)
            for field, value in cleaned.items():
                setattr(report, field, value)
            _apply_unchanged(report, previous=previous, unchanged=unchanged)
            _check_figures(report)
            if submit:
                _mark_submitted(report, actor=actor)
            report.full_clean(exclude=["document"])
            if checked is not None:
                replaced = report.document.name or None
                document.seek(0)
                # Stored under MEDIA_ROOT, which is never served: downloads go through a
                # view that checks who may see the report.
                report.document.save(_storage_name(checked), document, save=False)
                written = report.document.name
                report.document_name = checked.name
                report.document_content_type = checked.content_type
            try:
                with transaction.atomic():
                    report.save()
            except IntegrityError as exc:  # started twice at the same moment
                raise AnnualReportWorkflowError(
                    _("%(participant)s already has a report on %(year)s.")
                    % {"participant": participant.code, "year": year}
                ) from exc
            reason = "submitted" if submit else ""
            if before is None:
                record_create(actor=actor, instance=report, reason=reason)
            else:
                record_update(actor=actor, instance=report, before=before, reason=reason)
    except BaseException:
        if written:
            _delete_file(written)
        raise
    if replaced and replaced != written:
        _delete_file(replaced)
    return report


def _delete_file(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:  # already gone, or the storage is down: nothing more to do here
        logger.warning("could not delete the annual report file %s", name)


def annual_report_create(
    *,
    actor: Any,
    participant: Participant,
    year: Any,
    values: Mapping[str, Any] | None = None,
    unchanged: Iterable[str] | None = None,
    today: dt.date | None = None,
) -> AnnualReport:
    """Start the participant's report on `year` (refused when it exists already)."""
    check_writer(actor, participant)
    checked_year = check_year(year, today=today)
    if AnnualReport.objects.filter(participant=participant, year=checked_year).exists():
        raise AnnualReportWorkflowError(
            _("%(participant)s already has a report on %(year)s: change that one.")
            % {"participant": participant.code, "year": checked_year}
        )
    return annual_report_save(
        actor=actor,
        participant=participant,
        year=checked_year,
        values=values,
        unchanged=unchanged,
        today=today,
    )


def annual_report_update(
    *,
    actor: Any,
    report: AnnualReport,
    values: Mapping[str, Any] | None = None,
    unchanged: Iterable[str] | None = None,
    document: Any = None,
) -> AnnualReport:
    """Change a draft (refused once submitted)."""
    check_writer(actor, report.participant)
    _check_draft(report)
    return annual_report_save(
        actor=actor,
        participant=report.participant,
        year=report.year,
        values=values,
        unchanged=unchanged,
        document=document,
    )


@transaction.atomic
def annual_report_submit(*, actor: Any, report: AnnualReport) -> AnnualReport:
    """The participant submits its draft: every section except "changes" written and the
    counts given, else a ValidationError naming each missing one."""
    check_writer(actor, report.participant)
    report = (
        AnnualReport.objects.select_for_update().select_related("participant").get(pk=report.pk)
    )
    _check_draft(report)
    before = snapshot(report)
    _mark_submitted(report, actor=actor)
    report.save()
    record_update(actor=actor, instance=report, before=before, reason="submitted")
    return report


# --- The secretariat --------------------------------------------------------------------------


def _check_secretariat(actor: Any, what: str) -> None:
    if not is_secretariat(actor):
        raise PermissionDenied(what)


def _require_text(field: str, value: Any, message: str) -> str:
    text = value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError({field: message})
    if len(text) > MAX_SECTION_CHARS:
        raise ValidationError(
            {
                field: _("%(field)s is %(length)s characters long; at most %(max)s are accepted.")
                % {
                    "field": _label(field).capitalize(),
                    "length": len(text),
                    "max": MAX_SECTION_CHARS,
                }
            }
        )
    return text


@transaction.atomic
def annual_report_assess(
    *, actor: Any, report: AnnualReport, assessment: str, feedback: str = ""
) -> AnnualReport:
    """The secretariat records the working group's assessment of a submitted report (or
    corrects it on an assessed one), with feedback to the participant."""
    _check_secretariat(actor, _("Only the secretariat records the working group's assessment."))
    assessment = _require_text("assessment", assessment, _("Write the working group's assessment."))
    feedback = feedback.replace("\r\n", "\n").strip() if isinstance(feedback, str) else ""
    if len(feedback) > MAX_SECTION_CHARS:
        raise ValidationError(
            {
                "feedback": _("The feedback is too long (at most %(max)s characters).")
                % {"max": MAX_SECTION_CHARS}
            }
        )
    report = (
        AnnualReport.objects.select_for_update().select_related("participant").get(pk=report.pk)
    )
    if report.status not in ar.SUBMITTED_STATUSES:
        raise AnnualReportWorkflowError(
            _(
                "Only a submitted report can be assessed: the report of %(participant)s on "
                "%(year)s is a draft."
            )
            % {"participant": report.participant.code, "year": report.year}
        )
    before = snapshot(report)
    report.status = Status.ASSESSED
    report.assessment = assessment
    report.feedback = feedback
    report.assessed_at = timezone.now()
    report.assessed_by = actor
    report.save()
    record_update(actor=actor, instance=report, before=before, reason="assessed")
    return report


@transaction.atomic
def annual_report_return(*, actor: Any, report: AnnualReport, feedback: str) -> AnnualReport:
    """The secretariat returns a submitted report to the participant for correction: it is
    a draft again (the submission is cleared), with the feedback saying what to correct."""
    _check_secretariat(actor, _("Only the secretariat returns a report for correction."))
    feedback = _require_text("feedback", feedback, _("Say what the participant should correct."))
    report = (
        AnnualReport.objects.select_for_update().select_related("participant").get(pk=report.pk)
    )
    if report.status != Status.SUBMITTED:
        raise AnnualReportWorkflowError(
            _(
                "Only a submitted report can be returned for correction: the report of "
                "%(participant)s on %(year)s is %(status)s."
            )
            % {
                "participant": report.participant.code,
                "year": report.year,
                "status": report.get_status_display(),
            }
        )
    before = snapshot(report)
    report.status = Status.DRAFT
    report.submitted_at = None
    report.submitted_by = None
    report.feedback = feedback
    report.save()
    record_update(
        actor=actor, instance=report, before=before, reason=f"returned for correction: {feedback}"
    )
    return report


# --- Reminders --------------------------------------------------------------------------------


def _reminder_kind(*, today: dt.date, due: dt.date) -> str | None:
    """The reminder due today: the nearest "N days before" window reached, or overdue."""
    if today > due:
        return OVERDUE
    days_left = (due - today).days
    reached = [d for d in settings.ANNUAL_REPORT_REMINDER_DAYS if days_left <= d]
    return f"before_{min(reached)}" if reached else None


def _render_mail(template: str, user: User, context: dict[str, Any]) -> EmailMessage:
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            **context,
            "due_text": formats.date_format(context["due"], "DATE_FORMAT"),
            "url": reverse("annual_reports:list"),
        }
        subject = render_to_string(f"reviews/email/{template}_subject.txt", context)
        body = render_to_string(f"reviews/email/{template}.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )


def annual_report_reminders_send(today: dt.date | None = None) -> int:
    """E-mail each participant's authority users whose report on last year is not submitted:
    at each of ANNUAL_REPORT_REMINDER_DAYS days before 31 March, and once after it (with a
    copy to the secretariat). Only participants in good standing that should report. Each
    reminder is sent once (recorded only when every e-mail of it went out, so a failed one is
    tried again the next day). Returns the number of e-mails sent."""
    today = ar.today_or(today)
    year = today.year - 1
    due = ar.due_date(year)
    kind = _reminder_kind(today=today, due=due)
    if kind is None:
        return 0
    pending = (
        ar.annual_report_overview(year=year, today=today)
        .filter(report_status__in=[ar.NOT_STARTED, Status.DRAFT])
        .filter(pk__in=participants_in_good_standing_on(date=today).values("pk"))
        .exclude(
            pk__in=AnnualReportReminder.objects.filter(year=year, kind=kind).values(
                "participant_id"
            )
        )
    )
    secretariat = list(User.objects.filter(role=Role.SECRETARIAT, is_active=True).exclude(email=""))
    sent = 0
    for participant in pending:
        authorities = list(
            User.objects.filter(role=Role.AUTHORITY, is_active=True, participant=participant)
            .exclude(email="")
            .order_by("pk")
        )
        if not authorities:
            continue
        context = {
            "participant": participant,
            "year": year,
            "due": due,
            "days_left": (due - today).days,
            "days_late": (today - due).days,
            "overdue": kind == OVERDUE,
            "status": getattr(participant, "report_status", ar.NOT_STARTED),
        }
        mails = [_render_mail("annual_report_reminder", u, context) for u in authorities]
        if kind == OVERDUE:
            mails += [_render_mail("annual_report_overdue_copy", u, context) for u in secretariat]
        try:
            for mail in mails:
                mail.send()
                sent += 1
        except Exception:  # a mail server down must not stop the run; tried again tomorrow
            logger.exception(
                "could not send the %s annual report reminder to %s", kind, participant.code
            )
            continue
        AnnualReportReminder.objects.get_or_create(participant=participant, year=year, kind=kind)
    return sent
