"""Conditions of a funding year: what must be evidenced before its money is secure.

Pure, no I/O. The rules:

* **Numbers.** A condition is numbered within its funding year, from 1, in the order
  it was recorded: first those recorded with the year itself (``year add
  --condition``, in their order), then each added with ``condition add``.
* **Status over time.** A condition's status is a dated history, like a post's: the
  status as at a day is the latest change effective on or before it (ties broken by
  the order recorded); a condition is ``open`` before its first change. ``not-met``
  and ``waived`` need a reason. Nothing is edited: a new dated change supersedes.
* **Evidence** is a list of dated notes (with a document reference, optionally); the
  evidence as at a day is what is dated on or before it.
* **As at a day** (the rule of time, :mod:`fsgrant.domain.time_rule`): a condition
  counts once agreed (:func:`condition_agreed`: its agreed date, else the day it was
  recorded; one given with its funding year counts whenever the year does), with the
  statuses and evidence dated on or before the day; its history stops at the day.
* **Secure.** A funding year's money is secure only when the year is confirmed; for
  an in-principle year the summary shows how many of its conditions are ``met`` as
  at the date (a ``waived`` condition is counted apart: it no longer stands in the
  way, but it was not met).
* **Computed checks.** A condition may name a check fsgrant works out from the
  ledger, shown beside what people record (never instead of it):

  - ``estimates`` (:func:`estimates_check`): a funding year's forecast outturn
    (actual plus forecast remaining) against its *original* estimates, in total and
    by category. Variance = outturn - original estimate; variance % = variance /
    original x 100, to one decimal, half-up. A line is *within tolerance* when
    ``|variance| <= tolerance% x original`` (worked exactly, before rounding); a
    category with no original estimate is within only when nothing is forecast on
    it. The *worst* category is the one furthest out: the largest ``|variance %|``
    (a category with no estimate but spend ranks first), ties by the largest
    ``|variance|``, then by name.
  - ``sustainability`` (:func:`sustainability_check`): from the onward-sustainability
    plan, the first financial year that starts after the grant ends (the latest end
    of its funding years that are not withdrawn, as varied), its gap and its funded
    percentage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, Field

from fsgrant.domain.funding import first_financial_year_after, grant_end
from fsgrant.domain.models import Day, FundingYearState, Money
from fsgrant.domain.money import ZERO, percent
from fsgrant.domain.record import RECORD_CONFIG
from fsgrant.domain.reports import Percent, VarianceReport
from fsgrant.domain.time_rule import latest_on_or_before

__all__ = [
    "CHECK_KINDS",
    "CONDITION_STATUSES",
    "REASON_REQUIRED",
    "CategoryCheck",
    "CheckKind",
    "Condition",
    "ConditionCheck",
    "ConditionState",
    "ConditionStatus",
    "ConditionStatusChange",
    "EstimatesCheck",
    "Evidence",
    "EvidenceItem",
    "SustainabilityCheck",
    "SustainabilityReportLike",
    "SustainabilityYearLike",
    "YearConditions",
    "condition_agreed",
    "condition_state",
    "condition_states",
    "estimates_check",
    "first_year_after",
    "status_as_at",
    "sustainability_check",
    "sustainability_unavailable",
    "year_conditions",
]

ConditionStatus = Literal["open", "submitted", "met", "not-met", "waived"]
CONDITION_STATUSES: tuple[str, ...] = ("open", "submitted", "met", "not-met", "waived")
REASON_REQUIRED = frozenset({"not-met", "waived"})
CheckKind = Literal["estimates", "sustainability"]
CHECK_KINDS: tuple[str, ...] = ("estimates", "sustainability")


class _Record(BaseModel):
    model_config = RECORD_CONFIG


class Condition(_Record):
    """A condition of a funding year, as recorded."""

    year: str
    """The funding year it attaches to."""
    number: int
    """1-based within the year, in the order recorded."""
    text: str
    due: Day | None = None
    agreed_on: Day | None = None
    check: CheckKind | None = None
    """The computed check shown beside it, if any."""
    check_year: str | None = None
    """For an ``estimates`` check: the funding year whose spend is judged (None: its own)."""
    recorded_at: datetime | None = None
    """None for a condition recorded with its funding year (``year add --condition``)."""
    recorded_by: str | None = None


class Evidence(_Record):
    """A dated piece of evidence recorded for a condition."""

    id: int
    year: str
    number: int
    on: Day
    note: str
    document: str | None = None
    recorded_at: datetime
    recorded_by: str


class ConditionStatusChange(_Record):
    """A dated change of a condition's status."""

    id: int
    year: str
    number: int
    status: ConditionStatus
    on: Day
    reason: str | None = None
    reference: str | None = None
    recorded_at: datetime
    recorded_by: str


# ---------------------------------------------------------------- computed checks
class CategoryCheck(_Record):
    """One category (or the total) of the ``estimates`` check."""

    category: str
    original_estimate: Money
    forecast_outturn: Money
    variance: Money
    """Forecast outturn less the original estimate (positive: overspend)."""
    variance_pct: Percent | None
    """None when the original estimate is zero."""
    within_tolerance: bool


