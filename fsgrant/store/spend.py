"""Spend lines and receipts: rows to records, and the grouped scans reports use.

Spend is stored with its explicit funding year only (None when derived); which
year a line falls in is worked out in Python by :class:`fsgrant.domain.funding.Allocator`,
so an agreed variation moves lines without rewriting them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from fsgrant.domain.funding import Allocator
from fsgrant.domain.models import Receipt, SpendLine
from fsgrant.domain.money import from_pence
from fsgrant.domain.periods import Period, financial_year_label
from fsgrant.domain.text import source_fields_of
from fsgrant.domain.transactions import TransactionLine
from fsgrant.store.connection import Store

__all__ = ["GROSS_KEY", "ReceiptsTable", "SpendFilter", "SpendGroup", "SpendTable"]

SpendGroup = tuple[date, str | None, str, str | None, int]
"""(date, explicit funding year, category, post or None, pence)."""


def _dated_between(since: date | None, cut: date | None) -> tuple[str, list[str]]:
    """A ``WHERE`` clause (or none) for spend dated from ``since`` to ``cut``."""
    clauses, params = [], []
    if since is not None:
        clauses.append("date >= ?")
        params.append(since.isoformat())
    if cut is not None:
        clauses.append("date <= ?")
        params.append(cut.isoformat())
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


GROSS_KEY = "spend_gross_unreversed"
"""``fsgrant_meta``: ``"<last spend id counted> <gross pence of the lines to it>"``, the
lines' sizes with a reversed line and its reversal left out."""

_OLD_GROSS_KEY = "spend_gross"
"""The kept sum of fsgrant before 0.2, which counted reversed lines: dropped when the
new one is first written."""

_GROSS_TERM = "CASE WHEN reverses IS NULL THEN abs(amount_pence) ELSE -abs(amount_pence) END"
"""What one spend line adds to the kept sum: its size, or for a reversal minus the size
of the line it undoes (a reversal's amount is the negated original's, the store's
trigger says so, and it always comes after it)."""

_CountedGroup = tuple[date, str | None, str, str | None, int, int]
"""A :data:`SpendGroup` with the number of lines in it."""

# A line's stamp is its own, else (a line imported from 0026 on) its batch's.
_SPEND_SQL = """SELECT s.*, (SELECT r.id FROM spend r WHERE r.reverses = s.id) AS reversed_by,
                (SELECT a.id FROM spend a WHERE a.accrual_of = s.id) AS accrual_reversed_by,
                b.source_names AS source_names,
                coalesce(s.recorded_at, b.imported_at) AS stamped_at,
                coalesce(s.recorded_by, b.imported_by) AS stamped_by
                FROM spend s LEFT JOIN import_batches b ON b.id = s.import_batch"""


class SpendFilter:
    """Which spend lines to read: every field optional, all applying."""

    def __init__(
        self,
        *,
        window: Period | None = None,
        category: str | None = None,
        cut: date | None = None,
        from_date: date | None = None,
        to_date: date | None = None,
        year: tuple[str, Period] | None = None,
        post: str | None = None,
        supplier: str | None = None,
        batch: int | None = None,
    ) -> None:
        self.clauses: list[str] = []
        self.params: list[Any] = []
        if post is not None:
            self.clauses.append("s.post = ?")
            self.params.append(post)
        if supplier is not None:
            # Case-insensitive "contains"; instr() needs no escaping of % and _.
            self.clauses.append("instr(lower(coalesce(s.supplier, '')), lower(?)) > 0")
            self.params.append(supplier)
        if batch is not None:
            self.clauses.append("s.import_batch = ?")
            self.params.append(batch)
        if window is not None:
            self.clauses.append("s.date BETWEEN ? AND ?")
            self.params += [window.start.isoformat(), window.end.isoformat()]
        if category is not None:
            self.clauses.append("s.category = ?")
            self.params.append(category)
        for bound, op in ((cut, "<="), (from_date, ">="), (to_date, "<=")):
            if bound is not None:
                self.clauses.append(f"s.date {op} ?")
                self.params.append(bound.isoformat())
        if year is not None:
            # Lines naming the year, or derived ones dated in its period (the caller
            # keeps only those the allocator gives to the year).
            label, period = year
            self.clauses.append(
                "(s.funding_year = ? OR (s.funding_year IS NULL AND s.date BETWEEN ? AND ?))"
            )
            self.params += [label, period.start.isoformat(), period.end.isoformat()]

    @property
    def where(self) -> str:
        return ("WHERE " + " AND ".join(self.clauses)) if self.clauses else ""


