"""Document packs: the PDFs of a document, of a meeting's documents or of a report (statistics
annual summary, review visit report, participant list) in several languages, built by Celery
workers one language per task (kpcs.plenary.tasks.pack_file_build).

- `pack_request` fingerprints the content of every language (kpcs.plenary.rendering's
  `content_fingerprint`), gets or creates the pack keyed by (subject, key, fingerprint) and
  queues one task per language that still has to be built, after commit. The same content
  asked for twice is the same pack: ready files are never built again.
- `pack_file_build` (what the task runs) renders one language, stores the PDF under a name of
  its own and only then points the row at it; a failure is recorded on that language alone,
  retried by Celery, and failed for good after the last attempt.
- `pack_resume` queues again the languages that wait (the broker was down), failed, or were
  left running by a worker that died.

The web request only fingerprints and queues; rendering happens in the worker. Progress is on
each DocumentPackFile (one bar per language) and on the pack's BackgroundJob (overall).
Who may ask for a pack is decided by the caller (pages and API: the secretariat).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from celery.result import EagerResult
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from kombu.exceptions import OperationalError as BrokerOperationalError

from kpcs.common.audit import record_create, record_update, snapshot
from kpcs.common.jobs import fault_injection_pause, heartbeat
from kpcs.common.models import BackgroundJob
from kpcs.plenary.models import Document, DocumentPack, DocumentPackFile, Meeting

logger = logging.getLogger(__name__)

Subject = DocumentPack.Subject
FileStatus = DocumentPackFile.Status

JOB_KIND = "plenary.pack"
# A file left "running" this long was abandoned by a worker that died: resume queues it again.
STALE_RUNNING = dt.timedelta(minutes=30)
ERROR_LENGTH = 300
# What apply_async raises when the broker (Redis, the filesystem transport) cannot be reached.
BROKER_ERRORS: tuple[type[BaseException], ...] = (BrokerOperationalError, OSError)
REPORT_SUBJECTS = (Subject.STATISTICS_SUMMARY, Subject.REVIEW_REPORT, Subject.PARTICIPANT_LIST)


class PackBuildRetry(Exception):
    """One language failed and has attempts left: the task retries it (autoretry_for)."""


class PackContentChanged(Exception):
    """The content changed after the pack was asked for: its fingerprint no longer holds."""


# Failures that another attempt cannot mend: fail the language at once.
PERMANENT_ERRORS: tuple[type[BaseException], ...] = (
    ObjectDoesNotExist,
    ValidationError,
    PackContentChanged,
)


def _rendering() -> ModuleType:
    """kpcs.plenary.rendering, imported when first needed (tests swap it for a fake)."""
    from kpcs.plenary import rendering

    return rendering


# --- What a pack is of -----------------------------------------------------------------------


@dataclass(frozen=True)
class PackTarget:
    subject: str
    key: str
    document: Document | None = None
    meeting: Meeting | None = None


def pack_languages(languages: Iterable[str] | None = None) -> list[str]:
    """The languages asked for, checked against settings.LANGUAGES, in that order, each once;
    None: settings.KPCS_DOCUMENT_LANGUAGES (the languages documents are issued in)."""
    known = [code for code, _name in settings.LANGUAGES]
    if languages is None:
        languages = settings.KPCS_DOCUMENT_LANGUAGES
    wanted = {str(code).strip().lower() for code in languages if str(code).strip()}
    unknown = sorted(wanted - set(known))
    if unknown:
        raise ValidationError(
            {
                "languages": _("“%(codes)s” is not a language of the system: use %(known)s.")
                % {"codes": ", ".join(code[:12] for code in unknown[:5]), "known": ", ".join(known)}
            }
        )
    if not wanted:
        raise ValidationError({"languages": _("Choose at least one language.")})
    return [code for code in known if code in wanted]


def _statistics_key(key: str) -> str:
    from kpcs.statistics.models import Release

    year_text, _slash, number_text = key.strip().partition("/")
    message = _(
        "The key of a statistics summary is the year and the release number, e.g. 2025/1 "
        "(or the year alone for its latest release)."
    )
    # ASCII digits only: str.isdigit() also says yes to "³", which int() refuses.
    if not key.isascii() or not year_text.isdigit() or (number_text and not number_text.isdigit()):
        raise ValidationError({"key": message})
    releases = Release.objects.filter(year=int(year_text))
    if number_text:
        releases = releases.filter(number=int(number_text))
    release = releases.order_by("-number").first()
    if release is None:
        raise ValidationError(
            {"key": _("No statistics release %(key)s has been published.") % {"key": key[:20]}}
        )
    return f"{release.year}/{release.number}"


def _review_report_key(key: str) -> str:
    from kpcs.reviews.models import ReportVersion, ReviewVisit

    if not (key.isascii() and key.strip().isdigit()):
        raise ValidationError(
            {"key": _("The key of a review visit report is the visit's number, e.g. 12.")}
        )
    visit_id = int(key.strip())
    if not ReviewVisit.objects.filter(pk=visit_id).exists():
        raise ValidationError(
            {"key": _("There is no review visit number %(id)s.") % {"id": visit_id}}
        )
    if not ReportVersion.objects.filter(visit_id=visit_id, kind=ReportVersion.Kind.FINAL).exists():
        raise ValidationError(
            {
                "key": _(
                    "The review visit number %(id)s has no final report yet: only the final "
                    "report is issued as a PDF."
                )
                % {"id": visit_id}
            }
        )
    return str(visit_id)


def _participant_list_key(key: str) -> str:
    if not key:
        return ""  # the list as it stands today
    try:
        return dt.date.fromisoformat(key).isoformat()
    except ValueError:
        raise ValidationError(
            {
                "key": _(
                    "The participant list takes a date (YYYY-MM-DD) or nothing for today, "
                    "not “%(key)s”."
                )
                % {"key": key[:20]}
            }
        ) from None


def pack_target(
    *,
    subject: str,
    document: Document | None = None,
    meeting: Meeting | None = None,
    key: str = "",
) -> PackTarget:
    """Check what the pack is of and give its key in the stored form: the document's or
    meeting's id, the release's "year/number", the visit's id, "" for the participant list."""
    key = (key or "").strip()
    if subject == Subject.DOCUMENT:
        if document is None:
            raise ValidationError({"document": _("Name the document the pack is of.")})
        return PackTarget(subject=subject, key=str(document.pk), document=document)
    if subject == Subject.MEETING:
        if meeting is None:
            raise ValidationError({"meeting": _("Name the meeting the pack is of.")})
        return PackTarget(subject=subject, key=str(meeting.pk), meeting=meeting)
    if subject == Subject.STATISTICS_SUMMARY:
        return PackTarget(subject=subject, key=_statistics_key(key))
    if subject == Subject.REVIEW_REPORT:
        return PackTarget(subject=subject, key=_review_report_key(key))
    if subject == Subject.PARTICIPANT_LIST:
        return PackTarget(subject=subject, key=_participant_list_key(key))
    raise ValidationError(
        {
            "subject": _("“%(subject)s” is not something a pack is made of: use %(choices)s.")
            % {"subject": str(subject)[:30], "choices": ", ".join(Subject.values)}
        }
    )


