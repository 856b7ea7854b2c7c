"""Funding years, their variations, estimates and set forecasts: rows to records."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fsgrant.domain.models import (
    Estimate,
    ForecastAddition,
    FundingYear,
    SetForecast,
    Variation,
)
from fsgrant.domain.money import from_pence
from fsgrant.store.connection import Store

if TYPE_CHECKING:
    from fsgrant.domain.phasing import EstimatePhasing

__all__ = [
    "EstimatesTable",
    "ForecastAdditionsTable",
    "ForecastsTable",
    "PhasingTable",
    "YearsTable",
]


class YearsTable:
    """``funding_years`` (as first recorded) and ``variations``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def exists(self, label: str) -> bool:
        return (
            self.store.query_one("SELECT 1 FROM funding_years WHERE label = ?", [label]) is not None
        )

    def originals(self) -> list[FundingYear]:
        """The funding years as first recorded, in start order. Their conditions are
        those listed with the year, then those added since (``condition add``), in
        number order: the text of every condition of the year."""
        added: dict[str, list[str]] = {}
        for r in self.store.query("SELECT funding_year, text FROM conditions ORDER BY number"):
            added.setdefault(r[0], []).append(r[1])
        return [
            FundingYear(
                label=r["label"],
                award=from_pence(r["award_pence"]),
                status=r["status"],
                confirmed_on=r["confirmed_on"],
                start=r["start"],
                end=r["end"],
                conditions=(*json.loads(r["conditions"]), *added.get(r["label"], ())),
            )
            for r in self.store.query("SELECT * FROM funding_years ORDER BY start, label")
        ]

    def latest_end(self) -> date | None:
        """The latest end any funding year has been given, first or by a variation
        (the base of the horizon, :mod:`fsgrant.domain.horizon`); None with no year."""
        row = self.store.query_one(
            'SELECT max(d) FROM (SELECT max("end") AS d FROM funding_years '
            "UNION ALL SELECT max(new_end) FROM variations)"
        )
        return None if row is None or row[0] is None else date.fromisoformat(row[0])

    def variations(self, label: str | None = None) -> list[Variation]:
        """Every variation (of one year, or moving money to it), in the order agreed."""
        where, params = (
            ("WHERE funding_year = ? OR to_year = ?", [label, label]) if label else ("", [])
        )
        return [
            Variation(
                id=r["id"],
                funding_year=r["funding_year"],
                kind=r["kind"],
                agreed_on=r["agreed_on"],
                reason=r["reason"],
                reference=r["reference"],
                new_start=r["new_start"],
                new_end=r["new_end"],
                amount=None if r["amount_pence"] is None else from_pence(r["amount_pence"]),
                to_year=r["to_year"],
                new_status=r["new_status"],
                recorded_at=datetime.fromisoformat(r["recorded_at"]),
                recorded_by=r["recorded_by"],
            )
            for r in self.store.query(
                f"SELECT * FROM variations {where} ORDER BY agreed_on, id", params
            )
        ]

    def last_recorded(self) -> datetime | None:
        """When the award was last changed: the latest year, variation or receipt recorded."""
        row = self.store.query_one(
            """SELECT max(t) FROM (
                 SELECT max(recorded_at) AS t FROM funding_years
                 UNION ALL SELECT max(recorded_at) FROM variations
                 UNION ALL SELECT max(recorded_at) FROM receipts)"""
        )
        return datetime.fromisoformat(row[0]) if row is not None and row[0] else None

    def insert(self, record: dict[str, Any]) -> None:
        self.store.insert("funding_years", record)

    def insert_variation(self, record: dict[str, Any]) -> int:
        return self.store.insert("variations", record)


