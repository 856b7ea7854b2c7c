"""What a reader of the store sees in Datasette: descriptions and canned queries.

Plain data about the schema (no connection, nothing run here): a title and
description for the database, every table and view described in the users' words,
its columns (money columns are integer pence, named ``*_pence``, and say so), the
internal tables hidden, default sort orders and facets, and the questions people ask
as named SQL queries with parameters.

The canned queries restate report rules in SQL for people who read the store in a
browser; ``tests/test_browse.py`` holds them to the library's figures to the penny.
What SQL cannot restate (forecasts are worked out in Python from posts and set
forecasts) is left out and the query's description says so.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CANNED_QUERIES", "HIDDEN_TABLES", "PENCE_SUFFIX", "TABLES", "database_metadata"]

PENCE_SUFFIX = "_pence"
"""Every money column of the store (and of the canned queries) ends so: integer pence."""

_PENCE = "in pence (whole pence, exact; shown as pounds on the pages, pence in JSON and CSV)"

HIDDEN_TABLES = ("_sqlite_migrations", "fsgrant_meta", "settings")
"""Internal tables: the schema's migrations, the store's marker and the report settings."""

# The day a canned query speaks for: ``:as_at`` as ISO (2020-03-31) or UK day first
# (31/03/2020), today (local time, as the command line's default) when left empty.
_DAY = """day AS (
    SELECT CASE
        WHEN trim(:as_at) = '' THEN date('now', 'localtime')
        WHEN trim(:as_at) GLOB '[0-9][0-9]/[0-9][0-9]/[0-9][0-9][0-9][0-9]'
            THEN substr(trim(:as_at), 7, 4) || '-' || substr(trim(:as_at), 4, 2) || '-'
                 || substr(trim(:as_at), 1, 2)
        ELSE trim(:as_at)
    END AS d
)"""

# Funding years as varied by the variations agreed on or before the day (the rule of
# fsgrant.domain.funding.apply_variations, as the view funding_years_current states it
# for every variation), and the spend dated on or before the day with the funding year
# it is allocated to then (fsgrant.domain.funding.allocate); spend no open year holds
# counts to the withdrawn year whose period it is dated in, the earliest starting
# (fsgrant.domain.reports.build_summary: a pressure on the council).
_YEARS_AS_AT = """agreed AS (
    SELECT v.* FROM variations v, day WHERE v.agreed_on <= day.d
),
last_amount AS (
    SELECT f.label,
           (SELECT v.id FROM agreed v WHERE v.funding_year = f.label AND v.kind = 'amount'
            ORDER BY v.agreed_on DESC, v.id DESC LIMIT 1) AS id
    FROM funding_years f
),
years AS (
    SELECT f.label,
           coalesce((SELECT v.new_status FROM agreed v
                     WHERE v.funding_year = f.label AND v.kind = 'status'
                     ORDER BY v.agreed_on DESC, v.id DESC LIMIT 1), f.status) AS status,
           coalesce((SELECT v.new_start FROM agreed v
                     WHERE v.funding_year = f.label AND v.kind = 'shift'
                     ORDER BY v.agreed_on DESC, v.id DESC LIMIT 1), f.start) AS start,
           coalesce((SELECT v.new_end FROM agreed v
                     WHERE v.funding_year = f.label AND v.kind IN ('extend', 'shift')
                     ORDER BY v.agreed_on DESC, v.id DESC LIMIT 1), f."end") AS "end",
           coalesce(a.amount_pence, f.award_pence)
             + coalesce((SELECT sum(v.amount_pence) FROM agreed v
                         WHERE v.kind = 'move' AND v.to_year = f.label
                           AND (a.id IS NULL OR v.agreed_on > a.agreed_on
                                OR (v.agreed_on = a.agreed_on AND v.id > a.id))), 0)
             - coalesce((SELECT sum(v.amount_pence) FROM agreed v
                         WHERE v.kind = 'move' AND v.funding_year = f.label
                           AND (a.id IS NULL OR v.agreed_on > a.agreed_on
                                OR (v.agreed_on = a.agreed_on AND v.id > a.id))), 0)
             AS award_pence,
           f.start AS original_start
    FROM funding_years f
    JOIN last_amount l ON l.label = f.label
    LEFT JOIN agreed a ON a.id = l.id
),
allocated AS (
    SELECT s.amount_pence,
           coalesce(s.funding_year,
                    (SELECT y.label FROM years y
                     WHERE s.date BETWEEN y.start AND y."end" AND y.status != 'withdrawn'
                     ORDER BY y.start, y.original_start, y.label LIMIT 1),
                    (SELECT y.label FROM years y
                     WHERE s.date BETWEEN y.start AND y."end" AND y.status = 'withdrawn'
                     ORDER BY y.start, y.original_start, y.label LIMIT 1)) AS funding_year
    FROM spend s, day WHERE s.date <= day.d
)"""

_YEARS_QUERY = f"""WITH {_DAY},
{_YEARS_AS_AT}
SELECT y.label AS funding_year, y.status, y.start, y."end",
       CASE WHEN y.status = 'withdrawn' THEN 0 ELSE y.award_pence END AS award_pence,
       (SELECT coalesce(sum(r.amount_pence), 0) FROM receipts r, day
        WHERE r.funding_year = y.label AND r.date <= day.d) AS received_pence,
       (SELECT coalesce(sum(e.amount_pence), 0) FROM estimates e
        WHERE e.funding_year = y.label
          AND e.id = (SELECT min(o.id) FROM estimates o WHERE o.funding_year = e.funding_year
                      AND o.category = e.category AND o.post IS e.post))
         AS original_estimate_pence,
       (SELECT coalesce(sum(a.amount_pence), 0) FROM allocated a
        WHERE a.funding_year = y.label) AS actual_pence,
       CASE WHEN y.status = 'withdrawn' THEN 0 ELSE y.award_pence END
         - (SELECT coalesce(sum(a.amount_pence), 0) FROM allocated a
                        WHERE a.funding_year = y.label) AS award_less_actual_pence,
       (SELECT d FROM day) AS as_at
