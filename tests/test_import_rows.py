"""Importing plain rows (``fs.imports.import_rows``): the engine's public API for rows
a program already holds, which must import exactly as a file of the same rows would.

The grant: 2019/20 from 1 August 2019 (conftest's ``new_ledger``); fsgrant's own
columns unless a test gives a mapping.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest

from fsgrant.errors import InvalidInput, SourceError
from fsgrant.imports import ExtractMapping, plain_extract

HEADER = ["date", "amount", "category", "supplier", "description"]
ROWS = [
    ["2019-09-02", "1,250.00", "staffing", "", "Practitioner, September"],
    ["2019-09-16", "480.50", "training", "MI Training Ltd", "Motivational interviewing"],
    ["2019-10-01", "75.25", "other", "Stationers", "Case files"],
]
# 1,250.00 + 480.50 + 75.25 = 1,805.75
TOTAL = Decimal("1805.75")


@pytest.fixture
def led(new_ledger):
    return new_ledger()


def test_rows_import_and_the_same_rows_again_add_nothing(led):
    first = led.imports.import_rows([HEADER, *ROWS], name="feed-september")
    assert (first.rows_read, first.rows_added, first.total_added) == (3, 3, TOTAL)
    assert first.file_name == "feed-september"
    lines = led.imports.lines(first.batch_id)
    assert [(x.date, x.amount, x.category) for x in lines] == [
        (date(2019, 9, 2), Decimal("1250.00"), "staffing"),
        (date(2019, 9, 16), Decimal("480.50"), "training"),
        (date(2019, 10, 1), Decimal("75.25"), "other"),
    ]
    assert lines[1].supplier == "MI Training Ltd"
    again = led.imports.import_rows(iter([HEADER, *ROWS]), name="feed-september")
    assert (again.rows_added, again.rows_duplicate) == (0, 3)
    assert (again.batch_id, again.already_imported_as) == (None, first.batch_id)
    assert sum(x.amount for x in led.spend.list()) == TOTAL


def test_mappings_with_typed_values_are_the_same_rows(led):
    """The digest is over the cells as text: the same rows given as mappings with a
    date, a Decimal and None are recognised as already imported."""
    first = led.imports.import_rows([HEADER, *ROWS])
    as_maps = [
        {
            "date": date(2019, 9, 2),
            "amount": "1,250.00",
            "category": "staffing",
            "supplier": None,
            "description": "Practitioner, September",
        },
        {
            "date": "2019-09-16",
            "amount": Decimal("480.50"),
            "category": "training",
            "supplier": "MI Training Ltd",
            "description": "Motivational interviewing",
        },
        dict(zip(HEADER, ROWS[2], strict=True)),
    ]
    again = led.imports.import_rows(as_maps)
    assert again.already_imported_as == first.batch_id
    assert len(led.spend.list()) == 3


def test_rows_import_exactly_as_a_file_of_the_same_rows(led, tmp_path):
    """The same lines from a CSV file are duplicates of the rows' lines: one engine."""
    led.imports.import_rows([HEADER, *ROWS], name="feed")
    path = tmp_path / "same.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADER, *ROWS])
    result = led.imports.import_file(path)
    assert (result.rows_read, result.rows_added, result.rows_duplicate) == (3, 0, 3)


def test_a_float_is_refused_naming_its_line_and_column_and_nothing_is_stored(led):
    rows = [HEADER, ROWS[0], ["2019-09-16", 480.5, "training", "", ""]]
    with pytest.raises(SourceError) as caught:
        led.imports.import_rows(rows, name="feed")
    err = caught.value
    # The header is line 1, so the second row is line 3.
    assert (err.source, err.line, err.field) == ("feed", 3, "amount")
    assert "float" in err.reason
    assert led.spend.list() == []
    assert led.imports.list() == []


def test_bad_rows_skipped_go_to_the_rejects_file_with_their_lines(led, tmp_path):
    rows = [HEADER, ROWS[0], ["2019-09-16", "12.5.0", "training", "", ""], ROWS[2]]
    out = tmp_path / "feed-rejects.csv"
    result = led.imports.import_rows(rows, name="feed", skip_invalid=True, rejects=out)
    # 1,250.00 + 75.25 = 1,325.25
    assert (result.rows_added, result.rows_rejected, result.total_added) == (
        2,
        1,
        Decimal("1325.25"),
    )
    with out.open(encoding="utf-8") as f:
        rejected = list(csv.DictReader(f))
    assert [(r["source_line"], r["amount"]) for r in rejected] == [("3", "12.5.0")]


