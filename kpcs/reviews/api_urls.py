"""The peer-review API under /api/v1/reviews/. Findings, reports and recommendations hang below
a visit; a visit the caller may not see answers 404 at every level."""

from django.urls import include, path

urlpatterns = [
    path("reviews/visits/", include("kpcs.reviews.visit_api_urls")),
    path(
        "reviews/visits/<int:visit_id>/recommendations/",
        include("kpcs.reviews.recommendation_api_urls"),
    ),
    path("reviews/annual-reports/", include("kpcs.reviews.annual_report_api_urls")),
    path("reviews/compliance-cases/", include("kpcs.reviews.compliance_api_urls")),
]
