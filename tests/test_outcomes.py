"""Outcomes from the statistics DfE publishes (files in the published layout, written
here with a byte-order mark and Windows line ends, suppressed cells, two population
types and a national row), the outcomes report, and savings credited to whoever gains
them."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.errors import InvalidInput, SourceError

HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,la_name,new_la_code,population_type,population_estimate,"
    "children_count,rate_per_10000"
)
CLA = "Children looked after at 31 March"
STARTED = "Children starting to be looked after"


def _row(year, level, la, old, new, population, count, rate):
    region = ("", "") if level == "National" else ("E12000006", "East of England")
    return (
        f"{year},Reporting year,{level},E92000001,England,{region[0]},{region[1]},"
        f"{old},{la},{new},{population},140000,{count},{rate}"
    )


ROWS = [
    _row(2019, "National", "", "", "", CLA, 78140, 65),
    _row(2019, "Local authority", "Cambridgeshire", "873", "E10000003", CLA, 727, 51),
    _row(2019, "Local authority", "Cambridgeshire", "873", "E10000003", STARTED, 260, 18),
    _row(2020, "National", "", "", "", CLA, 80000, 67),
    _row(2020, "Local authority", "Cambridgeshire", "873", "E10000003", CLA, 739, 51.5),
    _row(2020, "Local authority", "Cambridgeshire", "873", "E10000003", STARTED, "c", "c"),
    _row(202021, "Local authority", "Cambridgeshire", "873", "E10000003", CLA, "x", "x"),
    _row(202021, "Local authority", "Cambridgeshire", "873", "E10000003", STARTED, 250, 17),
    _row(2020, "Local authority", "Norfolk", "926", "E10000020", CLA, 1157, 66),
]


def _published(path: Path, rows=ROWS) -> Path:
    path.write_bytes(("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8"))
    return path


@pytest.fixture
def fs(tmp_path):
    with fsgrant.open(tmp_path / "g.db") as ledger:
        ledger.init("Family Safeguarding", "Department for Education", "Cambridgeshire")
        ledger.years.add("2019/20", "120000.00", "2019-08-01")
        yield ledger


def test_a_councils_series_by_code_with_a_filter_and_its_gaps(fs, tmp_path):
    f = _published(tmp_path / "cla.csv")
    done = fs.measures.import_published(
        f, la="E10000003", measure="children-in-care", where=[f"population_type={CLA}"]
    )
    # 2019 and 2020 are numbers; 2020/21's cell is "x": not a number, never a zero.
    assert (done.added, done.revised, done.unchanged, done.value_column) == (
        2,
        0,
        0,
        "children_count",
    )
    assert done.gaps == {"2021": "x"}
    assert done.summary.endswith("not numbers: 2021: not available (x)")
    got = [(o.observed_on.isoformat(), o.value, o.source_file) for o in fs.measures.observations()]
    # A reporting year 2020 is the position at 31 March 2020.
    assert got == [("2019-03-31", D("727"), "cla.csv"), ("2020-03-31", D("739"), "cla.csv")]


def test_by_name_a_rate_column_and_the_other_population(fs, tmp_path):
    f = _published(tmp_path / "cla.csv")
    done = fs.measures.import_published(
        f,
        la=" cambridgeshire ",
        measure="starting-rate",
        value="rate_per_10000",
        where=[f"population_type={STARTED}"],
    )
    assert (done.added, done.gaps) == (2, {"2020": "c"})
    assert done.summary.endswith("not numbers: 2020: suppressed (c)")
    values = {o.observed_on.isoformat(): o.value for o in fs.measures.observations()}
    # 201920 would be 31 March 2020; 202021 is 31 March 2021.
    assert values == {"2019-03-31": D("18"), "2021-03-31": D("17")}


def test_the_same_file_again_adds_nothing_and_a_changed_figure_is_a_revision(fs, tmp_path):
    f = _published(tmp_path / "cla.csv")
    args = {"la": "873", "measure": "children-in-care", "where": [f"population_type={CLA}"]}
    fs.measures.import_published(f, **args)
    again = fs.measures.import_published(f, **args)
    assert (again.added, again.revised, again.unchanged) == (0, 0, 2)
    assert len(fs.measures.observations()) == 2
    revised = [r.replace(",739,51.5", ",741,51.6") for r in ROWS]
    g = _published(tmp_path / "cla-revised.csv", revised)
    later = fs.measures.import_published(g, **args)
    assert (later.added, later.revised, later.unchanged) == (0, 1, 1)
    rows = fs.measures.observations()
    # History kept: both figures of 31 March 2020, the later naming the earlier and its file.
    march = [(o.value, o.source_file, o.revises) for o in rows if o.observed_on.year == 2020]
    first_id = next(o.id for o in rows if o.value == D("739"))
    assert march == [(D("739"), "cla.csv", None), (D("741"), "cla-revised.csv", first_id)]
    report = fs.measures.report("2020-12-31").measures[0]
    assert [(r.on.isoformat(), r.value) for r in report.rows] == [
        ("2019-03-31", D("727")),
        ("2020-03-31", D("741")),
    ]


@pytest.mark.parametrize(
    ("la", "kwargs", "fragment"),
    [
        ("Luton", {}, "no row for 'Luton'; the file holds e.g. Cambridgeshire, Norfolk"),
        ("873", {"value": "children"}, "no column 'children'; the file's columns are"),
        ("873", {}, "a second row for 2019 (the first is line 3); they differ in population_type"),
        ("873", {"where": ["population=x"]}, "no column 'population' to filter on"),
    ],
)
def test_clear_refusals(fs, tmp_path, la, kwargs, fragment):
    f = _published(tmp_path / "cla.csv")
    with pytest.raises(SourceError) as caught:
        fs.measures.import_published(f, la=la, measure="m", **kwargs)
    assert caught.value.source == "cla.csv"
    assert fragment in str(caught.value)
    assert fs.measures.observations() == []


def test_another_layout_and_a_bad_filter(fs, tmp_path):
    other = tmp_path / "spend.csv"
    other.write_text("Date,Amount,Supplier\n2020-01-01,12.00,Acme\n", encoding="utf-8")
    with pytest.raises(SourceError, match="not a file in DfE's published layout: expected"):
        fs.measures.import_published(other, la="873", measure="m")
    with pytest.raises(InvalidInput, match="--where takes COLUMN=VALUE"):
        fs.measures.import_published(
            _published(tmp_path / "cla.csv"), la="873", measure="m", where=["population_type"]
        )


def test_a_benchmark_beside_the_council_in_the_outcomes_report(fs, tmp_path):
    f = _published(tmp_path / "cla.csv")
    fs.measures.import_published(
        f, la="Cambridgeshire", measure="children-in-care", where=[f"population_type={CLA}"]
    )
    fs.measures.import_published(f, la="England", measure="children-in-care", benchmark="England")
    fs.measures.target("children-in-care", "FY2021/22", "700", on="2020-01-01")
    fs.measures.target("children-in-care", "FY2021/22", "690", on="2020-06-01")
    r = fs.measures.report("2020-04-30")
    (m,) = r.measures
    assert (m.baseline, m.baseline_on, m.benchmarks) == (
        D("727"),
        None or m.baseline_on,
        ("England",),
    )
    assert m.baseline_on is not None and m.baseline_on.isoformat() == "2019-03-31"
    # 739 - 727 = +12 since the first observation; England's beside it.
    assert [(x.on.isoformat(), x.value, x.change, x.benchmarks) for x in m.rows] == [
        ("2019-03-31", D("727"), D("0"), {"England": D("78140")}),
        ("2020-03-31", D("739"), D("12"), {"England": D("80000")}),
    ]
    # The target in force as at 30 April 2020: the one set in January.
    assert m.targets == {"FY2021/22": D("700")}
    # The benchmark does not move the council's savings: only its own series counts.
    assert {o.series for o in fs.measures.observations()} == {None, "England"}


def test_savings_by_beneficiary_only_the_councils_close_its_gap(fs):
    # FY2021/22, after the grant (2019/20 ended 31 July 2020, nothing spent): a plan
    # cost of 10,000.00; the council's base budget 5,000.00; the council's savings
    # (100 - a target of 90) x 50.00 = 500.00; the police's savings 2,000.00.
    # Counted toward the gap: 5,000.00 + 500.00 = 5,500.00; gap 10,000.00 - 5,500.00 =
    # 4,500.00; funded 5,500 / 10,000 = 55.0%. The police's 2,000.00 is shown apart.
    fs.measures.add("children-in-care", "2019-03-31", "100")
    fs.measures.target("children-in-care", "FY2021/22", "90", on="2020-01-01")
    fs.plan.add_source("base", "base-budget", on="2020-01-01")
    fs.plan.add_source(
        "care", "savings", measure="children-in-care", baseline="100", unit_cost="50.00",
        on="2020-01-01",
    )  # fmt: skip
    fs.plan.add_source("police", "savings", beneficiary="police", on="2020-01-01")
    fs.plan.fund("base", "FY2021/22", "5000.00", on="2020-01-01")
    fs.plan.fund("police", "FY2021/22", "2000.00", on="2020-01-01")
    fs.plan.cost("training", "FY2021/22", "10000.00", on="2020-01-01")
    (y,) = fs.plan.report("FY2021/22", "FY2021/22", as_at="2021-06-01").years
    assert y.funding == {"base": D("5000.00"), "care": D("500.00")}
    assert (y.funding_total, y.gap, y.funded_pct) == (D("5500.00"), D("4500.00"), D("55.0"))
    assert y.savings_by_beneficiary == {"council": D("500.00"), "police": D("2000.00")}
    with pytest.raises(InvalidInput, match="only a savings source names who gains it"):
        fs.plan.add_source("nhs", "partner", beneficiary="health")


def test_the_command_line(tmp_path):
    db = tmp_path / "g.db"
    with fsgrant.open(db) as ledger:
        ledger.init("G", "DfE", "Council")
        ledger.years.add("2019/20", "120000.00", "2019-08-01")
    f = _published(tmp_path / "cla.csv")
    run = CliRunner()
    base = ["--db", str(db)]
    r = run.invoke(
        app,
        [*base, "measure", "import", str(f), "--la", "873", "--measure", "cic",
         "--where", f"population_type={CLA}"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "cla.csv: cic for the council from children_count: 2 added, 0 revised" in r.output
    r = run.invoke(app, [*base, "measure", "import", str(f), "--la", "Luton", "--measure", "cic"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "cla.csv" in r.stderr and "no row for 'Luton'" in r.stderr
    r = run.invoke(app, [*base, "report", "outcomes", "--as-at", "2020-06-30", "-f", "json"])
    data = json.loads(r.output)
    assert [(x["on"], x["value"], x["change"]) for x in data["measures"][0]["rows"]] == [
        ("2019-03-31", "727", "0"),
        ("2020-03-31", "739", "12"),
    ]
    # In the table the figures are right-aligned: the changes +0 and +12 end together.
    r = run.invoke(app, [*base, "report", "outcomes", "--as-at", "2020-06-30"])
    [first] = [line for line in r.output.splitlines() if "2019-03-31" in line and "+0" in line]
    [second] = [line for line in r.output.splitlines() if "2020-03-31" in line and "+12" in line]
    assert first.index("+0") + len("+0") == second.index("+12") + len("+12"), r.output
    r = run.invoke(app, [*base, "plan", "source", "add", "p", "--kind", "partner",
                         "--beneficiary", "police"])  # fmt: skip
    assert r.exit_code == 2 and "only a savings source names who gains it" in r.stderr
