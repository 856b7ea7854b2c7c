"""Stores as an older fsgrant wrote them, for the upgrade tests.

The schema is the released migrations up to a given one, applied as fsgrant applies
them; the rows are written with SQL in the columns that schema has, since today's
library reads and writes only the current schema (a store is upgraded before any
query runs). Times and users are fixed, so a store's fingerprint is the same each run.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

import fsgrant
from fsgrant.domain.models import DEFAULT_CATEGORIES
from fsgrant.store import connection, schema

AT, BY = "2020-01-01T09:00:00+00:00", "finance"
"""When and by whom every row of an old store was recorded."""


def migrations_before(name: str) -> list[tuple[str, list[str]]]:
    """The released migrations before ``name``."""
    names = [n for n, _ in schema.MIGRATIONS]
    return schema.MIGRATIONS[: names.index(name)]


def old_store(
    path: Path,
    migrations: Sequence[tuple[str, list[str]]],
    *,
    years: Sequence[tuple[str, str, str, str, str, Sequence[str]]] = (),
    spend: Sequence[tuple[str, int, str, str | None]] = (),
) -> None:
    """A store at the schema ``migrations`` make, holding a grant, its categories, the
    funding ``years`` (label, award in pence, status, start, end, conditions listed)
    and the ``spend`` lines (date, amount in pence, category, reference)."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(connection, "MIGRATIONS", list(migrations))
        with fsgrant.open(path) as led:
            assert led.store.applied_migrations() == [n for n, _ in migrations]
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(
                "INSERT INTO grant_info (id, name, funder, recipient, created_at) "
                "VALUES (1, 'Family Safeguarding roll-out', 'Department for Education', "
                "'The council', ?)",
                [AT],
            )
            conn.executemany(
                "INSERT INTO categories (name, description) VALUES (?, ?)",
                DEFAULT_CATEGORIES.items(),
            )
            conn.executemany(
                'INSERT INTO funding_years (label, award_pence, status, start, "end", '
                "conditions, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (label, award, status, start, end, json.dumps(list(listed)), AT, BY)
                    for label, award, status, start, end, listed in years
                ],
            )
            conn.executemany(
                "INSERT INTO spend (date, amount_pence, category, reference, recorded_at, "
                "recorded_by) VALUES (?, ?, ?, ?, ?, ?)",
                [(day, pence, category, ref, AT, BY) for day, pence, category, ref in spend],
            )
    finally:
        conn.close()


# The grant of reliability_helpers.GRANT_YEARS, as the first release stored it.
GRANT_YEARS = (
    ("2019/20", 249_000_000, "confirmed", "2019-08-01", "2020-07-31", ()),
    ("2020/21", 160_000_000, "in-principle", "2020-08-01", "2021-07-31", ()),
)
