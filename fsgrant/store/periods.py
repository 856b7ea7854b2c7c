"""Closings and reopenings of funding years' periods: rows to records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fsgrant.domain.models import ClosedPeriod, PeriodEvent
from fsgrant.store.connection import Store

__all__ = ["PeriodsTable"]


class PeriodsTable:
    """``period_events``: the latest event of a year says whether it is closed."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def closures(self) -> dict[str, ClosedPeriod]:
        """The funding years whose periods are closed now: label -> closure."""
        rows = self.store.query(
            """SELECT e.* FROM period_events e
               WHERE e.id = (SELECT max(id) FROM period_events x WHERE x.funding_year = e.funding_year)
                 AND e.kind = 'close'"""
        )
        return {
            r["funding_year"]: ClosedPeriod(
                funding_year=r["funding_year"],
                through=date.fromisoformat(r["through"]),
                reference=r["reference"] or "",
                at=datetime.fromisoformat(r["at"]),
                by=r["by"],
            )
            for r in rows
        }

    def events(self) -> list[PeriodEvent]:
        """Every closing and reopening, oldest first."""
        return [
            PeriodEvent(
                id=r["id"],
                funding_year=r["funding_year"],
                kind=r["kind"],
                through=r["through"],
                reference=r["reference"],
                reason=r["reason"],
                at=datetime.fromisoformat(r["at"]),
                by=r["by"],
            )
            for r in self.store.query("SELECT * FROM period_events ORDER BY id")
        ]

    def insert(self, record: dict[str, Any]) -> int:
        return self.store.insert("period_events", record)
