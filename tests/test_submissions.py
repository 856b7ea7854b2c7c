"""What was sent to DfE stays true: a close freezes every record dated in the closed
period, submitted returns are kept in a register (figures as data), and what moved
since is shown as a restatement with the records that moved it."""

from __future__ import annotations

import pytest
from reliability_helpers import make_grant
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.errors import PeriodClosed


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "grant.db"
    make_grant(path)
    with fsgrant.open(path, create=False) as led:
        led.posts.add(
            "DA-N1",
            role="domestic-abuse",
            host="Cambridgeshire County Council",
            fte="1",
            annual_cost="46500.00",
            planned_start="2019-11-01",
        )
        led.posts.set_status("DA-N1", "in-post", "2020-01-06")
    return path


@pytest.fixture
def led(store_path):
    with fsgrant.open(store_path, create=False) as ledger:
        yield ledger


# ------------------------------------------------------------ a close freezes everything
# 2019/20 closed through 31 March 2020: every kind of record dated on or before it is
# refused, naming the closure; the same records dated after it are accepted.
FROZEN = [
    ("an award cut", lambda led, d: led.years.vary("2019/20", agreed_on=d, reason="cut", award="2000000.00")),
    ("a status change", lambda led, d: led.years.vary("2019/20", agreed_on=d, reason="x", status="in-principle")),
    ("an extension", lambda led, d: led.years.vary("2019/20", agreed_on=d, reason="x", end="2021-03-31")),
    ("a move to 2020/21", lambda led, d: led.years.vary("2019/20", agreed_on=d, reason="x", move="10.00", to="2020/21")),
    ("a move into 2019/20", lambda led, d: led.years.vary("2020/21", agreed_on=d, reason="x", move="10.00", to="2019/20")),
    ("a post status change", lambda led, d: led.posts.set_status("DA-N1", "vacant", d)),
    ("a new post", lambda led, d: led.posts.add("NEW", role="probation", host="NPS", fte="1", annual_cost="50000", planned_start=d)),
    ("spend", lambda led, d: led.spend.add(d, "12.00", "training")),
]  # fmt: skip


@pytest.mark.parametrize(("what", "record"), FROZEN, ids=[w for w, _ in FROZEN])
def test_a_close_refuses_every_kind_of_record_dated_in_the_closed_period(led, what, record):
    led.periods.close("2019/20", "2020-03-31", "Q4 return")
    with pytest.raises(PeriodClosed) as caught:
        record(led, "2020-03-15")
    assert caught.value.reference == "Q4 return"
    assert "reference 'Q4 return'" in str(caught.value)
    assert "closed through 2020-03-31" in str(caught.value)
    # The day after the closed date is open.
    record(led, "2020-04-01")


def test_a_variation_of_another_year_is_not_frozen_by_its_agreed_date(led):
    # 2020/21 starts on 1 August 2020: an award change agreed in March 2020 changes
    # nothing of 2019/20, so the 2019/20 closure does not refuse it.
    led.periods.close("2019/20", "2020-03-31", "Q4 return")
    v = led.years.vary("2020/21", agreed_on="2020-03-15", reason="confirmed", status="confirmed")
    assert v.new_status == "confirmed"


def test_reopening_lets_the_frozen_records_in(led):
    led.periods.close("2019/20", "2020-03-31", "Q4 return")
    led.periods.reopen("2019/20", "backdated cut agreed with DfE")
    v = led.years.vary("2019/20", agreed_on="2020-03-15", reason="cut", award="2000000.00")
    assert v.funding_year == "2019/20"


def test_cli_refusal_in_a_closed_period_is_one_line_exit_1(store_path):
    run = CliRunner()
    db = ["--db", str(store_path)]
    r = run.invoke(
        app, [*db, "period", "close", "2019/20", "--through", "2020-03-31", "--reference", "Q4"]
    )
    assert r.exit_code == 0, r.output
    for args in (
        ["year", "vary", "2019/20", "--agreed-on", "2020-03-15", "--amount", "2000000.00",
         "--reason", "backdated cut"],
        ["post", "status", "DA-N1", "vacant", "--on", "2020-03-01"],
        ["post", "add", "NEW", "--role", "probation", "--host", "NPS", "--fte", "1",
         "--annual-cost", "50000", "--planned-start", "2020-02-01"],
    ):  # fmt: skip
        r = run.invoke(app, [*db, *args])
        assert r.exit_code == 1, (args, r.output)
        assert "'Q4'" in r.stderr and r.stderr.count("\n") == 1, r.stderr
