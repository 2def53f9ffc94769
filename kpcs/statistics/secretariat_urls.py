from django.urls import path

from kpcs.statistics import secretariat_views as views

app_name = "statistics_secretariat"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("submissions/<int:pk>/", views.SubmissionReviewView.as_view(), name="submission"),
    path(
        "submissions/<int:pk>/query/",
        views.SubmissionQueryView.as_view(),
        name="submission-query",
    ),
    path(
        "submissions/<int:pk>/accept/",
        views.SubmissionAcceptView.as_view(),
        name="submission-accept",
    ),
    path(
        "submissions/<int:pk>/reopen/",
        views.SubmissionReopenView.as_view(),
        name="submission-reopen",
    ),
    path("deadlines/", views.DeadlinesView.as_view(), name="deadlines"),
    path("deadlines/set/", views.DeadlineSetView.as_view(), name="deadline-set"),
    path(
        "deadlines/extensions/add/",
        views.ExtensionGrantView.as_view(),
        name="extension-grant",
    ),
    path("publication/", views.PublicationView.as_view(), name="publication"),
    path("publication/publish/", views.ReleasePublishView.as_view(), name="release-publish"),
    path("anomalies/", views.AnomalyListView.as_view(), name="anomalies"),
    path("anomalies/analyse/", views.AnomalyAnalyseView.as_view(), name="anomaly-analyse"),
    path("anomalies/<int:pk>/ask/", views.QuestionAskView.as_view(), name="question-ask"),
    path("stock/", views.StockListView.as_view(), name="stock"),
    path("questions/", views.QuestionListView.as_view(), name="questions"),
    path("questions/<int:pk>/", views.QuestionDetailView.as_view(), name="question"),
    path(
        "questions/<int:pk>/close/",
        views.QuestionCloseView.as_view(),
        name="question-close",
    ),
    path(
        "questions/<int:pk>/escalate/",
        views.QuestionEscalateView.as_view(),
        name="question-escalate",
    ),
]
