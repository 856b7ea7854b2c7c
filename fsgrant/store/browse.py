"""What a reader of the store sees in Datasette: descriptions and the metadata.

Plain data about the schema (no connection, nothing run here): a title and
description for the database, every table and view described in the users' words,
its columns (money columns are integer pence, named ``*_pence``, and say so), the
internal tables hidden, default sort orders and facets, and the questions people ask
as named SQL queries with parameters (those are in :mod:`fsgrant.store.browse_queries`).
"""

from __future__ import annotations

from typing import Any

from fsgrant.store.browse_queries import CANNED_QUERIES

__all__ = ["HIDDEN_TABLES", "PENCE_SUFFIX", "TABLES", "database_metadata"]

PENCE_SUFFIX = "_pence"
"""Every money column of the store (and of the canned queries) ends so: integer pence."""

_PENCE = "in pence (whole pence, exact; shown as pounds on the pages, pence in JSON and CSV)"

HIDDEN_TABLES = ("_sqlite_migrations", "fsgrant_meta", "settings")
"""Internal tables: the schema's migrations, the store's marker and the report settings."""

_RECORDED = {
    "recorded_at": "When it was recorded (UTC)",
    "recorded_by": "Who recorded it (the operating-system user)",
}

TABLES: dict[str, dict[str, Any]] = {
    "grant_info": {
        "description": "The grant: one funder's award programme to one recipient.",
        "columns": {
            "name": "The grant's name",
            "funder": "Who pays (here the Department for Education)",
            "recipient": "Who receives it (the council)",
            "funder_org_id": "The funder's organisation id (360Giving, e.g. GB-GOR-PB1)",
            "recipient_org_id": "The recipient's organisation id (English councils: GB-LAE-...)",
            "created_at": "When the store was set up (UTC)",
        },
    },
    "categories": {
        "description": "Cost categories: what money is spent on.",
        "columns": {"name": "The category", "description": "What it covers"},
    },
    "funding_years": {
        "description": (
            "Funding years as first recorded (award, status, period). Variations never "
            "change these rows: see funding_years_current for the years as varied."
        ),
        "sort": "start",
        "facets": ["status"],
        "columns": {
            "label": "The funding year, e.g. 2019/20 (not the council's financial year)",
            "award_pence": f"The award as first recorded, a cap ('up to'), {_PENCE}",
            "status": "confirmed, in-principle (not secure yet) or withdrawn",
            "confirmed_on": "When the funding was confirmed",
            "start": "First day of the funding period",
            "end": "Last day of the funding period",
            "conditions": "Conditions attached to the year (a JSON list)",
            **_RECORDED,
        },
    },
    "variations": {
        "description": (
            "Agreed, dated changes to a funding year: a new end date, a shifted period, a "
            "changed award, money moved to another year, a change of status."
        ),
        "sort": "agreed_on",
        "facets": ["funding_year", "kind"],
        "columns": {
            "funding_year": "The funding year varied",
            "kind": "extend, shift, amount, move or status",
            "agreed_on": "When it was agreed with the funder",
            "reason": "Why",
            "reference": "The funder's letter or reference",
            "new_start": "The period's new first day (shift)",
            "new_end": "The period's new last day (extend, shift)",
            "amount_pence": f"The new award, or the money moved, {_PENCE}",
            "to_year": "Where the money moved to (move)",
            "new_status": "The new status (status)",
            **_RECORDED,
        },
    },
    "posts": {
        "description": (
            "Funded posts (adult practitioners and others) as first recorded; dated "
            "changes are in post_changes, recruitment status in post_status. The home "
            "page lists each post as at a date: its status, FTE and cost then."
        ),
        "sort": "id",
        "facets": ["role", "host", "category"],
        "columns": {
            "id": "The post's id, e.g. DA-N1",
            "title": "Job title",
            "role": "domestic-abuse, substance-misuse, mental-health, probation, psychologist or other",
            "team": "The team it works in",
            "host": "The employing organisation (council, NHS trust, provider, probation)",
            "route": "direct, secondment or recharge",
            "fte": "Full-time equivalent",
            "annual_cost_pence": f"A year's cost including on-costs, {_PENCE}",
            "salary_pence": f"Salary before on-costs, when the cost was worked out from it, {_PENCE}",
            "on_cost_rate": "On-costs (employer NI, pension) as a fraction of salary",
            "category": "The cost category its spend falls in",
            "planned_start": "When it was planned to start",
            "end_date": "When it ends (if known)",
            **_RECORDED,
        },
    },
    "post_status": {
        "description": (
            "Each post's recruitment status over time: planned, advertised, offered, "
            "in-post, vacant, blocked (with a reason) or withdrawn."
        ),
        "sort_desc": "effective",
        "facets": ["status", "post"],
        "columns": {
            "post": "The post",
            "status": "The status from this day",
            "effective": "The day it took effect",
            "reason": "Why (required when blocked or withdrawn)",
            "expected_start": "When a start is now expected",
            **_RECORDED,
        },
    },
    "post_changes": {
        "description": (
            "Dated changes of a post's details (a pay award, a new FTE or host, a leaving "
            "date); an empty column keeps the value in force before."
        ),
        "sort_desc": "effective",
        "facets": ["post"],
        "columns": {
            "post": "The post",
            "effective": "The day it took effect",
            "annual_cost_pence": f"The new annual cost including on-costs, {_PENCE}",
            "salary_pence": f"The new salary, {_PENCE}",
            "reason": "Why",
            **_RECORDED,
        },
    },
    "estimates": {
        "description": (
            "Planned spend per funding year and category (and post). The first estimate "
            "of each is the original, the baseline the funder judges against; later ones "
            "are dated revisions kept beside it."
        ),
        "facets": ["funding_year", "category"],
        "columns": {
            "funding_year": "The funding year",
            "category": "The cost category",
            "post": "The post, when the estimate is for one",
            "amount_pence": f"The estimate, {_PENCE}",
            "set_on": "The day it was set",
            **_RECORDED,
        },
    },
    "forecasts": {
        "description": "Forecast spend set for the rest of a funding year, per category no post names.",
        "sort_desc": "set_on",
        "facets": ["funding_year", "category"],
        "columns": {
            "amount_pence": f"The forecast remaining spend, {_PENCE}",
            "set_on": "The day it was set",
            "note": "Why",
            **_RECORDED,
        },
    },
    "import_batches": {
        "description": "Finance-system extracts imported: one row per file.",
        "sort_desc": "id",
        "columns": {
            "file_name": "The extract",
            "sha256": "The file's SHA-256 (a file is imported once)",
            "mapping": "The mapping used",
            "imported_at": "When (UTC)",
            "imported_by": "Who",
            "total_added_pence": f"The total of the lines added, {_PENCE}",
            "rows_zero": "Rows of 0.00 (cancelled payments), skipped",
            "skipped_by": "What skipped each skipped row (JSON)",
            "source_names": (
                "The names its lines' source cells go under: the header's, an empty one "
                "as column N, a repeated one as NAME (2) (JSON array)"
            ),
        },
    },
    "spend": {
        "description": (
            "Spend lines, never edited or deleted: a mistake is undone by a reversal that "
            "points at the line. Credits are negative. An imported line's who and when "
            "are its batch's; spend_readable shows them, with pounds and the financial year."
        ),
        "sort_desc": "date",
        "facets": ["category", "post", "funding_year"],
        "columns": {
            "date": "The day it was spent",
            "amount_pence": f"The amount (negative for a credit or reversal), {_PENCE}",
            "category": "The cost category",
            "post": "The post it pays for, if any",
            "supplier": "Who was paid",
            "description": "What it was",
            "reference": "The finance system's reference",
            "funding_year": "The funding year named explicitly (else allocated by date)",
            "reverses": "The line this reversal undoes",
            "reason": "Why it was reversed",
            "import_batch": "The import it came from",
            "source_line": "Its line in that file",
            "dedupe_key": (
                "What makes an imported line a duplicate: the text ref:<source>:<reference>, "
                "or (deduplicated by hash) a 20-byte BLOB; hash:<sha256 hex>:<n> from earlier versions"
            ),
            "source_fields": (
                "The whole source row as imported: a JSON array of its cells, under its "
                "batch's source_names (lines imported by earlier versions: a JSON object "
                "keyed by the header); spend_source gives it keyed either way"
            ),
            "accrual": (
                "accrual: work done, not yet invoiced, charged to its day; reversal: the "
                "line taking it out again"
            ),
            "accrual_of": "On an accrual's reversal: the accrual it reverses",
            "recorded_at": (
                "When it was recorded (UTC); empty on a line imported by fsgrant 0.2 or "
                "later, which carries its batch's imported_at (spend_readable shows it)"
            ),
            "recorded_by": (
                "Who recorded it (the operating-system user); empty on a line imported "
                "by fsgrant 0.2 or later, which carries its batch's imported_by"
            ),
        },
    },
    "receipts": {
        "description": "Grant payments received from the funder.",
        "sort": "date",
        "facets": ["funding_year"],
        "columns": {
            "date": "The day it was received",
            "amount_pence": f"The payment, {_PENCE}",
            "funding_year": "The funding year it pays",
            "reference": "The remittance reference",
            **_RECORDED,
        },
    },
    "commitments": {
        "description": (
            "Commitments: purchase orders raised and not yet invoiced. Spend lines quoting "
            "the reference (dated on or after the order) draw it down."
        ),
        "sort": "date",
        "facets": ["category"],
        "columns": {
            "date": "The day the order was raised",
            "amount_pence": f"The order's amount, {_PENCE}",
            "category": "The cost category",
            "post": "The post it is for, if any",
            "reference": "The purchase order number invoices quote",
            "supplier": "The supplier",
            "description": "What it is for",
            "funding_year": "The funding year named explicitly (else by its date)",
            **_RECORDED,
        },
    },
    "forecast_additions": {
        "description": (
            "Additions to a post-driven forecast the posts do not show (agency cover, "
            "backfill, overtime): the latest of a year, category and reason is in force."
        ),
        "sort": "set_on",
        "facets": ["funding_year", "category"],
        "columns": {
            "funding_year": "The funding year",
            "category": "The post-driven category",
            "amount_pence": f"Spend still expected after set_on, on top of the posts, {_PENCE}",
            "reason": "What it is (the same reason later revises it)",
            "set_on": "The day it was set",
            **_RECORDED,
        },
    },
    "spend_orders": {
        "description": (
            "The purchase order an imported line quotes, when its mapping names a po "
            "column: it draws that commitment down."
        ),
        "columns": {
            "spend": "The spend line",
            "reference": "The purchase order number it quotes",
        },
    },
    "condition_amendments": {
        "description": (
            "Amendments of a condition's terms (a due date or check added later, the "
            "wording corrected): each empty column keeps the term in force."
        ),
        "sort": "on",
        "facets": ["funding_year"],
        "columns": {
            "funding_year": "The funding year of the condition",
            "number": "The condition's number within its year",
            "on": "The day the terms change",
            "due": "The new due date",
            "check_kind": "The new computed check (estimates or sustainability)",
            "check_year": "For the estimates check: the funding year judged",
            "text": "The condition, reworded",
            "reason": "Why the terms changed",
            **_RECORDED,
        },
    },
    "commitment_cancellations": {
        "description": "Commitments cancelled: what was left of each is no longer committed.",
        "sort": "on",
        "columns": {
            "commitment": "The commitment cancelled",
            "on": "The day it was cancelled",
            "reason": "Why",
            **_RECORDED,
        },
    },
    "period_events": {
        "description": "Closings and reopenings of funding years (once a return is submitted).",
        "sort_desc": "id",
        "facets": ["funding_year", "kind"],
        "columns": {
            "kind": "close or reopen",
            "through": "The last day closed",
            "reference": "What was submitted",
            "reason": "Why it was reopened",
            "at": "When (UTC)",
            "by": "Who",
        },
    },
    "audit": {
        "description": "The audit trail: who changed what, when, with which command. Append-only.",
        "sort_desc": "id",
        "facets": ["action", "user"],
        "columns": {
            "at": "When (UTC)",
            "user": "Who (the operating-system user)",
            "command": "The command line, or api:<action> for a library call",
            "action": "What kind of change",
            "subject": "What it changed",
            "detail": "The change (JSON)",
        },
    },
    "submitted_returns": {
        "description": (
            "Returns submitted to the funder, with every figure as sent: what was sent stays true."
        ),
        "sort_desc": "submitted_at",
        "facets": ["funding_year"],
        "columns": {
            "as_at": "The day the return speaks for",
            "file_name": "The file sent",
            "file_sha256": "Its SHA-256",
            "fingerprint": "The ledger's fingerprint then",
            "figures": "Every figure as submitted (JSON: sheet, row, column, kind, value)",
            "reference": "The funder's reference",
            "closed_through": "The day its funding year was closed through with it",
            "submitted_at": "When it was recorded (UTC)",
            "submitted_by": "Who",
            "sent_on": "The day it went to the funder (None: recorded before this was kept)",
            "supersedes": "The earlier return for the same year and date it replaces",
            "figure_count": "How many figures it holds (None: count those in figures)",
        },
    },
    "spend_readable": {
        "description": "Spend lines with the amount in pounds, the financial year and any reversal.",
        "sort_desc": "date",
        "facets": ["category", "financial_year", "post"],
        "columns": {
            "financial_year": "The council's financial year (1 April to 31 March), e.g. FY2019/20",
            "explicit_funding_year": "The funding year named on the line, if any",
            "amount": "The amount in pounds (text, exact)",
            "amount_pence": f"The amount, {_PENCE}",
            "reversed_by": "The reversal that undoes this line",
        },
    },
    "spend_source": {
        "description": "Each imported line's whole source row, keyed by the header (JSON).",
        "columns": {
            "source_fields": "The source row as a JSON object, in the file's column order",
        },
    },
    "funding_years_readable": {
        "description": "Funding years as first recorded, with the award in pounds.",
        "columns": {
            "original_award": "The award as first recorded, in pounds (text, exact)",
            "variations": "How many variations it has had",
        },
    },
    "funding_years_current": {
        "description": "Funding years as varied by every variation agreed so far.",
        "columns": {
            "award_pence": f"The award as varied, {_PENCE}",
            "original_start": "The first day as first recorded",
        },
    },
    "spend_allocated": {
        "description": (
            "Spend lines with the funding year each is allocated to now (the year named, "
            "else the one whose period as varied holds the day) and the financial year."
        ),
        "sort_desc": "date",
        "facets": ["funding_year", "category", "post", "financial_year"],
        "columns": {
            "funding_year": "The funding year the line counts against",
            "financial_year": "The council's financial year, e.g. FY2019/20",
            "amount": "The amount in pounds (text, exact)",
            "amount_pence": f"The amount, {_PENCE}",
        },
    },
}
"""Every table and view a reader sees, described in the users' words."""


def database_metadata(grant_name: str | None = None) -> dict[str, Any]:
    """The Datasette metadata of one store (its ``databases.<name>`` entry).

    Args:
        grant_name: the grant's name, shown in the database's description.
    """
    about = (
        "The ledger of the Department for Education grant for the Family Safeguarding "
        "roll-out: funding years and variations, posts and their recruitment, spend "
        "against estimates, receipts, imports, submitted returns and the audit trail. "
        "Money columns named *_pence are whole pence (shown as pounds on these pages and "
        "in CSV downloads, named without _pence; JSON keeps exact pence). Read-only: "
        "change the ledger with the fsgrant command."
    )
    tables: dict[str, dict[str, Any]] = {t: {"hidden": True} for t in HIDDEN_TABLES}
    for name, meta in TABLES.items():
        tables[name] = dict(meta)
    return {
        "title": grant_name or "Family Safeguarding grant ledger",
        "description": about,
        "tables": tables,
        # The SQL is one click away ("show"); people come for the answer.
        "queries": {name: {**q, "hide_sql": True} for name, q in CANNED_QUERIES.items()},
    }
