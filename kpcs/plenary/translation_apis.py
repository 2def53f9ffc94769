"""The translation API under /api/v1/plenary/ (docs/plenary.md, "Translations"):

- `GET documents/<id>/languages/`: the language matrix of a document;
- `GET|PUT documents/<id>/languages/<language>/`: one language version (title, body, status)
  with, when it is outdated, what changed in the English source since it was made;
- `GET meetings/<code>/languages/`: the matrix of a meeting's documents with counts.

Only for the secretariat, logged in through the site (a session): anonymous clients get 401,
every other role 403, API client keys (`Authorization: Token <key>`) included, since each acts
for one participant. A document or meeting that does not exist, or a language that is not
one of the six UN languages, answers 404. Writes go through kpcs.plenary.services.translations,
the same rules and messages as the pages: refused input answers 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from kpcs.accounts.permissions import IsSecretariat
from kpcs.common.api import ErrorSerializer
from kpcs.plenary.models import Document, DocumentTranslation, Meeting
from kpcs.plenary.selectors import translations as selectors
from kpcs.plenary.selectors.access import documents_visible_to, meetings_visible_to
from kpcs.plenary.services import translations as services
from kpcs.plenary.services.translations import (
    BODY_MAX_LENGTH,
    SOURCE_LANGUAGE,
    TITLE_MAX_LENGTH,
    field_name,
    localized,
)

TAGS = ["plenary translations"]
ERRORS: dict[int, Any] = {401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
# The statuses of a translation, labelled apart from other draft/final pairs (a report
# version's kind) so that the schema gives them their own enum (ENUM_NAME_OVERRIDES).
TRANSLATION_STATUS_CHOICES = [
    (DocumentTranslation.Status.DRAFT.value, _("draft translation")),
    (DocumentTranslation.Status.FINAL.value, _("final translation")),
]


def _document_or_404(request: Request, pk: int) -> Document:
    document = documents_visible_to(request.user).filter(pk=pk).first()
    if document is None:
        raise exceptions.NotFound(gettext("There is no document number %(id)s.") % {"id": pk})
    return document


def _meeting_or_404(request: Request, code: str) -> Meeting:
    meeting = meetings_visible_to(request.user).filter(code=code).first()
    if meeting is None:
        raise exceptions.NotFound(gettext("There is no meeting “%(code)s”.") % {"code": code[:60]})
    return meeting


def _language_or_404(language: str) -> str:
    if not selectors.is_known_language(language):
        raise exceptions.NotFound(
            gettext("“%(language)s” is not a language of the KP: use one of %(languages)s.")
            % {"language": language[:20], "languages": ", ".join(selectors.languages())}
        )
    return language


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


# --- Shapes ----------------------------------------------------------------------------------


def _language_field(**kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=settings.LANGUAGES, **kwargs)


def _state_field(**kwargs: Any) -> serializers.ChoiceField:
    kwargs.setdefault(
        "help_text",
        _(
            "source (English), missing (no translation or no title), draft, final, or "
            "outdated (made from an earlier English text, whatever its status)."
        ),
    )
    return serializers.ChoiceField(choices=selectors.STATE_CHOICES, **kwargs)


class LanguageStateSerializer(serializers.Serializer):
    language = _language_field()
    name = serializers.CharField(help_text=_("The language's name, in the request's language."))
    required = serializers.BooleanField(  # type: ignore[assignment]
        help_text=_("A language plenary documents must be issued in (KPCS_DOCUMENT_LANGUAGES).")
    )
    state = _state_field()
    status = serializers.ChoiceField(
        choices=TRANSLATION_STATUS_CHOICES,
        allow_null=True,
        help_text=_("The translation's own status; null for English and untranslated languages."),
    )
    made_from = serializers.CharField(
        allow_null=True, help_text=_("The source fingerprint the translation was made from.")
    )
    updated_by = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    url = serializers.URLField(help_text=_("This language version in the API."))

    class Meta:
        ref_name = "PlenaryLanguageState"


class DocumentLanguagesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    symbol = serializers.CharField()
    title = serializers.CharField(help_text=_("The English title."))
    source_fingerprint = serializers.CharField(
        help_text=_("The fingerprint (sha256) of the current English title and body.")
    )
    languages = LanguageStateSerializer(many=True, help_text=_("Every UN language, English first."))
    required_not_final = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("The required languages not final and current: publication waits for them."),
    )
    available = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("English and the languages whose version is final and current."),
    )

    class Meta:
        ref_name = "PlenaryDocumentLanguages"


class DiffPartSerializer(serializers.Serializer):
    op = serializers.CharField(help_text=_("equal, removed or added."))
    text = serializers.CharField(trim_whitespace=False)

    class Meta:
        ref_name = "PlenarySourceDiffPart"


class DiffParagraphSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text=_(
            "context (unchanged), removed, added, changed (reworded: see parts) or gap "
            "(unchanged paragraphs left out)."
        )
    )
    text = serializers.CharField(help_text=_("The paragraph (for removed: the old one)."))
    parts = DiffPartSerializer(many=True, help_text=_("For changed: word by word."))

    class Meta:
        ref_name = "PlenarySourceDiffParagraph"


class SourceDiffSerializer(serializers.Serializer):
    """What changed in the English source since the translation was made."""

    base_fingerprint = serializers.CharField(
        help_text=_("The fingerprint of the source the translation was made from.")
    )
    base_recorded = serializers.BooleanField(
        help_text=_("False when that version of the source was not recorded (no diff).")
    )
    base_created_at = serializers.DateTimeField(allow_null=True)
    title_before = serializers.CharField(allow_null=True, help_text=_("Null when unchanged."))
    title_after = serializers.CharField(allow_null=True, help_text=_("Null when unchanged."))
    paragraphs = DiffParagraphSerializer(many=True)

    class Meta:
        ref_name = "PlenarySourceDiff"


class SourceTextSerializer(serializers.Serializer):
    title = serializers.CharField()
    body = serializers.CharField(allow_blank=True)
    fingerprint = serializers.CharField()

    class Meta:
        ref_name = "PlenarySourceText"


class TranslationSerializer(serializers.Serializer):
    """One language version of a document, beside the current English source."""

    document = serializers.IntegerField()
    symbol = serializers.CharField()
    language = _language_field()
    state = _state_field()
    status = serializers.ChoiceField(
        choices=TRANSLATION_STATUS_CHOICES,
        allow_null=True,
        help_text=_("Null for English and for a language never translated."),
    )
    title = serializers.CharField(allow_blank=True)
    body = serializers.CharField(allow_blank=True)
    made_from = serializers.CharField(
        allow_null=True, help_text=_("The source fingerprint the translation was made from.")
    )
    updated_by = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    source = SourceTextSerializer(  # type: ignore[assignment]
        help_text=_("The current English source.")
    )
    source_diff = SourceDiffSerializer(
        allow_null=True, help_text=_("Only when the translation is outdated; otherwise null.")
    )

    class Meta:
        ref_name = "PlenaryTranslation"


class MeetingDocumentLanguagesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    symbol = serializers.CharField()
    title = serializers.CharField(help_text=_("The English title."))
    languages = serializers.DictField(
        child=_state_field(help_text=""), help_text=_("The state in each language, by code.")
    )
    url = serializers.URLField(help_text=_("The document's language matrix in the API."))

    class Meta:
        ref_name = "PlenaryMeetingDocumentLanguages"


class LanguageCountSerializer(serializers.Serializer):
    language = _language_field()
    required = serializers.BooleanField()  # type: ignore[assignment]
    final = serializers.IntegerField()
    draft = serializers.IntegerField()
    outdated = serializers.IntegerField()
    missing = serializers.IntegerField()

    class Meta:
        ref_name = "PlenaryLanguageCount"


class MeetingLanguagesSerializer(serializers.Serializer):
    meeting = serializers.CharField(help_text=_("The meeting's code."))
    title = serializers.CharField()
    required = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]
    documents = MeetingDocumentLanguagesSerializer(many=True)
    counts = LanguageCountSerializer(
        many=True,
        help_text=_("For each language but English: how many documents are in each state."),
    )

    class Meta:
        ref_name = "PlenaryMeetingLanguages"


# --- Building the answers ---------------------------------------------------------------------


def _language_url(request: Request, document: Document, language: str) -> str:
    return reverse("api:plenary-translation-detail", args=[document.pk, language], request=request)


def document_languages_data(request: Request, document: Document) -> dict[str, Any]:
    row = selectors.document_languages(document)
    languages = []
    for cell in row.cells:
        record = cell.translation
        languages.append(
            {
                "language": cell.language,
                "name": str(cell.name),
                "required": cell.required,
                "state": cell.state,
                "status": record.status if record else None,
                "made_from": record.source_fingerprint if record else None,
                "updated_by": _username(record.updated_by) if record else None,
                "updated_at": record.updated_at if record else None,
                "url": _language_url(request, document, cell.language),
            }
        )
    return {
        "id": document.pk,
        "symbol": document.symbol,
        "title": localized(document, "title", SOURCE_LANGUAGE),
        "source_fingerprint": document.source_fingerprint,
        "languages": languages,
        "required_not_final": selectors.required_languages_final(document),
        "available": [c.language for c in row.cells if c.state in (selectors.SOURCE, "final")],
    }


def _diff_data(diff: selectors.SourceDiff, made_from: str) -> dict[str, Any]:
    return {
        "base_fingerprint": made_from,
        "base_recorded": diff.available,
        "base_created_at": diff.base.created_at if diff.base else None,
        "title_before": diff.old_title if diff.title_changed else None,
        "title_after": diff.current_title if diff.title_changed else None,
        "paragraphs": [
            {
                "kind": line.kind,
                "text": line.text,
                "parts": [{"op": part.op, "text": part.text} for part in line.parts],
            }
            for line in diff.lines
        ],
    }


def translation_data(document: Document, language: str) -> dict[str, Any]:
    document.refresh_from_db()
    state = selectors.language_matrix(document)[language]
    record = (
        DocumentTranslation.objects.select_related("updated_by")
        .filter(document=document, language=language)
        .first()
    )
    diff = None
    if state == selectors.OUTDATED and record is not None:
        source_diff = selectors.source_diff(document, language)
        if source_diff is not None:
            diff = _diff_data(source_diff, record.source_fingerprint)
    return {
        "document": document.pk,
        "symbol": document.symbol,
        "language": language,
        "state": state,
        "status": record.status if record else None,
        "title": getattr(document, field_name("title", language)) or "",
        "body": getattr(document, field_name("body", language)) or "",
        "made_from": record.source_fingerprint if record else None,
        "updated_by": _username(record.updated_by) if record else None,
        "updated_at": record.updated_at if record else None,
        "source": {
            "title": localized(document, "title", SOURCE_LANGUAGE),
            "body": localized(document, "body", SOURCE_LANGUAGE),
            "fingerprint": document.source_fingerprint,
        },
        "source_diff": diff,
    }


# --- Endpoints --------------------------------------------------------------------------------


class DocumentLanguagesApi(APIView):
    """The language matrix of one document: the state of every UN language (English is the
    source), which are required, who saved each last and when, and what publication waits
    for."""

    permission_classes = [IsSecretariat]

    @extend_schema(
        operation_id="plenary_translation_document_languages",
        tags=TAGS,
        responses={200: DocumentLanguagesSerializer, **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        document = _document_or_404(request, pk)
        return Response(
            DocumentLanguagesSerializer(document_languages_data(request, document)).data
        )


class TranslationApi(APIView):
    """One language version of a document. GET gives it beside the current English source
    (for English: the source itself, state "source") and, when it is outdated, what changed in
    the source since it was made. PUT saves it as draft or final, made from the current source:
    an outdated translation saved again is current."""

    permission_classes = [IsSecretariat]

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(
            allow_blank=True,
            max_length=TITLE_MAX_LENGTH,
            help_text=_("The translated title (required when final)."),
            error_messages={
                "required": _("Give the title (it may be empty for a draft)."),
                "max_length": _("The title has at most {max_length} characters."),
            },
        )
        body = serializers.CharField(
            allow_blank=True,
            required=False,
            default="",
            trim_whitespace=False,
            max_length=BODY_MAX_LENGTH,
            help_text=_(
                "The translated body, paragraphs separated by a blank line as in the source "
                "(required when final and the source has a body)."
            ),
            error_messages={"max_length": _("The body has at most {max_length} characters.")},
        )
        status = serializers.ChoiceField(
            choices=TRANSLATION_STATUS_CHOICES,
            help_text=_("draft, or final when checked and ready to be published."),
            error_messages={
                "required": _("Give the status: draft or final."),
                "invalid_choice": _("“{input}” is not a status: use draft or final."),
            },
        )

        class Meta:
            ref_name = "PlenaryTranslationInput"

    @extend_schema(
        operation_id="plenary_translation_get",
        tags=TAGS,
        responses={200: TranslationSerializer, **ERRORS},
    )
    def get(self, request: Request, pk: int, language: str) -> Response:
        language = _language_or_404(language)
        document = _document_or_404(request, pk)
        return Response(TranslationSerializer(translation_data(document, language)).data)

    @extend_schema(
        operation_id="plenary_translation_put",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: OpenApiResponse(
                response=TranslationSerializer,
                description=_("Saved: the translation as it is now (current)."),
            ),
            400: ErrorSerializer,
            **ERRORS,
        },
    )
    def put(self, request: Request, pk: int, language: str) -> Response:
        language = _language_or_404(language)
        document = _document_or_404(request, pk)
        if language == SOURCE_LANGUAGE:
            raise exceptions.ValidationError(
                {
                    "language": [
                        gettext(
                            "English is the source: edit it on the document, not as a translation."
                        )
                    ]
                }
            )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.translation_save(
            document=document, language=language, actor=request.user, **data.validated_data
        )
        return Response(TranslationSerializer(translation_data(document, language)).data)


class MeetingLanguagesApi(APIView):
    """The language matrix of a meeting's documents: each document's state in every
    language, and per language how many documents are final, draft, outdated and missing."""

    permission_classes = [IsSecretariat]

    @extend_schema(
        operation_id="plenary_translation_meeting_languages",
        tags=TAGS,
        responses={200: MeetingLanguagesSerializer, **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        meeting = _meeting_or_404(request, code)
        visible = documents_visible_to(request.user)
        rows = selectors.meeting_matrix(meeting, visible)
        counts = selectors.meeting_counts(meeting, visible)
        body = {
            "meeting": meeting.code,
            "title": meeting.title,
            "required": selectors.required_languages(),
            "documents": [
                {
                    "id": row.document.pk,
                    "symbol": row.document.symbol,
                    "title": localized(row.document, "title", SOURCE_LANGUAGE),
                    "languages": row.states,
                    "url": reverse(
                        "api:plenary-translation-document",
                        args=[row.document.pk],
                        request=request,
                    ),
                }
                for row in rows
            ],
            "counts": [
                {
                    "language": count.language,
                    "required": count.required,
                    **{state: count.counts.get(state, 0) for state in selectors.TRANSLATION_STATES},
                }
                for count in counts
                if count.language != SOURCE_LANGUAGE
            ],
        }
        return Response(MeetingLanguagesSerializer(body).data)
