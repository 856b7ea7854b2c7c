"""Commands for forecasts, the forecast reports (variance, profile, spend views), checks
and store settings."""

from typing import Annotated, Any

import typer

from fsgrant.cli import reports
from fsgrant.cli._common import (
    FormatOption,
    OutputFormat,
    command,
    emit_json,
    emit_rows,
    ledger,
    say,
)

forecast_app = typer.Typer(
    help="Forecasts of remaining spend: set where no post drives it; additions on top of posts.",
    no_args_is_help=True,
)
settings_app = typer.Typer(help="Store settings, e.g. the RAG thresholds.", no_args_is_help=True)

Fmt = Annotated[OutputFormat, FormatOption]
AsAt = Annotated[
    str | None, typer.Option("--as-at", help="Report as at this date (default today).")
]


def register(app: typer.Typer) -> None:
    app.add_typer(forecast_app, name="forecast")
    app.add_typer(settings_app, name="settings")
    command(reports.report_app, "variance")(report_variance)
    command(reports.report_app, "profile")(report_profile)
    command(reports.report_app, "spend")(report_spend)
    command(app, "check")(check)


@command(forecast_app, "set")
def forecast_set(
    ctx: typer.Context,
    label: Annotated[str, typer.Argument(help="Funding year.")],
    category: Annotated[str, typer.Argument(help="Cost category (one no post is charged to).")],
    amount: Annotated[str, typer.Argument(help="Spend still expected after --on, to year end.")],
    on: Annotated[
        str | None, typer.Option("--on", help="Date of the forecast (default today).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Why, or what it is based on.")] = None,
) -> None:
    """Set the forecast of remaining spend for a year and category (kept as history)."""
    f = ledger(ctx).forecasts.set(label, category, amount, on=on, note=note)
    from fsgrant.cli._words import day, pounds

    say(
        f"Set forecast #{f.id}: {label} {f.category} {pounds(f.amount)} remaining "
        f"after {day(f.set_on)}."
    )


@command(forecast_app, "add")
def forecast_add(
    ctx: typer.Context,
    label: Annotated[str, typer.Argument(help="Funding year.")],
    category: Annotated[str, typer.Argument(help="A category posts are charged to.")],
    amount: Annotated[
        str, typer.Argument(help="Spend still expected for it after --on, on top of the posts.")
    ],
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            help="What it is, e.g. agency cover for PROB-1 (the same reason revises it).",
        ),
    ],
    on: Annotated[
        str | None, typer.Option("--on", help="Date of the addition (default today).")
    ] = None,
) -> None:
    """Add to a post-driven forecast what the posts do not show (agency cover, backfill,
    overtime); additions add up, and one with an earlier one's reason revises it."""
    from fsgrant.domain.money import format_pounds

    a = ledger(ctx).forecasts.add(label, category, amount, reason=reason, on=on)
    say(
        f"Forecast addition {a.id}: {label} {a.category} + {format_pounds(a.amount)} "
        f"after {a.set_on.isoformat()} ({a.reason})."
    )


@command(forecast_app, "additions")
def forecast_additions(
    ctx: typer.Context,
    as_at: AsAt = None,
    history: Annotated[
        bool, typer.Option("--history", help="Every addition recorded, revisions included.")
    ] = False,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """List the additions to post-driven forecasts in force (or, with --history, all)."""
    found = ledger(ctx).forecasts.additions(as_at, history=history)
    emit_rows(
        [a.model_dump() for a in found],
        ["id", "funding_year", "category", "amount", "reason", "set_on", "recorded_by"],
        fmt,
        title="Forecast additions",
        money=("amount",),
    )


@command(settings_app, "set")
def settings_set(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="rag.green or rag.amber.")],
    value: Annotated[str, typer.Argument(help="A percentage, e.g. 10.")],
) -> None:
    """Set a store setting."""
    setting = ledger(ctx).settings.set(key, value)
    say(f"{setting.key} = {setting.value}")


