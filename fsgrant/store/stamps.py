"""Who and when: the stamps the store puts on what it records (the operating-system
user, the time in UTC) and the command the audit trail names.

The store stamps every record it inserts: a table's *when* column (``recorded_at``,
``created_at``, ``submitted_at``, ``imported_at`` or ``at``) gets the time and its
*who* column (``recorded_by``, ``submitted_by``, ``imported_by`` or ``by``) the user,
unless the record gives them. Services pass the domain's values only."""

from __future__ import annotations

import contextvars
import getpass
import os
from collections.abc import Iterable
from datetime import UTC, datetime

__all__ = [
    "USER_COLUMNS",
    "WHEN_COLUMNS",
    "current_command",
    "current_user",
    "stamp_columns",
    "utc_now",
]

WHEN_COLUMNS = frozenset({"recorded_at", "created_at", "submitted_at", "imported_at", "at"})
"""Columns that hold when a record was stored."""
USER_COLUMNS = frozenset({"recorded_by", "submitted_by", "imported_by", "by"})
"""Columns that hold who stored a record."""

current_command: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "fsgrant_command", default=None
)
"""What is writing, for the audit trail: the CLI sets the command line it ran."""


def current_user() -> str:
    """The operating-system user, for the audit trail."""
    try:
        return getpass.getuser()
    except Exception:  # getuser raises OSError or KeyError in odd containers
        return os.environ.get("USER") or os.environ.get("USERNAME") or f"uid-{os.getuid()}"


def utc_now() -> str:
    """Now, in UTC, as ISO 8601 text to the microsecond."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def stamp_columns(columns: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Of a table's ``columns``: those the store stamps with the time, and those it
    stamps with the user."""
    names = list(columns)
    return (
        tuple(c for c in names if c in WHEN_COLUMNS),
        tuple(c for c in names if c in USER_COLUMNS),
    )
