"""The ``fsgrant`` command line: thin over the library.

Each command parses its options, makes one library call and renders the result.
Library errors become one line on stderr and exit code 2 (bad input) or 1 (anything
else the user can fix); no traceback. Heavy modules (pydantic, sqlite_utils,
openpyxl, rich) are imported inside the commands that need them, so ``--help``
starts fast.
"""

from __future__ import annotations

import os
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
) -> None:
    """fsgrant: the Family Safeguarding grant ledger."""
    path = db or Path(os.environ.get("FSGRANT_DB") or "fsgrant.db")
    ctx.obj = State(db_path=path)
    set_command(ctx)


def _register() -> None:
    from fsgrant.cli import admin, conditions, core, export, forecast, imports, posts, returns

    core.register(app)
    posts.register(app)
    forecast.register(app)
    imports.register(app)
    export.register(app)
    admin.register(app)
    returns.register(app)
    conditions.register(app)


_register()


def main() -> None:
    """Console-script entry point."""
    # The command line has no use for third-party pydantic plugins, and looking them
    # up scans the entry points of every installed package on each start-up.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    app()
