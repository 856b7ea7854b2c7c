"""The DfE return workbook: pure writers from report models to an XLSX file.

The workbook has six sheets, in this order and with these names (a contract that
``fsgrant export verify`` and finance teams rely on): :data:`SHEET_NAMES`.

Each sheet is laid out once, as rows of :class:`Cell` specifications built from the
report models (``*_rows`` functions, pure). :func:`write_return` renders those rows
with openpyxl in write-only mode, so memory stays flat however many transactions a
year has; :func:`compare_return` lays them out again from fresh figures and compares
them, cell by cell, with a workbook read back from disk.

Every figure is written as a value (never a formula), money as a number in a
``£#,##0.00`` format, dates as real dates, percentages as numbers. Text that came from
users or imports is always written as text: never a formula, never an error cell
(see :func:`safe_text`).

openpyxl is imported inside the functions that need it, never when fsgrant loads.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from fsgrant.domain.models import FundingYearState, Grant, SpendLine, Variation
from fsgrant.domain.money import ZERO, format_money
from fsgrant.domain.reports import (
    PostsReport,
    ProfileReport,
    VarianceLine,
    VarianceReport,
    YearSummary,
)
from fsgrant.errors import InvalidInput
from fsgrant.formats.archive import NotAZip, TooBig, TooCompressed, archive_problem

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

__all__ = [
    "SHEET_NAMES",
    "Cell",
    "ReturnData",
    "ReturnDifference",
    "ReturnHeading",
    "ReturnReader",
    "Row",
    "compare_return",
    "read_return_heading",
    "safe_text",
    "sheet_rows",
    "write_return",
]

SUMMARY = "Summary"
VARIANCE = "Spend vs estimate"
PROFILE = "Monthly profile"
POSTS = "Posts"
TRANSACTIONS = "Transactions"
VARIATIONS = "Variations"
SHEET_NAMES: tuple[str, ...] = (SUMMARY, VARIANCE, PROFILE, POSTS, TRANSACTIONS, VARIATIONS)
"""The sheets of a return, in order."""

# Labels in column A of the Summary that verify reads back.
LABEL_YEAR = "Funding year"
LABEL_AS_AT = "As at"
LABEL_FINGERPRINT = "Ledger fingerprint (SHA-256)"
LABEL_VERSION = "fsgrant version"
LABEL_GENERATED = "Generated at (UTC)"

MONEY_FORMAT = "£#,##0.00"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
MONTH_FORMAT = "mmm yyyy"
PERCENT_FORMAT = "0.0%"
FTE_FORMAT = "0.00"

# ---------------------------------------------------------------- text safety
# Characters XML 1.0 (and so a worksheet) cannot hold: openpyxl refuses them.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A cell starting with one of these could be read as a formula if edited in Excel.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_MAX_CELL_TEXT = 32767
# Text openpyxl would write as an error cell (its ERROR_CODES).
_ERROR_LITERALS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})


def safe_text(value: object) -> str:
    """Text as it will be stored in a cell: control characters a worksheet cannot
    hold (NUL and friends) removed, carriage returns as line feeds (XML reads them
    so anyway), cut to Excel's 32,767 characters."""
    text = _ILLEGAL.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return text[:_MAX_CELL_TEXT]


def needs_quote_prefix(text: str) -> bool:
    """True when Excel would take the text for a formula if the cell were edited."""
    return text.startswith(_FORMULA_START)


# ---------------------------------------------------------------- layout model
Kind = Literal[
    "title",
    "subtitle",
    "section",
    "header",
    "label",
    "text",
    "note",
    "money",
    "date",
    "datetime",
    "month",
    "percent",
    "fte",
    "int",
    "input",
    "generated",
    "fingerprint",
]
Fill = Literal["green", "amber", "red", "blocked"]

