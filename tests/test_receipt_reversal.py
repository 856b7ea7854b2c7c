"""Reversing a receipt keyed wrongly: a reversal pointing at it, netting to zero in the
same period, refused twice, for a reversal and in a closed period.

    2019/20: award 2,490,000.00 from 1 August 2019.
    Receipts: 1,245,000.00 on 15 October 2019 (right), 1,245,000.00 on 15 January 2020
    keyed against 2019/20 twice by mistake (receipt 2 and receipt 3).
"""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

import pytest
from scenario import two_year_grant
from typer.testing import CliRunner

from fsgrant.cli import app
from fsgrant.errors import Conflict, InvalidInput, NotFound, PeriodClosed

D = Decimal


@pytest.fixture
def led(tmp_path):
    ledger = two_year_grant(tmp_path / "r.db")
    ledger.receipts.add("2019-10-15", "1245000.00", "2019/20", reference="DfE remittance 1")
    ledger.receipts.add("2020-01-15", "1245000.00", "2019/20", reference="DfE remittance 2")
    ledger.receipts.add("2020-01-15", "1245000.00", "2019/20", reference="DfE remittance 2")
    return ledger


def received(led, day="2020-03-31"):
    return {y.label: y.received for y in led.reports.summary(day).funding_years}["2019/20"]


def test_a_reversal_nets_the_receipt_to_zero(led):
    # Before: 3 x 1,245,000.00 = 3,735,000.00 received, more than the award: an error.
    assert received(led) == D("3735000.00")
    assert "receipts-over-award" in {f.code for f in led.check("2020-03-31")}
    r = led.receipts.reverse(3, "keyed twice from the same remittance")
    assert (r.id, r.amount, r.date.isoformat(), r.funding_year, r.reverses) == (
        4,
        D("-1245000.00"),
        "2020-01-15",
        "2019/20",
        3,
    )
    assert r.reason == "keyed twice from the same remittance"
    assert led.receipts.get(3).reversed_by == 4
    # After: 3,735,000.00 - 1,245,000.00 = 2,490,000.00, the award; as at 14 January
    # neither the receipt nor its reversal counts: 1,245,000.00.
    assert received(led) == D("2490000.00")
    assert received(led, "2020-01-14") == D("1245000.00")
    assert "receipts-over-award" not in {f.code for f in led.check("2020-03-31")}
    assert [x.id for x in led.receipts.list("2019/20")] == [1, 2, 3, 4]


def test_a_receipt_is_reversed_once_and_a_reversal_never(led):
    led.receipts.reverse(3, "keyed twice")
    with pytest.raises(Conflict, match="already reversed by receipt 4"):
        led.receipts.reverse(3, "again")
    with pytest.raises(Conflict, match="is a reversal"):
        led.receipts.reverse(4, "undo the undo")
    with pytest.raises(NotFound):
        led.receipts.reverse(99, "no such")
    with pytest.raises(InvalidInput):
        led.receipts.reverse(2, "  ")
    assert len(led.receipts.list()) == 4


def test_the_store_itself_refuses_a_second_or_unbalanced_reversal(led):
    led.receipts.reverse(3, "keyed twice")
    conn = sqlite3.connect(led.store.path)
    row = "INSERT INTO receipts (date, amount_pence, funding_year, reverses, reason, recorded_at, recorded_by) VALUES (?, ?, '2019/20', ?, 'x', 't', 'u')"
    with pytest.raises(sqlite3.DatabaseError, match="reversed once"):
        conn.execute(row, ["2020-01-15", -124500000, 3])
    with pytest.raises(sqlite3.DatabaseError, match="negated amount"):
        conn.execute(row, ["2020-01-15", -100, 2])
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE receipts SET reverses = NULL WHERE id = 4")
    conn.close()


def test_a_reversal_in_a_closed_period_is_refused(led):
    led.periods.close("2019/20", "2020-03-31", "Q4 return")
    with pytest.raises(PeriodClosed):
        led.receipts.reverse(3, "keyed twice")
    assert len(led.receipts.list()) == 3


def test_cli_receipt_reverse_and_list_by_year(led):
    runner = CliRunner()
    db = str(led.store.path)
    r = runner.invoke(app, ["--db", db, "receipt", "reverse", "3", "--reason", "keyed twice"])
    assert r.exit_code == 0, r.output
    assert (
        "Recorded receipt #4: -£1,245,000.00 for 2019/20 on 15/01/2020, reversing receipt #3."
        in (r.output)
    )
    r = runner.invoke(app, ["--db", db, "receipt", "reverse", "3", "--reason", "again"])
    assert r.exit_code == 1 and "already reversed" in r.output
    r = runner.invoke(app, ["--db", db, "receipt", "list", "--year", "2019/20", "-f", "json"])
    rows = json.loads(r.output)
    assert [(x["id"], x["amount"], x["reverses"], x["reversed_by"]) for x in rows] == [
        (1, "1245000.00", None, None),
        (2, "1245000.00", None, None),
        (3, "1245000.00", None, 4),
        (4, "-1245000.00", 3, None),
    ]
    r = runner.invoke(app, ["--db", db, "receipt", "list", "--year", "2020/21", "-f", "json"])
    assert json.loads(r.output) == []
