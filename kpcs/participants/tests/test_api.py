"""The public read API for reference data, against the real KP reference data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kpcs.accounts.tests.factories import UserFactory, machine_api_client
from kpcs.participants.models import Participant, WorkingBody
from kpcs.participants.tests.factories import (
    AuthorityContactFactory,
    AuthorityFactory,
    WorkingBodyMembershipFactory,
)

LIST = "/api/v1/participants/"


def detail(code: str) -> str:
    return f"/api/v1/participants/{code}/"


def standing(code: str) -> str:
    return f"/api/v1/participants/{code}/standing/"


def by_code(results: list[dict]) -> dict[str, dict]:
    return {item["code"]: item for item in results}


def assert_error(response, status: int, code: str) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.fixture
def botswana_authority(reference_data):
    authority = AuthorityFactory(
        participant=Participant.objects.get(code="BWA"),
        name="Government Diamond Valuator",
        handles_imports=False,
        handles_statistics=True,
    )
    AuthorityContactFactory(
        authority=authority, name="Neo Molefe", email="neo@example.bw", phone="+267 000 0000"
    )
    return authority


# The participant list ---------------------------------------------------------------------------


def test_participant_list_is_public_and_paginated(reference_data, api_client):
    response = api_client.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Participant.objects.count() > 50
    assert len(body["results"]) == 50
    assert body["next"].endswith("/api/v1/participants/?page=2")
    assert body["previous"] is None


def test_participant_list_item_carries_codes_names_in_every_language_and_its_address(
    reference_data, api_client
):
    botswana = by_code(api_client.get(LIST, {"search": "BWA"}).json()["results"])["BWA"]

    assert botswana["iso2"] == "BW"
    assert botswana["name"] == "Botswana"
    assert botswana["names"] == {
        "en": "Botswana",
        "fr": "Botswana",
        "es": "Botsuana",
        "ru": "Ботсвана",
        "zh-hans": "博茨瓦纳",
        "ar": "بوتسوانا",
    }
    assert botswana["kind"] == "state"
    assert botswana["admitted_on"] == "2003-01-01"
    assert botswana["admission_date_known"] is True
    assert botswana["url"] == "http://testserver/api/v1/participants/BWA/"


def test_participant_list_shows_standing_on_the_requested_date(reference_data, api_client):
    before = by_code(
        api_client.get(LIST, {"date": "2005-06-01", "page_size": 500}).json()["results"]
    )
    after = by_code(
        api_client.get(LIST, {"date": "2008-01-01", "page_size": 500}).json()["results"]
    )

    assert before["COG"]["standing"] == {
        "event": "removed",
        "since": "2004-07-09",
        "in_good_standing": False,
        "label": "removed",
    }
    assert after["COG"]["standing"]["event"] == "readmitted"
    assert after["COG"]["standing"]["in_good_standing"] is True


def test_participant_list_standing_defaults_to_today(reference_data, api_client):
    results = by_code(api_client.get(LIST, {"page_size": 500}).json()["results"])
    explicit = by_code(
        api_client.get(LIST, {"page_size": 500, "date": timezone.localdate().isoformat()}).json()[
            "results"
        ]
    )

    assert {code: item["standing"] for code, item in results.items()} == {
        code: item["standing"] for code, item in explicit.items()
    }


def test_participant_list_filters_by_kind(reference_data, api_client):
    results = api_client.get(LIST, {"kind": "regional_organisation"}).json()["results"]

    assert [item["code"] for item in results] == ["EUR"]


def test_participant_list_filters_by_standing_on_a_date(reference_data, api_client):
    not_good = by_code(
        api_client.get(LIST, {"standing": "not_good", "date": "2005-06-01"}).json()["results"]
    )
    good = by_code(
        api_client.get(LIST, {"standing": "good", "date": "2005-06-01", "page_size": 500}).json()[
            "results"
        ]
    )

    assert "COG" in not_good and "BWA" not in not_good
    assert "BWA" in good and "COG" not in good
    assert all(not item["standing"]["in_good_standing"] for item in not_good.values())


@pytest.mark.parametrize(("search", "code"), [("bwa", "BWA"), ("cg", "COG"), ("russian", "RUS")])
def test_participant_list_searches_codes_and_names(reference_data, api_client, search, code):
    results = api_client.get(LIST, {"search": search}).json()["results"]

    assert [item["code"] for item in results] == [code]


def test_participant_list_pages_follow_page_and_page_size(reference_data, api_client):
    first = api_client.get(LIST, {"page_size": 10}).json()
    second = api_client.get(LIST, {"page_size": 10, "page": 2}).json()

    assert len(first["results"]) == len(second["results"]) == 10
    assert not {i["code"] for i in first["results"]} & {i["code"] for i in second["results"]}
    assert second["previous"].endswith("page_size=10")


def test_participant_list_caps_page_size(reference_data, api_client):
    body = api_client.get(LIST, {"page_size": 100000}).json()

    assert len(body["results"]) == body["count"]  # fewer than the 500 cap


def test_participant_list_answers_in_the_language_of_the_request(reference_data, api_client):
    response = api_client.get(LIST, {"page_size": 500}, HTTP_ACCEPT_LANGUAGE="fr")
    results = by_code(response.json()["results"])

    assert response["Content-Language"] == "fr"
    assert results["BWA"]["name"] == "Botswana"
    assert results["RUS"]["name"] == "Fédération de Russie"
    assert results["RUS"]["names"]["en"] == "Russian Federation"


def test_participant_list_searches_names_in_the_language_of_the_request(reference_data, api_client):
    response = api_client.get(LIST, {"search": "Fédération"}, HTTP_ACCEPT_LANGUAGE="fr")

    assert [item["code"] for item in response.json()["results"]] == ["RUS"]


def test_participant_list_query_count_does_not_grow_with_page_size(
    reference_data, api_client, django_assert_max_num_queries
):
    counts = []
    for page_size in (5, 60):
        with CaptureQueriesContext(connection) as queries:
            response = api_client.get(LIST, {"page_size": page_size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(page_size, Participant.objects.count())
        counts.append(len(queries))

    assert counts[0] == counts[1]
    with django_assert_max_num_queries(2):  # the count, then the page
        api_client.get(LIST, {"page_size": 500})


# One participant -------------------------------------------------------------------------------


def test_participant_detail_lists_the_eu_member_countries(reference_data, api_client):
    body = api_client.get(detail("EUR")).json()

    assert body["kind"] == "regional_organisation"
    assert len(body["member_countries"]) == 27
    assert {"alpha3": "AUT", "alpha2": "AT", "name": "Austria"} in body["member_countries"]


def test_participant_detail_has_the_list_fields(reference_data, api_client):
    listed = by_code(api_client.get(LIST, {"search": "BWA"}).json()["results"])["BWA"]
    body = api_client.get(detail("BWA")).json()

    assert {key: body[key] for key in listed} == listed
    assert body["member_countries"] == []


def test_participant_code_is_case_insensitive(reference_data, api_client):
    response = api_client.get(detail("bwa"))

    assert response.status_code == 200
    assert response.json()["code"] == "BWA"


def test_participant_detail_shows_status_history_newest_first(reference_data, api_client):
    history = api_client.get(detail("COG")).json()["status_history"]

    assert [(e["date"], e["event"]) for e in history][:2] == [
        ("2007-11-08", "readmitted"),
        ("2004-07-09", "removed"),
    ]
    assert set(history[0]) == {"date", "event", "date_approximate", "decision", "note"}


def test_participant_detail_shows_standing_on_the_requested_date(reference_data, api_client):
    body = api_client.get(detail("COG"), {"date": "2005-06-01"}).json()

    assert body["standing"]["event"] == "removed"
    assert body["standing"]["in_good_standing"] is False


def test_participant_detail_lists_years_as_kp_chair(reference_data, api_client):
    body = api_client.get(detail("BWA")).json()

    assert 2006 in body["chair_years"]
    assert body["chair_years"] == sorted(body["chair_years"], reverse=True)


def test_participant_detail_lists_authorities_with_their_functions(botswana_authority, api_client):
    authorities = api_client.get(detail("BWA")).json()["authorities"]

    assert {"name": "Government Diamond Valuator", "functions": ["exports", "statistics"]} in [
        {k: a[k] for k in ("name", "functions")} for a in authorities
    ]


def test_anonymous_visitor_does_not_see_authority_contacts(botswana_authority, api_client):
    response = api_client.get(detail("BWA"))

    assert response.status_code == 200
    assert all("contacts" not in authority for authority in response.json()["authorities"])
    assert b"neo@example.bw" not in response.content
    assert b"Neo Molefe" not in response.content


def test_signed_in_user_sees_authority_contacts(botswana_authority, api_client):
    # Any role will do; a reviewer acts for no participant of its own.
    api_client.force_login(UserFactory(role="reviewer"))

    authorities = api_client.get(detail("BWA")).json()["authorities"]

    valuator = next(a for a in authorities if a["name"] == "Government Diamond Valuator")
    assert valuator["contacts"] == [
        {"name": "Neo Molefe", "position": "", "email": "neo@example.bw", "phone": "+267 000 0000"}
    ]


def test_token_client_is_recognised_and_sees_contacts(botswana_authority):
    api_client = machine_api_client(botswana_authority.participant)

    authorities = api_client.get(detail("BWA")).json()["authorities"]

    assert any(a.get("contacts") for a in authorities)


def test_unknown_token_is_refused_even_on_public_endpoints(reference_data, api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    body = assert_error(api_client.get(detail("BWA")), 401, "authentication_failed")

    assert b"neo@example.bw" not in str(body).encode()


def test_participant_detail_query_count_does_not_grow_with_authorities(
    botswana_authority, api_client, secretariat_user, django_assert_max_num_queries
):
    botswana = Participant.objects.get(code="BWA")
    for _n in range(5):
        AuthorityContactFactory(authority=AuthorityFactory(participant=botswana))
    api_client.force_login(secretariat_user)

    # participant + member countries, standing, history, chair years, authorities + contacts,
    # and the session's user
    with django_assert_max_num_queries(9):
        response = api_client.get(detail("BWA"))

    assert sum(len(a["contacts"]) for a in response.json()["authorities"]) == 6


# Standing on a date -----------------------------------------------------------------------------


def test_participant_removed_in_2004_was_not_in_good_standing_in_2005(reference_data, api_client):
    body = api_client.get(standing("COG"), {"date": "2005-06-01"}).json()

    assert body == {
        "participant": "COG",
        "date": "2005-06-01",
        "event": "removed",
        "since": "2004-07-09",
        "is_participant": False,
        "in_good_standing": False,
        "restricted_to_compliant_zones": False,
        "label": "removed",
    }


def test_readmitted_participant_is_back_in_good_standing(reference_data, api_client):
    body = api_client.get(standing("cog"), {"date": "2008-01-01"}).json()

    assert body["participant"] == "COG"
    assert body["event"] == "readmitted"
    assert body["is_participant"] is True
    assert body["in_good_standing"] is True


def test_partially_resumed_participant_is_restricted_to_compliant_zones(reference_data, api_client):
    body = api_client.get(standing("CAF"), {"date": "2016-01-01"}).json()

    assert body["event"] == "partially_resumed"
    assert body["in_good_standing"] is True
    assert body["restricted_to_compliant_zones"] is True


def test_self_suspended_participant_is_still_a_participant_but_not_in_good_standing(
    reference_data, api_client
):
    body = api_client.get(standing("VEN"), {"date": "2010-01-01"}).json()

    assert body["event"] == "self_suspended"
    assert body["is_participant"] is True
    assert body["in_good_standing"] is False


def test_standing_before_admission_is_not_yet_admitted(reference_data, api_client):
    body = api_client.get(standing("BWA"), {"date": "2002-12-31"}).json()

    assert body["event"] is None
    assert body["since"] is None
    assert body["is_participant"] is False
    assert body["label"] == "not yet admitted"


def test_standing_defaults_to_today(reference_data, api_client):
    body = api_client.get(standing("BWA")).json()

    assert body["date"] == timezone.localdate().isoformat()


# Observers, working bodies, chairmanships -------------------------------------------------------


def test_observer_list_is_public_with_names_in_every_language(reference_data, api_client):
    response = api_client.get("/api/v1/observers/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 200
    wdc = by_code(response.json())["WDC"]
    assert wdc["name"] == "Conseil mondial du diamant"
    assert wdc["names"]["en"] == "World Diamond Council"
    assert wdc["kind"] == "industry"
    assert wdc["since"] == "2003-01-01"


def test_working_body_list_shows_memberships(reference_data, api_client):
    wgm = WorkingBody.objects.get(code="WGM")
    WorkingBodyMembershipFactory(
        working_body=wgm,
        participant=Participant.objects.get(code="BWA"),
        role="chair",
        year_from=2024,
        year_to=2025,
    )

    response = api_client.get("/api/v1/working-bodies/")

    assert response.status_code == 200
    body = by_code(response.json())
    assert body["WGM"]["name"] == "Working Group on Monitoring"
    assert body["WGM"]["memberships"] == [
        {
            "participant": {"code": "BWA", "name": "Botswana"},
            "observer": None,
            "role": "chair",
            "year_from": 2024,
            "year_to": 2025,
        }
    ]


def test_working_body_list_query_count_does_not_grow_with_memberships(
    reference_data, api_client, django_assert_max_num_queries
):
    for year in range(2010, 2020):
        WorkingBodyMembershipFactory(
            working_body=WorkingBody.objects.get(code="WGS"),
            participant=Participant.objects.get(code="BWA"),
            year_from=year,
        )

    with django_assert_max_num_queries(4):
        api_client.get("/api/v1/working-bodies/")


def test_chairmanship_list_is_newest_first_with_chair_and_vice_chair(reference_data, api_client):
    response = api_client.get("/api/v1/chairmanships/")

    assert response.status_code == 200
    years = {item["year"]: item for item in response.json()}
    assert years[2005]["chair"] == {"code": "RUS", "name": "Russian Federation"}
    assert years[2005]["vice_chair"] == {"code": "BWA", "name": "Botswana"}
    assert list(years) == sorted(years, reverse=True)


# Bad requests: 400 or 404 in the common error shape, never a 500 ---------------------------------


@pytest.mark.parametrize("url", [detail("XYZ"), standing("XYZ"), detail("xyz")])
def test_unknown_participant_code_is_not_found(reference_data, api_client, url):
    body = assert_error(api_client.get(url), 404, "not_found")

    assert body["detail"] == "No participant has the code “XYZ”."


@pytest.mark.parametrize("page", ["999", "abc", "0", "-1"])
def test_page_that_does_not_exist_is_not_found(reference_data, api_client, page):
    body = assert_error(api_client.get(LIST, {"page": page}), 404, "not_found")

    assert f"“{page}”" in body["detail"]


@pytest.mark.parametrize(
    ("url", "params", "parameter", "message"),
    [
        (LIST, {"kind": "foo"}, "kind", "“foo” is not a kind of participant"),
        (LIST, {"standing": "bar"}, "standing", "“bar” is not a standing"),
        (LIST, {"date": "2023-02-30"}, "date", "YYYY-MM-DD"),
        (LIST, {"date": "yesterday"}, "date", "YYYY-MM-DD"),
        (LIST, {"page_size": "abc"}, "page_size", "“abc” is not a valid page size"),
        (LIST, {"page_size": "0"}, "page_size", "“0” is not a valid page size"),
        (LIST, {"search": "x" * 101}, "search", "100"),
        (detail("BWA"), {"date": "2023-02-30"}, "date", "YYYY-MM-DD"),
        (standing("BWA"), {"date": "yesterday"}, "date", "YYYY-MM-DD"),
        (standing("BWA"), {"date": "2024-13-01"}, "date", "YYYY-MM-DD"),
    ],
)
def test_bad_query_parameter_is_a_400_naming_the_parameter(
    reference_data, api_client, url, params, parameter, message
):
    body = assert_error(api_client.get(url, params), 400, "invalid")

    assert body["detail"] == f"The request has invalid fields: {parameter}."
    assert list(body["errors"]) == [parameter]
    assert message in body["errors"][parameter][0]


def test_unknown_query_parameters_are_ignored(reference_data, api_client):
    assert api_client.get(LIST, {"colour": "blue"}).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_reference_data_api_is_read_only(reference_data, api_client, method):
    assert_error(getattr(api_client, method)(LIST), 405, "method_not_allowed")


# Documentation ----------------------------------------------------------------------------------


def test_openapi_schema_documents_every_reference_data_endpoint(db, api_client):
    response = api_client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in [
        "/api/v1/participants/",
        "/api/v1/participants/{code}/",
        "/api/v1/participants/{code}/standing/",
        "/api/v1/observers/",
        "/api/v1/working-bodies/",
        "/api/v1/chairmanships/",
    ]:
        assert "get" in paths[path], path
    operation_ids = {op["operationId"] for item in paths.values() for op in item.values()}
    assert {
        "participant_list",
        "participant_retrieve",
        "participant_standing_retrieve",
        "observer_list",
        "working_body_list",
        "chairmanship_list",
    } <= operation_ids
    list_parameters = {p["name"] for p in paths["/api/v1/participants/"]["get"]["parameters"]}
    assert {"kind", "standing", "date", "search", "page", "page_size"} <= list_parameters
    assert "contacts" not in schema["components"]["schemas"]["Authority"]["required"]


def test_dates_in_responses_are_iso_dates(reference_data, api_client):
    body = api_client.get(standing("BWA"), {"date": "2020-02-29"}).json()

    assert dt.date.fromisoformat(body["date"]) == dt.date(2020, 2, 29)
