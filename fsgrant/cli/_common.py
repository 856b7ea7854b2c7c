"""Shared pieces of the command line: state, error mapping, output formats."""

import contextlib
import functools
import json
import re
import shlex
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer
from typer.core import TyperCommand

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
    allow_network_store: bool = False


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


def ledger(ctx: typer.Context, *, create: bool = False) -> "Ledger":
    """Open the store named by ``--db`` for this command; closed when it ends."""
    from fsgrant.services.ledger import open_ledger

    state: State = ctx.find_root().obj
    opened = open_ledger(
        state.db_path, create=create, allow_network_store=state.allow_network_store
    )
    ctx.find_root().call_on_close(opened.close)
    from fsgrant.store.connection import current_command

    if current_command.get() is None:
        token = current_command.set(_embedded_command(ctx))
        ctx.find_root().call_on_close(lambda: current_command.reset(token))
    return opened


@contextlib.contextmanager
def new_store(ctx: typer.Context) -> Iterator["Ledger"]:
    """The store of a command that fills a new one (``init``, ``load``): when the file
    did not exist and the command is refused, the file it made is removed, so a
    refusal leaves nothing behind."""
    path = ctx.find_root().obj.db_path
    fresh = not path.exists()
    led = ledger(ctx, create=True)
    try:
        yield led
    except BaseException:
        if fresh:
            led.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        raise


# Library messages name library parameters; the command line names its options.
_CLI_WORDS = (
    ("pass force=True to replace it", "use --force to replace it"),
    ("to_date ", "--to "),
    ("from_date ", "--from "),
)


def fail(exc: FsgrantError) -> typer.Exit:
    message = exc.message
    for library, cli in _CLI_WORDS:
        message = message.replace(library, cli)
    typer.echo(f"fsgrant: error: {one_line(message)}", err=True)
    return typer.Exit(2 if isinstance(exc, InvalidInput) else 1)


# A negative amount as fsgrant prints it (-12.00, -£1,250.00) would be read by click
# as a cluster of short options. Such a token is handed to the command with the
# typographic minus sign (U+2212) instead, which the money rule reads as a minus.
_NEGATIVE_AMOUNT = re.compile(r"^-£?[0-9][0-9,]*(?:\.[0-9]+)?$")


class Command(TyperCommand):
    """A command whose arguments may be negative amounts typed as fsgrant prints them."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # An option's value is taken as typed (click reads "--amount -5" already);
        # only an argument in an argument's place is changed.
        takes_value = {
            opt
            for p in self.params
            if p.param_type_name == "option"
            and not getattr(p, "is_flag", False)
            and not getattr(p, "count", False)
            for opt in p.opts
        }
        given: list[str] = []
        for i, arg in enumerate(args):
            if arg == "--":
                given.extend(args[i:])
                break
            after_option = bool(given) and given[-1] in takes_value
            if _NEGATIVE_AMOUNT.match(arg) and not after_option:
                arg = "\u2212" + arg[1:]
            given.append(arg)
        return super().parse_args(ctx, given)


def command(
    app: typer.Typer, name: str | None = None, **kwargs: Any
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``app.command`` that turns :class:`FsgrantError` into a clean exit and reads
    negative amounts as arguments."""
    kwargs.setdefault("cls", Command)

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


def say(*lines: object, err: bool = False) -> None:
    """Print a message for a person (a confirmation, a note, a warning), one argument
    a line. User text in it is shown as tables show it: control characters (an escape
    sequence, a line break) and bidirectional overrides as visible marks, never sent to
    the terminal. Every message the command line prints goes through here; data output
    (CSV, JSON) does not, and keeps text as stored."""
    from fsgrant.cli._render import display_text

    typer.echo("\n".join(display_text(str(line)) for line in lines), err=err)


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def machine(value: Any) -> Any:
    """A value as CSV and JSON carry it: money as two-decimal text, dates as ISO."""
    from datetime import date
    from decimal import Decimal

    from fsgrant.domain.money import format_money

    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def emit_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """Rows as CSV, text cells that would start a formula neutralised (money and dates
    are plain values)."""
    from fsgrant.formats.csv_safe import csv_text

    def cell(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, list | tuple):
            return "; ".join(str(v) for v in value)
        return machine(value)

    # color=True: click would otherwise strip what looks like an ANSI escape from
    # the data when the output is not a terminal.
    typer.echo(
        csv_text(columns, ([cell(r.get(c)) for c in columns] for r in rows)), nl=False, color=True
    )


def emit_rows(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    fmt: OutputFormat,
    *,
    title: str | None = None,
    money: Iterable[str] = (),
    footer: dict[str, Any] | None = None,
    figures: Iterable[str] = (),
) -> None:
    """Print rows as a table (for people), CSV or JSON (for machines).

    Money values are ``Decimal``; tables show pounds with separators, CSV and JSON
    two-decimal text. Money columns and the ``figures`` columns (measures, counts) are
    right-aligned in a table, so their digits line up. A ``footer`` (the total row) is printed in every format: as
    the table's footer, and as a last row in CSV and JSON.
    """
    from datetime import date
    from decimal import Decimal

    from fsgrant.domain.money import format_pounds

    money_cols = set(money)
    right_cols = money_cols | set(figures)
    every = [*rows, footer] if footer is not None else list(rows)
    if fmt is OutputFormat.json:
        emit_json([{c: machine(r.get(c)) for c in columns} for r in every])
        return
    if fmt is OutputFormat.csv:
        emit_csv(every, columns)
        return
    from fsgrant.cli._render import Column, is_fixed_text, print_table

    def shown(c: str, v: Any) -> str:
        if v is None:
            return ""
        if c in money_cols and isinstance(v, Decimal):
            return format_pounds(v)
        if isinstance(v, list | tuple):
            return "; ".join(str(x) for x in v)
        return str(machine(v))

    table = []
    for c in columns:
        values = [r.get(c) for r in rows]
        fixed = c in money_cols or any(
            isinstance(v, date | Decimal | int | bool) or (isinstance(v, str) and is_fixed_text(v))
            for v in values
        )
        foot = footer.get(c) if footer else None
        table.append(
            Column(
                header=c.replace("_", " "),
                right=c in right_cols,
                fixed=fixed,
                cells=[shown(c, v) for v in values],
                footer=None if footer is None else shown(c, foot),
            )
        )
    print_table(table, title)


FormatOption = typer.Option(
    "--format", "-f", help="table (for people), csv or json (for machines)."
)


class LateProgress:
    """A progress bar on standard error that appears only once the work has taken
    more than ``after`` seconds (a quick return shows none); called with the share
    done, 0.0 to 1.0."""

    def __init__(self, label: str, after: float = 1.0) -> None:
        self.label = label
        self.after = after
        self.started = time.monotonic()
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: float) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < self.after:
                return
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=1.0)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
