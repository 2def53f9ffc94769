"""Demo certificates for `make run`, consistent with the demo statistics: for 2023, one
certificate per shipment the demo trade statistics count (the same carats and US$ per
producer, trading centre and quarter), each confirmed on arrival, so the reconciliation of
2023 balances. A few recent certificates show the other states: valid, void (lost) and
expired without confirmation; they are dated from the current month (and numbered by it),
so the demo always has valid ones. Loaded through the same imports as authorities' files,
so running it again changes nothing (in a new month it adds that month's few)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone

from kpcs.certificates.models import Certificate, VoidNotice
from kpcs.certificates.services import (
    certificate_void,
    certificates_expire,
    certificates_import,
    confirmations_import,
)
from kpcs.participants.models import Participant
from kpcs.statistics.demo import PRODUCERS, TRADERS, demo_statistics_rows

RECONCILED_YEAR = 2023
QUARTER_START = {"Q1": 1, "Q2": 4, "Q3": 7, "Q4": 10}


@dataclass
class DemoCertificatesReport:
    certificates: int
    confirmations: int
    void: int
    expired: int

    @property
    def changed(self) -> bool:
        return any((self.certificates, self.confirmations, self.void, self.expired))

    def summary(self) -> str:
        return (
            f"{self.certificates} certificates, {self.confirmations} confirmations, "
            f"{self.void} void, {self.expired} expired"
        )


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), ROUND_DOWN)


def _row(
    *,
    number: str,
    issuer: Participant,
    destination: str,
    issued: dt.date,
    carats: Decimal,
    value: Decimal,
    parcels: int = 1,
) -> dict[str, str]:
    return {
        "certificate_number": number,
        "issuing_participant": issuer.code,
        "exporting_country": issuer.country.alpha3 if issuer.country else "",
        "destination_participant": destination,
        "date_issued": issued.isoformat(),
        "date_expiry": (issued + dt.timedelta(days=60)).isoformat(),
        "hs_code": "7102.31",
        "carats": str(carats),
        "value_usd": str(value),
        "parcels": str(parcels),
        "origin": issuer.country.alpha3 if issuer.country else "MIXED",
        "exporter": f"{issuer.name} Diamond Trading",
        "importer": f"{destination} Rough Diamond Buyers",
    }


def demo_certificate_rows() -> list[dict[str, str]]:
    """2023: the demo statistics' exports, one certificate per shipment they count."""
    issuers = {p.code: p for p in Participant.objects.filter(code__in=PRODUCERS)}
    rows = []
    sequence: dict[str, int] = {}
    for stat in demo_statistics_rows():
        if stat["flow"] != "export" or stat["year"] != str(RECONCILED_YEAR):
            continue
        issuer = issuers[stat["participant"]]
        shipments = int(stat["certificates"])
        carats, value = Decimal(stat["carats"]), Decimal(stat["value_usd"])
        each_carats, each_value = _cents(carats / shipments), _cents(value / shipments)
        start = dt.date(RECONCILED_YEAR, QUARTER_START[stat["period"]], 5)
        for index in range(shipments):
            last = index == shipments - 1
            sequence[issuer.code] = sequence.get(issuer.code, 0) + 1
            rows.append(
                _row(
                    number=f"{issuer.iso2}{RECONCILED_YEAR}{sequence[issuer.code]:05d}",
                    issuer=issuer,
                    destination=stat["partner"],
                    issued=start + dt.timedelta(days=index),
                    # The last shipment carries what rounding left, so the sums are exact.
                    carats=carats - each_carats * index if last else each_carats,
                    value=value - each_value * index if last else each_value,
                )
            )
    return rows


def _season_rows() -> list[dict[str, str]]:
    """Botswana's recent certificates, one a month over the last five months: the first is
    confirmed, the second declared lost, the third past its expiry and the grace days (it
    expires), the others still valid."""
    botswana = Participant.objects.get(code="BWA")
    today = timezone.localdate()
    month = dt.date(today.year, today.month, 1)
    rows = []
    for index, destination in enumerate(TRADERS * 2):
        rows.append(
            _row(
                number=f"BW{month:%Y%m}{index + 1:03d}",
                issuer=botswana,
                destination=destination,
                issued=month - dt.timedelta(days=150 - 30 * index),
                carats=Decimal("12500.00") + index * 250,
                value=Decimal("2125000.00") + index * 42500,
                parcels=2,
            )
        )
    return rows


def demo_certificates_load() -> DemoCertificatesReport:
    """Record the demo certificates and confirmations (idempotent)."""
    reconciled = demo_certificate_rows()
    season = _season_rows()
    imported = certificates_import(rows=reconciled + season, actor=None)
    confirmations = [
        {
            "certificate_number": row["certificate_number"],
            "issuing_participant": row["issuing_participant"],
            "confirming_participant": row["destination_participant"],
            "date_received": (
                dt.date.fromisoformat(row["date_issued"]) + dt.timedelta(days=7)
            ).isoformat(),
            "carats": row["carats"],
        }
        # Of this season's, the first is confirmed; the second will be declared lost.
        for row in [*reconciled, season[0]]
    ]
    confirmed = confirmations_import(rows=confirmations, actor=None)
    lost = Certificate.objects.get(
        issuing_participant__code="BWA", number=season[1]["certificate_number"]
    )
    void = 0
    if not VoidNotice.objects.filter(certificate=lost).exists():
        certificate_void(
            actor=None,
            certificate=lost,
            reason=VoidNotice.Reason.LOST,
            note="Demo: the certificate was lost on the way to the airport.",
        )
        void = 1
    expired = certificates_expire()
    return DemoCertificatesReport(
        certificates=imported.created,
        confirmations=confirmed.confirmed,
        void=void,
        expired=expired,
    )
