"""Outcome measures (``fsgrant measure``): observed counts such as children in care,
and the level expected in each financial year. Savings sources of the
onward-sustainability plan are worked out from them (see
:mod:`fsgrant.domain.sustainability`)."""

from __future__ import annotations

from typing import Any

from fsgrant.domain.arguments import checked
from fsgrant.domain.periods import DateLike
from fsgrant.domain.sustainability import (
    MeasureObservation,
    MeasureTarget,
    parse_measure_value,
)
from fsgrant.domain.text import clean_text, required_text
from fsgrant.domain.time_rule import Action
from fsgrant.errors import NotFound
from fsgrant.services.horizon import entered_day, entered_day_or_today, entered_financial_year
from fsgrant.services.periods import PeriodsService
from fsgrant.store.tables import Tables

__all__ = ["MeasuresService"]


@checked
class MeasuresService:
    """``fs.measures``: record observations and targets of outcome measures."""

    def __init__(self, tables: Tables, periods: PeriodsService) -> None:
        self._tables = tables
        self._periods = periods

    def add(
        self,
        name: str,
        on: DateLike,
        value: object,
        *,
        note: str | None = None,
    ) -> MeasureObservation:
        """Record a measure's observed value on a date (e.g. children in care: 739 on
        4 February 2020).

        Raises:
            InvalidInput: an empty name, a bad date or value (floats refused).
            PeriodClosed: the date falls in a closed period.
        """
        measure = required_text(name, "measure")
        day = entered_day(self._tables, on, field="date")
        number = parse_measure_value(value)
        detail: dict[str, Any] = {"on": day.isoformat(), "value": str(number)}
        store = self._tables.store
        with store.transaction(Action.MEASURE_ADD, measure, detail, dated=day):
            new_id = detail["id"] = self._tables.measures.insert_observation(
                {
                    "measure": measure,
                    "observed_on": day.isoformat(),
                    "value": str(number),
                    "note": clean_text(note),
                }
            )
        return next(o for o in self.observations(measure) if o.id == new_id)

    def target(
        self,
        name: str,
        financial_year: str,
        value: object,
        *,
        on: DateLike | None = None,
    ) -> MeasureTarget:
        """Set the level a measure is expected to reach in a financial year, as of
        ``on`` (default today); a later target for the same year is a revision, the
        first kept.

        Raises:
            InvalidInput: an empty name, a bad year label, date or value.
            PeriodClosed: ``on`` falls in a closed period.
        """
        measure = required_text(name, "measure")
        label = entered_financial_year(self._tables, financial_year, field="financial_year")
        number = parse_measure_value(value)
        day = entered_day_or_today(self._tables, on, field="on")
        detail: dict[str, Any] = {"value": str(number), "set_on": day.isoformat()}
        store = self._tables.store
        with store.transaction(Action.MEASURE_TARGET, f"{measure}/{label}", detail, dated=day):
            self._periods.guard("measure-target", day)
            new_id = detail["id"] = self._tables.measures.insert_target(
                {
                    "measure": measure,
                    "financial_year": label,
                    "value": str(number),
                    "set_on": day.isoformat(),
                }
            )
        return next(t for t in self.targets(measure) if t.id == new_id)

    def names(self) -> list[str]:
        """Every measure observed or given a target."""
        return self._tables.measures.names()

    def require(self, name: str) -> str:
        """``name``, if the measure has an observation or a target.

        Raises:
            NotFound: no such measure.
        """
        measure = required_text(name, "measure")
        if measure not in self.names():
            raise NotFound("measure", measure, "record it with 'fsgrant measure add'")
        return measure

    def observations(self, name: str | None = None) -> list[MeasureObservation]:
        """Every observation (of one measure), by measure and date."""
        return self._tables.measures.observations(name)

    def targets(self, name: str | None = None) -> list[MeasureTarget]:
        """Every target (of one measure), by measure, year and date set."""
        return self._tables.measures.targets(name)
