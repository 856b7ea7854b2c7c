"""What an import of a finance-system extract read, added and refused, as records.

A stored batch (:class:`ImportBatch`) and the result of an import
(:class:`ImportResult`) share one set of counts; :class:`MappingCheck` shows how a
mapping reads the first rows of an extract.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from fsgrant.domain.models import Money

__all__ = ["ImportBatch", "ImportResult", "MappingCheck", "PreviewRow", "RejectedRow"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RejectedRow(_Model):
    """A row of an extract that was not imported, and why."""

    line: int
    field: str | None = None
    reason: str


class _ImportCounts(_Model):
    """What an import read and added: shared by a stored batch and an import's result."""

    file_name: str
    sha256: str
    rows_read: int
    """Data rows in the file (blank rows are not counted)."""
    rows_added: int
    """New lines stored (would be stored, in a dry run)."""
    rows_duplicate: int
    """Lines already in the store (from an earlier import)."""
    rows_skipped: int
    """Rows of other cost centres: not the grant's, not errors."""
    rows_rejected: int
    """Bad rows left out (with ``skip_invalid``; otherwise the import is refused)."""
    amounts_snapped: int
    """Amounts read from float noise to the nearest whole penny."""
    total_added: Money


class ImportBatch(_ImportCounts):
    """One stored import: where it came from and what it did."""

    id: int
    mapping: str | None = None
    imported_at: datetime
    imported_by: str


class ImportResult(_ImportCounts):
    """What an import did (or, with ``dry_run``, would do)."""

    batch_id: int | None
    """The stored batch; None for a dry run."""
    dry_run: bool = False
    rejects: tuple[RejectedRow, ...] = ()
    """The first rejected rows (all are in the rejects file)."""
    rejects_file: str | None = None
    earlier_batches: tuple[int, ...] = ()
    """Earlier batches of a file with the same sha256."""

    def summary_rows(self) -> list[dict[str, Any]]:
        """The summary as (what, count) rows, for display."""
        return [
            {"what": "rows read", "count": self.rows_read},
            {"what": "new", "count": self.rows_added},
            {"what": "duplicate (already stored)", "count": self.rows_duplicate},
            {"what": "skipped (other cost centres)", "count": self.rows_skipped},
            {"what": "rejected", "count": self.rows_rejected},
            {"what": "amounts snapped to the penny", "count": self.amounts_snapped},
        ]


class PreviewRow(_Model):
    """How one row of an extract would be read."""

    line: int
    status: str
    """``new``, ``stored`` (already in the store), ``skipped`` or ``error``."""
    date: str | None = None
    amount: Money | None = None
    category: str | None = None
    post: str | None = None
    supplier: str | None = None
    description: str | None = None
    reference: str | None = None
    snapped: bool = False
    reason: str | None = None


class MappingCheck(_Model):
    """How a mapping reads an extract: the header found and the first rows."""

    file_name: str
    kind: str
    header_line: int
    header: tuple[str, ...]
    columns: dict[str, str]
    """Mapped role -> header name."""
    dedupe_by: str
    encoding: str | None = None
    details: dict[str, str]
    rows: tuple[PreviewRow, ...]