def test_a_mapping_and_filter_apply_to_rows_as_to_a_file(led):
    mapping = ExtractMapping.model_validate(
        {
            "columns": {
                "date": "Posting Date",
                "amount": "Amount",
                "reference": "Ref",
                "cost_centre": "Cost Centre",
            },
            "filter": {"cost_centres": ["FS100"]},
            "categories": {"default": "other"},
        }
    )
    rows = [
        {"Posting Date": "02/03/2020", "Amount": "100.00", "Ref": "T1", "Cost Centre": "FS100"},
        {"Posting Date": "03/03/2020", "Amount": "999.99", "Ref": "T2", "Cost Centre": "XX999"},
        {"Posting Date": "04/03/2020", "Amount": "20.01", "Ref": "T3", "Cost Centre": "FS100"},
    ]
    result = led.imports.import_rows(rows, mapping, name="api")
    # 100.00 + 20.01 = 120.01; T2 is another cost centre's.
    assert (result.rows_read, result.rows_added, result.rows_skipped) == (3, 2, 1)
    assert result.total_added == Decimal("120.01")


@pytest.mark.parametrize(
    ("rows", "fragment"),
    [
        ("date,amount,category", "rows must be an iterable of rows"),
        (b"date,amount", "rows must be an iterable of rows"),
        (12, "rows must be an iterable of rows"),
        ({"date": "2019-09-02"}, "rows must be an iterable of rows"),
    ],
)
def test_not_rows_is_invalid_input(led, rows, fragment):
    with pytest.raises(InvalidInput, match=fragment):
        led.imports.import_rows(rows)


@pytest.mark.parametrize(
    ("rows", "line", "field", "fragment"),
    [
        ([], None, None, "no header row"),
        ([["date", "category"]], 1, None, "no column 'amount'"),
        ([HEADER, "2019-09-02,1.00,other,,"], 2, None, "a sequence of cells was expected"),
        ([HEADER, [*ROWS[0][:4], True]], 2, "description", "true/false"),
        ([HEADER, [*ROWS[0][:4], object()]], 2, "description", "not a cell fsgrant reads"),
        ([HEADER, [*ROWS[0][:1], Decimal("NaN"), "other"]], 2, "amount", "is not a number"),
        ([[1, "amount", "category"]], 1, "column 1", "column name must be text"),
        (
            [dict(zip(HEADER, ROWS[0], strict=True)), {**dict.fromkeys(HEADER, ""), "cost": "1"}],
            3,
            "cost",
            "not a column of the first row",
        ),
        ([dict(zip(HEADER, ROWS[0], strict=True)), ROWS[1]], 3, None, "a mapping was expected"),
    ],
)
def test_bad_rows_are_refused_naming_line_and_field_storing_nothing(
    led, rows, line, field, fragment
):
    with pytest.raises(SourceError) as caught:
        led.imports.import_rows(rows, name="feed")
    err = caught.value
    assert (err.source, err.line, err.field) == ("feed", line, field)
    assert fragment in err.reason
    assert led.spend.list() == []


def test_an_empty_name_is_refused(led):
    with pytest.raises(InvalidInput, match="name must not be empty"):
        led.imports.import_rows([HEADER, *ROWS], name="  ")


def test_plain_extract_reads_the_lines_a_csv_would_number():
    extract = plain_extract([HEADER, *ROWS], ["date", "amount"], name="x")
    assert (extract.kind, extract.header_line, extract.header) == ("rows", 1, HEADER)
    assert [line for line, _ in extract.rows] == [2, 3, 4]
    assert len(extract.sha256) == 64
    unread = plain_extract([HEADER, *ROWS], ["date"], name="x")
    with pytest.raises(SourceError, match="stopped before the end"):
        _ = unread.sha256


