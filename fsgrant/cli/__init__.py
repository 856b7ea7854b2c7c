"""The ``fsgrant`` command line: thin over the library.

Each command parses its options, makes one library call and renders the result.
Library errors become one line on stderr and exit code 2 (bad input) or 1 (anything
else the user can fix); no traceback. Heavy modules (pydantic, sqlite_utils,
openpyxl, rich) are imported inside the commands that need them, so ``--help``
starts fast.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated

import typer

from fsgrant.cli._common import State, set_command

app = typer.Typer(
    name="fsgrant",
    help="Track the DfE Family Safeguarding grant: funding years, posts, spend against "
    "estimates, forecasts and the DfE return.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain (click) help: typer's rich help imports rich and markdown-it, which more
    # than doubles the start-up of every `fsgrant --help`.
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from fsgrant import __version__

        typer.echo(f"fsgrant {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="The store (an SQLite file). Default: $FSGRANT_DB, else fsgrant.db here.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            is_eager=True,
            callback=_print_version,
        ),
    ] = False,
) -> None:
    """fsgrant: the Family Safeguarding grant ledger."""
    path = db or Path(os.environ.get("FSGRANT_DB") or "fsgrant.db")
    ctx.obj = State(db_path=path)
    set_command(ctx)


def _register() -> None:
    from fsgrant.cli import (
        admin,
        conditions,
        core,
        export,
        forecast,
        imports,
        plan,
        posts,
        returns,
    )

    core.register(app)
    posts.register(app)
    forecast.register(app)
    imports.register(app)
    export.register(app)
    admin.register(app)
    returns.register(app)
    conditions.register(app)
    plan.register(app)


def first_sentence(help_text: str) -> str:
    """The first sentence of a help text, whole (an "e.g." does not end it)."""
    flat = " ".join(help_text.split())
    match = re.search(r"(?<!e\.g)(?<!i\.e)\.(?:\s|$)", flat)
    return flat[: match.end()].strip() if match else flat


def _short_helps(typer_app: typer.Typer) -> None:
    # click cuts a command's help at its first ". " (so "e.g." ends it) and to the
    # terminal's width; a short help given explicitly is shown whole.
    for cmd in typer_app.registered_commands:
        doc = cmd.help or (cmd.callback.__doc__ if cmd.callback else None)
        if cmd.short_help is None and doc:
            cmd.short_help = first_sentence(doc)
    for grp in typer_app.registered_groups:
        sub = grp.typer_instance
        if sub is None:
            continue
        doc = grp.help if isinstance(grp.help, str) else sub.info.help
        if isinstance(doc, str) and not isinstance(sub.info.short_help, str):
            sub.info.short_help = first_sentence(doc)
        _short_helps(sub)


_register()
_short_helps(app)


def main() -> None:
    """Console-script entry point."""
    # The command line has no use for third-party pydantic plugins, and looking them
    # up scans the entry points of every installed package on each start-up.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    app()
