"""What was sent to DfE stays true: a close freezes every record dated in the closed
period, submitted returns are kept in a register (figures as data), and what moved
since is shown as a restatement with the records that moved it."""

from __future__ import annotations

import json
import sqlite3

import pytest
from reliability_helpers import make_grant
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.errors import Conflict, PeriodClosed


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


# ------------------------------------------------------------ the register and restatements
# DA-N1 costs 46,500.00 a year at FTE 1: 3,875.00 a month. In post from 6 January 2020;
# 2019/20 ends 31 July 2020. One spend line of 3,875.00 (January). As at 31 March
# 2020 the forecast is April to July, 4 x 3,875.00 = 15,500.00; outturn 3,875.00 +
# 15,500.00 = 19,375.00; at risk 2,490,000.00 - 19,375.00 = 2,470,625.00.
# Vacant from 1 May 2020 (learned later): forecast April only, 3,875.00; outturn
# 7,750.00; at risk 2,482,250.00.


@pytest.fixture
def submitted(led, tmp_path):
    led.spend.add("2020-01-31", "3875.00", "staffing", post="DA-N1")
    path = led.exports.write_return("2019/20", "2020-03-31", out=tmp_path / "ret.xlsx")
    r = led.returns.submit(path, reference="Q4 return", close=True)
    return path, r


def test_submitting_records_the_return_and_closes_its_period(led, submitted):
    path, r = submitted
    assert (r.funding_year, r.as_at, r.reference, r.file_name) == (
        "2019/20",
        __import__("datetime").date(2020, 3, 31),
        "Q4 return",
        "ret.xlsx",
    )
    assert r.closed_through.isoformat() == "2020-03-31"
    assert led.periods.closures()["2019/20"].reference == "Q4 return"
    stored = {f.key: f.value for f in led.returns.get(r.id).figures}
    assert stored[("Summary", "Forecast outturn", "value")] == "19375.00"
    assert stored[("Posts", "DA-N1", "Forecast cost")] == "15500.00"
    assert stored[("Transactions", "Total", "lines")] == "1"
    # The register is append-only, like the ledger.
    with pytest.raises(sqlite3.IntegrityError):
        led.store.conn.execute("UPDATE submitted_returns SET reference = 'x'")
    check = led.exports.verify(path)
    assert check.file_matches_submission is True and check.ledger_matches
    assert check.changes == ()


def test_a_file_is_submitted_once_and_only_while_it_matches_the_ledger(led, submitted, tmp_path):
    path, _ = submitted
    with pytest.raises(Conflict, match="submitted already, as return 1"):
        led.returns.submit(path)
    stale = led.exports.write_return("2019/20", "2020-04-30", out=tmp_path / "april.xlsx")
    led.spend.add("2020-04-15", "10.00", "training")
    with pytest.raises(Conflict, match="does not match the ledger now"):
        led.returns.submit(stale)
    assert [r.id for r in led.returns.list()] == [1]


def test_a_later_fact_shows_as_a_restatement_with_the_record_that_moved_it(led, submitted):
    path, _ = submitted
    led.posts.set_status("DA-N1", "vacant", "2020-05-01")  # after the closed date: allowed
    check = led.exports.verify(path)
    assert check.file_matches_submission is True
    assert not check.ledger_matches
    moved = {(c.sheet, c.row, c.column): (c.submitted, c.now) for c in check.changes}
    assert moved[("Summary", "Forecast outturn", "value")] == ("19375.00", "7750.00")
    assert moved[("Summary", "Underspend at risk", "value")] == ("2470625.00", "2482250.00")
    assert moved[("Posts", "DA-N1", "Forecast cost")] == ("15500.00", "3875.00")
    # Actual spend did not move: the period is closed.
    assert ("Summary", "Actual spend to date", "value") not in moved
    post_row = next(c for c in check.changes if c.row == "DA-N1")
    assert [(e.action, e.subject) for e in post_row.because] == [("post.status", "DA-N1")]


def test_cli_verify_json_contract_and_the_one_line_summary(store_path, tmp_path):
    run = CliRunner()
    db = ["--db", str(store_path)]
    out = tmp_path / "ret.xlsx"
    r = run.invoke(
        app, [*db, "spend", "add", "2020-01-31", "3875.00", "staffing", "--post", "DA-N1"]
    )
    assert r.exit_code == 0, r.output
    r = run.invoke(
        app,
        [*db, "export", "return", "--year", "2019/20", "--as-at", "2020-03-31", "--out", str(out)],
    )
    assert r.exit_code == 0, r.output
    r = run.invoke(app, [*db, "export", "verify", str(out), "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    # Never submitted: null; the ledger gives what the file shows.
    assert data["file_matches_submission"] is None and data["ledger_matches"] is True
    r = run.invoke(app, [*db, "return", "submit", str(out), "--reference", "Q4 return", "--close"])
    assert r.exit_code == 0, r.output
    assert "Recorded return 1" in r.output and "closed through 2020-03-31" in r.output
    r = run.invoke(app, [*db, "post", "status", "DA-N1", "vacant", "--on", "2020-05-01"])
    assert r.exit_code == 0, r.output
    r = run.invoke(app, [*db, "export", "verify", str(out)])
    assert r.exit_code == 1
    first = r.output.splitlines()[0]
    assert "the file submitted as return 1 (reference 'Q4 return')" in first
    assert "figure(s) moved since" in first
    assert "Summary / Forecast outturn / value: 19375.00 -> 7750.00" in r.output
    r = run.invoke(app, [*db, "export", "verify", str(out), "-f", "json"])
    data = json.loads(r.output)
    assert data["file_matches_submission"] is True and data["ledger_matches"] is False
    change = next(c for c in data["changes"] if c["row"] == "DA-N1")
    assert set(change) == {"sheet", "row", "column", "submitted", "now", "because"}
    assert (change["submitted"], change["now"]) == ("15500.00", "3875.00")
    assert change["because"][0]["action"] == "post.status"
    lines = next(c for c in data["changes"] if c["sheet"] == "Posts" and c["row"] == "Total")
    assert lines["column"] == "Forecast cost"
    r = run.invoke(app, [*db, "return", "list", "-f", "csv"])
    assert r.output.splitlines()[1].startswith("1,2019/20,2020-03-31,Q4 return,ret.xlsx,")
    r = run.invoke(app, [*db, "return", "show", "1", "-f", "json"])
    shown = json.loads(r.output)
    assert {"sheet": "Transactions", "row": "Total", "column": "lines", "value": "1"} in shown[
        "figures"
    ]


def test_an_added_row_is_one_change_not_a_cascade(led, tmp_path):
    # An unsubmitted file compared with the ledger by label: a second spend line
    # adds one Transactions row; only that line and the totals move.
    led.spend.add("2019-11-14", "100.00", "training")
    path = led.exports.write_return("2019/20", "2020-03-31", out=tmp_path / "ret.xlsx")
    led.spend.add("2019-10-01", "20.00", "training")  # dated before every other line
    check = led.exports.verify(path)
    assert check.file_matches_submission is None
    trans = [
        (c.row, c.column, c.submitted, c.now) for c in check.changes if c.sheet == "Transactions"
    ]
    # Line 2 is new (its date and amount); the total goes 100.00 -> 120.00 over 1 -> 2 lines.
    assert ("Line 2", "Amount", None, "20.00") in trans
    assert ("Total", "lines", "1", "2") in trans
    assert ("Total", "Amount", "100.00", "120.00") in trans
    assert not [t for t in trans if t[0] == "Line 1"]
