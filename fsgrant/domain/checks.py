"""``fsgrant check``: problems in the ledger as data, never raised.

Each rule is one small function over the facts of the ledger as at a date
(:class:`LedgerFacts`), returning its findings; :func:`run_checks` runs them in turn
and lists errors first, then warnings. The rules:

* ``spend-outside-periods`` (error): spend no open funding year holds: dated in no
  funding period, outside the year it names, or charged to a withdrawn year (the rule
  is :func:`fsgrant.domain.funding.spend_orphaned`; a variation recorded with
  ``orphan_ok`` leaves such lines, and this lists them).
* ``receipts-of-withdrawn-year`` (warning): money received for a withdrawn year, which
  is repayable to the funder.
* ``spend-without-estimate`` (warning): spend in a category a year has no estimate for.
* ``estimates-over-award`` (error): a year's latest estimates add up to more than its award.
* ``estimates-off-total`` (warning): after a revision (a virement), a year's estimates
  in force no longer add up to what its original estimates did (nor to its award),
  naming the difference in pounds: money moved out of one category and not into
  another.
* ``receipts-over-award`` (error): more received for a year than its award.
* ``in-principle-spend`` (warning): spend in a year only agreed in principle.
* ``forecast-overspend`` (warning): forecast outturn above the award.
* ``committed-after-year-end`` (warning): purchase orders still open in a year whose
  period has ended: invoice them, accrue the work done, or cancel them.
* ``condition-overdue`` (warning): a condition past its due date that is neither met
  nor waived (a waived condition is satisfied: it no longer stands in the way).
* ``blocked-past-expected-start`` (warning): a post still blocked after its expected start.
* ``post-start-overdue`` (warning): a post planned, advertised or offered after its
  expected start (the forecast counts it as costing).
* ``grant-and-funding-over-cost`` (warning): a financial year of the
  onward-sustainability plan in which the grant's outturn and the plan's funding both
  count and together come to more than the model's cost there. Funding in a year the
  grant also pays for is legitimate co-funding, so it is not refused; but beyond the
  cost it counts money twice: funding committed for what the grant already pays for,
  or a cost the plan does not hold yet (``plan cost``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from fsgrant.domain.conditions import ConditionState
from fsgrant.domain.figures import YearCategory, YearFigures
from fsgrant.domain.funding import Allocator, spend_orphaned
from fsgrant.domain.horizon import EARLIEST_DAY, LATEST_DAY, readable_day
from fsgrant.domain.models import Finding, FundingYearState
from fsgrant.domain.money import ZERO, format_money, format_pounds, from_pence
from fsgrant.domain.posts import Post
from fsgrant.domain.sustainability import SustainabilityYear

__all__ = ["LedgerFacts", "SpendDay", "run_checks"]


@dataclass(frozen=True)
class SpendDay:
    """Spend lines of one day charged to one explicit year (or none): count and pence."""

    day: date
    explicit_year: str | None
    lines: int
    pence: int


@dataclass(frozen=True)
class LedgerFacts:
    """What the checks look at, as at ``day``."""

    day: date
    years: list[FundingYearState]
    spend_days: list[SpendDay]
    figures: dict[str, YearFigures]
    original: Mapping[YearCategory, Decimal]
    latest: Mapping[YearCategory, Decimal]
    received: Mapping[str, Decimal]
    posts: list[Post]
    plan: tuple[SustainabilityYear, ...] = ()
    """The onward-sustainability plan's years as at ``day`` (none without a plan)."""
    conditions: tuple[ConditionState, ...] = ()
    """Every condition as at ``day``, with its terms as amended by then."""
    revisions: Mapping[str, tuple[date, str]] = field(default_factory=dict)
    """Per funding year, its latest estimate revision made by ``day``: (date, category)."""


def _spend_outside_periods(facts: LedgerFacts) -> list[Finding]:
    allocator = Allocator(facts.years)
    out = []
    for s in facts.spend_days:
        why = spend_orphaned(s.day, s.explicit_year, facts.years, allocator)
        if why is None:
            continue
        out.append(
            Finding(
                severity="error",
                code="spend-outside-periods",
                message=f"{s.lines} spend line(s) dated {s.day.isoformat()} (total {format_money(from_pence(s.pence))}) {why}",
                subject=s.day.isoformat(),
            )
        )
    return out


