"""Findings, evidence, report versions and comments below a visit (namespace `reviews`;
included under `<int:visit_id>/` by kpcs.reviews.visit_urls)."""

from django.urls import path

from kpcs.reviews import working_paper_views as views

urlpatterns = [
    path("findings/", views.FindingsView.as_view(), name="findings"),
    path("findings/new/", views.FindingCreateView.as_view(), name="finding-create"),
    path(
        "findings/<int:finding_id>/edit/",
        views.FindingEditView.as_view(),
        name="finding-edit",
    ),
    path("evidence/<int:evidence_id>/", views.EvidenceView.as_view(), name="evidence"),
    path("report/", views.ReportView.as_view(), name="report"),
    path("report/draft/", views.ReportDraftView.as_view(), name="report-draft"),
    path(
        "report/comments/send/",
        views.ReportCommentsSendView.as_view(),
        name="report-comments-send",
    ),
    path("report/<int:number>/", views.ReportVersionView.as_view(), name="report-version"),
    path(
        "report/<int:number>/comment/",
        views.ReportCommentView.as_view(),
        name="report-comment",
    ),
]
