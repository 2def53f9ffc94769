"""Reading certificate and confirmation files as a stream of rows, and storing a validated
batch whole or not at all.

A national system may send a month, or the secretariat twenty years, as one file: nothing
here holds the whole file in memory. Readers yield one row dict at a time (CSV through the
csv module, XLSX through openpyxl's read-only mode). The import takes rows in batches of
`chunk_size` (20,000): a file that fits in one batch is validated as it is; a larger one is
first copied into a temporary table and read back sorted by issuer and number, so that the
rows of one certificate (or the repeats of a number) always meet in the same batch, whatever
their places in the file. Each batch is validated against the reference data read once and
the stored certificates it names (looked up per batch), and written with PostgreSQL COPY.
The caller holds one transaction around everything: a finding in any batch stops the writing,
the remaining batches are still checked so that the report names every bad row, and the
transaction is rolled back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Field, Model
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kpcs.certificates.models import (
    Certificate,
    CertificateAlert,
    CertificateLine,
    ImportConfirmation,
)
from kpcs.certificates.validation import (
    CERTIFICATE_COLUMNS,
    CONFIRMATION_COLUMNS,
    CertificateValidationError,
    CertificateValidator,
    CleanCertificate,
    CleanConfirmation,
    ConfirmationValidator,
    Finding,
    Key,
)
from kpcs.common.uploads import ZipBombError, zip_bomb_text, zip_unpacked_check

Row = dict[str, Any]
NumberedRow = tuple[int, Mapping[str, Any]]
Progress = Callable[[int, int, str], None]

DEFAULT_CHUNK_SIZE = 20_000
# A report longer than this helps nobody: the first ten thousand problems show what is wrong.
MAX_FINDINGS = 10_000

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and other OLE documents)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class CertificateFileError(CertificateValidationError):
    """The file cannot be read as a certificate or confirmation file."""


def _file_error(code: str, text: str, row: int | None = None) -> CertificateFileError:
    return CertificateFileError([Finding(row, "", code, text)])


# --- Reading -------------------------------------------------------------------------------------


def certificate_file_read(path_or_file: str | Path | IO[bytes], filename: str) -> Iterator[Row]:
    """The data rows of a certificates file (FORMATS.md §2), `.csv` or `.xlsx`, one dict at a
    time, keyed by column name (names stripped and lower-cased; cells without a column name
    under the key ""). Blank rows are yielded as empty dicts so that the n-th row yielded is
    file row n + 1 (the header is row 1).

    The file is opened and its header checked at once: CertificateFileError, with a message
    naming the problem, for a wrong type, an encoding other than UTF-8, an empty file or a
    header without the FORMATS.md columns. A file damaged further down raises it while being
    read."""
    return _file_read(path_or_file, filename, CERTIFICATE_COLUMNS, _("certificates"))


def confirmation_file_read(path_or_file: str | Path | IO[bytes], filename: str) -> Iterator[Row]:
    """The data rows of an import confirmations file (FORMATS.md §3); as
    `certificate_file_read`."""
    return _file_read(path_or_file, filename, CONFIRMATION_COLUMNS, _("import confirmations"))


class _Raw(io.RawIOBase):
    """Any object with read(n) (an uploaded file, a storage file) as a raw binary stream, so
    that TextIOWrapper can decode it piece by piece."""

    def __init__(self, source: Any) -> None:
        self.source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.source.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        return size


def _open(path_or_file: str | Path | IO[bytes]) -> tuple[Any, bool]:
    """A binary stream at its start, and whether this module opened it (and closes it)."""
    if isinstance(path_or_file, str | Path):
        path = Path(path_or_file)
        if not path.exists():
            raise _file_error("file_missing", _("There is no file %(path)s.") % {"path": path})
        if not path.is_file():
            raise _file_error(
                "file_missing", _("%(path)s is a folder, not a file.") % {"path": path}
            )
        return path.open("rb"), True
    if hasattr(path_or_file, "seek"):
        path_or_file.seek(0)
    return path_or_file, False


def _file_read(
    path_or_file: str | Path | IO[bytes], filename: str, columns: Sequence[str], what: str
) -> Iterator[Row]:
    suffix = Path(filename).suffix.lower()
    if suffix in (".xls", ".ods", ".numbers"):
        raise _file_error(
            "unsupported_format",
            _(
                "%(name)s is not a format the system reads; save it as an Excel workbook "
                "(.xlsx) or as CSV UTF-8 (.csv)."
            )
            % {"name": filename},
        )
    if suffix not in (".csv", ".txt", ".xlsx", ""):
        raise _file_error(
            "unsupported_format",
            _("%(name)s is neither a .csv nor an .xlsx file.") % {"name": filename},
        )
    source, owned = _open(path_or_file)
    try:
        start = source.read(8)
        if hasattr(source, "seek"):
            source.seek(0)
            stream = source
        else:  # not seekable: put the bytes read back in front
            stream = _Prefixed(start, source)
        if suffix == ".xlsx":
            rows = _xlsx_rows(stream, start, filename, columns, what)
        else:
            rows = _csv_rows(stream, start, filename, columns, what)
        # Everything up to the first data row is read now, so that a file without any is
        # refused before the caller starts working.
        ahead: list[Row] = []
        for row in rows:
            ahead.append(row)
            if row:
                break
        else:
            raise _file_error(
                "no_rows",
                _("%(name)s has a header but no data rows.") % {"name": filename},
            )
    except BaseException:
        if owned:
            source.close()
        raise
    return _chained(ahead, rows, source if owned else None)


def _chained(ahead: list[Row], rest: Iterator[Row], owned: Any) -> Iterator[Row]:
    try:
        yield from ahead
        yield from rest
    finally:
        if owned is not None:
            owned.close()


class _Prefixed:
    def __init__(self, prefix: bytes, source: Any) -> None:
        self.prefix = prefix
        self.source = source

    def read(self, size: int = -1) -> bytes:
        if self.prefix:
            data, self.prefix = self.prefix, b""
            if size < 0:
                return data + self.source.read()
            if len(data) >= size:
                data, self.prefix = data[:size], data[size:]
                return data
            return data + self.source.read(size - len(data))
        return self.source.read(size)


def _header(cells: Iterable[Any]) -> list[str]:
    names = ["" if c is None else str(c).strip().lower().lstrip("\ufeff") for c in cells]
    while names and not names[-1]:
        names.pop()
    return names


def _header_check(header: list[str], columns: Sequence[str], filename: str, what: str) -> None:
    names = [name for name in header if name]
    missing = [column for column in columns if column not in names]
    repeated = sorted({name for name in names if name in columns and names.count(name) > 1})
    if missing:
        unexpected = [name for name in names if name not in columns]
        if not names:
            text = _("%(name)s has no header row (expected the columns %(expected)s).")
        elif len(names) == 1 and ";" in names[0]:
            text = _(
                "the header of %(name)s is separated by semicolons; the file must be comma "
                "separated (columns: %(expected)s)."
            )
        elif unexpected:
            text = _(
                "the header of %(name)s lacks the columns %(missing)s and has columns the "
                "%(what)s format does not know: %(unexpected)s (expected: %(expected)s)."
            )
        else:
            text = _(
                "the header of %(name)s lacks the columns %(missing)s (expected: %(expected)s)."
            )
        raise _file_error(
            "header",
            text
            % {
                "name": filename,
                "what": what,
                "missing": ", ".join(missing),
                "unexpected": ", ".join(n if len(n) <= 40 else n[:37] + "…" for n in unexpected),
                "expected": ", ".join(columns),
            },
            row=1,
        )
    if repeated:
        raise _file_error(
            "header",
            _("the header names the column %(columns)s more than once.")
            % {"columns": ", ".join(repeated)},
            row=1,
        )


def _as_dicts(header: list[str], records: Iterable[Sequence[Any]]) -> Iterator[Row]:
    """Records as dicts; cells under a blank header name or beyond the header go under ""."""
    named = [(i, name) for i, name in enumerate(header) if name]
    names = [name for _i, name in named]
    width = len(header)
    unnamed = [i for i, name in enumerate(header) if not name]
    for cells in records:
        if len(cells) == width and not unnamed:  # the usual case, made cheap
            yield dict(zip(names, cells, strict=True))
            continue
        if not cells:
            yield {}
            continue
        row: Row = {name: cells[i] if i < len(cells) else "" for i, name in named}
        extra = [cells[i] for i in unnamed if i < len(cells)] + list(cells[width:])
        if any(e not in (None, "") for e in extra):
            row[""] = extra
        yield row


def _csv_rows(
    stream: Any, start: bytes, filename: str, columns: Sequence[str], what: str
) -> Iterator[Row]:
    if not start.strip(b"\xef\xbb\xbf \t\r\n"):
        raise _file_error("empty_file", _("The file %(name)s is empty.") % {"name": filename})
    if start.startswith(_UTF16_BOMS):
        raise _file_error(
            "encoding",
            _("%(name)s is encoded in UTF-16; save it as CSV UTF-8.") % {"name": filename},
        )
    if start.startswith(_ZIP_MAGIC):
        raise _file_error(
            "not_csv",
            _(
                "%(name)s is a ZIP archive (perhaps an XLSX workbook), not a CSV text file; "
                "upload a workbook with the .xlsx extension, or save it as CSV UTF-8."
            )
            % {"name": filename},
        )
    text = io.TextIOWrapper(
        io.BufferedReader(_Raw(stream), buffer_size=1 << 16),
        encoding="utf-8-sig",
        newline="",
    )
    reader = csv.reader(text, strict=True)

    def records() -> Iterator[list[str]]:
        try:
            yield from reader
        except UnicodeDecodeError as exc:
            raise _file_error(
                "encoding",
                _(
                    "%(name)s is not UTF-8 (byte 0x%(byte)02X near row %(row)s cannot be read); "
                    "save it as CSV UTF-8, which every spreadsheet program offers."
                )
                % {"name": filename, "byte": exc.object[exc.start], "row": reader.line_num + 1},
            ) from exc
        except csv.Error as exc:
            raise _file_error(
                "csv_syntax",
                _("%(name)s is not valid CSV near row %(row)s (%(reason)s).")
                % {"name": filename, "row": reader.line_num, "reason": exc},
            ) from exc

    lines = records()
    first = next(lines, None)
    if first is None:
        raise _file_error("empty_file", _("The file %(name)s is empty.") % {"name": filename})
    header = _header(first)
    _header_check(header, columns, filename, what)
    return _as_dicts(header, lines)


def _xlsx_cell(value: Any) -> Any:
    """A spreadsheet cell as the text a CSV would hold."""
    if value is None or value.__class__ is str:
        return value or ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _xlsx_rows(
    stream: Any, start: bytes, filename: str, columns: Sequence[str], what: str
) -> Iterator[Row]:
    from openpyxl import load_workbook

    not_xlsx = _file_error(
        "not_xlsx",
        _(
            "%(name)s is not an Excel workbook (.xlsx); save it from the spreadsheet program as "
            "“Excel Workbook (.xlsx)” or as CSV UTF-8."
        )
        % {"name": filename},
    )
    if not start:
        raise _file_error("empty_file", _("The file %(name)s is empty.") % {"name": filename})
    if start.startswith(_OLE_MAGIC):
        raise _file_error(
            "not_xlsx",
            _(
                "%(name)s is an old-style Excel file (.xls) renamed .xlsx; save it as “Excel "
                "Workbook (.xlsx)” or as CSV UTF-8."
            )
            % {"name": filename},
        )
    if not start.startswith(_ZIP_MAGIC):
        raise not_xlsx
    if not hasattr(stream, "seek"):  # openpyxl needs to jump about in the ZIP archive
        stream = io.BytesIO(stream.read())
    try:
        # openpyxl would unpack a ZIP bomb's gigabytes of XML into memory.
        zip_unpacked_check(stream)
    except ZipBombError as exc:
        raise _file_error("zip_bomb", zip_bomb_text(filename, exc)) from exc
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise not_xlsx from exc
    try:
        if not workbook.worksheets:
            raise _file_error("empty_file", _("%(name)s has no worksheet.") % {"name": filename})
        records = workbook.worksheets[0].iter_rows(values_only=True)
        header_cells = next(records, None)
        if header_cells is None or not any(c not in (None, "") for c in header_cells):
            raise _file_error(
                "empty_file",
                _("The first worksheet of %(name)s is empty (the header goes in row 1).")
                % {"name": filename},
            )
        header = _header(header_cells)
        _header_check(header, columns, filename, what)
    except BaseException:
        workbook.close()
        raise
    hs_index = header.index("hs_code") if "hs_code" in header else -1

    def cells() -> Iterator[list[Any]]:
        try:
            for record in records:
                values = [_xlsx_cell(v) for v in record]
                # A spreadsheet turns 7102.10 typed in a cell into the number 7102.1.
                if 0 <= hs_index < len(record) and isinstance(record[hs_index], float):
                    values[hs_index] = f"{record[hs_index]:.2f}"
                while values and values[-1] == "":
                    values.pop()
                yield values
        except CertificateFileError:
            raise
        except Exception as exc:  # a damaged sheet shows up only while reading it
            raise not_xlsx from exc
        finally:
            workbook.close()

    return _as_dicts(header, cells())


# --- Batches -------------------------------------------------------------------------------------


def _key(row: Mapping[str, Any]) -> Key:
    issuer = row.get("issuing_participant")
    number = row.get("certificate_number")
    return (
        issuer.strip().upper() if isinstance(issuer, str) else str(issuer or "").upper(),
        number.strip().upper() if isinstance(number, str) else str(number or "").upper(),
    )


@dataclass
class _Batches:
    """Numbered rows in batches in which the rows of one key are together (see the module's
    docstring). `total` is the number of rows once known."""

    rows: Iterable[Mapping[str, Any]]
    columns: Sequence[str]
    chunk_size: int
    total: int = 0

    def __iter__(self) -> Iterator[tuple[list[NumberedRow], Key | None]]:
        numbered = enumerate(self.rows, start=2)
        first = list(itertools.islice(numbered, self.chunk_size + 1))
        if len(first) <= self.chunk_size:
            self.total = len(first)
            if first:
                yield first, None
            return
        yield from self._staged(itertools.chain(first, numbered))

    def _staged(
        self, numbered: Iterator[NumberedRow]
    ) -> Iterator[tuple[list[NumberedRow], Key | None]]:
        table = "kpcs_certificate_rows_stage"
        cells = ", ".join(f"c{i} text" for i in range(len(self.columns)))
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {table} (row_number integer, k1 text, k2 text, "
                f"{cells}, extra text[]) ON COMMIT DROP"
            )
            count = 0
            columns = self.columns
            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for number, row in numbered:
                    values = [row.get(c) for c in columns]
                    if not all(v.__class__ is str for v in values):
                        values = ["" if v is None else str(v) for v in values]
                    extra = row.get("")
                    if not any(values) and not extra:
                        continue  # a blank row: nothing to check, its number is kept by others
                    issuer, num = _key(row)
                    copy.write_row(
                        (
                            number,
                            issuer,
                            num,
                            *values,
                            [str(e) for e in extra] if extra else None,
                        )
                    )
                    count += 1
            self.total = count
        raw = connection.connection
        assert raw is not None
        names = ", ".join(f"c{i}" for i in range(len(self.columns)))
        batch: list[NumberedRow] = []
        batch_key: Key | None = None
        continued: Key | None = None
        try:
            with raw.cursor(name="kpcs_certificate_rows_read") as reader:
                reader.itersize = 5000
                reader.execute(
                    f"SELECT row_number, k1, k2, {names}, extra FROM {table} "  # noqa: S608 - our own temporary table
                    "ORDER BY k1, k2, row_number"
                )
                for record in reader:
                    key = (record[1], record[2])
                    if len(batch) >= self.chunk_size and (
                        key != batch_key or len(batch) >= 2 * self.chunk_size
                    ):
                        # Cut between certificates; within one only when a single number has
                        # more rows than two batches hold (an error then anyway).
                        yield batch, continued
                        continued = batch_key if key == batch_key else None
                        batch = []
                    staged: Row = dict(zip(self.columns, record[3:-1], strict=True))
                    if record[-1]:
                        staged[""] = record[-1]
                    batch.append((record[0], staged))
                    batch_key = key
            if batch:
                yield batch, continued
        finally:
            # ON COMMIT DROP removes it at the end of the transaction; dropped now too for a
            # caller that imports twice in one transaction. A failed transaction has lost it.
            try:
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP TABLE IF EXISTS {table}")
            except DatabaseError:
                pass


class _Findings:
    """Every finding of an import, at most MAX_FINDINGS of them kept."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = MAX_FINDINGS if limit is None else limit
        self.kept: list[Finding] = []
        self.total = 0

    def add(self, findings: Sequence[Finding]) -> None:
        self.total += len(findings)
        room = self.limit - len(self.kept)
        if room > 0:
            self.kept.extend(findings[:room])

    def raise_if_any(self, *, rows: int) -> None:
        if not self.total:
            return
        kept = sorted(self.kept, key=lambda f: f.row or 0)
        if self.total > len(kept):
            kept.append(
                Finding(
                    None,
                    "",
                    "more_findings",
                    ngettext(
                        "%(count)d more problem was found; correct these and send the file "
                        "again to see it.",
                        "%(count)d more problems were found; correct these and send the file "
                        "again to see them.",
                        self.total - len(kept),
                    )
                    % {"count": self.total - len(kept)},
                )
            )
        raise CertificateValidationError(kept, total=self.total, rows=rows)


