"""Commands for funding years (awards, periods, status, agreed variations) and their
estimates and phasings."""

from decimal import Decimal
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

year_app = typer.Typer(
    help="Funding years: awards, periods, status and agreed variations.", no_args_is_help=True
)
estimate_app = typer.Typer(
    help="Estimates: planned spend by funding year and category.", no_args_is_help=True
)

Fmt = Annotated[OutputFormat, FormatOption]


def register(app: typer.Typer) -> None:
    app.add_typer(year_app, name="year")
    app.add_typer(estimate_app, name="estimate")


# ---------------------------------------------------------------- years
@command(year_app, "add")
def year_add(
    ctx: typer.Context,
    label: Annotated[str, typer.Argument(help="Funding year label, e.g. 2019/20.")],
    amount: Annotated[str, typer.Option("--amount", help="The award (a cap), e.g. 2490000.00.")],
    start: Annotated[
        str, typer.Option("--start", help="First day, ISO or day-first (01/08/2019).")
    ],
    end: Annotated[
        str | None,
        typer.Option(
            "--end", help="Last day. Default: the day before the anniversary of the start."
        ),
    ] = None,
    status: Annotated[
        str, typer.Option("--status", help="confirmed or in-principle.")
    ] = "confirmed",
    confirmed_on: Annotated[
        str | None, typer.Option("--confirmed-on", help="When the award was confirmed.")
    ] = None,
    condition: Annotated[
        list[str] | None, typer.Option("--condition", help="A condition of the award (repeatable).")
    ] = None,
) -> None:
    """Add a funding year to the grant."""
    y = ledger(ctx).years.add(
        label,
        amount,
        start,
        end=end,
        status=status,
        confirmed_on=confirmed_on,
        conditions=condition or [],
    )
    from fsgrant.cli._words import day, pounds

    say(
        f"Added funding year {y.label}: {day(y.start)} to {day(y.end)}, award "
        f"{pounds(y.award)} ({y.status})."
    )


@command(year_app, "list")
def year_list(
    ctx: typer.Context,
    as_at: Annotated[
        str | None,
        typer.Option("--as-at", help="Apply only variations agreed on or before this date."),
    ] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """List funding years as varied."""
    years = ledger(ctx).years.list(as_at)
    rows = [
        {
            "label": y.label,
            "status": y.status,
            "start": y.start,
            "end": y.end,
            "award": y.award,
            "original_start": y.original_start,
            "original_end": y.original_end,
            "original_award": y.original_award,
            "variations": len(y.variations),
            "conditions": list(y.conditions),
        }
        for y in years
    ]
    emit_rows(
        rows,
        list(rows[0]) if rows else ["label"],
        fmt,
        title="Funding years",
        money=("award", "original_award"),
    )


@command(year_app, "show")
def year_show(
    ctx: typer.Context,
    label: Annotated[str, typer.Argument(metavar="LABEL", help="The funding year, e.g. 2019/20.")],
    as_at: Annotated[
        str | None,
        typer.Option("--as-at", help="Apply only variations agreed on or before this date."),
    ] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """Show a funding year as varied and its variation history (kind, agreed on, what
    changed, reason, reference, by whom)."""
    fs = ledger(ctx)
    y = fs.years.get(label, as_at)
    history = [
        {
            "id": v.id,
            "kind": v.kind,
            "agreed_on": v.agreed_on.isoformat(),
            "change": v.describe(),
            "reason": v.reason,
            "reference": v.reference,
            "recorded_by": v.recorded_by,
            "recorded_at": v.recorded_at.isoformat(timespec="seconds"),
        }
        for v in y.variations
    ]
    if fmt is OutputFormat.json:
        emit_json({**y.model_dump(mode="json"), "variations": history})
        return
    if fmt is OutputFormat.table:
        from fsgrant.domain.money import format_pounds

        say(
            f"Funding year {y.label}: {y.status}, {y.start} to {y.end}, award "
            f"{format_pounds(y.award)} (originally {y.original_start} to {y.original_end}, "
            f"{format_pounds(y.original_award)})"
        )
        for c in y.conditions:
            say(f"  condition: {c}")
    cols = [
        "id",
        "kind",
        "agreed_on",
        "change",
        "reason",
        "reference",
        "recorded_by",
        "recorded_at",
    ]
    emit_rows(history, cols, fmt, title="Variations")


@command(year_app, "vary")
def year_vary(
    ctx: typer.Context,
    label: Annotated[str, typer.Argument(help="The funding year to vary.")],
    agreed_on: Annotated[
        str, typer.Option("--agreed-on", help="When the funder agreed the change.")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why.")],
    reference: Annotated[
        str | None, typer.Option("--reference", help="The funder's reference, e.g. a letter.")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="New start (with --end: shift the period).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--end", help="New end (alone: extend or shorten).")
    ] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="New award.")] = None,
    move: Annotated[
        str | None, typer.Option("--move", help="Amount of award to move (with --to).")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Funding year the moved amount goes to.")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="New status: confirmed, in-principle, withdrawn.")
    ] = None,
    orphan_ok: Annotated[
        bool,
        typer.Option(
            "--orphan-ok",
            help="Record it even if it leaves spend or receipts outside every open "
            "funding year (check then lists them).",
        ),
    ] = False,
) -> None:
    """Record an agreed variation to a funding year (history is kept).

    A variation that would leave recorded spend or receipts outside every open funding
    year (an end moved before existing lines, a withdrawal) is refused unless
    --orphan-ok is given."""
    v = ledger(ctx).years.vary(
        label,
        agreed_on=agreed_on,
        reason=reason,
        reference=reference,
        start=start,
        end=end,
        award=amount,
        move=move,
        to=to,
        status=status,
        orphan_ok=orphan_ok,
    )
    from fsgrant.cli._words import day, variation_words

    say(f"Recorded variation #{v.id} to {label}: {variation_words(v)} (agreed {day(v.agreed_on)}).")


