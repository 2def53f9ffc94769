"""Factories for the certificate registry. A certificate's totals are the sums of its lines:
use `CertificateFactory(lines=[...])` to give lines, otherwise it gets one line of its totals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from decimal import Decimal
from typing import Any

import factory

from kpcs.certificates.models import (
    Certificate,
    CertificateAlert,
    CertificateLine,
    ImportConfirmation,
    Specimen,
    VoidNotice,
)
from kpcs.participants.models import Participant
from kpcs.participants.tests.factories import ParticipantFactory
from kpcs.statistics.models import HSCode


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate
        skip_postgeneration_save = True

    issuing_participant = factory.SubFactory(ParticipantFactory)
    exporting_country = factory.SelfAttribute("issuing_participant.country")
    destination_participant = factory.SubFactory(ParticipantFactory)
    number = factory.Sequence(lambda n: f"{{iso2}}{n:08d}")
    date_issued = dt.date(2023, 3, 1)
    date_expiry = factory.LazyAttribute(lambda c: c.date_issued + dt.timedelta(days=60))
    origin = factory.SelfAttribute("exporting_country")
    exporter = factory.Sequence(lambda n: f"Exporting Company {n}")
    importer = factory.Sequence(lambda n: f"Importing Company {n}")
    carats = Decimal("1500.00")
    value_usd = Decimal("225000.00")
    parcels = 2

    @classmethod
    def _create(cls, model_class: type[Certificate], *args: Any, **kwargs: Any) -> Certificate:
        # The number starts with the exporting country's alpha-2 code, as the rule requires.
        number = kwargs.get("number", "")
        if "{iso2}" in number:
            kwargs["number"] = number.replace("{iso2}", kwargs["exporting_country"].alpha2)
        return super()._create(model_class, *args, **kwargs)

    @factory.post_generation
    def lines(self, create: bool, extracted: list[dict[str, Any]] | None, **kwargs: Any) -> None:
        if not create:
            return
        if extracted is None:
            extracted = [
                {
                    "hs_code": HSCode.NON_INDUSTRIAL,
                    "carats": self.carats,
                    "value_usd": self.value_usd,
                    "parcels": self.parcels,
                }
            ]
        for line in extracted:
            CertificateLine.objects.create(certificate=self, **line)
        # Keep the totals equal to the lines, as the services do.
        self.carats = sum((Decimal(line["carats"]) for line in extracted), Decimal("0"))
        self.value_usd = sum((Decimal(line["value_usd"]) for line in extracted), Decimal("0"))
        self.parcels = sum(int(line["parcels"]) for line in extracted)
        Certificate.objects.filter(pk=self.pk).update(
            carats=self.carats, value_usd=self.value_usd, parcels=self.parcels
        )


class ImportConfirmationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportConfirmation

    certificate = factory.SubFactory(CertificateFactory, status=Certificate.Status.CONFIRMED)
    confirming_participant = factory.SelfAttribute("certificate.destination_participant")
    date_received = factory.LazyAttribute(
        lambda c: c.certificate.date_issued + dt.timedelta(days=10)
    )
    carats = factory.SelfAttribute("certificate.carats")


class VoidNoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VoidNotice

    certificate = factory.SubFactory(CertificateFactory, status=Certificate.Status.VOID)
    reason = VoidNotice.Reason.LOST
    note = "Lost in transit between the office and the airport."


class CertificateAlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificateAlert

    certificate = factory.SubFactory(CertificateFactory, status=Certificate.Status.EXPIRED)
    kind = CertificateAlert.Kind.EXPIRED_UNCONFIRMED
    message = "No import confirmation arrived."


class SpecimenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specimen

    participant = factory.SubFactory(ParticipantFactory)
    valid_from = dt.date(2020, 1, 1)
    security_features = "Watermark, hologram and a serial number in UV ink."


# --- Rows as the files give them (FORMATS.md §2 and §3) -------------------------------------

_row_numbers = itertools.count(1)


def certificate_row(
    issuer: Participant, destination: Participant, **overrides: str
) -> dict[str, str]:
    """One certificates.csv row (all text) of a certificate `issuer` issued for
    `destination`, good under every rule unless `overrides` say otherwise."""
    country = issuer.country
    assert country is not None, "give exporting_country for a participant without a country"
    row = {
        "certificate_number": f"{country.alpha2}{next(_row_numbers):08d}",
        "issuing_participant": issuer.code,
        "exporting_country": country.alpha3,
        "destination_participant": destination.code,
        "date_issued": "2023-03-01",
        "date_expiry": "2023-04-30",
        "hs_code": HSCode.NON_INDUSTRIAL.value,
        "carats": "1500.00",
        "value_usd": "225000.00",
        "parcels": "2",
        "origin": country.alpha3,
        "exporter": "Exporting Company",
        "importer": "Importing Company",
    }
    row.update(overrides)
    return row


def confirmation_row(certificate: Certificate, **overrides: str) -> dict[str, str]:
    """One confirmations.csv row confirming `certificate` as its destination would."""
    row = {
        "certificate_number": certificate.number,
        "issuing_participant": certificate.issuing_participant.code,
        "confirming_participant": certificate.destination_participant.code,
        "date_received": (certificate.date_issued + dt.timedelta(days=10)).isoformat(),
        "carats": f"{certificate.carats:.2f}",
    }
    row.update(overrides)
    return row


def rows_csv(rows: list[dict[str, str]], columns: tuple[str, ...] | None = None) -> bytes:
    """Rows as the bytes of a CSV file with a header."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns or rows[0].keys()))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()
