"""A return's figures keyed by label (pure, no openpyxl): the same rule for a return
laid out afresh and for one read back from a file.

* A row of values is a table header when it is one of the headers the layout writes;
  a blank row ends the table.
* A row's label is its first value (a category, a month's first day, a post id, a
  Summary label); a number as first value is named with its column's header
  ("Line 12", "Variation 3"). A total's count of lines ("Total (12 lines)") is a
  figure of its own, so the label stays "Total".
* Every other value of the row is a figure, under its column's header (``value``
  and ``note`` for a label's value and remark outside a table). Text on the
  Transactions sheet is left out (the lines' figures are their numbers and dates),
  as are the cells that differ every time a return is made (generated at, version,
  fingerprint).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fsgrant.domain.submissions import FigureKind, ReturnFigure
from fsgrant.formats.dfe_return.layout import sheet_rows
from fsgrant.formats.dfe_return.layout_changes import CAUSE_HEADERS, HEADLINE_HEADERS
from fsgrant.formats.dfe_return.model import (
    LABEL_FINGERPRINT,
    LABEL_GENERATED,
    LABEL_VERSION,
    SHEET_NAMES,
    TRANSACTIONS,
    Cell,
    ReturnData,
    Row,
    safe_text,
)

__all__ = ["figures_from_values", "iter_return_figures", "return_figures", "return_headers"]

# What made the file, and how to check it: not figures of the return.
_SKIPPED_LABELS = frozenset({LABEL_GENERATED, LABEL_VERSION, LABEL_FINGERPRINT, "How to check it"})
_CELL_KINDS: dict[str, FigureKind] = {
    "money": "money",
    "int": "count",
    "percent": "number",
    "fte": "number",
    "date": "date",
    "month": "date",
    "datetime": "date",
    "text": "text",
    "label": "text",
}
_LINES = re.compile(r"^(.*) \((\d+) lines?\)$")

Value = str | Decimal | int | date | datetime | None
Typed = tuple[Value, FigureKind | None]


def _plain(cell: Cell | None) -> Typed:
    if cell is None:
        return (None, None)
    kind = _CELL_KINDS.get(cell.kind)
    if kind is None:  # input, generated, fingerprint, titles and notes
        return (
            (None, None)
            if cell.kind in ("input", "generated", "fingerprint")
            else (cell.value, None)
        )
    return (cell.value, kind)


def _read(value: Any) -> Typed:
    """A value read back from a workbook, with the kind it looks like."""
    if value is None or value == "":
        return (None, None)
    if isinstance(value, bool):
        return (str(value), "text")
    if isinstance(value, float):
        return (Decimal(repr(value)), "number")
    if isinstance(value, int):
        return (value, "count")
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return (value.date(), "date")
        return (value, "date")
    if isinstance(value, date):
        return (value, "date")
    return (str(value), "text")


def _text(value: Value) -> str:
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | int):
        return str(value)
    return safe_text(value)


def _label(
    rows: Iterable[Sequence[Typed]], sheet: str, headers: frozenset[tuple[str, ...]]
) -> Iterator[ReturnFigure]:
    table: tuple[str, ...] = ()
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        values = [v for v, _ in row]
        present = [v for v in values if v not in (None, "")]
        if not present:
            table = ()
            continue
        as_text = tuple(v for v in present if isinstance(v, str))
        if len(as_text) == len(present) and as_text in headers:
            table = as_text
            continue
        first = next(i for i, v in enumerate(values) if v not in (None, ""))
        head = values[first]
        if isinstance(head, int | Decimal) and not isinstance(head, bool):
            name = table[first] if first < len(table) else "row"
            label = f"{name} {head}"
        else:
            label = _text(head)
        extra: list[ReturnFigure] = []
        found = _LINES.match(label)
        if found:
            label = found.group(1)
            extra.append(
                ReturnFigure(
                    sheet=sheet, row=label, column="lines", kind="count", value=found.group(2)
                )
            )
        if label in _SKIPPED_LABELS:
            continue
        # A row named by its number (a line, a variation) is one of a kind: only
        # other labels are counted for repeats (a year's 200,000 lines are never held).
        if not isinstance(head, int | Decimal) or isinstance(head, bool):
            n = seen.get((sheet, label), 0) + 1
            seen[(sheet, label)] = n
            if n > 1:
                label = f"{label} ({n})"
        yield from extra
        for col in range(first + 1, len(row)):
            value, kind = row[col]
            if value is None or value == "" or kind is None:
                continue
            if sheet == TRANSACTIONS and kind == "text":
                continue
            if col < len(table):
                column = table[col]
            else:
                column = (
                    "value"
                    if col == first + 1
                    else ("note" if col == first + 2 else f"column {col + 1}")
                )
            yield ReturnFigure(sheet=sheet, row=label, column=column, kind=kind, value=_text(value))


def return_headers(data: ReturnData) -> frozenset[tuple[str, ...]]:
    """The table headers a return of ``data`` writes (the transactions are not read)."""
    # The changes sheet's headers, whether or not this return has rows under them.
    out: set[tuple[str, ...]] = {CAUSE_HEADERS, HEADLINE_HEADERS}
    for sheet in SHEET_NAMES:
        if sheet == TRANSACTIONS:
            from fsgrant.formats.dfe_return.layout import TRANSACTION_HEADERS

            out.add((*TRANSACTION_HEADERS, *data.source_fields))
            continue
        for r in sheet_rows(sheet, data):
            if r.role == "header":
                out.add(
                    tuple(
                        str(c.value) for c in r.cells if c is not None and c.value not in (None, "")
                    )
                )
    return frozenset(out)


def _typed_rows(rows: Iterable[Row]) -> Iterator[list[Typed]]:
    for r in rows:
        yield [_plain(c) for c in r.cells]


def iter_return_figures(
    data: ReturnData, headers: frozenset[tuple[str, ...]], sheets: Iterable[str] = SHEET_NAMES
) -> Iterator[ReturnFigure]:
    """Every figure of the return laid out from ``data`` (of ``sheets`` only, when
    given), one at a time, keyed by sheet, row label and column header; consumes
    its transactions."""
    wanted = set(sheets)
    for sheet in SHEET_NAMES:
        if sheet in wanted:
            yield from _label(_typed_rows(sheet_rows(sheet, data)), sheet, headers)


def return_figures(data: ReturnData, headers: frozenset[tuple[str, ...]]) -> list[ReturnFigure]:
    """Every figure of the return laid out from ``data`` (consumes its transactions),
    keyed by sheet, row label and column header."""
    return list(iter_return_figures(data, headers))


def figures_from_values(
    sheet: str, rows: Iterable[Sequence[Any]], headers: frozenset[tuple[str, ...]]
) -> Iterator[ReturnFigure]:
    """The figures of one sheet read back from a workbook (values only)."""
    return _label(([_read(v) for v in row] for row in rows), sheet, headers)
