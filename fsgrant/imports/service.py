"""Importing finance-system extracts (``fsgrant spend import``, ``imports``,
``mapping check``): mapped, filtered, atomic, idempotent, and honest about what was
refused.

:meth:`ImportsService.import_file` reads a CSV or XLSX extract row by row through a
mapping (:mod:`fsgrant.imports.mapping`), checks every row by the rules of
``spend add``, and stores the new lines in one ``BEGIN IMMEDIATE`` transaction
together with the batch record, so a failure or a kill stores nothing of the file.

Duplicates: each line carries a dedupe key (``spend.dedupe_key``, unique in the
store): the source's transaction reference where the mapping names one, else a
hash of the line's normalised fields plus the occurrence number of that identical
line within the file (:mod:`fsgrant.domain.dedupe_keys`). Re-importing a file adds
nothing; an overlapping extract adds only its new lines; two identical lines in one
file are both kept.
"""

from __future__ import annotations

import builtins
import gc
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any

from fsgrant.domain.arguments import checked
from fsgrant.domain.funding import Allocator
from fsgrant.domain.imports import ImportBatch, ImportResult, MappingCheck, RejectedRow
from fsgrant.domain.models import FundingYearState, Grant, SpendLine
from fsgrant.domain.money import MAX_GROSS_PENCE, from_pence
from fsgrant.domain.text import header_key
from fsgrant.domain.time_rule import Action
from fsgrant.errors import InvalidInput, NotFound, SourceError
from fsgrant.formats.atomic import check_output
from fsgrant.imports.check import (
    check_extract,
    close_rows,
    empty_filter_warnings,
    open_mapped,
)
from fsgrant.imports.chunks import ImportState, RowShape, prepare, store_chunk
from fsgrant.imports.extracts import Extract
from fsgrant.imports.mapping import ExtractMapping
from fsgrant.imports.mapping_presets import MappingLike, WhereLike, resolve_mapping
from fsgrant.imports.plain import plain_extract
from fsgrant.imports.reading import ParcelReader
from fsgrant.imports.rejects import RejectsWriter
from fsgrant.imports.row_rules import LedgerRules
from fsgrant.imports.rows import RowReader
from fsgrant.store.imports import ImportWriter
from fsgrant.store.tables import Tables

__all__ = ["CHUNK_ROWS", "KEPT_REJECTS", "ImportsService"]

CHUNK_ROWS = 2000
"""Rows deduplicated and inserted together inside the transaction."""

KEPT_REJECTS = 20
"""How many rejected rows an :class:`ImportResult` carries (all go to the rejects file)."""

ProgressFn = Callable[[float], None]


def _collect(
    into: list[tuple[int, list[str], SourceError]], line: int, cells: list[str], exc: SourceError
) -> None:
    into.append((line, cells, exc))


class _DryRun(Exception):
    """Raised at the end of a dry run to roll everything back."""


class _AlreadyImported(Exception):
    """Raised when the file was imported through the same mapping and adds nothing:
    no batch is recorded."""

    def __init__(self, batch: int) -> None:
        super().__init__(batch)
        self.batch = batch


