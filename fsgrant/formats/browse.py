"""The store in a browser: a Datasette over it, read-only, with pounds shown as pounds.

Datasette opens the SQLite file itself (read-only, ``mode=ro``); this module runs no
SQL of its own. It registers a small plugin, ``fsgrant``, that acts only on
databases whose metadata carries its config (so another Datasette in the same
process is untouched):

- ``render_cell``: an integer in a column named ``*_pence`` is shown on the HTML
  pages as ``£1,234.56`` (``-£12.00`` for a credit); JSON and CSV downloads keep
  the exact integer pence. The text is returned as plain text, so Datasette escapes
  it like any other value: user text is never markup.
- ``prepare_connection``: every connection Datasette opens to the store, its write
  connection included, is set ``PRAGMA query_only``, so no statement can write
  through it, whatever a query or a plugin tries.

Why not Datasette's immutable mode: it reads the main database file only, ignoring
the commits still in the write-ahead log, and assumes the file never changes; an
fsgrant store is in WAL mode and others may write to it while it is served, so
immutable pages could miss or garble recent spend. Read-only mode sees every
committed change, and ``query_only`` makes it as unwritable.

Importing this module imports Datasette (the ``browse`` extra): import it only where
it is needed.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.app import Datasette
from datasette.plugins import pm

from fsgrant.domain.money import format_pounds

__all__ = ["PLUGIN", "datasette_for", "pounds_cell", "serve"]

PLUGIN = "fsgrant"
"""The plugin's name, and the key of its config in a database's metadata."""


def pounds_cell(value: Any, column: str, suffix: str) -> str | None:
    """``£1,234.56`` for an integer of pence in a column ending in ``suffix``, else
    None (Datasette then renders the value as usual)."""
    if isinstance(value, bool) or not isinstance(value, int) or not column.endswith(suffix):
        return None
    return format_pounds(Decimal(value).scaleb(-2))


def _render_cell(value: Any, column: str, database: str, datasette: Any) -> str | None:
    config = datasette.plugin_config(PLUGIN, database=database)
    if not config:
        return None
    return pounds_cell(value, column, str(config["pence_suffix"]))


def _prepare_connection(conn: Any, database: str, datasette: Any) -> None:
    if datasette.plugin_config(PLUGIN, database=database):
        conn.execute("PRAGMA query_only = ON")


# Not decorator syntax: Datasette is untyped, and a decorator from it would leave the
# functions untyped too.
render_cell = hookimpl(_render_cell)
prepare_connection = hookimpl(_prepare_connection)


def _register() -> None:
    if pm.get_plugin(PLUGIN) is None:
        pm.register(sys.modules[__name__], name=PLUGIN)


def datasette_for(path: Path, database: dict[str, Any], *, pence_suffix: str) -> Any:
    """A Datasette serving the store at ``path`` read-only, with ``database`` as its
    metadata (title, description, tables, canned queries) and pence shown as pounds.

    The database is named after the file (``demo.db`` is served at ``/demo``).
    """
    _register()
    name = path.stem
    entry = dict(database)
    entry["plugins"] = {PLUGIN: {"pence_suffix": pence_suffix}}
    metadata = {
        "title": database.get("title"),
        "description": database.get("description"),
        "databases": {name: entry},
    }
    return Datasette(
        files=[str(path)],
        metadata=metadata,
        settings={"default_page_size": 100, "allow_download": False},
    )


def serve(ds: Any, host: str, port: int) -> None:
    """Serve ``ds`` on ``host:port`` until interrupted."""
    import asyncio

    import uvicorn

    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")
