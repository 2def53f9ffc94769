"""Clean answers when the infrastructure fails under a request: the database unreachable
(restarting, failing over) or the disk full while a file is written.

Both are the server's trouble, not a bug in the page: the visitor gets a short page (or the
API's JSON error) that says what is wrong and to try again, 503 with Retry-After for the
database, 507 for the disk, instead of the generic 500. Pages are rendered without touching
the database (no session, no user, no navigation), since it may be the very thing that is down.

`OutageMiddleware` catches what views raise; `outage_response` is also called by the 500
handler for what middleware raises outside a view (a session read, for instance).
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

logger = logging.getLogger("kpcs.outages")

# Seconds a client is asked to wait before retrying while the database is unreachable.
DATABASE_RETRY_AFTER = 5
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


def is_database_unavailable(exc: BaseException) -> bool:
    """Lost or refused connections. (OperationalError also covers a few query-level errors,
    e.g. a statement cancelled by its timeout; those are the server being unable to answer
    now as well.)"""
    return isinstance(exc, OperationalError | InterfaceError)


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def _stylesheet() -> str:
    # The manifest lookup can fail on a half-deployed server; the page still has to come out.
    try:
        return static("css/kpcs.css")
    except Exception:
        return ""


def _answer(
    request: HttpRequest, *, status: int, code: str, title: str, message: str
) -> HttpResponse:
    response: HttpResponse
    if _wants_json(request):
        response = JsonResponse({"status": status, "code": code, "detail": message}, status=status)
    else:
        html = render_to_string(
            "outage.html",
            {
                "status": status,
                "title": title,
                "message": message,
                "stylesheet": _stylesheet(),
                "language": get_language() or "en",
                "bidi": get_language_bidi(),
            },
        )
        response = HttpResponse(html, status=status)
    add_never_cache_headers(response)
    return response


def outage_response(request: HttpRequest, exc: BaseException | None) -> HttpResponse | None:
    """The clean answer for an infrastructure failure, or None for any other error."""
    if exc is None:
        return None
    if is_database_unavailable(exc):
        logger.warning(
            "database unavailable during %s %s: %s",
            request.method,
            request.path,
            str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__,
        )
        response = _answer(
            request,
            status=503,
            code="database_unavailable",
            title=_("Service temporarily unavailable"),
            message=_(
                "The database is unavailable at the moment. Please try again in a moment; "
                "nothing you sent has been saved."
            ),
        )
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    if is_disk_full(exc):
        logger.error("disk full during %s %s: %s", request.method, request.path, exc)
        return _answer(
            request,
            status=507,
            code="insufficient_storage",
            title=_("The server is out of disk space"),
            message=_(
                "The server is out of disk space, so your file could not be stored and nothing "
                "was saved. Please try again later, and tell the secretariat if it goes on."
            ),
        )
    return None


class OutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return outage_response(request, exception)
