"""The register of submitted returns (``fsgrant return``): what was sent to the funder,
kept as data so that later changes show as restatements."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from fsgrant.domain.arguments import checked
from fsgrant.domain.periods import DateLike, as_at_day
from fsgrant.domain.submissions import ReturnCheck, SubmittedReturn
from fsgrant.domain.text import clean_text
from fsgrant.domain.time_rule import Action
from fsgrant.errors import Conflict, InvalidInput, NotFound
from fsgrant.formats.input_files import check_input_file
from fsgrant.services.exports import ExportsService
from fsgrant.services.periods import PeriodsService
from fsgrant.store.returns import figures_json
from fsgrant.store.tables import Tables

__all__ = ["ReturnsService", "file_sha256"]


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    from fsgrant.formats.file_hash import file_sha256 as sha256_of

    return sha256_of(path)


def _refusal(check: ReturnCheck) -> str | None:
    """Why ``return submit`` refuses a file that ``export verify`` checked, or None."""
    if check.file_matches_submission is True:
        return "was submitted already"
    if check.changes:
        first = check.changes[0]
        return (
            f"does not match the ledger now ({len(check.changes)} difference(s), first: "
            f"{first.sheet} / {first.row} / {first.column}: the file has {first.submitted}, "
            f"the ledger gives {first.now})"
        )
    if check.edited:
        return (
            f"does not match the ledger now: {len(check.edited)} cell(s) differ from the "
            f"return as written (first: {check.edited[0]})"
        )
    if check.changes_of_estimate:
        return (
            f"does not match the ledger now: {len(check.changes_of_estimate)} record(s) "
            "were written since it was made"
        )
    return None


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
        on: DateLike | None = None,
        resubmission: bool = False,
    ) -> SubmittedReturn:
        """Record that the return at ``path`` was sent to the funder on ``on`` (default
        today) and return its register entry (its figures left out: see
        :meth:`get`): its year and as-at date, file name, SHA-256, the ledger fingerprint,
        every figure (keyed by sheet, row and column), who recorded it and when, and
        the funder's reference.

        The file is checked exactly as ``export verify`` checks it (every figure by
        label, and every cell against the return as written: a copy edited by hand is
        refused), and must be what the ledger gives now (nothing recorded since it
        was made), so the register never holds figures the ledger did not make. A
        second return for the same year and as-at date is refused unless it is a
        ``resubmission``: it then names the return it supersedes. With ``close``,
        its funding year is closed through the as-at date in the same transaction
        (unless it is closed through that date or later already).

        Raises:
            InvalidInput: no such file, not an fsgrant return, a date in the future,
                or a resubmission with nothing to supersede.
            Conflict: the file was submitted already, it does not verify, it no longer
                matches the ledger, or the year and date have a return already.
            NotFound: its funding year is not in this store.
        """
        from fsgrant.formats.dfe_return.figures import iter_return_figures, return_headers

        p = Path(path)
        check_input_file(p)  # a folder, a device or a pipe is said to be one
        sent_on = as_at_day(on)
        if sent_on > date.today():
            raise InvalidInput(
                f"--on {sent_on} is in the future: give the day the return went to the funder",
                field="on",
            )
        ref = clean_text(reference)
        sha = file_sha256(p)
        earlier = self._tables.returns.by_sha256(sha)
        if earlier is not None:
            raise Conflict(
                f"{p.name} was submitted already, as return {earlier.id} on "
                f"{(earlier.sent_on or earlier.submitted_at.date()):%Y-%m-%d} by "
                f"{earlier.submitted_by}"
            )
        check = self._exports.verify(p)
        problem = _refusal(check)
        if problem is not None:
            raise Conflict(
                f"{p.name} {problem}; export the return again, or see 'fsgrant export verify'"
            )
        label, day = check.funding_year, check.as_at
        same = [r for r in self._tables.returns.list(label) if r.as_at == day]
        if same and not resubmission:
            last = same[-1]
            raise Conflict(
                f"a return for {label} as at {day:%d/%m/%Y} was submitted already (return "
                f"{last.id}, {last.file_name}); if this one replaces it, say --resubmission"
            )
        if resubmission and not same:
            raise InvalidInput(
                f"no return for {label} as at {day:%d/%m/%Y} was submitted: nothing to "
                "resubmit (leave out --resubmission)",
                field="resubmission",
            )
        from fsgrant.formats.dfe_return import read_return_heading

        heading = read_return_heading(p)
        data = self._exports.return_data_for(
            label, day, heading.period, source_fields=heading.source_fields
        )
        # Headers read no transactions, so data stays whole for the figures.
        figures, count = figures_json(iter_return_figures(data, return_headers(data)))
        store = self._tables.store
        detail: dict[str, Any] = {
            "file": p.name,
            "sha256": sha,
            "as_at": day.isoformat(),
            "sent_on": sent_on.isoformat(),
            "reference": ref,
            "figures": count,
        }
        if same:
            detail["supersedes"] = same[-1].id
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
                    "figures": figures,
                    "reference": ref,
                    "closed_through": None
                    if closed_through is None
                    else closed_through.isoformat(),
                    "sent_on": sent_on.isoformat(),
                    "supersedes": same[-1].id if same else None,
                    "figure_count": count,
                }
            )
        recorded = self._tables.returns.brief(new_id)
        assert recorded is not None  # written a moment ago; the register is append-only
        return recorded

    def list(self, year: str | None = None) -> list[SubmittedReturn]:
        """Every submitted return (of one funding year, if given), oldest first; the
        figures are left out (see :meth:`get`). A resubmission names the return it
        supersedes."""
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
