"""Shorthands the layout builds its cells and rows from: pure, no openpyxl."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from fsgrant.formats.dfe_return.model import Cell, Column, Kind, ReturnData, Row, uk_date

__all__ = [
    "BLANK",
    "NUMERIC_HEADERS",
    "date_cell",
    "header_row",
    "header_row_of",
    "heading",
    "lines_height",
    "money_cell",
    "percent_cell",
    "text_cell",
    "title_rows",
    "yes_no",
]

BLANK = Row()
"""An empty row."""


def text_cell(value: object, kind: Kind = "text", **kw: Any) -> Cell | None:
    """A text cell (of ``kind``) for ``value``; no cell for None."""
    if value is None:
        return None
    return Cell(str(value), kind, **kw)


def money_cell(value: Decimal | None, **kw: Any) -> Cell | None:
    """A money cell; no cell for None."""
    return None if value is None else Cell(value, "money", **kw)


def date_cell(value: date | None, **kw: Any) -> Cell | None:
    """A date cell; no cell for None."""
    return None if value is None else Cell(value, "date", **kw)


def title_rows(text: str, subtitle: str) -> Iterator[Row]:
    """A table sheet's title, subtitle and a blank row."""
    yield Row((Cell(text, "title"),), "title", height=21)
    yield Row((Cell(subtitle, "subtitle"),))
    yield BLANK


NUMERIC_HEADERS = frozenset(
    {
        "Original estimate",
        "Revised estimate",
        "Actual to date",
        "Forecast remaining",
        "Forecast outturn",
        "Variance",
        "Variance %",
        "Estimate",
        "Actual",
        "Forecast",
        "Actual + forecast",
        "Cumulative actual + forecast",
        "Cumulative estimate",
        "Award",
        "FTE",
        "Annual cost",
        "Cost to date",
        "Forecast cost",
        "Amount",
        "Posts",
        "Days blocked",
        "Submitted",
        "Now",
        "Change",
        "Figures moved",
        "Corrections",
        "Spend",
        "Budget",
    }
)


def header_row(names: Iterable[str]) -> Row:
    """A table's header row: numeric columns' headings aligned with their figures."""
    return Row(
        tuple(Cell(n, "header", align="right" if n in NUMERIC_HEADERS else None) for n in names),
        "header",
        height=30,
    )


def header_row_of(columns: Sequence[Column], extra: Iterable[str] = ()) -> Row:
    """A table's header row from its column definitions (numeric columns' headings
    aligned with their figures), then any ``extra`` text columns."""
    cells = [Cell(c.header, "header", align="right" if c.numeric else None) for c in columns]
    cells.extend(Cell(name, "header") for name in extra)
    return Row(tuple(cells), "header", height=30)


def lines_height(text: str | None, width: float) -> float | None:
    """Height for a row whose wrapped text needs more than one line (approximate:
    about one character per unit of column width)."""
    if not text:
        return None
    lines = -(-len(text) // max(int(width) - 2, 1))
    return None if lines <= 1 else 15.0 * min(lines, 8)


def heading(data: ReturnData) -> str:
    """The grant, funding year, quarter (of a quarterly return) and as-at date, for a
    sheet's title."""
    q = data.quarter
    period = f", quarter {q.label}" if q is not None else ""
    return f"{data.grant.name}: funding year {data.year.label}{period}, as at {uk_date(data.as_at)}"


def percent_cell(value: Decimal | None, *, total: bool = False) -> Cell | None:
    """A percentage cell; no cell for None."""
    # Reports give percentages as 12.5 (meaning 12.5%); Excel wants 0.125.
    return None if value is None else Cell(value / 100, "percent", total=total)


def yes_no(flag: bool) -> str:
    """The text "Yes" or "No"."""
    return "Yes" if flag else "No"
