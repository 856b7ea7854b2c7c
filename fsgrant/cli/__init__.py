"""The ``fsgrant`` command line: thin over the library.

Each command parses its options, makes one library call and renders the result.
Library errors become one line on stderr and exit code 2 (bad input) or 1 (anything
else the user can fix); no traceback. Heavy modules (pydantic, sqlite_utils,
openpyxl, rich) are imported inside the commands that need them, so ``--help``
starts fast.
"""

import importlib
import os
import re
import sys
import types
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
# rest for --help by their one-line help alone. A command module is imported only
# when a command line names something it registers.
_registry = typer.Typer()

# The command modules (fsgrant.cli.<name>) in the order they register.
COMMAND_MODULES: tuple[str, ...] = (
    "years",
    "spend",
    "commitments",
    "reports",
    "core",
    "posts",
    "forecast",
    "imports",
    "export",
    "admin",
    "returns",
    "conditions",
    "plan",
    "pack",
)

# Each name on the root, in the order --help lists it (commands, then groups), with
# the module that registers it and then any module that adds a command to its group
# (`spend import` comes from the imports module). A test holds this table to what
# the modules register.
ROOT_NAMES: dict[str, tuple[str, ...]] = {
    "init": ("core",),
    "load": ("core",),
    "demo": ("core",),
    "check": ("forecast",),
    "log": ("admin",),
    "backup": ("admin",),
    "doctor": ("admin",),
    "browse": ("admin",),
    "year": ("years",),
    "estimate": ("years",),
    "spend": ("spend", "imports"),
    "receipt": ("spend",),
    "commit": ("commitments",),
    "report": ("reports", "posts", "forecast", "plan", "pack"),
    "category": ("core",),
    "grant": ("core",),
    "post": ("posts",),
    "forecast": ("forecast",),
    "settings": ("forecast",),
    "imports": ("imports",),
    "mapping": ("imports",),
    "export": ("export",),
    "period": ("admin",),
    "return": ("returns",),
    "condition": ("conditions",),
    "plan": ("plan",),
    "measure": ("plan",),
}

_loaded: set[str] = set()


def load_commands(*modules: str) -> None:
    """Import the named command modules (all of them when none is named) and register
    what they define on the root, in the order of :data:`COMMAND_MODULES`."""
    fresh = [m for m in COMMAND_MODULES if (m in modules or not modules) and m not in _loaded]
    for name in fresh:
        importlib.import_module(f"fsgrant.cli.{name}").register(_registry)
        _loaded.add(name)
    if fresh:
        _short_helps(_registry)
        # A group some of whose commands come from other modules lists them in the
        # modules' order, whichever was imported first (sort is stable: each module's
        # own order is kept).
        rank = {f"fsgrant.cli.{m}": i for i, m in enumerate(COMMAND_MODULES)}
        for grp in _registry.registered_groups:
            assert grp.typer_instance is not None
            grp.typer_instance.registered_commands.sort(
                key=lambda c: rank.get(getattr(c.callback, "__module__", ""), -1)
            )


def _command_name(cmd: typer.models.CommandInfo) -> str:
    """The name a registered command is run by (its function's, unless given)."""
    assert cmd.callback is not None
    return cmd.name or typer.main.get_command_name(cmd.callback.__name__)


def _registered(name: str) -> typer.models.CommandInfo | typer.models.TyperInfo | None:
    for cmd in _registry.registered_commands:
        if _command_name(cmd) == name:
            return cmd
    for grp in _registry.registered_groups:
        if grp.name == name:
            return grp
    return None


def _sub_names(info: typer.models.TyperInfo) -> set[str]:
    sub = info.typer_instance
    assert sub is not None
    names = {grp.name for grp in sub.registered_groups if isinstance(grp.name, str)}
    names.update(_command_name(cmd) for cmd in sub.registered_commands)
    return names


