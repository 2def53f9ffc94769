"""The secretariat keeps observers, working bodies and chairmanships, reloads the reference
files in the background, and reads the audit log."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from kpcs.accounts.tests.factories import UserFactory
from kpcs.common.models import AuditEntry, BackgroundJob
from kpcs.participants.models import Chairmanship, Observer, Participant, WorkingBodyMembership
from kpcs.participants.tests.factories import (
    ChairmanshipFactory,
    CountryFactory,
    ObserverFactory,
    ParticipantFactory,
    WorkingBodyFactory,
    WorkingBodyMembershipFactory,
)

pytestmark = pytest.mark.django_db

OBSERVER_NAMES = {
    "name_en": "Diamond Miners' Forum",
    "name_fr": "Forum des mineurs de diamants",
    "name_es": "Foro de Mineros de Diamantes",
    "name_ru": "Форум добытчиков алмазов",
    "name_zh_hans": "钻石矿工论坛",
    "name_ar": "منتدى عمال مناجم الماس",
}


@pytest.fixture(autouse=True)
def english_after_each_test():
    yield
    translation.activate("en")


@pytest.fixture
def secretariat_client(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


def page(response) -> str:
    return response.content.decode()


def names(**overrides: str) -> dict[str, str]:
    return {**dict.fromkeys(OBSERVER_NAMES, ""), **overrides}


# --- Observers -------------------------------------------------------------------------------


def test_observer_list_shows_each_observer_with_an_edit_link(secretariat_client) -> None:
    observer = ObserverFactory(code="DMF", name="Diamond Miners' Forum")

    response = secretariat_client.get(reverse("secretariat:observers"))

    assert response.status_code == 200
    assert "Diamond Miners&#x27; Forum" in page(response)
    assert reverse("secretariat:observer-edit", args=[observer.code]) in page(response)


def test_observer_list_says_when_there_are_none(secretariat_client) -> None:
    assert "No observers recorded yet." in page(
        secretariat_client.get(reverse("secretariat:observers"))
    )


def test_secretariat_adds_an_observer_with_its_six_names_and_it_is_audited(
    secretariat_client, secretariat_user
) -> None:
    response = secretariat_client.post(
        reverse("secretariat:observer-create"),
        {"code": "dmf", "kind": "industry", "since": "2019-11-01", **OBSERVER_NAMES},
    )

    assert response.status_code == 302
    observer = Observer.objects.get(code="DMF")
    assert observer.name_ar == OBSERVER_NAMES["name_ar"]
    entry = AuditEntry.objects.get(action="create", object_id=str(observer.pk))
    assert entry.actor == secretariat_user


def test_secretariat_edits_an_observer_but_not_its_code(secretariat_client) -> None:
    observer = ObserverFactory(code="DMF")

    response = secretariat_client.post(
        reverse("secretariat:observer-edit", args=["dmf"]),
        {"code": "NEW", "kind": "civil_society", **names(name_en="Renamed Forum")},
    )

    assert response.status_code == 302
    observer.refresh_from_db()
    assert (observer.code, observer.name_en) == ("DMF", "Renamed Forum")
    entry = AuditEntry.objects.get(action="update", object_id=str(observer.pk))
    assert entry.changes["name_en"][1] == "Renamed Forum"


def test_invalid_observer_shows_the_errors_and_saves_nothing(secretariat_client) -> None:
    ObserverFactory(code="DMF")

    taken = secretariat_client.post(
        reverse("secretariat:observer-create"),
        {"code": "DMF", "kind": "industry", **names(name_en="X")},
    )
    malformed = secretariat_client.post(
        reverse("secretariat:observer-create"), {"code": "d-m", "kind": "", **names()}
    )

    assert taken.status_code == malformed.status_code == 400
    assert "Observer with this Code already exists." in page(taken)
    assert "Use 2 to 10 capital letters or digits." in page(malformed)
    assert "This field is required." in page(malformed)
    assert Observer.objects.count() == 1


def test_unknown_observer_code_is_404(secretariat_client) -> None:
    response = secretariat_client.get(reverse("secretariat:observer-edit", args=["NOPE"]))

    assert response.status_code == 404
    assert "No observer has the code “NOPE”." in page(response)


# --- Working bodies --------------------------------------------------------------------------


def test_working_body_list_shows_each_body_and_its_seat_count(secretariat_client) -> None:
    seat = WorkingBodyMembershipFactory(working_body=WorkingBodyFactory(code="WGQ"))

    response = secretariat_client.get(reverse("secretariat:working-bodies"))

    assert seat.working_body.name in page(response)
    assert reverse("secretariat:working-body-edit", args=["WGQ"]) in page(response)


def test_working_body_list_query_count_does_not_grow_with_bodies_and_seats(
    secretariat_client, django_assert_max_num_queries
) -> None:
    for n in range(5):
        body = WorkingBodyFactory(code=f"WQ{n}")
        WorkingBodyMembershipFactory(working_body=body)
        WorkingBodyMembershipFactory(
            working_body=body, participant=None, observer=ObserverFactory()
        )

    with django_assert_max_num_queries(10):
        secretariat_client.get(reverse("secretariat:working-bodies"))


def test_secretariat_renames_a_working_body_and_closes_it_to_observers(secretariat_client):
    body = WorkingBodyFactory(code="WGQ", open_to_observers=True)

    response = secretariat_client.post(
        reverse("secretariat:working-body-edit", args=["WGQ"]),
        names(name_en="Working Group on Quality", name_fr="Groupe de travail sur la qualité"),
    )

    assert response.status_code == 302
    body.refresh_from_db()
    assert body.name_fr == "Groupe de travail sur la qualité"
    assert body.open_to_observers is False
    entry = AuditEntry.objects.get(action="update", object_id=str(body.pk))
    assert entry.changes["open_to_observers"] == ["True", "False"]


def test_secretariat_gives_a_participant_a_seat_and_removes_it_with_audit_entries(
    secretariat_client,
) -> None:
    body = WorkingBodyFactory(code="WGQ")
    participant = ParticipantFactory()

    added = secretariat_client.post(
        reverse("secretariat:membership-create", args=["WGQ"]),
        {"participant": participant.pk, "role": "chair", "year_from": 2024},
    )
    seat = WorkingBodyMembership.objects.get(working_body=body)
    removed = secretariat_client.post(
        reverse("secretariat:membership-delete", args=["WGQ", seat.pk])
    )

    assert added.status_code == removed.status_code == 302
    assert not WorkingBodyMembership.objects.exists()
    actions = AuditEntry.objects.filter(
        content_type__model="workingbodymembership", object_id=str(seat.pk)
    ).values_list("action", flat=True)
    assert sorted(actions) == ["create", "delete"]


def test_secretariat_gives_an_observer_a_seat_in_an_open_body(secretariat_client) -> None:
    WorkingBodyFactory(code="WGQ", open_to_observers=True)
    observer = ObserverFactory()

    response = secretariat_client.post(
        reverse("secretariat:membership-create", args=["WGQ"]),
        {"observer": observer.pk, "role": "member", "year_from": 2024, "year_to": 2026},
    )

    assert response.status_code == 302
    assert WorkingBodyMembership.objects.get().observer == observer


@pytest.mark.parametrize("both", [True, False], ids=["both", "neither"])
def test_a_seat_goes_to_a_participant_or_an_observer_not_both_or_neither(
    secretariat_client, both
) -> None:
    WorkingBodyFactory(code="WGQ")
    data = {"role": "member", "year_from": 2024}
    if both:
        data |= {"participant": ParticipantFactory().pk, "observer": ObserverFactory().pk}

    response = secretariat_client.post(reverse("secretariat:membership-create", args=["WGQ"]), data)

    assert response.status_code == 400
    assert "Choose either a participant or an observer." in page(response)
    assert "is violated" not in page(response)  # no technical message
    assert not WorkingBodyMembership.objects.exists()


def test_an_observer_cannot_sit_in_a_body_closed_to_observers(secretariat_client) -> None:
    WorkingBodyFactory(code="WGQ", open_to_observers=False)

    response = secretariat_client.post(
        reverse("secretariat:membership-create", args=["WGQ"]),
        {"observer": ObserverFactory().pk, "role": "member", "year_from": 2024},
    )

    assert response.status_code == 400
    assert "This working body is not open to observers." in page(response)
    assert not WorkingBodyMembership.objects.exists()


def test_a_second_seat_from_the_same_year_is_refused(secretariat_client) -> None:
    seat = WorkingBodyMembershipFactory(working_body=WorkingBodyFactory(code="WGQ"), year_from=2024)

    response = secretariat_client.post(
        reverse("secretariat:membership-create", args=["WGQ"]),
        {"participant": seat.participant.pk, "role": "chair", "year_from": 2024},
    )

    assert response.status_code == 400
    assert "already has a seat in this body from that year" in page(response)
    assert WorkingBodyMembership.objects.count() == 1


def test_seat_years_must_be_plausible_and_in_order(secretariat_client) -> None:
    WorkingBodyFactory(code="WGQ")

    response = secretariat_client.post(
        reverse("secretariat:membership-create", args=["WGQ"]),
        {
            "participant": ParticipantFactory().pk,
            "role": "member",
            "year_from": 2024,
            "year_to": 2020,
        },
    )
    too_early = secretariat_client.post(
        reverse("secretariat:membership-create", args=["WGQ"]),
        {"participant": ParticipantFactory().pk, "role": "member", "year_from": 1990},
    )

    assert response.status_code == too_early.status_code == 400
    assert "The last year cannot come before the first." in page(response)
    assert "is violated" not in page(response)  # no technical message
    assert "greater than or equal to 2000" in page(too_early)
    assert not WorkingBodyMembership.objects.exists()


def test_unknown_working_body_or_seat_is_404(secretariat_client) -> None:
    WorkingBodyFactory(code="WGQ")
    other_seat = WorkingBodyMembershipFactory()

    body = secretariat_client.get(reverse("secretariat:working-body-edit", args=["NOPE"]))
    seat = secretariat_client.get(
        reverse("secretariat:membership-delete", args=["WGQ", other_seat.pk])
    )

    assert body.status_code == seat.status_code == 404
    assert "No working body has the acronym “NOPE”." in page(body)
    assert f"WGQ has no seat number {other_seat.pk}." in page(seat)


# --- Chairmanships ---------------------------------------------------------------------------


def test_chairmanship_list_shows_chair_and_vice_chair(secretariat_client) -> None:
    chair, vice = ParticipantFactory(name="Chairland"), ParticipantFactory(name="Viceland")
    ChairmanshipFactory(year=2031, chair=chair, vice_chair=vice)

    response = secretariat_client.get(reverse("secretariat:chairmanships"))

    assert "Chairland" in page(response) and "Viceland" in page(response)
    assert reverse("secretariat:chairmanship-edit", args=[2031]) in page(response)


def test_chairmanship_list_says_when_there_are_none(secretariat_client) -> None:
    response = secretariat_client.get(reverse("secretariat:chairmanships"))

    assert "No chairmanships recorded yet." in page(response)


def test_secretariat_adds_and_edits_a_chairmanship_with_audit_entries(secretariat_client) -> None:
    chair, vice = ParticipantFactory(), ParticipantFactory()

    added = secretariat_client.post(
        reverse("secretariat:chairmanship-create"), {"year": 2031, "chair": chair.pk}
    )
    edited = secretariat_client.post(
        reverse("secretariat:chairmanship-edit", args=[2031]),
        {"year": 1999, "chair": chair.pk, "vice_chair": vice.pk, "note": "Elected at plenary"},
    )

    assert added.status_code == edited.status_code == 302
    chairmanship = Chairmanship.objects.get()
    assert (chairmanship.year, chairmanship.vice_chair) == (2031, vice)  # the year stays
    actions = AuditEntry.objects.filter(
        content_type__model="chairmanship", object_id=str(chairmanship.pk)
    ).values_list("action", flat=True)
    assert sorted(actions) == ["create", "update"]


def test_invalid_chairmanship_shows_the_errors_and_saves_nothing(secretariat_client) -> None:
    chair = ParticipantFactory()
    ChairmanshipFactory(year=2031)

    same_person = secretariat_client.post(
        reverse("secretariat:chairmanship-create"),
        {"year": 2032, "chair": chair.pk, "vice_chair": chair.pk},
    )
    taken_year = secretariat_client.post(
        reverse("secretariat:chairmanship-create"), {"year": 2031, "chair": chair.pk}
    )

    assert same_person.status_code == taken_year.status_code == 400
    assert "The vice-chair must be another participant." in page(same_person)
    assert "is violated" not in page(same_person)  # no technical message
    assert "Chairmanship with this Year already exists." in page(taken_year)
    assert Chairmanship.objects.count() == 1


def test_unknown_chairmanship_year_is_404(secretariat_client) -> None:
    response = secretariat_client.get(reverse("secretariat:chairmanship-edit", args=[2099]))

    assert response.status_code == 404
    assert "No chairmanship is recorded for 2099." in page(response)


# --- Reloading the reference data ------------------------------------------------------------


def test_reload_starts_a_background_job_that_loads_the_files_and_reports_a_summary(
    secretariat_client, secretariat_user, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(reverse("secretariat:reference-data-reload"))

    assert response.status_code == 302
    assert response["Location"] == reverse("secretariat:reference-data")
    job = BackgroundJob.objects.get()
    assert job.kind == "reference_data_reload"
    assert job.created_by == secretariat_user
    assert job.status == BackgroundJob.Status.SUCCEEDED
    assert "62 participants created" in job.result["summary"]
    assert job.result["created"]["participants"] == 62
    assert Participant.objects.count() == 62
    page_after = page(secretariat_client.get(response["Location"]))
    assert "The reference data is being reloaded in the background." in page_after
    assert "62 participants created" in page_after


def test_reloading_again_changes_nothing_and_says_so(
    secretariat_client, reference_data, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        secretariat_client.post(reverse("secretariat:reference-data-reload"))

    job = BackgroundJob.objects.get()
    assert job.status == BackgroundJob.Status.SUCCEEDED
    assert job.result["summary"] == "Reference data already up to date: nothing changed."


def test_reload_with_update_brings_a_corrected_row_back_to_the_files(
    secretariat_client, reference_data, django_capture_on_commit_callbacks
) -> None:
    Participant.objects.filter(code="BWA").update(source_note="corrected by hand")

    with django_capture_on_commit_callbacks(execute=True):
        secretariat_client.post(reverse("secretariat:reference-data-reload"), {"update": "on"})

    job = BackgroundJob.objects.get()
    assert job.status == BackgroundJob.Status.SUCCEEDED
    assert job.result["updated"]["participants"] == 1
    assert Participant.objects.get(code="BWA").source_note != "corrected by hand"


def test_reload_is_queued_only_when_the_request_commits(secretariat_client) -> None:
    secretariat_client.post(reverse("secretariat:reference-data-reload"))

    # Without the commit (the test transaction never commits) the task has not run.
    assert BackgroundJob.objects.get().status == BackgroundJob.Status.QUEUED
    assert not Participant.objects.exists()


def test_job_status_page_shows_the_finished_reload(
    secretariat_client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        secretariat_client.post(reverse("secretariat:reference-data-reload"))
    job = BackgroundJob.objects.get()

    full = secretariat_client.get(reverse("common:job-status", args=[job.id]))
    partial = secretariat_client.get(
        reverse("common:job-status", args=[job.id]), headers={"HX-Request": "true"}
    )

    assert full.status_code == partial.status_code == 200
    assert "62 participants created" in page(full)
    assert "<html" not in page(partial) and 'value="100"' in page(partial)
    assert "hx-trigger" not in page(partial)  # a finished job stops polling


@pytest.mark.parametrize("role", ["authority", "reviewer", "observer"])
def test_another_user_cannot_see_someone_elses_reload_job(
    client, secretariat_client, role, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        secretariat_client.post(reverse("secretariat:reference-data-reload"))
    job = BackgroundJob.objects.get()
    client.force_login(UserFactory(role=role))

    response = client.get(reverse("common:job-status", args=[job.id]))

    assert response.status_code == 404


def test_reference_data_page_says_when_no_reload_has_run(secretariat_client) -> None:
    response = secretariat_client.get(reverse("secretariat:reference-data"))

    assert "The reference data has not been reloaded from this page yet." in page(response)


# --- The audit log ---------------------------------------------------------------------------


@pytest.fixture
def trail(secretariat_client, secretariat_user) -> dict:
    """Two people's changes to two kinds of record, and a system load."""
    other = UserFactory(role="secretariat", username="second-secretary")
    secretariat_client.post(
        reverse("secretariat:observer-create"),
        {"code": "AUD", "kind": "industry", **names(name_en="Audited Observer")},
    )
    ParticipantFactory(country=CountryFactory(alpha3="XAU", alpha2="XV"))
    chair = Participant.objects.get(code="XAU")
    secretariat_client.force_login(other)
    secretariat_client.post(
        reverse("secretariat:chairmanship-create"), {"year": 2033, "chair": chair.pk}
    )
    secretariat_client.force_login(secretariat_user)
    return {"other": other}


