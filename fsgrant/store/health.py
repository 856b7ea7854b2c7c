"""The store's health (``fsgrant doctor``) and its fingerprint.

:func:`doctor` returns *findings as data* (never raising on the first problem):
SQLite's integrity and foreign-key checks, the schema version, the pragmas the store
runs with, the append-only triggers, reversals that net to zero, and that a grant is
recorded. :func:`fingerprint` is a SHA-256 over every row of the ledger's data tables.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fsgrant.domain.models import Finding, Severity
from fsgrant.store.connection import Store
from fsgrant.store.migrations_stamps import SPEND_STAMP_SQL
from fsgrant.store.schema import (
    APPEND_ONLY_TABLES,
    append_only_triggers,
)
from fsgrant.store.spend import GROSS_KEY

__all__ = ["FINGERPRINT_TABLES", "READ_AS", "doctor", "fingerprint"]

FINGERPRINT_TABLES = (
    "grant_info",
    "categories",
    "funding_years",
    "variations",
    "estimates",
    "estimate_phasing",
    "estimate_phasing_months",
    "spend",
    "receipts",
    "posts",
    "post_status",
    "post_changes",
    "forecasts",
    "conditions",
    "condition_evidence",
    "condition_status",
    "period_events",
    "plan_sources",
    "plan_funding",
    "plan_costs",
    "measure_observations",
    "measure_targets",
    "commitments",
    "commitment_cancellations",
    "forecast_additions",
    "condition_amendments",
    "spend_orders",
    "measure_gaps",
)
"""The tables whose rows a return is built from: the ledger fingerprint covers them."""

# Tables added after the first release count only once they hold a row, so a return
# made before an upgrade still verifies against the upgraded (unchanged) ledger.
_COUNTED_WHEN_USED = frozenset(
    {
        "post_changes",
        "plan_sources",
        "plan_funding",
        "plan_costs",
        "measure_observations",
        "measure_targets",
        "conditions",
        "condition_evidence",
        "condition_status",
        "estimate_phasing",
        "estimate_phasing_months",
        "commitments",
        "commitment_cancellations",
        "forecast_additions",
        "condition_amendments",
        "spend_orders",
        "measure_gaps",
    }
)
NOT_FINGERPRINTED = frozenset({("spend", "source_fields")})
"""Columns no figure is built from, left out so that adding one (an upgrade) does not
change the fingerprint of a return made before it: a spend line's source row."""


READ_AS = {("spend", c): sql for c, sql in SPEND_STAMP_SQL.items()}
"""Columns the fingerprint reads through an expression: an imported line's stamp is its
batch's (see :mod:`fsgrant.store.migrations_stamps`), so a line stored with its own
stamp and one read from its batch fingerprint alike."""


# Columns added after the first release, likewise counted once a row sets one.
_COLUMNS_COUNTED_WHEN_USED = frozenset(
    {
        ("receipts", "reverses"),
        ("receipts", "reason"),
        ("spend", "accrual"),
        ("spend", "accrual_of"),
        ("estimates", "reason"),
        ("estimates", "reference"),
        ("plan_sources", "added_on"),
        ("plan_sources", "beneficiary"),
        ("measure_observations", "series"),
        ("measure_observations", "source_file"),
        ("measure_observations", "revises"),
        ("grant_info", "s151_officer"),
        ("grant_history", "s151_officer"),
    }
)


def _column_used(store: Store, table: str, column: str) -> bool:
    return bool(store.query(f'SELECT 1 FROM {table} WHERE "{column}" IS NOT NULL LIMIT 1'))


def _holds_rows(store: Store, table: str) -> bool:
    return bool(store.query(f"SELECT 1 FROM {table} LIMIT 1"))


def _blob(value: object) -> object:
    """A BLOB (a hash dedupe key) in the fingerprint: ``{"blob": "<hex>"}``, which no
    text or number a row holds is written as."""
    if isinstance(value, bytes):
        return {"blob": value.hex()}
    raise TypeError(f"{type(value).__name__} is not a value of a row")


# json.dumps(row, ensure_ascii=False) for rows of text and numbers (as fsgrant 0.1
# wrote them, so their fingerprint is unchanged), with BLOBs as _blob says.
_row_json = json.JSONEncoder(ensure_ascii=False, default=_blob).encode


def fingerprint(store: Store) -> str:
    """A SHA-256 over every row of :data:`FINGERPRINT_TABLES`, each table in
    primary-key order, streamed from the store. Any change to the ledger changes it.
    Each row is its JSON list of values; a BLOB value is ``{"blob": "<hex>"}``."""
    digest = hashlib.sha256()
    for table in FINGERPRINT_TABLES:
        if table in _COUNTED_WHEN_USED and not _holds_rows(store, table):
            continue
        info = store.query(f"PRAGMA table_info({table})")
        columns = [
            r[1]
            for r in info
            if (table, r[1]) not in NOT_FINGERPRINTED
            and (
                (table, r[1]) not in _COLUMNS_COUNTED_WHEN_USED or _column_used(store, table, r[1])
            )
        ]
        keys = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5] > 0] or ["rowid"]
        digest.update(json.dumps([table, columns]).encode())
        cols = ", ".join(READ_AS.get((table, c), f's."{c}"') for c in columns)
        order = ", ".join(f's."{k}"' if k != "rowid" else "s.rowid" for k in keys)
        for row in store.stream(f"SELECT {cols} FROM {table} s ORDER BY {order}"):
            digest.update(b"\n")
            digest.update(_row_json(tuple(row)).encode())
    return digest.hexdigest()


