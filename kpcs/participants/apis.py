"""The public read API for reference data: participants and their standing on a date,
observers, working bodies and chairmanships.

Everything here is public; only the contacts of authorities (names, emails, telephones) are
reserved for authenticated clients (a session, or an API client's `Authorization: Token <key>`).
Names come in the language of the request (Accept-Language), and in all six languages under
`names`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kpcs.common.api import ErrorSerializer, StandardPagination
from kpcs.participants import selectors
from kpcs.participants.models import (
    Authority,
    Observer,
    Participant,
    StatusEvent,
    WorkingBody,
    WorkingBodyMembership,
)

TAGS = ["reference data"]


def contacts_visible_to(user: Any) -> bool:
    """Authorities' contacts are for signed-in people and machine clients with a token (the
    participant page applies the same rule)."""
    return bool(getattr(user, "is_authenticated", False))


def participant_or_404(code: str) -> Participant:
    """The participant with this code, in any letter case; otherwise a 404 saying so."""
    participant = selectors.participant_get(code=code)
    if participant is None:
        raise exceptions.NotFound(
            gettext("No participant has the code “%(code)s”.") % {"code": code.upper()[:10]}
        )
    return participant


# Query parameters ---------------------------------------------------------------------------


class DateQuerySerializer(serializers.Serializer):
    date = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text=_("Standing on this date, as YYYY-MM-DD (default: today)."),
        error_messages={
            "invalid": _("Enter a real date in the form YYYY-MM-DD, for example 2024-06-30.")
        },
    )

    def date_or_today(self) -> dt.date:
        return self.validated_data.get("date") or timezone.localdate()


# Shapes shared by several endpoints -----------------------------------------------------------


class TranslatedNamesSerializer(serializers.Serializer):
    """A name in each of the six languages, keyed by language code (null where missing)."""

    class Meta:
        ref_name = "TranslatedNames"

    def get_fields(self) -> dict[str, serializers.Field]:
        # modeltranslation stores them as name_en, name_fr, ..., name_zh_hans, name_ar.
        return {
            code: serializers.CharField(source=f"name_{code.replace('-', '_')}", allow_null=True)
            for code, _name in settings.LANGUAGES
        }


class StandingSerializer(serializers.Serializer):
    """Standing on a date, from the latest status event on or before it."""

    # Both are null before the participant's first status event (not yet admitted).
    event = serializers.ChoiceField(
        source="event.event", choices=StatusEvent.Event.choices, allow_null=True
    )
    since = serializers.DateField(source="event.date", allow_null=True)
    in_good_standing = serializers.BooleanField()
    # DRF takes declared fields off the class, so `label` does not clash with Field.label.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text=_("The standing in words, in the request's language.")
    )

    class Meta:
        ref_name = "Standing"


class CountrySerializer(serializers.Serializer):
    alpha3 = serializers.CharField()
    alpha2 = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "Country"


class ParticipantRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "ParticipantRef"


class ObserverRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "ObserverRef"


class StatusEventSerializer(serializers.Serializer):
    date = serializers.DateField()
    event = serializers.ChoiceField(choices=StatusEvent.Event.choices)
    date_approximate = serializers.BooleanField()
    decision = serializers.CharField()
    note = serializers.CharField()

    class Meta:
        ref_name = "StatusEvent"


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    position = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()

    class Meta:
        ref_name = "AuthorityContact"


AUTHORITY_FUNCTIONS = {
    "exports": "handles_exports",
    "imports": "handles_imports",
    "statistics": "handles_statistics",
}


class AuthoritySerializer(serializers.Serializer):
    name = serializers.CharField()
    functions = serializers.SerializerMethodField()
    contacts = ContactSerializer(
        many=True,
        required=False,
        help_text=_("Only for authenticated clients; left out otherwise."),
    )

    class Meta:
        ref_name = "Authority"

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=list(AUTHORITY_FUNCTIONS)))
    )
    def get_functions(self, authority: Authority) -> list[str]:
        return [name for name, flag in AUTHORITY_FUNCTIONS.items() if getattr(authority, flag)]

    def to_representation(self, authority: Authority) -> dict[str, Any]:
        data = super().to_representation(authority)
        if not self.context.get("include_contacts", False):
            del data["contacts"]
        return data


def standing_from_annotations(participant: Participant, date: dt.date) -> selectors.Standing:
    """The Standing of a participant from participants_with_standing_on's annotations, without
    another query."""
    event = None
    if participant.standing_event:  # type: ignore[attr-defined]
        event = StatusEvent(
            participant=participant,
            event=participant.standing_event,  # type: ignore[attr-defined]
            date=participant.standing_since,  # type: ignore[attr-defined]
        )
    return selectors.Standing(date=date, event=event)


def standing_data(standing: selectors.Standing) -> dict[str, Any]:
    """StandingSerializer's output, built directly: a serializer per row of a list costs
    more than the rest of the request (DRF deep-copies its fields each time)."""
    event = standing.event
    return {
        "event": event.event if event else None,
        "since": event.date.isoformat() if event else None,
        "in_good_standing": standing.in_good_standing,
        "label": standing.label,
    }


# Participants -----------------------------------------------------------------------------------


class ParticipantListApi(APIView):
    """Participants of the KPCS with their standing on a date (default today), by name."""

    permission_classes = [AllowAny]
    pagination_class = StandardPagination

    class FilterSerializer(DateQuerySerializer):
        kind = serializers.ChoiceField(
            choices=Participant.Kind.choices,
            required=False,
            help_text=_("Only participants of this kind."),
            error_messages={
                "invalid_choice": _(
                    "“{input}” is not a kind of participant: use state, regional_organisation "
                    "or trading_entity."
                )
            },
        )
        standing = serializers.ChoiceField(
            choices=[("good", _("in good standing")), ("not_good", _("not in good standing"))],
            required=False,
            help_text=_("Only participants in (good) or not in (not_good) good standing."),
            error_messages={
                "invalid_choice": _("“{input}” is not a standing: use good or not_good.")
            },
        )
        search = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=100,
            help_text=_("A code (alpha-3 or alpha-2) or part of a name."),
        )

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        iso2 = serializers.CharField(help_text=_("ISO alpha-2 prefix of its certificate numbers."))
        name = serializers.CharField(help_text=_("In the request's language (Accept-Language)."))
        names = TranslatedNamesSerializer(source="*")
        kind = serializers.ChoiceField(choices=Participant.Kind.choices)
        admitted_on = serializers.DateField(allow_null=True)
        admission_date_known = serializers.BooleanField()
        standing = serializers.SerializerMethodField()
        url = serializers.HyperlinkedIdentityField(
            view_name="api:participant-detail", lookup_field="code"
        )

        class Meta:
            ref_name = "Participant"

        @extend_schema_field(StandingSerializer)
        def get_standing(self, participant: Participant) -> dict[str, Any]:
            return standing_data(standing_from_annotations(participant, self.context["date"]))

    @extend_schema(
        operation_id="participant_list",
        tags=TAGS,
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        date = filters.date_or_today()
        participants = selectors.participant_list(
            date=date,
            search=filters.validated_data.get("search", ""),
            kind=filters.validated_data.get("kind", ""),
            standing=filters.validated_data.get("standing", ""),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(participants, request, view=self)
        output = self.OutputSerializer(page, many=True, context={"request": request, "date": date})
        return paginator.get_paginated_response(output.data)


class ParticipantDetailApi(APIView):
    """One participant: its standing on a date (default today), member countries (for the
    European Union), status history, years as KP Chair and authorities."""

    permission_classes = [AllowAny]

    class OutputSerializer(ParticipantListApi.OutputSerializer):
        member_countries = CountrySerializer(many=True)
        status_history = serializers.SerializerMethodField()
        chair_years = serializers.SerializerMethodField()
        authorities = serializers.SerializerMethodField()

        class Meta:
            ref_name = "ParticipantDetail"

        @extend_schema_field(StandingSerializer)
        def get_standing(self, participant: Participant) -> dict[str, Any]:
            return standing_data(self.context["standing"])

        @extend_schema_field(StatusEventSerializer(many=True))
        def get_status_history(self, participant: Participant) -> list[dict[str, Any]]:
            return list(StatusEventSerializer(self.context["history"], many=True).data)

        @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
        def get_chair_years(self, participant: Participant) -> list[int]:
            return list(self.context["chair_years"])

        @extend_schema_field(AuthoritySerializer(many=True))
        def get_authorities(self, participant: Participant) -> list[dict[str, Any]]:
            authorities = AuthoritySerializer(
                self.context["authorities"], many=True, context=self.context
            )
            return list(authorities.data)

    @extend_schema(
        operation_id="participant_retrieve",
        tags=TAGS,
        parameters=[DateQuerySerializer],
        responses={200: OutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, code: str) -> Response:
        query = DateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        participant = participant_or_404(code)
        context = {
            "request": request,
            "standing": selectors.participant_standing_on(
                participant=participant, date=query.date_or_today()
            ),
            "history": selectors.participant_status_history(participant=participant),
            "chair_years": participant.chair_years.order_by("-year").values_list("year", flat=True),
            "authorities": selectors.authorities_of(participant=participant),
            "include_contacts": contacts_visible_to(request.user),
        }
        return Response(self.OutputSerializer(participant, context=context).data)


class ParticipantStandingApi(APIView):
    """Participant X's standing on date D: may it trade, and is it restricted to compliant
    zones? Certificates and statistics check against this."""

    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        participant = serializers.SerializerMethodField()
        date = serializers.DateField()
        # Both are null before the participant's first status event (not yet admitted).
        event = serializers.ChoiceField(
            source="event.event", choices=StatusEvent.Event.choices, allow_null=True
        )
        since = serializers.DateField(source="event.date", allow_null=True)
        is_participant = serializers.BooleanField(
            help_text=_("False before admission and after removal or withdrawal.")
        )
        in_good_standing = serializers.BooleanField()
        restricted_to_compliant_zones = serializers.BooleanField()
        label = serializers.CharField(  # type: ignore[assignment]
            help_text=_("The standing in words, in the request's language.")
        )

        class Meta:
            ref_name = "ParticipantStanding"

        def get_participant(self, standing: selectors.Standing) -> str:
            return self.context["participant"].code

    @extend_schema(
        operation_id="participant_standing_retrieve",
        tags=TAGS,
        parameters=[DateQuerySerializer],
        responses={200: OutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, code: str) -> Response:
        query = DateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        participant = participant_or_404(code)
        standing = selectors.participant_standing_on(
            participant=participant, date=query.date_or_today()
        )
        output = self.OutputSerializer(standing, context={"participant": participant})
        return Response(output.data)


# Observers, working bodies, chairmanships -----------------------------------------------------


class ObserverListApi(APIView):
    """Observers of the KPCS (industry, civil society, independent observers), by name."""

    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField(help_text=_("In the request's language (Accept-Language)."))
        names = TranslatedNamesSerializer(source="*")
        kind = serializers.ChoiceField(choices=Observer.Kind.choices)
        since = serializers.DateField(allow_null=True)

        class Meta:
            ref_name = "Observer"

    @extend_schema(
        operation_id="observer_list", tags=TAGS, responses={200: OutputSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(selectors.observer_list(), many=True).data)


class WorkingBodyMembershipSerializer(serializers.Serializer):
    # Exactly one of participant and observer is set.
    participant = ParticipantRefSerializer(allow_null=True)
    observer = ObserverRefSerializer(allow_null=True)
    role = serializers.ChoiceField(choices=WorkingBodyMembership.Role.choices)
    year_from = serializers.IntegerField()
    year_to = serializers.IntegerField(allow_null=True)

    class Meta:
        ref_name = "WorkingBodyMembership"


class WorkingBodyListApi(APIView):
    """Working groups and committees, with who sits in them, by acronym."""

    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField(help_text=_("In the request's language (Accept-Language)."))
        names = TranslatedNamesSerializer(source="*")
        kind = serializers.ChoiceField(choices=WorkingBody.Kind.choices)
        open_to_observers = serializers.BooleanField()
        # Prefetched by the selector, in the model's order (role, then first year).
        memberships = WorkingBodyMembershipSerializer(many=True)

        class Meta:
            ref_name = "WorkingBody"

    @extend_schema(
        operation_id="working_body_list", tags=TAGS, responses={200: OutputSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(selectors.working_body_list(), many=True).data)


class ChairmanshipListApi(APIView):
    """Who chaired the KP each year, and the vice-chair, newest first."""

    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        year = serializers.IntegerField()
        chair = ParticipantRefSerializer()
        vice_chair = ParticipantRefSerializer(allow_null=True)
        note = serializers.CharField()

        class Meta:
            ref_name = "Chairmanship"

    @extend_schema(
        operation_id="chairmanship_list", tags=TAGS, responses={200: OutputSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(selectors.chairmanship_list(), many=True).data)
