"""Every hostile document against every document upload: evidence of a finding (page and
API), evidence of a recommendation response, the annual report document, the pictures of a
certificate specimen. And requests far larger than any address accepts (a 200 MB file),
refused with 413 before a byte of them is read.

For each: no 5xx, a message naming the file and the problem, no record and no file under
MEDIA_ROOT."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kpcs.reviews.models import AnnualReport, EvidenceFile, Finding, RecommendationUpdate
from tests.hostile.conftest import files_under, mentions, page_text
from tests.hostile.corpus import MB, DocumentCase, document_cases, sparse_file

pytestmark = [pytest.mark.django_db]

DOCUMENTS = [pytest.param(case, id=case.id) for case in document_cases()]


def upload(case: DocumentCase) -> SimpleUploadedFile:
    return SimpleUploadedFile(case.name, case.data, content_type="application/pdf")


def review_counts() -> tuple[int, int, int, int]:
    return (
        Finding.objects.count(),
        EvidenceFile.objects.count(),
        RecommendationUpdate.objects.count(),
        AnnualReport.objects.count(),
    )


def assert_refused(response, case: DocumentCase, media: Path, before) -> None:
    assert response.status_code < 500, case.id
    assert response.status_code == 400, f"{case.id}: {response.status_code}"
    text = page_text(response) if "html" in response["Content-Type"] else str(response.json())
    assert mentions(text, case.expect), f"{case.id}: {text[:800]}"
    if case.data:  # an empty file is refused before its name matters
        shown = case.name.rsplit("/", 1)[-1]
        assert shown in text or "document" in text, f"{case.id}: the file is not named"
    assert review_counts() == before, f"{case.id}: half stored"
    assert files_under(media) == [], f"{case.id}: a file was left under MEDIA_ROOT"


@pytest.fixture
def papers():
    from kpcs.reviews.tests.factories_papers import papers_world

    return papers_world()


@pytest.mark.parametrize("case", DOCUMENTS)
def test_finding_evidence_refuses_every_hostile_document(client, papers, media, case) -> None:
    client.force_login(papers.member)
    before = review_counts()
    response = client.post(
        f"/en/reviews/visits/{papers.visit.pk}/findings/new/",
        {"area": "statistics", "rating": "met", "text": "Seen.", "evidence": [upload(case)]},
    )
    assert_refused(response, case, media, before)


@pytest.mark.parametrize("case", DOCUMENTS)
def test_finding_evidence_api_refuses_every_hostile_document(
    api_client, papers, media, case
) -> None:
    api_client.force_authenticate(papers.member)
    before = review_counts()
    response = api_client.post(
        f"/api/v1/reviews/visits/{papers.visit.pk}/findings/",
        {"area": "statistics", "rating": "met", "text": "Seen.", "evidence": [upload(case)]},
        format="multipart",
    )
    assert_refused(response, case, media, before)


@pytest.mark.parametrize("case", DOCUMENTS)
def test_recommendation_evidence_refuses_every_hostile_document(client, media, case) -> None:
    from django.urls import reverse

    from kpcs.reviews.tests.factories_followup import recommendation, visit_world

    world = visit_world()
    rec = recommendation(world.visit)
    client.force_login(world.authority)
    before = review_counts()
    response = client.post(
        reverse(
            "recommendations:respond", kwargs={"visit_id": world.visit.pk, "number": rec.number}
        ),
        {"text": "Done.", "evidence": [upload(case)]},
    )
    assert_refused(response, case, media, before)


@pytest.mark.parametrize("case", DOCUMENTS)
def test_annual_report_document_refuses_every_hostile_document(client, media, case) -> None:
    from kpcs.accounts.tests.factories import UserFactory
    from kpcs.participants.tests.factories import ParticipantFactory
    from kpcs.reviews.selectors import annual_reports
    from kpcs.reviews.tests.factories_annual import complete_sections

    participant = ParticipantFactory()
    client.force_login(UserFactory(role="authority", participant=participant))
    year = annual_reports.last_complete_year()
    data = {k: ("" if v is None else v) for k, v in complete_sections().items()}
    before = review_counts()
    response = client.post(
        f"/en/annual-reports/{participant.code}/{year}/edit/",
        {**data, "action": "save", "document": upload(case)},
    )
    assert_refused(response, case, media, before)


# --- Pictures of a certificate specimen ----------------------------------------------------------


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height pixels (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PICTURES = [
    pytest.param("bomb.png", png_claiming(200_000, 200_000), "million pixels", id="pixel_bomb"),
    pytest.param(
        "page.png", b"<html><script>alert(1)</script></html>", "not a picture", id="html_as_png"
    ),
    pytest.param(
        "seal.svg",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        "not a picture",
        id="svg",
    ),
    pytest.param("cut.png", png_claiming(10, 10)[:40], "not a picture", id="truncated_png"),
]


@pytest.mark.parametrize(("name", "data", "expect"), PICTURES)
def test_specimen_pictures_refuse_every_hostile_image(
    client, bwa_authority, media, name, data, expect
) -> None:
    from kpcs.certificates.models import Specimen, SpecimenImage

    client.force_login(bwa_authority)
    response = client.post(
        "/en/certificates/specimens/register/",
        {
            "valid_from": "2024-01-01",
            "security_features": "Hologram.",
            "images": [SimpleUploadedFile(name, data, content_type="image/png")],
        },
    )
    assert response.status_code == 400, response.status_code
    text = page_text(response)
    assert name in text and expect in text, text[:800]
    assert not Specimen.objects.exists() and not SpecimenImage.objects.exists()
    assert files_under(media) == []


# --- A 200 MB request ----------------------------------------------------------------------------

TOO_LARGE = 200 * MB


def _multipart_head(field: str, name: str) -> bytes:
    return (
        b"--hostile\r\n"
        + f'Content-Disposition: form-data; name="{field}"; filename="{name}"\r\n'.encode()
        + b"Content-Type: text/csv\r\n\r\n"
    )


LARGE_TARGETS = [
    pytest.param("/en/submissions/upload/", "file", id="statistics_upload"),
    pytest.param("/en/reviews/visits/1/findings/new/", "evidence", id="finding_evidence"),
    pytest.param("/en/annual-reports/BWA/2024/edit/", "document", id="annual_report"),
    pytest.param("/en/certificates/specimens/register/", "images", id="specimen_pictures"),
    pytest.param("/api/v1/reviews/visits/1/findings/", "evidence", id="finding_evidence_api"),
    pytest.param("/en/plenary/documents/new/", "body", id="plenary_document_form"),
]


@pytest.mark.parametrize(("path", "field"), LARGE_TARGETS)
def test_a_200_mb_request_is_refused_before_it_is_read(
    bwa_authority, tmp_path, media, path, field
) -> None:
    """The body is a sparse 200 MB file (nothing allocated, nothing written to disk), handed
    to Django as the WSGI input: the answer is 413 naming the sizes, and not a byte was read."""
    client = Client()
    client.force_login(bwa_authority)
    body = open(sparse_file(str(tmp_path / "huge.bin"), TOO_LARGE), "rb")  # noqa: SIM115
    try:
        response = client.generic(
            "POST",
            path,
            data=b"",
            content_type="multipart/form-data; boundary=hostile",
            CONTENT_LENGTH=str(TOO_LARGE),
            **{"wsgi.input": body},
        )
        assert body.tell() == 0, "the body was read"
    finally:
        body.close()
    assert response.status_code == 413
    text = page_text(response) if "html" in response["Content-Type"] else str(response.json())
    assert "200.0 MB" in text and "at most 60 MB" in text, text[:500]
    assert files_under(media) == []


def test_the_certificates_upload_takes_up_to_400_mb_and_refuses_more(bwa_authority) -> None:
    from kpcs.common.request_limits import body_limit

    assert body_limit("/en/certificates/upload/") == 401 * MB
    assert body_limit("/fr/certificates/upload/") == 401 * MB
    assert body_limit("/api/v1/certificates/uploads/") == 401 * MB
    assert body_limit("/en/certificates/upload/../../submissions/upload/") == 60 * MB
    client = Client()
    client.force_login(bwa_authority)
    response = client.generic(
        "POST",
        "/api/v1/certificates/uploads/",
        data=b"",
        content_type="multipart/form-data; boundary=hostile",
        CONTENT_LENGTH=str(402 * MB),
        **{"wsgi.input": io.BytesIO(b"")},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert "at most 401 MB" in response.json()["detail"]


def test_a_file_just_over_its_own_limit_is_streamed_to_disk_and_refused_by_its_form(
    bwa_authority, open_periods, media, settings
) -> None:
    """Under the request limit but over the statistics file's 10 MB: Django writes it to a
    temporary file (never to memory), and the form names the sizes."""
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2.5 * MB
    assert "django.core.files.uploadhandler.TemporaryFileUploadHandler" in (
        settings.FILE_UPLOAD_HANDLERS
    )
    client = Client()
    client.force_login(bwa_authority)
    big = io.BytesIO(b"participant,year\r\n" + b"x" * (11 * MB))
    big.name = "big.csv"
    response = client.post("/en/submissions/upload/", {"file": big})
    assert response.status_code == 400
    assert "files up to 10 MB are accepted" in page_text(response)
    assert files_under(media) == []


def test_a_form_without_files_larger_than_the_memory_limit_gets_a_clear_400(
    secretariat, settings
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = Client()
    client.force_login(secretariat)
    response = client.post("/en/plenary/documents/new/", {"title": "x", "body": "y" * 5000})
    assert response.status_code == 400
    assert "larger than" in page_text(response) and "nothing was stored" in page_text(response)
