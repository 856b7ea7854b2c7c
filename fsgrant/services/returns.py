"""The register of submitted returns (``fsgrant return``): what was sent to the funder,
kept as data so that later changes show as restatements."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fsgrant.domain.arguments import checked
from fsgrant.domain.periods import as_at_day
from fsgrant.domain.submissions import SubmittedReturn
from fsgrant.domain.text import clean_text
from fsgrant.domain.time_rule import Action
from fsgrant.errors import Conflict, NotFound
from fsgrant.formats.input_files import check_input_file
from fsgrant.services.exports import ExportsService
from fsgrant.services.periods import PeriodsService
from fsgrant.store.returns import figures_json
from fsgrant.store.tables import Tables

__all__ = ["ReturnsService", "file_sha256"]


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    from fsgrant.formats.extracts import file_sha256 as sha256_of

    return sha256_of(path)


@checked
class ReturnsService:
    """``fs.returns``: submit a return (recording what was sent), list and show them."""

    def __init__(self, tables: Tables, exports: ExportsService, periods: PeriodsService) -> None:
        self._tables = tables
        self._exports = exports
        self._periods = periods

    def submit(
        self,
        path: str | os.PathLike[str],
        *,
        reference: str | None = None,
        close: bool = False,
    ) -> SubmittedReturn:
        """Record that the return at ``path`` was sent to the funder: its year and
        as-at date, file name, SHA-256, the ledger fingerprint, every figure (keyed
        by sheet, row and column), who and when, and the funder's reference.

        The file must be what the ledger gives now (checked figure by figure), so
        the register never holds figures the ledger did not make. With ``close``,
        its funding year is closed through the as-at date in the same transaction
        (unless it is closed through that date or later already).

        Raises:
            InvalidInput: no such file, or not an fsgrant return.
            Conflict: the file was submitted already, or it no longer matches the ledger.
            NotFound: its funding year is not in this store.
        """
        from fsgrant.formats.dfe_return import ReturnReader
        from fsgrant.formats.dfe_return.figures import return_figures, return_headers

        p = Path(path)
        check_input_file(p)  # a folder, a device or a pipe is said to be one
        ref = clean_text(reference)
        sha = file_sha256(p)
        earlier = self._tables.returns.by_sha256(sha)
        if earlier is not None:
            raise Conflict(
                f"{p.name} was submitted already, as return {earlier.id} on "
                f"{earlier.submitted_at:%Y-%m-%d} by {earlier.submitted_by}"
            )
        with ReturnReader(p) as reader:
            heading = reader.heading
            differences = reader.compare(
                self._exports.return_data_for(
                    heading.funding_year,
                    heading.as_at,
                    heading.period,
                    source_fields=heading.source_fields,
                )
            )
        if differences:
            raise Conflict(
                f"{p.name} does not match the ledger now ({len(differences)} difference(s), "
                f"first: {differences[0]}); export the return again, or see 'fsgrant export verify'"
            )
        label, day = heading.funding_year, heading.as_at
        period = heading.period
        kept = heading.source_fields
        data = self._exports.return_data_for(label, day, period, source_fields=kept)
        # Headers read no transactions, so data stays whole for the figures.
        figures = return_figures(data, return_headers(data))
        store = self._tables.store
        detail: dict[str, Any] = {
            "file": p.name,
            "sha256": sha,
            "as_at": day.isoformat(),
            "reference": ref,
            "figures": len(figures),
        }
        with store.transaction(Action.RETURN_SUBMIT, label, detail):
            closed_through = None
            if close:
                current = self._periods.closures().get(label)
                if current is None or current.through < day:
                    self._periods.close(label, day, ref or f"return {p.name}")
                closed_through = day
            new_id = detail["id"] = self._tables.returns.insert(
                {
                    "funding_year": label,
                    "as_at": day.isoformat(),
                    "file_name": p.name,
                    "file_sha256": sha,
                    "fingerprint": data.fingerprint,
                    "figures": figures_json(figures),
                    "reference": ref,
                    "closed_through": None
                    if closed_through is None
                    else closed_through.isoformat(),
                }
            )
        return self.get(new_id)

    def list(self, year: str | None = None) -> list[SubmittedReturn]:
        """Every submitted return (of one funding year, if given), oldest first; the
        figures are left out (see :meth:`get`)."""
        return self._tables.returns.list(year)

    def get(self, return_id: int) -> SubmittedReturn:
        """One submitted return with every figure as submitted.

        Raises:
            NotFound: no such return.
        """
        found = self._tables.returns.get(return_id)
        if found is None:
            raise NotFound("submitted return", str(return_id), "see 'fsgrant return list'")
        return found

    def latest(self, year: str, before: Any = None) -> SubmittedReturn | None:
        """The latest return submitted for a funding year (as at a date before
        ``before``, when given), with its figures; None when none was."""
        day = as_at_day(before) if before is not None else None
        candidates = [r for r in self.list(year) if day is None or r.as_at < day]
        return self.get(candidates[-1].id) if candidates else None
