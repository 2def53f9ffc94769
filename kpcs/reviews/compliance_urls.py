"""Compliance pages under /<lang>/compliance/: the cases (the secretariat's list and form), a
case with the forms that act on it, and each participant's compliance page."""

from django.urls import path

from kpcs.reviews import compliance_views as views

app_name = "compliance"

CASE = "cases/<int:case_id>/"

urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="cases"),
    path("cases/new/", views.CaseCreateView.as_view(), name="case-create"),
    path(CASE, views.CaseDetailView.as_view(), name="case"),
    path(CASE + "edit/", views.CaseEditView.as_view(), name="case-edit"),
    path(CASE + "close/", views.CaseCloseView.as_view(), name="case-close"),
    path(CASE + "reopen/", views.CaseReopenView.as_view(), name="case-reopen"),
    path(CASE + "actions/", views.ActionCreateView.as_view(), name="action-create"),
    path(
        CASE + "actions/<int:action_id>/status/",
        views.ActionStatusView.as_view(),
        name="action-status",
    ),
    path(
        CASE + "actions/<int:action_id>/milestones/",
        views.MilestoneCreateView.as_view(),
        name="milestone-create",
    ),
    path(
        CASE + "milestones/<int:milestone_id>/complete/",
        views.MilestoneCompleteView.as_view(),
        name="milestone-complete",
    ),
    path(CASE + "decisions/", views.DecisionCreateView.as_view(), name="decision-create"),
    path(
        "participants/<str:code>/",
        views.ParticipantComplianceView.as_view(),
        name="participant",
    ),
]
