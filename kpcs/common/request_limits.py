"""Refuse a request whose body is larger than anything the address accepts, before a byte of
it is read: Django would otherwise stream a 200 MB upload to a temporary file (or, for a
form without files, into memory) and only then let the form say it is too large.

The limit is checked on the declared Content-Length, which is all Django ever reads: a body
sent without one (chunked) is read as empty (django.core.handlers.wsgi.LimitedStream with a
limit of 0), and the WSGI server stops at the declared length.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

MB = 1024 * 1024


def body_limit(path: str) -> int:
    """The largest request body, in bytes, that `path` accepts: REQUEST_BODY_MAX_MB, or the
    larger limit of the first REQUEST_BODY_LARGE_PATHS pattern that matches."""
    for pattern, megabytes in settings.REQUEST_BODY_LARGE_PATHS:
        if re.search(pattern, path):
            return int(megabytes * MB)
    return int(settings.REQUEST_BODY_MAX_MB * MB)


class RequestSizeLimitMiddleware:
    """413, with a page (or JSON under /api/) saying how large the request was and what the
    address accepts, for a body declared larger than `body_limit`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = body_limit(request.path_info)
        if declared > limit:
            return self.refuse(request, declared, limit)
        return self.get_response(request)

    def refuse(self, request: HttpRequest, declared: int, limit: int) -> HttpResponse:
        from kpcs.common.views import error_response

        message = _(
            "The request is %(size)s MB; this address accepts at most %(limit)s MB at a time. "
            "Nothing was read or stored. Send a smaller file, or the files in several goes."
        ) % {"size": f"{declared / MB:,.1f}", "limit": f"{limit / MB:,.0f}"}
        return error_response(request, 413, "request_too_large", _("Request too large"), message)
