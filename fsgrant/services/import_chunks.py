"""Storing an import's rows a chunk at a time: the dedupe keys (a transaction
reference, or a hash plus the occurrence number of that identical line in the file),
the lines already stored or repeated within the file, and the running counts of an
import (:class:`ImportState`).

Used by :meth:`fsgrant.services.imports.ImportsService.import_file` inside its one
transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fsgrant.domain.imports import RejectedRow
from fsgrant.domain.money import MAX_GROSS_PENCE, from_pence, gross_total_problem
from fsgrant.errors import SourceError
from fsgrant.formats.rows import Draft
from fsgrant.store.imports import ImportWriter

__all__ = ["ImportState", "Reject", "store_chunk"]

Reject = Callable[[int, list[str], SourceError], None]


class ImportState:
    """The counts of one import as it runs, and the rows it refused (kept to a few)."""

    __slots__ = (
        "added",
        "duplicate",
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


def _row(d: Draft, key: str) -> tuple[Any, ...]:
    """The values of :data:`fsgrant.store.imports.IMPORT_ROW_COLUMNS` for a draft line."""
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
        d.source_fields,
    )


def store_chunk(
    chunk: list[tuple[Draft, list[str]]],
    state: ImportState,
    reject: Reject,
    writer: ImportWriter,
    source: str,
) -> None:
    """Drop lines already stored, refuse references repeated within the file, number
    identical lines, and insert the rest (also in a dry run, which is rolled back)."""
    if not chunk:
        return
    by_reference = chunk[0][0].key.startswith("ref:")
    if by_reference:
        keyed = [(d, d.key) for d, _ in chunk]
        # A reference twice in the chunk needs the careful way (it is refused).
        fast = len({k for _, k in keyed}) == len(keyed)
    else:
        keyed = _keys_by_occurrence(chunk, writer)
        fast = True
    # The common case, a chunk of lines all new: insert them without looking each up
    # first. If any was not new, undo that and take the careful way (also when the
    # chunk may take a total of spend past the limit: each line is then checked).
    gross = sum(abs(d.pence) for d, _ in keyed)
    if gross <= state.room and fast and writer.insert_if_all_new([_row(d, k) for d, k in keyed]):
        for d, _ in keyed:
            state.snapped += d.snapped
            state.total += d.pence
        state.added += len(keyed)
        state.room -= gross
        return
    cells_at = {d.line: cells for d, cells in chunk}
    if by_reference:
        keyed = _keys_by_reference(chunk, reject, writer, source)
    stored = writer.stored_keys([k for _, k in keyed])
    rows = []
    for d, key in keyed:
        if key in stored:
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
        rows.append(_row(d, key))
    if rows:
        writer.insert(rows)


def _keys_by_occurrence(
    chunk: list[tuple[Draft, list[str]]], writer: ImportWriter
) -> list[tuple[Draft, str]]:
    """Hash keys: add the occurrence number of that identical line in the file, counted
    in a temporary table (so memory stays flat)."""
    counts = writer.occurrences(list({d.key for d, _ in chunk}))
    keyed = []
    for draft, _cells in chunk:
        n = counts[draft.key] = counts.get(draft.key, 0) + 1
        keyed.append((draft, f"{draft.key}:{n}"))
    writer.save_occurrences(counts)
    return keyed


def _keys_by_reference(
    chunk: list[tuple[Draft, list[str]]],
    reject: Reject,
    writer: ImportWriter,
    source: str,
) -> list[tuple[Draft, str]]:
    """Reference keys: a reference seen earlier in this file is refused. Earlier in
    this chunk: a local dict; in an earlier chunk and new: the store holds it under
    this batch; in an earlier chunk and a duplicate: the temporary table, which holds
    only those (so a first import does not pay for it)."""
    earlier, others = writer.stored_references(list({d.key for d, _ in chunk}))
    if others:
        earlier.update(writer.first_lines(others))
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
        writer.remember_first_lines([(k, line) for k, line in firsts if k in other_set])
    return keyed
