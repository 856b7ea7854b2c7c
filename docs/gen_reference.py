"""An MkDocs hook that writes the reference pages made from fsgrant itself, so they
cannot drift: every command (from the typer app), the error codes and exit codes (from
fsgrant.errors), and the store's tables and views (from a fresh store, described in the
words `fsgrant browse` uses). Named in mkdocs.yml under `hooks:`."""

from __future__ import annotations

import inspect
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import typer.main

import fsgrant.errors as errors
from fsgrant.cli import app, load_commands
from fsgrant.store.browse import TABLES
from fsgrant.store.connection import Store


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _arg_name(p: Any) -> str:
    return str(p.metavar or p.name).upper()


# typer carries its own click: parameters and groups are told apart by what they have.
def _param_row(p: Any) -> str:
    if p.param_type_name == "argument":
        name = f"`{_arg_name(p)}`"
        kind = "argument" + ("" if p.required else " (optional)")
        helptext = p.help or ""
    else:
        name = ", ".join(f"`{o}`" for o in (*p.opts, *p.secondary_opts))
        kind = "required" if p.required else "option"
        if p.multiple:
            kind += ", repeatable"
        helptext = p.help or ""
    return f"| {name} | {kind} | {_cell(helptext)} |"


def _command_md(path: list[str], cmd: Any, out: list[str]) -> None:
    title = " ".join(path)
    out.append(f"{'#' * min(len(path) + 1, 4)} `{title}`\n")
    if cmd.help:
        out.append(inspect.cleandoc(cmd.help).split("\f")[0].strip() + "\n")
    group = hasattr(cmd, "commands")
    args = [p for p in cmd.params if p.param_type_name == "argument"]
    usage = " ".join(
        ["[OPTIONS]"]
        + [_arg_name(p) if p.required else f"[{_arg_name(p)}]" for p in args]
        + (["COMMAND [ARGS]..."] if group else [])
    )
    out.append(f"```text\n{title} {usage}\n```\n")
    params = [p for p in cmd.params if not getattr(p, "hidden", False)]
    if params:
        out.append("| name | kind | what it does |\n| --- | --- | --- |")
        out.extend(_param_row(p) for p in params)
        out.append("")
    if group:
        for name, sub in cmd.commands.items():
            if not getattr(sub, "hidden", False):
                _command_md([*path, name], sub, out)


def cli_reference() -> str:
    load_commands()
    root = typer.main.get_command(app)
    out = [
        "# Commands\n",
        "Every command, with its arguments and options, made from the command line "
        "itself when the site is built. `fsgrant COMMAND --help` prints the same.\n",
    ]
    _command_md(["fsgrant"], root, out)
    return "\n".join(out) + "\n"


def errors_reference() -> str:
    out = [
        "# Errors and exit codes\n",
        "Every error fsgrant raises is an `FsgrantError` carrying a stable `code` that a "
        "calling program can match. The command line prints one line on stderr and "
        "exits with **2** for bad input (`InvalidInput` and its subclasses) and **1** "
        "for every other error; **0** means success. A specific error may carry a more "
        "particular code than its class's (for example `read-only` for a store that "
        "cannot be written).\n",
        "```text\n" + errors.__doc__.split("::", 1)[1].split("\n\n", 2)[1] + "\n```\n",
        "| class | code | exit code | meaning |\n| --- | --- | --- | --- |",
    ]
    for name in errors.__all__:
        cls = getattr(errors, name)
        exit_code = 2 if issubclass(cls, errors.InvalidInput) else 1
        doc = _cell(inspect.cleandoc(cls.__doc__ or "").split("\n\n")[0])
        out.append(f"| `{name}` | `{cls.code}` | {exit_code} | {doc} |")
    return "\n".join(out) + "\n"


