"""What an import of a finance-system extract read, added and refused, as records.

A stored batch (:class:`ImportBatch`) and the result of an import
(:class:`ImportResult`) share one set of counts; :class:`MappingCheck` shows how a
mapping reads the first rows of an extract.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from fsgrant.domain.models import Money
from fsgrant.domain.record import RECORD_CONFIG

__all__ = [
    "CategoryCount",
    "FilterCount",
    "ImportBatch",
    "ImportResult",
    "MappingCheck",
    "PreviewRow",
    "RejectedRow",
    "ValueCount",
]


class _Model(BaseModel):
    model_config = RECORD_CONFIG


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
    """Rows a filter left out (not the grant's), and totals rows: not errors."""
    rows_zero: int = 0
    """Rows of 0.00 (cancelled payments): skipped, not errors."""
    skipped_by: dict[str, int] = {}
    """What skipped the skipped rows: each filter's label (``Expense Area not in
    [Children's Services]``) or ``totals row`` -> rows."""
    rows_rejected: int
    """Bad rows left out (with ``skip_invalid``; otherwise the import is refused)."""
    amounts_snapped: int
    """Amounts of the lines added read from float noise to the nearest whole penny."""
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
    """The stored batch; None for a dry run, or a file already imported."""
    already_imported_as: int | None = None
    """The batch that imported this same file (same SHA-256) through the same mapping,
    when this import added nothing: no batch is recorded for it."""
    dry_run: bool = False
    rejects: tuple[RejectedRow, ...] = ()
    """The first rejected rows (all are in the rejects file)."""
    rejects_file: str | None = None
    earlier_batches: tuple[int, ...] = ()
    """Earlier batches of a file with the same sha256."""
    header_line: int | None = None
    """The line (row) of the file the header was found on."""
    header_found_by: str | None = None
    """``column names`` (the first row holding every mapped column) or ``header_row``."""
    header_reason: str | None = None
    """Why that row is the header, in words."""
    warnings: tuple[str, ...] = ()
    """Such as a filter that kept none of the rows (refused with ``strict``)."""

    def summary_rows(self) -> list[dict[str, Any]]:
        """The summary as (what, count) rows, for display."""
        skipped = [
            {"what": f"skipped: {label}", "count": n} for label, n in self.skipped_by.items()
        ] or [{"what": "skipped", "count": self.rows_skipped}]
        return [
            {"what": "rows read", "count": self.rows_read},
            {"what": "new", "count": self.rows_added},
            {"what": "duplicate (already stored)", "count": self.rows_duplicate},
            *skipped,
            {"what": "zero (0.00, skipped)", "count": self.rows_zero},
            {"what": "rejected", "count": self.rows_rejected},
            {"what": "amounts snapped to the penny", "count": self.amounts_snapped},
        ]


class PreviewRow(_Model):
    """How one row of an extract would be read."""

    line: int
    status: str
    """``new``, ``stored`` (already in the store), ``skipped``, ``zero`` or ``error``."""
    date: str | None = None
    amount: Money | None = None
    category: str | None = None
    post: str | None = None
    supplier: str | None = None
    description: str | None = None
    reference: str | None = None
    snapped: bool = False
    reason: str | None = None


class ValueCount(_Model):
    """A value seen in a column, and in how many rows."""

    value: str
    rows: int


class FilterCount(_Model):
    """What one filter of a mapping did to an extract."""

    filter: str
    """Its label: ``Expense Area not in [Children's Services]``."""
    column: str
    rows_seen: int
    """Rows that reached it (kept by the filters before it)."""
    rows_kept: int
    most_frequent: tuple[ValueCount, ...] = ()
    """The values most often seen in the rows it skipped."""


class CategoryCount(_Model):
    """How many rows a category rule (or map, or the default) gave a category."""

    category: str
    rule: str
    rows: int


class MappingCheck(_Model):
    """A preview of an import: the header found, what each filter keeps, the categories
    each rule gives, and the first rows as they would be read."""

    file_name: str
    kind: str
    header_line: int
    header_found_by: str = "column names"
    """``column names`` (the first row holding every expected column) or ``header_row``."""
    header_reason: str = ""
    """Why that row is the header, in words."""
    header: tuple[str, ...]
    columns: dict[str, str]
    """Mapped role -> header name."""
    dedupe_by: str
    encoding: str | None = None
    details: dict[str, str]
    rows_read: int = 0
    rows_kept: int = 0
    """Rows every filter keeps."""
    rows_zero: int = 0
    rows_totals: int = 0
    rows_error: int = 0
    """Kept rows an import would reject (or refuse the file for)."""
    filters: tuple[FilterCount, ...] = ()
    categories: tuple[CategoryCount, ...] = ()
    warnings: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    """The rules' regular expressions, each run under :attr:`pattern_seconds` a cell."""
    pattern_seconds: float = 0.25
    """How long a pattern may take on one cell before the row is refused."""
    rows: tuple[PreviewRow, ...]