FROM years y
ORDER BY y.start, y.label"""

# A post's status on the day is its latest change effective on or before it (in the
# order effective, id); "since" is the first of the run of changes to that status
# leading up to it (fsgrant.domain.posts.Post.status_since).
_POSTS_QUERY = f"""WITH {_DAY},
ordered AS (
    SELECT s.*, row_number() OVER (PARTITION BY s.post ORDER BY s.effective, s.id) AS n
    FROM post_status s, day WHERE s.effective <= day.d
),
latest AS (
    SELECT o.* FROM ordered o
    WHERE o.n = (SELECT max(x.n) FROM ordered x WHERE x.post = o.post)
),
stuck AS (
    SELECT l.post, l.status, l.reason, l.expected_start,
           (SELECT min(o.effective) FROM ordered o
            WHERE o.post = l.post
              AND o.n > coalesce((SELECT max(x.n) FROM ordered x
                                  WHERE x.post = l.post AND x.status != l.status), 0)) AS since
    FROM latest l
    WHERE l.status IN ('blocked', 'vacant')
)
SELECT p.id AS post,
       coalesce((SELECT c.title FROM post_changes c, day
                 WHERE c.post = p.id AND c.title IS NOT NULL AND c.effective <= day.d
                 ORDER BY c.effective DESC, c.id DESC LIMIT 1), p.title) AS title,
       p.role,
       coalesce((SELECT c.host FROM post_changes c, day
                 WHERE c.post = p.id AND c.host IS NOT NULL AND c.effective <= day.d
                 ORDER BY c.effective DESC, c.id DESC LIMIT 1), p.host) AS host,
       st.status, st.since,
       CAST(julianday((SELECT d FROM day)) - julianday(st.since) AS INTEGER) AS days,
       st.reason, st.expected_start,
       (SELECT d FROM day) AS as_at
