"""How wide a return's columns must be to show what they hold (pure, no openpyxl).

A number that does not fit its column shows as ``###`` in Excel and LibreOffice, and a
label runs under its neighbour's value. So each column is at least as wide as the
longest value it holds, as the cell's number format shows it (:func:`shown_text`):
money ``-£1,234,567.89``, dates ``31/03/2020``, date-times ``31/03/2020 09:15:00``,
months ``Mar 2020``, percentages ``-12.5%``; text that does not wrap, up to
:data:`MAX_WIDTH`. Bold text (totals, labels) is a tenth wider. Titles, subtitles,
notes and section headings run across empty cells and are not counted, nor are
headers (they wrap) beyond their longest word.

Widths are in Excel's units, about one digit of the default font each; two more
leave the margin both programs draw inside a cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from fsgrant.formats.dfe_return.model import Cell, Row

__all__ = [
    "MAX_WIDTH",
    "PADDING",
    "fitted_widths",
    "header_height",
    "needed_width",
    "shown_text",
]

MAX_WIDTH = 60.0
"""No column is widened past this for its text (longer text wraps or overflows)."""
PADDING = 2.0
_BOLD = 1.1
_SPANNING = frozenset({"title", "subtitle", "note", "section"})
_BOLD_KINDS = frozenset({"label", "header"})


def _money(value: Decimal | int) -> str:
    q = Decimal(value).quantize(Decimal("0.01"))
    return ("-" if q < 0 else "") + f"£{abs(q):,.2f}"


def shown_text(cell: Cell) -> str:
    """The text a spreadsheet shows for ``cell`` under its kind's number format."""
    v, kind = cell.value, cell.kind
    if v is None:
        return ""
    if kind == "money" and isinstance(v, Decimal | int):
        return _money(v)
    if kind == "percent" and isinstance(v, Decimal | int):
        return f"{Decimal(v) * 100:.1f}%"
    if kind == "fte" and isinstance(v, Decimal | int):
        return f"{Decimal(v):.2f}"
    if isinstance(v, datetime) or kind in ("datetime", "generated"):
        return "31/12/2020 23:59:59"
    if kind == "month":
        return "Sep 2020"
    if isinstance(v, date):
        return "31/12/2020"
    return str(v)


def needed_width(cell: Cell) -> float:
    """The width a column needs for ``cell`` to show whole (0 for a cell that runs
    across its neighbours or wraps)."""
    if cell.kind in _SPANNING or cell.value is None:
        return 0.0
    text = shown_text(cell)
    bold = cell.bold or cell.total or cell.kind in _BOLD_KINDS
    if cell.kind == "header" or cell.wrap:
        # Wrapped: its longest word must fit.
        text = max(text.split(), key=len, default="")
    length = len(text) * (_BOLD if bold else 1.0)
    if cell.kind not in ("money", "percent", "fte", "int", "date", "datetime", "month"):
        length = min(length, MAX_WIDTH - PADDING)
    return length + PADDING


def fitted_widths(base: tuple[float, ...], rows: Iterable[Row]) -> tuple[float, ...]:
    """``base`` widened where a column holds a value wider than it (see the module's
    rules); cells merged across columns are not counted."""
    widths = list(base)
    for row in rows:
        merged = range(row.merge[0] - 1, row.merge[1]) if row.merge else range(0)
        for i, cell in enumerate(row.cells):
            if cell is None or i in merged:
                continue
            need = needed_width(cell)
            if i >= len(widths):
                widths.extend([8.43] * (i + 1 - len(widths)))
            if need > widths[i]:
                widths[i] = round(need, 1)
    return tuple(widths)


_LINE = 15.0
"""Points per line of wrapped text in the default font."""


def _lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to, word by word, in a column ``width`` wide (bold)."""
    room = max(width - PADDING, 1.0)
    lines, used = 1, 0.0
    for word in text.split():
        w = len(word) * _BOLD
        if used and used + 1 + w > room:
            lines, used = lines + 1, w
        else:
            used = used + 1 + w if used else w
    return lines


def header_height(row: Row, widths: tuple[float, ...]) -> float:
    """A header row tall enough for every heading to wrap whole in its column (at
    least two lines)."""
    most = 2
    for i, cell in enumerate(row.cells):
        if cell is not None and cell.value and i < len(widths):
            most = max(most, _lines(str(cell.value), widths[i]))
    return _LINE * most
