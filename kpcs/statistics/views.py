"""Public statistics pages (no login): the annual global summary, a participant's history and
the list of releases. Only released figures are shown (selectors.py reads releases only).

Each page's query string is the view (`?year=2023&release=2`), and each links to the same data
as JSON, CSV and XLSX through the public API. Charts are inline SVG computed here (no script,
no style attributes, so a strict Content Security Policy holds); every chart has a title, a
description and the table beside it as its text alternative.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from kpcs.participants.views import paginate
from kpcs.statistics import selectors
from kpcs.statistics.public_apis import download_links, participant_or_404, release_or_404

RELEASES_PAGE_SIZE = 50
TOP_PRODUCERS = 10


# Query strings ---------------------------------------------------------------------------------


def _whole_number(value: str, message: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{1,9}", value):
        raise forms.ValidationError(message % {"value": value[:20]})
    return int(value)


class YearQueryForm(forms.Form):
    """`?year=` (and on the summary `&release=`); bad values are reported, never a 500."""

    year = forms.CharField(label=gettext_lazy("Year"), required=False, max_length=20)
    release = forms.CharField(
        label=gettext_lazy("Release"), required=False, max_length=20, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].widget = forms.Select(choices=[(y, y) for y in years])

    def clean_year(self) -> int | None:
        year = _whole_number(
            self.cleaned_data.get("year", ""),
            _("“%(value)s” is not a year: give four digits, for example 2023."),
        )
        if year is not None and not 2000 <= year <= 2100:
            raise forms.ValidationError(_("Give a year between 2000 and 2100."))
        return year

    def clean_release(self) -> int | None:
        number = _whole_number(
            self.cleaned_data.get("release", ""),
            _("“%(value)s” is not a release number: give a whole number, such as 1."),
        )
        if number == 0:
            raise forms.ValidationError(_("Releases are numbered from 1."))
        return number


def _page_url(name: str, **query: Any) -> str:
    params = {key: value for key, value in query.items() if value is not None}
    return reverse(name) + ("?" + urlencode(params) if params else "")


# Charts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    name: str
    value: Decimal
    y: float
    text_y: float
    bar_x: float
    bar_width: float
    label_x: float
    value_x: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    label_anchor: str
    value_anchor: str
    row_height: int = 28
    bar_height: int = 18


def bar_chart(items: list[tuple[str, str, Decimal]], *, rtl: bool) -> BarChart:
    """Horizontal bars, largest first: (label, name, value) → geometry. Right to left, the
    labels sit on the right and the bars grow leftwards."""
    width, label_width, value_width, row = 640, 56, 130, 28
    largest = max((value for _label, _name, value in items), default=Decimal(0)) or Decimal(1)
    span = width - label_width - value_width
    bars = []
    for index, (label, name, value) in enumerate(items):
        length = round(float(value / largest) * span, 1)
        bar_x: float = label_width
        label_x: float = label_width - 8
        value_x: float = label_width + length + 6
        if rtl:
            bar_x = width - label_width - length
            label_x = width - label_width + 8
            value_x = width - label_width - length - 6
        bars.append(
            Bar(
                label=label,
                name=name,
                value=value,
                y=index * row + 4,
                text_y=index * row + 17,
                bar_x=bar_x,
                bar_width=max(length, 1),
                label_x=label_x,
                value_x=value_x,
            )
        )
    return BarChart(
        width=width,
        height=max(len(items), 1) * row + 8,
        bars=bars,
        label_anchor="start" if rtl else "end",
        value_anchor="end" if rtl else "start",
    )


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    year: int
    value: Decimal


# Colour and dash pattern of each line, so the lines differ without colour too.
SERIES_STYLE = {
    "production": ("#0b5c7a", "none"),
    "exports": ("#9a5b00", "8 4"),
    "imports": ("#1f7a3e", "2 4"),
}


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    points: list[Point]
    colour: str
    dash: str

    @property
    def path(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass(frozen=True)
class Tick:
    position: float
    label: Any

    @property
    def text_y(self) -> float:
        return round(self.position + 4, 1)


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    series: list[Series]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    x_label_y: float
    y_label_x: float
    y_label_anchor: str


def _nice_step(value: float) -> float:
    """The smallest round step (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^n) of at least `value`."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * magnitude >= value * (1 - 1e-9):
            return step * magnitude
    return 10.0 * magnitude


def _tick_label(value: float) -> int | Decimal:
    return int(value) if value == int(value) else Decimal(str(round(value, 2)))


