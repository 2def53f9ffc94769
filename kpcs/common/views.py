from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kpcs.common import selectors
from kpcs.common.health import health_report
from kpcs.common.http import HtmxHttpRequest


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


def _error(request: HttpRequest, status: int, code: str, title: str, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"status": status, "code": code, "detail": message}, status=status)
    return render(
        request, "error.html", {"status": status, "title": title, "message": message}, status=status
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        400,
        "bad_request",
        _("Bad request"),
        _("The request could not be understood. Check the address and try again."),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
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
    return _error(request, 404, "not_found", _("Not found"), message)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        "server_error",
        _("Something went wrong"),
        _("The error has been logged. Please try again later."),
    )
