"""The DfE return's data and the pieces its layout is made of: pure, no openpyxl.

The workbook has ten sheets, in this order and with these names (a contract that
``fsgrant export verify`` and finance teams rely on): :data:`SHEET_NAMES`. Each sheet
is laid out as rows of :class:`Cell` specifications (see
:mod:`fsgrant.formats.dfe_return.layout`) built from a :class:`ReturnData`.

Text that came from users or imports is always written as text: never a formula,
never an error cell (see :func:`safe_text`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

from fsgrant.domain.conditions import ConditionState
from fsgrant.domain.models import FundingYearState, Grant, SpendLine, Variation
from fsgrant.domain.quarter import QuarterLine
from fsgrant.domain.record import RECORD_CONFIG
from fsgrant.domain.reports import (
    PostsReport,
    ProfileReport,
    VarianceReport,
    YearSummary,
)
from fsgrant.domain.restatements import Cause, HeadlineFigure
from fsgrant.domain.submissions import Restatement
from fsgrant.domain.sustainability import SustainabilityReport
from fsgrant.domain.transactions import TransactionLine

__all__ = [
    "CAUSE_COLUMNS",
    "COLUMN_WIDTHS",
    "ERROR_LITERALS",
    "FIRST_SHEET_NAMES",
    "HEADLINE_COLUMNS",
    "NUMBER_FORMATS",
    "POSTS_COLUMNS",
    "SHEET_NAMES",
    "TABLE_COLUMNS",
    "TRANSACTION_COLUMNS",
    "VARIANCE_COLUMNS",
    "Cell",
    "Column",
    "Fill",
    "Kind",
    "ReturnChanges",
    "ReturnData",
    "ReturnDifference",
    "ReturnQuarter",
    "Row",
    "RowRole",
    "column_at",
    "headers_of",
    "needs_quote_prefix",
    "safe_text",
    "uk_date",
]

SUMMARY = "Summary"
VARIANCE = "Spend vs estimate"
PROFILE = "Monthly profile"
POSTS = "Posts"
TRANSACTIONS = "Transactions"
VARIATIONS = "Variations"
CONDITIONS = "Conditions"
SUSTAINABILITY = "Sustainability"
CHANGES = "Changes since the last return"
ABOUT = "About this file"
SHEET_NAMES: tuple[str, ...] = (
    SUMMARY,
    VARIANCE,
    PROFILE,
    POSTS,
    TRANSACTIONS,
    VARIATIONS,
    CONDITIONS,
    SUSTAINABILITY,
    CHANGES,
    ABOUT,
)
"""The sheets of a return, in order."""
FIRST_SHEET_NAMES: tuple[str, ...] = SHEET_NAMES[:6]
"""The sheets of a return made before the Conditions sheet: a return holding only
these still verifies (the later sheets are not compared)."""

# Labels in column A that verify reads back: on the About this file sheet (on the
# Summary of a return made before that sheet existed).
LABEL_YEAR = "Funding year"
LABEL_AS_AT = "As at"
LABEL_FINGERPRINT = "Ledger fingerprint (SHA-256)"
LABEL_VERSION = "fsgrant version"
LABEL_GENERATED = "Generated at (UTC)"
LABEL_PERIOD_FROM = "Quarter from"
LABEL_PERIOD_TO = "Quarter to"

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
ERROR_LITERALS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})


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


@dataclass(frozen=True)
class ReturnQuarter:
    """The period a quarterly return speaks for (a quarter, or any span of the year)
    and the spend in it by category, allocated to the year."""

    label: str
    """``2019/20 Q3``, ``FY2019/20 Q4``, or ``01/02/2020 to 30/04/2020``."""
    start: date
    end: date
    spend: tuple[tuple[str, Decimal], ...]
    """(category, spend in the period), for each category of the year."""
    lines: tuple[QuarterLine, ...] = ()
    """Each category's spend and budget in the period and to date (see
    :mod:`fsgrant.domain.quarter`), in the order of ``spend``."""

    @property
    def total(self) -> Decimal:
        return sum((amount for _, amount in self.spend), Decimal("0.00"))


@dataclass(frozen=True)
class ReturnChanges:
    """The latest return of the same funding year submitted as at an earlier date,
    and each of its figures the ledger now gives differently (prior-period
    adjustments), with the records that moved it."""

    return_id: int
    as_at: date
    reference: str | None
    submitted_at: datetime
    """When (UTC)."""
    submitted_by: str
    restatements: tuple[Restatement, ...]
    """Every figure that moved (the cell-by-cell detail; not on the sheet)."""
    causes: tuple[Cause, ...] = ()
    """Each correction behind them once, in words (the sheet's rows)."""
    headline: tuple[HeadlineFigure, ...] = ()
    """The Summary values among them: as submitted, now, the change."""


@dataclass(frozen=True)
class ReturnData:
    """Everything one DfE return shows, for one funding year as at one date.

    ``transactions`` is consumed once, while the Transactions sheet is written, so it
    may be a stream from the store (of plain :class:`TransactionLine` tuples, or of
    :class:`SpendLine` records).
    """

    grant: Grant
    year: FundingYearState
    as_at: date
    summary: YearSummary
    variance: VarianceReport
    profile: ProfileReport
    posts: PostsReport
    transactions: Iterable[TransactionLine | SpendLine]
    variations: Sequence[Variation]
    years: Sequence[FundingYearState]
    fingerprint: str
    version: str
    generated_at: datetime
    conditions: Sequence[ConditionState] = ()
    """Every condition of every funding year as at the date, with its computed check."""
    sustainability: SustainabilityReport | None = None
    """The onward-sustainability plan as at the return's date."""
    quarter: ReturnQuarter | None = None
    """For a quarterly return: the quarter's spend (the as-at date is its end)."""
    changes: ReturnChanges | None = None
    """What moved since the last return of the year submitted as at an earlier date
    (None: no such return)."""
    category_names: Mapping[str, str] = field(default_factory=dict)
    """Each category's description (its name when it has none): what a person reads
    wherever a category is shown (the Transactions sheet keeps the names)."""
    source_fields: tuple[str, ...] = ()
    """Source headers of the year's imported lines (their union, in first-seen order):
    one more Transactions column each, holding each line's value as text. Empty: the
    Transactions sheet has only its own columns."""


class ReturnDifference(BaseModel):
    """A figure in a return that differs from what the store gives now (or a store
    that changed since the return was made)."""

    model_config = RECORD_CONFIG

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


# ---------------------------------------------------------------- columns
NUMBER_FORMATS: dict[str, str] = {
    "money": MONEY_FORMAT,
    "date": DATE_FORMAT,
    "month": MONTH_FORMAT,
    "datetime": DATETIME_FORMAT,
    "generated": DATETIME_FORMAT,
    "percent": PERCENT_FORMAT,
    "fte": FTE_FORMAT,
}
"""The number format of each kind of cell (other kinds: General)."""
NUMERIC_KINDS = frozenset({"money", "percent", "fte", "int"})


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table sheet, defined once: its header, the kind of value it
    holds (which decides its number format, its alignment and how verify compares
    it) and its least width (in Excel's units; the writer widens a column to its
    longest value)."""

    header: str
    kind: Kind
    width: float
    field: str = ""
    """For a streamed sheet: the attribute of each record the column shows."""

    @property
    def number_format(self) -> str:
        return NUMBER_FORMATS.get(self.kind, "General")

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


def _c(header: str, kind: Kind, width: float, field: str = "") -> Column:
    return Column(header, kind, width, field)


VARIANCE_COLUMNS: tuple[Column, ...] = (
    _c("Category", "text", 30),
    _c("Original estimate", "money", 16),
    _c("Revised estimate", "money", 16),
    _c("Actual to date", "money", 16),
    _c("Forecast remaining", "money", 16),
    _c("Forecast outturn", "money", 16),
    _c("Variance", "money", 15),
    _c("Variance %", "percent", 11),
    _c("RAG", "text", 9),
    _c("Forecast assumed", "text", 10),
    _c("Committed (orders not invoiced)", "money", 16),
    _c("Commentary (to complete)", "input", 48),
)
POSTS_COLUMNS: tuple[Column, ...] = (
    _c("Post", "text", 12),
    _c("Title", "text", 28),
    _c("Role", "text", 16),
    _c("Team", "text", 14),
    _c("Host", "text", 24),
    _c("Route", "text", 12),
    _c("FTE", "fte", 7),
    _c("Status", "text", 12),
    _c("Since", "date", 11),
    _c("Reason", "text", 40),
    _c("Expected start", "date", 13),
    _c("Annual cost at 1.0 FTE (not a bill)", "money", 16),
    _c("Funded annual cost (annual cost x FTE)", "money", 16),
    _c("Cost to date", "money", 14),
    _c("Forecast cost", "money", 14),
)
TRANSACTION_COLUMNS: tuple[Column, ...] = (
    _c("Line", "int", 9, "id"),
    _c("Date", "date", 12, "date"),
    _c("Financial year", "text", 12, "financial_year"),
    _c("Funding year", "text", 10, "funding_year"),
    _c("Category", "text", 20, "category"),
    _c("Post", "text", 10, "post"),
    _c("Supplier", "text", 34, "supplier"),
    _c("Description", "text", 46, "description"),
    _c("Reference", "text", 13, "reference"),
    # Streamed, so sized for the largest total a year can hold (-£999,999,999.99).
    _c("Amount", "money", 18, "amount"),
    _c("Reverses line", "int", 10, "reverses"),
    _c("Import batch", "int", 9, "import_batch"),
    _c("Source line", "int", 9, "source_line"),
)
"""The Transactions sheet's columns: the layout, the writer's fast path (each line's
``field``), the total row and verify read them."""
CAUSE_COLUMNS: tuple[Column, ...] = (
    _c("Correction since that return", "text", 88),
    _c("Amount", "money", 20),
    _c("Dated", "date", 16),
    _c("Recorded", "date", 16),
    _c("Figures moved", "int", 16),
)
HEADLINE_COLUMNS: tuple[Column, ...] = (
    _c("Headline figure (Summary)", "text", 88),
    _c("Submitted", "money", 20),
    _c("Now", "money", 16),
    _c("Change", "money", 16),
    _c("Corrections", "int", 16),
)
TABLE_COLUMNS: dict[str, tuple[tuple[Column, ...], ...]] = {
    VARIANCE: (VARIANCE_COLUMNS,),
    POSTS: (POSTS_COLUMNS,),
    TRANSACTIONS: (TRANSACTION_COLUMNS,),
    CHANGES: (CAUSE_COLUMNS, HEADLINE_COLUMNS),
}
"""The tables whose columns are defined here, by sheet (the first sets its widths)."""


def headers_of(columns: Sequence[Column]) -> tuple[str, ...]:
    """The headers of ``columns``, in order."""
    return tuple(c.header for c in columns)


def column_at(columns: Sequence[Column], header: str) -> int:
    """The index of the column headed ``header``."""
    return headers_of(columns).index(header)


def _widths(columns: Sequence[Column]) -> tuple[float, ...]:
    return tuple(c.width for c in columns)


# Least column widths of each sheet (in Excel's units, about one character each): the
# writer widens them to what they hold, and the layout sizes rows of wrapped text by
# them. Sheets with defined columns take their widths from them.
COLUMN_WIDTHS: dict[str, tuple[float, ...]] = {
    SUMMARY: (50, 20, 20, 20),
    VARIANCE: _widths(VARIANCE_COLUMNS),
    PROFILE: (12, 15, 15, 15, 16, 18, 18, 16),
    POSTS: _widths(POSTS_COLUMNS),
    TRANSACTIONS: _widths(TRANSACTION_COLUMNS),
    VARIATIONS: (10, 12, 9, 28, 11, 26, 50, 11, 11, 14, 10, 11, 20, 14),
    CONDITIONS: (14, 13, 48, 12, 12, 12, 30, 20, 11, 28),
    SUSTAINABILITY: (14, *(16,) * 13),
    CHANGES: _widths(CAUSE_COLUMNS),
    ABOUT: (30, 90),
}


def category_name(data: ReturnData, category: str) -> str:
    """How a person reads a category: its description, else its name."""
    return data.category_names.get(category) or category


def uk_date(day: date) -> str:
    """A date as the UK writes it: 31/03/2020."""
    return day.strftime("%d/%m/%Y")
