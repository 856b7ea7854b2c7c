"""Reports (``fsgrant report``): where the grant stands, spend against estimates,
month by month, spend views and posts; and the facts ``fsgrant check`` looks at.

Reports aggregate in SQL (one ``GROUP BY`` over spend) and allocate to funding years in
Python, so they stay fast on a large store: no report loads every spend line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, Protocol

from fsgrant.domain.arguments import checked, date_range
from fsgrant.domain.checks import LedgerFacts, SpendDay
from fsgrant.domain.conditions import year_conditions
from fsgrant.domain.figures import YearFigures, estimates_as_at, year_figures
from fsgrant.domain.forecast import build_profile, build_variance
from fsgrant.domain.funding import Allocator
from fsgrant.domain.models import FundingYearState, Grant
from fsgrant.domain.money import ZERO, from_pence
from fsgrant.domain.periods import (
    DateLike,
    as_at_day,
    financial_quarter_label,
    financial_year_label,
    funding_quarter_label,
    month_label,
)
from fsgrant.domain.posts import allocation_segments
from fsgrant.domain.posts_report import build_posts_report
from fsgrant.domain.reports import (
    AdditionItem,
    PostsReport,
    ProfileReport,
    SpendByReport,
    SpendByRow,
    SummaryReport,
    VarianceReport,
    build_summary,
)
from fsgrant.errors import InvalidInput
from fsgrant.services.commitments import CommitmentsService
from fsgrant.services.condition_states import states_as_at
from fsgrant.services.estimates import EstimatesService
from fsgrant.services.forecasts import ForecastsService, SettingsService
from fsgrant.services.posts import PostsService
from fsgrant.services.receipts import ReceiptsService
from fsgrant.services.spend import SpendService
from fsgrant.services.years import YearsService
from fsgrant.store.tables import Tables

if TYPE_CHECKING:
    from fsgrant.domain.pack import PackReport


class PackBuilder(Protocol):
    """What builds the month-end pack (:class:`fsgrant.services.pack.PackService` is
    one; named here, not imported, since it reads services built on this one)."""

    def build(self, as_at: DateLike | None = None, year: str | None = None) -> PackReport: ...


__all__ = ["NO_KEY", "SPEND_VIEWS", "ReportsService"]

SPEND_VIEWS = (
    "funding-year",
    "financial-year",
    "month",
    "category",
    "post",
    "quarter",
    "funding-quarter",
)
"""The views ``report spend --by`` takes."""
NO_KEY = "(none)"
"""The key of spend no funding year covers, or on no post."""


@checked
class ReportsService:
    """``fs.reports``: every report as a frozen model."""

    def __init__(
        self,
        tables: Tables,
        grant: Callable[[], Grant],
        years: YearsService,
        estimates: EstimatesService,
        spend: SpendService,
        receipts: ReceiptsService,
        posts: PostsService,
        forecasts: ForecastsService,
        settings: SettingsService,
        commitments: CommitmentsService | None = None,
        *,
        pack: Callable[[], PackBuilder] | None = None,
    ) -> None:
        self._tables = tables
        # The month-end pack gathers services built on this one (conditions, returns):
        # the ledger hands them over when asked, not when the reports are made.
        self._pack = pack
        self._grant = grant
        self._years = years
        self._estimates = estimates
        self._spend = spend
        self._receipts = receipts
        self._posts = posts
        self._forecasts = forecasts
        self._settings = settings
        self._commitments = commitments
        self._figures_cache: tuple[tuple[object, ...], dict[str, YearFigures]] | None = None

    # -------------------------------------------------------------- the figures
    def figures(self, as_at: DateLike | None = None) -> dict[str, YearFigures]:
        """Every funding year's figures per category as at ``as_at`` (today when None);
        see :mod:`fsgrant.domain.figures`.

        Worked out once per date while the store is unchanged (a return asks for them
        from its summary, variance, profile and plan); each call gets its own dict and
        its own lists, so no caller can change what another is given."""
        day = as_at_day(as_at)
        key = (day, *self._tables.store.change_marks())
        cached = self._figures_cache
        if cached is None or cached[0] != key:
            cached = self._figures_cache = (key, self._work_out_figures(day))
        return {
            label: replace(f, categories=list(f.categories), post_months=dict(f.post_months))
            for label, f in cached[1].items()
        }

    def _work_out_figures(self, day: date) -> dict[str, YearFigures]:
        actual: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        for (label, cat), amount in self._spend.totals(day).items():
            if label is not None:
                actual[(label, cat)] += amount
        original, latest = estimates_as_at(self._estimates.list(), day)
        return year_figures(
            self._years.list(day),
            day,
            actual=actual,
            original=original,
            latest=latest,
            set_forecasts=self._forecasts.amounts(day),
            posts=self._posts.all(),
            phasings=self._estimates.phasing_as_at(day),
            committed=self._commitments.committed(day) if self._commitments else None,
            additions=self._additions(day),
        )

    def _additions(self, day: date) -> dict[tuple[str, str], tuple[AdditionItem, ...]]:
        out: dict[tuple[str, str], list[AdditionItem]] = defaultdict(list)
        for a in self._forecasts.additions(day):
            out[(a.funding_year, a.category)].append(
                AdditionItem(reason=a.reason, amount=a.amount, set_on=a.set_on)
            )
        return {k: tuple(v) for k, v in out.items()}

    def facts(self, as_at: DateLike | None = None) -> LedgerFacts:
        """What ``fsgrant check`` looks at, as at ``as_at`` (today when None)."""
        day = as_at_day(as_at)
        received: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for r in self._receipts.list(as_at=day):
            received[r.funding_year] += r.amount
        original, latest = estimates_as_at(self._estimates.list(), day)
        return LedgerFacts(
            day=day,
            years=self._years.list(day),
            spend_days=[SpendDay(*row) for row in self._tables.spend.day_totals(day)],
            figures=self.figures(day),
            original=original,
            latest=latest,
            received=received,
            posts=self._posts.all(),
            conditions=tuple(states_as_at(self._tables, day)),
            revisions=self._revisions(day),
        )

    def _revisions(self, day: date) -> dict[str, tuple[date, str]]:
        """Per funding year, its latest estimate revision made by ``day``."""
        out: dict[str, tuple[date, str]] = {}
        for e in self._estimates.list():
            made = (e.set_on, e.category)
            if not e.original and e.set_on <= day and made > out.get(e.funding_year, made):
                out[e.funding_year] = made
            elif not e.original and e.set_on <= day:
                out.setdefault(e.funding_year, made)
        return out

    # -------------------------------------------------------------- reports
    def summary(self, as_at: DateLike | None = None) -> SummaryReport:
        """Where each funding year stands as at a date (today when None): award,
        received, original estimate, actual, committed, forecast remaining and outturn,
        underspend at risk or overspend, whether the money is secure (only when the
        year is confirmed) and how many of its conditions are met as at the date."""
        day = as_at_day(as_at)
        figures = self.figures(day)
        received: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for r in self._receipts.list(as_at=day):
            received[r.funding_year] += r.amount
        return build_summary(
            self._grant(),
            [f.year for f in figures.values()],
            day,
            {k: f.total("actual") for k, f in figures.items()},
            received,
            {k: f.total("estimate_original") for k, f in figures.items()},
            forecast_remaining_by_year={
                k: f.total("forecast_remaining") for k, f in figures.items()
            },
            conditions_by_year={
                k: (c.total, c.met, c.waived)
                for k, c in year_conditions(states_as_at(self._tables, day)).items()
            },
            spent_in_withdrawn=self._spent_in_withdrawn(day, [f.year for f in figures.values()]),
            committed_by_year={k: f.total("committed") for k, f in figures.items()},
        )

    def _spent_in_withdrawn(
        self, day: date, years: Sequence[FundingYearState]
    ) -> dict[str, Decimal]:
        """Spend no open year holds, by the withdrawn year whose period it is dated in
        (the earliest starting, where withdrawn periods overlap)."""
        withdrawn = sorted((y for y in years if y.status == "withdrawn"), key=lambda y: y.start)
        out: dict[str, Decimal] = defaultdict(lambda: ZERO)
        if not withdrawn:
            return out
        for (label, on), amount in self._spend.totals(day, by=("date",)).items():
            if label is not None:
                continue
            for y in withdrawn:
                if y.start <= on <= y.end:
                    out[y.label] += amount
                    break
        return out

    def variance(
        self,
        label: str,
        as_at: DateLike | None = None,
        against: Literal["original", "revised"] | str = "original",
        *,
        to_date: bool = False,
    ) -> VarianceReport:
        """Spend against estimates for one funding year, by category, with the budget
        to date (the estimate phased by month) and the variance to date beside the
        full-year figures. RAG is read on the full year, or with ``to_date`` on the
        variance to date against the budget to date.

        Raises:
            NotFound: no such year.  InvalidInput: ``against`` is not original or revised.
        """
        if against not in ("original", "revised"):
            raise InvalidInput(
                f"compare against 'original' or 'revised', not '{against}'", field="against"
            )
        day = as_at_day(as_at)
        self._years.get(label, day)
        f = self.figures(day)[label]
        return build_variance(
            f.year,
            day,
            f.categories,
            against="original" if against == "original" else "revised",
            thresholds=self._settings.rag_thresholds(),
            to_date=to_date,
        )

    def profile(self, label: str, as_at: DateLike | None = None) -> ProfileReport:
        """One funding year month by month: estimate (phased as each category's
        phasing says, evenly when unphased), actual, forecast, cumulative; with the
        budget to date and the variance to date.

        Raises:
            NotFound: no such year.
        """
        day = as_at_day(as_at)
        self._years.get(label, day)
        f = self.figures(day)[label]
        actual: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for (lbl, spent_on), amount in self._spend.totals(day, by=("date",)).items():
            if lbl == label:
                actual[month_label(spent_on)] += amount
        # What the posts' months do not hold: categories no post drives, additions to
        # post-driven forecasts and forecasts lifted to what is committed.
        other = f.total("forecast_remaining") - sum(f.post_months.values(), ZERO)
        return build_profile(
            f.year,
            day,
            categories=f.categories,
            actual_by_month=actual,
            post_forecast_by_month=f.post_months,
            other_forecast=other,
        )

    def spend(
        self,
        by: str,
        from_date: DateLike | None = None,
        to_date: DateLike | None = None,
        *,
        year: str | None = None,
    ) -> SpendByReport:
        """Spend (reversals included) between two dates, totalled by funding year (as
        allocated with every variation), council financial year, month, category, post,
        financial-year quarter (``FY2019/20 Q4``) or funding-year quarter (``2019/20
        Q3``). Spend no year covers, or on no post, is keyed ``(none)``. With ``year``,
        only the spend allocated to that funding year.

        Raises:
            InvalidInput: an unknown view or a bad date.  NotFound: no such year.
        """
        if by not in SPEND_VIEWS:
            raise InvalidInput(
                f"cannot total spend by '{by}'; choose one of {', '.join(SPEND_VIEWS)}",
                field="by",
            )
        start, end = date_range(from_date, to_date)
        years = self._years.list()
        if year is not None:
            self._years.get(year)
        allocator = Allocator(years)
        starts = {y.label: y.start for y in years}
        # One walk of the covering index in its own order (the reports' groups, by
        # date, explicit year, category and, for this view only, post), totalled here:
        # no sort of the spend lines in SQL, however many there are.
        dated = year is not None or by in ("funding-year", "funding-quarter")
        labels: dict[tuple[date, str | None], str | None] = {}
        pence: dict[str, int] = defaultdict(int)
        spend = self._tables.spend
        grouped: Iterable[tuple[date, str | None, str | None, str | None, int]]
        if by in ("category", "post"):
            grouped = spend.groups(end, by_post=by == "post", since=start)
        else:  # the views of time need no category: a narrower walk
            grouped = ((d, y, None, None, p) for d, y, p in spend.dated_totals(start, end))
        for day, explicit, category, post, amount in grouped:
            label = None
            if dated:
                if (day, explicit) in labels:
                    label = labels[(day, explicit)]
                else:
                    label = labels[(day, explicit)] = allocator(day, explicit)
                if year is not None and label != year:
                    continue
            if by == "funding-year":
                key = label or NO_KEY
            elif by == "funding-quarter":
                key = NO_KEY if label is None else funding_quarter_label(label, starts[label], day)
            elif by == "financial-year":
                key = financial_year_label(day)
            elif by == "quarter":
                key = financial_quarter_label(day)
            elif by == "month":
                key = month_label(day)
            elif by == "category":
                key = category or NO_KEY
            else:
                key = post if post is not None else NO_KEY
            pence[key] += amount
        rows = tuple(
            SpendByRow(key=k, amount=from_pence(v))
            for k, v in sorted(pence.items(), key=lambda kv: _natural(kv[0]))
        )
        return SpendByReport(
            by=by,
            rows=rows,
            total=sum((r.amount for r in rows), ZERO),
            funding_year=year,
        )

    def posts(self, as_at: DateLike | None = None, year: str | None = None) -> PostsReport:
        """Which posts are filled, which are stuck and why, and what they will cost after
        ``as_at`` (today when None): in funding year ``year`` when given, else in any.

        Raises:
            NotFound: no such funding year.
        """
        day = as_at_day(as_at)
        years = self._years.list(day)
        if year is not None:
            self._years.get(year, day)
        segments = allocation_segments(years)
        if year is not None:
            segments = [s for s in segments if s[1] == year]
        to_date: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for (label, post_id), amount in self._spend.totals(day, by=("post",)).items():
            if post_id is not None and (year is None or label == year):
                to_date[post_id] += amount
        return build_posts_report(
            self._posts.all(), day, segments, funding_year=year, cost_to_date=to_date
        )

    def pack(self, as_at: DateLike | None = None, year: str | None = None) -> PackReport:
        """The month-end pack as at ``as_at`` (today when None) for funding year
        ``year`` (by default the one the date falls in): the summary, the variance to
        date, the profile, posts, conditions and what changed since the last return,
        in one model (see :mod:`fsgrant.domain.pack`).

        Raises:
            NotFound: no such funding year, or none yet.
            InvalidInput: this ledger was made without the services the pack reads.
        """
        if self._pack is None:
            raise InvalidInput("the month-end pack needs a whole ledger (fsgrant.open)")
        return self._pack().build(as_at, year)


def _natural(key: str) -> tuple[object, ...]:
    """Sort keys with their numbers as numbers (``2019/20 Q10`` after ``2019/20 Q9``)."""
    import re

    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", key))
