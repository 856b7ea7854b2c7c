"""What SQLite's errors mean to a user of the store."""

from __future__ import annotations

import sqlite3

from fsgrant.errors import Conflict, FsgrantError

__all__ = ["is_busy", "refusal"]


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite gave up waiting for another connection's lock."""
    text = str(exc)
    return "locked" in text or "busy" in text


def refusal(exc: sqlite3.IntegrityError) -> FsgrantError:
    """What the store's refusal of a change (a trigger, a constraint) says to a user."""
    text = str(exc)
    if text.startswith("fsgrant: "):
        return Conflict(text.removeprefix("fsgrant: "))
    if "FOREIGN KEY" in text:
        return Conflict("refers to something that is not in the store")
    return Conflict(f"the store refused the change: {text}")