class EstimatesTable:
    """``estimates``: originals and dated revisions."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def list(self, label: str | None = None) -> list[Estimate]:
        """Every estimate (of one year), by year, category, post, set_on and id."""
        where, params = ("WHERE funding_year = ?", [label]) if label else ("", [])
        rows = self.store.query(
            f"""SELECT e.*, e.id = (SELECT o.id FROM estimates o
                                    WHERE o.funding_year = e.funding_year AND o.category = e.category
                                      AND o.post IS e.post ORDER BY o.set_on, o.id LIMIT 1)
                       AS original
                FROM estimates e {where} ORDER BY funding_year, category, post, set_on, id""",
            params,
        )
        return [
            Estimate(
                id=r["id"],
                funding_year=r["funding_year"],
                category=r["category"],
                post=r["post"],
                amount=from_pence(r["amount_pence"]),
                set_on=r["set_on"],
                original=bool(r["original"]),
                reason=r["reason"],
                reference=r["reference"],
                recorded_at=datetime.fromisoformat(r["recorded_at"]),
                recorded_by=r["recorded_by"],
            )
            for r in rows
        ]

    def original_totals(self) -> dict[str, Decimal]:
        """Total original estimate per funding year."""
        rows = self.store.query(
            """SELECT funding_year, sum(amount_pence) FROM estimates e
               WHERE id = (SELECT o.id FROM estimates o WHERE o.funding_year = e.funding_year
                           AND o.category = e.category AND o.post IS e.post
                           ORDER BY o.set_on, o.id LIMIT 1)
               GROUP BY funding_year"""
        )
        return {r[0]: from_pence(r[1]) for r in rows}

    def insert(self, record: dict[str, Any]) -> int:
        return self.store.insert("estimates", record)


class ForecastAdditionsTable:
    """``forecast_additions``: dated additions to post-driven forecasts."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def all(self) -> list[ForecastAddition]:
        """Every addition recorded, in the order set (date, then id)."""
        rows = self.store.query("SELECT * FROM forecast_additions ORDER BY set_on, id")
        return [
            ForecastAddition(
                id=r["id"],
                funding_year=r["funding_year"],
                category=r["category"],
                amount=from_pence(r["amount_pence"]),
                reason=r["reason"],
                set_on=r["set_on"],
                recorded_at=datetime.fromisoformat(r["recorded_at"]),
                recorded_by=r["recorded_by"],
            )
            for r in rows
        ]

    def insert(self, record: dict[str, Any]) -> int:
        return self.store.insert("forecast_additions", record)


class ForecastsTable:
    """``forecasts``: remaining spend set for a year and a category no post names."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def latest(self, day: date) -> list[SetForecast]:
        """The latest forecast set on or before ``day`` per (year, category)."""
        rows = self.store.query(
            """SELECT * FROM forecasts f
               WHERE set_on <= :day AND id = (
                   SELECT x.id FROM forecasts x WHERE x.funding_year = f.funding_year
                     AND x.category = f.category AND x.set_on <= :day
                   ORDER BY x.set_on DESC, x.id DESC LIMIT 1)
               ORDER BY funding_year, category""",
            {"day": day.isoformat()},
        )
        return [self._model(r) for r in rows]

    def get(self, forecast_id: int) -> SetForecast:
        row = self.store.query_one("SELECT * FROM forecasts WHERE id = ?", [forecast_id])
        assert row is not None
        return self._model(row)

    @staticmethod
    def _model(r: Any) -> SetForecast:
        return SetForecast(
            id=r["id"],
            funding_year=r["funding_year"],
            category=r["category"],
            amount=from_pence(r["amount_pence"]),
            set_on=r["set_on"],
            note=r["note"],
            recorded_at=datetime.fromisoformat(r["recorded_at"]),
            recorded_by=r["recorded_by"],
        )

    def insert(self, record: dict[str, Any]) -> int:
        return self.store.insert("forecasts", record)


class PhasingTable:
    """``estimate_phasing`` and its ``estimate_phasing_months``: dated history."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def list(self, label: str | None = None) -> list[EstimatePhasing]:
        """Every phasing (of one year), by year, category, date set and id."""
        # Imported here: the phasing rules are not needed to record spend or a year.
        from fsgrant.domain.phasing import EstimatePhasing, PhasedMonth

        where, params = ("WHERE funding_year = ?", [label]) if label else ("", [])
        months: dict[int, list[PhasedMonth]] = {}
        for r in self.store.query(
            "SELECT phasing, month, amount_pence FROM estimate_phasing_months ORDER BY phasing, month"
        ):
            months.setdefault(r[0], []).append(PhasedMonth(month=r[1], amount=from_pence(r[2])))
        return [
            EstimatePhasing(
                id=r["id"],
                funding_year=r["funding_year"],
                category=r["category"],
                method=r["method"],
                set_on=date.fromisoformat(r["set_on"]),
                total=None if r["total_pence"] is None else from_pence(r["total_pence"]),
                months=tuple(months.get(r["id"], ())),
                source=r["source"],
                recorded_at=datetime.fromisoformat(r["recorded_at"]),
                recorded_by=r["recorded_by"],
            )
            for r in self.store.query(
                f"SELECT * FROM estimate_phasing {where} "
                "ORDER BY funding_year, category, set_on, id",
                params,
            )
        ]

    def insert(self, record: dict[str, Any], months: dict[str, int]) -> int:
        """Insert a phasing and its months (pence); returns its id."""
        new_id = self.store.insert("estimate_phasing", record)
        for month, pence in months.items():
            self.store.insert(
                "estimate_phasing_months",
                {"phasing": new_id, "month": month, "amount_pence": pence},
            )
        return new_id
