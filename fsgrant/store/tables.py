"""One object per kind of record of a store, shared by the services working on it."""

from __future__ import annotations

from fsgrant.store.audit import AuditTable, SettingsTable
from fsgrant.store.conditions import ConditionsTable
from fsgrant.store.connection import Store
from fsgrant.store.grant import GrantTable
from fsgrant.store.imports import ImportsTable
from fsgrant.store.periods import PeriodsTable
from fsgrant.store.plan import MeasuresTable, PlanTable
from fsgrant.store.posts import PostsTable
from fsgrant.store.returns import ReturnsTable
from fsgrant.store.spend import ReceiptsTable, SpendTable
from fsgrant.store.years import EstimatesTable, ForecastsTable, PhasingTable, YearsTable

__all__ = ["Tables"]


class Tables:
    """The tables of one open :class:`Store` (each holds the store it reads)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.grant = GrantTable(store)
        self.years = YearsTable(store)
        self.estimates = EstimatesTable(store)
        self.phasing = PhasingTable(store)
        self.forecasts = ForecastsTable(store)
        self.spend = SpendTable(store)
        self.receipts = ReceiptsTable(store)
        self.posts = PostsTable(store)
        self.periods = PeriodsTable(store)
        self.conditions = ConditionsTable(store)
        self.imports = ImportsTable(store)
        self.returns = ReturnsTable(store)
        self.audit = AuditTable(store)
        self.settings = SettingsTable(store)
        self.plan = PlanTable(store)
        self.measures = MeasuresTable(store)
