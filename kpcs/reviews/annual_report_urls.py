"""Annual report pages under /<lang>/annual-reports/ (kpcs.reviews.annual_report_views)."""

from django.urls import path

from kpcs.reviews import annual_report_views as views

app_name = "annual_reports"

urlpatterns = [
    path("", views.AnnualReportListView.as_view(), name="list"),
    path("export.csv", views.AnnualReportExportView.as_view(), name="export"),
    path("<str:code>/compare/", views.AnnualReportCompareView.as_view(), name="compare"),
    path("<str:code>/<int:year>/", views.AnnualReportDetailView.as_view(), name="detail"),
    path("<str:code>/<int:year>/edit/", views.AnnualReportEditView.as_view(), name="edit"),
    path(
        "<str:code>/<int:year>/document/",
        views.AnnualReportDocumentView.as_view(),
        name="document",
    ),
    path("<str:code>/<int:year>/assess/", views.AnnualReportAssessView.as_view(), name="assess"),
    path("<str:code>/<int:year>/return/", views.AnnualReportReturnView.as_view(), name="return"),
]
