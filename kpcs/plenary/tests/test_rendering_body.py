"""The body syntax of plenary documents (no PDF is rendered here)."""

from __future__ import annotations

from kpcs.plenary.rendering.body import (
    Heading,
    Paragraph,
    Table,
    display_width,
    parse_body,
    text_direction,
)


def test_paragraphs_separated_by_a_blank_line_are_numbered_through_the_document():
    body = parse_body("# One\n\nFirst.\n\nSecond,\nsame paragraph.\n\n## Two\n\nThird.")

    paragraphs = [block for block in body.blocks if isinstance(block, Paragraph)]
    assert [p.number for p in paragraphs] == [1, 2, 3]
    assert paragraphs[1].lines == ("Second,", "same paragraph.")


def test_hash_lines_are_headings_and_subheadings_with_unique_anchors():
    body = parse_body("# Scope\nText under it.\n## Detail\n### Deeper", anchor_prefix="doc2-")

    assert body.headings == [
        Heading(level=1, text="Scope", anchor="doc2-h1"),
        Heading(level=2, text="Detail", anchor="doc2-h2"),
        Heading(level=2, text="Deeper", anchor="doc2-h3"),
    ]
    # A heading needs no blank line before the paragraph that follows it.
    assert isinstance(body.blocks[1], Paragraph)


def test_pipe_lines_form_a_table_with_a_header_when_a_rule_follows_the_first_row():
    body = parse_body("Before.\n| Code | Name |\n|---|:---:|\n| BWA | Botswana |\n| RUS |\nAfter.")

    kinds = [block.kind for block in body.blocks]
    assert kinds == ["paragraph", "table", "paragraph"]
    table = body.blocks[1]
    assert isinstance(table, Table)
    assert table.header == ("Code", "Name")
    assert table.rows == (("BWA", "Botswana"), ("RUS", ""))
    # Tables do not take a paragraph number.
    assert [b.number for b in body.blocks if isinstance(b, Paragraph)] == [1, 2]


def test_a_table_without_a_rule_has_no_header_row():
    table = parse_body("| a | b |\n| c | d |").blocks[0]

    assert isinstance(table, Table)
    assert table.header is None
    assert table.rows == (("a", "b"), ("c", "d"))


def test_markup_is_kept_as_text_and_windows_line_endings_are_blank_lines_too():
    body = parse_body("<script>alert(1)</script>\r\n\r\n<b>bold</b>")

    assert [b.text for b in body.blocks if isinstance(b, Paragraph)] == [
        "<script>alert(1)</script>",
        "<b>bold</b>",
    ]


def test_empty_body_has_no_blocks():
    assert parse_body("").blocks == []
    assert parse_body("\n\n  \n").blocks == []


def test_chinese_sets_twice_as_wide_and_arabic_text_reads_right_to_left():
    assert display_width("全体会议") == 8
    assert display_width("Plenary") == 7
    assert text_direction("  1. يقرر الاجتماع") == "rtl"
    assert text_direction("The Plenary") == "ltr"
    assert text_direction("2026") == "ltr"
