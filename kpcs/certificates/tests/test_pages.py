"""The registry's pages for authorities and the secretariat: the list with its filters, a
certificate with its confirmation, void notice and alerts, the form for one certificate,
file uploads with their progress and findings, void notices, specimens and alerts; and who
may see and do what (anonymous → log-in, reviewers and observers → 403, another
participant's certificate → 404)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from kpcs.accounts.tests.factories import UserFactory
from kpcs.certificates.models import (
    Certificate,
    CertificateAlert,
    CertificateUpload,
    ImportConfirmation,
    Specimen,
    SpecimenImage,
    VoidNotice,
)
from kpcs.certificates.tests.factories import (
    CertificateAlertFactory,
    CertificateFactory,
    ImportConfirmationFactory,
    SpecimenFactory,
    VoidNoticeFactory,
    certificate_row,
    confirmation_row,
    rows_csv,
)
from kpcs.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

LIST = "/en/certificates/"
RECORD = "/en/certificates/record/"
UPLOAD = "/en/certificates/upload/"
UPLOADS = "/en/certificates/uploads/"
VOID_NOTICES = "/en/certificates/void/"
SPECIMENS = "/en/certificates/specimens/"
REGISTER_SPECIMEN = "/en/certificates/specimens/register/"
ALERTS = "/en/certificates/alerts/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded files and specimen pictures go to a folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def issuer():
    return ParticipantFactory()


@pytest.fixture
def destination():
    return ParticipantFactory()


@pytest.fixture
def issuer_user(issuer):
    return UserFactory(role="authority", participant=issuer, username="issuer-authority")


@pytest.fixture
def destination_user(destination):
    return UserFactory(role="authority", participant=destination, username="dest-authority")


@pytest.fixture
def outsider_user():
    return UserFactory(role="authority", username="outsider-authority")


@pytest.fixture
def secretariat():
    return UserFactory(role="secretariat", username="secretariat")


@pytest.fixture
def certificate(issuer, destination):
    return CertificateFactory(
        issuing_participant=issuer,
        destination_participant=destination,
        date_issued=dt.date(2023, 3, 1),
        lines=[
            {"hs_code": "7102.10", "carats": "100.00", "value_usd": "5000.00", "parcels": 1},
            {"hs_code": "7102.31", "carats": "1400.00", "value_usd": "220000.00", "parcels": 2},
        ],
    )


def detail_url(certificate: Certificate, action: str = "") -> str:
    url = f"/en/certificates/{certificate.issuing_participant.code}/{certificate.number}/"
    return f"{url}{action}/" if action else url


def html(response) -> str:
    return response.content.decode()


def as_user(client, user):
    client.force_login(user)
    return client


def picture(name: str = "front.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- Who may come in --------------------------------------------------------------------------

PAGES = [LIST, RECORD, UPLOAD, UPLOADS, VOID_NOTICES, SPECIMENS, REGISTER_SPECIMEN, ALERTS]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, url) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


@pytest.mark.parametrize("role", ["reviewer", "observer"])
@pytest.mark.parametrize("url", PAGES)
def test_reviewers_and_observers_may_not_use_the_registry(client, role, url) -> None:
    as_user(client, UserFactory(role=role))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["reviewer", "observer"])
def test_reviewers_and_observers_may_not_see_a_certificate(client, role, certificate) -> None:
    as_user(client, UserFactory(role=role))
    assert client.get(detail_url(certificate)).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in_from_a_certificate(client, certificate) -> None:
    response = client.get(detail_url(certificate))
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_navigation_offers_certificates_to_authorities_and_the_secretariat_only(
    client, issuer_user, secretariat
) -> None:
    for user in (issuer_user, secretariat):
        as_user(client, user)
        assert f'href="{LIST}"' in html(client.get("/en/"))
    as_user(client, UserFactory(role="reviewer"))
    assert f'href="{LIST}"' not in html(client.get("/en/"))
    client.logout()
    assert f'href="{LIST}"' not in html(client.get("/en/"))


# --- The registry list -----------------------------------------------------------------------


def test_authority_lists_what_its_participant_issued_or_received(
    client, issuer_user, issuer, certificate
) -> None:
    received = CertificateFactory(destination_participant=issuer)
    unrelated = CertificateFactory()
    page = html(as_user(client, issuer_user).get(LIST))
    assert certificate.number in page
    assert received.number in page
    assert unrelated.number not in page
    assert detail_url(certificate) in page


def test_secretariat_lists_every_certificate(client, secretariat, certificate) -> None:
    unrelated = CertificateFactory()
    page = html(as_user(client, secretariat).get(LIST))
    assert certificate.number in page
    assert unrelated.number in page


def test_the_list_filters_by_the_query_string(client, secretariat, issuer, certificate) -> None:
    other = CertificateFactory(date_issued=dt.date(2024, 6, 1), status="confirmed")
    as_user(client, secretariat)
    by_issuer = html(client.get(LIST, {"issuing_participant": issuer.code}))
    assert certificate.number in by_issuer
    assert other.number not in by_issuer
    by_status = html(client.get(LIST, {"status": "confirmed"}))
    assert other.number in by_status
    assert certificate.number not in by_status
    by_dates = html(client.get(LIST, {"date_from": "2024-01-01", "date_to": "2024-12-31"}))
    assert other.number in by_dates
    assert certificate.number not in by_dates
    by_number = html(client.get(LIST, {"number": certificate.number[:6].lower()}))
    assert certificate.number in by_number
    assert other.number not in by_number
    by_destination = html(
        client.get(LIST, {"destination_participant": other.destination_participant.code})
    )
    assert other.number in by_destination
    assert certificate.number not in by_destination


def test_htmx_filtering_answers_the_table_alone(client, secretariat, certificate) -> None:
    response = as_user(client, secretariat).get(
        LIST, {"number": certificate.number}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert certificate.number in html(response)
    assert "<html" not in html(response)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "yesterday"}, "Enter a valid date."),
        ({"date_from": "2024-05-01", "date_to": "2024-01-01"}, "before the start date"),
        ({"status": "lost"}, "Select a valid choice."),
        ({"issuing_participant": "QQQ"}, "Select a valid choice."),
        ({"date_to": "1850-01-01"}, "KP certificates began in 2003"),
    ],
)
def test_bad_filters_are_reported_not_a_server_error(
    client, secretariat, certificate, query, message
) -> None:
    response = as_user(client, secretariat).get(LIST, query)
    assert response.status_code == 400
    assert "The filter is not valid" in html(response)
    assert message in html(response)
    assert certificate.number not in html(response)


def test_a_page_number_out_of_range_is_a_404_with_a_message(client, secretariat) -> None:
    response = as_user(client, secretariat).get(LIST, {"page": "99"})
    assert response.status_code == 404
    assert "There is no page 99" in html(response)


def test_the_list_runs_as_many_queries_for_many_rows_as_for_one(
    client, secretariat, django_assert_max_num_queries
) -> None:
    as_user(client, secretariat)
    CertificateFactory()
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for _ in range(12):
        CertificateFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = html(client.get(LIST))
    assert page.count('class="badge certificate-issued"') == 13


# --- A certificate ---------------------------------------------------------------------------


def test_a_party_sees_the_certificate_with_its_lines_and_totals(
    client, destination_user, certificate
) -> None:
    page = html(as_user(client, destination_user).get(detail_url(certificate)))
    assert certificate.number in page
    assert "7102.10" in page
    assert "7102.31" in page
    assert "1,500.00" in page  # the total of the two lines
    assert certificate.exporter in page
    assert "No import confirmation has been recorded." not in page  # the form is offered
    assert "Record the import confirmation" in page


def test_another_participants_certificate_answers_404(client, outsider_user, certificate) -> None:
    as_user(client, outsider_user)
    assert client.get(detail_url(certificate)).status_code == 404
    response = client.post(
        detail_url(certificate, "confirm"), {"date_received": "2023-03-10", "carats": "1500"}
    )
    assert response.status_code == 404
    response = client.post(detail_url(certificate, "void"), {"reason": "lost"})
    assert response.status_code == 404
    assert not ImportConfirmation.objects.exists()
    assert not VoidNotice.objects.exists()


def test_an_unknown_certificate_answers_404_with_a_message(client, issuer_user, issuer) -> None:
    response = as_user(client, issuer_user).get(f"/en/certificates/{issuer.code}/XA999/")
    assert response.status_code == 404
    assert "XA999" in html(response)


def test_the_issuer_may_declare_void_but_not_confirm(client, issuer_user, certificate) -> None:
    page = html(as_user(client, issuer_user).get(detail_url(certificate)))
    assert "Declare void" in page
    assert "data-confirm=" in page
    assert "Record the import confirmation" not in page


def test_the_destination_may_confirm_but_not_declare_void(
    client, destination_user, certificate
) -> None:
    as_user(client, destination_user)
    assert "Declare void" not in html(client.get(detail_url(certificate)))
    response = client.post(detail_url(certificate, "void"), {"reason": "lost"})
    assert response.status_code == 403
    assert not VoidNotice.objects.exists()


def test_the_destination_records_the_confirmation(client, destination_user, certificate) -> None:
    response = as_user(client, destination_user).post(
        detail_url(certificate, "confirm"), {"date_received": "2023-03-12", "carats": "1500.00"}
    )
    assert response.status_code == 302
    confirmation = ImportConfirmation.objects.get(certificate=certificate)
    assert confirmation.carats == Decimal("1500.00")
    assert not confirmation.carats_differ
    page = html(client.get(detail_url(certificate)))
    assert "The import confirmation is recorded." in page
    assert "Carats differ" not in page
    certificate.refresh_from_db()
    assert certificate.status == "confirmed"


def test_carats_received_that_differ_are_flagged_on_the_page(
    client, destination_user, certificate
) -> None:
    as_user(client, destination_user).post(
        detail_url(certificate, "confirm"), {"date_received": "2023-03-12", "carats": "1200.00"}
    )
    confirmation = ImportConfirmation.objects.get(certificate=certificate)
    assert confirmation.carats_differ
    page = html(client.get(detail_url(certificate)))
    assert "Carats differ" in page
    assert "1,200.00 carats were received; the certificate says 1,500.00." in page


def test_a_bad_confirmation_is_refused_at_its_fields_and_nothing_is_stored(
    client, destination_user, certificate
) -> None:
    response = as_user(client, destination_user).post(
        detail_url(certificate, "confirm"), {"date_received": "2023-02-01", "carats": "-5"}
    )
    assert response.status_code == 400
    page = html(response)
    assert 'class="form-row has-error"' in page
    assert "-5" in page
    assert not ImportConfirmation.objects.exists()
    certificate.refresh_from_db()
    assert certificate.status == "issued"


def test_the_issuer_declares_a_certificate_void(client, issuer_user, certificate) -> None:
    response = as_user(client, issuer_user).post(
        detail_url(certificate, "void"), {"reason": "stolen", "note": "Taken at the airport."}
    )
    assert response.status_code == 302
    notice = VoidNotice.objects.get(certificate=certificate)
    assert notice.reason == "stolen"
    page = html(client.get(detail_url(certificate)))
    assert "Void notice" in page
    assert "Taken at the airport." in page
    assert "Declare void" not in page


def test_the_secretariat_declares_a_confirmed_certificate_void(client, secretariat) -> None:
    confirmed = ImportConfirmationFactory().certificate
    response = as_user(client, secretariat).post(
        detail_url(confirmed, "void"), {"reason": "cancelled"}
    )
    assert response.status_code == 302
    confirmed.refresh_from_db()
    assert confirmed.status == "void"


def test_a_void_declaration_without_a_reason_is_refused(client, issuer_user, certificate) -> None:
    response = as_user(client, issuer_user).post(detail_url(certificate, "void"), {"note": "?"})
    assert response.status_code == 400
    assert "Say why the certificate is void." in html(response)
    assert not VoidNotice.objects.exists()


def test_the_certificate_page_shows_its_void_notice_and_alerts(client, secretariat) -> None:
    notice = VoidNoticeFactory(note="Lost in the post.")
    alert = CertificateAlertFactory(certificate=notice.certificate, message="Nobody confirmed.")
    page = html(as_user(client, secretariat).get(detail_url(notice.certificate)))
    assert "Lost in the post." in page
    assert "Nobody confirmed." in page
    assert f"/en/certificates/alerts/{alert.pk}/dismiss/" in page


def test_every_post_form_carries_a_csrf_token(client, issuer_user, certificate) -> None:
    as_user(client, issuer_user)
    for url in (detail_url(certificate), RECORD, UPLOAD, REGISTER_SPECIMEN):
        page = html(client.get(url))
        assert page.count('method="post"') <= page.count("csrfmiddlewaretoken")


# --- Recording one certificate ---------------------------------------------------------------


def record_post(row: dict[str, str], lines: list[dict[str, str]], **extra: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        key: value
        for key, value in row.items()
        if key not in ("hs_code", "carats", "value_usd", "parcels")
    }
    data.update(
        {
            "lines-TOTAL_FORMS": str(len(lines)),
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "3",
        }
    )
    for index, line in enumerate(lines):
        for column, value in line.items():
            data[f"lines-{index}-{column}"] = value
    data.update(extra)
    return data


def line(hs_code="7102.31", carats="1000.00", value_usd="150000.00", parcels="2"):
    return {"hs_code": hs_code, "carats": carats, "value_usd": value_usd, "parcels": parcels}


def test_the_form_offers_one_line_and_the_authoritys_own_country(
    client, issuer_user, issuer
) -> None:
    page = html(as_user(client, issuer_user).get(RECORD))
    assert 'name="lines-TOTAL_FORMS" value="1"' in page
    assert 'name="issuing_participant"' not in page  # an authority records its own
    assert f'<option value="{issuer.country.alpha3}" selected>' in page


def test_add_a_line_re_renders_the_form_with_another_line_and_stores_nothing(
    client, issuer_user, issuer, destination
) -> None:
    row = certificate_row(issuer, destination)
    response = as_user(client, issuer_user).post(
        RECORD, record_post(row, [line()], action="add-line")
    )
    assert response.status_code == 200
    page = html(response)
    assert 'name="lines-TOTAL_FORMS" value="2"' in page
    assert f'value="{row["certificate_number"]}"' in page  # what was typed is kept
    assert not Certificate.objects.exists()


def test_an_authority_records_a_certificate_with_two_lines(
    client, issuer_user, issuer, destination
) -> None:
    row = certificate_row(issuer, destination)
    lines = [line(), line(hs_code="7102.10", carats="20.50", value_usd="300.00", parcels="1")]
    response = as_user(client, issuer_user).post(RECORD, record_post(row, lines))
    certificate = Certificate.objects.get(number=row["certificate_number"])
    assert response.status_code == 302
    assert response["Location"] == detail_url(certificate)
    assert certificate.issuing_participant == issuer
    assert certificate.carats == Decimal("1020.50")
    assert certificate.lines.count() == 2
    assert f"Certificate {certificate.number} is recorded." in html(
        client.get(detail_url(certificate))
    )


def test_the_secretariat_records_for_any_issuing_participant(
    client, secretariat, issuer, destination
) -> None:
    row = certificate_row(issuer, destination)
    page = html(as_user(client, secretariat).get(RECORD))
    assert 'name="issuing_participant"' in page
    response = client.post(RECORD, record_post(row, [line()]))
    assert response.status_code == 302
    assert Certificate.objects.get(number=row["certificate_number"]).issuing_participant == issuer


def test_every_finding_is_shown_at_its_field_or_line_and_nothing_is_stored(
    client, issuer_user, issuer, destination
) -> None:
    row = certificate_row(issuer, destination, date_expiry="2023-01-01")
    lines = [line(), line(hs_code="7102.99", carats="-3")]
    response = as_user(client, issuer_user).post(RECORD, record_post(row, lines))
    assert response.status_code == 400
    page = html(response)
    assert "Nothing was stored" in page
    # The expiry at its field, the bad HS code and carats on line 2.
    assert page.count('class="form-row has-error"') >= 1
    assert 'id="id_date_expiry"' in page
    assert 'href="#id_date_expiry"' in page
    assert 'href="#id_lines-1-hs_code"' in page
    assert 'href="#id_lines-1-carats"' in page
    assert page.count('class="cell-error"') >= 2
    assert not Certificate.objects.exists()


def test_a_certificate_without_lines_is_refused(client, issuer_user, issuer, destination) -> None:
    row = certificate_row(issuer, destination)
    response = as_user(client, issuer_user).post(RECORD, record_post(row, [{}]))
    assert response.status_code == 400
    assert "at least one line" in html(response)
    assert not Certificate.objects.exists()


def test_an_authority_cannot_record_another_participants_certificate(
    client, issuer_user, destination
) -> None:
    other = ParticipantFactory()
    row = certificate_row(other, destination)
    response = as_user(client, issuer_user).post(RECORD, record_post(row, [line()]))
    # The issuing participant is the authority's own, whatever the browser sends.
    assert response.status_code == 400
    assert not Certificate.objects.exists()


# --- Uploads ---------------------------------------------------------------------------------


def upload(client, content: bytes, *, name="certificates.csv", kind="certificates", **extra):
    return client.post(
        UPLOAD,
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="text/csv"), **extra},
    )


def test_a_good_file_is_stored_and_its_page_gives_the_counts(
    client, issuer_user, issuer, destination, django_capture_on_commit_callbacks
) -> None:
    rows = [certificate_row(issuer, destination) for _ in range(3)]
    as_user(client, issuer_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, rows_csv(rows))
    assert response.status_code == 302
    item = CertificateUpload.objects.get()
    assert response["Location"] == f"/en/certificates/uploads/{item.pk}/"
    assert item.status == "stored"
    assert Certificate.objects.count() == 3
    page = html(client.get(response["Location"]))
    assert "The file is stored" in page
    assert "Rows stored" in page
    assert 'hx-trigger="every 2s"' not in page  # finished: no more polling


def test_a_file_with_errors_stores_nothing_and_lists_every_finding(
    client, issuer_user, issuer, destination, django_capture_on_commit_callbacks
) -> None:
    rows = [
        certificate_row(issuer, destination),
        certificate_row(issuer, destination, hs_code="7102.99"),
        certificate_row(issuer, destination, date_expiry="2020-01-01"),
    ]
    as_user(client, issuer_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, rows_csv(rows))
    item = CertificateUpload.objects.get()
    assert item.status == "refused"
    assert not Certificate.objects.exists()
    page = html(client.get(response["Location"]))
    assert "nothing was stored" in page
    assert "Download the error report (CSV)" in page
    assert "<code>hs_code</code>" in page
    assert "<code>date_expiry</code>" in page

    report = client.get(f"/en/certificates/uploads/{item.pk}/errors.csv")
    assert report.status_code == 200
    assert report["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert table[0] == ["row", "column", "code", "message"]
    assert {(r[0], r[1]) for r in table[1:]} >= {("3", "hs_code"), ("4", "date_expiry")}


def test_a_confirmations_file_is_stored(
    client, destination_user, certificate, django_capture_on_commit_callbacks
) -> None:
    content = rows_csv([confirmation_row(certificate)])
    as_user(client, destination_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, content, name="confirmations.csv", kind="confirmations")
    assert CertificateUpload.objects.get().status == "stored"
    certificate.refresh_from_db()
    assert certificate.status == "confirmed"


def test_the_upload_page_polls_while_the_check_runs(client, issuer_user, issuer) -> None:
    # Without the commit, the queued check never runs: the page shows the progress bar.
    as_user(client, issuer_user)
    response = upload(client, b"certificate_number\n")
    item = CertificateUpload.objects.get()
    page = html(client.get(response["Location"]))
    assert f"/en/jobs/{item.job_id}/" in page  # common:job-status drives the progress bar
    assert 'hx-trigger="every 2s"' in page
    fragment = client.get(response["Location"], headers={"HX-Request": "true"})
    assert "<html" not in html(fragment)
    assert 'id="upload-outcome"' in html(fragment)


def test_an_upload_without_a_file_or_of_another_type_is_refused(client, issuer_user) -> None:
    as_user(client, issuer_user)
    response = client.post(UPLOAD, {"kind": "certificates"})
    assert response.status_code == 400
    assert "Choose a CSV or XLSX file to upload." in html(response)
    response = upload(client, b"%PDF-1.4", name="scan.pdf")
    assert response.status_code == 400
    assert "scan.pdf" in html(response)
    assert not CertificateUpload.objects.exists()


def test_my_uploads_lists_the_participants_files_only(
    client, issuer_user, outsider_user, secretariat
) -> None:
    as_user(client, issuer_user)
    upload(client, b"certificate_number\n", name="ours.csv")
    as_user(client, outsider_user)
    upload(client, b"certificate_number\n", name="theirs.csv")
    theirs = CertificateUpload.objects.get(original_name="theirs.csv")
    as_user(client, issuer_user)
    page = html(client.get(UPLOADS))
    assert "ours.csv" in page
    assert "theirs.csv" not in page
    assert client.get(f"/en/certificates/uploads/{theirs.pk}/").status_code == 404
    assert client.get(f"/en/certificates/uploads/{theirs.pk}/errors.csv").status_code == 404
    page = html(as_user(client, secretariat).get(UPLOADS))
    assert "ours.csv" in page
    assert "theirs.csv" in page


# --- Void notices, specimens, alerts ----------------------------------------------------------


def test_every_authority_sees_every_void_notice(client, outsider_user) -> None:
    notice = VoidNoticeFactory(reason="stolen", note="Stolen from the courier.")
    page = html(as_user(client, outsider_user).get(VOID_NOTICES))
    assert notice.certificate.number in page
    assert "Stolen from the courier." in page
    assert "stolen" in page


def test_specimens_are_listed_by_participant_with_their_pictures(
    client, outsider_user, issuer
) -> None:
    specimen = SpecimenFactory(participant=issuer)
    image = SpecimenImage(specimen=specimen, caption="Front")
    image.image.save("front.png", picture(), save=True)
    other = SpecimenFactory(security_features="Microprint on the border.")
    as_user(client, outsider_user)
    page = html(client.get(SPECIMENS, {"participant": issuer.code}))
    assert specimen.security_features in page
    assert other.security_features not in page
    assert f"/en/certificates/specimens/pictures/{image.pk}/" in page
    assert "/media/" not in page
    served = client.get(f"/en/certificates/specimens/pictures/{image.pk}/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"


def test_specimen_pictures_are_not_served_to_anonymous_visitors_or_observers(
    client, issuer
) -> None:
    image = SpecimenImage(specimen=SpecimenFactory(participant=issuer))
    image.image.save("front.png", picture(), save=True)
    url = f"/en/certificates/specimens/pictures/{image.pk}/"
    assert client.get(url).status_code == 302
    as_user(client, UserFactory(role="observer"))
    assert client.get(url).status_code == 403


def test_an_authority_registers_its_own_specimen_with_pictures(client, issuer_user, issuer) -> None:
    as_user(client, issuer_user)
    page = html(client.get(REGISTER_SPECIMEN))
    assert 'name="participant"' not in page
    response = client.post(
        REGISTER_SPECIMEN,
        {
            "valid_from": "2024-01-01",
            "security_features": "Hologram and UV ink.",
            "images": [picture("front.png"), picture("back.png")],
        },
    )
    assert response.status_code == 302
    specimen = Specimen.objects.get()
    assert specimen.participant == issuer
    assert specimen.images.count() == 2


def test_the_secretariat_registers_a_specimen_for_any_participant(
    client, secretariat, issuer
) -> None:
    response = as_user(client, secretariat).post(
        REGISTER_SPECIMEN,
        {
            "participant": issuer.code,
            "valid_from": "2024-01-01",
            "security_features": "Watermark.",
            "images": [picture()],
        },
    )
    assert response.status_code == 302
    assert Specimen.objects.get().participant == issuer


def test_a_bad_specimen_is_refused_with_messages_and_nothing_is_stored(client, issuer_user) -> None:
    response = as_user(client, issuer_user).post(
        REGISTER_SPECIMEN,
        {
            "valid_from": "2024-06-01",
            "valid_to": "2024-01-01",
            "security_features": "",
            "images": [SimpleUploadedFile("notes.png", b"not a picture")],
        },
    )
    assert response.status_code == 400
    page = html(response)
    assert "Describe the specimen" in page
    assert "is before valid from" in page
    assert "notes.png is not a picture" in page
    assert not Specimen.objects.exists()
    assert not SpecimenImage.objects.exists()


def test_a_specimen_without_a_start_date_is_refused(client, issuer_user) -> None:
    response = as_user(client, issuer_user).post(
        REGISTER_SPECIMEN, {"valid_from": "soon", "security_features": "Watermark."}
    )
    assert response.status_code == 400
    assert "Enter a valid date." in html(response)
    assert not Specimen.objects.exists()


def test_alerts_are_listed_for_both_parties_and_dismissed_by_each(
    client, issuer_user, destination_user, certificate
) -> None:
    alert = CertificateAlertFactory(certificate=certificate, message="No confirmation arrived.")
    as_user(client, issuer_user)
    assert "No confirmation arrived." in html(client.get(ALERTS))
    assert "Certificates (1 alert)" in html(client.get(LIST))
    response = client.post(f"/en/certificates/alerts/{alert.pk}/dismiss/")
    assert response.status_code == 302
    assert "No confirmation arrived." not in html(client.get(ALERTS))
    alert.refresh_from_db()
    assert alert.dismissed_by_issuer_at is not None
    # The destination still has it.
    as_user(client, destination_user)
    assert "No confirmation arrived." in html(client.get(ALERTS))


def test_an_alert_about_another_participant_cannot_be_dismissed(
    client, outsider_user, certificate
) -> None:
    alert = CertificateAlertFactory(certificate=certificate)
    response = as_user(client, outsider_user).post(f"/en/certificates/alerts/{alert.pk}/dismiss/")
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.dismissed_by_issuer_at is None
    assert alert.dismissed_by_destination_at is None


def test_the_secretariat_sees_every_open_alert(client, secretariat) -> None:
    alert = CertificateAlertFactory(kind=CertificateAlert.Kind.EXPIRED_UNCONFIRMED)
    page = html(as_user(client, secretariat).get(ALERTS))
    assert alert.certificate.number in page
    assert "Expired without import confirmation" in page


# --- Languages --------------------------------------------------------------------------------


def test_the_registry_reads_in_arabic_right_to_left(client, issuer_user, certificate) -> None:
    response = as_user(client, issuer_user).get(detail_url(certificate).replace("/en/", "/ar/"))
    assert response.status_code == 200
    assert 'dir="rtl"' in html(response)


def test_a_tampered_line_count_is_refused_with_a_message(
    client, issuer_user, issuer, destination
) -> None:
    row = certificate_row(issuer, destination)
    as_user(client, issuer_user)
    data = record_post(row, [line()])
    data["lines-TOTAL_FORMS"] = "50"
    response = client.post(RECORD, data)
    assert response.status_code == 400
    assert "at most 3" in html(response)
    del data["lines-TOTAL_FORMS"]
    assert client.post(RECORD, data).status_code == 400
    assert client.post(RECORD, {**data, "action": "add-line"}).status_code == 200
    assert not Certificate.objects.exists()


def test_a_bad_specimen_filter_is_reported(client, issuer_user) -> None:
    SpecimenFactory()
    response = as_user(client, issuer_user).get(SPECIMENS, {"participant": "NOPE"})
    assert response.status_code == 400
    assert "The filter is not valid" in html(response)


def test_a_refused_file_with_many_findings_shows_the_first_and_reports_all(
    client, issuer_user, issuer, monkeypatch
) -> None:
    from kpcs.certificates import views

    monkeypatch.setattr(views, "FINDINGS_ON_PAGE", 2)
    findings = [
        {"row": n, "column": "carats", "code": "carats_invalid", "message": f"bad carats {n}"}
        for n in range(2, 7)
    ]
    item = CertificateUpload.objects.create(
        kind="certificates",
        participant=issuer,
        uploaded_by=issuer_user,
        original_name="big.csv",
        file="certificate-uploads/big.csv",
        status="refused",
        rows=5,
        findings=findings,
    )
    as_user(client, issuer_user)
    page = html(client.get(f"/en/certificates/uploads/{item.pk}/"))
    assert "The check found 5 errors." in page
    assert "bad carats 3" in page
    assert "bad carats 4" not in page
    assert "3 more errors are in the error report." in page
    report = client.get(f"/en/certificates/uploads/{item.pk}/errors.csv").content.decode()
    assert "bad carats 6" in report


def test_the_error_report_does_not_let_a_spreadsheet_run_a_cell(
    client, issuer_user, issuer
) -> None:
    item = CertificateUpload.objects.create(
        kind="certificates",
        participant=issuer,
        uploaded_by=issuer_user,
        original_name="evil.csv",
        file="certificate-uploads/evil.csv",
        status="refused",
        findings=[{"row": 2, "column": "exporter", "code": "x", "message": "=HYPERLINK(1)"}],
    )
    report = as_user(client, issuer_user).get(f"/en/certificates/uploads/{item.pk}/errors.csv")
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[1] == ["2", "exporter", "x", "'=HYPERLINK(1)"]
