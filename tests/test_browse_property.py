"""The browse query "Where each funding year stands" restates the variation and
allocation rules in SQL for Datasette readers: on random small ledgers, for random
as-at days, its award, actual and received must equal ``fs.reports.summary(as_at)``.

Each example records a few funding years, then a random mix of variations
(extensions, shifts, amounts, moves, status changes including withdrawals; agreed on
random days), spend lines (random days and amounts, credits among them, some naming
their year) and receipts (random days and amounts, repayments among them).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from reliability_helpers import SLOW
from strategies import REFUSED, add_years, days, near_a_year, pounds, starts_for, variations, vary

import fsgrant
from fsgrant.domain.money import to_pence
from fsgrant.errors import InvalidInput
from fsgrant.store.browse_queries import CANNED_QUERIES

COMMON = [date(2019, 4, 1), date(2019, 8, 1), date(2020, 4, 1), date(2020, 8, 1), date(2021, 8, 1)]
LABELS = ["2019/20", "2020/21", "2021/22"]
QUERY = CANNED_QUERIES["funding_years_as_at"]["sql"]

on_days = days(COMMON)
awards = pounds(0, 2_000_000)
signed = pounds(-50_000, 500_000)


@st.composite
def ledgers(draw):
    labels = draw(st.permutations(LABELS))[: draw(st.integers(1, 3))]
    years = [
        (
            label,
            draw(starts_for(label, COMMON)),
            draw(st.one_of(st.none(), st.integers(0, 700))),
            draw(awards),
        )
        for label in labels
    ]
    near = near_a_year(years)
    on_day = st.one_of(near, near, on_days)
    named = st.one_of(st.none(), st.none(), st.sampled_from(labels))
    spend = st.tuples(st.just("spend"), on_day, signed, named)
    receipt = st.tuples(st.just("receipt"), on_day, signed, st.sampled_from(labels))
    variation = variations(labels, on_days, awards)
    ops = draw(st.lists(st.one_of(spend, receipt, variation), min_size=1, max_size=14))
    as_at = draw(st.lists(st.one_of(on_day, on_days), min_size=1, max_size=3))
    return years, ops, as_at


def _build(led, years, ops) -> None:
    add_years(led, years)
    for kind, *args in ops:
        if kind not in ("spend", "receipt"):
            # Variations may orphan money, so withdrawn years with spend and receipts
            # are tried.
            vary(led, (kind, *args), orphan_ok=True)
            continue
        # A refused entry (no year covers the day) stores nothing; the ledger goes on.
        day, amount, year = args
        with contextlib.suppress(*REFUSED):
            if kind == "spend":
                led.spend.add(day, amount, "training", year=year)
            else:
                led.receipts.add(day, amount, year)


@settings(
    max_examples=200 if SLOW else 25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(ledgers())
# 2019/20 withdrawn on 1 July 2019 after a line charged to it and one in its period no
# other year holds: as at 1 August its award is 0 and both lines (7.00 + 10.00) are its
# actual, a pressure on the council; the 30.00 received stays received.
@example(
    (
        [
            ("2019/20", date(2019, 4, 1), None, "100.00"),
            ("2020/21", date(2020, 4, 1), None, "0.00"),
        ],
        [
            ("spend", date(2019, 5, 1), "10.00", None),
            ("spend", date(2019, 6, 1), "7.00", "2019/20"),
            ("receipt", date(2019, 5, 1), "30.00", "2019/20"),
            ("status", "2019/20", date(2019, 7, 1), "withdrawn"),
        ],
        [date(2019, 6, 30), date(2019, 8, 1)],
    )
)
def test_the_funding_years_query_equals_the_summary(ledger):
    years, ops, as_at = ledger
    folder = Path(tempfile.mkdtemp(prefix="fsgrant-browse-"))
    try:
        with fsgrant.open(folder / "s.db") as led:
            _build(led, years, ops)
            for day in as_at:
                summary = led.reports.summary(day)
                in_python = {
                    y.label: (
                        y.status,
                        to_pence(y.award),
                        to_pence(y.actual),
                        to_pence(y.received),
                        to_pence(y.remaining),
                    )
                    for y in summary.funding_years
                }
                in_sql = {
                    r["funding_year"]: (
                        r["status"],
                        r["award_pence"],
                        r["actual_pence"],
                        r["received_pence"],
                        r["award_less_actual_pence"],
                    )
                    for r in led.store.query(QUERY, {"as_at": day.isoformat()})
                }
                assert in_sql == in_python, day
                event(f"a withdrawn year: {any(s == 'withdrawn' for s, *_ in in_python.values())}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_variation_leaving_a_year_ending_before_it_starts_as_at_some_day_is_refused(tmp_path):
    """Found by the test above: 2019/20 (from 1 August 2019) shifted on 1 April 2020 to
    the single day 1 April 2019, then an extension agreed back on 1 April 2019 to end
    that day. With every variation applied the year is 1 April 2019 to 1 April 2019;
    as at 1 August 2019 only the extension applies and the year would run from
    1 August 2019 to 1 April 2019, so a report as at that day could not be made."""
    with fsgrant.open(tmp_path / "s.db") as led:
        led.init("FS", "DfE", "Council")
        led.years.add("2019/20", "0.00", "2019-08-01")
        led.years.vary(
            "2019/20", agreed_on="2020-04-01", reason="shift", start="2019-04-01", end="2019-04-01"
        )
        with pytest.raises(InvalidInput, match="would end before it starts as at 2019-04-01"):
            led.years.vary("2019/20", agreed_on="2019-04-01", reason="extend", end="2019-04-01")
        assert len(led.years.variations("2019/20")) == 1
        [y] = led.reports.summary("2019-08-01").funding_years
        assert (y.start, y.end) == (date(2019, 8, 1), date(2020, 7, 31))
