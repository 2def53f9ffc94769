"""Charts for the report PDFs, drawn in Python as inline SVG (no JavaScript, no image files).

A horizontal bar chart is a table: each row holds the label as HTML text, the bar as a small
SVG and the value. The labels stay HTML because WeasyPrint's SVG text does not shape Arabic;
the bars start on the line's start side, so an Arabic chart grows from the right.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString

BAR_COLOUR = "#1d4e89"
# The bar's box in the SVG's own units; the SVG is stretched to the cell's width.
BAR_UNITS = 1000
BAR_HEIGHT = 10


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    value_text: str  # the value as the language writes it
    svg: SafeString


def bar_svg(fraction: float, *, rtl: bool) -> SafeString:
    """One bar filling `fraction` (0…1) of its box, from the start side."""
    fraction = min(max(fraction, 0.0), 1.0)
    width = round(BAR_UNITS * fraction)
    # A value too small to see still shows a sliver, so no participant looks missing.
    if fraction > 0 and width < 3:
        width = 3
    x = BAR_UNITS - width if rtl else 0
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="bar" viewBox="0 0 {} {}" '
        'preserveAspectRatio="none" aria-hidden="true">'
        '<rect x="{}" y="0" width="{}" height="{}" fill="{}"/></svg>',
        BAR_UNITS,
        BAR_HEIGHT,
        x,
        width,
        BAR_HEIGHT,
        BAR_COLOUR,
    )


def bar_chart(
    rows: list[tuple[str, Decimal, str]], *, rtl: bool, limit: int | None = None
) -> list[Bar]:
    """Bars for (label, value, value as text), largest first, scaled to the largest value;
    at most `limit` bars."""
    ordered = sorted(rows, key=lambda row: (-row[1], row[0]))
    if limit is not None:
        ordered = ordered[:limit]
    largest = max((value for _label, value, _text in ordered), default=Decimal(0))
    return [
        Bar(
            label=label,
            value=value,
            value_text=text,
            svg=bar_svg(float(value / largest) if largest else 0.0, rtl=rtl),
        )
        for label, value, text in ordered
    ]
