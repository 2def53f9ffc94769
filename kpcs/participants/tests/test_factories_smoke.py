import pytest

from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.tests.factories import (
    AuthorityContactFactory,
    ChairmanshipFactory,
    WorkingBodyMembershipFactory,
)

pytestmark = pytest.mark.django_db


def test_factories_build_rows_that_satisfy_the_database_constraints() -> None:
    authority = UserFactory(role="authority")
    observer = UserFactory(role="observer")
    assert authority.participant is not None and authority.observer is None
    assert observer.observer is not None and observer.participant is None
    assert AuthorityContactFactory().authority.participant.status_events.count() == 1
    assert WorkingBodyMembershipFactory().participant is not None
    assert ChairmanshipFactory().chair is not None
