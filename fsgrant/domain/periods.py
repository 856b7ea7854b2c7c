"""Dates, funding-year periods and council financial years.

* Dates are read as ISO ``2020-02-04`` or UK day-first ``04/02/2020`` (4 February
  2020). A time of midnight may follow (``2020-02-03 00:00:00``), as finance
  extracts often write it.
* A funding year's default end is its start plus twelve months, less one day
  (computed with ``dateutil.relativedelta``), so a year starting 1 August 2019 ends
  31 July 2020, and one starting 29 February 2020 ends 27 February 2021.
* The council's financial year runs 1 April to 31 March and is labelled
  ``FY2019/20``: never the bare ``2019/20`` that names a funding year.
* Quarters come in both kinds: of the financial year (Q1 is April-June, so
  January-March 2020 is ``FY2019/20 Q4``), and of a funding year, counted in threes of
  months from the year's start (as varied): for a year starting 1 August 2019,
  August-October is ``2019/20 Q1`` and February-April 2020 is ``2019/20 Q3``. A funding
  year extended past twelve months goes on to Q5, Q6...
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
]

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$", re.ASCII)
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: 00:00(?::00)?)?$", re.ASCII)
_FY = re.compile(r"^FY(\d{4})/(\d{2})$", re.ASCII)


DateLike = date | str
"""A date, or text read by :func:`parse_date`."""


def as_at_day(value: DateLike | None, *, field: str = "as-at") -> date:
    """The day a report or entry speaks for: ``value`` read as a date, today when None.

    Raises:
        InvalidDate: ``value`` is not a date.
    """
    return date.today() if value is None else parse_date(value, field=field)


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
    """Start plus twelve months, less one day."""
    end: date = start + relativedelta(months=12) - timedelta(days=1)
    return end


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
    months = (day.year - start.year) * 12 + day.month - start.month - (day.day < start.day)
    return f"{label} Q{months // 3 + 1}"


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
        first = fy.start + relativedelta(months=3 * (n - 1))
        name = f"{m.group(1).upper()} Q{n}"
    else:
        first = start + relativedelta(months=3 * (n - 1))
        name = f"{label} Q{n}"
    span = Period(first, first + relativedelta(months=3) - timedelta(days=1)).overlap(
        Period(start, end)
    )
    if span is None:
        raise InvalidInput(
            f"{name} has no day in funding year {label} ({start} to {end})", field="quarter"
        )
    return name, span


def period_label(label: str, start: date, end: date, span: Period) -> str:
    """The name of a span of funding year ``label``: its funding-year quarter, else its
    financial-year quarter, when it is exactly one (cut to the year), else its dates."""
    n = 1
    while start + relativedelta(months=3 * (n - 1)) <= span.start:
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
    return Period(date(first, 4, 1), date(first + 1, 3, 31))


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
