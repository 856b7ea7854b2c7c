"""The one rule of time: what a figure "as at" a date counts, what a closed period
freezes, and which later records restate a return that was sent.

Every record is one of three kinds (:data:`RECORD_KINDS` names each record's kind,
the date that decides for it and the closures that refuse it):

* **What happened** (spend and its reversals, receipts, commitments and their
  cancellations, measure observations) counts
  as at D when it is dated on or before D.
* **Decisions and terms** (variations, conditions with their statuses, evidence and amendments,
  estimates and their phasing, forecasts and their additions, the plan's sources, funding and costs,
  targets) count when made (dated) on or before D, the latest in force
  (:func:`latest_on_or_before`; two made on the same day: the later recorded). The
  earliest-dated estimate of a year and category is its original, so a return as at a
  date before any estimate was made has none.
* **The roster** (posts, their status changes and their changes of detail) counts as
  recorded, whatever the dates: a pay award agreed in March for April, or a
  resignation with notice, shapes the forecast from the day it takes effect.

A return sent to the funder is a fixed point (IAS 8). For a return as at D submitted
at T, a record recorded after T is a **correction** when it is dated on or before D (a
late invoice, a status that was in fact met earlier): only corrections restate the
return. Anything else recorded after T (a leaving date learned in June, a revised
forecast, a pay award recorded later) is a **change of estimate**: it moves later
returns, never the one already sent (:func:`is_correction`). So the return as known
at T is the roster recorded by T plus the roster's corrections, and everything else
as at D (:class:`Known`).

A close of a funding year through D freezes every record dated on or before D that its
return shows: the year's own money and terms (``own-year``: the year the record names
or its date is allocated to; a variation, the years it names), and the records shared
across years (``every-year``: posts and their changes, conditions of any year, the
plan). Measure observations are never refused (``never``): published statistics arrive
months later, and their effect on a sent return shows as a correction.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal, TypeVar

__all__ = [
    "ACTIONS",
    "RECORD_KINDS",
    "Action",
    "ActionRule",
    "Closure",
    "Known",
    "RecordKind",
    "TimeKind",
    "is_correction",
    "latest_on_or_before",
]

TimeKind = Literal["happened", "decision", "roster"]
"""How a record counts as at a date (see the module's rule)."""

Closure = Literal["own-year", "named-years", "every-year", "never"]
"""Which closed periods refuse a record dated in them."""


@dataclass(frozen=True)
class RecordKind:
    """One kind of record under the rule of time."""

    name: str
    words: str
    """The record in words, for messages ("a spend line")."""
    time: TimeKind
    table: str
    """The store's table of it."""
    dated_by: str
    """The column (and audit detail key) holding the date that decides."""
    closure: Closure


def _kinds(*kinds: RecordKind) -> dict[str, RecordKind]:
    return {k.name: k for k in kinds}


RECORD_KINDS: dict[str, RecordKind] = _kinds(
    RecordKind("spend", "spend", "happened", "spend", "date", "own-year"),
    RecordKind("receipt", "a receipt", "happened", "receipts", "date", "own-year"),
    RecordKind("commitment", "a commitment", "happened", "commitments", "date", "own-year"),
    RecordKind(
        "commitment-cancel",
        "a commitment's cancellation",
        "happened",
        "commitment_cancellations",
        "on",
        "own-year",
    ),
    RecordKind(
        "measure-observation",
        "a measure observation",
        "happened",
        "measure_observations",
        "observed_on",
        "never",
    ),
    RecordKind("variation", "a variation", "decision", "variations", "agreed_on", "named-years"),
    RecordKind("estimate", "an estimate", "decision", "estimates", "set_on", "own-year"),
    RecordKind("phasing", "a phasing", "decision", "estimate_phasing", "set_on", "own-year"),
    RecordKind("forecast", "a forecast", "decision", "forecasts", "set_on", "own-year"),
    RecordKind(
        "forecast-addition",
        "a forecast addition",
        "decision",
        "forecast_additions",
        "set_on",
        "own-year",
    ),
    RecordKind("condition", "a condition", "decision", "conditions", "agreed_on", "every-year"),
    RecordKind(
        "condition-evidence",
        "evidence for a condition",
        "decision",
        "condition_evidence",
        "on",
        "every-year",
    ),
    RecordKind(
        "condition-status",
        "a condition's status change",
        "decision",
        "condition_status",
        "on",
        "every-year",
    ),
    RecordKind(
        "condition-amendment",
        "an amendment of a condition",
        "decision",
        "condition_amendments",
        "on",
        "every-year",
    ),
    RecordKind(
        "plan-source", "a plan source", "decision", "plan_sources", "added_on", "every-year"
    ),
    RecordKind("plan-funding", "plan funding", "decision", "plan_funding", "set_on", "every-year"),
    RecordKind("plan-cost", "a plan cost", "decision", "plan_costs", "set_on", "every-year"),
    RecordKind(
        "measure-target", "a measure target", "decision", "measure_targets", "set_on", "every-year"
    ),
    RecordKind(
        "post", "a new post (its planned start)", "roster", "posts", "planned_start", "every-year"
    ),
    RecordKind(
        "post-status", "a post status change", "roster", "post_status", "effective", "every-year"
    ),
    RecordKind("post-change", "a post change", "roster", "post_changes", "effective", "every-year"),
)
"""Every kind of dated record: how it counts as at a date, the date that decides, and
the closures that refuse it. The store, the closed-period guard and ``export verify``
all read this one table."""


class Action(StrEnum):
    """What an audit entry records: every write names one of these."""

    INIT = "init"
    GRANT_SET = "grant-set"
    LOAD = "load"
    CATEGORY_ADD = "category.add"
    SETTINGS_SET = "settings.set"
    YEAR_ADD = "year.add"
    YEAR_VARY = "year.vary"
    ESTIMATE_SET = "estimate.set"
    ESTIMATE_PHASE = "estimate.phase"
    FORECAST_SET = "forecast.set"
    FORECAST_ADD = "forecast.add"
    SPEND_ADD = "spend.add"
    SPEND_REVERSE = "spend.reverse"
    SPEND_ACCRUE = "spend.accrue"
    SPEND_IMPORT = "spend.import"
    COMMIT_ADD = "commit.add"
    COMMIT_CANCEL = "commit.cancel"
    RECEIPT_ADD = "receipt.add"
    RECEIPT_REVERSE = "receipt.reverse"
    POST_ADD = "post.add"
    POST_STATUS = "post.status"
    POST_CHANGE = "post.change"
    CONDITION_ADD = "condition.add"
    CONDITION_EVIDENCE = "condition.evidence"
    CONDITION_STATUS = "condition.status"
    CONDITION_SET = "condition.set"
    PLAN_SOURCE_ADD = "plan.source.add"
    PLAN_FUND = "plan.fund"
    PLAN_COST = "plan.cost"
    MEASURE_ADD = "measure.add"
    MEASURE_IMPORT = "measure.import"
    MEASURE_TARGET = "measure.target"
    PERIOD_CLOSE = "period.close"
    PERIOD_REOPEN = "period.reopen"
    RETURN_SUBMIT = "return.submit"


@dataclass(frozen=True)
class ActionRule:
    """How an audit entry counts after a return was sent."""

    kind: str | None
    """The record kind it writes (a key of :data:`RECORD_KINDS`); None: no dated record."""
    ledger: bool = True
    """False for what is about the register, not the ledger (a close, a reopen, a
    submission): never a correction nor a change of estimate."""


ACTIONS: dict[Action, ActionRule] = {
    Action.INIT: ActionRule(None),
    Action.GRANT_SET: ActionRule(None),
    # A ledger folder loaded whole: it may hold anything, so it counts as a correction.
    Action.LOAD: ActionRule(None),
    Action.CATEGORY_ADD: ActionRule(None),
    Action.SETTINGS_SET: ActionRule(None),
    Action.YEAR_ADD: ActionRule(None),
    Action.YEAR_VARY: ActionRule("variation"),
    Action.ESTIMATE_SET: ActionRule("estimate"),
    Action.ESTIMATE_PHASE: ActionRule("phasing"),
    Action.FORECAST_SET: ActionRule("forecast"),
    Action.FORECAST_ADD: ActionRule("forecast-addition"),
    Action.SPEND_ADD: ActionRule("spend"),
    Action.SPEND_REVERSE: ActionRule("spend"),
    Action.SPEND_ACCRUE: ActionRule("spend"),
    Action.SPEND_IMPORT: ActionRule("spend"),
    Action.COMMIT_ADD: ActionRule("commitment"),
    Action.COMMIT_CANCEL: ActionRule("commitment-cancel"),
    Action.RECEIPT_ADD: ActionRule("receipt"),
    Action.RECEIPT_REVERSE: ActionRule("receipt"),
    Action.POST_ADD: ActionRule("post"),
    Action.POST_STATUS: ActionRule("post-status"),
    Action.POST_CHANGE: ActionRule("post-change"),
    Action.CONDITION_ADD: ActionRule("condition"),
    Action.CONDITION_EVIDENCE: ActionRule("condition-evidence"),
    Action.CONDITION_STATUS: ActionRule("condition-status"),
    Action.CONDITION_SET: ActionRule("condition-amendment"),
    Action.PLAN_SOURCE_ADD: ActionRule("plan-source"),
    Action.PLAN_FUND: ActionRule("plan-funding"),
    Action.PLAN_COST: ActionRule("plan-cost"),
    Action.MEASURE_ADD: ActionRule("measure-observation"),
    Action.MEASURE_IMPORT: ActionRule("measure-observation"),
    Action.MEASURE_TARGET: ActionRule("measure-target"),
    Action.PERIOD_CLOSE: ActionRule(None, ledger=False),
    Action.PERIOD_REOPEN: ActionRule(None, ledger=False),
    Action.RETURN_SUBMIT: ActionRule(None, ledger=False),
}
"""Each audit action: the record kind it writes, and whether it is the ledger's."""

DATED = "dated"
"""The audit detail key every dated write records its deciding date under."""


def is_correction(action: str, dated: date | None, as_at: date) -> bool | None:
    """Whether a record written after a return as at ``as_at`` was sent restates it:
    True for a correction (dated on or before ``as_at``; a ledger folder loaded whole),
    False for a change of estimate (dated later, or undated: a category, a setting),
    None for what is not the ledger's (a close, a reopen, a submission)."""
    rule = ACTIONS.get(action)  # type: ignore[call-overload]
    if rule is not None and not rule.ledger:
        return None
    if action == Action.LOAD:
        return True
    return dated is not None and dated <= as_at


@dataclass(frozen=True)
class Known:
    """The ledger as at ``day``, as known at ``known_at`` (None: as known now).

    As known at T, the roster is what was recorded by T plus the roster's corrections
    (records recorded later but effective on or before ``day``); everything else counts
    by its date alone, as at ``day``."""

    day: date
    known_at: datetime | None = None

    def counts(self, kind: str, dated: date | None, recorded_at: datetime) -> bool:
        """Whether a record of ``kind`` dated ``dated`` and recorded at ``recorded_at``
        counts in this snapshot."""
        k = RECORD_KINDS[kind]
        if k.time != "roster":
            return dated is not None and dated <= self.day
        if self.known_at is None or recorded_at <= self.known_at:
            return True
        return dated is not None and dated <= self.day


T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


def latest_on_or_before(
    records: Iterable[T],
    day: date,
    *,
    key: Callable[[T], K],
    on: Callable[[T], date],
    order: Callable[[T], int],
) -> dict[K, T]:
    """Per key, the record in force on ``day``: the latest dated on or before it, two
    of the same date told apart by ``order`` (the id: the later recorded wins). A key
    with no record by then is absent."""
    chosen: dict[K, tuple[date, int, T]] = {}
    for r in records:
        when = on(r)
        if when > day:
            continue
        k, rank = key(r), (when, order(r))
        held = chosen.get(k)
        if held is None or rank > held[:2]:
            chosen[k] = (when, order(r), r)
    return {k: v[2] for k, v in chosen.items()}
