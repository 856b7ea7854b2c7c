"""Top-level commands (init, load, demo) and the grant itself: its details and its
cost categories."""

from pathlib import Path
from typing import Annotated

import typer

from fsgrant.cli._common import (
    FormatOption,
    OutputFormat,
    command,
    emit_json,
    emit_rows,
    fail,
    ledger,
    new_store,
    say,
)
from fsgrant.cli.reports import render_summary

category_app = typer.Typer(help="Cost categories.", no_args_is_help=True)
grant_app = typer.Typer(
    help="The grant's details: name, funder, recipient and their org ids.", no_args_is_help=True
)

Fmt = Annotated[OutputFormat, FormatOption]


def register(app: typer.Typer) -> None:
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
    with new_store(ctx) as led:
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
    from fsgrant.cli._record import emit_record

    fields = {
        "name": g.name,
        "funder": g.funder,
        "recipient": g.recipient,
        "funder_org_id": g.funder_org_id,
        "recipient_org_id": g.recipient_org_id,
        "created_at": g.created_at,
    }
    emit_record(fields, fmt, title="Grant")
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
    s151_officer: Annotated[
        str | None,
        typer.Option(
            "--s151-officer",
            help="The Section 151 officer's name and title, for a return's sign-off; '' clears it.",
        ),
    ] = None,
) -> None:
    """Change the grant's details (audited; the details replaced are kept)."""
    from fsgrant.errors import InvalidInput

    given = (name, funder, recipient, funder_org_id, recipient_org_id, s151_officer)
    if all(v is None for v in given):
        raise fail(
            InvalidInput(
                "nothing to change: give --name, --funder, --recipient, --funder-org-id, "
                "--recipient-org-id or --s151-officer"
            )
        )
    g = ledger(ctx).grant.set(
        name=name,
        funder=funder,
        recipient=recipient,
        funder_org_id=funder_org_id,
        recipient_org_id=recipient_org_id,
        s151_officer=s151_officer,
    )
    ids = f"; org ids {g.funder_org_id or '(none)'} -> {g.recipient_org_id or '(none)'}"
    officer = f"; Section 151 officer {g.s151_officer}" if g.s151_officer else ""
    say(f"The grant is now '{g.name}' ({g.funder} -> {g.recipient}){ids}{officer}.")


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


# ---------------------------------------------------------------- ledgers
def load(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="A ledger folder (grant.toml and CSV files).")],
) -> None:
    """Load a grant ledger kept as plain files into a new store, all or nothing."""
    with new_store(ctx) as led:
        counts = led.load(folder)
    say(
        f"Loaded {folder} into {led.path}: "
        + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.model_dump().items())
    )


def demo(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the demo store and the DfE return.")
    ] = Path("exports"),
    as_at: Annotated[str, typer.Option("--as-at", help="Date to report as at.")] = "2020-03-31",
    force: Annotated[
        bool, typer.Option("--force", help="Replace the demo store and return in --out.")
    ] = False,
) -> None:
    """The worked Cambridgeshire example, end to end: load it, show where the grant stands,
    write the DfE return."""
    from fsgrant.services.demo import run_demo

    allowed = ctx.find_root().obj.allow_network_store
    result = run_demo(out, as_at=as_at, force=force, allow_network_store=allowed)
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
