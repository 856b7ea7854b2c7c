"""Restatements told once per cause: what a finance officer reads when a sent return
moved (pure: no store, no files).

:func:`fsgrant.domain.submissions.moved_figures` gives every figure that moved, each
with the corrections that reach it; a late invoice moves sixty cells (its line, the
totals, every later month of the profile). A person wants the other view:

* each **correction** once, in words, with how many figures it moved and which of
  the **headline figures** (the Summary's values: award, actual, outturn, at risk
  and the like) among them (:func:`group_by_cause`). A moved figure no correction
  explains (a file edited by hand, or a record of unknown reach) falls under one
  cause of its own, ``entry`` None;
* each **headline figure** once: as submitted, now, the change (now less submitted,
  for money) and how many corrections moved it (:func:`headline_figures`). When one
  correction alone moved a headline figure, the change is that correction's own
  effect on it; when several did, the change is theirs together.

The figure-by-figure detail stays with :class:`~fsgrant.domain.submissions.Restatement`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol, TypeVar

from pydantic import BaseModel

from fsgrant.domain.models import AuditEntry
from fsgrant.domain.money import format_pounds
from fsgrant.domain.record import RECORD_CONFIG


class Restatement(Protocol):
    """A figure that moved (:class:`fsgrant.domain.submissions.Restatement` is one;
    named here as what these rules read, since that module builds on this one)."""

    @property
    def sheet(self) -> str: ...
    @property
    def row(self) -> str: ...
    @property
    def column(self) -> str: ...
    @property
    def submitted(self) -> str | None: ...
    @property
    def now(self) -> str | None: ...
    @property
    def because(self) -> tuple[AuditEntry, ...]: ...


R = TypeVar("R", bound=Restatement)

__all__ = [
    "HEADLINE_SHEET",
    "MAX_WORDS",
    "Cause",
    "HeadlineFigure",
    "cut_words",
    "group_by_cause",
    "headline_figures",
    "headline_name",
    "signed_pounds",
]

HEADLINE_SHEET = "Summary"
"""The sheet whose values are the headline figures (the page that is signed)."""
MAX_WORDS = 300
"""The longest a cause's words may be: a cell a person reads, not an audit dump."""


class _Record(BaseModel):
    model_config = RECORD_CONFIG


class Cause(_Record):
    """One correction recorded after a return was sent, told once."""

    entry: AuditEntry | None
    """The audit entry of the correction; None for figures no correction explains."""
    words: str
    """What it was, in words: "MI Training Ltd, INV-0112, £4,200.00, dated
    20/01/2020, recorded 02/05/2020 by jsmith" (at most :data:`MAX_WORDS`)."""
    amount: Decimal | None = None
    """The record's own amount (a spend line, a receipt, an estimate), if it has one."""
    dated: date | None = None
    """The date that decides for the record (inside the return's period)."""
    headline: tuple[str, ...] = ()
    """The headline figures it moved (Summary labels), in the return's order."""
    figures_moved: int = 0
    """How many figures of the return it moved, cell by cell."""

    @property
    def recorded(self) -> datetime | None:
        return None if self.entry is None else self.entry.at


class HeadlineFigure(_Record):
    """A Summary value of the return that moved."""

    figure: str
    submitted: str | None
    now: str | None
    change: Decimal | None
    """Now less submitted, when both are amounts; None otherwise."""
    causes: int
    """How many corrections moved it (0: none explains it)."""


def _amount(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        n = Decimal(text)
    except InvalidOperation:
        return None
    return n if n.is_finite() else None


def headline_name(r: Restatement) -> str | None:
    """The headline figure a restated figure is (``Actual spend to date``; a table
    cell of the Summary as ``Quarter total: Spend``), or None for any other figure."""
    if r.sheet != HEADLINE_SHEET:
        return None
    return r.row if r.column == "value" else f"{r.row}: {r.column}"


def headline_figures(changes: Iterable[Restatement]) -> list[HeadlineFigure]:
    """Each Summary figure among ``changes``, in the return's order."""
    out: list[HeadlineFigure] = []
    for r in changes:
        name = headline_name(r)
        if name is None:
            continue
        was, now = _amount(r.submitted), _amount(r.now)
        change = now - was if was is not None and now is not None else None
        out.append(
            HeadlineFigure(
                figure=name,
                submitted=r.submitted,
                now=r.now,
                change=change,
                causes=len({e.id for e in r.because}),
            )
        )
    return out


def group_by_cause(
    changes: Iterable[R],
) -> list[tuple[AuditEntry | None, list[R]]]:
    """Each correction named by ``changes`` (oldest first), with the figures it moved;
    last, under None, the figures no correction explains (if any)."""
    by_id: dict[int, tuple[AuditEntry, list[R]]] = {}
    unexplained: list[R] = []
    for r in changes:
        if not r.because:
            unexplained.append(r)
        for e in r.because:
            by_id.setdefault(e.id, (e, []))[1].append(r)
    out: list[tuple[AuditEntry | None, list[R]]] = [
        by_id[k] for k in sorted(by_id, key=lambda k: (by_id[k][0].at, k))
    ]
    if unexplained:
        out.append((None, unexplained))
    return out


def cut_words(text: str, limit: int = MAX_WORDS) -> str:
    """``text`` on one line, cut to ``limit`` characters (an ellipsis marks a cut)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def signed_pounds(value: Decimal) -> str:
    """A change as finance writes it: ``+£4,200.00``, ``-£500.00``, ``£0.00``."""
    return ("+" if value > 0 else "") + format_pounds(value)
