"""Funded posts, their recruitment history, and what they cost: pure, no I/O.

The calendar-month method
-------------------------
* Monthly cost = annual cost x FTE / 12 (kept exact, not rounded).
* For a calendar month the post is active on only some days of, the month's cost is
  monthly cost x active days / days in that month (31 for March, 29 for February 2020).
* Each month's figure is rounded half-up to the penny, and a total over any window
  is the sum of its monthly figures, so a monthly profile always adds up to its total.
  Where a window cuts a month (an as-at date, the edge of a funding year), the part of
  the month inside the window is one figure, rounded once.

When a post is expected to cost
-------------------------------
A post's recorded status changes make a timeline; each change is in force from its
effective date to the day before the next change (a post is ``planned`` until its
first change). Within each stretch the post costs by the rule of its status:

* ``in-post``: from the effective date of the change;
* ``planned``, ``advertised``, ``offered``: from the expected start date if given,
  else the planned start date;
* ``vacant`` and ``blocked``: nothing, unless an expected start date is given (from then);
* ``withdrawn``: nothing;

and never after the post's end date. A change is in force *on* its effective date:
a post that goes vacant on 1 June costs nothing from 1 June.

Changes of a post's details
---------------------------
A post's details (annual cost, salary and on-cost rate, FTE, host, route, team,
title, end date) change by dated records too (:class:`PostChange`: a pay award, an
FTE change, a secondment moving host, a leaving date, the correction of a wrong
value, dated at the post's start). A change is in force from its effective date; the
details as at a day are the post as added with every change effective on or before
it applied in date order (:meth:`Post.as_at`). A field a change leaves out keeps
the value in force before it.

* **Rate**: each day costs at the monthly cost (annual cost x FTE / 12) in force on
  that day. A month in which the rate changes is split by days at each rate and the
  month is still rounded once: ``round(Σ monthly rate x days at it / days in month)``.
  A pay award to £48,000 from 10 April on a £46,500 post costs, in April,
  (3,875.00 x 9 + 4,000.00 x 21) / 30 = 3,962.50.
* **End**: the post costs nothing after the end date the recorded changes leave it
  with (the last, in date order, that sets one): a leaving date is known from the
  day it is recorded, whatever the date of the change that records it.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator

from fsgrant.domain.funding import allocate
from fsgrant.domain.models import Category, Day, FundingYearState, Money
from fsgrant.domain.money import ZERO, round_half_up
from fsgrant.domain.periods import Period, days_in_month
from fsgrant.domain.record import RECORD_CONFIG
from fsgrant.domain.reports import Fte
from fsgrant.domain.time_rule import latest_on_or_before
from fsgrant.errors import InvalidInput

__all__ = [
    "POST_ROLES",
    "POST_ROUTES",
    "POST_STATUSES",
    "Post",
    "PostChange",
    "PostRole",
    "PostRoute",
    "PostStatus",
    "StatusChange",
    "Stretch",
    "allocation_segments",
    "annual_cost_from_salary",
    "cost_by_month",
    "forecast_by_year",
    "parse_fte",
    "parse_rate",
    "timeline",
]

PostRole = Literal[
    "domestic-abuse", "substance-misuse", "mental-health", "probation", "psychologist", "other"
]
PostRoute = Literal["direct", "secondment", "recharge"]
PostStatus = Literal[
    "planned", "advertised", "offered", "in-post", "vacant", "blocked", "withdrawn"
]
POST_ROLES: tuple[str, ...] = (
    "domestic-abuse",
    "substance-misuse",
    "mental-health",
    "probation",
    "psychologist",
    "other",
)
POST_ROUTES: tuple[str, ...] = ("direct", "secondment", "recharge")
POST_STATUSES: tuple[str, ...] = (
    "planned",
    "advertised",
    "offered",
    "in-post",
    "vacant",
    "blocked",
    "withdrawn",
)
# Statuses whose reason is required, and those an expected start makes no sense for.
REASON_REQUIRED = frozenset({"blocked", "withdrawn"})
NO_EXPECTED_START = frozenset({"in-post", "withdrawn"})


def _decimal_text(value: object, field: str, what: str) -> Decimal:
    if isinstance(value, bool | float):
        raise InvalidInput(
            f"{field}: floating-point numbers are refused; give text such as '0.5'",
            field=field,
            value=value,
        )
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, str):
        text = value.strip().rstrip("%").strip()
        if not text or "e" in text.lower():
            raise InvalidInput(f"{field}: '{value}' is not {what}", field=field, value=value)
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise InvalidInput(
                f"{field}: '{value}' is not {what}", field=field, value=value
            ) from None
    else:
        raise InvalidInput(f"{field}: cannot read {type(value).__name__}", field=field)
    if not result.is_finite():
        raise InvalidInput(f"{field}: '{value}' is not {what}", field=field, value=value)
    return result


def parse_fte(value: object, *, field: str = "fte") -> Decimal:
    """Read a full-time equivalent: text such as ``1``, ``0.6`` or ``0.81``, a
    ``Decimal`` or an ``int``; more than 0, at most 1, at most two decimal places.

    Raises:
        InvalidInput: a float, bad text, or a value out of range.
    """
    fte = _decimal_text(value, field, "an FTE such as 1 or 0.6")
    if fte != fte.quantize(Decimal("0.01")):
        raise InvalidInput(
            f"{field}: {value} has more than two decimal places", field=field, value=value
        )
    if not (0 < fte <= 1):
        raise InvalidInput(
            f"{field}: {value} is not more than 0 and at most 1", field=field, value=value
        )
    return fte.quantize(Decimal("0.01"))


def parse_rate(value: object, *, field: str = "on_cost_rate") -> Decimal:
    """Read an on-cost rate as a percentage of salary: ``28.5`` or ``28.5%``
    (employer National Insurance plus pension). From 0 to 100, floats refused."""
    rate = _decimal_text(value, field, "a percentage such as 28.5")
    if not (0 <= rate <= 100):
        raise InvalidInput(f"{field}: {value}% is not between 0 and 100", field=field)
    return rate


def annual_cost_from_salary(salary: Decimal, rate: Decimal) -> Decimal:
    """Annual cost = salary x (1 + on-cost rate / 100), rounded half-up to the penny."""
    return round_half_up(salary * (1 + rate / 100))


def _fte(value: object) -> Decimal:
    return parse_fte(value)


class _Record(BaseModel):
    model_config = RECORD_CONFIG


class StatusChange(_Record):
    """A dated change of a post's recruitment status (history: never overwritten)."""

    id: int
    post: str
    status: PostStatus
    effective: Day
    reason: str | None = None
    expected_start: Day | None = None
    recorded_at: datetime
    recorded_by: str


