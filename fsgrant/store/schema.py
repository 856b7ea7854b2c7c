"""The store's schema, as ordered migrations.

Kept apart from :mod:`fsgrant.store` so that the SQL can be read in one place. Each
migration is a list of statements; a migration once released is never edited:
later changes are new migrations, so an older store is upgraded in place.
"""

from __future__ import annotations

__all__ = [
    "APPEND_ONLY_TABLES",
    "MIGRATIONS",
    "UNIQUE_KEYS",
    "append_only_triggers",
]

# Tables whose rows are money or history: the store itself refuses UPDATE and DELETE.
# Those of the first schema (its migrations made their triggers; they are never edited).
_FIRST_APPEND_ONLY_TABLES = (
    "funding_years",
    "variations",
    "estimates",
    "spend",
    "receipts",
    "posts",
    "post_status",
    "forecasts",
    "import_batches",
    "period_events",
    "audit",
)
_PLAN_TABLES = (
    "plan_sources",
    "plan_funding",
    "plan_costs",
    "measure_observations",
    "measure_targets",
)
APPEND_ONLY_TABLES = (
    *_FIRST_APPEND_ONLY_TABLES,
    "submitted_returns",
    "post_changes",
    "grant_history",
    *_PLAN_TABLES,
    "conditions",
    "condition_evidence",
    "condition_status",
    "estimate_phasing",
    "estimate_phasing_months",
)


def _is_pence(col: str, *, nullable: bool = False) -> str:
    check = f"typeof({col}) = 'integer'"
    if nullable:
        check = f"{col} IS NULL OR {check}"
    return f"CHECK ({check})"


def _is_day(col: str, *, nullable: bool = False) -> str:
    check = f"{col} GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]' AND date({col}) = {col}"
    if nullable:
        check = f"{col} IS NULL OR ({check})"
    return f"CHECK ({check})"


