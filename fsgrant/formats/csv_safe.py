"""CSV that a spreadsheet cannot run: one writer for every CSV fsgrant writes.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by Excel, LibreOffice and Google Sheets as a formula (OWASP "CSV injection").
Such a cell is written with a leading apostrophe, which spreadsheets show as text and
a person reads past. A plain number (``-12.00``, ``+5``, ``-1,234.56``) is not a
formula and is left as it is, so money columns stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

__all__ = ["csv_text", "neutralise", "safe_writer"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?£?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$")


def neutralise(text: str) -> str:
    """Text as a spreadsheet will show it, never as a formula.

    Args:
        text: a cell's text.

    Returns:
        The text, with an apostrophe in front when it would start a formula.
    """
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


class _SafeWriter:
    """``csv.writer`` whose text cells are neutralised; other values are written as given."""

    def __init__(self, out: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise(v) if isinstance(v, str) else v for v in row])


def safe_writer(out: Any, **kwargs: Any) -> _SafeWriter:
    """A CSV writer over ``out`` (as ``csv.writer``) that neutralises text cells."""
    return _SafeWriter(out, **kwargs)


def csv_text(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """A whole CSV document (``\\n`` line ends) with its text cells neutralised."""
    buf = io.StringIO()
    writer = safe_writer(buf, lineterminator="\n")
    writer.writerow(list(header))
    for row in rows:
        writer.writerow(row)
    return buf.getvalue()
