"""Commands for funded posts: add, record status changes and changes of details, list,
show, and the posts report."""

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

post_app = typer.Typer(
    help="Funded posts: recruitment status over time and what they cost.", no_args_is_help=True
)

Fmt = Annotated[OutputFormat, FormatOption]


def register(app: typer.Typer) -> None:
    app.add_typer(post_app, name="post")
    command(reports.report_app, "posts")(report_posts)


@command(post_app, "add")
def post_add(
    ctx: typer.Context,
    post_id: Annotated[str, typer.Argument(metavar="ID", help="Post id, e.g. PROB-N1.")],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="domestic-abuse, substance-misuse, mental-health, probation, psychologist or other.",
        ),
    ],
    host: Annotated[
        str, typer.Option("--host", help="Host organisation, e.g. National Probation Service.")
    ],
    fte: Annotated[
        str, typer.Option("--fte", help="Full-time equivalent, more than 0, at most 1.")
    ],
    planned_start: Annotated[str, typer.Option("--planned-start", help="Planned start date.")],
    annual_cost: Annotated[
        str | None,
        typer.Option("--annual-cost", help="Annual cost including on-costs, at 1.0 FTE."),
    ] = None,
    salary: Annotated[
        str | None,
        typer.Option(
            "--salary", help="Annual salary (with --on-cost-rate, instead of --annual-cost)."
        ),
    ] = None,
    on_cost_rate: Annotated[
        str | None,
        typer.Option("--on-cost-rate", help="On-costs as a percent of salary, e.g. 30.5."),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Job title.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Team or area, e.g. North.")] = None,
    route: Annotated[
        str, typer.Option("--route", help="direct, secondment or recharge.")
    ] = "direct",
    category: Annotated[
        str, typer.Option("--category", help="Cost category the post is charged to.")
    ] = "staffing",
    end: Annotated[str | None, typer.Option("--end", help="End date, if the post ends.")] = None,
) -> None:
    """Add a funded post (it is 'planned' until its first status change)."""
    p = ledger(ctx).posts.add(
        post_id,
        role=role,
        host=host,
        fte=fte,
        planned_start=planned_start,
        annual_cost=annual_cost,
        salary=salary,
        on_cost_rate=on_cost_rate,
        title=title,
        team=team,
        route=route,
        category=category,
        end=end,
    )
    from fsgrant.cli._words import day, pounds

    say(
        f"Added post {p.id} ({p.role}, {p.fte} FTE, annual cost {pounds(p.annual_cost)}), "
        f"planned start {day(p.planned_start)}."
    )


@command(post_app, "status")
def post_status(
    ctx: typer.Context,
    post_id: Annotated[str, typer.Argument(metavar="ID", help="The post.")],
    status: Annotated[
        str,
        typer.Argument(help="planned, advertised, offered, in-post, vacant, blocked or withdrawn."),
    ],
    on: Annotated[str, typer.Option("--on", help="Date the change takes effect.")],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why (required for blocked and withdrawn).")
    ] = None,
    expected_start: Annotated[
        str | None, typer.Option("--expected-start", help="When the post is now expected to start.")
    ] = None,
) -> None:
    """Record a change of a post's recruitment status (history is kept)."""
    c = ledger(ctx).posts.set_status(
        post_id, status, on, reason=reason, expected_start=expected_start
    )
    from fsgrant.cli._words import day

    extra = f", expected start {day(c.expected_start)}" if c.expected_start else ""
    say(f"Post {c.post} is {c.status} from {day(c.effective)}{extra}.")


