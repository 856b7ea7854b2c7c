"""Receipts (``fsgrant receipt``): grant payments received from the funder."""

from __future__ import annotations

from typing import Any

from fsgrant.domain.models import Receipt
from fsgrant.domain.money import AmountLike, as_money, gross_total_problem, to_pence
from fsgrant.domain.periods import DateLike, parse_date
from fsgrant.domain.text import clean_text
from fsgrant.errors import InvalidAmount, InvalidInput
from fsgrant.services.periods import PeriodsService
from fsgrant.services.years import YearsService
from fsgrant.store.connection import utc_now
from fsgrant.store.tables import Tables

__all__ = ["ReceiptsService"]


class ReceiptsService:
    """``fs.receipts``: record and list receipts."""

    def __init__(self, tables: Tables, years: YearsService, periods: PeriodsService) -> None:
        self._tables = tables
        self._years = years
        self._periods = periods

    def add(
        self, day: DateLike, amount: AmountLike, year: str, *, reference: str | None = None
    ) -> Receipt:
        """Record a grant payment received from the funder.

        Raises:
            InvalidInput: bad date or amount.  NotFound: no such funding year.
            PeriodClosed: dated in a closed period of the year.
        """
        d = parse_date(day, field="date")
        value = as_money(amount, field="amount")
        if value == 0:
            raise InvalidInput("a receipt of 0.00 records nothing", field="amount")
        self._years.get(year)
        detail: dict[str, Any] = {"date": d.isoformat(), "amount": str(value)}
        store = self._tables.store
        with store.transaction("receipt.add", year, detail):
            self._periods.guard_open(d, year, what="a receipt")
            too_much = gross_total_problem(
                self._tables.receipts.gross_pence() + abs(to_pence(value)), "receipts"
            )
            if too_much is not None:
                raise InvalidAmount(
                    f"amount: {too_much}; nothing was stored", field="amount", value=str(value)
                )
            new_id = detail["id"] = self._tables.receipts.insert(
                {
                    "date": d.isoformat(),
                    "amount_pence": to_pence(value),
                    "funding_year": year,
                    "reference": clean_text(reference),
                    "recorded_at": utc_now(),
                    "recorded_by": store.user,
                }
            )
        return next(r for r in self.list() if r.id == new_id)

    def list(self, year: str | None = None, as_at: DateLike | None = None) -> list[Receipt]:
        """Receipts (of one year, on or before ``as_at``), in date order."""
        cut = parse_date(as_at, field="as-at") if as_at is not None else None
        return self._tables.receipts.list(year, cut)