_NUMBER_KINDS = frozenset({"money", "percent", "fte", "int"})
_DATE_KINDS = frozenset({"date", "month"})
_UNCHECKED_KINDS = frozenset({"input", "generated", "fingerprint"})


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a sheet as laid out: a value, what kind of value it is (which
    decides its format and how verify compares it), and emphasis."""

    value: str | Decimal | int | date | datetime | None
    kind: Kind = "text"
    bold: bool = False
    fill: Fill | None = None
    total: bool = False
    """Part of a totals row: bold with a rule above."""
    align: Literal["left", "center", "right"] | None = None
    wrap: bool = False
    top: bool = False
    """Aligned to the top of a tall row."""


RowRole = Literal["title", "header", "body", "total", "other"]


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a sheet; ``role`` marks table headers and bodies (for filters)."""

    cells: tuple[Cell | None, ...] = ()
    role: RowRole = "other"
    height: float | None = None
    """Row height in points, for rows of wrapped text (None: the default)."""
    merge: tuple[int, int] | None = None
    """Columns (1-based, inclusive) to merge into one cell on this row."""
    key: tuple[date, int] | None = None
    """For a transaction: (date, line id), the order of the sheet; lets verify
    name a line added or missing rather than every row after it."""


_BLANK = Row()


@dataclass(frozen=True)
class ReturnData:
    """Everything one DfE return shows, for one funding year as at one date.

    ``transactions`` is consumed once, while the Transactions sheet is written, so it
    may be a stream from the store.
    """

    grant: Grant
    year: FundingYearState
    as_at: date
    summary: YearSummary
    variance: VarianceReport
    profile: ProfileReport
    posts: PostsReport
    transactions: Iterable[SpendLine]
    variations: Sequence[Variation]
    years: Sequence[FundingYearState]
    fingerprint: str
    version: str
    generated_at: datetime


