from django.urls import path

from kpcs.certificates import reconciliation_views as views

app_name = "certificates_secretariat"

urlpatterns = [
    path("reconciliation/", views.ReconciliationView.as_view(), name="reconciliation"),
    path(
        "reconciliation/csv/",
        views.ReconciliationView.as_view(download=True),
        name="reconciliation-csv",
    ),
]
