"""Conditions of funding years, their evidence and status history: rows to records.

The conditions recorded with a funding year itself (its ``conditions`` list) are
numbered 1..n of that year; those of the ``conditions`` table carry their number.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

from fsgrant.domain.condition_terms import ConditionAmendment
from fsgrant.domain.conditions import Condition, ConditionStatusChange, Evidence
from fsgrant.store.connection import Store

__all__ = ["ConditionsTable"]


class ConditionsTable:
    """``conditions``, ``condition_evidence`` and ``condition_status`` (append-only),
    with the conditions listed on ``funding_years``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def load(self, label: str | None = None) -> list[Condition]:
        """Every condition (of one funding year), by year start and number."""
        where, params = ("WHERE f.label = ?", [label]) if label is not None else ("", [])
        out: list[Condition] = []
        years = self.store.query(
            f"SELECT f.label, f.conditions FROM funding_years f {where} ORDER BY f.start, f.label",
            params,
        )
        added: dict[str, list[Any]] = defaultdict(list)
        for r in self.store.query(
            f"SELECT c.* FROM conditions c {where.replace('f.label', 'c.funding_year')} "
            "ORDER BY c.number",
            params,
        ):
            added[r["funding_year"]].append(r)
        for y in years:
            texts = json.loads(y["conditions"] or "[]")
            out.extend(
                Condition(year=y["label"], number=i, text=str(t))
                for i, t in enumerate(texts, start=1)
            )
            out.extend(
                Condition(
                    year=r["funding_year"],
                    number=r["number"],
                    text=r["text"],
                    due=r["due"],
                    agreed_on=r["agreed_on"],
                    check=r["check_kind"],
                    check_year=r["check_year"],
                    recorded_at=datetime.fromisoformat(r["recorded_at"]),
                    recorded_by=r["recorded_by"],
                )
                for r in added.get(y["label"], [])
            )
        return out

    def count(self, label: str) -> int:
        """How many conditions the funding year has (listed with it, and added)."""
        row = self.store.query_one(
            """SELECT json_array_length(f.conditions)
                      + (SELECT count(*) FROM conditions c WHERE c.funding_year = f.label)
               FROM funding_years f WHERE f.label = ?""",
            [label],
        )
        return 0 if row is None else int(row[0])

    def evidence(self) -> list[Evidence]:
        """Every piece of evidence, in date order."""
        return [
            Evidence(
                id=r["id"],
                year=r["funding_year"],
                number=r["number"],
                on=r["on"],
                note=r["note"],
                document=r["document"],
                recorded_at=datetime.fromisoformat(r["recorded_at"]),
                recorded_by=r["recorded_by"],
            )
            for r in self.store.query('SELECT * FROM condition_evidence ORDER BY "on", id')
        ]

    def statuses(self) -> list[ConditionStatusChange]:
        """Every status change, in date order."""
        return [
            ConditionStatusChange(
                id=r["id"],
                year=r["funding_year"],
                number=r["number"],
                status=r["status"],
                on=r["on"],
                reason=r["reason"],
                reference=r["reference"],
                recorded_at=datetime.fromisoformat(r["recorded_at"]),
                recorded_by=r["recorded_by"],
            )
            for r in self.store.query('SELECT * FROM condition_status ORDER BY "on", id')
        ]

    def amendments(self) -> list[ConditionAmendment]:
        """Every amendment of a condition's terms, in the order recorded."""
        return [
            ConditionAmendment(
                id=r["id"],
                year=r["funding_year"],
                number=r["number"],
                on=r["on"],
                due=r["due"],
                check=r["check_kind"],
                check_year=r["check_year"],
                text=r["text"],
                reason=r["reason"],
                recorded_at=datetime.fromisoformat(r["recorded_at"]),
                recorded_by=r["recorded_by"],
            )
            for r in self.store.query("SELECT * FROM condition_amendments ORDER BY id")
        ]

    def insert_amendment(self, record: dict[str, Any]) -> int:
        return self.store.insert("condition_amendments", record)

    def insert(self, record: dict[str, Any]) -> int:
        return self.store.insert("conditions", record)

    def insert_evidence(self, record: dict[str, Any]) -> int:
        return self.store.insert("condition_evidence", record)

    def insert_status(self, record: dict[str, Any]) -> int:
        return self.store.insert("condition_status", record)
