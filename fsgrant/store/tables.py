"""One object per kind of record of a store, shared by the services working on it.

Each table is built on first use (and kept), importing its module then: a command
imports only the query modules, and the domain models they return, that it reaches.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from fsgrant.store.connection import Store

if TYPE_CHECKING:
    from fsgrant.store.audit import AuditTable, RecordDates, SettingsTable
    from fsgrant.store.commitments import CommitmentsTable
    from fsgrant.store.conditions import ConditionsTable
    from fsgrant.store.grant import GrantTable
    from fsgrant.store.imports import ImportsTable
    from fsgrant.store.periods import PeriodsTable
    from fsgrant.store.plan import MeasuresTable, PlanTable
    from fsgrant.store.posts import PostsTable
    from fsgrant.store.returns import ReturnsTable
    from fsgrant.store.spend import ReceiptsTable, SpendTable
    from fsgrant.store.years import (
        EstimatesTable,
        ForecastAdditionsTable,
        ForecastsTable,
        PhasingTable,
        YearsTable,
    )

__all__ = ["Tables"]


class Tables:
    """The tables of one open :class:`Store` (each holds the store it reads)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @cached_property
    def grant(self) -> GrantTable:
        from fsgrant.store.grant import GrantTable

        return GrantTable(self.store)

    @cached_property
    def years(self) -> YearsTable:
        from fsgrant.store.years import YearsTable

        return YearsTable(self.store)

    @cached_property
    def estimates(self) -> EstimatesTable:
        from fsgrant.store.years import EstimatesTable

        return EstimatesTable(self.store)

    @cached_property
    def phasing(self) -> PhasingTable:
        from fsgrant.store.years import PhasingTable

        return PhasingTable(self.store)

    @cached_property
    def forecasts(self) -> ForecastsTable:
        from fsgrant.store.years import ForecastsTable

        return ForecastsTable(self.store)

    @cached_property
    def forecast_additions(self) -> ForecastAdditionsTable:
        from fsgrant.store.years import ForecastAdditionsTable

        return ForecastAdditionsTable(self.store)

    @cached_property
    def spend(self) -> SpendTable:
        from fsgrant.store.spend import SpendTable

        return SpendTable(self.store)

    @cached_property
    def commitments(self) -> CommitmentsTable:
        from fsgrant.store.commitments import CommitmentsTable

        return CommitmentsTable(self.store)

    @cached_property
    def receipts(self) -> ReceiptsTable:
        from fsgrant.store.spend import ReceiptsTable

        return ReceiptsTable(self.store)

    @cached_property
    def posts(self) -> PostsTable:
        from fsgrant.store.posts import PostsTable

        return PostsTable(self.store)

    @cached_property
    def periods(self) -> PeriodsTable:
        from fsgrant.store.periods import PeriodsTable

        return PeriodsTable(self.store)

    @cached_property
    def conditions(self) -> ConditionsTable:
        from fsgrant.store.conditions import ConditionsTable

        return ConditionsTable(self.store)

    @cached_property
    def imports(self) -> ImportsTable:
        from fsgrant.store.imports import ImportsTable

        return ImportsTable(self.store)

    @cached_property
    def returns(self) -> ReturnsTable:
        from fsgrant.store.returns import ReturnsTable

        return ReturnsTable(self.store)

    @cached_property
    def audit(self) -> AuditTable:
        from fsgrant.store.audit import AuditTable

        return AuditTable(self.store)

    @cached_property
    def record_dates(self) -> RecordDates:
        from fsgrant.store.audit import RecordDates

        return RecordDates(self.store)

    @cached_property
    def settings(self) -> SettingsTable:
        from fsgrant.store.audit import SettingsTable

        return SettingsTable(self.store)

    @cached_property
    def plan(self) -> PlanTable:
        from fsgrant.store.plan import PlanTable

        return PlanTable(self.store)

    @cached_property
    def measures(self) -> MeasuresTable:
        from fsgrant.store.plan import MeasuresTable

        return MeasuresTable(self.store)
