from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kpcs.common import selectors
from kpcs.common.health import health_report
from kpcs.common.http import HtmxHttpRequest
from kpcs.common.outages import outage_response


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", selectors.home_overview(user=request.user))


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the broker and a worker all answer; 503 naming what does not."""
    report = health_report()
    return JsonResponse(report, status=200 if report["ok"] else 503)


@login_required
def job_status(request: HtmxHttpRequest, job_id: str) -> HttpResponse:
    job = selectors.background_job_visible_to(user=request.user, job_id=job_id)
    if job is None:
        raise Http404(_("No such job."))
    template = "common/_job_progress.html" if request.htmx else "common/job_detail.html"
    return render(request, template, {"job": job})


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def error_response(
    request: HttpRequest, status: int, code: str, title: str, message: str
) -> HttpResponse:
    """The error page (JSON under /api/ or when asked for) with a message for people."""
    if _wants_json(request):
        return JsonResponse({"status": status, "code": code, "detail": message}, status=status)
    return render(
        request, "error.html", {"status": status, "title": title, "message": message}, status=status
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        message = _(
            "The form sent is larger than %(limit)s MB without its files (a text far too "
            "long?); nothing was stored. Shorten it and send it again."
        ) % {"limit": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024:,.1f}"}
        return error_response(request, 400, "request_too_large", _("Form too large"), message)
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        message = _(
            "The form sent has more fields or files than any form of this site (at most "
            "%(fields)s fields and %(files)s files); nothing was stored."
        ) % {
            "fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            "files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        }
        return error_response(request, 400, "too_many_fields", _("Form too large"), message)
    return error_response(
        request,
        400,
        "bad_request",
        _("Bad request"),
        _("The request could not be understood. Check the address and try again."),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(
        request,
        403,
        "permission_denied",
        _("Not allowed"),
        _("Your account does not give you access to this page."),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = _("There is nothing at this address.")
    detail: Any = exception.args[0] if exception and exception.args else None
    # Our own Http404s carry a message for people; the resolver's carry a dict, and
    # get_object_or_404's English model names are not worth showing.
    if isinstance(detail, str) and detail and "matches the given query" not in detail:
        message = detail
    return error_response(request, 404, "not_found", _("Not found"), message)


def server_error(request: HttpRequest) -> HttpResponse:
    # A database outage or a full disk met outside a view (middleware reading the session, for
    # instance) arrives here rather than at OutageMiddleware: the same clean 503/507.
    outage = outage_response(request, sys.exc_info()[1])
    if outage is not None:
        return outage
    return error_response(
        request,
        500,
        "server_error",
        _("Something went wrong"),
        _("The error has been logged. Please try again later."),
    )
