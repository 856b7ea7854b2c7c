"""Quarters of both kinds of year, and spend totalled by them.

Financial-year quarters start in April (Q1 April-June); funding-year quarters count
threes of months from the funding year's start (August here: Q1 August-October).
Every expected figure is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from scenario import FS_GRANT, TWO_YEARS
from typer.testing import CliRunner

from fsgrant.cli import app
from fsgrant.domain.periods import financial_quarter_label, funding_quarter_label
from fsgrant.errors import InvalidInput, NotFound

D = Decimal


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2019, 4, 1), "FY2019/20 Q1"),
        (date(2019, 6, 30), "FY2019/20 Q1"),
        (date(2019, 7, 1), "FY2019/20 Q2"),
        (date(2019, 12, 31), "FY2019/20 Q3"),
        (date(2020, 1, 1), "FY2019/20 Q4"),
        (date(2020, 3, 31), "FY2019/20 Q4"),  # the last day of the financial year
        (date(2020, 4, 1), "FY2020/21 Q1"),  # the first day of the next
    ],
)
def test_financial_quarters_start_in_april(day, label):
    assert financial_quarter_label(day) == label


@pytest.mark.parametrize(
    ("start", "day", "label"),
    [
        # 1 August start: Aug-Oct Q1, Nov-Jan Q2, Feb-Apr Q3, May-Jul Q4.
        (date(2019, 8, 1), date(2019, 8, 1), "2019/20 Q1"),
        (date(2019, 8, 1), date(2019, 10, 31), "2019/20 Q1"),
        (date(2019, 8, 1), date(2019, 11, 1), "2019/20 Q2"),
        (date(2019, 8, 1), date(2020, 1, 31), "2019/20 Q2"),  # across the calendar year
        (date(2019, 8, 1), date(2020, 3, 31), "2019/20 Q3"),  # across the financial year
        (date(2019, 8, 1), date(2020, 4, 1), "2019/20 Q3"),
        (date(2019, 8, 1), date(2020, 7, 31), "2019/20 Q4"),
        # Extended past twelve months: August 2020 is the 13th month, Q5.
        (date(2019, 8, 1), date(2020, 8, 1), "2019/20 Q5"),
        # A year starting mid-month: 15 Aug - 14 Nov is Q1.
        (date(2019, 8, 15), date(2019, 11, 14), "2019/20 Q1"),
        (date(2019, 8, 15), date(2019, 11, 15), "2019/20 Q2"),
    ],
)
def test_funding_quarters_count_from_the_year_start(start, day, label):
    assert funding_quarter_label("2019/20", start, day) == label


def test_a_day_before_the_year_has_no_funding_quarter():
    with pytest.raises(InvalidInput):
        funding_quarter_label("2019/20", date(2019, 8, 1), date(2019, 7, 31))


@pytest.fixture
def led(new_ledger):
    # 2019/20: 1 Aug 2019 - 31 Jul 2020; 2020/21: 1 Aug 2020 - 31 Jul 2021.
    ledger = new_ledger("q.db", grant=FS_GRANT, years=TWO_YEARS)
    for day, amount in [
        ("2019-10-31", "50.00"),  # FY2019/20 Q3; 2019/20 Q1
        ("2020-01-15", "100.00"),  # FY2019/20 Q4; 2019/20 Q2
        ("2020-03-31", "200.00"),  # FY2019/20 Q4; 2019/20 Q3
        ("2020-04-01", "300.00"),  # FY2020/21 Q1; 2019/20 Q3
        ("2020-07-31", "400.00"),  # FY2020/21 Q2; 2019/20 Q4
        ("2020-08-01", "500.00"),  # FY2020/21 Q2; 2020/21 Q1
    ]:
        ledger.spend.add(day, amount, "training")
    return ledger


def rows(report) -> list[tuple[str, Decimal]]:
    return [(r.key, r.amount) for r in report.rows]


def test_spend_by_financial_quarter_across_the_year_boundary(led):
    r = led.reports.spend("quarter")
    assert rows(r) == [
        ("FY2019/20 Q3", D("50.00")),
        ("FY2019/20 Q4", D("300.00")),  # 100.00 + 200.00
        ("FY2020/21 Q1", D("300.00")),
        ("FY2020/21 Q2", D("900.00")),  # 400.00 + 500.00
    ]
    assert r.total == D("1550.00")


def test_spend_by_funding_quarter_and_for_one_year(led):
    assert rows(led.reports.spend("funding-quarter")) == [
        ("2019/20 Q1", D("50.00")),
        ("2019/20 Q2", D("100.00")),
        ("2019/20 Q3", D("500.00")),  # 200.00 + 300.00
        ("2019/20 Q4", D("400.00")),
        ("2020/21 Q1", D("500.00")),
    ]
    only = led.reports.spend("quarter", year="2019/20")
    # Without the 500.00 of 1 August 2020 (2020/21): 50 + 300 + 300 + 400 = 1,050.00.
    assert rows(only) == [
        ("FY2019/20 Q3", D("50.00")),
        ("FY2019/20 Q4", D("300.00")),
        ("FY2020/21 Q1", D("300.00")),
        ("FY2020/21 Q2", D("400.00")),
    ]
    assert (only.total, only.funding_year) == (D("1050.00"), "2019/20")
    assert rows(led.reports.spend("category", year="2020/21")) == [("training", D("500.00"))]
    window = led.reports.spend("funding-quarter", "2020-01-01", "2020-03-31", year="2019/20")
    assert rows(window) == [("2019/20 Q2", D("100.00")), ("2019/20 Q3", D("200.00"))]
    with pytest.raises(NotFound):
        led.reports.spend("quarter", year="2018/19")


def test_an_extension_moves_later_spend_into_a_fifth_quarter(led):
    led.years.vary("2019/20", agreed_on="2020-02-14", end="2021-03-31", reason="moved back")
    # 1 August 2020 is now in 2019/20 (the earliest start wins on overlap), its 13th month.
    assert rows(led.reports.spend("funding-quarter"))[-1] == ("2019/20 Q5", D("500.00"))


def test_report_spend_by_quarter_from_the_command_line(led):
    runner = CliRunner()
    db = ["--db", str(led.path)]
    res = runner.invoke(app, [*db, "report", "spend", "--by", "quarter", "-f", "json"])
    assert res.exit_code == 0, res.output
    keys = {r["key"]: r["amount"] for r in json.loads(res.output)["rows"]}
    assert keys["FY2019/20 Q4"] == "300.00"
    res = runner.invoke(
        app, [*db, "report", "spend", "--by", "funding-quarter", "--year", "2019/20", "-f", "json"]
    )
    out = json.loads(res.output)
    assert {r["key"]: r["amount"] for r in out["rows"]}["2019/20 Q3"] == "500.00"
    assert out["total"] == "1050.00" and out["funding_year"] == "2019/20"
    bad = runner.invoke(app, [*db, "report", "spend", "--by", "week"])
    assert bad.exit_code == 2 and "funding-quarter" in bad.output
