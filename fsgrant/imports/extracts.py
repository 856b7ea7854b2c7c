"""Reading finance-system extracts (CSV and XLSX) row by row, with flat memory.

An extract is a table with a header row, possibly after some title rows. This module
finds the header, and yields each data row as ``(line, cells)``: the 1-based line
(CSV, counting physical lines) or row (XLSX) number, and the cells as text. It knows
nothing about money or the ledger; :mod:`fsgrant.mapping` reads the cells.

* CSV: UTF-8 with or without a byte-order mark, else Windows-1252 (as finance
  systems often write it); comma, tab or semicolon separated (found from the header
  line). The file is read once up front to tell UTF-8 from Windows-1252 (when the
  mapping does not say), then streamed; its sha256 is taken meanwhile, on a thread
  of its own (:class:`FileHash`).
* XLSX: a named or the first sheet, read with openpyxl in read-only streaming mode,
  saved values only (``data_only``). Untrusted files are checked first:
  ``defusedxml`` must be in force (XML bombs, external entities) and the zip's
  declared sizes and compression ratios must be sane (zip bombs), all before any
  XML is parsed. Cells become text: whole numbers without ``.0``, other numbers in
  plain decimal notation (``890.4999999999999``, never an exponent), dates as ISO.
  An empty cell reads as ``""``; in an XLSX that is also how a formula with no
  saved value reads, so the money reader never takes an empty cell for zero.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from fsgrant.domain.text import header_key as _norm_header
from fsgrant.errors import SourceError
from fsgrant.formats.file_hash import FileHash, file_sha256, is_utf8
from fsgrant.formats.input_files import check_input_file, refuse_wide_text
from fsgrant.imports.xlsx_guard import (
    MAX_XLSX_UNCOMPRESSED,
    check_xlsx_archive,
    require_defusedxml,
    xml_refusal,
)

__all__ = [
    "MAX_XLSX_UNCOMPRESSED",
    "Digest",
    "Extract",
    "FileHash",
    "PassOver",
    "cell_text",
    "check_xlsx_archive",
    "file_sha256",
    "is_utf8",
    "lacking_columns",
    "open_extract",
]

_HEADER_SCAN_ROWS = 50
ProgressFn = Callable[[float], None]


class Digest(Protocol):
    """What tells a repeated import: a file's sha256 (:class:`FileHash`), or plain
    rows' (:class:`fsgrant.imports.plain.RowsDigest`)."""

    @property
    def hexdigest(self) -> str: ...

    def stop(self) -> None: ...


class PassOver:
    """Rows a reader of an extract has no use for, known by the text of one cell:
    ``counts`` maps the cell's text (as read) to how many such rows were passed over
    (a one-item list, counted in place). An extract passes such rows over as it reads
    them, so they never reach the reader.
    """

    __slots__ = ("counts", "index")

    def __init__(self) -> None:
        self.index = -1
        self.counts: dict[str, list[int]] = {}


@dataclass
class Extract:
    """An opened extract: its header, and its data rows (read once)."""

    name: str
    kind: str
    """``csv``, ``xlsx``, or ``rows`` (plain rows, :mod:`fsgrant.imports.plain`)."""
    header: list[str]
    header_line: int
    rows: Iterator[tuple[int, list[str]]]
    hash: Digest
    """The file's sha256, being taken (see :attr:`sha256`)."""
    encoding: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    header_found_by: str = "column names"
    """``column names`` (searched for), ``header_row`` (given by the mapping) or
    ``given`` (plain rows: the first)."""
    header_reason: str = ""
    """Why this row is the header, in words, for the user."""
    passing: PassOver = field(default_factory=PassOver)
    """Rows to pass over as they are read (see :class:`PassOver`)."""
    closer: Callable[[], None] | None = None
    """Closes the file the rows are read from, read or not (a CSV extract)."""

    @property
    def sha256(self) -> str:
        """The file's sha256 (hex); waits for :attr:`hash` if it is not yet taken."""
        return self.hash.hexdigest

    def close(self) -> None:
        """Close the rows and the file they are read from, whether or not they were
        read: an import refused before its first row leaves no file open."""
        close = getattr(self.rows, "close", None)
        if close is not None:
            close()
        if self.closer is not None:
            self.closer()
        self.hash.stop()


def _header_reason(required: Sequence[str], header_row: int | None, unit: str) -> str:
    if header_row is not None:
        return f"{unit} {header_row}, as the mapping's header_row says"
    names = ", ".join(repr(r) for r in required)
    return (
        f"the first of the first {_HEADER_SCAN_ROWS} {unit}s holding every mapped column ({names})"
    )


def _is_header(cells: Sequence[str], required: Sequence[str]) -> bool:
    return not lacking_columns(cells, required)


