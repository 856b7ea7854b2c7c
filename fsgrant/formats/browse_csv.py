"""CSV downloads a spreadsheet can open safely: Datasette's CSV, rewritten.

Datasette writes a table's, view's or query's rows as they are stored: money as
integer pence in ``*_pence`` columns, and text exactly as typed. Opened in Excel the
first is 100 times too big, and the second may run as a formula. Every CSV the server
gives passes through :func:`safe_csv`:

- a column named ``*_pence`` is renamed without the suffix (``award_pence`` becomes
  ``award``) and its whole numbers written as pounds in decimal text (``249000000``
  becomes ``2490000.00``; ``-125000`` becomes ``-1250.00``); any other value in it
  (empty, text) is left as it is, neutralised like the rest;
- every other cell that a spreadsheet would run as a formula is neutralised as
  fsgrant's own CSV does (:mod:`fsgrant.formats.csv_safe`).

JSON downloads are not touched: they keep the exact integer pence.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from fsgrant.formats.csv_safe import safe_writer

__all__ = ["pounds_header", "safe_csv"]

_WHOLE = re.compile(r"^-?[0-9]+$")


def pounds_header(name: str, suffix: str) -> str:
    """A column's name in a download: without ``suffix`` when it ends with it."""
    return name[: -len(suffix)] if name.endswith(suffix) and len(name) > len(suffix) else name


def safe_csv(text: str, *, pence_suffix: str) -> str:
    """Datasette's CSV ``text`` with pence as pounds and no cell a formula.

    Line ends are kept as Datasette writes them (``\\r\\n``).
    """
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return text
    header = rows[0]
    money = [name.endswith(pence_suffix) for name in header]
    out = io.StringIO(newline="")
    writer = safe_writer(out, lineterminator="\r\n")
    writer.writerow([pounds_header(name, pence_suffix) for name in header])
    for row in rows[1:]:
        writer.writerow(
            [
                f"{Decimal(cell).scaleb(-2):.2f}"
                if i < len(money) and money[i] and _WHOLE.match(cell)
                else cell
                for i, cell in enumerate(row)
            ]
        )
    return out.getvalue()
