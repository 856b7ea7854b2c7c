"""A months file for a phased estimate: CSV ``month,amount``, one month a line.

Months are ``2020-03`` or ``03/2020``; amounts are read by the money rule. Lines
starting with ``#`` are comments. An error names the file, the line and the field.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from fsgrant.domain.money import parse_amount
from fsgrant.domain.phasing import parse_month
from fsgrant.errors import InvalidInput, SourceError
from fsgrant.formats.ledgerfiles import read_csv_rows

__all__ = ["read_months"]


def read_months(path: Path) -> list[tuple[int, str, Decimal]]:
    """``(line, YYYY-MM, amount)`` for each line of a months file, in file order.

    Raises:
        SourceError: the file is missing or unreadable, a column is missing or unknown,
            or a month or amount is bad (naming the line and field).
    """
    if not path.is_file():
        raise SourceError(path.name, None, None, "no such file")
    out: list[tuple[int, str, Decimal]] = []
    for line, row in read_csv_rows(path, ("month", "amount")):
        for field in ("month", "amount"):
            if not row[field]:
                raise SourceError(path.name, line, field, "is empty")
        try:
            month = parse_month(row["month"])
        except InvalidInput as exc:
            raise SourceError(path.name, line, "month", exc.message, value=row["month"]) from None
        try:
            amount = parse_amount(row["amount"])
        except InvalidInput as exc:
            raise SourceError(path.name, line, "amount", exc.message, value=row["amount"]) from None
        out.append((line, month, amount))
    return out
