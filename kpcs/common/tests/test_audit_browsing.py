"""The secretariat browses the audit trail per object and per user: each entry links to the
history of its object and to the changes of its author; the official records' pages link to
their history; a filter that names nothing known is a clear message, never a 500."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from kpcs.accounts.tests.factories import UserFactory
from kpcs.common import audit
from kpcs.common.templatetags.audit_trail import audit_history_url
from kpcs.participants.models import Observer
from kpcs.participants.tests.factories import ObserverFactory

pytestmark = pytest.mark.django_db

URL = "/en/secretariat/audit-log/"


@pytest.fixture
def secretariat(client):
    user = UserFactory(role="secretariat", username="sec")
    client.force_login(user)
    return user


def _observer(actor, code: str) -> Observer:
    return audit.save_with_audit(
        instance=Observer(),
        actor=actor,
        values={"code": code, "name_en": f"Observer {code}", "kind": "industry"},
    )


def test_one_objects_history_shows_its_entries_only(client, secretariat) -> None:
    mine = _observer(secretariat, "AAA")
    audit.save_with_audit(instance=mine, actor=secretariat, values={"kind": "civil_society"})
    _observer(secretariat, "BBB")
    response = client.get(audit_history_url(mine))
    assert response.status_code == 200
    entries = list(response.context["page"].object_list)
    assert {e.object_id for e in entries} == {str(mine.pk)}
    assert [e.action for e in entries] == ["update", "create"]
    assert "History of" in response.content.decode()


def test_each_entry_links_to_its_authors_changes_and_its_objects_history(
    client, secretariat
) -> None:
    observer = _observer(secretariat, "CCC")
    body = client.get(URL).content.decode()
    assert f'href="{URL}?user={secretariat.pk}"' in body
    assert f'href="{audit_history_url(observer).replace("&", "&amp;")}"' in body
    by_user = client.get(f"{URL}?user={secretariat.pk}")
    assert by_user.status_code == 200
    assert all(e.actor_id == secretariat.pk for e in by_user.context["page"].object_list)


@pytest.mark.parametrize(
    "query, message",
    [
        ("record=nothing.here&object=1", "Select a valid choice"),
        ("object=1", "needs its record type"),
        ("record=participants.observer&object=" + "9" * 65, "at most 64 characters"),
        ("user=not-a-user", "Select a valid choice"),
    ],
)
def test_a_filter_naming_nothing_known_is_a_clear_message(
    client, secretariat, query, message
) -> None:
    _observer(secretariat, "DDD")
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_object_without_entries_has_an_empty_history_not_an_error(client, secretariat):
    _observer(secretariat, "EEE")
    response = client.get(f"{URL}?record=participants.observer&object=999999")
    assert response.status_code == 200
    assert not response.context["page"].object_list


def test_the_history_link_is_shown_to_the_secretariat_only() -> None:
    observer = ObserverFactory()
    secretariat = UserFactory(role="secretariat")
    authority = UserFactory(role="authority")
    link = audit_history_url(observer).replace("&", "&amp;")
    template = "common/_history_link.html"
    assert link in render_to_string(template, {"user": secretariat, "record": observer})
    assert "History" not in render_to_string(template, {"user": authority, "record": observer})


def test_the_secretariats_participant_page_links_to_the_participants_history(
    client, secretariat, reference_data
) -> None:
    from kpcs.participants.models import Participant

    botswana = Participant.objects.get(code="BWA")
    body = client.get(reverse("secretariat:participant", args=["BWA"])).content.decode()
    assert audit_history_url(botswana).replace("&", "&amp;") in body


def test_a_certificates_page_links_to_its_history_for_the_secretariat(client, secretariat):
    from kpcs.certificates.tests.factories import CertificateFactory

    certificate = CertificateFactory()
    response = client.get(
        reverse(
            "certificates:detail",
            args=[certificate.issuing_participant.code, certificate.number],
        )
    )
    assert response.status_code == 200
    assert audit_history_url(certificate).replace("&", "&amp;") in response.content.decode()


# --- The CSV download ---------------------------------------------------------------------------

EXPORT = "/en/secretariat/audit-log/export.csv"


def _csv_rows(response) -> list[list[str]]:
    import csv
    import io

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_filtered_trail_downloads_as_csv_with_formulas_neutralised(client, secretariat) -> None:
    other = UserFactory(role="secretariat", username="other")
    hostile = _observer(secretariat, "AAA")
    audit.save_with_audit(
        instance=hostile, actor=secretariat, values={"name_en": '=HYPERLINK("x")'}
    )
    _observer(other, "BBB")

    response = client.get(EXPORT, {"user": secretariat.pk})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="kpcs-audit-log-')
    header, *rows = _csv_rows(response)
    assert header == [
        "when",
        "who",
        "action",
        "record type",
        "record id",
        "record",
        "changes",
        "reason",
    ]
    assert [row[1] for row in rows] == ["sec", "sec"]
    assert {row[3] for row in rows} == {"participants.observer"}
    changes = rows[0][6]
    assert "HYPERLINK" in changes and not changes.startswith("=")
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row[1:])


def test_the_csv_download_refuses_a_filter_that_names_nothing_known(client, secretariat) -> None:
    response = client.get(EXPORT, {"record": "nosuch.model"})
    assert response.status_code == 400
    assert "The filter is not valid" in response.content.decode()


@pytest.mark.parametrize("role", ["authority", "observer", "reviewer"])
def test_only_the_secretariat_downloads_the_trail(client, role) -> None:
    client.force_login(UserFactory(role=role))
    assert client.get(EXPORT).status_code == 403
    client.logout()
    response = client.get(EXPORT)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
