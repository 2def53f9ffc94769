"""Publishing: accepted figures for a year become a numbered release; nothing else does."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpcs.statistics.models import (
    Flow,
    Period,
    ProductionRecord,
    Release,
    ReleaseTrade,
    Submission,
    SubmissionTransition,
)
from kpcs.statistics.publication import latest_release, release_publish
from kpcs.statistics.tests.test_public_api import participant, production, trade

pytestmark = pytest.mark.django_db

ACCEPTED = Submission.Status.ACCEPTED


def published_production(release: Release) -> dict[str, tuple[Decimal, Decimal]]:
    return {
        row.participant.code: (row.carats, row.value_usd)
        for row in release.production.select_related("participant")
    }


def published_trade(release: Release) -> dict[tuple[str, str], tuple[Decimal, Decimal, int]]:
    return {
        (row.participant.code, row.flow): (row.carats, row.value_usd, row.certificates)
        for row in release.trade.select_related("participant")
    }


def test_publishing_sums_half_years_and_quarters_to_the_year_per_participant() -> None:
    bwa, zaf = participant("BWA", "Botswana"), participant("ZAF", "South Africa")
    production(bwa, Period.H1, "120.00", "1200.50")
    production(bwa, Period.H2, "80.00", "800.50")
    production(zaf, Period.YEAR, "300.00", "4500.00")
    for quarter, certificates in [(Period.Q1, 2), (Period.Q2, 1), (Period.Q3, 4), (Period.Q4, 1)]:
        trade(bwa, quarter, Flow.EXPORT, zaf, "25.25", "100.10", certificates)
    trade(bwa, Period.Q2, Flow.IMPORT, zaf, "10.00", "333.33", 1)

    release = release_publish(year=2023, note="First.")

    assert release.number == 1
    assert published_production(release) == {
        "BWA": (Decimal("200.00"), Decimal("2001.00")),
        "ZAF": (Decimal("300.00"), Decimal("4500.00")),
    }
    assert published_trade(release) == {
        ("BWA", Flow.EXPORT): (Decimal("101.00"), Decimal("400.40"), 8),
        ("BWA", Flow.IMPORT): (Decimal("10.00"), Decimal("333.33"), 1),
    }


def test_publishing_keeps_years_apart() -> None:
    bwa = participant("BWA", "Botswana")
    production(bwa, Period.H1, "1.00", "1.00", year=2022)
    production(bwa, Period.H1, "2.00", "2.00", year=2023)
    release = release_publish(year=2023)
    assert published_production(release) == {"BWA": (Decimal("2.00"), Decimal("2.00"))}
    assert Submission.objects.get(year=2022).status == ACCEPTED


def test_a_second_release_of_the_year_is_number_two_and_keeps_release_one_intact(
    secretariat_user,
) -> None:
    bwa, nam = participant("BWA", "Botswana"), participant("NAM", "Namibia")
    production(bwa, Period.H1, "100.00", "1000.00")
    first = release_publish(year=2023, note="First.", actor=secretariat_user)
    # Namibia's figures are accepted later and published in a revision.
    production(nam, Period.H1, "50.00", "5000.00")
    second = release_publish(year=2023, note="Namibia added.", actor=secretariat_user)

    assert (second.year, second.number, second.note) == (2023, 2, "Namibia added.")
    assert second.published_by == secretariat_user
    assert latest_release(year=2023) == second
    first.refresh_from_db()
    assert first.number == 1 and first.note == "First."
    assert published_production(first) == {"BWA": (Decimal("100.00"), Decimal("1000.00"))}
    # The already published Botswana figures are carried into the revision.
    assert published_production(second) == {
        "BWA": (Decimal("100.00"), Decimal("1000.00")),
        "NAM": (Decimal("50.00"), Decimal("5000.00")),
    }


def test_release_numbers_are_counted_per_year() -> None:
    _something_accepted(2022)
    _something_accepted(2023)
    assert release_publish(year=2022).number == 1
    assert release_publish(year=2023).number == 1
    assert release_publish(year=2022).number == 2
    latest = latest_release(year=2022)
    assert latest is not None and latest.number == 2
    assert latest_release(year=2019) is None


@pytest.mark.parametrize(
    "status",
    [Submission.Status.DRAFT, Submission.Status.SUBMITTED, Submission.Status.QUERIED],
)
def test_figures_that_are_not_accepted_are_not_published(status) -> None:
    bwa, zaf = participant("BWA", "Botswana"), participant("ZAF", "South Africa")
    production(bwa, Period.H1, "100.00", "1000.00")
    production(zaf, Period.H1, "999.00", "9990.00", status=status)
    trade(zaf, Period.Q1, Flow.EXPORT, bwa, "999.00", "9990.00", 9, status=status)

    release = release_publish(year=2023)

    assert published_production(release) == {"BWA": (Decimal("100.00"), Decimal("1000.00"))}
    assert published_trade(release) == {}
    assert set(Submission.objects.filter(participant=zaf).values_list("status", flat=True)) == {
        status
    }
    assert not SubmissionTransition.objects.filter(submission__participant=zaf).exists()


def test_accepted_submissions_become_published_with_a_transition(secretariat_user) -> None:
    bwa, zaf = participant("BWA", "Botswana"), participant("ZAF", "South Africa")
    record = production(bwa, Period.H1, "100.00", "1000.00")
    trade_record = trade(bwa, Period.Q1, Flow.EXPORT, zaf, "5.00", "50.00", 1)

    release = release_publish(year=2023, actor=secretariat_user)

    for submission in (record.submission, trade_record.submission):
        submission.refresh_from_db()
        assert submission.status == Submission.Status.PUBLISHED
        assert submission.published_at == release.published_at
        transition = submission.transitions.get()
        assert (transition.from_status, transition.to_status) == (
            Submission.Status.ACCEPTED,
            Submission.Status.PUBLISHED,
        )
        assert transition.actor == secretariat_user
        assert transition.comment == "release 2023/1"


def test_a_revision_adds_no_second_transition_to_published_submissions() -> None:
    record = production(participant("BWA", "Botswana"), Period.H1, "100.00", "1000.00")
    release_publish(year=2023)
    release_publish(year=2023)
    assert record.submission.transitions.count() == 1


def test_an_anonymous_actor_is_not_recorded_as_publisher() -> None:
    from django.contrib.auth.models import AnonymousUser

    _something_accepted(2023)
    release = release_publish(year=2023, actor=AnonymousUser())
    assert release.published_by is None


def test_only_releases_feed_the_public_api(api_client) -> None:
    bwa = participant("BWA", "Botswana")
    production(bwa, Period.H1, "100.00", "1000.00")
    url = "/api/v1/public/statistics/production/"
    assert api_client.get(url, {"year": 2023}).status_code == 404

    release_publish(year=2023)
    assert api_client.get(url, {"year": 2023}).json()["total"]["carats"] == "100.00"

    # The release is a snapshot: figures changed or accepted afterwards change nothing
    # public until the next release.
    ProductionRecord.objects.update(carats=Decimal("1.00"))
    production(bwa, Period.H2, "49.00", "500.00")
    assert api_client.get(url, {"year": 2023}).json()["total"]["carats"] == "100.00"
    release_publish(year=2023)
    assert api_client.get(url, {"year": 2023}).json()["total"]["carats"] == "50.00"
    assert not ReleaseTrade.objects.exists()


def _something_accepted(year: int) -> None:
    """An accepted production figure, so that the year has something to publish."""
    from kpcs.statistics.models import Submission as _Submission
    from kpcs.statistics.tests.factories import ProductionRecordFactory

    ProductionRecordFactory(submission__year=year, submission__status=_Submission.Status.ACCEPTED)


def test_a_year_with_nothing_accepted_is_not_published() -> None:
    from kpcs.statistics.publication import PublicationError

    with pytest.raises(PublicationError, match="nothing to publish"):
        release_publish(year=2021)
    assert latest_release(year=2021) is None


def test_a_revision_without_a_note_names_whose_figures_it_adds() -> None:
    _something_accepted(2020)
    release_publish(year=2020)
    _something_accepted(2020)
    revision = release_publish(year=2020)
    assert revision.number == 2
    assert revision.note.startswith("Revises release 1: newly accepted figures of ")
