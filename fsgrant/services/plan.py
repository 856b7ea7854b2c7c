"""The onward-sustainability plan (``fsgrant plan``, ``fsgrant report
sustainability``): what the model costs in each financial year, including after the
grant has ended, and what pays for it. The method is in
:mod:`fsgrant.domain.sustainability`."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from fsgrant.domain.arguments import checked
from fsgrant.domain.funding import grant_end
from fsgrant.domain.horizon import readable_financial_year
from fsgrant.domain.money import ZERO, AmountLike, as_money, to_pence
from fsgrant.domain.periods import DateLike, as_at_day, financial_year_label
from fsgrant.domain.sustainability import (
    BENEFICIARIES,
    SOURCE_KINDS,
    MeasureTarget,
    PlanCost,
    PlanFunding,
    PlanSource,
    SustainabilityReport,
    build_sustainability,
    current_observations,
    financial_years,
    first_year_after,
    measure_level,
    parse_financial_year,
    parse_measure_value,
    savings_amount,
)
from fsgrant.domain.text import choice, clean_text, required_text
from fsgrant.domain.time_rule import Action, latest_on_or_before
from fsgrant.errors import Conflict, InvalidInput, NotFound
from fsgrant.services.categories import CategoriesService
from fsgrant.services.horizon import entered_day_or_today, entered_financial_year
from fsgrant.services.measures import MeasuresService
from fsgrant.services.periods import PeriodsService
from fsgrant.services.posts import PostsService
from fsgrant.services.reports import ReportsService
from fsgrant.services.years import YearsService
from fsgrant.store.tables import Tables

__all__ = ["PlanService"]


@checked
class PlanService:
    """``fs.plan``: sources of funding, committed funding, recurring costs, and the
    sustainability report."""

    def __init__(
        self,
        tables: Tables,
        years: YearsService,
        categories: CategoriesService,
        periods: PeriodsService,
        posts: PostsService,
        reports: ReportsService,
        measures: MeasuresService,
    ) -> None:
        self._tables = tables
        self._years = years
        self._categories = categories
        self._periods = periods
        self._posts = posts
        self._reports = reports
        self._measures = measures
        self._report_cache: tuple[tuple[object, ...], SustainabilityReport] | None = None

    # -------------------------------------------------------------- sources
    def add_source(
        self,
        name: str,
        kind: str,
        *,
        description: str | None = None,
        measure: str | None = None,
        baseline: object | None = None,
        unit_cost: AmountLike | None = None,
        on: DateLike | None = None,
        beneficiary: str = "council",
    ) -> PlanSource:
        """Add a source of funding for the model: ``base-budget``, ``partner``,
        ``savings`` or ``other``. A savings source may be linked to a measure, with its
        baseline and the unit cost saved by each one below it (all three together).
        ``on`` is the day it joined the plan (default today): a report as at an
        earlier day leaves it out. ``beneficiary`` (``council``, ``police``,
        ``health`` or ``other``) is who gains a savings source's savings: only the
        council's count toward its gap.

        Raises:
            InvalidInput: an empty name, an unknown kind, a bad baseline or unit cost, a
                measure on a source that is not savings, or only some of the three.
            NotFound: no such measure.  Conflict: a source of that name exists.
        """
        source = required_text(name, "name")
        k = choice(kind, SOURCE_KINDS, "kind")
        linked = [measure is not None, baseline is not None, unit_cost is not None]
        if any(linked) and not all(linked):
            raise InvalidInput(
                "a savings source linked to a measure needs --measure, --baseline and "
                "--unit-cost together",
                field="measure",
            )
        record: dict[str, Any] = {
            "name": source,
            "kind": k,
            "description": clean_text(description),
            "measure": None,
            "baseline": None,
            "unit_cost_pence": None,
        }
        if all(linked):
            if k != "savings":
                raise InvalidInput(
                    f"only a savings source is linked to a measure, not a {k} source",
                    field="kind",
                )
            record["measure"] = self._measures.require(str(measure))
            record["baseline"] = str(parse_measure_value(baseline, field="baseline"))
            cost = as_money(unit_cost, field="unit_cost")
            if cost < 0:
                raise InvalidInput("a unit cost cannot be negative", field="unit_cost")
            record["unit_cost_pence"] = to_pence(cost)
        day = entered_day_or_today(self._tables, on, field="on")
        record["added_on"] = day.isoformat()
        who = choice(beneficiary, BENEFICIARIES, "beneficiary")
        if who != "council" and k != "savings":
            raise InvalidInput(
                f"only a savings source names who gains it; a {k} source is the council's",
                field="beneficiary",
            )
        record["beneficiary"] = who
        detail = {k2: v for k2, v in record.items() if k2 != "name" and v is not None}
        store = self._tables.store
        with store.transaction(Action.PLAN_SOURCE_ADD, source, detail, dated=day):
            if self._tables.plan.source(source) is not None:
                raise Conflict(f"a source named '{source}' exists already")
            self._periods.guard("plan-source", day)
            self._tables.plan.insert_source(record)
        return self.source(source)

    def sources(self) -> list[PlanSource]:
        """Every source, in the order added."""
        return self._tables.plan.sources()

    def source(self, name: str) -> PlanSource:
        """One source.

        Raises:
            NotFound: no such source.
        """
        found = self._tables.plan.source(name.strip())
        if found is None:
            raise NotFound("source", name, "add it with 'fsgrant plan source add'")
        return found

    # -------------------------------------------------------------- funding and costs
    def fund(
        self,
        source: str,
        financial_year: str,
        amount: AmountLike,
        *,
        on: DateLike | None = None,
        note: str | None = None,
    ) -> PlanFunding:
        """Record the funding a source commits in a financial year, as of ``on``
        (default today). The first for a source and year is the original; a later
        one is a revision kept beside it.

        Raises:
            InvalidInput: a bad year label, amount or date.  NotFound: no such source.
            Conflict: the source's amount comes from its measure.
            PeriodClosed: ``on`` falls in a closed period.
        """
        src = self.source(source)
        if src.measure is not None:
            raise Conflict(
                f"{src.name} is worked out from the measure {src.measure}; "
                "record observations or targets with 'fsgrant measure' instead"
            )
        label = entered_financial_year(self._tables, financial_year, field="financial_year")
        value = self._amount(amount)
        day = entered_day_or_today(self._tables, on, field="on")
        detail: dict[str, Any] = {"amount": str(value), "set_on": day.isoformat()}
        store = self._tables.store
        with store.transaction(Action.PLAN_FUND, f"{src.name}/{label}", detail, dated=day):
            self._periods.guard("plan-funding", day)
            new_id = detail["id"] = self._tables.plan.insert_funding(
                {
                    "source": src.name,
                    "financial_year": label,
                    "amount_pence": to_pence(value),
                    "set_on": day.isoformat(),
                    "note": clean_text(note),
                }
            )
        return next(f for f in self.funding() if f.id == new_id)

    def cost(
        self,
        category: str,
        financial_year: str,
        amount: AmountLike,
        *,
        on: DateLike | None = None,
        note: str | None = None,
    ) -> PlanCost:
        """Record a recurring cost of the model not driven by posts, for a category
        (one no post is charged to) and financial year, as of ``on`` (default today);
        a later one is a revision, the first kept.

        Raises:
            InvalidInput: a bad category, year label, amount or date, or a category
                posts are charged to.
            PeriodClosed: ``on`` falls in a closed period.
        """
        cat = self._categories.require(category)
        named = self._tables.posts.naming(cat)
        if named:
            raise InvalidInput(
                f"{cat} is costed from its {named} post(s); the plan counts their cost already",
                field="category",
            )
        label = entered_financial_year(self._tables, financial_year, field="financial_year")
        value = self._amount(amount)
        day = entered_day_or_today(self._tables, on, field="on")
        detail: dict[str, Any] = {"amount": str(value), "set_on": day.isoformat()}
        store = self._tables.store
        with store.transaction(Action.PLAN_COST, f"{cat}/{label}", detail, dated=day):
            self._periods.guard("plan-cost", day)
            new_id = detail["id"] = self._tables.plan.insert_cost(
                {
                    "category": cat,
                    "financial_year": label,
                    "amount_pence": to_pence(value),
                    "set_on": day.isoformat(),
                    "note": clean_text(note),
                }
            )
        return next(c for c in self.costs() if c.id == new_id)

    @staticmethod
    def _amount(amount: AmountLike) -> Decimal:
        value = as_money(amount, field="amount")
        if value < 0:
            raise InvalidInput("an amount in the plan cannot be negative", field="amount")
        return value

    def funding(self) -> list[PlanFunding]:
        """Every funding record (originals and revisions)."""
        return self._tables.plan.funding()

    def costs(self) -> list[PlanCost]:
        """Every recurring cost record (originals and revisions)."""
        return self._tables.plan.costs()

    # -------------------------------------------------------------- the report
    def report(
        self,
        from_fy: str | None = None,
        to_fy: str | None = None,
        as_at: DateLike | None = None,
    ) -> SustainabilityReport:
        """The plan by financial year as at ``as_at`` (today when None): the model's
        cost (posts and other), the grant's outturn dated in the year, each source's
        funding, the gap and the funded percentage, and the year from which the plan
        is sustainable. The default range runs from the financial year the grant
        starts in to the later of the first year after it ends and the last year the
        plan names. The posts' cost uses every post record, whatever the as-at date,
        as the forecast does; funding, costs and targets are the ones set by then.

        Worked out once per range and date while the store is unchanged (a return
        shows it and its sustainability condition checks it); each call gets its own
        copy.

        Raises:
            InvalidInput: a bad year label, or ``to_fy`` before ``from_fy``.
        """
        day = as_at_day(as_at)
        key = (from_fy, to_fy, day, *self._tables.store.change_marks())
        cached = self._report_cache
        if cached is None or cached[0] != key:
            cached = self._report_cache = (key, self._work_out_report(from_fy, to_fy, day))
        return cached[1].model_copy(deep=True)

    def _work_out_report(
        self, from_fy: str | None, to_fy: str | None, day: date
    ) -> SustainabilityReport:
        first = parse_financial_year(from_fy, field="from") if from_fy is not None else None
        last = parse_financial_year(to_fy, field="to") if to_fy is not None else None
        years = self._years.list(day)
        end = grant_end(years)
        funding = self.funding()
        costs = self.costs()
        targets = self._measures.targets()
        named = {
            *(f.financial_year for f in funding if f.set_on <= day),
            *(c.financial_year for c in costs if c.set_on <= day),
            *(t.financial_year for t in targets if t.set_on <= day),
        }
        named = {label for label in named if readable_financial_year(label)}
        after = [first_year_after(end)] if end is not None else []
        first = first or _earliest(*(financial_year_label(y.start) for y in years), *named, last)
        last = last or _latest(*named, *after, first)
        keep: Literal["first", "last"] | None = (
            "first" if to_fy is None else "last" if from_fy is None else None
        )
        labels = financial_years(first, last, keep=keep) if first and last else []
        by_source = self._funding_by_source(funding, day, labels)
        counted: dict[str, bool] = {}
        savings: dict[str, dict[str, Decimal]] = {}
        for src in self.sources():
            if src.name not in by_source:
                continue
            counted[src.name] = src.counts_toward_gap
            if src.kind == "savings":
                into = savings.setdefault(src.beneficiary, {})
                for label, amount in by_source[src.name].items():
                    into[label] = into.get(label, ZERO) + amount
        return build_sustainability(
            labels,
            day,
            posts=self._posts.all(),
            other_cost=self._other_cost(costs, day),
            grant=self._grant_by_financial_year(day),
            funding={k: v for k, v in by_source.items() if counted[k]},
            grant_end=end,
            savings=savings,
        )

    def _other_cost(self, costs: list[PlanCost], day: date) -> dict[str, Decimal]:
        chosen = latest_on_or_before(
            costs, day, key=lambda c: (c.category, c.financial_year), on=_set_on, order=_id
        )
        out: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for (_cat, label), c in chosen.items():
            out[label] += c.amount
        return dict(out)

    def _grant_by_financial_year(self, day: date) -> dict[str, Decimal]:
        """Each funding year's outturn (actual plus forecast, month by month) dated in
        each financial year."""
        out: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for y in self._years.list(day):
            for m in self._reports.profile(y.label, day).months:
                month = date.fromisoformat(f"{m.month}-01")
                out[financial_year_label(month)] += m.actual + m.forecast
        return dict(out)

    def _funding_by_source(
        self, funding: list[PlanFunding], day: date, labels: list[str]
    ) -> dict[str, dict[str, Decimal]]:
        committed = {
            k: f.amount
            for k, f in latest_on_or_before(
                funding, day, key=lambda f: (f.source, f.financial_year), on=_set_on, order=_id
            ).items()
        }
        # The council's own observations (not a benchmark's), as last revised.
        observations = [
            o
            for o in current_observations(self._measures.observations())
            if o.series is None and o.observed_on <= day
        ]
        targets = {
            k: t.value
            for k, t in latest_on_or_before(
                self._measures.targets(),
                day,
                key=lambda t: (t.measure, t.financial_year),
                on=_set_on,
                order=_id,
            ).items()
        }
        out: dict[str, dict[str, Decimal]] = {}
        for src in self.sources():
            if src.added_on > day:
                continue  # not part of the plan yet
            if src.measure is None or src.baseline is None or src.unit_cost is None:
                out[src.name] = {lbl: a for (name, lbl), a in committed.items() if name == src.name}
                continue
            amounts: dict[str, Decimal] = {}
            for label in labels:
                values = [
                    o.value
                    for o in observations
                    if o.measure == src.measure and financial_year_label(o.observed_on) == label
                ]
                level = measure_level(targets.get((src.measure, label)), values)
                amounts[label] = savings_amount(src.baseline, level, src.unit_cost)
            out[src.name] = amounts
        return out


def _fy_key(label: str) -> int:
    return int(label[2:6])


def _earliest(*labels: str | None) -> str | None:
    given = [x for x in labels if x is not None]
    return min(given, key=_fy_key) if given else None


def _latest(*labels: str | None) -> str | None:
    given = [x for x in labels if x is not None]
    return max(given, key=_fy_key) if given else None


def _set_on(record: PlanFunding | PlanCost | MeasureTarget) -> date:
    return record.set_on


def _id(record: PlanFunding | PlanCost | MeasureTarget) -> int:
    return record.id
