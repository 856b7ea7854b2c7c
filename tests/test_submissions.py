"""What was sent to DfE stays true: a close freezes every record dated in the closed
period, submitted returns are kept in a register (figures as data), and what moved
since is shown as a restatement with the records that moved it."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal as D

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


def test_a_later_fact_is_a_change_of_estimate_the_sent_return_holds(led, submitted):
    path, _ = submitted
    # A leaving date learned after the return was sent (effective 1 May, after the
    # as-at date): a change of estimate (IAS 8). The sent return keeps its figures.
    led.posts.set_status("DA-N1", "vacant", "2020-05-01")
    check = led.exports.verify(path)
    assert check.file_matches_submission is True
    assert check.ledger_matches and check.changes == ()
    assert [(e.action, e.subject) for e in check.changes_of_estimate] == [("post.status", "DA-N1")]
    assert check.summary.endswith(
        "the ledger gives the same figures; since then 1 change(s) of estimate "
        "(they move later returns only)"
    )
    # A report made now as at 31 March uses the roster as recorded: of April to July,
    # April alone is forecast, 3,875.00 (a new return would show it).
    assert led.reports.summary("2020-03-31").funding_years[0].forecast_remaining == D("3875.00")


def test_a_late_invoice_through_a_reopen_is_the_one_cause_named(led, submitted):
    path, _ = submitted
    led.posts.set_status("DA-N1", "vacant", "2020-05-01")  # a change of estimate
    led.periods.reopen("2019/20", "late invoice")
    led.spend.add(
        "2020-03-20", "4200.00", "training", supplier="MI Training Ltd", reference="INV-0112"
    )
    led.periods.close("2019/20", "2020-03-31", "Q4 return restated")
    check = led.exports.verify(path)
    assert not check.ledger_matches
    moved = {(c.sheet, c.row, c.column): (c.submitted, c.now) for c in check.changes}
    # Actual 3,875.00 + 4,200.00 = 8,075.00; training has no estimate, so nothing is
    # forecast on it: outturn 19,375.00 + 4,200.00 = 23,575.00, at risk
    # 2,490,000.00 - 23,575.00 = 2,466,425.00. The vacancy moves nothing here.
    assert moved[("Summary", "Actual spend to date", "value")] == ("3875.00", "8075.00")
    assert moved[("Summary", "Forecast outturn", "value")] == ("19375.00", "23575.00")
    assert moved[("Summary", "Underspend at risk", "value")] == ("2470625.00", "2466425.00")
    assert ("Posts", "DA-N1", "Forecast cost") not in moved
    # Every change names exactly that invoice: never the reopen, the close or the
    # change of estimate.
    causes = {(e.action, e.detail.get("date")) for c in check.changes for e in c.because}
    assert causes == {("spend.add", "2020-03-20")}
    assert [e.action for e in check.changes_of_estimate] == ["post.status"]


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
    r = run.invoke(
        app,
        [
            *db,
            "return",
            "submit",
            str(out),
            "--on",
            "15/04/2020",
            "--reference",
            "Q4 return",
            "--close",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "Recorded return 1: 2019/20 as at 2020-03-31, sent on 2020-04-15" in r.output
    assert "closed through 2020-03-31" in r.output
    r = run.invoke(app, [*db, "post", "status", "DA-N1", "vacant", "--on", "2020-05-01"])
    assert r.exit_code == 0, r.output
    # A change of estimate: the sent return holds (exit 0), and verify says so.
    r = run.invoke(app, [*db, "export", "verify", str(out)])
    assert r.exit_code == 0, r.output
    first = r.output.splitlines()[0]
    assert "the file submitted as return 1 (reference 'Q4 return')" in first
    assert "the ledger gives the same figures; since then 1 change(s) of estimate" in first
    # The change of estimate in words: the post, its status, its date, who recorded it.
    assert r.output.splitlines()[2].startswith("  Post DA-N1 vacant, dated 01/05/2020, recorded ")
    # A late invoice through a recorded reopen: a correction (exit 1).
    for args in (
        ["period", "reopen", "2019/20", "--reason", "late invoice"],
        ["spend", "add", "20/03/2020", "4200.00", "staffing", "--post", "DA-N1"],
    ):
        r = run.invoke(app, [*db, *args])
        assert r.exit_code == 0, r.output
    r = run.invoke(app, [*db, "export", "verify", str(out)])
    assert r.exit_code == 1
    lines = r.output.splitlines()
    # One correction, told once in words with its effect; the headline figures; how
    # to see the detail. Actual 3,875.00 + 4,200.00 = 8,075.00.
    assert "1 correction(s) since moved" in lines[0]
    assert lines[2].startswith(
        "  Adult practitioner staffing (posts), no supplier named, £4,200.00, dated "
        "20/03/2020, recorded "
    )
    assert "Actual spend to date +£4,200.00" in lines[2]
    assert "  Actual spend to date: £3,875.00 -> £8,075.00 (+£4,200.00)" in lines
    assert "Summary / Actual spend to date / value" not in r.output
    r = run.invoke(app, [*db, "export", "verify", str(out), "--detail"])
    assert r.exit_code == 1
    assert "  Summary / Actual spend to date / value: 3875.00 -> 8075.00" in r.output
    r = run.invoke(app, [*db, "export", "verify", str(out), "-f", "json"])
    data = json.loads(r.output)
    assert data["file_matches_submission"] is True and data["ledger_matches"] is False
    change = next(c for c in data["changes"] if c["row"] == "DA-N1")
    assert set(change) == {"sheet", "row", "column", "submitted", "now", "because"}
    # The post's spend to date: 3,875.00 + 4,200.00.
    assert (change["column"], change["submitted"], change["now"]) == (
        "Cost to date",
        "3875.00",
        "8075.00",
    )
    assert [e["action"] for e in change["because"]] == ["spend.add"]
    assert [e["action"] for e in data["changes_of_estimate"]] == ["post.status"]
    r = run.invoke(app, [*db, "return", "list", "-f", "csv"])
    # Sent on 15 April 2020; it supersedes nothing.
    assert r.output.splitlines()[1].startswith(
        "1,2019/20,2020-03-31,2020-04-15,,Q4 return,ret.xlsx,"
    )
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


# ------------------------------------------------------------ the next return shows what moved
CHANGES = "Changes since the last return"


def _sheet(path, name):
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return [tuple(r) for r in wb[name].iter_rows(values_only=True)]
    finally:
        wb.close()


def _rows_by_label(rows):
    return {r[0]: r[1:] for r in rows if r and isinstance(r[0], str)}


def test_a_return_with_no_earlier_submission_says_there_is_none(led, tmp_path):
    path = led.exports.write_return("2019/20", "2020-03-31", out=tmp_path / "first.xlsx")
    rows = [r for r in _sheet(path, CHANGES) if any(v is not None for v in r)]
    assert rows[-1][0] == "No return of this funding year was submitted as at an earlier date."
    # Title, subtitle, and that one line.
    assert len(rows) == 3


def test_the_next_return_restates_the_submitted_figures_that_moved(led, tmp_path):
    # Return 1 as at 31 March 2020 (see the working above): actual 3,875.00, forecast
    # remaining 15,500.00 (April-July of DA-N1), outturn 19,375.00. Submitted without
    # closing, so March stays open. Learned later: a 200.00 training line dated
    # 20 March 2020 (line 2: a correction), and DA-N1 vacant from 1 May 2020 (a change
    # of estimate: it moves the June return's own figures, not the March one's).
    # Restated: actual 3,875.00 + 200.00 = 4,075.00; forecast as sent, 15,500.00;
    # outturn 4,075.00 + 15,500.00 = 19,575.00 (change +200.00).
    led.spend.add("2020-01-31", "3875.00", "staffing", post="DA-N1")
    first = led.exports.write_return("2019/20", "2020-03-31", out=tmp_path / "march.xlsx")
    led.returns.submit(first, reference="Q4 return")
    led.spend.add("2020-03-20", "200.00", "training")
    led.posts.set_status("DA-N1", "vacant", "2020-05-01")
    june = led.exports.write_return("2019/20", "2020-06-30", out=tmp_path / "june.xlsx")
    rows = _rows_by_label(_sheet(june, CHANGES))
    assert rows["Last return"][0] == "return 1"
    assert rows["Its as-at date"][0].date().isoformat() == "2020-03-31"
    assert rows["Its reference"][0] == "Q4 return"
    assert rows["Corrections since"][0] == 1
    # One row per cause, in words, with its amount, dates and reach; the March line
    # moved 38 figures (its Transactions row and the totals, the training row, new,
    # committed 0.00 included, every month of the profile from March on, the plan's
    # grant), told here once.
    assert rows["Correction since that return"][:4] == (
        "Amount",
        "Dated",
        "Recorded",
        "Figures moved",
    )
    training = "Motivational Interviewing and other training, no supplier named"
    cause = next(k for k in rows if k.startswith(training))
    assert cause.startswith(f"{training}, £200.00, dated 20/03/2020, recorded ")
    assert len(cause) <= 300 and "post.status" not in cause and "entry" not in cause
    assert rows[cause][0] == 200 and rows[cause][1].date().isoformat() == "2020-03-20"
    assert rows[cause][3] == rows["Figures restated"][0] == 38
    # The headline figures it moved: submitted, now, change, how many corrections.
    # Actual 3,875.00 + 200.00 = 4,075.00; award less actual 2,490,000.00 - 4,075.00 =
    # 2,485,925.00; outturn 19,375.00 + 200.00 = 19,575.00; at risk 2,470,425.00.
    assert rows["Actual spend to date"][:4] == (3875, 4075, 200, 1)
    assert rows["Award less actual"][:4] == (2486125, 2485925, -200, 1)
    assert rows["Forecast outturn"][:4] == (19375, 19575, 200, 1)
    assert rows["Underspend at risk"][:4] == (2470625, 2470425, -200, 1)
    # The vacancy is a change of estimate: the March return's forecast stands, and no
    # cell-by-cell detail is on the sheet.
    assert "Forecast remaining" not in rows
    assert not [k for k in rows if " / " in k]
    # The sheet is part of the return: submit compares it, verify agrees with it.
    r = led.returns.submit(june, reference="Q1 return")
    check = led.exports.verify(june)
    assert check.file_matches_submission is True and check.ledger_matches
    stored = {f.key: f.value for f in led.returns.get(r.id).figures}
    assert stored[(CHANGES, "Forecast outturn", "Now")] == "19575.00"
    # A later change to a March figure moves the June return's Changes sheet too.
    led.spend.add("2020-03-25", "50.00", "training")
    moved = {
        (c.sheet, c.row, c.column): (c.submitted, c.now) for c in led.exports.verify(june).changes
    }
    assert moved[(CHANGES, "Actual spend to date", "Now")] == ("4075.00", "4125.00")


def test_a_file_whose_changes_sheet_was_edited_does_not_verify(led, tmp_path):
    from openpyxl import load_workbook

    led.spend.add("2020-01-31", "3875.00", "staffing", post="DA-N1")
    first = led.exports.write_return("2019/20", "2020-03-31", out=tmp_path / "march.xlsx")
    led.returns.submit(first)
    led.spend.add("2020-03-20", "200.00", "training")
    june = led.exports.write_return("2019/20", "2020-06-30", out=tmp_path / "june.xlsx")
    wb = load_workbook(june)
    ws = wb[CHANGES]
    for row in ws.iter_rows():
        if row[0].value == "Actual spend to date":
            row[2].value = 3875  # hide the restatement
    wb.save(june)
    with pytest.raises(Conflict, match="does not match the ledger now"):
        led.returns.submit(june)


def test_the_summary_rows_a_record_reaches_are_rows_the_return_has(led, tmp_path):
    from fsgrant.domain import submissions as sub
    from fsgrant.formats.dfe_return.figures import return_figures, return_headers

    led.years.vary("2019/20", agreed_on="2020-04-01", reason="x", end="2020-08-31")
    data = led.exports.return_data("2019/20", "2020-03-31", quarter=None)
    rows = {f.row for f in return_figures(data, return_headers(data)) if f.sheet == "Summary"}
    quarter = led.exports.return_data("2019/20", quarter="Q3")
    rows |= {
        f.row for f in return_figures(quarter, return_headers(quarter)) if f.sheet == "Summary"
    }
    named = set(sub.SPEND_ROWS + sub.AWARD_ROWS + sub.PERIOD_ROWS + sub.FORECAST_ROWS)
    named |= set(sub.RECEIPT_ROWS + sub.ESTIMATE_ROWS)
    # Repayable shows only for a withdrawn year.
    assert named - rows == {"Repayable to funder"}


def test_a_category_and_estimate_recorded_later_leave_the_sent_return_alone(led, submitted):
    # The case that moved a closed return: a category added today with an estimate.
    # Its first estimate is dated the year's start, inside the closed window: refused.
    # Dated when it was made (after the as-at date), it is a change of estimate.
    path, _ = submitted
    before = led.reports.summary("2020-03-31").funding_years[0]
    led.categories.add("newcat")
    with pytest.raises(PeriodClosed, match="an estimate dated 2019-08-01"):
        led.estimates.set("2019/20", "newcat", "500000.00")
    led.estimates.set("2019/20", "newcat", "500000.00", on="2020-04-15")
    after = led.reports.summary("2020-03-31").funding_years[0]
    # Nothing was estimated on newcat by 31 March: the original estimate (0.00, no
    # estimate of 2019/20 was made before) and the money at risk, 2,470,625.00, hold.
    assert (after.estimate_original, after.underspend_at_risk) == (D("0.00"), D("2470625.00"))
    assert (before.estimate_original, before.underspend_at_risk) == (
        after.estimate_original,
        after.underspend_at_risk,
    )
    # As at 30 April it counts: the original estimate of newcat is 500,000.00.
    assert led.reports.summary("2020-04-30").funding_years[0].estimate_original == D("500000.00")
    check = led.exports.verify(path)
    assert check.ledger_matches and check.changes == ()
    assert [e.action for e in check.changes_of_estimate] == ["category.add", "estimate.set"]


def test_records_of_every_kind_dated_later_are_changes_of_estimate(led, submitted):
    # After the return as at 31 March was sent (and 2019/20 closed), one record of
    # every kind dated later, and roster changes: none restates it.
    path, _ = submitted
    led.measures.add("children-in-care", "2020-04-30", "739")
    led.plan.add_source("council", "base-budget", on="2020-04-01")
    actions = [
        lambda: led.spend.add("2020-04-10", "100.00", "training"),
        lambda: led.receipts.add("2020-04-15", "1000.00", "2019/20"),
        lambda: led.estimates.set("2019/20", "training", "900.00", on="2020-04-20"),
        lambda: led.forecasts.set("2019/20", "training", "800.00", on="2020-04-20"),
        lambda: led.years.vary(
            "2019/20", agreed_on="2020-04-25", reason="envelope", end="2021-03-31"
        ),
        lambda: led.conditions.add("2020/21", "Sustainability", agreed_on="2020-04-02"),
        lambda: led.conditions.add_evidence("2020/21", 1, on="2020-04-03", note="plan"),
        lambda: led.conditions.set_status("2020/21", 1, "submitted", on="2020-04-04"),
        lambda: led.plan.fund("council", "FY2021/22", "5000.00", on="2020-04-05"),
        lambda: led.plan.cost("training", "FY2021/22", "100.00", on="2020-04-05"),
        lambda: led.measures.target("children-in-care", "FY2021/22", "700", on="2020-04-06"),
        lambda: led.posts.change("DA-N1", "2020-05-01", annual_cost="47778.75", reason="pay"),
        lambda: led.posts.set_status("DA-N1", "vacant", "2020-06-30"),
        lambda: led.posts.add(
            "PO-1",
            role="probation",
            host="NPS",
            fte="1",
            annual_cost="50000",
            planned_start="2020-06-01",
        ),
    ]
    for act in actions:
        act()
    check = led.exports.verify(path)
    assert check.file_matches_submission is True
    assert check.ledger_matches and check.changes == ()
    # The two records above the list, and the fourteen in it.
    assert len(check.changes_of_estimate) == 16
    assert "since then 16 change(s) of estimate" in check.summary
    # A return made now as at 31 March does move (the extension and the roster): the
    # sent one holds because those are changes of estimate.
    fresh = led.reports.summary("2020-03-31").funding_years[0]
    assert fresh.end.isoformat() == "2020-07-31"  # the extension was agreed in April
