"""The DfE return laid out: each sheet as rows of :class:`Cell` specifications built
from a :class:`ReturnData` (pure, no openpyxl: this module imports none).

:func:`sheet_rows` gives the rows of any sheet; the writer
(:mod:`fsgrant.formats.dfe_return.writer`) renders them, and verify
(:mod:`fsgrant.formats.dfe_return.verify`) lays them out again from fresh figures to
compare with a workbook read back. This module lays out the Summary, Spend vs estimate
and Monthly profile sheets; :mod:`fsgrant.formats.dfe_return.layout_ledger` the
Posts, Transactions and Variations sheets; :mod:`fsgrant.formats.dfe_return.layout_conditions`
the Conditions sheet; :mod:`fsgrant.formats.dfe_return.layout_changes` the
Changes since the last return sheet.

Every figure is a value (never a formula): money as a number in a ``£#,##0.00``
format, dates as real dates, percentages as numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

from fsgrant.domain.money import ZERO
from fsgrant.domain.reports import VarianceLine
from fsgrant.formats.dfe_return.cells import (
    BLANK,
    date_cell,
    header_row,
    header_row_of,
    heading,
    lines_height,
    money_cell,
    percent_cell,
    text_cell,
    title_rows,
    yes_no,
)
from fsgrant.formats.dfe_return.layout_changes import change_rows
from fsgrant.formats.dfe_return.layout_conditions import condition_rows
from fsgrant.formats.dfe_return.layout_ledger import (
    POSTS_HEADERS,
    TRANSACTION_HEADERS,
    VARIATION_HEADERS,
    posts_rows,
    transaction_rows,
    variation_rows,
)
from fsgrant.formats.dfe_return.layout_plan import sustainability_rows
from fsgrant.formats.dfe_return.model import (
    ABOUT,
    CHANGES,
    COLUMN_WIDTHS,
    CONDITIONS,
    LABEL_AS_AT,
    LABEL_FINGERPRINT,
    LABEL_GENERATED,
    LABEL_PERIOD_FROM,
    LABEL_PERIOD_TO,
    LABEL_VERSION,
    LABEL_YEAR,
    POSTS,
    PROFILE,
    SUMMARY,
    SUSTAINABILITY,
    TRANSACTIONS,
    VARIANCE,
    VARIANCE_COLUMNS,
    VARIATIONS,
    Cell,
    ReturnData,
    ReturnQuarter,
    Row,
    category_name,
    headers_of,
    safe_text,
    uk_date,
)

__all__ = [
    "POSTS_HEADERS",
    "PROFILE_HEADERS",
    "PROFILE_HEADER_ROW",
    "TRANSACTION_HEADERS",
    "VARIANCE_HEADERS",
    "VARIATION_HEADERS",
    "SheetRows",
    "posts_rows",
    "profile_rows",
    "sheet_rows",
    "summary_rows",
    "transaction_rows",
    "variance_rows",
    "variation_rows",
]


# ---------------------------------------------------------------- Summary
def summary_rows(data: ReturnData) -> Iterator[Row]:
    """The Summary sheet: column A labels, column B values, one per row."""
    g, y, s = data.grant, data.year, data.summary
    q = data.quarter
    title = f"DfE grant return: {g.name}" + (f", {q.label}" if q is not None else "")
    yield Row((Cell(title, "title"),), "title", height=21)
    early = (
        f" (before the year starts on {uk_date(y.start)}: no spend yet, every figure a forecast)"
        if data.as_at < y.start
        else ""
    )
    yield Row(
        (
            Cell(
                f"{g.recipient}: funding year {y.label}"
                + (f", quarter {q.label}" if q is not None else "")
                + f", as at {uk_date(data.as_at)}{early}",
                "subtitle",
            ),
        )
    )
    yield Row((Cell("Every figure is a value (no formulas); money in pounds.", "note"),))
    yield BLANK

    def pair(label: str, value: Cell | None, extra: Cell | None = None) -> Row:
        return Row((Cell(label, "label"), value, extra) if extra else (Cell(label, "label"), value))

    yield Row((Cell("The grant", "section"),))
    yield pair("Grant", text_cell(g.name))
    yield pair("Funder", text_cell(g.funder))
    yield pair("Funder org id", text_cell(g.funder_org_id or "not recorded"))
    yield pair("Recipient", text_cell(g.recipient))
    yield pair("Recipient org id", text_cell(g.recipient_org_id or "not recorded"))
    yield BLANK
    yield Row((Cell("The funding year", "section"),))
    yield pair(LABEL_YEAR, text_cell(y.label))
    yield pair("Status", text_cell(y.status))
    # The year's own status decides (the summary's flag defaults to secure).
    secure = y.secure and s.secure
    yield pair(
        "Money secure",
        text_cell("Yes" if secure else f"No: the award is {y.status}"),
    )
    yield pair("Period start (as varied)", date_cell(y.start))
    yield pair("Period end (as varied)", date_cell(y.end))
    yield pair("Original period start", date_cell(y.original_start))
    yield pair("Original period end", date_cell(y.original_end))
    varied = sum(1 for v in data.variations if v.agreed_on <= data.as_at)
    yield pair(
        "Varied",
        text_cell(f"Yes: {varied} variation(s), see Variations" if varied else "No"),
    )
    yield pair(LABEL_AS_AT, date_cell(data.as_at))
    yield BLANK
    yield Row((Cell("Figures (£)", "section"),))
    yield pair("Award (as varied)", money_cell(s.award))
    yield pair("Original award", money_cell(y.original_award))
    yield pair("Received from funder", money_cell(s.received))
    if y.status == "withdrawn":
        yield pair(
            "Repayable to funder",
            money_cell(s.repayable, fill="red" if s.repayable > 0 else None, bold=True),
            text_cell("The year is withdrawn: what was received goes back"),
        )
    yield pair("Original estimate", money_cell(s.estimate_original))
    yield pair("Actual spend to date", money_cell(s.actual))
    yield pair("Award less actual", money_cell(s.remaining))
    yield pair("Forecast remaining", money_cell(s.forecast_remaining))
    yield pair("Forecast outturn", money_cell(s.forecast_outturn))
    yield pair(
        "Underspend at risk",
        money_cell(
            s.underspend_at_risk, fill="amber" if s.underspend_at_risk > 0 else None, bold=True
        ),
        text_cell("DfE may reclaim funds not used") if s.underspend_at_risk > 0 else None,
    )
    yield pair(
        "Overspend",
        money_cell(s.overspend, fill="red" if s.overspend > 0 else None, bold=True),
        (
            text_cell(
                "Spent in a withdrawn year: a pressure on the council's budget"
                if y.status == "withdrawn"
                else "A pressure on the council's budget"
            )
            if s.overspend > 0
            else None
        ),
    )
    if q is not None:
        yield from _quarter_rows(data, q)
    yield BLANK
    yield Row((Cell("Conditions", "section"),))
    if y.conditions:
        yield header_row(
            ("Condition of this funding year", "Met or evidenced? (to complete)", "Evidence")
        )
        for condition in y.conditions:
            text = safe_text(condition)
            yield Row(
                (Cell(text, "label", wrap=True), Cell(None, "input"), Cell(None, "input")),
                height=lines_height(text, COLUMN_WIDTHS[SUMMARY][0]),
            )
    else:
        yield pair("Condition", text_cell("None attached to this funding year"))
    yield BLANK
    yield Row((Cell("Sign-off", "section"),))
    for label in (
        "Prepared by",
        "Date prepared",
        "Section 151 officer",
        "Signature",
        "Date signed",
    ):
        # A box over columns B and C, tall enough to sign in; the officer's name and
        # title where the grant records them (then part of the return, as the grant's
        # name is).
        known = g.s151_officer if label == "Section 151 officer" else None
        yield Row(
            (
                Cell(label, "label"),
                Cell(None, "input") if known is None else Cell(known, "text", top=True),
                Cell(None, "input"),
            ),
            height=24,
            merge=(2, 3),
        )


QUARTER_HEADERS = ("Spend by category", "Spend", "Budget", "Variance")
QUARTER_TOTAL = "Quarter total"
YEAR_TO_DATE = "Year to date"


def _quarter_rows(data: ReturnData, q: ReturnQuarter) -> Iterator[Row]:
    """The Summary's quarter: each category's spend, budget and variance in it, the
    quarter's total and the year to date (see :mod:`fsgrant.domain.quarter`)."""
    yield BLANK
    yield Row((Cell(f"The quarter: {q.label} (£)", "section"),))
    yield Row((Cell(LABEL_PERIOD_FROM, "label"), date_cell(q.start)))
    yield Row((Cell(LABEL_PERIOD_TO, "label"), date_cell(q.end)))
    yield BLANK
    yield header_row(QUARTER_HEADERS)
    for line in q.lines:
        yield Row(
            (
                Cell(category_name(data, line.category)),
                Cell(line.spend, "money"),
                Cell(line.budget, "money"),
                Cell(line.variance, "money"),
            ),
            "body",
        )

    def total(label: str, spend: Decimal, budget: Decimal) -> Row:
        return Row(
            (
                Cell(label, "text", bold=True, total=True),
                Cell(spend, "money", total=True),
                Cell(budget, "money", total=True),
                Cell(spend - budget, "money", total=True),
            ),
            "total",
        )

    yield total(
        QUARTER_TOTAL,
        sum((x.spend for x in q.lines), ZERO),
        sum((x.budget for x in q.lines), ZERO),
    )
    yield total(
        YEAR_TO_DATE,
        sum((x.spend_to_date for x in q.lines), ZERO),
        sum((x.budget_to_date for x in q.lines), ZERO),
    )
    yield BLANK
    yield Row(
        (Cell("Forecast outturn for the year", "label"), money_cell(data.summary.forecast_outturn))
    )


