"""Closed periods: what a submitted return covered must not change under anyone.

What a close freezes is one table, :data:`fsgrant.domain.time_rule.RECORD_KINDS`: for
each kind of record, the date that decides and the closures that refuse it
(:func:`refuse_closed`):

* ``own-year`` (spend, reversals, receipts, estimates, phasings, forecasts): refused
  when dated on or before the closed date of its funding year (the one it names, else
  the one its date is allocated to); :func:`entry_day_problem` is the same rule for
  ``spend add`` and each imported line.
* ``named-years`` (variations): refused when agreed on or before the closed date of
  the year it varies or the year money moves to; and a variation that would move a
  day of a closed period into or out of its year, or bring one into another year's
  period, is refused (:func:`refuse_moving_closed_days`).
* ``every-year`` (posts and their status and detail changes, conditions with their
  evidence and statuses, the plan's sources, funding, costs and targets): shared by
  every return, so refused when dated on or before the closed date of any year.
* ``never`` (measure observations): published statistics arrive months later; their
  effect on a sent return shows as a correction.

Its date is what decides: a record dated after the closed date is a change of estimate
and is accepted. Each refusal names the closure: its reference, when and by whom;
reopening the period (recorded, with a reason) is the way to correct.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from fsgrant.domain.funding import Allocator
from fsgrant.domain.models import ClosedPeriod, FundingYearState
from fsgrant.domain.time_rule import RECORD_KINDS
from fsgrant.errors import Conflict, FsgrantError, NotFound, PeriodClosed

__all__ = [
    "entry_day_problem",
    "refuse_closed",
    "refuse_moving_closed_days",
]


def _when(c: ClosedPeriod) -> str:
    return c.at.strftime("%Y-%m-%d %H:%M:%S")


def entry_day_problem(
    day: date,
    label: str | None,
    allocator: Allocator,
    closures: Mapping[str, ClosedPeriod],
    *,
    what: str = "spend",
    name_who: bool = True,
) -> FsgrantError | None:
    """Why a dated entry (for funding year ``label``, or the year its day is
    allocated to when None) cannot be recorded, or None when it can: the rule of
    ``spend add`` and of every imported line.

    * a named year must exist and its period (as varied) contain the day;
    * otherwise some funding year must cover the day;
    * the day must not fall in a closed period of that year.

    Args:
        allocator: the funding years as varied, every variation applied.
        name_who: name who closed the period and when (an import's reasons leave it out).
    """
    if label is not None:
        y = allocator.by_label.get(label)
        if y is None:
            known = ", ".join(allocator.by_label) or "none yet"
            return NotFound("funding year", label, f"known: {known}")
        if day not in y.period:
            return Conflict(
                f"{day.isoformat()} is outside funding year {label} ({y.start} to {y.end})"
            )
        if y.status == "withdrawn":
            return Conflict(f"funding year {label} is withdrawn: nothing can be charged to it")
        target: str | None = label
    else:
        target = allocator(day)
        if target is None:
            spans = "; ".join(
                f"{y.label}: {y.start} to {y.end}"
                for y in allocator.years
                if y.status != "withdrawn"
            )
            return Conflict(
                f"no funding year covers {day.isoformat()} ({spans or 'no funding years yet'})"
            )
    return _closed(day, target, closures, what=what, name_who=name_who)


def _closed(
    day: date,
    target: str | None,
    closures: Mapping[str, ClosedPeriod],
    *,
    what: str,
    name_who: bool = True,
) -> PeriodClosed | None:
    c = closures.get(target) if target is not None else None
    if c is None or day > c.through:
        return None
    who = f", by {c.by} at {_when(c)} UTC" if name_who else ""
    return PeriodClosed(
        f"{what} dated {day.isoformat()} falls in funding year {c.funding_year}, closed "
        f"through {c.through.isoformat()} (reference '{c.reference}'{who}); reopen it with "
        "'fsgrant period reopen' first",
        funding_year=c.funding_year,
        through=c.through,
        reference=c.reference,
    )


def refuse_closed(
    kind: str,
    day: date,
    closures: Mapping[str, ClosedPeriod],
    years: list[FundingYearState],
    *,
    year: str | None = None,
    named: Iterable[str] = (),
    what: str | None = None,
) -> None:
    """Refuse a record of ``kind`` (a key of
    :data:`fsgrant.domain.time_rule.RECORD_KINDS`) dated ``day`` when a closure its kind
    answers to covers the day: ``own-year``, the closure of the year it names
    (``year``) or its day is allocated to among ``years`` (as varied); ``named-years``,
    those of the years in ``named``; ``every-year``, any closure; ``never``, none.

    Raises:
        PeriodClosed: names the closure (reference, when, by whom), the latest closed
            date first when several apply.
    """
    k = RECORD_KINDS[kind]
    if not closures or k.closure == "never":
        return
    words = what or k.words
    if k.closure == "own-year":
        target = (
            year if year is not None else Allocator(years)(day) or _withdrawn_holding(day, years)
        )
        problem = _closed(day, target, closures, what=words)
        if problem is not None:
            raise problem
        return
    wanted = None if k.closure == "every-year" else set(named)
    hit = [
        c
        for label, c in closures.items()
        if (wanted is None or label in wanted) and day <= c.through
    ]
    if not hit:
        return
    c = max(hit, key=lambda x: (x.through, x.funding_year))
    raise PeriodClosed(
        f"{words} dated {day.isoformat()} falls in funding year {c.funding_year}, closed "
        f"through {c.through.isoformat()} (reference '{c.reference}', by {c.by} at "
        f"{_when(c)} UTC); reopen it with 'fsgrant period reopen' first",
        funding_year=c.funding_year,
        through=c.through,
        reference=c.reference,
    )


def _withdrawn_holding(day: date, years: list[FundingYearState]) -> str | None:
    """The withdrawn year whose period holds ``day`` (the earliest starting): what was
    spent there is that year's actual, so its closure covers it."""
    held = sorted((y.start, y.label) for y in years if y.status == "withdrawn" and day in y.period)
    return held[0][1] if held else None


def refuse_moving_closed_days(
    before: list[FundingYearState],
    after: list[FundingYearState],
    closures: Mapping[str, ClosedPeriod],
) -> None:
    """Refuse a change of the funding years that would move any day of a closed
    period into or out of its year, or bring a day of a closed window into another
    year's period.

    Raises:
        PeriodClosed: the first day that would move, and the closure.
    """
    if not closures:
        return
    old, new = Allocator(before), Allocator(after)
    first = min(y.start for y in [*before, *after])
    for label, c in closures.items():
        day = first
        while day <= c.through:
            was, now = old(day) == label, new(day) == label
            if was != now:
                raise PeriodClosed(
                    f"this variation would move {day.isoformat()} "
                    f"{'out of' if was else 'into'} funding year {label}, closed through "
                    f"{c.through.isoformat()} (reference '{c.reference}', by {c.by}); "
                    "reopen it with 'fsgrant period reopen' first",
                    funding_year=label,
                    through=c.through,
                    reference=c.reference,
                )
            day += timedelta(days=1)
    # Nor may another year's period come to take in days of a closed window: entries
    # naming that year would then be let in on closed days.
    was_in = {y.label: y for y in before}
    for label, c in closures.items():
        own = was_in.get(label)
        if own is None:
            continue
        window_start = own.start
        for y in after:
            if y.label == label or y.status == "withdrawn":
                continue
            first_in = max(y.start, window_start)
            if first_in > min(y.end, c.through):
                continue  # no day of the window
            prior = was_in.get(y.label)
            covered_before = (
                prior is not None
                and prior.status != "withdrawn"
                and prior.start <= first_in
                and min(y.end, c.through) <= prior.end
            )
            if not covered_before:
                raise PeriodClosed(
                    f"this variation would bring {first_in.isoformat()} into funding year "
                    f"{y.label}, a day funding year {label} has closed (through "
                    f"{c.through.isoformat()}, reference '{c.reference}', by {c.by}); "
                    "reopen it with 'fsgrant period reopen' first",
                    funding_year=label,
                    through=c.through,
                    reference=c.reference,
                )
