"""A full disk while a file is uploaded: no row points at a missing or partial file, no partial
file stays on disk, and the person is told the server is out of disk space (507), not 500.

The disk is filled in two ways: `disk_with_room` lets the storage write a given number of
bytes for real and then refuses with ENOSPC, as a full file system does (at the point where
kpcs.common.storage opens its files, so everything above it runs for real); `tiny_disk`
mounts an actual 1 MB tmpfs as MEDIA_ROOT where the machine allows it (root), otherwise the
test is skipped.
"""

from __future__ import annotations

import errno
import io
import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from kpcs.accounts.tests.factories import UserFactory
from kpcs.certificates.models import CertificateUpload
from kpcs.common import storage as storage_module
from kpcs.common.storage import AtomicFileSystemStorage
from kpcs.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

DISK_FULL = "The server is out of disk space"


class _FillingFile:
    """A file on a disk with `room` bytes left (shared by every file the disk holds)."""

    def __init__(self, real: Any, disk: _Disk) -> None:
        self.real = real
        self.disk = disk

    def write(self, data: Any) -> int:
        data = bytes(data)
        fits = max(self.disk.room, 0)
        if len(data) > fits:
            # What fits is written for real, then the file system refuses, like a full disk.
            self.real.write(data[:fits])
            self.real.flush()
            self.disk.room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self.disk.room -= len(data)
        return int(self.real.write(data))

    def flush(self) -> None:
        self.real.flush()

    def fileno(self) -> int:
        return int(self.real.fileno())

    def __enter__(self) -> _FillingFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.real.close()


class _Disk:
    def __init__(self, room: int) -> None:
        self.room = room
        self.partial_writes: list[str] = []


@contextmanager
def disk_with_room(room: int) -> Iterator[_Disk]:
    disk = _Disk(room)
    real_open = storage_module._open_for_writing

    def open_on_full_disk(path: str) -> Any:
        disk.partial_writes.append(path)
        return _FillingFile(real_open(path), disk)

    with mock.patch.object(storage_module, "_open_for_writing", open_on_full_disk):
        yield disk


def files_under(root: Path) -> list[Path]:
    """Every file, hidden ones (a storage's temporary files) included."""
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


# --- The storage -----------------------------------------------------------------------------


def test_the_storage_leaves_no_partial_file_when_the_disk_fills_up(media) -> None:
    storage = AtomicFileSystemStorage(location=media)
    with disk_with_room(1000) as disk, pytest.raises(OSError) as excinfo:
        storage.save("uploads/big.bin", ContentFile(b"x" * 5000))
    assert excinfo.value.errno == errno.ENOSPC
    # Part of the file did reach the disk (under a temporary name) before the refusal...
    assert disk.partial_writes and disk.room == 0
    # ...and is gone again; the final name never existed.
    assert files_under(media) == []
    assert not storage.exists("uploads/big.bin")


def test_the_storage_still_keeps_complete_files_under_free_names(media) -> None:
    storage = AtomicFileSystemStorage(location=media)
    first = storage.save("uploads/a.txt", ContentFile(b"one"))
    second = storage.save("uploads/a.txt", ContentFile("two"))
    assert first == "uploads/a.txt" and second != first and second.startswith("uploads/a_")
    assert storage.open(first).read() == b"one"
    assert storage.open(second).read() == b"two"
    assert [p.name for p in files_under(media)] == sorted([Path(first).name, Path(second).name])


# --- Certificates: CSV upload, page and API --------------------------------------------------


@pytest.fixture
def issuer():
    return ParticipantFactory()


@pytest.fixture
def issuer_user(issuer):
    return UserFactory(role="authority", participant=issuer, username="issuer-authority")


def certificates_csv(size: int = 20_000) -> SimpleUploadedFile:
    header = b"number,issuing_participant,destination,issue_date,expiry_date,carats,value_usd\n"
    return SimpleUploadedFile(
        "certificates.csv", header + b"#" * (size - len(header)), content_type="text/csv"
    )