def store_reference() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fsgrant.db"
        Store.open(path).close()
        con = sqlite3.connect(path)
        try:
            objects = con.execute(
                "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') "
                "AND name NOT LIKE 'sqlite_%' ORDER BY type, name"
            ).fetchall()
            columns = {
                name: con.execute(f'PRAGMA table_info("{name}")').fetchall() for _, name in objects
            }
        finally:
            con.close()
    out = [
        "# Tables and views\n",
        "The tables and views of a fresh store, read from its `sqlite_master` when the "
        "site is built, described in the words `fsgrant browse` shows. Money columns "
        "named `*_pence` are whole pence (integers, with a CHECK).\n",
    ]
    for kind in ("table", "view"):
        out.append(f"## {kind.capitalize()}s\n")
        for k, name in objects:
            if k != kind:
                continue
            meta: dict[str, Any] = TABLES.get(name, {})
            out.append(f"### `{name}`\n")
            if meta.get("description"):
                out.append(_cell(meta["description"]) + "\n")
            described = meta.get("columns", {})
            out.append("| column | type | what it holds |\n| --- | --- | --- |")
            for col in columns[name]:
                out.append(f"| `{col[1]}` | {col[2] or ''} | {_cell(described.get(col[1]))} |")
            out.append("")
    return "\n".join(out) + "\n"


def return_reference() -> str:
    """The return's sheets, in order, laid out from the worked example as at 31 March
    2020: each sheet's headings and column headers, and the Summary's labels."""
    import fsgrant
    from fsgrant.formats.dfe_return import SHEET_NAMES
    from fsgrant.formats.dfe_return.layout import sheet_rows
    from fsgrant.formats.dfe_return.layout_changes import CHANGE_HEADERS
    from fsgrant.services.demo import example_ledger_path

    with tempfile.TemporaryDirectory() as tmp, fsgrant.open(Path(tmp) / "x.db") as fs:
        fs.load(example_ledger_path())
        data = fs.exports.return_data("2019/20", "2020-03-31")
        laid_out = {sheet: list(sheet_rows(sheet, data)) for sheet in SHEET_NAMES}
    out = [
        "# The DfE return's sheets and columns\n",
        "The sheets of the return `fsgrant export return` writes, in their order (a "
        "contract: `fsgrant export verify` reads them back), laid out from the worked "
        "example's 2019/20 return as at 31 March 2020 when the site is built. Every "
        "figure is a value, never a formula: money as a number in `£#,##0.00`, dates as "
        "dates, percentages as numbers. See [Export the DfE return](../how-to/return.md) "
        "for what each sheet is for.\n",
    ]
    for number, sheet in enumerate(SHEET_NAMES, 1):
        out.append(f"## {number}. {sheet}\n")
        seen: set[tuple[str, ...]] = set()
        labels: list[str] = []
        for row in laid_out[sheet]:
            cells = [c for c in row.cells if c is not None and c.value not in (None, "")]
            if row.role == "header" or (cells and all(c.kind == "header" for c in cells)):
                names = tuple(str(c.value) for c in cells)
                if names not in seen:
                    seen.add(names)
                    out.append("Columns: " + ", ".join(f"**{_cell(n)}**" for n in names) + "\n")
            elif cells and cells[0].kind in ("label", "heading") and sheet == SHEET_NAMES[0]:
                labels.append(_cell(str(cells[0].value)))
        if not seen and sheet == SHEET_NAMES[-1]:
            out.append(
                "With no earlier return it says so; after one, columns: "
                + ", ".join(f"**{_cell(n)}**" for n in CHANGE_HEADERS)
                + "\n"
            )
        if labels:
            out.append("Rows (column A): " + "; ".join(labels) + ".\n")
    return "\n".join(out) + "\n"


GENERATED = {
    "reference/return.md": return_reference,
    "reference/commands.md": cli_reference,
    "reference/errors.md": errors_reference,
    "reference/tables.md": store_reference,
}


def on_files(files: Any, config: Any) -> Any:
    """MkDocs' hook: add the generated pages to the site's files."""
    from mkdocs.structure.files import File  # only when building the site

    for uri, make in GENERATED.items():
        files.append(File.generated(config, uri, content=make()))
    return files