def lacking_columns(cells: Sequence[str], required: Sequence[str]) -> list[str]:
    """The ``required`` column names that no cell of a header row holds (compared as
    :func:`fsgrant.domain.text.header_key` compares them)."""
    present = {_norm_header(c) for c in cells if isinstance(c, str) and c}
    return [r for r in required if _norm_header(r) not in present]


class _Nearest:
    """The row that came closest to being the header, for the error message."""

    def __init__(self, required: Sequence[str]) -> None:
        self.required = required
        self.best: tuple[int, int, list[str]] | None = None

    def consider(self, line: int, cells: Sequence[str]) -> None:
        lacking = lacking_columns(cells, self.required)
        found = len(self.required) - len(lacking)
        if found and (self.best is None or found > self.best[0]):
            self.best = (found, line, lacking)

    def message(self, where: str) -> str:
        text = f"no header row with the columns {', '.join(self.required)} in {where}"
        if self.best is not None:
            _, line, lacking = self.best
            text += f"; the nearest, line {line}, has no {', '.join(repr(x) for x in lacking)}"
        else:
            text += "; no row there holds any of them"
        return text


def open_extract(
    path: Path,
    required: Sequence[str],
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    progress: ProgressFn | None = None,
) -> Extract:
    """Open a CSV or XLSX extract and find its header row.

    Args:
        path: the file.
        required: column names the header must hold (to find it after title rows).
        encoding: CSV only: ``utf-8`` or ``cp1252``; found from the bytes when None.
        delimiter: CSV only: found from the header line when None.
        sheet: XLSX only: the sheet name (default the first sheet).
        header_row: the header's line number, when known (else the first of the first
            50 rows that holds every required column).
        progress: called now and then with the fraction of the file read.

    Raises:
        SourceError: unreadable, unsafe or not a table with the required columns.
    """
    check_input_file(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _open_xlsx(path, required, sheet, header_row, progress)
    if suffix in (".xls", ".ods"):
        raise SourceError(
            path.name, None, None, "only CSV and XLSX extracts are read; save it as one of those"
        )
    return _open_csv(path, required, encoding, delimiter, header_row, progress)


# ---------------------------------------------------------------------- CSV
def _open_csv(
    path: Path,
    required: Sequence[str],
    encoding: str | None,
    delimiter: str | None,
    header_row: int | None,
    progress: ProgressFn | None,
) -> Extract:
    name = path.name
    if zipfile.is_zipfile(path):
        raise SourceError(name, None, None, "looks like an XLSX file; name it .xlsx")
    refuse_wide_text(path, encoding)
    if encoding is None:
        encoding = "utf-8-sig" if is_utf8(path) else "cp1252"
    elif encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise SourceError(name, None, None, f"unknown encoding '{encoding}'") from None

    # Find the header (and the separator) in the first lines.
    head: list[str] = []
    with path.open(encoding=encoding, errors="replace", newline="") as f:
        try:
            for _ in range(_HEADER_SCAN_ROWS):
                line = f.readline()
                if not line:
                    break
                head.append(line)
        except UnicodeError as exc:  # a UTF-16 mapping over a file with no mark
            raise SourceError(name, None, None, f"not {encoding} text ({exc})") from None
    candidates = [delimiter] if delimiter else [",", "\t", ";"]
    found: tuple[str, int] | None = None
    nearest = _Nearest(required)
    for sep in candidates:
        rows = list(csv.reader(head, delimiter=sep))
        for i, cells in enumerate(rows, start=1):
            if header_row is not None and i != header_row:
                continue
            if _is_header(cells, required):
                found = (sep, i)
                break
            nearest.consider(i, cells)
        if found:
            break
    if found is None:
        where = f"line {header_row}" if header_row else f"the first {_HEADER_SCAN_ROWS} lines"
        raise SourceError(name, header_row, None, nearest.message(where))
    sep, line_no = found
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=sep, strict=True)
    try:
        header: list[str] = []
        for _ in range(line_no):
            header = next(reader)
    except (StopIteration, csv.Error, UnicodeDecodeError) as exc:  # pragma: no cover
        text.close()
        raise SourceError(name, line_no, None, f"cannot read the header ({exc})") from None
    header = [h.strip() for h in header]
    total = max(path.stat().st_size, 1)
    passing = PassOver()
    return Extract(
        name=name,
        kind="csv",
        header=header,
        header_line=reader.line_num,
        header_found_by="header_row" if header_row is not None else "column names",
        header_reason=_header_reason(required, header_row, "line"),
        rows=_csv_rows(name, text, reader, raw, total, progress, passing),
        passing=passing,
        closer=text.close,
        hash=FileHash(path),
        encoding=encoding.replace("-sig", ""),
        details={"delimiter": sep},
    )


