"""The plenary API: the public list of published documents (keep its name) and the
secretariat's endpoints for meetings, documents, translations and packs."""

from django.urls import include, path

urlpatterns = [
    path("public/", include("kpcs.plenary.public_api_urls")),
    path("plenary/", include("kpcs.plenary.api_urls_documents")),
    path("plenary/", include("kpcs.plenary.api_urls_translations")),
    path("plenary/", include("kpcs.plenary.api_urls_packs")),
    path("plenary/", include("kpcs.plenary.api_urls_compendium")),
]
