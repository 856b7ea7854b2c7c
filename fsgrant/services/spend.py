"""Spend lines (``fsgrant spend``): money spent, never edited or deleted; a mistake
is corrected by a reversal that points at the line it undoes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from fsgrant.domain.arguments import checked, date_range
from fsgrant.domain.closures import entry_day_problem
from fsgrant.domain.funding import Allocator
from fsgrant.domain.models import SpendLine
from fsgrant.domain.money import (
    AmountLike,
    as_money,
    from_pence,
    gross_total_problem,
    to_pence,
)
from fsgrant.domain.periods import DateLike, financial_year_period, parse_date
from fsgrant.domain.text import clean_text, required_text
from fsgrant.domain.time_rule import Action
from fsgrant.domain.transactions import TransactionLine
from fsgrant.errors import Conflict, InvalidAmount, InvalidInput, NotFound
from fsgrant.services.categories import CategoriesService
from fsgrant.services.horizon import entered_day
from fsgrant.services.periods import PeriodsService
from fsgrant.services.require import require_post
from fsgrant.services.years import YearsService
from fsgrant.store.spend import SpendFilter
from fsgrant.store.tables import Tables

__all__ = ["SpendService"]

SPEND_GROUPS = ("category", "post", "date")
"""What :meth:`SpendService.totals` can group by, beside the funding year."""


@checked
class SpendService:
    """``fs.spend``: add, reverse, read and total spend lines."""

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

    # ------------------------------------------------------------ writing
    def add(
        self,
        day: DateLike,
        amount: AmountLike,
        category: str,
        *,
        post: str | None = None,
        supplier: str | None = None,
        description: str | None = None,
        reference: str | None = None,
        year: str | None = None,
    ) -> SpendLine:
        """Record a spend line (a credit is negative). Returns the stored line.

        Raises:
            InvalidInput: bad date, amount or category, or a zero amount.
            NotFound: no such post or funding year.
            Conflict: no funding year covers the date, or it is outside the named year.
            PeriodClosed: dated in a closed period of its year.
        """
        d = entered_day(self._tables, day, field="date")
        value = as_money(amount, field="amount")
        if value == 0:
            raise InvalidInput("a spend line of 0.00 records nothing", field="amount")
        cat = self._categories.require(category)
        post_id = clean_text(post)
        if post_id is not None:
            require_post(self._tables, post_id)
        store = self._tables.store
        record: dict[str, Any] = {
            "date": d.isoformat(),
            "amount_pence": to_pence(value),
            "category": cat,
            "post": post_id,
            "supplier": clean_text(supplier),
            "description": clean_text(description),
            "reference": clean_text(reference),
        }
        detail: dict[str, Any] = {"date": d.isoformat(), "amount": str(value), "category": cat}
        if post_id is not None:
            detail["post"] = post_id
        with store.transaction(Action.SPEND_ADD, None, detail):
            # Checked inside the write lock, so no variation or closure can slip in.
            label = clean_text(year)
            allocator = Allocator(self._years.list())
            problem = entry_day_problem(d, label, allocator, self._periods.closures())
            if problem is not None:
                raise problem
            record["funding_year"] = label
            too_much = gross_total_problem(
                self._tables.spend.gross_pence() + abs(record["amount_pence"]), "spend lines"
            )
            if too_much is not None:
                raise InvalidAmount(
                    f"amount: {too_much}; nothing was stored", field="amount", value=str(value)
                )
            new_id = self._tables.spend.insert(record)
            detail["id"] = new_id
        return self.get(new_id)

    def accrue(
        self,
        day: DateLike,
        amount: AmountLike,
        category: str,
        *,
        reverse_on: DateLike | None = None,
        reference: str | None = None,
        supplier: str | None = None,
        post: str | None = None,
        description: str | None = None,
    ) -> tuple[SpendLine, SpendLine]:
        """Accrue work done but not yet invoiced: a line dated ``day`` (typically 31
        March) and its reversal, the negated amount dated ``reverse_on`` (default the
        next day), linked and marked as such. Both are recorded, or neither.

        Returns:
            (the accrual, its reversal).

        Raises:
            InvalidInput: a bad date, amount or category, a zero amount, or a reversal
            not after the accrual.  NotFound: no such post.
            Conflict: no funding year covers either date.
            PeriodClosed: either date is in a closed period.
        """
        d = entered_day(self._tables, day, field="date")
        back = (
            d + timedelta(days=1)
            if reverse_on is None
            else entered_day(self._tables, reverse_on, field="reverse-on")
        )
        if back <= d:
            raise InvalidInput(
                f"an accrual dated {d} is reversed after it, not on {back}", field="reverse-on"
            )
        value = as_money(amount, field="amount")
        if value == 0:
            raise InvalidInput("an accrual of 0.00 records nothing", field="amount")
        cat = self._categories.require(category)
        post_id = clean_text(post)
        if post_id is not None:
            require_post(self._tables, post_id)
        store = self._tables.store
        what = clean_text(description)
        common: dict[str, Any] = {
            "category": cat,
            "post": post_id,
            "supplier": clean_text(supplier),
            "reference": clean_text(reference),
        }
        detail: dict[str, Any] = {
            "date": d.isoformat(),
            "reverse_on": back.isoformat(),
            "amount": str(value),
            "category": cat,
        }
        if post_id is not None:
            detail["post"] = post_id
        with store.transaction(Action.SPEND_ACCRUE, None, detail, dated=d):
            allocator = Allocator(self._years.list())
            closures = self._periods.closures()
            for when, words in ((d, "an accrual"), (back, "an accrual's reversal")):
                problem = entry_day_problem(when, None, allocator, closures, what=words)
                if problem is not None:
                    raise problem
            too_much = gross_total_problem(
                self._tables.spend.gross_pence() + 2 * abs(to_pence(value)), "spend lines"
            )
            if too_much is not None:
                raise InvalidAmount(
                    f"amount: {too_much}; nothing was stored", field="amount", value=str(value)
                )
            accrual_id = self._tables.spend.insert(
                {
                    **common,
                    "date": d.isoformat(),
                    "amount_pence": to_pence(value),
                    "description": f"Accrual: {what}" if what else "Accrual",
                    "accrual": "accrual",
                }
            )
            reversal_id = self._tables.spend.insert(
                {
                    **common,
                    "date": back.isoformat(),
                    "amount_pence": -to_pence(value),
                    "description": f"Reversal of accrual (line {accrual_id})"
                    + (f": {what}" if what else ""),
                    "accrual": "reversal",
                    "accrual_of": accrual_id,
                }
            )
            detail["id"], detail["reversal_id"] = accrual_id, reversal_id
        return self.get(accrual_id), self.get(reversal_id)

    def reverse(self, line_id: int, reason: str) -> SpendLine:
        """Reverse a spend line: a new line with the negated amount, the same date,
        category, post and funding year, so the two net to zero in the same period.

        Raises:
            NotFound: no such line.  Conflict: already reversed, or itself a reversal.
            PeriodClosed: the line is dated in a closed period of its year.
        """
        why = required_text(reason, "reason")
        original = self.get(line_id)
        if original.reverses is not None:
            raise Conflict(
                f"line {line_id} is a reversal (of line {original.reverses}); it cannot be reversed: enter the line again instead"
            )
        if original.reversed_by is not None:
            raise Conflict(f"line {line_id} was already reversed by line {original.reversed_by}")
        store = self._tables.store
        explicit = original.funding_year if original.explicit_year else None
        record = {
            "date": original.date.isoformat(),
            "amount_pence": -to_pence(original.amount),
            "category": original.category,
            "post": original.post,
            "supplier": original.supplier,
            "description": f"Reversal of line {line_id}: {why}",
            "reference": original.reference,
            "funding_year": explicit,
            "reverses": line_id,
            "reason": why,
        }
        # The line's date, category and post name the figures the reversal moves.
        detail: dict[str, Any] = {
            "reason": why,
            "amount": str(-original.amount),
            "date": original.date.isoformat(),
            "category": original.category,
        }
        if original.post is not None:
            detail["post"] = original.post
        with store.transaction(Action.SPEND_REVERSE, str(line_id), detail):
            # Checked again inside the write lock: another process may have reversed it.
            done = self._tables.spend.reversed_by(line_id)
            if done is not None:
                raise Conflict(f"line {line_id} was already reversed by line {done}")
            self._periods.guard(
                "spend",
                original.date,
                year=original.funding_year,
                what=f"the reversal of line {line_id}",
            )
            new_id = self._tables.spend.insert(record)
            detail["id"] = new_id
        return self.get(new_id)

    # ------------------------------------------------------------ reading
    def possible_duplicate(self, line: SpendLine) -> int | None:
        """The id of another line that may be the same invoice keyed twice: the same
        date and amount, and the same supplier or reference (neither a reversal nor
        reversed); None when there is none.

        Raises:
            InvalidInput: ``line`` is not a spend line.
        """
        if not isinstance(line, SpendLine):
            raise InvalidInput(
                "possible_duplicate takes a spend line (fs.spend.get(id))", field="line"
            )
        return self._tables.spend.same_as(
            line.id, line.date, to_pence(line.amount), line.supplier, line.reference
        )

    def get(self, line_id: int) -> SpendLine:
        """One spend line, with its funding year as allocated now.

        Raises:
            NotFound: no such line.
        """
        line = self._tables.spend.get(line_id, Allocator(self._years.list()))
        if line is None:
            raise NotFound("spend line", line_id)
        return line

    def iter(
        self,
        *,
        year: str | None = None,
        financial_year: str | None = None,
        category: str | None = None,
        as_at: DateLike | None = None,
        from_date: DateLike | None = None,
        to_date: DateLike | None = None,
        post: str | None = None,
        supplier: str | None = None,
        batch: int | None = None,
    ) -> Iterator[SpendLine]:
        """Spend lines in date order, each with its funding year as allocated as at
        ``as_at`` (all variations when None), filtered as asked (every filter applies):
        ``post`` names the post, ``supplier`` is contained in the supplier's name
        (case-insensitive), ``batch`` is the import batch that added the line.
        Streams from the store.

        Raises:
            NotFound: no such funding year or post.
            InvalidInput: a bad date, financial-year label or category.
        """
        cut = parse_date(as_at, field="as-at") if as_at is not None else None
        start, end = date_range(from_date, to_date)
        allocator = Allocator(self._years.list(cut))
        if year is not None and year not in allocator.by_label:
            self._years.get(year)  # raises NotFound
        where = SpendFilter(
            window=financial_year_period(financial_year) if financial_year is not None else None,
            category=self._categories.require(category) if category is not None else None,
            cut=cut,
            from_date=start,
            to_date=end,
            year=(year, allocator.by_label[year].period) if year is not None else None,
            post=require_post(self._tables, post) if post is not None else None,
            supplier=clean_text(supplier),
            batch=batch,
        )
        for line in self._tables.spend.iter(allocator, where):
            if year is None or line.funding_year == year:
                yield line

    def transaction_lines(self, year: str, as_at: DateLike) -> Iterator[TransactionLine]:
        """The lines of funding year ``year`` dated on or before ``as_at``, in date
        order, as the return's Transactions sheet shows them (plain tuples streamed
        from the store: the same lines as :meth:`iter` with ``year`` and ``as_at``).

        Raises:
            NotFound: no such funding year.  InvalidInput: a bad date.
        """
        allocator, where = self._year_filter(year, as_at)
        return self._tables.spend.transaction_lines(allocator, where, year)

    def transaction_count(self, year: str, as_at: DateLike) -> int:
        """About how many lines :meth:`transaction_lines` gives (at least as many: a
        line dated in the year's period that a variation gives to another year is
        counted), for a progress bar."""
        return self._tables.spend.count(self._year_filter(year, as_at)[1])

    def _year_filter(self, year: str, as_at: DateLike) -> tuple[Allocator, SpendFilter]:
        cut = parse_date(as_at, field="as-at")
        allocator = Allocator(self._years.list(cut))
        if year not in allocator.by_label:
            self._years.get(year)  # raises NotFound
        return allocator, SpendFilter(cut=cut, year=(year, allocator.by_label[year].period))

    def list(
        self,
        *,
        year: str | None = None,
        financial_year: str | None = None,
        category: str | None = None,
        as_at: DateLike | None = None,
        from_date: DateLike | None = None,
        to_date: DateLike | None = None,
        post: str | None = None,
        supplier: str | None = None,
        batch: int | None = None,
    ) -> list[SpendLine]:
        """:meth:`iter` as a list."""
        return list(
            self.iter(
                year=year,
                financial_year=financial_year,
                category=category,
                as_at=as_at,
                from_date=from_date,
                to_date=to_date,
                post=post,
                supplier=supplier,
                batch=batch,
            )
        )

    def totals(
        self, as_at: DateLike | None = None, *, by: Sequence[str] = ("category",)
    ) -> dict[tuple[Any, ...], Decimal]:
        """Actual spend grouped by funding year (as allocated as at ``as_at``) and the
        columns in ``by`` (``category``, ``post``, ``date``); one SQL GROUP BY, so it
        stays fast on a large store.

        Returns:
            ``{(funding_year, *by values): amount}``; funding_year is None for spend no
            year covers.
        """
        cols = [c for c in by if c in SPEND_GROUPS]
        if len(cols) != len(by):
            raise InvalidInput(f"cannot group spend by {by}", field="by")
        cut = parse_date(as_at, field="as-at") if as_at is not None else None
        allocator = Allocator(self._years.list(cut))
        position = {"date": 0, "category": 2, "post": 3}
        out: dict[tuple[Any, ...], int] = defaultdict(int)
        for group in self._tables.spend.groups(cut, by_post="post" in cols):
            label = allocator(group[0], group[1])
            out[(label, *[group[position[c]] for c in cols])] += group[4]
        return {k: from_pence(v) for k, v in out.items()}
