"""Plain rows as an extract: rows a program already holds (from a finance system's
API, a database query, another tool) imported exactly as a file of the same rows
would be (:meth:`fsgrant.imports.service.ImportsService.import_rows`).

Rows are either sequences of cells, the first of them the header, or mappings from
column name to value (their header is the first mapping's keys, in order). Lines are
numbered as in a CSV file of the same rows: the header is line 1, the first row line
2, so an error or a rejected row names the line a person would count.

Cells become text as an XLSX cell's value does: text as it is, whole numbers and
``Decimal`` in plain decimal notation, dates as ISO, None as an empty cell. A float
(inexact money) and a boolean are refused, naming the line and the column.

The rows' sha256 (which tells a repeated import) is taken over the cells as text,
one JSON list a line, header first: the same rows give the same digest whatever
types they came as.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from itertools import chain
from typing import Any

from fsgrant.errors import InvalidInput, SourceError
from fsgrant.imports.extracts import Extract, cell_text, lacking_columns

__all__ = ["RowsDigest", "plain_extract"]


class RowsDigest:
    """The sha256 of plain rows, taken as they are read (see the module's docstring)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._sha = hashlib.sha256()
        self._done = False

    def add(self, cells: Sequence[str]) -> None:
        """Count one row (the header first)."""
        self._sha.update(json.dumps(list(cells), ensure_ascii=False).encode("utf-8"))
        self._sha.update(b"\n")

    def finish(self) -> None:
        """Every row has been read."""
        self._done = True

    def stop(self) -> None:
        """Nothing to stop: the digest is taken on the reading thread, as rows come."""

    @property
    def hexdigest(self) -> str:
        """The rows' sha256 (hex).

        Raises:
            SourceError: the rows were not all read.
        """
        if not self._done:
            raise SourceError(self._name, None, None, "cannot be read (stopped before the end)")
        return self._sha.hexdigest()


def _cell(value: object, name: str, line: int, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise SourceError(name, line, column, "a true/false value is not a cell fsgrant reads")
    if isinstance(value, int | date):  # dates as ISO, a time of day only if not 0:00
        return cell_text(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise SourceError(name, line, column, f"{value} is not a number")
        return format(value, "f")
    if isinstance(value, float):
        raise SourceError(
            name, line, column, f"{value!r} is a float, which is not exact: give text or a Decimal"
        )
    raise SourceError(
        name, line, column, f"a {type(value).__name__} is not a cell fsgrant reads (give text)"
    )


def _column_name(value: object, name: str, at: int) -> str:
    if not isinstance(value, str):
        raise SourceError(
            name, 1, f"column {at}", f"a column name must be text, not {type(value).__name__}"
        )
    return value.strip()


def plain_extract(
    rows: Iterable[Sequence[object]] | Iterable[Mapping[str, object]],
    required: Sequence[str],
    *,
    name: str,
) -> Extract:
    """Plain rows as an :class:`~fsgrant.imports.extracts.Extract` (see the module).

    Args:
        rows: sequences of cells (the first is the header) or mappings.
        required: the columns the mapping needs (refused up front when missing).
        name: what messages call the rows (as a file is called by its name).

    Raises:
        InvalidInput: ``rows`` is text, bytes or not iterable.
        SourceError: no header, a column the mapping needs is missing, or (as the rows
            are read) a row that is neither a sequence nor a mapping like the first, or
            a cell that is a float, a boolean or another object.
    """
    if isinstance(rows, str | bytes | bytearray | Mapping) or not isinstance(rows, Iterable):
        raise InvalidInput(
            "rows must be an iterable of rows (sequences of cells, or mappings), "
            f"not {type(rows).__name__}",
            field="rows",
        )
    it: Iterator[Any] = iter(rows)
    first = next(it, None)
    if first is None:
        raise SourceError(name, None, None, "no header row: the rows are empty")
    as_maps = isinstance(first, Mapping)
    if not as_maps and (isinstance(first, str | bytes) or not isinstance(first, Sequence)):
        raise SourceError(
            name,
            1,
            None,
            f"a row must be a sequence of cells or a mapping, not {type(first).__name__}",
        )
    keys: list[Any] = list(first.keys()) if as_maps else list(first)
    header = [_column_name(k, name, i) for i, k in enumerate(keys, start=1)]
    missing = lacking_columns(header, required)
    if missing:
        raise SourceError(
            name, 1, None, f"no column {', '.join(repr(m) for m in missing)} among {header!r}"
        )
    known = set(keys)
    digest = RowsDigest(name)
    digest.add(header)

    def cells_of(line: int, row: Any) -> list[str]:
        if as_maps:
            if not isinstance(row, Mapping):
                raise SourceError(
                    name,
                    line,
                    None,
                    f"a mapping was expected (as the first row), not {type(row).__name__}",
                )
            extra = [k for k in row if k not in known]
            if extra:
                raise SourceError(
                    name, line, str(extra[0]), "not a column of the first row (the header)"
                )
            return [_cell(row.get(k), name, line, h) for k, h in zip(keys, header, strict=True)]
        if (
            isinstance(row, str | bytes)
            or not isinstance(row, Sequence)
            or isinstance(row, Mapping)
        ):
            raise SourceError(
                name, line, None, f"a sequence of cells was expected, not {type(row).__name__}"
            )
        return [
            _cell(v, name, line, header[i] if i < len(header) else f"column {i + 1}")
            for i, v in enumerate(row)
        ]

    def read() -> Iterator[tuple[int, list[str]]]:
        # Every row goes to the reader, which counts those its filters skip (a file
        # passes the skipped ones over as it reads them, to save their parsing).
        # The first mapping is a row as well as the header.
        for line, row in enumerate(chain((first,), it) if as_maps else it, start=2):
            cells = cells_of(line, row)
            digest.add(cells)
            yield line, cells
        digest.finish()

    return Extract(
        name=name,
        kind="rows",
        header=header,
        header_line=1,
        header_found_by="given",
        header_reason="the keys of the first mapping" if as_maps else "the first row",
        rows=read(),
        hash=digest,
    )
