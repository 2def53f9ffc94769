"""Reads of document packs: the list, one pack's progress language by language, who may
download which file, and the latest ready PDFs of a report (the "PDF in every language" box).

Downloads: the secretariat downloads every ready file. Others: only files of report packs,
under the report's own rule — the statistics annual summary of a published release and the
participant list are public; a review visit report goes to whoever may see that visit's final
report (kpcs.reviews.selectors.access). Document and meeting packs are the secretariat's here;
the public page of a published document (`documents:pdf`) serves its PDFs to everyone else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from kpcs.accounts.permissions import is_secretariat
from kpcs.common.models import BackgroundJob
from kpcs.plenary.models import DocumentPack, DocumentPackFile

Subject = DocumentPack.Subject
FileStatus = DocumentPackFile.Status
LANGUAGE_NAMES = dict(settings.LANGUAGES)
LANGUAGE_ORDER = {code: index for index, (code, _name) in enumerate(settings.LANGUAGES)}
PUBLIC_REPORTS = (Subject.STATISTICS_SUMMARY, Subject.PARTICIPANT_LIST)


def _counted(packs: QuerySet[DocumentPack]) -> QuerySet[DocumentPack]:
    return packs.annotate(
        file_count=Count("files"),
        done_count=Count("files", filter=Q(files__status=FileStatus.DONE)),
        failed_count=Count("files", filter=Q(files__status=FileStatus.FAILED)),
        waiting_count=Count(
            "files", filter=Q(files__status__in=(FileStatus.PENDING, FileStatus.RUNNING))
        ),
    )


def pack_list(*, subject: str = "") -> QuerySet[DocumentPack]:
    """Every pack, newest first, with counts of its files by state."""
    packs = DocumentPack.objects.select_related(
        "document", "meeting", "created_by", "job"
    ).prefetch_related("files")
    if subject:
        packs = packs.filter(subject=subject)
    return _counted(packs).order_by("-created_at", "-id")


def pack_get(pack_id: int) -> DocumentPack | None:
    return (
        DocumentPack.objects.select_related("document", "meeting", "created_by", "job")
        .filter(pk=pack_id)
        .first()
    )


def pack_files(pack: DocumentPack) -> list[DocumentPackFile]:
    """The pack's files in the order of settings.LANGUAGES."""
    files = list(pack.files.all())  # prefetched by pack_list
    return sorted(files, key=lambda f: LANGUAGE_ORDER.get(f.language, 99))


@dataclass
class LanguageProgress:
    language: str
    name: str
    status: str
    status_label: str
    percent: int | None  # None: building (an indeterminate bar)
    pages: int
    size: int
    attempts: int
    error: str
    ready: bool
    failed: bool


@dataclass
class PackProgress:
    pack: DocumentPack
    languages: list[LanguageProgress] = field(default_factory=list)
    total: int = 0
    done: int = 0
    failed: int = 0
    waiting: int = 0
    state: str = "queued"  # queued, building, ready, failed
    queue_unreachable: bool = False

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.waiting == 0

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def retryable(self) -> bool:
        return self.failed > 0 or self.queue_unreachable


_PERCENT = {FileStatus.PENDING: 0, FileStatus.DONE: 100, FileStatus.FAILED: 0}


def pack_progress(pack: DocumentPack, *, fresh: bool = True) -> PackProgress:
    """Where the build of each language stands, and of the whole pack. `fresh=False` takes
    the job as loaded with the pack (lists: select_related), else it is read again."""
    progress = PackProgress(pack=pack)
    for pack_file in pack_files(pack):
        status = pack_file.status
        progress.languages.append(
            LanguageProgress(
                language=pack_file.language,
                name=str(LANGUAGE_NAMES.get(pack_file.language, pack_file.language)),
                status=status,
                status_label=str(pack_file.get_status_display()),
                percent=_PERCENT.get(FileStatus(status)),
                pages=pack_file.pages,
                size=pack_file.size,
                attempts=pack_file.attempts,
                error=pack_file.error,
                ready=status == FileStatus.DONE,
                failed=status == FileStatus.FAILED,
            )
        )
    progress.total = len(progress.languages)
    progress.done = sum(1 for lang in progress.languages if lang.ready)
    progress.failed = sum(1 for lang in progress.languages if lang.failed)
    progress.waiting = progress.total - progress.done - progress.failed
    running = any(lang.status == FileStatus.RUNNING for lang in progress.languages)
    if progress.total and progress.done == progress.total:
        progress.state = "ready"
    elif progress.finished:
        progress.state = "failed"
    elif running or progress.done or progress.failed:
        progress.state = "building"
    job = _job_of(pack) if fresh else pack.job
    progress.queue_unreachable = (
        job is not None and bool(job.result.get("queue_unreachable")) and progress.waiting > 0
    )
    return progress


