"""The DfE return laid out, continued: the Conditions sheet (pure, no openpyxl). See
:mod:`fsgrant.formats.dfe_return.layout`.

Each condition of each funding year with its status as at the return's date, the
evidence recorded on or before it, and the figures of the check fsgrant computes
for it, shown beside the evidence people record (never instead of it).
"""

from __future__ import annotations

from collections.abc import Iterator

from fsgrant.domain.conditions import ConditionState, EstimatesCheck, SustainabilityCheck
from fsgrant.formats.dfe_return.cells import (
    BLANK,
    date_cell,
    header_row,
    heading,
    lines_height,
    money_cell,
    percent_cell,
    text_cell,
    title_rows,
    yes_no,
)
from fsgrant.formats.dfe_return.model import (
    COLUMN_WIDTHS,
    CONDITIONS,
    Cell,
    Fill,
    ReturnData,
    Row,
    category_name,
)

__all__ = ["CHECK_HEADERS", "CONDITION_HEADERS", "EVIDENCE_HEADERS", "condition_rows"]

CONDITION_HEADERS = (
    "Condition",
    "Funding year",
    "Text",
    "Due",
    "Status",
    "Since",
    "Reason",
    "Reference",
    "Evidence items",
    "Computed check",
)
EVIDENCE_HEADERS = ("Evidence for", "On", "Note", "Document")
CHECK_HEADERS = (
    "Category",
    "Original estimate",
    "Forecast outturn",
    "Variance",
    "Variance %",
    "Within tolerance",
)
_STATUS_FILLS: dict[str, Fill] = {"met": "green", "not-met": "red", "open": "amber"}
_CHECK_NAMES = {
    "estimates": "spend against original estimates",
    "sustainability": "onward sustainability plan",
}


def condition_rows(data: ReturnData) -> Iterator[Row]:
    """The Conditions sheet: the conditions, their evidence, their computed checks."""
    yield from title_rows(
        f"Conditions: {heading(data)}",
        "Each condition of each funding year: its status as at the as-at date, the "
        "evidence recorded on or before it, and the figures fsgrant computes for it.",
    )
    yield header_row(CONDITION_HEADERS)
    text_width = COLUMN_WIDTHS[CONDITIONS][2]
    for c in data.conditions:
        yield Row(
            (
                Cell(c.label, "text", bold=True),
                Cell(c.year),
                Cell(c.text, wrap=True),
                date_cell(c.due),
                Cell(c.status, "text", bold=True, fill=_STATUS_FILLS.get(c.status)),
                date_cell(c.status_on),
                text_cell(c.reason, wrap=True),
                text_cell(c.reference),
                Cell(len(c.evidence), "int"),
                text_cell(_CHECK_NAMES.get(c.check_kind or "")),
            ),
            "body",
            height=lines_height(c.text, text_width),
        )
    if not data.conditions:
        yield Row((Cell("None recorded", "note"),))
    yield BLANK
    yield Row((Cell("Evidence", "section"),))
    yield header_row(EVIDENCE_HEADERS)
    any_evidence = False
    for c in data.conditions:
        for i, e in enumerate(c.evidence, start=1):
            any_evidence = True
            yield Row(
                (
                    # Keyed by the record's id, never its position: evidence dated
                    # earlier and recorded later moves no other row.
                    Cell(f"{c.label} evidence {i if e.id is None else e.id}"),
                    date_cell(e.on),
                    Cell(e.note, wrap=True),
                    text_cell(e.document),
                ),
                "body",
                height=lines_height(e.note, COLUMN_WIDTHS[CONDITIONS][2]),
            )
    if not any_evidence:
        yield Row((Cell("None recorded", "note"),))
    for c in data.conditions:
        if c.check is not None:
            yield BLANK
            yield from _check_rows(data, c)


def _check_rows(data: ReturnData, c: ConditionState) -> Iterator[Row]:
    check = c.check
    if isinstance(check, EstimatesCheck):
        yield Row(
            (
                Cell(
                    f"Check for {c.label}: funding year {check.funding_year}'s forecast "
                    "outturn against its original estimates",
                    "section",
                ),
            )
        )
        yield header_row(CHECK_HEADERS)
        for line in check.categories:
            yield Row(
                (
                    Cell(category_name(data, line.category)),
                    Cell(line.original_estimate, "money"),
                    Cell(line.forecast_outturn, "money"),
                    Cell(line.variance, "money"),
                    percent_cell(line.variance_pct),
                    _verdict(line.within_tolerance),
                ),
                "body",
            )
        yield Row(
            (
                Cell("Total", "text", bold=True, total=True),
                Cell(check.original_estimate, "money", total=True),
                Cell(check.forecast_outturn, "money", total=True),
                Cell(check.variance, "money", total=True),
                percent_cell(check.variance_pct, total=True),
                _verdict(check.within_tolerance),
            ),
            "total",
        )
        yield BLANK
        yield Row((Cell("Tolerance", "label"), percent_cell(check.tolerance_pct)))
        yield Row((Cell("Categories outside it", "label"), Cell(check.categories_outside, "int")))
        worst = check.worst_category
        yield Row(
            (
                Cell("Furthest from its estimate", "label"),
                text_cell(None if worst is None else category_name(data, worst)),
            )
        )
    elif isinstance(check, SustainabilityCheck):
        yield Row((Cell(f"Check for {c.label}: the onward-sustainability plan", "section"),))
        if not check.available:
            yield Row((Cell("Sustainability figures", "label"), text_cell(check.note)))
            return
        yield Row((Cell("Grant ends", "label"), date_cell(check.grant_ends)))
        yield Row((Cell("First financial year after it", "label"), text_cell(check.financial_year)))
        gap = check.gap
        yield Row(
            (
                Cell("Gap (cost less grant and funding)", "label"),
                money_cell(gap, fill="red" if gap is not None and gap > 0 else None, bold=True),
            )
        )
        yield Row((Cell("Funded %", "label"), percent_cell(check.funded_pct)))
        yield Row(
            (
                Cell("Sustainable from", "label"),
                text_cell(check.sustainable_from or "not within the plan"),
            )
        )


def _verdict(within: bool) -> Cell:
    return Cell(yes_no(within), "text", bold=True, fill="green" if within else "red")
