from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from kpcs.participants.tests.factories import ParticipantFactory
from kpcs.statistics.models import (
    Dataset,
    Flow,
    HSCode,
    Period,
    ProductionRecord,
    StockDeclaration,
    Submission,
    TradeRecord,
)


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A draft trade submission for Q1 2023 of a fresh participant."""

    class Meta:
        model = Submission

    participant = factory.SubFactory(ParticipantFactory)
    year = 2023
    dataset = Dataset.TRADE
    period = Period.Q1
    status = Submission.Status.DRAFT


class ProductionRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductionRecord

    submission = factory.SubFactory(SubmissionFactory, dataset=Dataset.PRODUCTION, period=Period.H1)
    carats = Decimal("1000000.00")
    value_usd = Decimal("150000000.00")


class TradeRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TradeRecord

    submission = factory.SubFactory(SubmissionFactory)
    flow = Flow.EXPORT
    partner = factory.SubFactory(ParticipantFactory)
    hs_code = HSCode.NON_INDUSTRIAL
    carats = Decimal("10000.00")
    value_usd = Decimal("1500000.00")
    certificates = 3


class StockDeclarationFactory(factory.django.DjangoModelFactory):
    """A fresh participant's opening stock of 2023: 20,000 ct worth US$ 3,000,000."""

    class Meta:
        model = StockDeclaration

    participant = factory.SubFactory(ParticipantFactory)
    year = 2023
    carats = Decimal("20000.00")
    value_usd = Decimal("3000000.00")
    note = ""
    declared_at = factory.LazyFunction(timezone.now)