@checked
class ImportsService:
    """``fs.imports``: import extracts, list and show batches, check a mapping."""

    def __init__(
        self,
        tables: Tables,
        grant: Callable[[], Grant],
        years: Callable[[], builtins.list[FundingYearState]],
    ) -> None:
        self._tables = tables
        self._grant = grant
        self._years = years

    # ------------------------------------------------------------------ helpers
    def rules(self) -> LedgerRules:
        """What an imported row is checked against: the ledger's categories, posts,
        funding years and closed periods."""
        t = self._tables
        return LedgerRules(
            sorted(t.grant.category_names()),
            t.posts.ids(),
            self._years(),
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
        force: bool = False,
    ) -> ImportResult:
        """Import a finance-system extract (CSV or XLSX) as spend lines.

        The whole file is one transaction that takes the write lock up front: all of
        it is stored, or (on an error, or if the process dies) none of it.

        Args:
            path: the extract.
            mapping: a mapping TOML file or :class:`~fsgrant.imports.mapping.ExtractMapping`;
                None for fsgrant's own columns (``date, amount, category, post,
                supplier, description, reference, year``).
            dry_run: read, check and deduplicate, store nothing.
            skip_invalid: store the good rows and leave out the bad ones (written to
                ``rejects`` with a reason), instead of refusing the file.
            rejects: where to write the rejected rows as CSV (the source's columns plus
                ``source_line`` and ``reason``); not written in a dry run. The command
                line's default is :func:`fsgrant.imports.rejects.rejects_beside`.
            progress: called now and then with the fraction of the file read (from the
                thread that reads the file, not the caller's).
            where: filters added to the mapping's (``"Expense Area=Children's Services"``).
            strict: refuse the file (store nothing) when a filter keeps none of its rows,
                instead of warning.
            force: replace an existing ``rejects`` file (else it is refused before
                anything is read). The rejects file is never the extract, nor a folder.

        Returns:
            The counts: read, added, duplicate, skipped (by each filter), zero, rejected,
            snapped (of the lines added), total added; and any warnings.

        Raises:
            SourceError: a bad row (naming file, line and column) without
                ``skip_invalid``; an unreadable or unsafe file; a bad mapping.
        """

        src = Path(path)
        mp = resolve_mapping(mapping, where)
        self._grant()  # refuses with a clear message when there is no grant
        if rejects is not None and skip_invalid and not dry_run:
            check_output(
                rejects, force=force, inputs=(src, self._tables.store.path), field="rejects"
            )
        return self._import(
            open_mapped(src, mp, progress),
            mp,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            rejects=rejects,
            strict=strict,
        )

    def import_rows(
        self,
        rows: Iterable[Sequence[object]] | Iterable[Mapping[str, object]],
        mapping: MappingLike = None,
        *,
        name: str = "rows",
        dry_run: bool = False,
        skip_invalid: bool = False,
        rejects: str | os.PathLike[str] | None = None,
        where: WhereLike = (),
        strict: bool = False,
        force: bool = False,
    ) -> ImportResult:
        """Import plain rows a program holds (from a finance system's API, a query,
        another tool) exactly as :meth:`import_file` imports a file of the same rows:
        the same mapping, checks, filters, duplicates, rejects and one transaction.

        Rows are sequences of cells, the first of them the header, or mappings from
        column name to value (the first mapping's keys are the header). Lines are
        numbered as in a CSV of the same rows (the header is line 1). A cell is text,
        a whole number, a ``Decimal``, a date or None; a float or a boolean is refused
        (see :mod:`fsgrant.imports.plain`). The rows are read on fsgrant's reading
        thread: pass a list or a generator, not a cursor bound to another thread.

        Importing the same rows again through the same mapping adds nothing, as a
        file would (``already_imported_as``): their digest is taken over the cells
        as text.

        Args:
            rows: the rows, header first (or mappings).
            mapping: as for :meth:`import_file`; its ``[source]`` options (encoding,
                delimiter, sheet, header row) are for files and do not apply.
            name: what the batch and messages call the rows, as a file's name.
            dry_run, skip_invalid, rejects, where, strict, force: as for
                :meth:`import_file`.

        Raises:
            InvalidInput: ``rows`` is not an iterable of rows; ``name`` is empty.
            SourceError: a bad row or cell (naming the line and the column) without
                ``skip_invalid``; a column the mapping needs is missing.
        """
        if not name.strip():
            raise InvalidInput("name must not be empty: it names the rows", field="name")
        mp = resolve_mapping(mapping, where)
        self._grant()
        if rejects is not None and skip_invalid and not dry_run:
            check_output(rejects, force=force, inputs=(self._tables.store.path,), field="rejects")
        return self._import(
            plain_extract(rows, mp.required_columns(), name=name),
            mp,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            rejects=rejects,
            strict=strict,
        )

    def _import(
        self,
        extract: Extract,
        mp: ExtractMapping,
        *,
        dry_run: bool,
        skip_invalid: bool,
        rejects: str | os.PathLike[str] | None,
        strict: bool,
    ) -> ImportResult:
        """Import an opened extract (a file's or plain rows'); closes it."""
        name = extract.name
        rejects_out: RejectsWriter | None = None
        # The file's sha256 is being taken meanwhile (see FileHash): read at the end.
        detail: dict[str, Any] = {"file": name}
        state = ImportState()
        already: int | None = None
        store = self._tables.store
        writer: ImportWriter | None = None
        parcels: ParcelReader | None = None
        collecting = gc.isenabled()
        try:
            if rejects is not None and skip_invalid and not dry_run:
                rejects_out = RejectsWriter(Path(rejects), extract.header)
            # The audit row is written at the end of the transaction from this same
            # dict, so the counts filled in below are what the audit records.
            with store.transaction(Action.SPEND_IMPORT, name, detail):
                # Read once, inside the write lock: no variation or closure can slip in.
                reader = RowReader(
                    mp,
                    extract.header,
                    self.rules(),
                    source=name,
                    header_line=extract.header_line,
                    kind=extract.kind,
                    earlier_keys=self._tables.imports.holds_earlier_hash_keys(),
                )
                shape = RowShape(reader.never_filled)
                writer = self._tables.imports.writer(shape.columns)
                writer.start_bulk(random_keys=mp.dedupe_by == "hash")
                state.room = MAX_GROSS_PENCE - self._tables.spend.gross_pence()

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

                # One thread reads and checks the rows while this one stores them:
                # sqlite3 lets go of the interpreter while SQLite works, so reading the
                # next chunk overlaps storing the last. Everything the import decides
                # (rejects, duplicates, counts) is decided here, in the file's order.
                parcels = ParcelReader(
                    extract.rows,
                    reader,
                    size=CHUNK_ROWS,
                    stop_at_bad=not skip_invalid,
                    prepare=partial(prepare, occurrences=state.occurrences, shape=shape),
                    passing=extract.passing,
                )
                # The loops make no reference cycles: collecting garbage in them only
                # walks the parcels' objects again and again (enabled again below).
                gc.disable()
                for parcel in parcels:
                    # The rows refused in a parcel, read or stored, in the file's order
                    # (a parcel is a stretch of the file): the first refused is the
                    # first in the file, and the rejects file follows the extract.
                    refused = list(parcel.bad)
                    store_chunk(
                        parcel.drafts,
                        state,
                        partial(_collect, refused),
                        writer,
                        name,
                        parcel.prepared,
                        shape,
                    )
                    if len(refused) > len(parcel.bad):
                        refused.sort(key=itemgetter(0))
                    for line, cells, exc in refused:
                        reject(line, cells, exc)
                if rejects_out is not None:
                    rejects_out.finish()  # on the disk before the batch commits
                counted = parcels.counts
                state.read, state.zero = counted.read, counted.zero
                filters = reader.filters
                state.skipped_by = {f.label: sum(f.skipped.values()) for f in filters if f.skipped}
                if counted.totals:
                    state.skipped_by["totals row"] = counted.totals
                state.skipped = sum(state.skipped_by.values())
                state.warnings = empty_filter_warnings(filters, counted.read)
                if strict and state.warnings:
                    raise SourceError(name, None, None, state.warnings[0])
                detail["sha256"] = extract.sha256
                earlier = writer.finish(extract.sha256)
                detail.update(state.counts())
                mapping_json = mp.model_dump_json(exclude={"optional_columns"})
                same = self._tables.imports.same_import(extract.sha256, mapping_json)
                if same is not None and state.added == 0:
                    raise _AlreadyImported(same)
                if dry_run:
                    raise _DryRun
                writer.rebuild_indexes()
                writer.insert_batch(
                    {
                        "file_name": name,
                        "sha256": extract.sha256,
                        "mapping": mapping_json,
                        "rows_read": state.read,
                        "rows_added": state.added,
                        "rows_duplicate": state.duplicate,
                        "rows_skipped": state.skipped,
                        "rows_zero": state.zero,
                        "skipped_by": json.dumps(state.skipped_by, ensure_ascii=False),
                        "source_names": json.dumps(reader.field_names, ensure_ascii=False),
                        "rows_rejected": state.rejected,
                        "amounts_snapped": state.snapped,
                        "total_added_pence": state.total,
                    }
                )
                batch_id: int | None = writer.batch_id
                detail["batch"] = batch_id
                if mp.columns.po and batch_id is not None and state.added:
                    keys = [header_key(n) for n in reader.field_names]
                    if header_key(mp.columns.po) in keys:
                        self._tables.imports.link_orders(
                            batch_id, keys.index(header_key(mp.columns.po))
                        )
        except _DryRun:
            batch_id = None
        except _AlreadyImported as done:
            batch_id, already = None, done.batch
        except BaseException:
            if rejects_out is not None:
                rejects_out.discard()
            raise
        finally:
            if parcels is not None:
                parcels.close()
            if collecting:
                gc.enable()
            if writer is not None:
                writer.end_bulk()
            close_rows(extract)
        rejects_file = None
        if rejects_out is not None:
            rejects_file = str(rejects_out.commit()) if state.rejected else None
            if not state.rejected:
                rejects_out.discard()
        return ImportResult(
            batch_id=batch_id,
            already_imported_as=already,
            file_name=name,
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
        return self._tables.spend.batch_lines(batch_id, Allocator(self._years()))

    # ------------------------------------------------------------------ checking a mapping
    def mapping(self, mapping: MappingLike = None, *, where: WhereLike = ()) -> ExtractMapping:
        """A mapping as an import would use it (a file, a built-in name, or fsgrant's
        own columns), with ``where`` filters added.

        Raises:
            SourceError: the mapping is bad (naming the file, the line and the key).
        """
        return resolve_mapping(mapping, where)

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
        if rows < 1:
            raise InvalidInput("rows must be at least 1", field="rows")
        src = Path(path)
        mp = resolve_mapping(mapping, where)
        imports = self._tables.imports
        return check_extract(
            src,
            mp,
            self.rules,
            imports.stored_line,
            rows=rows,
            earlier_keys=imports.holds_earlier_hash_keys(),
        )