class EstimatesCheck(_Record):
    """Spend in line with original estimates: a funding year's forecast outturn
    against its original estimates, as at a date."""

    kind: Literal["estimates"] = "estimates"
    funding_year: str
    as_at: date
    tolerance_pct: Percent
    original_estimate: Money
    forecast_outturn: Money
    variance: Money
    variance_pct: Percent | None
    within_tolerance: bool
    """The total is within tolerance (see ``categories`` for each category)."""
    categories: tuple[CategoryCheck, ...]
    categories_outside: int
    worst_category: str | None
    """The category furthest from its estimate (None when there are none)."""


class SustainabilityCheck(_Record):
    """Onward sustainability: the first financial year after the grant, from the plan."""

    kind: Literal["sustainability"] = "sustainability"
    available: bool
    note: str | None = None
    """Why the figures are not available, when they are not."""
    grant_ends: date | None = None
    financial_year: str | None = None
    """E.g. ``FY2021/22``: the first financial year starting after the grant ends."""
    gap: Money | None = None
    """Cost less grant less funding in that year (positive: unfunded)."""
    funded_pct: Percent | None = None
    sustainable_from: str | None = None


ConditionCheck = Annotated[EstimatesCheck | SustainabilityCheck, Field(discriminator="kind")]


class EvidenceItem(_Record):
    """Evidence as shown with a condition."""

    id: int | None = None
    """The evidence record's id (what a return keys its row by)."""
    on: date
    note: str
    document: str | None = None


class ConditionState(_Record):
    """A condition as at a date: its status then, its evidence, its computed check.

    In JSON: ``year``, ``number``, ``text``, ``due``, ``status``, ``status_on`` (the
    date of the change in force; None while open from the start), ``evidence`` (a
    list of ``{"id", "on", "note", "document"}``) and ``check`` (None, or the figures).
    """

    year: str
    number: int
    text: str
    due: date | None
    agreed_on: date | None
    status: ConditionStatus
    status_on: date | None
    reason: str | None
    reference: str | None
    evidence: tuple[EvidenceItem, ...]
    check_kind: CheckKind | None
    check: ConditionCheck | None
    history: tuple[ConditionStatusChange, ...] = ()
    """Every recorded change of status, oldest first (including any after the date)."""

    @property
    def label(self) -> str:
        """``2020/21 #2``."""
        return f"{self.year} #{self.number}"


class YearConditions(_Record):
    """How many of a funding year's conditions are met (or waived) as at a date."""

    total: int = 0
    met: int = 0
    waived: int = 0


# ---------------------------------------------------------------- rules
def status_as_at(
    history: Iterable[ConditionStatusChange], day: date
) -> ConditionStatusChange | None:
    """The status change in force on ``day``: the latest effective on or before it
    (the later recorded when two share a date); None when the condition is still
    ``open`` from the start."""
    return latest_on_or_before(
        history, day, key=lambda _c: 0, on=lambda c: c.on, order=lambda c: c.id
    ).get(0)


def condition_state(
    condition: Condition,
    day: date,
    history: Sequence[ConditionStatusChange],
    evidence: Sequence[Evidence],
    check: EstimatesCheck | SustainabilityCheck | None,
) -> ConditionState:
    """A condition as at ``day`` (see the module's rules)."""
    change = status_as_at(history, day)
    return ConditionState(
        year=condition.year,
        number=condition.number,
        text=condition.text,
        due=condition.due,
        agreed_on=condition.agreed_on,
        status="open" if change is None else change.status,
        status_on=None if change is None else change.on,
        reason=None if change is None else change.reason,
        reference=None if change is None else change.reference,
        evidence=tuple(
            EvidenceItem(id=e.id, on=e.on, note=e.note, document=e.document)
            for e in sorted(evidence, key=lambda e: (e.on, e.id))
            if e.on <= day
        ),
        check_kind=condition.check,
        check=check,
        history=tuple(sorted((c for c in history if c.on <= day), key=lambda c: (c.on, c.id))),
    )


def condition_states(
    conditions: Iterable[Condition],
    statuses: Iterable[ConditionStatusChange],
    evidence: Iterable[Evidence],
    day: date,
    check: Callable[[Condition], EstimatesCheck | SustainabilityCheck | None] | None = None,
) -> list[ConditionState]:
    """Each condition as at ``day`` (in the order given), from every status change and
    piece of evidence, with its computed check from ``check`` (asked only of a condition
    that names a check; none when not given)."""
    history: dict[tuple[str, int], list[ConditionStatusChange]] = defaultdict(list)
    for s in statuses:
        history[(s.year, s.number)].append(s)
    notes: dict[tuple[str, int], list[Evidence]] = defaultdict(list)
    for e in evidence:
        notes[(e.year, e.number)].append(e)
    return [
        condition_state(
            c,
            day,
            history.get((c.year, c.number), []),
            notes.get((c.year, c.number), []),
            None if check is None or c.check is None else check(c),
        )
        for c in conditions
        if _agreed_by(c, day)
    ]