def _finding(code: str, severity: Severity, message: str, subject: str | None = None) -> Finding:
    return Finding(severity=severity, code=code, message=message, subject=subject)


def doctor(store: Store) -> list[Finding]:
    """Check the store; returns every finding (problems have level ``error``)."""
    return [
        *_check_integrity(store),
        *_check_schema(store),
        *_check_pragmas(store),
        *_check_triggers(store),
        *_check_reversals(store),
        *_check_spend_gross(store),
        *_check_source_names(store),
        *_check_grant(store),
    ]


def _check_integrity(store: Store) -> list[Finding]:
    rows = [r[0] for r in store.query("PRAGMA integrity_check")]
    out: list[Finding] = []
    if rows == ["ok"]:
        out.append(_finding("integrity", "ok", "PRAGMA integrity_check: ok"))
    else:
        out += [_finding("integrity", "error", f"integrity_check: {r}") for r in rows]
    bad = store.query("PRAGMA foreign_key_check")
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


def _check_schema(store: Store) -> list[Finding]:
    applied = store.applied_migrations()
    known = store.known_migrations()
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


def _check_pragmas(store: Store) -> list[Finding]:
    def pragma(name: str) -> Any:
        row = store.query_one(f"PRAGMA {name}")
        return None if row is None else row[0]

    out: list[Finding] = []
    mode = str(pragma("journal_mode")).lower()
    out.append(
        _finding("journal_mode", "ok", "journal_mode: wal", "journal_mode")
        if mode == "wal"
        else _finding(
            "journal_mode",
            "ok",
            f"journal_mode: {mode}, with an exclusive lock (a store on a network "
            "filesystem or in a synced folder, written as --allow-network-store asked)",
            "journal_mode",
        )
        if store.exclusive and mode == "delete"
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


def _check_triggers(store: Store) -> list[Finding]:
    present = {r[0] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
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
    for trigger in ("spend_reversal_matches", "spend_stamped"):
        if trigger not in present:
            out.append(
                _finding(
                    "append_only",
                    "error",
                    f"spend is not protected: trigger {trigger} missing",
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


def _check_reversals(store: Store) -> list[Finding]:
    out: list[Finding] = []
    for table, what in (("spend", "spend line"), ("receipts", "receipt")):
        rows = store.query(
            f"""SELECT r.id, r.reverses FROM {table} r JOIN {table} o ON o.id = r.reverses
               WHERE o.amount_pence + r.amount_pence != 0"""
        )
        out += [
            _finding(
                "reversals",
                "error",
                f"{what} {r[0]} does not net line {r[1]} to zero",
                f"{table}/{r[0]}",
            )
            for r in rows
        ]
    if not out:
        return [_finding("reversals", "ok", "every reversal nets its line or receipt to zero")]
    return out


def _check_spend_gross(store: Store) -> list[Finding]:
    """The kept sum of the spend lines' sizes (see
    :meth:`fsgrant.store.spend.SpendTable.gross_pence`) against the lines themselves."""
    row = store.query_one("SELECT value FROM fsgrant_meta WHERE key = ?", [GROSS_KEY])
    if row is None:
        return []
    upto, kept = (int(v) for v in str(row[0]).split())
    # Counted afresh: the lines to the mark neither reversed (by a line to the mark) nor
    # a reversal, not by the kept sum's own arithmetic.
    actual = store.query_one(
        "SELECT coalesce(sum(abs(amount_pence)), 0) FROM spend s WHERE s.id <= ? "
        "AND s.reverses IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM spend r WHERE r.reverses = s.id AND r.id <= ?)",
        [upto, upto],
    )
    pence = int(actual[0]) if actual is not None else 0
    if pence == kept:
        return [_finding("spend_gross", "ok", "the kept size of spend matches its lines")]
    return [
        _finding(
            "spend_gross",
            "error",
            f"the kept size of spend to line {upto} is {kept} pence but its lines add up to "
            f"{pence}: another program added a line with an id below others'; fsgrant "
            'counts every line again once the mark is removed (sqlite3 STORE "DELETE FROM '
            f"fsgrant_meta WHERE key = '{GROSS_KEY}'\")",
            f"fsgrant_meta/{GROSS_KEY}",
        )
    ]


def _check_source_names(store: Store) -> list[Finding]:
    """Every line whose source row is kept as its cells has the names they go under,
    with its batch (see :func:`fsgrant.domain.text.source_fields_of`)."""
    row = store.query_one(
        """SELECT count(*), min(s.id) FROM spend s
           LEFT JOIN import_batches b ON b.id = s.import_batch
           WHERE s.source_fields LIKE '[%' AND b.source_names IS NULL"""
    )
    lacking, first = (0, None) if row is None else (int(row[0]), row[1])
    if not lacking:
        return [_finding("source_names", "ok", "every source row has its column names")]
    return [
        _finding(
            "source_names",
            "error",
            f"{lacking} spend line(s) keep their source row's cells but their import batch "
            f"has no column names for them (first: line {first}); another program wrote "
            "them, and they read as column 1, column 2, ...",
            f"spend/{first}",
        )
    ]


def _check_grant(store: Store) -> list[Finding]:
    row = store.query_one("SELECT name FROM grant_info WHERE id = 1")
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
