"""The migrations after the first release (0005 onward), one list of statements each.

Released migrations are never edited: each later change of the schema is a new list
here, and :mod:`fsgrant.store.schema` puts them in order after those of
:mod:`fsgrant.store.migrations_first`.
"""

from __future__ import annotations

from fsgrant.store.migrations_first import V2
from fsgrant.store.schema_sql import (
    PLAN_TABLES,
    append_only,
    is_day,
    is_decimal,
    is_fy,
    is_pence,
    no_replace,
)

# The register of returns submitted to the funder: what was sent (the file's SHA-256,
# the ledger fingerprint, every figure as JSON keyed by sheet, row and column), when,
# by whom, and the closure made with it. Not part of the ledger fingerprint: recording
# a submission changes no figure, so it must not make the return read as changed.
V5: list[str] = [
    f"""CREATE TABLE submitted_returns (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        as_at TEXT NOT NULL {is_day("as_at")},
        file_name TEXT NOT NULL,
        file_sha256 TEXT NOT NULL CHECK (length(file_sha256) = 64),
        fingerprint TEXT NOT NULL,
        figures TEXT NOT NULL CHECK (json_valid(figures)),
        reference TEXT,
        closed_through TEXT {is_day("closed_through", nullable=True)},
        submitted_at TEXT NOT NULL,
        submitted_by TEXT NOT NULL
    )""",
    "CREATE INDEX submitted_returns_year ON submitted_returns(funding_year, as_at)",
    "CREATE INDEX submitted_returns_sha ON submitted_returns(file_sha256)",
    *append_only("submitted_returns"),
    no_replace("submitted_returns"),
]

# Two years whose periods start on the same day, first recorded on the same day too:
# the library takes the one whose label sorts first (years are ordered by start, then
# label); spend_allocated left the choice to SQLite's scan order.
_TIE = "ORDER BY c.start, c.original_start LIMIT 1"
assert V2[1].count(_TIE) == 1
V6: list[str] = [
    "DROP VIEW spend_allocated",
    V2[1].replace(_TIE, "ORDER BY c.start, c.original_start, c.label LIMIT 1"),
]

# Dated changes of a post's details (a pay award, an FTE change, a new host, a
# leaving date, the correction of a wrong value): history, never overwritten. Each
# column left NULL keeps the value in force before the change.
POST_CHANGES: list[str] = [
    f"""CREATE TABLE post_changes (
        id INTEGER PRIMARY KEY,
        post TEXT NOT NULL REFERENCES posts(id),
        effective TEXT NOT NULL {is_day("effective")},
        annual_cost_pence INTEGER {is_pence("annual_cost_pence", nullable=True)}
            CHECK (annual_cost_pence IS NULL OR annual_cost_pence >= 0),
        salary_pence INTEGER {is_pence("salary_pence", nullable=True)},
        on_cost_rate TEXT,
        fte TEXT,
        host TEXT,
        route TEXT CHECK (route IS NULL OR route IN ('direct', 'secondment', 'recharge')),
        team TEXT,
        title TEXT,
        end_date TEXT {is_day("end_date", nullable=True)},
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        CHECK ((salary_pence IS NULL) = (on_cost_rate IS NULL)),
        CHECK (salary_pence IS NULL OR annual_cost_pence IS NOT NULL)
    )""",
    "CREATE INDEX post_changes_post ON post_changes(post, effective)",
    *append_only("post_changes"),
    no_replace("post_changes"),
]

# Nothing in an extract is lost by importing it: each imported line keeps its whole
# source row (JSON keyed by the header); a batch records its zero rows and what
# skipped each skipped row.
SPEND_SOURCE_FIELDS: list[str] = [
    "ALTER TABLE spend ADD COLUMN source_fields TEXT "
    "CHECK (source_fields IS NULL OR json_valid(source_fields))",
    "ALTER TABLE import_batches ADD COLUMN rows_zero INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE import_batches ADD COLUMN skipped_by TEXT "
    "CHECK (skipped_by IS NULL OR json_valid(skipped_by))",
]

