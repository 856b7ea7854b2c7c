"""The DfE return laid out, continued: the Posts, Transactions and Variations sheets,
one record of the ledger a row (pure, no openpyxl). See
:mod:`fsgrant.formats.dfe_return.layout`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from fsgrant.domain.money import ZERO, round_half_up
from fsgrant.domain.transactions import transaction_line
from fsgrant.formats.dfe_return.cells import (
    BLANK,
    date_cell,
    header_row,
    header_row_of,
    heading,
    lines_height,
    money_cell,
    text_cell,
    title_rows,
)
from fsgrant.formats.dfe_return.model import (
    COLUMN_WIDTHS,
    POSTS,
    POSTS_COLUMNS,
    TRANSACTION_COLUMNS,
    VARIATIONS,
    Cell,
    Column,
    Fill,
    ReturnData,
    Row,
    column_at,
    headers_of,
    safe_text,
)

__all__ = [
    "AMOUNT_AT",
    "POSTS_HEADERS",
    "TRANSACTION_HEADERS",
    "VARIATION_HEADERS",
    "posts_rows",
    "transaction_head_rows",
    "transaction_rows",
    "transaction_total_row",
    "variation_rows",
]


# ---------------------------------------------------------------- Posts
POSTS_HEADERS = headers_of(POSTS_COLUMNS)


def funded_cost(annual_cost: Decimal, fte: Decimal) -> Decimal:
    """What a post costs the grant in a year: its annual cost at 1.0 FTE times its
    FTE, rounded half-up to the penny (the column's total is the sum of these)."""
    return round_half_up(annual_cost * fte)


def posts_rows(data: ReturnData) -> Iterator[Row]:
    """The Posts sheet: each post as at the date; blocked posts stand out."""
    r = data.posts
    yield from title_rows(
        f"Posts: {heading(data)}",
        "Status as at the as-at date. Blocked posts are shaded red: they turn into "
        "forecast underspend until they are filled.",
    )
    yield header_row_of(POSTS_COLUMNS)
    widths = COLUMN_WIDTHS[POSTS]
    funded = [funded_cost(p.annual_cost, p.fte) for p in r.posts]
    for p, funded_annual in zip(r.posts, funded, strict=True):
        fill: Fill | None = "blocked" if p.status == "blocked" else None
        # Long titles, hosts and reasons wrap within their columns, so a printed page
        # shows them whole; the row is as tall as its longest text needs.
        wrapped = ((1, p.title), (2, p.role), (3, p.team), (4, p.host), (9, p.reason))
        height = max(
            (lines_height(t, widths[i]) or 0.0 for i, t in wrapped),
            default=0.0,
        )
        yield Row(
            (
                Cell(p.id, "text", fill=fill, top=True),
                Cell(p.title, "text", fill=fill, wrap=True, top=True),
                Cell(p.role, "text", fill=fill, wrap=True, top=True),
                Cell(p.team or "", "text", fill=fill, wrap=True, top=True),
                Cell(p.host, "text", fill=fill, wrap=True, top=True),
                Cell(p.route, "text", fill=fill, top=True),
                Cell(p.fte, "fte", fill=fill, top=True),
                Cell(p.status, "text", fill=fill, bold=bool(fill), top=True),
                Cell(p.status_since, "date", fill=fill, top=True)
                if p.status_since
                else Cell("", fill=fill),
                Cell(p.reason or "", "text", fill=fill, wrap=True, top=True),
                Cell(p.expected_start, "date", fill=fill, top=True)
                if p.expected_start
                else Cell("", fill=fill),
                Cell(p.annual_cost, "money", fill=fill, top=True),
                Cell(funded_annual, "money", fill=fill, top=True),
                Cell(p.cost_to_date, "money", fill=fill, top=True),
                Cell(p.forecast_cost, "money", fill=fill, top=True),
            ),
            "body",
            height=height or None,
        )
    yield Row(
        (
            Cell("Total", "text", bold=True, total=True),
            *(Cell("", total=True) for _ in range(5)),
            Cell(sum((p.fte for p in r.posts), Decimal("0")), "fte", total=True),
            *(Cell("", total=True) for _ in range(4)),
            # Costs at 1.0 FTE are not added up: their sum is no one's bill.
            Cell("", total=True),
            Cell(sum(funded, ZERO), "money", total=True),
            Cell(r.cost_to_date, "money", total=True),
            Cell(r.forecast_cost, "money", total=True),
        ),
        "total",
    )
    yield BLANK
    yield Row((Cell("FTE planned", "label"), Cell(r.fte_planned, "fte")))
    yield Row((Cell("FTE in post", "label"), Cell(r.fte_in_post, "fte")))
    if r.by_status:
        yield BLANK
        yield header_row(("Status", "Posts", "FTE"))
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
        yield BLANK
        yield header_row(("Blocked post", "Since", "Days blocked", "Reason", "Expected start"))
        for b in r.blocked:
            yield Row(
                (
                    Cell(b.id, "text", fill="blocked", bold=True),
                    Cell(b.since, "date"),
                    Cell(b.days_blocked, "int"),
                    text_cell(b.reason),
                    date_cell(b.expected_start),
                )
            )


# ---------------------------------------------------------------- Transactions
TRANSACTION_HEADERS = headers_of(TRANSACTION_COLUMNS)
AMOUNT_AT = column_at(TRANSACTION_COLUMNS, "Amount")


def transaction_head_rows(data: ReturnData) -> Iterator[Row]:
    """The Transactions sheet above its lines: title, subtitle, a blank row, header."""
    yield from title_rows(
        f"Transactions: {heading(data)}",
        "Every spend line charged to this funding year, dated on or before the as-at "
        "date, with where it came from. Credits and reversals are negative.",
    )
    yield header_row_of(TRANSACTION_COLUMNS, data.source_fields)


def transaction_total_row(count: int, pence: int) -> Row:
    """The Transactions sheet's last row: the number of lines and their total."""
    return Row(
        (
            Cell(f"Total ({count} lines)", "text", bold=True, total=True),
            *(Cell("", total=True) for _ in range(AMOUNT_AT - 1)),
            Cell(Decimal(pence) / 100, TRANSACTION_COLUMNS[AMOUNT_AT].kind, total=True),
        ),
        "total",
    )


def _line_cell(column: Column, value: object) -> Cell | None:
    """A line's value in ``column``, as its kind shows it (a date centred)."""
    if value is None:
        return None
    if column.kind == "date":
        return Cell(value, "date", align="center")  # type: ignore[arg-type]
    if column.kind == "text":
        return text_cell(value)
    return Cell(value, column.kind)  # type: ignore[arg-type]


def transaction_rows(data: ReturnData) -> Iterator[Row]:
    """The Transactions sheet: every spend line in the year up to the as-at date,
    streamed, then the total. (The writer writes the lines without these cells: see
    :mod:`fsgrant.formats.dfe_return.writer`; it must give the same values.)"""
    yield from transaction_head_rows(data)
    total = 0
    count = 0
    for line in data.transactions:
        s = transaction_line(line)
        total += s.pence
        count += 1
        fields = getattr(line, "source_fields", None) or {}
        # Each source value is text whatever it looks like (a formula, an error
        # literal, a number): the writer binds every string cell as text.
        source = tuple(text_cell(fields.get(name)) for name in data.source_fields)
        yield Row(
            (
                *(_line_cell(c, getattr(s, c.field)) for c in TRANSACTION_COLUMNS),
                *source,
            ),
            "body",
            key=(s.date, s.id),
        )
    yield transaction_total_row(count, total)


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
    yield from title_rows(
        f"Variations and conditions: {heading(data)}",
        "Variations to this funding year agreed on or before the as-at date (the "
        "figures apply them), then the conditions attached to each funding year.",
    )
    yield header_row(VARIATION_HEADERS)
    for v in data.variations:
        if v.agreed_on > data.as_at:
            continue
        cells = (
            Cell(v.id, "int"),
            Cell(v.funding_year),
            Cell(v.kind),
            text_cell(v.describe()),
            Cell(v.agreed_on, "date"),
            text_cell(v.reference),
            Cell(safe_text(v.reason), wrap=True),
            date_cell(v.new_start),
            date_cell(v.new_end),
            money_cell(v.amount),
            text_cell(v.to_year),
            text_cell(v.new_status),
            Cell(_naive_utc(v.recorded_at), "datetime"),
            text_cell(v.recorded_by),
        )
        yield Row(
            tuple(None if c is None else replace(c, top=True) for c in cells),
            "body",
            height=lines_height(v.reason, COLUMN_WIDTHS[VARIATIONS][6]),
        )
    yield BLANK
    yield Row((Cell("Conditions", "section"),))
    # The condition's text runs on over the empty columns to its right.
    yield header_row(("Funding year", "Status", "Condition", "", "", "", ""))
    # The conditions as at the return's date (one agreed later is not listed).
    status = {y.label: y.status for y in data.years}
    any_condition = False
    for condition in data.conditions:
        any_condition = True
        yield Row(
            (
                Cell(condition.year),
                Cell(status.get(condition.year, "")),
                text_cell(condition.text),
            )
        )
    if not any_condition:
        yield Row((Cell("None recorded", "note"),))
