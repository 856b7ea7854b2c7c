"""Storing an import's rows a chunk at a time: the dedupe keys (a transaction
reference, or a hash plus the occurrence number of that identical line in the file,
see :mod:`fsgrant.domain.dedupe_keys`), the lines already stored or repeated within
the file, and the running counts of an import (:class:`ImportState`).

Used by :meth:`fsgrant.imports.service.ImportsService.import_file` inside its one
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from operator import itemgetter
from typing import Any, NamedTuple, cast

from fsgrant.domain.dedupe_keys import earlier_hash_key, hash_key
from fsgrant.domain.imports import RejectedRow
from fsgrant.domain.money import MAX_GROSS_PENCE, from_pence, gross_total_problem
from fsgrant.errors import SourceError
from fsgrant.imports.rows import Draft
from fsgrant.store.imports import IMPORT_ROW_COLUMNS, ImportWriter

__all__ = [
    "MAX_COUNTED_LINES",
    "ImportState",
    "Occurrences",
    "Prepared",
    "Reject",
    "RowShape",
    "numbered",
    "prepare",
    "store_chunk",
]

Reject = Callable[[int, list[str], SourceError], None]

MAX_COUNTED_LINES = 1_000_000
"""Distinct lines of one file whose occurrences are counted in memory (some 120 bytes
each: at most about 120 MB); past it the counts move to a temporary table of the
store for the rest of the file, so memory stays bounded however long the file. The
table costs some 18 µs a line (measured: a file of 1,000,000 distinct lines took 64 s
past a cap of 250,000, and 43 s counted in memory, at 373 MiB against 325 MiB)."""

Key = str | bytes
Keyed = tuple[Draft, Key, str | None]
"""A draft line, its dedupe key, and its key as fsgrant 0.1 made it (or None)."""


def numbered(draft: Draft, occurrence: int) -> tuple[bytes, str | None]:
    """A hash-keyed line's dedupe key, and its earlier form when the reader made one,
    for the ``occurrence``-th identical line (from 1) of its file."""
    assert isinstance(draft.key, bytes)
    earlier = draft.earlier_key
    return hash_key(draft.key, occurrence), (
        None if earlier is None else earlier_hash_key(earlier, occurrence)
    )


class Occurrences:
    """How many times each line (by its digest) was seen so far in one file.

    Counted in a dict by :meth:`number` (on the reading thread, see
    :mod:`fsgrant.imports.reading`) until ``cap`` distinct lines; then
    :meth:`hand_over` says so, and the importing thread goes on counting in the
    store's temporary table with :meth:`number_in_store` (memory stays bounded).
    """

    def __init__(self, cap: int | None = None) -> None:
        self.counts: dict[bytes, int] = {}
        self.cap = MAX_COUNTED_LINES if cap is None else cap
        self.handed_over = False
        self._store: ImportWriter | None = None

    def number(self, digests: list[bytes]) -> list[int]:
        """The occurrence number of each line, in order (the first time a line is
        seen: 1), counted in memory."""
        return _count(self.counts, digests)

    def hand_over(self) -> bool:
        """Whether the counting has passed to the store (it does once the counts in
        memory pass the cap; from then on only :meth:`number_in_store` counts)."""
        if not self.handed_over and len(self.counts) > self.cap:
            self.handed_over = True
        return self.handed_over

    def number_in_store(self, digests: list[bytes], writer: ImportWriter) -> list[int]:
        """As :meth:`number`, counted in the writer's temporary table (after
        :meth:`hand_over`; the counts so far move there first)."""
        if self._store is None:
            writer.save_occurrences(self.counts)
            self.counts = {}
            self._store = writer
        counts = writer.occurrences(list(set(digests)))
        out = _count(counts, digests)
        writer.save_occurrences(counts)
        return out


def _count(counts: dict[bytes, int], digests: list[bytes]) -> list[int]:
    """Count each line in ``counts``; its occurrence number, in order."""
    get = counts.get
    out = []
    for digest in digests:
        n = counts[digest] = get(digest, 0) + 1
        out.append(n)
    return out


class ImportState:
    """The counts of one import as it runs, and the rows it refused (kept to a few)."""

    __slots__ = (
        "added",
        "duplicate",
        "occurrences",
        "read",
        "rejected",
        "rejects",
        "room",
        "skipped",
        "skipped_by",
        "snapped",
        "total",
        "warnings",
        "zero",
    )

    def __init__(self) -> None:
        self.read = self.added = self.duplicate = self.skipped = self.zero = 0
        self.rejected = self.snapped = self.total = 0
        # Pence the lines of this file may still add (by size) before a total of spend
        # would pass what a report can show; set inside the transaction.
        self.room = MAX_GROSS_PENCE
        self.rejects: list[RejectedRow] = []
        self.skipped_by: dict[str, int] = {}
        self.warnings: tuple[str, ...] = ()
        # Identical lines of the file counted so far (lines deduplicated by hash).
        self.occurrences = Occurrences()

    def counts(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "added": self.added,
            "duplicate": self.duplicate,
            "skipped": self.skipped,
            "skipped_by": dict(self.skipped_by),
            "zero": self.zero,
            "rejected": self.rejected,
            "snapped": self.snapped,
            "total_added": str(from_pence(self.total)),
        }


_FIELD_OF = dict(
    zip(
        IMPORT_ROW_COLUMNS,
        (
            *("date", "pence", "category", "post", "supplier", "description", "reference"),
            *("year", "line", "key", "source_fields"),
        ),
        strict=True,
    )
)
"""The field of :class:`fsgrant.imports.rows.Draft` each imported column holds."""


class RowShape:
    """The values an import binds for each line: those of
    :data:`fsgrant.store.imports.IMPORT_ROW_COLUMNS` less the columns the import's
    reader never fills (``never``, see :attr:`fsgrant.imports.rows.RowReader.never_filled`),
    which the writer leaves out of its statements, so they are stored as NULL.

    A hash key is bound as a ``bytearray``: ``sqlite3`` binds one as a BLOB directly,
    while ``bytes`` take its adapter look-up (several times slower, holding the
    interpreter).
    """

    def __init__(self, never: Collection[str] = ()) -> None:
        self.columns = tuple(c for c in IMPORT_ROW_COLUMNS if _FIELD_OF[c] not in never)
        fields = [_FIELD_OF[c] for c in self.columns]
        if fields[-2:] != ["key", "source_fields"] or len(fields) < 3:
            raise ValueError(f"an import binds its lines' keys and source rows: {never}")
        index = Draft._fields.index
        self.of = itemgetter(*(index(f) for f in fields))
        """A reference-keyed draft line's values (its key is its dedupe key)."""
        self._before_key = itemgetter(*(index(f) for f in fields[:-2]))

    def keyed(self, d: Draft, key: Key) -> tuple[Any, ...]:
        """A draft line's values with this dedupe key."""
        return (
            *self._before_key(d),
            bytearray(key) if type(key) is bytes else key,
            d.source_fields,
        )


