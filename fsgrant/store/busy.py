"""What a store is opened with from outside: how long a command waits for another's
write lock (``FSGRANT_BUSY_TIMEOUT``), and whether the file system takes its name."""

from __future__ import annotations

import math
import os
from pathlib import Path

from fsgrant.errors import InvalidInput, StoreError

__all__ = ["BUSY_TIMEOUT_MAX", "busy_timeout", "usable_path"]

BUSY_TIMEOUT_MAX = 86_400.0
"""The longest wait ``FSGRANT_BUSY_TIMEOUT`` may ask for, in seconds (a day)."""


def busy_timeout() -> float:
    """``FSGRANT_BUSY_TIMEOUT`` in seconds (30 when unset).

    Raises:
        InvalidInput: not a number of seconds from 0 to a day (text, NaN, a negative
            number, or one SQLite cannot hold in milliseconds such as 1e308).
    """
    text = os.environ.get("FSGRANT_BUSY_TIMEOUT", "").strip()
    if not text:
        return 30.0
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 <= seconds <= BUSY_TIMEOUT_MAX:  # NaN fails both comparisons
        raise InvalidInput(
            f"FSGRANT_BUSY_TIMEOUT={text!r} is not a number of seconds from 0 to "
            f"{BUSY_TIMEOUT_MAX:g}; set it to a wait such as 30, or unset it",
            field="FSGRANT_BUSY_TIMEOUT",
            value=text,
        )
    return seconds


def usable_path(path: Path, doing: str) -> None:
    """Refuse a name the file system will not take (too long, a NUL character).

    Raises:
        StoreError: ``cannot <doing> <path>: <why>``.
    """
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or "not a file name"
        raise StoreError(f"cannot {doing} {path}: {why}") from None