class PostChange(_Record):
    """A dated change of a post's details (history: never overwritten). A field left
    None keeps the value in force before the change."""

    id: int
    post: str
    effective: Day
    annual_cost: Money | None = None
    salary: Money | None = None
    on_cost_rate: Decimal | None = None
    fte: Annotated[Fte, BeforeValidator(_fte)] | None = None
    host: str | None = None
    route: PostRoute | None = None
    team: str | None = None
    title: str | None = None
    end: Day | None = None
    reason: str
    recorded_at: datetime
    recorded_by: str

    @property
    def changed(self) -> dict[str, object]:
        """The fields this change sets, by name."""
        return {f: getattr(self, f) for f in DETAIL_FIELDS if getattr(self, f) is not None}


DETAIL_FIELDS: tuple[str, ...] = (
    "annual_cost",
    "salary",
    "on_cost_rate",
    "fte",
    "host",
    "route",
    "team",
    "title",
    "end",
)
"""The details of a post a :class:`PostChange` can set."""


class Post(_Record):
    """A funded role as added, its whole recorded status history and its dated
    changes of details (oldest first). Use :meth:`as_at` for the details in force."""

    id: str
    title: str = ""
    role: PostRole
    team: str | None = None
    host: str
    route: PostRoute
    fte: Annotated[Fte, BeforeValidator(_fte)]
    annual_cost: Money
    """Including on-costs."""
    salary: Money | None = None
    on_cost_rate: Decimal | None = None
    """Percent of salary, when the annual cost was computed from salary."""
    category: Category = "staffing"
    planned_start: Day
    end: Day | None = None
    history: tuple[StatusChange, ...] = ()
    changes: tuple[PostChange, ...] = ()

    @property
    def monthly_cost(self) -> Decimal:
        """Annual cost x FTE / 12, exact (unrounded), of these details."""
        return self.annual_cost * self.fte / 12

    def _ordered_changes(self) -> list[PostChange]:
        return sorted(self.changes, key=lambda c: (c.effective, c.id))

    def as_at(self, day: date) -> Post:
        """The post with the details in force on ``day``: as added, with every change
        effective on or before it applied in date order (history kept)."""
        update: dict[str, object] = {}
        for change in self._ordered_changes():
            if change.effective > day:
                break
            update.update(_applied(change))
        return self.model_copy(update=update) if update else self

    @property
    def final_end(self) -> date | None:
        """The end date every recorded change leaves the post with."""
        end = self.end
        for change in self._ordered_changes():
            if change.end is not None:
                end = change.end
        return end

    def annual_rates(self) -> list[tuple[date | None, Decimal]]:
        """Annual cost x FTE in force from each date (None: from the beginning), in
        date order, exact; a change of neither cost nor FTE adds no step."""
        rates: list[tuple[date | None, Decimal]] = [(None, self.annual_cost * self.fte)]
        current = self
        for change in self._ordered_changes():
            if change.annual_cost is None and change.fte is None:
                continue
            current = current.model_copy(update=_applied(change))
            step = (change.effective, current.annual_cost * current.fte)
            if rates[-1][0] == change.effective:
                rates[-1] = step
            else:
                rates.append(step)
        return rates

    def change_as_at(self, day: date) -> StatusChange | None:
        """The latest change effective on or before ``day`` (None: still planned)."""
        # The history is in effective order, ties in the order recorded.
        return latest_on_or_before(
            self.history, day, key=lambda _c: 0, on=lambda c: c.effective, order=lambda c: c.id
        ).get(0)

    def status_as_at(self, day: date) -> str:
        change = self.change_as_at(day)
        return "planned" if change is None else change.status

    def status_since(self, day: date) -> date | None:
        """When the status in force on ``day`` began: the first of the run of changes
        to that same status leading up to it (None for a post never changed)."""
        ordered = [c for c in self.history if c.effective <= day]
        if not ordered:
            return None
        status = ordered[-1].status
        since = ordered[-1].effective
        for change in reversed(ordered):
            if change.status != status:
                break
            since = change.effective
        return since


