"""The use cases: everything the command line does is one call here.

Open a store with :func:`fsgrant.open`; the :class:`Ledger` it returns records the
grant, its funding years, variations, estimates, spend and receipts, and builds
reports as typed models. Each group of use cases lives in its own module, as a
mixin over :class:`~fsgrant.services.ledger_core.LedgerCore`.
"""

from __future__ import annotations

import os
from pathlib import Path

from fsgrant.services.ledger_admin import AdminMixin
from fsgrant.services.ledger_core import LedgerCore
from fsgrant.services.ledger_export import ExportMixin
from fsgrant.services.ledger_forecast import ForecastMixin
from fsgrant.services.ledger_imports import ImportsMixin
from fsgrant.services.ledger_posts import PostsMixin
from fsgrant.store.connection import Store

__all__ = ["Ledger", "open_ledger"]


class Ledger(AdminMixin, ExportMixin, ImportsMixin, ForecastMixin, PostsMixin, LedgerCore):
    """One grant's ledger, backed by a :class:`~fsgrant.store.connection.Store`."""

    def load(self, folder: str | os.PathLike[str]) -> dict[str, int]:
        """Load a grant ledger kept as plain files into this (empty) store, in one
        transaction: all of it or nothing.

        Returns:
            How many records of each kind were loaded.

        Raises:
            SourceError: a bad value, naming the file, line and field.
            Conflict: the store already holds a grant.
        """
        from fsgrant.formats.ledgerfiles import load_folder

        return load_folder(self, Path(folder))


def open_ledger(path: str | os.PathLike[str], *, create: bool = True) -> Ledger:
    """Open the store at ``path`` (creating an empty one unless ``create=False``).

    Raises:
        StoreError: not an fsgrant store, from a newer fsgrant, or missing with ``create=False``.
    """
    return Ledger(Store.open(path, create=create))
