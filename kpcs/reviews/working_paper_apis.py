"""The API of a visit's working papers, below /api/v1/reviews/visits/<visit_id>/.

Findings (with their evidence files), report versions and the reviewed participant's comments
hang below a visit; a visit the caller may not see answers 404 at every level, and so do the
findings, drafts and comments of a visit whose working papers the caller may not see (the
public sees a published visit's final report alone). What the caller may do is decided by the
services (kpcs.reviews.services.working_papers), the same as the pages: 403 for a forbidden
action on a visible visit, 400 naming each field at fault with nothing stored.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from kpcs.common.api import ErrorSerializer, StandardPagination, file_responses
from kpcs.common.uploads import CONTENT_TYPES, EVIDENCE_KINDS, document_response
from kpcs.reviews.models import (
    EvidenceFile,
    Finding,
    ReportComment,
    ReportVersion,
    RequirementArea,
    ReviewVisit,
)
from kpcs.reviews.selectors import working_papers as papers
from kpcs.reviews.selectors.access import (
    is_reviewed_participant,
    is_team_lead,
    is_team_member,
    visit_visible_to,
)
from kpcs.reviews.services import working_papers as services

TAGS = ["review working papers"]

_AREA_MESSAGES: dict[str, Any] = {
    "required": _("Choose the requirement area (area) the finding is about."),
    "invalid_choice": _(
        "“{input}” is not a requirement area: use legislation, import_export, "
        "internal_controls, statistics, certificates or enforcement."
    ),
}
_RATING_MESSAGES: dict[str, Any] = {
    "required": _("Choose a rating (met, partly met or not met)."),
    "invalid_choice": _("“{input}” is not a rating: use met, partly_met or not_met."),
}


# --- Access -------------------------------------------------------------------------------------


def _visit_missing(visit_id: int) -> exceptions.NotFound:
    return exceptions.NotFound(
        gettext("There is no review visit number %(id)s for you.") % {"id": visit_id}
    )


def _papers_visit_or_404(request: Request, visit_id: int) -> ReviewVisit:
    visit = papers.visit_for_papers(user=request.user, visit_id=visit_id)
    if visit is None:
        raise _visit_missing(visit_id)
    return visit


def _visible_visit_or_404(request: Request, visit_id: int) -> ReviewVisit:
    visit = visit_visible_to(request.user, visit_id)
    if visit is None:
        raise _visit_missing(visit_id)
    return visit


def _refuse_unless(allowed: bool, message: str) -> None:
    """Who may write is decided before the body is read: a caller without the right learns
    nothing from the validation messages (the services check it again)."""
    if not allowed:
        raise exceptions.PermissionDenied(message)


def _finding_or_404(visit: ReviewVisit, finding_id: int) -> Finding:
    finding = papers.finding_get(visit=visit, finding_id=finding_id)
    if finding is None:
        raise exceptions.NotFound(
            gettext("There is no finding number %(id)s on this visit.") % {"id": finding_id}
        )
    return finding


def _version_or_404(request: Request, visit: ReviewVisit, number: int) -> ReportVersion:
    version = papers.report_version_get(user=request.user, visit=visit, number=number)
    if version is None:
        raise exceptions.NotFound(
            gettext("There is no version %(number)s of this report for you.") % {"number": number}
        )
    return version


# --- Shapes ---------------------------------------------------------------------------------------


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text=_("In bytes."))
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text=_("Where to download the file."))

    class Meta:
        ref_name = "ReviewEvidence"

    def get_url(self, evidence: EvidenceFile) -> str:
        finding = evidence.finding
        assert finding is not None
        return reverse(
            "api:review-visit-finding-evidence",
            kwargs={
                "visit_id": finding.visit_id,
                "finding_id": finding.pk,
                "evidence_id": evidence.pk,
            },
            request=self.context.get("request"),
        )


class FindingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    area = serializers.ChoiceField(choices=RequirementArea.choices)
    area_label = serializers.CharField(source="get_area_display")
    rating = serializers.ChoiceField(choices=Finding.Rating.choices)
    rating_label = serializers.CharField(source="get_rating_display")
    text = serializers.CharField()
    author = serializers.CharField(source="author.username", help_text=_("Who filed it."))
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    evidence = EvidenceSerializer(many=True)
    url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ReviewFinding"

    def get_url(self, finding: Finding) -> str:
        return reverse(
            "api:review-visit-finding-detail",
            kwargs={"visit_id": finding.visit_id, "finding_id": finding.pk},
            request=self.context.get("request"),
        )


class FindingInputSerializer(serializers.Serializer):
    area = serializers.ChoiceField(choices=RequirementArea.choices, error_messages=_AREA_MESSAGES)
    rating = serializers.ChoiceField(
        choices=Finding.Rating.choices, error_messages=_RATING_MESSAGES
    )
    text = serializers.CharField(
        max_length=services.MAX_TEXT,
        error_messages={
            "required": _("Write the finding (text)."),
            "blank": _("Write the finding (text)."),
        },
    )
    evidence = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        required=False,
        help_text=_(
            "Evidence files (repeat the form field for several): PDF, images or office "
            "documents, checked by content; at most REVIEW_UPLOAD_MAX_MB each."
        ),
    )

    class Meta:
        ref_name = "ReviewFindingInput"


class FindingPatchSerializer(FindingInputSerializer):
    """The fields to change (any of them); evidence files are added to those filed."""

    class Meta:
        ref_name = "ReviewFindingPatch"


class ReportVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ReportVersion.Kind.choices)
    text = serializers.CharField()
    note = serializers.CharField(help_text=_("What changed in this version."))
    created_by = serializers.CharField(source="created_by.username")
    created_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ReviewReportVersion"

    def get_url(self, version: ReportVersion) -> str:
        return reverse(
            "api:review-visit-report-detail",
            kwargs={"visit_id": version.visit_id, "number": version.number},
            request=self.context.get("request"),
        )


class ReportVersionInputSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=services.MAX_TEXT,
        error_messages={
            "required": _("Write the report's text (text)."),
            "blank": _("Write the report's text (text)."),
        },
    )
    # Plain text here, checked by the service (“draft” or “final”), so that the values have
    # one schema component (ReviewReportVersion's) and no name collision with other `kind`s.
    kind = serializers.CharField(
        default=ReportVersion.Kind.DRAFT.value,
        max_length=10,
        help_text=_(
            "draft (default; moves the visit to draft_report) or final (moves it to "
            "final_report; no version follows)."
        ),
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "ReviewReportVersionInput"


class ReportCommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField(source="version.number")
    area = serializers.CharField(help_text=_("The requirement area, or empty for the whole."))
    text = serializers.CharField()
    author = serializers.CharField(source="author.username")
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "ReviewReportComment"


class ReportCommentInputSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=services.MAX_TEXT,
        error_messages={
            "required": _("Write your comment (text)."),
            "blank": _("Write your comment (text)."),
        },
    )
    area = serializers.ChoiceField(
        choices=RequirementArea.choices,
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid_choice": _AREA_MESSAGES["invalid_choice"]},
    )

    class Meta:
        ref_name = "ReviewReportCommentInput"


class VisitStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    # Plain text (the visits' own serializers document the values): one schema component
    # for ReviewVisit.Status keeps its name free of collisions.
    status = serializers.CharField(help_text=_("The visit's status now: comments_received."))

    class Meta:
        ref_name = "ReviewVisitStatus"


_NOT_FOUND = OpenApiResponse(
    ErrorSerializer,
    description=_("No such visit for you (or its working papers are not for you)."),
)
_FORBIDDEN = OpenApiResponse(ErrorSerializer, description=_("Not yours to do on this visit."))
_INVALID = OpenApiResponse(
    ErrorSerializer,
    description=_("Refused: the messages for each field under errors; nothing stored."),
)


# --- Findings -------------------------------------------------------------------------------------


class FindingListApi(APIView):
    """GET: the visit's findings by area (for those who see its working papers). POST
    (multipart): a team member files a finding with its evidence files, while the visit is
    scheduled, done or its report is a draft."""

    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="review_visit_finding_list",
        tags=TAGS,
        responses={200: FindingSerializer(many=True), 400: ErrorSerializer, 404: _NOT_FOUND},
    )
    def get(self, request: Request, visit_id: int) -> Response:
        visit = _papers_visit_or_404(request, visit_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(papers.findings_of(visit), request, view=self)
        output = FindingSerializer(page, many=True, context={"request": request})
        return paginator.get_paginated_response(output.data)

    @extend_schema(
        operation_id="review_visit_finding_create",
        tags=TAGS,
        request={"multipart/form-data": FindingInputSerializer},
        responses={201: FindingSerializer, 400: _INVALID, 403: _FORBIDDEN, 404: _NOT_FOUND},
    )
    def post(self, request: Request, visit_id: int) -> Response:
        visit = _papers_visit_or_404(request, visit_id)
        _refuse_unless(
            is_team_member(request.user, visit),
            gettext("Only the members of this visit's team file findings."),
        )
        payload = FindingInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        finding = services.finding_create(
            actor=request.user,
            visit=visit,
            area=data["area"],
            rating=data["rating"],
            text=data["text"],
            files=data.get("evidence", []),
        )
        finding = _finding_or_404(visit, finding.pk)
        return Response(
            FindingSerializer(finding, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class FindingDetailApi(APIView):
    """GET: one finding with its evidence. PATCH: its author or the team's lead changes it
    and adds evidence files (multipart, or JSON without files)."""

    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="review_visit_finding_retrieve",
        tags=TAGS,
        responses={200: FindingSerializer, 404: _NOT_FOUND},
    )
    def get(self, request: Request, visit_id: int, finding_id: int) -> Response:
        visit = _papers_visit_or_404(request, visit_id)
        finding = _finding_or_404(visit, finding_id)
        return Response(FindingSerializer(finding, context={"request": request}).data)

    @extend_schema(
        operation_id="review_visit_finding_update",
        tags=TAGS,
        request={
            "multipart/form-data": FindingPatchSerializer,
            "application/json": FindingPatchSerializer,
        },
        responses={200: FindingSerializer, 400: _INVALID, 403: _FORBIDDEN, 404: _NOT_FOUND},
    )
    def patch(self, request: Request, visit_id: int, finding_id: int) -> Response:
        visit = _papers_visit_or_404(request, visit_id)
        finding = _finding_or_404(visit, finding_id)
        payload = FindingPatchSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.finding_update(
            actor=request.user,
            finding=finding,
            area=data.get("area"),
            rating=data.get("rating"),
            text=data.get("text"),
            files=data.get("evidence", []),
        )
        finding = _finding_or_404(visit, finding_id)
        return Response(FindingSerializer(finding, context={"request": request}).data)


class FindingEvidenceApi(APIView):
    """One evidence file of a finding, as a download."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="review_visit_finding_evidence",
        tags=TAGS,
        responses={
            # Sent with the file's own type (any kind kpcs.common.uploads accepts as evidence).
            **file_responses(*(CONTENT_TYPES[kind] for kind in EVIDENCE_KINDS)),
            404: _NOT_FOUND,
        },
    )
    def get(
        self, request: Request, visit_id: int, finding_id: int, evidence_id: int
    ) -> FileResponse:
        evidence = papers.evidence_get(
            user=request.user, visit_id=visit_id, evidence_id=evidence_id
        )
        missing = gettext("There is no evidence file number %(id)s on this finding for you.") % {
            "id": evidence_id
        }
        if evidence is None:
            # Whether the visit or the file is out of reach, the answer is the same.
            raise exceptions.NotFound(missing)
        if evidence.finding_id != finding_id:
            raise exceptions.NotFound(missing)
        try:
            return document_response(
                evidence.file, name=evidence.name, content_type=evidence.content_type
            )
        except FileNotFoundError as exc:
            raise exceptions.NotFound(missing) from exc


