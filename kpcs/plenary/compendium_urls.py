"""The compendium of KPCS rules and guidance, /<lang>/compendium/ (namespace `compendium`):
public pages (index, a section, search) and the secretariat's management pages."""

from django.urls import path

from kpcs.plenary import compendium_views as views

app_name = "compendium"

urlpatterns = [
    path("", views.CompendiumIndexView.as_view(), name="index"),
    path("search/", views.CompendiumSearchView.as_view(), name="search"),
    path("manage/", views.CompendiumManageView.as_view(), name="manage"),
    path(
        "manage/<int:pk>/section/", views.CompendiumSectionSetView.as_view(), name="manage-section"
    ),
    path(
        "manage/<int:pk>/supersede/",
        views.CompendiumSupersedeView.as_view(),
        name="manage-supersede",
    ),
    path(
        "manage/<int:pk>/supersession/clear/",
        views.CompendiumSupersessionClearView.as_view(),
        name="manage-clear",
    ),
    # Last, so that "search" and "manage" are not read as section names.
    path("<slug:section>/", views.CompendiumSectionView.as_view(), name="section"),
]
