"""The questions people ask of the store in Datasette, as named SQL queries.

The canned queries restate report rules in SQL for people who read the store in a
browser; ``tests/test_browse.py`` holds them to the library's figures to the penny.
What SQL cannot restate (forecasts are worked out in Python from posts and set
forecasts) is left out and the query's description says so. Plain data (nothing run
here): :func:`fsgrant.store.browse.database_metadata` puts them in a store's metadata.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CANNED_QUERIES"]

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
       (SELECT coalesce(sum(e.amount_pence), 0) FROM estimates e, day
        WHERE e.funding_year = y.label
          AND e.id = (SELECT o.id FROM estimates o WHERE o.funding_year = e.funding_year
                      AND o.category = e.category AND o.post IS e.post AND o.set_on <= day.d
                      ORDER BY o.set_on, o.id LIMIT 1))
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
       coalesce(r.figure_count, json_array_length(r.figures)) AS figures,
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

# Purchase orders raised by the day, each with what the spend lines quoting its
# reference (dated from it to the day) drew down, held between 0 and its amount, and
# what is still committed (fsgrant.domain.commitments: nothing once cancelled by then).
_COMMITMENTS_QUERY = f"""WITH {_DAY},
orders AS (
    SELECT c.*, x."on" AS cancelled_on, x.reason AS cancel_reason,
           (SELECT coalesce(sum(s.amount_pence), 0) FROM spend s
            WHERE (s.reference = c.reference
                   OR s.id IN (SELECT o.spend FROM spend_orders o WHERE o.reference = c.reference))
              AND s.date >= c.date AND s.date <= day.d) AS invoiced_pence
    FROM commitments c
    CROSS JOIN day
    LEFT JOIN commitment_cancellations x ON x.commitment = c.id AND x."on" <= day.d
    WHERE c.date <= day.d
)
SELECT id, date, reference, category, post, supplier, description, amount_pence,
       min(max(invoiced_pence, 0), amount_pence) AS drawn_pence,
       CASE WHEN cancelled_on IS NOT NULL THEN 0
            ELSE amount_pence - min(max(invoiced_pence, 0), amount_pence) END AS open_pence,
       CASE WHEN cancelled_on IS NOT NULL THEN 'cancelled'
            WHEN invoiced_pence >= amount_pence THEN 'invoiced' ELSE 'open' END AS status,
       cancelled_on, cancel_reason
FROM orders ORDER BY date, id"""

CANNED_QUERIES["commitments_as_at"] = {
    "title": "Commitments: purchase orders not yet invoiced",
    "description": (
        "Each purchase order raised by a day (:as_at; today when empty), what the spend "
        "lines quoting its reference drew down by then and what is still committed (none "
        "once cancelled). The same as 'fsgrant commit list --as-at'."
    ),
    "sql": _COMMITMENTS_QUERY,
    "params": ["as_at"],
}