class ReturnDifference(BaseModel):
    """A figure in a return that differs from what the store gives now (or a store
    that changed since the return was made)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sheet: str
    cell: str | None = None
    what: str
    in_return: str | None = None
    in_store: str | None = None

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        if self.in_return is None and self.in_store is None:
            return f"{where}: {self.what}"
        return f"{where} ({self.what}): the return has {self.in_return}, the store gives {self.in_store}"


# ---------------------------------------------------------------- row helpers
def _t(value: object, kind: Kind = "text", **kw: Any) -> Cell | None:
    if value is None:
        return None
    return Cell(str(value), kind, **kw)


def _m(value: Decimal | None, **kw: Any) -> Cell | None:
    return None if value is None else Cell(value, "money", **kw)


def _d(value: date | None, **kw: Any) -> Cell | None:
    return None if value is None else Cell(value, "date", **kw)


def _title(text: str, subtitle: str) -> Iterator[Row]:
    yield Row((Cell(text, "title"),), "title", height=21)
    yield Row((Cell(subtitle, "subtitle"),))
    yield _BLANK


_NUMERIC_HEADERS = frozenset(
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
    }
)


def _header(names: Iterable[str]) -> Row:
    """A table's header row: numeric columns' headings aligned with their figures."""
    return Row(
        tuple(Cell(n, "header", align="right" if n in _NUMERIC_HEADERS else None) for n in names),
        "header",
        height=30,
    )


def _lines_height(text: str | None, width: float) -> float | None:
    """Height for a row whose wrapped text needs more than one line (approximate:
    about one character per unit of column width)."""
    if not text:
        return None
    lines = -(-len(text) // max(int(width) - 2, 1))
    return None if lines <= 1 else 15.0 * min(lines, 8)


def _uk(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _heading(data: ReturnData) -> str:
    return f"{data.grant.name}: funding year {data.year.label}, as at {_uk(data.as_at)}"


def _pct(value: Decimal | None, *, total: bool = False) -> Cell | None:
    # Reports give percentages as 12.5 (meaning 12.5%); Excel wants 0.125.
    return None if value is None else Cell(value / 100, "percent", total=total)


def _yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


# ---------------------------------------------------------------- Summary
def summary_rows(data: ReturnData) -> Iterator[Row]:
    """The Summary sheet: column A labels, column B values, one per row."""
    g, y, s = data.grant, data.year, data.summary
    yield Row((Cell(f"DfE grant return: {g.name}", "title"),), "title", height=21)
    yield Row(
        (Cell(f"{g.recipient}: funding year {y.label}, as at {_uk(data.as_at)}", "subtitle"),)
    )
    yield Row(
        (
            Cell(
                "Every figure is a value computed by fsgrant from its ledger (no formulas); "
                "money in pounds. Check it against the ledger with 'fsgrant export verify'.",
                "note",
            ),
        )
    )
    yield _BLANK

    def pair(label: str, value: Cell | None, extra: Cell | None = None) -> Row:
        return Row((Cell(label, "label"), value, extra) if extra else (Cell(label, "label"), value))

    yield Row((Cell("The grant", "section"),))
    yield pair("Grant", _t(g.name))
    yield pair("Funder", _t(g.funder))
    yield pair("Funder org id", _t(g.funder_org_id or "not recorded"))
    yield pair("Recipient", _t(g.recipient))
    yield pair("Recipient org id", _t(g.recipient_org_id or "not recorded"))
    yield _BLANK
    yield Row((Cell("The funding year", "section"),))
    yield pair(LABEL_YEAR, _t(y.label))
    yield pair("Status", _t(y.status))
    # The year's own status decides (the summary's flag defaults to secure).
    secure = y.secure and s.secure
    yield pair(
        "Money secure",
        _t("Yes" if secure else f"No: the award is {y.status}"),
    )
    yield pair("Period start (as varied)", _d(y.start))
    yield pair("Period end (as varied)", _d(y.end))
    yield pair("Original period start", _d(y.original_start))
    yield pair("Original period end", _d(y.original_end))
    varied = sum(1 for v in data.variations if v.agreed_on <= data.as_at)
    yield pair(
        "Varied",
        _t(f"Yes: {varied} variation(s), see Variations" if varied else "No"),
    )
    yield pair(LABEL_AS_AT, _d(data.as_at))
    yield _BLANK
    yield Row((Cell("Figures (£)", "section"),))
    yield pair("Award (as varied)", _m(s.award))
    yield pair("Original award", _m(y.original_award))
    yield pair("Received from funder", _m(s.received))
    yield pair("Original estimate", _m(s.estimate_original))
    yield pair("Actual spend to date", _m(s.actual))
    yield pair("Award less actual", _m(s.remaining))
    yield pair("Forecast remaining", _m(s.forecast_remaining))
    yield pair("Forecast outturn", _m(s.forecast_outturn))
    yield pair(
        "Underspend at risk",
        _m(s.underspend_at_risk, fill="amber" if s.underspend_at_risk > 0 else None, bold=True),
        _t("DfE may reclaim funds not used") if s.underspend_at_risk > 0 else None,
    )
    yield pair(
        "Overspend",
        _m(s.overspend, fill="red" if s.overspend > 0 else None, bold=True),
        _t("A pressure on the council's budget") if s.overspend > 0 else None,
    )
    yield _BLANK
    yield Row((Cell("Conditions", "section"),))
    if y.conditions:
        yield _header(
            ("Condition of this funding year", "Met or evidenced? (to complete)", "Evidence")
        )
        for condition in y.conditions:
            text = safe_text(condition)
            yield Row(
                (Cell(text, "label", wrap=True), Cell(None, "input"), Cell(None, "input")),
                height=_lines_height(text, _WIDTHS[SUMMARY][0]),
            )
    else:
        yield pair("Condition", _t("None attached to this funding year"))
    yield _BLANK
    yield Row((Cell("Sign-off", "section"),))
    for label in (
        "Prepared by",
        "Date prepared",
        "Section 151 officer",
        "Signature",
        "Date signed",
    ):
        # A box over columns B and C, tall enough to sign in.
        yield Row(
            (Cell(label, "label"), Cell(None, "input"), Cell(None, "input")),
            height=24,
            merge=(2, 3),
        )
    yield _BLANK
    yield Row((Cell("About this return", "section"),))
    yield pair(LABEL_GENERATED, Cell(data.generated_at.replace(microsecond=0), "generated"))
    yield pair(LABEL_VERSION, _t(data.version))
    yield pair(LABEL_FINGERPRINT, Cell(data.fingerprint, "fingerprint"))
    yield pair(
        "How to check it",
        _t("fsgrant export verify THIS-FILE (with the ledger's store) re-computes every figure"),
    )


# ---------------------------------------------------------------- Spend vs estimate
VARIANCE_HEADERS = (
    "Category",
    "Original estimate",
    "Revised estimate",
    "Actual to date",
    "Forecast remaining",
    "Forecast outturn",
    "Variance",
    "Variance %",
    "RAG",
    "Forecast assumed",
    "Commentary (to complete)",
)


def variance_rows(data: ReturnData) -> Iterator[Row]:
    """The Spend vs estimate sheet: the variance report's lines and totals."""
    r = data.variance
    against = "original" if r.against == "original" else "revised"
    yield from _title(
        f"Spend vs estimate: {_heading(data)}",
        f"Variance = forecast outturn less the {against} estimate (positive: overspend). "
        "RAG: green on track, amber watch, red act.",
    )
    yield _header(VARIANCE_HEADERS)

    def line(v: VarianceLine, *, total: bool) -> Row:
        rag = v.rag
        return Row(
            (
                Cell("Total" if total else v.category, "text", bold=total, total=total),
                Cell(v.estimate_original, "money", total=total),
                Cell(v.estimate_revised, "money", total=total),
                Cell(v.actual, "money", total=total),
                Cell(v.forecast_remaining, "money", total=total),
                Cell(v.outturn, "money", total=total),
                Cell(v.variance, "money", total=total),
                _pct(v.variance_pct, total=total),
                None if rag is None else Cell(rag.capitalize(), "text", bold=True, fill=rag),
                Cell(_yes_no(v.forecast_assumed), "text", total=total),
                None if total else Cell(None, "input"),
            ),
            "total" if total else "body",
        )

    for v in r.lines:
        yield line(v, total=False)
    yield line(r.totals, total=True)
    yield _BLANK
    yield Row((Cell("Award (as varied)", "label"), Cell(r.award, "money")))
    yield Row(
        (
            Cell("Underspend at risk", "label"),
            Cell(r.underspend_at_risk, "money", fill="amber" if r.underspend_at_risk else None),
        )
    )
    yield Row(
        (
            Cell("Overspend", "label"),
            Cell(r.overspend, "money", fill="red" if r.overspend else None),
        )
    )