def _agreed_by(condition: Condition, day: date) -> bool:
    agreed = condition_agreed(condition)
    return agreed is None or agreed <= day


def condition_agreed(condition: Condition) -> date | None:
    """The day a condition was agreed, the date that decides whether it counts as at a
    day (:mod:`fsgrant.domain.time_rule`): its agreed date, else the day it was
    recorded; None for a condition given with its funding year, a term of the award
    like its amount, which counts whenever the year does."""
    if condition.agreed_on is not None:
        return condition.agreed_on
    return None if condition.recorded_at is None else condition.recorded_at.date()


def year_conditions(states: Iterable[ConditionState]) -> dict[str, YearConditions]:
    """Per funding year: how many conditions, how many met, how many waived."""
    counts: dict[str, list[int]] = {}
    for s in states:
        c = counts.setdefault(s.year, [0, 0, 0])
        c[0] += 1
        c[1] += s.status == "met"
        c[2] += s.status == "waived"
    return {k: YearConditions(total=t, met=m, waived=w) for k, (t, m, w) in counts.items()}


def _within(variance: Decimal, original: Decimal, tolerance: Decimal) -> bool:
    if original == 0:
        return variance == 0
    return abs(variance) * 100 <= tolerance * abs(original)


def _line(category: str, original: Decimal, outturn: Decimal, tolerance: Decimal) -> CategoryCheck:
    variance = outturn - original
    return CategoryCheck(
        category=category,
        original_estimate=original,
        forecast_outturn=outturn,
        variance=variance,
        variance_pct=percent(variance, original),
        within_tolerance=_within(variance, original, tolerance),
    )


def estimates_check(variance: VarianceReport, tolerance_pct: Decimal) -> EstimatesCheck:
    """The ``estimates`` check from a funding year's variance report (against its
    original estimates) and the tolerance in percent (see the module's rules).

    Raises:
        ValueError: the report compares against revised estimates.
    """
    if variance.against != "original":
        raise ValueError("the estimates check compares against the original estimates")
    lines = tuple(
        _line(v.category, v.estimate_original, v.outturn, tolerance_pct) for v in variance.lines
    )
    original = sum((c.original_estimate for c in lines), ZERO)
    outturn = sum((c.forecast_outturn for c in lines), ZERO)
    total = _line("total", original, outturn, tolerance_pct)

    def how_far(c: CategoryCheck) -> tuple[int, Decimal, Decimal]:
        if c.variance_pct is None:
            return (1 if c.variance != 0 else 0, abs(c.variance), abs(c.variance))
        return (0, abs(c.variance_pct), abs(c.variance))

    worst = None
    if lines:
        far = max(how_far(c) for c in lines)
        worst = sorted(c.category for c in lines if how_far(c) == far)[0]
    return EstimatesCheck(
        funding_year=variance.funding_year,
        as_at=variance.as_at or date.today(),
        tolerance_pct=tolerance_pct,
        original_estimate=original,
        forecast_outturn=outturn,
        variance=total.variance,
        variance_pct=total.variance_pct,
        within_tolerance=total.within_tolerance,
        categories=lines,
        categories_outside=sum(1 for c in lines if not c.within_tolerance),
        worst_category=worst,
    )


class SustainabilityYearLike(Protocol):
    """What the check reads from a row of the sustainability plan."""

    @property
    def financial_year(self) -> str: ...
    @property
    def gap(self) -> Decimal: ...
    @property
    def funded_pct(self) -> Decimal | None: ...


class SustainabilityReportLike(Protocol):
    """What the check reads from the sustainability plan's report."""

    @property
    def years(self) -> Sequence[SustainabilityYearLike]: ...
    @property
    def sustainable_from(self) -> str | None: ...


def first_year_after(years: Iterable[FundingYearState]) -> tuple[date, str] | None:
    """When the grant ends (the latest end of its funding years not withdrawn) and
    the first financial year starting after that day; None without funding years."""
    end = grant_end(years)
    if end is None:
        return None
    return end, first_financial_year_after(end)


def sustainability_unavailable(note: str, grant_ends: date | None = None) -> SustainabilityCheck:
    """The ``sustainability`` check when its figures cannot be worked out."""
    return SustainabilityCheck(available=False, note=note, grant_ends=grant_ends)


def sustainability_check(
    report: SustainabilityReportLike, years: Iterable[FundingYearState]
) -> SustainabilityCheck:
    """The ``sustainability`` check: the first financial year after the grant ends
    (see :func:`first_year_after`), its gap and funded percentage, from the plan."""
    after = first_year_after(years)
    if after is None:
        return sustainability_unavailable("not available: no funding years")
    end, label = after
    row = next((y for y in report.years if y.financial_year == label), None)
    if row is None:
        return sustainability_unavailable(
            f"not available: the plan does not reach {label}, the first financial year "
            "after the grant ends",
            end,
        )
    return SustainabilityCheck(
        available=True,
        grant_ends=end,
        financial_year=label,
        gap=row.gap,
        funded_pct=row.funded_pct,
        sustainable_from=report.sustainable_from,
    )
