"""The migration that lets an import's lines carry their batch's stamp (0026).

Every line of one import was stored, and written, with the same time and user as its
batch (``import_batches.imported_at`` and ``imported_by``): at a million lines, two
columns repeated a million times. From 0026 an imported line leaves ``recorded_at``
and ``recorded_by`` empty and is read with its batch's (``spend_readable``, the
library and the ledger fingerprint coalesce them), so nothing is lost and nothing
reads differently. Lines stored before keep their own stamps: the store is
append-only, and rewriting them would gain nothing a reader can see.

A line that came from no import must still say when and by whom it was recorded: a
trigger refuses one without (the columns' ``NOT NULL``, which SQLite cannot drop in
place, is lifted by the documented edit of the schema's text, with the schema's
version raised and its integrity checked in the same transaction).

Released migrations are never edited: each later change of the schema is a new list,
and :mod:`fsgrant.store.schema` puts them in order after the others.
"""

from __future__ import annotations

from typing import Any

from fsgrant.store.migrations_first import V1

__all__ = ["BATCH_STAMP", "SPEND_STAMP_SQL", "lift_spend_stamp_not_null"]

_NOT_NULL = ("recorded_at TEXT NOT NULL,", "recorded_by TEXT NOT NULL,")


def lift_spend_stamp_not_null(db: Any) -> None:
    """Drop ``NOT NULL`` from ``spend.recorded_at`` and ``spend.recorded_by``.

    SQLite's documented way for a change that leaves every stored row as it is
    (removing a NOT NULL constraint): edit the table's text in ``sqlite_schema`` with
    ``writable_schema`` on, raise ``schema_version``, then check the integrity, all in
    the migration's transaction. Refuses (rolling the upgrade back) if the table's
    text is not the one fsgrant wrote.
    """
    conn = db.conn
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'spend'")
    sql = str(row.fetchone()[0])
    if any(sql.count(part) != 1 for part in _NOT_NULL):
        raise RuntimeError("fsgrant: the spend table is not as fsgrant made it; not upgraded")
    lifted = sql
    for part in _NOT_NULL:
        lifted = lifted.replace(part, part.replace(" NOT NULL", ""))
    version = int(conn.execute("PRAGMA schema_version").fetchone()[0])
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'spend'", [lifted]
        )
        conn.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")
    problems = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise RuntimeError(f"fsgrant: the store failed its integrity check: {problems[:3]}")


def _stamp(column: str, batch_column: str, alias: str) -> str:
    return (
        f"coalesce({alias}.{column}, (SELECT b.{batch_column} FROM import_batches b "
        f"WHERE b.id = {alias}.import_batch))"
    )


SPEND_STAMP_SQL = {
    "recorded_at": _stamp("recorded_at", "imported_at", "s"),
    "recorded_by": _stamp("recorded_by", "imported_by", "s"),
}
"""A spend line's stamp (for a table aliased ``s``): its own, else its batch's."""

# spend_readable as 0001 made it, with each line's stamp read through its batch.
[_READABLE] = [sql for sql in V1 if sql.startswith("CREATE VIEW spend_readable AS")]
_OWN_STAMP = "s.recorded_at, s.recorded_by"
assert _READABLE.count(_OWN_STAMP) == 1

BATCH_STAMP: list[Any] = [
    lift_spend_stamp_not_null,
    """CREATE TRIGGER spend_stamped BEFORE INSERT ON spend
    WHEN NEW.import_batch IS NULL AND (NEW.recorded_at IS NULL OR NEW.recorded_by IS NULL)
    BEGIN
        SELECT RAISE(ABORT, 'fsgrant: a spend line not imported must say when and by whom it was recorded');
    END""",
    "DROP VIEW spend_readable",
    _READABLE.replace(
        _OWN_STAMP,
        f"{SPEND_STAMP_SQL['recorded_at']} AS recorded_at,\n           "
        f"{SPEND_STAMP_SQL['recorded_by']} AS recorded_by",
    ),
]
"""0026: an imported line carries its batch's stamp (see the module's docstring)."""
