"""Document packs in the secretariat's work area (namespace `plenary`, included at its root):
the list, one pack with its progress, retries and downloads, and the build buttons of a
document, a meeting and a report."""

from django.urls import path

from kpcs.plenary import pack_views as views

urlpatterns = [
    path("packs/", views.PackListView.as_view(), name="packs"),
    path("packs/<int:pk>/", views.PackDetailView.as_view(), name="pack"),
    path("packs/<int:pk>/retry/", views.PackRetryView.as_view(), name="pack-retry"),
    path("packs/<int:pk>/zip/", views.PackZipView.as_view(), name="pack-zip"),
    path("packs/<int:pk>/pdf/<str:language>/", views.PackFileView.as_view(), name="pack-file"),
    path("documents/<int:pk>/pack/", views.DocumentPackBuildView.as_view(), name="pack-build"),
    path(
        "meetings/<slug:code>/pack/",
        views.MeetingPackBuildView.as_view(),
        name="meeting-pack-build",
    ),
    path("reports/pack/", views.ReportPackBuildView.as_view(), name="report-pack-build"),
]