class SpendTable:
    """``spend``: append-only lines; a correction is a reversal pointing at its line."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._groups_cache: tuple[tuple[Any, ...], bool, list[_CountedGroup]] | None = None

    # ------------------------------------------------------------ one line
    def get(self, line_id: int, allocator: Allocator) -> SpendLine | None:
        row = self.store.query_one(f"{_SPEND_SQL} WHERE s.id = ?", [int(line_id)])
        return None if row is None else _line(row, allocator)

    def supplier_and_reference(self, line_id: int) -> tuple[str | None, str | None]:
        """A line's supplier and source reference (None, None for no such line)."""
        row = self.store.query_one(
            "SELECT supplier, reference FROM spend WHERE id = ?", [int(line_id)]
        )
        return (None, None) if row is None else (row[0], row[1])

    def reversed_by(self, line_id: int) -> int | None:
        """The line that reverses ``line_id``, if any."""
        row = self.store.query_one("SELECT id FROM spend WHERE reverses = ?", [line_id])
        return None if row is None else int(row[0])

    def insert(self, record: dict[str, Any]) -> int:
        return self.store.insert("spend", record)

    def same_as(
        self, line_id: int, day: date, pence: int, supplier: str | None, reference: str | None
    ) -> int | None:
        """The earliest other line, neither a reversal nor reversed, of the same date and
        amount and the same supplier or reference: the same invoice keyed twice?"""
        if supplier is None and reference is None:
            return None
        row = self.store.query_one(
            """SELECT min(s.id) FROM spend s
               WHERE s.date = ? AND s.amount_pence = ? AND s.id != ? AND s.reverses IS NULL
                 AND NOT EXISTS (SELECT 1 FROM spend r WHERE r.reverses = s.id)
                 AND ((? IS NOT NULL AND s.supplier = ?) OR (? IS NOT NULL AND s.reference = ?))""",
            [day.isoformat(), pence, line_id, supplier, supplier, reference, reference],
        )
        return None if row is None or row[0] is None else int(row[0])

    def gross_pence(self) -> int:
        """The sizes of every line neither reversed nor a reversal, added up: no total
        of spend can be larger, since a reversal cancels the line it undoes wherever
        both fall (same date, category, post and year). A mistyped line, once
        reversed, takes no room.

        Spend lines are only ever added, with ids that only grow, so the sum is kept
        (in ``fsgrant_meta``, with the last id it counts) and only the lines added
        since, by this or any other program, are read: logging a line stays quick
        however large the store. A reversal takes its line's size back off the sum
        (:data:`_GROSS_TERM`). Inside a write transaction the mark moves on.
        """
        row = self.store.query_one("SELECT value FROM fsgrant_meta WHERE key = ?", [GROSS_KEY])
        upto, pence = (0, 0) if row is None else (int(v) for v in str(row[0]).split())
        tail = self.store.query_one(
            f"SELECT max(id), coalesce(sum({_GROSS_TERM}), 0) FROM spend WHERE id > ?",
            [upto],
        )
        if tail is None or tail[0] is None:
            return pence
        pence += int(tail[1])
        if self.store.conn.in_transaction:
            if row is None:
                self.store.conn.execute("DELETE FROM fsgrant_meta WHERE key = ?", [_OLD_GROSS_KEY])
            self.store.conn.execute(
                "INSERT INTO fsgrant_meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [GROSS_KEY, f"{int(tail[0])} {pence}"],
            )
        return pence

    # ------------------------------------------------------------ many lines
    def iter(self, allocator: Allocator, where: SpendFilter) -> Iterator[SpendLine]:
        """Lines in date order, streamed from the store."""
        cur = self.store.stream(f"{_SPEND_SQL} {where.where} ORDER BY s.date, s.id", where.params)
        for row in cur:
            yield _line(row, allocator)

    def transaction_lines(
        self, allocator: Allocator, where: SpendFilter, year: str | None = None
    ) -> Iterator[TransactionLine]:
        """What the return's Transactions sheet shows of each line, in date order,
        streamed as plain tuples (no record built, no reversal looked up); with
        ``year``, only lines the allocator gives to that funding year."""
        sql = (
            "SELECT s.id, s.date, s.funding_year, s.category, s.post, s.supplier, "
            "s.description, s.reference, s.amount_pence, s.reverses, s.import_batch, "
            f"s.source_line FROM spend s {where.where} ORDER BY s.date, s.id"
        )
        # Many lines share a day: its date, financial year and derived funding year
        # are worked out once per (day, explicit year).
        days: dict[tuple[str, str | None], tuple[date, str, str | None]] = {}
        for r in self.store.stream(sql, where.params, raw=True):
            key = (r[1], r[2])
            seen = days.get(key)
            if seen is None:
                day = date.fromisoformat(r[1])
                seen = days[key] = (day, financial_year_label(day), allocator(day, r[2]))
            if year is not None and seen[2] != year:
                continue
            pence = r[8]
            yield TransactionLine(
                r[0], seen[0], seen[1], seen[2], r[3], r[4], r[5], r[6], r[7],
                from_pence(pence), pence, r[9], r[10], r[11],
            )  # fmt: skip

    def count(self, where: SpendFilter) -> int:
        """How many lines ``where`` selects."""
        row = self.store.query_one(f"SELECT count(*) FROM spend s {where.where}", where.params)
        return int(row[0]) if row is not None else 0

    def batch_lines(self, batch_id: int, allocator: Allocator) -> list[SpendLine]:
        rows = self.store.query(
            f"{_SPEND_SQL} WHERE s.import_batch = ? ORDER BY s.source_line, s.id", [int(batch_id)]
        )
        return [_line(r, allocator) for r in rows]

    def groups(
        self, cut: date | None, *, by_post: bool, since: date | None = None
    ) -> list[SpendGroup]:
        """Spend pence summed by (date, explicit funding year, category[, post]), dated
        on or before ``cut`` (and on or after ``since``): one walk of the covering
        index ``spend_date_totals`` in its own order (no sort), kept while the store is
        unchanged, so a report that needs several views of the spend (a profile, a
        return, ``check``) reads it once. The post is grouped (and returned, else None)
        only when asked for.
        """
        return [g[:5] for g in self._counted_groups(cut, by_post=by_post, since=since)]

    def _counted_groups(
        self, cut: date | None, *, by_post: bool, since: date | None = None
    ) -> list[_CountedGroup]:
        version = (cut, since, *self.store.change_marks())
        cached = self._groups_cache
        if cached is not None and cached[0] == version and (cached[1] or not by_post):
            return cached[2]
        where, params = _dated_between(since, cut)
        columns = "date, funding_year, category" + (", post" if by_post else "")
        # The GROUP BY is the covering index's own order: no table rows, no sort.
        sql = (
            f"SELECT {columns}, sum(amount_pence), count(*) FROM spend {where} "
            f"GROUP BY {columns} ORDER BY {columns}"
        )
        days: dict[str, date] = {}
        groups: list[_CountedGroup] = []
        for row in self.store.stream(sql, params):
            day = days.get(row[0])
            if day is None:
                day = days[row[0]] = date.fromisoformat(row[0])
            groups.append((day, row[1], row[2], row[3] if by_post else None, row[-2], row[-1]))
        self._groups_cache = (version, by_post, groups)
        return groups

    def dated_totals(
        self, since: date | None, cut: date | None
    ) -> Iterator[tuple[date, str | None, int]]:
        """``(date, explicit funding year, pence)`` of the spend dated from ``since`` to
        ``cut`` (either open), in date order: a walk of the covering index's first two
        columns, narrower than :meth:`groups` for views that need no category."""
        where, params = _dated_between(since, cut)
        days: dict[str, date] = {}
        for text, year, pence in self.store.stream(
            f"SELECT date, funding_year, sum(amount_pence) FROM spend {where} "
            "GROUP BY date, funding_year ORDER BY date, funding_year",
            params,
        ):
            day = days.get(text)
            if day is None:
                day = days[text] = date.fromisoformat(text)
            yield day, year, pence

    def day_totals(self, cut: date) -> Iterator[tuple[date, str | None, int, int]]:
        """``(date, explicit year, lines, pence)`` of the spend dated on or before ``cut``,
        in date order; from the same read as :meth:`groups` (``check`` needs both)."""
        day_key: tuple[date, str | None] | None = None
        lines = pence = 0
        for day, year, _category, _post, group_pence, group_lines in self._counted_groups(
            cut, by_post=False
        ):
            if (day, year) != day_key:
                if day_key is not None:
                    yield day_key[0], day_key[1], lines, pence
                day_key, lines, pence = (day, year), 0, 0
            lines += group_lines
            pence += group_pence
        if day_key is not None:
            yield day_key[0], day_key[1], lines, pence


