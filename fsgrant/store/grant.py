"""The grant this store holds and its cost categories: rows to records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fsgrant.domain.models import DEFAULT_CATEGORIES, CostCategory, Grant
from fsgrant.store.connection import Store

__all__ = ["GrantTable"]


class GrantTable:
    """``grant_info`` (one row) and ``categories``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self) -> Grant | None:
        """The grant, or None when the store holds none yet."""
        row = self.store.query_one("SELECT * FROM grant_info WHERE id = 1")
        if row is None:
            return None
        return Grant(
            name=row["name"],
            funder=row["funder"],
            recipient=row["recipient"],
            funder_org_id=row["funder_org_id"],
            recipient_org_id=row["recipient_org_id"],
            # A store opened read-only may predate the column (sqlite3.Row's "in"
            # looks at values, not names).
            s151_officer=row["s151_officer"] if "s151_officer" in row.keys() else None,  # noqa: SIM118
            created_at=datetime.fromisoformat(row["created_at"]),
        )

    def name(self) -> str | None:
        row = self.store.query_one("SELECT name FROM grant_info WHERE id = 1")
        return None if row is None else str(row[0])

    def update(self, changes: dict[str, Any]) -> None:
        """Change the grant's details (inside a transaction); the store keeps the
        details replaced in ``grant_history``."""
        cols = ", ".join(f"{c} = ?" for c in changes)
        self.store.execute(f"UPDATE grant_info SET {cols} WHERE id = 1", list(changes.values()))

    def changes(self) -> int:
        """How many times the grant's details have been changed."""
        row = self.store.query_one("SELECT count(*) FROM grant_history")
        return 0 if row is None else int(row[0])

    def insert(self, record: dict[str, Any]) -> None:
        """Record the grant and the default cost categories (inside a transaction)."""
        self.store.insert("grant_info", {"id": 1, **record})
        self.store.execute_many(
            "INSERT OR IGNORE INTO categories (name, description) VALUES (?, ?)",
            list(DEFAULT_CATEGORIES.items()),
        )

    def categories(self) -> list[CostCategory]:
        return [
            CostCategory(name=r[0], description=r[1])
            for r in self.store.query("SELECT name, description FROM categories ORDER BY name")
        ]

    def category_names(self) -> set[str]:
        return {r[0] for r in self.store.query("SELECT name FROM categories")}

    def insert_category(self, name: str, description: str) -> None:
        self.store.insert("categories", {"name": name, "description": description})
