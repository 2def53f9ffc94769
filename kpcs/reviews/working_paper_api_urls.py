"""Findings, evidence, report versions and comments below a visit in the API (included under
/api/v1/reviews/visits/<int:visit_id>/ by kpcs.reviews.visit_api_urls)."""

from django.urls import path

from kpcs.reviews import working_paper_apis as apis

urlpatterns = [
    path("findings/", apis.FindingListApi.as_view(), name="review-visit-finding-list"),
    path(
        "findings/<int:finding_id>/",
        apis.FindingDetailApi.as_view(),
        name="review-visit-finding-detail",
    ),
    path(
        "findings/<int:finding_id>/evidence/<int:evidence_id>/",
        apis.FindingEvidenceApi.as_view(),
        name="review-visit-finding-evidence",
    ),
    path("reports/", apis.ReportListApi.as_view(), name="review-visit-report-list"),
    path(
        "reports/comments-sent/",
        apis.ReportCommentsSentApi.as_view(),
        name="review-visit-report-comments-sent",
    ),
    path(
        "reports/<int:number>/",
        apis.ReportDetailApi.as_view(),
        name="review-visit-report-detail",
    ),
    path(
        "reports/<int:number>/comments/",
        apis.ReportCommentListApi.as_view(),
        name="review-visit-report-comment-list",
    ),
]
