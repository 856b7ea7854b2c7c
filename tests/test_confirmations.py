"""Every command that records something says what it recorded as a person reads it:
money in pounds, dates day first, the funding year a spend line went to; and ``show``
formats a record as the lists do (JSON unchanged)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from fsgrant.cli import app

runner = CliRunner()


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "grant.db")
    run(
        path,
        "init",
        "--grant",
        "Family Safeguarding",
        "--funder",
        "DfE",
        "--recipient",
        "A council",
    )
    return path


def run(db, *args):
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_recording_answers_in_pounds(db):
    assert run(db, "year", "add", "2019/20", "--amount", "2490000.00", "--start", "2019-08-01") == (
        "Added funding year 2019/20: 01/08/2019 to 31/07/2020, award £2,490,000.00 (confirmed)."
    )
    assert run(db, "estimate", "set", "2019/20", "training", "250000", "--on", "2019-08-01") == (
        "Set original estimate #1: 2019/20 training £250,000.00, as of 01/08/2019."
    )
    assert (
        run(db, "spend", "add", "20/03/2020", "1234.56", "training", "--supplier", "Acme")
        == "#1 £1,234.56 training, 20/03/2020, funding year 2019/20 (Acme)"
    )
    assert run(db, "spend", "add", "2020-02-28", "(1,250.00)", "case-recording") == (
        "#2 -£1,250.00 case-recording, 28/02/2020, funding year 2019/20"
    )
    assert run(db, "spend", "reverse", "1", "--reason", "keyed twice") == (
        "#3 -£1,234.56 training, 20/03/2020, funding year 2019/20 (Acme), reversing #1."
    )
    assert run(db, "receipt", "add", "15/10/2019", "1245000.00", "--year", "2019/20") == (
        "Recorded receipt #1: £1,245,000.00 for 2019/20 on 15/10/2019."
    )
    run(
        db, "post", "add", "DA-N1", "--role", "domestic-abuse", "--host", "Council",
        "--fte", "1", "--annual-cost", "46500", "--planned-start", "2019-11-01",
    )  # fmt: skip
    assert run(
        db, "post", "change", "DA-N1", "--on", "2020-04-01", "--annual-cost", "47778.75",
        "--reason", "pay award",
    ) == "Post DA-N1 from 01/04/2020: annual cost £47,778.75."  # fmt: skip


def test_spend_show_reads_like_the_list_and_json_is_unchanged(db):
    run(db, "year", "add", "2019/20", "--amount", "2490000.00", "--start", "2019-08-01")
    run(db, "spend", "add", "2020-02-28", "(1,250.00)", "case-recording")
    shown = runner.invoke(app, ["--db", db, "spend", "show", "1"], env={"COLUMNS": "120"})
    assert shown.exit_code == 0, shown.output
    assert "-£1,250.00" in shown.output and "-1250.00" not in shown.output
    assert "funding year" in shown.output and "funding_year" not in shown.output
    assert " UTC" in shown.output and "+00:00" not in shown.output  # to the second
    data = json.loads(run(db, "spend", "show", "1", "--format", "json"))
    assert (data["amount"], data["funding_year"]) == ("-1250.00", "2019/20")
    csv = run(db, "spend", "show", "1", "--format", "csv")
    assert "amount,-1250.00" in csv.splitlines()
