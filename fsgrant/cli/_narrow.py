"""Reports laid out for a narrow terminal (80 columns, a laptop): where the wide table
would break into a block of lines per row, the report is drawn as tables of the
figures a person reads first, each figure whole, and the sentences under it wrapped.

The wide layouts stay as they are wherever they fit; CSV and JSON never change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "print_posts_narrow",
    "print_spend_narrow",
    "print_variance_narrow",
    "say_wrapped",
    "wide_fits",
]


def wide_fits(rows: Sequence[dict[str, Any]], columns: Sequence[str], width: int) -> bool:
    """Whether the wide table ``emit_rows`` would draw of ``rows`` fits ``width`` (its
    columns fixed or text as ``emit_rows`` makes them)."""
    from datetime import date
    from decimal import Decimal

    from fsgrant.cli._common import machine
    from fsgrant.cli._render import Column, fits, is_fixed_text
    from fsgrant.domain.money import format_pounds

    def shown(v: Any) -> str:
        if v is None:
            return ""
        return format_pounds(v) if isinstance(v, Decimal) else str(machine(v))

    def fixed(v: Any) -> bool:
        return isinstance(v, date | Decimal | int | bool) or (
            isinstance(v, str) and is_fixed_text(v)
        )

    cols = [
        Column(
            c,
            fixed=any(fixed(r.get(c)) for r in rows),
            cells=[shown(r.get(c)) for r in rows],
        )
        for c in columns
    ]
    return fits(cols, width)


def _pct(value: Any) -> str:
    return "" if value is None else f"{value:.1f}"


def print_variance_narrow(report: Any, notes: Sequence[str]) -> None:
    """A variance report as two tables, the figures (estimates, actual, forecast,
    outturn) and the variances (full year and to date, with the RAG), then ``notes``
    wrapped to the terminal."""
    from fsgrant.cli._render import Column, console, print_table, text
    from fsgrant.domain.money import format_pounds as p

    con = console(100)
    names = [x.category for x in report.lines]

    def money(header: str, field: str) -> Column:
        return Column(
            header,
            right=True,
            fixed=True,
            cells=[p(getattr(x, field)) for x in report.lines],
            footer=p(getattr(report.totals, field)),
        )

    def pct(header: str, field: str) -> Column:
        cells = [_pct(getattr(x, field)) for x in [*report.lines, report.totals]]
        return Column(header, right=True, fixed=True, cells=cells[:-1], footer=cells[-1])

    figures = [
        Column("Category", cells=names, footer="Total"),
        money("Original estimate", "estimate_original"),
        money("Revised estimate", "estimate_revised"),
        money("Actual", "actual"),
        money("Forecast remaining", "forecast_remaining"),
        money("Outturn", "outturn"),
    ]
    title = (
        f"{report.funding_year} ({report.period.start} to {report.period.end}) as at {report.as_at}"
    )
    print_table(figures, title, out=con)
    basis = "RAG to date" if report.rag_basis == "to-date" else "RAG on the full year"
    variances = [
        Column("Category", cells=names, footer="Total"),
        money("Variance", "variance"),
        pct("%", "variance_pct"),
        money("Committed", "committed"),
        money("Budget to date", "budget_to_date"),
        money("Variance to date", "variance_to_date"),
        pct("% to date", "variance_to_date_pct"),
        Column(
            "RAG",
            fixed=True,
            cells=[x.rag or "" for x in report.lines],
            footer=report.totals.rag or "",
        ),
    ]
    print_table(variances, f"Variance against {report.against} estimates, {basis}", out=con)
    for note in notes:
        con.print(text(note, wrap=True))


def print_posts_narrow(report: Any, notes: Sequence[str]) -> None:
    """The posts report as two tables, where each post stands (status, since when,
    expected start, reason) and what it costs (FTE, annual cost, cost to date,
    forecast cost), then ``notes`` wrapped to the terminal."""
    from fsgrant.cli._render import Column, console, print_table, text
    from fsgrant.domain.money import format_pounds as p

    con = console(100)
    posts = report.posts
    where = f"in {report.funding_year}" if report.funding_year else "in any funding year"

    def day(value: Any) -> str:
        return "" if value is None else str(value)

    ids = [x.id for x in posts]
    standing = [
        Column("Post", fixed=True, cells=ids),
        Column("Status", fixed=True, cells=[x.status for x in posts]),
        Column("Since", fixed=True, cells=[day(x.status_since) for x in posts]),
        Column("Expected start", fixed=True, cells=[day(x.expected_start) for x in posts]),
        Column("Reason", cells=[x.reason or "" for x in posts]),
    ]
    print_table(standing, f"Posts as at {report.as_at}", out=con)
    costs = [
        Column("Post", fixed=True, cells=ids, footer="Total"),
        Column(
            "FTE",
            right=True,
            fixed=True,
            cells=[f"{x.fte:.2f}" for x in posts],
            footer=f"{report.fte_planned:.2f}",
        ),
        Column("Annual cost", right=True, fixed=True, cells=[p(x.annual_cost) for x in posts]),
        Column(
            "Cost to date",
            right=True,
            fixed=True,
            cells=[p(x.cost_to_date) for x in posts],
            footer=p(report.cost_to_date),
        ),
        Column(
            "Forecast cost",
            right=True,
            fixed=True,
            cells=[p(x.forecast_cost) for x in posts],
            footer=p(report.forecast_cost),
        ),
    ]
    print_table(costs, f"What they cost (forecast after {report.as_at}, {where})", out=con)
    for note in notes:
        con.print(text(note, wrap=True))


def print_spend_narrow(lines: Sequence[Any], total: Any) -> None:
    """Spend lines as one table: id, date, amount, category, funding year and
    supplier (the text wraps, the figures and dates never)."""
    from fsgrant.cli._render import Column, console, print_table
    from fsgrant.domain.money import format_pounds as p

    con = console(100)
    columns = [
        Column("ID", right=True, fixed=True, cells=[str(x.id) for x in lines], footer="Total"),
        Column("Date", fixed=True, cells=[str(x.date) for x in lines]),
        Column(
            "Amount", right=True, fixed=True, cells=[p(x.amount) for x in lines], footer=p(total)
        ),
        Column("Category", cells=[x.category for x in lines]),
        Column("Year", fixed=True, cells=[x.funding_year or "" for x in lines]),
        Column("Supplier", cells=[x.supplier or "" for x in lines]),
    ]
    print_table(columns, "Spend", out=con)


def say_wrapped(*lines: str) -> None:
    """Print sentences for a person wrapped at spaces to the terminal's width (the
    terminal would otherwise break a line mid-figure); piped, as they are."""
    from fsgrant.cli._render import console, text

    con = console(240)
    for line in lines:
        con.print(text(line, wrap=True))
