"""The certificates API for participant authorities and the secretariat: the registry as JSON
(list, one certificate), recording a certificate, an import confirmation and a void notice
through the same services as the browser and the files, whole-month files, void notices and
specimens; and who may do which."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from kpcs.accounts.tests.factories import UserFactory, api_client_as
from kpcs.certificates.models import (
    Certificate,
    CertificateUpload,
    ImportConfirmation,
    SpecimenImage,
    VoidNotice,
)
from kpcs.certificates.tests.factories import (
    CertificateFactory,
    ImportConfirmationFactory,
    SpecimenFactory,
    VoidNoticeFactory,
)
from kpcs.participants.models import Participant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

LIST = "/api/v1/certificates/"
UPLOADS = "/api/v1/certificates/uploads/"
VOID_NOTICES = "/api/v1/certificates/void-notices/"
SPECIMENS = "/api/v1/certificates/specimens/"
ISSUED = dt.date(2024, 3, 1)


def detail(issuer: str, number: str) -> str:
    return f"/api/v1/certificates/{issuer}/{number}/"


def client_for(user) -> APIClient:
    """A national system with an API client key of its participant (the secretariat and the
    other roles, who have no machine keys, as persons logged in)."""
    return api_client_as(user)


def assert_error(response, status: int, code: str) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def finding_codes(response) -> set[str]:
    body = assert_error(response, 400, "invalid")
    return {finding["code"] for finding in body["errors"]["findings"]}


@pytest.fixture
def bwa():
    return Participant.objects.get(code="BWA")


@pytest.fixture
def zaf():
    return Participant.objects.get(code="ZAF")


@pytest.fixture
def ind():
    return Participant.objects.get(code="IND")


@pytest.fixture
def bwa_api(bwa):
    return client_for(UserFactory(role="authority", participant=bwa, username="bwa-authority"))


@pytest.fixture
def zaf_api(zaf):
    return client_for(UserFactory(role="authority", participant=zaf, username="zaf-authority"))


@pytest.fixture
def ind_api(ind):
    """An authority that is party to none of the certificates below."""
    return client_for(UserFactory(role="authority", participant=ind, username="ind-authority"))


@pytest.fixture
def secretariat_api():
    return client_for(UserFactory(role="secretariat", username="secretariat"))


@pytest.fixture
def reviewer_api():
    return client_for(UserFactory(role="reviewer", username="reviewer"))


@pytest.fixture
def observer_api():
    return client_for(UserFactory(role="observer", username="observer"))


@pytest.fixture
def exported(bwa, zaf):
    """Botswana → South Africa."""
    return CertificateFactory(
        issuing_participant=bwa,
        destination_participant=zaf,
        number="BW100001",
        date_issued=ISSUED,
        date_expiry=ISSUED + dt.timedelta(days=60),
        exporter="Okavango Diamond Company",
        importer="Johannesburg Rough Traders",
        lines=[
            {"hs_code": "7102.10", "carats": "100.00", "value_usd": "20000.00", "parcels": 1},
            {"hs_code": "7102.31", "carats": "1150.50", "value_usd": "980000.00", "parcels": 2},
        ],
    )


@pytest.fixture
def imported(bwa, zaf):
    """South Africa → Botswana."""
    return CertificateFactory(
        issuing_participant=zaf, destination_participant=bwa, number="ZA200001", date_issued=ISSUED
    )


@pytest.fixture
def elsewhere(zaf, ind):
    """South Africa → India: Botswana is not a party."""
    return CertificateFactory(
        issuing_participant=zaf, destination_participant=ind, number="ZA300001", date_issued=ISSUED
    )


def payload(**changes):
    body = {
        "certificate_number": "BW555001",
        "exporting_country": "BWA",
        "destination_participant": "ZAF",
        "date_issued": "2024-03-01",
        "date_expiry": "2024-05-01",
        "origin": "BWA",
        "exporter": "Okavango Diamond Company",
        "importer": "Johannesburg Rough Traders",
        "lines": [
            {"hs_code": "7102.31", "carats": "1250.50", "value_usd": "980000.00", "parcels": 2},
            {"hs_code": "7102.10", "carats": 10, "value_usd": 1500, "parcels": 1},
        ],
    }
    body.update(changes)
    return body


# --- Who may come in -----------------------------------------------------------------------------


ENDPOINTS = [
    ("get", LIST),
    ("post", LIST),
    ("get", detail("BWA", "BW100001")),
    ("post", detail("BWA", "BW100001") + "confirmation/"),
    ("post", detail("BWA", "BW100001") + "void/"),
    ("post", UPLOADS),
    ("get", UPLOADS + "1/"),
    ("get", VOID_NOTICES),
    ("get", SPECIMENS),
    ("get", SPECIMENS + "images/1/"),
]


def test_anonymous_clients_are_asked_to_authenticate_everywhere(exported):
    for method, url in ENDPOINTS:
        response = getattr(APIClient(), method)(url)

        assert_error(response, 401, "not_authenticated")
        assert response["WWW-Authenticate"].startswith("Token"), url


@pytest.mark.parametrize("role", ["reviewer_api", "observer_api"])
def test_reviewers_and_observers_are_refused_everywhere(request, exported, role):
    client = request.getfixturevalue(role)
    for method, url in ENDPOINTS:
        response = getattr(client, method)(url, {}, format="json")

        assert_error(response, 403, "permission_denied")
    assert Certificate.objects.get().status == Certificate.Status.ISSUED
    assert not VoidNotice.objects.exists()
    assert not CertificateUpload.objects.exists()


def test_a_session_works_as_well_as_a_token(exported, bwa):
    client = APIClient()
    client.force_login(UserFactory(role="authority", participant=bwa, username="bwa-browser"))

    assert client.get(LIST).json()["count"] == 1


# --- The list ------------------------------------------------------------------------------------


def test_an_authority_lists_the_certificates_its_participant_issued_or_received_only(
    bwa_api, exported, imported, elsewhere
):
    body = bwa_api.get(LIST).json()

    assert body["count"] == 2
    assert {c["number"] for c in body["results"]} == {"BW100001", "ZA200001"}


def test_another_participants_authority_does_not_list_a_certificate_it_is_not_party_to(
    ind_api, exported, imported, elsewhere
):
    body = ind_api.get(LIST).json()

    assert [c["number"] for c in body["results"]] == ["ZA300001"]


def test_the_secretariat_lists_every_certificate(secretariat_api, exported, imported, elsewhere):
    assert secretariat_api.get(LIST).json()["count"] == 3


def test_a_listed_certificate_carries_its_header_totals_status_and_address(bwa_api, exported):
    item = bwa_api.get(LIST).json()["results"][0]

    assert item == {
        "issuing_participant": "BWA",
        "number": "BW100001",
        "exporting_country": "BWA",
        "destination_participant": "ZAF",
        "date_issued": "2024-03-01",
        "date_expiry": "2024-04-30",
        "origin": "BWA",
        "exporter": "Okavango Diamond Company",
        "importer": "Johannesburg Rough Traders",
        "carats": "1250.50",
        "value_usd": "1000000.00",
        "parcels": 3,
        "status": "issued",
        "url": "http://testserver/api/v1/certificates/BWA/BW100001/",
    }


def test_the_list_is_filtered_by_participants_status_dates_and_number(
    secretariat_api, exported, imported, elsewhere
):
    CertificateFactory(
        issuing_participant=exported.issuing_participant,
        destination_participant=exported.destination_participant,
        number="BW100002",
        date_issued=dt.date(2023, 6, 30),
        status=Certificate.Status.EXPIRED,
    )

    def numbers(**query):
        response = secretariat_api.get(LIST, query)
        assert response.status_code == 200, response.json()
        return sorted(c["number"] for c in response.json()["results"])

    assert numbers(issuing_participant="BWA") == ["BW100001", "BW100002"]
    assert numbers(issuing_participant="zaf", destination_participant="IND") == ["ZA300001"]
    assert numbers(destination_participant="BWA") == ["ZA200001"]
    assert numbers(status="expired") == ["BW100002"]
    assert numbers(date_from="2024-01-01") == ["BW100001", "ZA200001", "ZA300001"]
    assert numbers(date_to="2023-12-31") == ["BW100002"]
    assert numbers(date_from="2023-06-30", date_to="2023-06-30") == ["BW100002"]
    assert numbers(number="bw10000") == ["BW100001", "BW100002"]


def test_filters_do_not_widen_what_an_authority_sees(ind_api, exported):
    assert ind_api.get(LIST, {"issuing_participant": "BWA"}).json()["count"] == 0
    assert ind_api.get(LIST, {"number": "BW100001"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"date_from": "2024-13-01"}, "date_from"),
        ({"date_to": "01/03/2024"}, "date_to"),
        ({"date_from": "2024-05-01", "date_to": "2024-04-01"}, "date_to"),
        ({"issuing_participant": "XYZ"}, "issuing_participant"),
        ({"destination_participant": "Botswana"}, "destination_participant"),
        ({"status": "lost"}, "status"),
        ({"number": "BW" + "1" * 39}, "number"),
        ({"page_size": "many"}, "page_size"),
    ],
)
def test_bad_filters_are_refused_naming_the_parameter(bwa_api, query, parameter):
    body = assert_error(bwa_api.get(LIST, query), 400, "invalid")

    assert set(body["errors"]) == {parameter}
    assert parameter in body["detail"]


def test_the_list_is_paginated_latest_first(bwa_api, bwa, zaf):
    for day in range(1, 4):
        CertificateFactory(
            issuing_participant=bwa,
            destination_participant=zaf,
            number=f"BW7000{day:02d}",
            date_issued=dt.date(2024, 1, day),
        )

    first = bwa_api.get(LIST, {"page_size": 2}).json()
    second = bwa_api.get(first["next"]).json()

    assert first["count"] == 3
    assert [c["number"] for c in first["results"]] == ["BW700003", "BW700002"]
    assert [c["number"] for c in second["results"]] == ["BW700001"]
    assert second["next"] is None


def test_listing_runs_no_more_queries_with_more_certificates(secretariat_api, bwa, zaf, ind):
    CertificateFactory(issuing_participant=bwa, destination_participant=zaf, origin=None)
    with CaptureQueriesContext(connection) as one:
        assert secretariat_api.get(LIST).json()["count"] == 1
    for issuer, destination in [(zaf, ind), (ind, bwa), (bwa, ind), (zaf, bwa)] * 3:
        CertificateFactory(issuing_participant=issuer, destination_participant=destination)

    with CaptureQueriesContext(connection) as many:
        assert secretariat_api.get(LIST).json()["count"] == 13

    assert len(many.captured_queries) == len(one.captured_queries)


# --- One certificate -----------------------------------------------------------------------------


def test_a_party_sees_the_full_record_with_lines_confirmation_and_void_notice(
    bwa_api, zaf_api, exported
):
    body = bwa_api.get(detail("BWA", "BW100001")).json()

    assert body["number"] == "BW100001"
    assert body["lines"] == [
        {"hs_code": "7102.10", "carats": "100.00", "value_usd": "20000.00", "parcels": 1},
        {"hs_code": "7102.31", "carats": "1150.50", "value_usd": "980000.00", "parcels": 2},
    ]
    assert body["confirmation"] is None
    assert body["void_notice"] is None
    assert zaf_api.get(detail("BWA", "BW100001")).status_code == 200


def test_the_record_shows_the_confirmation_and_the_void_notice_once_there(
    secretariat_api, bwa, zaf
):
    ImportConfirmationFactory(
        certificate=CertificateFactory(
            issuing_participant=bwa,
            destination_participant=zaf,
            number="BW100010",
            status=Certificate.Status.CONFIRMED,
        ),
        date_received=dt.date(2023, 3, 9),
    )
    VoidNoticeFactory(
        certificate=CertificateFactory(
            issuing_participant=bwa, number="BW100011", status=Certificate.Status.VOID
        ),
        reason="stolen",
    )

    confirmed = secretariat_api.get(detail("BWA", "BW100010")).json()
    void = secretariat_api.get(detail("BWA", "BW100011")).json()

    assert confirmed["status"] == "confirmed"
    assert confirmed["confirmation"]["confirming_participant"] == "ZAF"
    assert confirmed["confirmation"]["date_received"] == "2023-03-09"
    assert confirmed["confirmation"]["carats_differ"] is False
    assert void["status"] == "void"
    assert void["void_notice"]["reason"] == "stolen"


def test_another_participants_certificate_answers_404_like_one_that_does_not_exist(
    ind_api, exported
):
    hidden = assert_error(ind_api.get(detail("BWA", "BW100001")), 404, "not_found")
    missing = assert_error(ind_api.get(detail("BWA", "BW100009")), 404, "not_found")

    assert "Okavango" not in str(hidden)
    assert hidden["detail"].replace("BW100001", "N") == missing["detail"].replace("BW100009", "N")


def test_an_eu_certificate_with_slashes_in_its_number_has_an_address(secretariat_api):
    eur = Participant.objects.get(code="EUR")
    CertificateFactory(
        issuing_participant=eur,
        exporting_country=eur.member_countries.get(alpha3="BEL"),
        number="EU/BE/2023/0001",
    )

    listed = secretariat_api.get(LIST).json()["results"][0]
    body = secretariat_api.get(listed["url"]).json()

    assert listed["url"].endswith("/api/v1/certificates/EUR/EU/BE/2023/0001/")
    assert body["number"] == "EU/BE/2023/0001"
    assert body["exporting_country"] == "BEL"


# --- Recording a certificate ---------------------------------------------------------------------


def test_an_authority_records_a_certificate_with_its_lines(bwa_api):
    response = bwa_api.post(LIST, payload(), format="json")

    body = response.json()
    assert response.status_code == 201, body
    assert body["issuing_participant"] == "BWA"
    assert body["number"] == "BW555001"
    assert body["carats"] == "1260.50"
    assert body["parcels"] == 3
    assert [line["hs_code"] for line in body["lines"]] == ["7102.10", "7102.31"]
    certificate = Certificate.objects.get(number="BW555001")
    assert certificate.lines.count() == 2
    assert certificate.recorded_by == bwa_api.api_client.user  # the client's own account


def test_recording_the_same_certificate_again_changes_nothing(bwa_api):
    assert bwa_api.post(LIST, payload(), format="json").status_code == 201

    again = bwa_api.post(LIST, payload(), format="json")

    assert again.status_code == 200
    assert again.json()["number"] == "BW555001"
    assert Certificate.objects.filter(number="BW555001").count() == 1


def test_a_different_certificate_under_a_used_number_is_a_duplicate(bwa_api):
    bwa_api.post(LIST, payload(), format="json")

    response = bwa_api.post(LIST, payload(importer="Someone Else Ltd"), format="json")

    assert finding_codes(response) == {"duplicate_number"}
    assert Certificate.objects.get(number="BW555001").importer == "Johannesburg Rough Traders"


def test_a_refused_certificate_answers_every_finding_and_stores_nothing(bwa_api):
    response = bwa_api.post(
        LIST,
        payload(
            certificate_number="ZA555001",
            date_expiry="2024-02-01",
            lines=[
                {"hs_code": "7102.99", "carats": "-5", "value_usd": "100", "parcels": 0},
            ],
        ),
        format="json",
    )

    body = assert_error(response, 400, "invalid")
    found = {(f["column"], f.get("line")) for f in body["errors"]["findings"]}
    assert ("certificate_number", None) in found
    assert ("date_expiry", None) in found
    assert {("hs_code", 1), ("carats", 1), ("parcels", 1)} <= found
    assert all(f["message"] for f in body["errors"]["findings"])
    assert not Certificate.objects.exists()


def test_a_party_not_in_good_standing_on_the_date_of_issue_is_refused_naming_the_rule(bwa_api):
    response = bwa_api.post(
        LIST,
        payload(destination_participant="CAF", date_issued="2013-06-01", date_expiry="2013-07-01"),
        format="json",
    )

    body = assert_error(response, 400, "invalid")
    messages = " ".join(f["message"] for f in body["errors"]["findings"])
    assert "CAF" in messages or "Central African Republic" in messages
    assert "2013" in messages
    assert not Certificate.objects.exists()


def test_an_authority_cannot_record_a_certificate_another_participant_issued(bwa_api):
    response = bwa_api.post(
        LIST,
        payload(
            issuing_participant="ZAF",
            certificate_number="ZA555001",
            exporting_country="ZAF",
            destination_participant="IND",
        ),
        format="json",
    )

    assert finding_codes(response) == {"issuer_not_yours"}
    assert not Certificate.objects.exists()


def test_the_secretariat_records_a_certificate_for_the_issuer_it_names(secretariat_api):
    response = secretariat_api.post(LIST, payload(issuing_participant="BWA"), format="json")

    assert response.status_code == 201, response.json()
    assert Certificate.objects.get().issuing_participant.code == "BWA"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (payload(lines=[]), "lines"),
        (payload(lines="7102.31"), "lines"),
        (payload(lines=[{"hs_code": ["7102.31"]}]), "lines"),
        (payload(exporter={"name": "x"}), "exporter"),
        (
            payload(
                lines=[
                    {"hs_code": code, "carats": 1, "value_usd": 1, "parcels": 1}
                    for code in ("7102.10", "7102.21", "7102.31", "7102.10")
                ]
            ),
            "lines",
        ),
    ],
)
def test_a_malformed_body_is_refused_naming_the_field(bwa_api, body, field):
    response = bwa_api.post(LIST, body, format="json")

    assert field in assert_error(response, 400, "invalid")["errors"]
    assert not Certificate.objects.exists()


# --- Import confirmations ------------------------------------------------------------------------


def confirm(client, certificate, **body):
    url = detail(certificate.issuing_participant.code, certificate.number) + "confirmation/"
    return client.post(
        url, {"date_received": "2024-03-10", "carats": "1250.50", **body}, format="json"
    )


def test_the_destination_authority_confirms_a_certificate(zaf_api, exported):
    response = confirm(zaf_api, exported)

    body = response.json()
    assert response.status_code == 201, body
    assert body["status"] == "confirmed"
    assert body["confirmation"]["confirming_participant"] == "ZAF"
    assert body["confirmation"]["carats"] == "1250.50"
    assert body["confirmation"]["carats_differ"] is False


def test_confirming_again_the_same_way_changes_nothing_and_differently_is_refused(
    zaf_api, exported
):
    confirm(zaf_api, exported)

    assert confirm(zaf_api, exported).status_code == 200
    assert finding_codes(confirm(zaf_api, exported, carats="900")) == {"already_confirmed"}
    assert ImportConfirmation.objects.get().carats == exported.carats


def test_carats_received_that_differ_beyond_the_tolerance_are_stored_and_flagged(zaf_api, exported):
    body = confirm(zaf_api, exported, carats="1000.00").json()

    assert body["confirmation"]["carats_differ"] is True


def test_the_issuing_authority_cannot_confirm_its_own_certificate(bwa_api, exported):
    response = confirm(bwa_api, exported)

    assert finding_codes(response) == {"not_destination"}
    assert not ImportConfirmation.objects.exists()


def test_an_authority_not_party_to_a_certificate_cannot_confirm_it(ind_api, exported):
    assert_error(confirm(ind_api, exported), 404, "not_found")
    assert not ImportConfirmation.objects.exists()


def test_a_bad_confirmation_is_refused_naming_the_field(zaf_api, exported):
    response = confirm(zaf_api, exported, date_received="10/03/2024", carats="-1")

    body = assert_error(response, 400, "invalid")
    assert {f["column"] for f in body["errors"]["findings"]} == {"date_received", "carats"}
    assert not ImportConfirmation.objects.exists()


def test_a_void_certificate_cannot_be_confirmed(zaf_api, bwa, zaf):
    certificate = CertificateFactory(
        issuing_participant=bwa,
        destination_participant=zaf,
        number="BW100020",
        date_issued=ISSUED,
        status=Certificate.Status.VOID,
    )
    VoidNoticeFactory(certificate=certificate)

    assert "certificate_void" in finding_codes(confirm(zaf_api, certificate, carats="1500"))


# --- Void ----------------------------------------------------------------------------------------


def void(client, certificate, **body):
    url = detail(certificate.issuing_participant.code, certificate.number) + "void/"
    return client.post(
        url, {"reason": "lost", "note": "Lost at the airport.", **body}, format="json"
    )


def test_the_issuing_authority_declares_a_certificate_void_and_every_participant_sees_it(
    bwa_api, ind_api, exported
):
    response = void(bwa_api, exported)

    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "void"
    assert body["void_notice"]["reason"] == "lost"
    assert body["void_notice"]["note"] == "Lost at the airport."
    notices = ind_api.get(VOID_NOTICES).json()
    assert [(n["issuing_participant"], n["number"], n["reason"]) for n in notices["results"]] == [
        ("BWA", "BW100001", "lost")
    ]


def test_the_secretariat_may_declare_a_certificate_void(secretariat_api, exported):
    assert void(secretariat_api, exported, reason="cancelled").status_code == 200
    assert Certificate.objects.get().status == Certificate.Status.VOID


def test_the_destination_authority_cannot_declare_a_certificate_void(zaf_api, exported):
    assert_error(void(zaf_api, exported), 403, "permission_denied")
    assert not VoidNotice.objects.exists()
    assert Certificate.objects.get().status == Certificate.Status.ISSUED


def test_an_authority_not_party_to_a_certificate_cannot_declare_it_void(ind_api, exported):
    assert_error(void(ind_api, exported), 404, "not_found")
    assert not VoidNotice.objects.exists()


def test_a_void_needs_a_reason_from_the_list(bwa_api, exported):
    body = assert_error(void(bwa_api, exported, reason="misplaced"), 400, "invalid")

    assert set(body["errors"]) == {"reason"}
    assert not VoidNotice.objects.exists()


def test_a_certificate_already_void_is_not_voided_twice(bwa_api, exported):
    void(bwa_api, exported)

    assert finding_codes(void(bwa_api, exported, reason="stolen")) == {"already_void"}
    assert VoidNotice.objects.get().reason == "lost"


# --- Files ---------------------------------------------------------------------------------------


CSV_HEADER = (
    "certificate_number,issuing_participant,exporting_country,destination_participant,"
    "date_issued,date_expiry,hs_code,carats,value_usd,parcels,origin,exporter,importer\n"
)


def certificates_file(*rows: str, name: str = "certificates-2024-03.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (CSV_HEADER + "".join(rows)).encode(), "text/csv")


GOOD_ROWS = (
    "BW600001,BWA,BWA,ZAF,2024-03-01,2024-05-01,7102.31,1000.00,150000.00,2,BWA,Okavango,Jhb\n",
    "BW600001,BWA,BWA,ZAF,2024-03-01,2024-05-01,7102.10,10.00,900.00,1,BWA,Okavango,Jhb\n",
    "BW600002,BWA,BWA,IND,2024-03-02,2024-05-02,7102.31,500.00,80000.00,1,MIXED,Okavango,Surat\n",
)


def upload(client, file, kind="certificates", **extra):
    return client.post(UPLOADS, {"file": file, "kind": kind, **extra}, format="multipart")


def test_a_whole_month_file_is_accepted_with_the_address_to_follow_it(
    bwa_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(bwa_api, certificates_file(*GOOD_ROWS))

    body = response.json()
    assert response.status_code == 202, body
    assert response["Location"] == body["url"]
    assert body["kind"] == "certificates"
    assert body["participant"] == "BWA"
    followed = bwa_api.get(body["url"]).json()
    assert followed["status"] == "stored"
    assert followed["rows"] == 3
    assert followed["stored"] == 2  # certificates: BW600001 has two lines
    assert followed["findings"] == []
    assert followed["progress"] == 100
    assert Certificate.objects.count() == 2


def test_a_refused_file_reports_every_bad_row_and_stores_nothing(
    bwa_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        body = upload(
            bwa_api,
            certificates_file(
                GOOD_ROWS[0],
                "BW600003,BWA,BWA,ZAF,2024-03-01,2024-02-01,7102.31,5,5,1,BWA,A,B\n",
                "BW600004,BWA,BWA,ZAF,2024-03-01,2024-05-01,7102.31,-5,5,1,BWA,A,B\n",
            ),
        ).json()

    followed = bwa_api.get(body["url"]).json()
    assert followed["status"] == "refused"
    assert {(f["row"], f["column"]) for f in followed["findings"]} >= {
        (3, "date_expiry"),
        (4, "carats"),
    }
    assert not Certificate.objects.exists()


def test_a_confirmations_file_is_accepted(zaf_api, exported, django_capture_on_commit_callbacks):
    content = (
        "certificate_number,issuing_participant,confirming_participant,date_received,carats\n"
        "BW100001,BWA,ZAF,2024-03-09,1250.50\n"
    )
    file = SimpleUploadedFile("confirmations.csv", content.encode(), "text/csv")

    with django_capture_on_commit_callbacks(execute=True):
        body = upload(zaf_api, file, kind="confirmations").json()

    assert zaf_api.get(body["url"]).json()["status"] == "stored"
    assert Certificate.objects.get().status == Certificate.Status.CONFIRMED


def test_a_file_is_followed_by_its_participant_and_the_secretariat_only(
    bwa_api, ind_api, secretariat_api, bwa
):
    body = upload(bwa_api, certificates_file(*GOOD_ROWS)).json()

    assert secretariat_api.get(body["url"]).status_code == 200
    colleague = client_for(UserFactory(role="authority", participant=bwa, username="bwa-2"))
    assert colleague.get(body["url"]).status_code == 200
    assert_error(ind_api.get(body["url"]), 404, "not_found")


def test_an_authority_cannot_send_another_participants_file(bwa_api):
    response = upload(bwa_api, certificates_file(*GOOD_ROWS), participant="ZAF")

    assert_error(response, 403, "permission_denied")
    assert not CertificateUpload.objects.exists()


def test_the_secretariat_sends_a_file_for_a_participant(secretariat_api):
    body = upload(secretariat_api, certificates_file(*GOOD_ROWS), participant="BWA").json()

    assert body["participant"] == "BWA"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "certificates"}, "file"),
        ({"file": "not a file", "kind": "certificates"}, "file"),
        ({"kind": "statistics"}, "kind"),
        ({}, "kind"),
        ({"kind": "certificates", "participant": "XYZ"}, "participant"),
    ],
)
def test_a_malformed_upload_is_refused_naming_the_field(bwa_api, data, field):
    if "file" not in data and field != "file":
        data = {**data, "file": certificates_file(*GOOD_ROWS)}

    body = assert_error(bwa_api.post(UPLOADS, data, format="multipart"), 400, "invalid")

    assert field in body["errors"]
    assert not CertificateUpload.objects.exists()


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused_before_any_check(bwa_api):
    response = upload(bwa_api, certificates_file(*GOOD_ROWS, name="certificates.pdf"))

    assert finding_codes(response) == {"unsupported_format"}
    assert not CertificateUpload.objects.exists()


def test_an_unknown_upload_answers_404(bwa_api):
    assert_error(bwa_api.get(UPLOADS + "999999/"), 404, "not_found")


# --- Void notices and specimens ------------------------------------------------------------------


def test_every_authority_and_the_secretariat_read_the_void_notices(ind_api, secretariat_api, zaf):
    VoidNoticeFactory(
        certificate=CertificateFactory(
            issuing_participant=zaf, number="ZA999001", status=Certificate.Status.VOID
        ),
        reason="stolen",
        note="Stolen in transit.",
    )

    for client in (ind_api, secretariat_api):
        body = client.get(VOID_NOTICES).json()
        assert body["count"] == 1
        notice = body["results"][0]
        assert notice["issuing_participant"] == "ZAF"
        assert notice["number"] == "ZA999001"
        assert notice["reason"] == "stolen"
        assert notice["note"] == "Stolen in transit."
        assert "importer" not in notice and "exporter" not in notice


def test_authorities_read_every_participants_specimens_with_their_pictures(
    ind_api, bwa, zaf, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    specimen = SpecimenFactory(participant=bwa, valid_from=dt.date(2021, 1, 1))
    SpecimenFactory(participant=zaf)
    picture = SpecimenImage.objects.create(
        specimen=specimen,
        image=SimpleUploadedFile("front.png", b"\x89PNG\r\n\x1a\nfront", "image/png"),
        caption="Front",
    )

    body = ind_api.get(SPECIMENS).json()
    botswana = ind_api.get(SPECIMENS, {"participant": "bwa"}).json()

    assert body["count"] == 2
    assert [s["participant"] for s in botswana["results"]] == ["BWA"]
    shown = botswana["results"][0]
    assert shown["valid_from"] == "2021-01-01"
    assert shown["images"] == [
        {
            "url": f"http://testserver/api/v1/certificates/specimens/images/{picture.pk}/",
            "caption": "Front",
        }
    ]
    image = ind_api.get(shown["images"][0]["url"])
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).endswith(b"front")


def test_an_unknown_participant_filter_on_specimens_is_refused(ind_api):
    body = assert_error(ind_api.get(SPECIMENS, {"participant": "XYZ"}), 400, "invalid")

    assert set(body["errors"]) == {"participant"}


def test_a_missing_specimen_picture_answers_404(ind_api):
    assert_error(ind_api.get(SPECIMENS + "images/424242/"), 404, "not_found")


# --- Documentation -------------------------------------------------------------------------------


def test_the_openapi_schema_documents_every_certificate_endpoint(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    operations = {
        (path, method): op["operationId"]
        for path, item in paths.items()
        for method, op in item.items()
        if "certificate" in path
    }

    assert set(operations.values()) >= {
        "certificate_verify",
        "certificate_list",
        "certificate_record",
        "certificate_retrieve",
        "certificate_confirm",
        "certificate_void",
        "certificate_upload_create",
        "certificate_upload_retrieve",
        "certificate_void_notice_list",
        "certificate_specimen_list",
        "certificate_specimen_image",
    }
    verify = paths["/api/v1/public/certificates/verify/"]["get"]
    assert {p["name"] for p in verify["parameters"]} == {"participant", "number", "carats"}
    assert verify["security"] == [{}] or verify.get("security") in (None, [])
    assert list(schema["components"]["schemas"]["CertificateVerification"]["properties"]) == [
        "status"
    ]
    listing = {p["name"] for p in paths["/api/v1/certificates/"]["get"]["parameters"]}
    assert listing >= {
        "issuing_participant",
        "destination_participant",
        "status",
        "date_from",
        "date_to",
        "number",
        "page",
        "page_size",
    }
