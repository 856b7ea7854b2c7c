"""The DfE return written with openpyxl: styles, the profile chart, print set-up.

:func:`write_return` renders the rows of :mod:`fsgrant.formats.dfe_return.layout`
with openpyxl in write-only mode, so memory stays flat however many transactions a
year has. Text is always bound as text: never a formula, never an error cell.

openpyxl is imported inside the functions that need it, never when fsgrant loads.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from copy import copy
from datetime import date, datetime, time
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fsgrant.domain.transactions import TransactionLine, transaction_line
from fsgrant.formats.dfe_return.charts import add_profile_chart, add_sustainability_chart
from fsgrant.formats.dfe_return.layout import sheet_rows
from fsgrant.formats.dfe_return.layout_ledger import (
    transaction_head_rows,
    transaction_rows,
    transaction_total_row,
)
from fsgrant.formats.dfe_return.model import (
    ABOUT,
    CHANGES,
    COLUMN_WIDTHS,
    CONDITIONS,
    ERROR_LITERALS,
    NUMBER_FORMATS,
    POSTS,
    PROFILE,
    SHEET_NAMES,
    SUMMARY,
    SUSTAINABILITY,
    TRANSACTION_COLUMNS,
    TRANSACTIONS,
    VARIANCE,
    VARIATIONS,
    Cell,
    Column,
    ReturnData,
    Row,
    needs_quote_prefix,
    safe_text,
    uk_date,
)
from fsgrant.formats.dfe_return.widths import fitted_widths, header_height

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from fsgrant.domain.models import SpendLine

__all__ = ["write_return"]

# Rows above the first table row: title, subtitle, note, header = 4 on table sheets.
_FREEZE: dict[str, str | None] = {
    SUMMARY: None,
    VARIANCE: "B5",
    PROFILE: "B5",
    POSTS: "B5",
    TRANSACTIONS: "A5",
    VARIATIONS: "A5",
    CONDITIONS: "B5",
    SUSTAINABILITY: "B5",
    CHANGES: None,
    ABOUT: None,
}
_PRINT_TITLES: dict[str, str | None] = {
    SUMMARY: None,
    VARIANCE: "4:4",
    PROFILE: "4:4",
    POSTS: "4:4",
    TRANSACTIONS: "4:4",
    VARIATIONS: "4:4",
    CONDITIONS: "4:4",
    SUSTAINABILITY: "4:4",
    CHANGES: None,
    ABOUT: None,
}

_NAVY = "1F3864"


class _Styles:
    """openpyxl style objects made once per workbook and shared by its cells."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color="808080")
        # A font name on every font: without one LibreOffice falls back to a serif.
        face = {"name": "Calibri", "family": 2}
        self.font_title = Font(**face, bold=True, size=14, color=_NAVY)
        self.font_subtitle = Font(**face, italic=True, size=10, color="404040")
        self.font_section = Font(**face, bold=True, size=12, color=_NAVY)
        self.font_header = Font(**face, bold=True, size=11, color="FFFFFF")
        self.font_bold = Font(**face, bold=True, size=11)
        self.font_note = Font(**face, italic=True, size=10, color="595959")
        self.fill_header = PatternFill("solid", fgColor=_NAVY)
        self.fill_input = PatternFill("solid", fgColor="FFF9E5")
        # Excel's own good / neutral / bad colours; blocked posts use "bad".
        self.fills = {
            name: (
                PatternFill("solid", fgColor=bg),
                Font(**face, size=11, color=fg),
                Font(**face, size=11, bold=True, color=fg),
            )
            for name, bg, fg in (
                ("green", "C6EFCE", "006100"),
                ("amber", "FFEB9C", "9C5700"),
                ("red", "FFC7CE", "9C0006"),
                ("blocked", "FFC7CE", "9C0006"),
            )
        }
        self.border_box = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.border_total = Border(
            top=Side(style="thin", color="000000"), bottom=Side(style="double", color="000000")
        )
        self.border_section = Border(bottom=Side(style="medium", color=_NAVY))
        self._alignments: dict[tuple[str | None, bool, str | None], Alignment] = {}
        self._alignment_type = Alignment
        self.formats: dict[str, str] = NUMBER_FORMATS
        # Style of each (kind, bold, fill, total, quote) seen, copied onto later cells:
        # far cheaper than re-hashing fonts and fills for every one of 100,000 rows.
        self._cache: dict[tuple[Any, ...], Any] = {}
        from openpyxl.cell import WriteOnlyCell

        self._new_cell = WriteOnlyCell

    def cell(self, ws: WriteOnlyWorksheet, spec: Cell) -> Any:
        """The value to append for ``spec``: a styled cell, or the bare value when it
        needs no style and openpyxl cannot mistake it (cheaper: openpyxl binds a
        styled cell's value twice)."""
        value = spec.value
        if spec.kind in ("text", "int") and not (
            spec.bold or spec.fill or spec.total or spec.align or spec.wrap or spec.top
        ):
            if isinstance(value, int):
                return value
            if isinstance(value, str):
                text = safe_text(value)
                if not text or not (needs_quote_prefix(text) or text in ERROR_LITERALS):
                    return text or None
        c = self._new_cell(ws)
        quote = False
        if isinstance(value, str) or value is None:
            text = "" if value is None else safe_text(value)
            quote = needs_quote_prefix(text)
            if text:
                # Bind as text whatever it looks like: never a formula (=...), never
                # an error cell (#N/A); openpyxl would infer both from the string.
                c.value = text
                c.data_type = "s"
        else:
            c.value = value
        key = (
            spec.kind,
            spec.bold,
            spec.fill,
            spec.total,
            spec.align,
            spec.wrap,
            spec.top,
            quote,
        )
        style = self._cache.get(key)
        if style is None:
            self._apply(c, spec, quote)
            self._cache[key] = c._style  # noqa: SLF001 (openpyxl: a cell's style ids, to reuse)
        else:
            c._style = copy(style)  # noqa: SLF001 (openpyxl: setting the ids skips re-lookup)
        return c

    def _apply(self, c: Any, spec: Cell, quote: bool) -> None:
        kind = spec.kind
        fmt = self.formats.get(kind)
        if fmt is not None:
            c.number_format = fmt
        if kind == "title":
            c.font = self.font_title
        elif kind == "subtitle":
            c.font = self.font_subtitle
        elif kind == "section":
            c.font = self.font_section
        elif kind == "header":
            c.font, c.fill = self.font_header, self.fill_header
        elif kind == "label":
            c.font = self.font_bold
        elif kind == "note":
            c.font = self.font_note
        elif kind == "input":
            c.fill, c.border = self.fill_input, self.border_box
        if spec.bold or spec.total:
            c.font = self.font_bold
        if spec.total:
            c.border = self.border_total
        if spec.fill is not None:
            fill, font, bold_font = self.fills[spec.fill]
            c.fill = fill
            c.font = bold_font if spec.bold else font
        wrap = spec.wrap or kind in ("header", "input")
        if wrap or spec.align or spec.top:
            vertical = "center" if kind == "header" else "top"
            key = (spec.align, wrap, vertical)
            if key not in self._alignments:
                self._alignments[key] = self._alignment_type(
                    horizontal=spec.align, vertical=vertical, wrap_text=wrap
                )
            c.alignment = self._alignments[key]
        if quote:
            c.quotePrefix = True


