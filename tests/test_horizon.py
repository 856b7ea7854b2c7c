"""The horizon: a record is dated from 1 January 1990 to 25 years after the latest
funding year's end (or today, when later), and never after 31 December 2199.

Every edge below is worked out by hand beside it.
"""

from __future__ import annotations

from datetime import date

import pytest

from fsgrant.domain.horizon import Horizon, readable_day, readable_financial_year
from fsgrant.domain.periods import as_at_day
from fsgrant.domain.sustainability import parse_financial_year
from fsgrant.errors import InvalidDate, InvalidInput

TODAY = date(2026, 12, 7)


def test_the_far_end_is_25_years_after_the_latest_end():
    # Latest end 31 July 2021, before today (7 December 2026): 25 years after today.
    assert Horizon.after(date(2021, 7, 31), today=TODAY).last == date(2051, 12, 7)
    # Latest end 31 March 2030, after today: 31 March 2055.
    assert Horizon.after(date(2030, 3, 31), today=TODAY).last == date(2055, 3, 31)
    # No funding year yet: 25 years after today.
    assert Horizon.after(None, today=TODAY).last == date(2051, 12, 7)
    # 29 February 2032 + 25 years: 2057 has none, so 28 February 2057.
    assert Horizon.after(date(2032, 2, 29), today=TODAY).last == date(2057, 2, 28)
    # Never past 31 December 2199, however late the latest end (one stored as 9999-12-31).
    assert Horizon.after(date(2180, 1, 1), today=TODAY).last == date(2199, 12, 31)
    assert Horizon.after(date(9999, 12, 31), today=TODAY).last == date(2199, 12, 31)
    assert Horizon.after(None, today=TODAY).first == date(1990, 1, 1)


@pytest.mark.parametrize(
    ("day", "ok"),
    [
        (date(1989, 12, 31), False),  # the day before the first
        (date(1990, 1, 1), True),
        (date(2019, 8, 1), True),
        (date(2055, 3, 31), True),  # the far end itself
        (date(2055, 4, 1), False),  # a day past it
        (date(9999, 12, 31), False),
        (date(1, 1, 1), False),
    ],
)
def test_days_at_the_edges(day, ok):
    h = Horizon.after(date(2030, 3, 31), today=TODAY)  # 1 Jan 1990 - 31 Mar 2055
    if ok:
        assert h.day(day, field="end") == day
    else:
        with pytest.raises(InvalidDate) as caught:
            h.day(day, field="end")
        assert caught.value.field == "end"
        assert caught.value.message.startswith("end: ")


@pytest.mark.parametrize(
    ("label", "ok"),
    [
        ("FY1988/89", False),  # ends 31 March 1989: wholly before 1990
        ("FY1989/90", True),  # ends 31 March 1990: three months inside
        ("FY2054/55", True),  # 1 Apr 2054 - 31 Mar 2055: ends on the far end
        ("FY2055/56", False),  # starts 1 April 2055, a day past it
        ("FY2202/03", False),  # the typo for FY2022/23
        ("FY9999/00", False),
    ],
)
def test_financial_years_at_the_edges(label, ok):
    h = Horizon.after(date(2030, 3, 31), today=TODAY)
    if ok:
        assert h.financial_year(label, field="financial_year") == label
    else:
        with pytest.raises(InvalidInput) as caught:
            h.financial_year(label, field="financial_year")
        assert caught.value.field == "financial_year"


def test_a_bad_label_names_the_field():
    with pytest.raises(InvalidInput) as caught:
        Horizon.after(None, today=TODAY).financial_year("FY2022/03", field="financial_year")
    assert caught.value.field == "financial_year"


def test_stored_dates_are_read_within_1990_to_2199():
    assert readable_day(date(9999, 12, 31)) == date(2199, 12, 31)
    assert readable_day(date(1, 1, 1)) == date(1990, 1, 1)
    assert readable_day(date(2020, 2, 29)) == date(2020, 2, 29)
    assert readable_financial_year("FY2199/00")  # starts 1 April 2199
    assert not readable_financial_year("FY2200/01")
    assert not readable_financial_year("FY9999/00")  # cut at the last day a date holds
    assert readable_financial_year("FY1989/90") and not readable_financial_year("FY1988/89")


def test_no_report_is_as_at_a_day_past_2199():
    assert as_at_day("2199-12-31") == date(2199, 12, 31)
    assert as_at_day("01/01/1900") == date(1900, 1, 1)  # an early as-at reports nothing yet
    with pytest.raises(InvalidDate) as caught:
        as_at_day("9999-12-31", field="as-at")
    assert caught.value.field == "as-at"


@pytest.mark.parametrize("label", ["FY9999/00", "FY2200/01", "FY1988/89", "FY0000/01"])
def test_a_report_range_outside_1990_to_2199_is_refused(label):
    with pytest.raises(InvalidInput) as caught:
        parse_financial_year(label, field="to")
    assert caught.value.field == "to"
