"""Pages of review visits: list, create, detail, team, roster, status. Findings, evidence and
report versions (kpcs.reviews.working_paper_urls) hang below a visit in the same namespace."""

from django.urls import include, path

from kpcs.reviews import visit_views as views

app_name = "reviews"

urlpatterns = [
    path("<int:visit_id>/", include("kpcs.reviews.working_paper_urls")),
    path("", views.VisitListView.as_view(), name="list"),
    path("new/", views.VisitCreateView.as_view(), name="create"),
    path("roster/", views.RosterView.as_view(), name="roster"),
    path(
        "roster/<int:nomination_id>/withdraw/",
        views.NominationWithdrawView.as_view(),
        name="roster-withdraw",
    ),
    path("<int:visit_id>/", views.VisitDetailView.as_view(), name="detail"),
    path("<int:visit_id>/edit/", views.VisitEditView.as_view(), name="edit"),
    path("<int:visit_id>/team/", views.VisitTeamView.as_view(), name="team"),
    path(
        "<int:visit_id>/team/<int:member_id>/remove/",
        views.TeamMemberRemoveView.as_view(),
        name="team-remove",
    ),
    path("<int:visit_id>/status/", views.VisitTransitionView.as_view(), name="transition"),
]
