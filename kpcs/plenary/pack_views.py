"""Pages of document packs (namespace `plenary`): start the build of a document's, a
meeting's or a report's PDFs in every required language, follow it language by language
(htmx polls the progress while anything is waiting or building), retry a language that
failed, download the files one by one or as a ZIP.

Starting, following and retrying are the secretariat's (other users 403, visitors go to the
log-in page); the request only fingerprints the content and queues one Celery task per
language — rendering happens in the worker. Downloads follow selectors.packs.can_download:
the secretariat always, others the files of a report they may read (404 otherwise).
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from typing import IO, Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kpcs.accounts.permissions import SecretariatRequiredMixin
from kpcs.common.http import HtmxHttpRequest
from kpcs.participants.views import paginate
from kpcs.plenary.models import Document, DocumentPack, DocumentPackFile, Meeting
from kpcs.plenary.selectors import packs as selectors
from kpcs.plenary.services import packs as services

TEMPLATES = "plenary/packs/"
PAGE_SIZE = 25
PACKS = gettext_lazy("Document packs")
Subject = DocumentPack.Subject

logger = logging.getLogger(__name__)


def _crumbs(*trail: tuple[Any, str]) -> list[tuple[Any, str]]:
    return [(PACKS, reverse("plenary:packs")), *trail]


def _pack_or_404(pack_id: int) -> DocumentPack:
    pack = selectors.pack_get(pack_id)
    if pack is None:
        raise Http404(_("There is no document pack number %(id)s.") % {"id": pack_id})
    return pack


def _languages_from(request: HttpRequest) -> list[str] | None:
    """The languages asked for (checkboxes `languages`, or one comma-separated value);
    None: the languages documents are issued in."""
    values = [
        part for value in request.POST.getlist("languages") for part in value.split(",") if part
    ]
    return values or None


def _refused(request: HttpRequest, exc: ValidationError, back: str = "") -> HttpResponse:
    problems = (
        [(name, " ".join(str(m) for m in errors)) for name, errors in exc.message_dict.items()]
        if hasattr(exc, "error_dict")
        else [("", " ".join(exc.messages))]
    )
    context = {
        "problems": problems,
        "back": back,
        "breadcrumbs": _crumbs((gettext_lazy("Build refused"), "")),
    }
    return render(request, TEMPLATES + "refused.html", context, status=400)


def _started(request: HttpRequest, pack: DocumentPack) -> HttpResponse:
    progress = selectors.pack_progress(pack)
    if progress.state == "ready":
        messages.info(
            request, _("These PDFs are already built from the same content: here they are.")
        )
    elif progress.queue_unreachable:
        messages.warning(
            request,
            _(
                "Queued: the task queue cannot be reached now; the build starts by itself when the "
                "queue is back. You can also queue it again below."
            ),
        )
    else:
        messages.success(
            request,
            _("The PDFs are being built in the background: follow each language below."),
        )
    return redirect("plenary:pack", pack.pk)


class _BuildView(SecretariatRequiredMixin, View):
    http_method_names = ["post"]

    def start(self, request: HttpRequest, back: str = "", **kwargs: Any) -> HttpResponse:
        try:
            pack = services.pack_request(
                languages=_languages_from(request), actor=request.user, **kwargs
            )
        except ValidationError as exc:
            return _refused(request, exc, back)
        pack.refresh_from_db()
        return _started(request, pack)


class DocumentPackBuildView(_BuildView):
    """POST: build the document's PDFs in every required language (or those checked)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = Document.objects.filter(pk=pk).first()
        if document is None:
            raise Http404(_("There is no document number %(id)s.") % {"id": pk})
        back = reverse("plenary:packs")
        return self.start(request, back, subject=Subject.DOCUMENT, document=document)


