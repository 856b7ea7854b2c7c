"""The pack as Markdown, for an e-mail or a wiki: the same figures as the HTML page in
tables (the charts are in the HTML only), under 120 lines for a grant of a few years,
categories and conditions.

User text is escaped: Markdown's punctuation (``* _ [ ] < > | #`` and the rest) gets a
backslash, so a supplier called ``<script>`` or ``**x**`` reads as typed; control
characters and bidirectional overrides are shown as U+FFFD.
"""

from __future__ import annotations

import re

from fsgrant.domain.money import ZERO
from fsgrant.domain.pack import PackReport
from fsgrant.formats.pack import words

__all__ = ["md", "render_markdown"]

_PUNCTUATION = re.compile(r"([\\`*_\[\]<>|~&])")


def md(value: object) -> str:
    """User text as Markdown shows it literally (see the module)."""
    return _PUNCTUATION.sub(r"\\\1", words.text(value))


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    rule = ["---:" if i in right else "---" for i in range(len(header))]
    return [_row(*header), _row(*rule), *(_row(*r) for r in rows)]


def render_markdown(pack: PackReport) -> str:
    """The pack as Markdown text (ends with a newline)."""
    p, s, v = words.pounds, pack.summary, pack.variance
    out = [
        f"# {md(s.grant.name)}: month-end pack",
        "",
        f"{md(s.grant.funder)} to {md(s.grant.recipient)}. Funding year "
        f"{md(pack.funding_year)}, as at {words.day(pack.as_at)}.",
        "",
        "## Where the grant stands",
        "",
    ]
    fields = ["award", "received", "actual", "forecast_outturn", "underspend_at_risk", "overspend"]
    rows = [
        [md(y.label), md(y.status) + ("\\*" if not y.secure else "")]
        + [p(getattr(y, f)) for f in fields]
        for y in s.funding_years
    ]
    rows.append(["**Total**", ""] + [f"**{p(s.total(f))}**" for f in fields])
    header = ["Year", "Status", "Award", "Received", "Actual", "Outturn", "At risk", "Overspend"]
    out += _table(header, rows, set(range(2, 8)))
    out += [""] + [f"\\* {md(y.label)}: {md(y.standing)}." for y in s.funding_years if not y.secure]
    out += ["", f"## Variance to date by category, {md(pack.funding_year)}", ""]
    rows = [
        [
            md(line.category),
            p(line.budget_to_date),
            p(line.actual),
            p(line.variance_to_date),
            words.percent(line.variance_to_date_pct),
            line.rag or "",
            p(line.outturn),
            p(line.variance),
        ]
        for line in (*v.lines, v.totals)
    ]
    rows[-1][0] = "**Total**"
    header = ["Category", "Budget to date", "Actual", "Var. to date", "%", "RAG"]
    out += _table([*header, "Outturn", "Full-year var."], rows, {1, 2, 3, 4, 6, 7})
    out += [
        "",
        f"Underspend at risk for the year: {p(v.underspend_at_risk)}; overspend: "
        f"{p(v.overspend)}. RAG is read on the variance to date (actual less the original "
        "estimate phased by month). The charts are in the HTML pack.",
        "",
        "## Blocked and vacant posts",
        "",
        f"{pack.posts.fte_in_post} of {pack.posts.fte_planned} FTE in post.",
        "",
    ]
    if pack.attention:
        rows = [
            [
                md(a.id),
                md(a.status),
                words.day(a.since),
                "" if a.days is None else str(a.days),
                md(a.reason),
                words.day(a.expected_start),
            ]
            for a in pack.attention
        ]
        out += _table(["Post", "Status", "Since", "Days", "Reason", "Expected"], rows, {3})
    else:
        out.append("No post is blocked or vacant.")
    out += ["", "## Conditions", ""]
    if pack.conditions:
        rows = [
            [
                md(f"{c.label}: {c.text}"),
                md(c.status) + (f" since {words.day(c.status_on)}" if c.status_on else ""),
                md(words.check_words(c.check)),
            ]
            for c in pack.conditions
        ]
        out += _table(["Condition", "Status", "Check"], rows, set())
    else:
        out.append("No conditions are recorded.")
    out += ["", "## Open commitments", ""]
    if pack.open_commitments:
        rows = [
            [
                md(c.reference),
                words.day(c.date),
                md(c.category),
                md(c.supplier),
                p(c.amount),
                p(c.open),
            ]
            for c in pack.open_commitments
        ]
        total = sum((c.open for c in pack.open_commitments), ZERO)
        rows.append(["**Total**", "", "", "", "", f"**{p(total)}**"])
        out += _table(
            ["Order", "Raised", "Category", "Supplier", "Amount", "Still committed"], rows, {4, 5}
        )
    elif pack.open_commitments is not None:
        out.append(f"No order of {md(pack.funding_year)} is open by then.")
    else:
        out.append("Not shown: this pack was built without the ledger's commitments.")
    out += ["", "## Outcomes and onward sustainability", ""]
    if pack.outcomes and pack.outcomes.measures:
        for m in pack.outcomes.measures:
            last = next((r for r in reversed(m.rows) if r.value is not None), None)
            targets = ", ".join(f"{fy} {v}" for fy, v in m.targets.items()) or "none"
            shown = "none observed" if last is None else f"{last.value} on {words.day(last.on)}"
            out.append(f"- {md(m.measure)}: {shown}; targets: {md(targets)}")
    plan = pack.sustainability
    if plan and plan.years:
        partners = sorted({w for y in plan.years for w in y.savings_by_beneficiary} - {"council"})
        rows = [
            [
                md(y.financial_year),
                p(y.total_cost),
                p(y.gap),
                p(y.savings_by_beneficiary.get("council", ZERO)),
                *(p(y.savings_by_beneficiary.get(w, ZERO)) for w in partners),
            ]
            for y in plan.years
        ]
        heads = [
            "Financial year",
            "Cost",
            "Gap",
            "Council's savings",
            *(f"To {w}" for w in partners),
        ]
        out += ["", *_table(heads, rows, set(range(1, len(heads))))]
    out += ["", "## Since the last return", ""]
    r = pack.since_last_return
    if r is None:
        out.append(f"No return of {md(pack.funding_year)} was submitted by then.")
    else:
        moved = len(r.restatements)
        out.append(
            f"Return #{r.return_id} as at {words.day(r.as_at)}, submitted "
            f"{words.day(r.submitted_at)} by {md(r.submitted_by)}: "
            + (f"{moved} figure(s) moved." if moved else "no figure has moved since.")
        )
        if moved:
            rows = [
                [md(m.sheet), md(m.row), md(m.column), m.submitted or "(new)", m.now or "(gone)"]
                for m in r.restatements[:20]
            ]
            out += ["", *_table(["Sheet", "Row", "Column", "Submitted", "Now"], rows, {3, 4})]
            if moved > 20:
                out.append(f"\n... and {moved - 20} more (see the HTML pack).")
    return "\n".join(out) + "\n"
