"""The register of sent returns is honest, and what moved since is told per cause: a
return is registered with the day it went to DfE, only when it verifies (a copy
edited by hand is refused by submit and verify alike), once per year and as-at date
unless it says it is a resubmission; each moved figure names the records that reach
it, and a person reads each correction once."""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from reliability_helpers import make_grant
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.errors import Conflict, InvalidInput


@pytest.fixture
def led(tmp_path):
    path = tmp_path / "grant.db"
    make_grant(path)
    with fsgrant.open(path, create=False) as ledger:
        # Two training lines: 2,000.00 in October 2019, 1,000.00 in February 2020.
        ledger.spend.add("2019-10-15", "2000.00", "training", supplier="MI Training Ltd")
        ledger.spend.add("2020-02-10", "1000.00", "training", description="Venue hire")
        yield ledger


def _march(led, tmp_path, name="march.xlsx"):
    if name != "march.xlsx":
        time.sleep(1.1)  # a return is made to the second: another file, the same figures
    return led.exports.write_return("2019/20", "2020-03-31", out=tmp_path / name)


# ------------------------------------------------------------ the register
def test_submit_records_the_day_it_went_and_refuses_a_second_without_resubmission(led, tmp_path):
    first = _march(led, tmp_path)
    r = led.returns.submit(first, on="2020-04-15", reference="Q4")
    assert (r.sent_on, r.supersedes) == (date(2020, 4, 15), None)
    # The same year and date again, from another file (a later export of the same
    # figures): refused unless it says it replaces the first.
    again = _march(led, tmp_path, "march-again.xlsx")
    with pytest.raises(
        Conflict, match=r"2019/20 as at 31/03/2020 was submitted already \(return 1"
    ):
        led.returns.submit(again)
    r2 = led.returns.submit(again, on="2020-04-20", resubmission=True)
    assert (r2.id, r2.sent_on, r2.supersedes) == (2, date(2020, 4, 20), 1)
    assert [(x.id, x.supersedes) for x in led.returns.list()] == [(1, None), (2, 1)]
    # A resubmission needs something to supersede; a day in the future is refused.
    april = led.exports.write_return("2019/20", "2020-04-30", out=tmp_path / "april.xlsx")
    with pytest.raises(InvalidInput, match="nothing to resubmit"):
        led.returns.submit(april, resubmission=True)
    with pytest.raises(InvalidInput, match="in the future"):
        led.returns.submit(april, on=date.today() + timedelta(days=30))


def test_a_copy_edited_by_hand_is_refused_by_verify_and_submit_alike(led, tmp_path):
    from openpyxl import load_workbook

    path = _march(led, tmp_path)
    wb = load_workbook(path)
    ws = wb["Transactions"]
    for row in ws.iter_rows():
        if row[0].value == 2:  # line 2's description: text, no figure moves
            cells = [c for c in row if c.value == "Venue hire"]
            assert cells
            cells[0].value = "Venue hire and catering"
    wb.save(path)
    check = led.exports.verify(path)
    # Every figure holds; one cell differs from the return as written.
    assert check.ledger_matches and check.changes == ()
    assert len(check.edited) == 1 and "Venue hire and catering" in check.edited[0]
    r = CliRunner().invoke(app, ["--db", str(tmp_path / "grant.db"), "export", "verify", str(path)])
    assert r.exit_code == 1
    assert "1 cell(s) differ from the return as written" in r.output.splitlines()[0]
    with pytest.raises(Conflict, match="1 cell\\(s\\) differ from the return as written"):
        led.returns.submit(path)
    assert led.returns.list() == []


def test_a_file_made_before_a_later_record_is_refused_as_stale(led, tmp_path):
    path = _march(led, tmp_path)
    time.sleep(1.1)  # a return's time is to the second
    # Dated after the return: a change of estimate; verify accepts the file as made,
    # but the register must hold what the ledger gives now.
    led.spend.add("2020-05-01", "10.00", "training")
    assert led.exports.verify(path).ledger_matches
    with pytest.raises(Conflict, match="1 record\\(s\\) were written since it was made"):
        led.returns.submit(path)


def test_cli_submit_on_a_day_and_the_list_shows_what_supersedes_what(led, tmp_path):
    db = ["--db", str(tmp_path / "grant.db")]
    run = CliRunner()
    first = _march(led, tmp_path)
    again = _march(led, tmp_path, "again.xlsx")
    r = run.invoke(app, [*db, "return", "submit", str(first), "--on", "15/04/2020"])
    assert r.exit_code == 0, r.output
    r = run.invoke(app, [*db, "return", "submit", str(again), "--on", "20/04/2020"])
    assert r.exit_code == 1 and "--resubmission" in r.output
    r = run.invoke(
        app, [*db, "return", "submit", str(again), "--on", "20/04/2020", "--resubmission"]
    )
    assert r.exit_code == 0, r.output
    assert "sent on 2020-04-20, superseding return 1" in r.output
    r = run.invoke(app, [*db, "return", "list", "-f", "csv"])
    rows = [line.split(",")[:5] for line in r.output.splitlines()]
    assert rows[0] == ["id", "funding_year", "as_at", "sent_on", "supersedes"]
    assert rows[1:] == [
        ["1", "2019/20", "2020-03-31", "2020-04-15", ""],
        ["2", "2019/20", "2020-03-31", "2020-04-20", "1"],
    ]


