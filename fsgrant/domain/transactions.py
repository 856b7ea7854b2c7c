"""A spend line as the DfE return's Transactions sheet shows it: a plain tuple.

The return lists every line of a funding year (100,000 and more); building a
validated :class:`fsgrant.domain.models.SpendLine` for each costs more than writing
it. :class:`TransactionLine` holds only what the sheet shows, already allocated to
its funding year, and is made straight from the store's rows.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from fsgrant.domain.periods import financial_year_label

if TYPE_CHECKING:
    from fsgrant.domain.models import SpendLine

__all__ = ["TransactionLine", "transaction_line"]


class TransactionLine(NamedTuple):
    """One line of the Transactions sheet, in its column order."""

    id: int
    date: date
    financial_year: str
    funding_year: str | None
    category: str
    post: str | None
    supplier: str | None
    description: str | None
    reference: str | None
    amount: Decimal
    pence: int
    reverses: int | None
    import_batch: int | None
    source_line: int | None


def transaction_line(line: TransactionLine | SpendLine) -> TransactionLine:
    """``line`` as a :class:`TransactionLine` (a :class:`SpendLine` is converted)."""
    if isinstance(line, TransactionLine):
        return line
    return TransactionLine(
        line.id,
        line.date,
        financial_year_label(line.date),
        line.funding_year,
        line.category,
        line.post,
        line.supplier,
        line.description,
        line.reference,
        line.amount,
        int(line.amount * 100),
        line.reverses,
        line.import_batch,
        line.source_line,
    )
