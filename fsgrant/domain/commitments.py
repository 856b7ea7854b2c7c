"""Commitments: purchase orders raised and not yet invoiced, money spoken for.

The rules, in one place:

* A commitment is dated (the day the order was raised), for an amount (positive), a
  cost category (optionally a post) and a reference (the purchase order number). It
  falls in the funding year its date is allocated to, like a spend line.
* **Draw-down**: a spend line quoting the commitment's reference and dated on or after
  it draws it down, up to the commitment's amount. The lines are added up, reversals
  and credits included, so a reversed invoice gives the money back; what is drawn is
  never below zero nor above the amount.
* **Committed as at D**: for each commitment dated on or before D and not cancelled on
  or before D, its amount less what the lines dated on or before D drew down.
* A category's **forecast remaining** is never below what is committed in it (see
  :mod:`fsgrant.domain.forecast`): money spoken for will be spent.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

from fsgrant.domain.models import Category, Day, Money
from fsgrant.domain.money import ZERO
from fsgrant.domain.record import RECORD_CONFIG

__all__ = ["Commitment", "CommitmentStatus", "committed_total", "drawn_down", "open_amount"]

CommitmentStatus = Literal["open", "invoiced", "cancelled"]


class Commitment(BaseModel):
    """A purchase order raised and not yet (wholly) invoiced, as at a date."""

    model_config = RECORD_CONFIG

    id: int
    date: Day
    amount: Money
    category: Category
    post: str | None = None
    reference: str
    supplier: str | None = None
    description: str | None = None
    funding_year: str | None = None
    """The funding year it is allocated to (explicit, or by its date)."""
    as_at: Day | None = None
    """The date it is read as at (None: everything recorded)."""
    invoiced: Money
    """What the lines quoting its reference, dated from it to ``as_at``, add up to."""
    drawn: Money
    """What they drew down: ``invoiced`` held between 0.00 and the amount."""
    open: Money
    """What is still committed as at ``as_at`` (0.00 once cancelled or drawn)."""
    status: CommitmentStatus
    cancelled_on: Day | None = None
    cancel_reason: str | None = None
    recorded_at: datetime
    recorded_by: str


def drawn_down(amount: Decimal, invoiced: Decimal) -> Decimal:
    """What invoices adding up to ``invoiced`` draw down of a commitment of ``amount``."""
    return min(max(invoiced, ZERO), amount)


def open_amount(
    amount: Decimal, invoiced: Decimal, cancelled_on: date | None, day: date | None
) -> tuple[Decimal, CommitmentStatus]:
    """What is committed as at ``day`` (the commitment dated on or before it; None:
    everything recorded), and its status then."""
    if cancelled_on is not None and (day is None or cancelled_on <= day):
        return ZERO, "cancelled"
    left = amount - drawn_down(amount, invoiced)
    return left, "open" if left > 0 else "invoiced"


def committed_total(commitments: Iterable[Commitment]) -> Decimal:
    """The open amounts added up."""
    return sum((c.open for c in commitments), ZERO)