# ---------------------------------------------------------------- Monthly profile
PROFILE_HEADERS = (
    "Month",
    "Estimate",
    "Actual",
    "Forecast",
    "Actual + forecast",
    "Cumulative actual + forecast",
    "Cumulative estimate",
    "Award",
)
PROFILE_HEADER_ROW = 4


def _month_day(month: str) -> date:
    year, mon = month.split("-")
    return date(int(year), int(mon), 1)


def profile_rows(data: ReturnData) -> Iterator[Row]:
    """The Monthly profile sheet: each month of the funding period."""
    r = data.profile
    yield from _title(
        f"Monthly profile: {_heading(data)}",
        "Actual to the as-at date, forecast after it; cumulative actual + forecast "
        "against cumulative estimate and the award (chart on the right).",
    )
    yield _header(PROFILE_HEADERS)
    for m in r.months:
        yield Row(
            (
                Cell(_month_day(m.month), "month"),
                Cell(m.estimate, "money"),
                Cell(m.actual, "money"),
                Cell(m.forecast, "money"),
                Cell(m.actual + m.forecast, "money"),
                Cell(m.cumulative, "money"),
                Cell(m.cumulative_estimate, "money"),
                Cell(r.award, "money"),
            ),
            "body",
        )
    t = r.totals
    yield Row(
        (
            Cell("Total", "text", bold=True, total=True),
            Cell(t.estimate, "money", total=True),
            Cell(t.actual, "money", total=True),
            Cell(t.forecast, "money", total=True),
            Cell(t.actual + t.forecast, "money", total=True),
        ),
        "total",
    )


