"""Import batches, and the writer an import stores its lines through.

An import runs in one transaction (see :class:`fsgrant.imports.service.ImportsService`);
inside it an :class:`ImportWriter` reserves the batch id, inserts chunks of lines
with multi-row statements, looks up dedupe keys (text or BLOB, see
:mod:`fsgrant.domain.dedupe_keys`), and keeps in a temporary table what an import
would otherwise hold in memory for a long file (occurrence counts past a cap, the
first lines of references already stored).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import chain
from typing import Any

from fsgrant.domain.dedupe_keys import EARLIER_HASH_PREFIX
from fsgrant.domain.imports import ImportBatch
from fsgrant.domain.money import from_pence
from fsgrant.store.connection import Store
from fsgrant.store.schema_sql import DEDUPE_KEY_CLASH
from fsgrant.store.stamps import utc_now

__all__ = ["IMPORT_ROW_COLUMNS", "ImportWriter", "ImportsTable"]

MAX_ROWS_PER_STATEMENT = 2000
"""At most this many lines in one multi-row INSERT (fewer where SQLite's variable limit says)."""

IMPORT_ROW_COLUMNS = (
    "date",
    "amount_pence",
    "category",
    "post",
    "supplier",
    "description",
    "reference",
    "funding_year",
    "source_line",
    "dedupe_key",
    "source_fields",
)
"""The values bound per imported line, in this order; the batch is the same for the
whole import and written into the statement, and the time and user are the batch's
(``import_batches.imported_at``, ``imported_by``), not repeated on each line."""

BULK_INDEXES = ("spend_date_totals", "spend_reference")
"""Indexes an import large beside the table drops and builds again at its end: the
reports' covering index and the index matching invoices to purchase orders by
reference, which no statement of the import reads."""
BULK_MIN_ROWS = 10_000
BULK_SHARE = 4
"""The import drops them once it has inserted at least ``BULK_MIN_ROWS`` lines and a
``1/BULK_SHARE`` of the lines stored before it."""
BULK_CACHE_KIB = -131072
"""The page cache during an import of lines keyed by hash: 128 MiB (SQLite reads a
negative size as KiB). Their keys are random, so each lands anywhere in the unique
index: with the index's pages at hand a million-line import took 38 s against 43 s
with SQLite's default cache. Keys by reference come in order, and gain nothing from it
(16 s either way) but memory (250 MiB at its peak, against 65 MiB)."""

_SEEN = "temp.fsgrant_import_seen"

Key = str | bytes


class ImportsTable:
    """``import_batches``: one row per stored import."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def link_orders(self, batch: int, cell: int) -> None:
        """Record the purchase order each line of ``batch`` quotes: cell ``cell`` of its
        source row, where not empty (inside the import's transaction)."""
        self.store.execute(
            """INSERT INTO spend_orders (spend, reference)
               SELECT s.id, trim(json_extract(s.source_fields, '$[' || ? || ']'))
               FROM spend s WHERE s.import_batch = ?
                 AND json_type(s.source_fields) = 'array'
                 AND length(trim(coalesce(json_extract(s.source_fields, '$[' || ? || ']'), '')))
                     > 0""",
            [cell, batch, cell],
        )

    def same_import(self, sha256: str, mapping: str) -> int | None:
        """The latest batch of a file with this sha256 read through this mapping."""
        row = self.store.query_one(
            "SELECT max(id) FROM import_batches WHERE sha256 = ? AND mapping = ?",
            [sha256, mapping],
        )
        return None if row is None or row[0] is None else int(row[0])

    def list(self) -> list[ImportBatch]:
        return [_batch(r) for r in self.store.query("SELECT * FROM import_batches ORDER BY id")]

    def get(self, batch_id: int) -> ImportBatch | None:
        row = self.store.query_one("SELECT * FROM import_batches WHERE id = ?", [int(batch_id)])
        return None if row is None else _batch(row)

    def stored_line(self, *dedupe_keys: Key | None) -> int | None:
        """The id of the stored line with one of these dedupe keys, if any."""
        for key in dedupe_keys:
            if key is None:
                continue
            row = self.store.query_one("SELECT id FROM spend WHERE dedupe_key = ?", [key])
            if row is not None:
                return int(row[0])
        return None

    def holds_earlier_hash_keys(self) -> bool:
        """Whether any stored line has a text hash key of fsgrant 0.1
        (``hash:<sha256 hex>:<n>``); a range of the unique index on ``dedupe_key``
        answers it (BLOB keys sort after all text)."""
        # ';' follows ':' in ASCII: the range holds exactly the texts starting 'hash:'.
        stop = EARLIER_HASH_PREFIX[:-1] + chr(ord(EARLIER_HASH_PREFIX[-1]) + 1)
        row = self.store.query_one(
            "SELECT 1 FROM spend WHERE dedupe_key >= ? AND dedupe_key < ? LIMIT 1",
            [EARLIER_HASH_PREFIX, stop],
        )
        return row is not None

    def writer(self, columns: Sequence[str] = IMPORT_ROW_COLUMNS) -> ImportWriter:
        """A writer for one import (call inside the import's transaction), binding
        ``columns`` (see :class:`ImportWriter`); its lines and batch are stamped now."""
        return ImportWriter(self.store, utc_now(), columns)


class ImportWriter:
    """Stores one import's lines; inside its transaction only.

    Each line is a tuple of the values of ``columns``: :data:`IMPORT_ROW_COLUMNS`, in
    that order, less any the import never fills, which are then stored as NULL
    (binding None costs ``sqlite3`` several times what a text costs, while holding the
    interpreter the reading thread needs).
    """

    def __init__(
        self, store: Store, stamp: str, columns: Sequence[str] = IMPORT_ROW_COLUMNS
    ) -> None:
        if [c for c in IMPORT_ROW_COLUMNS if c in columns] != list(columns):
            raise ValueError(f"columns must be of IMPORT_ROW_COLUMNS, in its order: {columns}")
        self.columns = tuple(columns)
        self.store = store
        self.stamp = stamp
        self.conn = store.write_connection()
        conn = self.conn
        # The batch row is written last; spend.import_batch is a deferred foreign key,
        # so the lines may name it first. No other writer can take this id: the
        # transaction holds the write lock.
        row = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM import_batches")
        self.batch_id = int(row.fetchone()[0])
        self._seen_ready = False
        self.limit = conn.getlimit(_SQLITE_LIMIT_VARIABLE_NUMBER)
        self.per_statement = max(1, min(MAX_ROWS_PER_STATEMENT, self.limit // len(columns)))
        # The same for every row: written into the statement as a literal. The lines
        # carry their batch's time and user, not their own (read coalesced: see
        # fsgrant.store.migrations_stamps).
        tail = f", {self.batch_id})"
        self.head = f"INSERT INTO spend ({', '.join(columns)}, import_batch) VALUES "
        self.one = "(" + ", ".join("?" * len(columns)) + tail
        # Lines in the store before this import (ids are never reused: close enough).
        row = conn.execute("SELECT coalesce(max(id), 0) FROM spend")
        self.before = int(row.fetchone()[0])
        self.inserted = 0
        self.dropped: list[str] = []
        """CREATE statements of indexes dropped for the import, to rebuild at its end."""
        self._cache_size: int | None = None

    def _seen(self) -> str:
        """The temporary table of keys seen in this file, made on first use."""
        if not self._seen_ready:
            self.conn.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {_SEEN.split('.')[1]} "
                "(key TEXT PRIMARY KEY, n INTEGER NOT NULL, first_line INTEGER NOT NULL) "
                "WITHOUT ROWID"
            )
            self.conn.execute(f"DELETE FROM {_SEEN}")
            self._seen_ready = True
        return _SEEN

    # ------------------------------------------------------------ bulk mode
    def start_bulk(self, *, random_keys: bool) -> None:
        """A larger page cache for an import whose keys are random (restored by
        :meth:`end_bulk`); see :data:`BULK_CACHE_KIB`."""
        if not random_keys:
            return
        self._cache_size = int(self.conn.execute("PRAGMA cache_size").fetchone()[0])
        self.conn.execute(f"PRAGMA cache_size = {BULK_CACHE_KIB}")

    def end_bulk(self) -> None:
        """The page cache as it was (after a commit or a rollback alike)."""
        if self._cache_size is not None:
            self.conn.execute(f"PRAGMA cache_size = {self._cache_size}")
            self._cache_size = None

    def _maybe_drop_indexes(self) -> None:
        """Once the import is a sizeable part of the table, stop maintaining the
        reports' covering index line by line: it is dropped here and built again in
        one sorted pass by :meth:`rebuild_indexes`, inside the same transaction (a
        rollback restores it as it was)."""
        if self.dropped or self.inserted < max(BULK_MIN_ROWS, self.before // BULK_SHARE):
            return
        for name in BULK_INDEXES:
            row = self.conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", [name]
            ).fetchone()
            if row is not None and row[0]:
                self.conn.execute(f'DROP INDEX "{name}"')
                self.dropped.append(str(row[0]))

    def rebuild_indexes(self) -> None:
        """Build again the indexes the import dropped (call before the commit)."""
        for sql in self.dropped:
            self.conn.execute(sql)
        self.dropped = []

    # ------------------------------------------------------------ storing lines
    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        """Insert lines with multi-row ``INSERT ... VALUES`` statements.

        ``spend`` has a trigger, so SQLite opens a statement journal for every INSERT
        statement, copying each page the statement touches; one statement per thousand
        rows instead of one per row makes storing three to four times faster.
        """
        self._maybe_drop_indexes()
        self._insert(rows)

    def _insert(self, rows: list[tuple[Any, ...]]) -> None:
        step = self.per_statement
        for start in range(0, len(rows), step):
            part = rows[start : start + step]
            sql = self.head + ", ".join([self.one] * len(part))
            self.conn.execute(sql, list(chain.from_iterable(part)))
        self.inserted += len(rows)

    def insert_if_all_new(self, rows: list[tuple[Any, ...]], also: Sequence[Key] = ()) -> bool:
        """Insert the rows if none is already stored (by dedupe key, or by one of the
        keys ``also``: the same lines' keys in an earlier form), else nothing.

        The store itself refuses a line whose dedupe key is stored already (the
        ``spend_no_replace`` trigger, even with ``OR IGNORE``), so the rows are
        inserted under a savepoint without looking their keys up first: if the store
        refuses one, the savepoint is rolled back and nothing of them stays. The
        earlier forms are not stored keys, so those are looked up.

        Returns:
            Whether they were inserted.
        """
        if next(self._rows_in("SELECT 1 FROM spend WHERE dedupe_key IN ({}) LIMIT 1", also), None):
            return False
        # Before the savepoint: a rollback to it would bring a dropped index back.
        self._maybe_drop_indexes()
        self.conn.execute("SAVEPOINT fsgrant_import_chunk")
        try:
            self._insert(rows)
        except sqlite3.IntegrityError as exc:
            self.conn.execute("ROLLBACK TO fsgrant_import_chunk")
            self.conn.execute("RELEASE fsgrant_import_chunk")
            if DEDUPE_KEY_CLASH in str(exc):
                return False
            raise
        self.conn.execute("RELEASE fsgrant_import_chunk")
        return True

    # ------------------------------------------------------------ dedupe keys
    def _rows_in(self, sql: str, values: Sequence[Any]) -> Iterator[Any]:
        """The rows of ``sql``, whose ``{}`` is filled with ``?`` for each of the
        values, run in parts that keep within SQLite's limit on bound values."""
        step = max(1, self.limit)
        for start in range(0, len(values), step):
            part = list(values[start : start + step])
            yield from self.conn.execute(sql.format(_marks(part)), part)

    def stored_keys(self, keys: list[Key]) -> set[Key]:
        """Those of the keys some stored line has."""
        return {
            r[0]
            for r in self._rows_in("SELECT dedupe_key FROM spend WHERE dedupe_key IN ({})", keys)
        }

    def occurrences(self, digests: list[bytes]) -> dict[bytes, int]:
        """How often each line (by its digest) was seen earlier in this file, of those
        counted here (:meth:`save_occurrences`)."""
        sql = f"SELECT key, n FROM {self._seen()} WHERE key IN ({{}})"
        return {key: n for key, n in self._rows_in(sql, digests)}

    def save_occurrences(self, counts: dict[bytes, int]) -> None:
        """Count these lines' occurrences here from now on (how often each was seen)."""
        self._replace_seen("(key, n, first_line)", "(?, ?, 0)", list(counts.items()))

    def stored_references(self, keys: list[str]) -> tuple[dict[str, int], list[str]]:
        """Reference keys already stored: ``({key: source line}`` of this batch's lines,
        ``[keys of earlier batches]``)."""
        mine: dict[str, int] = {}
        others: list[str] = []
        for key, batch, line in self._rows_in(
            "SELECT dedupe_key, import_batch, source_line FROM spend WHERE dedupe_key IN ({})",
            keys,
        ):
            if batch == self.batch_id:
                mine[key] = line
            else:
                others.append(key)
        return mine, others

    def first_lines(self, keys: list[str]) -> dict[str, int]:
        """The line of this file where each (already stored) reference was first seen."""
        sql = f"SELECT key, first_line FROM {self._seen()} WHERE key IN ({{}})"
        return {key: line for key, line in self._rows_in(sql, keys)}

    def remember_first_lines(self, pairs: list[tuple[str, int]]) -> None:
        self._replace_seen("(key, n, first_line)", "(?, 1, ?)", pairs)

    def _replace_seen(self, columns: str, one: str, pairs: list[tuple[Any, int]]) -> None:
        """``INSERT OR REPLACE`` the pairs into the temporary table, many rows to a
        statement: ``executemany`` lets go of the interpreter and takes it back for
        every row, and while the reading thread runs, taking it back costs more than
        the row (measured: 26 µs a row, where a statement of many rows costs 2)."""
        table = self._seen()
        step = max(1, self.limit // 2)
        for start in range(0, len(pairs), step):
            part = pairs[start : start + step]
            self.conn.execute(
                f"INSERT OR REPLACE INTO {table} {columns} VALUES " + ", ".join([one] * len(part)),
                list(chain.from_iterable(part)),
            )

    # ------------------------------------------------------------ the batch
    def finish(self, sha256: str) -> tuple[int, ...]:
        """Drop the temporary keys; returns earlier batches of a file with this sha256."""
        if self._seen_ready:
            self.conn.execute(f"DROP TABLE {_SEEN}")
            self._seen_ready = False
        return tuple(
            r[0]
            for r in self.conn.execute(
                "SELECT id FROM import_batches WHERE sha256 = ? ORDER BY id", [sha256]
            )
        )

    def insert_batch(self, record: dict[str, Any]) -> None:
        self.store.insert(
            "import_batches",
            {
                "id": self.batch_id,
                "imported_at": self.stamp,
                "imported_by": self.store.user,
                **record,
            },
        )


_SQLITE_LIMIT_VARIABLE_NUMBER = 9  # sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER


def _marks(values: list[Any]) -> str:
    return ",".join("?" * len(values))


def _batch(r: Any) -> ImportBatch:
    skipped_by = r["skipped_by"]
    return ImportBatch(
        id=r["id"],
        file_name=r["file_name"],
        sha256=r["sha256"],
        mapping=r["mapping"],
        # One format everywhere: ISO 8601, UTC, to the second.
        imported_at=datetime.fromisoformat(r["imported_at"]).replace(microsecond=0),
        imported_by=r["imported_by"],
        rows_read=r["rows_read"],
        rows_added=r["rows_added"],
        rows_duplicate=r["rows_duplicate"],
        rows_skipped=r["rows_skipped"],
        rows_zero=r["rows_zero"],
        skipped_by=json.loads(skipped_by) if skipped_by else {},
        rows_rejected=r["rows_rejected"],
        amounts_snapped=r["amounts_snapped"],
        total_added=from_pence(r["total_added_pence"]),
    )