def content_fingerprints(subject: str, key: str, languages: Iterable[str]) -> dict[str, str]:
    """The content fingerprint of each language (kpcs.plenary.rendering)."""
    rendering = _rendering()
    return {
        language: rendering.content_fingerprint(subject, key, language)
        for language in sorted(languages)
    }


def combined_fingerprint(subject: str, key: str, fingerprints: dict[str, str]) -> str:
    lines = [f"{subject}\n{key}"]
    lines += [f"{language}:{fingerprints[language]}" for language in sorted(fingerprints)]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def pack_fingerprint(subject: str, key: str, languages: Iterable[str]) -> str:
    """sha256 over the content fingerprint of every language: the same content in the same
    languages gives the same fingerprint, any change in any language another one."""
    return combined_fingerprint(subject, key, content_fingerprints(subject, key, languages))


def pack_is_current(pack: DocumentPack) -> bool:
    """Whether the pack's fingerprint still matches its subject's content."""
    try:
        return pack_fingerprint(pack.subject, pack.subject_key, pack.languages) == pack.fingerprint
    except Exception as exc:
        if _is_permanent(exc):  # the subject is gone
            return False
        raise


def pack_label(pack: DocumentPack, *, visits: dict[int, Any] | None = None) -> str:
    """What the pack is of, for people: the symbol, the meeting, the release, the visit."""
    return subject_label(
        pack.subject, pack.subject_key, document=pack.document, meeting=pack.meeting, visits=visits
    )


