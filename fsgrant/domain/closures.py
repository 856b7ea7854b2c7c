"""Closed periods: what a submitted return covered must not change under anyone.

* An entry (spend, reversal, estimate, receipt, forecast) dated on or before the
  closed date of its funding year is refused (:func:`refuse_closed_entry`). Its
  year is the one it names, else the one its date is allocated to.
* A variation that would move any day of a closed period into or out of its
  funding year is refused (:func:`refuse_moving_closed_days`).
* A record that changes figures without belonging to one dated entry (a variation
  of any kind, a post's status change or detail change, a new post) is refused when
  its own date (agreed, effective, planned start) is on or before the closed date of
  a year it bears on (:func:`refuse_dated_in_closed`): a variation bears on its year
  and the year money moves to; a post on every funding year (its cost can fall in
  any of them); a condition's record (added, with its agreed date or else the day
  it is recorded; its evidence; a status change) on its own funding year. Its date
  is what decides: a fact dated after the closed date may
  still change a forecast made as at it, and is shown as a restatement instead.

Each refusal names the closure: its reference, when and by whom; reopening the
period (recorded, with a reason) is the way to correct.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from fsgrant.domain.funding import Allocator
from fsgrant.domain.models import ClosedPeriod, FundingYearState
from fsgrant.errors import Conflict, FsgrantError, NotFound, PeriodClosed

__all__ = [
    "entry_day_problem",
    "refuse_closed_entry",
    "refuse_dated_in_closed",
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


def refuse_closed_entry(
    day: date,
    label: str | None,
    closures: Mapping[str, ClosedPeriod],
    years: list[FundingYearState],
    *,
    what: str = "an entry",
) -> None:
    """Refuse an entry dated in a closed period of its funding year.

    Args:
        label: the year the entry names; None to use the year ``day`` is allocated to
            among ``years`` (as varied, every variation applied).

    Raises:
        PeriodClosed: names the closure (reference, when, by whom).
    """
    if not closures:
        return
    target = label if label is not None else Allocator(years)(day)
    problem = _closed(day, target, closures, what=what)
    if problem is not None:
        raise problem


def refuse_moving_closed_days(
    before: list[FundingYearState],
    after: list[FundingYearState],
    closures: Mapping[str, ClosedPeriod],
) -> None:
    """Refuse a change of the funding years that would move any day of a closed
    period into or out of its year.

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


def refuse_dated_in_closed(
    day: date,
    closures: Mapping[str, ClosedPeriod],
    *,
    what: str,
    years: Iterable[str] | None = None,
) -> None:
    """Refuse a record dated ``day`` that would change what a closed period showed.

    Args:
        day: the record's own date (agreed on, effective, planned start).
        what: the record, in words ("a variation", "a post status change").
        years: the funding years it bears on; None for every year (posts).

    Raises:
        PeriodClosed: names the closure (reference, when, by whom), the latest closed
            date first when several years are closed.
    """
    wanted = None if years is None else set(years)
    hit = [
        c
        for label, c in closures.items()
        if (wanted is None or label in wanted) and day <= c.through
    ]
    if not hit:
        return
    c = max(hit, key=lambda x: (x.through, x.funding_year))
    raise PeriodClosed(
        f"{what} dated {day.isoformat()} falls in funding year {c.funding_year}, closed "
        f"through {c.through.isoformat()} (reference '{c.reference}', by {c.by} at "
        f"{_when(c)} UTC); reopen it with 'fsgrant period reopen' first",
        funding_year=c.funding_year,
        through=c.through,
        reference=c.reference,
    )