def test_a_certificates_file_on_a_full_disk_is_refused_with_507_and_nothing_registered(
    client, issuer_user, media
) -> None:
    client.force_login(issuer_user)
    with disk_with_room(4096):
        response = client.post(
            "/en/certificates/upload/", {"kind": "certificates", "file": certificates_csv()}
        )
    assert response.status_code == 507
    page = response.content.decode()
    assert DISK_FULL in page and "nothing was saved" in page
    assert not CertificateUpload.objects.exists()
    assert files_under(media) == []


def test_the_certificates_upload_api_answers_507_in_its_error_format_on_a_full_disk(
    api_client, issuer_user, media
) -> None:
    api_client.force_authenticate(issuer_user)
    with disk_with_room(4096):
        response = api_client.post(
            "/api/v1/certificates/uploads/",
            {"kind": "certificates", "file": certificates_csv()},
            format="multipart",
        )
    assert response.status_code == 507
    body = json.loads(response.content)
    assert body["status"] == 507
    assert body["code"] == "insufficient_storage"
    assert DISK_FULL in body["detail"]
    assert not CertificateUpload.objects.exists()
    assert files_under(media) == []


def test_a_certificates_file_whose_registration_fails_after_writing_is_removed_again(
    issuer_user, media
) -> None:
    from kpcs.certificates import services

    with (
        mock.patch(
            "kpcs.common.jobs.background_job_start", side_effect=RuntimeError("broker down")
        ),
        pytest.raises(RuntimeError),
    ):
        services.certificate_upload_start(
            actor=issuer_user,
            participant=None,
            kind="certificates",
            uploaded_file=certificates_csv(),
        )
    assert not CertificateUpload.objects.exists()
    assert files_under(media) == []


# --- Statistics: the uploaded file kept until "store these figures" ------------------------


def test_a_statistics_file_on_a_full_disk_is_refused_and_no_pending_upload_is_kept(
    client, reference_data, media
) -> None:
    import datetime as dt

    from kpcs.participants.models import Participant
    from kpcs.statistics.entry_views import PENDING_UPLOAD_KEY
    from kpcs.statistics.models import ReportingDeadline, Submission

    year = dt.datetime.now(tz=dt.UTC).year - 1
    for period in ("Q1", "H1"):
        ReportingDeadline.objects.create(year=year, period=period, due_date=dt.date(2999, 1, 1))
    botswana = Participant.objects.get(code="BWA")
    client.force_login(UserFactory(role="authority", participant=botswana))
    csv = (
        "participant,year,period,flow,partner,hs_code,carats,value_usd,certificates\n"
        f"BWA,{year},Q1,export,ZAF,7102.31,1000.00,150000.00,2\n"
    )
    upload = io.BytesIO((csv + "\n" * 3000).encode())
    upload.name = "statistics.csv"
    with disk_with_room(100):
        response = client.post("/en/submissions/upload/", {"file": upload})
    assert response.status_code == 507, response.content.decode()[:2000]
    assert DISK_FULL in response.content.decode()
    assert PENDING_UPLOAD_KEY not in client.session
    assert not Submission.objects.exists()
    assert files_under(media) == []


# --- Peer review: evidence files and annual report documents ---------------------------------


def test_evidence_files_on_a_disk_that_fills_up_at_the_second_leave_neither_rows_nor_files(
    media,
) -> None:
    from kpcs.reviews.models import EvidenceFile, RecommendationUpdate
    from kpcs.reviews.services.recommendations import recommendation_respond
    from kpcs.reviews.tests.factories_followup import recommendation, visit_world
    from kpcs.reviews.tests.factories_papers import pdf_upload

    world = visit_world()
    rec = recommendation(world.visit)
    first, second = pdf_upload("first.pdf"), pdf_upload("second.pdf", size=50_000)
    with disk_with_room(first.size + 1000) as disk, pytest.raises(OSError) as excinfo:
        recommendation_respond(
            actor=world.authority, recommendation=rec, text="Done.", files=[first, second]
        )
    assert excinfo.value.errno == errno.ENOSPC
    assert len(disk.partial_writes) == 2  # the first file was stored in full, then removed
    assert not RecommendationUpdate.objects.exists()
    assert not EvidenceFile.objects.exists()
    assert files_under(media) == []