def pack_labels(packs: Iterable[DocumentPack]) -> dict[int, str]:
    """The labels of many packs, with the review visits read in one query."""
    from kpcs.reviews.models import ReviewVisit

    packs = list(packs)
    visit_ids = {
        int(pack.subject_key)
        for pack in packs
        if pack.subject == Subject.REVIEW_REPORT
        and pack.subject_key.isascii()
        and pack.subject_key.isdigit()
    }
    visits = ReviewVisit.objects.select_related("participant").in_bulk(visit_ids)
    return {pack.pk: pack_label(pack, visits=visits) for pack in packs}


def subject_label(
    subject: str,
    key: str,
    *,
    document: Document | None = None,
    meeting: Meeting | None = None,
    visits: dict[int, Any] | None = None,
) -> str:
    if subject == Subject.DOCUMENT and document is not None:
        return document.symbol
    if subject == Subject.MEETING and meeting is not None:
        return str(meeting)
    if subject == Subject.STATISTICS_SUMMARY:
        year, _slash, number = key.partition("/")
        return _("Statistics annual summary %(year)s, release %(number)s") % {
            "year": year,
            "number": number,
        }
    if subject == Subject.REVIEW_REPORT and key.isascii() and key.isdigit():
        if visits is None:
            from kpcs.reviews.models import ReviewVisit

            visits = ReviewVisit.objects.select_related("participant").in_bulk([int(key)])
        visit = visits.get(int(key))
        return _("Report of %(visit)s") % {"visit": visit if visit else key}
    if subject == Subject.PARTICIPANT_LIST:
        if key:
            return _("Participant list on %(date)s") % {"date": key}
        return _("Participant list")
    return f"{subject} {key}"


# --- Asking for a pack -----------------------------------------------------------------------


def pack_request(
    *,
    subject: str,
    document: Document | None = None,
    meeting: Meeting | None = None,
    key: str = "",
    languages: Iterable[str] | None = None,
    actor: Any,
) -> DocumentPack:
    """The pack of this content in these languages (default: settings.KPCS_DOCUMENT_LANGUAGES),
    created if new, with one task queued after commit for each language still to build.

    Idempotent: the same content asked for again gives the same pack; ready files are kept and
    nothing is queued for them; languages that failed are queued again; languages waiting
    because the broker could not be reached are queued again. A change in the content (any
    language) gives a new pack. Raises ValidationError naming the field for bad input."""
    target = pack_target(subject=subject, document=document, meeting=meeting, key=key)
    codes = pack_languages(languages)
    try:
        fingerprints = content_fingerprints(target.subject, target.key, codes)
    except Exception as exc:
        if not _is_permanent(exc):
            raise
        raise ValidationError(
            {
                "key": _("There is nothing to print under this key: %(error)s")
                % {"error": _short_error(exc)}
            }
        ) from exc
    return _pack_open(target=target, languages=codes, fingerprints=fingerprints, actor=actor)


