"""The store's schema, as ordered migrations.

Kept apart from :mod:`fsgrant.store` so that the SQL can be read in one place. Each
migration is a list of statements; a migration once released is never edited:
later changes are new migrations, so an older store is upgraded in place. The
statements are in :mod:`fsgrant.store.migrations_first` (0001-0004, the first
release) and :mod:`fsgrant.store.migrations_later` (0005 onward), built from the
pieces in :mod:`fsgrant.store.schema_sql`.
"""

from __future__ import annotations

from fsgrant.store.migrations_first import _V1, _V2, _V3, _V4
from fsgrant.store.migrations_later import (
    _COMPACT_SOURCE_FIELDS,
    _CONDITIONS,
    _COVERING_SPEND_INDEX,
    _ESTIMATE_PHASING,
    _GRANT_HISTORY,
    _PLAN_SOURCE_DATED,
    _POST_CHANGES,
    _RECEIPT_REVERSALS,
    _REGISTER_AND_OFFICER,
    _SPEND_BATCH_INDEX,
    _SPEND_SOURCE_FIELDS,
    _SUSTAINABILITY_PLAN,
    _V5,
    _V6,
)
from fsgrant.store.schema_sql import UNIQUE_KEYS

__all__ = [
    "APPEND_ONLY_TABLES",
    "MIGRATIONS",
    "UNIQUE_KEYS",
    "append_only_triggers",
]

# Tables whose rows are money or history: the store itself refuses UPDATE and DELETE.
# Each has its unique keys guarded against INSERT OR REPLACE, so they are the tables
# of UNIQUE_KEYS, in the order their migrations made them.
APPEND_ONLY_TABLES: tuple[str, ...] = tuple(UNIQUE_KEYS)


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
    ("0016_compact_source_fields", _COMPACT_SOURCE_FIELDS),
    ("0017_plan_source_dated", _PLAN_SOURCE_DATED),
    ("0018_register_and_s151_officer", _REGISTER_AND_OFFICER),
]


def append_only_triggers(table: str) -> tuple[str, ...]:
    """The names of the triggers that keep ``table`` append-only."""
    return (f"{table}_no_update", f"{table}_no_delete", f"{table}_no_replace")
