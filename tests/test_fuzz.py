"""Random and hostile input: the only outcomes are a parsed value or a clean fsgrant
error, never another exception, and never a traceback at the command line."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from reliability_helpers import SLOW, make_grant
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.domain.money import PENNY, as_money, parse_amount
from fsgrant.domain.periods import parse_date
from fsgrant.errors import FsgrantError, InvalidAmount, InvalidDate, InvalidInput
from fsgrant.formats.ledgerfiles import read_csv_rows

EXAMPLES = 1000 if SLOW else 150
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text that looks like money or dates, more often than uniform random text does.
money_alphabet = st.sampled_from(list("0123456789.,£$€-+()eE nNaIifF_\t\u00a0\u2212\u066b٣"))
moneyish = st.text(money_alphabet, max_size=24)
dateish = st.text(st.sampled_from(list("0123456789/-.: TZ+aA")), max_size=24)
hostile = st.sampled_from(
    [
        "",
        " ",
        "NaN",
        "-nan",
        "sNaN",
        "Infinity",
        "-inf",
        "1e3",
        "1E-2",
        "0x10",
        "1_000",
        "12.345",
        "£1,234.56",
        "(1,234.56)",
        "((1))",
        "-(1)",
        "£-£1",
        "--1",
        "1,23.00",
        "9" * 5000,
        "0." + "0" * 400 + "1",
        "\x00",
        "=SUM(A1)",
        "1\n2",
        "٣",
        "１２",
        "29/02/2019",
        "31/04/2020",
        "0000-00-00",
        "9999-12-31",
        "2020-02-30",
        "04/02/2020",
        "2020-02-04T00:00:00",
        "2020-02-04 12:00",
        "99/99/99999",
    ]
)


@fuzz
@given(st.one_of(st.text(), moneyish, hostile))
@example("12.345")
@example("NaN")
@example("1e3")
def test_parse_amount_gives_exact_pence_or_invalid_amount(text):
    try:
        value = parse_amount(text)
    except InvalidAmount as exc:
        assert exc.message and "\n" not in exc.message.replace(str(text), "")
        return
    assert isinstance(value, Decimal) and value.is_finite()
    assert value == value.quantize(PENNY)


@fuzz
@given(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.none(),
        st.binary(max_size=8),
        st.text(),
        moneyish,
        hostile,
    )
)
def test_as_money_refuses_floats_and_never_rounds(value):
    try:
        money = as_money(value)
    except FsgrantError:
        return
    assert not isinstance(value, float | bool)
    assert money == money.quantize(PENNY)
    if isinstance(value, int | Decimal):
        assert money == value  # exact: nothing was rounded away


@fuzz
@given(st.one_of(st.text(), dateish, hostile, st.integers(), st.none(), st.datetimes()))
@example("04/02/2020")
def test_parse_date_gives_a_real_day_or_invalid_date(text):
    try:
        day = parse_date(text)
    except InvalidDate:
        return
    assert isinstance(day, date) and not isinstance(day, datetime)
    if text == "04/02/2020":
        assert day == date(2020, 2, 4)


csv_cell = st.one_of(st.text(max_size=12), moneyish, dateish, hostile)
csv_text = st.one_of(
    st.text(max_size=400),
    st.lists(st.lists(csv_cell, max_size=9).map(",".join), max_size=8).map("\n".join),
    st.lists(st.lists(csv_cell, min_size=3, max_size=3).map(",".join), max_size=6).map(
        lambda rows: "\n".join(["date,amount,category", *rows])
    ),
)


@pytest.fixture(scope="module")
def scratch():
    folder = Path(tempfile.mkdtemp(prefix="fsgrant-fuzz-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@fuzz
@given(st.one_of(csv_text.map(lambda t: t.encode("utf-8")), st.binary(max_size=300)))
def test_read_csv_rows_yields_rows_or_a_source_error(scratch, data):
    path = scratch / "spend.csv"
    path.write_bytes(data)
    try:
        rows = list(read_csv_rows(path, ("date", "amount", "category"), ("reference",)))
    except InvalidInput as exc:
        assert exc.message.startswith("spend.csv")
        return
    for line, row in rows:
        assert line >= 1 and set(row) <= {"date", "amount", "category", "reference"}


@pytest.fixture(scope="module")
def template(scratch):
    """An empty store, copied for each example (creating one each time is slower)."""
    path = scratch / "template.db"
    with fsgrant.open(path):
        pass
    return path


@settings(fuzz, max_examples=max(EXAMPLES // 3, 40))
@given(st.one_of(csv_text.map(lambda t: t.encode("utf-8")), st.binary(max_size=200)))
def test_load_folder_with_a_hostile_spend_csv_loads_all_or_nothing(scratch, template, data):
    folder = scratch / "ledger"
    folder.mkdir(exist_ok=True)
    (folder / "grant.toml").write_text(
        '[grant]\nname = "G"\nfunder = "F"\nrecipient = "R"\n\n'
        '[[funding_year]]\nlabel = "2019/20"\naward = "100000.00"\nstart = 2019-08-01\n',
        encoding="utf-8",
    )
    (folder / "spend.csv").write_bytes(data)
    store = scratch / "fuzz.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    shutil.copy(template, store)
    with fsgrant.open(store, create=False) as led:
        try:
            counts = led.load(folder)
        except FsgrantError as exc:
            assert exc.message
            # nothing is left behind
            assert led.store.query_one("SELECT count(*) FROM spend")[0] == 0
            assert led.store.query_one("SELECT count(*) FROM grant_info")[0] == 0
            return
        assert led.store.query_one("SELECT count(*) FROM spend")[0] == counts.spend


@pytest.fixture(scope="module")
def cli_store(scratch):
    path = scratch / "cli.db"
    make_grant(path)
    return path


@settings(fuzz, max_examples=max(EXAMPLES // 3, 40))
@given(
    day=st.one_of(dateish, hostile, st.text(max_size=20)),
    amount=st.one_of(moneyish, hostile, st.text(max_size=20)),
)
def test_cli_with_hostile_amounts_and_dates_exits_cleanly(cli_store, day, amount):
    result = CliRunner().invoke(
        app, ["--db", str(cli_store), "spend", "add", "--", day, amount, "training"]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        return  # a valid line: stored
    assert result.exit_code in (1, 2), result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------- XLSX extracts
XLSX_COLUMNS = [
    "date",
    "amount",
    "category",
    "post",
    "supplier",
    "description",
    "reference",
    "year",
]
cell_value = st.one_of(
    st.none(),
    st.text(max_size=12),
    moneyish,
    dateish,
    hostile,
    st.sampled_from(["=1/0", "=A1", "=SUM(B2:B9)", "#N/A", "#DIV/0!", "training", "2019/20"]),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.booleans(),
    st.dates(date(1900, 3, 1), date(2100, 1, 1)),
    st.datetimes(datetime(1900, 3, 1), datetime(2100, 1, 1)),
)
header_cell = st.one_of(st.sampled_from(XLSX_COLUMNS), cell_value)
# A row that is nearly right (a date in 2019/20, an amount, a category), so that
# imports succeed too, with a random cell here and there.
plausible_row = st.tuples(
    st.one_of(st.dates(date(2019, 8, 1), date(2020, 7, 31)), cell_value),
    st.one_of(st.decimals(-(10**6), 10**6, places=2), st.integers(-(10**6), 10**6), cell_value),
    st.one_of(st.sampled_from(["training", "staffing"]), cell_value),
    st.one_of(st.lists(st.none(), max_size=5), st.lists(cell_value, max_size=5)),
).map(lambda t: [t[0], t[1], t[2], *t[3]])


@st.composite
def workbooks(draw):
    """A small workbook: a header row (fsgrant's columns, some of them, or noise)
    after a few rows of anything, then rows of random cells, on one or two sheets."""
    width = draw(st.integers(1, len(XLSX_COLUMNS) + 1))
    if draw(st.booleans()):
        header = (XLSX_COLUMNS * 2)[:width]
    else:
        header = draw(st.lists(header_cell, min_size=width, max_size=width))
    before = draw(st.lists(st.lists(cell_value, max_size=3), max_size=2))
    rows = draw(
        st.lists(st.one_of(plausible_row, st.lists(cell_value, max_size=width + 1)), max_size=6)
    )
    second = draw(st.booleans())
    return [*before, header, *rows], second


@pytest.fixture(scope="module")
def grant_template(scratch):
    path = scratch / "grant-template.db"
    make_grant(path)
    return path


@settings(fuzz, max_examples=120 if SLOW else 30)
@given(book=workbooks(), skip_invalid=st.booleans())
def test_xlsx_extracts_with_random_cells_import_or_fail_cleanly(
    scratch, grant_template, book, skip_invalid
):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from fsgrant.domain.imports import ImportResult, MappingCheck

    rows, second = book
    wb = Workbook()
    ws = wb.active
    for row in rows:
        # openpyxl refuses control characters in text: no workbook can hold them.
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    if second:
        wb.create_sheet("Other").append(["date", "amount"])
    path = scratch / "extract.xlsx"
    wb.save(path)
    store = scratch / "xlsx.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    shutil.copy(grant_template, store)
    with fsgrant.open(store, create=False) as led:
        try:
            check = led.imports.check_mapping(path)
        except FsgrantError as exc:
            assert exc.message and "\n" not in exc.message
        else:
            assert isinstance(check, MappingCheck)
        try:
            result = led.imports.import_file(path, skip_invalid=skip_invalid)
        except FsgrantError as exc:
            event(f"refused: {type(exc).__name__}")
            assert exc.message and "\n" not in exc.message
            assert led.store.query_one("SELECT count(*) FROM spend")[0] == 0  # nothing stored
            return
        assert isinstance(result, ImportResult)
        event("imported, some lines added" if result.rows_added else "imported, nothing added")
        stored = led.store.query_one("SELECT count(*), coalesce(sum(amount_pence), 0) FROM spend")
        assert stored[0] == result.rows_added
        assert Decimal(stored[1]) / 100 == result.total_added


def test_a_cell_with_a_newline_or_escape_is_quoted_on_one_line(scratch, grant_template):
    # Found by the XLSX fuzz: a bad date cell '0\n' made a two-line message, and the
    # import's list of rejected rows printed such a cell raw (an ESC sequence reached
    # the terminal).
    extract = scratch / "hostile.csv"
    extract.write_text(
        'date,amount,category\n2019-09-01,10.00,training\n"2019-09-0\x1b[2J\n1",5.00,training\n',
        encoding="utf-8",
    )
    store = scratch / "newline.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    shutil.copy(grant_template, store)
    with fsgrant.open(store, create=False) as led:
        with pytest.raises(InvalidInput) as info:
            led.imports.import_file(extract)
        assert info.value.message.endswith(
            "'2019-09-0\\x1b[2J\\n1' is not a date like 2020-02-04 or 04/02/2020 (day first)"
        )
        with pytest.raises(InvalidDate) as bad:
            parse_date("1\n2")
        assert (
            bad.value.message
            == "date: '1\\n2' is not a date like 2020-02-04 or 04/02/2020 (day first)"
        )
    r = CliRunner().invoke(
        app,
        ["--db", str(store), "spend", "import", str(extract), "--skip-invalid"],
    )
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.output
    rejected = [x for x in r.output.splitlines() if "rejected line" in x]
    assert rejected == [
        "  rejected line 3 (date): '2019-09-0\\x1b[2J\\n1' is not a date like 2020-02-04 or "
        "04/02/2020 (day first)"
    ]
