"""From a participant authority's file to a customs officer's check: the authority uploads a
certificates file with errors and reads the report (nothing is stored), corrects the file and
uploads it again (stored), and the public verification page says its certificate is valid."""

import datetime as dt

import pytest
from django.utils import timezone

from kpcs.accounts.tests.factories import UserFactory
from kpcs.certificates.models import Certificate, CertificateUpload
from kpcs.participants.models import Participant
from tests.browser.conftest import ARTIFACTS
from tests.browser.conftest import log_in as log_in_through_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = (
    "certificate_number,issuing_participant,exporting_country,destination_participant,"
    "date_issued,date_expiry,hs_code,carats,value_usd,parcels,origin,exporter,importer\n"
)


def certificates_csv(rows: list[str]) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def log_in(page, base: str, username: str) -> None:
    log_in_through_form(page, base, username)


def upload_file(page, path) -> None:
    page.locator("nav.subnav").get_by_role("link", name="Upload a file").click()
    page.wait_for_url("**/en/certificates/upload/")
    page.get_by_label("certificates", exact=True).check()
    page.locator("input[name=file]").set_input_files(str(path))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/en/certificates/uploads/*/")


def test_an_authority_corrects_a_refused_file_and_customs_verify_its_certificate(
    live_server, browser, reference_data, tmp_path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    UserFactory(username="bwa", role="authority", participant=Participant.objects.get(code="BWA"))
    base = live_server.url
    issued = timezone.localdate() - dt.timedelta(days=5)
    expiry = issued + dt.timedelta(days=90)

    def row(number: str, hs_code: str, carats: str, expires: dt.date = expiry) -> str:
        return (
            f"{number},BWA,BWA,ZAF,{issued},{expires},{hs_code},{carats},150000.00,2,BWA,"
            "Okavango Diamond Company,Pretoria Rough Traders"
        )

    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    log_in(page, base, "bwa")
    page.locator("nav.main-nav").get_by_role("link", name="Certificates").click()
    page.wait_for_url("**/en/certificates/")
    page.screenshot(path=str(ARTIFACTS / "certificates-registry-empty.png"), full_page=True)

    # A file with two bad rows: an unknown HS code, and an expiry before the date of issue.
    bad = tmp_path / "bwa-certificates.csv"
    bad.write_bytes(
        certificates_csv(
            [
                row("BW20250001", "7102.31", "1000.00"),
                row("BW20250002", "7102.99", "250.00"),
                row("BW20250003", "7102.21", "80.00", expires=issued - dt.timedelta(days=1)),
            ]
        )
    )
    upload_file(page, bad)
    outcome = page.locator("#upload-outcome")
    outcome.get_by_text("The file was refused: nothing was stored").wait_for()
    findings = outcome.locator("table.findings tbody tr")
    assert findings.count() >= 2
    text = outcome.inner_text()
    assert "7102.99" in text
    assert "hs_code" in text
    assert "date_expiry" in text
    rows_named = {findings.nth(i).locator("td").first.inner_text() for i in range(findings.count())}
    assert {"3", "4"} <= rows_named
    assert outcome.get_by_role("link", name="Download the error report (CSV)").is_visible()
    with page.expect_download() as download:
        outcome.get_by_role("link", name="Download the error report (CSV)").click()
    report = download.value.path().read_text(encoding="utf-8-sig")
    assert report.splitlines()[0] == "row,column,code,message"
    assert Certificate.objects.count() == 0
    assert CertificateUpload.objects.get().status == "refused"
    page.screenshot(path=str(ARTIFACTS / "certificates-upload-refused.png"), full_page=True)

    # The corrected file is stored whole.
    good = tmp_path / "bwa-certificates-corrected.csv"
    good.write_bytes(
        certificates_csv(
            [
                row("BW20250001", "7102.31", "1000.00"),
                row("BW20250002", "7102.10", "250.00"),
                row("BW20250003", "7102.21", "80.00"),
            ]
        )
    )
    upload_file(page, good)
    page.locator("#upload-outcome").get_by_text("The file is stored").wait_for()
    assert Certificate.objects.filter(issuing_participant__code="BWA").count() == 3
    page.screenshot(path=str(ARTIFACTS / "certificates-upload-stored.png"), full_page=True)

    # "My uploads" keeps both files, and the registry lists the certificates.
    page.locator("nav.subnav").get_by_role("link", name="My uploads").click()
    uploads = page.locator("table.uploads")
    assert uploads.get_by_text("bwa-certificates.csv").is_visible()
    assert uploads.get_by_text("bwa-certificates-corrected.csv").is_visible()
    page.locator("nav.subnav").get_by_role("link", name="Registry").click()
    page.wait_for_url("**/en/certificates/")
    assert page.locator("#certificates").get_by_role("link", name="BW20250002").is_visible()
    page.locator("#certificates").get_by_role("link", name="BW20250002").click()
    page.wait_for_url("**/en/certificates/BWA/BW20250002/")
    assert "Declare void" in page.content()
    page.screenshot(path=str(ARTIFACTS / "certificates-detail.png"), full_page=True)
    # The registry mirrors in Arabic.
    page.goto(f"{base}/ar/certificates/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.screenshot(path=str(ARTIFACTS / "certificates-registry-ar.png"), full_page=True)
    page.context.close()

    # At the border, anyone checks the certificate on the public page.
    public = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    customs = public.new_page()
    customs.goto(f"{base}/en/certificates/verify/?participant=BWA&number=BW20250002")
    assert "This certificate was issued and has not expired." in customs.content()
    customs.screenshot(path=str(ARTIFACTS / "certificates-verify-valid.png"), full_page=True)
    public.close()


def test_an_authority_records_a_certificate_with_two_lines_through_the_form(
    live_server, browser, reference_data
) -> None:
    UserFactory(username="bwa", role="authority", participant=Participant.objects.get(code="BWA"))
    base = live_server.url
    issued = timezone.localdate() - dt.timedelta(days=2)
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    log_in(page, base, "bwa")
    page.goto(f"{base}/en/certificates/record/")
    page.get_by_label("Certificate number").fill("BW7700001")
    page.get_by_label("Destination participant").select_option("ZAF")
    page.get_by_label("Date of issue").fill(issued.isoformat())
    page.get_by_label("Date of expiry").fill((issued + dt.timedelta(days=60)).isoformat())
    page.get_by_label("Country of origin").select_option("BWA")
    page.get_by_label("Exporter").fill("Okavango Diamond Company")
    page.get_by_label("Importer").fill("Pretoria Rough Traders")
    page.get_by_label("HS code, line 1").select_option("7102.31")
    page.get_by_label("Carats, line 1").fill("1200.00")
    page.get_by_label("Value (US$), line 1").fill("180000.00")
    page.get_by_label("Parcels, line 1").fill("3")

    # "Add a line" works without JavaScript: the page comes back with what was typed.
    page.get_by_role("button", name="Add a line").click()
    page.get_by_label("HS code, line 2").wait_for()
    assert page.get_by_label("Certificate number").input_value() == "BW7700001"
    page.get_by_label("HS code, line 2").select_option("7102.31")
    page.get_by_label("Carats, line 2").fill("-5")
    page.get_by_label("Value (US$), line 2").fill("900.00")
    page.get_by_label("Parcels, line 2").fill("1")
    page.get_by_role("button", name="Record the certificate").click()
    page.get_by_text("Nothing was stored").wait_for()
    assert page.locator("table.certificate-lines td.cell-error").count() >= 1
    assert not Certificate.objects.exists()
    page.screenshot(path=str(ARTIFACTS / "certificates-record-errors.png"), full_page=True)

    page.get_by_label("HS code, line 2").select_option("7102.10")
    page.get_by_label("Carats, line 2").fill("12.50")
    page.get_by_role("button", name="Record the certificate").click()
    page.wait_for_url("**/en/certificates/BWA/BW7700001/")
    assert page.get_by_text("Certificate BW7700001 is recorded.").is_visible()
    certificate = Certificate.objects.get(number="BW7700001")
    assert str(certificate.carats) == "1212.50"
    assert certificate.lines.count() == 2
    page.context.close()
