"""Commitments (``fsgrant commit``): purchase orders raised and not yet invoiced.

Money spoken for: reports show it as ``committed`` beside actual, and a category's
forecast remaining never falls below it. A spend line quoting a commitment's reference
draws it down (see :mod:`fsgrant.domain.commitments`); a commitment is never edited,
only cancelled (dated, with a reason)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from fsgrant.domain.arguments import checked
from fsgrant.domain.closures import entry_day_problem
from fsgrant.domain.commitments import Commitment
from fsgrant.domain.funding import Allocator
from fsgrant.domain.money import ZERO, AmountLike, as_money, gross_total_problem, to_pence
from fsgrant.domain.periods import DateLike, as_at_day, parse_date
from fsgrant.domain.text import clean_text, required_text
from fsgrant.domain.time_rule import Action
from fsgrant.errors import Conflict, InvalidAmount, InvalidInput, NotFound
from fsgrant.services.categories import CategoriesService
from fsgrant.services.horizon import entered_day
from fsgrant.services.periods import PeriodsService
from fsgrant.services.require import require_post
from fsgrant.services.years import YearsService
from fsgrant.store.tables import Tables

__all__ = ["CommitmentsService"]


@checked
class CommitmentsService:
    """``fs.commitments``: raise, cancel and read commitments."""

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

    def add(
        self,
        day: DateLike,
        amount: AmountLike,
        category: str,
        *,
        reference: str,
        supplier: str | None = None,
        post: str | None = None,
        description: str | None = None,
    ) -> Commitment:
        """Record a commitment (a purchase order raised): ``reference`` is the order
        number that invoices will quote. Returns it as recorded.

        Raises:
            InvalidInput: a bad date, amount (zero or negative) or category, no reference.
            NotFound: no such post.  Conflict: no funding year covers the date, or a
            commitment quoting the reference is not cancelled.
            PeriodClosed: dated in a closed period of its year.
        """
        d = entered_day(self._tables, day, field="date")
        value = as_money(amount, field="amount")
        if value <= 0:
            raise InvalidInput(
                f"a commitment is money spoken for: more than 0.00, not {value}", field="amount"
            )
        cat = self._categories.require(category)
        ref = required_text(reference, "ref")
        post_id = clean_text(post)
        if post_id is not None:
            require_post(self._tables, post_id)
        store = self._tables.store
        detail: dict[str, Any] = {
            "date": d.isoformat(),
            "amount": str(value),
            "category": cat,
            "reference": ref,
        }
        with store.transaction(Action.COMMIT_ADD, ref, detail, dated=d):
            held = self._tables.commitments.uncancelled_with(ref)
            if held is not None:
                raise Conflict(
                    f"commitment {held} already quotes {ref}; cancel it before raising "
                    "another with the same reference"
                )
            problem = entry_day_problem(
                d,
                None,
                Allocator(self._years.list()),
                self._periods.closures(),
                what="a commitment",
            )
            if problem is not None:
                raise problem
            too_much = gross_total_problem(
                self._tables.commitments.gross_pence() + to_pence(value), "commitments"
            )
            if too_much is not None:
                raise InvalidAmount(f"amount: {too_much}", field="amount", value=str(value))
            new_id = detail["id"] = self._tables.commitments.insert(
                {
                    "date": d.isoformat(),
                    "amount_pence": to_pence(value),
                    "category": cat,
                    "post": post_id,
                    "reference": ref,
                    "supplier": clean_text(supplier),
                    "description": clean_text(description),
                }
            )
        return self.get(new_id)

    def cancel(self, commitment_id: int, *, on: DateLike, reason: str) -> Commitment:
        """Cancel a commitment from ``on``: what was left of it is no longer committed
        (what invoices drew down stays spent).

        Raises:
            NotFound: no such commitment.  InvalidInput: no reason, or a date before
            the commitment.  Conflict: already cancelled.
            PeriodClosed: ``on`` is in a closed period of its year.
        """
        d = entered_day(self._tables, on, field="on")
        why = required_text(reason, "reason")
        c = self.get(commitment_id)
        if c.cancelled_on is not None:
            raise Conflict(f"commitment {commitment_id} was cancelled on {c.cancelled_on}")
        if d < c.date:
            raise InvalidInput(
                f"commitment {commitment_id} was raised on {c.date}: it cannot be cancelled on {d}",
                field="on",
            )
        store = self._tables.store
        detail: dict[str, Any] = {"on": d.isoformat(), "reason": why, "category": c.category}
        with store.transaction(Action.COMMIT_CANCEL, str(commitment_id), detail, dated=d):
            self._periods.guard(
                "commitment-cancel",
                d,
                year=c.funding_year,
                what=f"the cancellation of commitment {commitment_id}",
            )
            detail["id"] = self._tables.commitments.insert_cancellation(
                {
                    "commitment": commitment_id,
                    "on": d.isoformat(),
                    "reason": why,
                }
            )
        return self.get(commitment_id)

    def get(self, commitment_id: int, as_at: DateLike | None = None) -> Commitment:
        """One commitment, as at ``as_at`` (everything recorded when None).

        Raises:
            NotFound: no such commitment (or none dated by ``as_at``).
        """
        if (
            isinstance(commitment_id, bool)
            or not isinstance(commitment_id, int)
            or not 1 <= commitment_id < 2**63
        ):
            raise InvalidInput("a commitment id is a whole number from 1", field="id")
        cut = parse_date(as_at, field="as-at") if as_at is not None else None
        found = self._tables.commitments.list(self._allocator(cut), cut, commitment_id)
        if not found:
            raise NotFound("commitment", str(commitment_id), "see 'fsgrant commit list'")
        return found[0]

    def list(self, *, open_only: bool = False, as_at: DateLike | None = None) -> list[Commitment]:
        """Commitments dated on or before ``as_at`` (all when None), in date order, each
        with what invoices drew down by then; ``open_only``: only those with money
        still committed."""
        cut = parse_date(as_at, field="as-at") if as_at is not None else None
        found = self._tables.commitments.list(self._allocator(cut), cut)
        return [c for c in found if c.open > 0] if open_only else found

    def committed(self, as_at: DateLike | None = None) -> dict[tuple[str, str], Decimal]:
        """What is committed as at ``as_at`` (today when None) per (funding year,
        category): open commitments dated by then, less what invoices dated by then
        drew down. Commitments no funding year holds are left out."""
        day: date = as_at_day(as_at)
        out: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        for c in self._tables.commitments.list(self._allocator(day), day):
            if c.open > 0 and c.funding_year is not None:
                out[(c.funding_year, c.category)] += c.open
        return dict(out)

    def _allocator(self, cut: date | None) -> Allocator:
        return Allocator(self._years.list(cut))
