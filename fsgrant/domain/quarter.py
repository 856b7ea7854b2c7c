"""A quarter's spend against its budget, and the year to date (pure).

A quarterly return shows, for each category and in total:

* **spend in the quarter**: the lines dated in it (allocated to the year);
* **budget for the quarter**: the original estimate phased by month
  (:func:`fsgrant.domain.phasing.budget_by_month`), the budget to the quarter's last
  day less the budget to the day before its first (a month cut by the quarter counts
  by days, as the budget to date does);
* **year to date**: the actual spend and the budget to the quarter's last day;
* each **variance** = spend less budget (positive: spent ahead of the budget, as on
  the Spend vs estimate sheet).

Worked example: an estimate of 12,000.00 phased evenly over a year of twelve whole
months is 1,000.00 a month; a quarter of the year's months 4 to 6 has a budget of
3,000.00, the year to date 6,000.00. Spend of 2,500.00 in the quarter and 5,200.00
to date gives variances of -500.00 and -800.00.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from fsgrant.domain.forecast import CategoryFigures
from fsgrant.domain.money import ZERO
from fsgrant.domain.periods import Period
from fsgrant.domain.phasing import budget_by_month, budget_to_date

__all__ = ["QuarterLine", "quarter_lines"]


@dataclass(frozen=True)
class QuarterLine:
    """One category of a quarter (or the total): spend and budget, in the quarter
    and to date."""

    category: str
    spend: Decimal
    budget: Decimal
    spend_to_date: Decimal
    budget_to_date: Decimal

    @property
    def variance(self) -> Decimal:
        return self.spend - self.budget

    @property
    def variance_to_date(self) -> Decimal:
        return self.spend_to_date - self.budget_to_date


def quarter_lines(
    categories: Iterable[CategoryFigures],
    year: Period,
    quarter: Period,
    spend: Mapping[str, Decimal],
) -> list[QuarterLine]:
    """Each category's quarter, in the order given, then any category with spend in
    the quarter but no figures (no estimate: a budget of 0.00).

    Args:
        categories: the year's figures per category as at the quarter's last day.
        year: the funding year's period (as varied by then).
        quarter: the quarter's first and last day.
        spend: the spend in the quarter by category.
    """
    out: list[QuarterLine] = []
    seen: set[str] = set()
    before = quarter.start - timedelta(days=1)
    for c in categories:
        seen.add(c.category)
        budget = budget_by_month(c.estimate_original, c.phasing, year)
        to_date = budget_to_date(budget, year, quarter.end)
        earlier = budget_to_date(budget, year, before) if before >= year.start else ZERO
        out.append(
            QuarterLine(
                category=c.category,
                spend=spend.get(c.category, ZERO),
                budget=to_date - earlier,
                spend_to_date=c.actual,
                budget_to_date=to_date,
            )
        )
    for category in sorted(set(spend) - seen):
        out.append(QuarterLine(category, spend[category], ZERO, spend[category], ZERO))
    return out