class _LazyCommands(MutableMapping[str, click.Command]):
    """The root's commands by name, each converted from typer on first use (and its
    command modules imported then)."""

    def __init__(self, built: MutableMapping[str, click.Command]) -> None:
        self._built = dict(built)
        self._names = list(ROOT_NAMES)

    def _info(self, name: str) -> typer.models.CommandInfo | typer.models.TyperInfo:
        if name not in self._names:
            raise KeyError(name)
        # The name's module and those adding to its group; every module for a name
        # the table does not know (one found by importing them all).
        load_commands(*ROOT_NAMES.get(name, ()))
        info = _registered(name)
        if info is None:
            raise KeyError(name)
        return info

    def resolve(self, name: str, then: str | None) -> None:
        """Build the command a command line names (``then``: the word after it),
        importing only the module that registers it when that is all it needs."""
        if name in self._built:
            return
        modules = ROOT_NAMES.get(name)
        if modules is None:
            # No such command, as far as the table knows: every module is imported, so
            # a name it missed still runs and a typo is answered with suggestions.
            load_commands()
            self._names.extend(n for n in self._registered_names() if n not in self._names)
            return
        owner, *guests = modules
        load_commands(owner)
        info = _registered(name)
        if info is None:
            return
        if guests and not (isinstance(info, typer.models.TyperInfo) and then in _sub_names(info)):
            load_commands(*guests)
        self._built[name] = self._convert(info)

    @staticmethod
    def _registered_names() -> list[str]:
        names = [n for n in (g.name for g in _registry.registered_groups) if isinstance(n, str)]
        names.extend(_command_name(cmd) for cmd in _registry.registered_commands)
        return names

    @staticmethod
    def _convert(info: typer.models.CommandInfo | typer.models.TyperInfo) -> click.Command:
        if isinstance(info, typer.models.CommandInfo):
            return typer.main.get_command_from_info(
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
        return typer.main.get_group_from_info(
            info,
            pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=app.rich_markup_mode,
            suggest_commands=app.suggest_commands,
        )

    def __getitem__(self, name: str) -> click.Command:
        cmd = self._built.get(name)
        if cmd is None:
            cmd = self._convert(self._info(name))  # KeyError for a name that is no command
            self._built[name] = cmd
        return cmd

    def __setitem__(self, name: str, cmd: click.Command) -> None:
        self._built[name] = cmd
        if name not in self._names:
            self._names.append(name)

    def __delitem__(self, name: str) -> None:
        self._built.pop(name, None)
        if name in self._names:
            self._names.remove(name)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._names, *self._built]))

    def __len__(self) -> int:
        return len(set(self._names) | set(self._built))

    def listed(self, name: str) -> click.Command:
        """The command, or a stand-in carrying only what --help lists of it."""
        cmd = self._built.get(name)
        if cmd is not None:
            return cmd
        info = self._info(name)
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

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        lazy = self.commands
        assert isinstance(lazy, _LazyCommands)
        if args:
            lazy.resolve(args[0], args[1] if len(args) > 1 else None)
        return super().resolve_command(ctx, args)

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
        from fsgrant._version import __version__

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
    allow_network_store: Annotated[
        bool,
        typer.Option(
            "--allow-network-store",
            help=(
                "Write a store on a network share or in a synced folder (OneDrive, "
                "Dropbox...) anyway, with a rollback journal and an exclusive lock: only "
                "when no one else writes to it at the same time."
            ),
            envvar="FSGRANT_ALLOW_NETWORK_STORE",
        ),
    ] = False,
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
    ctx.obj = State(db_path=path, allow_network_store=allow_network_store)
    set_command(ctx)


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


_PLUGIN_LOADER = "pydantic.plugin._loader"


def no_plugin_loader() -> None:
    """Stand in for pydantic's plugin loader when its plugins are all disabled.

    pydantic imports the loader when it builds its first validator, and the loader
    imports importlib.metadata (about a tenth of a command's start-up) only to look up
    plugins that PYDANTIC_DISABLE_PLUGINS has turned off: the stand-in answers "no
    plugins" as the loader would. Any other name asked of it brings in the real
    loader, so a pydantic that asks for more gets what it asks for.
    """
    if os.environ.get("PYDANTIC_DISABLE_PLUGINS") not in ("__all__", "1", "true"):
        return
    if _PLUGIN_LOADER in sys.modules:
        return
    stand_in = types.ModuleType(_PLUGIN_LOADER)

    def get_plugins() -> tuple[()]:
        return ()

    def real(name: str) -> Any:
        if name.startswith("__"):  # the import system's questions (__path__...)
            raise AttributeError(name)
        del sys.modules[_PLUGIN_LOADER]
        return getattr(importlib.import_module(_PLUGIN_LOADER), name)

    stand_in.get_plugins = get_plugins  # type: ignore[attr-defined]
    stand_in.__getattr__ = real  # type: ignore[method-assign]
    sys.modules[_PLUGIN_LOADER] = stand_in


def main() -> None:
    """Console-script entry point."""
    # The command line has no use for third-party pydantic plugins, and looking them
    # up scans the entry points of every installed package on each start-up.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    no_plugin_loader()
    app()
