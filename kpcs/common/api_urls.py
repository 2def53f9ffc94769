from django.urls import path

from kpcs.common import apis

urlpatterns = [
    path("jobs/<uuid:job_id>/", apis.JobDetailApi.as_view(), name="job-detail"),
]
