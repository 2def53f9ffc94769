"""Files people download (CSV, XLSX): one writer for each format, used by every export.

Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or
carriage return) as a formula, so every text cell that starts with one gets a leading
apostrophe (OWASP "CSV injection"). Numbers are written as numbers: a Decimal is formatted
with a dot and its own decimals in CSV and stored as a number cell in XLSX, never touched.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kpcs.common.spreadsheets import neutralise
from kpcs.participants.models import Participant
from kpcs.statistics.models import Release
from kpcs.statistics.selectors import ProductionSummary, TradeSummary, YearFigures

Cell = str | int | Decimal | None

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DECIMAL_FORMAT = "#,##0.00"
INTEGER_FORMAT = "#,##0"


def _csv_value(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> HttpResponse:
    """A CSV download (FORMATS.md rules: UTF-8, comma, one header row, RFC 4180 quoting)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(name) for name in header])
    writer.writerows([_csv_value(value) for value in row] for row in rows)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=CSV_TYPE), filename)


@dataclass
class Sheet:
    """One worksheet: a header row, data rows and, optionally, rows after them (a total) that
    are written in bold."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Cell]]
    footer: Sequence[Sequence[Cell]] = field(default_factory=list)
    column_widths: Sequence[int] = field(default_factory=list)


def _xlsx_cell(sheet: Worksheet, value: Cell, *, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, str):
        value = neutralise(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, Decimal):
        cell.number_format = DECIMAL_FORMAT
    elif isinstance(value, int):
        cell.number_format = INTEGER_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_bytes(*, sheets: Sequence[Sheet]) -> bytes:
    workbook = Workbook(write_only=True)
    for spec in sheets:
        # Excel limits sheet titles to 31 characters and forbids a few punctuation marks.
        title = "".join(c for c in spec.title if c not in "[]:*?/\\")[:31]
        sheet = workbook.create_sheet(title=title)
        for index, width in enumerate(spec.column_widths):
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        sheet.append([_xlsx_cell(sheet, str(name), bold=True) for name in spec.header])
        for row in spec.rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
        for row in spec.footer:
            sheet.append([_xlsx_cell(sheet, value, bold=True) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(*, filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    """An XLSX download of these sheets."""
    return _attachment(HttpResponse(xlsx_bytes(sheets=sheets), content_type=XLSX_TYPE), filename)


# The published figures as files ----------------------------------------------------------------
# Column names are those of the JSON rows. CSV files hold the participants' rows only (a
# script summing a column gets the world total); XLSX files end with a bold world-total row
# and describe the release on a second sheet.

PRODUCTION_COLUMNS = ("carats", "value_usd", "usd_per_carat")
TRADE_COLUMNS = (
    "imports_carats",
    "imports_value_usd",
    "imports_usd_per_carat",
    "import_certificates",
    "exports_carats",
    "exports_value_usd",
    "exports_usd_per_carat",
    "export_certificates",
)


def _figures(figures: Any, columns: Sequence[str]) -> list[Cell]:
    return [getattr(figures, column) for column in columns]


def _rows(summary: ProductionSummary | TradeSummary, columns: Sequence[str]) -> list[list[Cell]]:
    return [[row.participant.code, *_figures(row, columns)] for row in summary.rows]  # type: ignore[union-attr]


def _filename(dataset: str, release: Release, extension: str) -> str:
    return f"kpcs-{dataset}-{release.year}-release-{release.number}.{extension}"


def _release_sheet(release: Release, source: str) -> Sheet:
    return Sheet(
        title=gettext("Release"),
        header=[gettext("Field"), gettext("Value")],
        rows=[
            [gettext("Year"), release.year],
            [gettext("Release"), release.number],
            [gettext("Published"), release.published_at.isoformat()],
            [gettext("What changed"), release.note],
            [gettext("Source"), source],
        ],
        column_widths=[16, 80],
    )


def production_csv(summary: ProductionSummary) -> HttpResponse:
    return csv_response(
        filename=_filename("production", summary.release, "csv"),
        header=["participant", *PRODUCTION_COLUMNS],
        rows=_rows(summary, PRODUCTION_COLUMNS),
    )


def production_xlsx(summary: ProductionSummary, *, source: str) -> HttpResponse:
    sheet = Sheet(
        title=gettext("Production %(year)s") % {"year": summary.year},
        header=["participant", *PRODUCTION_COLUMNS],
        rows=_rows(summary, PRODUCTION_COLUMNS),
        footer=[[gettext("World total"), *_figures(summary.total, PRODUCTION_COLUMNS)]],
        column_widths=[14, 20, 22, 16],
    )
    return xlsx_response(
        filename=_filename("production", summary.release, "xlsx"),
        sheets=[sheet, _release_sheet(summary.release, source)],
    )


def trade_csv(summary: TradeSummary) -> HttpResponse:
    return csv_response(
        filename=_filename("trade", summary.release, "csv"),
        header=["participant", *TRADE_COLUMNS],
        rows=_rows(summary, TRADE_COLUMNS),
    )


def trade_xlsx(summary: TradeSummary, *, source: str) -> HttpResponse:
    sheet = Sheet(
        title=gettext("Trade %(year)s") % {"year": summary.year},
        header=["participant", *TRADE_COLUMNS],
        rows=_rows(summary, TRADE_COLUMNS),
        footer=[[gettext("World total"), *_figures(summary.total, TRADE_COLUMNS)]],
        column_widths=[14, 18, 20, 22, 20, 18, 20, 22, 20],
    )
    return xlsx_response(
        filename=_filename("trade", summary.release, "xlsx"),
        sheets=[sheet, _release_sheet(summary.release, source)],
    )


RELEASE_COLUMNS = ("year", "number", "published_at", "note")


def _release_rows(releases: Iterable[Release]) -> list[list[Cell]]:
    return [[r.year, r.number, r.published_at.isoformat(), r.note] for r in releases]


def release_list_csv(releases: Iterable[Release]) -> HttpResponse:
    return csv_response(
        filename="kpcs-statistics-releases.csv",
        header=RELEASE_COLUMNS,
        rows=_release_rows(releases),
    )


def release_list_xlsx(releases: Iterable[Release]) -> HttpResponse:
    sheet = Sheet(
        title=gettext("Releases"),
        header=RELEASE_COLUMNS,
        rows=_release_rows(releases),
        column_widths=[8, 10, 28, 80],
    )
    return xlsx_response(filename="kpcs-statistics-releases.xlsx", sheets=[sheet])


HISTORY_COLUMNS = (
    "year",
    "release",
    "production_carats",
    "production_value_usd",
    "production_usd_per_carat",
    *TRADE_COLUMNS,
)


def _history_rows(history: Iterable[YearFigures]) -> list[list[Cell]]:
    rows = []
    for year in history:
        production = (
            _figures(year.production, PRODUCTION_COLUMNS)
            if year.production
            else [None] * len(PRODUCTION_COLUMNS)
        )
        trade = _figures(year.trade, TRADE_COLUMNS) if year.trade else [None] * len(TRADE_COLUMNS)
        rows.append([year.year, year.release.number, *production, *trade])
    return rows


def history_csv(participant: Participant, history: Sequence[YearFigures]) -> HttpResponse:
    return csv_response(
        filename=f"kpcs-statistics-{participant.code}.csv",
        header=HISTORY_COLUMNS,
        rows=_history_rows(history),
    )


def history_xlsx(participant: Participant, history: Sequence[YearFigures]) -> HttpResponse:
    sheet = Sheet(
        title=participant.code,
        header=HISTORY_COLUMNS,
        rows=_history_rows(history),
        column_widths=[8, 9, *[20] * (len(HISTORY_COLUMNS) - 2)],
    )
    return xlsx_response(filename=f"kpcs-statistics-{participant.code}.xlsx", sheets=[sheet])
