"""Forecast outturn, variance against estimates, monthly profiles and checks: pure.

The rules, in one place (figures come in already read from the store):

* **Actual** for a funding year and category: spend dated on or before the as-at date,
  allocated to the year, reversals included.
* **Forecast remaining**, for days after the as-at date to the end of the year's period
  (as varied as at that date):

  - a category some post names is *post-driven*: the sum of its posts' expected cost
    (see :mod:`fsgrant.posts`), plus the additions in force that the posts do not show
    (agency cover, backfill, overtime: the latest of each reason set on or before the
    as-at date);
  - any other category: the latest forecast set on or before the as-at date, if any;
    otherwise the latest estimate less actual, not below zero (``forecast_assumed``).

  Nothing remains once the as-at date reaches the end of the period, nor for a
  withdrawn year. While days remain, a category's forecast remaining is never below
  what is **committed** in it (open purchase orders, see
  :mod:`fsgrant.domain.commitments`): the forecast is lifted to it, and says so.
* **Outturn** = actual + forecast remaining. **Variance** = outturn - estimate (original,
  or latest revised), positive for an overspend; as a percentage of that estimate to one
  decimal place (half-up).
* **RAG**: green when the variance is within the green threshold (default 5%) of the
  estimate either way, amber within the amber threshold (default 10%), red beyond. A
  zero estimate is green with no variance, red with any.
* **Budget to date** and **variance to date** (actual to date less budget to date):
  the estimate compared against, phased by month (see :mod:`fsgrant.domain.phasing`).
  RAG is read on the full year by default, or on the variance to date against the
  budget to date (``to_date``).
* **Underspend at risk** = award (as varied) - outturn where positive; **overspend** the
  other way round. A withdrawn year's award counts as 0.00: nothing is at risk, and
  what it spent is an overspend.
* Every total is the sum of its rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from fsgrant.domain.models import FundingYearState
from fsgrant.domain.money import ZERO, percent, split_evenly
from fsgrant.domain.periods import month_label, months_between
from fsgrant.domain.phasing import EstimatePhasing, Phasing, budget_by_month, budget_to_date
from fsgrant.domain.reports import (
    AdditionItem,
    PeriodSpan,
    ProfileMonth,
    ProfileReport,
    ProfileTotals,
    Rag,
    VarianceLine,
    VarianceReport,
)

__all__ = [
    "DEFAULT_RAG",
    "CategoryFigures",
    "RagThresholds",
    "build_profile",
    "build_variance",
    "committed_floor",
    "forecast_remaining",
    "phasing_of",
    "rag_for",
    "variance_pct",
]


@dataclass(frozen=True)
class RagThresholds:
    """Percentages of the estimate: green within ``green``, amber within ``amber``."""

    green: Decimal = Decimal(5)
    amber: Decimal = Decimal(10)


DEFAULT_RAG = RagThresholds()


@dataclass(frozen=True)
class CategoryFigures:
    """One category of one funding year, as at a date."""

    category: str
    estimate_original: Decimal
    estimate_revised: Decimal
    actual: Decimal
    forecast_remaining: Decimal
    forecast_assumed: bool
    post_driven: bool = False
    phasing: EstimatePhasing | None = None
    """The phasing in force as at the date (None: unphased, even)."""
    committed: Decimal = ZERO
    """Open commitments as at the date, less what invoices drew down."""
    lifted_to_committed: bool = False
    """True when the forecast remaining was lifted to what is committed."""
    additions: tuple[AdditionItem, ...] = ()
    """Additions to a post-driven forecast in force (included in the forecast)."""

    @property
    def outturn(self) -> Decimal:
        return self.actual + self.forecast_remaining


def forecast_remaining(
    *,
    days_remain: bool,
    post_driven: bool,
    post_forecast: Decimal,
    set_forecast: Decimal | None,
    latest_estimate: Decimal,
    actual: Decimal,
) -> tuple[Decimal, bool]:
    """A category's forecast remaining and whether it was assumed (see the module
    rules), before the floor of what is committed (:func:`committed_floor`)."""
    if not days_remain:
        return ZERO, False
    if post_driven:
        return post_forecast, False
    if set_forecast is not None:
        return set_forecast, False
    return max(latest_estimate - actual, ZERO), True


def committed_floor(
    forecast: Decimal, committed: Decimal, *, days_remain: bool
) -> tuple[Decimal, bool]:
    """The forecast remaining lifted to what is committed, while days remain; and
    whether it was lifted."""
    if days_remain and committed > forecast:
        return committed, True
    return forecast, False


def variance_pct(variance: Decimal, estimate: Decimal) -> Decimal | None:
    """Variance as a percentage of the estimate, to one decimal place half-up."""
    return percent(variance, estimate)


def phasing_of(phasing: EstimatePhasing | None) -> Phasing:
    """How a category's budget falls by month: its phasing's method, or ``unphased``."""
    return "unphased" if phasing is None else phasing.method


def rag_for(variance: Decimal, estimate: Decimal, thresholds: RagThresholds = DEFAULT_RAG) -> Rag:
    """Green, amber or red by the exact (unrounded) share of the estimate."""
    if estimate == 0:
        return "green" if variance == 0 else "red"
    share = abs(variance) * 100 / abs(estimate)
    if share <= thresholds.green:
        return "green"
    if share <= thresholds.amber:
        return "amber"
    return "red"


def _line(
    category: str,
    original: Decimal,
    revised: Decimal,
    actual: Decimal,
    forecast: Decimal,
    assumed: bool,
    against: str,
    thresholds: RagThresholds,
    *,
    budget: Decimal,
    phasing: Phasing | Literal["mixed"],
    to_date: bool,
    committed: Decimal = ZERO,
    lifted: bool = False,
    additions: tuple[AdditionItem, ...] = (),
) -> VarianceLine:
    outturn = actual + forecast
    base = original if against == "original" else revised
    variance = outturn - base
    variance_to_date = actual - budget
    rag = (
        rag_for(variance_to_date, budget, thresholds)
        if to_date
        else rag_for(variance, base, thresholds)
    )
    return VarianceLine(
        category=category,
        estimate_original=original,
        estimate_revised=revised,
        actual=actual,
        committed=committed,
        forecast_remaining=forecast,
        forecast_assumed=assumed,
        forecast_lifted_to_committed=lifted,
        forecast_additions=additions,
        outturn=outturn,
        variance=variance,
        variance_pct=variance_pct(variance, base),
        phasing=phasing,
        budget_to_date=budget,
        variance_to_date=variance_to_date,
        variance_to_date_pct=variance_pct(variance_to_date, budget),
        rag=rag,
    )


def build_variance(
    year: FundingYearState,
    as_at: date,
    figures: Sequence[CategoryFigures],
    *,
    against: Literal["original", "revised"] = "original",
    thresholds: RagThresholds = DEFAULT_RAG,
    to_date: bool = False,
) -> VarianceReport:
    """Spend against estimates for one funding year; totals are the sums of the lines.

    With ``to_date``, RAG is read on the variance to date against the budget to date
    rather than on the full year's variance against the estimate.
    """
    lines = []
    for f in figures:
        base = f.estimate_original if against == "original" else f.estimate_revised
        budget = budget_to_date(budget_by_month(base, f.phasing, year.period), year.period, as_at)
        lines.append(
            _line(
                f.category,
                f.estimate_original,
                f.estimate_revised,
                f.actual,
                f.forecast_remaining,
                f.forecast_assumed,
                against,
                thresholds,
                budget=budget,
                phasing=phasing_of(f.phasing),
                to_date=to_date,
                committed=f.committed,
                lifted=f.lifted_to_committed,
                additions=f.additions,
            )
        )
    kinds = {x.phasing for x in lines}

    def total(field: str) -> Decimal:
        return sum((getattr(x, field) for x in lines), ZERO)

    totals = _line(
        "total",
        total("estimate_original"),
        total("estimate_revised"),
        total("actual"),
        total("forecast_remaining"),
        any(x.forecast_assumed for x in lines),
        against,
        thresholds,
        budget=total("budget_to_date"),
        phasing=kinds.pop() if len(kinds) == 1 else "mixed",
        to_date=to_date,
        committed=total("committed"),
        lifted=any(x.forecast_lifted_to_committed for x in lines),
    )
    # A withdrawn year has nothing left to spend: nothing at risk, all spend a pressure.
    award = ZERO if year.status == "withdrawn" else year.award
    return VarianceReport(
        funding_year=year.label,
        as_at=as_at,
        period=PeriodSpan(start=year.start, end=year.end),
        award=award,
        against=against,
        rag_basis="to-date" if to_date else "full-year",
        lines=tuple(lines),
        totals=totals,
        underspend_at_risk=max(award - totals.outturn, ZERO),
        overspend=max(totals.outturn - award, ZERO),
    )


def build_profile(
    year: FundingYearState,
    as_at: date,
    *,
    categories: Sequence[CategoryFigures],
    actual_by_month: Mapping[str, Decimal],
    post_forecast_by_month: Mapping[str, Decimal],
    other_forecast: Decimal,
) -> ProfileReport:
    """A funding year month by month.

    Each category's original estimate falls by month as its phasing says (evenly when
    unphased; see :mod:`fsgrant.domain.phasing`), and a month's estimate is the sum of
    the categories'. The forecast is the posts' cost month by month plus the other
    categories' remaining forecast spread evenly over the months with days after the
    as-at date. Cumulative is actual plus forecast to the end of each month. Budget to
    date, actual to date and their variance are the year's to the as-at date.
    """
    period_months = [month_label(m) for m in months_between(year.start, year.end)]
    labels = sorted(set(period_months) | set(actual_by_month) | set(post_forecast_by_month))
    estimate: dict[str, Decimal] = {m: ZERO for m in period_months}
    budget = ZERO
    for c in categories:
        months = budget_by_month(c.estimate_original, c.phasing, year.period)
        for m, amount in months.items():
            estimate[m] += amount
        budget += budget_to_date(months, year.period, as_at)
    # Months of the period with at least one day after the as-at date.
    remaining = [month_label(part.start) for part in year.period.iter_months() if part.end > as_at]
    spread = (
        dict(zip(remaining, split_evenly(other_forecast, len(remaining)), strict=True))
        if remaining
        else {}
    )
    rows: list[ProfileMonth] = []
    cumulative = cumulative_estimate = ZERO
    for m in labels:
        est = estimate.get(m, ZERO)
        act = actual_by_month.get(m, ZERO)
        fc = post_forecast_by_month.get(m, ZERO) + spread.get(m, ZERO)
        cumulative += act + fc
        cumulative_estimate += est
        rows.append(
            ProfileMonth(
                month=m,
                estimate=est,
                actual=act,
                forecast=fc,
                cumulative=cumulative,
                cumulative_estimate=cumulative_estimate,
            )
        )
    actual = sum((r.actual for r in rows), ZERO)
    return ProfileReport(
        funding_year=year.label,
        as_at=as_at,
        award=year.award,
        months=tuple(rows),
        totals=ProfileTotals(
            estimate=sum((r.estimate for r in rows), ZERO),
            actual=actual,
            forecast=sum((r.forecast for r in rows), ZERO),
        ),
        budget_to_date=budget,
        variance_to_date=actual - budget,
        phasing={c.category: phasing_of(c.phasing) for c in categories},
    )
