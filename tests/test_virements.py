"""Virements: an estimate revision says why (and the approval's reference); check
warns when the estimates in force stop adding up to what they did before. Worked out by
hand: 2019/20's originals add up to its £2,490,000.00 award."""

from __future__ import annotations

from decimal import Decimal

import pytest
from reliability_helpers import make_grant
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.errors import InvalidInput

D = Decimal


@pytest.fixture
def led(tmp_path):
    path = tmp_path / "grant.db"
    make_grant(path)
    with fsgrant.open(path, create=False) as ledger:
        # 1,650,000 + 250,000 + 590,000 = 2,490,000.00: the award.
        ledger.estimates.set("2019/20", "staffing", "1650000.00")
        ledger.estimates.set("2019/20", "training", "250000.00")
        ledger.estimates.set("2019/20", "other", "590000.00")
        yield ledger


def off_total(led, day):
    return [f.message for f in led.check(day) if f.code == "estimates-off-total"]


def test_a_virement_that_does_and_then_does_not_balance(led) -> None:
    # 1 March: 100,000.00 moved out of training...
    e = led.estimates.set(
        "2019/20",
        "training",
        "150000.00",
        on="2020-03-01",
        reason="cohort 3 cancelled",
        reference="VIR-2020-07",
    )
    assert (e.original, e.reason, e.reference) == (False, "cohort 3 cancelled", "VIR-2020-07")
    # ... and not yet into staffing: 1,650,000 + 150,000 + 590,000 = 2,390,000.00.
    assert off_total(led, "2020-03-01") == [
        "2019/20's estimates in force add up to £2,390,000.00, £100,000.00 short of the "
        "£2,490,000.00 they added up to before the revisions (the latest: training, "
        "2020-03-01); a virement moves money between categories"
    ]
    # 2 March: into staffing; 1,750,000 + 150,000 + 590,000 = 2,490,000.00 again.
    led.estimates.set(
        "2019/20", "staffing", "1750000.00", on="2020-03-02", reason="agency cover for PROB-1"
    )
    assert off_total(led, "2020-03-02") == []
    assert off_total(led, "2020-02-29") == []  # before the revisions were made
    # 3 March: too much moved into staffing: 2,590,000.00 (also over the award: an error).
    led.estimates.set("2019/20", "staffing", "1850000.00", on="2020-03-03", reason="overtime")
    assert off_total(led, "2020-03-03")[0].startswith(
        "2019/20's estimates in force add up to £2,590,000.00, £100,000.00 more than"
    )
    assert "estimates-over-award" in {f.code for f in led.check("2020-03-03")}


def test_a_revision_needs_a_reason(led) -> None:
    with pytest.raises(InvalidInput, match="a revision \\(a virement\\) says why"):
        led.estimates.set("2019/20", "training", "150000.00", on="2020-03-01")
    # The first estimate of a category needs none.
    led.estimates.set("2019/20", "evaluation", "0.00")


def test_estimate_list_marks_the_estimate_in_force_and_totals(led) -> None:
    led.estimates.set("2019/20", "training", "150000.00", on="2020-03-01", reason="cohort 3")
    in_force = {(e.category, e.amount) for e in led.estimates.in_force("2020-03-31")}
    assert in_force == {
        ("staffing", D("1650000.00")),
        ("training", D("150000.00")),
        ("other", D("590000.00")),
    }
    assert ("training", D("250000.00")) in {
        (e.category, e.amount) for e in led.estimates.in_force("2020-02-29")
    }
    runner = CliRunner()
    db = str(led.path)
    r = runner.invoke(app, ["--db", db, "estimate", "list", "--as-at", "2020-03-31"])
    assert r.exit_code == 0, r.output
    assert "Estimates in force for 2019/20 add up to £2,390,000.00." in r.output
    r = runner.invoke(app, ["--db", db, "estimate", "list", "--format", "csv"])
    assert "4,2019/20,training,,150000.00,2020-03-01,revision,yes,cohort 3," in r.output
    r = runner.invoke(
        app, ["--db", db, "estimate", "set", "2019/20", "other", "1.00", "--on", "2020-03-05"]
    )
    assert r.exit_code != 0 and "--reason" in r.output
