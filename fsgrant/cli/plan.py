"""Commands for the onward-sustainability plan (``plan``), outcome measures
(``measure``) and ``report sustainability``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from fsgrant.cli import reports
from fsgrant.cli._common import (
    FormatOption,
    OutputFormat,
    command,
    emit_json,
    emit_rows,
    ledger,
    say,
)

plan_app = typer.Typer(
    help="The onward-sustainability plan: what pays for the model once the grant ends.",
    no_args_is_help=True,
)
source_app = typer.Typer(
    help="Sources of funding: base budget, partners, savings, other.", no_args_is_help=True
)
measure_app = typer.Typer(
    help="Outcome measures (e.g. children in care): observations and targets.",
    no_args_is_help=True,
)

Fmt = Annotated[OutputFormat, FormatOption]
On = Annotated[str | None, typer.Option("--on", help="Date it was set (default today).")]
Note = Annotated[str | None, typer.Option("--note", help="Why, or what it is based on.")]
FyArg = Annotated[str, typer.Argument(help="Financial year, e.g. FY2021/22.")]


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")
    plan_app.add_typer(source_app, name="source")
    app.add_typer(measure_app, name="measure")
    command(reports.report_app, "sustainability")(report_sustainability)
    command(reports.report_app, "outcomes")(report_outcomes)


@command(source_app, "add")
def source_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The source's name, e.g. council-base.")],
    kind: Annotated[str, typer.Option("--kind", help="base-budget, partner, savings or other.")],
    description: Annotated[str | None, typer.Option("--description", help="What it is.")] = None,
    measure: Annotated[
        str | None,
        typer.Option("--measure", help="A savings source: the measure its savings follow."),
    ] = None,
    baseline: Annotated[
        str | None, typer.Option("--baseline", help="The measure's level without the model.")
    ] = None,
    unit_cost: Annotated[
        str | None,
        typer.Option("--unit-cost", help="The saving for each one below the baseline, a year."),
    ] = None,
    on: On = None,
    beneficiary: Annotated[
        str,
        typer.Option(
            "--beneficiary",
            help="Who gains a savings source's savings: council, police, health or other. "
            "Only the council's count toward its gap.",
        ),
    ] = "council",
) -> None:
    """Add a source of funding for the model once the grant ends (part of the plan from
    --on, default today)."""
    s = ledger(ctx).plan.add_source(
        name,
        kind,
        description=description,
        measure=measure,
        baseline=baseline,
        unit_cost=unit_cost,
        on=on,
        beneficiary=beneficiary,
    )
    linked = (
        f", (baseline {s.baseline} - {s.measure}) x {s.unit_cost}" if s.measure is not None else ""
    )
    gains = "" if s.beneficiary == "council" else f"; its savings are the {s.beneficiary}'s"
    say(f"Added source {s.name} ({s.kind}{linked}{gains}).")


@command(source_app, "list")
def source_list(ctx: typer.Context, fmt: Fmt = OutputFormat.table) -> None:
    """List the sources of funding."""
    rows = [s.model_dump() for s in ledger(ctx).plan.sources()]
    emit_rows(
        rows,
        [
            "name",
            "kind",
            "beneficiary",
            "description",
            "measure",
            "baseline",
            "unit_cost",
            "added_on",
        ],
        fmt,
        title="Sources of funding",
        money=("unit_cost",),
    )


@command(plan_app, "fund")
def plan_fund(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The source.")],
    financial_year: FyArg,
    amount: Annotated[str, typer.Argument(help="Funding committed in that year.")],
    on: On = None,
    note: Note = None,
) -> None:
    """Record funding a source commits in a financial year (a later one revises it; the
    original is kept)."""
    f = ledger(ctx).plan.fund(name, financial_year, amount, on=on, note=note)
    kind = "original" if f.original else "revision"
    say(
        f"Recorded funding {f.id} ({kind}): {f.source} {f.financial_year} = {f.amount}, "
        f"set on {f.set_on.isoformat()}."
    )


@command(plan_app, "cost")
def plan_cost(
    ctx: typer.Context,
    category: Annotated[str, typer.Argument(help="Cost category (one no post is charged to).")],
    financial_year: FyArg,
    amount: Annotated[str, typer.Argument(help="The recurring cost in that year.")],
    on: On = None,
    note: Note = None,
) -> None:
    """Record a recurring cost of the model not driven by posts, in a financial year."""
    c = ledger(ctx).plan.cost(category, financial_year, amount, on=on, note=note)
    kind = "original" if c.original else "revision"
    say(
        f"Recorded cost {c.id} ({kind}): {c.category} {c.financial_year} = {c.amount}, "
        f"set on {c.set_on.isoformat()}."
    )


@command(plan_app, "list")
def plan_list(ctx: typer.Context, fmt: Fmt = OutputFormat.table) -> None:
    """List every funding and cost record of the plan (originals and revisions)."""
    plan = ledger(ctx).plan
    rows: list[dict[str, Any]] = [
        {"record": "fund", "of": f.source, **f.model_dump()} for f in plan.funding()
    ] + [{"record": "cost", "of": c.category, **c.model_dump()} for c in plan.costs()]
    emit_rows(
        rows,
        ["record", "id", "of", "financial_year", "amount", "set_on", "original", "note"],
        fmt,
        title="The plan's funding and costs",
        money=("amount",),
    )


@command(measure_app, "add")
def measure_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The measure, e.g. children-in-care.")],
    day: Annotated[str, typer.Argument(metavar="DATE", help="When it was observed.")],
    value: Annotated[str, typer.Argument(help="The count or rate observed, e.g. 739.")],
    note: Note = None,
) -> None:
    """Record an observed outcome (e.g. children in care on a date)."""
    o = ledger(ctx).measures.add(name, day, value, note=note)
    say(f"Recorded {o.measure} = {o.value} on {o.observed_on.isoformat()}.")


@command(measure_app, "target")
def measure_target(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The measure.")],
    financial_year: FyArg,
    value: Annotated[str, typer.Argument(help="The level expected in that year.")],
    on: On = None,
) -> None:
    """Set the level a measure is expected to reach in a financial year."""
    t = ledger(ctx).measures.target(name, financial_year, value, on=on)
    say(f"Target {t.measure} {t.financial_year} = {t.value}, set on {t.set_on}.")


@command(measure_app, "import")
def measure_import(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="A CSV file DfE publishes (explore-education-statistics)."
        ),
    ],
    la: Annotated[
        str,
        typer.Option(
            "--la",
            help="The geography: a council's new or old LA code or name; England; a region.",
        ),
    ],
    measure: Annotated[str, typer.Option("--measure", help="The measure, e.g. children-in-care.")],
    value: Annotated[
        str | None,
        typer.Option("--value", help="The value column (default: the one *_count column)."),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option("--where", help="Keep rows whose COLUMN=VALUE (repeat for more)."),
    ] = None,
    benchmark: Annotated[
        str | None,
        typer.Option(
            "--as-benchmark",
            help="Keep the values as a benchmark series of this name (e.g. England), "
            "beside the council's own.",
        ),
    ] = None,
) -> None:
    """Import a measure's yearly values from a file DfE publishes: a reporting year
    2020 (or 201920) is the position at 31 March 2020. Suppressed and missing codes
    (c, x, z, :, k, u, low) are reported, never stored as numbers. The same file again
    adds nothing; a changed figure is a revision, kept as history."""
    done = ledger(ctx).measures.import_published(
        path, la=la, measure=measure, value=value, where=where or (), benchmark=benchmark
    )
    say(done.summary + ".")


def report_outcomes(
    ctx: typer.Context,
    as_at: Annotated[
        str | None, typer.Option("--as-at", help="Report as at this date (default today).")
    ] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """Each outcome measure by date: the council's value, its change since the
    baseline, each benchmark beside it, the published gaps and the targets in force."""
    from fsgrant.domain.outcomes import GAP_CODES

    r = ledger(ctx).measures.report(as_at)
    if fmt is OutputFormat.json:
        emit_json(r.model_dump(mode="json"))
        return
    rows: list[dict[str, Any]] = []
    benchmarks: list[str] = []
    for m in r.measures:
        benchmarks += [b for b in m.benchmarks if b not in benchmarks]
        for row in m.rows:
            shown = (
                f"{GAP_CODES[row.gap]} ({row.gap})" if row.value is None and row.gap else row.value
            )
            rows.append(
                {
                    "measure": m.measure,
                    "on": row.on,
                    "value": None if shown is None else str(shown),
                    "change": None if row.change is None else f"{row.change:+}",
                    **{
                        f"{b}": None if row.benchmarks.get(b) is None else str(row.benchmarks[b])
                        for b in m.benchmarks
                    },
                }
            )
    emit_rows(
        rows,
        ["measure", "on", "value", "change", *benchmarks],
        fmt,
        title=f"Outcomes as at {r.as_at}",
        figures=["value", "change", *benchmarks],
    )
    if fmt is OutputFormat.table:
        for m in r.measures:
            if m.baseline is None:
                base = "no baseline"
            elif m.baseline_on is None:
                base = f"baseline {m.baseline} (the plan's)"
            else:
                base = f"baseline {m.baseline} on {m.baseline_on}"
            targets = ", ".join(f"{fy} {v}" for fy, v in m.targets.items()) or "none"
            say(f"{m.measure}: {base}; targets: {targets}")


@command(measure_app, "list")
def measure_list(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option("--measure", help="Only this measure.")] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """List the observations and targets of the measures."""
    measures = ledger(ctx).measures
    rows: list[dict[str, Any]] = [
        {
            "measure": o.measure,
            "kind": "observed",
            "when": o.observed_on,
            "value": str(o.value),
            "note": o.note,
        }
        for o in measures.observations(name)
    ] + [
        {
            "measure": t.measure,
            "kind": "target",
            "when": t.financial_year,
            "value": str(t.value),
            "note": f"set on {t.set_on.isoformat()}",
        }
        for t in measures.targets(name)
    ]
    emit_rows(
        rows, ["measure", "kind", "when", "value", "note"], fmt, title="Measures", figures=["value"]
    )


SUSTAINABILITY_MONEY = (
    "posts_cost",
    "other_cost",
    "total_cost",
    "grant",
    "funding_total",
    "gap",
)


def report_sustainability(
    ctx: typer.Context,
    from_fy: Annotated[
        str | None, typer.Option("--from", help="First financial year, e.g. FY2019/20.")
    ] = None,
    to_fy: Annotated[
        str | None, typer.Option("--to", help="Last financial year, e.g. FY2023/24.")
    ] = None,
    as_at: Annotated[
        str | None, typer.Option("--as-at", help="Report as at this date (default today).")
    ] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """The onward-sustainability plan by financial year: the model's cost, the grant,
    each source's funding, the gap and the funded percentage."""
    r = ledger(ctx).plan.report(from_fy, to_fy, as_at)
    if fmt is OutputFormat.json:
        emit_json(r.model_dump(mode="json"))
        return
    sources = list(r.years[0].funding) if r.years else []
    partners = [
        who for who in (r.years[0].savings_by_beneficiary if r.years else {}) if who != "council"
    ]
    rows = []
    for y in r.years:
        row: dict[str, Any] = y.model_dump()
        row.update({f"funding: {name}": amount for name, amount in y.funding.items()})
        row.update({f"savings to {who}": y.savings_by_beneficiary.get(who) for who in partners})
        row["funded_pct"] = None if y.funded_pct is None else f"{y.funded_pct:.1f}"
        rows.append(row)
    funding_cols = [f"funding: {name}" for name in sources]
    partner_cols = [f"savings to {who}" for who in partners]
    emit_rows(
        rows,
        [
            "financial_year",
            "posts_cost",
            "other_cost",
            "total_cost",
            "grant",
            *funding_cols,
            "funding_total",
            "gap",
            "funded_pct",
            *partner_cols,
        ],
        fmt,
        title=f"Onward sustainability as at {r.as_at}",
        money=(*SUSTAINABILITY_MONEY, *funding_cols, *partner_cols),
    )
    if fmt is OutputFormat.table:
        say(
            f"Sustainable from {r.sustainable_from}."
            if r.sustainable_from
            else "The plan does not close the gap in these years."
        )
        if partner_cols:
            say(
                "Savings to partners are not counted toward the council's gap: they are "
                "the case for those partners to contribute."
            )
