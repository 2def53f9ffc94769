"""The secretariat's reconciliation of certificates with statistics: for a year, each
exporter, importer and quarter, the certificates recorded against both sides' trade
statistics and the import confirmations, gaps beyond tolerance highlighted, and the same
table as a CSV file.

For the secretariat only: anonymous visitors go to the log-in page, other roles get 403. A
filter that is not valid (a year out of range, an unknown participant code) answers 400 with
the reason on the page, or as text for the CSV file.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kpcs.accounts.permissions import SecretariatRequiredMixin
from kpcs.certificates.reconciliation import (
    Figures,
    Gap,
    Reconciliation,
    ReconciliationRow,
    reconciliation_by_quarter,
)
from kpcs.certificates.reconciliation_forms import ReconciliationFilterForm
from kpcs.participants.views import paginate
from kpcs.statistics.exports import Cell, csv_response

ROWS_PER_PAGE = 100

CSV_HEADER = (
    "exporter",
    "importer",
    "year",
    "period",
    "certificates",
    "certificates_by_hs_code",
    "certificate_carats",
    "certificate_value_usd",
    "void_certificates",
    "export_certificates",
    "export_carats",
    "export_value_usd",
    "export_gap_certificates",
    "export_gap_carats",
    "export_gap_value_usd",
    "export_flagged",
    "import_certificates",
    "import_carats",
    "import_value_usd",
    "import_gap_certificates",
    "import_gap_carats",
    "import_gap_value_usd",
    "import_flagged",
    "confirmations_due",
    "confirmations_due_carats",
    "confirmed",
    "received_carats",
    "confirmation_gap_certificates",
    "confirmation_gap_carats",
    "confirmation_flagged",
    "awaiting_confirmation",
)


# The order of the measures in the table's stacked cells: certificates, carats, US$.
ORDER = {"certificates": 0, "carats": 1, "value_usd": 2}


def _ordered(gaps: Sequence[Gap]) -> list[Gap]:
    return sorted(gaps, key=lambda gap: ORDER[gap.measure])


@dataclass(frozen=True)
class Account:
    """One account set against the certificates, as the table shows it: its figures (None
    when not compared), whether the side reported the whole year only, and its gaps."""

    figures: Figures | None
    yearly: bool
    gaps: list[Gap]


@dataclass(frozen=True)
class Line:
    row: ReconciliationRow
    exports: Account
    imports: Account
    confirmation_gaps: list[Gap]


def _line(row: ReconciliationRow) -> Line:
    return Line(
        row=row,
        exports=Account(row.exports, row.exports_yearly, _ordered(row.export_gaps)),
        imports=Account(row.imports, row.imports_yearly, _ordered(row.import_gaps)),
        confirmation_gaps=_ordered(row.confirmation_gaps),
    )


def _difference(gap: Gap | None) -> Cell:
    if gap is None:
        return None
    return int(gap.difference) if gap.measure == "certificates" else gap.difference


def _account_cells(figures: Figures | None, gaps: Sequence[Gap]) -> list[Cell]:
    by_measure = {g.measure: g for g in gaps}
    if figures is None:
        return [None] * 7
    return [
        figures.certificates,
        figures.carats,
        figures.value_usd,
        _difference(by_measure.get("certificates")),
        _difference(by_measure.get("carats")),
        _difference(by_measure.get("value_usd")),
        "true" if any(g.flagged for g in gaps) else "false",
    ]


def _csv_rows(rows: Sequence[ReconciliationRow]) -> Iterator[list[Cell]]:
    for row in rows:
        c = row.confirmations
        confirmation = {g.measure: g for g in row.confirmation_gaps}
        yield [
            row.exporter.code,
            row.importer.code,
            row.year,
            row.period,
            row.certificates,
            row.issued.certificates,
            row.issued.carats,
            row.issued.value_usd,
            row.void,
            *_account_cells(row.exports, row.export_gaps),
            *_account_cells(row.imports, row.import_gaps),
            c.due,
            c.due_carats,
            c.confirmed,
            c.received_carats,
            _difference(confirmation.get("certificates")),
            _difference(confirmation.get("carats")),
            "true" if row.confirmation_flagged else "false",
            c.awaiting,
        ]


def _csv_filename(year: int, filters: dict[str, Any]) -> str:
    parts = ["kpcs-reconciliation", str(year)]
    for key in ("exporter", "importer"):
        if filters.get(key) is not None:
            parts.append(f"{key}-{filters[key].code}")
    return "-".join(parts) + ".csv"


class ReconciliationView(SecretariatRequiredMixin, View):
    """The page (`download = False`) or its CSV file (`download = True`)."""

    download = False

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ReconciliationFilterForm(request.GET or None)
        year = form.year_or_default()
        if form.is_bound and not form.is_valid():
            if self.download:
                reasons = "; ".join(
                    f"{form.fields[name].label}: {' '.join(str(e) for e in errors)}"
                    for name, errors in form.errors.items()
                )
                return HttpResponse(
                    _("The filter is not valid: %(reasons)s") % {"reasons": reasons},
                    status=400,
                    content_type="text/plain; charset=utf-8",
                )
            return self.render_page(form, year, None, status=400)
        filters: dict[str, Any] = form.cleaned_data if form.is_bound else {}
        reconciliation = reconciliation_by_quarter(
            year=year, exporter=filters.get("exporter"), importer=filters.get("importer")
        )
        rows = reconciliation.flagged if filters.get("gaps") else reconciliation.rows
        if self.download:
            return csv_response(
                filename=_csv_filename(year, filters), header=CSV_HEADER, rows=_csv_rows(rows)
            )
        return self.render_page(form, year, reconciliation, rows=rows)

    def render_page(
        self,
        form: ReconciliationFilterForm,
        year: int,
        reconciliation: Reconciliation | None,
        *,
        rows: Sequence[ReconciliationRow] = (),
        status: int = 200,
    ) -> HttpResponse:
        page = paginate(self.request, list(rows), per_page=ROWS_PER_PAGE)
        query = self.request.GET.copy()
        query.pop("page", None)
        context = {
            "form": form,
            "year": year,
            "reconciliation": reconciliation,
            "page": page,
            "lines": [_line(row) for row in page.object_list],
            "flagged": len(reconciliation.flagged) if reconciliation is not None else 0,
            "csv_url": reverse("certificates_secretariat:reconciliation-csv")
            + (f"?{query.urlencode()}" if query else ""),
            "tolerance_pct": (
                reconciliation.tolerance.relative * Decimal(100)
                if reconciliation is not None
                else None
            ),
            "breadcrumbs": [
                (
                    gettext_lazy("Statistics work"),
                    reverse("statistics_secretariat:dashboard"),
                ),
                (gettext_lazy("Certificates and statistics"), ""),
            ],
            "section": "reconciliation",
        }
        return render(
            self.request,
            "certificates/secretariat/reconciliation.html",
            context,
            status=status,
        )
