"""CSV that a spreadsheet cannot run: one writer for every CSV fsgrant writes.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by Excel, LibreOffice and Google Sheets as a formula (OWASP "CSV injection").
Such a cell is written with a leading apostrophe, which spreadsheets show as text and
a person reads past. A plain number (``-12.00``, ``+5``, ``-1,234.56``) is not a
formula and is left as it is, so money columns stay numbers.

A cell holding a line break is always quoted, whatever the writer's line ending (a lone
carriage return would otherwise be written bare, and a reader breaking rows on it would
start a new row inside the cell); and every line inside such a cell gets the
apostrophe too when it would start a formula, for readers that split lines first.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

__all__ = ["SafeWriter", "csv_text", "neutralise", "safe_writer"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A line inside a cell, after a CR, LF or CRLF (which the split keeps as its own part).
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
_PLAIN_NUMBER = re.compile(r"^[+-]?£?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$")


def neutralise(text: str) -> str:
    """Text as a spreadsheet will show it, never as a formula.

    Args:
        text: a cell's text.

    Returns:
        The text, with an apostrophe in front when it would start a formula.
    """
    if _PLAIN_NUMBER.match(text):
        return text
    if "\r" not in text and "\n" not in text:
        return "'" + text if text.startswith(_FORMULA_START) else text
    parts = _LINE_BREAK.split(text)
    for i in range(0, len(parts), 2):
        line = parts[i] if i else text
        if line.startswith(_FORMULA_START):
            parts[i] = "'" + parts[i]
    return "".join(parts)


class SafeWriter:
    """``csv.writer`` whose text cells are neutralised and, when they hold a line
    break, quoted; other values are written as given."""

    def __init__(self, out: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)
        self._out = out

    def writerow(self, row: Iterable[Any]) -> None:
        cells = [neutralise(v) if isinstance(v, str) else v for v in row]
        if not any(_has_break(v) for v in cells):
            self._writer.writerow(cells)
            return
        # csv quotes a cell holding its own line ending, not every CR or LF. Only the
        # cells with a line break are quoted here (a money column stays a plain
        # number): each cell is written alone and the row joined by the delimiter.
        dialect = self._writer.dialect
        self._out.write(
            dialect.delimiter.join(_one_cell(v, dialect) for v in cells) + dialect.lineterminator
        )


def _has_break(value: Any) -> bool:
    return isinstance(value, str) and ("\r" in value or "\n" in value)


def _one_cell(value: Any, dialect: Any) -> str:
    """``value`` as one cell of a row in ``dialect``, quoted when it holds a line break."""
    if _has_break(value):
        quote: str = dialect.quotechar
        return quote + str(value).replace(quote, quote * 2) + quote
    if value is None or value == "":
        return ""
    buf = io.StringIO()
    csv.writer(buf, dialect=dialect).writerow([value])
    return buf.getvalue()[: -len(dialect.lineterminator)]


def safe_writer(out: Any, **kwargs: Any) -> SafeWriter:
    """A CSV writer over ``out`` (as ``csv.writer``) that neutralises text cells."""
    return SafeWriter(out, **kwargs)


def csv_text(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """A whole CSV document (``\\n`` line ends) with its text cells neutralised."""
    buf = io.StringIO()
    writer = safe_writer(buf, lineterminator="\n")
    writer.writerow(list(header))
    for row in rows:
        writer.writerow(row)
    return buf.getvalue()
