"""Every API error answers {"status", "code", "detail"} (+ "errors" for invalid input)."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from kpcs.common.api import StandardPagination, exception_handler
from kpcs.participants.tests.factories import ParticipantFactory


def handle(exc: Exception):
    return exception_handler(exc, {})


def test_http404_becomes_not_found_with_its_message():
    response = handle(Http404("No such thing."))

    assert response.status_code == 404
    assert response.data == {"status": 404, "code": "not_found", "detail": "No such thing."}


def test_http404_without_a_message_still_has_a_detail():
    response = handle(Http404())

    assert response.data["code"] == "not_found"
    assert response.data["detail"]


def test_django_permission_denied_becomes_403():
    response = handle(PermissionDenied("Not yours."))

    assert response.status_code == 403
    assert response.data == {"status": 403, "code": "permission_denied", "detail": "Not yours."}


def test_field_errors_name_the_fields_and_keep_their_messages():
    response = handle(exceptions.ValidationError({"kind": ["bad kind"], "date": ["bad date"]}))

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["detail"] == "The request has invalid fields: kind, date."
    assert response.data["errors"] == {"kind": ["bad kind"], "date": ["bad date"]}


def test_errors_without_a_field_are_non_field_errors():
    response = handle(exceptions.ValidationError("Dates are in the wrong order."))

    assert response.data["detail"] == "Dates are in the wrong order."
    assert response.data["errors"] == {"non_field_errors": ["Dates are in the wrong order."]}


def test_other_exceptions_are_left_to_the_500_handler():
    assert handle(RuntimeError("boom")) is None


@pytest.mark.parametrize("value", ["abc", "0", "-3", "", "1.5"])
def test_page_size_that_is_not_a_positive_whole_number_is_invalid(value):
    request = APIRequestFactory().get("/", {"page_size": value})

    with pytest.raises(exceptions.ValidationError) as raised:
        StandardPagination().get_page_size(Request(request))

    assert list(raised.value.detail) == ["page_size"]


def test_page_size_is_capped_and_defaults_to_fifty():
    def size(params):
        return StandardPagination().get_page_size(Request(APIRequestFactory().get("/", params)))

    assert size({}) == 50
    assert size({"page_size": "7"}) == 7
    assert size({"page_size": "100000"}) == 500


# Through the stack --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_api_address_answers_json_in_the_same_shape(api_client):
    response = api_client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "code": "not_found",
        "detail": "There is nothing at this address.",
    }


@pytest.mark.django_db
def test_wrong_method_is_405_in_the_same_shape(api_client):
    response = api_client.delete("/api/v1/participants/")

    assert response.status_code == 405
    body = response.json()
    assert body["status"] == 405
    assert body["code"] == "method_not_allowed"
    assert "DELETE" in body["detail"]


@pytest.mark.django_db
def test_page_beyond_the_last_is_404_in_the_same_shape(api_client):
    ParticipantFactory()

    response = api_client.get("/api/v1/participants/", {"page": 7})

    assert response.status_code == 404
    body = response.json()
    assert body["status"] == 404
    assert body["code"] == "not_found"
    assert "“7”" in body["detail"]


@pytest.mark.django_db
def test_bad_page_size_is_400_naming_the_parameter(api_client):
    response = api_client.get("/api/v1/participants/", {"page_size": "abc"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"] == "The request has invalid fields: page_size."
    assert body["errors"]["page_size"] == [
        "“abc” is not a valid page size: give a whole number from 1 to 500."
    ]


@pytest.mark.django_db
def test_job_api_needs_authentication_in_the_same_shape(api_client):
    response = api_client.get(f"/api/v1/jobs/{uuid.uuid4()}/")

    assert response.status_code == 401
    assert response.json() == {
        "status": 401,
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
    }


@pytest.mark.django_db
def test_unknown_job_is_404_in_the_same_shape(api_client, secretariat_user):
    api_client.force_login(secretariat_user)

    response = api_client.get(f"/api/v1/jobs/{uuid.uuid4()}/")

    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "code": "not_found",
        "detail": "No background job with this id is visible to you.",
    }


@pytest.mark.django_db
def test_bad_token_is_401_in_the_same_shape(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token 0000")

    response = api_client.get("/api/v1/observers/")

    assert response.status_code == 401
    assert response.json() == {
        "status": 401,
        "code": "authentication_failed",
        "detail": "Unknown API key. Ask your participant's authority or the secretariat for one.",
    }


def test_a_service_refusing_a_field_becomes_400_naming_the_field():
    from django.core.exceptions import ValidationError

    response = handle(ValidationError({"carats": ["Carats cannot be negative."]}))

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["errors"] == {"carats": ["Carats cannot be negative."]}
    assert "carats" in response.data["detail"]


def test_a_service_refusing_the_whole_request_becomes_400_with_its_message():
    from django.core.exceptions import ValidationError

    response = handle(ValidationError("The deadline has passed."))

    assert response.status_code == 400
    assert response.data["detail"] == "The deadline has passed."
