"""The Sustainability sheet of the DfE return laid out (pure, no openpyxl): the
onward-sustainability plan by financial year (see
:mod:`fsgrant.domain.sustainability`), the model's cost against the grant and the
other funding, the gap and the funded percentage. The writer adds a chart of cost
against funding beside it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from fsgrant.domain.money import ZERO
from fsgrant.formats.dfe_return.cells import header_row, heading, percent_cell, title_rows
from fsgrant.formats.dfe_return.model import Cell, ReturnData, Row

__all__ = ["SUSTAINABILITY_FIXED_HEADERS", "sustainability_headers", "sustainability_rows"]

SUSTAINABILITY_FIXED_HEADERS = ("Financial year", "Posts cost", "Other cost", "Total cost", "Grant")
_AFTER_SOURCES = ("Funding total", "Grant + funding", "Gap", "Funded %")


def _partners(data: ReturnData) -> list[str]:
    """Who other than the council gains savings in the plan, in the order first named."""
    r = data.sustainability
    seen: dict[str, None] = {}
    for y in r.years if r is not None else ():
        for who in y.savings_by_beneficiary:
            if who != "council":
                seen.setdefault(who, None)
    return list(seen)


def sustainability_headers(data: ReturnData) -> tuple[str, ...]:
    """The sheet's headers: one column per source of funding, in the order added; last,
    one per partner gaining savings (shown, not counted toward the gap)."""
    r = data.sustainability
    sources = list(r.years[0].funding) if r is not None and r.years else []
    return (
        *SUSTAINABILITY_FIXED_HEADERS,
        *(f"Funding: {s}" for s in sources),
        *_AFTER_SOURCES,
        *(f"Savings to {who} (not counted)" for who in _partners(data)),
    )


def sustainability_rows(data: ReturnData) -> Iterator[Row]:
    """The Sustainability sheet: one row per financial year, then the totals (each
    the sum of the years above it)."""
    r = data.sustainability
    yield from title_rows(
        f"Onward sustainability: {heading(data)}",
        "What the model costs in each financial year, including after the grant ends, and "
        "what pays for it. Gap = total cost - grant - funding (positive: unfunded); "
        "savings that land with partners are shown, not counted: they are the case for "
        "partners to contribute. "
        + (
            f"Sustainable from {r.sustainable_from}."
            if r is not None and r.sustainable_from
            else "The plan does not close the gap in these years."
        ),
    )
    yield header_row(sustainability_headers(data))
    if r is None or not r.years:
        return
    sources = list(r.years[0].funding)
    partners = _partners(data)
    for y in r.years:
        yield Row(
            (
                Cell(y.financial_year),
                Cell(y.posts_cost, "money"),
                Cell(y.other_cost, "money"),
                Cell(y.total_cost, "money"),
                Cell(y.grant, "money"),
                *(Cell(y.funding.get(s, ZERO), "money") for s in sources),
                Cell(y.funding_total, "money"),
                Cell(y.grant + y.funding_total, "money"),
                Cell(y.gap, "money", fill="red" if y.gap > 0 else "green"),
                percent_cell(y.funded_pct),
                *(Cell(y.savings_by_beneficiary.get(w, ZERO), "money") for w in partners),
            ),
            "body",
        )

    def total(values: Iterable[Decimal]) -> Cell:
        return Cell(sum(values, ZERO), "money", total=True)

    yield Row(
        (
            Cell("Total", "text", bold=True, total=True),
            total(y.posts_cost for y in r.years),
            total(y.other_cost for y in r.years),
            total(y.total_cost for y in r.years),
            total(y.grant for y in r.years),
            *(total(y.funding.get(s, ZERO) for y in r.years) for s in sources),
            total(y.funding_total for y in r.years),
            total(y.grant + y.funding_total for y in r.years),
            total(y.gap for y in r.years),
            None,
            *(total(y.savings_by_beneficiary.get(w, ZERO) for y in r.years) for w in partners),
        ),
        "total",
    )
