"""Report models and the pure computations behind them.

Reports take figures already read from the store and return typed models; they do
no I/O and no formatting. Every total is computed as the sum of the rows under it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, PlainSerializer

from fsgrant.domain.models import FundingYearState, FundingYearStatus, Grant, Money
from fsgrant.domain.money import ZERO

__all__ = [
    "BlockedPost",
    "Fte",
    "GrantHeading",
    "PeriodSpan",
    "PostRow",
    "PostsReport",
    "ProfileMonth",
    "ProfileReport",
    "ProfileTotals",
    "Rag",
    "SpendByReport",
    "SpendByRow",
    "StatusCount",
    "SummaryReport",
    "VarianceLine",
    "VarianceReport",
    "YearSummary",
    "build_summary",
    "sum_money",
]


class _Report(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _two_places(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def _one_place(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1')):f}"


Fte = Annotated[Decimal, PlainSerializer(_two_places, return_type=str, when_used="json")]
"""Full-time equivalents; ``"1.00"`` in JSON."""

Percent = Annotated[Decimal, PlainSerializer(_one_place, return_type=str, when_used="json")]
"""A percentage to one decimal place (half-up); ``"12.5"`` in JSON."""

Rag = Literal["green", "amber", "red"]


class PeriodSpan(_Report):
    start: date
    end: date


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
    forecast_remaining: Money
    """Forecast spend after the as-at date to the end of the period (as varied)."""
    forecast_outturn: Money
    """Actual plus forecast remaining."""
    underspend_at_risk: Money
    """Award less forecast outturn, where positive: money DfE may reclaim."""
    overspend: Money
    """Forecast outturn less award, where positive: a pressure on the council's budget."""
    secure: bool
    """False for an in-principle (or withdrawn) year: its money is not yet secure."""


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
    forecast_remaining_by_year: Mapping[str, Decimal],
) -> SummaryReport:
    """Assemble the summary from per-year figures: outturn, underspend at risk and
    overspend follow from the actual and the forecast remaining."""
    rows = []
    for y in years:
        actual = actual_by_year.get(y.label, ZERO)
        forecast = forecast_remaining_by_year.get(y.label, ZERO)
        outturn = actual + forecast
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
                forecast_remaining=forecast,
                forecast_outturn=outturn,
                underspend_at_risk=max(y.award - outturn, ZERO),
                overspend=max(outturn - y.award, ZERO),
                secure=y.secure,
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


# ---------------------------------------------------------------- variance
class VarianceLine(_Report):
    """One cost category of a funding year: estimates, actual, forecast, variance."""

    category: str
    estimate_original: Money
    estimate_revised: Money
    actual: Money
    forecast_remaining: Money
    forecast_assumed: bool
    """True when no forecast was set and latest estimate less actual was assumed."""
    outturn: Money
    variance: Money
    """Outturn less the estimate compared against (positive: overspend)."""
    variance_pct: Percent | None
    """Variance as a percentage of that estimate (None when the estimate is zero)."""
    phasing: Literal["unphased", "even", "months", "posts", "mixed"] = "unphased"
    """How the estimate falls by month (``unphased``: evenly, none set; ``mixed`` on
    the totals line when the categories differ)."""
    budget_to_date: Money = Decimal("0.00")
    """The estimate compared against, phased by month, to the as-at date."""
    variance_to_date: Money = Decimal("0.00")
    """Actual to date less budget to date (positive: ahead of the budget)."""
    variance_to_date_pct: Percent | None = None
    """Variance to date as a percentage of the budget to date."""
    rag: Rag | None
    """On the full year, or on the variance to date (see the report's ``rag_basis``)."""


class VarianceReport(_Report):
    """Spend against estimates for one funding year, as at a date."""

    funding_year: str
    as_at: date | None
    period: PeriodSpan
    award: Money
    against: Literal["original", "revised"] = "original"
    rag_basis: Literal["full-year", "to-date"] = "full-year"
    """What RAG is read on: the full year's variance, or the variance to date."""
    lines: tuple[VarianceLine, ...]
    totals: VarianceLine
    """The sums of the lines (category ``"total"``)."""
    underspend_at_risk: Money
    overspend: Money


# ---------------------------------------------------------------- profile
class ProfileMonth(_Report):
    month: str
    """``YYYY-MM``."""
    estimate: Money
    actual: Money
    forecast: Money
    cumulative: Money
    """Cumulative actual plus forecast to the end of this month."""
    cumulative_estimate: Money


class ProfileTotals(_Report):
    estimate: Money
    actual: Money
    forecast: Money


class ProfileReport(_Report):
    """A funding year month by month: estimate, actual, forecast, cumulative."""

    funding_year: str
    as_at: date | None
    award: Money
    months: tuple[ProfileMonth, ...]
    totals: ProfileTotals
    budget_to_date: Money = Decimal("0.00")
    """The original estimate, phased by month, to the as-at date."""
    variance_to_date: Money = Decimal("0.00")
    """Actual to date less budget to date (positive: ahead of the budget)."""
    phasing: dict[str, Literal["unphased", "even", "months", "posts"]] = {}
    """How each category's estimate falls by month (``unphased``: evenly, none set)."""


# ---------------------------------------------------------------- spend by
class SpendByRow(_Report):
    key: str
    amount: Money


class SpendByReport(_Report):
    by: Literal[
        "funding-year", "financial-year", "month", "category", "post", "quarter", "funding-quarter"
    ]
    rows: tuple[SpendByRow, ...]
    total: Money
    funding_year: str | None = None
    """Only spend allocated to this funding year, when given."""


# ---------------------------------------------------------------- posts
class PostRow(_Report):
    """A post as at a date, with what it costs."""

    id: str
    title: str
    role: str
    team: str | None = None
    host: str
    route: str
    fte: Fte
    status: str
    status_since: date | None
    reason: str | None
    expected_start: date | None
    annual_cost: Money
    cost_to_date: Money
    """Actual spend lines charged to the post, on or before the as-at date."""
    forecast_cost: Money
    """Expected cost after the as-at date (in the funding year, when one is given)."""


class StatusCount(_Report):
    posts: int
    fte: Fte


class BlockedPost(_Report):
    id: str
    since: date
    days_blocked: int
    reason: str
    expected_start: date | None = None


class PostsReport(_Report):
    """Which posts are filled, which are stuck and why, and what they cost."""

    as_at: date | None
    funding_year: str | None
    posts: tuple[PostRow, ...]
    by_status: dict[str, StatusCount]
    blocked: tuple[BlockedPost, ...]
    fte_planned: Fte
    fte_in_post: Fte
