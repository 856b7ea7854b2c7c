"""The onward-sustainability plan and outcome measures: rows to records."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fsgrant.domain.money import from_pence
from fsgrant.domain.sustainability import (
    MeasureObservation,
    MeasureTarget,
    PlanCost,
    PlanFunding,
    PlanSource,
)
from fsgrant.store.connection import Store

__all__ = ["MeasuresTable", "PlanTable"]


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


class PlanTable:
    """``plan_sources``, ``plan_funding`` and ``plan_costs`` (all append-only)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def sources(self) -> list[PlanSource]:
        """Every source, in the order added."""
        return [
            PlanSource(
                name=r["name"],
                kind=r["kind"],
                description=r["description"],
                measure=r["measure"],
                baseline=None if r["baseline"] is None else Decimal(r["baseline"]),
                unit_cost=None
                if r["unit_cost_pence"] is None
                else from_pence(r["unit_cost_pence"]),
                added_on=r["added_on"] or r["recorded_at"][:10],
                beneficiary=r["beneficiary"] or "council",
                recorded_at=_when(r["recorded_at"]),
                recorded_by=r["recorded_by"],
            )
            for r in self.store.query("SELECT * FROM plan_sources ORDER BY rowid")
        ]

    def source(self, name: str) -> PlanSource | None:
        return next((s for s in self.sources() if s.name == name), None)

    def funding(self) -> list[PlanFunding]:
        """Every funding record, by source (in the order added), year, date set and id."""
        rows = self.store.query(
            """SELECT f.*, f.id = (SELECT o.id FROM plan_funding o
                                   WHERE o.source = f.source
                                     AND o.financial_year = f.financial_year
                                   ORDER BY o.set_on, o.id LIMIT 1) AS original
               FROM plan_funding f JOIN plan_sources s ON s.name = f.source
               ORDER BY s.rowid, f.financial_year, f.set_on, f.id"""
        )
        return [
            PlanFunding(
                id=r["id"],
                source=r["source"],
                financial_year=r["financial_year"],
                amount=from_pence(r["amount_pence"]),
                set_on=r["set_on"],
                note=r["note"],
                original=bool(r["original"]),
                recorded_at=_when(r["recorded_at"]),
                recorded_by=r["recorded_by"],
            )
            for r in rows
        ]

    def costs(self) -> list[PlanCost]:
        """Every recurring cost record, by category, year, date set and id."""
        rows = self.store.query(
            """SELECT c.*, c.id = (SELECT o.id FROM plan_costs o
                                   WHERE o.category = c.category
                                     AND o.financial_year = c.financial_year
                                   ORDER BY o.set_on, o.id LIMIT 1) AS original
               FROM plan_costs c ORDER BY category, financial_year, set_on, id"""
        )
        return [
            PlanCost(
                id=r["id"],
                category=r["category"],
                financial_year=r["financial_year"],
                amount=from_pence(r["amount_pence"]),
                set_on=r["set_on"],
                note=r["note"],
                original=bool(r["original"]),
                recorded_at=_when(r["recorded_at"]),
                recorded_by=r["recorded_by"],
            )
            for r in rows
        ]

    def insert_source(self, record: dict[str, Any]) -> None:
        self.store.insert("plan_sources", record)

    def insert_funding(self, record: dict[str, Any]) -> int:
        return self.store.insert("plan_funding", record)

    def insert_cost(self, record: dict[str, Any]) -> int:
        return self.store.insert("plan_costs", record)


class MeasuresTable:
    """``measure_observations`` and ``measure_targets`` (both append-only)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def names(self) -> list[str]:
        """Every measure observed or given a target, by name."""
        return [
            r[0]
            for r in self.store.query(
                """SELECT measure FROM measure_observations
                   UNION SELECT measure FROM measure_targets
                   UNION SELECT measure FROM measure_gaps ORDER BY 1"""
            )
        ]

    def observations(self, measure: str | None = None) -> list[MeasureObservation]:
        """Every observation (of one measure), by measure, date and id."""
        where, params = ("WHERE measure = ?", [measure]) if measure is not None else ("", [])
        return [
            MeasureObservation(
                id=r["id"],
                measure=r["measure"],
                observed_on=r["observed_on"],
                value=Decimal(r["value"]),
                note=r["note"],
                series=r["series"],
                source_file=r["source_file"],
                revises=r["revises"],
                recorded_at=_when(r["recorded_at"]),
                recorded_by=r["recorded_by"],
            )
            for r in self.store.query(
                f"SELECT * FROM measure_observations {where} ORDER BY measure, observed_on, id",
                params,
            )
        ]

    def targets(self, measure: str | None = None) -> list[MeasureTarget]:
        """Every target (of one measure), by measure, year, date set and id."""
        where, params = ("WHERE measure = ?", [measure]) if measure is not None else ("", [])
        return [
            MeasureTarget(
                id=r["id"],
                measure=r["measure"],
                financial_year=r["financial_year"],
                value=Decimal(r["value"]),
                set_on=r["set_on"],
                recorded_at=_when(r["recorded_at"]),
                recorded_by=r["recorded_by"],
            )
            for r in self.store.query(
                f"SELECT * FROM measure_targets {where} ORDER BY measure, financial_year, set_on, id",
                params,
            )
        ]

    def insert_observation(self, record: dict[str, Any]) -> int:
        return self.store.insert("measure_observations", record)

    def gaps(self) -> list[tuple[str, str | None, date, str]]:
        """Every published gap: (measure, series, day, code), by measure and day."""
        return [
            (r["measure"], r["series"], date.fromisoformat(r["observed_on"]), r["code"])
            for r in self.store.query(
                "SELECT measure, series, observed_on, code FROM measure_gaps "
                "ORDER BY measure, observed_on, id"
            )
        ]

    def has_gap(self, measure: str, series: str | None, day: date, code: str) -> bool:
        return bool(
            self.store.query(
                "SELECT 1 FROM measure_gaps WHERE measure = ? AND series IS ? "
                "AND observed_on = ? AND code = ?",
                [measure, series, day.isoformat(), code],
            )
        )

    def insert_gap(self, record: dict[str, Any]) -> int:
        return self.store.insert("measure_gaps", record)

    def insert_target(self, record: dict[str, Any]) -> int:
        return self.store.insert("measure_targets", record)
