"""Who may use the secretariat's reference-data pages: the secretariat, and nobody else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kpcs.accounts.tests.factories import UserFactory
from kpcs.common.models import AuditEntry, BackgroundJob
from kpcs.participants.models import Observer, Participant
from kpcs.participants.tests.factories import (
    AuthorityContactFactory,
    ChairmanshipFactory,
    ObserverFactory,
    StatusEventFactory,
    WorkingBodyMembershipFactory,
)

pytestmark = pytest.mark.django_db

OTHER_ROLES = ["authority", "reviewer", "observer"]


@pytest.fixture
def records() -> dict:
    contact = AuthorityContactFactory()
    authority = contact.authority
    participant = authority.participant
    event = StatusEventFactory(participant=participant)
    membership = WorkingBodyMembershipFactory(participant=participant)
    return {
        "participant": participant,
        "event": event,
        "authority": authority,
        "contact": contact,
        "observer": ObserverFactory(),
        "membership": membership,
        "chairmanship": ChairmanshipFactory(chair=participant),
    }


def secretariat_urls(records: dict) -> list[str]:
    code = records["participant"].code
    authority = records["authority"].pk
    body = records["membership"].working_body.code
    names = [
        ("participants", []),
        ("participant", [code]),
        ("participant-edit", [code]),
        ("status-event-create", [code]),
        ("status-event-edit", [code, records["event"].pk]),
        ("status-event-delete", [code, records["event"].pk]),
        ("authority-create", [code]),
        ("authority-edit", [code, authority]),
        ("contact-create", [code, authority]),
        ("contact-edit", [code, authority, records["contact"].pk]),
        ("contact-delete", [code, authority, records["contact"].pk]),
        ("observers", []),
        ("observer-create", []),
        ("observer-edit", [records["observer"].code]),
        ("working-bodies", []),
        ("working-body-edit", [body]),
        ("membership-create", [body]),
        ("membership-delete", [body, records["membership"].pk]),
        ("chairmanships", []),
        ("chairmanship-create", []),
        ("chairmanship-edit", [records["chairmanship"].year]),
        ("reference-data", []),
        ("reference-data-reload", []),
        ("audit-log", []),
        ("audit-log-export", []),
    ]
    return [reverse(f"secretariat:{name}", args=args) for name, args in names]


PAGE_COUNT = 25


def test_the_access_tests_cover_every_secretariat_page(records) -> None:
    from kpcs.participants.secretariat_urls import urlpatterns

    assert len(secretariat_urls(records)) == len(urlpatterns) == PAGE_COUNT


@pytest.mark.parametrize("index", range(PAGE_COUNT))
def test_secretariat_can_open_every_secretariat_page(client, secretariat_user, records, index):
    url = secretariat_urls(records)[index]
    client.force_login(secretariat_user)

    response = client.get(url)

    # The reload is a POST-only action; every other address is a page.
    expected = 405 if url.endswith("/reference-data/reload/") else 200
    assert response.status_code == expected, url


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("index", range(PAGE_COUNT))
def test_anonymous_visitor_is_sent_to_log_in_from_every_secretariat_page(
    client, records, index, method
):
    url = secretariat_urls(records)[index]

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize("index", range(PAGE_COUNT))
def test_other_roles_are_refused_every_secretariat_page(client, records, index, role):
    url = secretariat_urls(records)[index]
    client.force_login(UserFactory(role=role))

    response = client.get(url)

    assert response.status_code == 403
    assert "Your account does not give you access to this page." in response.content.decode()


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize("index", range(PAGE_COUNT))
def test_other_roles_cannot_change_anything_by_posting(client, records, index, role):
    url = secretariat_urls(records)[index]
    participant = records["participant"]
    client.force_login(UserFactory(role=role))
    audit_entries = AuditEntry.objects.count()

    response = client.post(
        url,
        {
            "name_en": "Hijacked",
            "iso2": participant.iso2,
            "kind": participant.kind,
            "code": "HIJACK",
            "reason": "because",
        },
    )

    assert response.status_code == 403
    assert AuditEntry.objects.count() == audit_entries
    assert not Participant.objects.filter(name_en="Hijacked").exists()
    assert not Observer.objects.filter(code="HIJACK").exists()
    assert not BackgroundJob.objects.exists()


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_do_not_see_the_secretariat_menu(client, role) -> None:
    client.force_login(UserFactory(role=role))

    page = client.get(reverse("home")).content.decode()

    assert reverse("secretariat:participants") not in page


def test_deactivated_secretariat_account_is_refused(client, records) -> None:
    client.force_login(UserFactory(role="secretariat", is_active=False))

    response = client.get(reverse("secretariat:participants"))

    # Django logs inactive users out on their next request: back to the log-in page.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
