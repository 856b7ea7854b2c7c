"""Commands for the grant, funding years, estimates, spend, receipts and the summary."""

from pathlib import Path
from typing import Annotated, Any

import typer

from fsgrant.cli._common import (
    FormatOption,
    OutputFormat,
    command,
    emit_json,
    emit_rows,
    fail,
    ledger,
    say,
)

year_app = typer.Typer(
    help="Funding years: awards, periods, status and agreed variations.", no_args_is_help=True
)
estimate_app = typer.Typer(
    help="Estimates: planned spend by funding year and category.", no_args_is_help=True
)
spend_app = typer.Typer(
    help="Spend lines: add, list and reverse (lines are never edited).", no_args_is_help=True
)
receipt_app = typer.Typer(help="Grant payments received from the funder.", no_args_is_help=True)
report_app = typer.Typer(help="Reports: where the grant stands.", no_args_is_help=True)
category_app = typer.Typer(help="Cost categories.", no_args_is_help=True)
grant_app = typer.Typer(
    help="The grant's details: name, funder, recipient and their org ids.", no_args_is_help=True
)

Fmt = Annotated[OutputFormat, FormatOption]


def register(app: typer.Typer) -> None:
    app.add_typer(year_app, name="year")
    app.add_typer(estimate_app, name="estimate")
    app.add_typer(spend_app, name="spend")
    app.add_typer(receipt_app, name="receipt")
    app.add_typer(report_app, name="report")
    app.add_typer(category_app, name="category")
    app.add_typer(grant_app, name="grant")
    command(app, "init")(init)
    command(app, "load")(load)
    command(app, "demo")(demo)


# ---------------------------------------------------------------- grant
def init(
    ctx: typer.Context,
    grant: Annotated[str, typer.Option("--grant", help="The grant's name.")],
    funder: Annotated[
        str, typer.Option("--funder", help="Who awards it, e.g. Department for Education.")
    ],
    recipient: Annotated[
        str, typer.Option("--recipient", help="Who receives it, e.g. the council.")
    ],
    funder_org_id: Annotated[
        str | None, typer.Option(help="The funder's org id (360Giving), e.g. GB-GOR-PB1.")
    ] = None,
    recipient_org_id: Annotated[
        str | None, typer.Option(help="The recipient's org id, e.g. GB-LAE-CAM.")
    ] = None,
) -> None:
    """Create a store for one grant."""
    led = ledger(ctx, create=True)
    g = led.init(
        grant, funder, recipient, funder_org_id=funder_org_id, recipient_org_id=recipient_org_id
    )
    say(f"Created {led.path} for '{g.name}' ({g.funder} -> {g.recipient}).")


@command(grant_app, "show")
def grant_show(ctx: typer.Context, fmt: Fmt = OutputFormat.table) -> None:
    """Show the grant's details (and how often they have been changed)."""
    led = ledger(ctx)
    g = led.grant.show()
    if fmt is OutputFormat.json:
        emit_json(g.model_dump(mode="json"))
        return
    rows: list[dict[str, Any]] = [
        {"field": "name", "value": g.name},
        {"field": "funder", "value": g.funder},
        {"field": "recipient", "value": g.recipient},
        {"field": "funder_org_id", "value": g.funder_org_id},
        {"field": "recipient_org_id", "value": g.recipient_org_id},
        {"field": "created_at", "value": g.created_at.isoformat() if g.created_at else None},
    ]
    emit_rows(rows, ["field", "value"], fmt, title="Grant")
    changes = led.grant.changes()
    if changes and fmt is OutputFormat.table:
        say(f"Changed {changes} time(s) since it was recorded (see 'fsgrant log').")