@command(post_app, "change")
def post_change(
    ctx: typer.Context,
    post_id: Annotated[str, typer.Argument(metavar="ID", help="The post.")],
    on: Annotated[str, typer.Option("--on", help="Date the change is in force from.")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why: a pay award, a new contract, a correction.")
    ],
    annual_cost: Annotated[
        str | None,
        typer.Option("--annual-cost", help="New annual cost including on-costs, at 1.0 FTE."),
    ] = None,
    salary: Annotated[
        str | None,
        typer.Option("--salary", help="New annual salary (with --on-cost-rate)."),
    ] = None,
    on_cost_rate: Annotated[
        str | None,
        typer.Option("--on-cost-rate", help="On-costs as a percent of salary, e.g. 30.5."),
    ] = None,
    fte: Annotated[str | None, typer.Option("--fte", help="New full-time equivalent.")] = None,
    host: Annotated[str | None, typer.Option("--host", help="New host organisation.")] = None,
    route: Annotated[
        str | None, typer.Option("--route", help="direct, secondment or recharge.")
    ] = None,
    team: Annotated[str | None, typer.Option("--team", help="New team or area.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="New job title.")] = None,
    end: Annotated[
        str | None, typer.Option("--end", help="Leaving date: the post costs nothing after it.")
    ] = None,
) -> None:
    """Record a dated change of a post's details (a pay award, an FTE change, a new host,
    a leaving date). To correct a wrong value, date the change at the post's start."""
    c = ledger(ctx).posts.change(
        post_id,
        on,
        reason=reason,
        annual_cost=annual_cost,
        salary=salary,
        on_cost_rate=on_cost_rate,
        fte=fte,
        host=host,
        route=route,
        team=team,
        title=title,
        end=end,
    )
    from fsgrant.cli._words import day

    say(f"Post {c.post} from {day(c.effective)}: {_describe_change(c)}.")


def _describe_change(c: Any) -> str:
    from fsgrant.domain.money import format_pounds

    parts: list[str] = []
    for name, value in c.changed.items():
        if name in ("salary", "on_cost_rate"):
            continue
        if name == "annual_cost":
            text = f"annual cost {format_pounds(value)}"
            if c.salary is not None:
                text += f" (salary {format_pounds(c.salary)} + {c.on_cost_rate}% on-costs)"
            parts.append(text)
        elif name == "fte":
            parts.append(f"FTE {value:.2f}")
        else:
            parts.append(f"{name} {value}")
    return ", ".join(parts)


POST_COLUMNS = [
    "id",
    "title",
    "role",
    "team",
    "host",
    "route",
    "fte",
    "annual_cost",
    "planned_start",
    "end",
    "status",
    "status_since",
    "reason",
    "expected_start",
]


def _post_row(p: Any, day: Any) -> dict[str, Any]:
    change = p.change_as_at(day)
    return {
        "id": p.id,
        "title": p.title,
        "role": p.role,
        "team": p.team,
        "host": p.host,
        "route": p.route,
        "fte": f"{p.fte:.2f}",
        "annual_cost": p.annual_cost,
        "planned_start": p.planned_start,
        "end": p.end,
        "status": p.status_as_at(day),
        "status_since": p.status_since(day),
        "reason": None if change is None else change.reason,
        "expected_start": None if change is None else change.expected_start,
    }


@command(post_app, "list")
def post_list(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option("--status", help="Only posts with this status.")
    ] = None,
    role: Annotated[str | None, typer.Option("--role", help="Only posts in this role.")] = None,
    as_at: Annotated[
        str | None, typer.Option("--as-at", help="Status as at this date (default today).")
    ] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """List posts with their status and details (FTE, cost, host...) as at a date."""
    from fsgrant.domain.periods import as_at_day

    day = as_at_day(as_at)
    posts = ledger(ctx).posts.list(status=status, role=role, as_at=day)
    rows = [_post_row(p, day) for p in posts]
    title = f"Posts as at {day}"
    emit_rows(rows, POST_COLUMNS, fmt, title=title, money=("annual_cost",))


@command(post_app, "show")
def post_show(
    ctx: typer.Context,
    post_id: Annotated[str, typer.Argument(metavar="ID", help="The post.")],
    fmt: Fmt = OutputFormat.table,
) -> None:
    """Show a post's details as added and its whole history: status changes and changes
    of details, in date order, with who recorded each and when."""
    p = ledger(ctx).posts.get(post_id)
    if fmt is OutputFormat.json:
        emit_json(p.model_dump(mode="json"))
        return
    history: list[dict[str, Any]] = [
        {
            "effective": c.effective,
            "change": f"status {c.status}",
            "reason": c.reason,
            "expected_start": c.expected_start,
            "recorded_at": c.recorded_at.isoformat(timespec="seconds"),
            "recorded_by": c.recorded_by,
            "_order": (c.effective, 0, c.id),
        }
        for c in p.history
    ] + [
        {
            "effective": c.effective,
            "change": _describe_change(c),
            "reason": c.reason,
            "expected_start": None,
            "recorded_at": c.recorded_at.isoformat(timespec="seconds"),
            "recorded_by": c.recorded_by,
            "_order": (c.effective, 1, c.id),
        }
        for c in p.changes
    ]
    history.sort(key=lambda r: r.pop("_order"))
    if fmt is OutputFormat.table:
        from fsgrant.domain.money import format_pounds

        lines = [
            f"Post {p.id}: {p.title or p.role}",
            f"  role {p.role}, team {p.team or '-'}, host {p.host}, route {p.route}",
            f"  FTE {p.fte:.2f}, annual cost {format_pounds(p.annual_cost)}"
            + (
                f" (salary {format_pounds(p.salary)} + {p.on_cost_rate}% on-costs)"
                if p.salary is not None
                else ""
            )
            + f", monthly {format_pounds(p.monthly_cost)}",
            f"  category {p.category}, planned start {p.planned_start}"
            + (f", ends {p.end}" if p.end else ""),
        ]
        if p.changes:
            from datetime import date

            today = date.today()
            now = p.as_at(today)
            end = now.final_end
            # Two lines, so the figures fit a narrow terminal whole.
            lines.append(
                f"  in force on {today}: FTE {now.fte:.2f}, annual cost "
                f"{format_pounds(now.annual_cost)}"
            )
            lines.append(
                f"    host {now.host}, route {now.route}" + (f", ends {end}" if end else "")
            )
        from fsgrant.cli._narrow import say_wrapped

        say_wrapped(*lines)
    cols = ["effective", "change", "reason", "expected_start", "recorded_at", "recorded_by"]
    emit_rows(
        history,
        cols,
        fmt,
        title="History: status (planned until the first change) and details, as added until changed",
    )


def report_posts(
    ctx: typer.Context,
    as_at: Annotated[
        str | None, typer.Option("--as-at", help="Report as at this date (default today).")
    ] = None,
    year: Annotated[
        str | None,
        typer.Option("--year", help="Forecast cost in this funding year only (default: any)."),
    ] = None,
    fmt: Fmt = OutputFormat.table,
) -> None:
    """Which posts are filled, which are blocked and why, and their forecast cost."""
    report = ledger(ctx).reports.posts(as_at, year)
    if fmt is OutputFormat.json:
        emit_json(report.model_dump(mode="json"))
        return
    rows = [r.model_dump() for r in report.posts]
    for r in rows:
        r["fte"] = f"{r['fte']:.2f}"
    cols = [
        "id",
        "role",
        "team",
        "host",
        "fte",
        "status",
        "status_since",
        "reason",
        "expected_start",
        "annual_cost",
        "cost_to_date",
        "forecast_cost",
    ]
    money = ("annual_cost", "cost_to_date", "forecast_cost")
    where = f"in {report.funding_year}" if report.funding_year else "in any funding year"
    footer = {
        "id": "Total",
        "fte": f"{report.fte_planned:.2f}",
        # Annual costs are at 1.0 FTE, so they are not added up.
        "cost_to_date": report.cost_to_date,
        "forecast_cost": report.forecast_cost,
    }
    narrow = fmt is OutputFormat.table and _narrow(rows, cols)
    if not narrow:
        emit_rows(
            rows,
            cols,
            fmt,
            title=f"Posts as at {report.as_at} (forecast cost after that date, {where})",
            money=money,
            footer=footer,
        )
    if narrow:
        from fsgrant.cli._narrow import print_posts_narrow

        counts = ", ".join(f"{s} {c.posts}" for s, c in report.by_status.items())
        notes = [f"By status: {counts}; FTE in post {report.fte_in_post:.2f}."]
        notes += [
            f"Blocked: {b.id} since {b.since} ({b.days_blocked} days)"
            + (f"; expected start {b.expected_start}" if b.expected_start else "")
            for b in report.blocked
        ]
        print_posts_narrow(report, notes)
    elif fmt is OutputFormat.table:
        counts = ", ".join(f"{s} {c.posts} ({c.fte:.2f} FTE)" for s, c in report.by_status.items())
        say(
            f"By status: {counts}. FTE planned {report.fte_planned:.2f}, "
            f"in post {report.fte_in_post:.2f}."
        )
        for b in report.blocked:
            say(
                f"Blocked: {b.id} since {b.since} ({b.days_blocked} days): {b.reason}"
                + (f"; expected start {b.expected_start}" if b.expected_start else "")
            )


def _narrow(rows: list[dict[str, Any]], cols: list[str]) -> bool:
    """Whether the wide posts table would not fit the terminal as a table."""
    from fsgrant.cli._narrow import wide_fits
    from fsgrant.cli._render import console

    return not wide_fits(rows, cols, console(240).width)
