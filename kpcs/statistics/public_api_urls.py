from django.urls import path

from kpcs.statistics import public_apis

# Public, no login; the paths and field names are relied on by outside scripts.
urlpatterns = [
    path(
        "production/",
        public_apis.ProductionSummaryApi.as_view(),
        name="public-statistics-production",
    ),
    path("trade/", public_apis.TradeSummaryApi.as_view(), name="public-statistics-trade"),
    path("releases/", public_apis.ReleaseListApi.as_view(), name="public-statistics-releases"),
    path(
        "participants/<str:code>/",
        public_apis.ParticipantHistoryApi.as_view(),
        name="public-statistics-participant",
    ),
]
