"""The source row kept with each imported line is the JSON that ``json.dumps`` gives
for the row keyed by the header, however odd the header's names or the cells' text
(the reader builds it by hand, from the header's keys encoded once, for speed)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from fsgrant.formats.mapping_presets import DEFAULT_MAPPING
from fsgrant.formats.row_rules import LedgerRules
from fsgrant.formats.rows import RowReader, source_field_names

COLUMNS = ["date", "amount", "category"]
# Any text: quotes, back-slashes, control characters, non-Latin scripts, lone
# surrogates (a decoding error may leave one in a cell).
TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)


def reader(extra: list[str]) -> RowReader:
    rules = LedgerRules(["staffing"], [], [], {})
    return RowReader(DEFAULT_MAPPING, COLUMNS + extra, rules, source="x.csv", header_line=1)


def reference(header: list[str], cells: list[str]) -> str:
    names = source_field_names(header + [""] * (len(cells) - len(header)))
    return json.dumps(
        dict(zip(names, cells, strict=False)), ensure_ascii=False, separators=(",", ":")
    )


@settings(max_examples=300, deadline=None)
@given(
    extra=st.lists(TEXT, max_size=4),
    cells=st.lists(TEXT, min_size=0, max_size=10),
)
def test_the_source_row_is_the_json_of_the_row_keyed_by_the_header(extra, cells):
    r = reader(extra)
    got = r._source_json(cells)
    assert got == reference(COLUMNS + extra, cells)
    # And it reads back as the row: every cell under its name, none lost.
    back = json.loads(got)
    assert list(back.values()) == cells


def test_a_repeated_or_empty_name_and_a_row_longer_than_the_header():
    r = reader(["Note", "", "Note"])
    got = json.loads(r._source_json(["04/02/2020", "1.00", "staffing", 'a "b"', "c", "d", "e"]))
    assert got == {
        "date": "04/02/2020",
        "amount": "1.00",
        "category": "staffing",
        "Note": 'a "b"',
        "column 5": "c",
        "Note (2)": "d",
        "column 7": "e",
    }
