"""Funding years as varied, and which funding year a day's spend belongs to.

Pure functions: no I/O. A variation applies to a report "as at" a date only if it
was agreed on or before that date; variations apply in the order they were agreed
(ties in the order they were recorded).

Allocation rule: a day belongs to the funding year whose period (as varied) contains
it; where periods overlap after an extension, to the one that started earliest
(older money is used first). Withdrawn years take no spend by allocation.

Orphaned money: a spend line is orphaned when no open funding year holds it (no year
covers its date, or the year it is charged to is withdrawn, gone, or does not cover
its date); a receipt is orphaned when its funding year is withdrawn. A variation that
would orphan money is refused unless the user says so (:func:`orphans_made`).

The grant's end: the latest end, as varied, of its funding years that are not
withdrawn (:func:`grant_end`); the first financial year after the grant is the first
that starts (1 April) after that day (:func:`first_financial_year_after`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fsgrant.domain.horizon import readable_day
from fsgrant.domain.models import FundingYear, FundingYearState, Variation
from fsgrant.domain.periods import financial_year_label
from fsgrant.errors import InvalidInput

__all__ = [
    "Allocator",
    "Orphans",
    "allocate",
    "apply_variations",
    "first_financial_year_after",
    "grant_end",
    "orphans_made",
    "spend_orphaned",
]


def apply_variations(
    years: Sequence[FundingYear], variations: Iterable[Variation], as_at: date | None = None
) -> list[FundingYearState]:
    """The funding years as varied by the variations agreed on or before ``as_at``,
    their dates within the span reports read (:func:`fsgrant.domain.horizon.readable_day`).

    Raises:
        InvalidInput: a variation would leave a year ending before it starts or with a
            negative award.
    """
    state: dict[str, dict[str, object]] = {}
    applied: dict[str, list[Variation]] = {}
    for y in years:
        state[y.label] = {
            "start": y.start,
            "end": y.end,
            "award": y.award,
            "status": y.status,
            "confirmed_on": y.confirmed_on,
        }
        applied[y.label] = []
    ordered = sorted(variations, key=lambda v: (v.agreed_on, v.id))
    for v in ordered:
        if as_at is not None and v.agreed_on > as_at:
            continue
        s = state[v.funding_year]
        applied[v.funding_year].append(v)
        if v.kind == "extend" and v.new_end is not None:
            s["end"] = v.new_end
        elif v.kind == "shift" and v.new_start is not None and v.new_end is not None:
            s["start"], s["end"] = v.new_start, v.new_end
        elif v.kind == "amount" and v.amount is not None:
            s["award"] = v.amount
        elif v.kind == "move" and v.amount is not None and v.to_year is not None:
            s["award"] = _dec(s["award"]) - v.amount
            target = state[v.to_year]
            target["award"] = _dec(target["award"]) + v.amount
            applied[v.to_year].append(v)
        elif v.kind == "status" and v.new_status is not None:
            s["status"] = v.new_status
            if v.new_status == "confirmed":
                s["confirmed_on"] = v.agreed_on
    result = []
    for y in years:
        s = state[y.label]
        if _day(s["end"]) < _day(s["start"]):
            raise InvalidInput(f"funding year {y.label} would end before it starts", field="end")
        if _dec(s["award"]) < 0:
            raise InvalidInput(
                f"funding year {y.label} would have a negative award", field="amount"
            )
        result.append(
            FundingYearState(
                label=y.label,
                status=s["status"],
                confirmed_on=s["confirmed_on"],
                start=readable_day(_day(s["start"])),
                end=readable_day(_day(s["end"])),
                award=_dec(s["award"]),
                original_start=y.start,
                original_end=y.end,
                original_award=y.award,
                original_status=y.status,
                conditions=y.conditions,
                variations=tuple(applied[y.label]),
            )
        )
    return result


def grant_end(years: Iterable[FundingYearState]) -> date | None:
    """The grant's last day: the latest end of its funding years that are not
    withdrawn (as varied); None when there are none."""
    return max((y.end for y in years if y.status != "withdrawn"), default=None)


def first_financial_year_after(day: date) -> str:
    """The first financial year that starts after ``day`` (e.g. the grant's last day):
    ``FY2021/22`` after 31/03/2021, ``FY2022/23`` after 31/07/2021."""
    return financial_year_label(date(day.year + (day.month >= 4), 4, 1))


def _dec(value: object) -> Decimal:
    assert isinstance(value, Decimal)
    return value


def _day(value: object) -> date:
    assert isinstance(value, date)
    return value


def allocate(day: date, years: Sequence[FundingYearState]) -> str | None:
    """The label of the funding year a day's spend belongs to, or ``None``."""
    best: FundingYearState | None = None
    for y in years:
        if y.status == "withdrawn" or not (y.start <= day <= y.end):
            continue
        if best is None or (y.start, y.original_start) < (best.start, best.original_start):
            best = y
    return None if best is None else best.label


class Allocator:
    """:func:`allocate` with a memo, for reports over many lines on few dates."""

    def __init__(self, years: Sequence[FundingYearState]) -> None:
        self.years = list(years)
        self.by_label = {y.label: y for y in self.years}
        self._memo: dict[date, str | None] = {}

    def __call__(self, day: date, explicit: str | None = None) -> str | None:
        if explicit is not None:
            return explicit
        try:
            return self._memo[day]
        except KeyError:
            label = self._memo[day] = allocate(day, self.years)
            return label


def spend_orphaned(
    day: date, explicit: str | None, years: Sequence[FundingYearState], allocator: Allocator
) -> str | None:
    """Why spend dated ``day`` (charged to ``explicit``, if named) is in no open
    funding year, or None when one holds it."""
    if explicit is None:
        return None if allocator(day) is not None else "falls in no funding period"
    named = allocator.by_label.get(explicit)
    if named is None:
        return f"is charged to funding year {explicit}, which does not exist"
    if named.status == "withdrawn":
        return f"is charged to funding year {named.label}, which is withdrawn"
    if not (named.start <= day <= named.end):
        return (
            f"is outside funding year {named.label} ({named.start} to {named.end}) it is charged to"
        )
    return None


@dataclass(frozen=True)
class Orphans:
    """Counts and totals (pence) of spend lines and receipts no open funding year holds."""

    spend_lines: int = 0
    spend_pence: int = 0
    receipts: int = 0
    receipt_pence: int = 0


def orphans_made(
    before: Sequence[FundingYearState],
    after: Sequence[FundingYearState],
    spend_days: Iterable[tuple[date, str | None, int, int]],
    receipts: Iterable[tuple[str, int]],
) -> Orphans | None:
    """What a change of the funding years from ``before`` to ``after`` orphans: the
    money an open year held before and none holds after (None if nothing).

    Args:
        before: the funding years as varied before the change.
        after: the same, after it.
        spend_days: ``(date, explicit year, lines, pence)`` of the spend.
        receipts: ``(funding year, pence)`` of each receipt.
    """
    was, now = Allocator(before), Allocator(after)
    lines = pence = 0
    for day, explicit, count, total in spend_days:
        if (
            spend_orphaned(day, explicit, after, now) is not None
            and spend_orphaned(day, explicit, before, was) is None
        ):
            lines += count
            pence += total
    newly = {y.label for y in after if y.status == "withdrawn"} - {
        y.label for y in before if y.status == "withdrawn"
    }
    held = [p for label, p in receipts if label in newly]
    if not lines and not held:
        return None
    return Orphans(lines, pence, len(held), sum(held))
