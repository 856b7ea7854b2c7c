"""Outcome measures (``fsgrant measure``): observed counts such as children in care,
and the level expected in each financial year. Savings sources of the
onward-sustainability plan are worked out from them (see
:mod:`fsgrant.domain.sustainability`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from os import PathLike
from pathlib import Path
from typing import Any

from fsgrant.domain.arguments import checked
from fsgrant.domain.outcomes import (
    MeasureImport,
    OutcomesReport,
    build_outcomes,
    plan_observations,
    read_published,
)
from fsgrant.domain.periods import DateLike, as_at_day
from fsgrant.domain.sustainability import (
    MeasureObservation,
    MeasureTarget,
    parse_measure_value,
)
from fsgrant.domain.text import clean_text, required_text
from fsgrant.domain.time_rule import Action
from fsgrant.errors import InvalidInput, NotFound
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

    def import_published(
        self,
        path: str | PathLike[str],
        *,
        la: str,
        measure: str,
        value: str | None = None,
        where: Sequence[str] = (),
        benchmark: str | None = None,
    ) -> MeasureImport:
        """Import a measure's yearly values for one geography from a CSV file DfE
        publishes on explore-education-statistics (see :mod:`fsgrant.domain.outcomes`
        for the rules): the council's own, or with ``benchmark`` a named series kept
        beside it (England, the region, another council). Idempotent: a year observed
        with the same value adds nothing; another value is a revision (history kept,
        the file named). Codes published instead of numbers are kept apart, never as
        numbers. Never refused by a closed period.

        Args:
            la: the geography: a council's ``new_la_code``, ``old_la_code`` or
                ``la_name``; ``England``; a region's name or code.
            value: the value column (default: the file's one ``*_count`` column).
            where: ``COLUMN=VALUE`` filters (e.g. ``population_type=...``).

        Raises:
            SourceError: the file is not in the published layout, or holds no row (or
                two rows a year) for the geography, or a cell cannot be read.
            InvalidInput: an empty measure, geography or benchmark name, a filter
                without ``=``.
        """
        from fsgrant.formats.published import PublishedFile

        name = required_text(measure, "measure")
        who = required_text(la, "la")
        series = None if benchmark is None else required_text(benchmark, "benchmark")
        filters = [_filter(w) for w in where]
        with PublishedFile(Path(path)) as f:
            found = read_published(f.name, f.header, f.rows(), la=who, value=value, where=filters)
            file_name = f.name
        stored = [o for o in self.observations(name) if o.series == series]
        plan = plan_observations(found.values, stored)
        writes: list[tuple[date, Decimal, int | None]] = [
            *((d, v, None) for d, v in plan.new),
            *plan.revised,
        ]
        days = [d for d, _, _ in writes]
        detail: dict[str, Any] = {
            "file": file_name,
            "series": series,
            "added": len(plan.new),
            "revised": len(plan.revised),
        }
        store = self._tables.store
        table = self._tables.measures
        with store.transaction(
            Action.MEASURE_IMPORT, name, detail, dated=min(days) if days else None
        ):
            for day, number, revises in writes:
                table.insert_observation(
                    {
                        "measure": name,
                        "observed_on": day.isoformat(),
                        "value": str(number),
                        "note": None,
                        "series": series,
                        "source_file": file_name,
                        "revises": revises,
                    }
                )
            for day, code in sorted(found.gaps.items()):
                if not table.has_gap(name, series, day, code):
                    table.insert_gap(
                        {
                            "measure": name,
                            "series": series,
                            "observed_on": day.isoformat(),
                            "code": code,
                            "source_file": file_name,
                        }
                    )
        return MeasureImport(
            file=file_name,
            measure=name,
            series=series,
            value_column=found.value_column,
            added=len(plan.new),
            revised=len(plan.revised),
            unchanged=len(plan.unchanged),
            gaps={str(d.year): c for d, c in sorted(found.gaps.items())},
        )

    def report(self, as_at: DateLike | None = None) -> OutcomesReport:
        """Every measure as at ``as_at`` (today when None): the council's values beside
        its benchmarks', the change since the baseline (the plan's, where a savings
        source states one), the gaps and the targets in force (see
        :func:`fsgrant.domain.outcomes.build_outcomes`)."""
        baselines = {
            s.measure: s.baseline
            for s in self._tables.plan.sources()
            if s.measure is not None and s.baseline is not None
        }
        return build_outcomes(
            as_at_day(as_at),
            self.observations(),
            self._tables.measures.gaps(),
            self.targets(),
            baselines,
        )

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


def _filter(text: str) -> tuple[str, str]:
    """``COLUMN=VALUE`` as its two parts.

    Raises:
        InvalidInput: no ``=``, or an empty column name.
    """
    column, sep, value = str(text).partition("=")
    if not sep or not column.strip():
        raise InvalidInput(
            f"--where takes COLUMN=VALUE (e.g. population_type=...), not '{text}'",
            field="where",
        )
    return column.strip(), value.strip()
