"""The source row kept with each imported line is the JSON array that ``json.dumps``
gives for its cells, however odd the cells' text (the reader builds it by hand, for
speed), and it reads back, under the batch's names, as the row keyed by the header."""

from __future__ import annotations

import json

from hypothesis import given, reject, settings
from hypothesis import strategies as st

from fsgrant.domain.text import source_fields_of
from fsgrant.errors import SourceError
from fsgrant.imports.mapping_presets import DEFAULT_MAPPING
from fsgrant.imports.row_rules import LedgerRules
from fsgrant.imports.rows import RowReader, cells_json, source_field_names

COLUMNS = ["date", "amount", "category"]
# Any text: quotes, back-slashes, control characters, non-Latin scripts, lone
# surrogates (a decoding error may leave one in a cell).
TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)


def reader(extra: list[str]) -> RowReader:
    rules = LedgerRules(["staffing"], [], [], {})
    return RowReader(DEFAULT_MAPPING, COLUMNS + extra, rules, source="x.csv", header_line=1)


def keyed_by_header(header: list[str], cells: list[str]) -> dict[str, str]:
    """The row keyed by the header as fsgrant 0.1 stored it: an empty name as
    ``column N``, a repeated one as ``NAME (2)``, a cell past the header as ``column N``."""
    names = source_field_names(header + [""] * (len(cells) - len(header)))
    return dict(zip(names, cells, strict=False))


@settings(max_examples=300, deadline=None)
@given(
    extra=st.lists(TEXT, max_size=4),
    cells=st.lists(TEXT, min_size=0, max_size=10),
)
def test_the_source_row_is_the_json_array_of_its_cells_and_reads_back_keyed(extra, cells):
    try:
        r = reader(extra)
    except SourceError as exc:
        # An extra column that repeats a mapped one ("Category") is refused: not this test.
        if "columns named" not in exc.message:
            raise
        reject()
    got = cells_json(cells)
    assert got == json.dumps(cells, ensure_ascii=False, separators=(",", ":"))
    # Read back under the batch's names, it is the row keyed by the header: every cell
    # under its name, none lost.
    back = source_fields_of(json.loads(got), r.field_names)
    assert back == keyed_by_header(COLUMNS + extra, cells)
    assert list(back.values()) == cells


def test_a_repeated_or_empty_name_and_a_row_longer_than_the_header():
    r = reader(["Note", "", "Note"])
    cells = ["04/02/2020", "1.00", "staffing", 'a "b"', "c", "d", "e"]
    assert cells_json(cells) == '["04/02/2020","1.00","staffing","a \\"b\\"","c","d","e"]'
    assert source_fields_of(json.loads(cells_json(cells)), r.field_names) == {
        "date": "04/02/2020",
        "amount": "1.00",
        "category": "staffing",
        "Note": 'a "b"',
        "column 5": "c",
        "Note (2)": "d",
        "column 7": "e",
    }


def test_a_cell_past_the_header_is_named_as_the_header_would_have_named_it():
    # The header already has a "column 4": the cell past it must not take that name.
    names = source_field_names(["a", "", "b", "column 4"])
    assert names == ["a", "column 2", "b", "column 4"]
    assert source_fields_of(["1", "2", "3", "4", "5"], names) == {
        "a": "1",
        "column 2": "2",
        "b": "3",
        "column 4": "4",
        "column 5": "5",
    }
    # A short row keeps what it has.
    assert source_fields_of(["1"], names) == {"a": "1"}
