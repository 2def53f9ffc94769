"""/api/v1/reviews/compliance-cases/: cases with their actions, milestones and decisions, and
each participant's compliance figures (kpcs.reviews.compliance_apis)."""

from django.urls import path

from kpcs.reviews import compliance_apis as apis

CASE = "<int:case_id>/"

urlpatterns = [
    path("", apis.ComplianceCaseListApi.as_view(), name="compliance-case-list"),
    path(
        "participants/<str:code>/",
        apis.ComplianceOverviewApi.as_view(),
        name="compliance-case-participant",
    ),
    path(
        "milestones/<int:milestone_id>/",
        apis.ComplianceMilestoneDetailApi.as_view(),
        name="compliance-case-milestone-detail",
    ),
    path(CASE, apis.ComplianceCaseDetailApi.as_view(), name="compliance-case-detail"),
    path(CASE + "actions/", apis.ComplianceActionListApi.as_view(), name="compliance-case-actions"),
    path(
        CASE + "actions/<int:action_id>/",
        apis.ComplianceActionDetailApi.as_view(),
        name="compliance-case-action-detail",
    ),
    path(
        CASE + "actions/<int:action_id>/milestones/",
        apis.ComplianceMilestoneListApi.as_view(),
        name="compliance-case-milestones",
    ),
    path(
        CASE + "decisions/",
        apis.ComplianceDecisionListApi.as_view(),
        name="compliance-case-decisions",
    ),
]
