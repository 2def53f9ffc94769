"""Writes of the recommendations' follow-up: the lead or the secretariat writes them, the
reviewed participant responds (with evidence), the secretariat assesses; daily reminders before
a recommendation falls due and once it is overdue.

Status of a recommendation: open → answered (a response) → implemented / partly implemented /
not implemented (an assessment). Partly and not implemented stay open: the participant responds
again (→ answered) and the secretariat assesses again. Implemented closes it.

Every write is audited in its transaction. Who may do what is decided by
kpcs.reviews.selectors.recommendations (PermissionDenied for the role, ValidationError for a
state that does not allow it, or for bad input, each naming the field).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kpcs.accounts.models import Role, User
from kpcs.common.audit import record_create, save_with_audit
from kpcs.common.uploads import EVIDENCE_KINDS, CheckedUpload, check_document
from kpcs.reviews.models import (
    EvidenceFile,
    Recommendation,
    RecommendationReminder,
    RecommendationUpdate,
    RequirementArea,
    ReviewVisit,
)
from kpcs.reviews.selectors.recommendations import (
    FOLLOW_UP_STATUSES,
    OPEN_STATUSES,
    Refusal,
    today_or,
    why_not_assess,
    why_not_create,
    why_not_edit,
    why_not_respond,
)

logger = logging.getLogger(__name__)

Status = Recommendation.Status
Assessment = RecommendationUpdate.Assessment
FIELDS = ("area", "text", "priority", "due_on", "owner")
MAX_EVIDENCE_FILES = 10
MAX_OWNER_LENGTH = 255


def _raise(refusal: Refusal | None) -> None:
    if refusal is None:
        return
    if refusal.forbidden:
        raise PermissionDenied(refusal.message)
    raise ValidationError(refusal.message, code="state")


def _check_due_on(visit: ReviewVisit, due_on: Any, field: str = "due_on") -> list[str]:
    if not isinstance(due_on, dt.date):
        return [_("Give the due date (YYYY-MM-DD).")]
    if visit.invited_on is not None and due_on < visit.invited_on:
        return [
            _(
                "The due date (%(due)s) is before the visit's invitation date (%(invited)s): "
                "give a date on or after the invitation."
            )
            % {"due": due_on.isoformat(), "invited": visit.invited_on.isoformat()}
        ]
    return []


def _cleaned(visit: ReviewVisit, values: Mapping[str, Any]) -> dict[str, Any]:
    """The recommendation's fields checked: a ValidationError names every bad field."""
    errors: dict[str, list[str]] = {}
    cleaned = dict(values)
    if values.get("area") not in RequirementArea.values:
        errors["area"] = [_("Choose the requirement area the recommendation is about.")]
    cleaned["text"] = str(values.get("text") or "").strip()
    if not cleaned["text"]:
        errors["text"] = [_("Write the recommendation.")]
    if values.get("priority") not in Recommendation.Priority.values:
        errors["priority"] = [_("Choose the priority: high, medium or low.")]
    if due_errors := _check_due_on(visit, values.get("due_on")):
        errors["due_on"] = due_errors
    cleaned["owner"] = str(values.get("owner") or "").strip()
    if not cleaned["owner"]:
        errors["owner"] = [_("Name the owner: the body at the participant that is to act on it.")]
    elif len(cleaned["owner"]) > MAX_OWNER_LENGTH:
        errors["owner"] = [
            _("The owner may be at most %(max)s characters.") % {"max": MAX_OWNER_LENGTH}
        ]
    if errors:
        raise ValidationError(errors)
    return {name: cleaned[name] for name in FIELDS}


@transaction.atomic
def recommendation_create(
    *,
    actor: Any,
    visit: ReviewVisit,
    area: str,
    text: str,
    due_on: dt.date | None,
    owner: str,
    priority: str = Recommendation.Priority.MEDIUM,
) -> Recommendation:
    """A new recommendation of the visit's report, numbered next (1, 2, …) for the visit."""
    # The visit's row is locked so that two recommendations written at once get two numbers.
    visit = ReviewVisit.objects.select_for_update().select_related("participant").get(pk=visit.pk)
    _raise(why_not_create(actor, visit))
    values = _cleaned(
        visit,
        {"area": area, "text": text, "priority": priority, "due_on": due_on, "owner": owner},
    )
    last = Recommendation.objects.filter(visit=visit).aggregate(n=Max("number"))["n"] or 0
    return save_with_audit(
        instance=Recommendation(visit=visit), actor=actor, values={**values, "number": last + 1}
    )


