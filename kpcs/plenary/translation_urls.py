"""The secretariat's translation pages, included at the root of namespace `plenary`: the
language matrix of a document and of a meeting, and one language side by side with the
English source."""

from django.urls import path

from kpcs.plenary import translation_views as views

urlpatterns = [
    path(
        "documents/<int:pk>/languages/",
        views.DocumentLanguagesView.as_view(),
        name="document-languages",
    ),
    path(
        "documents/<int:pk>/languages/<str:language>/",
        views.TranslationView.as_view(),
        name="translation",
    ),
    path(
        "meetings/<slug:code>/languages/",
        views.MeetingLanguagesView.as_view(),
        name="meeting-languages",
    ),
]
