"""Commands for the conditions of funding years: their evidence and status over time."""

from __future__ import annotations

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

condition_app = typer.Typer(
    help="Conditions of funding years: evidence, status over time and computed checks.",
    no_args_is_help=True,
)

Fmt = Annotated[OutputFormat, FormatOption]
Label = Annotated[str, typer.Argument(metavar="LABEL", help="The funding year, e.g. 2020/21.")]
Number = Annotated[
    str, typer.Argument(metavar="NUMBER", help="The condition's number in its year (1, 2, ...).")
]


def register(app: typer.Typer) -> None:
    app.add_typer(condition_app, name="condition")


def check_text(check: Any) -> str:
    """A computed check in one line, for tables and CSV."""
    from fsgrant.domain.money import format_pounds

    if check is None:
        return ""
    if check.kind == "estimates":
        pct = "n/a" if check.variance_pct is None else f"{check.variance_pct:+}%"
        verdict = "within" if check.within_tolerance else "outside"
        text = (
            f"{check.funding_year}: outturn {format_pounds(check.forecast_outturn)} against "
            f"original {format_pounds(check.original_estimate)}, {pct} ({verdict} "
            f"{check.tolerance_pct}%)"
        )
        if check.worst_category is not None:
            worst = next(c for c in check.categories if c.category == check.worst_category)
            wpct = "no estimate" if worst.variance_pct is None else f"{worst.variance_pct:+}%"
            text += f"; furthest out: {worst.category} {wpct}"
        return text
    if not check.available:
        return str(check.note)
    pct = "n/a" if check.funded_pct is None else f"{check.funded_pct}%"
    return f"{check.financial_year}: gap {format_pounds(check.gap)}, {pct} funded"


@command(condition_app, "list")
def condition_list(
    ctx: typer.Context,
    year: Annotated[
        str | None, typer.Option("--year", help="Only this funding year's conditions.")
    ] = None,
    as_at: Annotated[
        str | None, typer.Option("--as-at", help="Status and evidence as at this date.")
    ] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """List conditions with their status as at a date (today by default), their
    evidence and the checks fsgrant computes."""
    states = ledger(ctx).conditions.list(year, as_at)
    if fmt is OutputFormat.json:
        emit_json([s.model_dump(mode="json") for s in states])
        return
    rows = [
        {
            "year": s.year,
            "number": s.number,
            "text": s.text,
            "due": s.due,
            "status": s.status,
            "since": s.status_on,
            "reason": s.reason,
            "reference": s.reference,
            "evidence": "; ".join(
                f"{e.on}: {e.note}" + (f" [{e.document}]" if e.document else "") for e in s.evidence
            ),
            "check": check_text(s.check),
        }
        for s in states
    ]
    emit_rows(rows, list(rows[0]) if rows else ["year", "number", "text"], fmt, title="Conditions")


@command(condition_app, "add")
def condition_add(
    ctx: typer.Context,
    label: Label,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The condition, in its words.")],
    due: Annotated[str | None, typer.Option("--due", help="When evidence is due.")] = None,
    agreed_on: Annotated[
        str | None, typer.Option("--agreed-on", help="When the condition was set.")
    ] = None,
    check: Annotated[
        str | None,
        typer.Option("--check", help="A check fsgrant computes: estimates or sustainability."),
    ] = None,
    check_year: Annotated[
        str | None,
        typer.Option(
            "--check-year",
            help="For --check estimates: the funding year whose spend is judged (default: its own).",
        ),
    ] = None,
) -> None:
    """Add a condition to a funding year (it takes the year's next number)."""
    c = ledger(ctx).conditions.add(
        label, text, due=due, agreed_on=agreed_on, check=check, check_year=check_year
    )
    say(f"Added condition {c.label}: {c.text}")


@command(condition_app, "evidence")
def condition_evidence(
    ctx: typer.Context,
    label: Label,
    number: Number,
    on: Annotated[str, typer.Option("--on", help="The date of the evidence.")],
    note: Annotated[str, typer.Option("--note", help="What it shows.")],
    document: Annotated[
        str | None, typer.Option("--document", help="A reference to the document.")
    ] = None,
) -> None:
    """Record a dated piece of evidence for a condition."""
    e = ledger(ctx).conditions.add_evidence(label, number, on=on, note=note, document=document)
    say(f"Recorded evidence for condition {e.year} #{e.number} dated {e.on}.")


@command(condition_app, "status")
def condition_status(
    ctx: typer.Context,
    label: Label,
    number: Number,
    status: Annotated[
        str, typer.Argument(metavar="STATUS", help="open, submitted, met, not-met or waived.")
    ],
    on: Annotated[str, typer.Option("--on", help="The date the status changed.")],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why (required for not-met and waived).")
    ] = None,
    reference: Annotated[
        str | None, typer.Option("--reference", help="e.g. the funder's letter.")
    ] = None,
) -> None:
    """Record a dated change of a condition's status (kept as history)."""
    s = ledger(ctx).conditions.set_status(
        label, number, status, on=on, reason=reason, reference=reference
    )
    say(f"Condition {s.year} #{s.number} is {s.status} from {s.on}.")


@command(condition_app, "set")
def condition_set(
    ctx: typer.Context,
    label: Label,
    number: Number,
    on: Annotated[str, typer.Option("--on", help="The date the terms change.")],
    reason: Annotated[str, typer.Option("--reason", help="Why they change.")],
    due: Annotated[str | None, typer.Option("--due", help="When evidence is due.")] = None,
    check: Annotated[
        str | None,
        typer.Option("--check", help="A check fsgrant computes: estimates or sustainability."),
    ] = None,
    check_year: Annotated[
        str | None,
        typer.Option(
            "--check-year",
            help="For --check estimates: the funding year whose spend is judged (default: its own).",
        ),
    ] = None,
    text: Annotated[str | None, typer.Option("--text", help="The condition, reworded.")] = None,
) -> None:
    """Amend a condition's terms from a date: due date, check, wording (history kept)."""
    c = ledger(ctx).conditions.set(
        label,
        number,
        on=on,
        reason=reason,
        due=due,
        check=check,
        check_year=check_year,
        text=text,
    )
    terms = [f"due {c.due}" if c.due else "no due date", f"check {c.check_kind or 'none'}"]
    say(f"Amended condition {c.label} from {on}: {', '.join(terms)}.")
