"""Cells of the files people open in spreadsheet programs (CSV, XLSX). A spreadsheet runs a
cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or carriage return) as a
formula, so every text cell that starts with one gets a leading apostrophe (OWASP "CSV
injection"). One rule for every export of every app."""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """The text as a spreadsheet will show it and never evaluate it."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def spreadsheet_cell(value: Any) -> str:
    """Any value as a text cell that is never evaluated (None is an empty cell)."""
    return neutralise("" if value is None else str(value))