@transaction.atomic
def _pack_open(
    *, target: PackTarget, languages: list[str], fingerprints: dict[str, str], actor: Any
) -> DocumentPack:
    user = actor if getattr(actor, "is_authenticated", False) else None
    fingerprint = combined_fingerprint(target.subject, target.key, fingerprints)
    # get_or_create settles the race of two requests for the same new pack: the loser's
    # INSERT hits the unique constraint (IntegrityError, in a savepoint) and it reads the
    # winner's row instead.
    pack, created = DocumentPack.objects.get_or_create(
        subject=target.subject,
        subject_key=target.key,
        fingerprint=fingerprint,
        defaults={
            "document": target.document,
            "meeting": target.meeting,
            "languages": languages,
            "created_by": user,
        },
    )
    # One request at a time decides what to queue for this pack: lock its row, then read
    # what another request may have set meanwhile (the document stays loaded: no refetch).
    list(DocumentPack.objects.select_for_update().filter(pk=pack.pk).values_list("pk"))
    pack.refresh_from_db(fields=["job", "languages"])
    if target.document is not None:
        pack.document = target.document
    if target.meeting is not None:
        pack.meeting = target.meeting
    if created:
        record_create(actor=actor, instance=pack)
    queue_unreachable = _queue_was_unreachable(pack)
    have = set(pack.files.values_list("language", flat=True))
    missing = [language for language in pack.languages if language not in have]
    DocumentPackFile.objects.bulk_create(
        [DocumentPackFile(pack=pack, language=language) for language in missing]
    )
    # What to queue: new languages, failed ones, stale ones, and (after the broker was down)
    # every waiting one. Waiting files whose task is in the queue are left to it.
    rows = pack.files.filter(language__in=missing) | _requeueable(pack, waiting=queue_unreachable)
    file_ids = _reset_for_queue(pack, rows.distinct(), actor=actor)
    if file_ids or pack.job_id is None:
        _job_ensure(pack, actor, fingerprints=fingerprints)
    _schedule(pack, file_ids)
    return pack


def _requeueable(pack: DocumentPack, *, waiting: bool) -> Any:
    stale = Q(status=FileStatus.RUNNING) & (
        Q(started_at__lt=timezone.now() - STALE_RUNNING) | _heartbeat_stopped()
    )
    rule = Q(status=FileStatus.FAILED) | stale
    if waiting:
        rule |= Q(status=FileStatus.PENDING)
    return pack.files.filter(rule)


def _reset_for_queue(pack: DocumentPack, rows: Any, *, actor: Any) -> list[int]:
    """Failed and stale files back to waiting (audited); the ids of every file to queue."""
    file_ids = []
    for row in rows.order_by("language"):
        if row.status != FileStatus.PENDING:
            before = snapshot(row)
            row.status = FileStatus.PENDING
            row.error = ""
            row.finished_at = None
            row.save(update_fields=["status", "error", "finished_at"])
            record_update(actor=actor, instance=row, before=before, reason="queued again")
        file_ids.append(row.pk)
    return file_ids


def pack_resume(
    *, pack: DocumentPack, actor: Any, languages: Iterable[str] | None = None
) -> list[str]:
    """Queue again the pack's languages that wait, failed, or were abandoned by a worker
    (all of them, or only `languages`); ready languages are never touched. Returns the
    languages queued. A language given that is ready or not in the pack is refused."""
    wanted: list[str] | None = None
    if languages is not None:
        wanted = pack_languages(languages)
        outside = [code for code in wanted if code not in pack.languages]
        if outside:
            raise ValidationError(
                {
                    "language": _("This pack has no %(language)s version.")
                    % {"language": ", ".join(outside)}
                }
            )
    with transaction.atomic():
        pack = DocumentPack.objects.select_for_update().get(pk=pack.pk)
        rows = _requeueable(pack, waiting=True)
        if wanted is not None:
            ready = list(
                pack.files.filter(language__in=wanted, status=FileStatus.DONE).values_list(
                    "language", flat=True
                )
            )
            if ready:
                raise ValidationError(
                    {
                        "language": _("The %(language)s PDF is ready: there is nothing to retry.")
                        % {"language": ", ".join(ready)}
                    }
                )
            rows = rows.filter(language__in=wanted)
        queued = list(rows.order_by("language").values_list("language", flat=True))
        file_ids = _reset_for_queue(pack, rows, actor=actor)
        if file_ids:
            _job_ensure(pack, actor)
        _schedule(pack, file_ids)
    return queued


# --- The background job and the queue ----------------------------------------------------------


