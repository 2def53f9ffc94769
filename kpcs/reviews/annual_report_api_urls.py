"""The annual reports API under /api/v1/reviews/annual-reports/ (inside the `api` namespace:
names start with `annual-report-`)."""

from django.urls import path

from kpcs.reviews import annual_report_apis as apis

urlpatterns = [
    path("", apis.AnnualReportListApi.as_view(), name="annual-report-list"),
    path("missing/", apis.AnnualReportMissingApi.as_view(), name="annual-report-missing"),
    path("<int:report_id>/", apis.AnnualReportDetailApi.as_view(), name="annual-report-detail"),
    path(
        "<int:report_id>/submit/",
        apis.AnnualReportSubmitApi.as_view(),
        name="annual-report-submit",
    ),
    path(
        "<int:report_id>/assessment/",
        apis.AnnualReportAssessmentApi.as_view(),
        name="annual-report-assessment",
    ),
    path(
        "<int:report_id>/return/",
        apis.AnnualReportReturnApi.as_view(),
        name="annual-report-return",
    ),
    path(
        "<int:report_id>/document/",
        apis.AnnualReportDocumentApi.as_view(),
        name="annual-report-document",
    ),
]
