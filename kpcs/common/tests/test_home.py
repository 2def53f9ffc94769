"""The home page shows each role what waits for it, and nothing that is not theirs."""

import pytest

from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.services import participant_update
from kpcs.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def test_public_visitor_is_invited_to_log_in_and_sees_no_changes(client) -> None:
    participant_update(participant=ParticipantFactory(), actor=None, values={"source_note": "x"})
    html = client.get("/en/").content.decode()
    assert "/en/accounts/login/" in html
    assert "Recent changes" not in html
    assert "Manage reference data" not in html


def test_secretariat_sees_recent_changes_and_reference_data(client) -> None:
    participant_update(participant=ParticipantFactory(), actor=None, values={"source_note": "x"})
    client.force_login(UserFactory(role="secretariat"))
    html = client.get("/en/").content.decode()
    assert "Recent changes" in html
    assert "Manage reference data" in html
    assert "system (data loads)" in html


@pytest.mark.parametrize("role", ["authority", "reviewer", "observer"])
def test_other_roles_do_not_see_the_audit_trail(client, role) -> None:
    participant_update(participant=ParticipantFactory(), actor=None, values={"source_note": "x"})
    client.force_login(UserFactory(role=role))
    html = client.get("/en/").content.decode()
    assert "Recent changes" not in html
    assert "Manage reference data" not in html


def test_authority_sees_its_own_participant(client) -> None:
    user = UserFactory(role="authority")
    client.force_login(user)
    html = client.get("/en/").content.decode()
    assert "Your participant" in html
    assert f"/en/participants/{user.participant.code}/" in html


def test_observer_sees_its_own_organisation(client) -> None:
    user = UserFactory(role="observer")
    client.force_login(user)
    assert user.observer.name in client.get("/en/").content.decode()


def test_navigation_offers_secretariat_pages_only_to_the_secretariat(client) -> None:
    client.force_login(UserFactory(role="authority"))
    assert "/en/secretariat/" not in client.get("/en/").content.decode()
    client.force_login(UserFactory(role="secretariat"))
    assert "/en/secretariat/participants/" in client.get("/en/").content.decode()


def test_authority_sees_its_queried_submissions_and_open_questions(client) -> None:
    from kpcs.statistics.tests.factories import SubmissionFactory

    user = UserFactory(role="authority")
    SubmissionFactory(participant=user.participant, status="queried")
    SubmissionFactory(participant=user.participant, status="draft", period="Q2")
    SubmissionFactory(status="queried", period="Q3")  # another participant's
    client.force_login(user)
    html = client.get("/en/").content.decode()
    assert "Queried by the secretariat: 1. Drafts not yet submitted: 1." in html


def test_secretariat_sees_submissions_waiting_for_review(client) -> None:
    from kpcs.statistics.tests.factories import SubmissionFactory

    SubmissionFactory(status="submitted")
    client.force_login(UserFactory(role="secretariat"))
    assert "Submissions to review: 1." in client.get("/en/").content.decode()