def line_chart(
    years: list[int], series: list[tuple[str, str, list[Decimal | None]]], *, rtl: bool
) -> LineChart:
    """Lines over years: (key, label, one value per year or None) → geometry. Right to left,
    time runs from right to left and the value axis is on the right."""
    width, height = 800, 250
    left, right, top, bottom = 84.0, 780.0, 12.0, 218.0
    if rtl:
        left, right = width - right, width - left
    values = [float(v) for _k, _l, vals in series for v in vals if v is not None]
    ceiling = _nice_step(max(values, default=0.0) / 4) * 4
    step = (right - left) / max(len(years) - 1, 1)

    def x_of(index: int) -> float:
        offset = step * index if len(years) > 1 else (right - left) / 2
        return round(right - offset if rtl else left + offset, 1)

    def y_of(value: float) -> float:
        return round(bottom - (value / ceiling) * (bottom - top), 1)

    lines = [
        Series(
            key=key,
            label=label,
            colour=SERIES_STYLE[key][0],
            dash=SERIES_STYLE[key][1],
            points=[
                Point(x=x_of(i), y=y_of(float(v)), year=years[i], value=v)
                for i, v in enumerate(vals)
                if v is not None
            ],
        )
        for key, label, vals in series
    ]
    y_ticks = [
        Tick(position=y_of(ceiling * i / 4), label=_tick_label(ceiling * i / 4)) for i in range(5)
    ]
    return LineChart(
        width=width,
        height=height,
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
        series=lines,
        x_ticks=[Tick(position=x_of(i), label=year) for i, year in enumerate(years)],
        y_ticks=y_ticks,
        x_label_y=bottom + 22,
        y_label_x=right + 6 if rtl else left - 6,
        y_label_anchor="start" if rtl else "end",
    )


# Pages -----------------------------------------------------------------------------------------


def summary(request: HttpRequest) -> HttpResponse:
    """The annual global summary for a year (default: the latest published year), from the
    year's latest release or the one named by `release`."""
    years = selectors.published_years()
    form = YearQueryForm(request.GET or None, years=years)
    context: dict[str, Any] = {"form": form, "years": years}
    if form.is_bound and not form.is_valid():
        return render(request, "statistics/summary.html", context, status=400)
    query = form.cleaned_data if form.is_bound else {}
    year = query.get("year") or (years[0] if years else None)
    if year is None:
        if query.get("release"):
            context["problem"] = _("No statistics have been published yet.")
            return render(request, "statistics/summary.html", context, status=404)
        return render(request, "statistics/summary.html", context)
    context["year"] = year
    form.initial["year"] = year
    try:
        release = release_or_404(year=year, number=query.get("release"))
    except Http404 as exc:
        context["problem"] = str(exc)
        return render(request, "statistics/summary.html", context, status=404)
    production = selectors.production_summary(year=year, release=release)
    trade = selectors.trade_summary(year=year, release=release)
    assert production is not None and trade is not None
    releases_of_year = list(selectors.release_list(year=year))
    top = sorted(production.rows, key=lambda row: (-row.carats, row.participant.code))  # type: ignore[union-attr]
    link_query = {"year": year, "release": release.number}
    context |= {
        "release": release,
        "latest_release": releases_of_year[0],
        "releases_of_year": releases_of_year,
        "production": production,
        "trade": trade,
        "chart": bar_chart(
            [
                (row.participant.code, row.participant.name, row.carats)  # type: ignore[union-attr]
                for row in top[:TOP_PRODUCERS]
                if row.carats > 0
            ],
            rtl=get_language_bidi(),
        ),
        "permalink": _page_url("statistics:summary", **link_query),
        "production_links": download_links("production", **link_query),
        "trade_links": download_links("trade", **link_query),
    }
    return render(request, "statistics/summary.html", context)


def participant_history(request: HttpRequest, code: str) -> HttpResponse:
    """A participant's published production and trade across the years, with charts."""
    participant = participant_or_404(code)
    history = selectors.participant_history(participant=participant)
    years = [entry.year for entry in history]
    rtl = get_language_bidi()

    def column(kind: str, field: str) -> list[Decimal | None]:
        return [
            getattr(getattr(entry, kind), field) if getattr(entry, kind) else None
            for entry in history
        ]

    context = {
        "participant": participant,
        "history": history,
        "has_production": any(entry.production for entry in history),
        "has_trade": any(entry.trade for entry in history),
        "volume_chart": line_chart(
            years,
            [
                ("production", _("Production"), column("production", "carats")),
                ("exports", _("Exports"), column("trade", "exports_carats")),
                ("imports", _("Imports"), column("trade", "imports_carats")),
            ],
            rtl=rtl,
        ),
        "value_chart": line_chart(
            years,
            [
                ("production", _("Production"), column("production", "value_usd")),
                ("exports", _("Exports"), column("trade", "exports_value_usd")),
                ("imports", _("Imports"), column("trade", "imports_value_usd")),
            ],
            rtl=rtl,
        ),
        "links": {
            fmt: reverse("api:public-statistics-participant", args=[participant.code])
            + f"?format={fmt}"
            for fmt in ("json", "csv", "xlsx")
        },
    }
    return render(request, "statistics/participant_history.html", context)


def release_list(request: HttpRequest) -> HttpResponse:
    """Every release, newest first, with its note and downloads; `?year=` narrows it."""
    years = selectors.published_years()
    form = YearQueryForm(request.GET or None, years=years)
    form.fields["year"].widget = forms.Select(
        choices=[("", _("all years")), *[(y, y) for y in years]]
    )
    status = 200
    year = None
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        year = form.cleaned_data.get("year")
    releases = (
        selectors.release_list(year=year) if status == 200 else selectors.release_list().none()
    )
    page = paginate(request, releases, per_page=RELEASES_PAGE_SIZE)
    rows = [
        {
            "release": release,
            "page": _page_url("statistics:summary", year=release.year, release=release.number),
            "production": download_links("production", year=release.year, release=release.number),
            "trade": download_links("trade", year=release.year, release=release.number),
        }
        for release in page.object_list
    ]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "year": year,
        "years": years,
        "links": download_links("releases", year=year),
    }
    return render(request, "statistics/release_list.html", context, status=status)
