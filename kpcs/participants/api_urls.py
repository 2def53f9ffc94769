from django.urls import path

from kpcs.participants import apis

urlpatterns = [
    path("participants/", apis.ParticipantListApi.as_view(), name="participant-list"),
    path(
        "participants/<str:code>/", apis.ParticipantDetailApi.as_view(), name="participant-detail"
    ),
    path(
        "participants/<str:code>/standing/",
        apis.ParticipantStandingApi.as_view(),
        name="participant-standing",
    ),
    path("observers/", apis.ObserverListApi.as_view(), name="observer-list"),
    path("working-bodies/", apis.WorkingBodyListApi.as_view(), name="working-body-list"),
    path("chairmanships/", apis.ChairmanshipListApi.as_view(), name="chairmanship-list"),
]
