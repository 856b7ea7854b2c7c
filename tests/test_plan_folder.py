"""The onward-sustainability plan and outcome measures kept in a ledger folder:
figures worked out by hand in the comments."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.domain.checks import LedgerFacts, run_checks
from fsgrant.domain.sustainability import SustainabilityYear
from fsgrant.errors import SourceError
from fsgrant.services.demo import example_ledger_path

D = Decimal

GRANT_TOML = """\
[grant]
name = "Family Safeguarding"
funder = "Department for Education"
recipient = "A council"

[[funding_year]]
label = "2019/20"
award = "120000.00"
start = 2019-08-01
"""

FILES = {
    # A: £36,000 a year (3,000.00 a month) from Wednesday 16 October 2019 to 30
    # September 2021.
    "posts.csv": (
        "id,role,host,fte,annual_cost,planned_start,end\n"
        "A,domestic-abuse,council,1,36000.00,2019-10-16,2021-09-30\n"
    ),
    "spend.csv": "date,amount,category\n2019-11-14,10000.00,training\n",
    "measures.csv": (
        "# the outcome figures are made up for the test\n"
        "name,date,value,note\n"
        "children-in-care,2020-02-04,739,committee report\n"
        "children-in-care,2021-06-30,700,\n"
        "children-in-care,2021-12-31,681,\n"
    ),
    "measure_targets.csv": (
        "name,financial_year,value,set_on\nchildren-in-care,FY2022/23,670,2021-01-01\n"
    ),
    "plan_sources.csv": (
        "name,kind,description,measure,baseline,unit_cost\n"
        "council,base-budget,children's services base,,,\n"
        "care-savings,savings,fewer children in care,children-in-care,739,123.45\n"
    ),
    "plan_funding.csv": (
        "source,financial_year,amount,set_on,note\n"
        "council,FY2021/22,5000.00,2021-01-01,budget round\n"
        "council,FY2022/23,10000.00,2021-01-01,\n"
    ),
    "plan_costs.csv": (
        "category,financial_year,amount,set_on,note\n"
        "training,FY2021/22,1000.00,2021-01-01,MI refresher\n"
        "training,FY2022/23,15000.00,2021-01-01,\n"
    ),
}


def _folder(tmp_path, **replace):
    folder = tmp_path / "ledger"
    folder.mkdir()
    (folder / "grant.toml").write_text(GRANT_TOML, encoding="utf-8")
    for name, text in {**FILES, **replace}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_folder_loads_the_plan_and_the_measures(tmp_path):
    folder = _folder(tmp_path)
    with fsgrant.open(tmp_path / "g.db") as fs:
        counts = fs.load(folder)
        assert (
            counts.measures,
            counts.measure_targets,
            counts.plan_sources,
            counts.plan_funding,
            counts.plan_costs,
        ) == (3, 1, 2, 2, 2)
        assert [
            (s.name, s.kind, s.measure, s.baseline, s.unit_cost) for s in fs.plan.sources()
        ] == [
            ("council", "base-budget", None, None, None),
            ("care-savings", "savings", "children-in-care", D("739"), D("123.45")),
        ]
        observed = [(str(o.observed_on), o.value, o.note) for o in fs.measures.observations()]
        assert observed == [
            ("2020-02-04", D("739"), "committee report"),
            ("2021-06-30", D("700"), None),
            ("2021-12-31", D("681"), None),
        ]
        r = fs.plan.report(as_at="2022-06-01")
        log = fs.audit.log()
    rows = {y.financial_year: y for y in r.years}
    assert list(rows) == ["FY2019/20", "FY2020/21", "FY2021/22", "FY2022/23"]
    y1, y2, y3, y4 = rows.values()
    # A: October 16 of 31 days, 3,000 x 16/31 = 1,548.387 -> 1,548.39, then November to
    # March 5 x 3,000.00 = 16,548.39. The grant's period has ended: its outturn is the
    # 10,000.00 spent on 14 November 2019.
    assert (y1.posts_cost, y1.grant, y1.gap) == (D("16548.39"), D("10000.00"), D("6548.39"))
    # A: 12 x 3,000.00; nothing observed in FY2020/21, no target: no saving.
    assert (y2.posts_cost, y2.funding_total, y2.gap) == (D("36000.00"), D("0.00"), D("36000.00"))
    # FY2021/22: A April-September 6 x 3,000.00 = 18,000.00, plus the 1,000.00 cost.
    # Savings: mean of 700 and 681 = 690.5; (739 - 690.5) x 123.45 = 5,987.325 -> 5,987.33.
    assert y3.funding == {"council": D("5000.00"), "care-savings": D("5987.33")}
    # gap 19,000.00 - 5,000.00 - 5,987.33 = 8,012.67
    assert (y3.total_cost, y3.gap) == (D("19000.00"), D("8012.67"))
    # FY2022/23: the target 670: (739 - 670) x 123.45 = 69 x 123.45 = 8,518.05; cost
    # 15,000.00; gap 15,000.00 - 10,000.00 - 8,518.05 = -3,518.05.
    assert y4.funding == {"council": D("10000.00"), "care-savings": D("8518.05")}
    assert (y4.total_cost, y4.gap) == (D("15000.00"), D("-3518.05"))
    assert r.sustainable_from == "FY2022/23"
    # One transaction: the load's audit entry records the counts it stored.
    assert log[-1].action == "load"
    assert (log[-1].detail["plan_funding"], log[-1].detail["measures"]) == (2, 3)


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        (
            "plan_funding.csv",
            "# a comment line\nsource,financial_year,amount,set_on,note\n"
            "council,FY2021/22,5000.00,2021-01-01,\ncouncil,FY2022/23,12.345,2021-01-01,\n",
            "plan_funding.csv, line 4, field 'amount'",
        ),
        (
            "plan_funding.csv",
            "source,financial_year,amount,set_on,note\ncouncil,2021/22,5000.00,2021-01-01,\n",
            "plan_funding.csv, line 2, field 'financial_year'",
        ),
        (
            "plan_funding.csv",
            "source,financial_year,amount,set_on,note\nnobody,FY2021/22,5000.00,2021-01-01,\n",
            "plan_funding.csv, line 2, field 'source': no source nobody",
        ),
        (
            "plan_funding.csv",
            "source,financial_year,amount,on\ncouncil,FY2021/22,5000.00,2021-01-01\n",
            "plan_funding.csv, line 1, field 'on': unknown column",
        ),
        (
            "measure_targets.csv",
            "name,financial_year,value,set_on\nchildren-in-care,FY2022/23,670,31/02/2021\n",
            # the library's parameter is 'on'; the message names the file's column
            "measure_targets.csv, line 2, field 'set_on'",
        ),
        (
            "measures.csv",
            "name,date,value\nchildren-in-care,2020-02-04,7.39e2\n",
            "measures.csv, line 2, field 'value'",
        ),
        (
            "plan_sources.csv",
            "name,kind,measure,baseline,unit_cost\ncouncil,partner,children-in-care,739,3500\n",
            "plan_sources.csv, line 2, field 'kind'",
        ),
        (
            "plan_sources.csv",
            "name,kind,measure\ncare-savings,savings,children-in-care\n",
            "plan_sources.csv, line 2, field 'measure'",
        ),
        (
            "plan_costs.csv",
            # A is charged to staffing: the plan counts its cost already
            "category,financial_year,amount,set_on\nstaffing,FY2021/22,1000.00,2021-01-01\n",
            "plan_costs.csv, line 2, field 'category'",
        ),
    ],
)
def test_a_bad_plan_file_names_file_line_and_field_and_stores_nothing(tmp_path, name, text, where):
    folder = _folder(tmp_path, **{name: text})
    with fsgrant.open(tmp_path / "g.db") as fs:
        with pytest.raises(SourceError) as err:
            fs.load(folder)
        assert where in str(err.value)
        # All or nothing: not even the grant is stored.
        assert fs.tables.grant.name() is None
        assert (fs.plan.sources(), fs.measures.observations(), fs.years.list()) == ([], [], [])


def test_the_example_folder_holds_its_plan(tmp_path):
    with fsgrant.open(tmp_path / "cambs.db") as fs:
        counts = fs.load(example_ledger_path())
        assert (
            counts.measures,
            counts.measure_targets,
            counts.plan_sources,
            counts.plan_funding,
            counts.plan_costs,
        ) == (2, 2, 5, 12, 6)
    # The command line loads the same folder and reports on it.
    run = CliRunner()
    db = str(tmp_path / "cli.db")
    r = run.invoke(app, ["--db", db, "load", str(example_ledger_path())])
    assert r.exit_code == 0, r.output
    assert "5 plan sources, 12 plan funding, 6 plan costs" in r.output
    r = run.invoke(
        app, ["--db", db, "report", "sustainability", "--as-at", "2020-03-31", "-f", "json"]
    )
    assert r.exit_code == 0, r.output
    years = {y["financial_year"]: y for y in json.loads(r.output)["years"]}
    # FY2022/23: the target 670 children in care, (739 - 670) x 3,500.00 = 241,500.00;
    # council base 300,000.00 and partners 100,000.00: 641,500.00.
    assert years["FY2022/23"]["funding"] == {
        "council-base": "300000.00",
        "partners": "100000.00",
        "care-savings": "241500.00",
    }
    # FY2023/24: (739 - 560) x 3,500.00 = 179 x 3,500.00 = 626,500.00.
    assert years["FY2023/24"]["funding"]["care-savings"] == "626500.00"
    # The police's and the NHS's savings (illustrative, 25,000.00 and 40,000.00 in
    # FY2022/23) are shown by beneficiary, not counted toward the council's gap.
    assert years["FY2022/23"]["savings_by_beneficiary"] == {
        "council": "241500.00",
        "police": "25000.00",
        "health": "40000.00",
    }
    # Workbook licence 40,000.00 + MI refresher 20,000.00 a year after the grant.
    assert [years[fy]["other_cost"] for fy in ("FY2021/22", "FY2022/23", "FY2023/24")] == [
        "60000.00"
    ] * 3


def test_the_example_plan_files_say_what_is_illustrative():
    folder = example_ledger_path()
    for name in ("plan_sources.csv", "plan_funding.csv", "plan_costs.csv"):
        comments = [
            line for line in (folder / name).read_text().splitlines() if line.startswith("#")
        ]
        assert any("ILLUSTRATIVE" in c for c in comments), name
    comments = (folder / "measures.csv").read_text().splitlines()[0]
    assert comments.startswith("#") and "report's own" in comments


# ---------------------------------------------------------------- the double-count check
def _year(label, cost, grant, funding):
    """A plan year from its cost, grant and funding (gap and funded % worked out)."""
    total = sum((D(v) for v in funding.values()), D("0.00"))
    return SustainabilityYear(
        financial_year=label,
        posts_cost=D(cost),
        other_cost=D("0.00"),
        total_cost=D(cost),
        grant=D(grant),
        funding={k: D(v) for k, v in funding.items()},
        funding_total=total,
        gap=D(cost) - D(grant) - total,
        funded_pct=None,
    )


def test_check_warns_when_grant_and_funding_exceed_a_years_cost():
    plan = (
        # 80,000.00 + 30,000.00 = 110,000.00: 10,000.00 over the cost of 100,000.00.
        _year("FY2020/21", "100000.00", "80000.00", {"council": "30000.00"}),
        # 40,000.00 + 60,000.00 = 100,000.00: exactly the cost, co-funding, no warning.
        _year("FY2021/22", "100000.00", "40000.00", {"council": "60000.00"}),
        # No grant in the year: a surplus of funding is not the grant counted twice.
        _year("FY2022/23", "100000.00", "0.00", {"council": "120000.00"}),
        # The grant alone above the plan's cost (it pays for what the plan does not
        # cost, such as training in its own years): no funding, no warning.
        _year("FY2019/20", "100000.00", "150000.00", {"council": "0.00"}),
        # One penny over: 0.01 + 100,000.00 = 100,000.01.
        _year("FY2023/24", "100000.00", "0.01", {"council": "50000.00", "nhs": "50000.00"}),
    )
    facts = LedgerFacts(
        day=date(2021, 3, 31),
        years=[],
        spend_days=[],
        figures={},
        original={},
        latest={},
        received={},
        posts=[],
        plan=plan,
    )
    found = run_checks(facts)
    assert [(f.severity, f.code, f.subject) for f in found] == [
        ("warning", "grant-and-funding-over-cost", "FY2020/21"),
        ("warning", "grant-and-funding-over-cost", "FY2023/24"),
    ]
    assert found[0].message.startswith(
        "FY2020/21: the grant's outturn of 80000.00 and the plan's funding of 30000.00 "
        "come to 110000.00, 10000.00 more than the model's cost of 100000.00"
    )
    assert "0.01 more than the model's cost of 100000.00" in found[1].message


def test_fs_check_reads_the_plan_and_names_the_year(tmp_path):
    folder = _folder(
        tmp_path,
        **{
            "plan_funding.csv": "source,financial_year,amount,set_on\n"
            "council,FY2019/20,10000.00,2020-01-01\n"
            "council,FY2020/21,24000.00,2020-01-01\n",
            "plan_costs.csv": "category,financial_year,amount\n",
        },
    )
    with fsgrant.open(tmp_path / "g.db") as fs:
        fs.load(folder)
        found = [f for f in fs.check("2020-03-31") if f.code == "grant-and-funding-over-cost"]
    # FY2019/20: post A costs 1,548.39 (16/31 of October) + 5 x 3,000.00 = 16,548.39;
    # the grant's outturn dated in the year is the 10,000.00 spent in November; with the
    # council's 10,000.00 that is 20,000.00, 3,451.61 over the cost.
    # FY2020/21: A 12 x 3,000.00 = 36,000.00; the grant's forecast April-July 2020,
    # 4 x 3,000.00 = 12,000.00, and the council's 24,000.00 make exactly 36,000.00.
    assert [(f.subject, f.severity) for f in found] == [("FY2019/20", "warning")]
    assert "come to 20000.00, 3451.61 more than the model's cost of 16548.39" in found[0].message
    run = CliRunner()
    db = str(tmp_path / "g.db")
    r = run.invoke(app, ["--db", db, "check", "--as-at", "2020-03-31", "--format", "json"])
    # a warning: check exits 0
    assert r.exit_code == 0, r.output
    codes = {(f["code"], f["subject"]) for f in json.loads(r.output)["findings"]}
    assert ("grant-and-funding-over-cost", "FY2019/20") in codes


def test_a_plan_too_long_to_report_is_a_warning_not_a_crash(tmp_path):
    with fsgrant.open(tmp_path / "g.db") as fs:
        fs.init("Family Safeguarding", "Department for Education", "A council")
        fs.years.add("2019/20", "120000.00", "2019-08-01")
        # Each year moves the horizon on: 25 years after 31 July 2050, then 2075.
        fs.years.add("2049/50", "1.00", "2049-08-01")
        fs.years.add("2074/75", "1.00", "2074-08-01")
        fs.plan.add_source("council", "base-budget")
        # FY2019/20 to FY2099/00 is 81 financial years: more than a report covers (60),
        # so the report runs FY2019/20 to FY2078/79 and the check says what it left out.
        fs.plan.fund("council", "FY2099/00", "1000.00", on="2020-01-01")
        report = fs.plan.report(as_at="2020-03-31")
        found = fs.check("2020-03-31")
    assert (report.years[0].financial_year, report.years[-1].financial_year) == (
        "FY2019/20",
        "FY2078/79",
    )
    assert [(f.severity, f.code) for f in found] == [("warning", "plan-not-checked")]
    assert (
        "checked to FY2078/79" in found[0].message and "FY2099/00 not checked" in found[0].message
    )


def test_the_plan_and_the_forecast_use_every_post_record_whatever_the_as_at_date(tmp_path):
    # A pay award effective 1 June 2020 (and recorded after 31 March 2020, since every
    # record here is typed today): one rule for the forecast and the plan, every post
    # record counts, as at any date.
    folder = _folder(
        tmp_path,
        **{
            "post_changes.csv": "post,effective,reason,annual_cost\nA,2020-06-01,pay award,48000.00\n"
        },
    )
    with fsgrant.open(tmp_path / "g.db") as fs:
        fs.load(folder)
        r = fs.plan.report(to_fy="FY2021/22", as_at="2020-03-31")
        summary = fs.reports.summary("2020-03-31").funding_years[0]
    rows = {y.financial_year: y for y in r.years}
    # FY2020/21: April and May 2 x 3,000.00, June to March 10 x 4,000.00 = 46,000.00.
    assert rows["FY2020/21"].posts_cost == D("46000.00")
    # FY2021/22: April to September (A ends 30 September 2021) 6 x 4,000.00.
    assert rows["FY2021/22"].posts_cost == D("24000.00")
    # The grant's forecast April-July 2020: 2 x 3,000.00 + 2 x 4,000.00 = 14,000.00, in
    # the plan's grant column and in the summary's forecast remaining alike.
    assert rows["FY2020/21"].grant == D("14000.00")
    assert summary.forecast_remaining == D("14000.00")


def test_the_returns_sustainability_sheet_shows_savings_to_partners(tmp_path):
    # The example's illustrative police savings: 20,000.00 + 25,000.00 + 25,000.00 =
    # 70,000.00 (FY2021/22 to FY2023/24), the NHS's 35,000.00 + 40,000.00 + 40,000.00 =
    # 115,000.00: shown beside the plan, not in its funding total.
    from openpyxl import load_workbook

    with fsgrant.open(tmp_path / "cambs.db") as fs:
        fs.load(example_ledger_path())
        path = fs.exports.write_return("2019/20", "2020-03-31", out=tmp_path / "r.xlsx")
    wb = load_workbook(path, read_only=True)
    rows = [r for r in wb["Sustainability"].iter_rows(values_only=True) if r and r[0]]
    wb.close()
    header = next(r for r in rows if r[0] == "Financial year")
    total = next(r for r in rows if r[0] == "Total")
    police = header.index("Savings to police (not counted)")
    health = header.index("Savings to health (not counted)")
    assert (total[police], total[health]) == (70000, 115000)
    fy22 = next(r for r in rows if r[0] == "FY2022/23")
    assert (fy22[police], fy22[health]) == (25000, 40000)
