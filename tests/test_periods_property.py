"""The month arithmetic of :mod:`fsgrant.domain.periods` agrees with the
``relativedelta`` walk it replaced (kept here as the reference) over random spans."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fsgrant.domain.periods import Period, months_between


def reference_months_between(start: date, end: date) -> list[date]:
    months: list[date] = []
    cur = date(start.year, start.month, 1)
    while cur <= end:
        months.append(cur)
        cur = cur + relativedelta(months=1)
    return months


def reference_iter_months(period: Period) -> Iterator[Period]:
    for first in reference_months_between(period.start, period.end):
        last = first + relativedelta(months=1) - timedelta(days=1)
        part = period.overlap(Period(first, last))
        if part is not None:
            yield part


days = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))


@settings(max_examples=300, deadline=None)
@given(days, days)
@example(date(2019, 8, 1), date(2020, 7, 31))  # a funding year: 12 months
@example(date(2020, 2, 29), date(2020, 2, 29))  # one leap day
@example(date(2019, 12, 31), date(2020, 1, 1))  # across a new year: 2 months
@example(date(2020, 3, 15), date(2020, 3, 10))  # end before start, same month
def test_months_between_equals_the_relativedelta_walk(a: date, b: date) -> None:
    assert months_between(a, b) == reference_months_between(a, b)


@settings(max_examples=300, deadline=None)
@given(days, st.integers(min_value=0, max_value=3000))
@example(date(2019, 8, 1), 365)
@example(date(2020, 1, 31), 29)  # 31 Jan to 29 Feb 2020
@example(date(2019, 12, 1), 30)  # exactly December
def test_iter_months_equals_the_relativedelta_walk(start: date, length: int) -> None:
    period = Period(start, start + timedelta(days=length))
    assert list(period.iter_months()) == list(reference_iter_months(period))


def test_iter_months_by_hand() -> None:
    # 15 January to 3 March 2020: 17 days of January (15..31), all 29 of February
    # (a leap year), 3 of March.
    parts = list(Period(date(2020, 1, 15), date(2020, 3, 3)).iter_months())
    assert parts == [
        Period(date(2020, 1, 15), date(2020, 1, 31)),
        Period(date(2020, 2, 1), date(2020, 2, 29)),
        Period(date(2020, 3, 1), date(2020, 3, 3)),
    ]
    assert [p.days for p in parts] == [17, 29, 3]