# ---------------------------------------------------------------- Posts
POSTS_HEADERS = (
    "Post",
    "Title",
    "Role",
    "Team",
    "Host",
    "Route",
    "FTE",
    "Status",
    "Since",
    "Reason",
    "Expected start",
    "Annual cost",
    "Cost to date",
    "Forecast cost",
)


def posts_rows(data: ReturnData) -> Iterator[Row]:
    """The Posts sheet: each post as at the date; blocked posts stand out."""
    r = data.posts
    yield from _title(
        f"Posts: {_heading(data)}",
        "Status as at the as-at date. Blocked posts are shaded red: they turn into "
        "forecast underspend until they are filled.",
    )
    yield _header(POSTS_HEADERS)
    for p in r.posts:
        fill: Fill | None = "blocked" if p.status == "blocked" else None
        yield Row(
            (
                Cell(p.id, "text", fill=fill),
                Cell(p.title, "text", fill=fill),
                Cell(p.role, "text", fill=fill),
                Cell(p.team or "", "text", fill=fill),
                Cell(p.host, "text", fill=fill),
                Cell(p.route, "text", fill=fill),
                Cell(p.fte, "fte", fill=fill),
                Cell(p.status.upper() if fill else p.status, "text", fill=fill, bold=bool(fill)),
                Cell(p.status_since, "date", fill=fill) if p.status_since else Cell("", fill=fill),
                Cell(p.reason or "", "text", fill=fill),
                Cell(p.expected_start, "date", fill=fill)
                if p.expected_start
                else Cell("", fill=fill),
                Cell(p.annual_cost, "money", fill=fill),
                Cell(p.cost_to_date, "money", fill=fill),
                Cell(p.forecast_cost, "money", fill=fill),
            ),
            "body",
        )
    yield Row(
        (
            Cell("Total", "text", bold=True, total=True),
            *(Cell("", total=True) for _ in range(5)),
            Cell(sum((p.fte for p in r.posts), Decimal("0")), "fte", total=True),
            *(Cell("", total=True) for _ in range(4)),
            Cell(sum((p.annual_cost for p in r.posts), ZERO), "money", total=True),
            Cell(sum((p.cost_to_date for p in r.posts), ZERO), "money", total=True),
            Cell(sum((p.forecast_cost for p in r.posts), ZERO), "money", total=True),
        ),
        "total",
    )
    yield _BLANK
    yield Row((Cell("FTE planned", "label"), Cell(r.fte_planned, "fte")))
    yield Row((Cell("FTE in post", "label"), Cell(r.fte_in_post, "fte")))
    if r.by_status:
        yield _BLANK
        yield _header(("Status", "Posts", "FTE"))
        for status in sorted(r.by_status):
            c = r.by_status[status]
            yield Row(
                (
                    Cell(status, "text", fill="blocked" if status == "blocked" else None),
                    Cell(c.posts, "int"),
                    Cell(c.fte, "fte"),
                )
            )
    if r.blocked:
        yield _BLANK
        yield _header(("Blocked post", "Since", "Days blocked", "Reason", "Expected start"))
        for b in r.blocked:
            yield Row(
                (
                    Cell(b.id, "text", fill="blocked", bold=True),
                    Cell(b.since, "date"),
                    Cell(b.days_blocked, "int"),
                    _t(b.reason),
                    _d(b.expected_start),
                )
            )