def _csv_rows(
    name: str,
    text: io.TextIOWrapper,
    reader: Any,
    raw: Any,
    total: int,
    progress: ProgressFn | None,
    passing: PassOver,
) -> Iterator[tuple[int, list[str]]]:
    with text:
        last = reader.line_num
        n = 0
        # Read once the first row is asked for, after the reader has said what to pass
        # over; the counts fill in as the reader finds them.
        at = passing.index
        passed = passing.counts.get
        try:
            for cells in reader:
                # A quoted cell may span lines: a row starts on the line after the last.
                start = last + 1
                last = reader.line_num
                if progress is not None:
                    n += 1
                    if n % 4096 == 0:
                        progress(min(raw.tell() / total, 1.0))
                if 0 <= at < len(cells):
                    slot = passed(cells[at])
                    if slot is not None:
                        slot[0] += 1
                        continue
                yield start, cells
        except csv.Error as exc:
            raise SourceError(name, reader.line_num, None, f"not valid CSV ({exc})") from None
        except UnicodeDecodeError as exc:
            raise SourceError(
                name, last + 1, None, f"not {text.encoding} text ({exc.reason})"
            ) from None
        if progress is not None:
            progress(1.0)


# ---------------------------------------------------------------------- XLSX
def _open_xlsx(
    path: Path,
    required: Sequence[str],
    sheet: str | None,
    header_row: int | None,
    progress: ProgressFn | None,
) -> Extract:
    name = path.name
    check_xlsx_archive(path)
    require_defusedxml(name)
    import warnings

    from openpyxl import load_workbook

    # Our own handle: openpyxl leaves its file open when loading fails.
    handle = path.open("rb")
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; not our concern.
            warnings.simplefilter("ignore")
            wb = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:
        handle.close()
        refusal = xml_refusal(name, exc)
        if refusal is not None:
            raise refusal from None
        raise SourceError(name, None, None, f"not a readable XLSX file ({exc})") from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise SourceError(
                name, None, None, f"no sheet '{sheet}'; sheets: {', '.join(wb.sheetnames)}"
            )
        declared_rows = ws.max_row if isinstance(ws.max_row, int) else None
        # Dimensions written by other tools are often wrong: read every row there is.
        ws.reset_dimensions()
        passing = PassOver()
        rows = _xlsx_rows(name, ws, (wb, handle), declared_rows, progress, passing)
        header: list[str] | None = None
        line_no = 0
        nearest = _Nearest(required)
        for line_no, cells in rows:
            if header_row is None or line_no == header_row:
                if _is_header(cells, required):
                    header = cells
                    break
                nearest.consider(line_no, cells)
            if line_no >= (header_row or _HEADER_SCAN_ROWS):
                break
        if header is None:
            where = f"row {header_row}" if header_row else f"the first {_HEADER_SCAN_ROWS} rows"
            raise SourceError(
                name, header_row, None, nearest.message(f"{where} of sheet '{ws.title}'")
            )
    except BaseException:
        wb.close()
        handle.close()
        raise
    return Extract(
        name=name,
        kind="xlsx",
        header=[h.strip() for h in header],
        header_line=line_no,
        rows=rows,
        hash=FileHash(path),
        details={"sheet": ws.title},
        header_found_by="header_row" if header_row is not None else "column names",
        header_reason=_header_reason(required, header_row, "row"),
        passing=passing,
    )


def _xlsx_rows(
    name: str,
    ws: Any,
    opened: tuple[Any, Any],
    declared_rows: int | None,
    progress: ProgressFn | None,
    passing: PassOver,
) -> Iterator[tuple[int, list[str]]]:
    sheet_rows = ws.iter_rows(values_only=True)
    passed = passing.counts.get
    try:
        for line_no, values in enumerate(sheet_rows, start=1):
            if progress is not None and declared_rows and line_no % 1024 == 0:
                progress(min(line_no / declared_rows, 1.0))
            cells = [cell_text(v) for v in values]
            # Read each row: the header is found through these rows, before the
            # reader of the data says what to pass over.
            at = passing.index
            if 0 <= at < len(cells):
                slot = passed(cells[at])
                if slot is not None:
                    slot[0] += 1
                    continue
            yield line_no, cells
    except SourceError:
        raise
    except Exception as exc:
        refusal = xml_refusal(name, exc)
        if refusal is not None:
            raise refusal from None
        raise SourceError(name, None, None, f"not a readable XLSX sheet ({exc})") from None
    finally:
        # The sheet's own reader first, while its file is open: left to the garbage
        # collector it would be closed later, on a closed file, and complain then.
        with contextlib.suppress(Exception):  # a reader that cannot close has no more to say
            sheet_rows.close()
        for thing in opened:
            thing.close()
    if progress is not None:
        progress(1.0)


def cell_text(value: object) -> str:
    """A cell value as text, exactly: no exponent, no lost digits, no float rounding."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        # repr is the shortest text that reads back as the same float; the money
        # reader then decides whether it is float noise around a whole penny.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
