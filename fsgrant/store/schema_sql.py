"""The building blocks of the schema's SQL, shared by its migrations.

Column checks (pence, days, financial years, exact decimals), the financial year of a
date in SQL, the tables kept append-only and their unique keys, and the triggers that
refuse UPDATE, DELETE and ``INSERT OR REPLACE`` on them. Nothing here is run: the
migrations (:mod:`fsgrant.store.migrations_first`, :mod:`fsgrant.store.migrations_later`)
are built from it and :mod:`fsgrant.store.schema` orders them.
"""

from __future__ import annotations

__all__ = ["UNIQUE_KEYS"]

# Tables whose rows are money or history: the store itself refuses UPDATE and DELETE.
# Those of the first schema (its migrations made their triggers; they are never edited).
FIRST_APPEND_ONLY_TABLES = (
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
PLAN_TABLES = (
    "plan_sources",
    "plan_funding",
    "plan_costs",
    "measure_observations",
    "measure_targets",
)


def is_pence(col: str, *, nullable: bool = False) -> str:
    check = f"typeof({col}) = 'integer'"
    if nullable:
        check = f"{col} IS NULL OR {check}"
    return f"CHECK ({check})"


def is_day(col: str, *, nullable: bool = False) -> str:
    check = f"{col} GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]' AND date({col}) = {col}"
    if nullable:
        check = f"{col} IS NULL OR ({check})"
    return f"CHECK ({check})"


def append_only(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, 'fsgrant: {table} rows are append-only; record a correction instead'); END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, 'fsgrant: {table} rows are append-only; record a correction instead'); END""",
    ]


# Financial year label of an ISO date column, in SQL (1 April - 31 March).
def fy_sql(col: str) -> str:
    first = f"(CAST(substr({col}, 1, 4) AS INTEGER) - (CAST(substr({col}, 6, 2) AS INTEGER) < 4))"
    return f"('FY' || {first} || '/' || printf('%02d', ({first} + 1) % 100))"


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
    "commitments": ("id",),
    "commitment_cancellations": ("id", "commitment"),
    "forecast_additions": ("id",),
    "condition_amendments": ("id",),
    "spend_orders": ("spend",),
    "measure_gaps": ("id",),
}


_CLASH_MESSAGES = {
    ("spend", "reverses"): "that spend line has been reversed already; a line is reversed once",
    ("spend", "dedupe_key"): "a spend line with this dedupe key is stored already",
    ("commitment_cancellations", "commitment"): "that commitment has been cancelled already",
}
DEDUPE_KEY_CLASH = _CLASH_MESSAGES[("spend", "dedupe_key")]
"""What the store says when a line's dedupe key is stored already."""


def no_replace(table: str) -> str:
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


def is_fy(col: str) -> str:
    return f"CHECK ({col} GLOB 'FY[0-9][0-9][0-9][0-9]/[0-9][0-9]')"


def is_decimal(col: str, *, nullable: bool = False) -> str:
    # A non-negative decimal kept as text (exact), such as '739' or '34.5'.
    check = f"typeof({col}) = 'text' AND {col} GLOB '[0-9]*' AND {col} NOT GLOB '*[^0-9.]*'"
    if nullable:
        check = f"{col} IS NULL OR ({check})"
    return f"CHECK ({check})"
