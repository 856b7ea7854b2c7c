"""Checking a return against the register and the store (``fsgrant export verify``),
and what moved since the last return (the Changes since the last return sheet).

Both recompute a sent return as known when it was sent plus the corrections recorded
since (:mod:`fsgrant.domain.time_rule`), compare its figures by label
(:func:`fsgrant.domain.submissions.moved_figures`) and tell each correction once, in
words (:mod:`fsgrant.services.restated`).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from fsgrant.domain.restatements import headline_figures
from fsgrant.domain.time_rule import Known
from fsgrant.services.restated import causes_of, record_words
from fsgrant.services.since_return import since_return
from fsgrant.store.tables import Tables

if TYPE_CHECKING:
    from collections.abc import Iterator

    from fsgrant.domain.submissions import (
        Restatement,
        ReturnCheck,
        ReturnFigure,
        SubmittedReturn,
    )
    from fsgrant.formats.dfe_return import ReturnData
    from fsgrant.formats.dfe_return.model import ReturnChanges

__all__ = ["ReturnChecker"]

_EDITS_SHOWN = 20


class ReturnSource(Protocol):
    """What recomputes a return (:class:`fsgrant.services.exports.ExportsService` is
    one; named here, not imported, since it hands its checks to this module)."""

    def return_data_for(
        self,
        label: str,
        day: date,
        period: tuple[date, date] | None,
        *,
        changes: bool = True,
        source_fields: bool = False,
    ) -> ReturnData: ...


class ReturnChecker:
    """Verify a return file, and restate a submitted one (for ``fs.exports``)."""

    def __init__(self, tables: Tables, exports: ReturnSource) -> None:
        self._tables = tables
        self._exports = exports

    def _post_ids(self) -> list[str]:
        return [p.id for p in self._tables.posts.load()]

    def _names(self) -> dict[str, str]:
        return {c.name: c.description or c.name for c in self._tables.grant.categories()}

    def changes_since(self, label: str, day: date) -> ReturnChanges | None:
        """The latest return of ``label`` submitted as at a date before ``day``, and
        each of its figures the ledger now gives differently, told once per cause;
        None when none was."""
        from fsgrant.formats.dfe_return.model import ReturnChanges

        earlier = [r for r in self._tables.returns.list(label) if r.as_at < day]
        if not earlier:
            return None
        sub = self._tables.returns.brief(earlier[-1].id)  # its figures are streamed
        assert sub is not None  # listed a moment ago; the register is append-only
        moved = tuple(self.restatements(sub))
        return ReturnChanges(
            return_id=sub.id,
            as_at=sub.as_at,
            reference=sub.reference,
            submitted_at=sub.submitted_at,
            submitted_by=sub.submitted_by,
            restatements=moved,
            causes=tuple(causes_of(self._tables, moved)),
            headline=tuple(headline_figures(moved)),
        )

    def restatements(self, submission: SubmittedReturn) -> list[Restatement]:
        """Each figure of a submitted return that the ledger now gives differently,
        with the corrections recorded since that moved it. The return's own Changes
        since the last return sheet is left out: it restates an earlier return."""
        from fsgrant.domain.submissions import moved_figures, submitted_period
        from fsgrant.formats.dfe_return.figures import iter_return_figures, return_headers
        from fsgrant.formats.dfe_return.model import CHANGES, SUMMARY

        def submitted() -> Iterator[ReturnFigure]:
            for f in self._tables.returns.iter_figures(submission.id):
                if f.sheet != CHANGES:
                    yield f

        # A first pass for the sheets it holds and the quarter it speaks for; the
        # figures are then compared streamed (memory flat in the year's lines).
        sheets: set[str] = set()
        summary: list[ReturnFigure] = []
        for f in submitted():
            sheets.add(f.sheet)
            if f.sheet == SUMMARY:
                summary.append(f)
        period = submitted_period(summary)
        known = Known(submission.as_at, submission.submitted_at)
        since = since_return(self._tables, submission.submitted_at, submission.as_at)
        with self._tables.store.known_as(known):
            fresh = self._exports.return_data_for(
                submission.funding_year, submission.as_at, period, changes=False
            )
            headers = return_headers(fresh)
            return moved_figures(
                submitted(),
                iter_return_figures(fresh, headers, sheets),
                since.corrections,
                post_ids=self._post_ids(),
                category_names=self._names(),
            )

    def verify(self, path: str | os.PathLike[str]) -> ReturnCheck:
        """See :meth:`fsgrant.services.exports.ExportsService.verify`."""
        from fsgrant.domain.submissions import ReturnCheck, moved_figures
        from fsgrant.formats.dfe_return import ReturnReader
        from fsgrant.formats.dfe_return.figures import iter_return_figures, return_headers
        from fsgrant.formats.file_hash import file_sha256
        from fsgrant.formats.input_files import check_input_file

        p = Path(path)
        check_input_file(p)  # a folder, a device or a pipe is said to be one
        submission = self._tables.returns.by_sha256(file_sha256(p))
        with ReturnReader(p) as reader:
            heading = reader.heading
            label, day = heading.funding_year, heading.as_at
            kept = heading.source_fields
            since: datetime | None
            if submission is not None:
                since = submission.submitted_at
                matches: bool | None = True
            else:
                since = heading.generated_at
                if since is not None:
                    # A return's times are UTC, to the second: what was recorded within
                    # the second it was made counts as before it.
                    since = since.replace(microsecond=999999)
                    if since.tzinfo is None:
                        since = since.replace(tzinfo=UTC)
                sent = any(r.as_at == day for r in self._tables.returns.list(label))
                matches = False if sent else None
            # The return as known when it was sent (or made), with the corrections
            # recorded since: a change of estimate never moves it.
            later = since_return(self._tables, since, day)
            known = Known(day, since)
            with self._tables.store.known_as(known):
                fresh = self._exports.return_data_for(
                    label, day, heading.period, source_fields=kept
                )
                headers = return_headers(fresh)  # reads no transactions: fresh stays whole
            # Both sides streamed and compared row by row, so memory stays flat however
            # many lines the year has. A return made before a sheet was added is
            # compared on the sheets it has.
            before = (
                self._tables.returns.iter_figures(submission.id)
                if submission is not None
                else reader.iter_figures(headers)
            )
            with self._tables.store.known_as(known):
                now = iter_return_figures(fresh, headers, reader.sheets)
                changes = moved_figures(
                    before,
                    now,
                    later.corrections,
                    post_ids=self._post_ids(),
                    category_names=self._names(),
                )
            edited: list[str] = []
            if submission is None and not changes:
                # Figures alone miss text edited by hand (a description, a label): a
                # file not in the register is compared cell by cell too.
                with self._tables.store.known_as(Known(day, since)):
                    again = self._exports.return_data_for(
                        label, day, heading.period, source_fields=kept
                    )
                    edited = [str(d) for d in reader.compare(again)[:_EDITS_SHOWN]]
        return ReturnCheck(
            file=str(p),
            funding_year=label,
            as_at=day,
            file_matches_submission=matches,
            submission=None
            if submission is None
            else submission.model_copy(update={"figures": ()}),
            ledger_matches=not changes,
            fingerprint_matches=heading.fingerprint == fresh.fingerprint,
            changes=tuple(changes),
            changes_of_estimate=tuple(later.changes_of_estimate),
            causes=tuple(causes_of(self._tables, changes)),
            headline=tuple(headline_figures(changes)),
            edited=tuple(edited),
            changes_of_estimate_words=tuple(
                record_words(self._tables, e)[0] for e in later.changes_of_estimate
            ),
        )
