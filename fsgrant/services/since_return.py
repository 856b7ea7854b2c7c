"""What was recorded after a return was sent, split by the rule of time
(:mod:`fsgrant.domain.time_rule`): corrections, which restate the return, and changes
of estimate, which move later returns only. Read by ``export verify`` and by the next
return's Changes since the last return sheet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from fsgrant.domain.models import AuditEntry
from fsgrant.domain.time_rule import DATED, Action, is_correction
from fsgrant.store.tables import Tables

__all__ = ["SinceReturn", "since_return"]

# Where entries written before the audit kept ``dated`` hold their record's date.
_OLD_DATE_KEYS: dict[str, str] = {
    Action.SPEND_ADD: "date",
    Action.SPEND_REVERSE: "date",
    Action.RECEIPT_ADD: "date",
    Action.RECEIPT_REVERSE: "date",
    Action.YEAR_VARY: "agreed_on",
    Action.ESTIMATE_SET: "set_on",
    Action.ESTIMATE_PHASE: "set_on",
    Action.FORECAST_SET: "set_on",
    Action.POST_STATUS: "on",
    Action.POST_CHANGE: "effective",
    Action.CONDITION_EVIDENCE: "on",
    Action.CONDITION_STATUS: "on",
    Action.PLAN_FUND: "set_on",
    Action.PLAN_COST: "set_on",
    Action.MEASURE_ADD: "on",
    Action.MEASURE_TARGET: "set_on",
}


@dataclass(frozen=True)
class SinceReturn:
    """The ledger's records written after a return was sent, oldest first."""

    corrections: list[AuditEntry]
    """Dated on or before the return's as-at date: they restate it."""
    changes_of_estimate: list[AuditEntry]
    """Dated after it, or undated: they move later returns only."""


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def record_date(tables: Tables, entry: AuditEntry) -> date | None:
    """The date that decides for the record an audit entry wrote (None: undated)."""
    d = entry.detail
    if d.get(DATED):
        return _day(d[DATED])
    if entry.action == Action.SPEND_IMPORT:
        batch = d.get("batch")
        return tables.record_dates.import_first_date(
            batch if isinstance(batch, int) else None, _text(d.get("sha256"))
        )
    if entry.action == Action.POST_ADD:
        return tables.record_dates.post_planned_start(entry.subject)
    if entry.action == Action.CONDITION_ADD:
        return tables.record_dates.condition_agreed(entry.subject, d.get("number"))
    if entry.action == Action.PLAN_SOURCE_ADD:
        return entry.at.date()  # added before sources were dated: the day recorded
    key = _OLD_DATE_KEYS.get(entry.action)
    return _day(d.get(key)) if key is not None else None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def since_return(tables: Tables, since: datetime | None, as_at: date) -> SinceReturn:
    """The records written after ``since`` (every one when None), split for a return
    as at ``as_at``: a close, a reopen or a submission is neither."""
    corrections: list[AuditEntry] = []
    changes: list[AuditEntry] = []
    for e in tables.audit.entries(since.date() if since is not None else None):
        if since is not None and e.at <= since:
            continue
        verdict = is_correction(e.action, record_date(tables, e), as_at)
        if verdict is True:
            corrections.append(e)
        elif verdict is False:
            changes.append(e)
    return SinceReturn(corrections=corrections, changes_of_estimate=changes)
