"""A participant's standing on a date follows from its status events (reference data README)."""

import datetime as dt

import pytest

from kpcs.participants.models import Participant, StatusEvent
from kpcs.participants.selectors import (
    participant_standing_on,
    participants_in_good_standing_on,
    participants_with_standing_on,
)
from kpcs.participants.tests.factories import ParticipantFactory, StatusEventFactory

pytestmark = pytest.mark.django_db


def standing(code: str, day: str):
    return participant_standing_on(
        participant=Participant.objects.get(code=code), date=dt.date.fromisoformat(day)
    )


@pytest.mark.usefixtures("reference_data")
@pytest.mark.parametrize(
    ("code", "day", "good", "label"),
    [
        ("COG", "2004-07-08", True, "in good standing"),
        ("COG", "2004-07-09", False, "removed"),
        ("COG", "2007-11-08", True, "in good standing"),
        ("CIV", "2010-01-01", False, "embargoed"),
        ("CIV", "2014-04-29", True, "in good standing"),
        ("VEN", "2012-05-05", False, "self-suspended"),
        ("VEN", "2017-01-01", True, "in good standing"),
        ("CAF", "2014-01-01", False, "suspended"),
        ("CAF", "2016-01-01", True, "in good standing (compliant zones only)"),
        ("CAF", "2025-01-01", True, "in good standing"),
        ("GBR", "2020-12-31", False, "not yet admitted"),
        ("GBR", "2021-01-01", True, "in good standing"),
        ("BWA", "2003-01-01", True, "in good standing"),
    ],
)
def test_standing_on_a_date_follows_the_latest_event(code, day, good, label) -> None:
    result = standing(code, day)
    assert result.in_good_standing is good
    assert result.label == label


@pytest.mark.usefixtures("reference_data")
def test_removed_participant_is_not_a_participant_while_embargoed_one_still_is() -> None:
    assert standing("COG", "2005-01-01").is_participant is False
    assert standing("CIV", "2010-01-01").is_participant is True


@pytest.mark.usefixtures("reference_data")
def test_partially_resumed_participant_is_restricted_to_compliant_zones() -> None:
    assert standing("CAF", "2016-01-01").restricted_to_compliant_zones is True
    assert standing("CAF", "2025-01-01").restricted_to_compliant_zones is False


def test_participant_without_events_is_not_yet_admitted() -> None:
    participant = ParticipantFactory(admitted=False)
    result = participant_standing_on(participant=participant, date=dt.date(2020, 1, 1))
    assert result.event is None
    assert result.in_good_standing is False
    assert result.is_participant is False


def test_the_later_of_two_events_on_the_same_day_wins() -> None:
    participant = ParticipantFactory()
    StatusEventFactory(
        participant=participant, date=dt.date(2010, 1, 1), event=StatusEvent.Event.SUSPENDED
    )
    StatusEventFactory(
        participant=participant, date=dt.date(2010, 1, 1), event=StatusEvent.Event.REINSTATED
    )
    result = participant_standing_on(participant=participant, date=dt.date(2010, 1, 1))
    assert result.in_good_standing is True


def test_list_annotation_agrees_with_the_single_participant_answer() -> None:
    suspended = ParticipantFactory()
    StatusEventFactory(participant=suspended, date=dt.date(2010, 1, 1))
    good = ParticipantFactory()
    day = dt.date(2011, 1, 1)
    annotated = {p.code: p.standing_event for p in participants_with_standing_on(date=day)}
    assert annotated[suspended.code] == "suspended"
    assert annotated[good.code] == "admitted"
    in_good = set(participants_in_good_standing_on(date=day).values_list("code", flat=True))
    assert good.code in in_good
    assert suspended.code not in in_good


def test_standing_of_all_participants_is_one_query(django_assert_num_queries) -> None:
    for _ in range(5):
        ParticipantFactory()
    with django_assert_num_queries(1):
        rows = list(participants_with_standing_on(date=dt.date(2020, 1, 1)))
    assert len(rows) == 5


@pytest.mark.parametrize("empty", [None, ""])
def test_a_participant_without_status_events_is_shown_as_not_yet_admitted(empty) -> None:
    # Templates pass "" when the standing has no event; it must not read "in good standing".
    from kpcs.participants.templatetags.standing import standing_of

    assert standing_of(empty) == {"label": "not yet admitted", "tone": "bad"}
