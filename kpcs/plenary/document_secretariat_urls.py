"""The secretariat's meetings and documents, included at the root of /<lang>/plenary/
(namespace `plenary`). TRANSLATIONS (…/languages/) and PACKS (packs/, …/pack/) own the other
paths below the same prefixes."""

from django.urls import path

from kpcs.plenary import document_views as documents
from kpcs.plenary import meeting_views as meetings

urlpatterns = [
    path("meetings/", meetings.MeetingListView.as_view(), name="meetings"),
    path("meetings/new/", meetings.MeetingCreateView.as_view(), name="meeting-create"),
    path("meetings/<slug:code>/", meetings.MeetingDetailView.as_view(), name="meeting"),
    path("meetings/<slug:code>/edit/", meetings.MeetingEditView.as_view(), name="meeting-edit"),
    path(
        "meetings/<slug:code>/agenda/",
        meetings.AgendaItemAddView.as_view(),
        name="meeting-agenda-add",
    ),
    path(
        "meetings/<slug:code>/agenda/<int:item_id>/",
        meetings.AgendaItemView.as_view(),
        name="meeting-agenda-item",
    ),
    path(
        "meetings/<slug:code>/agenda/<int:item_id>/remove/",
        meetings.AgendaItemRemoveView.as_view(),
        name="meeting-agenda-remove",
    ),
    path(
        "meetings/<slug:code>/attendance/",
        meetings.AttendanceAddView.as_view(),
        name="meeting-attendance-add",
    ),
    path(
        "meetings/<slug:code>/attendance/<int:attendance_id>/remove/",
        meetings.AttendanceRemoveView.as_view(),
        name="meeting-attendance-remove",
    ),
    path("documents/", documents.DocumentListView.as_view(), name="documents"),
    path("documents/new/", documents.DocumentCreateView.as_view(), name="document-create"),
    path("documents/<int:pk>/", documents.DocumentDetailView.as_view(), name="document"),
    path("documents/<int:pk>/edit/", documents.DocumentEditView.as_view(), name="document-edit"),
    path(
        "documents/<int:pk>/status/",
        documents.DocumentStatusView.as_view(),
        name="document-status",
    ),
    path(
        "documents/<int:pk>/revise/",
        documents.DocumentReviseView.as_view(),
        name="document-revise",
    ),
]
