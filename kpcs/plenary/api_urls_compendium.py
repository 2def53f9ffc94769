"""/api/v1/plenary/compendium/ (inside the `api` namespace, so every name starts with
`plenary-compendium-`): the secretariat's compendium. The public read,
/api/v1/public/compendium/ (`public-compendium-list`), is the view
kpcs.plenary.compendium_apis.PublicCompendiumListApi, routed in public_api_urls.py."""

from django.urls import path

from kpcs.plenary import compendium_apis as apis

urlpatterns = [
    path("compendium/", apis.CompendiumListApi.as_view(), name="plenary-compendium-list"),
    path(
        "compendium/documents/<int:pk>/section/",
        apis.CompendiumSectionApi.as_view(),
        name="plenary-compendium-section",
    ),
    path(
        "compendium/documents/<int:pk>/supersession/",
        apis.CompendiumSupersessionApi.as_view(),
        name="plenary-compendium-supersession",
    ),
]