def _no_rows() -> CertificateValidationError:
    return CertificateValidationError(
        [Finding(None, "", "no_rows", _("There is nothing to record: there are no data rows."))]
    )


def _tick(progress: Progress | None, done: int, total: int, message: str) -> None:
    if progress is not None:
        progress(done, max(total, done), message)


# --- Certificates ------------------------------------------------------------------------------


@dataclass
class CertificateImportReport:
    """What a certificates import did: data rows read, certificates created, certificates
    already recorded identically (left as they were), lines created."""

    rows: int = 0
    created: int = 0
    unchanged: int = 0
    lines: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created)

    def summary(self) -> str:
        if not self.created and self.unchanged:
            return ngettext(
                "%(rows)d row read; nothing changed: its %(unchanged)d certificate was already "
                "recorded.",
                "%(rows)d rows read; nothing changed: all %(unchanged)d certificates were "
                "already recorded.",
                self.unchanged,
            ) % {"rows": self.rows, "unchanged": self.unchanged}
        return _(
            "%(rows)d rows read: %(created)d certificates recorded (%(lines)d lines), "
            "%(unchanged)d already recorded."
        ) % {
            "rows": self.rows,
            "created": self.created,
            "lines": self.lines,
            "unchanged": self.unchanged,
        }


def certificate_rows_import(
    rows: Iterable[Mapping[str, Any]],
    *,
    validator: CertificateValidator,
    recorded_by_id: int | None,
    upload_id: int | None,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> CertificateImportReport:
    """Validate and store certificate rows batch by batch; raises CertificateValidationError
    with every finding (and stops writing at the first) when any row is wrong. The caller
    holds the transaction that makes it all or nothing."""
    report = CertificateImportReport()
    findings = _Findings()
    batches = _Batches(rows, CERTIFICATE_COLUMNS, chunk_size)
    now = timezone.now()
    done = 0
    for batch, continued in batches:
        check = validator.check(batch, continued=continued)
        report.rows += check.rows
        done += len(batch)
        findings.add(check.findings)
        if not findings.total:
            report.created += len(check.certificates)
            report.lines += _certificates_copy(
                check.certificates, now=now, recorded_by_id=recorded_by_id, upload_id=upload_id
            )
            report.unchanged += len(check.unchanged_ids)
        _tick(
            progress,
            done,
            batches.total,
            _("%(done)d of %(total)d rows checked") % {"done": done, "total": batches.total},
        )
    findings.raise_if_any(rows=report.rows)
    if not report.rows:
        raise _no_rows()
    return report


def _copy(model: type[Model], fields: Sequence[str], values: Iterable[Sequence[Any]]) -> None:
    """Insert rows with PostgreSQL COPY: for a million rows, bulk_create's quoting of every
    value on the client costs more than everything else the import does."""
    opts = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(field.column)
        for field in (opts.get_field(name) for name in fields)
        if isinstance(field, Field) and field.column
    )
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in values:
            copy.write_row(row)