@lru_cache(maxsize=64)
def _names(source_names: str | None) -> tuple[str, ...]:
    """A batch's source names (read once per batch, not once per line)."""
    return tuple(json.loads(source_names)) if source_names else ()


def _source_fields(fields: str, source_names: str | None) -> dict[str, str]:
    """A line's source row: a JSON array of its cells under its batch's names, or (a
    line imported before the names were kept with the batch) a JSON object."""
    value = json.loads(fields)
    if isinstance(value, list):
        return source_fields_of(value, _names(source_names))
    return dict(value)


def _line(r: Any, allocator: Allocator) -> SpendLine:
    day = date.fromisoformat(r["date"])
    fields = r["source_fields"]
    return SpendLine(
        id=r["id"],
        date=day,
        amount=from_pence(r["amount_pence"]),
        category=r["category"],
        post=r["post"],
        supplier=r["supplier"],
        description=r["description"],
        reference=r["reference"],
        funding_year=allocator(day, r["funding_year"]),
        explicit_year=r["funding_year"] is not None,
        reverses=r["reverses"],
        reversed_by=r["reversed_by"],
        reason=r["reason"],
        import_batch=r["import_batch"],
        source_line=r["source_line"],
        source_fields=_source_fields(fields, r["source_names"]) if fields else None,
        accrual=r["accrual"],
        accrual_of=r["accrual_of"],
        accrual_reversed_by=r["accrual_reversed_by"],
        recorded_at=datetime.fromisoformat(r["stamped_at"]),
        recorded_by=r["stamped_by"],
    )


