from django.urls import path

from kpcs.statistics import questionnaire_views as views

app_name = "questionnaire"

urlpatterns = [
    path("", views.QuestionListView.as_view(), name="list"),
    path("<int:pk>/", views.QuestionDetailView.as_view(), name="question"),
]
