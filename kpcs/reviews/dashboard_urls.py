"""The secretariat's peer-review dashboards, below /<lang>/reviews/ (namespace
`review_dashboard`; paths never start with `visits/`, which belongs to the visits' pages)."""

from django.urls import path

from kpcs.reviews import dashboard_views as views

app_name = "review_dashboard"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("recommendations/", views.OpenRecommendationsView.as_view(), name="recommendations"),
    path(
        "recommendations/csv/",
        views.OpenRecommendationsCsvView.as_view(),
        name="recommendations-csv",
    ),
]
