"""The SQLite connection to a store's file, for writing or read-only."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from fsgrant.errors import StoreError

__all__ = ["connect"]


def connect(path: Path, *, read_only: bool, timeout: float) -> sqlite3.Connection:
    """A connection to ``path`` (rows as :class:`sqlite3.Row`, no implicit transactions).

    Read-only is ``mode=ro``: SQLite refuses every write. Where the folder cannot hold
    the WAL index either and no WAL is left (so every commit is in the file itself),
    the file is read as immutable.

    Raises:
        StoreError: SQLite cannot open it.
    """
    try:
        if read_only:
            folder = path.parent if str(path.parent) else Path(".")
            wal = path.with_name(path.name + "-wal")
            has_wal = wal.exists() and path.with_name(path.name + "-shm").exists()
            flag = "mode=ro" if os.access(folder, os.W_OK) or has_wal else "immutable=1"
            uri = f"{path.resolve().as_uri()}?{flag}"
            conn = sqlite3.connect(uri, timeout=timeout, isolation_level=None, uri=True)
        else:
            conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}") from None
    conn.row_factory = sqlite3.Row
    return conn
