"""Commands for importing finance-system extracts: ``spend import``, ``imports``,
``mapping check``."""

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from fsgrant.cli._common import (
    FormatOption,
    LateProgress,
    OutputFormat,
    command,
    emit_json,
    emit_rows,
    ledger,
    say,
)

imports_app = typer.Typer(
    help="Import batches: what each import read and added.", no_args_is_help=True
)
mapping_app = typer.Typer(
    help="Mappings from finance-system extracts to spend lines.", no_args_is_help=True
)

Fmt = Annotated[OutputFormat, FormatOption]
MappingOpt = Annotated[
    Path | None,
    typer.Option(
        "--mapping",
        "-m",
        help="Mapping TOML (columns, filters, category rules), or 'transparency-code' for "
        "the spending over £500 file councils publish. Default: fsgrant's own columns "
        "date,amount,category,post,supplier,description,reference,year.",
    ),
]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        "-w",
        help='Keep only rows whose COLUMN is VALUE: "Expense Area=Children\'s Services"; '
        "several values A|B; COLUMN!=VALUE drops rows; ~= ignores case. Repeat to add filters.",
    ),
]


def _stamp(moment: Any) -> str:
    """One timestamp format everywhere: ISO 8601, UTC, to the second (``...T15:00:38Z``)."""
    from datetime import UTC

    return str(moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


def register(app: typer.Typer) -> None:
    from fsgrant.cli.spend import spend_app

    command(spend_app, "import")(spend_import)
    app.add_typer(imports_app, name="imports")
    app.add_typer(mapping_app, name="mapping")


def spend_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The extract: CSV or XLSX.")],
    mapping: MappingOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read, check and deduplicate; store nothing.")
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Store the good rows and write the bad ones to the rejects file, instead of "
            "refusing the whole file.",
        ),
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects",
            help="Where --skip-invalid writes rejected rows (CSV with a reason column). "
            "Default: FILE's name with -rejects.csv, beside it.",
        ),
    ] = None,
    where: WhereOpt = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Refuse the file when a filter keeps none of its rows (else a warning).",
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing rejects file.")
    ] = False,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """Import spend lines from a finance-system extract: all of the file or none of it;
    lines already imported are not imported again."""
    led = ledger(ctx)
    if skip_invalid and rejects is None:
        from fsgrant.imports.rejects import rejects_beside

        rejects = rejects_beside(file)
    bar = LateProgress(f"Importing {file.name}")
    try:
        result = led.imports.import_file(
            file,
            None if mapping is None else str(mapping),
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            rejects=rejects,
            progress=bar if sys.stderr.isatty() and fmt is not OutputFormat.json else None,
            where=where or (),
            strict=strict,
            force=force,
        )
    finally:
        bar.close()
    if fmt is OutputFormat.json:
        emit_json(result.model_dump(mode="json"))
        return
    from fsgrant.domain.money import format_money, format_pounds

    if result.already_imported_as is not None:
        say(
            f"{result.file_name} was already imported as batch {result.already_imported_as} "
            f"(the same file, SHA-256 {result.sha256[:12]}..., through the same mapping): "
            "nothing was added and no batch recorded.",
            err=fmt is not OutputFormat.table,
        )
        if fmt is OutputFormat.table:
            if result.header_line is not None:
                reason = f": {result.header_reason}" if result.header_reason else ""
                say(f"Header found on line {result.header_line}{reason}.")
            return
    if result.dry_run:
        title = f"Dry run of {result.file_name} (nothing stored)"
    else:
        title = f"Imported {result.file_name} as batch {result.batch_id}"
    rows = result.summary_rows()
    if fmt is OutputFormat.csv:
        rows.append({"what": "total added", "count": format_money(result.total_added)})
        emit_rows(rows, ["what", "count"], fmt)
        return
    emit_rows(
        rows,
        ["what", "count"],
        fmt,
        title=title,
        footer={"what": "total added", "count": format_pounds(result.total_added)},
    )
    if result.header_line is not None:
        reason = f": {result.header_reason}" if result.header_reason else ""
        say(f"Header found on line {result.header_line}{reason}.")
    for warning in result.warnings:
        say(f"Warning: {warning}", err=True)
    if result.earlier_batches:
        batches = ", ".join(str(b) for b in result.earlier_batches)
        say(
            f"This file was imported before (batch {batches}); "
            f"{result.rows_added} new line(s) {'would be' if result.dry_run else 'were'} added."
        )
    for r in result.rejects:
        say(f"  rejected line {r.line}{f' ({r.field})' if r.field else ''}: {r.reason}")
    if result.rows_rejected > len(result.rejects):
        say(f"  ... and {result.rows_rejected - len(result.rejects)} more")
    if result.rejects_file:
        say(f"Rejected rows, with reasons, written to {result.rejects_file}.")


# ---------------------------------------------------------------- imports
BATCH_COLUMNS = [
    "id",
    "file_name",
    "imported_at",
    "imported_by",
    "rows_read",
    "rows_added",
    "rows_duplicate",
    "rows_skipped",
    "rows_zero",
    "rows_rejected",
    "amounts_snapped",
    "total_added",
    "sha256",
]


def _batch_row(b: Any, fmt: OutputFormat) -> dict[str, Any]:
    row: dict[str, Any] = b.model_dump()
    row["imported_at"] = _stamp(b.imported_at)
    row["skipped_by"] = "; ".join(f"{k}: {v}" for k, v in b.skipped_by.items())
    if fmt is OutputFormat.table:
        row["sha256"] = b.sha256[:12]
    return row


