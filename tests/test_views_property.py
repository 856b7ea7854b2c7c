"""The store's SQL views restate the allocation rule for readers of the raw store
(Datasette, sqlite-utils): on random ledgers they must agree with the library.

Each example records a few funding years (overlapping or not, some starting on the
same day), then a random mix of variations (extensions, shifts, amounts, moves,
status changes including withdrawals; agreed on random days, ties included) and
spend lines (random days, some naming their year). For every line the funding year
of ``spend_allocated`` and the financial year of ``spend_allocated`` and
``spend_readable`` must equal what the library says (``Ledger.spend()`` and
:func:`fsgrant.domain.periods.financial_year_label`), and ``funding_years_current``
must equal ``Ledger.years()``.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from reliability_helpers import SLOW
from strategies import REFUSED, add_years, days, near_a_year, pounds, starts_for, variations, vary

import fsgrant
from fsgrant.domain.money import to_pence
from fsgrant.domain.periods import financial_year_label

COMMON = [date(2019, 4, 1), date(2019, 8, 1), date(2020, 4, 1), date(2020, 8, 1)]
LABELS = ["2019/20", "2020/21", "2021/22", "2022/23"]

on_days = days(COMMON)
awards = pounds(0, 3_000_000)
lengths = st.one_of(st.none(), st.integers(0, 700))


@st.composite
def ledgers(draw):
    labels = draw(st.permutations(LABELS))[: draw(st.integers(1, 4))]
    years = [
        (label, draw(starts_for(label, COMMON)), draw(lengths), draw(awards)) for label in labels
    ]
    # Spend mostly near a year's first period, now and then on any day.
    near = near_a_year(years)
    spend = st.tuples(
        st.just("spend"),
        st.one_of(near, near, on_days),
        st.one_of(st.none(), st.none(), st.sampled_from(labels)),
    )
    variation = variations(labels, on_days, awards, withdrawals=True)
    # Spend lines and variations interleaved: each goes in at a random position.
    placed = st.tuples(st.integers(0, 30), st.one_of(spend, variation))
    ops = draw(st.lists(placed, max_size=12)) + draw(
        st.lists(st.tuples(st.integers(0, 30), spend), min_size=2, max_size=12)
    )
    return years, [op for _, op in sorted(ops, key=lambda x: x[0])]


def _build(led, years, ops) -> None:
    add_years(led, years)
    for op in ops:
        if op[0] != "spend":
            vary(led, op)
            continue
        # A refused line (no year covers the day) stores nothing; the ledger goes on.
        _, day, year = op
        with contextlib.suppress(*REFUSED):
            led.spend.add(day, "10.00", "training", year=year)


@settings(
    max_examples=200 if SLOW else 40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(ledgers())
# Two years starting on the same day after a shift, the later label recorded first:
# both the library and the view take the year that first started earliest.
@example(
    (
        [("2020/21", date(2020, 4, 1), None, "0.00"), ("2019/20", date(2019, 4, 1), None, "0.00")],
        [
            ("shift", "2020/21", date(2019, 3, 1), date(2019, 4, 1), 364),
            ("spend", date(2019, 4, 1), None),
        ],
    )
)
# 2019/20 extended over 2020/21, a line in the overlap, then 2019/20 withdrawn: the
# line moves to 2020/21; a line only 2019/20 covered has no year at all.
@example(
    (
        [
            ("2019/20", date(2019, 8, 1), None, "100.00"),
            ("2020/21", date(2020, 8, 1), None, "0.00"),
        ],
        [
            ("spend", date(2019, 9, 1), None),
            ("extend", "2019/20", date(2020, 2, 14), date(2021, 3, 31)),
            ("spend", date(2020, 9, 1), None),
            ("status", "2019/20", date(2020, 10, 1), "withdrawn"),
        ],
    )
)
def test_the_sql_views_allocate_as_the_library_does(ledger):
    years, ops = ledger
    folder = Path(tempfile.mkdtemp(prefix="fsgrant-views-"))
    try:
        with fsgrant.open(folder / "s.db") as led:
            _build(led, years, ops)

            in_python = {
                y.label: (y.status, y.start.isoformat(), y.end.isoformat(), to_pence(y.award))
                for y in led.years.list()
            }
            in_sql = {
                r["label"]: (r["status"], r["start"], r["end"], r["award_pence"])
                for r in led.store.query("SELECT * FROM funding_years_current")
            }
            assert in_sql == in_python

            lines = {x.id: (x.funding_year, financial_year_label(x.date)) for x in led.spend.list()}
            allocated = {
                r["id"]: (r["funding_year"], r["financial_year"])
                for r in led.store.query("SELECT * FROM spend_allocated")
            }
            assert allocated == lines
            # What the examples tried, for --hypothesis-show-statistics.
            live = [y for y in led.years.list() if y.status != "withdrawn"]
            event(f"spend lines: {'none' if not lines else 'some'}")
            event(f"a withdrawn year: {len(live) < len(led.years.list())}")
            event(
                "a line on a day two live years cover: "
                f"{any(sum(y.start <= x.date <= y.end for y in live) > 1 for x in led.spend.list())}"
            )
            event(f"a line no year takes: {any(y is None for y, _ in lines.values())}")
            readable = {
                r["id"]: r["financial_year"]
                for r in led.store.query("SELECT * FROM spend_readable")
            }
            assert readable == {k: fy for k, (_, fy) in lines.items()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
