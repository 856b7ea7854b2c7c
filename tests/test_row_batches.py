"""Reading rows a batch at a time gives, for every row it reads, exactly the draft line
``RowReader.read`` gives, and leaves every other row to ``read``; an import reads the
same lines either way."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability_helpers import make_grant

import fsgrant
from fsgrant.errors import SourceError
from fsgrant.imports.row_batches import BatchReader
from fsgrant.imports.rows import RowReader, ZeroAmount

AGRESSO = """
[source]
name = "agresso"
[columns]
date = "Posting Date"
amount = "Amount"
reference = "Transaction Number"
supplier = "Supplier Name"
description = "Description"
cost_centre = "Cost Centre"
expense_code = "Expense Code"
[categories]
{default}
[categories.expense_code]
"1100" = "staffing"
"2400" = "training"
"9999" = "no-such-category"
[categories.cost_centre]
"FS200" = "evaluation"
"""
AGRESSO_HEADER = [
    "Posting Date",
    "Transaction Number",
    "Cost Centre",
    "Expense Code",
    "Supplier Name",
    "Description",
    "Amount",
]
MINIMAL = """
[source]
name = "minimal"
[columns]
date = "Date"
amount = "Amount"
{reference}
[categories]
default = "other"
{dedupe}
"""
MINIMAL_HEADER = ["Date", "Amount", "Ref"]
OWN_HEADER = ["date", "amount", "category", "post", "supplier", "description", "reference", "year"]

AMOUNTS = [
    "1,234.56",
    "12",
    "-3.5",
    "(4.00)",
    "£5.00",
    "0.00",
    "0",
    "1.234",
    "abc",
    "",
    " 7.00",
    "1,23",
]
DATES = ["04/02/2020", "2020-02-04", "01/10/2019", "31/02/2020", "", "2018-01-01", "4/2/2020"]
TEXTS = ["ok", "", " ", "  A  B ", "x\ty", "Line\n2", "Provider Ltd", " padded ", "\u00a0nbsp"]
CODES = ["1100", "2400", "5900", "9999", "", " 1100 "]
CENTRES = ["FS100", "FS200", "", "FS100  "]
CATEGORIES = ["staffing", "Training", "STAFFING ", "nonsense", "", "other"]
POSTS = ["", "AP-01", "AP-99", " AP-01 "]
YEARS = ["", "2019/20", "2020/21", "1999/00"]


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batches")
    make_grant(folder / "grant.db")  # 2019/20 from 1 August 2019, 2020/21 from 1 August 2020
    led = fsgrant.open(folder / "grant.db")
    led.posts.add(
        "AP-01",
        role="mental-health",
        host="council",
        fte="1",
        planned_start="2019-09-01",
        annual_cost="40000",
    )
    for default in ('default = "other"', ""):
        name = "agresso-default.toml" if default else "agresso.toml"
        (folder / name).write_text(AGRESSO.format(default=default), encoding="utf-8")
    (folder / "minimal.toml").write_text(
        MINIMAL.format(reference='reference = "Ref"', dedupe=""), encoding="utf-8"
    )
    (folder / "minimal-hash.toml").write_text(
        MINIMAL.format(reference="", dedupe='[dedupe]\nby = "hash"'), encoding="utf-8"
    )
    yield led, folder
    led.close()


def readers(ledger, kind: str) -> tuple[RowReader, BatchReader]:
    led, folder = ledger
    if kind == "own":
        mapping, header = led.imports.mapping(None), OWN_HEADER
    else:
        mapping = led.imports.mapping(folder / f"{kind}.toml")
        header = MINIMAL_HEADER if kind.startswith("minimal") else AGRESSO_HEADER
    reader = RowReader(mapping, header, led.imports.rules(), source="x.csv", header_line=1)
    return reader, BatchReader(reader)


# Rows of cells any of which may be odd, and rows the batch should read (plain
# amounts, dates read before, known codes; some white space to tidy), half and half.
PLAIN_DATES = ["04/02/2020", "01/10/2019", "2020-02-04"]
PLAIN_AMOUNTS = ["1,234.56", "12", "-3.5", "£5.00", "999,999,999.99"]
PLAIN_TEXTS = ["ok", "Provider Ltd", " padded ", "  A  B ", ""]


def agresso_row():
    def row(dates, refs, centres, codes, texts, amounts):
        return st.tuples(
            st.sampled_from(dates),
            st.sampled_from(refs),
            st.sampled_from(centres),
            st.sampled_from(codes),
            st.sampled_from(texts),
            st.sampled_from(texts),
            st.sampled_from(amounts),
        ).map(list)

    return row(DATES, ["AGR-1", "AGR-2", "", "  AGR-3"], CENTRES, CODES, TEXTS, AMOUNTS) | row(
        PLAIN_DATES,
        ["AGR-1", " AGR-2"],
        ["FS100", "FS200"],
        ["1100", "2400", "5900"],
        PLAIN_TEXTS,
        PLAIN_AMOUNTS,
    )


def own_row():
    def row(dates, amounts, categories, posts, texts, refs, years):
        return st.tuples(
            st.sampled_from(dates),
            st.sampled_from(amounts),
            st.sampled_from(categories),
            st.sampled_from(posts),
            st.sampled_from(texts),
            st.sampled_from(texts),
            st.sampled_from(refs),
            st.sampled_from(years),
        ).map(list)

    return row(DATES, AMOUNTS, CATEGORIES, POSTS, TEXTS, ["INV-1", "", " INV-2 "], YEARS) | row(
        PLAIN_DATES,
        PLAIN_AMOUNTS,
        ["staffing", "Training", "other "],
        ["", "AP-01"],
        PLAIN_TEXTS,
        ["INV-1", ""],
        ["", "2019/20"],
    )


def rows_of(row):
    # Some rows shorter or longer than the header.
    return st.lists(
        st.tuples(row, st.integers(-3, 2)).map(
            lambda t: t[0][: len(t[0]) + t[1]] if t[1] < 0 else t[0] + ["extra"] * t[1]
        ),
        max_size=30,
    )


def read_one(reader: RowReader, line: int, cells: list[str]):
    try:
        return reader.read(line, cells)
    except (SourceError, ZeroAmount) as exc:
        return type(exc)


def check(reader: RowReader, batch: BatchReader, cells_list: list[list[str]]) -> int:
    """Compare the two ways on these rows, twice (the second time the dates read the
    first time are known); returns how many rows the batch read."""
    done = 0
    for _ in range(2):
        rows = list(zip(itertools.count(2), cells_list, strict=False))
        got = batch.read(rows)
        assert len(got) == len(rows)
        for (line, cells), draft in zip(rows, got, strict=True):
            expected = read_one(reader, line, cells)
            if draft is not None:
                done += 1
                assert draft == expected, (cells, draft, expected)
                assert type(draft) is type(expected)
    return done


@settings(max_examples=150, deadline=None)
@given(cells_list=rows_of(agresso_row()), default=st.booleans())
def test_an_extract_mapped_by_code_reads_the_same_both_ways(ledger, cells_list, default):
    reader, batch = readers(ledger, "agresso-default" if default else "agresso")
    assert batch.usable
    check(reader, batch, cells_list)


@settings(max_examples=150, deadline=None)
@given(cells_list=rows_of(own_row()))
def test_fsgrants_own_csv_reads_the_same_both_ways(ledger, cells_list):
    reader, batch = readers(ledger, "own")
    assert batch.usable
    check(reader, batch, cells_list)


@settings(max_examples=100, deadline=None)
@given(
    cells_list=rows_of(
        st.tuples(
            st.sampled_from(PLAIN_DATES + DATES),
            st.sampled_from(PLAIN_AMOUNTS + AMOUNTS),
            st.sampled_from(["R1", "", " R2"]),
        ).map(list)
    ),
    hashed=st.booleans(),
)
def test_a_mapping_of_only_a_date_an_amount_and_a_default_reads_the_same_both_ways(
    ledger, cells_list, hashed
):
    reader, batch = readers(ledger, "minimal-hash" if hashed else "minimal")
    assert batch.usable
    check(reader, batch, cells_list)


def test_plain_rows_are_read_by_the_batch_and_others_left_to_read(ledger):
    reader, batch = readers(ledger, "agresso-default")
    plain = ["04/02/2020", "AGR-1", "FS100", "1100", "Provider Ltd", "Line 1", "1,234.56"]
    unmapped = ["04/02/2020", "AGR-2", "FS100", "5900", "", "Line 2", "12"]  # the default
    by_centre = ["04/02/2020", "AGR-3", "FS200", "", "", "Line 3", "-3.5"]
    odd_amount = ["04/02/2020", "AGR-4", "FS100", "1100", "", "Line 4", "(4.00)"]
    zero = ["04/02/2020", "AGR-5", "FS100", "1100", "", "Line 5", "0.00"]
    no_reference = ["04/02/2020", "", "FS100", "1100", "", "Line 6", "1.00"]
    reader.read(1, plain)  # the date is known from now on
    got = batch.read(
        [(2, plain), (3, unmapped), (4, by_centre), (5, odd_amount), (6, zero), (7, no_reference)]
    )
    assert [d is not None for d in got] == [True, True, True, False, False, False]
    first, second, third = got[:3]
    assert (first.date, first.pence, first.category, first.key) == (
        "2020-02-04",
        123456,
        "staffing",
        "ref:agresso:AGR-1",
    )
    assert first.source_fields == (
        '["04/02/2020","AGR-1","FS100","1100","Provider Ltd","Line 1","1,234.56"]'
    )
    assert (second.category, second.supplier, second.pence) == ("other", None, 1200)
    assert (third.category, third.pence) == ("evaluation", -350)
    # A date not seen before goes the careful way, which then knows it.
    later = ["05/02/2020", "AGR-9", "FS100", "1100", "", "Line 9", "1.00"]
    assert batch.read([(8, later)]) == [None]
    reader.read(8, later)
    assert batch.read([(8, later)])[0] == reader.read(8, later)


def test_a_mapping_with_rules_is_left_to_read(ledger, tmp_path):
    led, _ = ledger
    path = tmp_path / "rules.toml"
    path.write_text(
        AGRESSO.format(default='default = "other"')
        + '\n[[categories.rules]]\ncolumn = "Description"\nequals = "Line 1"\ncategory = "training"\n',
        encoding="utf-8",
    )
    reader = RowReader(
        led.imports.mapping(path), AGRESSO_HEADER, led.imports.rules(), source="x", header_line=1
    )
    batch = BatchReader(reader)
    assert not batch.usable
    assert batch.read([(2, ["04/02/2020"] * 7)]) == [None]
