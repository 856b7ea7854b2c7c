"""Conditions of funding years (``fsgrant condition``): recorded with their evidence
and a dated status history, shown beside the checks fsgrant computes for them; see
:mod:`fsgrant.domain.conditions` for the rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

from fsgrant.domain.arguments import checked
from fsgrant.domain.conditions import (
    CHECK_KINDS,
    CONDITION_STATUSES,
    REASON_REQUIRED,
    Condition,
    ConditionState,
    ConditionStatusChange,
    EstimatesCheck,
    Evidence,
    SustainabilityCheck,
    SustainabilityReportLike,
    YearConditions,
    estimates_check,
    sustainability_check,
    sustainability_unavailable,
    year_conditions,
)
from fsgrant.domain.periods import DateLike, as_at_day
from fsgrant.domain.text import choice, clean_text, required_text
from fsgrant.domain.time_rule import Action
from fsgrant.errors import FsgrantError, InvalidInput, NotFound
from fsgrant.services.condition_states import states_as_at
from fsgrant.services.forecasts import SettingsService
from fsgrant.services.horizon import entered_day
from fsgrant.services.periods import PeriodsService
from fsgrant.services.reports import ReportsService
from fsgrant.services.years import YearsService
from fsgrant.store.tables import Tables

__all__ = ["NO_PLAN", "ConditionsService", "SustainabilityPlan"]

NO_PLAN = "not available: no sustainability plan"
"""What the ``sustainability`` check shows in a ledger with no plan to read."""


class SustainabilityPlan(Protocol):
    """What the conditions read from the onward-sustainability plan (``fs.plan``)."""

    def report(
        self,
        from_fy: str | None = None,
        to_fy: str | None = None,
        as_at: DateLike | None = None,
    ) -> SustainabilityReportLike: ...


@checked
class ConditionsService:
    """``fs.conditions``: record conditions, their evidence and status; read them as
    at a date with their computed checks."""

    def __init__(
        self,
        tables: Tables,
        years: YearsService,
        periods: PeriodsService,
        reports: ReportsService,
        settings: SettingsService,
        plan: Callable[[], SustainabilityPlan | None] = lambda: None,
    ) -> None:
        self._tables = tables
        self._years = years
        self._periods = periods
        self._reports = reports
        self._settings = settings
        # The sustainability plan, looked up when a check needs it: a ledger may
        # have none to offer.
        self._plan = plan

    # -------------------------------------------------------------- writing
    def add(
        self,
        label: str,
        text: str,
        *,
        due: DateLike | None = None,
        agreed_on: DateLike | None = None,
        check: str | None = None,
        check_year: str | None = None,
    ) -> ConditionState:
        """Record a condition of a funding year; it takes the next number of the year.

        Args:
            check: ``estimates`` or ``sustainability``: a check fsgrant computes and
                shows beside the evidence people record.
            check_year: for ``estimates``, the funding year whose spend is judged
                (default: the condition's own).

        Raises:
            InvalidInput: empty text, a bad date or check, a check year without
                the ``estimates`` check.
            NotFound: no such funding year (or check year).
            PeriodClosed: agreed on (or, without a date, recorded) on or before the
                closed date of its funding year.
        """
        year = self._years.get(required_text(label, "label")).label
        words = required_text(text, "text")
        due_day = entered_day(self._tables, due, field="due") if due is not None else None
        agreed = (
            entered_day(self._tables, agreed_on, field="agreed-on")
            if agreed_on is not None
            else None
        )
        kind = choice(check, CHECK_KINDS, "check") if check is not None else None
        judged = clean_text(check_year)
        if judged is not None:
            if kind != "estimates":
                raise InvalidInput(
                    "a check year goes with the estimates check (--check estimates)",
                    field="check_year",
                )
            judged = self._years.get(judged).label
        store = self._tables.store
        detail: dict[str, Any] = {"text": words, "check": kind}
        with store.transaction(Action.CONDITION_ADD, year, detail, dated=agreed or date.today()):
            self._periods.guard("condition", agreed or date.today(), what=f"a condition of {year}")
            number = detail["number"] = self._tables.conditions.count(year) + 1
            self._tables.conditions.insert(
                {
                    "funding_year": year,
                    "number": number,
                    "text": words,
                    "due": None if due_day is None else due_day.isoformat(),
                    "agreed_on": None if agreed is None else agreed.isoformat(),
                    "check_kind": kind,
                    "check_year": judged,
                }
            )
        return self.get(year, number)

    def add_evidence(
        self,
        label: str,
        number: int | str,
        *,
        on: DateLike,
        note: str,
        document: str | None = None,
    ) -> Evidence:
        """Record a dated piece of evidence for a condition.

        Raises:
            InvalidInput: an empty note or a bad date.
            NotFound: no such funding year or condition.
            PeriodClosed: dated on or before the closed date of its funding year.
        """
        year, n = self._require(label, number)
        day = entered_day(self._tables, on, field="on")
        words = required_text(note, "note")
        doc = clean_text(document)
        store = self._tables.store
        detail: dict[str, Any] = {"on": day.isoformat(), "note": words, "document": doc}
        with store.transaction(Action.CONDITION_EVIDENCE, f"{year} #{n}", detail, dated=day):
            self._periods.guard(
                "condition-evidence", day, what=f"evidence for condition {year} #{n}"
            )
            new_id = detail["id"] = self._tables.conditions.insert_evidence(
                {
                    "funding_year": year,
                    "number": n,
                    "on": day.isoformat(),
                    "note": words,
                    "document": doc,
                }
            )
        return next(e for e in self._tables.conditions.evidence() if e.id == new_id)

    def set_status(
        self,
        label: str,
        number: int | str,
        status: str,
        *,
        on: DateLike,
        reason: str | None = None,
        reference: str | None = None,
    ) -> ConditionStatusChange:
        """Record a dated change of a condition's status (kept as history): ``open``,
        ``submitted``, ``met``, ``not-met`` or ``waived``.

        Raises:
            InvalidInput: a bad status or date; no reason for ``not-met`` or ``waived``.
            NotFound: no such funding year or condition.
            PeriodClosed: dated on or before the closed date of its funding year.
        """
        year, n = self._require(label, number)
        st = choice(status, CONDITION_STATUSES, "status")
        day = entered_day(self._tables, on, field="on")
        why = clean_text(reason)
        if st in REASON_REQUIRED and why is None:
            raise InvalidInput(f"a condition {st} needs a reason (--reason)", field="reason")
        ref = clean_text(reference)
        store = self._tables.store
        detail: dict[str, Any] = {"status": st, "on": day.isoformat(), "reason": why}
        with store.transaction(Action.CONDITION_STATUS, f"{year} #{n}", detail, dated=day):
            self._periods.guard(
                "condition-status", day, what=f"a status change of condition {year} #{n}"
            )
            new_id = detail["id"] = self._tables.conditions.insert_status(
                {
                    "funding_year": year,
                    "number": n,
                    "status": st,
                    "on": day.isoformat(),
                    "reason": why,
                    "reference": ref,
                }
            )
        return next(s for s in self._tables.conditions.statuses() if s.id == new_id)

    def set(
        self,
        label: str,
        number: int | str,
        *,
        on: DateLike,
        reason: str,
        due: DateLike | None = None,
        check: str | None = None,
        check_year: str | None = None,
        text: str | None = None,
    ) -> ConditionState:
        """Amend a condition's terms from ``on``: its due date, its computed check, its
        wording (what is not given stays as it was). The terms before ``on`` are kept:
        a return as at an earlier date shows them as they were.

        Raises:
            InvalidInput: nothing to change, no reason, a bad date or check, a check
                year without the ``estimates`` check.
            NotFound: no such funding year, condition or check year.
            PeriodClosed: ``on`` is on or before a closed date.
        """
        year, n = self._require(label, number)
        day = entered_day(self._tables, on, field="on")
        why = required_text(reason, "reason")
        due_day = entered_day(self._tables, due, field="due") if due is not None else None
        kind = choice(check, CHECK_KINDS, "check") if check is not None else None
        words = required_text(text, "text") if text is not None else None
        judged = clean_text(check_year)
        if judged is not None:
            if kind != "estimates":
                raise InvalidInput(
                    "a check year goes with the estimates check (--check estimates)",
                    field="check_year",
                )
            judged = self._years.get(judged).label
        if due_day is None and kind is None and words is None:
            raise InvalidInput("give what changes: --due, --check or --text", field="due")
        store = self._tables.store
        detail: dict[str, Any] = {"on": day.isoformat(), "reason": why}
        with store.transaction(Action.CONDITION_SET, f"{year} #{n}", detail, dated=day):
            self._periods.guard(
                "condition-amendment", day, what=f"an amendment of condition {year} #{n}"
            )
            detail["id"] = self._tables.conditions.insert_amendment(
                {
                    "funding_year": year,
                    "number": n,
                    "on": day.isoformat(),
                    "due": None if due_day is None else due_day.isoformat(),
                    "check_kind": kind,
                    "check_year": judged,
                    "text": words,
                    "reason": why,
                }
            )
        return self.get(year, n, max(day, date.today()))

    def _require(self, label: str, number: int | str) -> tuple[str, int]:
        year = self._years.get(required_text(label, "label")).label
        try:
            n = int(str(number).strip().lstrip("#"))
        except ValueError:
            raise InvalidInput(
                f"a condition number is a whole number such as 1, not '{number}'",
                field="number",
            ) from None
        count = self._tables.conditions.count(year)
        if not 1 <= n <= count:
            raise NotFound(
                "condition",
                f"{year} #{n}",
                f"{year} has {count} condition(s)" if count else f"{year} has no conditions",
            )
        return year, n

    # -------------------------------------------------------------- reading
    def list(self, year: str | None = None, as_at: DateLike | None = None) -> list[ConditionState]:
        """Every condition (of funding year ``year``) as at ``as_at`` (today when None):
        its status then, its evidence dated on or before it, its computed check.

        Raises:
            NotFound: no such funding year.
        """
        day = as_at_day(as_at)
        label = self._years.get(year).label if year is not None else None
        estimates: dict[str, EstimatesCheck] = {}
        sustainability: list[SustainabilityCheck] = []

        def check(c: Condition) -> EstimatesCheck | SustainabilityCheck:
            if c.check == "estimates":
                judged = c.check_year or c.year
                if judged not in estimates:
                    estimates[judged] = estimates_check(
                        self._reports.variance(judged, day), self._settings.tolerance()
                    )
                return estimates[judged]
            if not sustainability:
                sustainability.append(self._sustainability(day))
            return sustainability[0]

        return states_as_at(self._tables, day, label, check)

    def get(self, label: str, number: int | str, as_at: DateLike | None = None) -> ConditionState:
        """One condition as at ``as_at`` (today when None).

        Raises:
            NotFound: no such funding year or condition.
        """
        year, n = self._require(label, number)
        return next(c for c in self.list(year, as_at) if c.number == n)

    def met(self, as_at: DateLike | None = None) -> dict[str, YearConditions]:
        """Per funding year: how many conditions it has, and how many are met (or
        waived) as at ``as_at`` (today when None)."""
        return year_conditions(states_as_at(self._tables, as_at_day(as_at)))

    def _sustainability(self, day: date) -> SustainabilityCheck:
        plan = self._plan()
        if plan is None:
            return sustainability_unavailable(NO_PLAN)
        try:
            report = plan.report(as_at=day)
        except FsgrantError as exc:
            return sustainability_unavailable(f"not available: {exc.message}")
        return sustainability_check(report, self._years.list(day))
