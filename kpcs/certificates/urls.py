"""The registry's pages for authorities and the secretariat, under /<lang>/certificates/.

A certificate is addressed by its natural key: /certificates/BWA/BW123456/. The converters
accept upper-case participant codes and numbers only, so the registry's own lower-case
pages (upload/, void/, ...) and the public verify/ page (kpcs.certificates.public_urls)
can never be read as a certificate, and an EU number with slashes (EU/BE/2023/1) still
resolves."""

from django.urls import path, register_converter

from kpcs.certificates import views

app_name = "certificates"


class ParticipantCodeConverter:
    regex = "[A-Z]{3}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class CertificateNumberConverter:
    # models.NUMBER_PATTERN without its anchors.
    regex = "[A-Z]{2}[A-Z0-9/.-]{1,38}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ParticipantCodeConverter, "kp_participant")
register_converter(CertificateNumberConverter, "kp_certificate")

urlpatterns = [
    path("", views.CertificateListView.as_view(), name="list"),
    path("record/", views.CertificateRecordView.as_view(), name="record"),
    path("upload/", views.UploadView.as_view(), name="upload"),
    path("uploads/", views.UploadListView.as_view(), name="uploads"),
    path("uploads/<int:upload_id>/", views.UploadDetailView.as_view(), name="upload-detail"),
    path(
        "uploads/<int:upload_id>/errors.csv",
        views.UploadReportView.as_view(),
        name="upload-report",
    ),
    path("void/", views.VoidNoticeListView.as_view(), name="void-notices"),
    path("specimens/", views.SpecimenListView.as_view(), name="specimens"),
    path("specimens/register/", views.SpecimenRegisterView.as_view(), name="specimen-register"),
    path(
        "specimens/pictures/<int:image_id>/",
        views.SpecimenImageView.as_view(),
        name="specimen-image",
    ),
    path("alerts/", views.AlertListView.as_view(), name="alerts"),
    path("alerts/<int:alert_id>/dismiss/", views.AlertDismissView.as_view(), name="alert-dismiss"),
    path(
        "<kp_participant:issuing>/<kp_certificate:number>/confirm/",
        views.ConfirmationView.as_view(),
        name="confirm",
    ),
    path(
        "<kp_participant:issuing>/<kp_certificate:number>/void/",
        views.VoidView.as_view(),
        name="void",
    ),
    path(
        "<kp_participant:issuing>/<kp_certificate:number>/",
        views.CertificateDetailView.as_view(),
        name="detail",
    ),
]
