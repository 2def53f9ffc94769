"""The factories build what the rules accept: numbers start with the exporting country's
alpha-2 code, totals are the sums of the lines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpcs.certificates.tests.factories import CertificateFactory, ImportConfirmationFactory
from kpcs.statistics.models import HSCode

pytestmark = pytest.mark.django_db


def test_a_certificate_number_starts_with_the_exporting_countrys_alpha2_code() -> None:
    certificate = CertificateFactory()
    assert certificate.number.startswith(certificate.exporting_country.alpha2)


def test_certificate_totals_are_the_sums_of_its_lines() -> None:
    certificate = CertificateFactory(
        lines=[
            {"hs_code": HSCode.UNSORTED, "carats": "10.00", "value_usd": "100.00", "parcels": 1},
            {"hs_code": HSCode.INDUSTRIAL, "carats": "5.50", "value_usd": "20.00", "parcels": 2},
        ]
    )
    certificate.refresh_from_db()
    assert (certificate.carats, certificate.value_usd, certificate.parcels) == (
        Decimal("15.50"),
        Decimal("120.00"),
        3,
    )
    assert certificate.lines.count() == 2


def test_a_confirmation_comes_from_the_destination() -> None:
    confirmation = ImportConfirmationFactory()
    assert confirmation.confirming_participant == confirmation.certificate.destination_participant
