"""Estimates (``fsgrant estimate``): planned spend per funding year and category. The
first of each (year, category, post) is the original, the baseline DfE judges
against; later ones are dated revisions kept beside it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fsgrant.domain.models import Estimate
from fsgrant.domain.money import AmountLike, as_money, to_pence
from fsgrant.domain.periods import DateLike, as_at_day
from fsgrant.domain.text import clean_text
from fsgrant.errors import InvalidInput, NotFound
from fsgrant.services.categories import CategoriesService
from fsgrant.services.periods import PeriodsService
from fsgrant.services.years import YearsService
from fsgrant.store.connection import utc_now
from fsgrant.store.tables import Tables

__all__ = ["EstimatesService", "require_post"]


def require_post(tables: Tables, post_id: str) -> str:
    """``post_id``, if the post exists.

    Raises:
        NotFound: no such post.
    """
    if not tables.posts.exists(post_id):
        raise NotFound("post", post_id, "add it with 'fsgrant post add'")
    return post_id


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
    ) -> Estimate:
        """Set planned spend for a year and category (optionally a post), as of ``on``
        (default today).

        Raises:
            InvalidInput: bad amount, category or date.  NotFound: no such year or post.
            PeriodClosed: ``on`` falls in a closed period of the year.
        """
        self._years.get(label)
        cat = self._categories.require(category)
        value = as_money(amount, field="amount")
        if value < 0:
            raise InvalidInput("an estimate cannot be negative", field="amount")
        post_id = clean_text(post)
        if post_id is not None:
            require_post(self._tables, post_id)
        day = as_at_day(on, field="on")
        detail: dict[str, Any] = {"amount": str(value), "post": post_id, "set_on": day}
        store = self._tables.store
        with store.transaction("estimate.set", f"{label}/{cat}", detail):
            self._periods.guard_open(day, label, what="an estimate")
            new_id = detail["id"] = self._tables.estimates.insert(
                {
                    "funding_year": label,
                    "category": cat,
                    "post": post_id,
                    "amount_pence": to_pence(value),
                    "set_on": day.isoformat(),
                    "recorded_at": utc_now(),
                    "recorded_by": store.user,
                }
            )
        return next(e for e in self.list(label) if e.id == new_id)

    def list(self, label: str | None = None) -> list[Estimate]:
        """Every estimate (of one year, if given): originals and revisions, by year,
        category, post and date set."""
        return self._tables.estimates.list(label)

    def original_totals(self) -> dict[str, Decimal]:
        """Total original estimate per funding year."""
        return self._tables.estimates.original_totals()