def _job_of(pack: DocumentPack) -> BackgroundJob | None:
    # Read fresh: the worker and the queue write to it while the page looks on.
    if pack.job_id is None:
        return None
    return BackgroundJob.objects.filter(pk=pack.job_id).first()


# --- Who may download -----------------------------------------------------------------------------


def report_visible_to(user: Any, subject: str, key: str) -> bool:
    """Whether the user may read this report: the statistics summary of a published release
    and the participant list are public; a review report follows its visit's final report."""
    if subject in PUBLIC_REPORTS:
        return True
    if subject == Subject.REVIEW_REPORT and key.isascii() and key.isdigit():
        from kpcs.reviews.models import ReportVersion
        from kpcs.reviews.selectors.access import visit_visible_to

        visit = visit_visible_to(user, int(key))
        return (
            visit is not None
            and ReportVersion.objects.filter(visit=visit, kind=ReportVersion.Kind.FINAL).exists()
        )
    return False


def can_download(user: Any, pack: DocumentPack) -> bool:
    if is_secretariat(user):
        return True
    return report_visible_to(user, pack.subject, pack.subject_key)


def pack_for_download(*, user: Any, pack_id: int) -> DocumentPack | None:
    """The pack if the user may download its files, None otherwise (404: as if absent)."""
    pack = pack_get(pack_id)
    if pack is None or not can_download(user, pack):
        return None
    return pack


def ready_file(pack: DocumentPack, language: str) -> DocumentPackFile | None:
    return (
        DocumentPackFile.objects.filter(pack=pack, language=language, status=FileStatus.DONE)
        .exclude(file="")
        .first()
    )


def ready_files(pack: DocumentPack) -> list[DocumentPackFile]:
    files = DocumentPackFile.objects.filter(pack=pack, status=FileStatus.DONE).exclude(file="")
    return sorted(files, key=lambda f: LANGUAGE_ORDER.get(f.language, 99))


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def pack_file_stem(pack: DocumentPack) -> str:
    """The start of the files' names: the document's symbol, the meeting's code, the report."""
    if pack.subject == Subject.DOCUMENT and pack.document is not None:
        stem = pack.document.symbol
    elif pack.subject == Subject.MEETING and pack.meeting is not None:
        stem = f"KP-meeting-{pack.meeting.code}"
    elif pack.subject == Subject.STATISTICS_SUMMARY:
        year, _slash, number = pack.subject_key.partition("/")
        stem = f"KP-statistics-{year}-release-{number}"
    elif pack.subject == Subject.REVIEW_REPORT:
        stem = f"KP-review-visit-{pack.subject_key}-report"
    else:
        stem = "KP-participant-list"
    return _UNSAFE.sub("-", stem).strip("-.") or f"pack-{pack.pk}"


# --- The latest PDFs of a subject --------------------------------------------------------------


def latest_pack(subject: str, key: str) -> DocumentPack | None:
    """The newest pack of a subject with at least one ready file (or, failing that, the
    newest one at all, still building)."""
    packs = DocumentPack.objects.filter(subject=subject, subject_key=key).order_by(
        "-created_at", "-id"
    )
    ready = packs.filter(files__status=FileStatus.DONE).first()
    return ready or packs.first()


def report_pdf_links(*, user: Any, subject: str, key: str) -> dict[str, Any]:
    """For the "PDF in every language" box of a report's page: the newest pack's ready files
    (for those who may read the report) and, for the secretariat, whether a pack builds."""
    key = str(key or "")
    pack = latest_pack(subject, key)
    files: list[DocumentPackFile] = []
    if pack is not None and can_download(user, pack):
        files = ready_files(pack)
    return {
        "subject": subject,
        "key": key,
        "pack": pack,
        "files": [(f, LANGUAGE_NAMES.get(f.language, f.language)) for f in files],
        "can_build": is_secretariat(user),
    }
