"""Copies of a store: a consistent copy written whole or not at all (``fsgrant
backup``), and the name of the copy kept before a store is upgraded."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from fsgrant.errors import StoreError
from fsgrant.store.busy import usable_path as _usable

__all__ = ["backup_path", "copy_store"]


def backup_path(path: Path, version: int) -> Path:
    """A new name beside ``path`` for the copy kept before upgrading a store of schema
    ``version``: ``<name>.schema<N>-<time>.bak`` (``-2``, ``-3``... if taken)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.name}.schema{version}-{stamp}.bak")
    n = 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.schema{version}-{stamp}-{n}.bak")
    return candidate


def copy_store(path: Path, target: str | os.PathLike[str], *, busy_timeout: float) -> Path:
    """Write a consistent copy of the store at ``path`` to ``target`` (see
    :meth:`fsgrant.store.connection.Store.backup`); returns ``target``.

    Raises:
        StoreError: the target exists already, or cannot be written.
    """
    t = Path(target)
    _usable(t, "write a backup to")
    taken = "a folder" if t.is_dir() else "a file" if t.exists() else None
    if taken is not None:
        raise StoreError(f"refusing to overwrite {t}: it is {taken}")
    if not t.parent.is_dir():
        raise StoreError(f"cannot write a backup to {t}: folder {t.parent} does not exist")
    tmp = t.with_name(f".{t.name}.{os.getpid()}.tmp")
    try:
        # Read through a connection of its own: a WAL reader sees one consistent
        # snapshot and is not blocked by writers (nor by this store's own write
        # lock, held while a migration backs up the store it is about to change).
        source = sqlite3.connect(str(path), timeout=busy_timeout)
        dest = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
            source.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if t.exists():
            raise StoreError(f"refusing to overwrite {t}")
        os.replace(tmp, t)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot write a backup to {t}: {exc}") from None
    except OSError as exc:
        raise StoreError(f"cannot write a backup to {t}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return t
