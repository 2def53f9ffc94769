"""The public documents API, /api/v1/public/documents/ (keep the name): released documents
with their title in the language asked for, the languages they are issued in, the link to
their page and to each ready PDF.

Without credentials it lists the public documents that are published (or released in advance
by the secretariat); a caller with a token sees, in the same way, what its distribution allows
(participants and observers, the working bodies it sits on) — the same rule as the pages
(`access.documents_visible_to`). A document outside that answers 404. Query parameters are
checked: a bad one answers 400 naming it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kpcs.common.api import ErrorSerializer, StandardPagination
from kpcs.plenary.models import Document, DocumentPackFile
from kpcs.plenary.selectors import documents as selectors
from kpcs.plenary.selectors.documents import LANGUAGE_CODES, SOURCE_LANGUAGE, current_language
from kpcs.plenary.services.documents import FIRST_YEAR, LAST_YEAR, normalise_symbol

TAGS = ["public documents"]
LANGUAGE_MESSAGE = _(
    "“{input}” is not a language of the documents: use en, fr, es, ru, zh-hans or ar."
)


class PublicDocumentFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=Document.Kind.choices,
        required=False,
        error_messages={"invalid_choice": _("“{input}” is not a kind of document.")},
    )
    year = serializers.IntegerField(
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text=_("The year of the document's date."),
        error_messages={
            "invalid": _("Give the year as four digits, e.g. 2026."),
            "min_value": _("Give a year from 2000 to 2100."),
            "max_value": _("Give a year from 2000 to 2100."),
        },
    )
    q = serializers.CharField(
        required=False,
        max_length=200,
        help_text=_("Words to search for (full-text, in the language asked for)."),
        error_messages={"max_length": _("Search with at most 200 characters.")},
    )
    language = serializers.ChoiceField(
        choices=[(code, code) for code in LANGUAGE_CODES],
        required=False,
        help_text=_(
            "The language of the titles, links and search (default: the request's language, "
            "else English). A document not issued in it gives its English title."
        ),
        error_messages={"invalid_choice": LANGUAGE_MESSAGE},
    )

    class Meta:
        ref_name = "PublicDocumentFilter"


class PublicDocumentLanguageSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=[(code, code) for code in LANGUAGE_CODES],
        required=False,
        error_messages={"invalid_choice": LANGUAGE_MESSAGE},
        help_text=_("The language of the text (default: the request's language, else English)."),
    )

    class Meta:
        ref_name = "PublicDocumentLanguage"


class PublicDocumentSerializer(serializers.Serializer):
    symbol = serializers.CharField(help_text=_("The same in every language."))
    title = serializers.SerializerMethodField()
    title_language = serializers.SerializerMethodField(
        help_text=_("The language of `title`: the one asked for, or en when not issued in it.")
    )
    kind = serializers.ChoiceField(choices=Document.Kind.choices)
    date = serializers.DateField()
    status = serializers.ChoiceField(
        choices=Document.Status.choices,
        help_text=_("published, or adopted for an advance version."),
    )
    published_on = serializers.DateField(allow_null=True)
    advance_release = serializers.BooleanField(
        help_text=_("Released before every required language was final.")
    )
    meeting = serializers.CharField(source="meeting.code", allow_null=True, default=None)
    languages = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "PublicDocument"

    def _language(self, document: Document) -> str:
        wanted: str = self.context["language"]
        return wanted if wanted in selectors.issued_languages(document) else SOURCE_LANGUAGE

    def get_title(self, document: Document) -> str:
        return selectors.text_in(document, self._language(document))[0]

    def get_title_language(self, document: Document) -> str:
        return self._language(document)

    @extend_schema_field(
        serializers.ListField(
            child=serializers.CharField(),
            help_text=_("en and every language whose version is final and current."),
        )
    )
    def get_languages(self, document: Document) -> list[str]:
        return selectors.issued_languages(document)

    @extend_schema_field(
        serializers.DictField(
            child=serializers.URLField(),
            help_text=_("The ready PDF of each language, by language code (only those ready)."),
        )
    )
    def get_pdf(self, document: Document) -> dict[str, str]:
        files: dict[int, dict[str, DocumentPackFile]] = self.context["pdfs"]
        request: Request = self.context["request"]
        page_language: str = self.context["language"]
        return {
            code: request.build_absolute_uri(
                selectors.pdf_url(document.symbol, code, page_language=page_language)
            )
            for code in LANGUAGE_CODES
            if code in files.get(document.pk, {})
        }

    def get_url(self, document: Document) -> str:
        request: Request = self.context["request"]
        return request.build_absolute_uri(
            selectors.page_url(document.symbol, self.context["language"])
        )


class PublicDocumentDetailSerializer(PublicDocumentSerializer):
    body = serializers.SerializerMethodField(
        help_text=_(
            "In `title_language`: paragraphs separated by a blank line (numbered when shown), "
            "# headings, | table rows. Plain text: escape it when showing it."
        )
    )
    revision_of = serializers.SerializerMethodField()
    revisions = serializers.SerializerMethodField()

    class Meta:
        ref_name = "PublicDocumentDetail"

    def get_body(self, document: Document) -> str:
        return selectors.text_in(document, self._language(document))[1]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_revision_of(self, document: Document) -> str | None:
        relations = self.context["relations"]
        return relations.revision_of.symbol if relations.revision_of else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_revisions(self, document: Document) -> list[str]:
        return [revision.symbol for revision in self.context["relations"].revisions]


def _language(value: str | None) -> str:
    return value or current_language()


class PublicDocumentListApi(APIView):
    """GET: the released documents you may read (without a login: the public ones), latest
    first, filtered by kind, year and words."""

    permission_classes = [AllowAny]
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="public_document_list",
        tags=TAGS,
        parameters=[PublicDocumentFilterSerializer],
        responses={200: PublicDocumentSerializer(many=True), 400: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        filters = PublicDocumentFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = dict(filters.validated_data)
        language = _language(values.pop("language", None))
        documents = selectors.public_document_list(
            user=request.user, language=language, **values
        ).select_related("meeting")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(documents, request, view=self)
        context: dict[str, Any] = {
            "request": request,
            "language": language,
            "pdfs": selectors.ready_pdfs(page or []),
        }
        output = PublicDocumentSerializer(page, many=True, context=context)
        return paginator.get_paginated_response(output.data)


class PublicDocumentDetailApi(APIView):
    """GET: one released document you may read, by its symbol, with its text in the language
    asked for (English when not issued in it)."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="public_document_retrieve",
        tags=TAGS,
        parameters=[PublicDocumentLanguageSerializer],
        responses={200: PublicDocumentDetailSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, symbol: str) -> Response:
        params = PublicDocumentLanguageSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        language = _language(params.validated_data.get("language"))
        symbol = normalise_symbol(symbol)
        document = selectors.released_document_by_symbol(user=request.user, symbol=symbol)
        if document is None:
            raise exceptions.NotFound(
                gettext("There is no document “%(symbol)s” for you.") % {"symbol": symbol[:200]}
            )
        context: dict[str, Any] = {
            "request": request,
            "language": language,
            "pdfs": selectors.ready_pdfs([document]),
            "relations": selectors.relations(document, user=request.user),
        }
        return Response(PublicDocumentDetailSerializer(document, context=context).data)
