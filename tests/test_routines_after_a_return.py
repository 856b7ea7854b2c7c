"""The routines against a return already sent: a purchase order dated inside its
period, entered through a recorded reopen, is a correction that names itself; an
accrual, a forecast addition and a virement dated after the return's date are changes
of estimate (the sent return holds). Figures worked out by hand below."""

from __future__ import annotations

import pytest
from reliability_helpers import make_grant

import fsgrant


@pytest.fixture
def submitted(tmp_path):
    make_grant(tmp_path / "grant.db")
    with fsgrant.open(tmp_path / "grant.db", create=False) as led:
        led.posts.add(
            "DA-N1",
            role="domestic-abuse",
            host="Cambridgeshire County Council",
            fte="1",
            annual_cost="46500.00",
            planned_start="2019-11-01",
        )
        led.estimates.set("2019/20", "training", "10000.00")
        led.forecasts.set("2019/20", "training", "1000.00", on="2020-03-01")
        path = led.exports.write_return("2019/20", "2020-03-31", out=tmp_path / "ret.xlsx")
        led.returns.submit(path, reference="Q4 return", close=True)
        yield led, path


def test_a_late_purchase_order_is_a_correction(submitted) -> None:
    led, path = submitted
    led.periods.reopen("2019/20", "a purchase order raised in March, keyed late")
    led.commitments.add("2020-03-20", "4800.00", "training", reference="PO-1")
    led.periods.close("2019/20", "2020-03-31", "Q4 return restated")
    check = led.exports.verify(path)
    assert not check.ledger_matches
    causes = {(e.action, e.detail.get("reference")) for c in check.changes for e in c.because}
    assert causes == {("commit.add", "PO-1")}
    # Committed 4,800.00 lifts training's forecast from 1,000.00 to 4,800.00: the
    # outturn moves by 3,800.00.
    moved = {(c.sheet, c.row, c.column): (c.submitted, c.now) for c in check.changes}
    training = "Motivational Interviewing and other training"  # read by its description
    assert moved[("Spend vs estimate", training, "Committed (orders not invoiced)")] == (
        "0.00",
        "4800.00",
    )
    assert moved[("Spend vs estimate", training, "Forecast remaining")] == ("1000.00", "4800.00")


def test_what_is_dated_after_the_return_moves_later_returns_only(submitted) -> None:
    led, path = submitted
    led.spend.accrue("2020-04-30", "750.00", "training")
    led.forecasts.add("2019/20", "staffing", "2000.00", reason="agency cover", on="2020-04-15")
    led.estimates.set("2019/20", "training", "9000.00", on="2020-04-15", reason="virement")
    check = led.exports.verify(path)
    assert check.ledger_matches and check.changes == ()
    assert sorted(e.action for e in check.changes_of_estimate) == [
        "estimate.set",
        "forecast.add",
        "spend.accrue",
    ]
