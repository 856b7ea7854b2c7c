"""Commands that write files for others: the DfE return, its check, 360Giving."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from fsgrant.domain.models import AuditEntry

from fsgrant.cli._common import (
    FormatOption,
    LateProgress,
    OutputFormat,
    command,
    emit_json,
    fail,
    ledger,
    say,
)

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
            "--as-at",
            help="The date the return speaks for (default today; once the year has ended, "
            "its last day).",
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
    quarter: Annotated[
        str | None,
        typer.Option(
            "--quarter",
            help="A quarterly return, as at the quarter's end: Q3 (of the funding year, "
            "from its start) or FY2019/20 Q4 (of the financial year).",
        ),
    ] = None,
    from_date: Annotated[
        str | None, typer.Option("--from", help="A return for a period: its first day.")
    ] = None,
    to_date: Annotated[
        str | None, typer.Option("--to", help="A return for a period: its last day.")
    ] = None,
    source_fields: Annotated[
        bool,
        typer.Option(
            "--source-fields",
            help="Add to the Transactions sheet one column per source field of the "
            "imported lines, as text.",
        ),
    ] = False,
) -> None:
    """Write the DfE return workbook for a funding year (prints its path); with
    --quarter (or --from/--to) a quarterly return: the quarter's spend, the year to
    date and the forecast."""
    if out is not None and str(out) == "-":
        from fsgrant.errors import InvalidInput

        raise fail(
            InvalidInput(
                "the DfE return is a workbook, not text for standard output: give --out FILE.xlsx"
            )
        )
    led = ledger(ctx)
    ended = None
    if as_at is None and quarter is None and from_date is None and to_date is None:
        day, finished = led.exports.default_as_at(year)
        if finished:
            as_at, ended = day.isoformat(), day
    bar = LateProgress("Writing the return's transactions")
    try:
        path = led.exports.write_return(
            year,
            as_at,
            out=out,
            force=force,
            quarter=quarter,
            from_date=from_date,
            to_date=to_date,
            source_fields=source_fields,
            progress=bar if sys.stderr.isatty() else None,
        )
    finally:
        bar.close()
    if ended is not None:
        say(
            f"Funding year {year} ended on {ended:%d/%m/%Y}: the return is as at that day "
            "(give --as-at for another)."
        )
    say(f"Wrote the DfE return to {path}")


@command(export_app, "verify")
def export_verify(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A return written by 'fsgrant export return'.")],
    fmt: Annotated[OutputFormat, FormatOption] = OutputFormat.table,
    detail: Annotated[
        bool,
        typer.Option(
            "--detail", help="Also list every figure that moved, cell by cell, and its records."
        ),
    ] = False,
) -> None:
    """Check a return against the register and the store.

    Says first, in one line, whether the file is the one submitted (its SHA-256) and
    whether the ledger still gives the same figures; then each correction since (a
    record dated inside the return, recorded after it was sent) once, in words, with
    its effect; the headline figures it moved (submitted, now, change); then the
    changes of estimate since (records dated later: they move later returns only).
    --detail (or --format json) lists every figure moved, cell by cell. Exits 1 when
    a figure moved.
    """
    check = ledger(ctx).exports.verify(path)
    if fmt is OutputFormat.json:
        emit_json(
            {
                "file": check.file,
                "funding_year": check.funding_year,
                "as_at": check.as_at.isoformat(),
                "file_matches_submission": check.file_matches_submission,
                "submission": None if check.submission is None else check.submission.id,
                "ledger_matches": check.ledger_matches,
                "fingerprint_matches": check.fingerprint_matches,
                "edited": list(check.edited),
                "changes": [
                    {
                        "sheet": c.sheet,
                        "row": c.row,
                        "column": c.column,
                        "submitted": c.submitted,
                        "now": c.now,
                        "because": [_because(e) for e in c.because],
                    }
                    for c in check.changes
                ],
                "causes": [
                    {
                        "entry": None if c.entry is None else c.entry.id,
                        "words": c.words,
                        "amount": None if c.amount is None else str(c.amount),
                        "dated": None if c.dated is None else c.dated.isoformat(),
                        "headline": list(c.headline),
                        "figures_moved": c.figures_moved,
                    }
                    for c in check.causes
                ],
                "headline": [
                    {
                        "figure": h.figure,
                        "submitted": h.submitted,
                        "now": h.now,
                        "change": None if h.change is None else str(h.change),
                        "causes": h.causes,
                    }
                    for h in check.headline
                ],
                "changes_of_estimate": [_because(e) for e in check.changes_of_estimate],
            }
        )
    else:
        from fsgrant.cli.verify_text import verify_lines

        for line in verify_lines(check, detail=detail):
            say(line)
    if not check.ledger_matches or check.file_matches_submission is False or check.edited:
        raise typer.Exit(1)


def _because(e: "AuditEntry") -> dict[str, object]:
    return {
        "id": e.id,
        "action": e.action,
        "subject": e.subject,
        "at": e.at.isoformat(),
        "by": e.user,
        "detail": e.detail,
    }


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
        emit_json(led.exports.giving360_package(as_at, **options))
        return
    path = led.exports.write_360giving(out, force, as_at=as_at, **options)
    say(f"Wrote the 360Giving data package to {path}")
