"""Importing finance-system extracts (``fsgrant spend import``, ``imports``,
``mapping check``): mapped, filtered, atomic, idempotent, and honest about what was
refused.

:meth:`ImportsService.import_file` reads a CSV or XLSX extract row by row through a
mapping (:mod:`fsgrant.formats.mapping`), checks every row by the rules of
``spend add``, and stores the new lines in one ``BEGIN IMMEDIATE`` transaction
together with the batch record, so a failure or a kill stores nothing of the file.

Duplicates: each line carries a dedupe key (``spend.dedupe_key``, unique in the
store): the source's transaction reference where the mapping names one, else a
hash of the line's normalised fields plus the occurrence number of that identical
line within the file. Re-importing a file adds nothing; an overlapping extract adds
only its new lines; two identical lines in one file are both kept.
"""

from __future__ import annotations

import builtins
import gc
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from fsgrant.domain.funding import Allocator
from fsgrant.domain.imports import (
    CategoryCount,
    FilterCount,
    ImportBatch,
    ImportResult,
    MappingCheck,
    PreviewRow,
    RejectedRow,
    ValueCount,
)
from fsgrant.domain.models import Grant, SpendLine
from fsgrant.domain.money import MAX_GROSS_PENCE, from_pence, gross_total_problem
from fsgrant.errors import InvalidInput, NotFound, SourceError
from fsgrant.formats.mapping import ExtractMapping, load_mapping
from fsgrant.formats.mapping_presets import DEFAULT_MAPPING, PRESETS
from fsgrant.formats.mapping_rules import ColumnFilter, where_filters
from fsgrant.formats.rejects import RejectsWriter
from fsgrant.formats.row_rules import LedgerRules, RowFilter
from fsgrant.formats.rows import Draft, RowReader, ZeroAmount
from fsgrant.services.years import YearsService
from fsgrant.store.connection import utc_now
from fsgrant.store.imports import ImportWriter
from fsgrant.store.tables import Tables

__all__ = ["CHUNK_ROWS", "KEPT_REJECTS", "ImportsService"]

CHUNK_ROWS = 2000
"""Rows deduplicated and inserted together inside the transaction."""

KEPT_REJECTS = 20
"""How many rejected rows an :class:`ImportResult` carries (all go to the rejects file)."""

MappingLike = ExtractMapping | str | os.PathLike[str] | None
"""A mapping: a TOML file, a built-in mapping's name (``transparency-code``), a model,
or None for fsgrant's own columns."""
WhereLike = str | Sequence[str | ColumnFilter]
"""Filters added to a mapping: ``"Expense Area=Children's Services"`` texts (see
:func:`fsgrant.formats.mapping_rules.where_filters`) or filter models."""
ProgressFn = Callable[[float], None]
Reject = Callable[[int, list[str], SourceError], None]


class _DryRun(Exception):
    """Raised at the end of a dry run to roll everything back."""


class _ImportState:
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


def _empty_filter_warnings(filters: list[RowFilter], rows: int) -> tuple[str, ...]:
    """A warning for each filter that kept none of the rows that reached it, naming the
    values its column most often held (so a typo in the filter shows)."""
    warnings = []
    reached = rows
    for f in filters:
        skipped = sum(f.skipped.values())
        if reached and skipped == reached:
            seen = ", ".join(f"{v!r} ({n:,})" for v, n in f.most_frequent())
            warnings.append(
                f"the filter {f.spec.column!r} ({'include' if f.spec.include else 'exclude'} "
                f"{list(f.spec.include or f.spec.exclude)}) kept none of {reached:,} rows; "
                f"the most frequent values of {f.spec.column!r} were: {seen}"
            )
        reached -= skipped
    return tuple(warnings)


def _close_rows(extract: Any) -> None:
    close = getattr(extract.rows, "close", None)
    if close is not None:
        close()


