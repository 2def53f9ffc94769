"""/api/v1/reviews/visits/: visits and their teams; findings and report versions
(kpcs.reviews.working_paper_api_urls) hang below a visit."""

from django.urls import include, path

from kpcs.reviews import visit_apis as apis

urlpatterns = [
    path("<int:visit_id>/", include("kpcs.reviews.working_paper_api_urls")),
    path("", apis.VisitListApi.as_view(), name="review-visit-list"),
    path("<int:visit_id>/", apis.VisitDetailApi.as_view(), name="review-visit-detail"),
    path("<int:visit_id>/team/", apis.VisitTeamApi.as_view(), name="review-visit-team"),
    path(
        "<int:visit_id>/team/<int:member_id>/",
        apis.VisitTeamMemberApi.as_view(),
        name="review-visit-team-member",
    ),
    path(
        "<int:visit_id>/transition/",
        apis.VisitTransitionApi.as_view(),
        name="review-visit-transition",
    ),
]
