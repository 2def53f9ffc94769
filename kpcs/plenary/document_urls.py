"""Public document pages, /<lang>/documents/ (namespace `documents`): the list with search and
the stable page of each document by its symbol (slashes and spaces included), with its PDFs.
The PDF pattern comes first: the page's pattern would also match its address."""

from django.urls import path

from kpcs.plenary import document_views as views

app_name = "documents"

urlpatterns = [
    path("", views.public_document_list, name="list"),
    path("<path:symbol>/pdf/<str:language>/", views.document_pdf, name="pdf"),
    path("<path:symbol>/", views.public_document_detail, name="detail"),
]
