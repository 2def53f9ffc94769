"""The secretariat's peer-review dashboards: visits by round and status, participants never
visited or not visited for N years, and open and overdue recommendations per participant (with
a CSV download). Secretariat only: anonymous visitors log in, every other role gets 403."""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.mixins import AccessMixin
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kpcs.accounts.permissions import is_secretariat
from kpcs.common.spreadsheets import spreadsheet_cell
from kpcs.participants.views import paginate
from kpcs.reviews.recommendation_forms import NotVisitedForm, OpenRecommendationFilterForm
from kpcs.reviews.recommendation_views import url_or_empty
from kpcs.reviews.selectors import dashboard as selectors

TEMPLATES = "reviews/dashboard/"
PAGE_SIZE = 50
NEVER_VISITED_SHOWN = 200


class SecretariatView(AccessMixin, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_secretariat(request.user):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


def _crumbs(*trail: tuple[Any, str]) -> list[tuple[Any, str]]:
    return [(gettext_lazy("Review visits"), url_or_empty("reviews:list")), *trail]


class DashboardView(SecretariatView):
    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        form = NotVisitedForm(request.GET or None)
        status = 200
        years = selectors.DEFAULT_YEARS
        not_visited = None
        if form.is_bound and not form.is_valid():
            status = 400
        else:
            years = form.chosen_years() if form.is_bound else years
            not_visited = selectors.participants_not_visited_since(years=years, today=today)
        table = selectors.visits_by_round_and_status()
        visit_list = url_or_empty("reviews:list")
        rows = [
            {
                "round": row.round,
                "total": row.total,
                "cells": [
                    (
                        count,
                        f"{visit_list}?{urlencode({'round': row.round, 'status': value})}"
                        if visit_list and count
                        else "",
                    )
                    for value, count in row.counts
                ],
                "url": f"{visit_list}?{urlencode({'round': row.round})}" if visit_list else "",
            }
            for row in table.rows
        ]
        never_visited = list(selectors.participants_never_visited(today=today))
        context = {
            "table": table,
            "rows": rows,
            "form": form,
            "years": years,
            "never_visited": never_visited,
            "not_visited": not_visited,
            "by_participant": selectors.open_recommendations_by_participant(today=today)[:10],
            "breadcrumbs": _crumbs((gettext_lazy("Peer review dashboard"), "")),
        }
        return render(request, TEMPLATES + "dashboard.html", context, status=status)


def _filtered(request: HttpRequest) -> tuple[OpenRecommendationFilterForm, Any, bool]:
    """The filter form, the recommendations it selects, and whether it was valid."""
    form = OpenRecommendationFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, selectors.open_recommendations().none(), False
    recommendations = selectors.open_recommendations(
        participant=form.chosen_participant() if form.is_bound else None,
        overdue_only=bool(form.is_bound and form.cleaned_data.get("overdue")),
    )
    return form, recommendations, True


class OpenRecommendationsView(SecretariatView):
    def get(self, request: HttpRequest) -> HttpResponse:
        form, recommendations, valid = _filtered(request)
        page = paginate(request, recommendations, per_page=PAGE_SIZE)
        query = request.GET.urlencode()
        context = {
            "form": form,
            "page": page,
            "by_participant": selectors.open_recommendations_by_participant(),
            "csv_query": query,
            "breadcrumbs": _crumbs(
                (gettext_lazy("Open recommendations"), ""),
            ),
        }
        return render(
            request, TEMPLATES + "recommendations.html", context, status=200 if valid else 400
        )


class OpenRecommendationsCsvView(SecretariatView):
    """The open recommendations (the page's filters apply) as CSV, one row each."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form, recommendations, valid = _filtered(request)
        if not valid:
            errors = "; ".join(
                f"{name}: {' '.join(str(m) for m in messages)}"
                for name, messages in form.errors.items()
            )
            return HttpResponse(
                _("The filters are not valid: %(errors)s") % {"errors": errors},
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"open-recommendations-{timezone.localdate().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response.write("\ufeff")  # a byte-order mark, so spreadsheets read UTF-8
        writer = csv.writer(response)
        writer.writerow(
            [
                _("participant"),
                _("participant name"),
                _("visit"),
                _("round"),
                _("recommendation"),
                _("requirement area"),
                _("priority"),
                _("due date"),
                _("owner"),
                _("status"),
                _("overdue"),
                _("text"),
            ]
        )
        for r in recommendations.iterator():
            participant = r.visit.participant
            writer.writerow(
                [
                    spreadsheet_cell(participant.code),
                    spreadsheet_cell(participant.name),
                    r.visit_id,
                    r.visit.round,
                    r.number,
                    spreadsheet_cell(r.get_area_display()),
                    spreadsheet_cell(r.get_priority_display()),
                    r.due_on.isoformat(),
                    spreadsheet_cell(r.owner),
                    spreadsheet_cell(r.get_status_display()),
                    _("yes") if r.is_overdue else _("no"),
                    spreadsheet_cell(r.text),
                ]
            )
        return response
