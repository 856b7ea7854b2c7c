"""Reading a DfE return back and comparing it with the store.

:class:`ReturnReader` opens a return (read-only and streaming) and reads its heading
from the Summary; :meth:`ReturnReader.compare` lays every sheet out again from fresh
figures (:func:`fsgrant.formats.dfe_return.layout.sheet_rows`) and compares it, cell
by cell, with the workbook read back. A file is checked for zip bombs
(:mod:`fsgrant.formats.archive`) before openpyxl opens it.

openpyxl is imported inside the functions that need it, never when fsgrant loads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fsgrant.domain.money import format_money
from fsgrant.domain.submissions import ReturnFigure
from fsgrant.errors import InvalidInput
from fsgrant.formats.archive import NotAZip, TooBig, TooCompressed, archive_problem
from fsgrant.formats.dfe_return.layout import sheet_rows
from fsgrant.formats.dfe_return.model import (
    ABOUT,
    FIRST_SHEET_NAMES,
    LABEL_AS_AT,
    LABEL_FINGERPRINT,
    LABEL_GENERATED,
    LABEL_PERIOD_FROM,
    LABEL_PERIOD_TO,
    LABEL_VERSION,
    LABEL_YEAR,
    SHEET_NAMES,
    SUMMARY,
    TRANSACTIONS,
    Cell,
    ReturnData,
    ReturnDifference,
    Row,
    safe_text,
)

__all__ = [
    "ReturnHeading",
    "ReturnReader",
    "compare_return",
    "read_return_heading",
]

# How verify compares a cell of each kind: as a number, as a date, or not at all
# (left to be filled in, or different every time the return is made).
_NUMBER_KINDS = frozenset({"money", "percent", "fte", "int"})
_DATE_KINDS = frozenset({"date", "month"})
_UNCHECKED_KINDS = frozenset({"input", "generated", "fingerprint"})


def _check_archive(path: Path) -> None:
    """Refuse a file that is not an XLSX, or a zip bomb, before openpyxl opens it."""
    problem = archive_problem(path)
    if isinstance(problem, NotAZip):
        raise InvalidInput(f"{path} is not an XLSX workbook ({problem.error})", field="path")
    if isinstance(problem, TooCompressed):
        raise InvalidInput(
            f"{path}: {problem.part} is compressed {problem.size // max(problem.packed, 1)}:1; "
            "refusing to read a likely zip bomb",
            field="path",
        )
    if isinstance(problem, TooBig):
        raise InvalidInput(
            f"{path} unpacks to {problem.total} bytes; refusing to read it", field="path"
        )


def _open_workbook(path: Path) -> Any:
    from openpyxl import load_workbook

    _check_archive(path)
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InvalidInput(f"cannot read {path} as a workbook ({exc})", field="path") from None


@dataclass(frozen=True)
class ReturnHeading:
    """What identifies a return: read back from its Summary sheet."""

    funding_year: str
    as_at: date
    fingerprint: str
    version: str | None
    generated_at: datetime | None = None
    """When the return was made (UTC), if it says."""
    period: tuple[date, date] | None = None
    """The quarter (first and last day) a quarterly return speaks for."""
    source_fields: bool = False
    """Made with the lines' source fields: its Transactions header has columns after
    the sheet's own."""