def _years_past_horizon(facts: LedgerFacts) -> list[Finding]:
    """A funding year dated (first, or by a variation) outside the span reports read
    (stored before the horizon was checked): reported, read as cut to that span."""
    out = []
    for y in facts.years:
        days = [y.original_start, y.original_end]
        days += [d for v in y.variations for d in (v.new_start, v.new_end) if d is not None]
        outside = sorted({d for d in days if readable_day(d) != d})
        if outside:
            out.append(
                Finding(
                    severity="warning",
                    code="date-past-horizon",
                    message=f"funding year {y.label} is dated "
                    f"{', '.join(d.isoformat() for d in outside)}, outside "
                    f"{EARLIEST_DAY.isoformat()} - {LATEST_DAY.isoformat()}: reports read it "
                    f"as {y.start.isoformat()} to {y.end.isoformat()}; record a variation",
                    subject=y.label,
                )
            )
    return out


YearRule = Callable[[LedgerFacts, YearFigures], list[Finding]]


def _spend_without_estimate(facts: LedgerFacts, f: YearFigures) -> list[Finding]:
    label = f.year.label
    return [
        Finding(
            severity="warning",
            code="spend-without-estimate",
            message=f"{format_money(c.actual)} spent on {c.category} in {label}, which has no estimate",
            subject=f"{label}/{c.category}",
        )
        for c in f.categories
        if c.actual != 0 and (label, c.category) not in facts.original
    ]


def _estimates_over_award(facts: LedgerFacts, f: YearFigures) -> list[Finding]:
    y = f.year
    estimated = sum((v for (lbl, _c), v in facts.latest.items() if lbl == y.label), ZERO)
    if estimated <= y.award:
        return []
    return [
        Finding(
            severity="error",
            code="estimates-over-award",
            message=f"estimates for {y.label} add up to {format_money(estimated)}, more than its award of {format_money(y.award)}",
            subject=y.label,
        )
    ]


def _estimates_off_total(facts: LedgerFacts, f: YearFigures) -> list[Finding]:
    y = f.year
    revised = facts.revisions.get(y.label)
    if revised is None:
        return []
    before = sum((v for (lbl, _c), v in facts.original.items() if lbl == y.label), ZERO)
    now = sum((v for (lbl, _c), v in facts.latest.items() if lbl == y.label), ZERO)
    if now in (before, y.award):
        return []
    gap = now - before
    on, category = revised
    return [
        Finding(
            severity="warning",
            code="estimates-off-total",
            message=f"{y.label}'s estimates in force add up to {format_pounds(now)}, "
            f"{format_pounds(abs(gap))} {'short of' if gap < 0 else 'more than'} the "
            f"{format_pounds(before)} they added up to before the revisions (the latest: "
            f"{category}, {on}); a virement moves money between categories",
            subject=y.label,
        )
    ]


def _receipts_over_award(facts: LedgerFacts, f: YearFigures) -> list[Finding]:
    y = f.year
    received = facts.received.get(y.label, ZERO)
    if received <= y.award:
        return []
    return [
        Finding(
            severity="error",
            code="receipts-over-award",
            message=f"receipts for {y.label} add up to {format_money(received)}, more than its award of {format_money(y.award)}",
            subject=y.label,
        )
    ]


def _receipts_of_withdrawn_year(facts: LedgerFacts, f: YearFigures) -> list[Finding]:
    y = f.year
    received = facts.received.get(y.label, ZERO)
    if y.status != "withdrawn" or received == 0:
        return []
    return [
        Finding(
            severity="warning",
            code="receipts-of-withdrawn-year",
            message=f"{format_money(received)} received for {y.label}, which is withdrawn: repayable to the funder",
            subject=y.label,
        )
    ]


def _in_principle_spend(facts: LedgerFacts, f: YearFigures) -> list[Finding]:
    actual = f.total("actual")
    if f.year.status != "in-principle" or actual == 0:
        return []
    return [
        Finding(
            severity="warning",
            code="in-principle-spend",
            message=f"{format_money(actual)} spent in {f.year.label}, which is only agreed in principle: not yet secure",
            subject=f.year.label,
        )
    ]


def _forecast_overspend(facts: LedgerFacts, f: YearFigures) -> list[Finding]:
    y = f.year
    outturn = f.total("actual") + f.total("forecast_remaining")
    if outturn <= y.award:
        return []
    return [
        Finding(
            severity="warning",
            code="forecast-overspend",
            message=f"forecast outturn for {y.label} is {format_money(outturn)}, {format_money(outturn - y.award)} over its award of {format_money(y.award)}",
            subject=y.label,
        )
    ]


