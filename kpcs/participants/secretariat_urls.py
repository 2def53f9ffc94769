from django.urls import path

from kpcs.participants import secretariat_views as views

app_name = "secretariat"

participant = "participants/<str:code>/"
authority = participant + "authorities/<int:authority_pk>/"

urlpatterns = [
    path("participants/", views.ParticipantListView.as_view(), name="participants"),
    path(participant, views.ParticipantDetailView.as_view(), name="participant"),
    path(participant + "edit/", views.ParticipantEditView.as_view(), name="participant-edit"),
    path(
        participant + "status-events/add/",
        views.StatusEventFormView.as_view(),
        name="status-event-create",
    ),
    path(
        participant + "status-events/<int:pk>/edit/",
        views.StatusEventFormView.as_view(),
        name="status-event-edit",
    ),
    path(
        participant + "status-events/<int:pk>/delete/",
        views.StatusEventDeleteView.as_view(),
        name="status-event-delete",
    ),
    path(
        participant + "authorities/add/",
        views.AuthorityFormView.as_view(),
        name="authority-create",
    ),
    path(
        participant + "authorities/<int:pk>/edit/",
        views.AuthorityFormView.as_view(),
        name="authority-edit",
    ),
    path(authority + "contacts/add/", views.ContactFormView.as_view(), name="contact-create"),
    path(
        authority + "contacts/<int:pk>/edit/",
        views.ContactFormView.as_view(),
        name="contact-edit",
    ),
    path(
        authority + "contacts/<int:pk>/delete/",
        views.ContactDeleteView.as_view(),
        name="contact-delete",
    ),
    path("observers/", views.ObserverListView.as_view(), name="observers"),
    path("observers/add/", views.ObserverFormView.as_view(), name="observer-create"),
    path("observers/<str:code>/edit/", views.ObserverFormView.as_view(), name="observer-edit"),
    path("working-bodies/", views.WorkingBodyListView.as_view(), name="working-bodies"),
    path(
        "working-bodies/<str:code>/edit/",
        views.WorkingBodyEditView.as_view(),
        name="working-body-edit",
    ),
    path(
        "working-bodies/<str:code>/seats/add/",
        views.MembershipCreateView.as_view(),
        name="membership-create",
    ),
    path(
        "working-bodies/<str:code>/seats/<int:pk>/delete/",
        views.MembershipDeleteView.as_view(),
        name="membership-delete",
    ),
    path("chairmanships/", views.ChairmanshipListView.as_view(), name="chairmanships"),
    path("chairmanships/add/", views.ChairmanshipFormView.as_view(), name="chairmanship-create"),
    path(
        "chairmanships/<int:year>/edit/",
        views.ChairmanshipFormView.as_view(),
        name="chairmanship-edit",
    ),
    path("reference-data/", views.ReferenceDataView.as_view(), name="reference-data"),
    path(
        "reference-data/reload/",
        views.ReferenceDataReloadView.as_view(),
        name="reference-data-reload",
    ),
    path("audit-log/", views.AuditLogView.as_view(), name="audit-log"),
    path("audit-log/export.csv", views.AuditLogExportView.as_view(), name="audit-log-export"),
]