def _job_ensure(
    pack: DocumentPack, actor: Any, *, fingerprints: dict[str, str] | None = None
) -> None:
    """The pack's job, created if it has none (or it was pruned), set back to queued. The
    job keeps each language's content fingerprint, so that a worker checks its language
    alone before building it."""
    job = BackgroundJob.objects.filter(pk=pack.job_id).first() if pack.job_id else None
    if job is None:
        job = BackgroundJob.objects.create(
            kind=JOB_KIND,
            description=(_("PDF pack: %(what)s") % {"what": pack_label(pack)})[:255],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            progress_total=len(pack.languages),
        )
        pack.job = job
        pack.save(update_fields=["job"])
    if fingerprints and job.result.get("fingerprints") != fingerprints:
        job.result = {**job.result, "fingerprints": fingerprints}
        job.save(update_fields=["result"])
    _job_refresh_locked(pack)


def _schedule(pack: DocumentPack, file_ids: list[int]) -> None:
    if not file_ids:
        return
    pack_id = pack.pk
    _set_queue_unreachable(pack_id, False)
    transaction.on_commit(lambda: pack_enqueue(pack_id=pack_id, file_ids=file_ids))


def pack_enqueue(*, pack_id: int, file_ids: list[int]) -> bool:
    """Queue one build task per file. When the broker cannot be reached the files stay
    waiting and the pack says so ("queued; starts by itself when the queue is back") until
    `pack_resume` or a new request queues them again. False when something was not queued."""
    from kpcs.plenary.tasks import pack_file_build, retries_in_process

    eager = bool(pack_file_build.app.conf.task_always_eager)
    for file_id in file_ids:
        try:
            with retries_in_process() if eager else nullcontext():
                result = pack_file_build.apply_async(args=[file_id])
            if isinstance(result, EagerResult) and result.failed():
                raise result.result  # run in-process: what the task could not handle
        except BROKER_ERRORS:
            logger.warning("could not queue pack %s file %s", pack_id, file_id, exc_info=True)
            _set_queue_unreachable(pack_id, True)
            return False
    return True


def _queue_was_unreachable(pack: DocumentPack) -> bool:
    if pack.job_id is None:
        return False
    result = BackgroundJob.objects.filter(pk=pack.job_id).values_list("result", flat=True).first()
    return bool((result or {}).get("queue_unreachable"))


def _set_queue_unreachable(pack_id: int, unreachable: bool) -> None:
    job_id = DocumentPack.objects.filter(pk=pack_id).values_list("job_id", flat=True).first()
    if job_id is None:
        return
    job = BackgroundJob.objects.filter(pk=job_id).first()
    if job is None or bool(job.result.get("queue_unreachable")) == unreachable:
        return
    job.result = {**job.result, "queue_unreachable": unreachable}
    fields = ["result"]
    if unreachable:
        job.message = str(QUEUE_UNREACHABLE)
        fields.append("message")
    job.save(update_fields=fields)


QUEUE_UNREACHABLE = gettext_lazy(
    "Queued: the task queue cannot be reached now; the build starts by itself when the queue "
    "is back."
)


def _job_refresh(pack_id: int) -> None:
    with transaction.atomic():
        pack = DocumentPack.objects.select_for_update().filter(pk=pack_id).first()
        if pack is not None:
            _job_refresh_locked(pack)


