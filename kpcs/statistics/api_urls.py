from django.urls import include, path

urlpatterns = [
    # Published figures for everyone (no login).
    path("public/statistics/", include("kpcs.statistics.public_api_urls")),
    # Analysis for the secretariat (token or session).
    path("statistics/", include("kpcs.statistics.analysis_api_urls")),
    # Participants' own systems post their figures (token of a participant authority).
    path("statistics/", include("kpcs.statistics.submission_api_urls")),
]
