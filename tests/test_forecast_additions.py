"""Forecast additions: agency cover while the probation post is blocked, forecast on
top of what the posts show (nothing, for a blocked post). Figures worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from reliability_helpers import make_grant
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.errors import InvalidInput, PeriodClosed

D = Decimal


@pytest.fixture
def led(tmp_path):
    path = tmp_path / "grant.db"
    make_grant(path)
    with fsgrant.open(path, create=False) as ledger:
        ledger.posts.add(
            "PROB-1",
            role="probation",
            host="National Probation Service",
            fte="1",
            annual_cost="48000.00",
            planned_start="2019-10-01",
        )
        # Blocked from the start (the TUPE transfer): the post itself costs nothing.
        ledger.posts.set_status("PROB-1", "blocked", "2019-09-01", reason="TUPE transfer")
        ledger.estimates.set("2019/20", "staffing", "48000.00", on="2019-08-01")
        ledger.forecasts.add(
            "2019/20", "staffing", "12000.00", reason="agency cover for PROB-1", on="2020-02-01"
        )
        ledger.forecasts.add("2019/20", "staffing", "3000.00", reason="overtime", on="2020-03-01")
        # The agency cover revised down on 1 April: 9,000.00 still expected.
        ledger.forecasts.add(
            "2019/20", "staffing", "9000.00", reason="agency cover for PROB-1", on="2020-04-01"
        )
        yield ledger


# As at        posts   agency cover   overtime   forecast remaining
# 31/01/2020   0.00    -              -          0.00
# 29/02/2020   0.00    12,000.00      -          12,000.00
# 31/03/2020   0.00    12,000.00      3,000.00   15,000.00
# 30/04/2020   0.00    9,000.00       3,000.00   12,000.00
# 31/07/2020   (the period's last day: nothing remains)   0.00
FORECAST = {
    "2020-01-31": "0.00",
    "2020-02-29": "12000.00",
    "2020-03-31": "15000.00",
    "2020-04-30": "12000.00",
    "2020-07-31": "0.00",
}


@pytest.mark.parametrize(("day", "forecast"), sorted(FORECAST.items()))
def test_agency_cover_on_a_blocked_post(led, day, forecast) -> None:
    staffing = next(x for x in led.reports.variance("2019/20", day).lines)
    assert staffing.category == "staffing"
    assert staffing.forecast_remaining == D(forecast)
    if day != "2020-07-31":
        assert sum((a.amount for a in staffing.forecast_additions), D("0.00")) == D(forecast)
    summary = led.reports.summary(day).funding_years[0]
    assert summary.forecast_remaining == D(forecast)


def test_itemised_under_the_category(led) -> None:
    staffing = led.reports.variance("2019/20", "2020-04-30").lines[0]
    assert [(a.reason, a.amount, a.set_on.isoformat()) for a in staffing.forecast_additions] == [
        ("overtime", D("3000.00"), "2020-03-01"),
        ("agency cover for PROB-1", D("9000.00"), "2020-04-01"),
    ]
    # The JSON of the category carries them, and forecast_remaining includes them.
    js = staffing.model_dump(mode="json")
    assert js["forecast_remaining"] == "12000.00"
    assert js["forecast_additions"][1] == {
        "reason": "agency cover for PROB-1",
        "amount": "9000.00",
        "set_on": "2020-04-01",
    }
    # The profile spreads what the posts' months do not hold: its forecast agrees.
    assert led.reports.profile("2019/20", "2020-04-30").totals.forecast == D("12000.00")


def test_history_is_kept(led) -> None:
    assert [(a.reason, a.amount) for a in led.forecasts.additions(history=True)] == [
        ("agency cover for PROB-1", D("12000.00")),
        ("overtime", D("3000.00")),
        ("agency cover for PROB-1", D("9000.00")),
    ]
    led.forecasts.add("2019/20", "staffing", "0.00", reason="overtime", on="2020-05-01")
    assert [a.reason for a in led.forecasts.additions("2020-05-31")] == ["agency cover for PROB-1"]


def test_refusals(led) -> None:
    with pytest.raises(InvalidInput, match="no post is charged to training"):
        led.forecasts.add("2019/20", "training", "10.00", reason="x", on="2020-02-01")
    with pytest.raises(InvalidInput):
        led.forecasts.add("2019/20", "staffing", "-10.00", reason="x", on="2020-02-01")
    with pytest.raises(InvalidInput):
        led.forecasts.add("2019/20", "staffing", "10.00", reason=" ", on="2020-02-01")
    led.periods.close("2019/20", "2020-03-31", "Q4 return")
    with pytest.raises(PeriodClosed):
        led.forecasts.add("2019/20", "staffing", "10.00", reason="backfill", on="2020-03-15")


def test_cli(led) -> None:
    db = str(led.path)
    runner = CliRunner()
    add = ["forecast", "add", "2019/20", "staffing", "500.00", "--reason", "backfill"]
    r = runner.invoke(app, ["--db", db, *add, "--on", "2020-04-15"])
    assert r.exit_code == 0, r.output
    assert r.output == (
        "Forecast addition 4: 2019/20 staffing + £500.00 after 2020-04-15 (backfill).\n"
    )
    r = runner.invoke(
        app, ["--db", db, "report", "variance", "--year", "2019/20", "--as-at", "2020-04-30"]
    )
    assert r.exit_code == 0, r.output
    assert "staffing forecast includes £9,000.00 for agency cover for PROB-1 (set" in r.output
    r = runner.invoke(
        app, ["--db", db, "forecast", "additions", "--as-at", "2020-04-30", "--format", "csv"]
    )
    assert r.output.count("\n") == 4  # the header and three in force


def test_a_ledger_folder_carries_additions(tmp_path) -> None:
    import shutil
    from pathlib import Path

    folder = tmp_path / "ledger"
    shutil.copytree(Path(__file__).parent.parent / "ledgers" / "cambridgeshire", folder)
    (folder / "forecast_additions.csv").write_text(
        "funding_year,category,amount,reason,set_on\n"
        "2019/20,staffing,6000.00,agency cover,2020-02-01\n"
        "2019/20,staffing,4000.00,agency cover,2020-03-01\n"
    )
    with fsgrant.open(tmp_path / "grant.db") as led:
        assert led.load(folder).forecast_additions == 2
        assert [a.amount for a in led.forecasts.additions("2020-03-31")] == [D("4000.00")]
