"""The DfE return workbook: from report models to an XLSX file, and back.

The workbook has ten sheets, in this order and with these names (a contract that
``fsgrant export verify`` and finance teams rely on): :data:`SHEET_NAMES`.

* :mod:`~fsgrant.formats.dfe_return.model`: the data a return is built from
  (:class:`ReturnData`), the cells and rows of its layout, text safety.
* :mod:`~fsgrant.formats.dfe_return.layout` (and ``layout_ledger``): each sheet laid
  out once as rows of :class:`Cell` specifications, pure (no openpyxl).
* :mod:`~fsgrant.formats.dfe_return.writer`: :func:`write_return` renders the rows
  with openpyxl in write-only mode (styles, the profile chart, print set-up).
* :mod:`~fsgrant.formats.dfe_return.verify`: :class:`ReturnReader` reads a return
  back and compares it, cell by cell, with a fresh layout.

Importing this package imports no openpyxl: the writer and the reader are loaded
on first use of their names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fsgrant._lazy import lazy_names
from fsgrant.formats.dfe_return.layout import sheet_rows
from fsgrant.formats.dfe_return.model import (
    SHEET_NAMES,
    Cell,
    ReturnData,
    ReturnDifference,
    ReturnQuarter,
    Row,
    safe_text,
)

if TYPE_CHECKING:
    from fsgrant.formats.dfe_return.verify import (
        ReturnHeading,
        ReturnReader,
        compare_return,
        read_return_heading,
    )
    from fsgrant.formats.dfe_return.writer import write_return

__all__ = [
    "SHEET_NAMES",
    "Cell",
    "ReturnData",
    "ReturnDifference",
    "ReturnHeading",
    "ReturnQuarter",
    "ReturnReader",
    "Row",
    "compare_return",
    "read_return_heading",
    "safe_text",
    "sheet_rows",
    "write_return",
]

_LAZY = {
    "write_return": "writer",
    "ReturnHeading": "verify",
    "ReturnReader": "verify",
    "compare_return": "verify",
    "read_return_heading": "verify",
}


__getattr__ = lazy_names(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(__all__)
