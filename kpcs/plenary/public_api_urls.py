"""/api/v1/public/: what anyone may read without logging in. The documents list keeps its
name (GET /api/v1/public/documents/); COMPENDIUM's public read is routed here too."""

from django.urls import path

from kpcs.plenary import compendium_apis, public_apis

urlpatterns = [
    path("documents/", public_apis.PublicDocumentListApi.as_view(), name="public-documents-list"),
    path(
        "documents/<path:symbol>/",
        public_apis.PublicDocumentDetailApi.as_view(),
        name="public-documents-detail",
    ),
    path(
        "compendium/",
        compendium_apis.PublicCompendiumListApi.as_view(),
        name="public-compendium-list",
    ),
]
