"""The store in a browser: a Datasette over it, read-only, with pounds shown as pounds.

Datasette opens the SQLite file itself (read-only, ``mode=ro``); this module runs no
SQL of its own. It registers a small plugin, ``fsgrant``, that acts only on
databases whose metadata carries its config (so another Datasette in the same
process is untouched):

- ``render_cell``: an integer in a column named ``*_pence`` is shown on the HTML
  pages as ``£1,234.56`` (``-£12.00`` for a credit); JSON keeps the exact integer
  pence (CSV gives pounds: see ``asgi_wrapper`` below). The text is returned as plain text, so Datasette escapes
  it like any other value: user text is never markup.
- ``prepare_connection``: every connection Datasette opens to the store, its write
  connection included, is set ``PRAGMA query_only``, so no statement can write
  through it, whatever a query or a plugin tries.

  SQL functions that reveal the server's memory (``fts3_tokenizer``) are turned off
  on every connection.
- ``register_routes``: the home page (``/``) is where the grant stands as at a date,
  filled by the function the services give (:func:`datasette_for`'s ``home``); a
  date that is not one gets a 400 page saying why.
- ``asgi_wrapper``: every CSV download (tables, views, canned queries) is rewritten by
  :func:`fsgrant.formats.browse_csv.safe_csv`: pence as pounds, no cell a formula.
- ``extra_body_script``: a table's column notes are folded under "About the columns".
- ``render_cell``: user text with bidirectional controls shows them as ``<U+202E>``.

Why not Datasette's immutable mode, as a rule: it reads the main database file only,
ignoring the commits still in the write-ahead log, and assumes the file never changes;
an fsgrant store is in WAL mode and others may write to it while it is served, so
immutable pages could miss or garble recent spend. Read-only mode sees every
committed change, and ``query_only`` makes it as unwritable. A store that cannot be
written (a read-only share) with no write-ahead log pending is served immutable:
read-only mode would need to create the shared-memory file beside it, and fail.

Importing this module imports Datasette (the ``browse`` extra): import it only where
it is needed.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import weakref
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.app import Datasette
from datasette.plugins import pm

from fsgrant.domain.money import format_pounds
from fsgrant.errors import InvalidDate
from fsgrant.formats.browse_csv import safe_csv
from fsgrant.formats.browse_home import error_html, home_html, visible

__all__ = ["PLUGIN", "datasette_for", "listen", "pounds_cell", "serve", "served_immutable"]

HomeFn = Callable[[str | None], Any]

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
    if isinstance(value, str):
        shown = visible(value)
        return shown if shown != value else None
    return pounds_cell(value, column, str(config["pence_suffix"]))


# SQLite's authorizer codes (sqlite3.h); this module runs no SQL module of its own.
_SQLITE_OK, _SQLITE_DENY, _SQLITE_FUNCTION = 0, 1, 31
_FUNCTIONS_OFF = frozenset({"fts3_tokenizer"})
"""Functions that reveal the server's memory (fts3_tokenizer's one-argument form
returns a pointer) or could point SQLite at code: refused in every statement."""


def _authorize(action: int, arg1: str | None, arg2: str | None, *_rest: Any) -> int:
    if action == _SQLITE_FUNCTION and (arg2 or "").lower() in _FUNCTIONS_OFF:
        return _SQLITE_DENY
    return _SQLITE_OK


def _prepare_connection(conn: Any, database: str, datasette: Any) -> None:
    if datasette.plugin_config(PLUGIN, database=database):
        conn.execute("PRAGMA query_only = ON")
        conn.set_authorizer(_authorize)


_HOMES: weakref.WeakKeyDictionary[Any, tuple[HomeFn, str]] = weakref.WeakKeyDictionary()
"""Each Datasette built by :func:`datasette_for`: its home page's function and the
name its store is served under."""


def _home_of(datasette: Any) -> tuple[HomeFn, str] | None:
    return _HOMES.get(datasette)


async def _home(request: Any, datasette: Any) -> Any:
    from datasette.utils.asgi import Response

    found = _home_of(datasette)
    if found is None:  # pragma: no cover - only fsgrant's own Datasette has the route
        return Response.html("Not found", status=404)
    build, database = found
    as_at = request.args.get("as_at")
    try:
        page = await asyncio.to_thread(build, as_at)
    except InvalidDate as e:
        return Response.html(error_html("That is not a date", str(e)), status=400)
    db_url = datasette.urls.database(database)
    links = [
        (db_url, "Tables and questions"),
        (datasette.urls.table(database, "posts"), "Posts table"),
        (datasette.urls.table(database, "spend"), "Spend lines"),
        (f"{db_url}/returns_submitted", "Returns submitted"),
    ]
    text = "" if as_at is None else as_at
    return Response.html(home_html(page, as_at_text=text, links=links))


def _register_routes(datasette: Any) -> list[tuple[str, Any]]:
    # Routes are gathered while the Datasette is built, before datasette_for hands it
    # the home page's function: the route follows the config, the function is looked
    # up when a page is asked for.
    if not any(datasette.plugin_config(PLUGIN, database=name) for name in datasette.databases):
        return []
    return [(r"^/$", _home)]


def _is_csv(scope: dict[str, Any]) -> bool:
    if scope.get("type") != "http":
        return False
    query = scope.get("query_string", b"").decode("latin-1")
    return str(scope.get("path", "")).endswith(".csv") or "_format=csv" in query


def _asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    def wrap(app: Any) -> Any:
        async def safe_downloads(scope: Any, receive: Any, send: Any) -> None:
            config = _home_of(datasette)
            if config is None or not _is_csv(scope):
                await app(scope, receive, send)
                return
            start: dict[str, Any] = {}
            body: list[bytes] = []

            async def keep(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    start.update(message)
                else:
                    body.append(message.get("body", b""))

            await app(scope, receive, keep)
            data = b"".join(body)
            if start.get("status") == 200:
                suffix = str(datasette.plugin_config(PLUGIN, database=config[1])["pence_suffix"])
                data = safe_csv(data.decode("utf-8"), pence_suffix=suffix).encode("utf-8")
            headers = [
                (k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"
            ]
            headers.append((b"content-length", str(len(data)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": data})

        return safe_downloads

    return wrap


_FOLD_COLUMN_NOTES = """
document.querySelectorAll("dl.column-descriptions").forEach(function (dl) {
  var d = document.createElement("details"), s = document.createElement("summary");
  s.textContent = "About the columns"; d.appendChild(s);
  dl.parentNode.insertBefore(d, dl); d.appendChild(dl);
});
"""


def _extra_body_script(datasette: Any) -> str:
    return _FOLD_COLUMN_NOTES if _home_of(datasette) is not None else ""


# Not decorator syntax: Datasette is untyped, and a decorator from it would leave the
# functions untyped too.
render_cell = hookimpl(_render_cell)
prepare_connection = hookimpl(_prepare_connection)
register_routes = hookimpl(_register_routes)
asgi_wrapper = hookimpl(_asgi_wrapper)
extra_body_script = hookimpl(_extra_body_script)


def _register() -> None:
    if pm.get_plugin(PLUGIN) is None:
        pm.register(sys.modules[__name__], name=PLUGIN)


def served_immutable(path: Path) -> bool:
    """True when the store cannot be written here (a read-only share, a read-only
    file) and no write-ahead log is pending beside it: then it is served immutable."""
    wal = path.with_name(path.name + "-wal")
    pending = wal.exists() and wal.stat().st_size > 0
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    return not writable and not pending


def datasette_for(
    path: Path, database: dict[str, Any], *, pence_suffix: str, home: HomeFn | None = None
) -> Any:
    """A Datasette serving the store at ``path`` read-only, with ``database`` as its
    metadata (title, description, tables, canned queries) and pence shown as pounds.

    The database is named after the file (``demo.db`` is served at ``/demo``). With
    ``home`` (a function of the ``as_at`` text giving the page's figures), ``/`` is
    where the grant stands and every CSV download is made safe.
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
    immutable = served_immutable(path)
    ds = Datasette(
        files=[] if immutable else [str(path)],
        immutables=[str(path)] if immutable else None,
        metadata=metadata,
        settings={"default_page_size": 100, "allow_download": False},
    )
    if home is not None:
        _HOMES[ds] = (home, name)
    return ds


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` and listening, so a port in use fails here,
    before anything says the pages are served.

    Raises:
        OSError: the address is in use, or cannot be had.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def serve(ds: Any, sock: socket.socket) -> None:
    """Serve ``ds`` on the listening ``sock`` until interrupted."""
    import uvicorn

    async def run() -> None:
        await ds.invoke_startup()
        server = uvicorn.Server(uvicorn.Config(ds.app(), log_level="warning"))
        await server.serve(sockets=[sock])

    asyncio.run(run())
