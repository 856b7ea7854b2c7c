"""How the command line says what it recorded, as a person reads it: money in pounds
(``£1,234.56``, ``-£1,250.00``), dates day first (``20/03/2020``), a spend line as
``#57 £1,234.56 training, 20/03/2020, funding year 2019/20 (Acme)``.

Confirmations are for people; scripts read ``--format json`` from ``show`` and
``list``. User text in them is made safe to print by :func:`fsgrant.cli._common.say`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

__all__ = ["day", "pounds", "receipt_words", "spend_words", "variation_words", "when"]


def pounds(value: Decimal) -> str:
    """``£1,234.56``; a credit ``-£1,250.00``."""
    from fsgrant.domain.money import format_pounds

    return format_pounds(value)


def day(value: date | None) -> str:
    """``20/03/2020`` (UK, day first); empty for None."""
    return "" if value is None else f"{value:%d/%m/%Y}"


def when(value: datetime) -> str:
    """A moment recorded, to the second: ``2020-03-20 14:05:12 UTC``."""
    return f"{value:%Y-%m-%d %H:%M:%S} UTC"


def spend_words(line: Any) -> str:
    """``#57 £1,234.56 training, 20/03/2020, funding year 2019/20 (Acme)``: the post
    after the category when there is one, the supplier last when there is one."""
    post = f" for {line.post}" if line.post else ""
    year = (
        f"funding year {line.funding_year}"
        if line.funding_year
        else "no funding year covers the date"
    )
    supplier = f" ({line.supplier})" if line.supplier else ""
    return f"#{line.id} {pounds(line.amount)} {line.category}{post}, {day(line.date)}, {year}{supplier}"


def receipt_words(receipt: Any) -> str:
    """``receipt #3: £622,500.00 for 2019/20 on 20/03/2020``."""
    return (
        f"receipt #{receipt.id}: {pounds(receipt.amount)} for {receipt.funding_year} "
        f"on {day(receipt.date)}"
    )


def variation_words(v: Any) -> str:
    """A variation in one line, money in pounds and dates day first."""
    return str(v.describe(money=pounds, day=day))
