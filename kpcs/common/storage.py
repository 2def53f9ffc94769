"""File storage that never leaves a partial file under a real name.

Django's FileSystemStorage writes straight into the final file: when the disk fills up (or
the process dies) halfway, a truncated file stays under the name, and a later upload or a
row saved by mistake would point at it. Here each file is written under a hidden temporary
name in the same folder, flushed to the disk (fsync) and only then linked to its final name
in one step; on any failure the temporary file is removed and the error goes up (the caller's
transaction is rolled back and OutageMiddleware answers 507 for a full disk).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from typing import Any, BinaryIO

from django.core.files.storage import FileSystemStorage
from django.core.files.storage.filesystem import safe_makedirs  # type: ignore[attr-defined]

# Hidden, so listings of upload folders (e.g. the statistics import's pending files) never
# offer a file that is still being written.
TEMPORARY_PREFIX = ".partial-"


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        if self.directory_permissions_mode is not None:
            safe_makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)
        full_path = self._save_complete(name, content, directory)
        _fsync_directory(os.path.dirname(full_path))
        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        name = os.path.relpath(full_path, self.location)
        getattr(self, "_ensure_location_group_id", lambda path: None)(full_path)
        return str(name).replace("\\", "/")

    def _save_complete(self, name: str, content: Any, directory: str) -> str:
        # A finished file on disk already (a large upload, a built PDF): link it into place
        # when it is on the same file system; otherwise copy it like any other content.
        if hasattr(content, "temporary_file_path"):
            source = content.temporary_file_path()
            try:
                _fsync_file(source)
                return self._publish_as_free_name(name, source)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
        temporary = os.path.join(directory, f"{TEMPORARY_PREFIX}{secrets.token_hex(8)}")
        try:
            with _open_for_writing(temporary) as out:
                for chunk in content.chunks():
                    out.write(chunk.encode() if isinstance(chunk, str) else chunk)
                out.flush()
                os.fsync(out.fileno())
            return self._publish_as_free_name(name, temporary)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)

    def _publish_as_free_name(self, name: str, source: str) -> str:
        full_path = self.path(name)
        while True:
            try:
                _publish(source, full_path, overwrite=getattr(self, "_allow_overwrite", False))
                return full_path
            except FileExistsError:
                name = self.get_available_name(name)
                full_path = self.path(name)


def _open_for_writing(path: str) -> BinaryIO:
    """A new file, 0o666 less the umask (as FileSystemStorage creates them)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    return os.fdopen(os.open(path, flags, 0o666), "wb")


def _publish(temporary: str, final: str, *, overwrite: bool) -> None:
    """Give the complete file its final name in one step."""
    if overwrite:
        os.replace(temporary, final)
        return
    try:
        # link() refuses a name that is taken (FileExistsError), where rename() would replace.
        os.link(temporary, final)
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        # A filesystem without hard links: check, then rename (a narrow race, as in Django).
        if os.path.lexists(final):
            raise FileExistsError(final) from exc
        os.rename(temporary, final)


_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS}


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(directory: str) -> None:
    """Make the new name itself durable (a crash after the rename must not lose it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