class ImportsService:
    """``fs.imports``: import extracts, list and show batches, check a mapping."""

    def __init__(self, tables: Tables, grant: Callable[[], Grant], years: YearsService) -> None:
        self._tables = tables
        self._grant = grant
        self._years = years

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _mapping(mapping: MappingLike, where: WhereLike = ()) -> ExtractMapping:
        if mapping is None:
            mp = DEFAULT_MAPPING
        elif isinstance(mapping, ExtractMapping):
            mapping.check()
            mp = mapping
        elif str(mapping) in PRESETS and not Path(mapping).exists():
            mp = PRESETS[str(mapping)]
        else:
            mp = load_mapping(Path(mapping))
        if isinstance(where, str):
            where = (where,)
        return mp.with_filters(
            [w for w in where if isinstance(w, ColumnFilter)]
            + where_filters([w for w in where if isinstance(w, str)])
        )

    def _rules(self) -> LedgerRules:
        t = self._tables
        return LedgerRules(
            sorted(t.grant.category_names()),
            t.posts.ids(),
            self._years.list(),
            t.periods.closures(),
        )

    # ------------------------------------------------------------------ import
    def import_file(
        self,
        path: str | os.PathLike[str],
        mapping: MappingLike = None,
        *,
        dry_run: bool = False,
        skip_invalid: bool = False,
        rejects: str | os.PathLike[str] | None = None,
        progress: ProgressFn | None = None,
        where: WhereLike = (),
        strict: bool = False,
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
            where: filters added to the mapping's (``"Expense Area=Children's Services"``).
            strict: refuse the file (store nothing) when a filter keeps none of its rows,
                instead of warning.

        Returns:
            The counts: read, added, duplicate, skipped (by each filter), zero, rejected,
            snapped (of the lines added), total added; and any warnings.

        Raises:
            SourceError: a bad row (naming file, line and column) without
                ``skip_invalid``; an unreadable or unsafe file; a bad mapping.
        """
        from fsgrant.formats.extracts import open_extract

        src = Path(path)
        mp = self._mapping(mapping, where)
        self._grant()  # refuses with a clear message when there is no grant
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
        rejects_out: RejectsWriter | None = None
        detail: dict[str, Any] = {"file": src.name, "sha256": extract.sha256}
        state = _ImportState()
        store = self._tables.store
        writer: ImportWriter | None = None
        collecting = gc.isenabled()
        try:
            if rejects is not None and skip_invalid and not dry_run:
                rejects_out = RejectsWriter(Path(rejects), extract.header)
            # The audit row is written at the end of the transaction from this same
            # dict, so the counts filled in below are what the audit records.
            with store.transaction("spend.import", src.name, detail):
                # Read once, inside the write lock: no variation or closure can slip in.
                reader = RowReader(
                    mp,
                    extract.header,
                    self._rules(),
                    source=src.name,
                    header_line=extract.header_line,
                    kind=extract.kind,
                )
                writer = self._tables.imports.writer(utc_now())
                writer.start_bulk()
                state.room = MAX_GROSS_PENCE - self._tables.spend.gross_pence()
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
                    _store_chunk(chunk, state, reject, writer, src.name)
                    chunk.clear()

                # The loop runs once per row of files of a million rows: locals only.
                rows_read = rows_zero = rows_totals = 0
                filters = reader.filters
                # One filter (the common case) is inlined; several go through skipped_by.
                one = filters[0] if len(filters) == 1 else None
                f_index = one.index if one is not None else -1
                f_verdicts = one.verdicts if one is not None else {}
                f_keeps = one.keeps if one is not None else None
                f_skipped = one.skipped if one is not None else {}
                many = reader.skipped_by if len(filters) > 1 else None
                is_totals = reader.is_totals
                read_row = reader.read
                keep = chunk.append
                chunk_rows = CHUNK_ROWS
                # The loop makes no reference cycles: collecting garbage in it only
                # walks the chunk's objects again and again (enabled again below).
                gc.disable()
                for line, cells in extract.rows:
                    if not any(cells) or (
                        not cells[0].strip() and not any(c.strip() for c in cells)
                    ):
                        continue  # a blank row carries nothing: not counted
                    rows_read += 1
                    if f_keeps is not None:
                        v = cells[f_index] if f_index < len(cells) else ""
                        ok = f_verdicts.get(v)
                        if ok is None:
                            ok = f_keeps(v)
                        if not ok:
                            f_skipped[v] = f_skipped.get(v, 0) + 1
                            continue
                    elif many is not None:
                        by = many(cells)
                        if by is not None:
                            v = by.cell(cells)
                            by.skipped[v] = by.skipped.get(v, 0) + 1
                            continue
                    try:
                        draft = read_row(line, cells)
                    except ZeroAmount:
                        rows_zero += 1
                        continue
                    except SourceError as exc:
                        if is_totals(cells):
                            rows_totals += 1
                            continue
                        reject(line, cells, exc)
                        continue
                    keep((draft, cells))
                    if len(chunk) >= chunk_rows:
                        flush()
                state.read, state.zero = rows_read, rows_zero
                state.skipped_by = {f.label: sum(f.skipped.values()) for f in filters if f.skipped}
                if rows_totals:
                    state.skipped_by["totals row"] = rows_totals
                state.skipped = sum(state.skipped_by.values())
                state.warnings = _empty_filter_warnings(filters, rows_read)
                if strict and state.warnings:
                    raise SourceError(src.name, None, None, state.warnings[0])
                flush()
                earlier = writer.finish(extract.sha256)
                detail.update(state.counts())
                if dry_run:
                    raise _DryRun
                writer.rebuild_indexes()
                writer.insert_batch(
                    {
                        "file_name": src.name,
                        "sha256": extract.sha256,
                        "mapping": mp.model_dump_json(exclude={"optional_columns"}),
                        "rows_read": state.read,
                        "rows_added": state.added,
                        "rows_duplicate": state.duplicate,
                        "rows_skipped": state.skipped,
                        "rows_zero": state.zero,
                        "skipped_by": json.dumps(state.skipped_by, ensure_ascii=False),
                        "rows_rejected": state.rejected,
                        "amounts_snapped": state.snapped,
                        "total_added_pence": state.total,
                    }
                )
                batch_id: int | None = writer.batch_id
        except _DryRun:
            batch_id = None
        except BaseException:
            if rejects_out is not None:
                rejects_out.discard()
            raise
        finally:
            if collecting:
                gc.enable()
            if writer is not None:
                writer.end_bulk()
            _close_rows(extract)
        rejects_file = None
        if rejects_out is not None:
            rejects_file = str(rejects_out.commit()) if state.rejected else None
            if not state.rejected:
                rejects_out.discard()
        return ImportResult(
            batch_id=batch_id,
            file_name=src.name,
            sha256=extract.sha256,
            dry_run=dry_run,
            rows_read=state.read,
            rows_added=state.added,
            rows_duplicate=state.duplicate,
            rows_skipped=state.skipped,
            rows_zero=state.zero,
            skipped_by=state.skipped_by,
            warnings=state.warnings,
            header_line=extract.header_line,
            header_found_by=extract.header_found_by,
            header_reason=extract.header_reason,
            rows_rejected=state.rejected,
            amounts_snapped=state.snapped,
            total_added=from_pence(state.total),
            rejects=tuple(state.rejects),
            rejects_file=rejects_file,
            earlier_batches=earlier,
        )

    # ------------------------------------------------------------------ reading back
    def list(self) -> list[ImportBatch]:
        """Every stored import batch, oldest first."""
        return self._tables.imports.list()

    def get(self, batch_id: int) -> ImportBatch:
        """One import batch.

        Raises:
            NotFound: no such batch.
        """
        batch = self._tables.imports.get(batch_id)
        if batch is None:
            raise NotFound("import batch", batch_id, "list them with 'fsgrant imports list'")
        return batch

    def lines(self, batch_id: int) -> builtins.list[SpendLine]:
        """The spend lines an import batch added, in source-line order.

        Raises:
            NotFound: no such batch.
        """
        self.get(batch_id)
        return self._tables.spend.batch_lines(batch_id, Allocator(self._years.list()))

    # ------------------------------------------------------------------ checking a mapping
    def mapping(self, mapping: MappingLike = None, *, where: WhereLike = ()) -> ExtractMapping:
        """A mapping as an import would use it (a file, a built-in name, or fsgrant's
        own columns), with ``where`` filters added.

        Raises:
            SourceError: the mapping is bad (naming the file, the line and the key).
        """
        return self._mapping(mapping, where)

    def check_mapping(
        self,
        path: str | os.PathLike[str],
        mapping: MappingLike = None,
        *,
        rows: int = 10,
        where: WhereLike = (),
    ) -> MappingCheck:
        """Preview an import of an extract by a mapping; stores nothing.

        Reads the whole file: the header found (and how), the columns matched, the rows
        each filter keeps, the rows each category rule gives, warnings (a filter that
        keeps nothing), and the first ``rows`` rows as they would be read.

        Raises:
            SourceError: the mapping is bad, or the file unreadable or lacks a column.
            InvalidInput: ``rows`` is not positive.
        """
        from fsgrant.formats.extracts import open_extract

        if rows < 1:
            raise InvalidInput("rows must be at least 1", field="rows")
        src = Path(path)
        mp = self._mapping(mapping, where)
        extract = open_extract(
            src,
            mp.required_columns(),
            encoding=mp.source.encoding,
            delimiter=mp.source.delimiter,
            sheet=mp.source.sheet,
            header_row=mp.source.header_row,
        )
        preview: builtins.list[PreviewRow] = []
        given: dict[tuple[str, str], int] = {}
        read = zero = totals = errors = 0
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
                read += 1
                by = reader.skipped_by(cells)
                if by is not None:
                    v = by.cell(cells)
                    by.skipped[v] = by.skipped.get(v, 0) + 1
                    if len(preview) < rows:
                        preview.append(
                            PreviewRow(line=line, status="skipped", reason=f"skipped: {by.label}")
                        )
                    continue
                try:
                    category, source = reader.category_source(line, cells)
                    given[(category, source)] = given.get((category, source), 0) + 1
                except SourceError:
                    pass
                row = self._preview(reader, line, cells, counts)
                if row.status == "zero":
                    zero += 1
                elif row.status == "error":
                    if reader.is_totals(cells):
                        totals += 1
                        row = PreviewRow(line=line, status="skipped", reason="totals row")
                    else:
                        errors += 1
                if len(preview) < rows:
                    preview.append(row)
        finally:
            _close_rows(extract)
        filters = []
        reached = read
        for f in reader.filters:
            skipped = sum(f.skipped.values())
            filters.append(
                FilterCount(
                    filter=f.label,
                    column=f.spec.column,
                    rows_seen=reached,
                    rows_kept=reached - skipped,
                    most_frequent=tuple(ValueCount(value=v, rows=n) for v, n in f.most_frequent()),
                )
            )
            reached -= skipped
        return MappingCheck(
            file_name=src.name,
            kind=extract.kind,
            header_line=extract.header_line,
            header_found_by=extract.header_found_by,
            header_reason=extract.header_reason,
            header=tuple(extract.header),
            columns=mp.column_names(),
            dedupe_by=mp.dedupe_by,
            encoding=extract.encoding,
            details={k: str(v) for k, v in extract.details.items()},
            rows_read=read,
            rows_kept=reached,
            rows_zero=zero,
            rows_totals=totals,
            rows_error=errors,
            filters=tuple(filters),
            categories=tuple(
                CategoryCount(category=c, rule=r, rows=n)
                for (c, r), n in sorted(given.items(), key=lambda kv: (-kv[1], kv[0]))
            ),
            warnings=_empty_filter_warnings(reader.filters, read),
            rows=tuple(preview),
        )

    def _preview(
        self, reader: RowReader, line: int, cells: builtins.list[str], counts: dict[str, int]
    ) -> PreviewRow:
        try:
            d = reader.read(line, cells)
        except ZeroAmount:
            return PreviewRow(line=line, status="zero", reason="0.00: skipped")
        except SourceError as exc:
            return PreviewRow(line=line, status="error", reason=exc.reason)
        key = d.key
        if not key.startswith("ref:"):
            counts[key] = counts.get(key, 0) + 1
            key = f"{key}:{counts[key]}"
        stored = self._tables.imports.stored_line(key)
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
            reason=f"already stored as line {stored}" if stored else None,
        )


def _store_chunk(
    chunk: list[tuple[Draft, list[str]]],
    state: _ImportState,
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