def _applied(change: PostChange) -> dict[str, object]:
    """The fields a change sets; a new annual cost without a salary clears the salary
    and rate it was once computed from."""
    update = change.changed
    if change.annual_cost is not None and change.salary is None:
        update.update(salary=None, on_cost_rate=None)
    return update


@dataclass(frozen=True)
class Stretch:
    """A part of a post's timeline under one status. ``start`` None: from the
    beginning; ``end`` None: open-ended. ``cost_from`` None: costs nothing."""

    start: date | None
    end: date | None
    status: str
    cost_from: date | None


def timeline(post: Post) -> list[Stretch]:
    """The post's timeline, with the day from which each stretch costs."""
    changes = sorted(post.history, key=lambda c: (c.effective, c.id))
    stretches: list[Stretch] = []
    first = changes[0].effective if changes else None
    if first is None or first > date.min:
        end = None if first is None else first - timedelta(days=1)
        stretches.append(Stretch(None, end, "planned", post.planned_start))
    for i, change in enumerate(changes):
        nxt = changes[i + 1].effective if i + 1 < len(changes) else None
        if nxt is not None and nxt == change.effective:
            continue  # a later change on the same day replaces this one
        end = None if nxt is None else nxt - timedelta(days=1)
        stretches.append(Stretch(change.effective, end, change.status, _cost_from(post, change)))
    return stretches