@transaction.atomic
def recommendation_edit(
    *, actor: Any, recommendation: Recommendation, changes: Mapping[str, Any]
) -> Recommendation:
    """Change a recommendation while nobody has responded to or assessed it. `changes` holds
    any of area, text, priority, due_on, owner."""
    recommendation = _locked(recommendation)
    _raise(why_not_edit(actor, recommendation))
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in unknown})
    current = {name: getattr(recommendation, name) for name in FIELDS}
    values = _cleaned(recommendation.visit, {**current, **changes})
    return save_with_audit(instance=recommendation, actor=actor, values=values)


def _locked(recommendation: Recommendation) -> Recommendation:
    return (
        Recommendation.objects.select_for_update(of=("self",))
        .select_related("visit__participant")
        .get(pk=recommendation.pk)
    )


# --- Responses and assessments ---------------------------------------------------------------


def check_evidence(files: Sequence[Any]) -> list[CheckedUpload]:
    """Every file checked (type by content, size) before anything is stored; a
    ValidationError under `evidence` names each bad file."""
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError(
            {
                "evidence": [
                    _("Send at most %(max)s files with one response.") % {"max": MAX_EVIDENCE_FILES}
                ]
            }
        )
    max_bytes = settings.REVIEW_UPLOAD_MAX_MB * 1024 * 1024
    checked: list[CheckedUpload] = []
    errors: list[str] = []
    for upload in files:
        try:
            checked.append(check_document(upload, kinds=EVIDENCE_KINDS, max_bytes=max_bytes))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"evidence": errors})
    return checked


def _text_or_error(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [message]})
    return text


def recommendation_respond(
    *, actor: Any, recommendation: Recommendation, text: str, files: Sequence[Any] = ()
) -> RecommendationUpdate:
    """The reviewed participant's response, with evidence files: the recommendation becomes
    answered (awaiting the secretariat's assessment). A bad file refuses the whole response:
    no response, no evidence row and no file are left behind."""
    _raise(why_not_respond(actor, recommendation))
    text = _text_or_error(text, _("Write your response: what was done, and what remains."))
    checked = check_evidence(files)
    stored: list[EvidenceFile] = []
    try:
        with transaction.atomic():
            recommendation = _locked(recommendation)
            _raise(why_not_respond(actor, recommendation))
            update = save_with_audit(
                instance=RecommendationUpdate(
                    recommendation=recommendation,
                    kind=RecommendationUpdate.Kind.RESPONSE,
                    author=actor,
                ),
                actor=actor,
                values={"text": text},
            )
            for upload, check in zip(files, checked, strict=True):
                evidence = EvidenceFile(
                    recommendation_update=update,
                    name=check.name,
                    content_type=check.content_type,
                    size=check.size,
                    uploaded_by=actor,
                )
                upload.seek(0)
                evidence.file.save(check.name, upload, save=False)
                stored.append(evidence)
                evidence.save()
                record_create(actor=actor, instance=evidence)
            save_with_audit(
                instance=recommendation, actor=actor, values={"status": Status.ANSWERED}
            )
    except BaseException:
        # The rows are rolled back; the files written so far must go too.
        for evidence in stored:
            if evidence.file.name:
                evidence.file.storage.delete(evidence.file.name)
        raise
    return update


@transaction.atomic
def recommendation_assess(
    *,
    actor: Any,
    recommendation: Recommendation,
    assessment: str,
    text: str,
    due_on: dt.date | None = None,
) -> RecommendationUpdate:
    """The secretariat's assessment: implemented (closes the follow-up), partly or not
    implemented (the participant responds again). A new due date may come with partly or not
    implemented; it is reminded again."""
    recommendation = _locked(recommendation)
    _raise(why_not_assess(actor, recommendation))
    errors: dict[str, list[str]] = {}
    if assessment not in Assessment.values:
        errors["assessment"] = [
            _("Choose the assessment: implemented, partly implemented or not implemented.")
        ]
    if not (text or "").strip():
        errors["text"] = [_("Write the assessment: why it is (or is not) implemented.")]
    if due_on is not None:
        if assessment == Assessment.IMPLEMENTED:
            errors["due_on"] = [
                _("An implemented recommendation is closed: leave the new due date empty.")
            ]
        elif due_errors := _check_due_on(recommendation.visit, due_on):
            errors["due_on"] = due_errors
    if errors:
        raise ValidationError(errors)
    update = save_with_audit(
        instance=RecommendationUpdate(
            recommendation=recommendation,
            kind=RecommendationUpdate.Kind.ASSESSMENT,
            author=actor,
        ),
        actor=actor,
        values={"text": text.strip(), "assessment": assessment},
    )
    values: dict[str, Any] = {"status": assessment}
    if due_on is not None:
        values["due_on"] = due_on
    save_with_audit(instance=recommendation, actor=actor, values=values)
    return update


