"""Report models and the pure computations behind them.

Reports take figures already read from the store and return typed models; they do
no I/O and no formatting. Every total is computed as the sum of the rows under it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, PlainSerializer, computed_field

from fsgrant.domain.models import FundingYearState, FundingYearStatus, Grant, Money
from fsgrant.domain.money import ZERO
from fsgrant.domain.record import RECORD_CONFIG

__all__ = [
    "AdditionItem",
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
    model_config = RECORD_CONFIG


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
    committed: Money = ZERO
    """Open commitments (purchase orders not yet invoiced) as at the date."""
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
    conditions: int = 0
    """How many conditions attach to the year."""
    conditions_met: int = 0
    """How many of them are ``met`` as at the date."""
    conditions_waived: int = 0
    """How many of them are ``waived`` as at the date: no longer standing in the way."""

    @property
    def standing(self) -> str:
        """The status in words: ``in-principle (not secure: 1 of 2 conditions met)``;
        a waived condition does not count as unmet: ``in-principle (not secure: 2 of 2
        conditions met or waived (1 waived))``. An in-principle year stays not secure
        until the funder confirms it."""
        if self.secure:
            return self.status
        if self.conditions_waived:
            done = self.conditions_met + self.conditions_waived
            return (
                f"{self.status} (not secure: {done} of {self.conditions} conditions met or "
                f"waived ({self.conditions_waived} waived))"
            )
        if self.conditions:
            return (
                f"{self.status} (not secure: {self.conditions_met} of {self.conditions} "
                "conditions met)"
            )
        return f"{self.status} (not secure)"

    repayable: Money = ZERO
    """What a withdrawn year received, repayable to the funder (0.00 for an open year)."""


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
    conditions_by_year: Mapping[str, tuple[int, int] | tuple[int, int, int]] | None = None,
    spent_in_withdrawn: Mapping[str, Decimal] | None = None,
    committed_by_year: Mapping[str, Decimal] | None = None,
) -> SummaryReport:
    """Assemble the summary from per-year figures: outturn, underspend at risk and
    overspend follow from the actual and the forecast remaining; a year is secure
    only when it is confirmed, and ``conditions_by_year`` gives each year's
    (conditions, met, waived as at the date; waived 0 when left out).

    A withdrawn year reads as withdrawn: its award is 0.00 (nothing left to spend; the
    original award stays on record), nothing is forecast or at risk of reclaim, what it
    received is ``repayable``, and its actual is the spend charged to it plus the spend
    dated in its period that no open year holds (``spent_in_withdrawn``): all of it an
    overspend, a pressure on the council's budget."""
    rows = []
    spent_in = spent_in_withdrawn or {}
    for y in years:
        actual = actual_by_year.get(y.label, ZERO)
        forecast = forecast_remaining_by_year.get(y.label, ZERO)
        received = received_by_year.get(y.label, ZERO)
        award, repayable = y.award, ZERO
        if y.status == "withdrawn":
            # Nothing left to spend: no award, no forecast, nothing at risk of reclaim;
            # what was received goes back; what was spent falls on the council.
            award, forecast, repayable = ZERO, ZERO, received
            actual += spent_in.get(y.label, ZERO)
        outturn = actual + forecast
        total, met, *rest = (conditions_by_year or {}).get(y.label, (0, 0))
        waived = rest[0] if rest else 0
        rows.append(
            YearSummary(
                label=y.label,
                status=y.status,
                start=y.start,
                end=y.end,
                award=award,
                received=received,
                repayable=repayable,
                estimate_original=original_estimate_by_year.get(y.label, ZERO),
                actual=actual,
                committed=(committed_by_year or {}).get(y.label, ZERO),
                remaining=award - actual,
                forecast_remaining=forecast,
                forecast_outturn=outturn,
                underspend_at_risk=max(award - outturn, ZERO),
                overspend=max(outturn - award, ZERO),
                secure=y.secure,
                conditions=total,
                conditions_met=met,
                conditions_waived=waived,
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
class AdditionItem(_Report):
    """One addition to a post-driven forecast, as itemised under its category."""

    reason: str
    amount: Money
    set_on: date


class VarianceLine(_Report):
    """One cost category of a funding year: estimates, actual, forecast, variance."""

    category: str
    estimate_original: Money
    estimate_revised: Money
    actual: Money
    forecast_remaining: Money
    forecast_assumed: bool
    """True when no forecast was set and latest estimate less actual was assumed."""
    committed: Money = Decimal("0.00")
    """Open commitments as at the date, less what invoices drew down."""
    forecast_lifted_to_committed: bool = False
    """True when the forecast remaining was lifted to what is committed."""
    forecast_additions: tuple[AdditionItem, ...] = ()
    """Additions to a post-driven forecast (agency cover, backfill), itemised: the
    forecast remaining includes them."""
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

    # Worked out from the lines rather than stored beside them, so a report cannot
    # carry a total that differs from the sum of its posts.
    @computed_field  # type: ignore[prop-decorator]
    @property
    def cost_to_date(self) -> Money:
        """The posts' cost to date added up (in JSON, with the posts)."""
        return sum_money(p.cost_to_date for p in self.posts)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def forecast_cost(self) -> Money:
        """The posts' forecast cost added up. Annual costs are at 1.0 FTE, so they are
        not added up: their sum is no one's bill."""
        return sum_money(p.forecast_cost for p in self.posts)