# ---------------------------------------------------------------- Transactions
TRANSACTION_HEADERS = (
    "Line",
    "Date",
    "Financial year",
    "Funding year",
    "Category",
    "Post",
    "Supplier",
    "Description",
    "Reference",
    "Amount",
    "Reverses line",
    "Import batch",
    "Source line",
)


def transaction_rows(data: ReturnData) -> Iterator[Row]:
    """The Transactions sheet: every spend line in the year up to the as-at date,
    streamed, then the total."""
    yield from _title(
        f"Transactions: {_heading(data)}",
        "Every spend line charged to this funding year, dated on or before the as-at "
        "date, with where it came from. Credits and reversals are negative.",
    )
    yield _header(TRANSACTION_HEADERS)
    total = 0
    count = 0
    for s in data.transactions:
        total += int(s.amount * 100)
        count += 1
        yield Row(
            (
                Cell(s.id, "int"),
                Cell(s.date, "date", align="center"),
                Cell(s.financial_year),
                Cell(s.funding_year or ""),
                Cell(s.category),
                _t(s.post),
                _t(s.supplier),
                _t(s.description),
                _t(s.reference),
                Cell(s.amount, "money"),
                None if s.reverses is None else Cell(s.reverses, "int"),
                None if s.import_batch is None else Cell(s.import_batch, "int"),
                None if s.source_line is None else Cell(s.source_line, "int"),
            ),
            "body",
            key=(s.date, s.id),
        )
    yield Row(
        (
            Cell(f"Total ({count} lines)", "text", bold=True, total=True),
            *(Cell("", total=True) for _ in range(8)),
            Cell(Decimal(total) / 100, "money", total=True),
        ),
        "total",
    )


# ---------------------------------------------------------------- Variations
VARIATION_HEADERS = (
    "Variation",
    "Funding year",
    "Kind",
    "Change",
    "Agreed on",
    "Reference",
    "Reason",
    "New start",
    "New end",
    "Amount",
    "To year",
    "New status",
    "Recorded (UTC)",
    "Recorded by",
)


def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        from datetime import UTC

        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def variation_rows(data: ReturnData) -> Iterator[Row]:
    """The Variations sheet: the year's agreed variations, then every condition."""
    yield from _title(
        f"Variations and conditions: {_heading(data)}",
        "Variations to this funding year agreed on or before the as-at date (the "
        "figures apply them), then the conditions attached to each funding year.",
    )
    yield _header(VARIATION_HEADERS)
    for v in data.variations:
        if v.agreed_on > data.as_at:
            continue
        cells = (
            Cell(v.id, "int"),
            Cell(v.funding_year),
            Cell(v.kind),
            _t(v.describe()),
            Cell(v.agreed_on, "date"),
            _t(v.reference),
            Cell(safe_text(v.reason), wrap=True),
            _d(v.new_start),
            _d(v.new_end),
            _m(v.amount),
            _t(v.to_year),
            _t(v.new_status),
            Cell(_naive_utc(v.recorded_at), "datetime"),
            _t(v.recorded_by),
        )
        yield Row(
            tuple(None if c is None else replace(c, top=True) for c in cells),
            "body",
            height=_lines_height(v.reason, _WIDTHS[VARIATIONS][6]),
        )
    yield _BLANK
    yield Row((Cell("Conditions", "section"),))
    # The condition's text runs on over the empty columns to its right.
    yield _header(("Funding year", "Status", "Condition", "", "", "", ""))
    any_condition = False
    for y in data.years:
        for condition in y.conditions:
            any_condition = True
            yield Row((Cell(y.label), Cell(y.status), _t(condition)))
    if not any_condition:
        yield Row((Cell("None recorded", "note"),))


SheetRows = Callable[[ReturnData], Iterator[Row]]

