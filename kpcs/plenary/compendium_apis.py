"""The compendium of KPCS rules and guidance in the API.

- `GET /api/v1/public/compendium/?q=&section=&language=` (no login): the published public
  documents of the compendium, with the title in `language`, the section, whether each is in
  force and which decision superseded it; `q` searches in `language` (full text, symbols).
- `/api/v1/plenary/compendium/…` (secretariat): the whole compendium in any status, and the
  writes: put a document in a section, mark it superseded by a later administrative decision,
  clear that mark (kpcs.plenary.services.compendium; audited; a refusal answers 400 naming the
  field and changes nothing).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch
from django.urls import reverse as django_reverse
from django.utils import translation
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kpcs.accounts.permissions import IsSecretariat
from kpcs.common.api import StandardPagination, error_responses
from kpcs.plenary.models import Document
from kpcs.plenary.selectors import compendium as selectors
from kpcs.plenary.selectors.search import MAX_QUERY_LENGTH, document_search, search_language
from kpcs.plenary.services import compendium as services

TAGS = ["plenary compendium"]
PUBLIC_TAGS = ["public compendium"]
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
_DATE_MESSAGE = _("Enter a real date in the form YYYY-MM-DD, for example 2026-11-06.")


# --- Shapes ----------------------------------------------------------------------------------


class CompendiumDocumentSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    title = serializers.SerializerMethodField(
        help_text=_(
            "In the language asked for where that version is issued (its translation final "
            "and current), else in English."
        )
    )
    kind = serializers.ChoiceField(choices=Document.Kind.choices)
    section = serializers.ChoiceField(
        source="compendium_group",
        choices=Document.CompendiumSection.choices,
        allow_null=True,
        help_text=_("The compendium section (for a revision: that of the document it revises)."),
    )
    date = serializers.DateField()
    status = serializers.ChoiceField(choices=Document.Status.choices)
    in_force = serializers.BooleanField(
        help_text=_("False once a later decision superseded it (from `superseded_on`).")
    )
    superseded_by = serializers.CharField(
        source="superseded_by.symbol",
        allow_null=True,
        default=None,
        help_text=_("The symbol of the administrative decision that superseded it."),
    )
    superseded_on = serializers.DateField(allow_null=True)
    revision_of = serializers.CharField(
        source="revision_of.symbol",
        allow_null=True,
        default=None,
        help_text=_("For a revision or corrigendum: the symbol of the document it revises."),
    )
    revision_kind = serializers.CharField(help_text=_("revision, corrigendum, or empty."))
    versions = serializers.IntegerField(
        source="version_count", help_text=_("How many versions of the English source exist.")
    )
    version_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When the current version of the source was recorded.")
    )
    language = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(
        help_text=_("The document's public page in that language (null while there is none).")
    )

    class Meta:
        ref_name = "CompendiumDocument"

    def _language(self) -> str:
        return str(self.context.get("language") or "en")

    def get_title(self, document: Document) -> str:
        # Annotated by the selector: the language version where it is issued (final and
        # current), else English.
        return str(getattr(document, "display_title", "") or getattr(document, "title_en", ""))

    def get_language(self, document: Document) -> str:
        return self._language()

    def get_url(self, document: Document) -> str | None:
        try:
            with translation.override(self._language()):
                path = django_reverse("documents:detail", kwargs={"symbol": document.symbol})
        except NoReverseMatch:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class CompendiumQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_QUERY_LENGTH,
        help_text=_(
            'Words to search for in `language` (inflected forms match; "quoted phrase", '
            "or, -word), or part of a symbol."
        ),
        error_messages={
            "max_length": _("Search with at most {max_length} characters."),
        },
    )
    section = serializers.ChoiceField(
        required=False,
        choices=Document.CompendiumSection.choices,
        help_text=_("Only this section of the compendium."),
        error_messages={
            "invalid_choice": _(
                "“{input}” is not a section: use core_document, administrative_decisions, "
                "guidance or other."
            )
        },
    )
    language = serializers.ChoiceField(
        required=False,
        choices=settings.LANGUAGES,
        help_text=_("The language of the titles and of the search (default: the request's)."),
        error_messages={
            "invalid_choice": _("“{input}” is not a language: use en, fr, es, ru, zh-hans or ar.")
        },
    )

    class Meta:
        ref_name = "CompendiumQuery"


def _query(request: Request) -> tuple[str, str | None, str]:
    params = CompendiumQuerySerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    data = params.validated_data
    language = data.get("language") or search_language(get_language())
    return data.get("q", ""), data.get("section"), language


def _listing(request: Request, view: APIView, documents: Any, language: str) -> Response:
    paginator = StandardPagination()
    page: list[Document] | None = paginator.paginate_queryset(documents, request, view=view)
    output = CompendiumDocumentSerializer(
        page, many=True, context={"request": request, "language": language}
    )
    return paginator.get_paginated_response(output.data)


class PublicCompendiumListApi(APIView):
    """The compendium's published public documents, by section order of year and number (or
    best match first with `q`)."""

    permission_classes = [AllowAny]
    # _listing pages the answer with this class; declared here so that the schema says so.
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="public_compendium_list",
        tags=PUBLIC_TAGS,
        parameters=[CompendiumQuerySerializer],
        responses={200: CompendiumDocumentSerializer(many=True), **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        q, section, language = _query(request)
        documents = document_search(
            selectors.public_compendium_documents(section=section, language=language), q, language
        )
        return _listing(request, self, documents, language)


# --- The secretariat -------------------------------------------------------------------------


def _document_or_404(pk: int) -> Document:
    document = Document.objects.filter(pk=pk).first()
    if document is None:
        raise exceptions.NotFound(gettext("There is no document number %(id)s.") % {"id": pk})
    return document


def _output(request: Request, document: Document) -> Any:
    language = search_language(get_language())
    fresh = selectors.with_compendium_facts(
        Document.objects.filter(pk=document.pk), language=language
    ).get()
    return CompendiumDocumentSerializer(
        fresh, context={"request": request, "language": language}
    ).data


class CompendiumListApi(APIView):
    """Every document of the compendium in any status (drafts and restricted ones too)."""

    permission_classes = [IsAuthenticated, IsSecretariat]
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="plenary_compendium_list",
        tags=TAGS,
        parameters=[CompendiumQuerySerializer],
        responses={
            200: CompendiumDocumentSerializer(many=True),
            **error_responses(400, 401, 403),
        },
    )
    def get(self, request: Request) -> Response:
        q, section, language = _query(request)
        documents = document_search(
            selectors.compendium_documents(request.user, section=section, language=language),
            q,
            language,
        )
        return _listing(request, self, documents, language)


class SectionInputSerializer(serializers.Serializer):
    section = serializers.ChoiceField(
        choices=Document.CompendiumSection.choices,
        allow_blank=True,
        help_text=_("The section; an empty string takes the document out of the compendium."),
        error_messages={
            "required": _("Give the section (an empty string takes it out of the compendium)."),
            "invalid_choice": _(
                "“{input}” is not a section: use core_document, administrative_decisions, "
                "guidance, other, or an empty string."
            ),
        },
    )

    class Meta:
        ref_name = "CompendiumSectionInput"


class CompendiumSectionApi(APIView):
    """The secretariat puts a document in a section of the compendium (or takes it out)."""

    permission_classes = [IsAuthenticated, IsSecretariat]

    @extend_schema(
        operation_id="plenary_compendium_section_set",
        tags=TAGS,
        request=SectionInputSerializer,
        responses={
            200: CompendiumDocumentSerializer,
            **error_responses(400, 401, 403, 404),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        document = _document_or_404(pk)
        payload = SectionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.compendium_section_set(
            document=document, section=payload.validated_data["section"], actor=request.user
        )
        return Response(_output(request, document))


class SupersessionInputSerializer(serializers.Serializer):
    superseded_by = serializers.CharField(
        max_length=200,
        help_text=_("The symbol of the adopted or published administrative decision."),
        error_messages={
            "required": _("Give the symbol of the decision that supersedes this document."),
            "blank": _("Give the symbol of the decision that supersedes this document."),
        },
    )
    superseded_on = serializers.DateField(
        input_formats=["%Y-%m-%d"],
        help_text=_("YYYY-MM-DD, not before the date of either document."),
        error_messages={
            "invalid": _DATE_MESSAGE,
            "required": _("Give the date from which it is superseded."),
        },
    )

    class Meta:
        ref_name = "CompendiumSupersessionInput"

    def validate_superseded_by(self, symbol: str) -> Document:
        decision = Document.objects.filter(symbol=symbol.strip()).first()
        if decision is None:
            raise serializers.ValidationError(
                gettext("No document has the symbol “%(symbol)s”.") % {"symbol": symbol[:200]}
            )
        return decision


class CompendiumSupersessionApi(APIView):
    """POST: mark the document superseded by a later administrative decision from a date.
    DELETE: clear that mark (the document is in force again)."""

    permission_classes = [IsAuthenticated, IsSecretariat]

    @extend_schema(
        operation_id="plenary_compendium_supersede",
        tags=TAGS,
        request=SupersessionInputSerializer,
        responses={
            200: CompendiumDocumentSerializer,
            **error_responses(400, 401, 403, 404),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        document = _document_or_404(pk)
        payload = SupersessionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.document_supersede(
            document=document,
            superseded_by=payload.validated_data["superseded_by"],
            superseded_on=payload.validated_data["superseded_on"],
            actor=request.user,
        )
        return Response(_output(request, document))

    @extend_schema(
        operation_id="plenary_compendium_supersession_clear",
        tags=TAGS,
        request=None,
        responses={
            200: OpenApiResponse(CompendiumDocumentSerializer, description=_("In force again.")),
            **error_responses(401, 403, 404),
        },
    )
    def delete(self, request: Request, pk: int) -> Response:
        document = _document_or_404(pk)
        services.document_supersession_clear(document=document, actor=request.user)
        return Response(_output(request, document))