def _escape_hf(text: str) -> str:
    # '&' starts a header/footer code in Excel: a literal one is '&&'.
    return safe_text(text).replace("&", "&&")


def _set_up_sheet(
    ws: WriteOnlyWorksheet, name: str, data: ReturnData, widths: tuple[float, ...]
) -> None:
    """Widths, frozen panes and print set-up: before the first row is written
    (write-only sheets write these ahead of the rows)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    freeze = _FREEZE[name]
    if freeze:
        ws.freeze_panes = freeze
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    # The Summary on one page, so the figures and the sign-off are signed together;
    # tables as many pages long as they need.
    ws.page_setup.fitToHeight = 1 if name == SUMMARY else 0
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    titles = _PRINT_TITLES[name]
    if titles:
        ws.print_title_rows = titles
    ws.oddHeader.left.text = _escape_hf(data.grant.name)
    ws.oddHeader.center.text = _escape_hf(f"{name}: funding year {data.year.label}")
    ws.oddHeader.right.text = _escape_hf(f"As at {uk_date(data.as_at)}")
    # The Summary is the page that is signed: no tool or ledger text on it (they
    # are on the About this file sheet).
    ws.oddFooter.left.text = _escape_hf(
        f"Generated {data.generated_at:%d/%m/%Y %H:%M} UTC"
        if name == SUMMARY
        else f"fsgrant {data.version}; ledger {data.fingerprint[:12]}; generated "
        f"{data.generated_at:%d/%m/%Y %H:%M} UTC"
    )
    ws.oddFooter.right.text = "Page &P of &N"
    for part in (ws.oddHeader.left, ws.oddHeader.center, ws.oddHeader.right, ws.oddFooter.left):
        part.size = 8
    ws.oddFooter.right.size = 8


def _write_sheet(
    wb: Workbook,
    styles: _Styles,
    name: str,
    data: ReturnData,
    progress: Callable[[int], None] | None = None,
) -> None:
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    laid_out: list[Row] | None = None
    if name == TRANSACTIONS:
        # Streamed: its columns are sized for the largest amounts a year can hold.
        widths = COLUMN_WIDTHS[name]
    else:
        # Small sheets: laid out first, so each column is as wide as what it holds.
        laid_out = list(sheet_rows(name, data))
        widths = fitted_widths(COLUMN_WIDTHS[name], laid_out)
    _set_up_sheet(ws, name, data, widths)
    first_header: int | None = None
    last_body: int | None = None
    width = 1
    widest = 0
    row_no = 0
    months: list[int] = []

    def put(row: Row) -> None:
        nonlocal first_header, last_body, width, widest, row_no
        row_no += 1
        height = header_height(row, widths) if row.role == "header" else row.height
        if height is not None:
            ws.row_dimensions[row_no].height = height
        if row.merge is not None:
            first, last = (get_column_letter(c) for c in row.merge)
            ws.merged_cells.add(f"{first}{row_no}:{last}{row_no}")
        cells = [None if spec is None else styles.cell(ws, spec) for spec in row.cells]
        ws.append(cells)
        if row.role == "header" and first_header is None:
            first_header = row_no
            width = len(row.cells)
        elif row.role == "body" and first_header is not None and last_body in (None, row_no - 1):
            last_body = row_no
        if name in (PROFILE, SUSTAINABILITY) and row.role == "body":
            months.append(row_no)
        widest = max(widest, len(row.cells))

    if name == TRANSACTIONS and data.source_fields:
        # A column per source field: laid out cell by cell (an option, not the
        # common path the lean writer serves).
        for row in transaction_rows(data):
            put(row)
    elif name == TRANSACTIONS:
        for row in transaction_head_rows(data):
            put(row)
        count, pence = _write_transaction_lines(ws, styles, data.transactions, progress)
        if count:
            row_no += count
            last_body = row_no
        put(transaction_total_row(count, pence))
    else:
        for row in laid_out or ():
            put(row)
    if first_header is not None:
        end = last_body or first_header
        ws.auto_filter.ref = f"A{first_header}:{get_column_letter(width)}{end}"
    if name == PROFILE and months:
        add_profile_chart(ws, months[0], months[-1], data)
    if name == SUSTAINABILITY and months:
        add_sustainability_chart(ws, months[0], months[-1], width)
    ws.close()
    _insert_dimension(ws, f"A1:{get_column_letter(max(widest, 1))}{max(row_no, 1)}")


_PROGRESS_EVERY = 2000
"""Lines written between two calls of a progress callback."""


def _write_transaction_lines(
    ws: WriteOnlyWorksheet,
    styles: _Styles,
    lines: Iterable[TransactionLine | SpendLine],
    progress: Callable[[int], None] | None,
) -> tuple[int, int]:
    """Append the Transactions sheet's lines, and return their number and total pence.

    The same values and styles as :func:`transaction_rows` lays out (verify reads the
    sheet against it), written without a layout object per cell: one list a line,
    text bound as text only when openpyxl could mistake it, and two styled cells (the
    date, centred; the amount) made once and reused, each line being written out as
    it is appended.
    """
    # One maker a column, by its kind in the sheet's definition: the same values and
    # styles as the layout (a date centred; an amount in the money format).
    makers = [_maker(ws, styles, column) for column in TRANSACTION_COLUMNS]
    fields = attrgetter(*(c.field for c in TRANSACTION_COLUMNS))
    count = pence = 0
    append = ws.append
    for line in lines:
        s = line if isinstance(line, TransactionLine) else transaction_line(line)
        pence += s.pence
        count += 1
        append([make(value) for make, value in zip(makers, fields(s), strict=True)])
        if progress is not None and count % _PROGRESS_EVERY == 0:
            progress(count)
    if progress is not None:
        progress(count)
    return count, pence


def _maker(ws: WriteOnlyWorksheet, styles: _Styles, column: Column) -> Callable[[Any], Any]:
    """What to append for a value of ``column`` on the Transactions sheet: a number
    as it is, text as :func:`_lean_text` binds it, a date or an amount in one styled
    cell made once and given each value in turn (appended rows are written out at
    once, so the cell can be reused)."""
    if column.kind == "int":
        return _as_is
    if column.kind not in ("date", "money"):
        return _lean_text(ws, styles)
    if column.kind == "date":
        cell = styles.cell(ws, Cell(date(2000, 1, 1), "date", align="center"))
    else:
        cell = styles.cell(ws, Cell(Decimal(0), column.kind))

    def styled(value: Any) -> Any:
        cell.value = value
        return cell

    return styled


def _as_is(value: Any) -> Any:
    return value


def _lean_text(ws: WriteOnlyWorksheet, styles: _Styles) -> Callable[[str | None], Any]:
    """What to append for a plain text cell: the text itself, None for none, or a
    cell bound as text when openpyxl would read it as a formula or an error (as
    :meth:`_Styles.cell` does for a text cell with no emphasis)."""

    def text(value: str | None) -> Any:
        if value is None:
            return None
        clean = safe_text(value)
        if not clean:
            return None
        if needs_quote_prefix(clean) or clean in ERROR_LITERALS:
            return styles.cell(ws, Cell(clean))
        return clean

    return text


def _insert_dimension(ws: WriteOnlyWorksheet, ref: str) -> None:
    """Add the sheet's used range to its XML once the rows are written.

    A write-only sheet is streamed before its size is known, so openpyxl writes no
    ``<dimension>``; readers in read-only mode (openpyxl's, and so pandas') then
    parse the whole sheet once just to size it. The sheet is still a temporary file
    here: copy it with the element put in its place, after ``<sheetPr>``.
    """
    import shutil

    path = Path(ws._writer.out)  # noqa: SLF001 (openpyxl: the write-only sheet's temp file)
    patched = path.with_name(path.name + ".dim")
    with path.open("rb") as src:
        head = src.read(1 << 16)
        at = head.find(b"<sheetViews")
        if at < 0 or b"<dimension" in head[:at]:
            return
        with patched.open("wb") as dst:
            dst.write(head[:at] + f'<dimension ref="{ref}" />'.encode() + head[at:])
            shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(patched, path)


def write_return(
    data: ReturnData, path: str | Path, progress: Callable[[int], None] | None = None
) -> Path:
    """Write the DfE return workbook for ``data`` to ``path`` (replacing any file
    there: callers wanting safety use :meth:`fsgrant.Ledger.export_return`).

    The workbook's created and modified properties are the as-at date, so the same
    figures give the same document properties every time. ``progress``, when given,
    is called with the number of transactions written so far, every few thousand.
    """
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    target = Path(path)
    wb = Workbook(write_only=True)
    styles = _Styles()
    try:
        for name in SHEET_NAMES:
            _write_sheet(wb, styles, name, data, progress if name == TRANSACTIONS else None)
    except BaseException:
        _discard(wb)
        raise
    stamp = datetime.combine(data.as_at, time(0, 0))
    props = wb.properties
    props.creator = f"fsgrant {data.version}"
    props.lastModifiedBy = f"fsgrant {data.version}"
    props.title = f"DfE grant return: {safe_text(data.grant.name)} {data.year.label}"
    props.subject = f"{safe_text(data.grant.recipient)}, as at {data.as_at.isoformat()}"
    props.keywords = f"fsgrant-return; ledger-sha256:{data.fingerprint}"
    props.created = stamp
    props.modified = stamp
    # ExcelWriter rather than Workbook.save: save() stamps "modified" with the clock.
    with ZipFile(target, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()
    return target


def _discard(wb: Workbook) -> None:
    """Close the streams of a workbook that failed half-way and remove their
    temporary files (else they are closed out of order when garbage collected)."""
    for ws in wb.worksheets:
        writer = ws._writer  # noqa: SLF001 (openpyxl: the write-only sheet's writer)
        try:
            if not ws.closed:
                ws.close()
        except Exception:  # already broken: what matters is the clean-up
            pass
        if writer is not None:
            writer.cleanup()
