"""create_user and create_api_token: the names scripts outside the project rely on."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kpcs.accounts.api_clients import key_hash
from kpcs.accounts.models import ApiClient, User
from kpcs.common import audit
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


def create_api_token(*args: str) -> str:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_create_api_token_prints_a_new_key_for_the_participant_once() -> None:
    participant = ParticipantFactory()
    key = create_api_token("--participant", participant.code.lower(), "--name", "Customs")

    client = ApiClient.objects.get()
    assert (client.participant, client.name, client.created_by) == (participant, "Customs", None)
    assert key.startswith(f"kpcs_{client.key_prefix}_")
    assert client.key_hash == key_hash(key) and key not in client.key_hash
    # Running again makes another client and key; it never prints an existing key.
    other = create_api_token("--participant", participant.code, "--name", "Licensing")
    assert other != key and ApiClient.objects.count() == 2


def test_create_api_token_records_who_asked_for_the_key() -> None:
    participant = ParticipantFactory()
    create_user("sec", "--role", "secretariat", "--password", PASSWORD)
    create_api_token("--participant", participant.code, "--name", "Customs", "--created-by", "sec")

    client = ApiClient.objects.get()
    assert client.created_by.username == "sec"
    assert audit.entries_for(client).get().actor == client.created_by


def test_the_printed_key_authenticates_api_requests_until_revoked(api_client) -> None:
    participant = ParticipantFactory()
    key = create_api_token("--participant", participant.code, "--name", "Customs")
    job_url = "/api/v1/jobs/00000000-0000-0000-0000-000000000000/"
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get(job_url).status_code == 404  # authenticated: the job is not there

    prefix = ApiClient.objects.get().key_prefix
    out = StringIO()
    call_command("create_api_token", "--revoke", prefix, "--reason", "replaced", stdout=out)
    assert "Revoked" in out.getvalue()
    assert api_client.get(job_url).status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.get(job_url).status_code == 401


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Give --participant CODE and --name NAME"),
        (["--participant", "QQQ", "--name", "Customs"], "No participant has the code “QQQ”"),
        (["--participant", "{p}", "--name", "   "], "Give the client a name"),
        (["--participant", "{p}", "--name", "x" * 101], "at most 100 are allowed"),
        (["--participant", "{p}", "--name", "Customs", "--created-by", "ghost"], "No user is"),
        (["--participant", "{p}", "--name", "Customs", "--created-by", "obs"], "may not create"),
        (["--revoke", "deadbeef", "--reason", "lost"], "No API client has a key starting"),
    ],
)
def test_create_api_token_refuses_bad_input_with_a_reason(args, message) -> None:
    participant = ParticipantFactory()
    create_user("obs", "--role", "reviewer", "--password", PASSWORD)
    args = [a.format(p=participant.code) for a in args]
    with pytest.raises(CommandError, match=message):
        create_api_token(*args)
    assert not ApiClient.objects.exists()


def test_revoking_needs_a_reason_and_happens_once() -> None:
    participant = ParticipantFactory()
    create_api_token("--participant", participant.code, "--name", "Customs")
    prefix = ApiClient.objects.get().key_prefix
    with pytest.raises(CommandError, match="Give --reason"):
        create_api_token("--revoke", prefix)
    # As shown on the list page, "kpcs_<prefix>…", is accepted too.
    create_api_token("--revoke", f"kpcs_{prefix}…", "--reason", "lost")
    with pytest.raises(CommandError, match="already revoked"):
        create_api_token("--revoke", prefix, "--reason", "again")
