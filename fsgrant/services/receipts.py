"""Receipts (``fsgrant receipt``): grant payments received from the funder."""

from __future__ import annotations

from typing import Any

from fsgrant.domain.arguments import checked
from fsgrant.domain.models import Receipt
from fsgrant.domain.money import AmountLike, as_money, gross_total_problem, to_pence
from fsgrant.domain.periods import DateLike, parse_date
from fsgrant.domain.text import clean_text, required_text
from fsgrant.domain.time_rule import Action
from fsgrant.errors import Conflict, InvalidAmount, InvalidInput, NotFound
from fsgrant.services.horizon import entered_day
from fsgrant.services.periods import PeriodsService
from fsgrant.services.years import YearsService
from fsgrant.store.tables import Tables

__all__ = ["ReceiptsService"]


@checked
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
        d = entered_day(self._tables, day, field="date")
        value = as_money(amount, field="amount")
        if value == 0:
            raise InvalidInput("a receipt of 0.00 records nothing", field="amount")
        self._years.get(year)
        detail: dict[str, Any] = {"date": d.isoformat(), "amount": str(value)}
        store = self._tables.store
        with store.transaction(Action.RECEIPT_ADD, year, detail, dated=d):
            self._periods.guard("receipt", d, year=year)
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
                }
            )
        return self.get(new_id)

    def reverse(self, receipt_id: int, reason: str) -> Receipt:
        """Reverse a receipt: a new receipt with the negated amount, the same date and
        funding year, pointing at it, so the two net to zero in the same period.

        Raises:
            NotFound: no such receipt.  InvalidInput: no reason.
            Conflict: already reversed, or itself a reversal.
            PeriodClosed: the receipt is dated in a closed period of its year.
        """
        why = required_text(reason, "reason")
        original = self.get(receipt_id)
        if original.reverses is not None:
            raise Conflict(
                f"receipt {receipt_id} is a reversal (of receipt {original.reverses}); "
                "it cannot be reversed: record the receipt again instead"
            )
        if original.reversed_by is not None:
            raise Conflict(
                f"receipt {receipt_id} was already reversed by receipt {original.reversed_by}"
            )
        detail: dict[str, Any] = {"reason": why, "amount": str(-original.amount)}
        store = self._tables.store
        with store.transaction(Action.RECEIPT_REVERSE, str(receipt_id), detail):
            # Checked again inside the write lock: another process may have reversed it.
            done = self.get(receipt_id).reversed_by
            if done is not None:
                raise Conflict(f"receipt {receipt_id} was already reversed by receipt {done}")
            self._periods.guard(
                "receipt",
                original.date,
                year=original.funding_year,
                what=f"the reversal of receipt {receipt_id}",
            )
            new_id = detail["id"] = self._tables.receipts.insert(
                {
                    "date": original.date.isoformat(),
                    "amount_pence": -to_pence(original.amount),
                    "funding_year": original.funding_year,
                    "reference": original.reference,
                    "reverses": receipt_id,
                    "reason": why,
                }
            )
        return self.get(new_id)

    def get(self, receipt_id: int) -> Receipt:
        """One receipt.

        Raises:
            NotFound: no such receipt.
        """
        found = self._tables.receipts.list(receipt_id=receipt_id)
        if not found:
            raise NotFound("receipt", str(receipt_id), "see 'fsgrant receipt list'")
        return found[0]

    def list(self, year: str | None = None, as_at: DateLike | None = None) -> list[Receipt]:
        """Receipts (of one year, on or before ``as_at``), in date order."""
        cut = parse_date(as_at, field="as-at") if as_at is not None else None
        return self._tables.receipts.list(year, cut)
