"""What a close freezes, for every kind of record against every shape of closure
(the table in fsgrant.domain.time_rule): a return's own year's money and terms, the
records every return shares, a variation's named years, and observations never."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import fsgrant
from fsgrant.domain.time_rule import RECORD_KINDS
from fsgrant.errors import PeriodClosed

Record = Callable[[Any, str], object]

# One record of each kind, dated d. Each refers to 2019/20 where it names a year.
RECORDS: dict[str, Record] = {
    "spend": lambda led, d: led.spend.add(d, "12.00", "training"),
    "receipt": lambda led, d: led.receipts.add(d, "10.00", "2019/20"),
    "commitment": lambda led, d: led.commitments.add(d, "10.00", "training", reference="PO-2"),
    "commitment-cancel": lambda led, d: led.commitments.cancel(1, on=d, reason="not needed"),
    "measure-observation": lambda led, d: led.measures.add("children-in-care", d, "739"),
    "variation": lambda led, d: led.years.vary(
        "2019/20", agreed_on=d, reason="x", award="2000000.00"
    ),
    "estimate": lambda led, d: led.estimates.set(
        "2019/20", "training", "100.00", on=d, reason="virement"
    ),
    "phasing": lambda led, d: led.estimates.phase("2019/20", "training", even=True, on=d),
    "forecast": lambda led, d: led.forecasts.set("2019/20", "training", "5.00", on=d),
    "forecast-addition": lambda led, d: led.forecasts.add(
        "2019/20", "staffing", "5.00", reason="agency cover", on=d
    ),
    "condition": lambda led, d: led.conditions.add("2020/21", "Later", agreed_on=d),
    "condition-evidence": lambda led, d: led.conditions.add_evidence(
        "2020/21", 1, on=d, note="monitoring"
    ),
    "condition-status": lambda led, d: led.conditions.set_status("2020/21", 1, "submitted", on=d),
    "condition-amendment": lambda led, d: led.conditions.set(
        "2020/21", 1, due="2020-10-31", on=d, reason="DfE letter"
    ),
    "plan-source": lambda led, d: led.plan.add_source("partners", "partner", on=d),
    "plan-funding": lambda led, d: led.plan.fund("council", "FY2022/23", "1.00", on=d),
    "plan-cost": lambda led, d: led.plan.cost("training", "FY2022/23", "1.00", on=d),
    "measure-target": lambda led, d: led.measures.target(
        "children-in-care", "FY2022/23", "670", on=d
    ),
    "post": lambda led, d: led.posts.add(
        "NEW", role="probation", host="NPS", fte="1", annual_cost="50000", planned_start=d
    ),
    "post-status": lambda led, d: led.posts.set_status("DA-N1", "vacant", d),
    "post-change": lambda led, d: led.posts.change("DA-N1", d, fte="0.5", reason="hours"),
}

# Worked out from the rule, by hand, for a record dated 15 March 2020:
# * "own": 2019/20 closed through 31 March 2020 (the record's own year);
# * "later": only 2020/21 closed, through 30 September 2020 (its return, as at 30
#   September, shows the posts, the conditions and the plan as at then too, but not
#   2019/20's money or terms).
REFUSED = {
    #  kind                 own    later
    "spend": (True, False),
    "receipt": (True, False),
    "commitment": (True, False),
    "commitment-cancel": (True, False),
    "measure-observation": (False, False),
    "variation": (True, False),
    "estimate": (True, False),
    "phasing": (True, False),
    "forecast": (True, False),
    "forecast-addition": (True, False),
    "condition": (True, True),
    "condition-evidence": (True, True),
    "condition-status": (True, True),
    "condition-amendment": (True, True),
    "plan-source": (True, True),
    "plan-funding": (True, True),
    "plan-cost": (True, True),
    "measure-target": (True, True),
    "post": (True, True),
    "post-status": (True, True),
    "post-change": (True, True),
}


@pytest.fixture
def led(store_path):
    ledger = fsgrant.open(store_path, create=False)
    ledger.posts.add(
        "DA-N1",
        role="domestic-abuse",
        host="Cambridgeshire County Council",
        fte="1",
        annual_cost="46500.00",
        planned_start="2019-11-01",
    )
    ledger.estimates.set("2019/20", "training", "1000.00", on="2019-08-01")
    ledger.commitments.add("2019-09-01", "50.00", "training", reference="PO-1")
    ledger.conditions.add("2020/21", "Sustainability", agreed_on="2020-01-15")
    ledger.measures.add("children-in-care", "2019-04-30", "700")
    ledger.plan.add_source("council", "base-budget", on="2020-01-01")
    return ledger


def test_every_kind_of_record_is_in_the_table() -> None:
    assert set(RECORDS) == set(RECORD_KINDS) == set(REFUSED)


@pytest.mark.parametrize("kind", sorted(REFUSED))
@pytest.mark.parametrize("shape", ["own", "later"])
def test_each_kind_against_each_closure(led, kind: str, shape: str) -> None:
    if shape == "own":
        led.periods.close("2019/20", "2020-03-31", "Q4 return")
    else:
        led.periods.close("2020/21", "2020-09-30", "Q1 return")
    refused = REFUSED[kind][0 if shape == "own" else 1]
    before = led.exports.fingerprint()
    if refused:
        with pytest.raises(PeriodClosed) as caught:
            RECORDS[kind](led, "2020-03-15")
        assert caught.value.reference == ("Q4 return" if shape == "own" else "Q1 return")
        assert led.exports.fingerprint() == before  # nothing stored
    else:
        RECORDS[kind](led, "2020-03-15")
        assert led.exports.fingerprint() != before


def test_a_variation_may_not_bring_a_closed_day_into_another_year(led) -> None:
    # 2019/20 closed through 31 March 2020. Moving 2020/21's start to 1 March 2020
    # would let spend naming 2020/21 in on 1-31 March: refused, naming the day.
    led.periods.close("2019/20", "2020-03-31", "Q4 return")
    with pytest.raises(PeriodClosed, match="bring 2020-03-01 into funding year 2020/21"):
        led.years.vary(
            "2020/21", agreed_on="2020-04-02", reason="early", start="2020-03-01", end="2021-02-28"
        )
    # Starting 1 April, after the closed window, is accepted.
    led.years.vary(
        "2020/21", agreed_on="2020-04-02", reason="early", start="2020-04-01", end="2021-03-31"
    )
    assert led.years.get("2020/21").start.isoformat() == "2020-04-01"