class ReceiptsTable:
    """``receipts``: grant payments received from the funder."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def list(
        self, year: str | None = None, cut: date | None = None, receipt_id: int | None = None
    ) -> list[Receipt]:
        clauses: list[str] = []
        params: list[object] = []
        if receipt_id is not None:
            clauses.append("id = ?")
            params.append(receipt_id)
        if year is not None:
            clauses.append("funding_year = ?")
            params.append(year)
        if cut is not None:
            clauses.append("date <= ?")
            params.append(cut.isoformat())
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return [
            Receipt(
                id=r["id"],
                date=r["date"],
                amount=from_pence(r["amount_pence"]),
                funding_year=r["funding_year"],
                reference=r["reference"],
                reverses=r["reverses"],
                reversed_by=r["reversed_by"],
                reason=r["reason"],
                recorded_at=datetime.fromisoformat(r["recorded_at"]),
                recorded_by=r["recorded_by"],
            )
            for r in self.store.query(
                f"""SELECT *, (SELECT x.id FROM receipts x WHERE x.reverses = receipts.id)
                           AS reversed_by
                    FROM receipts {where} ORDER BY date, id""",
                params,
            )
        ]

    def insert(self, record: dict[str, Any]) -> int:
        return self.store.insert("receipts", record)

    def gross_pence(self) -> int:
        """The sizes of every receipt neither reversed nor a reversal, added up: no
        total of receipts can be larger (a receipt and its reversal net to zero)."""
        row = self.store.query_one(
            "SELECT coalesce(sum(CASE WHEN reverses IS NULL THEN abs(amount_pence) "
            "ELSE -abs(amount_pence) END), 0) FROM receipts"
        )
        return int(row[0]) if row is not None else 0