def _cost_from(post: Post, change: StatusChange) -> date | None:
    if change.status == "in-post":
        return change.effective
    if change.status in ("planned", "advertised", "offered"):
        return change.expected_start or post.planned_start
    if change.status in ("vacant", "blocked"):
        return change.expected_start
    return None  # withdrawn


def active_periods(post: Post, window: Period) -> list[Period]:
    """The days within ``window`` on which the post is expected to cost."""
    out: list[Period] = []
    for s in timeline(post):
        if s.cost_from is None:
            continue
        start = max(s.cost_from, s.start or date.min, window.start)
        end = min(s.end or date.max, post.final_end or date.max, window.end)
        if start <= end:
            out.append(Period(start, end))
    return out


def cost_by_month(post: Post, window: Period) -> dict[date, Decimal]:
    """The post's expected cost in ``window``, month by month (first day of the
    month -> amount), by the calendar-month method; months with no active day are left
    out. A month in which the rate changes is split by days at each rate and rounded
    once."""
    rates = post.annual_rates()
    # Sum annual rate x days exactly, then divide once: each month is one figure.
    rate_days: dict[date, Decimal] = defaultdict(Decimal)
    for part in active_periods(post, window):
        for i, (since, annual) in enumerate(rates):
            until = rates[i + 1][0] if i + 1 < len(rates) else None
            start = max(part.start, since or date.min)
            end = min(part.end, until - timedelta(days=1) if until else date.max)
            if start > end:
                continue
            for month in Period(start, end).iter_months():
                first = month.start.replace(day=1)
                rate_days[first] += annual * month.days
    return {
        first: round_half_up(total / (12 * days_in_month(first.year, first.month)))
        for first, total in sorted(rate_days.items())
    }


def allocation_segments(years: Sequence[FundingYearState]) -> list[tuple[Period, str]]:
    """The days funding years take, as spans each allocated to one year by the same
    rule as spend (:func:`fsgrant.domain.funding.allocate`: on overlap the earliest start wins;
    withdrawn years take none), in date order. Days no year takes are left out."""
    live = [y for y in years if y.status != "withdrawn"]
    points = sorted({y.start for y in live} | {y.end + timedelta(days=1) for y in live})
    segments: list[tuple[Period, str]] = []
    for a, b in itertools.pairwise(points):
        label = allocate(a, years)
        if label is None:
            continue
        span = Period(a, b - timedelta(days=1))
        if segments and segments[-1][1] == label and segments[-1][0].end + timedelta(1) == a:
            segments[-1] = (Period(segments[-1][0].start, span.end), label)
        else:
            segments.append((span, label))
    return segments


def forecast_by_year(
    post: Post, as_at: date, segments: Iterable[tuple[Period, str]]
) -> dict[str, dict[date, Decimal]]:
    """The post's expected cost after ``as_at``, by funding year and month.

    Each day after ``as_at`` counts once, in the funding year it is allocated to
    (see :func:`allocation_segments`); a month cut by an as-at date or a year boundary
    is rounded once per part.
    """
    out: dict[str, dict[date, Decimal]] = {}
    after = as_at + timedelta(days=1)
    for span, label in segments:
        if span.end < after:
            continue
        window = Period(max(span.start, after), span.end)
        months = cost_by_month(post, window)
        if months:
            target = out.setdefault(label, {})
            for first, amount in months.items():
                target[first] = target.get(first, ZERO) + amount
    return out
