"""Pages of a visit's recommendations, below /<lang>/reviews/visits/<visit_id>/recommendations/
(namespace `recommendations`; every view gets `visit_id`)."""

from django.urls import path

from kpcs.reviews import recommendation_views as views

app_name = "recommendations"

urlpatterns = [
    path("", views.RecommendationListView.as_view(), name="list"),
    path("new/", views.RecommendationCreateView.as_view(), name="create"),
    path("<int:number>/", views.RecommendationDetailView.as_view(), name="detail"),
    path("<int:number>/edit/", views.RecommendationEditView.as_view(), name="edit"),
    path("<int:number>/respond/", views.RecommendationRespondView.as_view(), name="respond"),
    path("<int:number>/assess/", views.RecommendationAssessView.as_view(), name="assess"),
]
