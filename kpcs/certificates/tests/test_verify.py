"""Public certificate verification: the API and the page answer one word about a certificate
(valid, confirmed, expired, void, unknown) to anyone, say nothing commercial, report bad
input by name, and are limited per client address against enumeration."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from kpcs.certificates.models import Certificate
from kpcs.certificates.tests.factories import (
    CertificateFactory,
    ImportConfirmationFactory,
    VoidNoticeFactory,
)
from kpcs.certificates.verification import CertificateVerifyThrottle
from kpcs.participants.models import Participant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

API = "/api/v1/public/certificates/verify/"
PAGE = "/en/certificates/verify/"
LANGUAGES = ["en", "fr", "es", "ru", "zh-hans", "ar"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counts live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def botswana():
    return Participant.objects.get(code="BWA")


@pytest.fixture
def south_africa():
    return Participant.objects.get(code="ZAF")


@pytest.fixture
def certificate(botswana, south_africa):
    """Issued ten days ago, expiring in fifty: valid."""
    today = timezone.localdate()
    return CertificateFactory(
        issuing_participant=botswana,
        destination_participant=south_africa,
        number="BW123456",
        date_issued=today - dt.timedelta(days=10),
        date_expiry=today + dt.timedelta(days=50),
        exporter="Okavango Diamond Company",
        importer="Johannesburg Rough Traders",
        lines=[{"hs_code": "7102.31", "carats": "1250.50", "value_usd": "987654.32", "parcels": 3}],
    )


def verify(client, **params):
    return client.get(API, params)


def limit() -> int:
    return CertificateVerifyThrottle().num_requests or 0


# --- The answers ---------------------------------------------------------------------------------


def test_an_issued_certificate_that_has_not_expired_is_valid_and_nothing_else_is_said(
    client, certificate
):
    response = verify(client, participant="BWA", number="BW123456")

    assert response.status_code == 200
    assert response.json() == {"status": "valid"}
    body = response.content.decode()
    for commercial in ("Okavango", "Johannesburg", "987654", "1250", "ZAF", "BW123456"):
        assert commercial not in body


def test_a_confirmed_certificate_is_confirmed(client, botswana):
    ImportConfirmationFactory(
        certificate=CertificateFactory(
            issuing_participant=botswana, number="BW000001", status=Certificate.Status.CONFIRMED
        )
    )

    assert verify(client, participant="BWA", number="BW000001").json() == {"status": "confirmed"}


def test_a_certificate_expired_without_confirmation_is_expired(client, botswana):
    CertificateFactory(
        issuing_participant=botswana, number="BW000002", status=Certificate.Status.EXPIRED
    )

    assert verify(client, participant="BWA", number="BW000002").json() == {"status": "expired"}


def test_a_void_certificate_is_void(client, botswana):
    VoidNoticeFactory(
        certificate=CertificateFactory(
            issuing_participant=botswana, number="BW9", status=Certificate.Status.VOID
        )
    )

    assert verify(client, participant="BWA", number="BW9").json() == {"status": "void"}


def test_a_number_the_participant_never_issued_is_unknown(client, certificate):
    assert verify(client, participant="BWA", number="BW999999").json() == {"status": "unknown"}
    # The number exists, but another participant did not issue it.
    assert verify(client, participant="ZAF", number="BW123456").json() == {"status": "unknown"}
    # A code no participant has is asked about in vain, not refused.
    assert verify(client, participant="XYZ", number="BW123456").json() == {"status": "unknown"}


def test_carats_that_match_the_certificate_keep_the_answer_and_others_make_it_unknown(
    client, certificate
):
    assert verify(client, participant="BWA", number="BW123456", carats="1250.50").json() == {
        "status": "valid"
    }
    assert verify(client, participant="BWA", number="BW123456", carats="125").json() == {
        "status": "unknown"
    }


def test_codes_and_numbers_may_be_typed_in_lower_case_and_with_spaces_around(client, certificate):
    assert verify(client, participant=" bwa ", number=" bw123456 ").json() == {"status": "valid"}


def test_an_eu_number_with_slashes_is_verified(client):
    eur = Participant.objects.get(code="EUR")
    belgium = eur.member_countries.get(alpha3="BEL")
    CertificateFactory(issuing_participant=eur, exporting_country=belgium, number="EU/BE/2023/0001")

    assert verify(client, participant="EUR", number="EU/BE/2023/0001").json()["status"] in {
        "valid",
        "expired",
    }


def test_a_lookup_is_one_query(client, certificate, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert verify(client, participant="BWA", number="BW123456").status_code == 200


def test_no_login_is_needed_and_a_bad_token_is_not_a_reason_to_refuse(client, certificate):
    response = client.get(
        API,
        {"participant": "BWA", "number": "BW123456"},
        HTTP_AUTHORIZATION="Token not-a-real-token",
    )

    assert response.status_code == 200
    assert response.json() == {"status": "valid"}


# --- Bad input -----------------------------------------------------------------------------------


def assert_refused(response, *parameters: str) -> dict:
    body = response.json()
    assert response.status_code == 400, body
    assert body["status"] == 400
    assert body["code"] == "invalid"
    assert set(body["errors"]) == set(parameters)
    for parameter in parameters:
        assert parameter in body["detail"]
        assert body["errors"][parameter][0]
    return body


def test_missing_parameters_are_named(client):
    assert_refused(client.get(API), "participant", "number")
    assert_refused(verify(client, participant="BWA"), "number")
    assert_refused(verify(client, number="BW123456"), "participant")


@pytest.mark.parametrize("participant", ["BW", "BOTSWANA", "B1A", "BWA;--"])
def test_a_participant_that_is_not_a_three_letter_code_is_refused(client, participant):
    assert_refused(verify(client, participant=participant, number="BW123456"), "participant")


@pytest.mark.parametrize("number", ["BW" + "1" * 39, "BW 123456", "BW123456<script>", "BW%00"])
def test_a_number_too_long_or_with_other_characters_is_refused(client, number):
    body = assert_refused(verify(client, participant="BWA", number=number), "number")

    assert "40" in body["errors"]["number"][0]


@pytest.mark.parametrize("carats", ["abc", "-5", "0", "0.00", "1.234", "1,5", "1e3"])
def test_carats_that_are_not_a_positive_amount_are_refused(client, certificate, carats):
    assert_refused(verify(client, participant="BWA", number="BW123456", carats=carats), "carats")


def test_every_bad_parameter_is_named_at_once(client):
    assert_refused(
        verify(client, participant="B", number="X" * 41, carats="many"),
        "participant",
        "number",
        "carats",
    )


# --- The limit -----------------------------------------------------------------------------------


def test_the_request_beyond_the_limit_is_refused_with_429_and_the_common_error_body(
    client, certificate
):
    for _ in range(limit()):
        assert verify(client, participant="BWA", number="BW123456").status_code == 200

    response = verify(client, participant="BWA", number="BW123456")

    assert response.status_code == 429
    body = response.json()
    assert body["status"] == 429
    assert body["code"] == "throttled"
    assert body["detail"]
    assert int(response["Retry-After"]) > 0


def test_another_address_is_counted_on_its_own(client, certificate):
    for _ in range(limit()):
        verify(client, participant="BWA", number="BW123456")

    other = client.get(
        API, {"participant": "BWA", "number": "BW123456"}, REMOTE_ADDR="198.51.100.7"
    )

    assert other.status_code == 200


def test_a_forged_forwarded_for_header_does_not_reset_the_count(client, certificate):
    for index in range(limit()):
        client.get(
            API,
            {"participant": "BWA", "number": f"BW{index:06d}"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{index}",
        )

    response = client.get(
        API, {"participant": "BWA", "number": "BW123456"}, HTTP_X_FORWARDED_FOR="203.0.113.250"
    )

    assert response.status_code == 429


def test_bad_requests_count_against_the_limit_too(client):
    for _ in range(limit()):
        assert verify(client, participant="BWA").status_code == 400

    assert verify(client, participant="BWA", number="BW1").status_code == 429


# --- The page ------------------------------------------------------------------------------------


def test_the_page_offers_the_participants_a_number_and_optional_carats(client):
    response = client.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<select name="participant"' in html
    assert '<option value="BWA">Botswana (BWA)</option>' in html
    assert 'name="number"' in html
    assert 'name="carats"' in html
    assert 'id="verify-answer"' not in html


@pytest.mark.parametrize(
    ("make", "sentence"),
    [
        (lambda bwa: None, "This certificate was issued and has not expired."),
        (
            lambda bwa: Certificate.objects.filter(number="BW123456").update(
                status=Certificate.Status.CONFIRMED
            ),
            "This certificate was confirmed by the importing participant.",
        ),
        (
            lambda bwa: Certificate.objects.filter(number="BW123456").update(
                status=Certificate.Status.EXPIRED
            ),
            "This certificate expired without an import confirmation.",
        ),
        (
            lambda bwa: Certificate.objects.filter(number="BW123456").update(
                status=Certificate.Status.VOID
            ),
            "This certificate was declared void (lost, stolen or cancelled)",
        ),
        (
            lambda bwa: Certificate.objects.filter(number="BW123456").delete(),
            "No certificate with this number is known for this participant.",
        ),
    ],
)
def test_the_page_says_the_answer_in_plain_words(client, certificate, botswana, make, sentence):
    make(botswana)

    response = client.get(PAGE, {"participant": "BWA", "number": "BW123456"})

    assert response.status_code == 200
    assert sentence in response.content.decode()


def answer_section(html: str) -> str:
    start = html.index('id="verify-answer"')
    return html[start : html.index("</section>", start)]


def test_the_page_shows_nothing_commercial(client, certificate):
    html = client.get(
        PAGE, {"participant": "BWA", "number": "BW123456", "carats": "1250.50"}
    ).content.decode()

    assert "This certificate was issued and has not expired." in html
    for commercial in ("Okavango", "Johannesburg", "987654", "987,654", "987 654"):
        assert commercial not in html
    # The destination is in the list of participants to choose from, never in the answer.
    answer = answer_section(html)
    assert "South Africa" not in answer
    assert "ZAF" not in answer
    assert "Botswana (BWA)" in answer


def test_the_check_is_in_the_address_and_links_to_the_same_question_through_the_api(
    client, certificate
):
    html = client.get(PAGE, {"participant": "BWA", "number": "bw123456"}).content.decode()

    assert f'href="{API}?participant=BWA&amp;number=BW123456"' in html
    assert 'method="get"' in html


def test_bad_input_on_the_page_is_reported_at_its_field_and_nothing_is_looked_up(
    client, certificate
):
    response = client.get(PAGE, {"participant": "BWA", "number": "BW 1", "carats": "-3"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "A certificate number has at most 40 letters" in html
    assert "Give the carats as a positive number" in html
    assert 'id="verify-answer"' not in html


def test_a_participant_not_in_the_list_is_refused_on_the_page(client):
    response = client.get(PAGE, {"participant": "XYZ", "number": "BW1"})

    assert response.status_code == 400
    assert "Choose the issuing participant from the list." in response.content.decode()


def test_beyond_the_limit_the_page_says_when_to_try_again_with_429(client, certificate):
    for _ in range(limit()):
        assert client.get(PAGE, {"participant": "BWA", "number": "BW123456"}).status_code == 200

    response = client.get(PAGE, {"participant": "BWA", "number": "BW123456"})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Too many checks have come from your address" in html
    assert "This certificate was issued" not in html


def test_the_page_and_the_api_share_one_limit(client, certificate):
    for _ in range(limit()):
        verify(client, participant="BWA", number="BW123456")

    page = client.get(PAGE, {"participant": "BWA", "number": "BW123456"})

    assert page.status_code == 429


def test_opening_the_empty_form_does_not_count_against_the_limit(client, certificate):
    for _ in range(limit() + 5):
        assert client.get(PAGE).status_code == 200

    assert verify(client, participant="BWA", number="BW123456").status_code == 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_works_in_every_language(client, certificate, language):
    response = client.get(
        f"/{language}/certificates/verify/", {"participant": "BWA", "number": "BW123456"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{language}"' in html
    assert ('dir="rtl"' in html) == (language == "ar")
    assert 'data-status="valid"' in html


def test_the_page_has_no_inline_script_or_style(client, certificate):
    html = client.get(PAGE, {"participant": "BWA", "number": "BW123456"}).content.decode()

    assert "<script>" not in html
    assert "style=" not in html
    assert "<style" not in html


def test_the_public_navigation_links_to_the_page(client):
    html = client.get("/en/").content.decode()

    assert f'href="{PAGE}"' in html


def test_the_amount_of_carats_checked_is_shown_for_the_language(client, certificate):
    html = client.get(
        "/fr/certificates/verify/",
        {"participant": "BWA", "number": "BW123456", "carats": "1250.5"},
    ).content.decode()

    assert "1250,50" in answer_section(html)
