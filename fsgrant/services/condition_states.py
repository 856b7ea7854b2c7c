"""The conditions of the grant as at a day, from the store's rows and the rules of
:func:`fsgrant.domain.conditions.condition_states`: shared by the conditions service
and the reports (which the conditions service itself reads)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fsgrant.domain.condition_terms import terms_as_at
from fsgrant.domain.conditions import (
    Condition,
    ConditionState,
    EstimatesCheck,
    SustainabilityCheck,
    condition_states,
)
from fsgrant.store.tables import Tables

__all__ = ["states_as_at"]


def states_as_at(
    tables: Tables,
    day: date,
    label: str | None = None,
    check: Callable[[Condition], EstimatesCheck | SustainabilityCheck | None] | None = None,
) -> list[ConditionState]:
    """Every condition (of funding year ``label``) as at ``day``, with its terms as
    amended by then, from the store's rows."""
    table = tables.conditions
    conditions = terms_as_at(table.load(label), table.amendments(), day)
    return condition_states(conditions, table.statuses(), table.evidence(), day, check)
