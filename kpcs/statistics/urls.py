from django.urls import path

from kpcs.statistics import views

app_name = "statistics"

urlpatterns = [
    path("", views.summary, name="summary"),
    path("releases/", views.release_list, name="releases"),
    path("participants/<str:code>/", views.participant_history, name="participant"),
]
