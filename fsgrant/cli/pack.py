"""``fsgrant report pack``: the month-end pack for a programme board, as one HTML page
(charts inline), Markdown for an e-mail, or JSON for other tools."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from fsgrant.cli import reports
from fsgrant.cli._common import command, emit_json, ledger, say


class PackFormat(str, Enum):
    html = "html"
    md = "md"
    json = "json"


def register(app: typer.Typer) -> None:
    command(reports.report_app, "pack")(report_pack)


def report_pack(
    ctx: typer.Context,
    as_at: Annotated[
        str | None, typer.Option("--as-at", help="The pack as at this date (default today).")
    ] = None,
    year: Annotated[
        str | None,
        typer.Option("--year", help="Funding year (default: the one --as-at falls in)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="The file to write ('-' or none: standard output, not html)."),
    ] = None,
    fmt: Annotated[
        PackFormat,
        typer.Option("--format", "-f", help="html (one self-contained page), md or json."),
    ] = PackFormat.html,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """The month-end pack: where the grant stands, variance to date by category with
    RAG, spend against profile and posts by status (charts), blocked and vacant posts,
    conditions and what changed since the last return. HTML needs the pack extra:
    pip install 'fsgrant[pack]'."""
    from fsgrant.errors import InvalidInput
    from fsgrant.formats.pack import render_html, render_markdown, write_pack

    to_stdout = out is None or str(out) == "-"
    if to_stdout and fmt is PackFormat.html:
        raise InvalidInput(
            "the HTML pack is a file: give --out FILE.html (or --format md for text)",
            field="out",
        )
    led = ledger(ctx)
    pack = led.reports.pack(as_at, year)
    if fmt is PackFormat.json:
        if to_stdout:
            emit_json(pack.model_dump(mode="json"))
            return
        text = pack.model_dump_json(indent=2) + "\n"
    else:
        text = render_html(pack) if fmt is PackFormat.html else render_markdown(pack)
        if to_stdout:
            typer.echo(text, nl=False)
            return
    assert out is not None
    path = write_pack(text, out, force=force, inputs=(led.path,))
    say(f"Wrote the month-end pack ({fmt.value}, {path.stat().st_size:,} bytes): {path}")