FROM stuck st JOIN posts p ON p.id = st.post
ORDER BY st.status, days DESC, p.id"""

_SPEND_BY_MONTH_QUERY = """SELECT substr(s.date, 1, 7) AS month, s.category,
       count(*) AS lines, sum(s.amount_pence) AS amount_pence
FROM spend_allocated s
WHERE (trim(:funding_year) = '' OR s.funding_year = trim(:funding_year))
GROUP BY month, s.category
ORDER BY month, s.category"""

_SUPPLIER_QUERY = """SELECT s.id, s.date, s.financial_year, s.amount_pence, s.category, s.post,
       s.supplier, s.description, s.reference, s.reverses, s.reversed_by, s.import_batch
FROM spend_readable s
WHERE instr(lower(coalesce(s.supplier, '')), lower(trim(:supplier))) > 0
ORDER BY s.date, s.id"""

_IMPORTS_QUERY = """SELECT b.id AS batch, b.file_name, b.imported_at, b.imported_by, b.mapping,
       b.rows_read, b.rows_added, b.rows_duplicate, b.rows_skipped, b.rows_zero,
       b.rows_rejected, b.amounts_snapped, b.total_added_pence,
       (SELECT coalesce(sum(s.amount_pence), 0) FROM spend s WHERE s.import_batch = b.id)
         AS lines_now_pence,
       b.sha256
FROM import_batches b
ORDER BY b.id DESC"""

_AUDIT_QUERY = """SELECT a.id, a.at, a.user, a.command, a.action, a.subject, a.detail
FROM audit a
WHERE a.at >= strftime('%Y-%m-%dT%H:%M:%S', 'now', '-30 days')
ORDER BY a.id DESC"""

_RETURNS_QUERY = """SELECT r.id, r.funding_year, r.as_at, r.reference, r.file_name,
       r.submitted_at, r.submitted_by, r.closed_through,
       json_array_length(r.figures) AS figures,
       (SELECT count(*) FROM submitted_returns o
        WHERE o.funding_year = r.funding_year AND o.as_at = r.as_at AND o.id < r.id)
         AS earlier_for_same_date,
       (SELECT count(*) FROM audit a WHERE a.at > r.submitted_at
          AND a.action != 'return.submit' AND a.action NOT LIKE 'period.%')
         AS changes_since,
       r.file_sha256, r.fingerprint
FROM submitted_returns r
ORDER BY r.id DESC"""

_RETURN_FIGURES_QUERY = """SELECT r.id AS return_id, r.funding_year, r.as_at,
       json_extract(f.value, '$[0]') AS sheet, json_extract(f.value, '$[1]') AS row_label,
       json_extract(f.value, '$[2]') AS column_header, json_extract(f.value, '$[3]') AS kind,
       json_extract(f.value, '$[4]') AS value
FROM submitted_returns r, json_each(r.figures) f
WHERE r.id = CAST(:return_id AS INTEGER)
ORDER BY f.key"""

_SINCE_RETURN_QUERY = """SELECT a.id, a.at, a.user, a.command, a.action, a.subject, a.detail
FROM audit a
WHERE a.at > (SELECT r.submitted_at FROM submitted_returns r
              WHERE trim(:funding_year) = '' OR r.funding_year = trim(:funding_year)
              ORDER BY r.submitted_at DESC, r.id DESC LIMIT 1)
  AND a.action != 'return.submit'
