"""The recommendations of a visit in the API, below /api/v1/reviews/visits/<visit_id>/
recommendations/ (docs/reviews.md).

A visit the caller may not see answers 404 at every level (the public reads a published
visit's recommendations without logging in). Responses, assessments and evidence are shown to
those who may see the visit's working papers (`history` is null for the others). Writes go
through kpcs.reviews.services.recommendations: the secretariat or the team's lead writes and
edits (until someone answers), the reviewed participant's authority responds with evidence
(multipart), the secretariat assesses; a forbidden action answers 403, a refused one 400 naming
the field, and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch
from django.urls import reverse as django_reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from kpcs.common.api import ErrorSerializer, StandardPagination
from kpcs.reviews.models import (
    EvidenceFile,
    Recommendation,
    RecommendationUpdate,
    RequirementArea,
    ReviewVisit,
)
from kpcs.reviews.selectors import recommendations as selectors
from kpcs.reviews.selectors.access import can_see_working_papers, visit_visible_to
from kpcs.reviews.services import recommendations as services

TAGS = ["review recommendations"]
_DATE_MESSAGE = _("Enter a real date in the form YYYY-MM-DD, for example 2027-06-30.")


def _visit_or_404(request: Request, visit_id: int) -> ReviewVisit:
    visit = visit_visible_to(request.user, visit_id)
    if visit is None:
        raise exceptions.NotFound(
            gettext("There is no review visit number %(id)s for you.") % {"id": visit_id}
        )
    return visit


def _recommendation_or_404(visit: ReviewVisit, number: int) -> Recommendation:
    recommendation = selectors.recommendation_get(visit=visit, number=number)
    if recommendation is None:
        raise exceptions.NotFound(
            gettext("The visit has no recommendation %(number)s.") % {"number": number}
        )
    return recommendation


# --- Shapes ----------------------------------------------------------------------------------


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text=_("Bytes."))
    download_url = serializers.SerializerMethodField(
        help_text=_("Where the file is downloaded (after the same access check).")
    )

    class Meta:
        ref_name = "RecommendationEvidence"

    def get_download_url(self, evidence: EvidenceFile) -> str | None:
        visit_id = self.context["visit_id"]
        try:
            path = django_reverse(
                "reviews:evidence", kwargs={"visit_id": visit_id, "evidence_id": evidence.pk}
            )
        except NoReverseMatch:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class UpdateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RecommendationUpdate.Kind.choices)
    assessment = serializers.ChoiceField(
        choices=RecommendationUpdate.Assessment.choices,
        allow_blank=True,
        help_text=_("For an assessment: implemented, partly_implemented or not_implemented."),
    )
    text = serializers.CharField()
    author = serializers.CharField(source="author.username")
    created_at = serializers.DateTimeField()
    evidence = EvidenceSerializer(many=True, source="evidence.all")

    class Meta:
        ref_name = "RecommendationUpdate"


class RecommendationSerializer(serializers.Serializer):
    visit = serializers.IntegerField(source="visit_id")
    number = serializers.IntegerField()
    area = serializers.ChoiceField(choices=RequirementArea.choices)
    text = serializers.CharField()
    priority = serializers.ChoiceField(choices=Recommendation.Priority.choices)
    due_on = serializers.DateField()
    owner = serializers.CharField()
    status = serializers.ChoiceField(
        choices=Recommendation.Status.choices,
        help_text=_(
            "open → answered (a response) → implemented, partly_implemented or "
            "not_implemented (an assessment); the last two are answered again."
        ),
    )
    overdue = serializers.BooleanField(
        source="is_overdue", help_text=_("Past its due date and not implemented.")
    )
    history = serializers.SerializerMethodField(
        help_text=_(
            "Responses and assessments, oldest first, with their evidence; null unless you "
            "may see the visit's working papers."
        )
    )
    url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ReviewRecommendation"

    @extend_schema_field(UpdateSerializer(many=True, allow_null=True))
    def get_history(self, recommendation: Recommendation) -> list[dict[str, Any]] | None:
        if not self.context.get("history_visible"):
            return None
        return list(
            UpdateSerializer(
                recommendation.updates.all(),
                many=True,
                context={**self.context, "visit_id": recommendation.visit_id},
            ).data
        )

    def get_url(self, recommendation: Recommendation) -> str:
        return reverse(
            "api:review-recommendation-detail",
            kwargs={"visit_id": recommendation.visit_id, "number": recommendation.number},
            request=self.context.get("request"),
        )


def _output(request: Request, visit: ReviewVisit, recommendation: Recommendation) -> Any:
    fresh = _recommendation_or_404(visit, recommendation.number)
    context = {"request": request, "history_visible": can_see_working_papers(request.user, visit)}
    return RecommendationSerializer(fresh, context=context).data


class RecommendationInputSerializer(serializers.Serializer):
    area = serializers.ChoiceField(
        choices=RequirementArea.choices,
        error_messages={
            "required": _("Give the requirement area the recommendation is about."),
            "invalid_choice": _("“{input}” is not a requirement area."),
        },
    )
    text = serializers.CharField(
        error_messages={
            "required": _("Write the recommendation."),
            "blank": _("Write the recommendation."),
        }
    )
    priority = serializers.ChoiceField(
        choices=Recommendation.Priority.choices,
        default=Recommendation.Priority.MEDIUM,
        error_messages={
            "invalid_choice": _("“{input}” is not a priority: use high, medium or low.")
        },
    )
    due_on = serializers.DateField(
        input_formats=["%Y-%m-%d"],
        help_text=_("YYYY-MM-DD, not before the visit's invitation date."),
        error_messages={"invalid": _DATE_MESSAGE, "required": _("Give the due date.")},
    )
    owner = serializers.CharField(
        max_length=services.MAX_OWNER_LENGTH,
        help_text=_("The body at the participant that is to act on it."),
        error_messages={
            "required": _("Name the owner: the body at the participant that is to act on it."),
            "blank": _("Name the owner: the body at the participant that is to act on it."),
        },
    )

    class Meta:
        ref_name = "ReviewRecommendationInput"


class RecommendationListApi(APIView):
    """GET: the visit's recommendations by number. POST: the secretariat or the team's lead
    writes one (from the draft report until publication); it is numbered next."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="review_recommendation_list",
        tags=TAGS,
        responses={
            200: RecommendationSerializer(many=True),
            400: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def get(self, request: Request, visit_id: int) -> Response:
        visit = _visit_or_404(request, visit_id)
        history_visible = can_see_working_papers(request.user, visit)
        recommendations = selectors.recommendation_list(visit=visit, with_history=history_visible)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(recommendations, request, view=self)
        output = RecommendationSerializer(
            page, many=True, context={"request": request, "history_visible": history_visible}
        )
        return paginator.get_paginated_response(output.data)

    @extend_schema(
        operation_id="review_recommendation_create",
        tags=TAGS,
        request=RecommendationInputSerializer,
        responses={
            201: OpenApiResponse(RecommendationSerializer, description=_("Recorded.")),
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def post(self, request: Request, visit_id: int) -> Response:
        visit = _visit_or_404(request, visit_id)
        refusal = selectors.why_not_create(request.user, visit)
        if refusal is not None and refusal.forbidden:
            raise exceptions.PermissionDenied(refusal.message)
        payload = RecommendationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        recommendation = services.recommendation_create(
            actor=request.user, visit=visit, **payload.validated_data
        )
        return Response(_output(request, visit, recommendation), status=status.HTTP_201_CREATED)


class RecommendationPatchSerializer(RecommendationInputSerializer):
    class Meta:
        ref_name = "ReviewRecommendationPatch"


class RecommendationDetailApi(APIView):
    """GET: one recommendation with its history. PATCH: the secretariat or the team's lead
    changes it while nobody has responded to or assessed it."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="review_recommendation_retrieve",
        tags=TAGS,
        responses={200: RecommendationSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, visit_id: int, number: int) -> Response:
        visit = _visit_or_404(request, visit_id)
        return Response(_output(request, visit, _recommendation_or_404(visit, number)))

    @extend_schema(
        operation_id="review_recommendation_update",
        tags=TAGS,
        request=RecommendationPatchSerializer(partial=True),
        responses={
            200: RecommendationSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def patch(self, request: Request, visit_id: int, number: int) -> Response:
        visit = _visit_or_404(request, visit_id)
        recommendation = _recommendation_or_404(visit, number)
        refusal = selectors.why_not_edit(request.user, recommendation)
        if refusal is not None and refusal.forbidden:
            raise exceptions.PermissionDenied(refusal.message)
        payload = RecommendationPatchSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.recommendation_edit(
            actor=request.user, recommendation=recommendation, changes=payload.validated_data
        )
        return Response(_output(request, visit, recommendation))


class ResponseInputSerializer(serializers.Serializer):
    text = serializers.CharField(
        help_text=_("What was done, and what remains to be done."),
        error_messages={
            "required": _("Write your response: what was done, and what remains."),
            "blank": _("Write your response: what was done, and what remains."),
        },
    )
    evidence = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=services.MAX_EVIDENCE_FILES,
        help_text=_(
            "Evidence files (repeat the field for several): PDF, images or office documents; "
            "the type is read from the content and the size limited."
        ),
    )

    class Meta:
        ref_name = "ReviewRecommendationResponseInput"


class RecommendationResponseApi(APIView):
    """The reviewed participant's authority responds, with evidence files (multipart): the
    recommendation becomes answered. A bad file refuses the whole response."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="review_recommendation_respond",
        tags=TAGS,
        request={"multipart/form-data": ResponseInputSerializer},
        responses={
            201: OpenApiResponse(
                RecommendationSerializer, description=_("Recorded: the recommendation.")
            ),
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def post(self, request: Request, visit_id: int, number: int) -> Response:
        visit = _visit_or_404(request, visit_id)
        recommendation = _recommendation_or_404(visit, number)
        refusal = selectors.why_not_respond(request.user, recommendation)
        if refusal is not None and refusal.forbidden:
            raise exceptions.PermissionDenied(refusal.message)
        payload = ResponseInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.recommendation_respond(
            actor=request.user,
            recommendation=recommendation,
            text=payload.validated_data["text"],
            files=payload.validated_data["evidence"],
        )
        return Response(_output(request, visit, recommendation), status=status.HTTP_201_CREATED)


class AssessmentInputSerializer(serializers.Serializer):
    assessment = serializers.ChoiceField(
        choices=RecommendationUpdate.Assessment.choices,
        error_messages={
            "required": _(
                "Choose the assessment: implemented, partly_implemented or not_implemented."
            ),
            "invalid_choice": _(
                "“{input}” is not an assessment: use implemented, partly_implemented or "
                "not_implemented."
            ),
        },
    )
    text = serializers.CharField(
        error_messages={
            "required": _("Write the assessment: why it is (or is not) implemented."),
            "blank": _("Write the assessment: why it is (or is not) implemented."),
        }
    )
    due_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        input_formats=["%Y-%m-%d"],
        help_text=_("A new due date, only with partly_implemented or not_implemented."),
        error_messages={"invalid": _DATE_MESSAGE},
    )

    class Meta:
        ref_name = "ReviewRecommendationAssessmentInput"


class RecommendationAssessmentApi(APIView):
    """The secretariat assesses: implemented closes the follow-up; partly or not implemented
    keeps it open for another response (optionally with a new due date)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        operation_id="review_recommendation_assess",
        tags=TAGS,
        request=AssessmentInputSerializer,
        responses={
            201: OpenApiResponse(
                RecommendationSerializer, description=_("Recorded: the recommendation.")
            ),
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def post(self, request: Request, visit_id: int, number: int) -> Response:
        visit = _visit_or_404(request, visit_id)
        recommendation = _recommendation_or_404(visit, number)
        refusal = selectors.why_not_assess(request.user, recommendation)
        if refusal is not None and refusal.forbidden:
            raise exceptions.PermissionDenied(refusal.message)
        payload = AssessmentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.recommendation_assess(
            actor=request.user, recommendation=recommendation, **payload.validated_data
        )
        return Response(_output(request, visit, recommendation), status=status.HTTP_201_CREATED)
