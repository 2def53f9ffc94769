"""Demo statistics for `make run`: two published years for a handful of participants, built
from fixed numbers (no randomness) and loaded through the historical import, so running it
again changes nothing."""

from __future__ import annotations

from decimal import Decimal

from kpcs.statistics.importing import ImportReport, statistics_import

DEMO_YEARS = (2022, 2023)
# Yearly production (carats, US$ per carat) of the demo producers, roughly the public order
# of magnitude of their output.
PRODUCERS = {
    "RUS": (Decimal("40000000"), Decimal("95")),
    "BWA": (Decimal("24000000"), Decimal("170")),
    "CAN": (Decimal("16000000"), Decimal("120")),
    "AGO": (Decimal("9000000"), Decimal("180")),
    "ZAF": (Decimal("5000000"), Decimal("140")),
    "NAM": (Decimal("2000000"), Decimal("560")),
}
# Who sells rough diamonds to whom in the demo: producers export to the trading centres.
TRADERS = ("EUR", "ARE", "IND")


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def demo_statistics_rows() -> list[dict[str, str]]:
    rows = []
    for year in DEMO_YEARS:
        growth = Decimal("1.00") if year == DEMO_YEARS[0] else Decimal("1.04")
        for code, (carats, per_carat) in PRODUCERS.items():
            yearly = carats * growth
            for half in ("H1", "H2"):
                rows.append(
                    {
                        "participant": code,
                        "year": str(year),
                        "period": half,
                        "flow": "production",
                        "partner": "",
                        "hs_code": "",
                        "carats": _money(yearly / 2),
                        "value_usd": _money(yearly / 2 * per_carat),
                        "certificates": "",
                    }
                )
            # Exports of most of the year's output, spread over the quarters and the
            # trading centres, each booked as an import by the partner in the same quarter.
            for quarter in ("Q1", "Q2", "Q3", "Q4"):
                for trader in TRADERS:
                    carats_q = yearly * Decimal("0.9") / 4 / len(TRADERS)
                    value_q = carats_q * per_carat
                    shipments = max(1, int(carats_q / 200000))
                    for reporter, flow, partner in (
                        (code, "export", trader),
                        (trader, "import", code),
                    ):
                        rows.append(
                            {
                                "participant": reporter,
                                "year": str(year),
                                "period": quarter,
                                "flow": flow,
                                "partner": partner,
                                "hs_code": "7102.31",
                                "carats": _money(carats_q),
                                "value_usd": _money(value_q),
                                "certificates": str(shipments),
                            }
                        )
    return rows


def demo_statistics_load() -> ImportReport:
    """Import and publish the demo figures (idempotent: a second run stores nothing)."""
    return statistics_import(
        rows=demo_statistics_rows(), publish=True, note="Demo data for make run."
    )