ORDER BY a.id"""

CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "funding_years_as_at": {
        "title": "Where each funding year stands",
        "description": (
            "Each funding year as at a day (:as_at, e.g. 2020-03-31 or 31/03/2020; today "
            "when empty), with every variation agreed by then: the award, the grant "
            "received from the funder, the original estimate, the actual spend allocated to "
            "the year and the award less actual. A withdrawn year's award is 0 and its "
            "actual takes the spend dated in its period that no open year holds. These "
            "equal 'fsgrant report summary --as-at' to the penny. Forecast outturn and the underspend at risk are worked "
            "out in Python from the posts and the forecasts set, so they are not here: run "
            "'fsgrant report summary' for them."
        ),
        "sql": _YEARS_QUERY,
        "params": ["as_at"],
    },
    "blocked_and_vacant_posts": {
        "title": "Blocked and vacant posts",
        "description": (
            "Posts blocked or vacant as at a day (:as_at; today when empty): since when, "
            "for how many days, why, and when a start is expected. Blocked and vacant "
            "posts turn into forecast underspend. The days equal 'fsgrant report posts "
            "--as-at'."
        ),
        "sql": _POSTS_QUERY,
        "params": ["as_at"],
    },
    "spend_by_month_and_category": {
        "title": "Spend by month and category",
        "description": (
            "Spend lines (reversals included) totalled by calendar month and cost "
            "category; of one funding year (:funding_year, e.g. 2019/20, as allocated with "
            "every variation) or of all when empty. The month totals equal 'fsgrant report "
            "spend --by month'."
        ),
        "sql": _SPEND_BY_MONTH_QUERY,
        "params": ["funding_year"],
    },
    "supplier_lines": {
        "title": "A supplier's lines",
        "description": (
            "Every spend line whose supplier contains the text given (:supplier, any "
            "case), with the reversals that undo any of them, oldest first: the lines "
            "'fsgrant spend list --supplier' lists."
        ),
        "sql": _SUPPLIER_QUERY,
        "params": ["supplier"],
    },
    "import_batches": {
        "title": "Import batches",
        "description": (
            "Every finance-system extract imported, newest first: the file, who imported "
            "it and when, the rows read, added, duplicate, skipped, zero and rejected, "
            "and the total added (and what its lines net to now, after any reversals)."
        ),
        "sql": _IMPORTS_QUERY,
    },
    "audit_last_30_days": {
        "title": "Changes in the last 30 days",
        "description": (
            "The audit trail of the last 30 days, newest first: when (UTC), who, with "
            "which command, and what changed."
        ),
        "sql": _AUDIT_QUERY,
    },
    "submitted_returns": {
        "title": "Returns submitted to the funder",
        "description": (
            "Every return recorded as submitted, newest first: its funding year and as-at "
            "date, the funder's reference, the file and its SHA-256, who submitted it "
            "and when, the closure made with it, how many earlier returns were sent for "
            "the same year and date (a resubmission), and how many changes were recorded "
            "since. Whether those changes moved a figure (a restatement) is worked out by "
            "'fsgrant export verify FILE', not here."
        ),
        "sql": _RETURNS_QUERY,
    },
    "submitted_return_figures": {
        "title": "A submitted return's figures",
        "description": (
            "Every figure of one submitted return (:return_id), as submitted: sheet, row, "
            "column and value (money as exact text). 'fsgrant return show' gives the same."
        ),
        "sql": _RETURN_FIGURES_QUERY,
        "params": ["return_id"],
    },
    "changes_since_last_return": {
        "title": "What changed since the last return",
        "description": (
            "The audit entries recorded since the latest return was submitted (of one "
            "funding year, :funding_year, or of any when empty): what may restate it."
        ),
        "sql": _SINCE_RETURN_QUERY,
        "params": ["funding_year"],
    },
}
"""The questions people ask, as named Datasette queries (``:name`` are parameters)."""

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
            "changes are in post_changes, recruitment status in post_status."
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
        },
    },
    "spend": {
        "description": (
            "Spend lines, never edited or deleted: a mistake is undone by a reversal that "
            "points at the line. Credits are negative. spend_readable adds pounds and the "
            "financial year."
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
            "dedupe_key": "What makes an imported line a duplicate",
            "source_fields": "The whole source row as imported (JSON)",
            **_RECORDED,
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
            "submitted_at": "When (UTC)",
            "submitted_by": "Who",
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
        "Money columns named *_pence are whole pence (shown as pounds on these pages; "
        "JSON and CSV downloads keep exact pence). Read-only: change the ledger with the "
        "fsgrant command."
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
