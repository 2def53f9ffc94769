from django.urls import path

from kpcs.statistics import entry_views as views

app_name = "submissions"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path(
        "<int:year>/<str:dataset>/<str:period>/",
        views.GridView.as_view(),
        name="grid",
    ),
    path("<int:submission_id>/", views.SubmissionView.as_view(), name="submission"),
    path("<int:submission_id>/submit/", views.SubmitView.as_view(), name="submit"),
    path(
        "<int:submission_id>/findings/<int:finding_id>/explain/",
        views.ExplainView.as_view(),
        name="explain",
    ),
    path("upload/", views.UploadView.as_view(), name="upload"),
    path("upload/confirm/", views.UploadConfirmView.as_view(), name="upload-confirm"),
    path("upload/discard/", views.UploadDiscardView.as_view(), name="upload-discard"),
    path("stock/", views.StockView.as_view(), name="stock"),
]
