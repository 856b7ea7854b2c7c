"""The month-end pack: what a programme board reads about the grant as at a date.

The pack is built from the reports, not beside them: its summary *is* the summary
report, its variance *is* the variance report (RAG read on the variance to date),
its profile *is* the profile report, so a figure in the pack is the figure
``report summary`` / ``report variance`` / ``report profile`` give, to the penny.
What the pack adds is worked out here, from records already read:

- **Spend against profile**: each month of the funding year with the cumulative
  actual (months up to the as-at date only), the cumulative actual plus forecast, and
  the cumulative phased budget (the original estimate phased by month).
- **Posts by status over time**: how many posts held each status at the end of each
  month of the funding year up to the as-at date (the as-at date itself for its own
  month), counting the status in force then (``planned`` before any change).
- **Posts needing attention**: every post blocked or vacant as at the date, with the
  days since its status began (the as-at date less the first day of the status; the
  day it began counts as day 0), the reason and the expected start.
- **Since the last return**: the latest return of the funding year submitted as at a
  date on or before the pack's, and each of its figures the ledger now gives
  differently.

Open commitments (purchase orders raised and not yet wholly invoiced) of the funding
year as at the date are listed with what is still committed
(:attr:`PackReport.open_commitments`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from pydantic import BaseModel

from fsgrant.domain.commitments import Commitment
from fsgrant.domain.conditions import ConditionState
from fsgrant.domain.models import Money
from fsgrant.domain.money import ZERO
from fsgrant.domain.outcomes import OutcomesReport
from fsgrant.domain.periods import days_in_month
from fsgrant.domain.posts import Post
from fsgrant.domain.record import RECORD_CONFIG
from fsgrant.domain.reports import (
    PostsReport,
    ProfileReport,
    SummaryReport,
    VarianceReport,
)
from fsgrant.domain.submissions import Restatement
from fsgrant.domain.sustainability import SustainabilityReport

__all__ = [
    "ATTENTION_STATUSES",
    "STATUS_ORDER",
    "PackChanges",
    "PackPost",
    "PackReport",
    "PostStatusMonth",
    "ProfilePoint",
    "build_attention",
    "build_profile_points",
    "build_status_months",
]

STATUS_ORDER: tuple[str, ...] = (
    "in-post",
    "offered",
    "advertised",
    "planned",
    "vacant",
    "blocked",
    "withdrawn",
)
"""The order statuses are counted and drawn in: filled first, stuck last."""

ATTENTION_STATUSES: tuple[str, ...] = ("blocked", "vacant")
"""The statuses a board is asked to look at: posts that turn into underspend."""


class _Pack(BaseModel):
    model_config = RECORD_CONFIG


class ProfilePoint(_Pack):
    """One month of the spend-against-profile chart (cumulative figures)."""

    month: str
    """``YYYY-MM``."""
    budget: Money
    """The original estimate phased by month, cumulative to the end of this month."""
    actual: Money | None
    """Actual spend, cumulative; None for a month that begins after the as-at date."""
    outturn: Money
    """Actual plus forecast, cumulative to the end of this month."""


class PostStatusMonth(_Pack):
    """How many posts held each status at the end of a month."""

    month: str
    """``YYYY-MM``."""
    on: date
    """The day counted: the month's last day, or the as-at date in its own month."""
    counts: dict[str, int]
    """Posts by status, every status of :data:`STATUS_ORDER` present (0 when none)."""


class PackPost(_Pack):
    """A blocked or vacant post as at the pack's date."""

    id: str
    title: str
    status: str
    since: date | None
    days: int | None
    """Days since the status began (None when it never changed from the start)."""
    reason: str | None
    expected_start: date | None
    forecast_cost: Money
    """What the post is expected to cost after the date (the posts report's figure)."""


class PackChanges(_Pack):
    """What changed since the last return submitted for the funding year."""

    return_id: int
    as_at: date
    reference: str | None
    submitted_at: datetime
    submitted_by: str
    restatements: tuple[Restatement, ...]
    """Each figure of that return the ledger now gives differently."""


class PackReport(_Pack):
    """The month-end pack for one funding year, as at a date (``fs.reports.pack``)."""

    as_at: date
    funding_year: str
    summary: SummaryReport
    """Every funding year, as ``report summary`` gives it."""
    variance: VarianceReport
    """The funding year by category, as ``report variance --to-date`` gives it."""
    profile: ProfileReport
    """The funding year month by month, as ``report profile`` gives it."""
    spend_against_profile: tuple[ProfilePoint, ...]
    posts: PostsReport
    """The posts as ``report posts --year`` gives them."""
    posts_over_time: tuple[PostStatusMonth, ...]
    attention: tuple[PackPost, ...]
    """Blocked and vacant posts, longest stuck first."""
    conditions: tuple[ConditionState, ...]
    """The conditions of every funding year as at the date, with their checks."""
    open_commitments: tuple[Commitment, ...] | None = None
    """The funding year's commitments open as at the date (orders raised, not yet
    wholly invoiced); None where the pack was built without them."""
    since_last_return: PackChanges | None
    """None when no return of the funding year was submitted as at the date or before."""
    outcomes: OutcomesReport | None = None
    """The outcome measures as at the date, with their benchmarks and targets."""
    sustainability: SustainabilityReport | None = None
    """The onward-sustainability plan as at the date: each financial year's gap and its
    savings by who gains them."""


# ---------------------------------------------------------------- builders
def build_profile_points(profile: ProfileReport, as_at: date) -> tuple[ProfilePoint, ...]:
    """The cumulative series of the spend-against-profile chart (see the module)."""
    points = []
    budget = actual = outturn = ZERO
    for m in profile.months:
        budget += m.estimate
        actual += m.actual
        outturn += m.actual + m.forecast
        started = date(int(m.month[:4]), int(m.month[5:7]), 1) <= as_at
        points.append(
            ProfilePoint(
                month=m.month, budget=budget, actual=actual if started else None, outturn=outturn
            )
        )
    return tuple(points)


def _month_end(year: int, month: int) -> date:
    return date(year, month, days_in_month(year, month))


def build_status_months(
    posts: Iterable[Post], start: date, as_at: date
) -> tuple[PostStatusMonth, ...]:
    """Posts by status at the end of each month from ``start``'s month to ``as_at``'s
    (see the module); empty when ``as_at`` is before ``start``."""
    roster = list(posts)
    months = []
    year, month = start.year, start.month
    while (year, month) <= (as_at.year, as_at.month):
        on = min(_month_end(year, month), as_at)
        counts = dict.fromkeys(STATUS_ORDER, 0)
        for post in roster:
            status = post.status_as_at(on)
            counts[status] = counts.get(status, 0) + 1
        months.append(PostStatusMonth(month=f"{year:04d}-{month:02d}", on=on, counts=counts))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


def build_attention(report: PostsReport, as_at: date) -> tuple[PackPost, ...]:
    """The blocked and vacant posts of a posts report, longest stuck first (those with
    no date last), then by id."""
    rows = [
        PackPost(
            id=p.id,
            title=p.title,
            status=p.status,
            since=p.status_since,
            days=None if p.status_since is None else (as_at - p.status_since).days,
            reason=p.reason,
            expected_start=p.expected_start,
            forecast_cost=p.forecast_cost,
        )
        for p in report.posts
        if p.status in ATTENTION_STATUSES
    ]
    return tuple(sorted(rows, key=lambda r: (r.days is None, -(r.days or 0), r.id)))