# ------------------------------------------------------------ a finer because
def _entry(n, action, subject=None, **detail):
    from datetime import datetime

    from fsgrant.domain.models import AuditEntry

    return AuditEntry(
        id=n,
        at=datetime(2020, 6, 1, 9, n),
        user="finance",
        command="test",
        action=action,
        subject=subject,
        detail=detail,
    )


def _fig(sheet, row, column, value, kind="money"):
    from fsgrant.domain.submissions import ReturnFigure

    return ReturnFigure(sheet=sheet, row=row, column=column, kind=kind, value=value)


def test_each_moved_figure_names_the_records_that_reach_it():
    from fsgrant.domain.submissions import moved_figures

    spend = _entry(1, "spend.add", None, id=5, date="2020-03-20", category="training")
    estimate = _entry(2, "estimate.set", "2019/20/staffing", amount="90000.00")
    receipt = _entry(3, "receipt.add", "2019/20", amount="600000.00")
    cut = _entry(4, "year.vary", "2019/20", kind="amount", amount_pence=200000000)
    post = _entry(5, "post.status", "DA-N1")
    records = [spend, estimate, receipt, cut, post]
    before = [
        _fig("Summary", "Actual spend to date", "value", "3875.00"),
        _fig("Summary", "Received from funder", "value", "0.00"),
        _fig("Summary", "Award (as varied)", "value", "2490000.00"),
        _fig("Spend vs estimate", "staffing", "Original estimate", "80000.00"),
        _fig("Spend vs estimate", "training", "Actual to date", "0.00"),
        _fig("Monthly profile", "2020-03-01", "Actual", "0.00"),
        _fig("Posts", "DA-N1", "Forecast cost", "15500.00"),
        _fig("Posts", "PR-1", "Forecast cost", "1000.00"),
        _fig("Sustainability", "FY2021/22", "Gap", "10.00"),
    ]
    after = [
        _fig("Summary", "Actual spend to date", "value", "4075.00"),
        _fig("Summary", "Received from funder", "value", "600000.00"),
        _fig("Summary", "Award (as varied)", "value", "2000000.00"),
        _fig("Spend vs estimate", "staffing", "Original estimate", "90000.00"),
        _fig("Spend vs estimate", "training", "Actual to date", "200.00"),
        _fig("Monthly profile", "2020-03-01", "Actual", "200.00"),
        _fig("Transactions", "Line 5", "Amount", "200.00"),
        _fig("Posts", "DA-N1", "Forecast cost", "3875.00"),
        _fig("Posts", "PR-1", "Forecast cost", "900.00"),
        _fig("Sustainability", "FY2021/22", "Gap", "20.00"),
    ]
    got = {
        (c.sheet, c.row): [e.id for e in c.because]
        for c in moved_figures(before, after, records, post_ids=["DA-N1", "PR-1"])
    }
    assert got == {
        ("Summary", "Actual spend to date"): [1],  # the spend line
        ("Summary", "Received from funder"): [3],  # the receipt
        ("Summary", "Award (as varied)"): [4],  # the variation
        # The estimate its category's row, the spend line its own; a post's forecast
        # reaches every category's forecast columns.
        ("Spend vs estimate", "staffing"): [2, 5],
        ("Spend vs estimate", "training"): [1, 5],
        ("Monthly profile", "2020-03-01"): [1, 2, 4, 5],  # its month; estimates, periods, posts
        ("Transactions", "Line 5"): [1],  # the line itself
        ("Posts", "DA-N1"): [5],  # that post's record only
        # No record of PR-1 was written: something moved it, not known which.
        ("Posts", "PR-1"): [1, 2, 3, 4, 5],
        ("Sustainability", "FY2021/22"): [5],  # posts feed the plan's costs
    }


def test_record_reach_of_a_reversal_and_an_unknown_record():
    from fsgrant.domain.submissions import record_reach

    reversal = _entry(
        7, "spend.reverse", "5", id=9, date="2020-03-20", category="training", post="DA-N1"
    )
    reach = record_reach(reversal)
    assert reach is not None
    assert {("Transactions", "Line 5"), ("Transactions", "Line 9")} <= reach
    assert {
        ("Posts", "DA-N1"),
        ("Spend vs estimate", "training"),
        ("Monthly profile", "2020-03-01"),
    } <= reach
    assert ("Spend vs estimate", "staffing") not in reach
    # A setting may move any figure: not known here.
    assert record_reach(_entry(8, "settings.set", "tolerance")) is None


