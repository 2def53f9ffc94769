from django.urls import path

from kpcs.statistics import secretariat_views, views

app_name = "statistics"

urlpatterns = [
    path("", views.summary, name="summary"),
    path("releases/", views.release_list, name="releases"),
    # The Plenary's public list of participants that have not reported (derived, public once
    # the year has a release).
    path("not-reported/", secretariat_views.nonreporting_public, name="not-reported"),
    path("participants/<str:code>/", views.participant_history, name="participant"),
]
