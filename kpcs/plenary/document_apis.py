"""The secretariat's API for meetings and documents, under /api/v1/plenary/ (docs/plenary.md).

Every endpoint is the secretariat's: another caller gets 403 (401 without credentials). Writes
go through kpcs.plenary.services.meetings and .documents, the same rules and messages as the
pages: refused input answers 400 naming the field, and nothing is stored. The English source
of a document changes through TRANSLATIONS' `source_edit` (PATCH with `title`/`body`, and
`minor` to keep the translations current).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from kpcs.accounts.permissions import IsSecretariat
from kpcs.common.api import ErrorSerializer, StandardPagination
from kpcs.participants.models import Observer, Participant, WorkingBody
from kpcs.plenary.models import AgendaItem, Attendance, Document, Meeting
from kpcs.plenary.selectors import documents as document_selectors
from kpcs.plenary.selectors import meetings as meeting_selectors
from kpcs.plenary.selectors.documents import english, suffix
from kpcs.plenary.services import documents as document_services
from kpcs.plenary.services import meetings as meeting_services

MEETING_TAGS = ["plenary meetings"]
DOCUMENT_TAGS = ["plenary documents"]
DATE_MESSAGE = _("Enter a real date in the form YYYY-MM-DD, for example 2026-11-06.")
YEAR_MESSAGES: dict[str, Any] = {
    "invalid": _("Give the year as four digits, e.g. 2026."),
    "min_value": _("Give a year from 2000 to 2100."),
    "max_value": _("Give a year from 2000 to 2100."),
}
ERRORS: dict[int | str, Any] = {
    400: ErrorSerializer,
    401: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
}


def _date(**kwargs: Any) -> serializers.DateField:
    kwargs.setdefault("required", False)
    return serializers.DateField(
        input_formats=["%Y-%m-%d"], error_messages={"invalid": DATE_MESSAGE}, **kwargs
    )


def _choice(choices: Any, message: Any, **kwargs: Any) -> serializers.ChoiceField:
    kwargs["error_messages"] = {"invalid_choice": message, **kwargs.get("error_messages", {})}
    return serializers.ChoiceField(choices=choices, **kwargs)


def _lookup(model: Any, code: str | None, message: str, **filters: Any) -> Any:
    if not code:
        return None
    found = model.objects.filter(code=code.strip().upper(), **filters).first()
    if found is None:
        raise serializers.ValidationError(message % {"code": code[:20]})
    return found


def _participant(code: str | None) -> Participant | None:
    return _lookup(Participant, code, gettext("No participant has the code “%(code)s”."))


def _observer(code: str | None) -> Observer | None:
    return _lookup(Observer, code, gettext("No observer has the code “%(code)s”."))


def _working_body(code: str | None) -> WorkingBody | None:
    return _lookup(WorkingBody, code, gettext("No working body has the acronym “%(code)s”."))


def _meeting(code: str | None) -> Meeting | None:
    if not code:
        return None
    meeting = Meeting.objects.filter(code=code.strip().lower()).first()
    if meeting is None:
        raise serializers.ValidationError(
            gettext("No meeting has the code “%(code)s”.") % {"code": code[:60]}
        )
    return meeting


def _titles_field(**kwargs: Any) -> serializers.DictField:
    return serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=500),
        required=False,
        help_text=_(
            'The title in other languages, by language code, e.g. {"fr": "…", "zh-hans": "…"}; '
            "an empty text removes it."
        ),
        **kwargs,
    )


def _titles(instance: Any) -> dict[str, str | None]:
    return {
        code: getattr(instance, f"title_{suffix(code)}") or None
        for code in meeting_services.OTHER_LANGUAGES
    }


def refuse_unknown(serializer: serializers.Serializer, message: str) -> None:
    """Fields a client sends that this endpoint does not take are refused, not ignored."""
    sent = set(getattr(serializer, "initial_data", {}) or {})
    unknown = sorted(sent - set(serializer.fields))
    if unknown:
        raise serializers.ValidationError({name: [message] for name in unknown})


class SecretariatApiView(APIView):
    permission_classes = [IsSecretariat]


# --- Meetings: shapes ------------------------------------------------------------------------


class AgendaItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField(source="title_en", help_text=_("English."))
    titles = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField(help_text=_("The documents' symbols."))

    class Meta:
        ref_name = "PlenaryAgendaItem"

    @extend_schema_field(serializers.DictField(child=serializers.CharField(allow_null=True)))
    def get_titles(self, item: AgendaItem) -> dict[str, str | None]:
        return _titles(item)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_documents(self, item: AgendaItem) -> list[str]:
        return [document.symbol for document in item.documents.all()]


class AttendanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    participant = serializers.CharField(source="participant.code", allow_null=True, default=None)
    observer = serializers.CharField(source="observer.code", allow_null=True, default=None)
    delegates = serializers.IntegerField()
    head_of_delegation = serializers.CharField()

    class Meta:
        ref_name = "PlenaryAttendance"


class MeetingSerializer(serializers.Serializer):
    code = serializers.SlugField()
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    title = serializers.CharField(source="title_en", help_text=_("English."))
    titles = serializers.SerializerMethodField()
    working_body = serializers.CharField(
        source="working_body.code", allow_null=True, default=None, help_text=_("Its acronym.")
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    venue = serializers.CharField()
    host = serializers.CharField(
        source="host.code", allow_null=True, default=None, help_text=_("The host's code.")
    )
    chair = serializers.CharField()
    agenda = serializers.SerializerMethodField()
    attendance = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField(help_text=_("The meeting's documents."))
    url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "PlenaryMeeting"

    @extend_schema_field(serializers.DictField(child=serializers.CharField(allow_null=True)))
    def get_titles(self, meeting: Meeting) -> dict[str, str | None]:
        return _titles(meeting)

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_agenda(self, meeting: Meeting) -> list[Any]:
        user = self.context["request"].user
        items = meeting_selectors.meeting_agenda(meeting=meeting, user=user)
        return list(AgendaItemSerializer(items, many=True).data)

    @extend_schema_field(AttendanceSerializer(many=True))
    def get_attendance(self, meeting: Meeting) -> list[Any]:
        rows = meeting_selectors.meeting_attendance(meeting=meeting)
        return list(AttendanceSerializer(rows, many=True).data)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_documents(self, meeting: Meeting) -> list[str]:
        user = self.context["request"].user
        documents = meeting_selectors.meeting_documents(meeting=meeting, user=user)
        return [document.symbol for document in documents]

    def get_url(self, meeting: Meeting) -> str:
        return reverse(
            "api:plenary-meeting-detail",
            kwargs={"code": meeting.code},
            request=self.context.get("request"),
        )


class MeetingListItemSerializer(serializers.Serializer):
    code = serializers.SlugField()
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    title = serializers.CharField(source="title_en")
    working_body = serializers.CharField(source="working_body.code", allow_null=True, default=None)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    venue = serializers.CharField()
    url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "PlenaryMeetingListItem"

    def get_url(self, meeting: Meeting) -> str:
        return reverse(
            "api:plenary-meeting-detail",
            kwargs={"code": meeting.code},
            request=self.context.get("request"),
        )


KIND_MESSAGE = _("“{input}” is not a kind of meeting: use plenary, intersessional or working_body.")


class MeetingFilterSerializer(serializers.Serializer):
    kind = _choice(Meeting.Kind.choices, KIND_MESSAGE, required=False)
    year = serializers.IntegerField(
        required=False,
        min_value=meeting_services.FIRST_YEAR,
        max_value=meeting_services.LAST_YEAR,
        error_messages=YEAR_MESSAGES,
        help_text=_("The year the meeting starts."),
    )

    class Meta:
        ref_name = "PlenaryMeetingFilter"


class MeetingInputSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=60,
        help_text=_("Part of the meeting's address, e.g. 2026-plenary."),
        error_messages={"required": _("Give the meeting a code, e.g. 2026-plenary.")},
    )
    kind = _choice(
        Meeting.Kind.choices,
        KIND_MESSAGE,
        error_messages={"required": _("Say which kind of meeting.")},
    )
    title = serializers.CharField(max_length=255, help_text=_("English."))
    titles = _titles_field()
    working_body = serializers.CharField(
        max_length=10, required=False, allow_null=True, help_text=_("Required for working_body.")
    )
    start_date = _date(required=True)
    end_date = _date(required=True)
    venue = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    host = serializers.CharField(
        max_length=10, required=False, allow_null=True, help_text=_("The host participant's code.")
    )
    chair = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "PlenaryMeetingInput"

    def validate_working_body(self, code: str | None) -> WorkingBody | None:
        return _working_body(code)

    def validate_host(self, code: str | None) -> Participant | None:
        return _participant(code)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        refuse_unknown(self, gettext("This is not a field of a meeting."))
        return data


class MeetingPatchSerializer(MeetingInputSerializer):
    """Any of the particulars; the code (part of the meeting's address) stays."""

    code = None  # type: ignore[assignment]
    kind = _choice(Meeting.Kind.choices, KIND_MESSAGE, required=False)
    title = serializers.CharField(max_length=255, required=False)
    start_date = _date()
    end_date = _date()
    venue = serializers.CharField(max_length=255, required=False, allow_blank=True)
    chair = serializers.CharField(max_length=255, required=False, allow_blank=True)

    class Meta:
        ref_name = "PlenaryMeetingPatch"

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        refuse_unknown(
            self, gettext("This cannot be changed here: the code is the meeting's address.")
        )
        return data


def _meeting_or_404(code: str) -> Meeting:
    meeting = Meeting.objects.select_related("working_body", "host").filter(code=code).first()
    if meeting is None:
        raise exceptions.NotFound(gettext("There is no meeting “%(code)s”.") % {"code": code[:60]})
    return meeting


def _meeting_body(request: Request, meeting: Meeting) -> dict[str, Any]:
    meeting = _meeting_or_404(meeting.code)
    return dict(MeetingSerializer(meeting, context={"request": request}).data)


# --- Meetings: endpoints ---------------------------------------------------------------------


class MeetingListApi(SecretariatApiView):
    """GET: every meeting, latest first, filtered by kind and year. POST: a new meeting."""

    pagination_class = StandardPagination

    @extend_schema(
        operation_id="plenary_meeting_list",
        tags=MEETING_TAGS,
        parameters=[MeetingFilterSerializer],
        responses={200: MeetingListItemSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = MeetingFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        meetings = meeting_selectors.meeting_list(user=request.user, **filters.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(meetings, request, view=self)
        output = MeetingListItemSerializer(page, many=True, context={"request": request})
        return paginator.get_paginated_response(output.data)

    @extend_schema(
        operation_id="plenary_meeting_create",
        tags=MEETING_TAGS,
        request=MeetingInputSerializer,
        responses={201: MeetingSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        payload = MeetingInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        meeting = meeting_services.meeting_create(actor=request.user, **payload.validated_data)
        return Response(_meeting_body(request, meeting), status=status.HTTP_201_CREATED)


class MeetingDetailApi(SecretariatApiView):
    """GET: one meeting with its agenda, attendance and documents. PATCH: its particulars."""

    @extend_schema(
        operation_id="plenary_meeting_retrieve",
        tags=MEETING_TAGS,
        responses={200: MeetingSerializer, **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(_meeting_body(request, _meeting_or_404(code)))

    @extend_schema(
        operation_id="plenary_meeting_update",
        tags=MEETING_TAGS,
        request=MeetingPatchSerializer,
        responses={200: MeetingSerializer, **ERRORS},
    )
    def patch(self, request: Request, code: str) -> Response:
        meeting = _meeting_or_404(code)
        payload = MeetingPatchSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        values: dict[str, Any] = {
            "kind": meeting.kind,
            "title": english(meeting),
            "titles": {},
            "working_body": meeting.working_body,
            "start_date": meeting.start_date,
            "end_date": meeting.end_date,
            "venue": meeting.venue,
            "host": meeting.host,
            "chair": meeting.chair,
        }
        values.update(payload.validated_data)
        meeting_services.meeting_update(actor=request.user, meeting=meeting, **values)
        return Response(_meeting_body(request, meeting))


class AgendaItemInputSerializer(serializers.Serializer):
    number = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("Where the item goes (default: at the end); the items after it shift."),
        error_messages={"invalid": _("The number is a whole number, e.g. 3.")},
    )
    title = serializers.CharField(max_length=500, help_text=_("English."))
    titles = _titles_field()
    documents = serializers.ListField(
        child=serializers.CharField(max_length=250),
        required=False,
        help_text=_("The symbols of the documents discussed under the item."),
    )

    class Meta:
        ref_name = "PlenaryAgendaItemInput"

    def validate_documents(self, symbols: list[str]) -> list[Document]:
        wanted = [document_services.normalise_symbol(symbol) for symbol in symbols]
        found = {d.symbol: d for d in Document.objects.filter(symbol__in=wanted)}
        unknown = [symbol for symbol in wanted if symbol not in found]
        if unknown:
            raise serializers.ValidationError(
                gettext("No document has the symbol %(symbols)s.")
                % {"symbols": ", ".join(f"“{symbol[:200]}”" for symbol in unknown[:5])}
            )
        return [found[symbol] for symbol in dict.fromkeys(wanted)]

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        refuse_unknown(self, gettext("This is not a field of an agenda item."))
        return data


class AgendaItemPatchSerializer(AgendaItemInputSerializer):
    title = serializers.CharField(max_length=500, required=False)

    class Meta:
        ref_name = "PlenaryAgendaItemPatch"


class MeetingAgendaApi(SecretariatApiView):
    """POST: add an item to the meeting's agenda (at the end, or at `number`)."""

    @extend_schema(
        operation_id="plenary_meeting_agenda_add",
        tags=MEETING_TAGS,
        request=AgendaItemInputSerializer,
        responses={201: AgendaItemSerializer, **ERRORS},
    )
    def post(self, request: Request, code: str) -> Response:
        meeting = _meeting_or_404(code)
        payload = AgendaItemInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = meeting_services.agenda_item_add(
            actor=request.user, meeting=meeting, **payload.validated_data
        )
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)


class MeetingAgendaItemApi(SecretariatApiView):
    """PATCH: an item's title, documents or number (moving it). DELETE: take it off."""

    def _item(self, code: str, item_id: int) -> AgendaItem:
        meeting = _meeting_or_404(code)
        item = meeting_selectors.agenda_item_get(meeting=meeting, item_id=item_id)
        if item is None:
            raise exceptions.NotFound(gettext("This item is not on this meeting's agenda."))
        return item

    @extend_schema(
        operation_id="plenary_meeting_agenda_update",
        tags=MEETING_TAGS,
        request=AgendaItemPatchSerializer,
        responses={200: AgendaItemSerializer, **ERRORS},
    )
    def patch(self, request: Request, code: str, item_id: int) -> Response:
        item = self._item(code, item_id)
        payload = AgendaItemPatchSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        values: dict[str, Any] = {
            "title": english(item),
            "titles": {},
            "documents": list(item.documents.all()),
        }
        values.update(payload.validated_data)
        item = meeting_services.agenda_item_update(actor=request.user, item=item, **values)
        item.refresh_from_db()
        return Response(AgendaItemSerializer(item).data)

    @extend_schema(
        operation_id="plenary_meeting_agenda_remove",
        tags=MEETING_TAGS,
        responses={204: OpenApiResponse(description=_("Removed.")), **ERRORS},
    )
    def delete(self, request: Request, code: str, item_id: int) -> Response:
        meeting_services.agenda_item_remove(actor=request.user, item=self._item(code, item_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttendanceInputSerializer(serializers.Serializer):
    participant = serializers.CharField(max_length=10, required=False, allow_null=True)
    observer = serializers.CharField(max_length=10, required=False, allow_null=True)
    delegates = serializers.IntegerField(
        required=False,
        default=1,
        error_messages={"invalid": _("The number of delegates is a whole number, e.g. 4.")},
    )
    head_of_delegation = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default=""
    )

    class Meta:
        ref_name = "PlenaryAttendanceInput"

    def validate_participant(self, code: str | None) -> Participant | None:
        return _participant(code)

    def validate_observer(self, code: str | None) -> Observer | None:
        return _observer(code)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        refuse_unknown(self, gettext("This is not a field of a delegation."))
        return data


class MeetingAttendanceApi(SecretariatApiView):
    """POST: a participant's or an observer's delegation (once per meeting)."""

    @extend_schema(
        operation_id="plenary_meeting_attendance_add",
        tags=MEETING_TAGS,
        request=AttendanceInputSerializer,
        responses={201: AttendanceSerializer, **ERRORS},
    )
    def post(self, request: Request, code: str) -> Response:
        meeting = _meeting_or_404(code)
        payload = AttendanceInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        row = meeting_services.attendance_add(
            actor=request.user, meeting=meeting, **payload.validated_data
        )
        return Response(AttendanceSerializer(row).data, status=status.HTTP_201_CREATED)


class MeetingAttendanceItemApi(SecretariatApiView):
    @extend_schema(
        operation_id="plenary_meeting_attendance_remove",
        tags=MEETING_TAGS,
        responses={204: OpenApiResponse(description=_("Removed.")), **ERRORS},
    )
    def delete(self, request: Request, code: str, attendance_id: int) -> Response:
        meeting = _meeting_or_404(code)
        row: Attendance | None = meeting_selectors.attendance_get(
            meeting=meeting, attendance_id=attendance_id
        )
        if row is None:
            raise exceptions.NotFound(
                gettext("This delegation is not on this meeting's attendance.")
            )
        meeting_services.attendance_remove(actor=request.user, attendance=row)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Documents: shapes -----------------------------------------------------------------------

DOCUMENT_KIND_MESSAGE = _("“{input}” is not a kind of document.")
DISTRIBUTION_MESSAGE = _(
    "“{input}” is not a distribution: use public, participants_observers or working_body."
)
SECTION_MESSAGE = _("“{input}” is not a section of the compendium.")


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    symbol = serializers.CharField()
    kind = serializers.ChoiceField(choices=Document.Kind.choices)
    meeting = serializers.CharField(
        source="meeting.code", allow_null=True, default=None, help_text=_("The meeting's code.")
    )
    date = serializers.DateField()
    distribution = serializers.ChoiceField(choices=Document.Distribution.choices)
    working_body = serializers.CharField(source="working_body.code", allow_null=True, default=None)
    status = serializers.ChoiceField(
        choices=Document.Status.choices, help_text=_("draft → adopted → published.")
    )
    adopted_on = serializers.DateField(allow_null=True)
    published_on = serializers.DateField(allow_null=True)
    advance_release = serializers.BooleanField(
        help_text=_("An advance version was released before every required language was final.")
    )
    title = serializers.CharField(source="title_en", help_text=_("The English source."))
    body = serializers.CharField(source="body_en", help_text=_("The English source."))
    compendium_section = serializers.CharField(help_text=_("Empty: not in the compendium."))
    source_fingerprint = serializers.CharField()
    languages = serializers.SerializerMethodField()
    missing_languages = serializers.SerializerMethodField()
    revision_of = serializers.CharField(source="revision_of.symbol", allow_null=True, default=None)
    revision_kind = serializers.CharField(help_text=_("revision, corrigendum, or empty."))
    revisions = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField(help_text=_("The public page (English)."))

    class Meta:
        ref_name = "PlenaryDocument"

    @extend_schema_field(
        serializers.DictField(
            child=serializers.CharField(),
            help_text=_("The state of each language: source, missing, draft, final, outdated."),
        )
    )
    def get_languages(self, document: Document) -> dict[str, str]:
        return document_selectors.language_states(document)

    @extend_schema_field(
        serializers.ListField(
            child=serializers.CharField(),
            help_text=_("The required languages that are not final: publication waits."),
        )
    )
    def get_missing_languages(self, document: Document) -> list[str]:
        if document.status == Document.Status.PUBLISHED:
            return []
        return document_selectors.required_languages_missing(document)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_revisions(self, document: Document) -> list[str]:
        return [revision.symbol for revision in document.revisions.all()]

    def get_url(self, document: Document) -> str:
        return reverse(
            "api:plenary-document-detail",
            kwargs={"pk": document.pk},
            request=self.context.get("request"),
        )

    def get_page(self, document: Document) -> str:
        request = self.context.get("request")
        path = document_selectors.page_url(document.symbol, "en")
        return request.build_absolute_uri(path) if request else path


class DocumentListItemSerializer(DocumentSerializer):
    """A document in a list (without its body)."""

    body = None  # type: ignore[assignment]
    missing_languages = None  # type: ignore[assignment]
    revisions = None  # type: ignore[assignment]

    class Meta:
        ref_name = "PlenaryDocumentListItem"


class DocumentFilterSerializer(serializers.Serializer):
    kind = _choice(Document.Kind.choices, DOCUMENT_KIND_MESSAGE, required=False)
    status = _choice(
        Document.Status.choices,
        _("“{input}” is not a status: use draft, adopted or published."),
        required=False,
    )
    meeting = serializers.CharField(required=False, max_length=60, help_text=_("Its code."))
    q = serializers.CharField(
        required=False,
        max_length=200,
        help_text=_("Words in the symbol or the English title."),
        error_messages={"max_length": _("Search with at most 200 characters.")},
    )

    class Meta:
        ref_name = "PlenaryDocumentFilter"

    def validate_meeting(self, code: str) -> Meeting | None:
        return _meeting(code)


class DocumentInputSerializer(serializers.Serializer):
    symbol = serializers.CharField(
        max_length=250,
        help_text=_("e.g. KP/2026/Plenary/Administrative Decision 1 (spaces are normalised)."),
    )
    kind = _choice(Document.Kind.choices, DOCUMENT_KIND_MESSAGE)
    meeting = serializers.CharField(
        max_length=60, required=False, allow_null=True, help_text=_("The meeting's code.")
    )
    date = _date(required=True)
    distribution = _choice(Document.Distribution.choices, DISTRIBUTION_MESSAGE)
    working_body = serializers.CharField(
        max_length=10,
        required=False,
        allow_null=True,
        help_text=_("For distribution working_body: its acronym."),
    )
    title = serializers.CharField(max_length=500, help_text=_("English."))
    body = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500_000, help_text=_("English.")
    )
    compendium_section = _choice(
        Document.CompendiumSection.choices,
        SECTION_MESSAGE,
        required=False,
        allow_blank=True,
        default="",
    )

    class Meta:
        ref_name = "PlenaryDocumentInput"

    def validate_meeting(self, code: str | None) -> Meeting | None:
        return _meeting(code)

    def validate_working_body(self, code: str | None) -> WorkingBody | None:
        return _working_body(code)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        refuse_unknown(self, gettext("This is not a field of a document."))
        return data


class DocumentPatchSerializer(DocumentInputSerializer):
    """Any of the facts, and the English source (`title`, `body`; `minor`: the change is a
    typo or punctuation, the translations stay current). The symbol changes only on a draft;
    the status through …/status/."""

    symbol = serializers.CharField(max_length=250, required=False)
    kind = _choice(Document.Kind.choices, DOCUMENT_KIND_MESSAGE, required=False)
    date = _date()
    distribution = _choice(Document.Distribution.choices, DISTRIBUTION_MESSAGE, required=False)
    title = serializers.CharField(max_length=500, required=False)
    body = serializers.CharField(required=False, allow_blank=True, max_length=500_000)
    compendium_section = _choice(
        Document.CompendiumSection.choices, SECTION_MESSAGE, required=False, allow_blank=True
    )
    minor = serializers.BooleanField(required=False, default=False)

    class Meta:
        ref_name = "PlenaryDocumentPatch"

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        refuse_unknown(
            self,
            gettext(
                "This cannot be changed here: the status changes through …/status/, "
                "translations through the language endpoints."
            ),
        )
        return data


class StatusInputSerializer(serializers.Serializer):
    action = _choice(
        [(action, action) for action in document_services.ACTIONS],
        _("“{input}” is not an action: use adopt, publish or release_advance."),
        help_text=_(
            "adopt (draft → adopted), publish (adopted → published; refused while a required "
            "language is not final, unless advance), release_advance (an adopted document is "
            "released to its readers before publication)."
        ),
    )
    date = _date(help_text=_("adopt, publish: the date of the decision (default today)."))
    advance = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("publish: publish anyway as an advance version when languages are missing."),
    )

    class Meta:
        ref_name = "PlenaryDocumentStatusInput"


class ReviseInputSerializer(serializers.Serializer):
    kind = _choice(
        Document.RevisionKind.choices,
        _("“{input}” is neither a revision nor a corrigendum."),
        help_text=_("revision (…/Rev.N) or corrigendum (…/Corr.N)."),
    )
    date = _date(help_text=_("The new document's date (default today)."))

    class Meta:
        ref_name = "PlenaryDocumentReviseInput"


def _document_or_404(pk: int) -> Document:
    document = document_selectors.document_for_api(pk=pk)
    if document is None:
        raise exceptions.NotFound(gettext("There is no document number %(id)s.") % {"id": pk})
    return document


def _document_body(request: Request, pk: int) -> dict[str, Any]:
    return dict(DocumentSerializer(_document_or_404(pk), context={"request": request}).data)


# --- Documents: endpoints --------------------------------------------------------------------


class DocumentListApi(SecretariatApiView):
    """GET: every document in every status, filtered. POST: a new draft document."""

    pagination_class = StandardPagination

    @extend_schema(
        operation_id="plenary_document_list",
        tags=DOCUMENT_TAGS,
        parameters=[DocumentFilterSerializer],
        responses={200: DocumentListItemSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = DocumentFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        documents = document_selectors.document_list(**filters.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(documents, request, view=self)
        output = DocumentListItemSerializer(page, many=True, context={"request": request})
        return paginator.get_paginated_response(output.data)

    @extend_schema(
        operation_id="plenary_document_create",
        tags=DOCUMENT_TAGS,
        request=DocumentInputSerializer,
        responses={201: DocumentSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        payload = DocumentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        document = document_services.document_create(actor=request.user, **payload.validated_data)
        return Response(_document_body(request, document.pk), status=status.HTTP_201_CREATED)


class DocumentDetailApi(SecretariatApiView):
    """GET: one document with its English source and the state of each language. PATCH:
    its facts and its English source (through `source_edit`)."""

    @extend_schema(
        operation_id="plenary_document_retrieve",
        tags=DOCUMENT_TAGS,
        responses={200: DocumentSerializer, **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_document_body(request, pk))

    @extend_schema(
        operation_id="plenary_document_update",
        tags=DOCUMENT_TAGS,
        request=DocumentPatchSerializer,
        responses={200: DocumentSerializer, **ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        document = _document_or_404(pk)
        payload = DocumentPatchSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        values: dict[str, Any] = {
            "symbol": document.symbol,
            "kind": document.kind,
            "meeting": document.meeting,
            "date": document.date,
            "distribution": document.distribution,
            "working_body": document.working_body,
            "compendium_section": document.compendium_section,
            "title": english(document),
            "body": english(document, "body"),
            "minor": False,
        }
        values.update(payload.validated_data)
        document_services.document_edit(actor=request.user, document=document, **values)
        return Response(_document_body(request, pk))


class DocumentStatusApi(SecretariatApiView):
    """POST: adopt, publish (or publish an advance version on purpose), or release an
    advance version. A refused move answers 400 and nothing changes; publishing with required
    languages not final names them."""

    @extend_schema(
        operation_id="plenary_document_status",
        tags=DOCUMENT_TAGS,
        request=StatusInputSerializer,
        responses={200: DocumentSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        document = _document_or_404(pk)
        payload = StatusInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        on = data.get("date")
        if on is None and data["action"] != document_services.ACTION_RELEASE_ADVANCE:
            on = timezone.localdate()
        document_services.document_transition(
            actor=request.user,
            document=document,
            action=data["action"],
            on=on,
            advance=data["advance"],
        )
        return Response(_document_body(request, pk))


class DocumentReviseApi(SecretariatApiView):
    """POST: a new draft revision (…/Rev.N) or corrigendum (…/Corr.N) of an adopted or
    published document, a copy of it linked by `revision_of`."""

    @extend_schema(
        operation_id="plenary_document_revise",
        tags=DOCUMENT_TAGS,
        request=ReviseInputSerializer,
        responses={201: DocumentSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        document = _document_or_404(pk)
        payload = ReviseInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        revision = document_services.document_revise(
            actor=request.user, document=document, **payload.validated_data
        )
        return Response(_document_body(request, revision.pk), status=status.HTTP_201_CREATED)
