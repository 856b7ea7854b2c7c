"""Shared pieces of the command line: state, error mapping, output formats."""

from __future__ import annotations

import csv
import functools
import io
import json
import shlex
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer

from fsgrant.errors import FsgrantError, InvalidInput, one_line

if TYPE_CHECKING:
    from fsgrant.services.ledger import Ledger

P = ParamSpec("P")
R = TypeVar("R")


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@dataclass
class State:
    db_path: Path


def set_command(ctx: typer.Context) -> None:
    """Record the command line being run, for the audit trail (reset when it ends)."""
    from fsgrant.store.connection import current_command

    prog = Path(sys.argv[0])
    if prog.name == "fsgrant" or (prog.name == "__main__.py" and prog.parent.name == "fsgrant"):
        token = current_command.set(shlex.join(["fsgrant", *sys.argv[1:]]))
        ctx.call_on_close(lambda: current_command.reset(token))


def _embedded_command(ctx: typer.Context) -> str:
    # Run from another program (or a test runner): sys.argv is not ours, so describe
    # the command by its path and the values it was given.
    given = " ".join(f"{k}={v}" for k, v in ctx.params.items() if v not in (None, [], ()))
    return f"fsgrant {' '.join(ctx.command_path.split()[1:])} {given}".strip()


def ledger(ctx: typer.Context, *, create: bool = False) -> Ledger:
    """Open the store named by ``--db`` for this command; closed when it ends."""
    from fsgrant.services.ledger import open_ledger

    state: State = ctx.find_root().obj
    opened = open_ledger(state.db_path, create=create)
    ctx.find_root().call_on_close(opened.close)
    from fsgrant.store.connection import current_command

    if current_command.get() is None:
        token = current_command.set(_embedded_command(ctx))
        ctx.find_root().call_on_close(lambda: current_command.reset(token))
    return opened


def fail(exc: FsgrantError) -> typer.Exit:
    typer.echo(f"fsgrant: error: {one_line(exc.message)}", err=True)
    return typer.Exit(2 if isinstance(exc, InvalidInput) else 1)


def command(
    app: typer.Typer, name: str | None = None, **kwargs: Any
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``app.command`` that turns :class:`FsgrantError` into a clean exit."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kw: P.kwargs) -> R:
            try:
                return fn(*args, **kw)
            except FsgrantError as exc:
                raise fail(exc) from None

        app.command(name, **kwargs)(wrapper)
        return fn

    return decorate


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def emit_rows(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    fmt: OutputFormat,
    *,
    title: str | None = None,
    money: Iterable[str] = (),
    footer: dict[str, Any] | None = None,
) -> None:
    """Print rows as a rich table (for people), CSV or JSON (for machines).

    Money values are ``Decimal``; tables show pounds with separators, CSV and JSON
    two-decimal text.
    """
    from fsgrant.domain.money import format_money, format_pounds

    money_cols = set(money)

    def machine(value: Any) -> Any:
        from datetime import date
        from decimal import Decimal

        if isinstance(value, Decimal):
            return format_money(value)
        if isinstance(value, date):
            return value.isoformat()
        return value

    if fmt is OutputFormat.json:
        emit_json([{c: machine(r.get(c)) for c in columns} for r in rows])
        return
    if fmt is OutputFormat.csv:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow(["" if r.get(c) is None else machine(r.get(c)) for c in columns])
        typer.echo(buf.getvalue(), nl=False)
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, show_footer=footer is not None)
    for c in columns:
        foot = footer.get(c) if footer else None
        if foot is not None and c in money_cols:
            foot = format_pounds(foot)
        table.add_column(
            c.replace("_", " "),
            justify="right" if c in money_cols else "left",
            footer="" if foot is None else str(foot),
        )
    for r in rows:
        # Text cells: user text is shown as typed, never read as Rich markup.
        cells: list[Text] = []
        for c in columns:
            v = r.get(c)
            if v is None:
                cells.append(Text(""))
            elif c in money_cols:
                cells.append(Text(format_pounds(v)))
            else:
                cells.append(Text(str(machine(v))))
        table.add_row(*cells)
    console = Console()
    if not console.is_terminal:
        # Piped or captured: do not squeeze figures into 80 columns.
        console = Console(width=240)
    console.print(table)


FormatOption = typer.Option(
    "--format", "-f", help="table (for people), csv or json (for machines)."
)
