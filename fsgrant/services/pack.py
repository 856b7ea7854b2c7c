"""The month-end pack (``fs.reports.pack``, ``fsgrant report pack``): the reports a
programme board reads, gathered as at one date into one model (see
:mod:`fsgrant.domain.pack`); :mod:`fsgrant.formats.pack` renders it as HTML or
Markdown."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from fsgrant.domain.arguments import checked
from fsgrant.domain.pack import (
    PackChanges,
    PackReport,
    build_attention,
    build_profile_points,
    build_status_months,
)
from fsgrant.domain.periods import DateLike, as_at_day

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from fsgrant.domain.models import FundingYearState
    from fsgrant.services.commitments import CommitmentsService
    from fsgrant.services.conditions import ConditionsService
    from fsgrant.services.exports import ExportsService
    from fsgrant.services.measures import MeasuresService
    from fsgrant.services.plan import PlanService
    from fsgrant.services.posts import PostsService
    from fsgrant.services.reports import ReportsService
    from fsgrant.services.returns import ReturnsService
    from fsgrant.services.years import YearsService

__all__ = ["PackService", "pack_year"]


def pack_year(years: Sequence[FundingYearState], day: date) -> str | None:
    """The funding year a pack as at ``day`` is about when none is named: the open
    year whose period holds the day, else the latest open year begun by then, else the
    first year; None when there are no years."""
    open_years = [y for y in years if y.status != "withdrawn"]
    for y in open_years:
        if y.start <= day <= y.end:
            return y.label
    begun = [y for y in open_years if y.start <= day]
    if begun:
        return max(begun, key=lambda y: y.start).label
    return years[0].label if years else None


@checked
class PackService:
    """Gathers the pack from the services that hold its parts."""

    def __init__(
        self,
        reports: ReportsService,
        years: YearsService,
        posts: PostsService,
        conditions: ConditionsService,
        returns: ReturnsService,
        exports: ExportsService,
        commitments: CommitmentsService | None = None,
        measures: MeasuresService | None = None,
        plan: PlanService | None = None,
    ) -> None:
        self._reports = reports
        self._years = years
        self._posts = posts
        self._conditions = conditions
        self._returns = returns
        self._exports = exports
        self._commitments = commitments
        self._measures = measures
        self._plan = plan

    def build(self, as_at: DateLike | None = None, year: str | None = None) -> PackReport:
        """The pack for funding year ``year`` (by default the one ``pack_year`` picks)
        as at ``as_at`` (today when None).

        Raises:
            NotFound: no such funding year, or the grant has none yet.
        """
        from fsgrant.errors import NotFound

        day = as_at_day(as_at)
        years = self._years.list(day)
        label = year if year is not None else pack_year(years, day)
        if label is None:
            raise NotFound("funding year", "(any)", "add one with 'fsgrant year add'")
        fy = self._years.get(label, day)
        summary = self._reports.summary(day)
        variance = self._reports.variance(label, day, to_date=True)
        profile = self._reports.profile(label, day)
        posts = self._reports.posts(day, year=label)
        return PackReport(
            as_at=day,
            funding_year=label,
            summary=summary,
            variance=variance,
            profile=profile,
            spend_against_profile=build_profile_points(profile, day),
            posts=posts,
            posts_over_time=build_status_months(self._posts.all(), fy.start, day),
            attention=build_attention(posts, day),
            conditions=tuple(self._conditions.list(as_at=day)),
            open_commitments=None
            if self._commitments is None
            else tuple(
                c
                for c in self._commitments.list(open_only=True, as_at=day)
                if c.funding_year == label
            ),
            since_last_return=self._since_last_return(label, day),
            outcomes=None if self._measures is None else self._measures.report(day),
            sustainability=None if self._plan is None else self._plan.report(as_at=day),
        )

    def _since_last_return(self, label: str, day: date) -> PackChanges | None:
        submitted = self._returns.latest(label, before=day + timedelta(days=1))
        if submitted is None:
            return None
        return PackChanges(
            return_id=submitted.id,
            as_at=submitted.as_at,
            reference=submitted.reference,
            submitted_at=submitted.submitted_at,
            submitted_by=submitted.submitted_by,
            restatements=tuple(self._exports.restatements(submitted)),
        )