@command(imports_app, "list")
def imports_list(ctx: typer.Context, fmt: Fmt = OutputFormat.table) -> None:
    """List import batches: file, sha256, when, by whom, rows read, added, duplicate,
    skipped, zero, rejected, total added."""
    rows = [_batch_row(b, fmt) for b in ledger(ctx).imports.list()]
    emit_rows(rows, BATCH_COLUMNS, fmt, title="Import batches", money=("total_added",))


@command(imports_app, "show")
def imports_show(
    ctx: typer.Context,
    batch_id: Annotated[int, typer.Argument(metavar="ID", help="The import batch.")],
    fmt: Fmt = OutputFormat.table,
) -> None:
    """Show one import batch and the spend lines it added, with their source lines."""
    led = ledger(ctx)
    batch = led.imports.get(batch_id)
    lines = led.imports.lines(batch_id)
    cols = ["id", "source_line", "date", "amount", "category", "post", "supplier", "reference"]
    if fmt is OutputFormat.json:
        emit_json(
            {
                "batch": batch.model_dump(mode="json"),
                "lines": [x.model_dump(mode="json") for x in lines],
            }
        )
        return
    rows = [x.model_dump() for x in lines]
    if fmt is OutputFormat.table:
        from fsgrant.cli._record import emit_record

        facts = _batch_row(batch, OutputFormat.csv)
        facts.pop("mapping", None)
        emit_record(facts, fmt, title=f"Import batch {batch.id}", money=("total_added",))
    emit_rows(rows, cols, fmt, title=f"Lines added by batch {batch.id}", money=("amount",))


# ---------------------------------------------------------------- mapping
@command(mapping_app, "check")
def mapping_check(
    ctx: typer.Context,
    mapping: Annotated[
        str, typer.Argument(help="The mapping TOML, or a built-in name: transparency-code.")
    ],
    file_arg: Annotated[
        Path | None, typer.Argument(metavar="[FILE]", help="An extract to preview the import of.")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="An extract to preview the import of.")
    ] = None,
    where: WhereOpt = None,
    rows: Annotated[int, typer.Option("--rows", help="How many sample rows to show.")] = 10,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """Check a mapping; with an extract, preview its import without storing anything:
    the header found, the columns matched, the rows each filter keeps, the categories
    each rule gives, and sample lines."""
    led = ledger(ctx)
    extract = file or file_arg
    if extract is None:
        mp = led.imports.mapping(mapping, where=where or ())
        if fmt is OutputFormat.json:
            emit_json(mp.model_dump(mode="json", exclude={"optional_columns"}))
            return
        say(f"{mapping}: a valid mapping; the extract needs the columns:")
        for name in mp.required_columns():
            say(f"  {name}")
        for f in mp.filters():
            say(f"Filter: skip rows where {f.label()}.")
        _say_patterns(mp.patterns())
        return
    check = led.imports.check_mapping(extract, mapping, rows=rows, where=where or ())
    if fmt is OutputFormat.json:
        emit_json(check.model_dump(mode="json"))
        return
    if fmt is OutputFormat.table:
        where_ = ", ".join(f"{k} {v!r}" for k, v in check.details.items())
        say(
            f"{check.file_name} ({check.kind}{', ' + check.encoding if check.encoding else ''}"
            f"{', ' + where_ if where_ else ''}): header on line {check.header_line} "
            f"({check.header_reason or 'found by ' + check.header_found_by}); duplicates found by {check.dedupe_by}."
        )
        say(
            "Mapped columns: "
            + ", ".join(f"{role} = '{col}'" for role, col in check.columns.items())
        )
        say(
            f"{check.rows_read:,} rows read, {check.rows_kept:,} kept by the filters "
            f"({check.rows_zero:,} of 0.00, {check.rows_totals:,} totals rows, "
            f"{check.rows_error:,} with errors)."
        )
        emit_rows(
            [f.model_dump() for f in check.filters],
            ["filter", "rows_seen", "rows_kept"],
            fmt,
            title="Filters",
            figures=["rows_seen", "rows_kept"],
        )
        emit_rows(
            [c.model_dump() for c in check.categories],
            ["category", "rule", "rows"],
            fmt,
            title="Categories",
            figures=["rows"],
        )
        _say_patterns(check.patterns, check.pattern_seconds)
        for warning in check.warnings:
            say(f"Warning: {warning}", err=True)
    cols = [
        "line",
        "status",
        "date",
        "amount",
        "category",
        "post",
        "supplier",
        "description",
        "reference",
        "reason",
    ]
    emit_rows(
        [r.model_dump() for r in check.rows],
        cols,
        fmt,
        title=f"First rows of {check.file_name}",
        money=("amount",),
    )


def _say_patterns(patterns: Sequence[str], seconds: float | None = None) -> None:
    """The rules' patterns, and the time bound each runs under."""
    if not patterns:
        return
    if seconds is None:
        from fsgrant.imports.row_rules import PATTERN_SECONDS

        seconds = PATTERN_SECONDS
    say(
        f"Patterns: {', '.join(repr(p) for p in patterns)}; each runs at most {seconds:g} s "
        "on a cell (a slower match refuses the row, naming the pattern)."
    )
