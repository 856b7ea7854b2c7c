"""Commands for spend lines and grant receipts: add, list, show and reverse."""

from typing import Annotated, Any

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

spend_app = typer.Typer(
    help="Spend lines: add, accrue, list and reverse (lines are never edited).",
    no_args_is_help=True,
)
receipt_app = typer.Typer(help="Grant payments received from the funder.", no_args_is_help=True)

Fmt = Annotated[OutputFormat, FormatOption]


def register(app: typer.Typer) -> None:
    app.add_typer(spend_app, name="spend")
    app.add_typer(receipt_app, name="receipt")


# ---------------------------------------------------------------- spend
SPEND_COLUMNS = [
    "id",
    "date",
    "amount",
    "category",
    "post",
    "supplier",
    "description",
    "reference",
    "funding_year",
    "financial_year",
    "reverses",
    "reversed_by",
    "accrual",
]


def spend_row(line: Any) -> dict[str, Any]:
    row: dict[str, Any] = line.model_dump()
    row["financial_year"] = line.financial_year
    # An accrual and its reversal, marked and linked: "accrual (reversed by 12)".
    if line.accrual == "accrual":
        row["accrual"] = f"accrual (reversed by {line.accrual_reversed_by})"
    elif line.accrual == "reversal":
        row["accrual"] = f"reversal of accrual {line.accrual_of}"
    return row


@command(spend_app, "add")
def spend_add(
    ctx: typer.Context,
    date: Annotated[str, typer.Argument(help="Date spent, ISO or day-first (04/02/2020).")],
    amount: Annotated[
        str, typer.Argument(help="Amount, e.g. 1234.56; a credit as -12.00, -£12.00 or (12.00).")
    ],
    category: Annotated[str, typer.Argument(help="Cost category, e.g. staffing or training.")],
    post: Annotated[str | None, typer.Option("--post", help="The post it pays for.")] = None,
    supplier: Annotated[str | None, typer.Option("--supplier")] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    ref: Annotated[
        str | None, typer.Option("--ref", help="Source reference, e.g. invoice or journal number.")
    ] = None,
    year: Annotated[
        str | None, typer.Option("--year", help="Charge to this funding year explicitly.")
    ] = None,
    fmt: Annotated[
        OutputFormat,
        typer.Option(
            "--format", "-f", help="table (the id) or json (the line, possible_duplicate_of)."
        ),
    ] = OutputFormat.table,
) -> None:
    """Record a spend line; says what was recorded: ``#57 £1,234.56 training,
    20/03/2020, funding year 2019/20 (Acme)``. Warns (on stderr) when a line of the same
    date and amount, and the same supplier or reference, is stored already."""
    spend = ledger(ctx).spend
    line = spend.add(
        date,
        amount,
        category,
        post=post,
        supplier=supplier,
        description=description,
        reference=ref,
        year=year,
    )
    twin = spend.possible_duplicate(line)
    if twin is not None:
        say(
            f"Warning: line {twin} has the same date, amount and "
            f"{'reference' if spend.get(twin).reference == line.reference and line.reference else 'supplier'}"
            f": is line {line.id} the same invoice keyed twice? (reverse it with "
            f"'fsgrant spend reverse {line.id} --reason ...' if so)",
            err=True,
        )
    if fmt is OutputFormat.json:
        emit_json(
            {
                **line.model_dump(mode="json"),
                "financial_year": line.financial_year,
                "possible_duplicate_of": twin,
            }
        )
        return
    from fsgrant.cli._words import spend_words

    say(spend_words(line))


@command(spend_app, "accrue")
def spend_accrue(
    ctx: typer.Context,
    date: Annotated[str, typer.Argument(help="Date accrued to, e.g. 31/03/2020.")],
    amount: Annotated[str, typer.Argument(help="Amount of the work done, not yet invoiced.")],
    category: Annotated[str, typer.Argument(help="Cost category, e.g. training.")],
    reverse_on: Annotated[
        str | None,
        typer.Option("--reverse-on", help="Date of the reversal (default: the next day)."),
    ] = None,
    ref: Annotated[
        str | None, typer.Option("--ref", help="Reference, e.g. the purchase order number.")
    ] = None,
    supplier: Annotated[str | None, typer.Option("--supplier")] = None,
    post: Annotated[str | None, typer.Option("--post", help="The post it pays for.")] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
) -> None:
    """Accrue work done but not yet invoiced, with its reversal (linked; both or neither)."""
    from fsgrant.domain.money import format_pounds

    accrual, reversal = ledger(ctx).spend.accrue(
        date,
        amount,
        category,
        reverse_on=reverse_on,
        reference=ref,
        supplier=supplier,
        post=post,
        description=description,
    )
    say(
        f"Line {accrual.id} accrues {format_pounds(accrual.amount)} on {accrual.date} "
        f"({accrual.financial_year}); line {reversal.id} reverses it on {reversal.date} "
        f"({reversal.financial_year})."
    )