@command(settings_app, "list")
def settings_list(ctx: typer.Context, fmt: Fmt = OutputFormat.table) -> None:
    """List the settings, with their values (defaults when not set)."""
    rows = [
        {"key": s.key, "value": s.value, "set": s.stored, "about": s.description}
        for s in ledger(ctx).settings.list()
    ]
    emit_rows(rows, ["key", "value", "set", "about"], fmt, title="Settings")


VARIANCE_MONEY = (
    "estimate_original",
    "estimate_revised",
    "actual",
    "committed",
    "forecast_remaining",
    "outturn",
    "variance",
    "budget_to_date",
    "variance_to_date",
)


def report_variance(
    ctx: typer.Context,
    year: Annotated[str, typer.Option("--year", help="Funding year, e.g. 2019/20.")],
    as_at: AsAt = None,
    against: Annotated[
        str, typer.Option("--against", help="original (the baseline DfE judges) or revised.")
    ] = "original",
    to_date: Annotated[
        bool,
        typer.Option(
            "--to-date", help="Read RAG on the variance to date against the budget to date."
        ),
    ] = False,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """Spend against estimates by category: actual, forecast, outturn, variance, budget
    and variance to date (the estimate phased by month), RAG."""
    r = ledger(ctx).reports.variance(year, as_at, against, to_date=to_date)
    if fmt is OutputFormat.json:
        emit_json(r.model_dump(mode="json"))
        return
    cols = [
        "category",
        *VARIANCE_MONEY,
        "forecast_assumed",
        "variance_pct",
        "phasing",
        "variance_to_date_pct",
        "rag",
    ]
    rows = [_variance_row(x) for x in r.lines]
    footer = {**_variance_row(r.totals), "category": "Total"}
    if fmt is OutputFormat.table and _print_narrow(r, [*rows, footer], cols):
        return
    emit_rows(
        rows,
        cols,
        fmt,
        title=f"{r.funding_year} ({r.period.start} to {r.period.end}) as at {r.as_at}: "
        f"variance against {r.against} estimates, "
        + ("RAG to date" if r.rag_basis == "to-date" else "RAG on the full year"),
        money=VARIANCE_MONEY,
        footer=footer,
    )
    if fmt is OutputFormat.table:
        from fsgrant.domain.money import format_pounds

        say(
            f"Award {format_pounds(r.award)}; underspend at risk {format_pounds(r.underspend_at_risk)}; "
            f"overspend {format_pounds(r.overspend)}."
        )
        if any(x.phasing == "unphased" for x in r.lines):
            say(
                "Unphased estimates fall evenly over the months of the period "
                "(set a phasing with 'fsgrant estimate phase')."
            )
        import shutil
        import textwrap

        width = shutil.get_terminal_size((100, 24)).columns
        for x in r.lines:
            for a in x.forecast_additions:
                note = (
                    f"{x.category} forecast includes {format_pounds(a.amount)} for "
                    f"{a.reason} (set {a.set_on})."
                )
                say(*textwrap.wrap(note, width=max(width, 40), subsequent_indent="  "))
        lifted = [x.category for x in r.lines if x.forecast_lifted_to_committed]
        if lifted:
            say(
                "Forecast remaining lifted to what is committed (open purchase orders) for: "
                + ", ".join(lifted)
                + "."
            )
        if r.totals.forecast_assumed:
            say(
                "Forecast assumed (no forecast set): latest estimate less actual, for the "
                "categories marked forecast_assumed."
            )


def _print_narrow(r: Any, rows: list[dict[str, Any]], cols: list[str]) -> bool:
    """In a terminal too narrow for the wide table: the narrow layout, and True."""
    from fsgrant.cli._narrow import print_variance_narrow, wide_fits
    from fsgrant.cli._render import console
    from fsgrant.domain.money import format_pounds

    if wide_fits(rows, cols, console(240).width):
        return False
    notes = [
        f"Award {format_pounds(r.award)}; underspend at risk "
        f"{format_pounds(r.underspend_at_risk)}; overspend {format_pounds(r.overspend)}."
    ]
    if any(x.phasing == "unphased" for x in r.lines):
        notes.append("Unphased estimates fall evenly over the months of the period.")
    if r.totals.forecast_assumed:
        notes.append("Forecast assumed where none is set: latest estimate less actual.")
    print_variance_narrow(r, notes)
    return True


def _variance_row(line: Any) -> dict[str, Any]:
    row: dict[str, Any] = line.model_dump()
    for key in ("variance_pct", "variance_to_date_pct"):
        value = getattr(line, key)
        row[key] = None if value is None else f"{value:.1f}"
    return row


def report_profile(
    ctx: typer.Context,
    year: Annotated[str, typer.Option("--year", help="Funding year, e.g. 2019/20.")],
    as_at: AsAt = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """A funding year month by month: estimate (phased), actual, forecast and cumulative,
    with the budget to date and the variance to date."""
    r = ledger(ctx).reports.profile(year, as_at)
    if fmt is OutputFormat.json:
        emit_json(r.model_dump(mode="json"))
        return
    money = ("estimate", "actual", "forecast", "cumulative", "cumulative_estimate")
    rows = [m.model_dump() for m in r.months]
    footer = {"month": "Total", **r.totals.model_dump()}
    emit_rows(
        rows,
        ["month", *money],
        fmt,
        title=f"{r.funding_year} as at {r.as_at}, month by month",
        money=money,
        footer=footer,
    )
    if fmt is OutputFormat.table:
        import textwrap

        from fsgrant.domain.money import format_pounds

        # One figure a line, so no money is cut in a narrow terminal.
        say(f"Budget to date {format_pounds(r.budget_to_date)}")
        say(f"Actual to date {format_pounds(r.totals.actual)}")
        say(f"Variance to date {format_pounds(r.variance_to_date)}")
        unphased = [c for c, how in r.phasing.items() if how == "unphased"]
        if unphased:
            text = f"Unphased, so phased evenly: {', '.join(unphased)}."
            say(*textwrap.wrap(text, 78, break_on_hyphens=False))


def report_spend(
    ctx: typer.Context,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="funding-year, financial-year, month, category, post, quarter "
            "(FY2019/20 Q4: April-start) or funding-quarter (2019/20 Q3: from the year's start).",
        ),
    ] = "funding-year",
    from_date: Annotated[str | None, typer.Option("--from", help="First date.")] = None,
    to_date: Annotated[str | None, typer.Option("--to", help="Last date.")] = None,
    year: Annotated[
        str | None,
        typer.Option("--year", help="Only spend allocated to this funding year."),
    ] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """Spend totalled by funding year, council financial year, month, category, post or
    quarter (of either kind of year)."""
    r = ledger(ctx).reports.spend(by, from_date, to_date, year=year)
    if fmt is OutputFormat.json:
        emit_json(r.model_dump(mode="json"))
        return
    rows = [x.model_dump() for x in r.rows]
    emit_rows(
        rows,
        ["key", "amount"],
        fmt,
        title=f"Spend by {r.by}" + (f" in {r.funding_year}" if r.funding_year else ""),
        money=("amount",),
        footer={"key": "Total", "amount": r.total},
    )


def check(
    ctx: typer.Context,
    as_at: AsAt = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """Check the ledger: prints the problems found; exits 1 if any is an error."""
    from fsgrant.domain.periods import as_at_day

    day = as_at_day(as_at)
    findings = ledger(ctx).check(day)
    errors = sum(1 for f in findings if f.severity == "error")
    if fmt is OutputFormat.json:
        emit_json(
            {
                "as_at": day.isoformat(),
                "errors": errors,
                "warnings": len(findings) - errors,
                "findings": [f.model_dump(mode="json") for f in findings],
            }
        )
    elif not findings:
        say(f"No problems found as at {day}.")
    else:
        rows = [f.model_dump() for f in findings]
        emit_rows(
            rows, ["severity", "code", "subject", "message"], fmt, title=f"Checks as at {day}"
        )
    if errors:
        raise typer.Exit(1)
