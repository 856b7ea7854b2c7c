"""The migrations of the finance routines around a month-end and a year-end (0019
onward): commitments and their cancellations.

Released migrations are never edited: each later change of the schema is a new list
here, and :mod:`fsgrant.store.schema` puts them in order after the others.
"""

from __future__ import annotations

from fsgrant.store.schema_sql import _append_only, _is_day, _is_pence, _no_replace

# Commitments (purchase orders raised, not yet invoiced): money spoken for. A spend
# line quoting a commitment's reference, dated on or after it, draws it down (worked
# out when read, so a reversed invoice gives the money back). A commitment is never
# edited: it is cancelled, once, by a dated record with a reason.
_COMMITMENTS: list[str] = [
    f"""CREATE TABLE commitments (
        id INTEGER PRIMARY KEY,
        date TEXT NOT NULL {_is_day("date")},
        amount_pence INTEGER NOT NULL {_is_pence("amount_pence")} CHECK (amount_pence > 0),
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
        "on" TEXT NOT NULL {_is_day('"on"')},
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )""",
    # Invoices are matched to orders by reference: only lines with one are indexed.
    "CREATE INDEX spend_reference ON spend(reference, date) WHERE reference IS NOT NULL",
]
for _table in ("commitments", "commitment_cancellations"):
    _COMMITMENTS.extend(_append_only(_table))
    _COMMITMENTS.append(_no_replace(_table))
