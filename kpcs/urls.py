from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from kpcs.common import views as common_views

api_v1 = [
    path("", include("kpcs.participants.api_urls")),
    path("", include("kpcs.common.api_urls")),
    path("", include("kpcs.statistics.api_urls")),
    path("", include("kpcs.certificates.api_urls")),
    path("", include("kpcs.reviews.api_urls")),
    path("", include("kpcs.plenary.api_urls")),
]

urlpatterns = [
    path("healthz", common_views.healthz, name="healthz"),
    # The bare address answers in the visitor's language (cookie or browser) without a
    # redirect; every other page lives under its language prefix.
    path("", common_views.home, name="root"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns += i18n_patterns(
    path("", common_views.home, name="home"),
    path("accounts/api-clients/", include("kpcs.accounts.api_client_urls")),
    path("accounts/", include("kpcs.accounts.urls")),
    path("participants/", include("kpcs.participants.urls")),
    path("statistics/", include("kpcs.statistics.urls")),
    path("submissions/", include("kpcs.statistics.entry_urls")),
    path("questionnaire/", include("kpcs.statistics.questionnaire_urls")),
    # The registry's pages; the public verify/ page (kpcs.certificates.public_urls) shares
    # the prefix, and the registry's patterns leave it free.
    path("certificates/", include("kpcs.certificates.urls")),
    path("certificates/", include("kpcs.certificates.public_urls")),
    # Peer review: visits (with their recommendations below each visit), the follow-up
    # dashboard, annual reports and compliance cases with each participant's compliance page.
    path("reviews/visits/", include("kpcs.reviews.visit_urls")),
    path(
        "reviews/visits/<int:visit_id>/recommendations/",
        include("kpcs.reviews.recommendation_urls"),
    ),
    path("reviews/", include("kpcs.reviews.dashboard_urls")),
    path("annual-reports/", include("kpcs.reviews.annual_report_urls")),
    path("compliance/", include("kpcs.reviews.compliance_urls")),
    # Plenary: public meetings and documents (stable addresses by symbol), the compendium,
    # and the secretariat's work on documents, translations and PDF packs.
    path("meetings/", include("kpcs.plenary.meeting_urls")),
    path("documents/", include("kpcs.plenary.document_urls")),
    path("compendium/", include("kpcs.plenary.compendium_urls")),
    path("plenary/", include("kpcs.plenary.secretariat_urls")),
    path("secretariat/statistics/", include("kpcs.statistics.secretariat_urls")),
    path("secretariat/certificates/", include("kpcs.certificates.secretariat_urls")),
    path("secretariat/", include("kpcs.participants.secretariat_urls")),
    path("jobs/", include("kpcs.common.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path(f"{settings.ADMIN_URL}", admin.site.urls),
    prefix_default_language=True,
)

handler400 = "kpcs.common.views.bad_request"
handler403 = "kpcs.common.views.permission_denied"
handler404 = "kpcs.common.views.page_not_found"
handler500 = "kpcs.common.views.server_error"