def test_a_pattern_that_backtracks_is_stopped_and_the_row_refused(led, tmp_path):
    """(a|aa)+ passes the mapping's check for nested repeats, yet on a cell of sixty
    a's and a b it would try some 10**12 ways to split them: it runs under a time bound
    a cell, the row is refused naming the pattern, and (skipped) goes to the rejects."""
    from fsgrant.imports.row_rules import PATTERN_SECONDS

    mapping = ExtractMapping.model_validate(
        {
            "columns": {"date": "date", "amount": "amount", "reference": "ref"},
            "categories": {
                "default": "other",
                "rules": [{"column": "note", "matches": "(a|aa)+", "category": "training"}],
            },
        }
    )
    assert mapping.patterns() == ["(a|aa)+"]
    hostile = "a" * 60 + "b"
    rows = [
        ["date", "amount", "ref", "note"],
        ["2019-09-02", "10.00", "R1", "aaaa"],
        ["2019-09-03", "20.00", "R2", hostile],
        ["2019-09-04", "30.00", "R3", hostile],  # the same cell: not tried again
        ["2019-09-05", "40.00", "R4", "something else"],
    ]
    with pytest.raises(SourceError) as caught:
        led.imports.import_rows(rows, mapping, name="feed")
    assert (caught.value.line, caught.value.field) == (3, "note")
    assert f"'(a|aa)+' took over {PATTERN_SECONDS:g} s" in caught.value.reason
    assert led.spend.list() == []
    result = led.imports.import_rows(
        rows, mapping, name="feed", skip_invalid=True, rejects=tmp_path / "r.csv"
    )
    # 10.00 (rule: training) + 40.00 (default: other) = 50.00; lines 3 and 4 refused.
    assert (result.rows_added, result.rows_rejected, result.total_added) == (
        2,
        2,
        Decimal("50.00"),
    )
    assert [(x.amount, x.category) for x in led.spend.list()] == [
        (Decimal("10.00"), "training"),
        (Decimal("40.00"), "other"),
    ]


def test_the_mapping_check_says_patterns_run_under_a_time_bound(led, tmp_path):
    from typer.testing import CliRunner

    from fsgrant.cli import app

    toml = tmp_path / "m.toml"
    toml.write_text(
        '[columns]\ndate = "date"\namount = "amount"\n\n[categories]\ndefault = "other"\n'
        '[[categories.rules]]\ncolumn = "note"\nmatches = "TR-[0-9]+"\ncategory = "training"\n',
        encoding="utf-8",
    )
    extract = tmp_path / "a.csv"
    extract.write_text("date,amount,note\n2019-09-02,1.00,TR-7\n", encoding="utf-8")
    for args in (["mapping", "check", str(toml)], ["mapping", "check", str(toml), str(extract)]):
        r = CliRunner().invoke(app, ["--db", str(led.path), *args])
        assert r.exit_code == 0, r.output
        assert "Patterns: 'TR-[0-9]+'; each runs at most 0.25 s on a cell" in r.output


def test_a_pattern_slow_on_many_cells_stops_the_import(led, tmp_path, monkeypatch):
    """Skipped as invalid, each slow cell would cost the time bound: past a few, the
    import stops, storing nothing."""
    import fsgrant.imports.row_rules as row_rules

    monkeypatch.setattr(row_rules, "PATTERN_SECONDS", 0.01)
    monkeypatch.setattr(row_rules, "MAX_SLOW_CELLS", 3)
    mapping = ExtractMapping.model_validate(
        {
            "columns": {"date": "date", "amount": "amount"},
            "categories": {
                "default": "other",
                "rules": [{"column": "note", "matches": "(a|aa)+", "category": "training"}],
            },
        }
    )
    rows = [["date", "amount", "note"], ["2019-09-02", "1.00", "fine"]]
    rows += [["2019-09-03", "2.00", "a" * (60 + n) + "b"] for n in range(5)]
    with pytest.raises(InvalidInput) as caught:
        led.imports.import_rows(rows, mapping, name="feed", skip_invalid=True)
    # The third slow cell is the fifth line (the header is line 1, "fine" line 2).
    assert caught.value.message.startswith(
        "feed, line 5: the rule pattern '(a|aa)+' ran out of time (0.01 s) on 3 cells of 'note'"
    )
    assert led.spend.list() == [] and led.imports.list() == []
