"""Estimates (``fsgrant estimate``): planned spend per funding year and category. The
first of each (year, category, post) is the original, the baseline DfE judges
against; later ones are dated revisions kept beside it. A phasing says how a year's
estimate for a category falls by month (see :mod:`fsgrant.domain.phasing`)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from decimal import Decimal
from os import PathLike
from pathlib import Path
from typing import Any

from fsgrant.domain.arguments import checked
from fsgrant.domain.figures import estimates_as_at
from fsgrant.domain.models import Estimate
from fsgrant.domain.money import ZERO, AmountLike, as_money, to_pence
from fsgrant.domain.periods import DateLike, Period, as_at_day, month_label
from fsgrant.domain.phasing import (
    EstimatePhasing,
    PhasingMethod,
    check_months,
    months_of,
    phasings_as_at,
    split_in_proportion,
)
from fsgrant.domain.posts import cost_by_month
from fsgrant.domain.text import clean_text
from fsgrant.domain.time_rule import Action, latest_on_or_before
from fsgrant.errors import InvalidInput, SourceError
from fsgrant.services.categories import CategoriesService
from fsgrant.services.horizon import entered_day_or_today
from fsgrant.services.periods import PeriodsService
from fsgrant.services.require import require_post
from fsgrant.services.years import YearsService
from fsgrant.store.tables import Tables

__all__ = ["EstimatesService"]


@checked
class EstimatesService:
    """``fs.estimates``: set and list estimates."""

    def __init__(
        self,
        tables: Tables,
        years: YearsService,
        categories: CategoriesService,
        periods: PeriodsService,
    ) -> None:
        self._tables = tables
        self._years = years
        self._categories = categories
        self._periods = periods

    def set(
        self,
        label: str,
        category: str,
        amount: AmountLike,
        *,
        post: str | None = None,
        on: DateLike | None = None,
        reason: str | None = None,
        reference: str | None = None,
    ) -> Estimate:
        """Set planned spend for a year and category (optionally a post), as of ``on``:
        by default the year's start for the first estimate of a year, category and post
        (its original, so a return as at any day of the year has it), else today. Any
        later one is a revision (a virement) and says why (``reason``), with the
        approval's ``reference`` where there is one.

        Raises:
            InvalidInput: bad amount, category or date; a revision with no reason.
            NotFound: no such year or post.
            PeriodClosed: ``on`` falls in a closed period of the year.
        """
        year = self._years.get(label)
        cat = self._categories.require(category)
        value = as_money(amount, field="amount")
        if value < 0:
            raise InvalidInput("an estimate cannot be negative", field="amount")
        post_id = clean_text(post)
        if post_id is not None:
            require_post(self._tables, post_id)
        first = not any(e.category == cat and e.post == post_id for e in self.list(label))
        why, ref = clean_text(reason), clean_text(reference)
        if not first and why is None:
            raise InvalidInput(
                f"{label} already has an estimate for {cat}"
                f"{' (' + post_id + ')' if post_id else ''}: a revision (a virement) says why "
                "(--reason), with the approval's reference (--ref) where there is one",
                field="reason",
            )
        day = (
            year.start
            if on is None and first
            else entered_day_or_today(self._tables, on, field="on")
        )
        detail: dict[str, Any] = {"amount": str(value), "post": post_id, "set_on": day}
        if why is not None:
            detail["reason"] = why
        if ref is not None:
            detail["reference"] = ref
        store = self._tables.store
        with store.transaction(Action.ESTIMATE_SET, f"{label}/{cat}", detail, dated=day):
            self._periods.guard("estimate", day, year=label)
            new_id = detail["id"] = self._tables.estimates.insert(
                {
                    "funding_year": label,
                    "category": cat,
                    "post": post_id,
                    "amount_pence": to_pence(value),
                    "set_on": day.isoformat(),
                    "reason": why,
                    "reference": ref,
                }
            )
        return next(e for e in self.list(label) if e.id == new_id)

    def list(self, label: str | None = None) -> list[Estimate]:
        """Every estimate (of one year, if given): originals and revisions, by year,
        category, post and date set."""
        return self._tables.estimates.list(label)

    def in_force(self, as_at: DateLike | None = None) -> builtins.list[Estimate]:
        """The estimate in force as at ``as_at`` (today when None) for each year,
        category and post: the latest set on or before it (the rule of time)."""
        day = as_at_day(as_at)
        chosen = latest_on_or_before(
            self.list(),
            day,
            key=lambda e: (e.funding_year, e.category, e.post),
            on=lambda e: e.set_on,
            order=lambda e: e.id,
        )
        return sorted(chosen.values(), key=lambda e: e.id)

    def original_totals(self) -> dict[str, Decimal]:
        """Total original estimate per funding year."""
        return self._tables.estimates.original_totals()

    # -------------------------------------------------------------- phasing
    def phase(
        self,
        label: str,
        category: str,
        *,
        even: bool = False,
        from_posts: bool = False,
        months: str | PathLike[str] | Mapping[str, AmountLike] | None = None,
        on: DateLike | None = None,
    ) -> EstimatePhasing:
        """Say how the year's estimate for a category falls by month, as of ``on``
        (default today): exactly one of ``even``, ``from_posts`` (by the category's
        posts as planned) or ``months`` (a CSV file ``month,amount``, or a mapping of
        month to amount) whose amounts add up exactly to the estimate in force on
        ``on`` (summed over posts). Kept as history: the latest set on or before a
        report's date is used.

        Raises:
            InvalidInput: not exactly one method, a bad month or amount, a month outside
                the year or given twice, months not adding up to the estimate, no
                estimate, or (``from_posts``) no post charged to the category.
                ``SourceError`` for a bad line of a months file.
            NotFound: no such year.  PeriodClosed: ``on`` falls in a closed period.
        """
        chosen = [even, from_posts, months is not None]
        if sum(chosen) != 1:
            raise InvalidInput("give exactly one of even, from_posts or months", field="method")
        day = entered_day_or_today(self._tables, on, field="on")
        year = self._years.get(label, day)
        cat = self._categories.require(category)
        method: PhasingMethod = "even" if even else "posts" if from_posts else "months"
        _, latest = estimates_as_at(self.list(label), day)
        estimate = latest.get((label, cat))
        if estimate is None and method != "even":
            raise InvalidInput(
                f"{label} has no estimate for {cat} on {day}; set one with 'fsgrant estimate set'",
                field="category",
            )
        source: str | None = None
        phased: dict[str, Decimal] = {}
        if method == "months":
            assert months is not None and estimate is not None
            if isinstance(months, Mapping):
                phased = check_months(months_of(months), year.period, estimate)
            else:
                path = Path(months)
                source = path.name
                phased = self._months_file(path, year.period, estimate)
        elif method == "posts":
            assert estimate is not None
            phased = self._from_posts(cat, year.period, estimate)
        detail: dict[str, Any] = {
            "method": method,
            "set_on": day,
            "total": None if method == "even" else str(estimate),
            "months": {m: str(a) for m, a in phased.items()},
            "source": source,
        }
        store = self._tables.store
        with store.transaction(Action.ESTIMATE_PHASE, f"{label}/{cat}", detail, dated=day):
            self._periods.guard("phasing", day, year=label)
            new_id = detail["id"] = self._tables.phasing.insert(
                {
                    "funding_year": label,
                    "category": cat,
                    "method": method,
                    "set_on": day.isoformat(),
                    "total_pence": None
                    if method == "even" or estimate is None
                    else to_pence(estimate),
                    "source": source,
                },
                {m: to_pence(a) for m, a in phased.items()},
            )
        return next(p for p in self.phasings(label) if p.id == new_id)

    def phasings(self, label: str | None = None) -> builtins.list[EstimatePhasing]:
        """Every phasing set (of one year), by year, category and date set."""
        return self._tables.phasing.list(label)

    def phasing_as_at(self, day: DateLike | None = None) -> dict[tuple[str, str], EstimatePhasing]:
        """The phasing in force on ``day`` (today when None) per (year, category)."""
        return phasings_as_at(self.phasings(), as_at_day(day))

    def _months_file(self, path: Path, period: Period, estimate: Decimal) -> dict[str, Decimal]:
        from fsgrant.formats.phasing import read_months

        rows = read_months(path)
        lines = {month: line for line, month, _ in rows}
        try:
            return check_months([(m, a) for _, m, a in rows], period, estimate)
        except InvalidInput as exc:
            line = lines.get(str(exc.value)) if exc.field == "month" else None
            if line is None and exc.field == "amount" and exc.value is not None:
                line = next((ln for ln, _, a in rows if a == exc.value), None)
            raise SourceError(path.name, line, exc.field, exc.message) from None

    def _from_posts(self, category: str, period: Period, estimate: Decimal) -> dict[str, Decimal]:
        posts = [p for p in self._tables.posts.load() if p.category == category]
        if not posts:
            raise InvalidInput(
                f"no post is charged to {category}; phase it with a months file or evenly",
                field="category",
            )
        weights: dict[str, Decimal] = {month_label(m.start): ZERO for m in period.iter_months()}
        for post in posts:
            # The post as planned: from its planned start at its first recorded cost.
            planned = post.model_copy(update={"history": (), "changes": ()})
            for first, amount in cost_by_month(planned, period).items():
                weights[month_label(first)] += amount
        labels = list(weights)
        return dict(zip(labels, split_in_proportion(estimate, list(weights.values())), strict=True))