def _job_refresh_locked(pack: DocumentPack) -> None:
    """Bring the pack's job in line with its files (the caller holds the pack's row lock, so
    two workers finishing together cannot write an older count last)."""
    if pack.job_id is None:
        return
    counts = pack.files.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=FileStatus.DONE)),
        failed=Count("id", filter=Q(status=FileStatus.FAILED)),
        running=Count("id", filter=Q(status=FileStatus.RUNNING)),
        pending=Count("id", filter=Q(status=FileStatus.PENDING)),
    )
    job = BackgroundJob.objects.filter(pk=pack.job_id).first()
    if job is None:
        return
    now = timezone.now()
    failed = list(
        pack.files.filter(status=FileStatus.FAILED)
        .order_by("language")
        .values_list("language", flat=True)
    )
    ready = list(
        pack.files.filter(status=FileStatus.DONE)
        .order_by("language")
        .values_list("language", flat=True)
    )
    job.progress_total = counts["total"]
    job.progress_done = counts["done"]
    job.result = {**job.result, "ready": ready, "failed": failed}
    if counts["total"] and counts["done"] == counts["total"]:
        job.status = BackgroundJob.Status.SUCCEEDED
        job.message = _("Every language is ready.")
        job.finished_at = job.finished_at or now
        job.result["summary"] = job.message
    elif counts["failed"] and not counts["pending"] and not counts["running"]:
        job.status = BackgroundJob.Status.FAILED
        job.message = _("Ready: %(ready)s. Failed: %(failed)s.") % {
            "ready": ", ".join(ready) or "—",
            "failed": ", ".join(failed),
        }
        job.finished_at = job.finished_at or now
    else:
        started = counts["running"] or counts["done"] or counts["failed"]
        job.status = BackgroundJob.Status.RUNNING if started else BackgroundJob.Status.QUEUED
        job.started_at = job.started_at or (now if started else None)
        job.finished_at = None
        job.message = (
            str(QUEUE_UNREACHABLE)
            if job.result.get("queue_unreachable")
            else _("%(done)s of %(total)s languages ready.") % counts
        )
        job.result.pop("summary", None)
    job.save()


def _heartbeat_stopped() -> Q:
    cutoff = timezone.now() - dt.timedelta(seconds=settings.KPCS_JOB_STALE_AFTER_SECONDS)
    return Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)


def packs_recover() -> dict[str, int]:
    """The packs' part of the outbox sweep (kpcs.common.jobs.background_jobs_dispatch_pending,
    settings.KPCS_JOB_RECOVERY_HOOKS): languages left "building" by a worker that died go
    back to waiting, and every waiting language of a pack whose queue was unreachable, or
    whose worker died, is queued again. Nothing ready is touched; a duplicate message is
    harmless (the build claims its row)."""
    abandoned = DocumentPackFile.objects.filter(status=FileStatus.RUNNING).filter(
        _heartbeat_stopped()
    )
    pack_ids = set(abandoned.values_list("pack_id", flat=True))
    pack_ids |= {
        pack_id
        for pack_id, result in DocumentPack.objects.filter(
            job__status__in=[BackgroundJob.Status.QUEUED, BackgroundJob.Status.RUNNING]
        ).values_list("pk", "job__result")
        if (result or {}).get("queue_unreachable")
    }
    requeued = 0
    for pack_id in sorted(pack_ids):
        with transaction.atomic():
            pack = DocumentPack.objects.select_for_update().filter(pk=pack_id).first()
            if pack is None:
                continue
            rows = pack.files.filter(
                Q(status=FileStatus.PENDING) | (Q(status=FileStatus.RUNNING) & _heartbeat_stopped())
            )
            file_ids = _reset_for_queue(pack, rows, actor=None)
            if file_ids:
                logger.warning("pack %s: queuing again %s file(s)", pack_id, len(file_ids))
            requeued += len(file_ids)
            _job_refresh_locked(pack)
            _schedule(pack, file_ids)
    return {"pack_files_requeued": requeued, "pack_parts_removed": _orphan_parts_remove()}


def _orphan_parts_remove() -> int:
    """Delete the temporary files (_store's .pack-*.part) that a killed worker left behind:
    never registered, and untouched for longer than a live build could leave one."""
    storage = DocumentPackFile._meta.get_field("file").storage  # type: ignore[attr-defined]
    if not isinstance(storage, FileSystemStorage):
        return 0
    folder = Path(storage.location) / "document-packs"
    cutoff = timezone.now().timestamp() - settings.KPCS_JOB_STALE_AFTER_SECONDS
    removed = 0
    for part in folder.rglob(".pack-*.part") if folder.is_dir() else []:
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink()
                removed += 1
        except OSError:  # another sweep got there first
            continue
    return removed


# --- Building one language (the task) ----------------------------------------------------------


