"""Dates and financial years a user enters, read and held to the horizon
(:mod:`fsgrant.domain.horizon`), shared by the services (kept apart so that a service
needing it imports no other service's module)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from fsgrant.domain.horizon import Horizon
from fsgrant.domain.periods import DateLike, parse_date

if TYPE_CHECKING:
    from fsgrant.store.tables import Tables

__all__ = ["entered_day", "entered_day_or_today", "entered_financial_year", "horizon"]


def horizon(tables: Tables) -> Horizon:
    """The horizon of the store as it is now."""
    return Horizon.after(tables.years.latest_end(), today=date.today())


def entered_day(tables: Tables, value: DateLike, *, field: str) -> date:
    """A date a user enters into a record: read, and within the horizon.

    Raises:
        InvalidDate: not a date, or outside the horizon (naming ``field``).
    """
    return horizon(tables).day(parse_date(value, field=field), field=field)


def entered_day_or_today(tables: Tables, value: DateLike | None, *, field: str) -> date:
    """:func:`entered_day`, or today when ``value`` is None (today is always within
    the horizon)."""
    return date.today() if value is None else entered_day(tables, value, field=field)


def entered_financial_year(tables: Tables, value: str, *, field: str) -> str:
    """A financial-year label a user enters into a record: its canonical form, within
    the horizon.

    Raises:
        InvalidInput: not a financial-year label, or outside the horizon (naming it).
    """
    # Imported here: recording spend needs no part of the plan's rules.
    from fsgrant.domain.sustainability import parse_financial_year

    return horizon(tables).financial_year(parse_financial_year(value, field=field), field=field)
