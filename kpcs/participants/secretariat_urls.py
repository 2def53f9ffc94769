from django.urls import path

from kpcs.participants import secretariat_views as views

app_name = "secretariat"

urlpatterns = [
    path("participants/", views.participant_list, name="participants"),
    path("participants/<str:code>/edit/", views.participant_edit, name="participant-edit"),
    path("observers/", views.observer_list, name="observers"),
    path("working-bodies/", views.working_body_list, name="working-bodies"),
    path("chairmanships/", views.chairmanship_list, name="chairmanships"),
]
