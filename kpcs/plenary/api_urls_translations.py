"""/api/v1/plenary/: the language matrix of a document and of a meeting, and one language
version of a document (kpcs.plenary.translation_apis)."""

from django.urls import path

from kpcs.plenary import translation_apis as apis

urlpatterns = [
    path(
        "documents/<int:pk>/languages/",
        apis.DocumentLanguagesApi.as_view(),
        name="plenary-translation-document",
    ),
    path(
        "documents/<int:pk>/languages/<str:language>/",
        apis.TranslationApi.as_view(),
        name="plenary-translation-detail",
    ),
    path(
        "meetings/<slug:code>/languages/",
        apis.MeetingLanguagesApi.as_view(),
        name="plenary-translation-meeting",
    ),
]
