from django.urls import path

from kpcs.statistics import submission_apis as apis

urlpatterns = [
    path(
        "submissions/",
        apis.SubmissionListApi.as_view(),
        name="statistics-submission-list",
    ),
    path(
        "submissions/<int:submission_id>/",
        apis.SubmissionDetailApi.as_view(),
        name="statistics-submission-detail",
    ),
    path(
        "submissions/<int:submission_id>/submit/",
        apis.SubmissionSubmitApi.as_view(),
        name="statistics-submission-submit",
    ),
    path(
        "submissions/<int:submission_id>/findings/<int:finding_id>/explain/",
        apis.WarningExplainApi.as_view(),
        name="statistics-submission-finding-explain",
    ),
    path("stock/", apis.StockListApi.as_view(), name="statistics-stock-list"),
    path("stock/<int:year>/", apis.StockDeclareApi.as_view(), name="statistics-stock-declare"),
]
