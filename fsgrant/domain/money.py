"""Exact money: ``Decimal`` pounds in the API, integer pence in the store.

The rules, in one place:

* Amount text accepted: ``1234.56``, ``1,234.56``, ``£1,234.56``, ``-12.00``,
  ``(12.00)`` (meaning -12.00), ``-£5``, ``£-5``, whole pounds ``250``. Spaces around
  the text are ignored.
* Refused with :class:`~fsgrant.errors.InvalidAmount`: amounts over
  £999,999,999,999.99 (``MAX_AMOUNT``), digits other than 0-9, more than two decimal places
  (never rounded silently), exponents (``1e3``), ``NaN`` and ``inf``, Python floats,
  booleans, empty text, misplaced thousands separators (``1,23.00``).
* Rounding anywhere (shares of a month, percentages) is half-up to the penny, the
  HMRC rule, never banker's rounding; a percentage is to one decimal place, half-up
  (:func:`percent`).
* When a total is split, the parts add up to the total exactly.
* The limit holds for totals too: the spend lines of a store, credits counted by their
  size, may add up to at most ``MAX_AMOUNT`` (and so may its receipts), so every total
  a report computes from them fits in an amount. It is checked where lines come in,
  before commit (:func:`gross_total_problem`). Figures a report computes are never
  refused (:func:`as_figure`): a store that already holds more is still reported.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from fsgrant.errors import InvalidAmount

__all__ = [
    "MAX_AMOUNT",
    "MAX_GROSS_PENCE",
    "PENNY",
    "ZERO",
    "AmountLike",
    "as_figure",
    "as_money",
    "format_money",
    "format_pounds",
    "from_pence",
    "gross_total_problem",
    "parse_amount",
    "percent",
    "round_half_up",
    "split_evenly",
    "split_sign",
    "to_pence",
]

AmountLike = Decimal | int | str
"""An amount: a ``Decimal``, whole pounds, or text read by :func:`parse_amount` (never a float)."""

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
_ONE_PLACE = Decimal("0.1")

# Digits with optional correctly placed thousands separators, optional 1-2 decimals
# are checked separately so that a third decimal gets its own message.
_NUMBER = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?$")

# The largest amount fsgrant stores: a trillion pounds less a penny. Far above any
# grant, and low enough that sums of pence stay inside SQLite's 64-bit integers.
MAX_AMOUNT = Decimal("999999999999.99")


def _refuse_too_large(value: Decimal, field: str, raw: object) -> None:
    if abs(value) > MAX_AMOUNT:
        raise InvalidAmount(
            f"{field}: '{raw}' is too large for an amount (the limit is {MAX_AMOUNT:,})",
            field=field,
            value=raw,
        )


def split_sign(text: str) -> tuple[bool, str] | None:
    """The sign of money text and what follows it, the pound sign dropped.

    Negative: ``(12.00)`` (brackets, as accounts write a credit), ``-12.00``,
    ``-£12.00`` and ``£-12.00``; the minus may be the typographic one (U+2212) that
    word processors write. Returns None for two signs, such as ``(-12.00)``.
    """
    s = text.strip().replace("\u2212", "-")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative = True
        s = s[1:-1].strip()
    if s.startswith("-"):
        if negative:
            return None
        negative = True
        s = s[1:].strip()
    if s.startswith("£"):
        s = s[1:].strip()
        if s.startswith("-"):
            if negative:
                return None
            negative = True
            s = s[1:].strip()
    return negative, s


def parse_amount(text: str, *, field: str = "amount", bounded: bool = True) -> Decimal:
    """Read money text by the documented rule.

    Args:
        text: the amount as a person or a file wrote it.
        field: the field name, used in the error message.
        bounded: refuse amounts over ``MAX_AMOUNT`` (False only for figures computed
            from the store).

    Returns:
        The amount in pounds as a ``Decimal`` with exactly two decimal places.

    Raises:
        InvalidAmount: the text is not an exact amount in pounds and pence.
    """
    if not isinstance(text, str):
        raise InvalidAmount(
            f"{field}: expected text, got {type(text).__name__}", field=field, value=text
        )
    raw = text.replace("\u2212", "-")
    s = text.strip()
    if not s:
        raise InvalidAmount(f"{field}: empty amount", field=field, value=raw)
    signed = split_sign(s)
    if signed is None:
        raise InvalidAmount(f"{field}: '{raw}' has two minus signs", field=field, value=raw)
    negative, s = signed
    low = s.lower()
    if low in {"nan", "inf", "infinity", "snan"} or "e" in low:
        raise InvalidAmount(
            f"{field}: '{raw}' is not a plain amount (no exponents, NaN or infinity)",
            field=field,
            value=raw,
        )
    match = _NUMBER.match(s)
    if not match:
        raise InvalidAmount(
            f"{field}: '{raw}' is not an amount like 1234.56, £1,234.56 or (12.00)",
            field=field,
            value=raw,
        )
    decimals = match.group(1)
    if decimals is not None and len(decimals) > 2:
        raise InvalidAmount(
            f"{field}: '{raw}' has more than two decimal places; amounts are never rounded silently",
            field=field,
            value=raw,
        )
    value = Decimal(s.replace(",", ""))
    if bounded:
        _refuse_too_large(value, field, raw)
    value = value.quantize(PENNY)
    return -value if negative else value


def as_money(value: object, *, field: str = "amount", bounded: bool = True) -> Decimal:
    """Turn an API value into exact money, refusing floats.

    Accepts a ``Decimal`` with at most two decimal places, an ``int`` (whole pounds)
    or money text (see :func:`parse_amount`). ``bounded=False`` (figures computed from
    the store, see :func:`as_figure`) lifts the ``MAX_AMOUNT`` limit for ``Decimal``
    and ``int`` values.

    Raises:
        InvalidAmount: a float, a bool, a sub-penny or non-finite ``Decimal``, or bad text.
    """
    if isinstance(value, bool | float):
        raise InvalidAmount(
            f"{field}: floating-point numbers are refused for money; pass a Decimal or text",
            field=field,
            value=value,
        )
    if isinstance(value, int):
        if bounded:
            _refuse_too_large(Decimal(value), field, value)
        return Decimal(value).quantize(PENNY)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidAmount(
                f"{field}: {value} is not a finite amount", field=field, value=value
            )
        if bounded:
            _refuse_too_large(value, field, value)
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -2 and value != value.quantize(PENNY):
            raise InvalidAmount(
                f"{field}: {value} has more than two decimal places; amounts are never rounded silently",
                field=field,
                value=value,
            )
        return value.quantize(PENNY)
    if isinstance(value, str):
        return parse_amount(value, field=field, bounded=bounded)
    raise InvalidAmount(
        f"{field}: cannot read {type(value).__name__} as money", field=field, value=value
    )


def as_figure(value: object) -> Decimal:
    """Exact money computed from what the store holds: as :func:`as_money`, no upper limit.

    Reports must never refuse to compute what the store holds, even a store written
    before the limit on totals was checked on entry.
    """
    return as_money(value, bounded=False)


MAX_GROSS_PENCE = int(MAX_AMOUNT * 100)
"""The most the stored lines of one kind may add up to, by size, in pence."""


def gross_total_problem(gross_pence: int, what: str) -> str | None:
    """Why ``gross_pence`` (the sizes of all lines of one kind added up) is too much.

    Args:
        gross_pence: the sum of the absolute amounts of every stored line of ``what``
            (spend lines or receipts), the new ones included.
        what: the lines' name, such as ``spend lines``.

    Returns:
        None within the limit, else a one-line reason: every total a report computes
        from those lines must fit in an amount.
    """
    if gross_pence <= MAX_GROSS_PENCE:
        return None
    return (
        f"the {what} would then add up to {format_pounds(from_pence(gross_pence))} "
        f"(credits counted by their size), more than the {format_pounds(MAX_AMOUNT)} "
        "a report can show"
    )


def round_half_up(value: Decimal) -> Decimal:
    """Round to the penny, halves away from zero (the UK convention)."""
    try:
        return value.quantize(PENNY, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # pragma: no cover - only for absurd magnitudes
        raise InvalidAmount(f"cannot round {value} to the penny", value=value) from exc


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part / whole x 100`` to one decimal place, half-up; None when ``whole`` is zero."""
    if whole == 0:
        return None
    return (part * 100 / whole).quantize(_ONE_PLACE, rounding=ROUND_HALF_UP)


