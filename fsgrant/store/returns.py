"""The register of submitted returns: rows to records."""

from __future__ import annotations

import codecs
import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from fsgrant.domain.submissions import ReturnFigure, SubmittedReturn
from fsgrant.store.connection import Store

__all__ = ["ReturnsTable"]

_BLOCK = 1 << 18
"""Bytes of a submission's figures read at a time."""

_LISTED = """SELECT id, funding_year, as_at, file_name, file_sha256, fingerprint, reference,
                    closed_through, submitted_at, submitted_by, sent_on, supersedes,
                    coalesce(figure_count, json_array_length(figures)) AS figure_count
             FROM submitted_returns"""


def _record(r: sqlite3.Row, figures: str | None = None) -> SubmittedReturn:
    return SubmittedReturn(
        id=r["id"],
        funding_year=r["funding_year"],
        as_at=date.fromisoformat(r["as_at"]),
        file_name=r["file_name"],
        file_sha256=r["file_sha256"],
        fingerprint=r["fingerprint"],
        reference=r["reference"],
        closed_through=None
        if r["closed_through"] is None
        else date.fromisoformat(r["closed_through"]),
        submitted_at=datetime.fromisoformat(r["submitted_at"]),
        submitted_by=r["submitted_by"],
        sent_on=None if r["sent_on"] is None else date.fromisoformat(r["sent_on"]),
        supersedes=r["supersedes"],
        figure_count=r["figure_count"],
        figures=()
        if figures is None
        else tuple(
            ReturnFigure(sheet=s, row=row, column=c, kind=k, value=v)
            for s, row, c, k, v in json.loads(figures)
        ),
    )


def figures_json(figures: Iterable[ReturnFigure]) -> tuple[str, int]:
    """Figures as stored: a JSON list of [sheet, row, column, kind, value], made a
    figure at a time; and how many there are."""
    count = 0

    def parts() -> Iterator[str]:
        nonlocal count
        for f in figures:
            yield ", " if count else "["
            count += 1
            yield json.dumps([f.sheet, f.row, f.column, f.kind, f.value], ensure_ascii=False)

    text = "".join(parts())
    return (text + "]" if count else "[]"), count


class ReturnsTable:
    """``submitted_returns``: one row per return sent to the funder (append-only)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def insert(self, record: dict[str, Any]) -> int:
        return self.store.insert("submitted_returns", record)

    def list(self, funding_year: str | None = None) -> list[SubmittedReturn]:
        """Every submission (without its figures), oldest first."""
        where, params = ("WHERE funding_year = ?", [funding_year]) if funding_year else ("", [])
        return [_record(r) for r in self.store.query(f"{_LISTED} {where} ORDER BY id", params)]

    def brief(self, return_id: int) -> SubmittedReturn | None:
        """One submission without its figures (see :meth:`iter_figures`)."""
        r = self.store.query_one(f"{_LISTED} WHERE id = ?", [return_id])
        return None if r is None else _record(r)

    def get(self, return_id: int) -> SubmittedReturn | None:
        """One submission with every figure."""
        r = self.store.query_one(f"{_LISTED} WHERE id = ?", [return_id])
        if r is None:
            return None
        figures = self.store.query_one(
            "SELECT figures FROM submitted_returns WHERE id = ?", [return_id]
        )
        return _record(r, figures[0] if figures is not None else "[]")

    def iter_figures(self, return_id: int) -> Iterator[ReturnFigure]:
        """A submission's figures one at a time, as stored: the JSON is read from the
        store in blocks and decoded an element at a time, so a year of 200,000 lines
        is never held, as records or as text."""
        try:
            blob = self.store.conn.blobopen(
                "submitted_returns", "figures", return_id, readonly=True
            )
        except sqlite3.OperationalError:  # no such submission
            return
        text = codecs.getincrementaldecoder("utf-8")()
        decode = json.JSONDecoder().raw_decode
        buf, pos, opened = "", 0, False
        with blob:
            while True:
                block = blob.read(_BLOCK)
                buf = buf[pos:] + text.decode(block, final=not block)
                pos = 0
                while True:
                    while pos < len(buf) and buf[pos] in " \t\r\n,":
                        pos += 1
                    if pos >= len(buf):
                        break
                    if not opened:
                        opened, pos = True, pos + 1  # the list's "["
                        continue
                    if buf[pos] == "]":
                        return
                    try:
                        (s, r, c, k, v), end = decode(buf, pos)
                    except json.JSONDecodeError:
                        if not block:
                            raise
                        break  # cut by the block: read on
                    pos = end
                    yield ReturnFigure(sheet=s, row=r, column=c, kind=k, value=v)
                if not block:
                    return

    def by_sha256(self, sha: str) -> SubmittedReturn | None:
        """The latest submission of a file with this SHA-256, without its figures
        (see :meth:`iter_figures`)."""
        r = self.store.query_one(
            f"{_LISTED} WHERE id = (SELECT max(id) FROM submitted_returns WHERE file_sha256 = ?)",
            [sha],
        )
        return None if r is None else _record(r)

    def latest(self, funding_year: str, as_at: date | None = None) -> SubmittedReturn | None:
        """The latest submission for a year (and as-at date, if given), with its figures."""
        sql = "SELECT max(id) FROM submitted_returns WHERE funding_year = ?"
        params: list[Any] = [funding_year]
        if as_at is not None:
            sql += " AND as_at = ?"
            params.append(as_at.isoformat())
        r = self.store.query_one(sql, params)
        return None if r is None or r[0] is None else self.get(r[0])
