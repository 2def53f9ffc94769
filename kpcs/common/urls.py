from django.urls import path

from kpcs.common import views

app_name = "common"

urlpatterns = [
    path("<str:job_id>/", views.job_status, name="job-status"),
]