# The grant's details (names, org ids) may be corrected, but what they were is kept:
# the store itself copies the details an UPDATE replaces into grant_history, which is
# append-only, so a return made before a change stays explainable.
GRANT_HISTORY: list[str] = [
    """CREATE TABLE grant_history (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        funder TEXT NOT NULL,
        recipient TEXT NOT NULL,
        funder_org_id TEXT,
        recipient_org_id TEXT,
        replaced_at TEXT NOT NULL
    )""",
    *append_only("grant_history"),
    """CREATE TRIGGER grant_history_no_replace BEFORE INSERT ON grant_history
    BEGIN
        SELECT RAISE(ABORT, 'fsgrant: grant_history rows are append-only; an existing row cannot be replaced')
        WHERE NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM grant_history WHERE id = NEW.id);
    END""",
    """CREATE TRIGGER grant_info_no_delete BEFORE DELETE ON grant_info
    BEGIN SELECT RAISE(ABORT, 'fsgrant: the grant cannot be deleted; change its details instead'); END""",
    """CREATE TRIGGER grant_info_keeps_history AFTER UPDATE ON grant_info
    BEGIN
        INSERT INTO grant_history
            (name, funder, recipient, funder_org_id, recipient_org_id, replaced_at)
        VALUES (OLD.name, OLD.funder, OLD.recipient, OLD.funder_org_id, OLD.recipient_org_id,
                strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'));
    END""",
]


