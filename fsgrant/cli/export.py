"""Commands that write files for others: the DfE return, its check, 360Giving."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fsgrant.cli._common import command, fail, ledger

export_app = typer.Typer(
    help="Exports: the DfE return workbook, checking a return, 360Giving data.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")


@command(export_app, "return")
def export_return(
    ctx: typer.Context,
    year: Annotated[str, typer.Option("--year", help="The funding year, e.g. 2019/20.")],
    as_at: Annotated[
        str | None,
        typer.Option(
            "--as-at", help="The date the return speaks for (default today); within the year."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="The .xlsx file to write. Default: exports/<grant>-<year>-return-<as-at>.xlsx.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write the DfE return workbook for a funding year (prints its path)."""
    if out is not None and str(out) == "-":
        from fsgrant.errors import InvalidInput

        raise fail(
            InvalidInput(
                "the DfE return is a workbook, not text for standard output: give --out FILE.xlsx"
            )
        )
    path = ledger(ctx).exports.write_return(year, as_at, out=out, force=force)
    typer.echo(f"Wrote the DfE return to {path}")


@command(export_app, "verify")
def export_verify(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A return written by 'fsgrant export return'.")],
) -> None:
    """Check a return against the store: every figure, and the ledger fingerprint.

    Exits 1, listing the differences, when a figure differs or the store has changed
    since the return was made.
    """
    led = ledger(ctx)
    differences = led.exports.verify(path)
    if not differences:
        typer.echo(f"{path} matches the store: every figure, and the ledger fingerprint.")
        return
    typer.echo(f"{path} does not match the store ({len(differences)} difference(s)):")
    for d in differences:
        typer.echo(f"  {d}")
    raise typer.Exit(1)


@command(export_app, "360giving")
def export_360giving(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="The JSON file to write ('-' for standard output). "
            "Default: exports/<grant>-360giving.json.",
        ),
    ] = None,
    as_at: Annotated[
        str | None, typer.Option("--as-at", help="Awards and payments as at (default today).")
    ] = None,
    funder_org_id: Annotated[
        str | None, typer.Option(help="The funder's org id, instead of the one recorded.")
    ] = None,
    recipient_org_id: Annotated[
        str | None, typer.Option(help="The recipient's org id, instead of the one recorded.")
    ] = None,
    id_prefix: Annotated[
        str | None,
        typer.Option(help="The publisher's 360Giving prefix for grant ids (default 360G-fsgrant)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write the grant as 360Giving data (JSON): confirmed years and payments received."""
    led = ledger(ctx)
    options = {
        "funder_org_id": funder_org_id,
        "recipient_org_id": recipient_org_id,
        "id_prefix": id_prefix,
    }
    if out is not None and str(out) == "-":
        from fsgrant.cli._common import emit_json

        emit_json(led.exports.giving360_package(as_at, **options))
        return
    path = led.exports.write_360giving(out, force, as_at=as_at, **options)
    typer.echo(f"Wrote the 360Giving data package to {path}")
