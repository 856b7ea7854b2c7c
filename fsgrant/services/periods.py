"""Closed periods (``fsgrant period``): once a return is submitted, what it covered
stays as it was until the period is reopened (on record, with a reason)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from fsgrant.domain.arguments import checked
from fsgrant.domain.closures import refuse_closed
from fsgrant.domain.models import ClosedPeriod, PeriodEvent
from fsgrant.domain.periods import DateLike
from fsgrant.domain.text import required_text
from fsgrant.domain.time_rule import Action
from fsgrant.errors import Conflict, InvalidInput
from fsgrant.services.horizon import entered_day
from fsgrant.services.years import YearsService
from fsgrant.store.tables import Tables

__all__ = ["PeriodsService"]


@checked
class PeriodsService:
    """``fs.periods``: close and reopen funding years' periods; guard entries."""

    def __init__(self, tables: Tables, years: YearsService) -> None:
        self._tables = tables
        self._years = years

    def closures(self) -> dict[str, ClosedPeriod]:
        """The funding years whose periods are closed now: label -> closure."""
        return self._tables.periods.closures()

    def history(self) -> list[PeriodEvent]:
        """Every closing and reopening, oldest first."""
        return self._tables.periods.events()

    def guard(
        self,
        kind: str,
        day: date,
        *,
        year: str | None = None,
        named: Iterable[str] = (),
        what: str | None = None,
    ) -> None:
        """Refuse a record of ``kind`` dated ``day`` that a closed period covers, by
        the one table of what a close freezes
        (:data:`fsgrant.domain.time_rule.RECORD_KINDS`); see
        :func:`fsgrant.domain.closures.refuse_closed`. Call inside the write transaction.

        Args:
            year: the funding year the record names (``own-year`` kinds; None: the year
                its day is allocated to).
            named: the years a ``named-years`` record (a variation) bears on.
            what: the record in words, when more telling than its kind's.

        Raises:
            PeriodClosed: names the closure (reference, when, by whom).
        """
        closed = self.closures()
        if closed:
            years = self._years.list() if year is None else []
            refuse_closed(kind, day, closed, years, year=year, named=named, what=what)

    def close(self, label: str, through: DateLike, reference: str) -> ClosedPeriod:
        """Close a funding year's period through a date (e.g. when a return is submitted):
        entries dated on or before it are refused until it is reopened.

        Raises:
            NotFound: no such year.  InvalidInput: no reference, or an earlier date than
            the current closure.
        """
        y = self._years.get(label)
        day = entered_day(self._tables, through, field="through")
        ref = required_text(reference, "reference")
        if day < y.start:
            raise InvalidInput(f"{day} is before {label} starts ({y.start})", field="through")
        detail: dict[str, Any] = {"through": day.isoformat(), "reference": ref}
        store = self._tables.store
        with store.transaction(Action.PERIOD_CLOSE, label, detail):
            current = self.closures().get(label)
            if current is not None and day < current.through:
                raise InvalidInput(
                    f"{label} is already closed through {current.through}; reopen it before closing an earlier date",
                    field="through",
                )
            detail["id"] = self._tables.periods.insert(
                {
                    "funding_year": label,
                    "kind": "close",
                    "through": day.isoformat(),
                    "reference": ref,
                }
            )
        return self.closures()[label]

    def reopen(self, label: str, reason: str) -> PeriodEvent:
        """Reopen a closed funding year (the reopening is recorded with its reason).

        Raises:
            NotFound: no such year.  Conflict: it is not closed.
        """
        self._years.get(label)
        why = required_text(reason, "reason")
        detail: dict[str, Any] = {"reason": why}
        store = self._tables.store
        with store.transaction(Action.PERIOD_REOPEN, label, detail):
            closed = self.closures().get(label)
            if closed is None:
                raise Conflict(f"funding year {label} is not closed")
            detail["was_closed_through"] = closed.through.isoformat()
            new_id = detail["id"] = self._tables.periods.insert(
                {
                    "funding_year": label,
                    "kind": "reopen",
                    "reason": why,
                }
            )
        return next(e for e in self.history() if e.id == new_id)
