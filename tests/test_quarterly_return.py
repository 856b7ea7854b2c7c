"""The quarterly return: the quarter's spend by category beside the year to date and the
forecast, as at the quarter's end, with every sheet's title naming the quarter.

    2019/20: 1 August 2019 - 31 July 2020 (funding-year quarters: Q1 August - October,
    Q2 November - January, Q3 February - April, Q4 May - July).
    Original estimates (1 August 2019): training 10,000.00, case-recording 5,000.00.
    Spend: training 1,000.00 on 15 November 2019 (Q2), 2,000.00 on 10 February 2020 (Q3);
    case-recording 500.00 on 30 April 2020 (Q3); training 300.00 on 1 May 2020 (Q4).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from scenario import two_year_grant
from typer.testing import CliRunner

from fsgrant.cli import app
from fsgrant.domain.periods import Period, period_label, quarter_period
from fsgrant.errors import InvalidInput

D = Decimal


@pytest.fixture
def led(tmp_path):
    ledger = two_year_grant(tmp_path / "q.db")
    ledger.estimates.set("2019/20", "training", "10000.00", on="2019-08-01")
    ledger.estimates.set("2019/20", "case-recording", "5000.00", on="2019-08-01")
    ledger.spend.add("2019-11-15", "1000.00", "training")
    ledger.spend.add("2020-02-10", "2000.00", "training")
    ledger.spend.add("2020-04-30", "500.00", "case-recording")
    ledger.spend.add("2020-05-01", "300.00", "training")
    return ledger


TRAINING = "Motivational Interviewing and other training"
CASE_RECORDING = "Electronic case recording system (the workbook)"


def summary(path):
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = {r[0]: r[1] for r in wb["Summary"].iter_rows(max_col=2, values_only=True) if r[0]}
    rows |= {
        r[0]: r[1:4]
        for r in wb["Summary"].iter_rows(max_col=4, values_only=True)
        if r[0] in (TRAINING, CASE_RECORDING, "Quarter total", "Year to date")
    }
    titles = {name: wb[name]["A1"].value for name in wb.sheetnames}
    wb.close()
    return rows, titles


def test_quarters_of_both_kinds():
    start, end = date(2019, 8, 1), date(2021, 3, 31)
    assert quarter_period("2019/20", start, end, "Q3") == (
        "2019/20 Q3",
        Period(date(2020, 2, 1), date(2020, 4, 30)),
    )
    assert quarter_period("2019/20", start, end, "FY2019/20 Q4") == (
        "FY2019/20 Q4",
        Period(date(2020, 1, 1), date(2020, 3, 31)),
    )
    # Cut to the year: FY2019/20 Q2 (July - September 2019) has only August and September.
    assert quarter_period("2019/20", start, end, "fy2019/20 q2")[1] == Period(
        date(2019, 8, 1), date(2019, 9, 30)
    )
    # The extension to March 2021 gives Q7: February - March 2021, cut at the end.
    assert quarter_period("2019/20", start, end, "Q7")[1] == Period(
        date(2021, 2, 1), date(2021, 3, 31)
    )
    with pytest.raises(InvalidInput, match="no day in funding year"):
        quarter_period("2019/20", start, end, "Q8")
    with pytest.raises(InvalidInput, match="not a quarter"):
        quarter_period("2019/20", start, end, "third")
    assert period_label("2019/20", start, end, Period(date(2020, 2, 1), date(2020, 4, 30))) == (
        "2019/20 Q3"
    )
    assert period_label("2019/20", start, end, Period(date(2020, 4, 1), date(2020, 6, 30))) == (
        "FY2020/21 Q1"
    )
    assert period_label("2019/20", start, end, Period(date(2020, 2, 1), date(2020, 2, 29))) == (
        "01/02/2020 to 29/02/2020"
    )


def test_a_quarterly_return_shows_the_quarter_the_year_to_date_and_the_forecast(led, tmp_path):
    path = led.exports.write_return("2019/20", out=tmp_path / "q3.xlsx", quarter="Q3")
    rows, titles = summary(path)
    assert rows["As at"] == datetime(2020, 4, 30)
    assert (rows["Quarter from"], rows["Quarter to"]) == (
        datetime(2020, 2, 1),
        datetime(2020, 4, 30),
    )
    # Q3 (February - April 2020): spend, budget, variance for each category (by its
    # description) and in total, then the year to date. Budgets: the estimates phased
    # evenly over the year's 12 months, the pence left over to the first months.
    # Training 10,000.00: 833.34 (August - November), 833.33 after; Q3's three months
    # 3 x 833.33 = 2,499.99; to date (August - April) 4 x 833.34 + 5 x 833.33 = 7,500.01.
    # Case-recording 5,000.00: 416.67 (August - March), 416.66 after; Q3 416.67 x 2 +
    # 416.66 = 1,250.00; to date 8 x 416.67 + 416.66 = 3,750.02.
    assert rows[TRAINING] == (2000, 2499.99, -499.99)
    assert rows[CASE_RECORDING] == (500, 1250, -750)
    assert rows["Quarter total"] == (2500, 3749.99, -1249.99)
    # Year to date (to 30 April): 1,000 + 2,000 + 500 = 3,500.00 (the 1 May line is not
    # in) against 7,500.01 + 3,750.02 = 11,250.03.
    assert rows["Year to date"] == (3500, 11250.03, -7750.03)
    # Slugs stay off the page a person signs.
    assert "training" not in rows and "Spend in the quarter: training" not in rows
    # Forecast (no forecast set, no posts): each category's estimate less actual, so the
    # outturn is the estimates, 10,000 + 5,000 = 15,000.00.
    assert rows["Forecast outturn for the year"] == 15000
    assert all("2019/20 Q3" in t for t in titles.values()), titles
    # It verifies against the store as a quarterly return.
    check = led.exports.verify(path)
    assert check.ledger_matches is True and check.changes == ()


def test_a_financial_quarter_and_a_period_by_dates(led, tmp_path):
    path = led.exports.write_return("2019/20", out=tmp_path / "fy.xlsx", quarter="FY2019/20 Q4")
    rows, _ = summary(path)
    # January - March 2020: training 2,000.00 only; year to date 1,000 + 2,000 = 3,000.00.
    assert (rows["Quarter total"][0], rows["Year to date"][0]) == (2000, 3000)
    assert rows["As at"] == datetime(2020, 3, 31)
    path = led.exports.write_return(
        "2019/20", out=tmp_path / "feb.xlsx", from_date="01/02/2020", to_date="29/02/2020"
    )
    rows, titles = summary(path)
    assert rows["Quarter total"][0] == 2000
    assert "01/02/2020 to 29/02/2020" in titles["Spend vs estimate"]
    assert led.exports.verify(path).changes == ()
    # A later line in the period moves the quarter's figure (2,000.00 -> 2,050.00):
    # verify says so, by its row.
    led.spend.add("2020-02-20", "50.00", "training")
    check = led.exports.verify(path)
    moved = {(c.sheet, c.row, c.column) for c in check.changes}
    assert ("Summary", "Quarter total", "Spend") in moved
    assert ("Summary", TRAINING, "Spend") in moved
    # Told once: the line, and the headline figures it moved.
    assert [c.figures_moved > 0 for c in check.causes] == [True]
    assert "Quarter total: Spend" in check.causes[0].headline


def test_bad_quarterly_requests_are_refused(led, tmp_path):
    with pytest.raises(InvalidInput, match="not --as-at"):
        led.exports.write_return("2019/20", "2020-04-30", out=tmp_path / "x.xlsx", quarter="Q3")
    with pytest.raises(InvalidInput, match="not within funding year"):
        led.exports.write_return(
            "2019/20", out=tmp_path / "x.xlsx", from_date="2019-07-01", to_date="2019-09-30"
        )
    with pytest.raises(InvalidInput, match="both --from and --to"):
        led.exports.write_return("2019/20", out=tmp_path / "x.xlsx", from_date="2019-08-01")
    assert not (tmp_path / "x.xlsx").exists()


def test_cli_export_return_by_quarter(led, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(
        app,
        ["--db", str(led.store.path), "export", "return", "--year", "2019/20", "--quarter", "Q3"],
    )
    assert r.exit_code == 0, r.output
    written = tmp_path / "exports" / "family-safeguarding-2019-20-return-2019-20-q3-2020-04-30.xlsx"
    assert written.is_file(), r.output
    r = CliRunner().invoke(
        app,
        ["--db", str(led.store.path), "export", "return", "--year", "2019/20", "--quarter", "Q9"],
    )
    assert r.exit_code == 2 and "no day in funding year" in r.output
