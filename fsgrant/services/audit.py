"""The audit trail (``fsgrant log``): every write records, in the same transaction as
the change, when (UTC), who (the OS user), with which command (the command line,
or ``api:<action>`` for a library call) and what changed."""

from __future__ import annotations

from fsgrant.domain.arguments import checked
from fsgrant.domain.models import AuditEntry
from fsgrant.domain.periods import DateLike, parse_date
from fsgrant.store.tables import Tables

__all__ = ["AuditService"]


@checked
class AuditService:
    """``fs.audit``: read the audit trail."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def log(self, since: DateLike | None = None) -> list[AuditEntry]:
        """The audit trail, oldest first (entries on or after ``since``, a UTC day).

        Raises:
            InvalidDate: ``since`` is not a date.
        """
        day = parse_date(since, field="since") if since is not None else None
        return self._tables.audit.entries(day)