def test_audit_log_lists_every_change_with_who_and_what(secretariat_client, trail) -> None:
    response = secretariat_client.get(reverse("secretariat:audit-log"))

    assert response.status_code == 200
    text = page(response)
    assert "Audited Observer" in text and "2033" in text
    assert "second-secretary" in text and "secretariat-user" in text


def test_audit_log_filters_by_user(secretariat_client, trail) -> None:
    response = secretariat_client.get(
        reverse("secretariat:audit-log"), {"user": str(trail["other"].pk)}
    )

    text = page(response)
    assert "2033: " in text
    assert "Audited Observer" not in text


def test_audit_log_filters_by_record_type(secretariat_client, trail) -> None:
    response = secretariat_client.get(
        reverse("secretariat:audit-log"), {"record": "participants.observer"}
    )

    text = page(response)
    assert "Audited Observer" in text
    assert "2033: " not in text


def test_audit_log_filters_the_systems_own_loads(secretariat_client, reference_data) -> None:
    response = secretariat_client.get(reverse("secretariat:audit-log"), {"user": "system"})

    assert response.status_code == 200
    assert "Page 1 of" in page(response)  # hundreds of loaded rows, 50 a page


def test_audit_log_reports_an_unknown_filter_value(secretariat_client, trail) -> None:
    response = secretariat_client.get(reverse("secretariat:audit-log"), {"user": "999999"})

    assert response.status_code == 400
    assert "Select a valid choice." in page(response)


def test_audit_log_says_when_nothing_matches(secretariat_client) -> None:
    response = secretariat_client.get(reverse("secretariat:audit-log"))

    assert "No audit entry matches these filters." in page(response)


def test_audit_log_cannot_be_changed_through_the_application(secretariat_client, trail) -> None:
    entries = list(AuditEntry.objects.values_list("pk", "changes"))

    posted = secretariat_client.post(reverse("secretariat:audit-log"), {"user": "system"})
    listing = page(secretariat_client.get(reverse("secretariat:audit-log")))

    assert posted.status_code == 405
    assert 'method="post"' not in listing.split('<main id="main">')[1]
    assert list(AuditEntry.objects.values_list("pk", "changes")) == entries


def test_audit_log_query_count_does_not_grow_with_entries(
    secretariat_client, trail, django_assert_max_num_queries
) -> None:
    for n in range(30):
        ObserverFactory(code=f"LOG{n}")
        secretariat_client.post(
            reverse("secretariat:observer-edit", args=[f"LOG{n}"]),
            {"kind": "industry", **names(name_en=f"Renamed {n}")},
        )

    with django_assert_max_num_queries(10):
        secretariat_client.get(reverse("secretariat:audit-log"))
