"""Document packs in the API, under /api/v1/plenary/packs/ (names `plenary-pack-…`).

The secretariat asks for the PDFs of a document, a meeting or a report in every required
language (POST packs/ → 202: the build runs in Celery workers), follows each language
(GET packs/<id>/) and queues again what failed or waits (POST packs/<id>/retry/). The same
content asked for twice answers the same pack with the same files. A language's PDF is
downloaded from packs/<id>/files/<language>/ by the secretariat, and by whoever may read the
report of a report pack (the same rule as the pages: selectors.packs.can_download).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from kpcs.accounts.permissions import IsSecretariat
from kpcs.common.api import ErrorSerializer, StandardPagination
from kpcs.plenary.models import Document, DocumentPack, DocumentPackFile, Meeting
from kpcs.plenary.selectors import packs as selectors
from kpcs.plenary.services import packs as services

TAGS = ["document packs"]
PACK_STATES = [
    ("queued", _("queued")),
    ("building", _("building")),
    ("ready", _("ready")),
    ("failed", _("failed")),
]


# --- Shapes ----------------------------------------------------------------------------------


class PackFileSerializer(serializers.Serializer):
    language = serializers.CharField()
    status = serializers.ChoiceField(
        choices=DocumentPackFile.Status.choices,
        help_text=_("pending (waiting for a worker), running, done or failed."),
    )
    attempts = serializers.IntegerField()
    pages = serializers.IntegerField()
    size = serializers.IntegerField(help_text=_("Bytes."))
    error = serializers.CharField(help_text=_("Why the last attempt failed (empty if none)."))
    url = serializers.URLField(
        allow_null=True, help_text=_("The PDF, once done (this API, with your token).")
    )
    page_url = serializers.URLField(allow_null=True, help_text=_("The PDF, for a browser."))

    class Meta:
        ref_name = "DocumentPackFile"


class PackProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()

    class Meta:
        ref_name = "DocumentPackProgress"


class PackUrlsSerializer(serializers.Serializer):
    self = serializers.URLField()
    retry = serializers.URLField()
    page = serializers.URLField(help_text=_("The pack's page, with a progress bar per language."))
    zip = serializers.URLField(help_text=_("Every ready PDF in one ZIP (the page's download)."))

    class Meta:
        ref_name = "DocumentPackUrls"


class PackSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    subject = serializers.ChoiceField(choices=DocumentPack.Subject.choices)
    key = serializers.CharField(
        help_text=_(
            "The document's or meeting's id, the release's year/number, the visit's id, or "
            "empty for the participant list."
        )
    )
    # DRF takes declared fields off the class, so this does not hide Field.label.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text=_("What the pack is of, for people.")
    )
    document = serializers.CharField(allow_null=True, help_text=_("The document's symbol."))
    meeting = serializers.CharField(allow_null=True, help_text=_("The meeting's code."))
    fingerprint = serializers.CharField(
        help_text=_("sha256 of the content in every language: the same content, the same pack.")
    )
    languages = serializers.ListField(child=serializers.CharField())
    state = serializers.ChoiceField(choices=PACK_STATES)
    finished = serializers.BooleanField(help_text=_("No language waits or builds."))
    queue_unreachable = serializers.BooleanField(
        help_text=_(
            "The task queue could not be reached: the build starts by itself when the queue "
            "is back (or POST …/retry/ to queue it again)."
        )
    )
    progress = PackProgressSerializer()
    files = PackFileSerializer(many=True)
    urls = PackUrlsSerializer()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "DocumentPack"


def pack_body(
    request: Request, pack: DocumentPack, *, label: str | None = None, fresh: bool = True
) -> dict[str, Any]:
    """The pack as the API shows it (`label` and `fresh=False` for lists: see pack_list)."""
    from django.urls import reverse as page_reverse

    progress = selectors.pack_progress(pack, fresh=fresh)

    def api_url(name: str, *args: Any) -> str:
        return reverse(f"api:{name}", args=args, request=request)

    def page_url(name: str, *args: Any) -> str:
        return request.build_absolute_uri(page_reverse(f"plenary:{name}", args=args))

    files = [
        {
            "language": lang.language,
            "status": lang.status,
            "attempts": lang.attempts,
            "pages": lang.pages,
            "size": lang.size,
            "error": lang.error,
            "url": api_url("plenary-pack-file", pack.pk, lang.language) if lang.ready else None,
            "page_url": page_url("pack-file", pack.pk, lang.language) if lang.ready else None,
        }
        for lang in progress.languages
    ]
    body = {
        "id": pack.pk,
        "subject": pack.subject,
        "key": pack.subject_key,
        "label": label if label is not None else services.pack_label(pack),
        "document": pack.document.symbol if pack.document else None,
        "meeting": pack.meeting.code if pack.meeting else None,
        "fingerprint": pack.fingerprint,
        "languages": list(pack.languages),
        "state": progress.state,
        "finished": progress.finished,
        "queue_unreachable": progress.queue_unreachable,
        "progress": {
            "done": progress.done,
            "failed": progress.failed,
            "total": progress.total,
            "percent": progress.percent,
        },
        "files": files,
        "urls": {
            "self": api_url("plenary-pack-detail", pack.pk),
            "retry": api_url("plenary-pack-retry", pack.pk),
            "page": page_url("pack", pack.pk),
            "zip": page_url("pack-zip", pack.pk),
        },
        "created_at": pack.created_at,
    }
    return dict(PackSerializer(body).data)


# --- Input -----------------------------------------------------------------------------------


class PackRequestSerializer(serializers.Serializer):
    subject = serializers.ChoiceField(
        choices=DocumentPack.Subject.choices,
        error_messages={
            "invalid_choice": _(
                "“{input}” is not something a pack is made of: use document, meeting, "
                "statistics_summary, review_report or participant_list."
            ),
            "required": _("Say what the pack is of (subject)."),
        },
    )
    document = serializers.CharField(
        required=False,
        max_length=200,
        help_text=_("For subject document: its symbol (or its id)."),
    )
    meeting = serializers.CharField(
        required=False, max_length=60, help_text=_("For subject meeting: its code.")
    )
    key = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        help_text=_(
            "For a statistics summary the release, e.g. 2025/1 (or 2025: its latest release); "
            "for a review report the visit's number; empty for the participant list."
        ),
    )
    languages = serializers.ListField(
        child=serializers.CharField(max_length=12),
        required=False,
        allow_empty=False,
        help_text=_("Default: the languages documents are issued in (KPCS_DOCUMENT_LANGUAGES)."),
    )

    class Meta:
        ref_name = "DocumentPackRequest"

    def validate_document(self, value: str) -> Document:
        text = value.strip()
        document = Document.objects.filter(symbol=text).first()
        # isascii: str.isdigit() also says yes to "³" and other digits int() refuses.
        if document is None and text.isascii() and text.isdigit():
            document = Document.objects.filter(pk=int(text)).first()
        if document is None:
            raise serializers.ValidationError(
                gettext("No document has the symbol “%(symbol)s”.") % {"symbol": text[:200]}
            )
        return document

    def validate_meeting(self, value: str) -> Meeting:
        meeting = Meeting.objects.filter(code=value.strip()).first()
        if meeting is None:
            raise serializers.ValidationError(
                gettext("No meeting has the code “%(code)s”.") % {"code": value[:60]}
            )
        return meeting


class PackRetrySerializer(serializers.Serializer):
    languages = serializers.ListField(
        child=serializers.CharField(max_length=12),
        required=False,
        allow_empty=False,
        help_text=_("Only these languages (default: every one that failed or waits)."),
    )

    class Meta:
        ref_name = "DocumentPackRetry"


# --- Endpoints -------------------------------------------------------------------------------

_ERRORS = {401: ErrorSerializer, 403: ErrorSerializer}


def _pack_or_404(pack_id: int) -> DocumentPack:
    pack = selectors.pack_get(pack_id)
    if pack is None:
        raise exceptions.NotFound(
            gettext("There is no document pack number %(id)s.") % {"id": pack_id}
        )
    return pack


class PackListApi(APIView):
    """GET: every pack, newest first. POST: build the PDFs of a document, a meeting or a
    report in every required language (202: queued; the same content answers the same pack,
    and ready files are not built again)."""

    permission_classes = [IsSecretariat]
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="plenary_pack_list",
        tags=TAGS,
        responses={200: PackSerializer(many=True), **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.pack_list(), request, view=self) or []
        labels = services.pack_labels(page)
        return paginator.get_paginated_response(
            [pack_body(request, pack, label=labels[pack.pk], fresh=False) for pack in page]
        )

    @extend_schema(
        operation_id="plenary_pack_create",
        tags=TAGS,
        request=PackRequestSerializer,
        responses={202: PackSerializer, 400: ErrorSerializer, **_ERRORS},
    )
    def post(self, request: Request) -> Response:
        payload = PackRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        pack = services.pack_request(
            subject=data["subject"],
            document=data.get("document"),
            meeting=data.get("meeting"),
            key=data.get("key", ""),
            languages=data.get("languages"),
            actor=request.user,
        )
        pack.refresh_from_db()
        return Response(pack_body(request, pack), status=status.HTTP_202_ACCEPTED)


class PackDetailApi(APIView):
    """GET: one pack: the state of each language, the progress and the files' addresses."""

    permission_classes = [IsSecretariat]

    @extend_schema(
        operation_id="plenary_pack_retrieve",
        tags=TAGS,
        responses={200: PackSerializer, 404: ErrorSerializer, **_ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(pack_body(request, _pack_or_404(pk)))


class PackRetryApi(APIView):
    """POST: queue again the languages that failed or wait (or only `languages`); the ready
    ones are never touched. 202 with the pack."""

    permission_classes = [IsSecretariat]

    @extend_schema(
        operation_id="plenary_pack_retry",
        tags=TAGS,
        request=PackRetrySerializer,
        responses={202: PackSerializer, 400: ErrorSerializer, 404: ErrorSerializer, **_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        pack = _pack_or_404(pk)
        payload = PackRetrySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.pack_resume(
            pack=pack, actor=request.user, languages=payload.validated_data.get("languages")
        )
        pack.refresh_from_db()
        return Response(pack_body(request, pack), status=status.HTTP_202_ACCEPTED)


class PackFileApi(APIView):
    """GET: one language's PDF, once done: the secretariat's, and a report's for whoever may
    read that report (404 otherwise)."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="plenary_pack_file",
        tags=TAGS,
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ErrorSerializer},
    )
    def get(self, request: Request, pk: int, language: str) -> Any:
        from django.http import FileResponse

        pack = selectors.pack_for_download(user=request.user, pack_id=pk)
        missing = gettext("There is no %(language)s PDF in pack number %(id)s for you.") % {
            "language": language[:12],
            "id": pk,
        }
        pack_file = selectors.ready_file(pack, language) if pack is not None else None
        if pack is None or pack_file is None:
            raise exceptions.NotFound(missing)
        try:
            handle = pack_file.file.open("rb")
        except FileNotFoundError as exc:
            raise exceptions.NotFound(missing) from exc
        response = FileResponse(
            handle,
            content_type="application/pdf",
            filename=f"{selectors.pack_file_stem(pack)}-{pack_file.language}.pdf",
        )
        response["Cache-Control"] = "private, max-age=300"
        response["X-Content-Type-Options"] = "nosniff"
        return response
