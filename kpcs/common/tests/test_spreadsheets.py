"""Every export shares one rule: a text cell a spreadsheet would run as a formula is written
with a leading apostrophe; other text and empty values pass unchanged."""

from __future__ import annotations

import pytest

from kpcs.common.spreadsheets import neutralise, spreadsheet_cell


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tcmd", "\rcmd"]
)
def test_a_cell_that_would_run_as_a_formula_gets_an_apostrophe(text: str) -> None:
    assert neutralise(text) == "'" + text
    assert spreadsheet_cell(text) == "'" + text


@pytest.mark.parametrize(("value", "cell"), [("Botswana", "Botswana"), (None, ""), (12, "12")])
def test_other_values_pass_unchanged(value: object, cell: str) -> None:
    assert spreadsheet_cell(value) == cell
