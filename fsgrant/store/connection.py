"""The SQLite connection: the only place fsgrant opens SQLite or imports sqlite_utils.

One store holds one grant. Money is integer pence (the tables refuse anything else),
money and history tables are append-only (triggers refuse UPDATE and DELETE), and
every write runs in one ``BEGIN IMMEDIATE`` transaction together with its audit
entry, so a concurrent writer waits for the lock instead of failing half-way.

Pragmas: WAL journal, ``synchronous=FULL`` (no lost commits on power loss),
foreign keys on, and a busy timeout (``FSGRANT_BUSY_TIMEOUT`` seconds, default 30).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date
from pathlib import Path
from typing import Any

from fsgrant.domain.time_rule import DATED, RECORD_KINDS, Known
from fsgrant.errors import FsgrantError, StoreError
from fsgrant.store.backup import backup_path, copy_store
from fsgrant.store.busy import busy_timeout as _busy_timeout
from fsgrant.store.busy import usable_path as _usable
from fsgrant.store.migrate import apply_migrations
from fsgrant.store.opening import connect
from fsgrant.store.place import store_place
from fsgrant.store.schema import MIGRATIONS
from fsgrant.store.sqlite_errors import is_busy, refusal
from fsgrant.store.stamps import current_command, current_user, stamp_columns, utc_now

__all__ = [
    "MIGRATION_SET",
    "STORE_MARKER",
    "Store",
    "current_command",
    "current_user",
    "utc_now",
]

STORE_MARKER = "fsgrant-store"
MIGRATION_SET = "fsgrant"
_MIGRATIONS_TABLE = "_sqlite_migrations"


class Store:
    """An open fsgrant store.

    Use :meth:`Store.open`; close with :meth:`close` or a ``with`` block.
    """

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        busy_timeout: float,
        *,
        read_only: bool = False,
        unsafe: str | None = None,
    ) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = conn
        self.read_only = read_only
        # Why a store is read only though the file may be written: its place (see
        # fsgrant.domain.store_place), said on every write refused.
        self.unsafe = unsafe
        self.exclusive = False
        self.busy_timeout = busy_timeout
        self.user = current_user()
        self._stamps: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self.backups: list[Path] = []
        self._depth = 0
        # Counts writes undone, which ``total_changes`` does not take back: see change_marks.
        self._undone = 0
        # The knowledge horizon of reads (see known_as): None, as known now.
        self.known: Known | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        """The SQLite connection.

        Raises:
            StoreError: the store has been closed.
        """
        if self._conn is None:
            raise StoreError(
                f"the ledger for {self.path} is closed; open it again with fsgrant.open()",
                code="ledger-closed",
            )
        return self._conn

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has been called."""
        return self._conn is None

    def _refuse_read_only(self) -> None:
        if self.unsafe is not None:
            raise StoreError(self.unsafe, code="unsafe-place")
        if self.read_only:
            raise StoreError(
                f"{self.path} is read-only: reports, lists and exports work, "
                "but nothing can be recorded in it",
                code="read-only",
            )

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        read_only: bool | None = None,
        allow_network: bool = False,
    ) -> Store:
        """Open (and if needed create or upgrade) the store at ``path``.

        A file that is not an fsgrant store is refused before anything is written to
        it. A store written by an older fsgrant is upgraded in place, after a backup
        copy is written beside it (``<name>.schema<N>-<time>.bak``).

        A store the user may read but not write (the file, or the folder SQLite keeps
        its WAL files in) is opened read-only, as is any store with ``read_only=True``:
        reads work, and every write raises a :class:`StoreError` saying the file is
        read-only. So is a store on a network filesystem or in a synced folder
        (:mod:`fsgrant.domain.store_place`), each write refused saying why and what
        to do, unless ``allow_network``: it is then written with a rollback journal
        and an exclusive lock. A new store is not made in such a place.

        Raises:
            StoreError: the file is missing (with ``create=False``), is not an
                fsgrant store, was written by a newer fsgrant, or stayed locked by
                another writer for longer than the busy timeout.
        """
        p = Path(path)
        _usable(p, "open a store at")
        if p.is_dir():
            raise StoreError(f"{p} is a folder, not an fsgrant store")
        if not p.exists():
            if not create:
                raise StoreError(f"no fsgrant store at {p}; create one with 'fsgrant init'")
            if not p.parent.exists():
                raise StoreError(f"cannot create a store at {p}: folder {p.parent} does not exist")
        timeout = _busy_timeout()
        folder = p.parent if str(p.parent) else Path(".")
        if read_only is None:
            read_only = p.exists() and not (os.access(p, os.W_OK) and os.access(folder, os.W_OK))
        if read_only and not p.exists():
            raise StoreError(f"no fsgrant store at {p} to open read-only")
        place = None if read_only or str(p) == ":memory:" else store_place(p)
        unsafe = None if place is None or allow_network else place.message(p)
        if unsafe is not None:
            if not p.exists():
                raise StoreError(unsafe, code="unsafe-place")
            read_only = True
        conn = connect(p, read_only=read_only, timeout=timeout)
        store = cls(p, conn, timeout, read_only=read_only, unsafe=unsafe)
        store.exclusive = place is not None and allow_network
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            # Read-only checks first: a foreign file is refused untouched.
            if store._is_empty():
                if not create or read_only:
                    raise StoreError(f"no fsgrant store at {p}; create one with 'fsgrant init'")
            else:
                store._check_is_fsgrant()
                store._refuse_newer(store.applied_migrations())
            if read_only:
                conn.execute("PRAGMA foreign_keys = ON")
                if store.applied_migrations() != store.known_migrations():
                    if unsafe is not None:
                        raise StoreError(unsafe, code="unsafe-place")
                    raise StoreError(
                        f"{p} was written by an older fsgrant and is read-only here: "
                        "open it once where it can be written, to upgrade it"
                    )
            else:
                store._configure()
                store._migrate()
        except sqlite3.OperationalError as exc:
            conn.close()
            if is_busy(exc):
                raise store._busy_or(exc) from None
            raise StoreError(f"{p} is not an fsgrant store ({exc})") from None
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{p} is not an fsgrant store ({exc})") from None
        except BaseException:
            conn.close()
            raise
        return store

    def _is_empty(self) -> bool:
        """True for a new file (or an SQLite database holding nothing at all)."""
        row = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return int(row[0]) == 0

    def _configure(self) -> None:
        c = self.conn
        c.execute("PRAGMA foreign_keys = ON")
        if self.exclusive:  # no shared memory: see fsgrant.domain.store_place
            c.execute("PRAGMA locking_mode = EXCLUSIVE")
        want = "delete" if self.exclusive else "wal"
        mode = c.execute(f"PRAGMA journal_mode = {want}").fetchone()[0]
        if str(mode).lower() != want and str(self.path) != ":memory:":
            raise StoreError(f"cannot use the {want} journal mode on {self.path} (got {mode})")
        c.execute("PRAGMA synchronous = FULL")

    def _check_is_fsgrant(self) -> None:
        names = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master")}
        if "fsgrant_meta" not in names:
            raise StoreError(
                f"{self.path} is an SQLite database but not an fsgrant store; refusing to touch it"
            )
        row = self.conn.execute("SELECT value FROM fsgrant_meta WHERE key = 'marker'").fetchone()
        if row is None or row[0] != STORE_MARKER:
            raise StoreError(
                f"{self.path} is not an fsgrant store (no marker); refusing to touch it"
            )

    def applied_migrations(self) -> list[str]:
        """Names of the schema migrations this store has had, oldest first."""
        has_table = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [_MIGRATIONS_TABLE]
        ).fetchone()
        if not has_table:
            return []
        return [
            r[0]
            for r in self.conn.execute(
                f"SELECT name FROM {_MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid",
                [MIGRATION_SET],
            )
        ]

    @staticmethod
    def known_migrations() -> list[str]:
        """Names of the schema migrations this fsgrant knows, oldest first."""
        return [name for name, _ in MIGRATIONS]

    def _refuse_newer(self, applied: list[str]) -> None:
        known = self.known_migrations()
        unknown = [name for name in applied if name not in known]
        if unknown or applied != known[: len(applied)]:
            raise StoreError(
                f"{self.path} was written by a newer fsgrant (schema "
                f"{', '.join(unknown) or ', '.join(applied)}; this fsgrant knows "
                f"{len(known)} schema step(s)); upgrade fsgrant to open it. Nothing was changed."
            )

    def _migrate(self) -> None:
        known = self.known_migrations()
        if self.applied_migrations() == known:
            return  # the common case: no need to load sqlite_utils at all
        # Upgrade under the write lock, all steps in one transaction: a second process
        # opening the same old store waits, then finds it upgraded; a crash half-way
        # leaves the store as it was.
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise self._busy_or(exc) from None
        try:
            if not self._is_empty():
                self._check_is_fsgrant()
            applied = self.applied_migrations()
            self._refuse_newer(applied)
            if applied != known:
                if applied:
                    self.backups.append(self.backup(backup_path(self.path, len(applied))))
                self._apply_migrations()
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _apply_migrations(self) -> None:
        # Read here, not in apply_migrations: the upgrade tests set MIGRATIONS.
        apply_migrations(self.conn, MIGRATIONS, MIGRATION_SET, STORE_MARKER)

    def backup(self, target: str | os.PathLike[str]) -> Path:
        """Write a consistent copy of the store to ``target`` (SQLite's backup API).

        The copy is written under a temporary name, flushed to disk, then renamed, so
        ``target`` never holds half a copy; it is a single self-contained file
        (rollback journal, not WAL), itself an fsgrant store.

        Raises:
            StoreError: the target exists already, or cannot be written.
        """
        return copy_store(self.path, target, busy_timeout=self.busy_timeout)

    def close(self) -> None:
        """Close the connection; later use raises a :class:`StoreError`. Idempotent."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writing
    @contextmanager
    def transaction(
        self,
        action: str,
        subject: str | None = None,
        detail: dict[str, Any] | None = None,
        *,
        dated: date | None = None,
    ) -> Iterator[sqlite3.Connection]:
        """Run a write in one ``BEGIN IMMEDIATE`` transaction with its audit entry.

        The audit entry (time, OS user, command, ``action``, ``subject``, ``detail``)
        is written when the block ends, in the same transaction, so the block may add
        to ``detail`` (for example the id of the row it stored). ``dated``, the date
        that decides for the record written (see :mod:`fsgrant.domain.time_rule`), is
        kept in the detail as ``dated``, so a later reader can tell a correction of a
        sent return from a change of estimate. Nested calls join the
        outer transaction inside a savepoint: a nested block that fails is undone
        (with its audit entry) even if the caller carries on.

        Raises:
            StoreError: the write lock could not be had within the busy timeout.
            Conflict: the store itself refused the change (append-only, a constraint).
        """
        self._refuse_read_only()
        outer = self._depth == 0
        savepoint = f"fsgrant_{self._depth}"
        try:
            self.conn.execute("BEGIN IMMEDIATE" if outer else f"SAVEPOINT {savepoint}")
        except sqlite3.OperationalError as exc:
            raise self._busy_or(exc) from None
        self._depth += 1
        try:
            yield self.conn
            self.conn.execute(
                "INSERT INTO audit (at, user, command, action, subject, detail) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    utc_now(),
                    self.user,
                    current_command.get() or f"api:{action}",
                    action,
                    subject,
                    json.dumps(
                        {**(detail or {}), **({} if dated is None else {DATED: dated.isoformat()})},
                        default=str,
                        sort_keys=True,
                    ),
                ],
            )
            self.conn.execute("COMMIT" if outer else f"RELEASE {savepoint}")
        except BaseException as exc:
            if self.conn.in_transaction:
                self._undone += 1
                if outer:
                    self.conn.execute("ROLLBACK")
                else:
                    self.conn.execute(f"ROLLBACK TO {savepoint}")
                    self.conn.execute(f"RELEASE {savepoint}")
            if isinstance(exc, sqlite3.IntegrityError):
                raise refusal(exc) from None
            if isinstance(exc, sqlite3.Error):
                raise self._busy_or(exc) from None
            raise
        finally:
            self._depth -= 1

    def _busy_or(self, exc: sqlite3.Error) -> FsgrantError:
        if isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc):
            if self.unsafe is not None:
                return StoreError(self.unsafe, code="unsafe-place")
            return StoreError(f"{self.path} is read-only: nothing can be recorded in it")
        if is_busy(exc):
            return StoreError(
                f"the store {self.path} is busy: another fsgrant kept it locked for "
                f"{self.busy_timeout:g} s; try again (FSGRANT_BUSY_TIMEOUT sets the wait)"
            )
        return StoreError(f"store error on {self.path}: {exc}")

    def _require_transaction(self) -> None:
        # Every write goes through transaction(), so every write has its audit entry.
        if self._depth == 0:
            raise StoreError("internal error: a write outside Store.transaction() (no audit entry)")

    def insert(self, table: str, record: dict[str, Any]) -> int:
        """Insert one row (inside :meth:`transaction`), stamped with who and when (see
        :mod:`fsgrant.store.stamps`) unless it gives them; returns its rowid."""
        self._require_transaction()
        record = self.stamped(table, record)
        cols = list(record)
        sql = (
            f"INSERT INTO {table} ({', '.join(_q(c) for c in cols)}) "
            f"VALUES ({', '.join('?' for _ in cols)})"
        )
        cur = self.conn.execute(sql, [record[c] for c in cols])
        return int(cur.lastrowid or 0)

    def stamped(self, table: str, record: dict[str, Any]) -> dict[str, Any]:
        """``record`` with the table's who and when columns it lacks filled in: now, and
        this store's user."""
        stamps = self._stamps.get(table)
        if stamps is None:
            columns = [r[1] for r in self.conn.execute(f"PRAGMA table_info({_q(table)})")]
            stamps = self._stamps[table] = stamp_columns(columns)
        when, who = stamps
        missing = [c for c in when + who if c not in record]
        if not missing:
            return record
        now = utc_now()
        return {**record, **{c: now if c in when else self.user for c in missing}}

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one write statement (inside :meth:`transaction`)."""
        self._require_transaction()
        self.conn.execute(sql, params)

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one write statement per row (inside :meth:`transaction`)."""
        self._require_transaction()
        self.conn.executemany(sql, rows)

    def write_connection(self) -> sqlite3.Connection:
        """The connection, for a bulk writer working inside :meth:`transaction`."""
        self._require_transaction()
        return self.conn

    # ------------------------------------------------------------------ reading
    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        """Run a read query; rows behave as tuples and as mappings."""
        return self.conn.execute(sql, params).fetchall()

    def stream(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = (), *, raw: bool = False
    ) -> Iterator[Any]:
        """Run a read query and yield its rows as SQLite gives them (flat memory):
        :class:`sqlite3.Row`, or with ``raw`` plain tuples (cheaper, by position only)."""
        cur = self.conn.cursor()
        if raw:
            cur.row_factory = None
        yield from cur.execute(sql, params)

    def change_marks(self) -> tuple[object, ...]:
        """Marks that change whenever this or another connection changes the store
        (``total_changes``, ``PRAGMA data_version``, and the count of transactions
        rolled back, since a rollback leaves ``total_changes`` as it was), or what reads
        see of it (:meth:`known_as`): a cache key for reads."""
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        return self.conn.total_changes, int(version), self._undone, self.known

    @contextmanager
    def known_as(self, known: Known) -> Iterator[None]:
        """Within the block, reads of the roster see it as known at ``known.known_at``:
        what was recorded by then, plus the roster's corrections (records recorded later
        but effective on or before ``known.day``); see :mod:`fsgrant.domain.time_rule`.
        Everything else counts by its date alone, so it needs no horizon."""
        held = self.known
        self.known = known
        try:
            yield
        finally:
            self.known = held

    def roster_clause(self, kind: str, alias: str = "") -> tuple[str, list[Any]]:
        """A SQL condition (with its parameters) keeping the rows of roster ``kind``
        (a key of :data:`~fsgrant.domain.time_rule.RECORD_KINDS`) that count under the
        knowledge horizon: ``1`` with none."""
        known = self.known
        if known is None or known.known_at is None:
            return "1", []
        at = known.known_at
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        col = f"{alias}.{RECORD_KINDS[kind].dated_by}" if alias else RECORD_KINDS[kind].dated_by
        rec = f"{alias}.recorded_at" if alias else "recorded_at"
        return (
            f"({rec} <= ? OR {col} <= ?)",
            [at.isoformat(timespec="microseconds"), known.day.isoformat()],
        )

    def query_one(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
        return row


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
