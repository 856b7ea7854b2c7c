"""Dates, funding-year periods and council financial years.

* Dates are read as ISO ``2020-02-04`` or UK day-first ``04/02/2020`` (4 February
  2020). A time of midnight may follow (``2020-02-03 00:00:00``), as finance
  extracts often write it.
* A funding year's default end is the day before its anniversary: a year starting
  1 August 2019 ends 31 July 2020, one starting 1 March 2019 ends 29 February 2020,
  and one starting 29 February 2020 ends 28 February 2021 (in a year with no 29
  February, the anniversary of 29 February is 1 March). A stored end is kept as it is.
* The council's financial year runs 1 April to 31 March and is labelled
  ``FY2019/20``: never the bare ``2019/20`` that names a funding year.
* Quarters come in both kinds: of the financial year (Q1 is April-June, so
  January-March 2020 is ``FY2019/20 Q4``), and of a funding year, counted in threes of
  months from the year's start (as varied): for a year starting 1 August 2019,
  August-October is ``2019/20 Q1`` and February-April 2020 is ``2019/20 Q3``. Quarter
  *k* starts 3(*k*-1) months after the year's start, the day cut to the month's end
  where the month is shorter (``dateutil.relativedelta``), and ends the day before
  quarter *k*+1 starts, so the quarters tile the year with no day left out: for a
  year starting 31 August 2019, Q1 is 31/08/2019-29/11/2019 and Q2 is
  30/11/2019-28/02/2020. The last quarter is cut at the year's end. A funding year
  extended past twelve months goes on to Q5, Q6...
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from fsgrant.errors import InvalidDate, InvalidInput

__all__ = [
    "DateLike",
    "Period",
    "as_at_day",
    "days_in_month",
    "default_end",
    "financial_quarter_label",
    "financial_year_label",
    "financial_year_period",
    "funding_quarter_label",
    "month_label",
    "months_between",
    "parse_date",
    "period_label",
    "quarter_period",
    "quarter_start",
]

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$", re.ASCII)
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: 00:00(?::00)?)?$", re.ASCII)
_FY = re.compile(r"^FY(\d{4})/(\d{2})$", re.ASCII)


_LAST_AS_AT = date(2199, 12, 31)
"""The horizon's last day (``fsgrant.domain.horizon.LATEST_DAY``, which imports this
module): no report is as at a later day."""

DateLike = date | str
"""A date, or text read by :func:`parse_date`."""


def as_at_day(value: DateLike | None, *, field: str = "as-at") -> date:
    """The day a report or entry speaks for: ``value`` read as a date, today when None.

    Raises:
        InvalidDate: ``value`` is not a date, or is after 31 December 2199, the last
            day a record may be dated (:mod:`fsgrant.domain.horizon`).
    """
    if value is None:
        return date.today()
    day = parse_date(value, field=field)
    if day > _LAST_AS_AT:
        raise InvalidDate(
            f"{field}: {day.isoformat()} is after {_LAST_AS_AT.isoformat()}, the latest day "
            "anything may be dated",
            field=field,
            value=day.isoformat(),
        )
    return day


def parse_date(text: str | date, *, field: str = "date") -> date:
    """Read a date: ISO ``2020-02-04`` or UK day-first ``04/02/2020``.

    Raises:
        InvalidDate: any other form, or a day that does not exist.
    """
    if isinstance(text, datetime):
        if text.time() != datetime.min.time():
            raise InvalidDate(f"{field}: {text} carries a time of day", field=field, value=text)
        return text.date()
    if isinstance(text, date):
        return text
    if not isinstance(text, str):
        raise InvalidDate(f"{field}: expected a date, got {type(text).__name__}", field=field)
    s = text.strip()
    m = _ISO.match(s)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _UK.match(s)
        if not m:
            raise InvalidDate(
                f"{field}: '{text}' is not a date like 2020-02-04 or 04/02/2020 (day first)",
                field=field,
                value=text,
            )
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return date(y, mo, d)
    except ValueError:
        raise InvalidDate(f"{field}: '{text}' is not a real day", field=field, value=text) from None


def default_end(start: date) -> date:
    """The day before the start's anniversary: 31 July 2020 for a 1 August 2019 start.

    The anniversary of 29 February in a year without one is 1 March, so a year
    starting 29 February 2020 ends 28 February 2021.
    """
    anniversary: date = start + relativedelta(years=1)
    if anniversary.day != start.day:  # 29 February, cut to the 28th: the next day
        anniversary += timedelta(days=1)
    return anniversary - timedelta(days=1)


def quarter_start(start: date, n: int) -> date:
    """The first day of quarter ``n`` (from 1) of a funding year starting on ``start``:
    3(n-1) months on, the day cut to the end of a shorter month (30 November for a
    31 August start's Q2); the last day a date can hold when it would be past it."""
    try:
        first: date = start + relativedelta(months=3 * (n - 1))
    except (ValueError, OverflowError):  # past year 9999 (FY9999/00 Q4 ends there)
        return date.max
    return first


def _quarter_number(start: date, day: date) -> int:
    """The quarter (from 1) of a year starting on ``start`` that ``day`` (not before
    ``start``) falls in: the last quarter starting on or before it."""
    months = (day.year - start.year) * 12 + day.month - start.month
    n = months // 3 + 1  # a quarter starting in the month before ``day``'s, or on it
    while quarter_start(start, n) > day:
        n -= 1
    while quarter_start(start, n + 1) <= day:
        n += 1
    return n


def financial_year_label(day: date) -> str:
    """The council financial year (1 April - 31 March) a day falls in: ``FY2019/20``."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"FY{first}/{(first + 1) % 100:02d}"


def financial_quarter_label(day: date) -> str:
    """The financial-year quarter a day falls in: ``FY2019/20 Q4`` for 1 January - 31
    March 2020 (Q1 is April-June)."""
    return f"{financial_year_label(day)} Q{(day.month - 4) % 12 // 3 + 1}"


def funding_quarter_label(label: str, start: date, day: date) -> str:
    """The quarter of funding year ``label`` (starting on ``start``) a day falls in:
    threes of months from the start, so with a 1 August start, 1 February 2020 is in
    ``Q3``.

    Raises:
        InvalidInput: ``day`` is before ``start``.
    """
    if day < start:
        raise InvalidInput(f"{day} is before funding year {label} starts ({start})", field="date")
    return f"{label} Q{_quarter_number(start, day)}"


def quarter_period(label: str, start: date, end: date, quarter: str) -> tuple[str, Period]:
    """The label and days of a quarter of funding year ``label`` (its period as varied
    ``start``..``end``): ``Q3`` counts threes of months from the year's start (``2019/20
    Q3``), ``FY2019/20 Q4`` is a quarter of the council's financial year; either is cut
    to the funding year's period.

    Raises:
        InvalidInput: not a quarter, or one with no day in the funding year.
    """
    text = quarter.strip()
    m = re.fullmatch(r"(?:(FY\d{4}/\d{2})\s+)?Q(\d{1,2})", text, flags=re.IGNORECASE | re.ASCII)
    if m is None or int(m.group(2)) < 1:
        raise InvalidInput(
            f"'{quarter}' is not a quarter; write Q3 (of the funding year) or FY2019/20 Q4",
            field="quarter",
            value=quarter,
        )
    n = int(m.group(2))
    if m.group(1):
        fy = financial_year_period(m.group(1).upper())
        if n > 4:
            raise InvalidInput("a financial year has quarters Q1 to Q4", field="quarter")
        first = quarter_start(fy.start, n)
        name = f"{m.group(1).upper()} Q{n}"
        last = quarter_start(fy.start, n + 1) - timedelta(days=1)
    else:
        first = quarter_start(start, n)
        name = f"{label} Q{n}"
        last = quarter_start(start, n + 1) - timedelta(days=1)
    # A quarter past the last day a date can hold (FY9999/00 Q4) has no day at all.
    span = Period(first, last).overlap(Period(start, end)) if first <= last else None
    if span is None:
        raise InvalidInput(
            f"{name} has no day in funding year {label} ({start} to {end})", field="quarter"
        )
    return name, span


def period_label(label: str, start: date, end: date, span: Period) -> str:
    """The name of a span of funding year ``label``: its funding-year quarter, else its
    financial-year quarter, when it is exactly one (cut to the year), else its dates."""
    n = 1
    while quarter_start(start, n) <= span.start:
        name, q = quarter_period(label, start, end, f"Q{n}")
        if q == span:
            return name
        n += 1
    fy = financial_quarter_label(span.start)
    name, q = quarter_period(label, start, end, fy)
    if q == span:
        return name
    return f"{span.start.strftime('%d/%m/%Y')} to {span.end.strftime('%d/%m/%Y')}"


def financial_year_period(label: str) -> Period:
    """The period of a financial-year label such as ``FY2019/20``.

    Raises:
        InvalidInput: the label is not of the ``FYyyyy/yy`` form.
    """
    m = _FY.match(label.strip())
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise InvalidInput(
            f"'{label}' is not a financial year label like FY2019/20",
            field="financial_year",
            value=label,
        )
    first = int(m.group(1))
    if first == 0:
        raise InvalidInput(f"'{label}' is not a year", field="financial_year", value=label)
    # FY9999/00 ends past the last day a date can hold: it is cut there.
    return Period(date(first, 4, 1), date(first + 1, 3, 31) if first < 9999 else date.max)


def days_in_month(year: int, month: int) -> int:
    """How many days the calendar month has (29 for February 2020)."""
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - date(year, month, 1)).days


def month_label(day: date) -> str:
    """``YYYY-MM``."""
    return f"{day.year:04d}-{day.month:02d}"


def months_between(start: date, end: date) -> list[date]:
    """First days of each calendar month touched by ``start``..``end`` inclusive."""
    # Plain year/month counting: this runs for every post, month and report.
    first = start.year * 12 + start.month - 1
    last = end.year * 12 + end.month - 1
    return [date(n // 12, n % 12 + 1, 1) for n in range(first, last + 1)]


@dataclass(frozen=True, order=True)
class Period:
    """An inclusive span of days."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput(
                f"period ends ({self.end}) before it starts ({self.start})", field="end"
            )

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlap(self, other: Period) -> Period | None:
        """The days both periods share, or ``None``."""
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Period(start, end) if start <= end else None

    def iter_months(self) -> Iterator[Period]:
        """The part of each calendar month inside the period."""
        for first in months_between(self.start, self.end):
            last = first.replace(day=days_in_month(first.year, first.month))
            # Each month listed touches the period, so the overlap is never empty.
            yield Period(max(first, self.start), min(last, self.end))
