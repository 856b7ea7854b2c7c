"""The DfE return laid out, continued: the "Changes since the last return" sheet
(pure, no openpyxl). See :mod:`fsgrant.formats.dfe_return.layout`.

* The return's funding year has a return submitted as at an earlier date: the
  latest such return is named (its number, as-at date, reference, when and by whom
  it was submitted), then each of its figures the ledger now gives differently,
  one row each: the figure (sheet / row / column), the value submitted, the value
  now, the change (money and counts: now less submitted) and the records written
  since the submission that moved it. DfE sees the prior-period adjustments.
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
    header_row,
    heading,
    lines_height,
    text_cell,
    title_rows,
)
from fsgrant.formats.dfe_return.model import (
    CHANGES,
    COLUMN_WIDTHS,
    Cell,
    ReturnData,
    Row,
)

__all__ = ["CHANGE_HEADERS", "NOTHING_MOVED", "NO_EARLIER_RETURN", "change_rows", "record_text"]

CHANGE_HEADERS = ("Figure (sheet / row / column)", "Submitted", "Now", "Change", "Because")
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


def _change(submitted: str | None, now: str | None) -> Cell | None:
    was, is_ = _value(submitted), _value(now)
    if was is None or is_ is None or was.kind != is_.kind or was.kind not in ("money", "int"):
        return None
    assert isinstance(was.value, Decimal | int) and isinstance(is_.value, Decimal | int)
    return Cell(is_.value - was.value, was.kind)


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
        "Each figure of the last return of this funding year that the ledger now gives "
        "differently (a prior-period adjustment), with the records that moved it.",
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
    yield pair("Figures restated", Cell(len(c.restatements), "int"))
    yield BLANK
    if not c.restatements:
        yield Row((Cell(NOTHING_MOVED, "note"),))
        return
    yield header_row(CHANGE_HEADERS)
    width = COLUMN_WIDTHS[CHANGES][4]
    for r in c.restatements:
        because = "\n".join(record_text(e) for e in r.because) or "no record since"
        yield Row(
            (
                Cell(f"{r.sheet} / {r.row} / {r.column}"),
                _value(r.submitted),
                _value(r.now),
                _change(r.submitted, r.now),
                Cell(because, wrap=True),
            ),
            "body",
            height=lines_height(because, width),
        )