def to_pence(value: Decimal) -> int:
    """Exact pounds to integer pence; refuses anything that is not a whole penny."""
    pence = value * 100
    if pence != pence.to_integral_value():
        raise InvalidAmount(f"{value} is not a whole number of pence", value=value)
    return int(pence)


def from_pence(pence: int) -> Decimal:
    """Integer pence to pounds with two decimal places."""
    return (Decimal(pence) / 100).quantize(PENNY)


def split_evenly(total: Decimal, parts: int) -> list[Decimal]:
    """Split ``total`` into ``parts`` amounts that add up to it exactly.

    The leftover pence go one each to the first parts, so ``split_evenly(10, 3)``
    is ``[3.34, 3.33, 3.33]``.
    """
    if parts <= 0:
        raise ValueError("parts must be positive")
    pence = to_pence(total)
    base, leftover = divmod(abs(pence), parts)
    sign = -1 if pence < 0 else 1
    return [from_pence(sign * (base + (1 if i < leftover else 0))) for i in range(parts)]


def format_money(value: Decimal) -> str:
    """Machine form: ``2490000.00`` (two decimals, no separators)."""
    return f"{value.quantize(PENNY):f}"


def format_pounds(value: Decimal) -> str:
    """Human form: ``£2,490,000.00``; negatives as ``-£12.00``."""
    q = value.quantize(PENNY)
    sign = "-" if q < 0 else ""
    return f"{sign}£{abs(q):,.2f}"
