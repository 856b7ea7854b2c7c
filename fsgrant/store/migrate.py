"""Applying the schema's migrations (see :mod:`fsgrant.store.schema`) with
sqlite-utils, inside the transaction :meth:`fsgrant.store.connection.Store.open` holds."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from fsgrant.store.schema import Step

__all__ = ["apply_migrations"]


def apply_migrations(
    conn: sqlite3.Connection,
    migrations: Sequence[tuple[str, Sequence[Step]]],
    migration_set: str,
    marker: str,
) -> None:
    """Apply the ``migrations`` not yet applied, in order. sqlite-utils records what
    was applied in ``_sqlite_migrations`` (under ``migration_set``), each step in a
    savepoint of the caller's transaction; the first also writes the store's
    ``marker``."""
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

    steps = Migrations(migration_set)
    first = migrations[0][0]
    for name, statements in migrations:

        def step(db: Any, statements: Sequence[Step] = statements, name: str = name) -> None:
            for sql in statements:
                if callable(sql):
                    sql(db)
                else:
                    db.execute(sql)
            if name == first:
                db.execute("INSERT INTO fsgrant_meta (key, value) VALUES ('marker', ?)", [marker])

        step.__name__ = name
        steps(name=name)(step)
    steps.apply(Database(conn, recursive_triggers=False, execute_plugins=False))