def test_a_finding_with_evidence_on_a_full_disk_is_not_filed(media) -> None:
    from kpcs.reviews.models import EvidenceFile, Finding, RequirementArea
    from kpcs.reviews.services import working_papers
    from kpcs.reviews.tests.factories_papers import papers_world, pdf_upload

    world = papers_world()
    with disk_with_room(10) as _disk, pytest.raises(OSError):
        working_papers.finding_create(
            actor=world.member,
            visit=world.visit,
            area=RequirementArea.STATISTICS,
            rating="partly_met",
            text="Quarterly figures were revised twice.",
            files=[pdf_upload("a.pdf"), pdf_upload("b.pdf")],
        )
    assert not Finding.objects.exists()
    assert not EvidenceFile.objects.exists()
    assert files_under(media) == []


def test_an_annual_report_document_on_a_full_disk_keeps_the_report_as_it_was(media) -> None:
    import datetime as dt

    from kpcs.reviews.models import AnnualReport
    from kpcs.reviews.services.annual_reports import annual_report_save
    from kpcs.reviews.tests.factories_annual import pdf

    participant = ParticipantFactory()
    authority = UserFactory(role="authority", participant=participant)
    today, year = dt.date(2026, 5, 4), 2025
    report = annual_report_save(
        actor=authority,
        participant=participant,
        year=year,
        values={"legislation": "Act."},
        document=pdf("first.pdf"),
        today=today,
    )
    kept = files_under(media)
    assert len(kept) == 1
    with disk_with_room(10), pytest.raises(OSError):
        annual_report_save(
            actor=authority,
            participant=participant,
            year=year,
            values={"legislation": "Changed."},
            document=pdf("second.pdf"),
            today=today,
        )
    report = AnnualReport.objects.get()
    # Nothing of the refused save: the old text, the old document, which is still there.
    assert report.legislation == "Act."
    assert report.document_name == "first.pdf"
    assert files_under(media) == kept
    assert report.document.storage.exists(report.document.name)


# --- A real full disk ---------------------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path, settings):
    """A 1 MB tmpfs as MEDIA_ROOT; skipped where mounting is not allowed (not root)."""
    mountpoint = tmp_path / "tiny-disk"
    mountpoint.mkdir()
    done = subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(mountpoint)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode})")
    settings.MEDIA_ROOT = mountpoint
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)  # noqa: S603,S607


@pytest.mark.parametrize("size", [2 * 1024 * 1024, 3 * 1024 * 1024])
def test_an_upload_larger_than_a_real_full_disk_is_refused_and_the_disk_left_empty(
    client, issuer_user, tiny_disk, size
) -> None:
    # 2 MB arrives in memory; 3 MB in a temporary file of its own (FILE_UPLOAD_MAX_MEMORY_SIZE),
    # which the storage copies across file systems: both ways fill the disk.
    client.force_login(issuer_user)
    response = client.post(
        "/en/certificates/upload/", {"kind": "certificates", "file": certificates_csv(size)}
    )
    assert response.status_code == 507
    assert DISK_FULL in response.content.decode()
    assert not CertificateUpload.objects.exists()
    assert files_under(tiny_disk) == []
    # And the disk takes a file that fits, afterwards.
    response = client.post(
        "/en/certificates/upload/", {"kind": "certificates", "file": certificates_csv(10_000)}
    )
    assert response.status_code in (200, 302), response.content.decode()[:1000]
    upload = CertificateUpload.objects.get()
    assert (tiny_disk / upload.file.name).stat().st_size == 10_000
