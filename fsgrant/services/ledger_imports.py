"""Importing finance-system extracts: mapped, filtered, atomic, idempotent, and honest
about what was refused.

:meth:`ImportsMixin.import_spend` reads a CSV or XLSX extract row by row through a
mapping (:mod:`fsgrant.mapping`), checks every row by the rules of ``spend add``,
and stores the new lines in one ``BEGIN IMMEDIATE`` transaction together with the
batch record, so a failure or a kill stores nothing of the file.

Duplicates: each line carries a dedupe key (``spend.dedupe_key``, unique in the
store): the source's transaction reference where the mapping names one, else a
hash of the line's normalised fields plus the occurrence number of that identical
line within the file. Re-importing a file adds nothing; an overlapping extract adds
only its new lines; two identical lines in one file are both kept. Which keys the
file has already used is kept in a temporary SQLite table, not in memory, so
memory stays flat however long the file.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from fsgrant.domain.models import Money, SpendLine
from fsgrant.domain.money import from_pence
from fsgrant.errors import InvalidInput, NotFound, SourceError
from fsgrant.formats.mapping import (
    DEFAULT_MAPPING,
    Draft,
    ExtractMapping,
    LedgerRules,
    RowReader,
    load_mapping,
)
from fsgrant.services.ledger_core import LedgerCore
from fsgrant.store.connection import utc_now

__all__ = [
    "ImportBatch",
    "ImportResult",
    "ImportsMixin",
    "MappingCheck",
    "PreviewRow",
    "RejectedRow",
]

CHUNK_ROWS = 2000
"""Rows deduplicated and inserted together (one executemany) inside the transaction."""

KEPT_REJECTS = 20
"""How many rejected rows an :class:`ImportResult` carries (all go to the rejects file)."""

MappingLike = ExtractMapping | str | os.PathLike[str] | None
ProgressFn = Callable[[float], None]

_SEEN = "temp.fsgrant_import_seen"

# Bound per row; import_batch, recorded_at and recorded_by are the same for the
# whole import and written into the statement.
_ROW_COLUMNS = (
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
)

_KEY_INDEX = _ROW_COLUMNS.index("dedupe_key")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RejectedRow(_Model):
    """A row of an extract that was not imported, and why."""

    line: int
    field: str | None = None
    reason: str


class _ImportCounts(_Model):
    """What an import read and added: shared by a stored batch and an import's result."""

    file_name: str
    sha256: str
    rows_read: int
    """Data rows in the file (blank rows are not counted)."""
    rows_added: int
    """New lines stored (would be stored, in a dry run)."""
    rows_duplicate: int
    """Lines already in the store (from an earlier import)."""
    rows_skipped: int
    """Rows of other cost centres: not the grant's, not errors."""
    rows_rejected: int
    """Bad rows left out (with ``skip_invalid``; otherwise the import is refused)."""
    amounts_snapped: int
    """Amounts read from float noise to the nearest whole penny."""
    total_added: Money


class ImportBatch(_ImportCounts):
    """One stored import: where it came from and what it did."""

    id: int
    mapping: str | None = None
    imported_at: datetime
    imported_by: str


class ImportResult(_ImportCounts):
    """What an import did (or, with ``dry_run``, would do)."""

    batch_id: int | None
    """The stored batch; None for a dry run."""
    dry_run: bool = False
    rejects: tuple[RejectedRow, ...] = ()
    """The first rejected rows (all are in the rejects file)."""
    rejects_file: str | None = None
    earlier_batches: tuple[int, ...] = ()
    """Earlier batches of a file with the same sha256."""

    def summary_rows(self) -> list[dict[str, Any]]:
        """The summary as (what, count) rows, for display."""
        return [
            {"what": "rows read", "count": self.rows_read},
            {"what": "new", "count": self.rows_added},
            {"what": "duplicate (already stored)", "count": self.rows_duplicate},
            {"what": "skipped (other cost centres)", "count": self.rows_skipped},
            {"what": "rejected", "count": self.rows_rejected},
            {"what": "amounts snapped to the penny", "count": self.amounts_snapped},
        ]


class PreviewRow(_Model):
    """How one row of an extract would be read."""

    line: int
    status: str
    """``new``, ``stored`` (already in the store), ``skipped`` or ``error``."""
    date: str | None = None
    amount: Money | None = None
    category: str | None = None
    post: str | None = None
    supplier: str | None = None
    description: str | None = None
    reference: str | None = None
    snapped: bool = False
    reason: str | None = None


