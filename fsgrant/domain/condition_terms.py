"""Amendments of a condition's terms: its due date, its computed check, its wording.

Pure, no I/O. The rule: a condition's terms as at a day are those it was recorded
with, changed by each amendment dated on or before the day, in date order (two of the
same date: in the order recorded). An amendment changes only what it gives; nothing is
edited, so the terms in force at any earlier date stay as they were.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from fsgrant.domain.conditions import CheckKind, Condition
from fsgrant.domain.models import Day
from fsgrant.domain.record import RECORD_CONFIG

__all__ = ["ConditionAmendment", "terms_as_at"]


class ConditionAmendment(BaseModel):
    """A dated change of a condition's terms, with its reason."""

    model_config = RECORD_CONFIG

    id: int
    year: str
    number: int
    on: Day
    due: Day | None = None
    check: CheckKind | None = None
    check_year: str | None = None
    text: str | None = None
    reason: str
    recorded_at: datetime
    recorded_by: str


def terms_as_at(
    conditions: Iterable[Condition], amendments: Iterable[ConditionAmendment], day: date
) -> list[Condition]:
    """Each condition (in the order given) with the amendments dated on or before
    ``day`` applied (see the module's rule)."""
    by_condition: dict[tuple[str, int], list[ConditionAmendment]] = defaultdict(list)
    for a in sorted(amendments, key=lambda a: (a.on, a.id)):
        if a.on <= day:
            by_condition[(a.year, a.number)].append(a)
    out = []
    for c in conditions:
        for a in by_condition.get((c.year, c.number), []):
            update: dict[str, Any] = {}
            if a.due is not None:
                update["due"] = a.due
            if a.text is not None:
                update["text"] = a.text
            if a.check is not None:
                update["check"] = a.check
                update["check_year"] = a.check_year if a.check == "estimates" else None
            c = c.model_copy(update=update)
        out.append(c)
    return out
