"""Commands for commitments (purchase orders raised, not yet invoiced): add, list,
cancel."""

from typing import Annotated

import typer

from fsgrant.cli._common import FormatOption, OutputFormat, command, emit_rows, ledger, say

commit_app = typer.Typer(
    help="Commitments: purchase orders raised and not yet invoiced (money spoken for).",
    no_args_is_help=True,
)

Fmt = Annotated[OutputFormat, FormatOption]

COMMIT_COLUMNS = [
    "id",
    "date",
    "reference",
    "amount",
    "drawn",
    "open",
    "status",
    "category",
    "post",
    "supplier",
    "description",
    "funding_year",
    "cancelled_on",
    "cancel_reason",
]


def register(app: typer.Typer) -> None:
    app.add_typer(commit_app, name="commit")


@command(commit_app, "add")
def commit_add(
    ctx: typer.Context,
    date: Annotated[str, typer.Argument(help="Date the order was raised.")],
    amount: Annotated[str, typer.Argument(help="Amount of the order, e.g. 4800.00.")],
    category: Annotated[str, typer.Argument(help="Cost category, e.g. training.")],
    ref: Annotated[
        str, typer.Option("--ref", help="Purchase order number; invoices quoting it draw it down.")
    ],
    supplier: Annotated[str | None, typer.Option("--supplier")] = None,
    post: Annotated[str | None, typer.Option("--post", help="The post it is for.")] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
) -> None:
    """Record a commitment (a purchase order raised, not yet invoiced); prints its id.

    A spend line whose reference is the order number draws it down, up to what is left."""
    c = ledger(ctx).commitments.add(
        date,
        amount,
        category,
        reference=ref,
        supplier=supplier,
        post=post,
        description=description,
    )
    say(c.id)


@command(commit_app, "list")
def commit_list(
    ctx: typer.Context,
    open_only: Annotated[
        bool, typer.Option("--open", help="Only commitments with money still committed.")
    ] = False,
    as_at: Annotated[
        str | None, typer.Option("--as-at", help="As at this date: raised and invoiced by then.")
    ] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """List commitments: amount, drawn down by invoices, still open, status."""
    found = ledger(ctx).commitments.list(open_only=open_only, as_at=as_at)
    from fsgrant.domain.reports import sum_money

    emit_rows(
        [c.model_dump() for c in found],
        COMMIT_COLUMNS,
        fmt,
        title="Commitments" + (f" as at {found[0].as_at}" if found and found[0].as_at else ""),
        money=("amount", "drawn", "open"),
        footer={
            "id": "Total",
            "amount": sum_money(c.amount for c in found),
            "drawn": sum_money(c.drawn for c in found),
            "open": sum_money(c.open for c in found),
        }
        if fmt is OutputFormat.table
        else None,
    )


@command(commit_app, "cancel")
def commit_cancel(
    ctx: typer.Context,
    commitment_id: Annotated[int, typer.Argument(metavar="ID", help="The commitment.")],
    on: Annotated[str, typer.Option("--on", help="Date it is cancelled.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is cancelled.")],
) -> None:
    """Cancel a commitment: what is left of it is no longer committed."""
    c = ledger(ctx).commitments.get(commitment_id)
    done = ledger(ctx).commitments.cancel(commitment_id, on=on, reason=reason)
    from fsgrant.domain.money import format_pounds

    say(
        f"Commitment {done.id} ({done.reference}) cancelled on {done.cancelled_on}: "
        f"{format_pounds(c.open)} no longer committed."
    )