# The onward-sustainability plan: what pays for the model once the grant ends (sources
# and their committed funding by financial year), the recurring costs posts do not
# drive, and the outcome measures (observations and targets) savings are worked out
# from. Dated history, never overwritten: a revision is a new row.
SUSTAINABILITY_PLAN: list[str] = [
    f"""CREATE TABLE plan_sources (
        name TEXT PRIMARY KEY CHECK (length(trim(name)) > 0),
        kind TEXT NOT NULL CHECK (kind IN ('base-budget', 'partner', 'savings', 'other')),
        description TEXT,
        measure TEXT,
        baseline TEXT {is_decimal("baseline", nullable=True)},
        unit_cost_pence INTEGER {is_pence("unit_cost_pence", nullable=True)}
            CHECK (unit_cost_pence IS NULL OR unit_cost_pence >= 0),
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        CHECK ((measure IS NULL) = (baseline IS NULL)
               AND (measure IS NULL) = (unit_cost_pence IS NULL)),
        CHECK (measure IS NULL OR kind = 'savings')
    )""",
    f"""CREATE TABLE plan_funding (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL REFERENCES plan_sources(name),
        financial_year TEXT NOT NULL {is_fy("financial_year")},
        amount_pence INTEGER NOT NULL {is_pence("amount_pence")} CHECK (amount_pence >= 0),
        set_on TEXT NOT NULL {is_day("set_on")},
        note TEXT,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    "CREATE INDEX plan_funding_source ON plan_funding(source, financial_year, set_on)",
    f"""CREATE TABLE plan_costs (
        id INTEGER PRIMARY KEY,
        category TEXT NOT NULL REFERENCES categories(name),
        financial_year TEXT NOT NULL {is_fy("financial_year")},
        amount_pence INTEGER NOT NULL {is_pence("amount_pence")} CHECK (amount_pence >= 0),
        set_on TEXT NOT NULL {is_day("set_on")},
        note TEXT,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    f"""CREATE TABLE measure_observations (
        id INTEGER PRIMARY KEY,
        measure TEXT NOT NULL CHECK (length(trim(measure)) > 0),
        observed_on TEXT NOT NULL {is_day("observed_on")},
        value TEXT NOT NULL {is_decimal("value")},
        note TEXT,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    "CREATE INDEX measure_observations_measure ON measure_observations(measure, observed_on)",
    f"""CREATE TABLE measure_targets (
        id INTEGER PRIMARY KEY,
        measure TEXT NOT NULL CHECK (length(trim(measure)) > 0),
        financial_year TEXT NOT NULL {is_fy("financial_year")},
        value TEXT NOT NULL {is_decimal("value")},
        set_on TEXT NOT NULL {is_day("set_on")},
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    *(stmt for table in PLAN_TABLES for stmt in (*append_only(table), no_replace(table))),
]

# Conditions of funding years, numbered within their year after those recorded with
# the year itself (its ``conditions`` JSON list: numbers 1..n), each with dated
# evidence and a dated status history. All append-only: a status is changed by a new
# dated record, never by editing the last. A condition may name a check fsgrant
# computes (spend against the original estimates of ``check_year``; the
# sustainability plan).
_CONDITION_STATUSES = "('open', 'submitted', 'met', 'not-met', 'waived')"
CONDITIONS: list[str] = [
    f"""CREATE TABLE conditions (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        number INTEGER NOT NULL CHECK (typeof(number) = 'integer' AND number >= 1),
        text TEXT NOT NULL CHECK (length(trim(text)) > 0),
        due TEXT {is_day("due", nullable=True)},
        agreed_on TEXT {is_day("agreed_on", nullable=True)},
        check_kind TEXT CHECK (check_kind IS NULL OR check_kind IN ('estimates', 'sustainability')),
        check_year TEXT REFERENCES funding_years(label),
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        UNIQUE (funding_year, number),
        CHECK (check_year IS NULL OR check_kind = 'estimates')
    )""",
    f"""CREATE TABLE condition_evidence (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        number INTEGER NOT NULL CHECK (typeof(number) = 'integer' AND number >= 1),
        "on" TEXT NOT NULL {is_day('"on"')},
        note TEXT NOT NULL CHECK (length(trim(note)) > 0),
        document TEXT,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    f"""CREATE TABLE condition_status (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        number INTEGER NOT NULL CHECK (typeof(number) = 'integer' AND number >= 1),
        status TEXT NOT NULL CHECK (status IN {_CONDITION_STATUSES}),
        "on" TEXT NOT NULL {is_day('"on"')},
        reason TEXT,
        reference TEXT,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        CHECK (status NOT IN ('not-met', 'waived') OR length(trim(coalesce(reason, ''))) > 0)
    )""",
    "CREATE INDEX condition_evidence_of ON condition_evidence(funding_year, number)",
    "CREATE INDEX condition_status_of ON condition_status(funding_year, number)",
]
for _table in ("conditions", "condition_evidence", "condition_status"):
    CONDITIONS.extend(append_only(_table))
    CONDITIONS.append(no_replace(_table))

# How a funding year's estimate for a category falls by month, as dated history: the
# latest set on or before a date is in force. ``even`` has no months; ``months`` (a
# file) and ``posts`` (the posts' planned starts) record each month's budget, adding
# up to ``total_pence``, the estimate in force when it was set.
ESTIMATE_PHASING: list[str] = [
    f"""CREATE TABLE estimate_phasing (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        category TEXT NOT NULL REFERENCES categories(name),
        method TEXT NOT NULL CHECK (method IN ('even', 'months', 'posts')),
        set_on TEXT NOT NULL {is_day("set_on")},
        total_pence INTEGER {is_pence("total_pence", nullable=True)},
        source TEXT,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        CHECK ((method = 'even') = (total_pence IS NULL))
    )""",
    f"""CREATE TABLE estimate_phasing_months (
        id INTEGER PRIMARY KEY,
        phasing INTEGER NOT NULL REFERENCES estimate_phasing(id),
        month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'
                                   AND substr(month, 6, 2) BETWEEN '01' AND '12'),
        amount_pence INTEGER NOT NULL {is_pence("amount_pence")} CHECK (amount_pence >= 0)
    )""",
    "CREATE INDEX estimate_phasing_months_phasing ON estimate_phasing_months(phasing)",
    """CREATE TRIGGER estimate_phasing_months_once BEFORE INSERT ON estimate_phasing_months
    BEGIN
        SELECT RAISE(ABORT, 'fsgrant: a phasing gives each month once')
        WHERE EXISTS (SELECT 1 FROM estimate_phasing_months
                      WHERE phasing = NEW.phasing AND month = NEW.month);
    END""",
    *append_only("estimate_phasing"),
    no_replace("estimate_phasing"),
    *append_only("estimate_phasing_months"),
    no_replace("estimate_phasing_months"),
]

# A receipt keyed wrongly is undone by a reversal: a receipt with the negated amount,
# the same date and funding year, pointing at the receipt it undoes, with a reason. A
# receipt is reversed once; a reversal is not reversed.
RECEIPT_REVERSALS: list[str] = [
    "ALTER TABLE receipts ADD COLUMN reverses INTEGER REFERENCES receipts(id)",
    "ALTER TABLE receipts ADD COLUMN reason TEXT",
    "CREATE INDEX receipts_reverses ON receipts(reverses) WHERE reverses IS NOT NULL",
    """CREATE TRIGGER receipts_reversal_matches BEFORE INSERT ON receipts
    WHEN NEW.reverses IS NOT NULL
    BEGIN
        SELECT RAISE(ABORT, 'fsgrant: a receipt reversal needs a reason')
        WHERE length(trim(coalesce(NEW.reason, ''))) = 0;
        SELECT RAISE(ABORT, 'fsgrant: that receipt has been reversed already; a receipt is reversed once')
        WHERE EXISTS (SELECT 1 FROM receipts WHERE reverses = NEW.reverses);
        SELECT RAISE(ABORT, 'fsgrant: a reversal cannot itself be reversed; record the receipt again instead')
        WHERE (SELECT reverses FROM receipts WHERE id = NEW.reverses) IS NOT NULL;
        SELECT RAISE(ABORT, 'fsgrant: a receipt reversal must carry the date, funding year and negated amount of the receipt it reverses')
        WHERE NOT EXISTS (
            SELECT 1 FROM receipts o WHERE o.id = NEW.reverses
              AND o.amount_pence = -NEW.amount_pence
              AND o.date = NEW.date
              AND o.funding_year = NEW.funding_year);
    END""",
]

# Reports sum spend by (date, funding year, category[, post]): an index holding every
# column they read answers them in index order, without the table or a sort, and is
# smaller to scan than the table. It serves the date lookups spend_date served.
COVERING_SPEND_INDEX: list[str] = [
    "DROP INDEX spend_date",
    "CREATE INDEX spend_date_totals ON spend(date, funding_year, category, post, amount_pence)",
]

# An import names its batch before the batch row is written (a deferred foreign key):
# writing that row makes SQLite look for the lines naming it, which without an index
# on spend(import_batch) reads the whole table. Only imported lines are indexed.
SPEND_BATCH_INDEX: list[str] = [
    "CREATE INDEX spend_batch ON spend(import_batch) WHERE import_batch IS NOT NULL",
]

# An imported line keeps its source row as a JSON array of its cells; the names they
# go under (the header's, made unique) are kept once, with the batch, instead of with
# every line (they were some 60% of a line's bytes, and storing them slowed imports).
# Lines imported before keep their JSON object. spend_source gives every line's source
# row as an object, either way, for SQL tools.
COMPACT_SOURCE_FIELDS: list[str] = [
    "ALTER TABLE import_batches ADD COLUMN source_names TEXT "
    "CHECK (source_names IS NULL OR (json_valid(source_names) "
    "AND json_type(source_names) = 'array'))",
    """CREATE VIEW spend_source AS
    SELECT s.id, s.import_batch, s.source_line,
           CASE WHEN json_type(s.source_fields) = 'array' THEN (
               SELECT json_group_object(coalesce(n.value, 'column ' || (c.key + 1)), c.value)
               FROM json_each(s.source_fields) c
               LEFT JOIN json_each(b.source_names) n ON n.key = c.key
           ) ELSE json(s.source_fields) END AS source_fields
    FROM spend s LEFT JOIN import_batches b ON b.id = s.import_batch
    WHERE s.source_fields IS NOT NULL""",
]

# The rule of time (fsgrant.domain.time_rule): every decision has a date. A plan source
# is dated by when it was added (``added_on``); one added before this column existed
# is read as dated the day it was recorded.
PLAN_SOURCE_DATED: list[str] = [
    f"ALTER TABLE plan_sources ADD COLUMN added_on TEXT {is_day('added_on', nullable=True)}",
]

# Outcomes from published statistics: an observation may belong to a benchmark series
# (England, a region, a chosen council: NULL is the council's own), name the file it
# was imported from, and revise an earlier observation of the same day (a published
# figure corrected: the history is kept). A suppressed or missing published figure
# (c, x, z, :, k, u, low) is never a number: it is kept apart, with its code. A plan
# source names who gains its savings (NULL: the council).
OUTCOMES: list[str] = [
    "ALTER TABLE measure_observations ADD COLUMN series TEXT "
    "CHECK (series IS NULL OR length(trim(series)) > 0)",
    "ALTER TABLE measure_observations ADD COLUMN source_file TEXT",
    "ALTER TABLE measure_observations ADD COLUMN revises INTEGER "
    "REFERENCES measure_observations(id)",
    f"""CREATE TABLE measure_gaps (
        id INTEGER PRIMARY KEY,
        measure TEXT NOT NULL CHECK (length(trim(measure)) > 0),
        series TEXT CHECK (series IS NULL OR length(trim(series)) > 0),
        observed_on TEXT NOT NULL {is_day("observed_on")},
        code TEXT NOT NULL CHECK (code IN ('c', 'x', 'z', ':', 'k', 'u', 'low')),
        source_file TEXT,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    *append_only("measure_gaps"),
    no_replace("measure_gaps"),
    "ALTER TABLE plan_sources ADD COLUMN beneficiary TEXT "
    "CHECK (beneficiary IS NULL OR beneficiary IN ('council', 'police', 'health', 'other'))",
]

# A return's register entry says when it went to the funder (``sent_on``, given with
# the submission; a return registered before this column existed has none: read the
# day it was recorded) and which earlier return for the same year and as-at date it
# replaces (``supersedes``: a resubmission names it), and how many figures it holds.
# The grant names its Section 151 officer (name and title) for the return's sign-off;
# the details replaced are kept.
REGISTER_AND_OFFICER: list[str] = [
    f"ALTER TABLE submitted_returns ADD COLUMN sent_on TEXT {is_day('sent_on', nullable=True)}",
    "ALTER TABLE submitted_returns ADD COLUMN supersedes INTEGER REFERENCES submitted_returns(id)",
    # How many figures, kept so that listing the register never parses them (a year
    # of 200,000 lines is 400,000 figures); counted from the JSON for older rows.
    "ALTER TABLE submitted_returns ADD COLUMN figure_count INTEGER",
    "ALTER TABLE grant_info ADD COLUMN s151_officer TEXT",
    "ALTER TABLE grant_history ADD COLUMN s151_officer TEXT",
    "DROP TRIGGER grant_info_keeps_history",
    """CREATE TRIGGER grant_info_keeps_history AFTER UPDATE ON grant_info
    BEGIN
        INSERT INTO grant_history
            (name, funder, recipient, funder_org_id, recipient_org_id, s151_officer,
             replaced_at)
        VALUES (OLD.name, OLD.funder, OLD.recipient, OLD.funder_org_id, OLD.recipient_org_id,
                OLD.s151_officer, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'));
    END""",
]
