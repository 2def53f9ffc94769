from django.urls import path, register_converter

from kpcs.certificates import apis


class ParticipantCodeConverter:
    regex = "[A-Z]{3}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class CertificateNumberConverter:
    """A number as printed (models.NUMBER_PATTERN, upper case, as stored). It may hold
    slashes (EU/BE/2023/0001); the actions after it are lower-case words it cannot contain."""

    regex = "[A-Z]{2}[A-Z0-9/.-]{1,38}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


# Names of their own: kpcs.certificates.urls registers its converters for the pages.
register_converter(ParticipantCodeConverter, "api_participant_code")
register_converter(CertificateNumberConverter, "api_certificate_number")

CERTIFICATE = "certificates/<api_participant_code:issuing_code>/<api_certificate_number:number>/"

urlpatterns = [
    # Public, no login, throttled per client address; the path and answer are relied on by
    # outside scripts.
    path(
        "public/certificates/verify/",
        apis.CertificateVerifyApi.as_view(),
        name="public-certificate-verify",
    ),
    # Participant authorities and the secretariat (token or session). The fixed paths come
    # before a certificate's, and a certificate's actions before the certificate itself (whose
    # number may hold slashes).
    path("certificates/", apis.CertificateListApi.as_view(), name="certificate-list"),
    path(
        "certificates/uploads/",
        apis.UploadListApi.as_view(),
        name="certificate-upload-list",
    ),
    path(
        "certificates/uploads/<int:upload_id>/",
        apis.UploadDetailApi.as_view(),
        name="certificate-upload-detail",
    ),
    path(
        "certificates/void-notices/",
        apis.VoidNoticeListApi.as_view(),
        name="certificate-void-notice-list",
    ),
    path(
        "certificates/specimens/",
        apis.SpecimenListApi.as_view(),
        name="certificate-specimen-list",
    ),
    path(
        "certificates/specimens/images/<int:image_id>/",
        apis.SpecimenImageApi.as_view(),
        name="certificate-specimen-image",
    ),
    path(
        f"{CERTIFICATE}confirmation/",
        apis.ConfirmationApi.as_view(),
        name="certificate-confirmation",
    ),
    path(f"{CERTIFICATE}void/", apis.VoidApi.as_view(), name="certificate-void"),
    path(CERTIFICATE, apis.CertificateDetailApi.as_view(), name="certificate-detail"),
]
