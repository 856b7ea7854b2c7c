"""The home page of ``fsgrant browse``: where the grant stands as at a date.

Every figure is the library's own, read once from the store as at the date, so the
page says what ``fsgrant report summary --as-at`` and ``fsgrant report posts`` say,
to the penny. The date is read as the command line reads it (ISO ``2020-03-31`` or
day-first ``31/03/2020``; empty means today); any other text is an error.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from fsgrant.domain.conditions import ConditionState
from fsgrant.domain.money import ZERO, format_pounds
from fsgrant.domain.pack import PackChanges, PackPost
from fsgrant.domain.periods import as_at_day
from fsgrant.domain.reports import PostsReport, SummaryReport
from fsgrant.errors import NotFound, StoreError
from fsgrant.formats.pack import words
from fsgrant.services.ledger import Ledger, open_ledger

__all__ = ["HomePage", "SpendGrid", "home_page", "last_return_in_words", "read_as_at"]


@dataclass(frozen=True)
class SpendGrid:
    """Spend by month (rows) and category (columns), reversals included, on or before
    the date; a month or category with no line is left out."""

    months: tuple[str, ...]
    categories: tuple[str, ...]
    cells: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    def cell(self, month: str, category: str) -> Decimal | None:
        """The month's spend on the category; None where there is no line."""
        return self.cells.get((month, category))

    def month_total(self, month: str) -> Decimal:
        return sum((v for (m, _), v in self.cells.items() if m == month), ZERO)

    def category_total(self, category: str) -> Decimal:
        return sum((v for (_, c), v in self.cells.items() if c == category), ZERO)

    @property
    def total(self) -> Decimal:
        return sum(self.cells.values(), ZERO)


@dataclass(frozen=True)
class HomePage:
    """What the home page shows, as at a date."""

    as_at: date
    grant_name: str | None
    summary: SummaryReport | None
    """None for a store with no grant recorded yet."""
    posts: PostsReport
    grid: SpendGrid
    attention: tuple[PackPost, ...]
    """Blocked and vacant posts, longest stuck first."""
    conditions: tuple[ConditionState, ...]
    last_return: tuple[str, ...]
    """The last return and what moved since, in sentences."""


def read_as_at(text: str | None) -> date:
    """The page's date, read as ``--as-at`` is: today when absent or empty.

    Raises:
        InvalidDate: not a date like 2020-03-31 or 31/03/2020, or not a real day.
    """
    return as_at_day(text if text and text.strip() else None)


def home_page(path: str | os.PathLike[str], as_at: str | None = None) -> HomePage:
    """Where the grant at ``path`` stands as at ``as_at`` (today when None or empty),
    read from the store read-only.

    Raises:
        InvalidDate: ``as_at`` is not a date (as the command line says it).
        StoreError: no store at ``path``.
    """
    day = read_as_at(as_at)
    with open_ledger(Path(path), create=False, read_only=True) as led:
        return _build(led, day)


def _build(led: Ledger, day: date) -> HomePage:
    try:
        grant_name: str | None = led.grant.show().name
    except StoreError:
        grant_name = None
    summary = led.reports.summary(day) if grant_name is not None else None
    pack = None
    if summary is not None and summary.funding_years:
        try:
            pack = led.reports.pack(as_at=day)
        except NotFound:
            pack = None
    return HomePage(
        as_at=day,
        grant_name=grant_name,
        summary=summary,
        posts=led.reports.posts(as_at=day),
        grid=_grid(led, day),
        attention=pack.attention if pack else (),
        conditions=pack.conditions if pack else (),
        last_return=last_return_in_words(pack.since_last_return if pack else None, pack),
    )


def _grid(led: Ledger, day: date) -> SpendGrid:
    cells: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for line in led.spend.list(to_date=day):
        cells[(line.date.isoformat()[:7], line.category)] += line.amount
    months = tuple(sorted({m for m, _ in cells}))
    categories = tuple(sorted({c for _, c in cells}))
    return SpendGrid(months=months, categories=categories, cells=dict(cells))


def last_return_in_words(changes: PackChanges | None, pack: object | None) -> tuple[str, ...]:
    """The last return of the funding year and each figure that moved since, in
    sentences (the month-end pack's "since the last return", as it reads today)."""
    label = getattr(pack, "funding_year", None)
    if changes is None:
        return (f"No return of {label} was submitted by then.",) if label else ()
    moved = len(changes.restatements)
    head = (
        f"Return #{changes.return_id} ({changes.reference or 'no reference'}) as at "
        f"{words.day(changes.as_at)}, submitted {words.day(changes.submitted_at)} by "
        f"{changes.submitted_by}: "
        + (f"{moved} figure(s) moved since." if moved else "no figure has moved since.")
    )
    lines = [head]
    for r in changes.restatements:
        was = _money_text(r.submitted) if r.submitted is not None else "nothing (new)"
        now = _money_text(r.now) if r.now is not None else "nothing (gone)"
        lines.append(f"{r.sheet}, {r.row}, {r.column}: submitted {was}, now {now}.")
    return tuple(lines)


def _money_text(text: str) -> str:
    try:
        return format_pounds(Decimal(text))
    except ArithmeticError:
        return text
