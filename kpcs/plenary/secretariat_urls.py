"""The secretariat's work area for plenary documents, /<lang>/plenary/ (namespace `plenary`):
meetings and documents, their translations and language matrices, and the PDF packs."""

from django.urls import include, path

app_name = "plenary"

urlpatterns = [
    path("", include("kpcs.plenary.document_secretariat_urls")),
    path("", include("kpcs.plenary.translation_urls")),
    path("", include("kpcs.plenary.pack_urls")),
]
