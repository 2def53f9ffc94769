"""Request types for views."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's HtmxMiddleware (installed for every page),
    which sets `request.htmx`. For type checking only: views receive plain HttpRequests."""

    htmx: HtmxDetails
