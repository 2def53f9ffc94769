from django.urls import path

from kpcs.accounts import api_client_views as views

app_name = "api_clients"

urlpatterns = [
    path("", views.ApiClientListView.as_view(), name="list"),
    path("new/", views.ApiClientCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ApiClientDetailView.as_view(), name="detail"),
]
