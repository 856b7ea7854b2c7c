"""Phased estimates: how a funding year's estimate for a category falls by month.

Monthly budget monitoring compares actual to date with the *budget to date*. The rules,
in one place:

* A phasing is set for a (funding year, category) on a date and kept as history; the
  one in force as at a date is the latest set on or before it. A category with none is
  **unphased**: its estimate falls evenly over the months of the period (as varied),
  split so the months add up exactly (the leftover pence to the first months), as an
  explicit ``even`` phasing does.
* A ``months`` phasing (a file of ``month,amount``) or a ``posts`` phasing (the
  category's posts as planned: each from its planned start at its annual cost and FTE
  as first recorded, by the calendar-month method) records an amount per month that
  adds up exactly to the estimate in force when it was set.
* The budget of a month is the phasing's amount. When the estimate compared against
  differs from the total the phasing was set for (a revision, or ``--against``), the
  months are scaled to it in proportion, split so they add up exactly (each month's
  share rounded down to the penny, the pence left over to the months with the largest
  remainders, the earlier month first on a tie). A phasing of zero falls evenly.
* **Budget to date** is the budget of every month ended by the as-at date, plus the
  part of the as-at month's budget its days to that date make of the month's days in
  the period, rounded half-up once. **Variance to date** = actual to date - budget to
  date (positive: ahead of the budget).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

from fsgrant.domain.models import Money
from fsgrant.domain.money import ZERO, as_money, from_pence, round_half_up, split_evenly, to_pence
from fsgrant.domain.periods import Period, month_label
from fsgrant.domain.record import RECORD_CONFIG
from fsgrant.domain.time_rule import latest_on_or_before
from fsgrant.errors import InvalidInput

__all__ = [
    "PHASING_METHODS",
    "EstimatePhasing",
    "PhasedMonth",
    "Phasing",
    "PhasingMethod",
    "budget_by_month",
    "budget_to_date",
    "check_months",
    "parse_month",
    "phasings_as_at",
    "split_in_proportion",
]

PhasingMethod = Literal["even", "months", "posts"]
PHASING_METHODS: tuple[PhasingMethod, ...] = ("even", "months", "posts")
Phasing = Literal["unphased", "even", "months", "posts"]
"""How a category's budget falls by month in a report (``unphased``: evenly, none set)."""


class _Record(BaseModel):
    model_config = RECORD_CONFIG


class PhasedMonth(_Record):
    month: str
    """``YYYY-MM``."""
    amount: Money


class EstimatePhasing(_Record):
    """How a year's estimate for a category falls by month, as set on a date."""

    id: int
    funding_year: str
    category: str
    method: PhasingMethod
    set_on: date
    total: Money | None
    """The estimate the months add up to (None for ``even``)."""
    months: tuple[PhasedMonth, ...] = ()
    source: str | None = None
    """The months file's name, for ``months``."""
    recorded_at: datetime
    recorded_by: str


def parse_month(text: str, *, field: str = "month") -> str:
    """A month as ``YYYY-MM`` from ``2020-03`` or ``03/2020``.

    Raises:
        InvalidInput: anything else.
    """
    value = text.strip()
    year = month = None
    if len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit():
        year, month = int(value[:4]), int(value[5:])
    elif "/" in value:
        m, _, y = value.partition("/")
        if m.isdigit() and y.isdigit() and len(y) == 4 and 1 <= len(m) <= 2:
            year, month = int(y), int(m)
    if year is None or month is None or not 1 <= month <= 12:
        raise InvalidInput(
            f"'{text}' is not a month; write it as 2020-03 or 03/2020", field=field, value=text
        )
    return f"{year:04d}-{month:02d}"


def check_months(
    amounts: Iterable[tuple[str, Decimal]], period: Period, estimate: Decimal
) -> dict[str, Decimal]:
    """Check a months phasing against the year's period and its estimate.

    Args:
        amounts: ``(YYYY-MM, amount)`` pairs, in the order given.
        period: the funding year's period (as varied).
        estimate: the estimate the months must add up to exactly.

    Returns:
        month -> amount, in month order.

    Raises:
        InvalidInput: a month outside the period or given twice, a negative amount, or
            amounts that do not add up to the estimate (the difference is named).
    """
    allowed = {month_label(m.start) for m in period.iter_months()}
    out: dict[str, Decimal] = {}
    for month, amount in amounts:
        if month not in allowed:
            raise InvalidInput(
                f"{month} is outside the funding year ({period.start} to {period.end})",
                field="month",
                value=month,
            )
        if month in out:
            raise InvalidInput(f"{month} is given twice", field="month", value=month)
        if amount < 0:
            raise InvalidInput("a month's budget cannot be negative", field="amount", value=amount)
        out[month] = amount
    total = sum(out.values(), ZERO)
    if total != estimate:
        raise InvalidInput(
            f"the months add up to {total}, not the estimate {estimate} "
            f"(a difference of {total - estimate})",
            field="amount",
        )
    return dict(sorted(out.items()))


def split_in_proportion(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights``, adding up to it exactly.

    Each share is rounded down to the penny and the pence left over go one each to
    the parts with the largest remainders, the earlier part first on a tie. With no
    weight at all the total is split evenly.
    """
    if not weights:
        return []
    whole = sum(weights, ZERO)
    if whole == 0:
        return split_evenly(total, len(weights))
    pence = to_pence(total)
    exact = [Decimal(pence) * w / whole for w in weights]
    floors = [int(x // 1) for x in exact]
    leftover = pence - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return [from_pence(p) for p in floors]


def budget_by_month(
    estimate: Decimal, phasing: EstimatePhasing | None, period: Period
) -> dict[str, Decimal]:
    """The budget of each month of ``period`` (``YYYY-MM`` -> amount), adding up to
    ``estimate`` exactly (see the module rules)."""
    labels = [month_label(m.start) for m in period.iter_months()]
    if phasing is None or phasing.method == "even" or not phasing.months:
        return dict(zip(labels, split_evenly(estimate, len(labels)), strict=True))
    given = {m.month: m.amount for m in phasing.months}
    # Months a later variation moved out of the period keep no budget there: the
    # whole estimate is spread over the months still in it.
    weights = [given.get(label, ZERO) for label in labels]
    if phasing.total == estimate and sum(weights, ZERO) == estimate:
        return dict(zip(labels, weights, strict=True))
    return dict(zip(labels, split_in_proportion(estimate, weights), strict=True))


def budget_to_date(budget: Mapping[str, Decimal], period: Period, as_at: date) -> Decimal:
    """The budget of the months of ``period`` to ``as_at``: whole months ended by then,
    and the as-at month's part by days, rounded half-up once."""
    total = ZERO
    for part in period.iter_months():
        amount = budget.get(month_label(part.start), ZERO)
        if part.end <= as_at:
            total += amount
        elif part.start <= as_at:
            total += round_half_up(amount * ((as_at - part.start).days + 1) / part.days)
    return total


def phasings_as_at(
    phasings: Iterable[EstimatePhasing], day: date
) -> dict[tuple[str, str], EstimatePhasing]:
    """The phasing in force on ``day`` per (year, category): the latest set on or
    before it (by date set, then as recorded)."""
    return latest_on_or_before(
        phasings,
        day,
        key=lambda p: (p.funding_year, p.category),
        on=lambda p: p.set_on,
        order=lambda p: p.id,
    )


def months_of(amounts: Mapping[str, object]) -> list[tuple[str, Decimal]]:
    """``(month, amount)`` pairs from a mapping of month text to amounts."""
    return [(parse_month(k), as_money(v, field=k)) for k, v in amounts.items()]
