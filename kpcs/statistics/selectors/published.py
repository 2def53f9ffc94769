"""Reads of the statistics: what the public sees comes from releases only.

Published figures are the snapshot tables a release fills (ReleaseProduction, ReleaseTrade);
nothing here reads submissions, so an accepted-but-unreleased or draft figure cannot reach a
public page or the public API.

US$ per carat is value / carats rounded to the cent, half away from zero (in SQL with
PostgreSQL's numeric `round` for a participant's history, in Python for the yearly summaries);
it is None where the carats are zero. Totals are the
sums of the rows, and their $/ct is total value / total carats (not an average of the rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple, Protocol

from django.conf import settings
from django.db.models import (
    DecimalField,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf, Round
from modeltranslation.utils import build_localized_fieldname, get_language

from kpcs.participants.models import Participant
from kpcs.statistics.models import Flow, Release, ReleaseProduction, ReleaseTrade

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
_MONEY = DecimalField(max_digits=20, decimal_places=2)


def _per_carat(value: Any, carats: Any) -> Round:
    """value / carats, rounded to the cent in SQL; NULL when there are no carats."""
    return Round(value / NullIf(carats, Value(ZERO)), 2, output_field=_MONEY)


def _flow_sum(field: str, flow: str) -> Coalesce:
    return Coalesce(Sum(field, filter=Q(flow=flow)), Value(ZERO), output_field=_MONEY)


def _flow_count(flow: str) -> Coalesce:
    return Coalesce(Sum("certificates", filter=Q(flow=flow)), Value(0))


# Releases -------------------------------------------------------------------------------------


def release_get(*, year: int, number: int | None = None) -> Release | None:
    """The release `number` of `year`, or the year's latest release when no number is given."""
    releases = Release.objects.filter(year=year)
    if number is not None:
        return releases.filter(number=number).first()
    return releases.order_by("-number").first()


def release_list(*, year: int | None = None) -> QuerySet[Release]:
    """Every release, newest year first and the latest release of a year first."""
    releases = Release.objects.all()
    if year is not None:
        releases = releases.filter(year=year)
    return releases.order_by("-year", "-number")


def published_years() -> list[int]:
    """Years with at least one release, newest first."""
    return list(Release.objects.order_by("-year").values_list("year", flat=True).distinct())


def _latest_release_ids() -> QuerySet[Release, Any]:
    # PostgreSQL's DISTINCT ON: the first row of each year in (year, -number) order.
    return Release.objects.order_by("year", "-number").distinct("year").values("pk")


