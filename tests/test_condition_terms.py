"""Conditions amended later (a due date and a check added to one given with its year)
and waived conditions, which no longer count as unmet. Worked out by hand below."""

from __future__ import annotations

import pytest
from reliability_helpers import make_grant
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.errors import InvalidInput, PeriodClosed


@pytest.fixture
def led(tmp_path):
    path = tmp_path / "grant.db"
    make_grant(path)
    with fsgrant.open(path, create=False) as ledger:
        # 2020/21 (in principle) with four conditions: two real, two waived later.
        for text in ("Onward sustainability", "Spend in line", "Quarterly data", "Board minutes"):
            ledger.conditions.add("2020/21", text, agreed_on="2020-01-15")
        yield ledger


def test_waived_conditions_are_not_unmet(led) -> None:
    led.conditions.set_status("2020/21", 1, "met", on="2020-05-01")
    led.conditions.set_status("2020/21", 2, "met", on="2020-05-02")
    before = led.reports.summary("2020-05-31").funding_years[1]
    assert before.standing == "in-principle (not secure: 2 of 4 conditions met)"
    led.conditions.set_status("2020/21", 3, "waived", on="2020-06-01", reason="DfE letter")
    led.conditions.set_status("2020/21", 4, "waived", on="2020-06-01", reason="DfE letter")
    after = led.reports.summary("2020-06-30").funding_years[1]
    # 2 met + 2 waived = 4 of 4; still not secure: DfE has not confirmed the year.
    assert after.standing == (
        "in-principle (not secure: 4 of 4 conditions met or waived (2 waived))"
    )
    js = after.model_dump(mode="json")
    assert (js["conditions"], js["conditions_met"], js["conditions_waived"]) == (4, 2, 2)
    assert js["secure"] is False


def test_one_met_one_waived(tmp_path) -> None:
    make_grant(tmp_path / "g.db")
    with fsgrant.open(tmp_path / "g.db", create=False) as led:
        led.conditions.add("2020/21", "Sustainability", agreed_on="2020-01-15")
        led.conditions.add("2020/21", "Spend in line", agreed_on="2020-01-15")
        led.conditions.set_status("2020/21", 1, "met", on="2020-05-01")
        led.conditions.set_status("2020/21", 2, "waived", on="2020-05-01", reason="letter")
        standing = led.reports.summary("2020-05-31").funding_years[1].standing
        assert standing == "in-principle (not secure: 2 of 2 conditions met or waived (1 waived))"


def test_a_due_date_and_a_check_added_later(led) -> None:
    led.conditions.set(
        "2020/21", 1, due="2020-06-30", check="sustainability", on="2020-03-01", reason="DfE asked"
    )
    before = led.conditions.get("2020/21", 1, "2020-02-28")
    assert (before.due, before.check_kind) == (None, None)  # as it was before the amendment
    after = led.conditions.get("2020/21", 1, "2020-03-31")
    assert (after.due.isoformat(), after.check_kind) == ("2020-06-30", "sustainability")
    led.conditions.set("2020/21", 1, text="Onward sustainability plan", on="2020-04-01", reason="x")
    now = led.conditions.get("2020/21", 1, "2020-04-30")
    assert (now.text, now.due.isoformat()) == ("Onward sustainability plan", "2020-06-30")


def test_check_warns_of_an_overdue_condition_unless_met_or_waived(led) -> None:
    led.conditions.set("2020/21", 1, due="2020-06-30", on="2020-03-01", reason="DfE asked")
    led.conditions.set("2020/21", 3, due="2020-06-30", on="2020-03-01", reason="DfE asked")
    led.conditions.set_status("2020/21", 3, "waived", on="2020-06-15", reason="not needed")
    overdue = [f for f in led.check("2020-07-15") if f.code == "condition-overdue"]
    assert [f.subject for f in overdue] == ["2020/21 #1"]  # #3 is waived: satisfied
    assert overdue[0].message == (
        "condition 2020/21 #1 was due on 2020-06-30 and is open: Onward sustainability"
    )
    assert not [f for f in led.check("2020-06-30") if f.code == "condition-overdue"]


def test_refusals(led) -> None:
    with pytest.raises(InvalidInput, match="give what changes"):
        led.conditions.set("2020/21", 1, on="2020-03-01", reason="nothing")
    with pytest.raises(InvalidInput):
        led.conditions.set("2020/21", 1, due="2020-06-30", on="2020-03-01", reason=" ")
    led.periods.close("2020/21", "2020-09-30", "Q1 return")
    with pytest.raises(PeriodClosed):
        led.conditions.set("2020/21", 1, due="2020-06-30", on="2020-09-01", reason="late")


def test_cli(led) -> None:
    amend = ["condition", "set", "2020/21", "2", "--due", "31/10/2020", "--check", "estimates"]
    r = CliRunner().invoke(
        app, ["--db", str(led.path), *amend, "--on", "2020-03-01", "--reason", "DfE letter"]
    )
    assert r.exit_code == 0, r.output
    assert r.output == (
        "Amended condition 2020/21 #2 from 2020-03-01: due 2020-10-31, check estimates.\n"
    )
