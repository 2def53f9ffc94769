"""/api/v1/plenary/: the secretariat's meetings (with their agenda and attendance) and
documents (facts, English source, status, revisions). Names `plenary-meeting-…` and
`plenary-document-…`; TRANSLATIONS owns …/languages/, PACKS packs/."""

from django.urls import path

from kpcs.plenary import document_apis as apis

urlpatterns = [
    path("meetings/", apis.MeetingListApi.as_view(), name="plenary-meeting-list"),
    path("meetings/<slug:code>/", apis.MeetingDetailApi.as_view(), name="plenary-meeting-detail"),
    path(
        "meetings/<slug:code>/agenda/",
        apis.MeetingAgendaApi.as_view(),
        name="plenary-meeting-agenda",
    ),
    path(
        "meetings/<slug:code>/agenda/<int:item_id>/",
        apis.MeetingAgendaItemApi.as_view(),
        name="plenary-meeting-agenda-item",
    ),
    path(
        "meetings/<slug:code>/attendance/",
        apis.MeetingAttendanceApi.as_view(),
        name="plenary-meeting-attendance",
    ),
    path(
        "meetings/<slug:code>/attendance/<int:attendance_id>/",
        apis.MeetingAttendanceItemApi.as_view(),
        name="plenary-meeting-attendance-item",
    ),
    path("documents/", apis.DocumentListApi.as_view(), name="plenary-document-list"),
    path("documents/<int:pk>/", apis.DocumentDetailApi.as_view(), name="plenary-document-detail"),
    path(
        "documents/<int:pk>/status/",
        apis.DocumentStatusApi.as_view(),
        name="plenary-document-status",
    ),
    path(
        "documents/<int:pk>/revise/",
        apis.DocumentReviseApi.as_view(),
        name="plenary-document-revise",
    ),
]
