from datetime import date

import pytest

from fsgrant.domain.periods import (
    Period,
    days_in_month,
    default_end,
    financial_year_label,
    financial_year_period,
    parse_date,
)
from fsgrant.errors import InvalidDate, InvalidInput


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2019, 8, 1), date(2020, 7, 31)),  # the report's funding year
        (date(2020, 1, 1), date(2020, 12, 31)),
        (date(2019, 3, 1), date(2020, 2, 29)),  # anniversary 1 Mar 2020, less a day: leap day
        (date(2020, 3, 1), date(2021, 2, 28)),
        # 2021 has no 29 February: the anniversary is 1 March 2021, so the year ends
        # 28 February 2021, a whole year (not the 27th, a day short).
        (date(2020, 2, 29), date(2021, 2, 28)),
        (date(2019, 2, 28), date(2020, 2, 27)),  # anniversary 28 Feb 2020: the 29th is next
        (date(2019, 8, 31), date(2020, 8, 30)),
        (date(2023, 2, 28), date(2024, 2, 27)),
    ],
)
def test_default_end_is_the_day_before_the_anniversary(start, end):
    assert default_end(start) == end


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2020, 3, 31), "FY2019/20"),
        (date(2020, 4, 1), "FY2020/21"),
        (date(2019, 8, 1), "FY2019/20"),
        (date(2000, 1, 1), "FY1999/00"),
        (date(2099, 4, 1), "FY2099/00"),
    ],
)
def test_financial_year_labels_around_31_march(day, label):
    assert financial_year_label(day) == label


def test_financial_year_period_and_bad_labels():
    assert financial_year_period("FY2019/20") == Period(date(2019, 4, 1), date(2020, 3, 31))
    for bad in ("2019/20", "FY2019/21", "FY19/20"):
        with pytest.raises(InvalidInput):
            financial_year_period(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-02-04", date(2020, 2, 4)),
        ("04/02/2020", date(2020, 2, 4)),  # UK day first: 4 February
        ("4/2/2020", date(2020, 2, 4)),
        ("2020-02-03 00:00:00", date(2020, 2, 3)),
        ("29/02/2020", date(2020, 2, 29)),
    ],
)
def test_dates_iso_or_day_first(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["02/30/2020", "31/04/2020", "29/02/2019", "2020/02/04", "4 Feb 2020", "", "2020-02-04 13:00"],
)
def test_bad_dates_are_refused(text):
    with pytest.raises(InvalidDate):
        parse_date(text)


def test_month_lengths_and_period_months():
    assert days_in_month(2020, 2) == 29
    assert days_in_month(2019, 2) == 28
    assert days_in_month(2019, 12) == 31
    parts = list(Period(date(2020, 3, 16), date(2020, 5, 10)).iter_months())
    assert [(p.start, p.end, p.days) for p in parts] == [
        (date(2020, 3, 16), date(2020, 3, 31), 16),
        (date(2020, 4, 1), date(2020, 4, 30), 30),
        (date(2020, 5, 1), date(2020, 5, 10), 10),
    ]
    with pytest.raises(InvalidInput):
        Period(date(2020, 2, 1), date(2020, 1, 31))