class NamedParticipant(Protocol):
    """Whose figures a row holds: a Participant, or the code and name read with the rows."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...


class PublishedParticipant(NamedTuple):
    code: str
    name: str


def _name_columns() -> tuple[str, str]:
    """The participant's name in the active language, and in the default language for where
    it has none. (modeltranslation rewrites `name` only on a registered model's own queries,
    not through the release rows' foreign key.)"""
    return (
        "participant__" + build_localized_fieldname("name", get_language()),
        "participant__"
        + build_localized_fieldname("name", settings.MODELTRANSLATION_DEFAULT_LANGUAGE),
    )


def _cents(value: Decimal, carats: Decimal) -> Decimal | None:
    """value / carats to the cent, half away from zero (as PostgreSQL's round(numeric, 2); all
    figures are positive); None where there are no carats."""
    return (value / carats).quantize(CENT, ROUND_HALF_UP) if carats else None


# Production ------------------------------------------------------------------------------------


# Named tuples, not dataclasses: built for every row of the busiest public reads, where a
# dataclass's __init__ (and a frozen one's object.__setattr__ per field) showed in profiles.
class ProductionFigures(NamedTuple):
    carats: Decimal
    value_usd: Decimal
    usd_per_carat: Decimal | None
    # None for the world total.
    participant: NamedParticipant | None = None


@dataclass(frozen=True)
class ProductionSummary:
    year: int
    release: Release
    rows: list[ProductionFigures]
    total: ProductionFigures


def production_summary(*, year: int, release: Release | None = None) -> ProductionSummary | None:
    """Each participant's production in `year` and the world total, as published in `release`
    (default: the year's latest release); None when nothing has been published for the year.

    One query: the rows are read as tuples (with the participant's code and name in the active
    language) and the $/ct and totals computed here. These are the busiest public reads, and
    building model instances or compiling aggregate expressions per request cost more than
    the query itself (docs/performance.md)."""
    if release is None:
        release = release_get(year=year)
    if release is None or release.year != year:
        return None
    records = (
        ReleaseProduction.objects.filter(release=release)
        .order_by("participant__code")
        .values_list("participant__code", *_name_columns(), "carats", "value_usd")
    )
    rows = [
        ProductionFigures(
            participant=PublishedParticipant(code=code, name=name or fallback),
            carats=carats,
            value_usd=value,
            usd_per_carat=_cents(value, carats),
        )
        for code, name, fallback, carats, value in records
    ]
    carats = sum((row.carats for row in rows), ZERO)
    value = sum((row.value_usd for row in rows), ZERO)
    return ProductionSummary(
        year=year,
        release=release,
        rows=rows,
        total=ProductionFigures(
            carats=carats, value_usd=value, usd_per_carat=_cents(value, carats)
        ),
    )


# Trade -----------------------------------------------------------------------------------------


# Named tuples, not dataclasses: built for every row of the busiest public reads, where a
# dataclass's __init__ (and a frozen one's object.__setattr__ per field) showed in profiles.
class TradeFigures(NamedTuple):
    imports_carats: Decimal
    imports_value_usd: Decimal
    imports_usd_per_carat: Decimal | None
    import_certificates: int
    exports_carats: Decimal
    exports_value_usd: Decimal
    exports_usd_per_carat: Decimal | None
    export_certificates: int
    # None for the world total.
    participant: NamedParticipant | None = None


@dataclass(frozen=True)
class TradeSummary:
    year: int
    release: Release
    rows: list[TradeFigures]
    total: TradeFigures


def _trade_figures(
    flows: dict[str, tuple[Decimal, Decimal, int]], participant: NamedParticipant | None = None
) -> TradeFigures:
    none = (ZERO, ZERO, 0)
    i_carats, i_value, i_certificates = flows.get(Flow.IMPORT, none)
    e_carats, e_value, e_certificates = flows.get(Flow.EXPORT, none)
    return TradeFigures(
        participant=participant,
        imports_carats=i_carats,
        imports_value_usd=i_value,
        imports_usd_per_carat=_cents(i_value, i_carats),
        import_certificates=i_certificates,
        exports_carats=e_carats,
        exports_value_usd=e_value,
        exports_usd_per_carat=_cents(e_value, e_carats),
        export_certificates=e_certificates,
    )


def trade_summary(*, year: int, release: Release | None = None) -> TradeSummary | None:
    """Each participant's imports and exports in `year` (one row per participant) and the
    world totals, as published in `release` (default: the year's latest release); None when
    nothing has been published for the year. One query, as production_summary."""
    if release is None:
        release = release_get(year=year)
    if release is None or release.year != year:
        return None
    records = (
        ReleaseTrade.objects.filter(release=release)
        .order_by("participant__code")
        .values_list(
            "participant__code", *_name_columns(), "flow", "carats", "value_usd", "certificates"
        )
    )
    # A release holds at most one row per participant and flow (release_trade_unique).
    by_participant: dict[str, tuple[str, dict[str, tuple[Decimal, Decimal, int]]]] = {}
    totals: dict[str, list[Any]] = {Flow.IMPORT: [ZERO, ZERO, 0], Flow.EXPORT: [ZERO, ZERO, 0]}
    for code, name, fallback, flow, carats, value, certificates in records:
        flows = by_participant.setdefault(code, (name or fallback, {}))[1]
        flows[flow] = (carats, value, certificates)
        total = totals[flow]
        total[0] += carats
        total[1] += value
        total[2] += certificates
    rows = [
        _trade_figures(flows, PublishedParticipant(code=code, name=name))
        for code, (name, flows) in by_participant.items()
    ]
    world = _trade_figures({flow: (c, v, n) for flow, (c, v, n) in totals.items()})
    return TradeSummary(year=year, release=release, rows=rows, total=world)


# One participant across the years ---------------------------------------------------------------


@dataclass(frozen=True)
class YearFigures:
    """A participant's published figures for one year, from that year's latest release.
    Production is None when the release holds no production for the participant, and the
    trade fields are None when it holds no trade for it."""

    year: int
    release: Release
    production: ProductionFigures | None
    trade: TradeFigures | None


def participant_history(*, participant: Participant) -> list[YearFigures]:
    """The participant's published figures for each year it appears in, oldest first, each
    from the latest release of its year (one query)."""
    zero = Value(ZERO)
    releases = (
        Release.objects.filter(pk__in=_latest_release_ids())
        # At most one joined row each (unique per release, participant and flow): no fan-out.
        .annotate(
            own_production=FilteredRelation(
                "production", condition=Q(production__participant=participant)
            ),
            own_imports=FilteredRelation(
                "trade", condition=Q(trade__participant=participant, trade__flow=Flow.IMPORT)
            ),
            own_exports=FilteredRelation(
                "trade", condition=Q(trade__participant=participant, trade__flow=Flow.EXPORT)
            ),
        )
        .filter(
            Q(own_production__isnull=False)
            | Q(own_imports__isnull=False)
            | Q(own_exports__isnull=False)
        )
        .annotate(
            production_id=F("own_production__pk"),
            imports_id=F("own_imports__pk"),
            exports_id=F("own_exports__pk"),
            p_carats=F("own_production__carats"),
            p_value=F("own_production__value_usd"),
            p_per_carat=_per_carat(F("own_production__value_usd"), F("own_production__carats")),
            i_carats=Coalesce(F("own_imports__carats"), zero, output_field=_MONEY),
            i_value=Coalesce(F("own_imports__value_usd"), zero, output_field=_MONEY),
            i_per_carat=_per_carat(F("own_imports__value_usd"), F("own_imports__carats")),
            i_certificates=Coalesce(F("own_imports__certificates"), Value(0)),
            e_carats=Coalesce(F("own_exports__carats"), zero, output_field=_MONEY),
            e_value=Coalesce(F("own_exports__value_usd"), zero, output_field=_MONEY),
            e_per_carat=_per_carat(F("own_exports__value_usd"), F("own_exports__carats")),
            e_certificates=Coalesce(F("own_exports__certificates"), Value(0)),
        )
        .order_by("year")
    )
    history = []
    for release in releases:
        production = None
        if release.production_id is not None:  # type: ignore[attr-defined]
            production = ProductionFigures(
                participant=participant,
                carats=release.p_carats,  # type: ignore[attr-defined]
                value_usd=release.p_value,  # type: ignore[attr-defined]
                usd_per_carat=release.p_per_carat,  # type: ignore[attr-defined]
            )
        trade = None
        if release.imports_id or release.exports_id:  # type: ignore[attr-defined]
            trade = TradeFigures(
                participant=participant,
                imports_carats=release.i_carats,  # type: ignore[attr-defined]
                imports_value_usd=release.i_value,  # type: ignore[attr-defined]
                imports_usd_per_carat=release.i_per_carat,  # type: ignore[attr-defined]
                import_certificates=release.i_certificates,  # type: ignore[attr-defined]
                exports_carats=release.e_carats,  # type: ignore[attr-defined]
                exports_value_usd=release.e_value,  # type: ignore[attr-defined]
                exports_usd_per_carat=release.e_per_carat,  # type: ignore[attr-defined]
                export_certificates=release.e_certificates,  # type: ignore[attr-defined]
            )
        history.append(
            YearFigures(year=release.year, release=release, production=production, trade=trade)
        )
    return history
