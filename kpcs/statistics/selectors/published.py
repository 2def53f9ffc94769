"""Reads of the statistics: what the public sees comes from releases only.

Published figures are the snapshot tables a release fills (ReleaseProduction, ReleaseTrade);
nothing here reads submissions, so an accepted-but-unreleased or draft figure cannot reach a
public page or the public API.

US$ per carat is computed in SQL as value / carats rounded to the cent with PostgreSQL's
numeric `round` (half away from zero); it is None where the carats are zero. Totals are the
sums of the rows, and their $/ct is total value / total carats (not an average of the rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

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

from kpcs.participants.models import Participant
from kpcs.statistics.models import Flow, Release, ReleaseProduction, ReleaseTrade

ZERO = Decimal("0.00")
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


# Production ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductionFigures:
    carats: Decimal
    value_usd: Decimal
    usd_per_carat: Decimal | None
    # None for the world total.
    participant: Participant | None = None


@dataclass(frozen=True)
class ProductionSummary:
    year: int
    release: Release
    rows: list[ProductionFigures]
    total: ProductionFigures


def production_summary(*, year: int, release: Release | None = None) -> ProductionSummary | None:
    """Each participant's production in `year` and the world total, as published in `release`
    (default: the year's latest release); None when nothing has been published for the year."""
    if release is None:
        release = release_get(year=year)
    if release is None or release.year != year:
        return None
    records = ReleaseProduction.objects.filter(release=release)
    rows = [
        ProductionFigures(
            participant=record.participant,
            carats=record.carats,
            value_usd=record.value_usd,
            usd_per_carat=record.usd_per_carat,  # type: ignore[attr-defined]
        )
        for record in records.select_related("participant")
        .annotate(usd_per_carat=_per_carat(F("value_usd"), F("carats")))
        .order_by("participant__code")
    ]
    # Aliases must differ from the field names the aggregates read.
    total = records.aggregate(
        total_carats=Coalesce(Sum("carats"), Value(ZERO), output_field=_MONEY),
        total_value=Coalesce(Sum("value_usd"), Value(ZERO), output_field=_MONEY),
        total_per_carat=_per_carat(Sum("value_usd"), Sum("carats")),
    )
    return ProductionSummary(
        year=year,
        release=release,
        rows=rows,
        total=ProductionFigures(
            carats=total["total_carats"],
            value_usd=total["total_value"],
            usd_per_carat=total["total_per_carat"],
        ),
    )


# Trade -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TradeFigures:
    imports_carats: Decimal
    imports_value_usd: Decimal
    imports_usd_per_carat: Decimal | None
    import_certificates: int
    exports_carats: Decimal
    exports_value_usd: Decimal
    exports_usd_per_carat: Decimal | None
    export_certificates: int
    # None for the world total.
    participant: Participant | None = None


@dataclass(frozen=True)
class TradeSummary:
    year: int
    release: Release
    rows: list[TradeFigures]
    total: TradeFigures


def _trade_columns() -> dict[str, Any]:
    imports_carats = _flow_sum("carats", Flow.IMPORT)
    imports_value = _flow_sum("value_usd", Flow.IMPORT)
    exports_carats = _flow_sum("carats", Flow.EXPORT)
    exports_value = _flow_sum("value_usd", Flow.EXPORT)
    return {
        "imports_carats": imports_carats,
        "imports_value_usd": imports_value,
        "imports_usd_per_carat": _per_carat(imports_value, imports_carats),
        "import_certificates": _flow_count(Flow.IMPORT),
        "exports_carats": exports_carats,
        "exports_value_usd": exports_value,
        "exports_usd_per_carat": _per_carat(exports_value, exports_carats),
        "export_certificates": _flow_count(Flow.EXPORT),
    }


def trade_summary(*, year: int, release: Release | None = None) -> TradeSummary | None:
    """Each participant's imports and exports in `year` (one row per participant) and the
    world totals, as published in `release` (default: the year's latest release); None when
    nothing has been published for the year."""
    if release is None:
        release = release_get(year=year)
    if release is None or release.year != year:
        return None
    records = ReleaseTrade.objects.filter(release=release)
    grouped: list[dict[str, Any]] = [
        dict(row)
        for row in records.values("participant_id")
        .annotate(**_trade_columns())
        .order_by("participant__code")
    ]
    # One query for the participants' names, whatever the number of rows.
    participants = Participant.objects.in_bulk([row["participant_id"] for row in grouped])
    rows = [
        TradeFigures(participant=participants[row.pop("participant_id")], **row) for row in grouped
    ]
    return TradeSummary(year=year, release=release, rows=rows, total=_trade_total(rows))


def _cents(value: Decimal, carats: Decimal) -> Decimal | None:
    # As PostgreSQL's round(numeric, 2): half away from zero (all figures are positive).
    return (value / carats).quantize(Decimal("0.01"), ROUND_HALF_UP) if carats else None


def _trade_total(rows: list[TradeFigures]) -> TradeFigures:
    """The world total of the (one per participant) rows: summing ~60 rows here costs less
    than compiling and running the same filtered aggregation a second time in SQL."""
    imports_carats = sum((r.imports_carats for r in rows), ZERO)
    imports_value = sum((r.imports_value_usd for r in rows), ZERO)
    exports_carats = sum((r.exports_carats for r in rows), ZERO)
    exports_value = sum((r.exports_value_usd for r in rows), ZERO)
    return TradeFigures(
        imports_carats=imports_carats,
        imports_value_usd=imports_value,
        imports_usd_per_carat=_cents(imports_value, imports_carats),
        import_certificates=sum(r.import_certificates for r in rows),
        exports_carats=exports_carats,
        exports_value_usd=exports_value,
        exports_usd_per_carat=_cents(exports_value, exports_carats),
        export_certificates=sum(r.export_certificates for r in rows),
    )


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