# --- Report versions ------------------------------------------------------------------------------


class ReportListApi(APIView):
    """GET: the report's versions, oldest first (drafts and final for those who see the
    working papers; the final version alone for the others, e.g. the public on a published
    visit). POST: the team's lead writes a new version (draft or final)."""

    permission_classes = [AllowAny]
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="review_visit_report_list",
        tags=TAGS,
        responses={200: ReportVersionSerializer(many=True), 400: ErrorSerializer, 404: _NOT_FOUND},
    )
    def get(self, request: Request, visit_id: int) -> Response:
        visit = _visible_visit_or_404(request, visit_id)
        versions = papers.report_versions_for(user=request.user, visit=visit)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(versions, request, view=self)
        output = ReportVersionSerializer(page, many=True, context={"request": request})
        return paginator.get_paginated_response(output.data)

    @extend_schema(
        operation_id="review_visit_report_create",
        tags=TAGS,
        request=ReportVersionInputSerializer,
        responses={
            201: ReportVersionSerializer,
            400: _INVALID,
            403: _FORBIDDEN,
            404: _NOT_FOUND,
        },
    )
    def post(self, request: Request, visit_id: int) -> Response:
        visit = _papers_visit_or_404(request, visit_id)
        _refuse_unless(
            is_team_lead(request.user, visit),
            gettext("Only the lead of the team writes the report."),
        )
        payload = ReportVersionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        version = services.report_version_create(
            actor=request.user,
            visit=visit,
            text=data["text"],
            kind=data["kind"],
            note=data.get("note", ""),
        )
        return Response(
            ReportVersionSerializer(version, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ReportDetailApi(APIView):
    """One version of the report (a draft only for those who see the working papers)."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="review_visit_report_retrieve",
        tags=TAGS,
        responses={200: ReportVersionSerializer, 404: _NOT_FOUND},
    )
    def get(self, request: Request, visit_id: int, number: int) -> Response:
        visit = _visible_visit_or_404(request, visit_id)
        version = _version_or_404(request, visit, number)
        return Response(ReportVersionSerializer(version, context={"request": request}).data)


class ReportCommentListApi(APIView):
    """GET: the reviewed participant's comments on a version. POST: the reviewed
    participant's authority comments on the current draft (optionally on one area)."""

    permission_classes = [AllowAny]
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="review_visit_report_comment_list",
        tags=TAGS,
        responses={
            200: ReportCommentSerializer(many=True),
            400: ErrorSerializer,
            404: _NOT_FOUND,
        },
    )
    def get(self, request: Request, visit_id: int, number: int) -> Response:
        visit = _papers_visit_or_404(request, visit_id)
        version = _version_or_404(request, visit, number)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(papers.comments_of(version), request, view=self)
        output = ReportCommentSerializer(page, many=True)
        return paginator.get_paginated_response(output.data)

    @extend_schema(
        operation_id="review_visit_report_comment_create",
        tags=TAGS,
        request=ReportCommentInputSerializer,
        responses={
            201: ReportCommentSerializer,
            400: _INVALID,
            403: _FORBIDDEN,
            404: _NOT_FOUND,
        },
    )
    def post(self, request: Request, visit_id: int, number: int) -> Response:
        visit = _papers_visit_or_404(request, visit_id)
        version = _version_or_404(request, visit, number)
        _refuse_unless(
            is_reviewed_participant(request.user, visit),
            gettext("Only the reviewed participant's authority comments on the draft report."),
        )
        payload = ReportCommentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        comment: ReportComment = services.report_comment_add(
            actor=request.user,
            version=version,
            text=payload.validated_data["text"],
            area=payload.validated_data.get("area", ""),
        )
        return Response(ReportCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class ReportCommentsSentApi(APIView):
    """The reviewed participant sends its comments on the current draft: the visit moves from
    draft_report to comments_received."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="review_visit_report_comments_sent",
        tags=TAGS,
        request=None,
        responses={200: VisitStatusSerializer, 400: _INVALID, 403: _FORBIDDEN, 404: _NOT_FOUND},
    )
    def post(self, request: Request, visit_id: int) -> Response:
        visit = _papers_visit_or_404(request, visit_id)
        visit = services.report_comments_send(actor=request.user, visit=visit)
        return Response(VisitStatusSerializer(visit).data)