class Prepared(NamedTuple):
    """What a chunk's lines come to, worked out before it is stored (on the reading
    thread, see :mod:`fsgrant.imports.reading`): their gross and net pence,
    how many were snapped to the penny, and when every key is known (by reference,
    or by hash numbered in memory) the lines with their keys, the rows to insert,
    whether the keys are all different, and the keys' earlier forms."""

    gross: int
    total: int
    snapped: int
    keyed: list[Keyed] | None
    rows: list[tuple[Any, ...]] | None
    unique: bool
    earlier: list[Key]


def prepare(
    chunk: list[tuple[Draft, list[str]]], occurrences: Occurrences, shape: RowShape
) -> Prepared:
    """Work out a chunk's :class:`Prepared`, its rows of the ``shape`` (reads nothing
    from the store; numbers identical lines in ``occurrences`` until it hands over)."""
    gross = total = snapped = 0
    for d, _ in chunk:
        pence = d.pence
        total += pence
        gross += abs(pence)
        snapped += d.snapped
    drafts = [d for d, _ in chunk]
    if drafts and isinstance(drafts[0].key, str):
        unique = len({d.key for d in drafts}) == len(drafts)
        return Prepared(gross, total, snapped, None, list(map(shape.of, drafts)), unique, [])
    if not drafts or occurrences.hand_over():
        return Prepared(gross, total, snapped, None, None, True, [])
    keyed = _numbered(drafts, occurrences.number([d.key for d in drafts]))  # type: ignore[misc]
    earlier: list[Key] = [e for _, _, e in keyed if e is not None]
    row = shape.keyed
    rows = [row(d, k) for d, k, _ in keyed]
    return Prepared(gross, total, snapped, keyed, rows, True, earlier)


