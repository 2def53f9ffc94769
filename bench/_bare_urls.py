"""The project's URLs plus one bare view, for the load test's floor (bench/load_test.py).

Used only through bench/_load_settings.py (ROOT_URLCONF), so the bare view never exists in
the project's own URLs.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from kpcs.urls import handler400, handler403, handler404, handler500  # noqa: F401 - used by Django
from kpcs.urls import urlpatterns as project_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    """No database, no template: what any Django view costs through the same middleware."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *project_urlpatterns]
