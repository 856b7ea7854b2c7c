"""Submitted returns and restatements: what was sent to the funder, and what moved since.

* A return's figures are kept as data, each keyed by its label: the sheet, the row
  (its first cell: a category, a month, a post id, a line number, a Summary label)
  and the column (the table's header; ``value`` for a Summary label's value). Figures
  are compared by that key, never by cell position, so one row added to a table
  shows as one change, not as every row after it.
* A figure moved when its value under the same key differs (numbers compared as
  numbers, so 3 and 3.00 are the same); a key only one side has is a figure added
  or gone. Money prints with two decimals, counts as counts.
* Why a figure moved: the records written after the submission (the audit trail)
  that reach it (:func:`record_reach`, one rule for every kind of record):

  - a spend line (added or reversed): its Transactions row and the total, its
    category's row on Spend vs estimate and the total, its month on the Monthly
    profile and the total, its post's row on Posts, and the Summary's actual,
    award less actual, outturn, at-risk and overspend rows (and the quarter's
    category row, total and year to date); a category's rows are found by the name
    they are shown under (its description);
  - an import of spend: the same sheets, every row (its lines are many);
  - a variation: the Summary's award, status and period rows, and the Variations
    and Monthly profile sheets; one changing the period (shift, extend) also the
    forecasts (Summary, Spend vs estimate, Posts);
  - an estimate (set or phased): its category's row on Spend vs estimate and the
    total, the Summary's original estimate and the quarter's budget, the Monthly
    profile;
  - a receipt (added or reversed): the Summary's received and repayable rows;
  - a post record (added, changed, status): its row on Posts and the total, and the
    forecasts (Summary, Spend vs estimate, Monthly profile, Conditions,
    Sustainability);
  - any other record reaches every figure (what it moves is not known here).

  A post's row names only the records of that post (a post record, or a spend line
  charged to it). A moved figure no record reaches names every record written since:
  something moved it, and which is not known.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel

from fsgrant.domain.models import AuditEntry
from fsgrant.domain.record import RECORD_CONFIG
from fsgrant.domain.restatements import Cause, HeadlineFigure

__all__ = [
    "FigureKind",
    "Restatement",
    "ReturnCheck",
    "ReturnFigure",
    "SubmittedReturn",
    "moved_figures",
    "record_reach",
    "shown_value",
    "submitted_period",
]

FigureKind = Literal["money", "count", "number", "date", "text"]


class _Record(BaseModel):
    model_config = RECORD_CONFIG


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
    """When it was recorded in the register (UTC)."""
    submitted_by: str
    figure_count: int
    sent_on: date | None = None
    """The day it went to the funder (``return submit --on``); None for a return
    registered before the day was kept."""
    supersedes: int | None = None
    """The earlier return for the same year and as-at date it replaces (a
    resubmission), if any."""
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
    """The corrections recorded after the submission (records dated inside the
    return's period) that may have moved it; never a close, a reopen or a change of
    estimate."""


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
    """The figures that corrections moved (the return recomputed as known when it was
    sent, plus the corrections recorded since)."""
    changes_of_estimate: tuple[AuditEntry, ...] = ()
    """The records written since that are changes of estimate (dated after the
    return's as-at date, or undated): they move later returns, never this one."""
    causes: tuple[Cause, ...] = ()
    """Each correction behind ``changes`` once, in words, with the headline figures
    it moved (last, the figures no record explains, if any)."""
    headline: tuple[HeadlineFigure, ...] = ()
    """The Summary values among ``changes``: as submitted, now, the change."""
    changes_of_estimate_words: tuple[str, ...] = ()
    """``changes_of_estimate`` in words, one each, in the same order."""
    edited: tuple[str, ...] = ()
    """For a file not in the register whose figures all hold: the cells that differ
    from what fsgrant writes for it (text edited by hand, a row added), the first
    few; empty when it is as written."""

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
        else:
            corrections = sum(1 for c in self.causes if c.entry is not None)
            led = (
                f"{corrections} correction(s) since moved {len(self.changes)} figure(s)"
                if corrections
                else f"{len(self.changes)} figure(s) differ from the ledger, no record since "
                "explains them"
            )
        if self.edited:
            led += f"; {len(self.edited)} cell(s) differ from the return as written (edited?)"
        n = len(self.changes_of_estimate)
        if n:
            led += f"; since then {n} change(s) of estimate (they move later returns only)"
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


Reach = frozenset[tuple[str, str | None]]
"""(sheet, row) pairs a record reaches; a row of None is every row of the sheet."""

_SUMMARY, _VARIANCE, _PROFILE, _POSTS = "Summary", "Spend vs estimate", "Monthly profile", "Posts"
_TRANSACTIONS, _VARIATIONS = "Transactions", "Variations"
_CONDITIONS, _SUSTAINABILITY = "Conditions", "Sustainability"
_TOTAL = "Total"
# Summary rows (column A labels of the return's Summary sheet).
SPEND_ROWS: tuple[str, ...] = (
    "Actual spend to date",
    "Award less actual",
    "Forecast outturn",
    "Underspend at risk",
    "Overspend",
    "Quarter total",
    "Year to date",
    "Forecast outturn for the year",
)
AWARD_ROWS: tuple[str, ...] = (
    "Award (as varied)",
    "Status",
    "Money secure",
    "Award less actual",
    "Underspend at risk",
    "Overspend",
    "Repayable to funder",
)
PERIOD_ROWS: tuple[str, ...] = ("Period start (as varied)", "Period end (as varied)", "Varied")
FORECAST_ROWS: tuple[str, ...] = (
    "Forecast remaining",
    "Forecast outturn",
    "Underspend at risk",
    "Overspend",
    "Forecast outturn for the year",
)
RECEIPT_ROWS: tuple[str, ...] = ("Received from funder", "Repayable to funder")
ESTIMATE_ROWS: tuple[str, ...] = ("Original estimate", "Quarter total", "Year to date")


def _summary(rows: Iterable[str]) -> set[tuple[str, str | None]]:
    return {(_SUMMARY, r) for r in rows}


def _text(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def record_reach(entry: AuditEntry, names: Mapping[str, str] | None = None) -> Reach | None:
    """The figures a record can move, as (sheet, row) pairs (row None: the whole
    sheet); None when that is not known (the record may move any figure). See the
    module's docstring for the rule. ``names`` maps a category to the name its rows
    are shown under (its description), where that differs."""
    action, d = entry.action, entry.detail
    shown = names or {}
    every_category = _summary(shown.values())
    out: set[tuple[str, str | None]] = set()
    if action in ("spend.add", "spend.reverse"):
        lines = {_text(d.get("id")), entry.subject if action == "spend.reverse" else None}
        out |= {(_TRANSACTIONS, f"Line {n}") for n in lines if n}
        out |= {(_TRANSACTIONS, _TOTAL), (_VARIANCE, _TOTAL), (_PROFILE, _TOTAL)}
        out |= _summary(SPEND_ROWS)
        category, day, post = _text(d.get("category")), _text(d.get("date")), _text(d.get("post"))
        if category:
            name = shown.get(category, category)
            out |= {(_VARIANCE, name), (_SUMMARY, name)}
        else:
            out.add((_VARIANCE, None))
            out |= every_category
        out.add((_PROFILE, f"{day[:7]}-01" if day else None))
        if post:
            out |= {(_POSTS, post), (_POSTS, _TOTAL)}
        return frozenset(out)
    if action == "spend.import":
        out |= {(_TRANSACTIONS, None), (_VARIANCE, None), (_PROFILE, None), (_POSTS, None)}
        return frozenset(out | _summary(SPEND_ROWS) | every_category)
    if action == "year.vary":
        out |= _summary(AWARD_ROWS) | _summary(PERIOD_ROWS)
        out |= {(_VARIATIONS, None), (_PROFILE, None)}
        if d.get("kind") in ("shift", "extend"):
            out |= _summary(FORECAST_ROWS) | {(_VARIANCE, None), (_POSTS, None)}
            out |= _summary(ESTIMATE_ROWS) | every_category  # the quarter's budget
        return frozenset(out)
    if action in ("estimate.set", "estimate.phase"):
        category = (entry.subject or "").rpartition("/")[2]  # "2019/20/training"
        row = shown.get(category, category) if category else None
        out |= {(_VARIANCE, row), (_VARIANCE, _TOTAL), (_PROFILE, None)}
        out |= {(_SUMMARY, row)} if row else every_category
        return frozenset(out | _summary(ESTIMATE_ROWS))
    if action in ("receipt.add", "receipt.reverse"):
        return frozenset(_summary(RECEIPT_ROWS))
    if action in ("post.add", "post.change", "post.status"):
        out |= {(_POSTS, entry.subject), (_POSTS, _TOTAL)} if entry.subject else {(_POSTS, None)}
        out |= {(_VARIANCE, None), (_PROFILE, None), (_CONDITIONS, None), (_SUSTAINABILITY, None)}
        return frozenset(out | _summary(FORECAST_ROWS))
    return None


def _bears_on(
    entry: AuditEntry,
    sheet: str,
    row: str,
    post_ids: frozenset[str],
    names: Mapping[str, str],
) -> bool:
    if row in post_ids:
        return row in (entry.subject, _text(entry.detail.get("post")))
    reach = record_reach(entry, names)
    return reach is None or (sheet, row) in reach or (sheet, None) in reach


def submitted_period(figures: Iterable[ReturnFigure]) -> tuple[date, date] | None:
    """The quarter (first and last day) a quarterly return's figures speak for, from
    its Summary's ``Quarter from`` and ``Quarter to``; None for a return as at a date."""
    found = {
        f.row: f.value
        for f in figures
        if f.sheet == _SUMMARY and f.column == "value" and f.row in ("Quarter from", "Quarter to")
    }
    try:
        return (date.fromisoformat(found["Quarter from"]), date.fromisoformat(found["Quarter to"]))
    except (KeyError, ValueError):
        return None


RowFigures = tuple[tuple[str, str], dict[str, ReturnFigure]]
"""A row of a return: (sheet, row label) and its figures by column."""


def _rows(figures: Iterable[ReturnFigure]) -> Iterator[RowFigures]:
    """Consecutive figures of one row, grouped."""
    key: tuple[str, str] | None = None
    row: dict[str, ReturnFigure] = {}
    for f in figures:
        k = (f.sheet, f.row)
        if k != key:
            if key is not None:
                yield key, row
            key, row = k, {}
        row[f.column] = f
    if key is not None:
        yield key, row


def moved_figures(
    before: Iterable[ReturnFigure],
    after: Iterable[ReturnFigure],
    records: Sequence[AuditEntry] = (),
    *,
    post_ids: Iterable[str] = (),
    category_names: Mapping[str, str] | None = None,
) -> list[Restatement]:
    """Every figure whose value differs between ``before`` (submitted, or read from
    a file) and ``after`` (the ledger now), each with the ``records`` that may have
    moved it: the figures of rows both sides hold in the order of ``after``, then
    the rows only ``after`` holds, then those only ``before`` holds.

    Both sides are read once, a row at a time and side by side: a row waits only
    until the other side reaches it (one line added to a year of 200,000 keeps one
    row waiting), so the memory used does not grow with the return.

    Args:
        records: what was written after the submission (oldest first); each moved
            figure names those that reach it (see :func:`record_reach`).
        post_ids: the posts' ids; a change in a post's row names that post's records.
        category_names: the name each category's rows are shown under (its
            description), where that differs.
    """
    posts = frozenset(post_ids)
    names = dict(category_names or {})
    out: list[Restatement] = []

    def because(sheet: str, row: str) -> tuple[AuditEntry, ...]:
        tied = tuple(e for e in records if _bears_on(e, sheet, row, posts, names))
        return tied or tuple(records)

    def compare(old: dict[str, ReturnFigure], new: dict[str, ReturnFigure]) -> None:
        for column, f in new.items():
            was = old.get(column)
            if was is not None and _same(was, f):
                continue
            out.append(
                Restatement(
                    sheet=f.sheet,
                    row=f.row,
                    column=f.column,
                    submitted=shown_value(was, f.kind),
                    now=shown_value(f),
                    because=because(f.sheet, f.row),
                )
            )
        for column, was in old.items():
            if column not in new:
                out.append(
                    Restatement(
                        sheet=was.sheet,
                        row=was.row,
                        column=was.column,
                        submitted=shown_value(was),
                        now=None,
                        because=because(was.sheet, was.row),
                    )
                )

    waiting_old: dict[tuple[str, str], dict[str, ReturnFigure]] = {}
    waiting_new: dict[tuple[str, str], dict[str, ReturnFigure]] = {}
    olds, news = _rows(before), _rows(after)
    old_row, new_row = next(olds, None), next(news, None)
    while old_row is not None or new_row is not None:
        if new_row is not None:
            key, new = new_row
            if key in waiting_old:
                compare(waiting_old.pop(key), new)
            else:
                waiting_new.setdefault(key, {}).update(new)
            new_row = next(news, None)
        if old_row is not None:
            key, old = old_row
            if key in waiting_new:
                compare(old, waiting_new.pop(key))
            else:
                waiting_old.setdefault(key, {}).update(old)
            old_row = next(olds, None)
    for new in waiting_new.values():
        compare({}, new)
    for old in waiting_old.values():
        compare(old, {})
    return out
