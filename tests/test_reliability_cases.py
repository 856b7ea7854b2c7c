"""The cases of shared/reliability.md that need neither import nor export.

Money must not be lost, doubled or forged: the store refuses edits by itself, amounts
are read by one documented rule, closed periods stay closed until reopened (and the
reopening is recorded), UK dates are day first.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal

import pytest
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.domain.money import as_money, parse_amount
from fsgrant.domain.periods import parse_date
from fsgrant.errors import Conflict, InvalidAmount, InvalidInput, PeriodClosed

# ------------------------------------------------------------ the store refuses edits
RAW_EDITS = [
    ("spend", "UPDATE spend SET amount_pence = 1"),
    ("spend", "DELETE FROM spend"),
    (
        "spend",
        "INSERT OR REPLACE INTO spend SELECT id, date, 1, category, post, supplier, description,"
        " reference, funding_year, reverses, reason, import_batch, source_line, dedupe_key,"
        " recorded_at, recorded_by, source_fields, accrual, accrual_of FROM spend",
    ),
    ("spend", "REPLACE INTO spend SELECT * FROM spend"),
    ("estimates", "UPDATE estimates SET amount_pence = 0"),
    ("estimates", "DELETE FROM estimates"),
    ("estimates", "INSERT OR REPLACE INTO estimates SELECT * FROM estimates"),
    ("receipts", "UPDATE receipts SET amount_pence = amount_pence * 2"),
    ("receipts", "DELETE FROM receipts"),
    ("receipts", "REPLACE INTO receipts SELECT * FROM receipts"),
    ("funding_years", "UPDATE funding_years SET award_pence = 999"),
    ("funding_years", "REPLACE INTO funding_years SELECT * FROM funding_years"),
    ("variations", "DELETE FROM variations"),
    ("period_events", "DELETE FROM period_events"),
    ("period_events", "UPDATE period_events SET kind = 'reopen'"),
    ("audit", "UPDATE audit SET user = 'someone-else'"),
    ("audit", "DELETE FROM audit"),
    ("audit", "REPLACE INTO audit SELECT * FROM audit"),
]


@pytest.mark.parametrize(("table", "sql"), RAW_EDITS, ids=[s for _, s in RAW_EDITS])
def test_the_store_itself_refuses_edits_and_deletes(led, store_path, table, sql):
    # One row in every money and history table, then a plain sqlite3 connection (no
    # fsgrant code, foreign keys off) tries to change it behind fsgrant's back.
    led.spend.add("2019-10-01", "1234.56", "training", reference="INV1")
    led.estimates.set("2019/20", "training", "250000.00", on="2019-08-01")
    led.receipts.add("2019-09-30", "1245000.00", "2019/20")
    led.years.vary("2019/20", agreed_on="2020-02-14", reason="posts start late", end="2021-03-31")
    led.periods.close("2019/20", "2019-08-31", "test closure")
    before = _dump(store_path, table)
    raw = sqlite3.connect(store_path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute(sql)
        raw.commit()
    finally:
        raw.close()
    assert _dump(store_path, table) == before


def _dump(path, table):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
    finally:
        conn.close()


def test_a_correction_is_a_reversal_that_nets_to_zero(led):
    # 1,234.56 entered in error, reversed: the year's actual spend is back to 300.00.
    wrong = led.spend.add("2019-10-01", "1234.56", "training", reference="INV1")
    led.spend.add("2019-10-02", "300.00", "training")
    rev = led.spend.reverse(wrong.id, "keyed twice")
    assert rev.amount == Decimal("-1234.56")
    assert (rev.date, rev.category, rev.funding_year) == (wrong.date, "training", "2019/20")
    assert led.spend.totals() == {("2019/20", "training"): Decimal("300.00")}
    with pytest.raises(Conflict, match="already reversed"):
        led.spend.reverse(wrong.id, "again")
    with pytest.raises(Conflict, match="is a reversal"):
        led.spend.reverse(rev.id, "undo the undo")


def test_a_second_reversal_slipped_in_by_sql_is_refused(led, store_path):
    line = led.spend.add("2019-10-01", "10.00", "training")
    led.spend.reverse(line.id, "wrong")
    raw = sqlite3.connect(store_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="reversed"):
            raw.execute(
                "INSERT INTO spend (date, amount_pence, category, reverses, reason, recorded_at,"
                " recorded_by) VALUES ('2019-10-01', -1000, 'training', ?, 'x', 'now', 'me')",
                [line.id],
            )
    finally:
        raw.close()


# ------------------------------------------------------------ amounts
@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("£1,234.56", 123456),
        ("(1,234.56)", -123456),  # brackets are a credit
        ("1234.5", 123450),
        ("250", 25000),
        (" -£5 ", -500),
    ],
)
def test_amount_text_is_read_by_the_documented_rule(led, text, pence):
    line = led.spend.add("2019-10-01", text, "training")
    assert line.amount == Decimal(pence) / 100
    row = led.store.query_one("SELECT amount_pence FROM spend WHERE id = ?", [line.id])
    assert row is not None and row[0] == pence


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("12.345", "more than two decimal places"),
        ("NaN", "no exponents, NaN or infinity"),
        ("1e3", "no exponents, NaN or infinity"),
        ("inf", "no exponents, NaN or infinity"),
        (0.1, "floating-point numbers are refused"),
        (12.5, "floating-point numbers are refused"),
        (Decimal("NaN"), "not a finite amount"),
        (Decimal("12.345"), "more than two decimal places"),
        ("1,23.00", "not an amount like"),
        ("", "empty amount"),
    ],
)
def test_bad_amounts_are_refused_with_a_clear_message(led, value, reason):
    with pytest.raises(InvalidAmount, match=reason):
        led.spend.add("2019-10-01", value, "training")
    assert led.spend.list() == []


def test_stored_pence_equal_the_decimal_total_of_the_source(led):
    # 0.10 + 0.20 is 0.30 exactly (a REAL column would give 0.30000000000000004).
    texts = ["0.10", "0.20", "£1,234.56", "(0.30)", "99.99"]
    for t in texts:
        led.spend.add("2019-10-01", t, "training")
    total = led.store.query_one("SELECT sum(amount_pence), typeof(sum(amount_pence)) FROM spend")
    assert total is not None
    assert total[1] == "integer"
    assert Decimal(total[0]) / 100 == sum(parse_amount(t) for t in texts) == Decimal("1334.55")


def test_money_helpers_agree_on_the_table_cases():
    assert parse_amount("£1,234.56") == Decimal("1234.56")
    assert parse_amount("(1,234.56)") == Decimal("-1234.56")
    for bad in ("12.345", "NaN", "1e3"):
        with pytest.raises(InvalidAmount):
            parse_amount(bad)
    with pytest.raises(InvalidAmount):
        as_money(1000.0)


def test_cli_refuses_a_bad_amount_with_one_line(store_path):
    result = CliRunner().invoke(
        app, ["--db", str(store_path), "spend", "add", "2019-10-01", "1e3", "training"]
    )
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "1e3" in result.stderr and "Traceback" not in result.output


# ------------------------------------------------------------ dates
def test_uk_dates_are_day_first(led):
    assert parse_date("04/02/2020") == date(2020, 2, 4)
    line = led.spend.add("04/02/2020", "10.00", "training")
    assert line.date == date(2020, 2, 4)


# ------------------------------------------------------------ closed periods
def test_spend_in_a_closed_period_is_refused_until_reopened_and_that_is_recorded(led):
    # The Q2 return of 2019/20 was submitted: closed through 31 December 2019.
    kept = led.spend.add("2019-12-20", "500.00", "training")
    led.periods.close("2019/20", "31/12/2019", "DfE return Q2")
    with pytest.raises(PeriodClosed, match="DfE return Q2") as info:
        led.spend.add("2019-12-31", "10.00", "training")
    assert info.value.funding_year == "2019/20"
    assert info.value.through == date(2019, 12, 31)
    assert "closed through 2019-12-31" in info.value.message
    assert led.store.user in info.value.message  # by whom
    with pytest.raises(PeriodClosed):
        led.spend.reverse(kept.id, "wrong cost centre")
    with pytest.raises(PeriodClosed):
        led.receipts.add("2019-10-01", "1000.00", "2019/20")
    with pytest.raises(PeriodClosed):
        led.estimates.set("2019/20", "training", "1.00", on="2019-08-01")
    with pytest.raises(PeriodClosed, match="a forecast dated 2019-11-30"):
        led.forecasts.set("2019/20", "training", "1000.00", on="2019-11-30")
    # After the closed date, and in the other funding year, entries go in.
    led.spend.add("2020-01-01", "20.00", "training")
    led.spend.add("2020-09-01", "30.00", "training")
    assert led.spend.totals()[("2019/20", "training")] == Decimal("520.00")

    led.periods.reopen("2019/20", "late invoice from the MI trainers")
    led.spend.add("2019-12-31", "10.00", "training")
    events = led.periods.history()
    assert [(e.kind, e.reference, e.reason) for e in events] == [
        ("close", "DfE return Q2", None),
        ("reopen", None, "late invoice from the MI trainers"),
    ]
    actions = [e.action for e in led.audit.log()]
    assert actions.count("period.close") == 1 and actions.count("period.reopen") == 1


def test_closing_refuses_an_earlier_date_and_reopening_an_open_year(led):
    led.periods.close("2019/20", "2019-12-31", "Q2")
    with pytest.raises(InvalidInput, match="reopen it before closing an earlier date"):
        led.periods.close("2019/20", "2019-11-30", "Q1 again")
    led.periods.close("2019/20", "2020-03-31", "Q3")  # a later date moves the closure on
    assert led.periods.closures()["2019/20"].reference == "Q3"
    with pytest.raises(Conflict, match="not closed"):
        led.periods.reopen("2020/21", "never closed")


def test_a_variation_cannot_move_closed_days_between_years(led):
    # 2019/20 closed through 31 July 2020 (its whole original period). Extending
    # 2019/20 adds days after the closed date: allowed. Shifting 2020/21 to start
    # 1 July 2020 would not take days from 2019/20 (earliest start wins on overlap),
    # but shortening 2019/20 to end 30 June 2020 would move July out of it: refused.
    led.spend.add("2020-07-15", "100.00", "training")
    led.periods.close("2019/20", "2020-07-31", "final return 2019/20")
    # (Agreed after the closed date: one agreed on or before it is refused outright.)
    led.years.vary("2019/20", agreed_on="2020-08-14", reason="posts start late", end="2021-03-31")
    with pytest.raises(PeriodClosed, match="would move 2020-07-01 out of funding year 2019/20"):
        led.years.vary("2019/20", agreed_on="2020-09-01", reason="shorten", end="2020-06-30")
    with pytest.raises(PeriodClosed):
        led.years.vary("2019/20", agreed_on="2020-09-01", reason="gone", status="withdrawn")
    assert led.spend.totals()[("2019/20", "training")] == Decimal("100.00")


def test_cli_period_close_refuses_spend_and_reopen_lets_it_in(store_path):
    run = CliRunner()
    db = ["--db", str(store_path)]
    r = run.invoke(
        app,
        [*db, "period", "close", "2019/20", "--through", "31/03/2020", "--reference", "Q4"],
    )
    assert r.exit_code == 0, r.output
    r = run.invoke(app, [*db, "spend", "add", "04/02/2020", "12.00", "training"])
    assert r.exit_code == 1
    assert "closed through 2020-03-31" in r.stderr and "'Q4'" in r.stderr
    assert r.stderr.count("\n") == 1
    r = run.invoke(app, [*db, "period", "list", "-f", "csv"])
    assert "2019/20,closed,2020-03-31,Q4" in r.output
    r = run.invoke(app, [*db, "period", "reopen", "2019/20", "--reason", "late invoice"])
    assert r.exit_code == 0, r.output
    r = run.invoke(app, [*db, "spend", "add", "04/02/2020", "12.00", "training"])
    assert r.exit_code == 0, r.stderr
    r = run.invoke(app, [*db, "period", "list", "--history", "-f", "json"])
    assert '"reason": "late invoice"' in r.output


# ------------------------------------------------------------ nested writes
def test_a_failed_nested_write_is_undone_even_if_the_caller_carries_on(led):
    # load and imports run many writes in one transaction; one that fails half-way
    # must leave nothing behind (nor its audit entry), even if the caller goes on.
    with led.store.transaction("batch"):
        led.spend.add("2019-10-01", "1.00", "training")
        with pytest.raises(InvalidInput), led.store.transaction("category.add", "travel"):
            led.store.insert("categories", {"name": "travel", "description": ""})
            raise InvalidInput("refused after the insert")
        led.spend.add("2019-10-02", "2.00", "training")
    assert len(led.spend.list()) == 2
    assert "travel" not in led.categories.list()
    actions = [e.action for e in led.audit.log()]
    assert "category.add" not in actions
    assert actions[-3:] == ["spend.add", "spend.add", "batch"]


def test_a_write_outside_a_transaction_is_refused(led):
    with pytest.raises(fsgrant.StoreError, match="outside"):
        led.store.insert("categories", {"name": "travel", "description": ""})
