"""A variation may not orphan money: one that would leave recorded spend or receipts
outside every open funding year is refused with the count and total of the lines,
unless the user says so (then ``check`` lists them)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.errors import Conflict


@pytest.fixture
def store_path(tmp_path):
    # One funding year, 2019/20: 1 August 2019 to 31 July 2020, up to £2,490,000.
    path = tmp_path / "grant.db"
    with fsgrant.open(path) as led:
        led.init("Family Safeguarding roll-out", "Department for Education", "The council")
        led.years.add("2019/20", "2490000.00", "2019-08-01")
        led.spend.add("2019-11-14", "18750.00", "training")
        led.spend.add("2020-06-10", "1200.50", "training")
        led.spend.add("2020-07-20", "799.50", "evaluation")
        led.receipts.add("2019-09-01", "622500.00", "2019/20")
    return path


def test_an_end_moved_before_lines_is_refused_with_their_count_and_total(led):
    # Ending on 31 May 2020 would leave the June and July lines in no year:
    # 2 lines, 1,200.50 + 799.50 = 2,000.00.
    with pytest.raises(Conflict) as caught:
        led.years.vary("2019/20", agreed_on="2020-05-01", reason="cut short", end="2020-05-31")
    assert "2 spend line(s) (total 2000.00)" in caught.value.message
    assert "--orphan-ok" in caught.value.message
    assert led.years.variations("2019/20") == []
    # Ending on 31 July 2020 (where it ends) orphans nothing: accepted.
    led.years.vary("2019/20", agreed_on="2020-05-01", reason="no change", end="2020-07-31")


def test_withdrawing_the_only_year_counts_spend_and_receipts(led):
    # Every line (18,750.00 + 1,200.50 + 799.50 = 20,750.00) and the receipt.
    with pytest.raises(Conflict) as caught:
        led.years.vary("2019/20", agreed_on="2020-05-01", reason="withdrawn", status="withdrawn")
    msg = caught.value.message
    assert "3 spend line(s) (total 20750.00) and 1 receipt(s) (total 622500.00)" in msg


def test_orphan_ok_records_it_and_check_lists_the_lines(led):
    v = led.years.vary(
        "2019/20", agreed_on="2020-05-01", reason="cut short", end="2020-05-31", orphan_ok=True
    )
    assert v.new_end.isoformat() == "2020-05-31"
    entry = led.audit.log()[-1]
    assert entry.action == "year.vary"
    assert entry.detail["orphan_ok"] is True
    assert entry.detail["orphaned"] == "2 spend line(s) (total 2000.00)"
    outside = [f for f in led.check("2020-08-31") if f.code == "spend-outside-periods"]
    assert [f.subject for f in outside] == ["2020-06-10", "2020-07-20"]
    assert all(f.severity == "error" for f in outside)


def test_a_shift_that_moves_lines_out_is_refused_even_if_others_come_in(led):
    # Shifting 2019/20 to 1 December 2019 - 30 November 2020 takes in the June and
    # July lines but leaves the 14 November line (18,750.00) out.
    with pytest.raises(Conflict, match=r"1 spend line\(s\) \(total 18750.00\)"):
        led.years.vary(
            "2019/20", agreed_on="2020-05-01", reason="x", start="2019-12-01", end="2020-11-30"
        )


def test_cli_refusal_is_one_line_exit_1_and_orphan_ok_records(store_path):
    run = CliRunner()
    db = ["--db", str(store_path)]
    vary = ["year", "vary", "2019/20", "--agreed-on", "2020-05-01", "--reason", "withdrawn",
            "--status", "withdrawn"]  # fmt: skip
    r = run.invoke(app, [*db, *vary])
    assert r.exit_code == 1, r.output
    assert r.stderr.count("\n") == 1 and "3 spend line(s)" in r.stderr, r.stderr
    r = run.invoke(app, [*db, *vary, "--orphan-ok"])
    assert r.exit_code == 0, r.output
    r = run.invoke(app, [*db, "check", "--as-at", "2020-08-31", "-f", "json"])
    assert r.exit_code == 1
    codes = [f["code"] for f in json.loads(r.stdout)["findings"]]
    # Three days of spend in no open year, and the receipt now repayable.
    assert codes.count("spend-outside-periods") == 3
    assert "receipts-of-withdrawn-year" in codes
