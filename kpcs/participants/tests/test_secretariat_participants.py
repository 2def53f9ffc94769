"""The secretariat lists, searches and edits participants, their status events, authorities
and contacts; every change lands in the audit trail, and bad input saves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kpcs.common.models import AuditEntry
from kpcs.participants.models import Authority, AuthorityContact, Participant, StatusEvent
from kpcs.participants.tests.factories import (
    AuthorityContactFactory,
    AuthorityFactory,
    CountryFactory,
    ParticipantFactory,
    StatusEventFactory,
)

pytestmark = pytest.mark.django_db

NAMES = {
    "name_en": "Republic of Quux",
    "name_fr": "République de Quux",
    "name_es": "República de Quux",
    "name_ru": "Республика Кукс",
    "name_zh_hans": "库克斯共和国",
    "name_ar": "جمهورية كوكس",
}


@pytest.fixture(autouse=True)
def english_after_each_test():
    # A request to a /fr/ page leaves French active in the test thread; reverse() would
    # then build /fr/ addresses for the next test.
    yield
    translation.activate("en")


@pytest.fixture
def secretariat_client(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


@pytest.fixture
def participant() -> Participant:
    return ParticipantFactory(country=CountryFactory(alpha3="XQU", alpha2="XQ"))


def edit_data(participant: Participant, **changes: object) -> dict:
    data = {
        **{name: getattr(participant, name) or "" for name in NAMES},
        "iso2": participant.iso2,
        "kind": participant.kind,
        "admitted_on": participant.admitted_on.isoformat() if participant.admitted_on else "",
        "admission_date_known": "on" if participant.admission_date_known else "",
        "source_note": participant.source_note,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def page(response) -> str:
    return response.content.decode()


# --- The list --------------------------------------------------------------------------------


def test_secretariat_list_links_each_participant_to_its_secretariat_page(
    secretariat_client, participant
) -> None:
    response = secretariat_client.get(reverse("secretariat:participants"))

    assert response.status_code == 200
    assert reverse("secretariat:participant", args=["XQU"]) in page(response)
    assert reverse("secretariat:participant-edit", args=["XQU"]) in page(response)


def test_secretariat_list_finds_a_participant_by_code_or_name(secretariat_client) -> None:
    ParticipantFactory(country=CountryFactory(alpha3="XAA", alpha2="XA"), name="Aardvarkia")
    ParticipantFactory(country=CountryFactory(alpha3="XBB", alpha2="XB"), name="Bobland")
    url = reverse("secretariat:participants")

    by_code = page(secretariat_client.get(url, {"q": "xaa"}))
    by_name = page(secretariat_client.get(url, {"q": "bobl"}))

    assert "Aardvarkia" in by_code and "Bobland" not in by_code
    assert "Bobland" in by_name and "Aardvarkia" not in by_name


def test_secretariat_list_filters_by_kind_and_standing(secretariat_client) -> None:
    suspended = ParticipantFactory(name="Suspendia")
    StatusEventFactory(participant=suspended, date=dt.date(2020, 1, 1))
    ParticipantFactory(name="Goodland")
    ParticipantFactory(
        country=None, code="XEU", iso2="XU", name="Union of Q", kind="regional_organisation"
    )
    url = reverse("secretariat:participants")

    not_good = page(secretariat_client.get(url, {"standing": "not_good"}))
    regional = page(secretariat_client.get(url, {"kind": "regional_organisation"}))

    assert "Suspendia" in not_good and "Goodland" not in not_good
    assert "Union of Q" in regional and "Goodland" not in regional


def test_secretariat_list_says_so_when_nothing_matches(secretariat_client, participant) -> None:
    response = secretariat_client.get(reverse("secretariat:participants"), {"q": "zzzz"})

    assert "No participant matches these filters." in page(response)


def test_secretariat_list_reports_an_invalid_filter_instead_of_failing(
    secretariat_client, participant
) -> None:
    response = secretariat_client.get(reverse("secretariat:participants"), {"date": "1990-01-01"})

    assert response.status_code == 400
    assert "The Kimberley Process started in 2003." in page(response)


def test_secretariat_list_is_paginated_and_an_unknown_page_is_404(
    secretariat_client, reference_data
) -> None:
    url = reverse("secretariat:participants")

    second = secretariat_client.get(url, {"page": 2})
    missing = secretariat_client.get(url, {"page": 9})

    assert second.status_code == 200
    assert "Page 2 of 2" in page(second)
    assert missing.status_code == 404
    assert "There is no page 9" in page(missing)


def test_secretariat_list_answers_htmx_with_the_table_alone(secretariat_client, participant):
    response = secretariat_client.get(
        reverse("secretariat:participants"), {"q": "XQU"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert 'id="participants"' in page(response)
    assert "<html" not in page(response)


def test_secretariat_list_query_count_does_not_grow_with_the_rows_shown(secretariat_client):
    url = reverse("secretariat:participants")
    ParticipantFactory()
    with CaptureQueriesContext(connection) as few:
        secretariat_client.get(url)
    for _n in range(10):
        ParticipantFactory()
    with CaptureQueriesContext(connection) as many:
        secretariat_client.get(url)

    assert len(many) == len(few)


# --- The participant's page ------------------------------------------------------------------


def test_participant_page_shows_status_events_authorities_contacts_and_the_trail(
    secretariat_client, participant, secretariat_user
) -> None:
    contact = AuthorityContactFactory(
        authority=AuthorityFactory(participant=participant, name="Quux Diamond Office"),
        name="Ada Q",
    )
    secretariat_client.post(
        reverse("secretariat:participant-edit", args=["XQU"]),
        edit_data(participant, source_note="Checked with the mission"),
    )

    response = secretariat_client.get(reverse("secretariat:participant", args=["xqu"]))

    assert response.status_code == 200
    text = page(response)
    assert "Quux Diamond Office" in text and contact.name in text
    assert reverse("secretariat:status-event-create", args=["XQU"]) in text
    assert "Checked with the mission" in text  # in the facts and in the change history
    assert secretariat_user.username in text


def test_participant_page_keeps_the_trail_of_a_deleted_status_event(
    secretariat_client, participant
) -> None:
    event = StatusEventFactory(participant=participant, date=dt.date(2012, 3, 4))
    secretariat_client.post(
        reverse("secretariat:status-event-delete", args=["XQU", event.pk]),
        {"reason": "Entered for the wrong participant"},
    )

    response = secretariat_client.get(reverse("secretariat:participant", args=["XQU"]))

    assert "Entered for the wrong participant" in page(response)


def test_participant_page_query_count_does_not_grow_with_authorities_and_contacts(
    secretariat_client, participant
) -> None:
    url = reverse("secretariat:participant", args=["XQU"])
    AuthorityContactFactory(authority=AuthorityFactory(participant=participant))
    with CaptureQueriesContext(connection) as few:
        secretariat_client.get(url)
    for _n in range(4):
        authority = AuthorityFactory(participant=participant)
        AuthorityContactFactory(authority=authority)
        AuthorityContactFactory(authority=authority)
        StatusEventFactory(participant=participant, date=dt.date(2010 + _n, 1, 1))

    with CaptureQueriesContext(connection) as many:
        secretariat_client.get(url)

    assert len(many) == len(few)


def test_unknown_participant_code_is_404_with_a_clear_message(secretariat_client) -> None:
    for url in [
        reverse("secretariat:participant", args=["ZZZ"]),
        reverse("secretariat:participant-edit", args=["ZZZ"]),
        reverse("secretariat:status-event-create", args=["ZZZ"]),
    ]:
        response = secretariat_client.get(url)
        assert response.status_code == 404
        assert "No participant has the code “ZZZ”." in page(response)


# --- Editing a participant -------------------------------------------------------------------


def test_secretariat_edits_a_participant_in_all_six_languages_and_it_is_audited(
    secretariat_client, participant, secretariat_user
) -> None:
    response = secretariat_client.post(
        reverse("secretariat:participant-edit", args=["XQU"]),
        edit_data(participant, **NAMES, admitted_on="2004-05-06", source_note="Plenary 2004"),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("secretariat:participant", args=["XQU"])
    participant.refresh_from_db()
    for field, value in NAMES.items():
        assert getattr(participant, field) == value
    assert participant.admitted_on == dt.date(2004, 5, 6)
    entry = AuditEntry.objects.get(action="update", object_id=str(participant.pk))
    assert entry.actor == secretariat_user
    assert entry.changes["name_ar"] == [None, NAMES["name_ar"]]
    assert entry.changes["source_note"] == ["", "Plenary 2004"]
    assert "has been saved" in page(secretariat_client.get(response["Location"]))


def test_editing_in_another_language_keeps_the_base_name_in_english(
    client, secretariat_user, participant
) -> None:
    client.force_login(secretariat_user)

    client.post(
        reverse("secretariat:participant-edit", args=["XQU"]).replace("/en/", "/fr/"),
        edit_data(participant, **NAMES),
    )

    with connection.cursor() as cursor:
        cursor.execute("select name from participants_participant where id = %s", [participant.pk])
        assert cursor.fetchone()[0] == NAMES["name_en"]
    entry = AuditEntry.objects.get(action="update", object_id=str(participant.pk))
    assert entry.object_repr == NAMES["name_en"]


def test_invalid_participant_edit_shows_the_errors_and_saves_nothing(
    secretariat_client, participant
) -> None:
    response = secretariat_client.post(
        reverse("secretariat:participant-edit", args=["XQU"]),
        edit_data(participant, name_en="", iso2="Q1"),
    )

    assert response.status_code == 400
    text = page(response)
    assert "Please correct the fields marked below." in text
    assert "This field is required." in text
    assert "Enter two letters, for example ZA." in text
    participant.refresh_from_db()
    assert participant.iso2 == "XQ"
    assert not AuditEntry.objects.filter(object_id=str(participant.pk)).exists()


def test_certificate_prefix_taken_by_another_participant_is_refused(
    secretariat_client, participant
) -> None:
    ParticipantFactory(country=CountryFactory(alpha3="XYY", alpha2="XY"))

    response = secretariat_client.post(
        reverse("secretariat:participant-edit", args=["XQU"]), edit_data(participant, iso2="xy")
    )

    assert response.status_code == 400
    assert "Participant with this Certificate prefix already exists." in page(response)
    participant.refresh_from_db()
    assert participant.iso2 == "XQ"


def test_a_participant_without_a_country_cannot_become_a_state(secretariat_client) -> None:
    union = ParticipantFactory(country=None, code="XEU", iso2="XU", kind="regional_organisation")

    response = secretariat_client.post(
        reverse("secretariat:participant-edit", args=["XEU"]), edit_data(union, kind="state")
    )

    assert response.status_code == 400
    assert "Only a participant linked to a country can be a state" in page(response)
    assert "is violated" not in page(response)  # no technical message
    union.refresh_from_db()
    assert union.kind == "regional_organisation"


def test_regional_organisation_member_countries_are_edited_and_audited(
    secretariat_client,
) -> None:
    union = ParticipantFactory(country=None, code="XEU", iso2="XU", kind="regional_organisation")
    first, second = CountryFactory(name="Firstland"), CountryFactory(name="Secondland")
    union.member_countries.set([first])
    url = reverse("secretariat:participant-edit", args=["XEU"])
    assert 'name="member_countries"' in page(secretariat_client.get(url))

    response = secretariat_client.post(
        url, edit_data(union, member_countries=[first.pk, second.pk])
    )

    assert response.status_code == 302
    assert set(union.member_countries.all()) == {first, second}
    entry = AuditEntry.objects.get(action="update", object_id=str(union.pk))
    assert entry.changes["member_countries"] == ["Firstland", "Firstland; Secondland"]


def test_a_state_has_no_member_countries_to_edit(secretariat_client, participant) -> None:
    response = secretariat_client.get(reverse("secretariat:participant-edit", args=["XQU"]))

    assert 'name="member_countries"' not in page(response)


# --- Status events ---------------------------------------------------------------------------


def test_secretariat_records_a_status_event_and_it_is_audited(
    secretariat_client, participant, secretariat_user
) -> None:
    response = secretariat_client.post(
        reverse("secretariat:status-event-create", args=["XQU"]),
        {"date": "2021-02-03", "event": "suspended", "decision": "AP 2021/1", "note": ""},
    )

    assert response.status_code == 302
    event = participant.status_events.get(event="suspended")
    assert event.date == dt.date(2021, 2, 3)
    entry = AuditEntry.objects.get(action="create", object_id=str(event.pk))
    assert entry.actor == secretariat_user
    assert entry.content_type.model == "statusevent"


def test_secretariat_corrects_a_status_event_and_the_correction_is_audited(
    secretariat_client, participant
) -> None:
    event = StatusEventFactory(participant=participant, date=dt.date(2010, 6, 1))

    response = secretariat_client.post(
        reverse("secretariat:status-event-edit", args=["XQU", event.pk]),
        {"date": "2010-06-15", "event": "suspended", "date_approximate": "on"},
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.date == dt.date(2010, 6, 15) and event.date_approximate
    entry = AuditEntry.objects.get(action="update", object_id=str(event.pk))
    assert entry.changes["date"] == ["2010-06-01", "2010-06-15"]


def test_the_same_event_twice_on_one_day_is_refused_with_a_message(
    secretariat_client, participant
) -> None:
    StatusEventFactory(participant=participant, date=dt.date(2010, 6, 1), event="suspended")

    response = secretariat_client.post(
        reverse("secretariat:status-event-create", args=["XQU"]),
        {"date": "2010-06-01", "event": "suspended"},
    )

    assert response.status_code == 400
    assert "already exists" in page(response)
    assert participant.status_events.filter(event="suspended").count() == 1


def test_invalid_status_event_shows_the_errors_and_saves_nothing(
    secretariat_client, participant
) -> None:
    response = secretariat_client.post(
        reverse("secretariat:status-event-create", args=["XQU"]),
        {"date": "1999-01-01", "event": "promoted"},
    )

    assert response.status_code == 400
    assert "The Kimberley Process started in 2003." in page(response)
    assert "Select a valid choice." in page(response)
    assert participant.status_events.count() == 1  # the admission only


def test_deleting_a_status_event_asks_for_a_reason(secretariat_client, participant) -> None:
    event = StatusEventFactory(participant=participant)
    url = reverse("secretariat:status-event-delete", args=["XQU", event.pk])

    response = secretariat_client.post(url, {"reason": "   "})

    assert response.status_code == 400
    assert "This field is required." in page(response)
    assert StatusEvent.objects.filter(pk=event.pk).exists()


def test_deleting_a_status_event_keeps_the_reason_in_the_audit_trail(
    secretariat_client, participant, secretariat_user
) -> None:
    event = StatusEventFactory(participant=participant)

    response = secretariat_client.post(
        reverse("secretariat:status-event-delete", args=["XQU", event.pk]),
        {"reason": "Duplicate of the plenary decision"},
    )

    assert response.status_code == 302
    assert not StatusEvent.objects.filter(pk=event.pk).exists()
    entry = AuditEntry.objects.get(action="delete", object_id=str(event.pk))
    assert entry.reason == "Duplicate of the plenary decision"
    assert entry.actor == secretariat_user


def test_status_event_of_another_participant_is_404(secretariat_client, participant) -> None:
    other = StatusEventFactory()

    for name in ["status-event-edit", "status-event-delete"]:
        response = secretariat_client.get(reverse(f"secretariat:{name}", args=["XQU", other.pk]))
        assert response.status_code == 404
        assert f"has no status event number {other.pk}" in page(response)


# --- Authorities and contacts ----------------------------------------------------------------


def test_secretariat_adds_and_edits_an_authority_and_both_are_audited(
    secretariat_client, participant
) -> None:
    created = secretariat_client.post(
        reverse("secretariat:authority-create", args=["XQU"]),
        {"name": "Quux Diamond Office", "handles_exports": "on", "website": "kp.example.org"},
    )
    authority = Authority.objects.get(participant=participant)
    edited = secretariat_client.post(
        reverse("secretariat:authority-edit", args=["XQU", authority.pk]),
        {"name": "Quux Diamond Office", "handles_exports": "on", "handles_statistics": "on"},
    )

    assert created.status_code == edited.status_code == 302
    authority.refresh_from_db()
    assert authority.handles_statistics
    actions = AuditEntry.objects.filter(object_id=str(authority.pk)).values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["create", "update"]


def test_an_authority_needs_at_least_one_function(secretariat_client, participant) -> None:
    response = secretariat_client.post(
        reverse("secretariat:authority-create", args=["XQU"]), {"name": "Idle Office"}
    )

    assert response.status_code == 400
    assert "Tick at least one function" in page(response)
    assert "is violated" not in page(response)  # no technical message
    assert not Authority.objects.exists()


def test_a_second_authority_with_the_same_name_is_refused(secretariat_client, participant):
    AuthorityFactory(participant=participant, name="Quux Diamond Office")

    response = secretariat_client.post(
        reverse("secretariat:authority-create", args=["XQU"]),
        {"name": "Quux Diamond Office", "handles_imports": "on"},
    )

    assert response.status_code == 400
    assert "already exists" in page(response)
    assert participant.authorities.count() == 1


def test_secretariat_adds_edits_and_deletes_a_contact_with_an_audit_entry_each(
    secretariat_client, participant, secretariat_user
) -> None:
    authority = AuthorityFactory(participant=participant)
    base = ["XQU", authority.pk]
    secretariat_client.post(
        reverse("secretariat:contact-create", args=base),
        {"name": "Ada Q", "email": "ada@example.org"},
    )
    contact = AuthorityContact.objects.get(authority=authority)
    secretariat_client.post(
        reverse("secretariat:contact-edit", args=[*base, contact.pk]),
        {"name": "Ada Q", "email": "ada@example.org", "phone": "+1 555 0100"},
    )
    contact.refresh_from_db()
    assert contact.phone == "+1 555 0100"

    response = secretariat_client.post(
        reverse("secretariat:contact-delete", args=[*base, contact.pk])
    )

    assert response.status_code == 302
    assert not AuthorityContact.objects.filter(pk=contact.pk).exists()
    entries = AuditEntry.objects.filter(
        object_id=str(contact.pk), content_type__model="authoritycontact"
    )
    assert sorted(entries.values_list("action", flat=True)) == ["create", "delete", "update"]
    assert {entry.actor for entry in entries} == {secretariat_user}


def test_a_contact_needs_an_email_or_a_telephone(secretariat_client, participant) -> None:
    authority = AuthorityFactory(participant=participant)

    response = secretariat_client.post(
        reverse("secretariat:contact-create", args=["XQU", authority.pk]), {"name": "Unreachable"}
    )

    assert response.status_code == 400
    assert "Give an email address or a telephone number." in page(response)
    assert "is violated" not in page(response)  # no technical message
    assert not authority.contacts.exists()


def test_contact_of_another_authority_is_404(secretariat_client, participant) -> None:
    authority = AuthorityFactory(participant=participant)
    stranger = AuthorityContactFactory()

    response = secretariat_client.get(
        reverse("secretariat:contact-edit", args=["XQU", authority.pk, stranger.pk])
    )

    assert response.status_code == 404
    assert f"has no contact number {stranger.pk}" in page(response)


def test_authority_of_another_participant_is_404(secretariat_client, participant) -> None:
    # Named explicitly: the factory's own codes cycle and could land on XQU itself.
    other = ParticipantFactory(country=CountryFactory(alpha3="XQV", alpha2="XV"))
    stranger = AuthorityFactory(participant=other)

    response = secretariat_client.get(
        reverse("secretariat:authority-edit", args=["XQU", stranger.pk])
    )

    assert response.status_code == 404
    assert f"has no authority number {stranger.pk}" in page(response)
