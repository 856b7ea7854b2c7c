"""Who and when: the stamps the store puts on what it records (the operating-system
user, the time in UTC) and the command the audit trail names."""

from __future__ import annotations

import contextvars
import getpass
import os
from datetime import UTC, datetime

__all__ = ["current_command", "current_user", "utc_now"]

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