def pack_file_build(*, file_id: int, final_attempt: bool = True) -> str:
    """Build one language of a pack: render, store under a name of its own, then register
    the file (size, pages) as ready. Returns "done", "failed", "retry" never (raises
    PackBuildRetry instead, while attempts are left) or "skipped" (the file is gone or
    already ready: running it again changes nothing).

    A failure touches this language only: its error is recorded (a short message, the
    traceback goes to the log), it waits again while attempts are left, and is failed after
    the last one. No file is registered unless completely written."""
    pack_file = _claim(file_id)
    if pack_file is None:
        return "skipped"
    pack = pack_file.pack
    _job_refresh(pack.pk)
    stored: str | None = None
    try:
        with heartbeat(DocumentPackFile, file_id):
            if not _language_current(pack, pack_file.language):
                raise PackContentChanged(
                    _("The content changed after this pack was asked for: build the pack again.")
                )
            pdf = _render(pack, pack_file.language)
            pages = int(_rendering().page_count(pdf))
            stored = _store(pack_file, pdf)
            registered = _register(file_id, stored, size=len(pdf), pages=pages)
    except Exception as exc:
        if stored:
            _forget(pack_file, stored)
        permanent = _is_permanent(exc)
        final = final_attempt or permanent
        logger.warning(
            "pack %s %s: attempt failed%s",
            pack.pk,
            pack_file.language,
            "" if not final else " for good",
            exc_info=not permanent,
        )
        _record_failure(file_id, exc, final=final)
        _job_refresh(pack.pk)
        if not final:
            raise PackBuildRetry(str(exc)[:ERROR_LENGTH]) from exc
        return "failed"
    if not registered:  # another run of the same file got there first
        _forget(pack_file, stored)
    _job_refresh(pack.pk)
    return "done"


def _is_permanent(exc: BaseException) -> bool:
    rendering = _rendering()
    names = ("SubjectNotFound", "FontsMissing")
    classes = tuple(getattr(rendering, name) for name in names if hasattr(rendering, name))
    return isinstance(exc, PERMANENT_ERRORS + classes)


def _language_current(pack: DocumentPack, language: str) -> bool:
    """Whether the language's content is still what the pack was asked for: against the
    fingerprint the job recorded for it, or (the job pruned) the whole pack's."""
    job = BackgroundJob.objects.filter(pk=pack.job_id).first() if pack.job_id else None
    recorded = ((job.result if job else {}) or {}).get("fingerprints", {}).get(language)
    if recorded:
        current = _rendering().content_fingerprint(pack.subject, pack.subject_key, language)
        return bool(current == recorded)
    return pack_is_current(pack)


def _claim(file_id: int) -> DocumentPackFile | None:
    with transaction.atomic():
        pack_file = (
            DocumentPackFile.objects.select_for_update(of=("self",))
            .select_related("pack")
            .filter(pk=file_id)
            .first()
        )
        if pack_file is None or pack_file.status == FileStatus.DONE:
            return None
        now = timezone.now()
        if pack_file.status == FileStatus.RUNNING and not _abandoned(pack_file, now):
            # Another worker builds it now (a duplicate message): never two at once.
            return None
        pack_file.status = FileStatus.RUNNING
        pack_file.attempts += 1
        pack_file.started_at = now
        pack_file.heartbeat_at = now
        pack_file.finished_at = None
        pack_file.save(
            update_fields=["status", "attempts", "started_at", "heartbeat_at", "finished_at"]
        )
    return pack_file


def _abandoned(pack_file: DocumentPackFile, now: dt.datetime) -> bool:
    """A file "building" whose worker stopped sending its heartbeat (it was killed)."""
    cutoff = now - dt.timedelta(seconds=settings.KPCS_JOB_STALE_AFTER_SECONDS)
    last = pack_file.heartbeat_at or pack_file.started_at
    return last is None or last < cutoff


def _render(pack: DocumentPack, language: str) -> bytes:
    rendering = _rendering()
    if pack.subject == Subject.DOCUMENT:
        document = Document.objects.get(pk=pack.document_id or 0)
        pdf = rendering.render_document_pdf(document, language)
    elif pack.subject == Subject.MEETING:
        meeting = Meeting.objects.get(pk=pack.meeting_id or 0)
        pdf = rendering.render_meeting_pdf(meeting, language)
    else:
        pdf = rendering.render_report_pdf(pack.subject, pack.subject_key, language)
    return _render_checked(pdf)


