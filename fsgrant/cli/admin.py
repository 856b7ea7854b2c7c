"""Commands that look after the store: closed periods, the audit log, backups, doctor."""

from pathlib import Path
from typing import Annotated

import typer

from fsgrant.cli._common import (
    FormatOption,
    OutputFormat,
    State,
    command,
    emit_json,
    emit_rows,
    ledger,
    say,
)

period_app = typer.Typer(
    help="Closed periods: once a return is submitted, nothing dated in it changes.",
    no_args_is_help=True,
)

Fmt = Annotated[OutputFormat, FormatOption]


def register(app: typer.Typer) -> None:
    app.add_typer(period_app, name="period")
    command(app, "log")(log)
    command(app, "backup")(backup)
    command(app, "doctor")(doctor)
    command(app, "browse")(browse)


# ---------------------------------------------------------------- periods
@command(period_app, "close")
def period_close(
    ctx: typer.Context,
    label: Annotated[str, typer.Argument(help="Funding year, e.g. 2019/20.")],
    through: Annotated[
        str, typer.Option("--through", help="Last day closed, e.g. 31/03/2020 (day first).")
    ],
    reference: Annotated[
        str, typer.Option("--reference", help="What was submitted, e.g. 'DfE return Q4'.")
    ],
) -> None:
    """Close a funding year through a date: entries dated on or before it are refused."""
    c = ledger(ctx).periods.close(label, through, reference)
    say(f"Closed {c.funding_year} through {c.through} ({c.reference}).")


@command(period_app, "reopen")
def period_reopen(
    ctx: typer.Context,
    label: Annotated[str, typer.Argument(help="Funding year to reopen.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is reopened (recorded).")],
) -> None:
    """Reopen a closed funding year (the reopening is recorded with its reason)."""
    ledger(ctx).periods.reopen(label, reason)
    say(f"Reopened {label}.")


@command(period_app, "list")
def period_list(
    ctx: typer.Context,
    history: Annotated[
        bool, typer.Option("--history", help="Every closing and reopening, oldest first.")
    ] = False,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """Which funding years are closed, and through when."""
    led = ledger(ctx)
    if history:
        cols = ["id", "funding_year", "kind", "through", "reference", "reason", "at", "by"]
        events = [e.model_dump() | {"at": e.at.isoformat()} for e in led.periods.history()]
        emit_rows(events, cols, fmt, title="Closings and reopenings")
        return
    closed = led.periods.closures()
    rows = []
    for y in led.years.originals():
        c = closed.get(y.label)
        rows.append(
            {
                "funding_year": y.label,
                "state": "closed" if c else "open",
                "closed_through": c.through if c else None,
                "reference": c.reference if c else None,
                "closed_at": c.at.isoformat() if c else None,
                "closed_by": c.by if c else None,
            }
        )
    cols = ["funding_year", "state", "closed_through", "reference", "closed_at", "closed_by"]
    emit_rows(rows, cols, fmt, title="Periods")


# ---------------------------------------------------------------- audit, backup, doctor
def log(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", help="Only entries on or after this day (UTC).")
    ] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """The audit trail: who changed what, when, with which command."""
    import json

    entries = ledger(ctx).audit.log(since)
    rows = [
        {
            "id": e.id,
            "at": e.at.isoformat(),
            "user": e.user,
            "command": e.command,
            "action": e.action,
            "subject": e.subject,
            "detail": e.detail if fmt is OutputFormat.json else json.dumps(e.detail),
        }
        for e in entries
    ]
    emit_rows(rows, ["id", "at", "user", "command", "action", "subject", "detail"], fmt)


def backup(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The copy to write (a new file).")],
) -> None:
    """Write a consistent copy of the store (safe while others write to it)."""
    led = ledger(ctx)
    written = led.backup(path)
    say(f"Wrote a copy of {led.path} to {written}.")


def browse(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", help="The port to serve on.")] = 8001,
    host: Annotated[
        str,
        typer.Option(
            "--host", help="The address to listen on (loopback: only this computer can see it)."
        ),
    ] = "127.0.0.1",
) -> None:
    """Look at the ledger in a browser: a read-only Datasette over the store, with pounds,
    descriptions and the questions people ask (needs: pip install 'fsgrant[browse]')."""
    from fsgrant.services.browse import browser

    state: State = ctx.find_root().obj
    served = browser(state.db_path, host=host, port=port)
    sock = served.listen()
    say(f"Serving {state.db_path} read-only at {served.url} (Ctrl+C to stop).")
    served.serve(sock)


def doctor(ctx: typer.Context, fmt: Fmt = OutputFormat.table) -> None:
    """Check the store: integrity, foreign keys, schema version, pragmas, append-only
    triggers, reversals, grant. Exits 1 if there is a problem."""
    findings = ledger(ctx).doctor()
    if fmt is OutputFormat.json:
        emit_json([f.model_dump(mode="json") for f in findings])
    else:
        emit_rows(
            [f.model_dump() for f in findings],
            ["severity", "code", "message"],
            fmt,
            title="fsgrant doctor",
        )
    problems = [f for f in findings if f.problem]
    if problems:
        say(f"fsgrant: {len(problems)} problem(s) found", err=True)
        raise typer.Exit(1)
