"""The configuration every fsgrant record and report model shares."""

from __future__ import annotations

from pydantic import ConfigDict

__all__ = ["RECORD_CONFIG"]

RECORD_CONFIG = ConfigDict(frozen=True, extra="forbid", defer_build=True)
"""Frozen, an unknown field refused, and built on first use.

``defer_build``: a model's validator and serializer are built the first time it is
used, not when its module is imported, so a command pays only for the records it
touches (``fsgrant spend add`` uses a handful of the dozens defined)."""