class MappingCheck(_Model):
    """How a mapping reads an extract: the header found and the first rows."""

    file_name: str
    kind: str
    header_line: int
    header: tuple[str, ...]
    columns: dict[str, str]
    """Mapped role -> header name."""
    dedupe_by: str
    encoding: str | None = None
    details: dict[str, str]
    rows: tuple[PreviewRow, ...]


class _DryRun(Exception):
    """Raised at the end of a dry run to roll everything back."""


class ImportsMixin(LedgerCore):
    """Importing finance-system extracts."""

    # ------------------------------------------------------------------ helpers
    def _mapping(self, mapping: MappingLike) -> ExtractMapping:
        if mapping is None:
            return DEFAULT_MAPPING
        if isinstance(mapping, ExtractMapping):
            mapping.check()
            return mapping
        return load_mapping(Path(mapping))

    def _rules(self) -> LedgerRules:
        posts = [r[0] for r in self.store.query("SELECT id FROM posts")]
        return LedgerRules(list(self.categories()), posts, self.years(), self.closures())

    # ------------------------------------------------------------------ import
    def import_spend(
        self,
        path: str | os.PathLike[str],
        mapping: MappingLike = None,
        *,
        dry_run: bool = False,
        skip_invalid: bool = False,
        rejects: str | os.PathLike[str] | None = None,
        progress: ProgressFn | None = None,
    ) -> ImportResult:
        """Import a finance-system extract (CSV or XLSX) as spend lines.

        The whole file is one transaction that takes the write lock up front: all of
        it is stored, or (on an error, or if the process dies) none of it.

        Args:
            path: the extract.
            mapping: a mapping TOML file or :class:`~fsgrant.formats.mapping.ExtractMapping`;
                None for fsgrant's own columns (``date, amount, category, post,
                supplier, description, reference, year``).
            dry_run: read, check and deduplicate, store nothing.
            skip_invalid: store the good rows and leave out the bad ones (written to
                ``rejects`` with a reason), instead of refusing the file.
            rejects: where to write the rejected rows as CSV (the source's columns plus
                ``source_line`` and ``reason``); not written in a dry run.
            progress: called now and then with the fraction of the file read.

        Returns:
            The counts: read, added, duplicate, skipped, rejected, snapped, total added.

        Raises:
            SourceError: a bad row (naming file, line and column) without
                ``skip_invalid``; an unreadable or unsafe file; a bad mapping.
        """
        from fsgrant.formats.extracts import open_extract

        src = Path(path)
        mp = self._mapping(mapping)
        self.grant  # noqa: B018 - refuses with a clear message when there is no grant
        if rejects is not None and not Path(rejects).resolve().parent.is_dir():
            raise InvalidInput(
                f"cannot write rejects to {rejects}: its folder does not exist", field="rejects"
            )
        extract = open_extract(
            src,
            mp.required_columns(),
            encoding=mp.source.encoding,
            delimiter=mp.source.delimiter,
            sheet=mp.source.sheet,
            header_row=mp.source.header_row,
            progress=progress,
        )
        rejects_out: _RejectsWriter | None = None
        detail: dict[str, Any] = {"file": src.name, "sha256": extract.sha256}
        state = _ImportState()
        try:
            if rejects is not None and skip_invalid and not dry_run:
                rejects_out = _RejectsWriter(Path(rejects), extract.header)
            # The audit row is written at the end of the transaction from this same
            # dict, so the counts filled in below are what the audit records.
            with self.store.transaction("spend.import", src.name, detail) as conn:
                # Read once, inside the write lock: no variation or closure can slip in.
                reader = RowReader(
                    mp,
                    extract.header,
                    self._rules(),
                    source=src.name,
                    header_line=extract.header_line,
                    kind=extract.kind,
                )
                # The batch row is written last; spend.import_batch is a deferred
                # foreign key, so the lines may name it first. No other writer can take
                # this id: the transaction holds the write lock.
                row = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM import_batches")
                batch_id = int(row.fetchone()[0])
                conn.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {_SEEN.split('.')[1]} "
                    "(key TEXT PRIMARY KEY, n INTEGER NOT NULL, first_line INTEGER NOT NULL) "
                    "WITHOUT ROWID"
                )
                conn.execute(f"DELETE FROM {_SEEN}")
                stamp = utc_now()
                inserter = _ChunkInserter(conn, batch_id, stamp, self.store.user)
                chunk: list[tuple[Draft, list[str]]] = []

                def reject(line: int, cells: list[str], exc: SourceError) -> None:
                    if not skip_invalid:
                        raise exc
                    state.rejected += 1
                    if len(state.rejects) < KEPT_REJECTS:
                        state.rejects.append(
                            RejectedRow(line=line, field=exc.field, reason=exc.reason)
                        )
                    if rejects_out is not None:
                        rejects_out.write(line, cells, exc.reason)

                def flush() -> None:
                    self._store_chunk(chunk, state, reject, inserter, src.name)
                    chunk.clear()

                # The loop runs once per row of files of a million rows: locals only.
                rows_read = rows_skipped = 0
                centres = reader.cost_centres
                i_cc = reader.i_cc if centres else None
                read_row = reader.read
                keep = chunk.append
                for line, cells in extract.rows:
                    if not any(cells) or (
                        not cells[0].strip() and not any(c.strip() for c in cells)
                    ):
                        continue  # a blank row carries nothing: not counted
                    rows_read += 1
                    if i_cc is not None and (
                        (cells[i_cc].strip() if i_cc < len(cells) else "") not in centres
                    ):
                        rows_skipped += 1
                        continue
                    try:
                        draft = read_row(line, cells)
                    except SourceError as exc:
                        reject(line, cells, exc)
                        continue
                    keep((draft, cells))
                    if len(chunk) >= CHUNK_ROWS:
                        flush()
                state.read, state.skipped = rows_read, rows_skipped
                flush()
                conn.execute(f"DROP TABLE {_SEEN}")
                earlier = tuple(
                    r[0]
                    for r in conn.execute(
                        "SELECT id FROM import_batches WHERE sha256 = ? ORDER BY id",
                        [extract.sha256],
                    )
                )
                detail.update(state.counts())
                if dry_run:
                    raise _DryRun
                self.store.insert(
                    "import_batches",
                    {
                        "id": batch_id,
                        "file_name": src.name,
                        "sha256": extract.sha256,
                        "mapping": mp.model_dump_json(exclude={"optional_columns"}),
                        "imported_at": stamp,
                        "imported_by": self.store.user,
                        "rows_read": state.read,
                        "rows_added": state.added,
                        "rows_duplicate": state.duplicate,
                        "rows_skipped": state.skipped,
                        "rows_rejected": state.rejected,
                        "amounts_snapped": state.snapped,
                        "total_added_pence": state.total,
                    },
                )
        except _DryRun:
            batch_id_out: int | None = None
        except BaseException:
            if rejects_out is not None:
                rejects_out.discard()
            raise
        else:
            batch_id_out = batch_id
        finally:
            close = getattr(extract.rows, "close", None)
            if close is not None:
                close()
        rejects_file = None
        if rejects_out is not None:
            rejects_file = str(rejects_out.commit()) if state.rejected else None
            if not state.rejected:
                rejects_out.discard()
        return ImportResult(
            batch_id=batch_id_out,
            file_name=src.name,
            sha256=extract.sha256,
            dry_run=dry_run,
            rows_read=state.read,
            rows_added=state.added,
            rows_duplicate=state.duplicate,
            rows_skipped=state.skipped,
            rows_rejected=state.rejected,
            amounts_snapped=state.snapped,
            total_added=from_pence(state.total),
            rejects=tuple(state.rejects),
            rejects_file=rejects_file,
            earlier_batches=earlier,
        )

    def _store_chunk(
        self,
        chunk: list[tuple[Draft, list[str]]],
        state: _ImportState,
        reject: Callable[[int, list[str], SourceError], None],
        inserter: _ChunkInserter,
        source: str,
    ) -> None:
        """Drop lines already stored, refuse references repeated within the file,
        number identical lines, and insert the rest (also in a dry run, which is
        rolled back)."""
        if not chunk:
            return
        by_reference = chunk[0][0].key.startswith("ref:")
        if by_reference:
            keyed = [(d, d.key) for d, _ in chunk]
            # A reference twice in the chunk needs the careful way (it is refused).
            fast = len({k for _, k in keyed}) == len(keyed)
        else:
            keyed = self._keys_by_occurrence(chunk)
            fast = True
        # The common case, a chunk of lines all new: insert them without looking each
        # up first. If any was not new, undo that and take the careful way.
        if fast and inserter.insert_if_all_new([_row(d, k) for d, k in keyed]):
            for d, _ in keyed:
                state.snapped += d.snapped
                state.total += d.pence
            state.added += len(keyed)
            return
        if by_reference:
            keyed = self._keys_by_reference(chunk, reject, inserter.batch_id, source)
        conn = self.store.conn
        stored: set[str] = set()
        keys = [k for _, k in keyed]
        if keys:
            stored = {
                r[0]
                for r in conn.execute(
                    f"SELECT dedupe_key FROM spend WHERE dedupe_key IN ({_marks(keys)})", keys
                )
            }
        rows = []
        for d, key in keyed:
            state.snapped += d.snapped
            if key in stored:
                state.duplicate += 1
                continue
            state.added += 1
            state.total += d.pence
            rows.append(_row(d, key))
        if rows:
            inserter.insert(rows)

    def _keys_by_occurrence(self, chunk: list[tuple[Draft, list[str]]]) -> list[tuple[Draft, str]]:
        """Hash keys: add the occurrence number of that identical line in the file,
        counted in a temporary table (so memory stays flat)."""
        conn = self.store.conn
        bases = list({d.key for d, _ in chunk})
        counts: dict[str, int] = {
            r[0]: r[1]
            for r in conn.execute(
                f"SELECT key, n FROM {_SEEN} WHERE key IN ({_marks(bases)})", bases
            )
        }
        keyed = []
        for draft, _cells in chunk:
            n = counts[draft.key] = counts.get(draft.key, 0) + 1
            keyed.append((draft, f"{draft.key}:{n}"))
        conn.executemany(
            f"INSERT OR REPLACE INTO {_SEEN} (key, n, first_line) VALUES (?, ?, 0)",
            list(counts.items()),
        )
        return keyed

    def _keys_by_reference(
        self,
        chunk: list[tuple[Draft, list[str]]],
        reject: Callable[[int, list[str], SourceError], None],
        batch_id: int,
        source: str,
    ) -> list[tuple[Draft, str]]:
        """Reference keys: a reference seen earlier in this file is refused. Earlier
        in this chunk: a local dict; in an earlier chunk and new: the store holds it
        under this batch; in an earlier chunk and a duplicate: the temporary table,
        which holds only those (so a first import does not pay for it)."""
        conn = self.store.conn
        keys = list({d.key for d, _ in chunk})
        earlier: dict[str, int] = {}
        others: list[str] = []
        for key, batch, line in conn.execute(
            f"SELECT dedupe_key, import_batch, source_line FROM spend "
            f"WHERE dedupe_key IN ({_marks(keys)})",
            keys,
        ):
            if batch == batch_id:
                earlier[key] = line
            else:
                others.append(key)
        if others:
            for key, line in conn.execute(
                f"SELECT key, first_line FROM {_SEEN} WHERE key IN ({_marks(others)})", others
            ):
                earlier[key] = line
        keyed = []
        firsts = []
        for draft, cells in chunk:
            first = earlier.get(draft.key)
            if first is not None:
                reject(
                    draft.line,
                    cells,
                    SourceError(
                        source,
                        draft.line,
                        None,
                        f"transaction reference '{draft.reference}' appears again (first at "
                        f"line {first}); if the extract's references are not unique, map "
                        "reference to a list of columns that are, or set [dedupe] by = 'hash'",
                    ),
                )
                continue
            earlier[draft.key] = draft.line
            keyed.append((draft, draft.key))
            firsts.append((draft.key, draft.line))
        if others:
            other_set = set(others)
            conn.executemany(
                f"INSERT OR REPLACE INTO {_SEEN} (key, n, first_line) VALUES (?, 1, ?)",
                [(k, line) for k, line in firsts if k in other_set],
            )
        return keyed

    # ------------------------------------------------------------------ reading back
    def imports(self) -> list[ImportBatch]:
        """Every stored import batch, oldest first."""
        return [_batch(r) for r in self.store.query("SELECT * FROM import_batches ORDER BY id")]

    def import_batch(self, batch_id: int) -> ImportBatch:
        """One import batch.

        Raises:
            NotFound: no such batch.
        """
        row = self.store.query_one("SELECT * FROM import_batches WHERE id = ?", [int(batch_id)])
        if row is None:
            raise NotFound("import batch", batch_id, "list them with 'fsgrant imports list'")
        return _batch(row)

    def batch_lines(self, batch_id: int) -> list[SpendLine]:
        """The spend lines an import batch added, in source-line order.

        Raises:
            NotFound: no such batch.
        """
        from fsgrant.domain.funding import Allocator

        self.import_batch(batch_id)
        allocator = Allocator(self.years())
        rows = self.store.query(
            f"{self._SPEND_SQL} WHERE s.import_batch = ? ORDER BY s.source_line, s.id",
            [int(batch_id)],
        )
        return [self._spend_model(r, allocator) for r in rows]

    # ------------------------------------------------------------------ checking a mapping
    def check_mapping(
        self,
        path: str | os.PathLike[str],
        mapping: MappingLike = None,
        *,
        rows: int = 10,
    ) -> MappingCheck:
        """Show how a mapping reads the first rows of an extract; stores nothing.

        Raises:
            SourceError: the mapping is bad, or the file unreadable or lacks a column.
            InvalidInput: ``rows`` is not positive.
        """
        from fsgrant.formats.extracts import open_extract

        if rows < 1:
            raise InvalidInput("rows must be at least 1", field="rows")
        src = Path(path)
        mp = self._mapping(mapping)
        extract = open_extract(
            src,
            mp.required_columns(),
            encoding=mp.source.encoding,
            delimiter=mp.source.delimiter,
            sheet=mp.source.sheet,
            header_row=mp.source.header_row,
        )
        preview: list[PreviewRow] = []
        try:
            reader = RowReader(
                mp,
                extract.header,
                self._rules(),
                source=src.name,
                header_line=extract.header_line,
                kind=extract.kind,
            )
            counts: dict[str, int] = {}
            for line, cells in extract.rows:
                if not any(c.strip() for c in cells):
                    continue
                if not reader.belongs(cells):
                    preview.append(
                        PreviewRow(line=line, status="skipped", reason="another cost centre")
                    )
                else:
                    preview.append(self._preview(reader, line, cells, counts))
                if len(preview) >= rows:
                    break
        finally:
            close = getattr(extract.rows, "close", None)
            if close is not None:
                close()
        return MappingCheck(
            file_name=src.name,
            kind=extract.kind,
            header_line=extract.header_line,
            header=tuple(extract.header),
            columns=mp.column_names(),
            dedupe_by=mp.dedupe_by,
            encoding=extract.encoding,
            details={k: str(v) for k, v in extract.details.items()},
            rows=tuple(preview),
        )

    def _preview(
        self, reader: RowReader, line: int, cells: list[str], counts: dict[str, int]
    ) -> PreviewRow:
        try:
            d = reader.read(line, cells)
        except SourceError as exc:
            return PreviewRow(line=line, status="error", reason=exc.reason)
        key = d.key
        if not key.startswith("ref:"):
            counts[key] = counts.get(key, 0) + 1
            key = f"{key}:{counts[key]}"
        stored = self.store.query_one("SELECT id FROM spend WHERE dedupe_key = ?", [key])
        return PreviewRow(
            line=line,
            status="stored" if stored else "new",
            date=d.date,
            amount=from_pence(d.pence),
            category=d.category,
            post=d.post,
            supplier=d.supplier,
            description=d.description,
            reference=d.reference,
            snapped=d.snapped,
            reason=f"already stored as line {stored[0]}" if stored else None,
        )


