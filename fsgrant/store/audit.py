"""The audit trail and the store's settings: rows to records."""

from __future__ import annotations

import json
from datetime import date, datetime

from fsgrant.domain.models import AuditEntry
from fsgrant.store.connection import Store

__all__ = ["AuditTable", "RecordDates", "SettingsTable"]


class AuditTable:
    """``audit``: written by :meth:`Store.transaction` with every change."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def entries(self, since: date | None = None) -> list[AuditEntry]:
        """The trail, oldest first (entries on or after ``since``, a UTC day)."""
        where, params = ("WHERE at >= ?", [since.isoformat()]) if since is not None else ("", [])
        return [
            AuditEntry(
                id=r["id"],
                at=datetime.fromisoformat(r["at"]),
                user=r["user"],
                command=r["command"],
                action=r["action"],
                subject=r["subject"],
                detail=json.loads(r["detail"] or "{}"),
            )
            for r in self.store.query(f"SELECT * FROM audit {where} ORDER BY id", params)
        ]


class SettingsTable:
    """``settings``: key -> value text (the one table that is not append-only)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def all(self) -> dict[str, str]:
        return {
            r[0]: r[1] for r in self.store.query("SELECT key, value FROM settings ORDER BY key")
        }

    def set(self, key: str, value: str) -> None:
        self.store.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )


class RecordDates:
    """The deciding date of records an audit entry wrote, looked up in their tables
    for entries written before the audit kept it (``dated``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def import_first_date(self, batch: int | None, sha256: str | None) -> date | None:
        """The earliest date of the lines an import added (by its batch, else by the
        file's SHA-256)."""
        params: list[object]
        if batch is not None:
            where, params = "import_batch = ?", [batch]
        elif sha256 is not None:
            where = "import_batch IN (SELECT id FROM import_batches WHERE sha256 = ?)"
            params = [sha256]
        else:
            return None
        row = self.store.query_one(f"SELECT min(date) FROM spend WHERE {where}", params)
        return None if row is None or row[0] is None else date.fromisoformat(row[0])

    def post_planned_start(self, post_id: str | None) -> date | None:
        row = self.store.query_one("SELECT planned_start FROM posts WHERE id = ?", [post_id])
        return None if row is None or row[0] is None else date.fromisoformat(row[0])

    def condition_agreed(self, year: str | None, number: object) -> date | None:
        row = self.store.query_one(
            "SELECT coalesce(agreed_on, substr(recorded_at, 1, 10)) FROM conditions "
            "WHERE funding_year = ? AND number = ?",
            [year, number],
        )
        return None if row is None or row[0] is None else date.fromisoformat(row[0])
