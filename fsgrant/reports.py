"""Report models and the pure computations behind them.

Reports take figures already read from the store and return typed models; they do
no I/O and no formatting. Every total is computed as the sum of the rows under it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from .models import FundingYearState, FundingYearStatus, Grant, Money
from .money import ZERO

__all__ = [
    "GrantHeading",
    "SummaryReport",
    "YearSummary",
    "build_summary",
]


class _Report(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GrantHeading(_Report):
    name: str
    funder: str
    recipient: str


class YearSummary(_Report):
    """Where one funding year stands."""

    label: str
    status: FundingYearStatus
    start: date
    end: date
    award: Money
    received: Money
    estimate_original: Money
    actual: Money
    remaining: Money
    """Award less actual spend (negative when overspent)."""


class SummaryReport(_Report):
    """Where each funding year of the grant stands, as at a date."""

    as_at: date | None
    grant: GrantHeading
    funding_years: tuple[YearSummary, ...]

    def total(self, field: str) -> Decimal:
        """The sum of a money field over the funding years."""
        return sum((getattr(y, field) for y in self.funding_years), ZERO)


def build_summary(
    grant: Grant,
    years: Sequence[FundingYearState],
    as_at: date | None,
    actual_by_year: Mapping[str, Decimal],
    received_by_year: Mapping[str, Decimal],
    original_estimate_by_year: Mapping[str, Decimal],
) -> SummaryReport:
    """Assemble the summary from per-year figures."""
    rows = []
    for y in years:
        actual = actual_by_year.get(y.label, ZERO)
        rows.append(
            YearSummary(
                label=y.label,
                status=y.status,
                start=y.start,
                end=y.end,
                award=y.award,
                received=received_by_year.get(y.label, ZERO),
                estimate_original=original_estimate_by_year.get(y.label, ZERO),
                actual=actual,
                remaining=y.award - actual,
            )
        )
    return SummaryReport(
        as_at=as_at,
        grant=GrantHeading(name=grant.name, funder=grant.funder, recipient=grant.recipient),
        funding_years=tuple(rows),
    )


def sum_money(values: Iterable[Decimal]) -> Decimal:
    """Exact sum of money, ``0.00`` for none."""
    return sum(values, ZERO)
