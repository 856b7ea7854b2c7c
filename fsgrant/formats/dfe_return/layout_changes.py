"""The DfE return laid out, continued: the "Changes since the last return" sheet
(pure, no openpyxl). See :mod:`fsgrant.formats.dfe_return.layout`.

* The return's funding year has a return submitted as at an earlier date: the
  latest such return is named (its number, as-at date, reference, when and by whom
  it was submitted), then each correction recorded since (a prior-period
  adjustment), once, in words (what, how much, dated when, recorded when and by
  whom), with its amount, its date, the day it was recorded and how many figures of
  that return it moved; then each headline figure (a Summary value) that moved: as
  submitted, now, the change (now less submitted) and how many corrections moved
  it. The cell-by-cell detail is kept by ``export verify --detail``, not here.
* None moved: one line says so. No earlier return: one line says there is none.
  The sheet is always there, so every return has the same sheets.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from fsgrant.domain.models import AuditEntry
from fsgrant.formats.dfe_return.cells import (
    BLANK,
    date_cell,
    header_row_of,
    heading,
    lines_height,
    text_cell,
    title_rows,
)
from fsgrant.formats.dfe_return.model import (
    CAUSE_COLUMNS,
    CHANGES,
    COLUMN_WIDTHS,
    HEADLINE_COLUMNS,
    Cell,
    ReturnData,
    Row,
    headers_of,
    safe_text,
)

__all__ = [
    "CAUSE_HEADERS",
    "CHANGE_HEADERS",
    "HEADLINE_HEADERS",
    "NOTHING_MOVED",
    "NO_EARLIER_RETURN",
    "change_rows",
    "record_text",
]

CAUSE_HEADERS = headers_of(CAUSE_COLUMNS)
HEADLINE_HEADERS = headers_of(HEADLINE_COLUMNS)
CHANGE_HEADERS = CAUSE_HEADERS
"""The first table's header (kept under its older name)."""
NO_EARLIER_RETURN = "No return of this funding year was submitted as at an earlier date."
NOTHING_MOVED = "No figure of that return has moved since it was submitted."


def _value(text: str | None) -> Cell | None:
    """A figure's value as submitted or now: money (two decimals) as money, a whole
    number as a count, anything else (a date, text) as text."""
    if text is None:
        return Cell("none")
    n = _decimal(text)
    if n is not None and "." in text and n.as_tuple().exponent == -2:
        return Cell(n, "money")
    if n is not None and text.lstrip("-").isdigit():
        return Cell(int(n), "int")
    return text_cell(text)


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        n = Decimal(text)
    except InvalidOperation:
        return None
    return n if n.is_finite() else None


def record_text(entry: AuditEntry) -> str:
    """One record as the sheet and ``export verify`` name it."""
    subject = f" {entry.subject}" if entry.subject else ""
    return (
        f"{entry.action}{subject} (entry {entry.id}, by {entry.user} at "
        f"{entry.at.replace(microsecond=0, tzinfo=None).isoformat(sep=' ')})"
    )


def change_rows(data: ReturnData) -> Iterator[Row]:
    """The Changes since the last return sheet."""
    yield from title_rows(
        f"Changes since the last return: {heading(data)}",
        "Each correction recorded since the last return of this funding year was sent "
        "(a prior-period adjustment), once, with the headline figures it moved.",
    )
    c = data.changes
    if c is None:
        yield Row((Cell(NO_EARLIER_RETURN, "note"),))
        return

    def pair(label: str, value: Cell | None) -> Row:
        return Row((Cell(label, "label"), value))

    yield pair("Last return", Cell(f"return {c.return_id}"))
    yield pair("Its as-at date", date_cell(c.as_at))
    yield pair("Its reference", text_cell(c.reference or "none"))
    yield pair(
        "Submitted at (UTC)", Cell(c.submitted_at.replace(microsecond=0, tzinfo=None), "datetime")
    )
    yield pair("Submitted by", text_cell(c.submitted_by))
    yield pair("Corrections since", Cell(sum(1 for x in c.causes if x.entry is not None), "int"))
    yield pair("Figures restated", Cell(len(c.restatements), "int"))
    yield BLANK
    if not c.restatements:
        yield Row((Cell(NOTHING_MOVED, "note"),))
        return
    yield header_row_of(CAUSE_COLUMNS)
    width = COLUMN_WIDTHS[CHANGES][0]
    for cause in c.causes:
        yield Row(
            (
                Cell(safe_text(cause.words), wrap=True, top=True),
                None if cause.amount is None else Cell(cause.amount, "money", top=True),
                date_cell(cause.dated, top=True),
                None if cause.recorded is None else Cell(cause.recorded.date(), "date", top=True),
                Cell(cause.figures_moved, "int", top=True),
            ),
            "body",
            height=lines_height(cause.words, width),
        )
    yield BLANK
    yield header_row_of(HEADLINE_COLUMNS)
    if not c.headline:
        yield Row((Cell("No headline figure moved (see the other sheets' rows).", "note"),))
    for h in c.headline:
        yield Row(
            (
                Cell(h.figure),
                _value(h.submitted),
                _value(h.now),
                None if h.change is None else Cell(h.change, "money"),
                Cell(h.causes, "int"),
            ),
            "body",
        )
