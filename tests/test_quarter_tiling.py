"""Funding-year quarters tile the year, whatever day it starts on.

Quarter k starts 3(k-1) months after the year's start, the day cut to the end of a
shorter month, and ends the day before quarter k+1 starts; the last is cut at the
year's end. Every expected date is worked out by hand beside it.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import fsgrant
from fsgrant.domain.periods import Period, default_end, funding_quarter_label, quarter_period

D = Decimal


def q(label_start: date, end: date, n: int) -> Period:
    return quarter_period("2019/20", label_start, end, f"Q{n}")[1]


def test_a_year_starting_on_the_31st():
    # 31 Aug 2019: Q2 starts 31 Nov -> 30 Nov; Q3 31 Feb -> 29 Feb 2020 (a leap year);
    # Q4 31 May 2020; the year ends 30 Aug 2020 (the day before its anniversary).
    start, end = date(2019, 8, 31), date(2020, 8, 30)
    assert q(start, end, 1) == Period(date(2019, 8, 31), date(2019, 11, 29))
    assert q(start, end, 2) == Period(date(2019, 11, 30), date(2020, 2, 28))
    assert q(start, end, 3) == Period(date(2020, 2, 29), date(2020, 5, 30))
    assert q(start, end, 4) == Period(date(2020, 5, 31), date(2020, 8, 30))
    # 29 and 30 May 2020 were in no quarter before: now both are in Q3.
    for day, label in [
        (date(2019, 11, 29), "2019/20 Q1"),
        (date(2019, 11, 30), "2019/20 Q2"),
        (date(2020, 2, 28), "2019/20 Q2"),
        (date(2020, 2, 29), "2019/20 Q3"),
        (date(2020, 5, 29), "2019/20 Q3"),
        (date(2020, 5, 30), "2019/20 Q3"),
        (date(2020, 5, 31), "2019/20 Q4"),
        (date(2020, 8, 30), "2019/20 Q4"),
    ]:
        assert funding_quarter_label("2019/20", start, day) == label, day


def test_a_year_starting_on_29_february():
    # 29 Feb 2020 to 28 Feb 2021. Q2 starts 29 May, Q3 29 Aug, Q4 29 Nov 2020; Q5 would
    # start 29 Feb 2021 -> 28 Feb 2021, so Q4 ends 27 Feb and the year's last day is a
    # one-day Q5 (it is in a quarter, like every other day).
    start = date(2020, 2, 29)
    end = default_end(start)
    assert end == date(2021, 2, 28)
    assert q(start, end, 1) == Period(date(2020, 2, 29), date(2020, 5, 28))
    assert q(start, end, 2) == Period(date(2020, 5, 29), date(2020, 8, 28))
    assert q(start, end, 3) == Period(date(2020, 8, 29), date(2020, 11, 28))
    assert q(start, end, 4) == Period(date(2020, 11, 29), date(2021, 2, 27))
    assert q(start, end, 5) == Period(date(2021, 2, 28), date(2021, 2, 28))
    assert funding_quarter_label("2019/20", start, date(2021, 2, 28)) == "2019/20 Q5"


def test_a_year_starting_on_30_november():
    # Q2 starts 30 Feb -> 29 Feb 2020; Q3 30 May; Q4 30 Aug; the year ends 29 Nov 2020.
    start = date(2019, 11, 30)
    end = default_end(start)
    assert end == date(2020, 11, 29)
    assert q(start, end, 1) == Period(date(2019, 11, 30), date(2020, 2, 28))
    assert q(start, end, 2) == Period(date(2020, 2, 29), date(2020, 5, 29))
    assert q(start, end, 3) == Period(date(2020, 5, 30), date(2020, 8, 29))
    assert q(start, end, 4) == Period(date(2020, 8, 30), date(2020, 11, 29))


starts = st.one_of(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    st.builds(
        lambda y, m, d: date(y, m, min(d, 28 if m == 2 else 30 if m in (4, 6, 9, 11) else 31)),
        st.integers(1990, 2090),
        st.integers(1, 12),
        st.integers(28, 31),
    ),
    st.builds(lambda y: date(y * 4, 2, 29), st.integers(498, 522)),
)


@settings(max_examples=200, deadline=None)
@given(starts, st.integers(min_value=0, max_value=1200))
@example(date(2019, 8, 31), 365)
@example(date(2020, 2, 29), 365)
@example(date(2019, 1, 31), 400)
def test_the_quarters_partition_any_period(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    quarters: list[tuple[str, Period]] = []
    n = 1
    while True:
        try:
            quarters.append(quarter_period("2019/20", start, end, f"Q{n}"))
        except fsgrant.InvalidInput:
            break
        n += 1
    # Consecutive, with no gap and no overlap, from the first day to the last.
    assert quarters[0][1].start == start
    assert quarters[-1][1].end == end
    for (_, a), (_, b) in itertools.pairwise(quarters):
        assert b.start == a.end + timedelta(days=1)
    assert sum(p.days for _, p in quarters) == (end - start).days + 1
    # Each day's label names the quarter that holds it.
    for name, span in quarters:
        for day in (span.start, span.end, span.start + (span.end - span.start) / 2):
            assert funding_quarter_label("2019/20", start, day) == name


def test_report_spend_by_funding_quarter_counts_the_end_of_may(tmp_path):
    with fsgrant.open(tmp_path / "q.db") as ledger:
        ledger.init("FS", "DfE", "Council")
        ledger.years.add("2019/20", "1000.00", "2019-08-31")
        for day, amount in [
            ("2019-11-29", "1.00"),  # Q1
            ("2019-11-30", "2.00"),  # Q2
            ("2020-05-29", "4.00"),  # Q3 (was in no quarter)
            ("2020-05-30", "8.00"),  # Q3 (was in no quarter)
            ("2020-05-31", "16.00"),  # Q4
        ]:
            ledger.spend.add(day, amount, "training")
        report = ledger.reports.spend("funding-quarter")
        assert [(r.key, r.amount) for r in report.rows] == [
            ("2019/20 Q1", D("1.00")),
            ("2019/20 Q2", D("2.00")),
            ("2019/20 Q3", D("12.00")),  # 4.00 + 8.00
            ("2019/20 Q4", D("16.00")),
        ]
        assert ledger.years.get("2019/20").end == date(2020, 8, 30)


def test_a_stored_end_is_kept(tmp_path):
    # A year entered with the end the old default gave (27 Feb 2021) keeps it.
    path = tmp_path / "kept.db"
    with fsgrant.open(path) as ledger:
        ledger.init("FS", "DfE", "Council")
        ledger.years.add("2019/20", "1000.00", "2020-02-29", end="2021-02-27")
        ledger.years.add("2021/22", "1000.00", "2021-03-01")
    with fsgrant.open(path) as ledger:
        assert ledger.years.get("2019/20").end == date(2021, 2, 27)
        assert ledger.years.get("2021/22").end == date(2022, 2, 28)


@pytest.mark.parametrize("n", [0, 99])
def test_quarters_out_of_the_year_are_refused(n):
    with pytest.raises(fsgrant.InvalidInput):
        quarter_period("2019/20", date(2019, 8, 31), date(2020, 8, 30), f"Q{n}")


def test_a_quarter_past_the_last_day_a_date_holds_has_no_day():
    # FY9999/00 Q4 would run 1 January 10000 onwards: no such day.
    with pytest.raises(fsgrant.InvalidInput, match="has no day"):
        quarter_period("2019/20", date(2019, 8, 1), date(2020, 7, 31), "FY9999/00 Q4")
