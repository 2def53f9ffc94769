"""API clients: a machine key per client, scoped to one participant, revocable, shown once;
the pages where authorities and the secretariat manage them; and who may do what."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.backends import ModelBackend
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from kpcs.accounts.api_clients import api_client_create, api_client_revoke, key_hash
from kpcs.accounts.models import ApiClient, User
from kpcs.accounts.tests.factories import (
    ApiClientFactory,
    UserFactory,
    api_auth,
    machine_api_client,
)
from kpcs.certificates.tests.factories import CertificateFactory
from kpcs.common.models import AuditEntry
from kpcs.participants.models import Participant
from kpcs.statistics.models import TradeRecord
from kpcs.statistics.tests.factories import SubmissionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

JOB = "/api/v1/jobs/00000000-0000-0000-0000-000000000000/"  # any authenticated endpoint
SUBMISSIONS = "/api/v1/statistics/submissions/"
LIST = reverse("api_clients:list")
CREATE = reverse("api_clients:create")


def detail_url(client: ApiClient) -> str:
    return reverse("api_clients:detail", kwargs={"pk": client.pk})


@pytest.fixture
def bwa():
    return Participant.objects.get(code="BWA")


@pytest.fixture
def zaf():
    return Participant.objects.get(code="ZAF")


@pytest.fixture
def bwa_authority(bwa):
    return UserFactory(role="authority", participant=bwa, username="bwa-person")


@pytest.fixture
def zaf_authority(zaf):
    return UserFactory(role="authority", participant=zaf, username="zaf-person")


@pytest.fixture
def secretariat():
    return UserFactory(role="secretariat", username="sec-person")


def create_through_page(browser, **data) -> tuple[ApiClient, str, object]:
    response = browser.post(CREATE, data)
    assert response.status_code == 200, response.content.decode()[:2000]
    client = ApiClient.objects.latest("pk")
    key = response.context["key"]
    return client, key, response


# --- Shown once, stored as a hash ---------------------------------------------------------------


def test_the_key_is_shown_once_on_creation_and_only_its_hash_is_stored(client, bwa, bwa_authority):
    client.force_login(bwa_authority)
    api_client, key, response = create_through_page(client, participant=bwa.pk, name="Customs")

    page = response.content.decode()
    assert key in page and "will not be shown again" in page
    assert "no-store" in response["Cache-Control"]
    assert api_client.key_hash == key_hash(key)
    assert key.startswith(f"kpcs_{api_client.key_prefix}_")
    stored = json.dumps(list(ApiClient.objects.values()), default=str)
    assert key not in stored
    # Neither the list, nor the client's page, nor the audit trail shows the key or its hash.
    for url in (LIST, detail_url(api_client)):
        text = client.get(url).content.decode()
        assert api_client.key_prefix in text
        assert key not in text and api_client.key_hash not in text
    trail = json.dumps(list(AuditEntry.objects.values("changes", "object_repr", "reason")))
    assert key not in trail and api_client.key_hash not in trail
    assert AuditEntry.objects.filter(object_id=str(api_client.pk), actor=bwa_authority).exists()


def test_the_new_client_acts_as_its_own_authority_account_of_the_participant(bwa, bwa_authority):
    api_client, key = api_client_create(participant=bwa, name="Customs", actor=bwa_authority)

    account = api_client.user
    assert (account.role, account.participant, account.is_api_client) == ("authority", bwa, True)
    assert account != bwa_authority and not account.has_usable_password()
    assert api_client.created_by == bwa_authority
    response = APIClient().get(JOB, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 404  # authenticated; the job simply does not exist


def test_last_use_is_noted_at_most_once_a_minute(bwa):
    api_client = ApiClientFactory(participant=bwa)
    browser = APIClient()
    browser.get(JOB, **api_auth(api_client))
    api_client.refresh_from_db()
    first = api_client.last_used_at
    assert first is not None

    browser.get(JOB, **api_auth(api_client))
    api_client.refresh_from_db()
    assert api_client.last_used_at == first

    earlier = first - dt.timedelta(minutes=2)
    ApiClient.objects.filter(pk=api_client.pk).update(last_used_at=earlier)
    browser.get(JOB, **api_auth(api_client))
    api_client.refresh_from_db()
    assert api_client.last_used_at > first


# --- Refused keys -----------------------------------------------------------------------------


def test_a_revoked_key_is_refused_at_once(client, bwa, bwa_authority):
    api_client = ApiClientFactory(participant=bwa)
    machine = APIClient()
    machine.credentials(**api_auth(api_client))
    assert machine.get(JOB).status_code == 404

    client.force_login(bwa_authority)
    response = client.post(detail_url(api_client), {"reason": "Customs system replaced"})
    assert response.status_code == 302

    refused = machine.get(JOB)
    body = refused.json()
    assert refused.status_code == 401
    assert (body["code"], body["status"]) == ("authentication_failed", 401)
    assert "revoked" in body["detail"]
    api_client.refresh_from_db()
    assert api_client.revoked_by == bwa_authority
    assert api_client.revocation_reason == "Customs system replaced"
    assert not api_client.user.is_active
    entry = AuditEntry.objects.filter(object_id=str(api_client.pk), action="update").get()
    assert entry.reason == "Customs system replaced" and entry.actor == bwa_authority


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Token kpcs_00000000_not-a-key", "Unknown API key"),
        ("Token not-even-shaped-like-one", "Unknown API key"),
        ("Token", "Authorization: Token <key>"),
        ("Token two words", "Authorization: Token <key>"),
    ],
)
def test_an_unknown_or_malformed_key_is_refused_with_401_and_a_reason(header, message):
    response = APIClient().get(JOB, HTTP_AUTHORIZATION=header)
    body = response.json()
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert message in body["detail"]


def test_a_client_whose_account_was_changed_behind_its_back_is_refused(bwa, zaf):
    """Someone edits the service account in the admin: the key must not gain other powers."""
    api_client = ApiClientFactory(participant=bwa)
    # The database already refuses to make it anything but an authority...
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=api_client.user_id).update(participant=None, role="secretariat")
    # ...and the key refuses to act for another participant than its own.
    User.objects.filter(pk=api_client.user_id).update(participant=zaf)

    response = APIClient().get(JOB, **api_auth(api_client))
    assert response.status_code == 401
    assert "no longer matches" in response.json()["detail"]


# --- Scope: one participant ---------------------------------------------------------------------


def test_a_botswana_client_cannot_read_or_write_south_africas_data(bwa, zaf):
    machine = machine_api_client(bwa)
    theirs = SubmissionFactory(participant=zaf, year=2025)
    ours = SubmissionFactory(participant=bwa, year=2025)
    CertificateFactory(
        issuing_participant=zaf,
        destination_participant=Participant.objects.get(code="IND"),
        number="ZA300001",
    )

    assert machine.get(f"{SUBMISSIONS}{ours.pk}/").status_code == 200
    assert machine.get(f"{SUBMISSIONS}{theirs.pk}/").status_code == 404
    assert [s["id"] for s in machine.get(SUBMISSIONS).json()["results"]] == [ours.pk]
    write = machine.post(
        SUBMISSIONS,
        {
            "rows": [
                {
                    "participant": "ZAF",
                    "year": "2025",
                    "period": "Q1",
                    "flow": "export",
                    "partner": "BWA",
                    "hs_code": "7102.31",
                    "carats": "1.00",
                    "value_usd": "1.00",
                    "certificates": "1",
                }
            ]
        },
        format="json",
    )
    # Refused as a finding on the row's participant column; nothing is stored for ZAF.
    assert write.status_code == 400
    assert write.json()["errors"]["findings"][0]["column"] == "participant"
    assert not TradeRecord.objects.filter(submission__participant=zaf).exists()
    assert machine.get("/api/v1/certificates/ZAF/ZA300001/").status_code == 404


def test_a_machine_client_cannot_log_in_through_the_site(client, bwa):
    api_client = ApiClientFactory(participant=bwa)
    account = api_client.user

    backend = ModelBackend()
    for password in ("", "!", api_client.key, account.password):  # type: ignore[attr-defined]
        assert backend.authenticate(None, username=account.username, password=password) is None
    response = client.post(
        reverse("accounts:login"),
        {"username": account.username, "password": api_client.key},  # type: ignore[attr-defined]
    )
    assert response.status_code != 302
    assert "_auth_user_id" not in client.session
    # Nor can it be given a password (the database refuses), nor reset one by mail.
    account.set_password("a-long-enough-passphrase")
    with pytest.raises(IntegrityError), transaction.atomic():
        account.save()
    User.objects.filter(pk=account.pk).update(email="customs@example.org")
    client.post(reverse("accounts:password_reset"), {"email": "customs@example.org"})
    assert mail.outbox == []


def test_a_machine_clients_account_cannot_make_more_keys(bwa):
    api_client = ApiClientFactory(participant=bwa)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        api_client_create(participant=bwa, name="Another", actor=api_client.user)


# --- The pages: who sees and manages what ---------------------------------------------------


def test_an_authority_sees_and_revokes_only_its_own_participants_clients(
    client, bwa, zaf, bwa_authority
):
    ours = ApiClientFactory(participant=bwa, name="BWA customs")
    theirs = ApiClientFactory(participant=zaf, name="ZAF customs")
    client.force_login(bwa_authority)

    page = client.get(LIST).content.decode()
    assert "BWA customs" in page and "ZAF customs" not in page
    assert client.get(detail_url(ours)).status_code == 200
    assert client.get(detail_url(theirs)).status_code == 404
    assert client.post(detail_url(theirs), {"reason": "mischief"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_an_authority_creates_for_its_own_participant_only(client, bwa, zaf, bwa_authority):
    client.force_login(bwa_authority)
    form = client.get(CREATE).content.decode()
    assert 'type="hidden" name="participant"' in form

    response = client.post(CREATE, {"participant": zaf.pk, "name": "Sneaky"})
    assert response.status_code == 400
    assert "You may not create API clients for that participant." in response.content.decode()
    assert not ApiClient.objects.exists()

    api_client, _key, _response = create_through_page(client, participant=bwa.pk, name="Customs")
    assert api_client.participant == bwa


def test_the_secretariat_sees_every_client_and_creates_for_any_participant(
    client, bwa, zaf, secretariat
):
    ApiClientFactory(participant=bwa, name="BWA customs")
    client.force_login(secretariat)
    api_client, _key, _response = create_through_page(client, participant=zaf.pk, name="Licensing")
    assert (api_client.participant, api_client.created_by) == (zaf, secretariat)

    page = client.get(LIST).content.decode()
    assert "BWA customs" in page and "Licensing" in page
    response = client.post(detail_url(api_client), {"reason": "Test over"})
    assert response.status_code == 302
    assert "revoked" in client.get(LIST).content.decode()


@pytest.mark.parametrize("role", ["reviewer", "observer"])
def test_reviewers_and_observers_are_refused_every_page(client, bwa, role):
    api_client = ApiClientFactory(participant=bwa)
    client.force_login(UserFactory(role=role))
    for url in (LIST, CREATE, detail_url(api_client)):
        assert client.get(url).status_code == 403, url
    assert client.post(CREATE, {"participant": bwa.pk, "name": "X"}).status_code == 403
    assert client.post(detail_url(api_client), {"reason": "x"}).status_code == 403
    assert ApiClient.objects.count() == 1 and ApiClient.objects.get().revoked_at is None


def test_anonymous_visitors_are_sent_to_log_in(client, bwa):
    api_client = ApiClientFactory(participant=bwa)
    for url in (LIST, CREATE, detail_url(api_client)):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.post(CREATE, {"participant": bwa.pk, "name": "X"}).status_code == 302
    assert ApiClient.objects.count() == 1


def test_the_user_menu_links_to_api_clients_for_authorities_and_the_secretariat_only(
    client, bwa_authority, secretariat
):
    for user, shown in (
        (bwa_authority, True),
        (secretariat, True),
        (UserFactory(role="reviewer"), False),
    ):
        client.force_login(user)
        assert (f'href="{LIST}"' in client.get(reverse("home")).content.decode()) is shown


# --- Bad input, named clearly -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Give the client a name"),
        ({"name": "   "}, "Give the client a name"),
        ({"name": "x" * 101}, "at most 100 characters"),
        ({"participant": "", "name": "Customs"}, "Choose the participant the client acts for."),
        ({"participant": "999999", "name": "Customs"}, "You may not create API clients for that"),
    ],
)
def test_bad_input_on_the_create_form_is_named(client, bwa, secretariat, data, message):
    client.force_login(secretariat)
    response = client.post(CREATE, {"participant": bwa.pk, **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiClient.objects.exists() and not User.objects.filter(is_api_client=True).exists()


def test_a_second_active_client_of_the_same_name_is_refused_but_a_revoked_name_is_free(
    client, bwa, secretariat
):
    first = ApiClientFactory(participant=bwa, name="Customs")
    client.force_login(secretariat)
    response = client.post(CREATE, {"participant": bwa.pk, "name": "customs"})
    assert response.status_code == 400
    assert "already has an active API client called" in response.content.decode()

    api_client_revoke(client=first, reason="replaced", actor=secretariat)
    api_client, _key, _response = create_through_page(client, participant=bwa.pk, name="Customs")
    assert api_client.pk != first.pk


def test_revoking_needs_a_reason(client, bwa, secretariat):
    api_client = ApiClientFactory(participant=bwa)
    client.force_login(secretariat)
    response = client.post(detail_url(api_client), {"reason": "  "})
    assert response.status_code == 400
    assert "Say why the key is revoked" in response.content.decode()
    api_client.refresh_from_db()
    assert api_client.revoked_at is None


def test_the_database_refuses_a_half_recorded_revocation(bwa):
    api_client = ApiClientFactory(participant=bwa)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiClient.objects.filter(pk=api_client.pk).update(revoked_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiClient.objects.filter(pk=api_client.pk).update(revocation_reason="why")
