"""The register of submitted returns: submit a return, list and show them."""

from pathlib import Path
from typing import Annotated

import typer

from fsgrant.cli._common import (
    FormatOption,
    OutputFormat,
    command,
    emit_json,
    emit_rows,
    ledger,
    say,
)

return_app = typer.Typer(
    help="Submitted returns: what was sent to DfE, kept with every figure.",
    no_args_is_help=True,
)

Fmt = Annotated[OutputFormat, FormatOption]

_COLUMNS = [
    "id",
    "funding_year",
    "as_at",
    "sent_on",
    "supersedes",
    "reference",
    "file_name",
    "file_sha256",
    "figure_count",
    "closed_through",
    "submitted_at",
    "submitted_by",
]


def register(app: typer.Typer) -> None:
    app.add_typer(return_app, name="return")


@command(return_app, "submit")
def return_submit(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A return written by 'fsgrant export return'.")],
    on: Annotated[
        str | None,
        typer.Option("--on", help="The day it went to DfE (default today)."),
    ] = None,
    reference: Annotated[
        str | None, typer.Option("--reference", help="DfE's reference for the submission.")
    ] = None,
    close: Annotated[
        bool,
        typer.Option("--close", help="Also close the funding year through the as-at date."),
    ] = False,
    resubmission: Annotated[
        bool,
        typer.Option(
            "--resubmission",
            help="It replaces the return already submitted for the same year and as-at date.",
        ),
    ] = False,
) -> None:
    """Record that a return was sent to DfE: the day it went, its file's SHA-256, the
    ledger fingerprint and every figure, who recorded it and when. The file is checked
    as 'export verify' checks it and must match the ledger now; a second return for
    the same year and date needs --resubmission."""
    r = ledger(ctx).returns.submit(
        path, reference=reference, close=close, on=on, resubmission=resubmission
    )
    closed = f"; {r.funding_year} closed through {r.closed_through}" if r.closed_through else ""
    replaces = f", superseding return {r.supersedes}" if r.supersedes else ""
    say(
        f"Recorded return {r.id}: {r.funding_year} as at {r.as_at}, sent on {r.sent_on}"
        f"{replaces}, {r.figure_count} figures, SHA-256 {r.file_sha256[:16]}{closed}."
    )


@command(return_app, "list")
def return_list(
    ctx: typer.Context,
    year: Annotated[str | None, typer.Option("--year", help="Only this funding year.")] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """Every return submitted, oldest first: the day each went to DfE, and which
    earlier return a resubmission supersedes."""
    rows = [
        r.model_dump(exclude={"figures"}) | {"submitted_at": r.submitted_at.isoformat()}
        for r in ledger(ctx).returns.list(year)
    ]
    emit_rows(rows, _COLUMNS, fmt, title="Submitted returns")


@command(return_app, "show")
def return_show(
    ctx: typer.Context,
    return_id: Annotated[int, typer.Argument(help="The return's id (see 'return list').")],
    fmt: Fmt = OutputFormat.table,
) -> None:
    """One submitted return: what identifies it, then every figure as submitted."""
    from fsgrant.domain.submissions import shown_value

    r = ledger(ctx).returns.get(return_id)
    figures = [
        {"sheet": f.sheet, "row": f.row, "column": f.column, "value": shown_value(f)}
        for f in r.figures
    ]
    if fmt is OutputFormat.json:
        head = r.model_dump(mode="json", exclude={"figures"})
        emit_json(head | {"figures": figures})
        return
    if fmt is OutputFormat.table:
        for c in _COLUMNS:
            say(f"{c.replace('_', ' ')}: {getattr(r, c)}")
    emit_rows(figures, ["sheet", "row", "column", "value"], fmt, title=f"Return {r.id}")
