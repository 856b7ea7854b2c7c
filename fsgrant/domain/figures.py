"""Every funding year's figures per category as at a date: the numbers the summary,
variance, profile, checks and the return are built from.

Rules (each written once, here):

* **Actual** per (year, category): spend totals allocated to the year.
* **Original estimate**: the earliest-dated estimate of each (year, category, post)
  made on or before the as-at date, summed over posts. **Revised**: the latest of each
  set on or before the as-at date, summed over posts. An estimate made after the date
  does not count (:mod:`fsgrant.domain.time_rule`).
* **Forecast remaining**: see :func:`fsgrant.domain.forecast.forecast_remaining`;
  posts' expected cost for post-driven categories, by funding year and month. A
  withdrawn year, or one whose period has ended, has nothing remaining.
* **Forecast additions** (agency cover, backfill, overtime) on a post-driven category
  add to its posts' forecast while days remain.
* **Committed** per (year, category): open commitments as at the date (see
  :mod:`fsgrant.domain.commitments`); the forecast remaining is never below it while
  days remain.
* **Phasing**: the one in force as at the date per (year, category), if any (see
  :mod:`fsgrant.domain.phasing`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from fsgrant.domain.forecast import CategoryFigures, committed_floor, forecast_remaining
from fsgrant.domain.models import Estimate, FundingYearState
from fsgrant.domain.money import ZERO
from fsgrant.domain.periods import month_label
from fsgrant.domain.phasing import EstimatePhasing
from fsgrant.domain.posts import Post, allocation_segments, forecast_by_year
from fsgrant.domain.reports import AdditionItem
from fsgrant.domain.time_rule import latest_on_or_before

__all__ = ["YearFigures", "estimates_as_at", "year_figures"]

YearCategory = tuple[str, str]


@dataclass(frozen=True)
class YearFigures:
    """One funding year's figures as at a date: per category, plus posts by month."""

    year: FundingYearState
    categories: list[CategoryFigures]
    post_months: dict[str, Decimal] = field(default_factory=dict)
    """The posts' forecast cost by month label (``YYYY-MM``) after the as-at date."""

    def total(self, name: str) -> Decimal:
        """The sum over categories of one figure (``actual``, ``forecast_remaining``...)."""
        return sum((getattr(c, name) for c in self.categories), ZERO)


def estimates_as_at(
    estimates: Iterable[Estimate], day: date
) -> tuple[dict[YearCategory, Decimal], dict[YearCategory, Decimal]]:
    """Original and latest estimates per (year, category) as at ``day``, summed over
    posts: only estimates made (set) on or before ``day`` count (the rule of time,
    :mod:`fsgrant.domain.time_rule`); of those, the earliest-dated of each (year,
    category, post) is its original and the latest its revision in force (two of the
    same date: the later recorded).
    """
    made = [e for e in estimates if e.set_on <= day]

    def key(e: Estimate) -> tuple[str, str, str | None]:
        return (e.funding_year, e.category, e.post)

    first: dict[tuple[str, str, str | None], Estimate] = {}
    for e in sorted(made, key=lambda e: (e.set_on, e.id)):
        first.setdefault(key(e), e)
    chosen = latest_on_or_before(made, day, key=key, on=lambda e: e.set_on, order=lambda e: e.id)
    original: dict[YearCategory, Decimal] = defaultdict(lambda: ZERO)
    latest: dict[YearCategory, Decimal] = defaultdict(lambda: ZERO)
    for (y, c, _p), e in first.items():
        original[(y, c)] += e.amount
    for (y, c, _p), e in chosen.items():
        latest[(y, c)] += e.amount
    return dict(original), dict(latest)


def year_figures(
    years: list[FundingYearState],
    day: date,
    *,
    actual: Mapping[YearCategory, Decimal],
    original: Mapping[YearCategory, Decimal],
    latest: Mapping[YearCategory, Decimal],
    set_forecasts: Mapping[YearCategory, Decimal],
    posts: list[Post],
    phasings: Mapping[YearCategory, EstimatePhasing] | None = None,
    committed: Mapping[YearCategory, Decimal] | None = None,
    additions: Mapping[YearCategory, tuple[AdditionItem, ...]] | None = None,
) -> dict[str, YearFigures]:
    """Every funding year's figures per category as at ``day``.

    Args:
        years: the funding years as varied as at ``day``.
        actual: spend to ``day`` per (year, category).
        original, latest: see :func:`estimates_as_at`.
        set_forecasts: the latest forecast set on or before ``day`` per (year, category).
        posts: every post; a category any post names is post-driven.
        phasings: the phasing in force as at ``day`` per (year, category).
        committed: open commitments as at ``day`` per (year, category).
        additions: additions to post-driven forecasts in force as at ``day``.
    """
    committed = committed or {}
    additions = additions or {}
    post_driven = {p.category for p in posts}
    segments = allocation_segments(years)
    post_cost: dict[YearCategory, Decimal] = defaultdict(lambda: ZERO)
    post_months: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for p in posts:
        for label, months in forecast_by_year(p, day, segments).items():
            for first, amount in months.items():
                post_cost[(label, p.category)] += amount
                post_months[label][month_label(first)] += amount
    result: dict[str, YearFigures] = {}
    for y in years:
        keys = {c for (lbl, c) in [*original, *latest, *actual, *set_forecasts] if lbl == y.label}
        keys |= {c for (lbl, c) in [*post_cost, *committed, *additions] if lbl == y.label}
        days_remain = y.status != "withdrawn" and day < y.end
        rows = []
        for cat in sorted(keys):
            k = (y.label, cat)
            fc, assumed = forecast_remaining(
                days_remain=days_remain,
                post_driven=cat in post_driven,
                post_forecast=post_cost.get(k, ZERO),
                set_forecast=set_forecasts.get(k),
                latest_estimate=latest.get(k, ZERO),
                actual=actual.get(k, ZERO),
            )
            added = additions.get(k, ()) if days_remain and cat in post_driven else ()
            fc += sum((a.amount for a in added), ZERO)
            held = committed.get(k, ZERO)
            fc, lifted = committed_floor(fc, held, days_remain=days_remain)
            rows.append(
                CategoryFigures(
                    category=cat,
                    estimate_original=original.get(k, ZERO),
                    estimate_revised=latest.get(k, ZERO),
                    actual=actual.get(k, ZERO),
                    forecast_remaining=fc,
                    forecast_assumed=assumed,
                    post_driven=cat in post_driven,
                    phasing=(phasings or {}).get(k),
                    committed=held,
                    lifted_to_committed=lifted,
                    additions=added,
                )
            )
        by_month = dict(post_months.get(y.label, {})) if days_remain else {}
        result[y.label] = YearFigures(y, rows, by_month)
    return result