class ReturnReader:
    """A return opened for checking: read-only and streaming, so a year of 100,000
    transactions is read in constant memory. Use it as a context manager.

    Raises:
        InvalidInput: not a workbook, or not an fsgrant return.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._wb = _open_workbook(self.path)
        try:
            self.heading = _heading_of(self._wb, self.path)
        except BaseException:
            self._wb.close()
            raise

    def compare(self, data: ReturnData) -> list[ReturnDifference]:
        """Compare every cell with a fresh layout of ``data`` (except the cells left
        to be filled in, the generated-at time and the fingerprint). A return made
        before later sheets were added (its sheets the first six or more of
        :data:`SHEET_NAMES`, in order) is compared on the sheets it has."""
        wb = self._wb
        n = len(self.sheets)
        if n < len(FIRST_SHEET_NAMES) or tuple(self.sheets) != SHEET_NAMES[:n]:
            return [
                ReturnDifference(
                    sheet="workbook",
                    what="sheets",
                    in_return=", ".join(wb.sheetnames),
                    in_store=", ".join(SHEET_NAMES),
                )
            ]
        out: list[ReturnDifference] = []
        for name in self.sheets:
            out.extend(
                _compare_sheet(name, sheet_rows(name, data), wb[name].iter_rows(values_only=True))
            )
        return out

    @property
    def sheets(self) -> tuple[str, ...]:
        """The workbook's sheets, in order. A return made before a sheet was added
        to the return lacks it; what it holds is compared, what it lacks is not."""
        return tuple(self._wb.sheetnames)

    def figures(self, headers: frozenset[tuple[str, ...]]) -> list[ReturnFigure]:
        """Every figure of the workbook read back, keyed by sheet, row label and
        column header (see :mod:`fsgrant.formats.dfe_return.figures`)."""
        return list(self.iter_figures(headers))

    def iter_figures(self, headers: frozenset[tuple[str, ...]]) -> Iterator[ReturnFigure]:
        """:meth:`figures` one at a time, streamed from the workbook."""
        from fsgrant.formats.dfe_return.figures import figures_from_values

        for name in SHEET_NAMES:
            if name in self._wb.sheetnames:
                rows = self._wb[name].iter_rows(values_only=True)
                yield from figures_from_values(name, rows, headers)

    def close(self) -> None:
        self._wb.close()

    def __enter__(self) -> ReturnReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_return_heading(path: str | Path) -> ReturnHeading:
    """Read the funding year, as-at date, fingerprint and version from a return.

    Raises:
        InvalidInput: not a workbook, or not an fsgrant return.
    """
    with ReturnReader(path) as reader:
        return reader.heading


def _heading_of(wb: Any, path: Path) -> ReturnHeading:
    if SUMMARY not in wb.sheetnames:
        raise InvalidInput(f"{path} is not an fsgrant return (no Summary sheet)", field="path")
    found: dict[str, Any] = {}
    # What made the file is on its About this file sheet (on the Summary of a return
    # made before that sheet existed).
    for name in (SUMMARY, ABOUT):
        if name not in wb.sheetnames:
            continue
        for row in wb[name].iter_rows(max_col=2, values_only=True):
            if len(row) >= 2 and isinstance(row[0], str) and row[1] is not None:
                found.setdefault(row[0], row[1])
    year, as_at, fingerprint = (
        found.get(LABEL_YEAR),
        found.get(LABEL_AS_AT),
        found.get(LABEL_FINGERPRINT),
    )
    if not isinstance(year, str) or not isinstance(as_at, datetime | date) or not fingerprint:
        raise InvalidInput(
            f"{path} is not an fsgrant return: it has no '{LABEL_YEAR}', "
            f"'{LABEL_AS_AT}' or '{LABEL_FINGERPRINT}'",
            field="path",
        )
    day = as_at.date() if isinstance(as_at, datetime) else as_at
    version = found.get(LABEL_VERSION)
    generated = found.get(LABEL_GENERATED)
    first, last = found.get(LABEL_PERIOD_FROM), found.get(LABEL_PERIOD_TO)
    period = None
    if isinstance(first, datetime) and isinstance(last, datetime):
        period = (first.date(), last.date())
    return ReturnHeading(
        year,
        day,
        str(fingerprint),
        None if version is None else str(version),
        generated if isinstance(generated, datetime) else None,
        period,
        _has_source_fields(wb),
    )


def _has_source_fields(wb: Any) -> bool:
    """True when the Transactions header row goes on past the sheet's own columns."""
    from fsgrant.formats.dfe_return.layout import TRANSACTION_HEADERS

    if TRANSACTIONS not in wb.sheetnames:
        return False
    width = len(TRANSACTION_HEADERS)
    for row in wb[TRANSACTIONS].iter_rows(max_row=10, values_only=True):
        if tuple(row[:width]) == TRANSACTION_HEADERS:
            return any(v not in (None, "") for v in row[width:])
    return False


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _shown(value: object) -> str:
    if value is None or value == "":
        return "nothing"
    if isinstance(value, Decimal):
        return format_money(value) if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return repr(value)


def _same(spec: Cell, found: object) -> bool:
    expected = spec.value
    if spec.kind in _NUMBER_KINDS:
        n = _number(found)
        return n is not None and isinstance(expected, Decimal | int) and n == expected
    if spec.kind in _DATE_KINDS:
        got = found.date() if isinstance(found, datetime) else found
        return isinstance(got, date) and got == expected
    if spec.kind == "datetime":
        return (
            isinstance(found, datetime)
            and isinstance(expected, datetime)
            and abs((found - expected).total_seconds()) < 1
        )
    text = "" if expected is None else safe_text(expected)
    return ("" if found is None else str(found)) == text


_MAX_PER_SHEET = 50


def _label_of(cells: tuple[Cell | None, ...], row_no: int) -> str:
    for c in cells:
        if c is not None and c.value not in (None, ""):
            v = c.value
            return v.isoformat() if isinstance(v, date) else str(v)
    return f"row {row_no}"


def _found_key(values: tuple[Any, ...]) -> tuple[date, int] | None:
    """(date, line id) of a transaction row read back, None for any other row."""
    if len(values) < 2 or not isinstance(values[1], datetime):
        return None
    n = _number(values[0])
    if n is None or n != n.to_integral_value():
        return None
    return (values[1].date(), int(n))


