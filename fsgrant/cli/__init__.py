"""The ``fsgrant`` command line: thin over the library.

Each command parses its options, makes one library call and renders the result.
Library errors become one line on stderr and exit code 2 (bad input) or 1 (anything
else the user can fix); no traceback. Heavy modules (pydantic, sqlite_utils,
openpyxl, rich) are imported inside the commands that need them, so ``--help``
starts fast.
"""

import os
import re
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core
import typer.main

try:  # typer 0.2x carries its own copy of click
    from typer import _click as click
except ImportError:  # pragma: no cover - an older typer, over click itself
    import click  # type: ignore[no-redef]

from fsgrant.cli._common import State, say, set_command

# The command modules register their groups and commands here; the root group below
# turns into click commands only the one a command line names (typer reads every
# parameter of every function it converts, the bulk of a start-up), and lists the
# rest for --help by their one-line help alone.
_registry = typer.Typer()


class _LazyCommands(MutableMapping[str, click.Command]):
    """The root's commands by name, each converted from typer on first use."""

    def __init__(self, built: MutableMapping[str, click.Command]) -> None:
        self._built = dict(built)
        self._infos: dict[str, typer.models.CommandInfo | typer.models.TyperInfo] = {}
        for cmd in _registry.registered_commands:
            assert cmd.callback is not None
            self._infos[cmd.name or typer.main.get_command_name(cmd.callback.__name__)] = cmd
        for grp in _registry.registered_groups:
            assert isinstance(grp.name, str)
            self._infos[grp.name] = grp

    def __getitem__(self, name: str) -> click.Command:
        cmd = self._built.get(name)
        if cmd is None:
            info = self._infos[name]  # KeyError for a name that is no command
            if isinstance(info, typer.models.CommandInfo):
                cmd = typer.main.get_command_from_info(
                    info,
                    pretty_exceptions_short=app.pretty_exceptions_short,
                    rich_markup_mode=app.rich_markup_mode,
                )
            else:
                cmd = typer.main.get_group_from_info(
                    info,
                    pretty_exceptions_short=app.pretty_exceptions_short,
                    rich_markup_mode=app.rich_markup_mode,
                    suggest_commands=app.suggest_commands,
                )
            self._built[name] = cmd
        return cmd

    def __setitem__(self, name: str, cmd: click.Command) -> None:
        self._built[name] = cmd

    def __delitem__(self, name: str) -> None:
        self._built.pop(name, None)
        self._infos.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._infos, *self._built]))

    def __len__(self) -> int:
        return len(set(self._infos) | set(self._built))

    def listed(self, name: str) -> click.Command:
        """The command, or a stand-in carrying only what --help lists of it."""
        cmd = self._built.get(name)
        if cmd is not None:
            return cmd
        info = self._infos[name]
        if isinstance(info, typer.models.CommandInfo):
            short, hidden = info.short_help, info.hidden
        else:
            sub = info.typer_instance
            assert sub is not None
            short = info.short_help if isinstance(info.short_help, str) else sub.info.short_help
            hidden = info.hidden if isinstance(info.hidden, bool) else sub.info.hidden
        assert isinstance(short, str), name  # _short_helps gave every one its help
        return typer.core.TyperCommand(name, short_help=short, hidden=bool(hidden))


class _LazyGroup(typer.core.TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands(self.commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        # In the order registered, as typer lists them, without building any.
        return list(self.commands)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lazy = self.commands
        assert isinstance(lazy, _LazyCommands)
        rows = [(name, lazy.listed(name)) for name in self.list_commands(ctx)]
        rows = [(name, cmd) for name, cmd in rows if not cmd.hidden]
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in rows])


app = typer.Typer(
    cls=_LazyGroup,
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

        say(f"fsgrant {__version__}")
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
        reports,
        returns,
        spend,
        years,
    )

    years.register(_registry)
    spend.register(_registry)
    reports.register(_registry)
    core.register(_registry)
    posts.register(_registry)
    forecast.register(_registry)
    imports.register(_registry)
    export.register(_registry)
    admin.register(_registry)
    returns.register(_registry)
    conditions.register(_registry)
    plan.register(_registry)


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
_short_helps(_registry)


def main() -> None:
    """Console-script entry point."""
    # The command line has no use for third-party pydantic plugins, and looking them
    # up scans the entry points of every installed package on each start-up.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    app()
