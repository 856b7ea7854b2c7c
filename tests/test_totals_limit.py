"""Totals never brick the store: a line that would take a total of spend (or of
receipts) past what a report can show is refused before commit, where it comes in;
and a store that already holds more is still reported."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

import pytest
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.errors import InvalidAmount, SourceError

# The largest amount, £999,999,999,999.99: one such line fills the room by itself.
LARGEST = "999999999999.99"


def _big_csv(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(
        f"date,amount,category\n2019-09-01,{LARGEST},training\n2019-09-02,{LARGEST},training\n",
        encoding="utf-8",
    )
    return path


def test_an_import_passing_the_limit_is_refused_whole_naming_the_line(store_path, tmp_path):
    src = _big_csv(tmp_path)
    with fsgrant.open(store_path, create=False) as led:
        with pytest.raises(SourceError) as caught:
            led.imports.import_file(src)
        # Line 2 fits (999,999,999,999.99 is the limit itself); line 3 would make it
        # 999,999,999,999.99 x 2 = 1,999,999,999,999.98.
        assert caught.value.line == 3
        assert "£1,999,999,999,999.98" in str(caught.value)
        assert led.spend.list() == []
        assert led.imports.list() == []


def test_cli_import_passing_the_limit_exits_2_and_stores_nothing(store_path, tmp_path):
    src = _big_csv(tmp_path)
    run = CliRunner()
    r = run.invoke(app, ["--db", str(store_path), "spend", "import", str(src)])
    assert r.exit_code == 2, r.output
    assert "big.csv, line 3, field 'amount'" in r.stderr
    assert r.stderr.count("\n") == 1, r.stderr
    r = run.invoke(app, ["--db", str(store_path), "report", "summary", "-f", "json"])
    assert r.exit_code == 0, r.output


def test_skip_invalid_keeps_the_lines_that_fit_and_rejects_the_rest(store_path, tmp_path):
    src = _big_csv(tmp_path)
    with fsgrant.open(store_path, create=False) as led:
        result = led.imports.import_file(src, skip_invalid=True)
        assert (result.rows_added, result.rows_rejected) == (1, 1)
        assert result.rejects[0].line == 3
        assert result.total_added == Decimal(LARGEST)


def test_spend_add_and_receipts_refuse_a_line_that_would_pass_the_limit(store_path):
    with fsgrant.open(store_path, create=False) as led:
        led.spend.add("2019-09-01", LARGEST, "training")
        # A credit counts by its size: -1.00 would allow a total of 1,000,000,000,000.99
        # if the credit were reversed or listed alone.
        for amount in ("1.00", "-1.00"):
            with pytest.raises(InvalidAmount, match="nothing was stored"):
                led.spend.add("2019-09-02", amount, "training")
        assert len(led.spend.list()) == 1
        # A reversal cancels its line wherever both fall: it adds nothing to any total.
        led.spend.reverse(1, "keyed in error")
        # 999,999,999,999.99 - 999,999,999,999.99 = 0.00 in training, 2019/20.
        assert led.spend.totals() == {("2019/20", "training"): Decimal("0.00")}
        led.receipts.add("2019-09-01", LARGEST, "2019/20")
        with pytest.raises(InvalidAmount, match="receipts would then add up"):
            led.receipts.add("2019-09-02", "0.01", "2019/20")
        assert len(led.receipts.list()) == 1


def test_a_store_already_past_the_limit_is_still_reported(store_path, tmp_path):
    # Built as an older fsgrant left it: two lines of 999,999,999,999.99 written
    # without the check, 1,999,999,999,999.98 in all.
    con = sqlite3.connect(store_path)
    for day in ("2019-09-01", "2019-09-02"):
        con.execute(
            "INSERT INTO spend (date, amount_pence, category, recorded_at, recorded_by)"
            " VALUES (?, 99999999999999, 'training', '2019-09-03T00:00:00+00:00', 'old')",
            [day],
        )
    con.commit()
    con.close()
    with fsgrant.open(store_path, create=False) as led:
        summary = led.reports.summary(as_at="2020-03-31")
        assert summary.model_dump(mode="json")  # serialises
        row = next(y for y in summary.funding_years if y.label == "2019/20")
        # Outturn 1,999,999,999,999.98 against an award of 2,490,000.00: over by
        # 1,999,999,999,999.98 - 2,490,000.00 = 1,999,997,509,999.98.
        assert row.actual == Decimal("1999999999999.98")
        variance = led.reports.variance("2019/20", as_at="2020-03-31")
        assert variance.overspend == Decimal("1999997509999.98")
        out = led.exports.write_return("2019/20", "2020-03-31", out=tmp_path / "r.xlsx")
        assert led.exports.verify(out).ledger_matches
        assert any(f.code == "forecast-overspend" for f in led.check("2020-03-31"))
    run = CliRunner()
    for args in (
        ["report", "summary", "--as-at", "2020-03-31"],
        ["report", "spend"],
        ["spend", "list", "-f", "json"],
    ):
        r = run.invoke(app, ["--db", str(store_path), *args])
        assert r.exit_code == 0, (args, r.output)
    r = run.invoke(app, ["--db", str(store_path), "spend", "list", "-f", "json"])
    assert [line["amount"] for line in json.loads(r.stdout)] == [LARGEST, LARGEST]
    # And nothing more comes in, not even a penny.
    with fsgrant.open(store_path, create=False) as led, pytest.raises(InvalidAmount):
        led.spend.add("2019-09-03", "0.01", "training")