def store_chunk(
    chunk: list[tuple[Draft, list[str]]],
    state: ImportState,
    reject: Reject,
    writer: ImportWriter,
    source: str,
    ready: Prepared,
    shape: RowShape,
) -> None:
    """Drop lines already stored, refuse references repeated within the file, number
    identical lines, and insert the rest (also in a dry run, which is rolled back)."""
    if not chunk:
        return
    # The common case, a chunk of lines all new: insert them without looking each up
    # first. If any was not new, the store refuses the chunk and nothing of it stays:
    # take the careful way (also when the chunk may take a total of spend past the
    # limit: each line is then checked).
    fits = ready.gross <= state.room
    by_reference = ready.keyed is None and ready.rows is not None
    keyed = ready.keyed or []
    earlier = ready.earlier
    if ready.rows is not None:
        # A reference twice in the chunk needs the careful way (it is refused).
        done = fits and ready.unique and writer.insert_if_all_new(ready.rows, earlier)
    else:  # lines by hash, numbered in the store past the cap
        drafts = [d for d, _ in chunk]
        keyed = _numbered(
            drafts,
            state.occurrences.number_in_store([d.key for d in drafts], writer),  # type: ignore[misc]
        )
        earlier = [e for _, _, e in keyed if e is not None]
        done = fits and writer.insert_if_all_new([shape.keyed(d, k) for d, k, _ in keyed], earlier)
    if done:
        state.snapped += ready.snapped
        state.total += ready.total
        state.added += len(chunk)
        state.room -= ready.gross
        return
    cells_at = {d.line: cells for d, cells in chunk}
    if by_reference:
        keyed = _keys_by_reference(chunk, reject, writer, source)
    stored = writer.stored_keys([k for _, k, _ in keyed] + list(earlier))
    rows = []
    for d, key, old in keyed:
        if key in stored or (old is not None and old in stored):
            state.duplicate += 1
            continue
        if abs(d.pence) > state.room:
            reason = gross_total_problem(
                MAX_GROSS_PENCE - state.room + abs(d.pence), "spend lines of the ledger"
            )
            reject(d.line, cells_at[d.line], SourceError(source, d.line, "amount", str(reason)))
            continue
        state.room -= abs(d.pence)
        state.snapped += d.snapped
        state.added += 1
        state.total += d.pence
        rows.append(shape.keyed(d, key))
    if rows:
        writer.insert(rows)


def _numbered(drafts: list[Draft], numbers: list[int]) -> list[Keyed]:
    """Hash keys: the digest and the occurrence number of that identical line in the
    file (and the key fsgrant 0.1 made, when the reader made its base)."""
    return [(d, *numbered(d, n)) for d, n in zip(drafts, numbers, strict=True)]


def _keys_by_reference(
    chunk: list[tuple[Draft, list[str]]],
    reject: Reject,
    writer: ImportWriter,
    source: str,
) -> list[Keyed]:
    """Reference keys: a reference seen earlier in this file is refused. Earlier in
    this chunk: a local dict; in an earlier chunk and new: the store holds it under
    this batch; in an earlier chunk and a duplicate: the temporary table, which holds
    only those (so a first import does not pay for it)."""
    keys = [cast(str, d.key) for d, _ in chunk]
    earlier, others = writer.stored_references(list(set(keys)))
    if others:
        earlier.update(writer.first_lines(others))
    keyed: list[Keyed] = []
    firsts = []
    for (draft, cells), key in zip(chunk, keys, strict=True):
        first = earlier.get(key)
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
        earlier[key] = draft.line
        keyed.append((draft, key, None))
        firsts.append((key, draft.line))
    if others:
        other_set = set(others)
        writer.remember_first_lines([(k, line) for k, line in firsts if k in other_set])
    return keyed
