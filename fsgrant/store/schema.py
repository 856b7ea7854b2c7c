"""The store's schema, as ordered migrations.

Kept apart from :mod:`fsgrant.store` so that the SQL can be read in one place. Each
migration is a list of statements; a migration once released is never edited:
later changes are new migrations, so an older store is upgraded in place. The
statements are in :mod:`fsgrant.store.migrations_first` (0001-0004, the first
release), :mod:`fsgrant.store.migrations_later` (0005 onward),
:mod:`fsgrant.store.migrations_routines` (0019 onward) and
:mod:`fsgrant.store.migrations_stamps` (0026), built from the pieces in
:mod:`fsgrant.store.schema_sql`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fsgrant.store.migrations_first import V1, V2, V3, V4
from fsgrant.store.migrations_later import (
    COMPACT_SOURCE_FIELDS,
    CONDITIONS,
    COVERING_SPEND_INDEX,
    ESTIMATE_PHASING,
    GRANT_HISTORY,
    OUTCOMES,
    PLAN_SOURCE_DATED,
    POST_CHANGES,
    RECEIPT_REVERSALS,
    REGISTER_AND_OFFICER,
    SPEND_BATCH_INDEX,
    SPEND_SOURCE_FIELDS,
    SUSTAINABILITY_PLAN,
    V5,
    V6,
)
from fsgrant.store.migrations_routines import (
    ACCRUALS,
    COMMITMENTS,
    CONDITION_AMENDMENTS,
    ESTIMATE_REASONS,
    FORECAST_ADDITIONS,
    SPEND_ORDERS,
)
from fsgrant.store.migrations_stamps import BATCH_STAMP
from fsgrant.store.schema_sql import UNIQUE_KEYS

__all__ = [
    "APPEND_ONLY_TABLES",
    "MIGRATIONS",
    "UNIQUE_KEYS",
    "Step",
    "append_only_triggers",
]

# Tables whose rows are money or history: the store itself refuses UPDATE and DELETE.
# Each has its unique keys guarded against INSERT OR REPLACE, so they are the tables
# of UNIQUE_KEYS, in the order their migrations made them.
APPEND_ONLY_TABLES: tuple[str, ...] = tuple(UNIQUE_KEYS)


Step = str | Callable[[Any], None]
"""One step of a migration: an SQL statement, or (rarely) a function given the
sqlite-utils ``Database``, for a change SQL alone cannot say."""

MIGRATIONS: list[tuple[str, Sequence[Step]]] = [
    ("0001_initial", V1),
    ("0002_allocation_views", V2),
    ("0003_append_only_no_replace", V3),
    ("0004_lighter_spend_indexes", V4),
    ("0005_submitted_returns", V5),
    ("0006_allocation_tie_by_label", V6),
    ("0007_post_changes", POST_CHANGES),
    ("0008_spend_source_fields", SPEND_SOURCE_FIELDS),
    ("0009_grant_history", GRANT_HISTORY),
    ("0010_sustainability_plan", SUSTAINABILITY_PLAN),
    ("0011_conditions", CONDITIONS),
    ("0012_estimate_phasing", ESTIMATE_PHASING),
    ("0013_receipt_reversals", RECEIPT_REVERSALS),
    ("0014_covering_spend_index", COVERING_SPEND_INDEX),
    ("0015_spend_batch_index", SPEND_BATCH_INDEX),
    ("0016_compact_source_fields", COMPACT_SOURCE_FIELDS),
    ("0017_plan_source_dated", PLAN_SOURCE_DATED),
    ("0018_register_and_s151_officer", REGISTER_AND_OFFICER),
    ("0019_commitments", COMMITMENTS),
    ("0020_accruals", ACCRUALS),
    ("0021_forecast_additions", FORECAST_ADDITIONS),
    ("0022_condition_amendments", CONDITION_AMENDMENTS),
    ("0023_estimate_reasons", ESTIMATE_REASONS),
    ("0024_spend_orders", SPEND_ORDERS),
    ("0025_outcomes", OUTCOMES),
    ("0026_import_lines_carry_batch_stamp", BATCH_STAMP),
]


def append_only_triggers(table: str) -> tuple[str, ...]:
    """The names of the triggers that keep ``table`` append-only."""
    return (f"{table}_no_update", f"{table}_no_delete", f"{table}_no_replace")