def test_restatements_are_told_once_per_cause_with_the_headline_figures():
    from fsgrant.domain.restatements import cut_words, group_by_cause, headline_figures
    from fsgrant.domain.submissions import Restatement

    invoice = _entry(1, "spend.add", None, id=5, date="2020-03-20", amount="4200.00")
    credit = _entry(2, "spend.add", None, id=6, date="2020-03-21", amount="-500.00")
    # Actual 3,875.00 + 4,200.00 - 500.00 = 7,575.00 (both moved it: change +3,700.00);
    # the March month only the invoice; a Variations row no record explains.
    changes = [
        Restatement(sheet="Summary", row="Actual spend to date", column="value",
                    submitted="3875.00", now="7575.00", because=(invoice, credit)),
        Restatement(sheet="Monthly profile", row="2020-03-01", column="Actual",
                    submitted="0.00", now="4200.00", because=(invoice,)),
        Restatement(sheet="Summary", row="Status", column="value",
                    submitted="confirmed", now="in-principle", because=()),
    ]  # fmt: skip
    grouped = group_by_cause(changes)
    assert [(e.id if e else None, [r.row for r in rs]) for e, rs in grouped] == [
        (1, ["Actual spend to date", "2020-03-01"]),
        (2, ["Actual spend to date"]),
        (None, ["Status"]),
    ]
    heads = headline_figures(changes)
    assert [(h.figure, h.change, h.causes) for h in heads] == [
        ("Actual spend to date", D("3700.00"), 2),
        ("Status", None, 0),
    ]
    assert cut_words("a  b\nc") == "a b c"
    assert cut_words("x" * 400) == "x" * 299 + "…"


def test_a_category_is_reached_under_the_name_it_is_shown_by():
    from fsgrant.domain.submissions import record_reach

    names = {"training": "Motivational Interviewing and other training"}
    spend = _entry(1, "spend.add", None, id=5, date="2020-03-20", category="training")
    reach = record_reach(spend, names)
    assert ("Summary", names["training"]) in reach  # the quarter's row
    assert ("Spend vs estimate", names["training"]) in reach
    assert ("Summary", "Quarter total") in reach and ("Summary", "Year to date") in reach
    assert ("Spend vs estimate", "training") not in reach
    estimate = _entry(2, "estimate.set", "2019/20/training", amount="9000.00")
    assert ("Summary", names["training"]) in record_reach(estimate, names)


def test_verify_tells_each_late_line_once_with_its_own_effect(led, tmp_path):
    from fsgrant.cli.verify_text import verify_lines

    path = _march(led, tmp_path)
    led.returns.submit(path, on="2020-04-15")
    led.spend.add("2020-03-10", "100.00", "training", supplier="Venue Co", reference="V-1")
    led.spend.add("2020-03-12", "50.00", "training", supplier="Print Co")
    lines = list(verify_lines(led.exports.verify(path)))
    # Actual 2,000.00 + 1,000.00 = 3,000.00, then + 100.00 + 50.00 = 3,150.00.
    assert "2 correction(s) since moved" in lines[0]
    assert lines[1] == "Corrections since (each once, with its effect):"
    assert lines[2].startswith("  Venue Co, V-1, £100.00, dated 10/03/2020, recorded ")
    assert ": Actual spend to date +£100.00, " in lines[2]
    assert lines[3].startswith("  Print Co, £50.00, dated 12/03/2020, recorded ")
    assert ": Actual spend to date +£50.00, " in lines[3]
    assert "  Actual spend to date: £3,000.00 -> £3,150.00 (+£150.00)" in lines
    assert lines[-1] == "Every figure moved, cell by cell: add --detail (or --format json)."
    assert len(lines) <= 12


def test_a_submissions_figures_stream_in_blocks_whole(led, tmp_path, monkeypatch):
    import fsgrant.store.returns as register

    led.grant.set(recipient="Conseil général £ (é)")  # a Summary figure of many bytes
    r = led.returns.submit(_march(led, tmp_path), on="2020-04-15")
    whole = led.returns.get(r.id).figures
    assert ("Summary", "Recipient", "value") in {f.key for f in whole}
    # Blocks of 7 bytes cut elements, and the two bytes of a "£", everywhere.
    monkeypatch.setattr(register, "_BLOCK", 7)
    assert tuple(led.tables.returns.iter_figures(r.id)) == whole
    assert len(whole) == r.figure_count
    assert list(led.tables.returns.iter_figures(999)) == []
