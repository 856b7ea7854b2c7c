"""Random ledgers for the property tests that hold the store's SQL (the views and the
browse queries) to the library: funding years, variations, spend lines and receipts,
and the code that records them.

Each test chooses its own days, labels and amounts; the pieces here are how those
become years, variations and lines, so both tests try the same kinds of ledger.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from fsgrant.errors import Conflict, InvalidInput, NotFound

FIRST, LAST = date(2019, 1, 1), date(2023, 12, 31)

YearDef = tuple[str, date, int | None, str]
"""A funding year to record: label, start, length in days (None: the default end), award."""

STATUSES = ["confirmed", "in-principle", "withdrawn"]

REFUSED = (InvalidInput, Conflict, NotFound)
"""What recording a random entry may raise: it stores nothing, and the ledger goes on."""


def days(common: Sequence[date]) -> st.SearchStrategy[date]:
    """Any day from 2019 to 2023, or now and then one of ``common`` (days several
    years and variations share, so ties are tried)."""
    return st.one_of(st.sampled_from(list(common)), st.dates(FIRST, LAST))


def pounds(low: int, high: int) -> st.SearchStrategy[str]:
    """Amount text (``-12.34``, ``0.05``) for a number of pence from ``low`` to ``high``."""
    return st.integers(low, high).map(
        lambda p: f"{'-' if p < 0 else ''}{abs(p) // 100}.{abs(p) % 100:02d}"
    )


def starts_for(label: str, common: Sequence[date]) -> st.SearchStrategy[date]:
    """Start days a year of this label may have: in its first calendar year or the
    next (``year add`` refuses a label that does not match its start)."""
    first = int(label[:4])
    shared = [d for d in common if d.year in (first, first + 1)]
    spread = st.dates(date(first, 1, 1), date(first + 1, 12, 31))
    return st.one_of(st.sampled_from(shared), spread) if shared else spread


def near_a_year(years: Sequence[YearDef]) -> st.SearchStrategy[date]:
    """A day near a year's first period: a little before it, in it, or just after it."""
    return st.builds(
        lambda y, offset: y[1] + timedelta(days=offset),
        st.sampled_from(list(years)),
        st.integers(-40, 760),
    )


def variations(
    labels: Sequence[str],
    on: st.SearchStrategy[date],
    amounts: st.SearchStrategy[str],
    *,
    withdrawals: bool = False,
) -> st.SearchStrategy[tuple[Any, ...]]:
    """Variations of the years ``labels``, agreed on days from ``on``: extensions,
    shifts, amounts, moves and status changes (with ``withdrawals``, a withdrawal
    drawn twice as often)."""
    labelled = st.sampled_from(list(labels))
    kinds = [
        st.tuples(st.just("extend"), labelled, on, on),
        st.tuples(st.just("shift"), labelled, on, on, st.integers(0, 700)),
        st.tuples(st.just("amount"), labelled, on, amounts),
        st.tuples(st.just("move"), labelled, on, labelled, amounts),
        st.tuples(st.just("status"), labelled, on, st.sampled_from(STATUSES)),
    ]
    if withdrawals:
        kinds.append(st.tuples(st.just("status"), labelled, on, st.just("withdrawn")))
    return st.one_of(*kinds)


def add_years(led: Any, years: Sequence[YearDef]) -> None:
    """Start the ledger and record the years. Years whose first periods overlap are
    refused (only an agreed variation makes years overlap): such a year is left out,
    and what names it refused."""
    led.init("FS", "DfE", "Council")
    for label, start, length, award in years:
        end = None if length is None else start + timedelta(days=length)
        with contextlib.suppress(Conflict):
            led.years.add(label, award, start, end=end)


def vary(led: Any, op: tuple[Any, ...], *, orphan_ok: bool = False) -> None:
    """Record a variation drawn by :func:`variations`; one refused (an impossible
    variation) stores nothing and the ledger goes on."""
    kind, label, agreed, *args = op
    with contextlib.suppress(*REFUSED):
        if kind == "extend":
            (end,) = args
            led.years.vary(label, agreed_on=agreed, reason="extend", end=end, orphan_ok=orphan_ok)
        elif kind == "shift":
            start, length = args
            led.years.vary(
                label,
                agreed_on=agreed,
                reason="shift",
                start=start,
                end=start + timedelta(days=length),
                orphan_ok=orphan_ok,
            )
        elif kind == "amount":
            (award,) = args
            led.years.vary(
                label, agreed_on=agreed, reason="amount", award=award, orphan_ok=orphan_ok
            )
        elif kind == "move":
            to, amount = args
            led.years.vary(
                label, agreed_on=agreed, reason="move", move=amount, to=to, orphan_ok=orphan_ok
            )
        else:
            (status,) = args
            led.years.vary(
                label, agreed_on=agreed, reason="status", status=status, orphan_ok=orphan_ok
            )