class MeetingPackBuildView(_BuildView):
    """POST: build the pack of the meeting's documents in every required language."""

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        meeting = Meeting.objects.filter(code=code).first()
        if meeting is None:
            raise Http404(_("There is no meeting “%(code)s”.") % {"code": code[:60]})
        back = reverse("plenary:packs")
        return self.start(request, back, subject=Subject.MEETING, meeting=meeting)


class ReportPackBuildView(_BuildView):
    """POST subject (statistics_summary, review_report, participant_list) and key: build the
    report's PDFs in every required language."""

    def post(self, request: HttpRequest) -> HttpResponse:
        subject = request.POST.get("subject", "")
        back = request.POST.get("next", "")
        if not back.startswith("/") or back.startswith("//"):
            back = reverse("plenary:packs")
        if subject not in services.REPORT_SUBJECTS:
            exc = ValidationError(
                {
                    "subject": _("“%(subject)s” is not a report: use %(choices)s.")
                    % {
                        "subject": subject[:30],
                        "choices": ", ".join(str(s) for s in services.REPORT_SUBJECTS),
                    }
                }
            )
            return _refused(request, exc, back)
        return self.start(request, back, subject=subject, key=request.POST.get("key", ""))


# --- The list and one pack ------------------------------------------------------------------------


class PackListView(SecretariatRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        subject = request.GET.get("subject", "")
        status = 200
        problem = ""
        if subject and subject not in Subject.values:
            problem = _("“%(subject)s” is not something a pack is made of: use %(choices)s.") % {
                "subject": subject[:30],
                "choices": ", ".join(Subject.values),
            }
            status, subject = 400, ""
        packs = selectors.pack_list(subject=subject)
        if status != 200:
            packs = packs.none()
        page = paginate(request, packs, per_page=PAGE_SIZE)
        labels = services.pack_labels(page.object_list)
        rows = [(pack, labels[pack.pk]) for pack in page.object_list]
        context = {
            "page": page,
            "rows": rows,
            "subject": subject,
            "subjects": Subject.choices,
            "problem": problem,
            "breadcrumbs": [(PACKS, "")],
        }
        return render(request, TEMPLATES + "list.html", context, status=status)


def _subject_url(pack: DocumentPack) -> str:
    """The page of what the pack is of ("" when that page is not there)."""
    from django.urls import NoReverseMatch

    try:
        if pack.subject == Subject.DOCUMENT:
            return reverse("plenary:document", args=[pack.document_id])
        if pack.subject == Subject.MEETING and pack.meeting is not None:
            return reverse("plenary:meeting", args=[pack.meeting.code])
        if pack.subject == Subject.STATISTICS_SUMMARY:
            year, _slash, number = pack.subject_key.partition("/")
            return reverse("statistics:summary") + f"?year={year}&release={number}"
        if pack.subject == Subject.REVIEW_REPORT:
            return reverse("reviews:report", args=[int(pack.subject_key)])
        if pack.subject == Subject.PARTICIPANT_LIST:
            return reverse("participants:list")
    except (NoReverseMatch, ValueError):
        return ""
    return ""


def pack_context(pack: DocumentPack) -> dict[str, Any]:
    return {
        "pack": pack,
        "progress": selectors.pack_progress(pack),
        "label": services.pack_label(pack),
    }


class PackDetailView(SecretariatRequiredMixin, View):
    """One pack: a progress bar per language (htmx polls while anything waits or builds),
    the files when ready, the error and a retry button of a language that failed, the ZIP."""

    def get(self, request: HtmxHttpRequest, pk: int) -> HttpResponse:  # type: ignore[override]
        pack = _pack_or_404(pk)
        context = pack_context(pack)
        if request.htmx:
            return render(request, TEMPLATES + "_progress.html", context)
        context |= {
            "subject_url": _subject_url(pack),
            "breadcrumbs": _crumbs((context["label"], "")),
        }
        return render(request, TEMPLATES + "detail.html", context)


class PackRetryView(SecretariatRequiredMixin, View):
    """POST (language, optional): queue again the language that failed, or every language
    that waits or failed; the ready ones are never touched."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        pack = _pack_or_404(pk)
        language = request.POST.get("language", "").strip()
        try:
            queued = services.pack_resume(
                pack=pack, actor=request.user, languages=[language] if language else None
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("plenary:pack", pack.pk)
        pack.refresh_from_db()
        if not queued:
            messages.info(
                request, _("Nothing to queue again: every language is ready or building.")
            )
        elif selectors.pack_progress(pack).queue_unreachable:
            messages.warning(
                request,
                _(
                    "The task queue still cannot be reached: the build starts by itself when the "
                    "queue is back."
                ),
            )
        else:
            messages.success(
                request,
                _("Queued again: %(languages)s.") % {"languages": ", ".join(queued)},
            )
        return redirect("plenary:pack", pack.pk)


# --- Downloads ------------------------------------------------------------------------------------


class _DownloadView(View):
    http_method_names = ["get", "head"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        pack = selectors.pack_for_download(user=request.user, pack_id=kwargs["pk"])
        if pack is None:
            raise Http404(
                _("There is no document pack number %(id)s for you.") % {"id": kwargs["pk"]}
            )
        self.pack = pack
        return super().dispatch(request, *args, **kwargs)


def _open(pack_file: DocumentPackFile) -> Any:
    try:
        return pack_file.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(
            _("The %(language)s PDF of this pack is missing from the file store: build it again.")
            % {"language": pack_file.language}
        ) from exc


class PackFileView(_DownloadView):
    """One language's PDF, once ready."""

    def get(self, request: HttpRequest, pk: int, language: str) -> HttpResponseBase:
        pack_file = selectors.ready_file(self.pack, language)
        if pack_file is None:
            raise Http404(
                _("The %(language)s PDF of this pack is not ready.") % {"language": language[:12]}
            )
        response = FileResponse(
            _open(pack_file),
            content_type="application/pdf",
            filename=f"{selectors.pack_file_stem(self.pack)}-{pack_file.language}.pdf",
        )
        response["Cache-Control"] = "private, max-age=300"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class _ZipSink:
    """A write-only, unseekable file for zipfile that hands its bytes on as they come."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def zip_chunks(entries: list[tuple[str, FieldFile, Any]]) -> Iterator[bytes]:
    """A ZIP of (name, file, modified) entries, written as it is sent: one file in memory at a
    time, a chunk at a time. The same files give the same archive."""
    sink = _ZipSink()
    with zipfile.ZipFile(cast(IO[bytes], sink), "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, field_file, modified in entries:
            info = zipfile.ZipInfo(name, date_time=modified.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            try:
                source_file = field_file.open("rb")
            except FileNotFoundError:
                # The archive is already being sent: a file lost from storage is left out
                # rather than breaking the download; its language page says to rebuild.
                logger.warning("pack file %s is missing from storage", field_file.name)
                continue
            with source_file as source, archive.open(info, "w") as target:
                for chunk in iter(lambda: source.read(64 * 1024), b""):
                    target.write(chunk)
                    yield sink.take()
            yield sink.take()
    yield sink.take()


class PackZipView(_DownloadView):
    """Every ready PDF of the pack in one ZIP, named after the symbol (or the report)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        stem = selectors.pack_file_stem(self.pack)
        entries = []
        for pack_file in selectors.ready_files(self.pack):
            if not pack_file.file.storage.exists(pack_file.file.name or ""):
                continue
            modified = pack_file.finished_at or self.pack.created_at
            entries.append((f"{stem}-{pack_file.language}.pdf", pack_file.file, modified))
        if not entries:
            raise Http404(_("No PDF of this pack is ready yet."))
        response = StreamingHttpResponse(zip_chunks(entries), content_type="application/zip")
        response["Content-Disposition"] = content_disposition_header(True, f"{stem}.zip")
        response["Cache-Control"] = "private, max-age=300"
        response["X-Content-Type-Options"] = "nosniff"
        return response
