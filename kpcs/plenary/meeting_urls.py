"""Public meeting pages, /<lang>/meetings/ (namespace `meetings`)."""

from django.urls import path

from kpcs.plenary import meeting_views as views

app_name = "meetings"

urlpatterns = [
    path("", views.public_meeting_list, name="list"),
    path("<slug:code>/", views.public_meeting_detail, name="detail"),
]
