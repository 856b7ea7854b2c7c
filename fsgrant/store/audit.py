"""The audit trail and the store's settings: rows to records."""

from __future__ import annotations

import json
from datetime import date, datetime

from fsgrant.domain.models import AuditEntry
from fsgrant.store.connection import Store

__all__ = ["AuditTable", "SettingsTable"]


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
