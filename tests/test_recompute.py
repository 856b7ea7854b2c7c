"""Figures worked out once per date while the store is unchanged, and never shared."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import fsgrant
from fsgrant.services.demo import example_ledger_path
from fsgrant.services.reports import ReportsService
from tests.scenario import two_year_grant


def _counting(monkeypatch: pytest.MonkeyPatch, cls: type, name: str) -> list[object]:
    calls: list[object] = []
    real = getattr(cls, name)

    def counted(self: object, *args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, counted)
    return calls


def test_a_return_works_out_the_figures_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fs = fsgrant.open(tmp_path / "cambs.db")
    fs.load(example_ledger_path())
    calls = _counting(monkeypatch, ReportsService, "_work_out_figures")
    fs.exports.write_return("2019/20", "2020-03-31", tmp_path / "return.xlsx")
    # Summary, variance, profile, the conditions' checks and the plan all ask for the
    # figures as at 31 March 2020: worked out once.
    assert len(calls) == 1


def test_figures_are_not_shared_between_callers(tmp_path: Path) -> None:
    led = two_year_grant(tmp_path / "g.db")
    led.spend.add("2019-11-14", "18750.00", "training")
    first = led.reports.figures("2020-03-31")
    first["2019/20"].categories.clear()
    first["2019/20"].post_months["2020-04"] = Decimal("1.00")
    del first["2020/21"]
    again = led.reports.figures("2020-03-31")
    assert set(again) == {"2019/20", "2020/21"}
    assert again["2019/20"].total("actual") == Decimal("18750.00")
    assert "2020-04" not in again["2019/20"].post_months


def test_a_write_changes_the_figures(tmp_path: Path) -> None:
    led = two_year_grant(tmp_path / "g.db")
    led.spend.add("2019-11-14", "18750.00", "training")
    assert led.reports.figures("2020-03-31")["2019/20"].total("actual") == Decimal("18750.00")
    led.spend.add("2020-01-06", "1250.50", "training")
    # 18,750.00 + 1,250.50 = 20,000.50
    assert led.reports.figures("2020-03-31")["2019/20"].total("actual") == Decimal("20000.50")


def test_figures_seen_inside_a_rolled_back_write_are_forgotten(tmp_path: Path) -> None:
    led = two_year_grant(tmp_path / "g.db")
    led.spend.add("2019-11-14", "18750.00", "training")
    with pytest.raises(RuntimeError), led.store.transaction("test.undone"):
        led.spend.add("2020-01-06", "1250.50", "training")
        # 18,750.00 + 1,250.50, while the write is still open
        assert led.reports.figures("2020-03-31")["2019/20"].total("actual") == Decimal("20000.50")
        raise RuntimeError("undo it")
    assert led.reports.figures("2020-03-31")["2019/20"].total("actual") == Decimal("18750.00")


def test_posts_cost_by_year_equals_each_year_on_its_own(tmp_path: Path) -> None:
    from fsgrant.domain.sustainability import financial_years, posts_cost, posts_cost_by_year

    fs = fsgrant.open(tmp_path / "cambs.db")
    fs.load(example_ledger_path())
    posts = fs.posts.all()
    labels = financial_years("FY2019/20", "FY2024/25")
    each = {label: posts_cost(posts, label) for label in labels}
    assert posts_cost_by_year(posts, labels) == each
    assert each["FY2019/20"] > 0  # the example's posts do cost something in 2019/20


def test_a_return_works_out_the_plan_once_and_gives_each_caller_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fsgrant.services.plan import PlanService

    fs = fsgrant.open(tmp_path / "cambs.db")
    fs.load(example_ledger_path())
    calls = _counting(monkeypatch, PlanService, "_work_out_report")
    fs.exports.write_return("2019/20", "2020-03-31", tmp_path / "return.xlsx")
    # The return's plan sheet and its sustainability condition's check: worked out once.
    assert len(calls) == 1
    first = fs.plan.report(as_at="2020-03-31")
    for y in first.years:
        y.funding.clear()
    again = fs.plan.report(as_at="2020-03-31")
    assert any(y.funding for y in again.years)
    assert len(calls) == 1


def test_condition_states_as_at_a_day() -> None:
    from datetime import date, datetime

    from fsgrant.domain.conditions import (
        Condition,
        ConditionStatusChange,
        Evidence,
        condition_states,
    )

    at, by = datetime(2020, 1, 1), "finance"
    conditions = [
        Condition(year="2020/21", number=1, text="Evidence of onward sustainability"),
        Condition(year="2020/21", number=2, text="Spend in line with original estimates"),
    ]
    statuses = [
        ConditionStatusChange(id=2, year="2020/21", number=2, status="met",
                              on=date(2020, 4, 1), recorded_at=at, recorded_by=by),
        ConditionStatusChange(id=1, year="2020/21", number=2, status="submitted",
                              on=date(2020, 3, 20), recorded_at=at, recorded_by=by),
    ]  # fmt: skip
    evidence = [
        Evidence(id=1, year="2020/21", number=1, on=date(2020, 2, 4), note="plan to FY2023/24",
                 recorded_at=at, recorded_by=by),
        Evidence(id=2, year="2020/21", number=1, on=date(2020, 5, 1), note="later",
                 recorded_at=at, recorded_by=by),
    ]  # fmt: skip
    one, two = condition_states(conditions, statuses, evidence, date(2020, 3, 31))
    # As at 31 March 2020: #1 has no status change (open) and one note dated by then;
    # #2 was submitted on 20 March, its "met" of 1 April not yet in force.
    assert (one.status, [e.note for e in one.evidence]) == ("open", ["plan to FY2023/24"])
    assert (two.status, two.status_on, two.evidence) == ("submitted", date(2020, 3, 20), ())
    # Its history as at 31 March stops there: the "met" of 1 April is not in it yet.
    assert [h.id for h in two.history] == [1]


def test_a_variation_reads_the_variations_once_however_many_came_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fsgrant.store.years import YearsTable

    led = two_year_grant(tmp_path / "g.db")
    for agreed, amount in (("2020-01-10", "2400000.00"), ("2020-02-10", "2450000.00")):
        led.years.vary("2019/20", agreed_on=agreed, reason="revised award", award=amount)
    reads = _counting(monkeypatch, YearsTable, "variations")
    # Agreed before both: it is checked as at its own day and the two later ones.
    led.years.vary("2019/20", agreed_on="2019-12-01", reason="award cut", award="2300000.00")
    # Read for the year as it stands, before the insert, after it, and for the
    # variation returned: 4 (it was 8 when each later day read them again: 3 days).
    assert len(reads) == 4
    assert led.years.get("2019/20", "2019-12-31").award == Decimal("2300000.00")
    assert led.years.get("2019/20").award == Decimal("2450000.00")