_ROWS: dict[str, SheetRows] = {
    SUMMARY: summary_rows,
    VARIANCE: variance_rows,
    PROFILE: profile_rows,
    POSTS: posts_rows,
    TRANSACTIONS: transaction_rows,
    VARIATIONS: variation_rows,
}


def sheet_rows(sheet: str, data: ReturnData) -> Iterator[Row]:
    """The rows of one sheet of the return, as laid out (pure)."""
    return _ROWS[sheet](data)


# ---------------------------------------------------------------- presentation
_WIDTHS: dict[str, tuple[float, ...]] = {
    SUMMARY: (40, 24, 34, 34),
    VARIANCE: (24, 16, 16, 16, 16, 16, 15, 11, 9, 10, 48),
    PROFILE: (12, 15, 15, 15, 16, 18, 18, 16),
    POSTS: (12, 28, 16, 14, 24, 12, 7, 12, 11, 40, 13, 14, 14, 14),
    TRANSACTIONS: (8, 12, 12, 10, 20, 10, 34, 46, 13, 14, 10, 9, 9),
    VARIATIONS: (10, 12, 9, 28, 11, 26, 50, 11, 11, 14, 10, 11, 20, 14),
}
# Rows above the first table row: title, subtitle, note, header = 4 on table sheets.
_FREEZE: dict[str, str | None] = {
    SUMMARY: None,
    VARIANCE: "B5",
    PROFILE: "B5",
    POSTS: "B5",
    TRANSACTIONS: "A5",
    VARIATIONS: "A5",
}
_PRINT_TITLES: dict[str, str | None] = {
    SUMMARY: None,
    VARIANCE: "4:4",
    PROFILE: "4:4",
    POSTS: "4:4",
    TRANSACTIONS: "4:4",
    VARIATIONS: "4:4",
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
        self.formats: dict[str, str] = {
            "money": MONEY_FORMAT,
            "date": DATE_FORMAT,
            "month": MONTH_FORMAT,
            "datetime": DATETIME_FORMAT,
            "generated": DATETIME_FORMAT,
            "percent": PERCENT_FORMAT,
            "fte": FTE_FORMAT,
        }
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
                if not text or not (needs_quote_prefix(text) or text in _ERROR_LITERALS):
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
            self._cache[key] = c._style
        else:
            c._style = copy(style)
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


def _set_up_sheet(ws: WriteOnlyWorksheet, name: str, data: ReturnData) -> None:
    """Widths, frozen panes and print set-up: before the first row is written
    (write-only sheets write these ahead of the rows)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    for i, width in enumerate(_WIDTHS[name], start=1):
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
    ws.oddHeader.right.text = _escape_hf(f"As at {_uk(data.as_at)}")
    ws.oddFooter.left.text = _escape_hf(
        f"fsgrant {data.version}; ledger {data.fingerprint[:12]}; generated "
        f"{data.generated_at:%d/%m/%Y %H:%M} UTC"
    )
    ws.oddFooter.right.text = "Page &P of &N"
    for part in (ws.oddHeader.left, ws.oddHeader.center, ws.oddHeader.right, ws.oddFooter.left):
        part.size = 8
    ws.oddFooter.right.size = 8


def _write_sheet(wb: Workbook, styles: _Styles, name: str, data: ReturnData) -> None:
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    _set_up_sheet(ws, name, data)
    first_header: int | None = None
    last_body: int | None = None
    width = 1
    widest = last_row = 0
    months: list[int] = []
    for row_no, row in enumerate(sheet_rows(name, data), start=1):
        if row.height is not None:
            ws.row_dimensions[row_no].height = row.height
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
        if name == PROFILE and row.role == "body":
            months.append(row_no)
        widest = max(widest, len(row.cells))
        last_row = row_no
    if first_header is not None:
        end = last_body or first_header
        ws.auto_filter.ref = f"A{first_header}:{get_column_letter(width)}{end}"
    if name == PROFILE and months:
        _add_profile_chart(ws, months[0], months[-1], data)
    ws.close()
    _insert_dimension(ws, f"A1:{get_column_letter(max(widest, 1))}{max(last_row, 1)}")


def _insert_dimension(ws: WriteOnlyWorksheet, ref: str) -> None:
    """Add the sheet's used range to its XML once the rows are written.

    A write-only sheet is streamed before its size is known, so openpyxl writes no
    ``<dimension>``; readers in read-only mode (openpyxl's, and so pandas') then
    parse the whole sheet once just to size it. The sheet is still a temporary file
    here: copy it with the element put in its place, after ``<sheetPr>``.
    """
    import shutil

    path = Path(ws._writer.out)
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


def _add_profile_chart(ws: WriteOnlyWorksheet, first: int, last: int, data: ReturnData) -> None:
    from openpyxl.chart import LineChart, Reference

    chart = LineChart()
    chart.title = f"Cumulative spend against estimate and award, {data.year.label}"
    chart.y_axis.title = "£"
    chart.y_axis.number_format = "£#,##0"
    chart.x_axis.number_format = "mmm yy"
    chart.x_axis.title = "Month"
    # openpyxl 3.1 marks axes deleted unless told otherwise: Excel then hides them.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.height = 9
    chart.width = 22
    header = PROFILE_HEADER_ROW
    for col in (6, 7, 8):  # cumulative actual + forecast, cumulative estimate, award
        ref = Reference(ws, min_col=col, min_row=header, max_row=last)
        chart.add_data(ref, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.legend.position = "b"
    ws.add_chart(chart, f"J{header}")


def write_return(data: ReturnData, path: str | Path) -> Path:
    """Write the DfE return workbook for ``data`` to ``path`` (replacing any file
    there: callers wanting safety use :meth:`fsgrant.Ledger.export_return`).

    The workbook's created and modified properties are the as-at date, so the same
    figures give the same document properties every time.
    """
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    target = Path(path)
    wb = Workbook(write_only=True)
    styles = _Styles()
    try:
        for name in SHEET_NAMES:
            _write_sheet(wb, styles, name, data)
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
        writer = ws._writer
        try:
            if not ws.closed:
                ws.close()
        except Exception:  # already broken: what matters is the clean-up
            pass
        if writer is not None:
            writer.cleanup()


# ---------------------------------------------------------------- reading back
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
        to be filled in, the generated-at time and the fingerprint)."""
        wb = self._wb
        if tuple(wb.sheetnames) != SHEET_NAMES:
            return [
                ReturnDifference(
                    sheet="workbook",
                    what="sheets",
                    in_return=", ".join(wb.sheetnames),
                    in_store=", ".join(SHEET_NAMES),
                )
            ]
        out: list[ReturnDifference] = []
        for name in SHEET_NAMES:
            out.extend(
                _compare_sheet(name, sheet_rows(name, data), wb[name].iter_rows(values_only=True))
            )
        return out

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
    for row in wb[SUMMARY].iter_rows(max_col=2, values_only=True):
        if len(row) >= 2 and isinstance(row[0], str) and row[1] is not None:
            found.setdefault(row[0], row[1])
    year, as_at, fingerprint = (
        found.get(LABEL_YEAR),
        found.get(LABEL_AS_AT),
        found.get(LABEL_FINGERPRINT),
    )
    if not isinstance(year, str) or not isinstance(as_at, datetime | date) or not fingerprint:
        raise InvalidInput(
            f"{path} is not an fsgrant return: its Summary has no '{LABEL_YEAR}', "
            f"'{LABEL_AS_AT}' or '{LABEL_FINGERPRINT}'",
            field="path",
        )
    day = as_at.date() if isinstance(as_at, datetime) else as_at
    version = found.get(LABEL_VERSION)
    return ReturnHeading(year, day, str(fingerprint), None if version is None else str(version))


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
    line, day, amount = values[0], values[1], values[9] if len(values) > 9 else None
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
