"""/api/v1/plenary/packs/: document packs (names `plenary-pack-…`)."""

from django.urls import path

from kpcs.plenary import pack_apis as apis

urlpatterns = [
    path("packs/", apis.PackListApi.as_view(), name="plenary-pack-list"),
    path("packs/<int:pk>/", apis.PackDetailApi.as_view(), name="plenary-pack-detail"),
    path("packs/<int:pk>/retry/", apis.PackRetryApi.as_view(), name="plenary-pack-retry"),
    path(
        "packs/<int:pk>/files/<str:language>/",
        apis.PackFileApi.as_view(),
        name="plenary-pack-file",
    ),
]
