"""The one rule of time (fsgrant.domain.time_rule), tested beside the rule: which
records count as at a date, which later records are corrections, and the helper that
picks the record in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from fsgrant.domain.time_rule import (
    ACTIONS,
    RECORD_KINDS,
    Action,
    Known,
    is_correction,
    latest_on_or_before,
)

D = date.fromisoformat
T = datetime.fromisoformat


@dataclass
class Rec:
    key: str
    on: date
    id: int


def test_latest_on_or_before_takes_the_latest_dated_by_the_day_ties_by_id() -> None:
    records = [
        Rec("k", D("2021-01-01"), 1),
        Rec("k", D("2022-03-01"), 3),
        Rec("k", D("2022-03-01"), 2),
        Rec("j", D("2023-01-01"), 4),
    ]

    def pick(day: str) -> dict[str, int]:
        found = latest_on_or_before(
            records, D(day), key=lambda r: r.key, on=lambda r: r.on, order=lambda r: r.id
        )
        return {k: r.id for k, r in found.items()}

    # Before any: nothing (no "else the original" fallback).
    assert pick("2020-12-31") == {}
    assert pick("2021-06-01") == {"k": 1}
    # Two the same day: the one recorded later (id 3), whatever the list order.
    assert pick("2022-03-01") == {"k": 3}
    assert pick("2023-01-01") == {"k": 3, "j": 4}


def test_what_happened_and_what_was_decided_count_by_their_dates() -> None:
    as_at = Known(D("2020-03-31"))
    recorded_today = T("2026-12-07T10:00:00+00:00")
    for kind in ("spend", "receipt", "estimate", "variation", "condition", "plan-source"):
        assert as_at.counts(kind, D("2020-03-31"), recorded_today)
        assert not as_at.counts(kind, D("2020-04-01"), recorded_today)
        assert not as_at.counts(kind, None, recorded_today)


def test_the_roster_counts_as_recorded_and_as_known_at_a_submission() -> None:
    sent = T("2020-04-20T09:00:00+00:00")
    before, after = T("2020-04-10T09:00:00+00:00"), T("2020-06-02T10:00:00+00:00")
    now = Known(D("2020-03-31"))
    # As known now, a leaving date in June recorded in June counts (the forecast).
    assert now.counts("post-status", D("2020-06-30"), after)
    then = Known(D("2020-03-31"), known_at=sent)
    # As known when the return was sent: recorded by then, whatever the effective day...
    assert then.counts("post-status", D("2020-06-30"), before)
    # ...recorded later: only a correction (effective by the as-at date) counts.
    assert not then.counts("post-status", D("2020-06-30"), after)
    assert then.counts("post-change", D("2020-03-01"), after)


@pytest.mark.parametrize(
    ("action", "dated", "expected"),
    [
        (Action.SPEND_ADD, "2020-03-20", True),  # a late invoice: a correction
        (Action.SPEND_ADD, "2020-04-01", False),  # after the as-at date
        (Action.POST_STATUS, "2020-06-30", False),  # a leaving date learned in June
        (Action.FORECAST_SET, "2020-05-01", False),
        (Action.CONDITION_STATUS, "2020-03-15", True),  # in fact met earlier
        (Action.CATEGORY_ADD, None, False),  # undated: a change of estimate
        (Action.SETTINGS_SET, None, False),
        (Action.PERIOD_CLOSE, "2020-03-31", None),  # the register's, not the ledger's
        (Action.PERIOD_REOPEN, None, None),
        (Action.RETURN_SUBMIT, None, None),
    ],
)
def test_a_record_after_a_return_is_a_correction_only_when_dated_inside_it(
    action: Action, dated: str | None, expected: bool | None
) -> None:
    day = None if dated is None else D(dated)
    assert is_correction(action, day, D("2020-03-31")) is expected


def test_every_action_names_a_known_kind_and_every_kind_a_closure() -> None:
    assert set(ACTIONS) == set(Action)
    for rule in ACTIONS.values():
        assert rule.kind is None or rule.kind in RECORD_KINDS
    # Observations are never refused; the roster and the plan answer to every closure.
    assert RECORD_KINDS["measure-observation"].closure == "never"
    for kind in ("post", "post-status", "post-change", "condition", "plan-funding"):
        assert RECORD_KINDS[kind].closure == "every-year"
    assert RECORD_KINDS["variation"].closure == "named-years"
    assert {k.time for k in RECORD_KINDS.values()} == {"happened", "decision", "roster"}
