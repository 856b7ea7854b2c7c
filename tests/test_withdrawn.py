"""A withdrawn year reads as withdrawn: nothing left to spend, what was received is
repayable, and money already spent is a pressure on the council."""

from __future__ import annotations

from decimal import Decimal

import pytest
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app


@pytest.fixture
def led(tmp_path):
    # One year, 2019/20 (1 August 2019 - 31 July 2020, up to £2,490,000), withdrawn on
    # 1 March 2020 after 18,750.00 + 1,250.00 = 20,000.00 was spent and 622,500.00
    # received.
    ledger = fsgrant.open(tmp_path / "grant.db")
    ledger.init("Family Safeguarding roll-out", "Department for Education", "The council")
    ledger.years.add("2019/20", "2490000.00", "2019-08-01")
    ledger.spend.add("2019-11-14", "18750.00", "training")
    ledger.spend.add("2020-01-10", "1250.00", "evaluation", year="2019/20")
    ledger.receipts.add("2019-09-01", "622500.00", "2019/20")
    ledger.years.vary(
        "2019/20",
        agreed_on="2020-03-01",
        reason="withdrawn",
        status="withdrawn",
        orphan_ok=True,
    )
    return ledger


def test_the_summary_says_nothing_to_spend_repayable_and_a_pressure(led):
    y = led.reports.summary(as_at="2020-03-31").funding_years[0]
    assert y.status == "withdrawn" and not y.secure
    assert y.award == Decimal("0.00")  # nothing left to spend
    assert y.underspend_at_risk == Decimal("0.00")  # was 2,490,000.00, all "at risk"
    assert y.forecast_remaining == Decimal("0.00")
    # The November line (no longer held by any year) and the line charged to 2019/20.
    assert y.actual == Decimal("20000.00")
    assert y.overspend == Decimal("20000.00")
    assert y.remaining == Decimal("-20000.00")
    assert (y.received, y.repayable) == (Decimal("622500.00"), Decimal("622500.00"))
    # Before the withdrawal was agreed, the year read as an open one.
    before = led.reports.summary(as_at="2020-02-29").funding_years[0]
    assert (before.award, before.repayable) == (Decimal("2490000.00"), Decimal("0.00"))
    # 2,490,000.00 - 20,000.00 actual - 0.00 forecast (no estimates, no posts).
    assert before.underspend_at_risk == Decimal("2470000.00")


def test_json_and_the_return_say_it_plainly(led, tmp_path):
    run = CliRunner()
    r = run.invoke(
        app, ["--db", str(led.path), "report", "summary", "--as-at", "2020-03-31", "-f", "json"]
    )
    assert r.exit_code == 0, r.output
    assert '"repayable": "622500.00"' in r.stdout
    assert '"underspend_at_risk": "0.00"' in r.stdout
    from openpyxl import load_workbook

    out = led.exports.write_return("2019/20", "2020-03-31", out=tmp_path / "r.xlsx")
    ws = load_workbook(out)["Summary"]
    rows = {row[0]: row[1:] for row in ws.iter_rows(values_only=True) if row and row[0]}
    assert Decimal(str(rows["Repayable to funder"][0])) == Decimal("622500.00")
    assert Decimal(str(rows["Underspend at risk"][0])) == Decimal("0.00")
    assert Decimal(str(rows["Overspend"][0])) == Decimal("20000.00")
    assert "withdrawn" in rows["Overspend"][1]
    v = led.reports.variance("2019/20", as_at="2020-03-31")
    assert (v.award, v.underspend_at_risk) == (Decimal("0.00"), Decimal("0.00"))


def test_nothing_can_be_charged_to_a_withdrawn_year(led, tmp_path):
    # spend add and an imported line are checked by one rule: a line naming the
    # withdrawn 2019/20 is refused (check would otherwise list it as an error).
    with pytest.raises(fsgrant.Conflict, match="2019/20 is withdrawn"):
        led.spend.add("2020-02-01", "100.00", "training", year="2019/20")
    extract = tmp_path / "lines.csv"
    extract.write_text("date,amount,category,year\n2020-02-01,100.00,training,2019/20\n")
    with pytest.raises(fsgrant.SourceError, match="2019/20 is withdrawn"):
        led.imports.import_file(extract)
    # Only the two lines of the fixture are stored: 18,750.00 + 1,250.00.
    assert sum(x.amount for x in led.spend.list()) == Decimal("20000.00")
