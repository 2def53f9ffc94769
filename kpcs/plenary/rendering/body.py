"""The body text of a plenary document, parsed into blocks that the PDF (and the public page)
lay out. The syntax is deliberately small, so translators can keep it intact:

- a blank line separates blocks;
- a line starting with `#` is a heading, `##` (or more) a subheading; it needs no blank
  line around it;
- consecutive lines starting with `|` form a table, cells split by `|`; when the second row is
  a rule of dashes (`|---|---|`, as in Markdown) the first row is the header;
- every other block is a paragraph, numbered 1., 2., … through the whole document (headings
  and tables do not interrupt the numbering); single line breaks inside it are kept.

Nothing in the text is markup: it is escaped wherever it is shown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_RULE_CELL = re.compile(r"^\s*:?-{1,}:?\s*$")
_WEIGHT_WIDE = frozenset({"W", "F"})


@dataclass(frozen=True)
class Heading:
    level: int  # 1 for `#`, 2 for `##` and deeper
    text: str
    anchor: str  # unique within the document: h1, h2, …

    kind = "heading"


@dataclass(frozen=True)
class Paragraph:
    number: int
    lines: tuple[str, ...]

    kind = "paragraph"

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...] | None
    rows: tuple[tuple[str, ...], ...]

    kind = "table"


Block = Heading | Paragraph | Table


@dataclass
class Body:
    blocks: list[Block] = field(default_factory=list)

    @property
    def headings(self) -> list[Heading]:
        return [block for block in self.blocks if isinstance(block, Heading)]

    @property
    def paragraph_count(self) -> int:
        return sum(1 for block in self.blocks if isinstance(block, Paragraph))


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner.removeprefix("|")
    inner = inner.removesuffix("|")
    return [cell.strip() for cell in inner.split("|")]


def _table(lines: list[str]) -> Table:
    rows = [_cells(line) for line in lines]
    header: list[str] | None = None
    if len(rows) >= 2 and all(_RULE_CELL.match(cell) for cell in rows[1] if cell):
        header = rows[0]
        rows = rows[2:]
    width = max([len(row) for row in rows] + [len(header or [])])

    def pad(row: list[str]) -> tuple[str, ...]:
        return tuple(row + [""] * (width - len(row)))

    return Table(header=pad(header) if header is not None else None, rows=tuple(map(pad, rows)))


def parse_body(text: str, *, anchor_prefix: str = "") -> Body:
    """The blocks of a body text. `anchor_prefix` keeps heading anchors unique when several
    documents share one HTML file (a meeting pack)."""
    body = Body()
    number = 0
    headings = 0
    paragraph: list[str] = []
    table: list[str] = []

    def flush() -> None:
        nonlocal number
        if paragraph:
            number += 1
            body.blocks.append(Paragraph(number=number, lines=tuple(paragraph)))
            paragraph.clear()
        if table:
            body.blocks.append(_table(table))
            table.clear()

    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            marks = len(line) - len(line.lstrip("#"))
            title = line[marks:].strip()
            if title:
                headings += 1
                body.blocks.append(
                    Heading(
                        level=1 if marks == 1 else 2,
                        text=title,
                        anchor=f"{anchor_prefix}h{headings}",
                    )
                )
        elif line.startswith("|"):
            if paragraph:
                flush()
            table.append(line)
        else:
            if table:
                flush()
            paragraph.append(line)
    flush()
    return body


def display_width(text: str) -> int:
    """How wide a text sets, in Latin-letter widths: CJK ideographs and full-width forms count
    twice. Used to estimate a document's length before it is laid out."""
    return sum(2 if unicodedata.east_asian_width(ch) in _WEIGHT_WIDE else 1 for ch in text)


def text_direction(text: str) -> str:
    """ "rtl" when the first letter with a strong direction is right-to-left (Arabic, Hebrew),
    else "ltr": for texts whose language is not recorded (review reports)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"