# --- Reminders -------------------------------------------------------------------------------


class _MailFailed(Exception):
    pass


def _language_of(user: User) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return user.preferred_language if user.preferred_language in codes else settings.LANGUAGE_CODE


class _Recipients:
    """The reviewed participant's authorities and the secretariat, those with an address
    (each participant's looked up once per run)."""

    def __init__(self) -> None:
        people = User.objects.filter(is_active=True).exclude(email="").order_by("id")
        self._people = people
        self._secretariat = list(people.filter(role=Role.SECRETARIAT))
        self._authorities: dict[int, list[User]] = {}

    def of(self, recommendation: Recommendation) -> list[User]:
        participant_id = recommendation.visit.participant_id
        if participant_id not in self._authorities:
            self._authorities[participant_id] = list(
                self._people.filter(role=Role.AUTHORITY, participant_id=participant_id)
            )
        return self._authorities[participant_id] + self._secretariat


def _reminder_message(
    recommendation: Recommendation, kind: str, user: User, today: dt.date
) -> mail.EmailMessage:
    with translation.override(_language_of(user)):
        context = {
            "recommendation": recommendation,
            "participant": recommendation.visit.participant,
            "visit": recommendation.visit,
            "overdue": kind == RecommendationReminder.Kind.OVERDUE,
            "days": abs((recommendation.due_on - today).days),
            "user": user,
            "path": reverse(
                "recommendations:detail",
                kwargs={"visit_id": recommendation.visit_id, "number": recommendation.number},
            ),
        }
        subject = render_to_string("reviews/email/recommendation_reminder_subject.txt", context)
        body = render_to_string("reviews/email/recommendation_reminder.txt", context)
    return mail.EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )


def _due(today: dt.date) -> list[tuple[Recommendation, RecommendationReminder.Kind]]:
    """(recommendation, kind) still to remind: due within the window (due soon) or past due
    (overdue), not implemented, and not yet reminded of this kind for this due date."""
    window_end = today + dt.timedelta(days=settings.REVIEW_RECOMMENDATION_REMINDER_DAYS)
    base = Recommendation.objects.filter(
        status__in=OPEN_STATUSES, visit__status__in=FOLLOW_UP_STATUSES
    ).select_related("visit__participant")

    def not_reminded(kind: str) -> Exists:
        return Exists(
            RecommendationReminder.objects.filter(
                recommendation=OuterRef("pk"), kind=kind, due_on=OuterRef("due_on")
            )
        )

    Kind = RecommendationReminder.Kind
    soon = base.filter(due_on__gte=today, due_on__lte=window_end).exclude(
        not_reminded(Kind.DUE_SOON)
    )
    overdue = base.filter(due_on__lt=today).exclude(not_reminded(Kind.OVERDUE))
    order = ("due_on", "visit_id", "number")
    return [(r, Kind.OVERDUE) for r in overdue.order_by(*order)] + [
        (r, Kind.DUE_SOON) for r in soon.order_by(*order)
    ]


def recommendation_reminders_send(today: dt.date | None = None) -> int:
    """E-mail the reviewed participant's authorities and the secretariat once when a
    recommendation not yet implemented comes within REVIEW_RECOMMENDATION_REMINDER_DAYS of its
    due date, and once when it is overdue (again if its due date is moved). Each recipient
    reads it in their preferred language. Returns how many reminders were sent.

    A reminder is recorded in the same transaction that sends it: if the mail server fails, it
    is logged and not recorded, so the next run tries again; running twice sends nothing more.
    """
    today = today_or(today)
    sent = 0
    people = _Recipients()
    for recommendation, kind in _due(today):
        recipients = people.of(recommendation)
        if not recipients:
            continue
        try:
            with transaction.atomic():
                # The unique row is the lock: a second run at the same time finds it and skips.
                reminder, created = RecommendationReminder.objects.get_or_create(
                    recommendation=recommendation, kind=kind, due_on=recommendation.due_on
                )
                if not created:
                    continue
                record_create(actor=None, instance=reminder, reason="reminder e-mail")
                messages = [
                    _reminder_message(recommendation, kind, user, today) for user in recipients
                ]
                try:
                    with mail.get_connection() as connection:
                        connection.send_messages(messages)
                except Exception as exc:  # whatever the backend raises: SMTP, socket, TLS
                    raise _MailFailed from exc
        except _MailFailed:
            logger.exception(
                "could not send the %s reminder of recommendation %s; it will be tried again",
                kind,
                recommendation.pk,
            )
            continue
        sent += 1
    return sent
