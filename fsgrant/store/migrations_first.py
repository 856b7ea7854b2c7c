"""The migrations of the first release (0001-0004): the schema's tables and views.

Each is a list of statements, released and never edited (an older store is upgraded
in place by the later ones in :mod:`fsgrant.store.migrations_later`);
:mod:`fsgrant.store.schema` puts them in order.
"""

from __future__ import annotations

from fsgrant.store.schema_sql import (
    FIRST_APPEND_ONLY_TABLES,
    append_only,
    fy_sql,
    is_day,
    is_pence,
    no_replace,
)

V1: list[str] = [
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
        award_pence INTEGER NOT NULL {is_pence("award_pence")} CHECK (award_pence >= 0),
        status TEXT NOT NULL CHECK (status IN ('confirmed', 'in-principle', 'withdrawn')),
        confirmed_on TEXT {is_day("confirmed_on", nullable=True)},
        start TEXT NOT NULL {is_day("start")},
        "end" TEXT NOT NULL {is_day('"end"')},
        conditions TEXT NOT NULL DEFAULT '[]',
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        CHECK ("end" >= start)
    )""",
    f"""CREATE TABLE variations (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        kind TEXT NOT NULL CHECK (kind IN ('extend', 'shift', 'amount', 'move', 'status')),
        agreed_on TEXT NOT NULL {is_day("agreed_on")},
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        reference TEXT,
        new_start TEXT {is_day("new_start", nullable=True)},
        new_end TEXT {is_day("new_end", nullable=True)},
        amount_pence INTEGER {is_pence("amount_pence", nullable=True)},
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
        annual_cost_pence INTEGER NOT NULL {is_pence("annual_cost_pence")} CHECK (annual_cost_pence >= 0),
        salary_pence INTEGER {is_pence("salary_pence", nullable=True)},
        on_cost_rate TEXT,
        category TEXT NOT NULL REFERENCES categories(name),
        planned_start TEXT NOT NULL {is_day("planned_start")},
        end_date TEXT {is_day("end_date", nullable=True)},
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    f"""CREATE TABLE post_status (
        id INTEGER PRIMARY KEY,
        post TEXT NOT NULL REFERENCES posts(id),
        status TEXT NOT NULL CHECK (status IN ('planned', 'advertised', 'offered', 'in-post',
                                               'vacant', 'blocked', 'withdrawn')),
        effective TEXT NOT NULL {is_day("effective")},
        reason TEXT,
        expected_start TEXT {is_day("expected_start", nullable=True)},
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        CHECK (status NOT IN ('blocked', 'withdrawn') OR length(trim(coalesce(reason, ''))) > 0)
    )""",
    f"""CREATE TABLE estimates (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        category TEXT NOT NULL REFERENCES categories(name),
        post TEXT REFERENCES posts(id),
        amount_pence INTEGER NOT NULL {is_pence("amount_pence")},
        set_on TEXT NOT NULL {is_day("set_on")},
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    f"""CREATE TABLE forecasts (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        category TEXT NOT NULL REFERENCES categories(name),
        amount_pence INTEGER NOT NULL {is_pence("amount_pence")},
        set_on TEXT NOT NULL {is_day("set_on")},
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
        total_added_pence INTEGER NOT NULL {is_pence("total_added_pence")}
    )""",
    f"""CREATE TABLE spend (
        id INTEGER PRIMARY KEY,
        date TEXT NOT NULL {is_day("date")},
        amount_pence INTEGER NOT NULL {is_pence("amount_pence")},
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
        date TEXT NOT NULL {is_day("date")},
        amount_pence INTEGER NOT NULL {is_pence("amount_pence")},
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        reference TEXT,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    f"""CREATE TABLE period_events (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        kind TEXT NOT NULL CHECK (kind IN ('close', 'reopen')),
        through TEXT {is_day("through", nullable=True)},
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
    SELECT s.id, s.date, {fy_sql("s.date")} AS financial_year,
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
for _table in FIRST_APPEND_ONLY_TABLES:
    V1.extend(append_only(_table))

# Funding years as varied by every variation, and spend with the funding year it is
# allocated to now: the same rules as fsgrant.domain.funding, for readers of the raw store.
_LATEST = "ORDER BY v.agreed_on DESC, v.id DESC LIMIT 1"
_AFTER_AMOUNT = (
    "(a.id IS NULL OR v.agreed_on > a.agreed_on OR (v.agreed_on = a.agreed_on AND v.id > a.id))"
)
V2: list[str] = [
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
           {fy_sql("s.date")} AS financial_year,
           printf('%s%d.%02d', CASE WHEN s.amount_pence < 0 THEN '-' ELSE '' END,
                  abs(s.amount_pence) / 100, abs(s.amount_pence) % 100) AS amount,
           s.amount_pence, s.category, s.post, s.supplier, s.description, s.reference,
           s.reverses, s.import_batch, s.source_line
    FROM spend s""",
]


V3: list[str] = [no_replace(t) for t in FIRST_APPEND_ONLY_TABLES]

# Lighter indexes for large imports: most imported lines name no post, and a batch's
# lines are listed rarely (a scan is fine), while every index slows every insert.
V4: list[str] = [
    "DROP INDEX spend_post",
    "CREATE INDEX spend_post ON spend(post) WHERE post IS NOT NULL",
    "DROP INDEX spend_batch",
]
