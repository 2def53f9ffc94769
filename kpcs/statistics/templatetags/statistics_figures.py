"""Figures in the published tables: carats, US$ and US$ per carat as three cells.

A tag rather than an included template: the summary page has five such groups per participant,
and ~180 `{% include %}`s with `floatformat` were most of the page's rendering time
(docs/performance.md). The numbers are formatted as `floatformat:"2g"` would, in the active
language's format (decimal separator, grouping).
"""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()


def _figure(value: Decimal) -> str:
    return number_format(value, 2, use_l10n=True, force_grouping=True)


@register.simple_tag
def figure_cells(carats: Decimal, value_usd: Decimal, usd_per_carat: Decimal | None) -> SafeString:
    """`<td>` carats, US$ and US$ per carat (a dash, titled "no carats", where there are none)."""
    per_carat: str
    if usd_per_carat is None:
        per_carat = format_html('<span class="muted" title="{}">–</span>', gettext("no carats"))
    else:
        per_carat = _figure(usd_per_carat)
    return format_html(
        '<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>',
        _figure(carats),
        _figure(value_usd),
        per_carat,
    )