@command(grant_app, "set")
def grant_set(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option("--name", help="The grant's name.")] = None,
    funder: Annotated[str | None, typer.Option("--funder", help="Who awards it.")] = None,
    recipient: Annotated[str | None, typer.Option("--recipient", help="Who receives it.")] = None,
    funder_org_id: Annotated[
        str | None,
        typer.Option(help="The funder's org id (360Giving), e.g. GB-GOR-PB1; '' clears it."),
    ] = None,
    recipient_org_id: Annotated[
        str | None, typer.Option(help="The recipient's org id, e.g. GB-LAE-CAM; '' clears it.")
    ] = None,
) -> None:
    """Change the grant's details (audited; the details replaced are kept)."""
    from fsgrant.errors import InvalidInput

    if all(v is None for v in (name, funder, recipient, funder_org_id, recipient_org_id)):
        raise fail(
            InvalidInput(
                "nothing to change: give --name, --funder, --recipient, --funder-org-id "
                "or --recipient-org-id"
            )
        )
    g = ledger(ctx).grant.set(
        name=name,
        funder=funder,
        recipient=recipient,
        funder_org_id=funder_org_id,
        recipient_org_id=recipient_org_id,
    )
    ids = f"; org ids {g.funder_org_id or '(none)'} -> {g.recipient_org_id or '(none)'}"
    say(f"The grant is now '{g.name}' ({g.funder} -> {g.recipient}){ids}.")


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
        str | None, typer.Option("--end", help="Last day. Default: start + 12 months - 1 day.")
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
    say(f"Added funding year {y.label}: {y.start} to {y.end}, award {y.award} ({y.status}).")


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
    say(f"Recorded variation {v.id} to {label}: {v.describe()} (agreed {v.agreed_on}).")


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
) -> None:
    """Set an estimate. The first for a year and category is the original; later ones are revisions."""
    e = ledger(ctx).estimates.set(label, category, amount, post=post, on=on)
    kind = "original estimate" if e.original else "revised estimate"
    say(
        f"Set {kind} {e.id}: {e.funding_year} {e.category}{' ' + e.post if e.post else ''} = {e.amount}."
    )


@command(estimate_app, "list")
def estimate_list(
    ctx: typer.Context,
    year: Annotated[str | None, typer.Option("--year", help="Only this funding year.")] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """List estimates, originals and revisions."""
    rows = [
        {
            "id": e.id,
            "funding_year": e.funding_year,
            "category": e.category,
            "post": e.post,
            "amount": e.amount,
            "set_on": e.set_on,
            "kind": "original" if e.original else "revision",
        }
        for e in ledger(ctx).estimates.list(year)
    ]
    cols = ["id", "funding_year", "category", "post", "amount", "set_on", "kind"]
    emit_rows(rows, cols, fmt, title="Estimates", money=("amount",))


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
]


def spend_row(line: Any) -> dict[str, Any]:
    row: dict[str, Any] = line.model_dump()
    row["financial_year"] = line.financial_year
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
) -> None:
    """Record a spend line; prints its id."""
    line = ledger(ctx).spend.add(
        date,
        amount,
        category,
        post=post,
        supplier=supplier,
        description=description,
        reference=ref,
        year=year,
    )
    say(line.id)


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
    row = spend_row(line)
    fields = row.pop("source_fields") or {}
    facts = [{"field": k, "value": v} for k, v in row.items()]
    emit_rows(facts, ["field", "value"], fmt, title=f"Spend line {line.id}")
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
    r = ledger(ctx).spend.reverse(line_id, reason)
    say(f"Line {r.id} reverses line {line_id} ({r.amount}).")


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
    from fsgrant.domain.money import format_pounds

    r = ledger(ctx).receipts.add(date, amount, year, reference=ref)
    if r.amount < 0:
        say(
            f"Recorded receipt {r.id}: a repayment to the funder (or a correction) of "
            f"{format_pounds(-r.amount)} for {r.funding_year} on {r.date}; it reduces the "
            "amount received."
        )
        return
    say(f"Recorded receipt {r.id}: {r.amount} for {r.funding_year} on {r.date}.")


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
    r = ledger(ctx).receipts.reverse(receipt_id, reason)
    say(
        f"Recorded receipt {r.id}: {r.amount} for {r.funding_year} on {r.date}, "
        f"reversing receipt {r.reverses}."
    )


# ---------------------------------------------------------------- categories
@command(category_app, "list")
def category_list(ctx: typer.Context, fmt: Fmt = OutputFormat.table) -> None:
    """List cost categories."""
    rows = [
        {"category": c.name, "description": c.description} for c in ledger(ctx).categories.list()
    ]
    emit_rows(rows, ["category", "description"], fmt, title="Cost categories")


