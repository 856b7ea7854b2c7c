"""Submitted returns and restatements: what was sent to the funder, and what moved since.

* A return's figures are kept as data, each keyed by its label: the sheet, the row
  (its first cell: a category, a month, a post id, a line number, a Summary label)
  and the column (the table's header; ``value`` for a Summary label's value). Figures
  are compared by that key, never by cell position, so one row added to a table
  shows as one change, not as every row after it.
* A figure moved when its value under the same key differs (numbers compared as
  numbers, so 3 and 3.00 are the same); a key only one side has is a figure added
  or gone. Money prints with two decimals, counts as counts.
* Why a figure moved: the records written after the submission (the audit trail),
  those naming the row's post or line when the row is one, otherwise every record
  bearing on the return's funding year.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict

from fsgrant.domain.models import AuditEntry

__all__ = [
    "FigureKind",
    "Restatement",
    "ReturnCheck",
    "ReturnFigure",
    "SubmittedReturn",
    "moved_figures",
    "shown_value",
]

FigureKind = Literal["money", "count", "number", "date", "text"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReturnFigure(_Record):
    """One figure of a return, keyed by its label; the value as text (money and
    numbers as exact decimals, dates ISO)."""

    sheet: str
    row: str
    column: str
    kind: FigureKind
    value: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.sheet, self.row, self.column)


class SubmittedReturn(_Record):
    """A return as submitted to the funder, from the register."""

    id: int
    funding_year: str
    as_at: date
    file_name: str
    file_sha256: str
    fingerprint: str
    reference: str | None
    closed_through: date | None
    """The date its funding year was closed through with the submission, if it was."""
    submitted_at: datetime
    """When (UTC)."""
    submitted_by: str
    figure_count: int
    figures: tuple[ReturnFigure, ...] = ()
    """Every figure of the return (empty in listings)."""


class Restatement(_Record):
    """A figure that differs from what was submitted (or from the file checked)."""

    sheet: str
    row: str
    column: str
    submitted: str | None
    """As submitted (money with two decimals); None when the figure is new."""
    now: str | None
    """What the ledger gives now; None when the figure is gone."""
    because: tuple[AuditEntry, ...] = ()
    """The records written after the submission that may have moved it."""


class ReturnCheck(_Record):
    """What ``export verify`` found."""

    file: str
    funding_year: str
    as_at: date
    file_matches_submission: bool | None
    """True: the file is a submitted one (same SHA-256); False: a return for the same
    year and date was submitted but this file is not it; None: none was submitted."""
    submission: SubmittedReturn | None
    ledger_matches: bool
    """The ledger gives every figure the file (or its submission) shows."""
    fingerprint_matches: bool
    changes: tuple[Restatement, ...]

    @property
    def summary(self) -> str:
        """One line: is this the submitted file, and does the ledger still agree."""
        if self.file_matches_submission is None:
            sub = "never submitted"
        elif self.file_matches_submission and self.submission is not None:
            ref = f" (reference '{self.submission.reference}')" if self.submission.reference else ""
            sub = f"the file submitted as return {self.submission.id}{ref}"
        else:
            sub = "NOT the file submitted for this year and date"
        if self.ledger_matches:
            led = "the ledger gives the same figures"
            if not self.fingerprint_matches:
                led += " (records changed since, none moving a figure)"
        else:
            led = f"{len(self.changes)} figure(s) moved since"
        return f"{self.file}: {sub}; {led}"


def _number(text: str) -> Decimal | None:
    try:
        n = Decimal(text)
    except InvalidOperation:
        return None
    return n if n.is_finite() else None


def shown_value(figure: ReturnFigure | None, kind: FigureKind | None = None) -> str | None:
    """A figure's value as the contract prints it: money with two decimals, counts
    as whole numbers, other numbers as exact decimals, text and dates as they are."""
    if figure is None:
        return None
    k = kind or figure.kind
    n = _number(figure.value) if k in ("money", "count", "number") else None
    if n is None:
        return figure.value
    if k == "money":
        return str(n.quantize(Decimal("0.01")))
    if k == "count" and n == n.to_integral_value():
        return str(int(n))
    return str(n.normalize()) if n != 0 else "0"


def _same(a: ReturnFigure, b: ReturnFigure) -> bool:
    if a.value == b.value:
        return True
    x, y = _number(a.value), _number(b.value)
    return x is not None and y is not None and x == y


def _bears_on(entry: AuditEntry, row: str, post_ids: frozenset[str]) -> bool:
    if row in post_ids:
        return entry.subject == row
    return True


def moved_figures(
    before: Iterable[ReturnFigure],
    after: Iterable[ReturnFigure],
    records: Sequence[AuditEntry] = (),
    *,
    post_ids: Iterable[str] = (),
) -> list[Restatement]:
    """Every figure whose value differs between ``before`` (submitted, or read from
    a file) and ``after`` (the ledger now), in the order of ``after`` then the
    figures gone; each with the ``records`` that may have moved it.

    Args:
        records: what was written after the submission (oldest first).
        post_ids: the posts' ids; a change in a post's row names that post's records.
    """
    old = {f.key: f for f in before}
    posts = frozenset(post_ids)
    out: list[Restatement] = []

    def because(row: str) -> tuple[AuditEntry, ...]:
        return tuple(e for e in records if _bears_on(e, row, posts))

    seen: set[tuple[str, str, str]] = set()
    for f in after:
        seen.add(f.key)
        was = old.get(f.key)
        if was is not None and _same(was, f):
            continue
        out.append(
            Restatement(
                sheet=f.sheet,
                row=f.row,
                column=f.column,
                submitted=shown_value(was, f.kind),
                now=shown_value(f),
                because=because(f.row),
            )
        )
    for key, was in old.items():
        if key not in seen:
            out.append(
                Restatement(
                    sheet=was.sheet,
                    row=was.row,
                    column=was.column,
                    submitted=shown_value(was),
                    now=None,
                    because=because(was.row),
                )
            )
    return out
