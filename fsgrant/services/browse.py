"""``fsgrant browse``: the store in a browser, read-only, through Datasette.

Datasette is an optional extra (``pip install 'fsgrant[browse]'``); it is imported
only here, inside :func:`browser`, so the core install and ``fsgrant --help`` never
load it.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from fsgrant.errors import FsgrantError, InvalidInput, StoreError
from fsgrant.services.ledger import open_ledger
from fsgrant.store.browse import PENCE_SUFFIX, database_metadata

__all__ = ["INSTALL_HINT", "Browser", "browser"]

INSTALL_HINT = "fsgrant browse needs Datasette: pip install 'fsgrant[browse]'"


@dataclass(frozen=True)
class Browser:
    """A Datasette over one store, ready to serve.

    Attributes:
        datasette: the ``datasette.app.Datasette`` (its ``client`` serves requests
            in-process, for tests and programs).
        url: the address of the store's pages once served.
    """

    datasette: Any
    host: str
    port: int
    url: str

    def listen(self) -> Any:
        """Take the address: a socket bound and listening, for :meth:`serve`.

        Raises:
            FsgrantError: the port is in use, or the address cannot be had (code
                ``browse-address-in-use``).
        """
        from fsgrant.formats.browse import listen

        try:
            return listen(self.host, self.port)
        except OSError as e:
            raise FsgrantError(
                f"cannot serve at {self.host} port {self.port}: {e.strerror or e} "
                "(is another fsgrant browse running? choose another with --port)",
                code="browse-address-in-use",
            ) from None

    def serve(self, sock: Any = None) -> None:
        """Serve the pages until interrupted (Ctrl+C), on ``sock`` from :meth:`listen`
        (taken here when not given)."""
        from fsgrant.formats.browse import serve

        serve(self.datasette, sock if sock is not None else self.listen())


def browser(path: str | os.PathLike[str], *, host: str = "127.0.0.1", port: int = 8001) -> Browser:
    """A read-only Datasette over the store at ``path``, with fsgrant's descriptions,
    canned queries and pence shown as pounds (see :mod:`fsgrant.formats.browse`); its
    home page is where the grant stands as at a date
    (:func:`fsgrant.services.browse_home.home_page`), and its CSV downloads give
    pounds and never a formula.

    The store is opened once first, as every command does: a file that is not an
    fsgrant store is refused, and an older store is upgraded (after a backup copy).

    Raises:
        FsgrantError: Datasette is not installed (code ``browse-not-installed``).
        StoreError: no store at ``path``, or not an fsgrant store.
        InvalidInput: the port is not between 1 and 65535.
    """
    if importlib.util.find_spec("datasette") is None:
        raise FsgrantError(INSTALL_HINT, code="browse-not-installed")
    if not 0 < port < 65536:
        raise InvalidInput(f"port {port} is not between 1 and 65535", field="port", value=port)
    store_path = Path(path)
    with open_ledger(store_path, create=False) as led:
        try:
            grant_name: str | None = led.grant.show().name
        except StoreError:
            grant_name = None
    from fsgrant.formats.browse import datasette_for
    from fsgrant.services.browse_home import home_page

    ds = datasette_for(
        store_path,
        database_metadata(grant_name),
        pence_suffix=PENCE_SUFFIX,
        home=partial(home_page, store_path),
    )
    shown = f"[{host}]" if ":" in host else host
    return Browser(
        datasette=ds,
        host=host,
        port=port,
        url=f"http://{shown}:{port}/",
    )
