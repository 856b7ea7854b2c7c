"""``spend list`` filters: dates, post, supplier, category, years and import batch,
all combinable. Expected lines are picked by hand from the scenario below."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from scenario import FS_GRANT, TWO_YEARS
from typer.testing import CliRunner

from fsgrant.cli import app
from fsgrant.errors import NotFound

D = Decimal


@pytest.fixture
def led(new_ledger):
    # 2019/20: 1 Aug 2019 - 31 Jul 2020; 2020/21: 1 Aug 2020 - 31 Jul 2021.
    ledger = new_ledger("f.db", grant=FS_GRANT, years=TWO_YEARS)
    ledger.posts.add(
        "DA-N1",
        role="domestic-abuse",
        host="Council",
        fte="1",
        annual_cost="36000.00",
        planned_start="2020-01-01",
    )
    # ref   date        amount    category   post    supplier
    # A     2019-11-14  18750.00  training   -       MI Training Ltd
    # B     2020-01-31   3000.00  staffing   DA-N1   -
    # C     2020-03-27   1250.00  training   -       mi training ltd
    # D     2020-04-30   3000.00  staffing   DA-N1   -
    # E     2020-08-31   3000.00  staffing   DA-N1   -
    ledger.spend.add(
        "2019-11-14", "18750.00", "training", supplier="MI Training Ltd", reference="A"
    )
    ledger.spend.add("2020-01-31", "3000.00", "staffing", post="DA-N1", reference="B")
    ledger.spend.add("2020-03-27", "1250.00", "training", supplier="mi training ltd", reference="C")
    ledger.spend.add("2020-04-30", "3000.00", "staffing", post="DA-N1", reference="D")
    ledger.spend.add("2020-08-31", "3000.00", "staffing", post="DA-N1", reference="E")
    return ledger


def refs(lines) -> list[str | None]:
    return [x.reference for x in lines]


def test_each_filter_and_their_combinations(led):
    assert refs(led.spend.list(from_date="2020-01-31", to_date="2020-04-30")) == ["B", "C", "D"]
    assert refs(led.spend.list(post="DA-N1")) == ["B", "D", "E"]
    assert refs(led.spend.list(supplier="training")) == ["A", "C"]  # any case, contained
    assert refs(led.spend.list(supplier="100%")) == []  # % is text, not a wildcard
    assert refs(led.spend.list(post="DA-N1", year="2019/20")) == ["B", "D"]
    assert refs(led.spend.list(post="DA-N1", financial_year="FY2020/21")) == ["D", "E"]
    assert refs(led.spend.list(category="training", from_date="2020-01-01")) == ["C"]
    assert refs(led.spend.list(supplier="MI", to_date="2019-12-31", year="2019/20")) == ["A"]
    with pytest.raises(NotFound):
        led.spend.list(post="NOPE")


def test_spend_list_filters_from_the_command_line(led):
    runner = CliRunner()
    db = ["--db", str(led.path)]
    res = runner.invoke(
        app,
        [
            *db,
            "spend",
            "list",
            "--post",
            "DA-N1",
            "--from",
            "01/02/2020",
            "--to",
            "31/08/2020",
            "-f",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    lines = json.loads(res.output)
    # D and E: 3,000.00 + 3,000.00.
    assert [(x["reference"], x["amount"]) for x in lines] == [("D", "3000.00"), ("E", "3000.00")]
    res = runner.invoke(app, [*db, "spend", "list", "--supplier", "MI TRAINING", "-f", "json"])
    assert [x["reference"] for x in json.loads(res.output)] == ["A", "C"]
    res = runner.invoke(app, [*db, "spend", "list", "--batch", "1", "-f", "json"])
    assert json.loads(res.output) == []  # no import batch added lines here
    bad = runner.invoke(app, [*db, "spend", "list", "--from", "31/02/2020"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_year_show_lists_the_variation_history(led):
    led.years.vary(
        "2019/20",
        agreed_on="2020-02-14",
        end="2021-03-31",
        reason="practitioners not in post before March/April 2020",
        reference="DfE letter",
    )
    runner = CliRunner()
    db = ["--db", str(led.path)]
    res = runner.invoke(app, [*db, "year", "show", "2019/20", "-f", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert (out["end"], out["original_end"]) == ("2021-03-31", "2020-07-31")
    [v] = out["variations"]
    assert (v["kind"], v["agreed_on"], v["change"], v["reference"]) == (
        "extend",
        "2020-02-14",
        "end moved to 2021-03-31",
        "DfE letter",
    )
    assert v["recorded_by"]
    before = runner.invoke(app, [*db, "year", "show", "2019/20", "--as-at", "2020-02-13"])
    assert "2019-08-01 to 2020-07-31" in before.output
    res = runner.invoke(app, [*db, "year", "show", "2020/21", "-f", "csv"])
    assert res.output.strip() == "id,kind,agreed_on,change,reason,reference,recorded_by,recorded_at"
    assert runner.invoke(app, [*db, "year", "show", "2018/19"]).exit_code != 0
