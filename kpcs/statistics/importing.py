"""Reading statistics files (CSV, XLSX) into rows, and the secretariat's historical import.

`statistics_file_read` turns a file into the plain row dicts every entry path validates
(kpcs.statistics.validation); `statistics_import` validates a whole file and stores it as
accepted historical submissions in one transaction, or stores nothing.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Field, Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kpcs.common import audit
from kpcs.common.uploads import ZipBombError, zip_bomb_text, zip_unpacked_check
from kpcs.participants.models import Participant
from kpcs.statistics.models import (
    Dataset,
    ProductionRecord,
    Release,
    Submission,
    SubmissionRevision,
    SubmissionTransition,
    TradeRecord,
)
from kpcs.statistics.publication import latest_release, release_publish
from kpcs.statistics.revisions import trade_row_key
from kpcs.statistics.validation import (
    ERROR,
    PRODUCTION,
    CleanRow,
    Finding,
    StatisticsRejected,
    ValidationContext,
    header_findings,
    located,
    validate_rows,
)

Row = dict[str, Any]

# A statistics file of every participant's quarterly trade since 2003 is a few tens of MB;
# anything far larger is not a statistics file and would only fill the memory.
MAX_FILE_BYTES = 200 * 1024 * 1024
HISTORICAL_IMPORT_COMMENT = "historical import"
IN_PROGRESS = (Submission.Status.DRAFT, Submission.Status.SUBMITTED, Submission.Status.QUERIED)

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and other OLE documents)


class StatisticsFileError(StatisticsRejected):
    """The file could not be read as a statistics file."""


class StatisticsImportError(StatisticsRejected):
    """The rows were refused; nothing was stored."""


def _file_error(rule: str, text: str, row_number: int | None = None) -> StatisticsFileError:
    return StatisticsFileError(
        [Finding(rule, ERROR, row_number, "", located(row_number, "", text))]
    )


# --- Reading -----------------------------------------------------------------------------------


def statistics_file_read(path_or_file: str | Path | IO[bytes], filename: str) -> list[Row]:
    """The data rows of a `.csv` or `.xlsx` statistics file, as dicts keyed by column name
    (header names stripped and lower-cased; cells beyond the named columns under the key "").

    Blank rows stay in the list so row numbers match the file (header = row 1, rows[i] is
    row i + 2); trailing blank rows are dropped. Raises StatisticsFileError, with a message
    naming the problem, for anything that is not a readable statistics file: wrong type,
    not UTF-8, empty, or a header without the FORMATS.md §1 columns."""
    data = _read_bytes(path_or_file)
    suffix = Path(filename).suffix.lower()
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise _file_error("empty_file", _("The file %(name)s is empty.") % {"name": filename})
    if suffix == ".xlsx":
        header, rows = _xlsx_rows(data, filename)
    elif suffix in (".csv", ".txt", ""):
        if data.startswith(_ZIP_MAGIC):
            raise _file_error(
                "not_csv",
                _(
                    "%(name)s is a ZIP archive (perhaps an XLSX workbook), not a CSV text "
                    "file; upload a workbook with the .xlsx extension, or save it as CSV UTF-8."
                )
                % {"name": filename},
            )
        header, rows = _csv_rows(data, filename)
    elif suffix in (".xls", ".ods", ".numbers"):
        raise _file_error(
            "unsupported_format",
            _(
                "%(name)s is not a format the system reads; save it as an Excel workbook "
                "(.xlsx) or as CSV UTF-8 (.csv)."
            )
            % {"name": filename},
        )
    else:
        raise _file_error(
            "unsupported_format",
            _("%(name)s is neither a .csv nor an .xlsx file.") % {"name": filename},
        )
    findings = header_findings(header)
    if findings:
        raise StatisticsFileError(findings)
    while rows and not any(_filled(v) for v in rows[-1].values()):
        rows.pop()
    if not rows:
        raise _file_error(
            "no_rows",
            _("%(name)s has a header but no data rows.") % {"name": filename},
        )
    return rows


def _read_bytes(path_or_file: str | Path | IO[bytes]) -> bytes:
    if isinstance(path_or_file, str | Path):
        path = Path(path_or_file)
        if not path.exists():
            raise _file_error("file_missing", _("There is no file %(path)s.") % {"path": path})
        if not path.is_file():
            raise _file_error(
                "file_missing", _("%(path)s is a folder, not a file.") % {"path": path}
            )
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _file_too_large()
        return path.read_bytes()
    if hasattr(path_or_file, "seek"):
        path_or_file.seek(0)
    data = path_or_file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _file_too_large()
    return data if isinstance(data, bytes) else bytes(data)


def _file_too_large() -> StatisticsFileError:
    return _file_error(
        "file_too_large",
        _("The file is larger than %(size)s MB; split it by year.")
        % {"size": MAX_FILE_BYTES // (1024 * 1024)},
    )


def _filled(value: Any) -> bool:
    if isinstance(value, list):
        return any(_filled(v) for v in value)
    return value is not None and str(value).strip() != ""


def _normalised_header(cells: Iterable[Any]) -> list[str]:
    names = ["" if c is None else str(c).strip().lower() for c in cells]
    while names and not names[-1]:
        names.pop()
    return names


def _as_dicts(header: list[str], records: Iterable[Sequence[Any]]) -> list[Row]:
    """Rows as dicts; cells under a blank header name or beyond the header go under ""."""
    named = [(i, name) for i, name in enumerate(header) if name]
    names = [name for _i, name in named]
    width = len(header)
    unnamed = [i for i, name in enumerate(header) if not name]
    rows: list[Row] = []
    append = rows.append
    for cells in records:
        if len(cells) == width and not unnamed:  # the usual case, made cheap
            append(dict(zip(names, cells)))  # noqa: B905 - lengths checked above
            continue
        row: Row = {name: cells[i] if i < len(cells) else "" for i, name in named}
        extra = [cells[i] for i in unnamed if i < len(cells)] + list(cells[width:])
        if extra:
            row[""] = extra
        append(row)
    return rows


def _csv_rows(data: bytes, filename: str) -> tuple[list[str], list[Row]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _file_error(
            "encoding",
            _("%(name)s is encoded in UTF-16; save it as CSV UTF-8.") % {"name": filename},
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _file_error(
            "encoding",
            _(
                "the file is not UTF-8 (byte 0x%(byte)02X cannot be read); save it as "
                "CSV UTF-8, which every spreadsheet program offers."
            )
            % {"byte": data[exc.start]},
            row_number=line,
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise _file_error(
            "csv_syntax",
            _("the file is not valid CSV (%(reason)s).") % {"reason": exc},
            row_number=reader.line_num,
        ) from exc
    if not records:
        raise _file_error("empty_file", _("The file %(name)s is empty.") % {"name": filename})
    return _normalised_header(records[0]), _as_dicts(_normalised_header(records[0]), records[1:])


def _xlsx_rows(data: bytes, filename: str) -> tuple[list[str], list[Row]]:
    from openpyxl import load_workbook

    not_xlsx = _file_error(
        "not_xlsx",
        _(
            "%(name)s is not an Excel workbook (.xlsx); save it from the spreadsheet program "
            "as “Excel Workbook (.xlsx)” or as CSV UTF-8."
        )
        % {"name": filename},
    )
    if data.startswith(_OLE_MAGIC):
        raise _file_error(
            "not_xlsx",
            _(
                "%(name)s is an old-style Excel file (.xls) renamed .xlsx; save it as “Excel "
                "Workbook (.xlsx)” or as CSV UTF-8."
            )
            % {"name": filename},
        )
    if not data.startswith(_ZIP_MAGIC):
        raise not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise not_xlsx from exc
    if "xl/workbook.xml" not in names:
        raise _file_error(
            "not_xlsx",
            _(
                "%(name)s is a ZIP archive but not an Excel workbook (it has no workbook "
                "inside); upload the .xlsx file itself."
            )
            % {"name": filename},
        )
    try:
        # openpyxl would unpack a ZIP bomb's gigabytes of XML into memory.
        zip_unpacked_check(io.BytesIO(data), size=len(data))
    except ZipBombError as exc:
        raise _file_error("zip_bomb", zip_bomb_text(filename, exc)) from exc
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise not_xlsx from exc
    try:
        if not workbook.worksheets:
            raise _file_error("empty_file", _("%(name)s has no worksheet.") % {"name": filename})
        sheet = workbook.worksheets[0]
        records = sheet.iter_rows(values_only=True)
        header_cells = next(records, None)
        if header_cells is None or not any(_filled(c) for c in header_cells):
            raise _file_error(
                "empty_file",
                _("The first worksheet of %(name)s is empty (the header goes in row 1).")
                % {"name": filename},
            )
        header = _normalised_header(header_cells)
        hs_index = header.index("hs_code") if "hs_code" in header else -1
        rows = _as_dicts(header, (_xlsx_cells(r, hs_index) for r in records))
    except StatisticsFileError:
        raise
    except Exception as exc:  # a damaged sheet shows up only while reading it
        raise not_xlsx from exc
    finally:
        workbook.close()
    return header, rows


def _xlsx_cells(cells: Sequence[Any], hs_index: int) -> list[Any]:
    # A spreadsheet turns 7102.10 typed in a cell into the number 7102.1.
    if 0 <= hs_index < len(cells) and isinstance(cells[hs_index], float):
        cells = list(cells)
        cells[hs_index] = f"{cells[hs_index]:.2f}"
    return list(cells)


# --- Importing ---------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What a historical import did."""

    rows: int = 0
    submissions_created: int = 0
    submissions_updated: int = 0
    submissions_unchanged: int = 0
    rows_created: int = 0
    rows_updated: int = 0
    rows_deleted: int = 0
    rows_unchanged: int = 0
    warnings: list[Finding] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.submissions_created or self.submissions_updated)

    def summary(self) -> str:
        parts = [
            ngettext("%(count)d row read", "%(count)d rows read", self.rows) % {"count": self.rows},
            _("submissions: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
            % {
                "created": self.submissions_created,
                "updated": self.submissions_updated,
                "unchanged": self.submissions_unchanged,
            },
            _(
                "figures: %(created)d rows created, %(updated)d changed, %(deleted)d removed, "
                "%(unchanged)d unchanged"
            )
            % {
                "created": self.rows_created,
                "updated": self.rows_updated,
                "deleted": self.rows_deleted,
                "unchanged": self.rows_unchanged,
            },
            ngettext("%(count)d warning", "%(count)d warnings", len(self.warnings))
            % {"count": len(self.warnings)},
        ]
        if self.releases:
            parts.append(
                _("releases published: %(releases)s")
                % {"releases": ", ".join(f"{r.year}/{r.number}" for r in self.releases)}
            )
        else:
            parts.append(_("no release published"))
        return "; ".join(parts) + "."


SubmissionKey = tuple[int, int, str, str]


def statistics_import(
    *, rows: Sequence[Row], actor: Any = None, publish: bool = False, note: str = ""
) -> ImportReport:
    """Store historical statistics as accepted submissions, or store nothing.

    Every row is validated first (kpcs.statistics.validation); on any error, or when a
    submission the file touches is being worked on by its participant (draft, submitted,
    queried), StatisticsImportError carries every finding and nothing is written. Otherwise,
    in one transaction, each (participant, year, dataset, period) in the file becomes an
    accepted historical submission whose figures are exactly the file's rows for it (rows
    the file no longer has are removed). Idempotent: a submission whose figures already match
    is left untouched (no revision, no transition). A created or changed submission gets a
    revision; a published one that changes goes back to accepted. With `publish`, each year
    the file touches is published (kpcs.statistics.publication.release_publish) when it has
    no release yet or the file left a submission of it accepted but not published."""
    result = validate_rows(rows, context=ValidationContext())
    report = ImportReport(rows=len(result.rows), warnings=result.warnings)
    groups: dict[SubmissionKey, list[CleanRow]] = defaultdict(list)
    for row in result.rows:
        groups[row.submission_key].append(row)

    try:
        with transaction.atomic():
            existing = _existing_submissions(groups)
            busy = [
                _in_progress_finding(groups[key][0], submission)
                for key, submission in existing.items()
                if submission.status in IN_PROGRESS
            ]
            if busy or not result.is_valid:
                raise StatisticsImportError(
                    sorted([*busy, *result.findings], key=lambda f: f.row_number or 0)
                )
            _write(groups=groups, existing=existing, actor=actor, note=note, report=report)
            if publish:
                report.releases = _publish(groups=groups, existing=existing, actor=actor, note=note)
    except IntegrityError as exc:
        # Another import or a participant created one of these submissions meanwhile.
        raise StatisticsImportError(
            [
                Finding(
                    "concurrent_change",
                    ERROR,
                    None,
                    "",
                    _(
                        "The statistics changed while the file was imported; nothing was "
                        "stored. Import the file again."
                    ),
                )
            ]
        ) from exc
    return report


def _existing_submissions(
    groups: dict[SubmissionKey, list[CleanRow]],
) -> dict[SubmissionKey, Submission]:
    participants = {key[0] for key in groups}
    years = {key[1] for key in groups}
    candidates = Submission.objects.filter(
        participant_id__in=participants, year__in=years
    ).values_list("pk", "participant_id", "year", "dataset", "period")
    wanted = [pk for pk, *key in candidates if tuple(key) in groups]
    # Locked, so a participant cannot move one of them while the import writes.
    locked = Submission.objects.select_for_update().filter(pk__in=wanted).order_by("pk")
    return {(s.participant_id, s.year, s.dataset, s.period): s for s in locked}


def _in_progress_finding(row: CleanRow, submission: Submission) -> Finding:
    text = _(
        "%(code)s's %(dataset)s submission for %(year)s %(period)s is %(status)s: the "
        "participant is working on it, and a historical import does not overwrite it."
    ) % {
        "code": row.participant,
        "dataset": submission.get_dataset_display(),
        "year": submission.year,
        "period": submission.period,
        "status": submission.get_status_display(),
    }
    return Finding(
        "submission_in_progress",
        ERROR,
        row.row_number,
        "period",
        located(row.row_number, "period", text),
    )


@dataclass
class _Plan:
    """What the import has to write: the differences between the file and what is stored."""

    new: list[tuple[SubmissionKey, Submission]] = field(default_factory=list)
    changed: list[tuple[SubmissionKey, Submission]] = field(default_factory=list)
    production_create: list[tuple[SubmissionKey, CleanRow]] = field(default_factory=list)
    production_update: list[ProductionRecord] = field(default_factory=list)
    trade_create: list[tuple[SubmissionKey, CleanRow]] = field(default_factory=list)
    trade_update: list[TradeRecord] = field(default_factory=list)
    trade_delete: list[int] = field(default_factory=list)


def _plan(
    *,
    groups: dict[SubmissionKey, list[CleanRow]],
    existing: dict[SubmissionKey, Submission],
    report: ImportReport,
) -> _Plan:
    """Compare the file with the stored figures of the submissions it touches (two queries)
    and count what changes in `report`."""
    ids = [s.pk for s in existing.values()]
    stored_production = {
        submission_id: (pk, carats, value)
        for pk, submission_id, carats, value in ProductionRecord.objects.filter(
            submission_id__in=ids
        ).values_list("pk", "submission_id", "carats", "value_usd")
    }
    stored_trade: dict[int, dict[tuple[str, int | None, str], tuple[int, Any, Any, int]]] = (
        defaultdict(dict)
    )
    for pk, submission_id, flow, partner_id, hs, carats, value, certificates in (
        TradeRecord.objects.filter(submission_id__in=ids)
        .order_by()
        .values_list(
            "pk",
            "submission_id",
            "flow",
            "partner_id",
            "hs_code",
            "carats",
            "value_usd",
            "certificates",
        )
    ):
        stored_trade[submission_id][(flow, partner_id, hs)] = (pk, carats, value, certificates)

    plan = _Plan()
    for key, rows in groups.items():
        submission = existing.get(key)
        if submission is None:
            participant_id, year, dataset, period = key
            plan.new.append(
                (
                    key,
                    Submission(
                        participant_id=participant_id,
                        year=year,
                        dataset=dataset,
                        period=period,
                        status=Submission.Status.ACCEPTED,
                        historical=True,
                    ),
                )
            )
            report.rows_created += len(rows)
            continue
        before = (report.rows_created, report.rows_updated, report.rows_deleted)
        if key[2] == Dataset.PRODUCTION:
            row = rows[0]  # one production row per submission (its natural key says so)
            stored = stored_production.get(submission.pk)
            if stored is None:
                plan.production_create.append((key, row))
                report.rows_created += 1
            elif (stored[1], stored[2]) != (row.carats, row.value_usd):
                plan.production_update.append(
                    ProductionRecord(pk=stored[0], carats=row.carats, value_usd=row.value_usd)
                )
                report.rows_updated += 1
            else:
                report.rows_unchanged += 1
        else:
            stored_rows = stored_trade.get(submission.pk, {})
            seen = set()
            for row in rows:
                natural = (row.flow, row.partner_id, row.hs_code)
                seen.add(natural)
                old = stored_rows.get(natural)
                if old is None:
                    plan.trade_create.append((key, row))
                    report.rows_created += 1
                elif (old[1], old[2], old[3]) != (row.carats, row.value_usd, row.certificates):
                    assert row.certificates is not None  # validation requires it for trade
                    plan.trade_update.append(
                        TradeRecord(
                            pk=old[0],
                            carats=row.carats,
                            value_usd=row.value_usd,
                            certificates=row.certificates,
                        )
                    )
                    report.rows_updated += 1
                else:
                    report.rows_unchanged += 1
            gone = [old[0] for natural, old in stored_rows.items() if natural not in seen]
            plan.trade_delete.extend(gone)
            report.rows_deleted += len(gone)
        if before != (report.rows_created, report.rows_updated, report.rows_deleted):
            plan.changed.append((key, submission))
        else:
            report.submissions_unchanged += 1
    report.submissions_created = len(plan.new)
    report.submissions_updated = len(plan.changed)
    return plan


def _write(
    *,
    groups: dict[SubmissionKey, list[CleanRow]],
    existing: dict[SubmissionKey, Submission],
    actor: Any,
    note: str,
    report: ImportReport,
) -> None:
    """Write what differs, in bulk: a constant number of statements whatever the size."""
    plan = _plan(groups=groups, existing=existing, report=report)
    now = timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    comment = f"{HISTORICAL_IMPORT_COMMENT}: {note}" if note else HISTORICAL_IMPORT_COMMENT

    before = {s.pk: audit.snapshot(s) for _key, s in plan.changed}
    for _key, submission in plan.new:
        submission.accepted_at = now
        submission.accepted_by = user
    Submission.objects.bulk_create([s for _key, s in plan.new], batch_size=2000)
    existing.update(plan.new)
    reopened = [s for _key, s in plan.changed if s.status == Submission.Status.PUBLISHED]
    for submission in reopened:  # its published figures are no longer what it holds
        submission.status = Submission.Status.ACCEPTED
        submission.published_at = None
    for _key, submission in plan.changed:
        submission.accepted_at = now
        submission.accepted_by = user
        submission.updated_at = now
    Submission.objects.bulk_update(
        [s for _key, s in plan.changed],
        ["status", "published_at", "accepted_at", "accepted_by", "updated_at"],
        batch_size=2000,
    )

    new_production = [(key, groups[key][0]) for key, _s in plan.new if key[2] == Dataset.PRODUCTION]
    ProductionRecord.objects.bulk_create(
        [
            ProductionRecord(
                submission_id=existing[key].pk, carats=row.carats, value_usd=row.value_usd
            )
            for key, row in new_production + plan.production_create
        ],
        batch_size=5000,
    )
    ProductionRecord.objects.bulk_update(
        plan.production_update, ["carats", "value_usd"], batch_size=2000
    )
    if plan.trade_delete:
        TradeRecord.objects.filter(pk__in=plan.trade_delete).delete()
    TradeRecord.objects.bulk_update(
        plan.trade_update, ["carats", "value_usd", "certificates"], batch_size=2000
    )
    created: dict[int, list[CleanRow]] = {
        existing[key].pk: groups[key] for key, _s in plan.new if key[2] == Dataset.TRADE
    }
    for key, row in plan.trade_create:
        created.setdefault(existing[key].pk, []).append(row)
    _trade_copy(created)

    SubmissionTransition.objects.bulk_create(
        [
            SubmissionTransition(
                submission=submission,
                from_status="",
                to_status=Submission.Status.ACCEPTED,
                actor=user,
                comment=comment,
            )
            for _key, submission in plan.new
        ]
        + [
            SubmissionTransition(
                submission=submission,
                from_status=Submission.Status.PUBLISHED,
                to_status=Submission.Status.ACCEPTED,
                actor=user,
                comment=comment,
            )
            for submission in reopened
        ],
        batch_size=2000,
    )
    _revisions_record(
        [(submission, groups[key]) for key, submission in plan.new + plan.changed], user=user
    )
    _trail_record(plan=plan, groups=groups, before=before, user=user, comment=comment)


def _trail_record(
    *,
    plan: _Plan,
    groups: dict[SubmissionKey, list[CleanRow]],
    before: dict[int, dict[str, Any]],
    user: Any,
    comment: str,
) -> None:
    """One trail entry per created or changed submission, inserted in bulk; the figures
    themselves are in the revision written beside it."""
    touched = [s for _key, s in plan.new + plan.changed]
    participants = Participant.objects.in_bulk({s.participant_id for s in touched})
    for submission in touched:  # for the entries' names, without a query each
        submission.participant = participants[submission.participant_id]

    def figures(key: SubmissionKey) -> dict[str, list[Any]]:
        count = len(groups[key])
        return {"figures": [None, f"{count} row(s) from the file, kept as a new revision"]}

    audit.record_many(
        actor=user,
        action="create",
        changes_by_instance=[
            (s, audit.diff({}, audit.snapshot(s)) | figures(key)) for key, s in plan.new
        ],
        reason=comment,
    )
    audit.record_many(
        actor=user,
        action="update",
        changes_by_instance=[
            (s, audit.diff(before[s.pk], audit.snapshot(s)) | figures(key))
            for key, s in plan.changed
        ],
        reason=comment,
    )


def _copy(model: type[Model], fields: Sequence[str], values: Iterable[Sequence[Any]]) -> None:
    """Insert rows with PostgreSQL COPY: for a 100,000-row file, bulk_create's quoting of
    every value on the client costs more than everything else the import does."""
    opts = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(field.column)
        for field in (opts.get_field(name) for name in fields)
        if isinstance(field, Field) and field.column
    )
    statement = f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in values:
            copy.write_row(row)


