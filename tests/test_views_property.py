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
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from reliability_helpers import SLOW

import fsgrant
from fsgrant.domain.money import to_pence
from fsgrant.domain.periods import financial_year_label
from fsgrant.errors import Conflict, InvalidInput, NotFound

FIRST, LAST = date(2019, 1, 1), date(2023, 12, 31)
# Days that several years and variations share now and then, so ties are tried.
COMMON = [date(2019, 4, 1), date(2019, 8, 1), date(2020, 4, 1), date(2020, 8, 1)]
LABELS = ["2019/20", "2020/21", "2021/22", "2022/23"]

days = st.one_of(st.sampled_from(COMMON), st.dates(FIRST, LAST))
awards = st.integers(0, 3_000_000).map(lambda p: f"{p // 100}.{p % 100:02d}")

lengths = st.one_of(st.none(), st.integers(0, 700))


def starts_for(label: str) -> st.SearchStrategy[date]:
    """Start days a year of this label may have: in its first calendar year or the
    next (``year add`` refuses a label that does not match its start)."""
    first = int(label[:4])
    common = [d for d in COMMON if d.year in (first, first + 1)]
    spread = st.dates(date(first, 1, 1), date(first + 1, 12, 31))
    return st.one_of(st.sampled_from(common), spread) if common else spread


@st.composite
def ledgers(draw):
    labels = draw(st.permutations(LABELS))[: draw(st.integers(1, 4))]
    years = [(label, draw(starts_for(label)), draw(lengths), draw(awards)) for label in labels]
    # Spend mostly near a year's first period (a day before it, in it, or just
    # after it), now and then on any day.
    near = st.builds(
        lambda y, offset: y[1] + timedelta(days=offset),
        st.sampled_from(years),
        st.integers(-40, 760),
    )
    spend = st.tuples(
        st.just("spend"),
        st.one_of(near, near, days),
        st.one_of(st.none(), st.none(), st.sampled_from(labels)),
    )
    variation = st.one_of(
        st.tuples(st.just("extend"), st.sampled_from(labels), days, days),
        st.tuples(st.just("shift"), st.sampled_from(labels), days, days, st.integers(0, 700)),
        st.tuples(st.just("amount"), st.sampled_from(labels), days, awards),
        st.tuples(st.just("move"), st.sampled_from(labels), days, st.sampled_from(labels), awards),
        st.tuples(
            st.just("status"),
            st.sampled_from(labels),
            days,
            st.sampled_from(["confirmed", "in-principle", "withdrawn"]),
        ),
        st.tuples(st.just("status"), st.sampled_from(labels), days, st.just("withdrawn")),
    )
    # Spend lines and variations interleaved: each goes in at a random position.
    placed = st.tuples(st.integers(0, 30), st.one_of(spend, variation))
    ops = draw(st.lists(placed, max_size=12)) + draw(
        st.lists(st.tuples(st.integers(0, 30), spend), min_size=2, max_size=12)
    )
    return years, [op for _, op in sorted(ops, key=lambda x: x[0])]


def _build(led, years, ops) -> None:
    led.init("FS", "DfE", "Council")
    for label, start, length, award in years:
        end = None if length is None else start + timedelta(days=length)
        # Years whose first periods overlap are refused (only an agreed variation
        # makes years overlap): such a year is left out, and what names it refused.
        with contextlib.suppress(Conflict):
            led.years.add(label, award, start, end=end)
    for op in ops:
        kind, *args = op
        # A refused entry (no year covers the day, an impossible variation) stores
        # nothing; the ledger goes on.
        try:
            if kind == "spend":
                day, year = args
                led.spend.add(day, "10.00", "training", year=year)
            elif kind == "extend":
                label, agreed, end = args
                led.years.vary(label, agreed_on=agreed, reason="extend", end=end)
            elif kind == "shift":
                label, agreed, start, length = args
                led.years.vary(
                    label,
                    agreed_on=agreed,
                    reason="shift",
                    start=start,
                    end=start + timedelta(days=length),
                )
            elif kind == "amount":
                label, agreed, award = args
                led.years.vary(label, agreed_on=agreed, reason="amount", award=award)
            elif kind == "move":
                label, agreed, to, amount = args
                led.years.vary(label, agreed_on=agreed, reason="move", move=amount, to=to)
            else:
                label, agreed, status = args
                led.years.vary(label, agreed_on=agreed, reason="status", status=status)
        except (InvalidInput, Conflict, NotFound):
            pass


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