class _WrittenFile(File):
    """A finished temporary file: FileSystemStorage moves it into place in one rename."""

    def __init__(self, path: str) -> None:
        super().__init__(open(path, "rb"), name=os.path.basename(path))  # noqa: SIM115
        self._path = path

    def temporary_file_path(self) -> str:
        return self._path


def _store(pack_file: DocumentPackFile, pdf: bytes) -> str:
    """Write the PDF under a new name (never over a registered file) and return that name.
    On disk it is written to a temporary file beside the media folder and renamed into
    place, so even the file system never shows a half-written PDF under the final name."""
    field = DocumentPackFile._meta.get_field("file")
    name = field.generate_filename(  # type: ignore[attr-defined]
        pack_file, f"pack-{pack_file.pack_id}-{pack_file.language}.pdf"
    )
    storage: Storage = pack_file.file.storage
    if not isinstance(storage, FileSystemStorage):
        return storage.save(name, ContentFile(pdf))
    folder = Path(storage.path(name)).parent
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".pack-", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(pdf)
            out.flush()
            os.fsync(out.fileno())
        fault_injection_pause("pack.store")  # tests and the drill kill the worker here
        content = _WrittenFile(temporary)
        try:
            return storage.save(name, content)
        finally:
            content.close()
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _forget(pack_file: DocumentPackFile, name: str) -> None:
    try:
        pack_file.file.storage.delete(name)
    except OSError:
        logger.warning("could not delete the unused pack file %s", name, exc_info=True)


def _register(file_id: int, name: str, *, size: int, pages: int) -> bool:
    """Point the row at the stored file, ready; False (and nothing changed) when a run of
    the same file already did."""
    with transaction.atomic():
        pack_file = DocumentPackFile.objects.select_for_update().filter(pk=file_id).first()
        if pack_file is None or pack_file.status == FileStatus.DONE:
            return False
        pack_file.file.name = name
        pack_file.status = FileStatus.DONE
        pack_file.size = size
        pack_file.pages = pages
        pack_file.error = ""
        pack_file.finished_at = timezone.now()
        pack_file.save(update_fields=["file", "status", "size", "pages", "error", "finished_at"])
    return True


def _short_error(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        text = " ".join(exc.messages)
    elif isinstance(exc, PackContentChanged | ValueError):
        text = str(exc)
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text.strip().splitlines()[0][:ERROR_LENGTH] if text.strip() else type(exc).__name__


def _record_failure(file_id: int, exc: BaseException, *, final: bool) -> None:
    error = _short_error(exc)
    with transaction.atomic():
        pack_file = DocumentPackFile.objects.select_for_update().filter(pk=file_id).first()
        if pack_file is None or pack_file.status == FileStatus.DONE:
            return
        pack_file.error = (
            error
            if final
            else _("Attempt %(attempt)s failed (%(error)s); it will be tried again.")
            % {"attempt": pack_file.attempts, "error": error}
        )
        pack_file.status = FileStatus.FAILED if final else FileStatus.PENDING
        pack_file.finished_at = timezone.now() if final else None
        pack_file.save(update_fields=["error", "status", "finished_at"])


# --- Synchronous rendering (the build_document_pack command) -----------------------------------


def document_pdfs_render(
    *, document: Document, languages: Iterable[str]
) -> Iterator[tuple[str, bytes]]:
    """Render the document in each language, here and now (no Celery): (language, PDF)."""
    rendering = _rendering()
    for language in pack_languages(languages):
        yield language, _render_checked(rendering.render_document_pdf(document, language))


def _render_checked(pdf: Any) -> bytes:
    if not isinstance(pdf, bytes | bytearray) or not bytes(pdf[:5]) == b"%PDF-":
        raise ValueError(_("The renderer did not give a PDF."))
    return bytes(pdf)