def _trade_copy(rows_by_submission: dict[int, list[CleanRow]]) -> None:
    _copy(
        TradeRecord,
        ("submission", "flow", "partner", "hs_code", "carats", "value_usd", "certificates"),
        (
            (
                submission_id,
                row.flow,
                row.partner_id,
                row.hs_code,
                row.carats,
                row.value_usd,
                row.certificates,
            )
            for submission_id, rows in rows_by_submission.items()
            for row in rows
        ),
    )


def _figures(rows: Sequence[CleanRow]) -> dict[str, Any]:
    """The figures as kpcs.statistics.revisions.figures_of gives them for stored records
    (values as text with two decimals), built from the rows that are now stored."""
    production = None
    trade: dict[str, Any] = {}
    for row in rows:
        if row.flow == PRODUCTION:
            production = {"carats": f"{row.carats:.2f}", "value_usd": f"{row.value_usd:.2f}"}
        else:
            trade[trade_row_key(row.flow, row.partner, row.hs_code)] = {
                "carats": f"{row.carats:.2f}",
                "value_usd": f"{row.value_usd:.2f}",
                "certificates": row.certificates,
            }
    return {"production": production, "trade": trade}


def _revisions_record(changes: list[tuple[Submission, Sequence[CleanRow]]], *, user: Any) -> None:
    """One new revision per created or changed submission, in bulk: revision_record's
    snapshot, without its three queries per submission."""
    if not changes:
        return
    last = dict(
        SubmissionRevision.objects.filter(submission__in=[s for s, _rows in changes])
        .values("submission_id")
        .annotate(last=Max("number"))
        .values_list("submission_id", "last")
        .order_by()
    )
    now = timezone.now()
    _copy(
        SubmissionRevision,
        ("submission", "number", "status", "created_at", "created_by", "figures"),
        (
            (
                submission.pk,
                last.get(submission.pk, 0) + 1,
                submission.status,
                now,
                user.pk if user is not None else None,
                json.dumps(_figures(rows)),
            )
            for submission, rows in changes
        ),
    )


def _publish(
    *,
    groups: dict[SubmissionKey, list[CleanRow]],
    existing: dict[SubmissionKey, Submission],
    actor: Any,
    note: str,
) -> list[Release]:
    years = sorted({key[1] for key in groups})
    unpublished_years = set(
        Submission.objects.filter(
            pk__in=[existing[key].pk for key in groups], status=Submission.Status.ACCEPTED
        )
        .values_list("year", flat=True)
        .distinct()
    )
    releases = []
    for year in years:
        if year in unpublished_years or latest_release(year=year) is None:
            releases.append(
                release_publish(year=year, note=note or HISTORICAL_IMPORT_COMMENT, actor=actor)
            )
    return releases