def _ids_reserve(model: type[Model], count: int) -> list[int]:
    """`count` primary keys from the table's sequence, so that lines can be written (by COPY)
    with their certificate's id before anything is read back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [found[0] for found in cursor.fetchall()]


def _certificates_copy(
    certificates: Sequence[CleanCertificate],
    *,
    now: dt.datetime,
    recorded_by_id: int | None,
    upload_id: int | None,
) -> int:
    """Write new certificates and their lines; the number of lines written."""
    if not certificates:
        return 0
    ids = _ids_reserve(Certificate, len(certificates))
    issued = Certificate.Status.ISSUED.value
    _copy(
        Certificate,
        (
            "id",
            "issuing_participant",
            "number",
            "exporting_country",
            "destination_participant",
            "date_issued",
            "date_expiry",
            "origin",
            "exporter",
            "importer",
            "carats",
            "value_usd",
            "parcels",
            "status",
            "status_changed_at",
            "upload",
            "recorded_at",
            "recorded_by",
        ),
        (
            (
                pk,
                c.issuing_participant_id,
                c.number,
                c.exporting_country_id,
                c.destination_participant_id,
                c.date_issued,
                c.date_expiry,
                c.origin_id,
                c.exporter,
                c.importer,
                c.carats,
                c.value_usd,
                c.parcels,
                issued,
                now,
                upload_id,
                now,
                recorded_by_id,
            )
            for pk, c in zip(ids, certificates, strict=True)
        ),
    )
    lines = [(pk, line) for pk, c in zip(ids, certificates, strict=True) for line in c.lines]
    _copy(
        CertificateLine,
        ("certificate", "hs_code", "carats", "value_usd", "parcels"),
        ((pk, line.hs_code, line.carats, line.value_usd, line.parcels) for pk, line in lines),
    )
    return len(lines)


# --- Import confirmations ------------------------------------------------------------------------


@dataclass
class ConfirmationImportReport:
    """What a confirmations import did: data rows read, certificates confirmed, confirmations
    already recorded identically, confirmations flagged because the carats differ."""

    rows: int = 0
    confirmed: int = 0
    unchanged: int = 0
    flagged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.confirmed)

    def summary(self) -> str:
        if not self.confirmed and self.unchanged:
            return ngettext(
                "%(rows)d row read; nothing changed: its %(unchanged)d confirmation was already "
                "recorded.",
                "%(rows)d rows read; nothing changed: all %(unchanged)d confirmations were "
                "already recorded.",
                self.unchanged,
            ) % {"rows": self.rows, "unchanged": self.unchanged}
        return _(
            "%(rows)d rows read: %(confirmed)d certificates confirmed (%(flagged)d with carats "
            "that differ), %(unchanged)d already confirmed."
        ) % {
            "rows": self.rows,
            "confirmed": self.confirmed,
            "flagged": self.flagged,
            "unchanged": self.unchanged,
        }


def confirmation_rows_import(
    rows: Iterable[Mapping[str, Any]],
    *,
    validator: ConfirmationValidator,
    recorded_by_id: int | None,
    upload_id: int | None,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> ConfirmationImportReport:
    """Validate and store import confirmation rows batch by batch, as
    certificate_rows_import. A confirmed certificate moves to `confirmed` (an expired one
    too: the shipment did arrive, the confirmation came late); carats beyond the tolerance
    are flagged with an alert."""
    report = ConfirmationImportReport()
    findings = _Findings()
    batches = _Batches(rows, CONFIRMATION_COLUMNS, chunk_size)
    now = timezone.now()
    done = 0
    for batch, continued in batches:
        check = validator.check(batch, continued=continued)
        report.rows += check.rows
        done += len(batch)
        findings.add(check.findings)
        if not findings.total and check.confirmations:
            stale = _confirmations_store(
                check.confirmations, now=now, recorded_by_id=recorded_by_id, upload_id=upload_id
            )
            findings.add(stale)
            report.confirmed += len(check.confirmations)
            report.flagged += sum(1 for c in check.confirmations if c.carats_differ)
        report.unchanged += len(check.unchanged_ids)
        _tick(
            progress,
            done,
            batches.total,
            _("%(done)d of %(total)d rows checked") % {"done": done, "total": batches.total},
        )
    findings.raise_if_any(rows=report.rows)
    if not report.rows:
        raise _no_rows()
    return report


def _confirmations_store(
    confirmations: Sequence[CleanConfirmation],
    *,
    now: dt.datetime,
    recorded_by_id: int | None,
    upload_id: int | None,
) -> list[Finding]:
    """Write the confirmations, confirm their certificates and raise the carats alerts.
    Findings for certificates voided or confirmed meanwhile by someone else."""
    ids = [c.certificate_id for c in confirmations]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(Certificate._meta.db_table)} "  # noqa: S608 - the model's table
            "SET status = %s, status_changed_at = %s "
            "WHERE id = ANY(%s) AND status IN (%s, %s) RETURNING id",
            [
                Certificate.Status.CONFIRMED,
                now,
                ids,
                Certificate.Status.ISSUED,
                Certificate.Status.EXPIRED,
            ],
        )
        moved = {found[0] for found in cursor.fetchall()}
    if len(moved) != len(ids):
        return [
            Finding(
                c.row,
                "certificate_number",
                "certificate_changed",
                _(
                    "certificate %(number)s was voided or confirmed while this file was being "
                    "checked; send the file again."
                )
                % {"number": c.number},
            )
            for c in confirmations
            if c.certificate_id not in moved
        ]
    _copy(
        ImportConfirmation,
        (
            "certificate",
            "confirming_participant",
            "date_received",
            "carats",
            "carats_differ",
            "upload",
            "recorded_at",
            "recorded_by",
        ),
        (
            (
                c.certificate_id,
                c.confirming_participant_id,
                c.date_received,
                c.carats,
                c.carats_differ,
                upload_id,
                now,
                recorded_by_id,
            )
            for c in confirmations
        ),
    )
    flagged = [c for c in confirmations if c.carats_differ]
    if flagged:
        CertificateAlert.objects.bulk_create(
            [
                CertificateAlert(
                    certificate_id=c.certificate_id,
                    kind=CertificateAlert.Kind.CARATS_DIFFER,
                    message=carats_differ_message(c),
                )
                for c in flagged
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
    return []


def carats_differ_message(confirmation: CleanConfirmation) -> str:
    """What the alert says when the carats received differ from the certificate's."""
    received = confirmation.carats
    stated = confirmation.certificate_carats
    change = (received - stated) / stated * 100
    values = {
        "number": confirmation.number,
        "received": formats.number_format(received, 2, use_l10n=True, force_grouping=True),
        "stated": formats.number_format(stated, 2, use_l10n=True, force_grouping=True),
        "change": formats.number_format(abs(change), 1, use_l10n=True),
        "tolerance": formats.number_format(
            settings.CERTIFICATE_CARATS_TOLERANCE * 100, 1, use_l10n=True
        ),
        "date": confirmation.date_received.isoformat(),
    }
    if received > stated:
        text = _(
            "The importing authority received %(received)s carats on %(date)s under certificate "
            "%(number)s, which states %(stated)s carats: %(change)s %% more, beyond the "
            "%(tolerance)s %% tolerance. Check the shipment and the certificate."
        )
    else:
        text = _(
            "The importing authority received %(received)s carats on %(date)s under certificate "
            "%(number)s, which states %(stated)s carats: %(change)s %% less, beyond the "
            "%(tolerance)s %% tolerance. Check the shipment and the certificate."
        )
    return text % values
