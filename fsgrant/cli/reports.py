"""The report group and where the grant stands: the summary report and its renderer
(also used by demo). The other reports join the group from their own modules."""

from typing import Annotated, Any

import typer

from fsgrant.cli._common import (
    FormatOption,
    OutputFormat,
    command,
    emit_json,
    emit_rows,
    ledger,
)

report_app = typer.Typer(help="Reports: where the grant stands.", no_args_is_help=True)

Fmt = Annotated[OutputFormat, FormatOption]


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


# ---------------------------------------------------------------- reports
@command(report_app, "summary")
def report_summary(
    ctx: typer.Context,
    as_at: Annotated[str | None, typer.Option("--as-at", help="Report as at this date.")] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """Where each funding year stands: award, received, estimate, actual, forecast outturn,
    underspend at risk or overspend."""
    report = ledger(ctx).reports.summary(as_at)
    render_summary(report, fmt)


SUMMARY_LINES = (
    ("award", "Award (as varied)"),
    ("received", "Received from the funder"),
    ("repayable", "Repayable (withdrawn year)"),
    ("estimate_original", "Original estimate"),
    ("actual", "Actual to date"),
    ("committed", "Committed (orders not invoiced)"),
    ("remaining", "Award less actual"),
    ("forecast_remaining", "Forecast remaining"),
    ("forecast_outturn", "Forecast outturn"),
    ("underspend_at_risk", "Underspend at risk of reclaim"),
    ("overspend", "Overspend (council pressure)"),
)


def render_summary(report: Any, fmt: OutputFormat) -> None:
    """JSON and CSV: a row per funding year. Table: a column per funding year and a
    total, a line per figure, which reads like the return."""
    if fmt is OutputFormat.json:
        emit_json(report.model_dump(mode="json"))
        return
    if fmt is OutputFormat.csv:
        rows = [y.model_dump() for y in report.funding_years]
        emit_rows(rows, list(rows[0]) if rows else ["label"], fmt)
        return
    from fsgrant.cli._render import console, fits, print_table, text

    title = f"{report.grant.name}: {report.grant.funder} -> {report.grant.recipient}"
    if report.as_at:
        title += f", as at {report.as_at}"
    years = report.funding_years
    con = console(160)
    columns = _summary_columns(report, narrow=False)
    notes: list[str] = []
    if not fits(columns, con.width):
        # A narrow terminal: the status in a word (the detail in a note below) and
        # the period as two dates, so the figures keep whole columns.
        columns = _summary_columns(report, narrow=True)
        notes = [f"* {y.label}: {y.standing}." for y in years if not y.secure]
    print_table(columns, title, sections_after=(1 if not notes else 2,), out=con)
    for note in notes:
        con.print(text(note, wrap=True))


def _summary_columns(report: Any, *, narrow: bool) -> list[Any]:
    """The summary's columns: a column per funding year and a total, a line per figure."""
    from fsgrant.cli._render import Column
    from fsgrant.domain.money import format_pounds

    heads = ["Status", "Start", "End"] if narrow else ["Status", "Period"]
    columns = [Column("", cells=[*heads, *[label for _, label in SUMMARY_LINES]])]
    for y in report.funding_years:
        if narrow:
            cells = [y.status + ("" if y.secure else "*"), str(y.start), str(y.end)]
        else:
            cells = [y.standing, f"{y.start} to {y.end}"]
        cells += [format_pounds(getattr(y, field)) for field, _ in SUMMARY_LINES]
        columns.append(Column(y.label, right=True, fixed=True, cells=cells))
    totals = ["" for _ in heads] + [format_pounds(report.total(f)) for f, _ in SUMMARY_LINES]
    columns.append(Column("Total", right=True, fixed=True, cells=totals))
    return columns