# ---------------------------------------------------------------- About this file
HOW_TO_CHECK = "How to check it"


def about_rows(data: ReturnData) -> Iterator[Row]:
    """The About this file sheet: what made the file and how to check it."""
    yield from title_rows(
        f"About this file: {heading(data)}",
        "What made this file, and how to check it against the ledger it came from.",
    )

    def pair(label: str, value: Cell | None) -> Row:
        return Row((Cell(label, "label"), value))

    yield pair(LABEL_YEAR, text_cell(data.year.label))
    yield pair(LABEL_AS_AT, date_cell(data.as_at))
    yield pair(LABEL_GENERATED, Cell(data.generated_at.replace(microsecond=0), "generated"))
    yield pair(LABEL_VERSION, text_cell(data.version))
    yield pair(LABEL_FINGERPRINT, Cell(data.fingerprint, "fingerprint"))
    yield pair(
        HOW_TO_CHECK,
        text_cell(
            "fsgrant export verify THIS-FILE (with the ledger's store) re-computes every "
            "figure and says whether the file is the one submitted"
        ),
    )


# ---------------------------------------------------------------- Spend vs estimate
VARIANCE_HEADERS = headers_of(VARIANCE_COLUMNS)


def variance_rows(data: ReturnData) -> Iterator[Row]:
    """The Spend vs estimate sheet: the variance report's lines and totals."""
    r = data.variance
    against = "original" if r.against == "original" else "revised"
    yield from title_rows(
        f"Spend vs estimate: {heading(data)}",
        f"Variance = forecast outturn less the {against} estimate (positive: overspend). "
        "RAG: green on track, amber watch, red act.",
    )
    yield header_row_of(VARIANCE_COLUMNS)

    def line(v: VarianceLine, *, total: bool) -> Row:
        rag = v.rag
        return Row(
            (
                Cell(
                    "Total" if total else category_name(data, v.category),
                    "text",
                    bold=total,
                    total=total,
                ),
                Cell(v.estimate_original, "money", total=total),
                Cell(v.estimate_revised, "money", total=total),
                Cell(v.actual, "money", total=total),
                Cell(v.forecast_remaining, "money", total=total),
                Cell(v.outturn, "money", total=total),
                Cell(v.variance, "money", total=total),
                percent_cell(v.variance_pct, total=total),
                None if rag is None else Cell(rag.capitalize(), "text", bold=True, fill=rag),
                Cell(yes_no(v.forecast_assumed), "text", total=total),
                Cell(v.committed, "money", total=total),
                None if total else Cell(None, "input"),
            ),
            "total" if total else "body",
        )

    for v in r.lines:
        yield line(v, total=False)
    yield line(r.totals, total=True)
    yield BLANK
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
    yield from title_rows(
        f"Monthly profile: {heading(data)}",
        "Actual to the as-at date, forecast after it; cumulative actual + forecast "
        "against cumulative estimate and the award (chart on the right).",
    )
    yield header_row(PROFILE_HEADERS)
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


SheetRows = Callable[[ReturnData], Iterator[Row]]

_ROWS: dict[str, SheetRows] = {
    SUMMARY: summary_rows,
    VARIANCE: variance_rows,
    PROFILE: profile_rows,
    POSTS: posts_rows,
    TRANSACTIONS: transaction_rows,
    VARIATIONS: variation_rows,
    CONDITIONS: condition_rows,
    SUSTAINABILITY: sustainability_rows,
    CHANGES: change_rows,
    ABOUT: about_rows,
}


def sheet_rows(sheet: str, data: ReturnData) -> Iterator[Row]:
    """The rows of one sheet of the return, as laid out (pure)."""
    return _ROWS[sheet](data)