@command(spend_app, "list")
def spend_list(
    ctx: typer.Context,
    year: Annotated[str | None, typer.Option("--year", help="Only this funding year.")] = None,
    financial_year: Annotated[
        str | None,
        typer.Option("--financial-year", help="Only this financial year, e.g. FY2019/20."),
    ] = None,
    category: Annotated[str | None, typer.Option("--category", help="Only this category.")] = None,
    from_date: Annotated[str | None, typer.Option("--from", help="Dated on or after.")] = None,
    to_date: Annotated[str | None, typer.Option("--to", help="Dated on or before.")] = None,
    post: Annotated[str | None, typer.Option("--post", help="Only lines naming this post.")] = None,
    supplier: Annotated[
        str | None,
        typer.Option("--supplier", help="Only suppliers whose name contains this (any case)."),
    ] = None,
    batch: Annotated[
        int | None, typer.Option("--batch", help="Only lines added by this import batch.")
    ] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """List spend lines, with funding year and financial year; every filter applies."""
    lines = ledger(ctx).spend.list(
        year=year,
        financial_year=financial_year,
        category=category,
        from_date=from_date,
        to_date=to_date,
        post=post,
        supplier=supplier,
        batch=batch,
    )
    rows = [spend_row(x) for x in lines]
    from fsgrant.domain.reports import sum_money

    if fmt is OutputFormat.table and _narrow(rows):
        from fsgrant.cli._narrow import print_spend_narrow

        print_spend_narrow(lines, sum_money(x.amount for x in lines))
        return

    emit_rows(
        rows,
        SPEND_COLUMNS,
        fmt,
        title="Spend",
        money=("amount",),
        # A listing of records (re-importable as CSV): the total is for people only.
        footer={"id": "Total", "amount": sum_money(x.amount for x in lines)}
        if fmt is OutputFormat.table
        else None,
    )


def _narrow(rows: list[dict[str, Any]]) -> bool:
    """Whether the wide spend table would not fit the terminal as a table."""
    from fsgrant.cli._narrow import wide_fits
    from fsgrant.cli._render import console

    return bool(rows) and not wide_fits(rows, SPEND_COLUMNS, console(240).width)


@command(spend_app, "show")
def spend_show(
    ctx: typer.Context,
    line_id: Annotated[int, typer.Argument(metavar="ID", help="The spend line.")],
    fmt: Fmt = OutputFormat.table,
) -> None:
    """Show one spend line: every field and, for an imported line, its whole source row."""
    line = ledger(ctx).spend.get(line_id)
    if fmt is OutputFormat.json:
        emit_json({**line.model_dump(mode="json"), "financial_year": line.financial_year})
        return
    from fsgrant.cli._record import emit_record

    row = spend_row(line)
    fields = row.pop("source_fields") or {}
    emit_record(row, fmt, title=f"Spend line {line.id}", money=("amount",))
    if fields:
        emit_rows(
            [{"column": k, "value": v} for k, v in fields.items()],
            ["column", "value"],
            fmt,
            title=f"Source row (batch {line.import_batch}, line {line.source_line})",
        )


@command(spend_app, "reverse")
def spend_reverse(
    ctx: typer.Context,
    line_id: Annotated[int, typer.Argument(metavar="ID", help="The spend line to reverse.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is reversed.")],
) -> None:
    """Reverse a spend line (the correction nets it to zero in the same period)."""
    from fsgrant.cli._words import spend_words

    r = ledger(ctx).spend.reverse(line_id, reason)
    say(f"{spend_words(r)}, reversing #{line_id}.")


# ---------------------------------------------------------------- receipts
@command(receipt_app, "add")
def receipt_add(
    ctx: typer.Context,
    date: Annotated[str, typer.Argument(help="Date received.")],
    amount: Annotated[
        str, typer.Argument(help="Amount received; negative, e.g. -5.00, for a repayment.")
    ],
    year: Annotated[str, typer.Option("--year", help="The funding year it pays.")],
    ref: Annotated[str | None, typer.Option("--ref", help="Remittance reference.")] = None,
) -> None:
    """Record a grant payment received (a negative amount: money paid back to the funder)."""
    from fsgrant.cli._words import day, pounds, receipt_words

    r = ledger(ctx).receipts.add(date, amount, year, reference=ref)
    if r.amount < 0:
        say(
            f"Recorded receipt #{r.id}: a repayment to the funder (or a correction) of "
            f"{pounds(-r.amount)} for {r.funding_year} on {day(r.date)}; it reduces the "
            "amount received."
        )
        return
    say(f"Recorded {receipt_words(r)}.")


@command(receipt_app, "list")
def receipt_list(
    ctx: typer.Context,
    year: Annotated[str | None, typer.Option("--year", help="Only this funding year.")] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """List receipts (of one funding year with --year), reversals included."""
    rows = [r.model_dump() for r in ledger(ctx).receipts.list(year)]
    emit_rows(
        rows,
        ["id", "date", "amount", "funding_year", "reference", "reverses", "reversed_by", "reason"],
        fmt,
        title="Receipts",
        money=("amount",),
    )


@command(receipt_app, "reverse")
def receipt_reverse(
    ctx: typer.Context,
    receipt_id: Annotated[int, typer.Argument(help="The receipt to reverse.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is reversed.")],
) -> None:
    """Reverse a receipt keyed wrongly: a receipt of the negated amount, same date and year."""
    from fsgrant.cli._words import receipt_words

    r = ledger(ctx).receipts.reverse(receipt_id, reason)
    say(f"Recorded {receipt_words(r)}, reversing receipt #{r.reverses}.")