class _ChunkInserter:
    """Inserts a chunk of spend lines with multi-row ``INSERT ... VALUES`` statements.

    ``spend`` has a trigger, so SQLite opens a statement journal for every INSERT
    statement, copying each page the statement touches; one statement per thousand
    rows instead of one per row makes storing three to four times faster.
    """

    def __init__(self, conn: Any, batch_id: int, stamp: str, user: str) -> None:
        self.conn = conn
        self.batch_id = batch_id
        limit = conn.getlimit(_SQLITE_LIMIT_VARIABLE_NUMBER)
        self.per_statement = max(1, min(CHUNK_ROWS, limit // len(_ROW_COLUMNS)))
        # The same for every row: written into the statement as literals.
        self.tail = f", {int(batch_id)}, {_literal(stamp)}, {_literal(user)})"
        self.head = (
            f"INSERT INTO spend ({', '.join(_ROW_COLUMNS)}, import_batch, recorded_at, "
            "recorded_by) VALUES "
        )
        self.one = "(" + ", ".join("?" * len(_ROW_COLUMNS)) + self.tail

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        step = self.per_statement
        head = self.head
        for start in range(0, len(rows), step):
            part = rows[start : start + step]
            sql = head + ", ".join([self.one] * len(part))
            self.conn.execute(sql, list(chain.from_iterable(part)))

    def insert_if_all_new(self, rows: list[tuple[Any, ...]]) -> bool:
        """Insert the rows if none is already stored (by dedupe key), else nothing.

        One indexed look-up of the chunk's keys first: the store refuses an insert
        whose dedupe key is stored already (even with ``OR IGNORE``), so a chunk is
        only inserted whole when all of it is new.

        Returns:
            Whether they were inserted.
        """
        keys = [r[_KEY_INDEX] for r in rows]
        step = max(1, self.conn.getlimit(_SQLITE_LIMIT_VARIABLE_NUMBER) - 1)
        for start in range(0, len(keys), step):
            part = keys[start : start + step]
            hit = self.conn.execute(
                f"SELECT 1 FROM spend WHERE dedupe_key IN ({_marks(part)}) LIMIT 1", part
            ).fetchone()
            if hit is not None:
                return False
        self.insert(rows)
        return True


_SQLITE_LIMIT_VARIABLE_NUMBER = 9  # sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER (store.py owns sqlite3)


def _row(d: Draft, key: str) -> tuple[Any, ...]:
    """The values of :data:`_ROW_COLUMNS` for a draft line."""
    return (
        d.date,
        d.pence,
        d.category,
        d.post,
        d.supplier,
        d.description,
        d.reference,
        d.year,
        d.line,
        key,
    )


def _marks(values: list[str]) -> str:
    return ",".join("?" * len(values))


def _literal(text: str) -> str:
    """An SQL string literal (quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


class _ImportState:
    __slots__ = ("added", "duplicate", "read", "rejected", "rejects", "skipped", "snapped", "total")

    def __init__(self) -> None:
        self.read = self.added = self.duplicate = self.skipped = 0
        self.rejected = self.snapped = self.total = 0
        self.rejects: list[RejectedRow] = []

    def counts(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "added": self.added,
            "duplicate": self.duplicate,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "snapped": self.snapped,
            "total_added": str(from_pence(self.total)),
        }


class _RejectsWriter:
    """Rejected rows to a temporary file beside the target, renamed into place only
    when the import has been stored."""

    def __init__(self, target: Path, header: list[str]) -> None:
        self.target = target
        self.width = len(header)
        fd, name = tempfile.mkstemp(
            prefix=f".{target.name}-",
            suffix=".tmp",
            dir=target.parent if str(target.parent) else ".",
        )
        self.tmp = Path(name)
        # UTF-8 with a byte-order mark, so Excel shows a £ sign as one.
        self.file = os.fdopen(fd, "w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.file)
        self.writer.writerow([*header, "source_line", "reason"])

    def write(self, line: int, cells: list[str], reason: str) -> None:
        padded = (cells + [""] * self.width)[: max(self.width, len(cells))]
        self.writer.writerow([*padded, line, reason])

    def commit(self) -> Path:
        self.file.close()
        os.replace(self.tmp, self.target)
        return self.target

    def discard(self) -> None:
        if not self.file.closed:
            self.file.close()
        self.tmp.unlink(missing_ok=True)


def _batch(r: Any) -> ImportBatch:
    return ImportBatch(
        id=r["id"],
        file_name=r["file_name"],
        sha256=r["sha256"],
        mapping=r["mapping"],
        imported_at=datetime.fromisoformat(r["imported_at"]),
        imported_by=r["imported_by"],
        rows_read=r["rows_read"],
        rows_added=r["rows_added"],
        rows_duplicate=r["rows_duplicate"],
        rows_skipped=r["rows_skipped"],
        rows_rejected=r["rows_rejected"],
        amounts_snapped=r["amounts_snapped"],
        total_added=from_pence(r["total_added_pence"]),
    )
