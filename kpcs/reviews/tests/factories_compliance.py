"""Factories and helpers for the compliance tests: milestones, statistics anomalies (with a
question), and users of every role for one participant."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import factory
from django.utils import timezone

from kpcs.accounts.models import Role
from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.models import Participant
from kpcs.reviews.models import ActionMilestone
from kpcs.reviews.tests.factories import ComplianceActionFactory
from kpcs.statistics.models import Anomaly, AnomalyQuestion, Period

_fingerprints = itertools.count(1)


class ActionMilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionMilestone

    action = factory.SubFactory(ComplianceActionFactory)
    description = factory.Sequence(lambda n: f"Milestone {n}: register all buyers")
    due_on = dt.date(2026, 6, 30)


def anomaly_of(participant: Participant, **kwargs: Any) -> Anomaly:
    values: dict[str, Any] = {
        "year": 2025,
        "rule": Anomaly.Rule.SUPPLY_GAP,
        "severity": Anomaly.Severity.HIGH,
        "period": Period.YEAR,
        "message": "Exports exceed production and imports.",
        "fingerprint": f"compliance-test-{next(_fingerprints)}",
        "last_found_at": timezone.now(),
    }
    values.update(kwargs)
    return Anomaly.objects.create(participant=participant, **values)


def question_on(anomaly: Anomaly, **kwargs: Any) -> AnomalyQuestion:
    values: dict[str, Any] = {
        "question": "Why do exports exceed production and imports?",
        "asked_by": UserFactory(role=Role.SECRETARIAT),
        "due_date": dt.date(2026, 12, 31),
    }
    values.update(kwargs)
    return AnomalyQuestion.objects.create(
        anomaly=anomaly, participant=anomaly.participant, **values
    )


def authority_of(participant: Participant, **kwargs: Any) -> Any:
    return UserFactory(role=Role.AUTHORITY, participant=participant, **kwargs)
