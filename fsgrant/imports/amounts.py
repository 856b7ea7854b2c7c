"""Reading an amount cell of a finance-system extract into integer pence.

Amounts are read by :func:`read_extract_amount`: the documented money rule, plus
spreadsheet float noise (``890.4999999999999``) within a millionth of a penny of a
whole penny read as that penny and counted; ``12.345`` is still an error.
:data:`FAST_AMOUNT` is the common forms' pattern, which row reading
(:mod:`fsgrant.imports.rows`) also tries first.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from fsgrant.domain.money import MAX_AMOUNT, parse_amount, split_sign, to_pence
from fsgrant.errors import InvalidAmount

__all__ = ["FAST_AMOUNT", "NOISE_TOLERANCE_PENCE", "read_extract_amount"]


NOISE_TOLERANCE_PENCE = Decimal("0.000001")
"""Float noise allowed around a whole penny: a millionth of a penny."""


# ASCII digits only (``\d`` alone would take any script's digits, which parse_amount
# refuses), and at most 12 digits of whole pounds: never above MAX_AMOUNT.
FAST_AMOUNT = re.compile(r"(-)?£?(\d{1,3}(?:,\d{3}){1,3}|\d{1,12})(?:\.(\d{1,2}))?", re.ASCII)
_LONG_DECIMALS = re.compile(r"\.\d{3,}", re.ASCII)
_NOISY = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{3,}", re.ASCII)


def read_extract_amount(text: str, *, field: str = "amount") -> tuple[int, bool]:
    """Read an amount cell: integer pence, and whether float noise was snapped.

    The rule of :func:`fsgrant.domain.money.parse_amount` (``£1,234.56``, ``(12.00)``,
    ``-5``; no exponents, NaN or sub-penny amounts), except that a value within a
    millionth of a penny of a whole penny (``890.4999999999999``, the binary
    floating-point noise spreadsheets write) is read as that penny.

    Raises:
        InvalidAmount: anything else, such as ``12.345`` or ``1e3``.
    """
    s = text.strip()
    # The common forms without Decimal: -1234.5, 1,234.56, £1,234.56, (1,234.56).
    bracketed = s[:1] == "(" and s[-1:] == ")"
    m = FAST_AMOUNT.fullmatch(s[1:-1] if bracketed else s)
    if m is not None and not (bracketed and m.group(1)):
        pence = int(m.group(2).replace(",", "")) * 100 + int(((m.group(3) or "") + "00")[:2])
        return (-pence if (bracketed or m.group(1)) else pence), False
    if _LONG_DECIMALS.search(s):
        snapped = _snap(s)
        if snapped is not None:
            return snapped, True
    if s.upper() in ("TRUE", "FALSE"):  # an XLSX boolean cell reads as TRUE or FALSE
        raise InvalidAmount(f"{field}: a TRUE/FALSE cell is not an amount", field=field, value=text)
    return to_pence(parse_amount(s, field=field)), False


def _snap(s: str) -> int | None:
    signed = split_sign(s)
    if signed is None:
        return None
    negative, t = signed
    if not _NOISY.fullmatch(t):
        return None
    exact = Decimal(t.replace(",", "")) * 100
    nearest = exact.to_integral_value(rounding=ROUND_HALF_UP)
    if abs(exact - nearest) > NOISE_TOLERANCE_PENCE:
        return None
    if nearest > MAX_AMOUNT * 100:
        return None
    pence = int(nearest)
    return -pence if negative else pence