Aligned = tuple[int | None, Row | None, tuple[Any, ...] | None]


def _align(expected: Iterable[Row], found: Iterable[tuple[Any, ...]]) -> Iterator[Aligned]:
    """Pair the rows laid out afresh with the rows read back: by position, except
    transaction rows, which are merged on (date, line id) so that one line added
    or missing is reported once rather than shifting every row after it."""
    want_rows = iter(expected)
    got_rows = enumerate(found, start=1)
    want = next(want_rows, None)
    got = next(got_rows, None)
    while want is not None or got is not None:
        want_key = want.key if want is not None else None
        got_key = _found_key(got[1]) if got is not None else None
        if want is not None and want_key is not None and (got_key is None or want_key < got_key):
            yield None, want, None  # in the store, not in the return
            want = next(want_rows, None)
            continue
        if got is not None and got_key is not None and (want is None or want_key != got_key):
            yield got[0], None, got[1]  # in the return, not in the store
            got = next(got_rows, None)
            continue
        yield (got[0] if got else None), want, (got[1] if got else None)
        want = next(want_rows, None)
        got = next(got_rows, None)


def _describe_line(cells: tuple[Any, ...]) -> str:
    values = [c.value if isinstance(c, Cell) else c for c in cells]
    from fsgrant.formats.dfe_return.layout_ledger import AMOUNT_AT

    line, day = values[0], values[1]
    amount = values[AMOUNT_AT] if len(values) > AMOUNT_AT else None
    when = day.date() if isinstance(day, datetime) else day
    number = _number(amount) if not isinstance(amount, Decimal) else amount
    n = _number(line)
    ident = int(n) if n is not None else line
    return f"spend line {ident} dated {_shown(when)} for {_shown(number)}"


def _compare_sheet(
    name: str, expected: Iterable[Row], found: Iterable[tuple[Any, ...]]
) -> Iterator[ReturnDifference]:
    from openpyxl.utils import get_column_letter

    headers: tuple[Cell | None, ...] = ()
    shown = hidden = 0
    for row_no, want, got in _align(expected, found):
        problems: list[ReturnDifference] = []
        if want is None:
            values = tuple(got or ())
            if _found_key(values) is not None:
                problems.append(
                    ReturnDifference(
                        sheet=name,
                        cell=f"A{row_no}",
                        what=f"{_describe_line(values)} is in the return but not in the store",
                    )
                )
            elif any(_number(v) is not None for v in values):
                problems.append(
                    ReturnDifference(
                        sheet=name, cell=f"A{row_no}", what="a row the store does not give"
                    )
                )
        elif got is None and want.key is not None:
            problems.append(
                ReturnDifference(
                    sheet=name,
                    what=f"{_describe_line(want.cells)} is in the store but not in the return",
                )
            )
        else:
            want_cells = want.cells
            got_cells = tuple(got or ())
            if want.role == "header":
                headers = want_cells
            elif not want_cells:
                headers = ()
            label = _label_of(want_cells, row_no or 0)
            for col in range(max(len(want_cells), len(got_cells))):
                spec = want_cells[col] if col < len(want_cells) else None
                value = got_cells[col] if col < len(got_cells) else None
                cell = f"{get_column_letter(col + 1)}{row_no}" if row_no else None
                number = _number(value)
                if spec is None:
                    if number is not None:
                        problems.append(
                            ReturnDifference(
                                sheet=name,
                                cell=cell,
                                what=f"{label}: a figure the store does not give",
                                in_return=_shown(number),
                                in_store="nothing",
                            )
                        )
                    continue
                if spec.kind in _UNCHECKED_KINDS or _same(spec, value):
                    continue
                head = headers[col] if col < len(headers) else None
                problems.append(
                    ReturnDifference(
                        sheet=name,
                        cell=cell,
                        what=f"{label}, {head.value}" if head is not None and head.value else label,
                        in_return=_shown(number if number is not None else value),
                        in_store=_shown(spec.value),
                    )
                )
        for problem in problems:
            if shown >= _MAX_PER_SHEET:
                hidden += 1
                continue
            shown += 1
            yield problem
    if hidden:
        yield ReturnDifference(sheet=name, what=f"and {hidden} more difference(s) on this sheet")


def compare_return(path: str | Path, data: ReturnData) -> list[ReturnDifference]:
    """Compare every cell of the return at ``path`` with a fresh layout of ``data``;
    see :meth:`ReturnReader.compare`.

    Raises:
        InvalidInput: not a workbook, or not an fsgrant return.
    """
    with ReturnReader(path) as reader:
        return reader.compare(data)
