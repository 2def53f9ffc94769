"""create_user and create_api_token: the names scripts outside the project rely on."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from kpcs.accounts.models import User
from kpcs.participants.tests.factories import ObserverFactory, ParticipantFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-enough-passphrase"


def create_user(*args: str) -> str:
    out = StringIO()
    call_command("create_user", *args, stdout=out)
    return out.getvalue()


def test_creates_an_authority_bound_to_its_participant() -> None:
    participant = ParticipantFactory()
    create_user(
        "alice",
        "--role",
        "authority",
        "--participant",
        participant.code.lower(),
        "--password",
        PASSWORD,
    )
    alice = User.objects.get(username="alice")
    assert alice.is_authority and alice.participant == participant
    assert alice.check_password(PASSWORD)


def test_creates_an_observer_representative() -> None:
    observer = ObserverFactory()
    create_user("obs", "--role", "observer", "--observer", observer.code, "--password", PASSWORD)
    assert User.objects.get(username="obs").observer == observer


def test_secretariat_account_may_use_the_admin_for_reference_data() -> None:
    create_user("sec", "--role", "secretariat", "--password", PASSWORD)
    assert User.objects.get(username="sec").is_staff is True


def test_running_again_updates_role_and_password_instead_of_failing() -> None:
    participant = ParticipantFactory()
    create_user("bob", "--role", "reviewer", "--password", PASSWORD)
    create_user(
        "bob",
        "--role",
        "authority",
        "--participant",
        participant.code,
        "--password",
        PASSWORD + "2",
    )
    bob = User.objects.get(username="bob")
    assert bob.role == "authority"
    assert bob.check_password(PASSWORD + "2")
    assert User.objects.filter(username="bob").count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "authority"], "must act for a participant"),
        (["--role", "authority", "--participant", "QQQ"], "No participant has the code"),
        (["--role", "observer"], "must act for an observer"),
        (["--role", "observer", "--observer", "NOPE"], "No observer has the code"),
        (["--role", "secretariat", "--participant", "{p}"], "not one body"),
        (["--role", "reviewer", "--participant", "{p}", "--observer", "{o}"], "not both"),
    ],
)
def test_inconsistent_role_and_body_are_refused_with_a_reason(args, message) -> None:
    participant, observer = ParticipantFactory(), ObserverFactory()
    args = [a.format(p=participant.code, o=observer.code) for a in args]
    with pytest.raises(CommandError, match=message):
        create_user("carol", *args, "--password", PASSWORD)
    assert not User.objects.filter(username="carol").exists()


def test_weak_password_is_refused() -> None:
    with pytest.raises(CommandError, match="too short"):
        create_user("dave", "--role", "reviewer", "--password", "short")
    assert not User.objects.filter(username="dave").exists()


def test_unknown_role_is_refused_by_the_command_line() -> None:
    with pytest.raises(CommandError):
        create_user("erin", "--role", "emperor", "--password", PASSWORD)


def test_create_api_token_prints_the_same_token_until_rotated() -> None:
    create_user("machine", "--role", "secretariat", "--password", PASSWORD)
    out1, out2, out3 = StringIO(), StringIO(), StringIO()
    call_command("create_api_token", "machine", stdout=out1)
    call_command("create_api_token", "machine", stdout=out2)
    call_command("create_api_token", "machine", "--rotate", stdout=out3)
    first, again, rotated = (o.getvalue().strip() for o in (out1, out2, out3))
    assert first == again
    assert rotated != first
    assert Token.objects.get(user__username="machine").key == rotated


def test_token_authenticates_api_requests(api_client) -> None:
    create_user("machine", "--role", "secretariat", "--password", PASSWORD)
    out = StringIO()
    call_command("create_api_token", "machine", stdout=out)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")
    response = api_client.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404  # authenticated: the job is simply not there
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/").status_code == 401


def test_create_api_token_for_unknown_user_fails_clearly() -> None:
    with pytest.raises(CommandError, match="No user is called"):
        call_command("create_api_token", "ghost", stdout=StringIO())
