"""The span of time a record may be dated in: the horizon.

A date or financial year a user enters must fall within the horizon, or it is refused
where it comes in, naming the field:

* no earlier than **1 January 1990** (no grant fsgrant tracks began before it);
* no later than **25 years after the latest funding year's end** (as varied, the
  latest end any year has been given), or after today when that is later (a store
  with no funding year yet, or a grant long over, still takes today's records), and
  never after **31 December 2199**.

Spend, typed or imported from an extract, must besides fall in a funding year's
period, which lies within the horizon: an extract's line dated ``31/12/9999`` is refused
as no funding year's.

A financial year is within the horizon when any of its days is (``FY1989/90``, which
ends 31 March 1990, is; ``FY1988/89`` is not). The far end moves on with the grant:
an extension agreed 25 years on makes room for 25 more. A date that far out is almost
always a typing slip (``9999-12-31``, ``FY2202/03`` for ``FY2022/23``); refusing it at
entry keeps every report, export and check within dates they can work with.

A store written before the horizon was checked may hold a funding year dated outside
it (ending ``9999-12-31``): reports read such a year as starting no earlier than
1 January 1990 and ending no later than 31 December 2199 (:func:`readable_day`), and
``check`` names it (``date-past-horizon``), so no stored record makes a report fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fsgrant.domain.periods import financial_year_period
from fsgrant.errors import InvalidDate, InvalidInput

__all__ = [
    "EARLIEST_DAY",
    "LATEST_DAY",
    "YEARS_AHEAD",
    "Horizon",
    "readable_day",
    "readable_financial_year",
]

EARLIEST_DAY = date(1990, 1, 1)
"""The first day a record may be dated."""

LATEST_DAY = date(2199, 12, 31)
"""The last day a record may ever be dated, however far the grant runs (and the last
a report may be as at: :func:`fsgrant.domain.periods.as_at_day`)."""

YEARS_AHEAD = 25
"""How many years after the latest funding year's end a record may be dated."""


def readable_day(day: date) -> date:
    """A stored funding year's date as reports read it: ``day`` brought within
    1 January 1990 - 31 December 2199 (only a store written before the horizon was
    checked holds one outside)."""
    return min(max(day, EARLIEST_DAY), LATEST_DAY)


def readable_financial_year(label: str) -> bool:
    """Whether a stored financial-year label has a day within 1 January 1990 -
    31 December 2199 (reports range over those only)."""
    try:
        period = financial_year_period(label)
    except InvalidInput:  # stored by hand, not by fsgrant: read as no year at all
        return False
    return period.end >= EARLIEST_DAY and period.start <= LATEST_DAY


def _years_after(day: date, years: int) -> date:
    """``day`` moved on ``years`` years (28 February for 29 February in a common
    year), or the last day a date can hold when that is past it."""
    year = day.year + years
    if year > date.max.year:
        return date.max
    if day.month == 2 and day.day == 29 and not _leap(year):
        return date(year, 2, 28)
    return day.replace(year=year)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@dataclass(frozen=True)
class Horizon:
    """The first and last day a record may be dated (both inclusive)."""

    first: date
    last: date

    @classmethod
    def after(cls, latest_end: date | None, *, today: date) -> Horizon:
        """The horizon of a store whose funding years end at the latest on
        ``latest_end`` (None when it has none), on ``today``."""
        base = today if latest_end is None else max(latest_end, today)
        last = min(_years_after(base, YEARS_AHEAD), LATEST_DAY)
        return cls(EARLIEST_DAY, max(EARLIEST_DAY, last))

    def day(self, value: date, *, field: str) -> date:
        """``value``, when within the horizon.

        Raises:
            InvalidDate: it is before 1 January 1990 or past the far end (named).
        """
        if value < self.first:
            raise InvalidDate(
                f"{field}: {value.isoformat()} is before {self.first.isoformat()}, "
                "the earliest day a record may be dated",
                field=field,
                value=value.isoformat(),
            )
        if value > self.last:
            raise InvalidDate(
                f"{field}: {value.isoformat()} is after {self.last.isoformat()}, the latest "
                f"day a record may be dated ({YEARS_AHEAD} years after the later of the "
                "latest funding year's end and today): is it a typing slip?",
                field=field,
                value=value.isoformat(),
            )
        return value

    def financial_year(self, label: str, *, field: str) -> str:
        """``label``, when the financial year has a day within the horizon.

        Raises:
            InvalidInput: not a financial-year label, or one wholly outside (named).
        """
        try:
            period = financial_year_period(label)
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field=field, value=label) from None
        if period.end < self.first or period.start > self.last:
            edge = self.first if period.end < self.first else self.last
            side = "before" if period.end < self.first else "after"
            raise InvalidInput(
                f"{field}: {label} is wholly {side} {edge.isoformat()}, the "
                f"{'earliest' if side == 'before' else 'latest'} day a record may be "
                f"dated (is it a typing slip?)",
                field=field,
                value=label,
            )
        return label

    def clamp(self, value: date) -> date:
        """The day of the horizon nearest ``value``: for reading a record stored
        before the horizon was checked."""
        return min(max(value, self.first), self.last)