@command(category_app, "add")
def category_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A slug such as travel.")],
    description: Annotated[str, typer.Option("--description")] = "",
) -> None:
    """Add a cost category."""
    say(f"Added category {ledger(ctx).categories.add(name, description)}.")


# ---------------------------------------------------------------- reports
@command(report_app, "summary")
def report_summary(
    ctx: typer.Context,
    as_at: Annotated[str | None, typer.Option("--as-at", help="Report as at this date.")] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """Where each funding year stands: award, received, estimate, actual, forecast outturn,
    underspend at risk or overspend."""
    report = ledger(ctx).reports.summary(as_at)
    render_summary(report, fmt)


SUMMARY_LINES = (
    ("award", "Award (as varied)"),
    ("received", "Received from the funder"),
    ("repayable", "Repayable (withdrawn year)"),
    ("estimate_original", "Original estimate"),
    ("actual", "Actual to date"),
    ("remaining", "Award less actual"),
    ("forecast_remaining", "Forecast remaining"),
    ("forecast_outturn", "Forecast outturn"),
    ("underspend_at_risk", "Underspend at risk of reclaim"),
    ("overspend", "Overspend (council pressure)"),
)


def render_summary(report: Any, fmt: OutputFormat) -> None:
    """JSON and CSV: a row per funding year. Table: a column per funding year and a
    total, a line per figure, which reads like the return."""
    if fmt is OutputFormat.json:
        emit_json(report.model_dump(mode="json"))
        return
    if fmt is OutputFormat.csv:
        rows = [y.model_dump() for y in report.funding_years]
        emit_rows(rows, list(rows[0]) if rows else ["label"], fmt)
        return
    from fsgrant.cli._render import Column, print_table
    from fsgrant.domain.money import format_pounds

    title = f"{report.grant.name}: {report.grant.funder} -> {report.grant.recipient}"
    if report.as_at:
        title += f", as at {report.as_at}"
    years = report.funding_years
    labels = Column("", cells=["Status", "Period", *[label for _, label in SUMMARY_LINES]])
    columns = [labels]
    for y in years:
        cells = [y.standing, f"{y.start} to {y.end}"]
        cells += [format_pounds(getattr(y, field)) for field, _ in SUMMARY_LINES]
        columns.append(Column(y.label, right=True, fixed=True, cells=cells))
    totals = ["", "", *[format_pounds(report.total(field)) for field, _ in SUMMARY_LINES]]
    columns.append(Column("Total", right=True, fixed=True, cells=totals))
    print_table(columns, title, sections_after=(1,), default_width=160)


# ---------------------------------------------------------------- ledgers
def load(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="A ledger folder (grant.toml and CSV files).")],
) -> None:
    """Load a grant ledger kept as plain files into a new store, all or nothing."""
    led = ledger(ctx, create=True)
    counts = led.load(folder)
    say(
        f"Loaded {folder} into {led.path}: "
        + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.model_dump().items())
    )


def demo(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the demo store and the DfE return.")
    ] = Path("exports"),
    as_at: Annotated[str, typer.Option("--as-at", help="Date to report as at.")] = "2020-03-31",
) -> None:
    """The worked Cambridgeshire example, end to end: load it, show where the grant stands,
    write the DfE return."""
    from fsgrant.services.demo import run_demo

    result = run_demo(out, as_at=as_at)
    say(f"Loaded the worked example ({result.source}) into {result.store}.")
    for note in result.notes:
        say(note)
    render_summary(result.summary, OutputFormat.table)
    if result.conditions:
        from fsgrant.cli.conditions import check_text

        say(f"Conditions as at {as_at}:")
        for c in result.conditions:
            since = f" since {c.status_on}" if c.status_on else ""
            say(f"  {c.label} {c.text}: {c.status}{since}; {len(c.evidence)} piece(s) of evidence")
            if c.check is not None:
                say(f"      check: {check_text(c.check)}")
    if result.plan is not None:
        r = result.plan
        say(
            "Onward sustainability (an ILLUSTRATIVE plan): "
            + (
                f"the plan closes the gap from {r.sustainable_from}."
                if r.sustainable_from
                else "the plan does not close the gap."
            )
            + " See 'fsgrant report sustainability'."
        )
    for path in result.outputs:
        say(f"Wrote the DfE return: {path}")
