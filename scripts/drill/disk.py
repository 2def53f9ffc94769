"""Drill group "disk": a full disk while files are uploaded.

MEDIA_ROOT is a real 1 MB tmpfs mounted for the drill (which needs root, as in a container or
a CI job run with sudo); where mounting is not allowed the disk is simulated instead: the
storage may write 64 KB for real and is then refused with ENOSPC (as in
tests/faults/test_full_disk.py). A certificates file larger than the disk is uploaded through
the page and the API: each must answer 507 saying the server is out of disk space, register
no upload and leave no file, whole or partial, on the disk; a file that fits is then stored
complete.
"""

from __future__ import annotations

import errno
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from drill import Drill, scenario

DISK_FULL = "The server is out of disk space"
HEADER = b"number,issuing_participant,destination,issue_date,expiry_date,carats,value_usd\n"


def _csv(size: int) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "certificates.csv", HEADER + b"#" * (size - len(HEADER)), content_type="text/csv"
    )


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@contextmanager
def _tiny_disk(folder: Path) -> Iterator[tuple[Path, str]]:
    """(MEDIA_ROOT, how the disk is full): a real tmpfs when it can be mounted."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(folder)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode == 0:
        try:
            yield folder, "a real 1 MB tmpfs"
        finally:
            subprocess.run(["umount", "-l", str(folder)], check=False)  # noqa: S603,S607
        return
    reason = mounted.stderr.strip() or f"mount exited {mounted.returncode}"
    with _simulated_full_disk(room=64 * 1024):
        yield folder, f"simulated (cannot mount a tmpfs here: {reason})"


@contextmanager
def _simulated_full_disk(*, room: int) -> Iterator[None]:
    from kpcs.common import storage

    real_open = storage._open_for_writing

    class Filling:
        """A file on a disk with `room` bytes free (freed again when the file is deleted)."""

        def __init__(self, real: Any) -> None:
            self.real = real
            self.room = room

        def write(self, data: Any) -> int:
            data = bytes(data)
            if len(data) > self.room:
                self.real.write(data[: self.room])
                self.room = 0
                raise OSError(errno.ENOSPC, "No space left on device")
            self.room -= len(data)
            return int(self.real.write(data))

        def flush(self) -> None:
            self.real.flush()

        def fileno(self) -> int:
            return int(self.real.fileno())

        def __enter__(self) -> Filling:
            return self

        def __exit__(self, *exc: Any) -> None:
            self.real.close()

    with mock.patch.object(storage, "_open_for_writing", lambda path: Filling(real_open(path))):
        yield


@scenario("disk")
def full_disk_while_uploading(drill: Drill) -> None:
    from django.test import Client, override_settings
    from rest_framework.test import APIClient

    from kpcs.accounts.tests.factories import UserFactory
    from kpcs.certificates.models import CertificateUpload
    from kpcs.participants.tests.factories import ParticipantFactory

    participant: Any = ParticipantFactory()
    authority: Any = UserFactory(role="authority", participant=participant, username="drill-disk")
    uploads = CertificateUpload.objects.filter(participant=participant)
    with _tiny_disk(drill.log_dir / "tiny-disk") as (media, how):
        drill.check("the disk", True, how)
        with override_settings(MEDIA_ROOT=media):
            page = Client()
            page.force_login(authority)
            response = page.post(
                "/en/certificates/upload/", {"kind": "certificates", "file": _csv(2 * 1024 * 1024)}
            )
            drill.check(
                "a 2 MB file through the page: 507 'out of disk space'",
                response.status_code == 507 and DISK_FULL in response.content.decode(),
                f"HTTP {response.status_code}",
            )
            # 3 MB arrives in a temporary file of its own, copied across file systems onto
            # the tmpfs; the simulation only fills files the storage writes itself (2 MB).
            size = 3 if how.startswith("a real") else 2
            api = APIClient()
            api.force_authenticate(authority)
            answer = api.post(
                "/api/v1/certificates/uploads/",
                {"kind": "certificates", "file": _csv(size * 1024 * 1024)},
                format="multipart",
            )
            body = answer.content.decode()
            drill.check(
                f"a {size} MB file through the API: 507 insufficient_storage",
                answer.status_code == 507 and '"insufficient_storage"' in body,
                f"HTTP {answer.status_code} {body[:120]}",
            )
            drill.check("no upload registered", not uploads.exists())
            left = _files(media)
            drill.check(
                "no file, whole or partial, left on the disk",
                left == [],
                ", ".join(str(p.relative_to(media)) for p in left),
            )
            response = page.post(
                "/en/certificates/upload/", {"kind": "certificates", "file": _csv(10_000)}
            )
            stored = uploads.first()
            drill.check(
                "a 10 KB file afterwards is stored complete",
                response.status_code in (200, 302)
                and stored is not None
                and (media / str(stored.file.name)).stat().st_size == 10_000,
                f"HTTP {response.status_code}",
            )
