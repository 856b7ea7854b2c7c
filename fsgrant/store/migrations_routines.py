"""The migrations of the finance routines around a month-end and a year-end (0019
onward): commitments and their cancellations, accruals and their reversals, additions to
post-driven forecasts, amendments of conditions, the reasons for revised estimates, the purchase orders
imported lines quote.

Released migrations are never edited: each later change of the schema is a new list
here, and :mod:`fsgrant.store.schema` puts them in order after the others.
"""

from __future__ import annotations

from fsgrant.store.schema_sql import append_only, is_day, is_pence, no_replace

# Commitments (purchase orders raised, not yet invoiced): money spoken for. A spend
# line quoting a commitment's reference, dated on or after it, draws it down (worked
# out when read, so a reversed invoice gives the money back). A commitment is never
# edited: it is cancelled, once, by a dated record with a reason.
COMMITMENTS: list[str] = [
    f"""CREATE TABLE commitments (
        id INTEGER PRIMARY KEY,
        date TEXT NOT NULL {is_day("date")},
        amount_pence INTEGER NOT NULL {is_pence("amount_pence")} CHECK (amount_pence > 0),
        category TEXT NOT NULL REFERENCES categories(name),
        post TEXT REFERENCES posts(id),
        reference TEXT NOT NULL CHECK (length(trim(reference)) > 0),
        supplier TEXT,
        description TEXT,
        funding_year TEXT REFERENCES funding_years(label),
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    "CREATE INDEX commitments_reference ON commitments(reference)",
    f"""CREATE TABLE commitment_cancellations (
        id INTEGER PRIMARY KEY,
        commitment INTEGER NOT NULL UNIQUE REFERENCES commitments(id),
        "on" TEXT NOT NULL {is_day('"on"')},
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    # Invoices are matched to orders by reference: only lines with one are indexed.
    "CREATE INDEX spend_reference ON spend(reference, date) WHERE reference IS NOT NULL",
]
for _table in ("commitments", "commitment_cancellations"):
    COMMITMENTS.extend(append_only(_table))
    COMMITMENTS.append(no_replace(_table))

# Accruals: at a year end, work done but not yet invoiced is charged to the year (an
# accrual) and taken out again on a later day (its reversal), so each year carries its
# own cost. Both are spend lines, marked as such; the reversal points at its accrual,
# carries its category, post and negated amount, is dated after it, and is made once.
ACCRUALS: list[str] = [
    "ALTER TABLE spend ADD COLUMN accrual TEXT "
    "CHECK (accrual IS NULL OR accrual IN ('accrual', 'reversal'))",
    "ALTER TABLE spend ADD COLUMN accrual_of INTEGER REFERENCES spend(id)",
    "CREATE UNIQUE INDEX spend_accrual_of ON spend(accrual_of) WHERE accrual_of IS NOT NULL",
    """CREATE TRIGGER spend_accrual_matches BEFORE INSERT ON spend
    WHEN NEW.accrual IS NOT NULL OR NEW.accrual_of IS NOT NULL
    BEGIN
        SELECT RAISE(ABORT, 'fsgrant: an accrual reversal, and only one, points at the accrual it reverses')
        WHERE NEW.accrual IS NULL OR ((NEW.accrual = 'reversal') != (NEW.accrual_of IS NOT NULL));
        SELECT RAISE(ABORT, 'fsgrant: that accrual has been reversed already; an accrual is reversed once')
        WHERE NEW.accrual_of IS NOT NULL
          AND EXISTS (SELECT 1 FROM spend WHERE accrual_of = NEW.accrual_of);
        SELECT RAISE(ABORT, 'fsgrant: an accrual reversal must carry the category, post and negated amount of its accrual, dated after it')
        WHERE NEW.accrual_of IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM spend o WHERE o.id = NEW.accrual_of AND o.accrual = 'accrual'
              AND o.amount_pence = -NEW.amount_pence AND o.category = NEW.category
              AND o.post IS NEW.post AND o.date < NEW.date);
    END""",
]

# Additions to a post-driven forecast that the posts do not show (agency cover for a
# blocked post, backfill, overtime): dated lines with their reason. The latest of a
# year, category and reason set on or before a date is in force; the others are kept.
FORECAST_ADDITIONS: list[str] = [
    f"""CREATE TABLE forecast_additions (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        category TEXT NOT NULL REFERENCES categories(name),
        amount_pence INTEGER NOT NULL {is_pence("amount_pence")} CHECK (amount_pence >= 0),
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        set_on TEXT NOT NULL {is_day("set_on")},
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    "CREATE INDEX forecast_additions_of ON forecast_additions(funding_year, category, set_on)",
    *append_only("forecast_additions"),
    no_replace("forecast_additions"),
]

# Amendments of a condition's terms (a due date or a check added later, the wording
# corrected), dated and with a reason: each column left NULL keeps the term in force.
CONDITION_AMENDMENTS: list[str] = [
    f"""CREATE TABLE condition_amendments (
        id INTEGER PRIMARY KEY,
        funding_year TEXT NOT NULL REFERENCES funding_years(label),
        number INTEGER NOT NULL CHECK (typeof(number) = 'integer' AND number >= 1),
        "on" TEXT NOT NULL {is_day('"on"')},
        due TEXT {is_day("due", nullable=True)},
        check_kind TEXT CHECK (check_kind IS NULL OR check_kind IN ('estimates', 'sustainability')),
        check_year TEXT REFERENCES funding_years(label),
        text TEXT CHECK (text IS NULL OR length(trim(text)) > 0),
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        CHECK (check_year IS NULL OR check_kind = 'estimates'),
        CHECK (due IS NOT NULL OR check_kind IS NOT NULL OR text IS NOT NULL)
    )""",
    "CREATE INDEX condition_amendments_of ON condition_amendments(funding_year, number)",
    *append_only("condition_amendments"),
    no_replace("condition_amendments"),
]

# Virements: a revision of an estimate (any after the first of its year, category and
# post) says why and, where there is one, the approval's reference.
ESTIMATE_REASONS: list[str] = [
    "ALTER TABLE estimates ADD COLUMN reason TEXT",
    "ALTER TABLE estimates ADD COLUMN reference TEXT",
]

# The purchase order an imported line quotes, when the mapping names a ``po`` column
# (the line's own reference is the finance system's transaction number): a commitment
# is drawn down by the lines quoting its reference either way.
SPEND_ORDERS: list[str] = [
    """CREATE TABLE spend_orders (
        spend INTEGER PRIMARY KEY REFERENCES spend(id),
        reference TEXT NOT NULL CHECK (length(trim(reference)) > 0)
    )""",
    "CREATE INDEX spend_orders_reference ON spend_orders(reference)",
    *append_only("spend_orders"),
    no_replace("spend_orders"),
]
