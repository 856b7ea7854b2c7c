"""The mapping check (``fsgrant mapping check``): an import of an extract previewed
by a mapping, storing nothing (the header found, the rows each filter keeps, the rows
each category rule gives, the first rows as they would be read), and the warnings
about filters that keep nothing, which an import gives too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fsgrant.domain.imports import CategoryCount, FilterCount, MappingCheck, PreviewRow, ValueCount
from fsgrant.domain.money import from_pence
from fsgrant.errors import SourceError
from fsgrant.imports.chunks import Occurrences, numbered
from fsgrant.imports.mapping import ExtractMapping
from fsgrant.imports.row_rules import PATTERN_SECONDS, LedgerRules, RowFilter
from fsgrant.imports.rows import RowReader, ZeroAmount
from fsgrant.store.imports import Key

__all__ = ["check_extract", "close_rows", "empty_filter_warnings", "open_mapped"]


def open_mapped(
    src: Path, mp: ExtractMapping, progress: Callable[[float], None] | None = None
) -> Any:
    """Open the extract ``src`` as the mapping ``mp`` reads it (its columns, encoding,
    delimiter, sheet and header row)."""
    from fsgrant.imports.extracts import open_extract

    return open_extract(
        src,
        mp.required_columns(),
        encoding=mp.source.encoding,
        delimiter=mp.source.delimiter,
        sheet=mp.source.sheet,
        header_row=mp.source.header_row,
        progress=progress,
    )


def check_extract(
    src: Path,
    mp: ExtractMapping,
    rules: Callable[[], LedgerRules],
    stored_line: Callable[..., int | None],
    *,
    rows: int,
    earlier_keys: bool = False,
) -> MappingCheck:
    """Preview an import of the extract ``src`` by the mapping ``mp``; stores nothing
    (see :meth:`fsgrant.imports.service.ImportsService.check_mapping`).

    ``rules`` gives the ledger's rules (called once the extract is open);
    ``stored_line`` the stored line holding one of some dedupe keys, if any;
    ``earlier_keys`` whether the store holds hash keys of fsgrant 0.1.

    Raises:
        SourceError: the file is unreadable or lacks a column.
    """
    extract = open_mapped(src, mp)
    preview: list[PreviewRow] = []
    given: dict[tuple[str, str], int] = {}
    read = zero = totals = errors = 0
    try:
        reader = RowReader(
            mp,
            extract.header,
            rules(),
            source=src.name,
            header_line=extract.header_line,
            kind=extract.kind,
            earlier_keys=earlier_keys,
        )
        # Only the previewed rows are looked up, so the counts stay as small as they are.
        counts = Occurrences()
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
            row = _preview(
                reader, line, cells, counts if len(preview) < rows else None, stored_line
            )
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
        close_rows(extract)
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
        warnings=empty_filter_warnings(reader.filters, read),
        patterns=tuple(mp.patterns()),
        pattern_seconds=PATTERN_SECONDS,
        rows=tuple(preview),
    )


def _preview(
    reader: RowReader,
    line: int,
    cells: list[str],
    counts: Occurrences | None,
    stored_line: Callable[..., int | None],
) -> PreviewRow:
    """A row as the import would read it: new, already stored, zero, or an error
    (whether it is stored is looked up only when ``counts`` are given: for the rows
    shown)."""
    try:
        d = reader.read(line, cells)
    except ZeroAmount:
        return PreviewRow(line=line, status="zero", reason="0.00: skipped")
    except SourceError as exc:
        return PreviewRow(line=line, status="error", reason=exc.reason)
    stored = None
    if counts is not None:
        keys: tuple[Key | None, ...] = (d.key,)
        if isinstance(d.key, bytes):
            keys = numbered(d, counts.number([d.key])[0])
        stored = stored_line(*keys)
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


def empty_filter_warnings(filters: list[RowFilter], rows: int) -> tuple[str, ...]:
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


def close_rows(extract: Any) -> None:
    """Close an extract's rows and the file they read from (see
    :meth:`fsgrant.imports.extracts.Extract.close`), read or not."""
    close = getattr(extract, "close", None)
    if close is not None:
        close()
        return
    close = getattr(extract.rows, "close", None)
    if close is not None:
        close()
