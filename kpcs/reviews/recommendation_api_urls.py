"""/api/v1/reviews/visits/<visit_id>/recommendations/ (inside the `api` namespace, so every
name starts with `review-recommendation-`)."""

from django.urls import path

from kpcs.reviews import recommendation_apis as apis

urlpatterns = [
    path("", apis.RecommendationListApi.as_view(), name="review-recommendation-list"),
    path(
        "<int:number>/",
        apis.RecommendationDetailApi.as_view(),
        name="review-recommendation-detail",
    ),
    path(
        "<int:number>/responses/",
        apis.RecommendationResponseApi.as_view(),
        name="review-recommendation-responses",
    ),
    path(
        "<int:number>/assessments/",
        apis.RecommendationAssessmentApi.as_view(),
        name="review-recommendation-assessments",
    ),
]
