"""Rate limits on the API: anonymous callers per address on every public view (`public`),
certificate verification stricter (`certificate_verify`), machine clients per client
(`api_client`); beyond a limit 429 in the common error shape, with Retry-After."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient

from kpcs.accounts.tests.factories import ApiClientFactory, UserFactory, api_auth
from kpcs.accounts.throttling import ApiClientRateThrottle, PublicRateThrottle
from kpcs.certificates.apis import CertificateVerifyApi
from kpcs.certificates.verification import CertificateVerifyThrottle

pytestmark = pytest.mark.django_db

PUBLIC = "/api/v1/participants/"
JOB = "/api/v1/jobs/00000000-0000-0000-0000-000000000000/"
HERE, THERE = "203.0.113.5", "198.51.100.7"


def low_limits(public: str = "3/minute", api_client: str = "4/minute"):
    rates = {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "public": public,
        "api_client": api_client,
    }
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    )


def statuses(client: APIClient, url: str, times: int, **extra) -> list[int]:
    return [client.get(url, **extra).status_code for _ in range(times)]


def test_the_default_limits_come_from_settings():
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates["public"] == "120/minute"
    assert rates["api_client"] == "1200/minute"
    assert rates["certificate_verify"] == "30/minute"


def test_the_request_beyond_the_public_limit_gets_429_and_another_address_does_not():
    client = APIClient()
    with low_limits(public="3/minute"):
        assert statuses(client, PUBLIC, 3, REMOTE_ADDR=HERE) == [200, 200, 200]
        refused = client.get(PUBLIC, REMOTE_ADDR=HERE)
        assert client.get(PUBLIC, REMOTE_ADDR=THERE).status_code == 200

    body = refused.json()
    assert refused.status_code == 429
    assert (body["status"], body["code"]) == (429, "throttled")
    assert "Too many requests from this address: at most 3 per minute." in body["detail"]
    assert "Try again in" in body["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_a_forged_forwarded_for_header_does_not_buy_a_fresh_bucket():
    client = APIClient()
    with low_limits(public="2/minute"):
        statuses(client, PUBLIC, 2, REMOTE_ADDR=HERE)
        forged = client.get(PUBLIC, REMOTE_ADDR=HERE, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert forged.status_code == 429


def test_an_api_client_has_its_own_bucket_whatever_its_address():
    first, second = ApiClientFactory(), ApiClientFactory()
    client = APIClient()
    with low_limits(public="2/minute", api_client="4/minute"):
        # The address has used up its anonymous allowance; the client's requests do not count
        # there, nor are they refused because of it.
        statuses(client, PUBLIC, 2, REMOTE_ADDR=HERE)
        assert client.get(PUBLIC, REMOTE_ADDR=HERE).status_code == 429
        assert statuses(client, PUBLIC, 4, REMOTE_ADDR=HERE, **api_auth(first)) == [200] * 4
        refused = client.get(JOB, REMOTE_ADDR=THERE, **api_auth(first))
        # Another client, from the very same address, is unaffected.
        assert client.get(PUBLIC, REMOTE_ADDR=HERE, **api_auth(second)).status_code == 200

    assert refused.status_code == 429
    assert (
        "Too many requests from this API client: at most 4 per minute."
        in (refused.json()["detail"])
    )
    assert int(refused["Retry-After"]) >= 1


def test_people_logged_in_through_the_site_are_not_throttled():
    client = APIClient()
    client.force_login(UserFactory(role="secretariat"))
    with low_limits(public="2/minute", api_client="2/minute"):
        assert statuses(client, PUBLIC, 4, REMOTE_ADDR=HERE) == [200] * 4


def _api_views(resolver: URLResolver | None = None, prefix: str = ""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern, route)
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
            yield route, pattern.callback.cls


def test_every_api_view_open_to_anonymous_callers_is_throttled_per_address():
    open_views = [
        (route, view)
        for route, view in _api_views()
        if route.startswith("api/") and AllowAny in view.permission_classes
    ]
    assert len(open_views) > 15  # participants, statistics, reviews, plenary, certificates
    for route, view in open_views:
        throttles = view.throttle_classes
        assert PublicRateThrottle in throttles or CertificateVerifyThrottle in throttles, route


def test_every_api_view_throttles_machine_clients_except_the_anonymous_verification():
    for route, view in _api_views():
        if not route.startswith("api/v1/") or view is CertificateVerifyApi:
            continue
        assert ApiClientRateThrottle in view.throttle_classes, route


def test_certificate_verification_keeps_its_stricter_limit_on_the_api_and_the_page(
    client, reference_data
):
    assert CertificateVerifyApi.throttle_classes == [CertificateVerifyThrottle]
    assert CertificateVerifyApi.authentication_classes == []
    api = APIClient()
    query = {"participant": "BWA", "number": "BW1"}
    assert statuses(api, "/api/v1/public/certificates/verify/?participant=BWA&number=BW1", 30) == (
        [200] * 30
    )
    assert api.get("/api/v1/public/certificates/verify/", query).status_code == 429
    # The page shares the API's bucket: this address has used it up.
    page = client.get("/en/certificates/verify/", query)
    assert page.status_code == 429
    assert int(page["Retry-After"]) >= 1


def test_the_schema_documents_429_with_retry_after_and_the_token_scheme(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    token = schema["components"]["securitySchemes"]["tokenAuth"]
    assert token == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": token["description"],
    }
    assert token["description"].startswith("Token <key>")
    for path, method in (
        ("/api/v1/participants/", "get"),  # public
        ("/api/v1/statistics/submissions/", "post"),  # machine clients
        ("/api/v1/public/certificates/verify/", "get"),  # its own, stricter limit
    ):
        answer = schema["paths"][path][method]["responses"]["429"]
        assert "Retry-After" in answer["headers"], path
        assert answer["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