# ---------------------------------------------------------------- estimates
@command(estimate_app, "set")
def estimate_set(
    ctx: typer.Context,
    label: Annotated[str, typer.Argument(help="Funding year.")],
    category: Annotated[str, typer.Argument(help="Cost category, e.g. staffing.")],
    amount: Annotated[str, typer.Argument(help="Planned spend.")],
    post: Annotated[
        str | None, typer.Option("--post", help="The post this estimate is for.")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Date of the estimate (default today).")
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why a revision (a virement) is made: required for one."),
    ] = None,
    ref: Annotated[
        str | None, typer.Option("--ref", help="The approval's reference, for a revision.")
    ] = None,
) -> None:
    """Set an estimate. The first for a year and category is the original; later ones are
    revisions (virements), which need --reason."""
    e = ledger(ctx).estimates.set(
        label, category, amount, post=post, on=on, reason=reason, reference=ref
    )
    from fsgrant.cli._words import day, pounds

    kind = "original estimate" if e.original else "revised estimate"
    post = f" for {e.post}" if e.post else ""
    say(
        f"Set {kind} #{e.id}: {e.funding_year} {e.category}{post} {pounds(e.amount)}, "
        f"as of {day(e.set_on)}."
    )


@command(estimate_app, "list")
def estimate_list(
    ctx: typer.Context,
    year: Annotated[str | None, typer.Option("--year", help="Only this funding year.")] = None,
    as_at: Annotated[
        str | None,
        typer.Option("--as-at", help="Which estimate is in force as at this date (default today)."),
    ] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """List estimates, originals and revisions (with their reasons), marking the one in
    force; the table totals what is in force per funding year."""
    from fsgrant.domain.money import format_pounds

    estimates = ledger(ctx).estimates
    in_force = {e.id for e in estimates.in_force(as_at)}
    found = estimates.list(year)
    rows = [
        {
            "id": e.id,
            "funding_year": e.funding_year,
            "category": e.category,
            "post": e.post,
            "amount": e.amount,
            "set_on": e.set_on,
            "kind": "original" if e.original else "revision",
            "in_force": "yes" if e.id in in_force else "",
            "reason": e.reason,
            "reference": e.reference,
        }
        for e in found
    ]
    cols = [
        "id",
        "funding_year",
        "category",
        "post",
        "amount",
        "set_on",
        "kind",
        "in_force",
        "reason",
        "reference",
    ]
    emit_rows(rows, cols, fmt, title="Estimates", money=("amount",))
    if fmt is OutputFormat.table:
        totals: dict[str, Decimal] = {}
        for e in found:
            if e.id in in_force:
                totals[e.funding_year] = totals.get(e.funding_year, Decimal("0.00")) + e.amount
        for label, total in totals.items():
            say(f"Estimates in force for {label} add up to {format_pounds(total)}.")


@command(estimate_app, "phase")
def estimate_phase(
    ctx: typer.Context,
    label: Annotated[str, typer.Argument(help="Funding year.")],
    category: Annotated[str, typer.Argument(help="Cost category, e.g. staffing.")],
    even: Annotated[bool, typer.Option("--even", help="Evenly over the months.")] = False,
    from_posts: Annotated[
        bool,
        typer.Option("--from-posts", help="By the category's posts, from their planned starts."),
    ] = False,
    months: Annotated[
        str | None,
        typer.Option("--months", help="A CSV file month,amount adding up exactly to the estimate."),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Date of the phasing (default today).")
    ] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """Say how the year's estimate for a category falls by month (kept as history):
    --even, --from-posts or --months FILE."""
    p = ledger(ctx).estimates.phase(
        label, category, even=even, from_posts=from_posts, months=months, on=on
    )
    if fmt is OutputFormat.json:
        emit_json(p.model_dump(mode="json"))
        return
    if fmt is OutputFormat.table:
        how = {"even": "evenly", "posts": "by its posts' planned starts", "months": "by months"}
        say(
            f"Phased {p.funding_year} {p.category} {how[p.method]}"
            f"{' from ' + p.source if p.source else ''} as of {p.set_on.isoformat()} "
            f"(phasing {p.id})."
        )
    if p.months:
        rows = [{"month": m.month, "amount": m.amount} for m in p.months]
        emit_rows(
            rows,
            ["month", "amount"],
            fmt,
            title=f"{p.funding_year} {p.category} by month",
            money=("amount",),
            footer={"month": "Total", "amount": p.total} if fmt is OutputFormat.table else None,
        )