def _append_only(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, 'fsgrant: {table} rows are append-only; record a correction instead'); END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, 'fsgrant: {table} rows are append-only; record a correction instead'); END""",
    ]


# Financial year label of an ISO date column, in SQL (1 April - 31 March).
def _fy_sql(col: str) -> str:
    first = f"(CAST(substr({col}, 1, 4) AS INTEGER) - (CAST(substr({col}, 6, 2) AS INTEGER) < 4))"
    return f"('FY' || {first} || '/' || printf('%02d', ({first} + 1) % 100))"


_V1: list[str] = [
    """CREATE TABLE fsgrant_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE grant_info (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        name TEXT NOT NULL CHECK (length(trim(name)) > 0),
        funder TEXT NOT NULL CHECK (length(trim(funder)) > 0),
        recipient TEXT NOT NULL CHECK (length(trim(recipient)) > 0),
        funder_org_id TEXT,
        recipient_org_id TEXT,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE categories (
        name TEXT PRIMARY KEY,
        description TEXT NOT NULL DEFAULT ''
    )""",
    f"""CREATE TABLE funding_years (
        label TEXT PRIMARY KEY,
        award_pence INTEGER NOT NULL {_is_pence("award_pence")} CHECK (award_pence >= 0),
        status TEXT NOT NULL CHECK (status IN ('confirmed', 'in-principle', 'withdrawn')),
        confirmed_on TEXT {_is_day("confirmed_on", nullable=True)},
        start TEXT NOT NULL {_is_day("start")},
        "end" TEXT NOT NULL {_is_day('"end"')},
        conditions TEXT NOT NULL DEFAULT '[]',
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        CHECK ("end" >= start)
    )""",
    f"""CREATE TABLE variations (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        kind TEXT NOT NULL CHECK (kind IN ('extend', 'shift', 'amount', 'move', 'status')),
        agreed_on TEXT NOT NULL {_is_day("agreed_on")},
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        reference TEXT,
        new_start TEXT {_is_day("new_start", nullable=True)},
        new_end TEXT {_is_day("new_end", nullable=True)},
        amount_pence INTEGER {_is_pence("amount_pence", nullable=True)},
        to_year TEXT REFERENCES funding_years(label),
        new_status TEXT CHECK (new_status IS NULL OR new_status IN ('confirmed', 'in-principle', 'withdrawn')),
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    f"""CREATE TABLE posts (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL CHECK (role IN ('domestic-abuse', 'substance-misuse', 'mental-health',
                                           'probation', 'psychologist', 'other')),
        team TEXT,
        host TEXT NOT NULL,
        route TEXT NOT NULL CHECK (route IN ('direct', 'secondment', 'recharge')),
        fte TEXT NOT NULL,
        annual_cost_pence INTEGER NOT NULL {_is_pence("annual_cost_pence")} CHECK (annual_cost_pence >= 0),
        salary_pence INTEGER {_is_pence("salary_pence", nullable=True)},
        on_cost_rate TEXT,
        category TEXT NOT NULL REFERENCES categories(name),
        planned_start TEXT NOT NULL {_is_day("planned_start")},
        end_date TEXT {_is_day("end_date", nullable=True)},
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    f"""CREATE TABLE post_status (
        id INTEGER PRIMARY KEY,
        post TEXT NOT NULL REFERENCES posts(id),
        status TEXT NOT NULL CHECK (status IN ('planned', 'advertised', 'offered', 'in-post',
                                               'vacant', 'blocked', 'withdrawn')),
        effective TEXT NOT NULL {_is_day("effective")},
        reason TEXT,
        expected_start TEXT {_is_day("expected_start", nullable=True)},
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        CHECK (status NOT IN ('blocked', 'withdrawn') OR length(trim(coalesce(reason, ''))) > 0)
    )""",
    f"""CREATE TABLE estimates (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        category TEXT NOT NULL REFERENCES categories(name),
        post TEXT REFERENCES posts(id),
        amount_pence INTEGER NOT NULL {_is_pence("amount_pence")},
        set_on TEXT NOT NULL {_is_day("set_on")},
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    f"""CREATE TABLE forecasts (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        category TEXT NOT NULL REFERENCES categories(name),
        amount_pence INTEGER NOT NULL {_is_pence("amount_pence")},
        set_on TEXT NOT NULL {_is_day("set_on")},
        note TEXT,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    f"""CREATE TABLE import_batches (
        id INTEGER PRIMARY KEY,
        file_name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        mapping TEXT,
        imported_at TEXT NOT NULL,
        imported_by TEXT NOT NULL,
        rows_read INTEGER NOT NULL,
        rows_added INTEGER NOT NULL,
        rows_duplicate INTEGER NOT NULL,
        rows_skipped INTEGER NOT NULL,
        rows_rejected INTEGER NOT NULL,
        amounts_snapped INTEGER NOT NULL DEFAULT 0,
        total_added_pence INTEGER NOT NULL {_is_pence("total_added_pence")}
    )""",
    f"""CREATE TABLE spend (
        id INTEGER PRIMARY KEY,
        date TEXT NOT NULL {_is_day("date")},
        amount_pence INTEGER NOT NULL {_is_pence("amount_pence")},
        category TEXT NOT NULL REFERENCES categories(name),
        post TEXT REFERENCES posts(id),
        supplier TEXT,
        description TEXT,
        reference TEXT,
        funding_year TEXT REFERENCES funding_years(label),
        reverses INTEGER UNIQUE REFERENCES spend(id),
        reason TEXT,
        import_batch INTEGER REFERENCES import_batches(id) DEFERRABLE INITIALLY DEFERRED,
        source_line INTEGER,
        dedupe_key TEXT UNIQUE,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        CHECK (reverses IS NULL OR length(trim(coalesce(reason, ''))) > 0)
    )""",
    "CREATE INDEX spend_date ON spend(date)",
    "CREATE INDEX spend_post ON spend(post)",
    "CREATE INDEX spend_batch ON spend(import_batch)",
    # A reversal must undo exactly one ordinary line, in the same place.
    """CREATE TRIGGER spend_reversal_matches BEFORE INSERT ON spend
    WHEN NEW.reverses IS NOT NULL
    BEGIN
        SELECT RAISE(ABORT, 'fsgrant: a reversal cannot itself be reversed; enter the line again instead')
        WHERE (SELECT reverses FROM spend WHERE id = NEW.reverses) IS NOT NULL;
        SELECT RAISE(ABORT, 'fsgrant: a reversal must carry the date, category, post, year and negated amount of the line it reverses')
        WHERE NOT EXISTS (
            SELECT 1 FROM spend o WHERE o.id = NEW.reverses
              AND o.amount_pence = -NEW.amount_pence
              AND o.date = NEW.date
              AND o.category = NEW.category
              AND o.post IS NEW.post
              AND o.funding_year IS NEW.funding_year);
    END""",
    f"""CREATE TABLE receipts (
        id INTEGER PRIMARY KEY,
        date TEXT NOT NULL {_is_day("date")},
        amount_pence INTEGER NOT NULL {_is_pence("amount_pence")},
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        reference TEXT,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    f"""CREATE TABLE period_events (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        kind TEXT NOT NULL CHECK (kind IN ('close', 'reopen')),
        through TEXT {_is_day("through", nullable=True)},
        reference TEXT,
        reason TEXT,
        at TEXT NOT NULL,
        by TEXT NOT NULL,
        CHECK (kind = 'reopen' OR through IS NOT NULL)
    )""",
    """CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user TEXT NOT NULL,
        command TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT,
        detail TEXT NOT NULL DEFAULT '{}'
    )""",
    """CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    # Readable views for the sqlite-utils CLI and Datasette: pounds as text.
    f"""CREATE VIEW spend_readable AS
    SELECT s.id, s.date, {_fy_sql("s.date")} AS financial_year,
           s.funding_year AS explicit_funding_year,
           printf('%s%d.%02d', CASE WHEN s.amount_pence < 0 THEN '-' ELSE '' END,
                  abs(s.amount_pence) / 100, abs(s.amount_pence) % 100) AS amount,
           s.amount_pence, s.category, s.post, s.supplier, s.description, s.reference,
           s.reverses, (SELECT r.id FROM spend r WHERE r.reverses = s.id) AS reversed_by,
           s.reason, s.import_batch, s.source_line, s.recorded_at, s.recorded_by
    FROM spend s""",
    """CREATE VIEW funding_years_readable AS
    SELECT label, status, start, "end",
           printf('%d.%02d', award_pence / 100, award_pence % 100) AS original_award,
           confirmed_on, conditions,
           (SELECT count(*) FROM variations v WHERE v.funding_year = f.label) AS variations
    FROM funding_years f""",
]
for _table in _FIRST_APPEND_ONLY_TABLES:
    _V1.extend(_append_only(_table))

# Funding years as varied by every variation, and spend with the funding year it is
# allocated to now: the same rules as fsgrant.domain.funding, for readers of the raw store.
_LATEST = "ORDER BY v.agreed_on DESC, v.id DESC LIMIT 1"
_AFTER_AMOUNT = (
    "(a.id IS NULL OR v.agreed_on > a.agreed_on OR (v.agreed_on = a.agreed_on AND v.id > a.id))"
)
_V2: list[str] = [
    f"""CREATE VIEW funding_years_current AS
    WITH last_amount AS (
        SELECT f.label,
               (SELECT v.id FROM variations v WHERE v.funding_year = f.label AND v.kind = 'amount'
                {_LATEST}) AS id
        FROM funding_years f
    )
    SELECT f.label,
           coalesce((SELECT v.new_status FROM variations v
                     WHERE v.funding_year = f.label AND v.kind = 'status' {_LATEST}),
                    f.status) AS status,
           coalesce((SELECT v.new_start FROM variations v
                     WHERE v.funding_year = f.label AND v.kind = 'shift' {_LATEST}),
                    f.start) AS start,
           coalesce((SELECT v.new_end FROM variations v
                     WHERE v.funding_year = f.label AND v.kind IN ('extend', 'shift') {_LATEST}),
                    f."end") AS "end",
           coalesce(a.amount_pence, f.award_pence)
             + coalesce((SELECT sum(v.amount_pence) FROM variations v
                         WHERE v.kind = 'move' AND v.to_year = f.label AND {_AFTER_AMOUNT}), 0)
             - coalesce((SELECT sum(v.amount_pence) FROM variations v
                         WHERE v.kind = 'move' AND v.funding_year = f.label AND {_AFTER_AMOUNT}), 0)
             AS award_pence,
           f.start AS original_start
    FROM funding_years f
    JOIN last_amount l ON l.label = f.label
    LEFT JOIN variations a ON a.id = l.id""",
    f"""CREATE VIEW spend_allocated AS
    SELECT s.id, s.date,
           coalesce(s.funding_year,
                    (SELECT c.label FROM funding_years_current c
                     WHERE s.date BETWEEN c.start AND c."end" AND c.status != 'withdrawn'
                     ORDER BY c.start, c.original_start LIMIT 1)) AS funding_year,
           {_fy_sql("s.date")} AS financial_year,
           printf('%s%d.%02d', CASE WHEN s.amount_pence < 0 THEN '-' ELSE '' END,
                  abs(s.amount_pence) / 100, abs(s.amount_pence) % 100) AS amount,
           s.amount_pence, s.category, s.post, s.supplier, s.description, s.reference,
           s.reverses, s.import_batch, s.source_line
    FROM spend s""",
]

# The unique keys of each append-only table. ``INSERT OR REPLACE`` (and ``REPLACE``)
# delete a row that clashes on one of them without firing DELETE triggers (unless the
# connection turned recursive_triggers on), so each table also refuses an insert
# that would clash: an existing row is never silently replaced.
UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "funding_years": ("label",),
    "variations": ("id",),
    "estimates": ("id",),
    "spend": ("id", "reverses", "dedupe_key"),
    "receipts": ("id",),
    "posts": ("id",),
    "post_status": ("id",),
    "forecasts": ("id",),
    "import_batches": ("id",),
    "period_events": ("id",),
    "audit": ("id",),
    "submitted_returns": ("id",),
    "post_changes": ("id",),
    "grant_history": ("id",),
    "plan_sources": ("name",),
    "plan_funding": ("id",),
    "plan_costs": ("id",),
    "measure_observations": ("id",),
    "measure_targets": ("id",),
    "conditions": ("id",),
    "condition_evidence": ("id",),
    "condition_status": ("id",),
    "estimate_phasing": ("id",),
    "estimate_phasing_months": ("id",),
}


_CLASH_MESSAGES = {
    ("spend", "reverses"): "that spend line has been reversed already; a line is reversed once",
    ("spend", "dedupe_key"): "a spend line with this dedupe key is stored already",
}


def _no_replace(table: str) -> str:
    checks = "\n".join(
        f"""        SELECT RAISE(ABORT, 'fsgrant: {
            _CLASH_MESSAGES.get(
                (table, col),
                f"{table} rows are append-only; an existing row cannot be replaced",
            )
        }')
        WHERE NEW.{col} IS NOT NULL AND EXISTS (SELECT 1 FROM {table} WHERE {col} = NEW.{col});"""
        for col in UNIQUE_KEYS[table]
    )
    return f"""CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table}
    BEGIN
{checks}
    END"""


_V3: list[str] = [_no_replace(t) for t in _FIRST_APPEND_ONLY_TABLES]

# Lighter indexes for large imports: most imported lines name no post, and a batch's
# lines are listed rarely (a scan is fine), while every index slows every insert.
_V4: list[str] = [
    "DROP INDEX spend_post",
    "CREATE INDEX spend_post ON spend(post) WHERE post IS NOT NULL",
    "DROP INDEX spend_batch",
]

# The register of returns submitted to the funder: what was sent (the file's SHA-256,
# the ledger fingerprint, every figure as JSON keyed by sheet, row and column), when,
# by whom, and the closure made with it. Not part of the ledger fingerprint: recording
# a submission changes no figure, so it must not make the return read as changed.
_V5: list[str] = [
    f"""CREATE TABLE submitted_returns (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        as_at TEXT NOT NULL {_is_day("as_at")},
        file_name TEXT NOT NULL,
        file_sha256 TEXT NOT NULL CHECK (length(file_sha256) = 64),
        fingerprint TEXT NOT NULL,
        figures TEXT NOT NULL CHECK (json_valid(figures)),
        reference TEXT,
        closed_through TEXT {_is_day("closed_through", nullable=True)},
        submitted_at TEXT NOT NULL,
        submitted_by TEXT NOT NULL
    )""",
    "CREATE INDEX submitted_returns_year ON submitted_returns(funding_year, as_at)",
    "CREATE INDEX submitted_returns_sha ON submitted_returns(file_sha256)",
    *_append_only("submitted_returns"),
    _no_replace("submitted_returns"),
]

# Two years whose periods start on the same day, first recorded on the same day too:
# the library takes the one whose label sorts first (years are ordered by start, then
# label); spend_allocated left the choice to SQLite's scan order.
_TIE = "ORDER BY c.start, c.original_start LIMIT 1"
assert _V2[1].count(_TIE) == 1
_V6: list[str] = [
    "DROP VIEW spend_allocated",
    _V2[1].replace(_TIE, "ORDER BY c.start, c.original_start, c.label LIMIT 1"),
]

# Dated changes of a post's details (a pay award, an FTE change, a new host, a
# leaving date, the correction of a wrong value): history, never overwritten. Each
# column left NULL keeps the value in force before the change.
_POST_CHANGES: list[str] = [
    f"""CREATE TABLE post_changes (
        id INTEGER PRIMARY KEY,
        post TEXT NOT NULL REFERENCES posts(id),
        effective TEXT NOT NULL {_is_day("effective")},
        annual_cost_pence INTEGER {_is_pence("annual_cost_pence", nullable=True)}
            CHECK (annual_cost_pence IS NULL OR annual_cost_pence >= 0),
        salary_pence INTEGER {_is_pence("salary_pence", nullable=True)},
        on_cost_rate TEXT,
        fte TEXT,
        host TEXT,
        route TEXT CHECK (route IS NULL OR route IN ('direct', 'secondment', 'recharge')),
        team TEXT,
        title TEXT,
        end_date TEXT {_is_day("end_date", nullable=True)},
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        CHECK ((salary_pence IS NULL) = (on_cost_rate IS NULL)),
        CHECK (salary_pence IS NULL OR annual_cost_pence IS NOT NULL)
    )""",
    "CREATE INDEX post_changes_post ON post_changes(post, effective)",
    *_append_only("post_changes"),
    _no_replace("post_changes"),
]

# Nothing in an extract is lost by importing it: each imported line keeps its whole
# source row (JSON keyed by the header); a batch records its zero rows and what
# skipped each skipped row.
_SPEND_SOURCE_FIELDS: list[str] = [
    "ALTER TABLE spend ADD COLUMN source_fields TEXT "
    "CHECK (source_fields IS NULL OR json_valid(source_fields))",
    "ALTER TABLE import_batches ADD COLUMN rows_zero INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE import_batches ADD COLUMN skipped_by TEXT "
    "CHECK (skipped_by IS NULL OR json_valid(skipped_by))",
]

# The grant's details (names, org ids) may be corrected, but what they were is kept:
# the store itself copies the details an UPDATE replaces into grant_history, which is
# append-only, so a return made before a change stays explainable.
_GRANT_HISTORY: list[str] = [
    """CREATE TABLE grant_history (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        funder TEXT NOT NULL,
        recipient TEXT NOT NULL,
        funder_org_id TEXT,
        recipient_org_id TEXT,
        replaced_at TEXT NOT NULL
    )""",
    *_append_only("grant_history"),
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


def _is_fy(col: str) -> str:
    return f"CHECK ({col} GLOB 'FY[0-9][0-9][0-9][0-9]/[0-9][0-9]')"


def _is_decimal(col: str, *, nullable: bool = False) -> str:
    # A non-negative decimal kept as text (exact), such as '739' or '34.5'.
    check = f"typeof({col}) = 'text' AND {col} GLOB '[0-9]*' AND {col} NOT GLOB '*[^0-9.]*'"
    if nullable:
        check = f"{col} IS NULL OR ({check})"
    return f"CHECK ({check})"


# The onward-sustainability plan: what pays for the model once the grant ends (sources
# and their committed funding by financial year), the recurring costs posts do not
# drive, and the outcome measures (observations and targets) savings are worked out
# from. Dated history, never overwritten: a revision is a new row.
_SUSTAINABILITY_PLAN: list[str] = [
    f"""CREATE TABLE plan_sources (
        name TEXT PRIMARY KEY CHECK (length(trim(name)) > 0),
        kind TEXT NOT NULL CHECK (kind IN ('base-budget', 'partner', 'savings', 'other')),
        description TEXT,
        measure TEXT,
        baseline TEXT {_is_decimal("baseline", nullable=True)},
        unit_cost_pence INTEGER {_is_pence("unit_cost_pence", nullable=True)}
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
        financial_year TEXT NOT NULL {_is_fy("financial_year")},
        amount_pence INTEGER NOT NULL {_is_pence("amount_pence")} CHECK (amount_pence >= 0),
        set_on TEXT NOT NULL {_is_day("set_on")},
        note TEXT,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    "CREATE INDEX plan_funding_source ON plan_funding(source, financial_year, set_on)",
    f"""CREATE TABLE plan_costs (
        id INTEGER PRIMARY KEY,
        category TEXT NOT NULL REFERENCES categories(name),
        financial_year TEXT NOT NULL {_is_fy("financial_year")},
        amount_pence INTEGER NOT NULL {_is_pence("amount_pence")} CHECK (amount_pence >= 0),
        set_on TEXT NOT NULL {_is_day("set_on")},
        note TEXT,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    f"""CREATE TABLE measure_observations (
        id INTEGER PRIMARY KEY,
        measure TEXT NOT NULL CHECK (length(trim(measure)) > 0),
        observed_on TEXT NOT NULL {_is_day("observed_on")},
        value TEXT NOT NULL {_is_decimal("value")},
        note TEXT,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    "CREATE INDEX measure_observations_measure ON measure_observations(measure, observed_on)",
    f"""CREATE TABLE measure_targets (
        id INTEGER PRIMARY KEY,
        measure TEXT NOT NULL CHECK (length(trim(measure)) > 0),
        financial_year TEXT NOT NULL {_is_fy("financial_year")},
        value TEXT NOT NULL {_is_decimal("value")},
        set_on TEXT NOT NULL {_is_day("set_on")},
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    *(stmt for table in _PLAN_TABLES for stmt in (*_append_only(table), _no_replace(table))),
]

# Conditions of funding years, numbered within their year after those recorded with
# the year itself (its ``conditions`` JSON list: numbers 1..n), each with dated
# evidence and a dated status history. All append-only: a status is changed by a new
# dated record, never by editing the last. A condition may name a check fsgrant
# computes (spend against the original estimates of ``check_year``; the
# sustainability plan).
_CONDITION_STATUSES = "('open', 'submitted', 'met', 'not-met', 'waived')"
_CONDITIONS: list[str] = [
    f"""CREATE TABLE conditions (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        number INTEGER NOT NULL CHECK (typeof(number) = 'integer' AND number >= 1),
        text TEXT NOT NULL CHECK (length(trim(text)) > 0),
        due TEXT {_is_day("due", nullable=True)},
        agreed_on TEXT {_is_day("agreed_on", nullable=True)},
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
        "on" TEXT NOT NULL {_is_day('"on"')},
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
        "on" TEXT NOT NULL {_is_day('"on"')},
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
    _CONDITIONS.extend(_append_only(_table))
    _CONDITIONS.append(_no_replace(_table))

# How a funding year's estimate for a category falls by month, as dated history: the
# latest set on or before a date is in force. ``even`` has no months; ``months`` (a
# file) and ``posts`` (the posts' planned starts) record each month's budget, adding
# up to ``total_pence``, the estimate in force when it was set.
_ESTIMATE_PHASING: list[str] = [
    f"""CREATE TABLE estimate_phasing (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        category TEXT NOT NULL REFERENCES categories(name),
        method TEXT NOT NULL CHECK (method IN ('even', 'months', 'posts')),
        set_on TEXT NOT NULL {_is_day("set_on")},
        total_pence INTEGER {_is_pence("total_pence", nullable=True)},
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
        amount_pence INTEGER NOT NULL {_is_pence("amount_pence")} CHECK (amount_pence >= 0)
    )""",
    "CREATE INDEX estimate_phasing_months_phasing ON estimate_phasing_months(phasing)",
    """CREATE TRIGGER estimate_phasing_months_once BEFORE INSERT ON estimate_phasing_months
    BEGIN
        SELECT RAISE(ABORT, 'fsgrant: a phasing gives each month once')
        WHERE EXISTS (SELECT 1 FROM estimate_phasing_months
                      WHERE phasing = NEW.phasing AND month = NEW.month);
    END""",
    *_append_only("estimate_phasing"),
    _no_replace("estimate_phasing"),
    *_append_only("estimate_phasing_months"),
    _no_replace("estimate_phasing_months"),
]

# A receipt keyed wrongly is undone by a reversal: a receipt with the negated amount,
# the same date and funding year, pointing at the receipt it undoes, with a reason. A
# receipt is reversed once; a reversal is not reversed.
_RECEIPT_REVERSALS: list[str] = [
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
_COVERING_SPEND_INDEX: list[str] = [
    "DROP INDEX spend_date",
    "CREATE INDEX spend_date_totals ON spend(date, funding_year, category, post, amount_pence)",
]

# An import names its batch before the batch row is written (a deferred foreign key):
# writing that row makes SQLite look for the lines naming it, which without an index
# on spend(import_batch) reads the whole table. Only imported lines are indexed.
_SPEND_BATCH_INDEX: list[str] = [
    "CREATE INDEX spend_batch ON spend(import_batch) WHERE import_batch IS NOT NULL",
]

MIGRATIONS: list[tuple[str, list[str]]] = [
    ("0001_initial", _V1),
    ("0002_allocation_views", _V2),
    ("0003_append_only_no_replace", _V3),
    ("0004_lighter_spend_indexes", _V4),
    ("0005_submitted_returns", _V5),
    ("0006_allocation_tie_by_label", _V6),
    ("0007_post_changes", _POST_CHANGES),
    ("0008_spend_source_fields", _SPEND_SOURCE_FIELDS),
    ("0009_grant_history", _GRANT_HISTORY),
    ("0010_sustainability_plan", _SUSTAINABILITY_PLAN),
    ("0011_conditions", _CONDITIONS),
    ("0012_estimate_phasing", _ESTIMATE_PHASING),
    ("0013_receipt_reversals", _RECEIPT_REVERSALS),
    ("0014_covering_spend_index", _COVERING_SPEND_INDEX),
    ("0015_spend_batch_index", _SPEND_BATCH_INDEX),
]


def append_only_triggers(table: str) -> tuple[str, ...]:
    """The names of the triggers that keep ``table`` append-only."""
    return (f"{table}_no_update", f"{table}_no_delete", f"{table}_no_replace")
