"""Commitments and their cancellations: rows to records, with what invoices drew."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fsgrant.domain.commitments import Commitment, drawn_down, open_amount
from fsgrant.domain.funding import Allocator
from fsgrant.domain.money import from_pence
from fsgrant.store.connection import Store

__all__ = ["CommitmentsTable"]

# Each commitment with its cancellation and what the spend lines quoting its reference
# (as their own, or as the purchase order an imported line names), dated from it to the
# cut (every line when no cut), add up to.
_SQL = """SELECT c.*, x."on" AS cancelled_on, x.reason AS cancel_reason,
       (SELECT coalesce(sum(s.amount_pence), 0) FROM spend s
        WHERE (s.reference = c.reference
               OR s.id IN (SELECT o.spend FROM spend_orders o WHERE o.reference = c.reference))
          AND s.date >= c.date AND (:cut IS NULL OR s.date <= :cut)) AS invoiced_pence
FROM commitments c LEFT JOIN commitment_cancellations x ON x.commitment = c.id
WHERE (:cut IS NULL OR c.date <= :cut) AND (:id IS NULL OR c.id = :id)
ORDER BY c.date, c.id"""


class CommitmentsTable:
    """``commitments`` and ``commitment_cancellations``: append-only."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def insert(self, record: dict[str, Any]) -> int:
        return self.store.insert("commitments", record)

    def insert_cancellation(self, record: dict[str, Any]) -> int:
        return self.store.insert("commitment_cancellations", record)

    def list(
        self, allocator: Allocator, cut: date | None = None, commitment_id: int | None = None
    ) -> list[Commitment]:
        """Commitments dated on or before ``cut`` (all when None), as at ``cut``."""
        params = {
            "cut": None if cut is None else cut.isoformat(),
            "id": commitment_id,
        }
        return [_commitment(r, allocator, cut) for r in self.store.query(_SQL, params)]

    def gross_pence(self) -> int:
        """Every commitment's amount, added up: no total of commitments is larger."""
        row = self.store.query_one("SELECT coalesce(sum(amount_pence), 0) FROM commitments")
        return int(row[0]) if row is not None else 0

    def uncancelled_with(self, reference: str) -> int | None:
        """The id of a commitment quoting ``reference`` that is not cancelled, if any."""
        row = self.store.query_one(
            "SELECT c.id FROM commitments c WHERE c.reference = ? AND NOT EXISTS "
            "(SELECT 1 FROM commitment_cancellations x WHERE x.commitment = c.id) LIMIT 1",
            [reference],
        )
        return None if row is None else int(row[0])


def _commitment(r: Any, allocator: Allocator, cut: date | None) -> Commitment:
    day = date.fromisoformat(r["date"])
    amount = from_pence(r["amount_pence"])
    invoiced = from_pence(r["invoiced_pence"])
    cancelled = date.fromisoformat(r["cancelled_on"]) if r["cancelled_on"] else None
    if cancelled is not None and cut is not None and cancelled > cut:
        cancelled = None  # not yet cancelled as at the cut
    left, status = open_amount(amount, invoiced, cancelled, cut)
    return Commitment(
        id=r["id"],
        date=day,
        amount=amount,
        category=r["category"],
        post=r["post"],
        reference=r["reference"],
        supplier=r["supplier"],
        description=r["description"],
        funding_year=allocator(day, r["funding_year"]),
        as_at=cut,
        invoiced=invoiced,
        drawn=drawn_down(amount, invoiced),
        open=left,
        status=status,
        cancelled_on=cancelled,
        cancel_reason=r["cancel_reason"] if cancelled is not None else None,
        recorded_at=datetime.fromisoformat(r["recorded_at"]),
        recorded_by=r["recorded_by"],
    )