def _committed_after_year_end(facts: LedgerFacts, f: YearFigures) -> list[Finding]:
    y = f.year
    if facts.day <= y.end:
        return []
    return [
        Finding(
            severity="warning",
            code="committed-after-year-end",
            message=f"{format_money(c.committed)} is still committed on {c.category} in "
            f"{y.label}, whose period ended on {y.end}: invoice the orders, accrue the work "
            "done, or cancel them ('fsgrant commit list --open')",
            subject=f"{y.label}/{c.category}",
        )
        for c in f.categories
        if c.committed > 0
    ]


def _conditions_overdue(facts: LedgerFacts) -> list[Finding]:
    return [
        Finding(
            severity="warning",
            code="condition-overdue",
            message=f"condition {c.label} was due on {c.due} and is {c.status}: {c.text}",
            subject=c.label,
        )
        for c in facts.conditions
        if c.due is not None and c.due < facts.day and c.status not in ("met", "waived")
    ]


PostRule = Callable[[LedgerFacts, Post], list[Finding]]


def _blocked_past_expected_start(facts: LedgerFacts, p: Post) -> list[Finding]:
    change = p.change_as_at(facts.day)
    if (
        change is None
        or change.status != "blocked"
        or change.expected_start is None
        or change.expected_start >= facts.day
    ):
        return []
    late = (facts.day - change.expected_start).days
    return [
        Finding(
            severity="warning",
            code="blocked-past-expected-start",
            message=f"post {p.id} is still blocked {late} day(s) after its expected start of {change.expected_start} ({change.reason})",
            subject=p.id,
        )
    ]


def _post_start_overdue(facts: LedgerFacts, p: Post) -> list[Finding]:
    change = p.change_as_at(facts.day)
    status = "planned" if change is None else change.status
    if status not in ("planned", "advertised", "offered"):
        return []
    start = (change.expected_start if change else None) or p.planned_start
    if start >= facts.day:
        return []
    return [
        Finding(
            severity="warning",
            code="post-start-overdue",
            message=f"post {p.id} is still {status} but was expected to start on {start}; "
            "its forecast counts it as costing: record its status",
            subject=p.id,
        )
    ]


PlanRule = Callable[[LedgerFacts, SustainabilityYear], list[Finding]]


def _grant_and_funding_over_cost(facts: LedgerFacts, y: SustainabilityYear) -> list[Finding]:
    funded = y.grant + y.funding_total
    if y.grant <= 0 or y.funding_total <= 0 or funded <= y.total_cost:
        return []
    return [
        Finding(
            severity="warning",
            code="grant-and-funding-over-cost",
            message=f"{y.financial_year}: the grant's outturn of {format_money(y.grant)} and the "
            f"plan's funding of {format_money(y.funding_total)} come to {format_money(funded)}, "
            f"{format_money(funded - y.total_cost)} more than the model's cost of "
            f"{format_money(y.total_cost)}: funding for what the grant pays for counts it twice "
            "(lower the funding, or record the cost with 'fsgrant plan cost')",
            subject=y.financial_year,
        )
    ]


YEAR_RULES: tuple[YearRule, ...] = (
    _spend_without_estimate,
    _estimates_over_award,
    _estimates_off_total,
    _receipts_over_award,
    _receipts_of_withdrawn_year,
    _in_principle_spend,
    _forecast_overspend,
    _committed_after_year_end,
)
POST_RULES: tuple[PostRule, ...] = (_blocked_past_expected_start, _post_start_overdue)
PLAN_RULES: tuple[PlanRule, ...] = (_grant_and_funding_over_cost,)


def run_checks(facts: LedgerFacts) -> list[Finding]:
    """Every rule in turn over the facts: errors first, then warnings (otherwise in
    the order found: spend by date, then each funding year, then each post, then each
    financial year of the plan)."""
    findings = _spend_outside_periods(facts) + _years_past_horizon(facts)
    for f in facts.figures.values():
        for year_rule in YEAR_RULES:
            findings += year_rule(facts, f)
    findings += _conditions_overdue(facts)
    for p in facts.posts:
        for post_rule in POST_RULES:
            findings += post_rule(facts, p)
    for y in facts.plan:
        for plan_rule in PLAN_RULES:
            findings += plan_rule(facts, y)
    order = {"error": 0, "warning": 1, "ok": 2}
    return sorted(findings, key=lambda x: order[x.severity])
