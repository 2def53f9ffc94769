from django.urls import path

from kpcs.statistics import analysis_apis

urlpatterns = [
    path(
        "anomalies/",
        analysis_apis.AnomalyListApi.as_view(),
        name="statistics-anomaly-list",
    ),
]
