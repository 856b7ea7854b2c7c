"""Looking after the store: the audit trail, health checks and backups.

* :meth:`AdminMixin.audit_log` reads the audit trail: every write records, in the same
  transaction as the change, when (UTC), who (the OS user), with which command (the
  command line, or ``api:<action>`` for a library call) and what changed.
* :meth:`AdminMixin.doctor` checks the store and returns its *findings as data*
  (never raising on the first problem): SQLite's integrity and foreign-key checks,
  the schema version, the pragmas the store runs with, the append-only triggers,
  reversals that net to zero, and that a grant is recorded.
* :meth:`AdminMixin.backup` writes a consistent copy of the store.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fsgrant.domain.models import Finding, Severity
from fsgrant.domain.periods import parse_date
from fsgrant.services.ledger_core import DateLike, LedgerCore
from fsgrant.store.schema import APPEND_ONLY_TABLES, append_only_triggers

__all__ = ["AdminMixin", "AuditEntry", "Finding"]


def _finding(code: str, severity: Severity, message: str, subject: str | None = None) -> Finding:
    return Finding(severity=severity, code=code, message=message, subject=subject)


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the audit trail: who changed what, when, with which command."""

    id: int
    at: str
    user: str
    command: str
    action: str
    subject: str | None
    detail: dict[str, Any]


class AdminMixin(LedgerCore):
    """Audit trail, health checks and backups of the store."""

    def audit_log(self, since: DateLike | None = None) -> list[AuditEntry]:
        """The audit trail, oldest first (entries on or after ``since``, a UTC day).

        Raises:
            InvalidDate: ``since`` is not a date.
        """
        where, params = "", []
        if since is not None:
            where, params = "WHERE at >= ?", [parse_date(since, field="since").isoformat()]
        return [
            AuditEntry(
                id=r["id"],
                at=r["at"],
                user=r["user"],
                command=r["command"],
                action=r["action"],
                subject=r["subject"],
                detail=json.loads(r["detail"] or "{}"),
            )
            for r in self.store.query(f"SELECT * FROM audit {where} ORDER BY id", params)
        ]

    def backup(self, path: str | os.PathLike[str]) -> Path:
        """Write a consistent copy of the store to ``path`` (a new file), even while
        other processes write to it.

        Raises:
            StoreError: ``path`` exists already or cannot be written.
        """
        return self.store.backup(path)

    def doctor(self) -> list[Finding]:
        """Check the store; returns every finding (problems have level ``error``)."""
        findings: list[Finding] = []
        findings += self._check_integrity()
        findings += self._check_schema()
        findings += self._check_pragmas()
        findings += self._check_triggers()
        findings += self._check_reversals()
        findings += self._check_grant()
        return findings

    # ------------------------------------------------------------------ checks
    def _check_integrity(self) -> list[Finding]:
        rows = [r[0] for r in self.store.query("PRAGMA integrity_check")]
        out: list[Finding] = []
        if rows == ["ok"]:
            out.append(_finding("integrity", "ok", "PRAGMA integrity_check: ok"))
        else:
            out += [_finding("integrity", "error", f"integrity_check: {r}") for r in rows]
        bad = self.store.query("PRAGMA foreign_key_check")
        if not bad:
            out.append(_finding("foreign_keys", "ok", "PRAGMA foreign_key_check: no broken links"))
        for r in bad:
            out.append(
                _finding(
                    "foreign_keys",
                    "error",
                    f"{r[0]} row {r[1]} refers to a missing {r[2]} row",
                    subject=str(r[0]),
                )
            )
        return out

    def _check_schema(self) -> list[Finding]:
        applied = self.store.applied_migrations()
        known = self.store.known_migrations()
        if applied == known:
            return [
                _finding(
                    "schema",
                    "ok",
                    f"schema version {len(applied)} ({applied[-1]}), as this fsgrant expects",
                )
            ]
        return [
            _finding(
                "schema",
                "error",
                f"schema steps {applied} do not match this fsgrant's {known}",
            )
        ]

    def _check_pragmas(self) -> list[Finding]:
        def pragma(name: str) -> Any:
            row = self.store.query_one(f"PRAGMA {name}")
            return None if row is None else row[0]

        out: list[Finding] = []
        mode = str(pragma("journal_mode")).lower()
        out.append(
            _finding("journal_mode", "ok", "journal_mode: wal", "journal_mode")
            if mode == "wal"
            else _finding(
                "journal_mode",
                "error",
                f"journal_mode is {mode}, not wal: readers would block writers",
                "journal_mode",
            )
        )
        sync = int(pragma("synchronous"))
        names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
        out.append(
            _finding("synchronous", "ok", f"synchronous: {names.get(sync, sync)}", "synchronous")
            if sync >= 2
            else _finding(
                "synchronous",
                "error",
                f"synchronous is {names.get(sync, sync)}: the last commits could be lost on "
                "power loss (FULL expected)",
                "synchronous",
            )
        )
        fk = int(pragma("foreign_keys"))
        out.append(
            _finding("foreign_keys_pragma", "ok", "foreign_keys: on", "foreign_keys")
            if fk == 1
            else _finding("foreign_keys_pragma", "error", "foreign_keys is off on this connection")
        )
        busy = int(pragma("busy_timeout"))
        out.append(
            _finding(
                "busy_timeout",
                "ok" if busy > 0 else "warning",
                f"busy_timeout: {busy} ms (FSGRANT_BUSY_TIMEOUT sets it, in seconds)"
                + ("" if busy > 0 else "; a writer would fail at once when another writes"),
                "busy_timeout",
            )
        )
        return out

    def _check_triggers(self) -> list[Finding]:
        present = {
            r[0] for r in self.store.query("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
        out: list[Finding] = []
        for table in APPEND_ONLY_TABLES:
            missing = [t for t in append_only_triggers(table) if t not in present]
            if missing:
                out.append(
                    _finding(
                        "append_only",
                        "error",
                        f"{table} is not protected: trigger(s) {', '.join(missing)} missing",
                        table,
                    )
                )
        if "spend_reversal_matches" not in present:
            out.append(
                _finding(
                    "append_only",
                    "error",
                    "spend is not protected: trigger spend_reversal_matches missing",
                    "spend",
                )
            )
        if not out:
            out.append(
                _finding(
                    "append_only",
                    "ok",
                    f"append-only triggers present on all {len(APPEND_ONLY_TABLES)} tables",
                )
            )
        return out

    def _check_reversals(self) -> list[Finding]:
        rows = self.store.query(
            """SELECT r.id, r.reverses FROM spend r JOIN spend o ON o.id = r.reverses
               WHERE o.amount_pence + r.amount_pence != 0"""
        )
        if not rows:
            return [_finding("reversals", "ok", "every reversal nets its line to zero")]
        return [
            _finding(
                "reversals",
                "error",
                f"spend line {r[0]} does not net line {r[1]} to zero",
                f"spend/{r[0]}",
            )
            for r in rows
        ]

    def _check_grant(self) -> list[Finding]:
        row = self.store.query_one("SELECT name FROM grant_info WHERE id = 1")
        if row is None:
            return [
                _finding(
                    "grant",
                    "warning",
                    "no grant recorded yet: run 'fsgrant init' or 'fsgrant load'",
                    "grant_info",
                )
            ]
        return [_finding("grant", "ok", f"grant: {row[0]}", "grant_info")]
