"""The onward-sustainability plan: figures worked out by hand in the comments."""

from __future__ import annotations

from decimal import Decimal

import pytest

import fsgrant
from fsgrant.domain.sustainability import (
    first_year_after,
    funded_pct,
    measure_level,
    savings_amount,
    sustainable_from,
)
from fsgrant.errors import Conflict, InvalidInput, NotFound, PeriodClosed

D = Decimal


def _ledger(path):
    """A grant of one funding year (1 Aug 2019 - 31 Jul 2020) and three posts:

    * A: £36,000 a year (3,000.00 a month), planned from Wednesday 16 October 2019,
      ending 30 September 2021;
    * B: blocked from 1 December 2019 with no expected start: never costs;
    * C: £48,000 at 0.5 FTE (2,000.00 a month), blocked from 1 December 2019 but
      expected to start 10 February 2021, no end date: runs on past the grant.
    """
    fs = fsgrant.open(path)
    fs.init("Family Safeguarding", "Department for Education", "A council")
    fs.years.add("2019/20", "120000.00", "2019-08-01")
    fs.posts.add(
        "A",
        role="domestic-abuse",
        host="council",
        fte="1",
        annual_cost="36000.00",
        planned_start="2019-10-16",
        end="2021-09-30",
    )
    fs.posts.add(
        "B",
        role="probation",
        host="NPS",
        fte="1",
        annual_cost="24000.00",
        planned_start="2020-01-01",
    )
    fs.posts.set_status("B", "blocked", "2019-12-01", reason="TUPE transfer")
    fs.posts.add(
        "C",
        role="probation",
        host="NPS",
        fte="0.5",
        annual_cost="48000.00",
        planned_start="2020-01-01",
    )
    fs.posts.set_status(
        "C", "blocked", "2019-12-01", reason="TUPE transfer", expected_start="2021-02-10"
    )
    fs.spend.add("2019-11-14", "10000.00", "training")
    fs.spend.add("2020-05-01", "2500.00", "training")
    return fs


def _plan(fs):
    fs.measures.add("children-in-care", "2020-02-04", "739")
    fs.measures.add("children-in-care", "2021-06-30", "700")
    fs.measures.add("children-in-care", "2021-12-31", "681")
    fs.measures.target("children-in-care", "FY2022/23", "670", on="2021-01-01")
    fs.measures.target("children-in-care", "FY2022/23", "660", on="2022-01-01")
    # Sources are decisions dated when they join the plan (default today).
    fs.plan.add_source(
        "council", "base-budget", description="children's services base", on="2021-01-01"
    )
    fs.plan.add_source(
        "care-savings",
        "savings",
        measure="children-in-care",
        baseline="739",
        unit_cost="123.45",
        on="2021-01-01",
    )
    fs.plan.fund("council", "FY2021/22", "5000.00", on="2021-01-01")
    fs.plan.fund("council", "FY2022/23", "10000.00", on="2021-01-01")
    fs.plan.fund("council", "FY2022/23", "16000.00", on="2022-03-01", note="budget round")
    fs.plan.cost("training", "FY2021/22", "1000.00", on="2021-01-01")
    fs.plan.cost("training", "FY2022/23", "1000.00", on="2021-01-01")


def test_the_posts_run_rate_through_several_financial_years(tmp_path):
    with _ledger(tmp_path / "g.db") as fs:
        r = fs.plan.report(to_fy="FY2022/23", as_at="2022-06-01")
        costs = {y.financial_year: y.posts_cost for y in r.years}
    assert costs == {
        # A: October 16 of 31 days, 3,000 x 16/31 = 1,548.387 -> 1,548.39; then
        # November-March 5 x 3,000.00. B and C blocked: nothing.
        "FY2019/20": D("16548.39"),
        # A: 12 x 3,000.00 = 36,000.00; C from 10 February 2021: 19 of 28 days,
        # 2,000 x 19/28 = 1,357.142 -> 1,357.14, then March 2,000.00.
        "FY2020/21": D("39357.14"),
        # A: April-September 6 x 3,000.00 (ends 30 September); C: 12 x 2,000.00.
        "FY2021/22": D("42000.00"),
        # C alone, running on after the grant: 12 x 2,000.00. A has ended.
        "FY2022/23": D("24000.00"),
    }


def test_the_plan_closes_the_gap_in_a_later_year(tmp_path):
    with _ledger(tmp_path / "g.db") as fs:
        _plan(fs)
        r = fs.plan.report(as_at="2022-06-01")
    rows = {y.financial_year: y for y in r.years}
    # Default range: the year the grant starts to the last year the plan names.
    assert list(rows) == ["FY2019/20", "FY2020/21", "FY2021/22", "FY2022/23"]
    y1, y2, y3, y4 = rows.values()
    # The grant's period has ended: its outturn is its actual spend, by date.
    assert (y1.grant, y2.grant, y3.grant, y4.grant) == (
        D("10000.00"),
        D("2500.00"),
        D("0.00"),
        D("0.00"),
    )
    # FY2019/20: the level is the one observation, 739: no saving.
    assert y1.funding == {"council": D("0.00"), "care-savings": D("0.00")}
    # gap 16,548.39 - 10,000.00 = 6,548.39; funded 10,000 / 16,548.39 = 60.43%.
    assert (y1.gap, y1.funded_pct) == (D("6548.39"), D("60.4"))
    # FY2020/21: nothing observed, no target: no saving. 2,500 / 39,357.14 = 6.35%.
    assert (y2.funding_total, y2.gap, y2.funded_pct) == (D("0.00"), D("36857.14"), D("6.4"))
    # FY2021/22: mean of 700 and 681 = 690.5; (739 - 690.5) x 123.45 = 5,987.325,
    # half-up 5,987.33 (banker's rounding would give 5,987.32).
    assert y3.funding == {"council": D("5000.00"), "care-savings": D("5987.33")}
    assert (y3.other_cost, y3.total_cost) == (D("1000.00"), D("43000.00"))
    # gap 43,000.00 - 10,987.33 = 32,012.67; 10,987.33 / 43,000 = 25.55%.
    assert (y3.funding_total, y3.gap, y3.funded_pct) == (D("10987.33"), D("32012.67"), D("25.6"))
    # FY2022/23: the target revised to 660 on 1 January 2022: 79 x 123.45 = 9,752.55;
    # the council's funding revised to 16,000.00 on 1 March 2022.
    assert y4.funding == {"council": D("16000.00"), "care-savings": D("9752.55")}
    # cost 24,000 + 1,000 = 25,000.00; gap 25,000 - 25,752.55 = -752.55; 103.01%.
    assert (y4.total_cost, y4.gap, y4.funded_pct) == (D("25000.00"), D("-752.55"), D("103.0"))
    assert r.sustainable_from == "FY2022/23"
    assert r.first_year_after_grant is not None
    # The grant ends 31 July 2020, inside FY2020/21: the first year after is FY2021/22.
    assert r.first_year_after_grant.financial_year == "FY2021/22"


def test_as_at_an_earlier_date_the_originals_stand_and_the_gap_stays_open(tmp_path):
    with _ledger(tmp_path / "g.db") as fs:
        _plan(fs)
        r = fs.plan.report(as_at="2021-06-01")
    y3, y4 = r.years[2], r.years[3]
    # No observation of FY2021/22 yet (the first is 30 June 2021): no saving.
    assert y3.funding["care-savings"] == D("0.00")
    # The original target 670: 69 x 123.45 = 8,518.05; the original 10,000.00.
    assert y4.funding == {"council": D("10000.00"), "care-savings": D("8518.05")}
    # gap 25,000.00 - 18,518.05 = 6,481.95: never closed in the range.
    assert y4.gap == D("6481.95")
    assert r.sustainable_from is None
    # Both records kept: the revision beside the original.
    with fsgrant.open(tmp_path / "g.db") as fs:
        kept = [
            (f.amount, f.original) for f in fs.plan.funding() if f.financial_year == "FY2022/23"
        ]
    assert kept == [(D("10000.00"), True), (D("16000.00"), False)]


def test_the_grant_column_includes_the_forecast_and_reconciles(tmp_path):
    with _ledger(tmp_path / "g.db") as fs:
        r = fs.plan.report(as_at="2020-03-31")
        outturn = fs.reports.summary(as_at="2020-03-31").funding_years[0]
    grant = {y.financial_year: y.grant for y in r.years}
    # Actual to 31 March 2020: 10,000.00 (the May line is later). Forecast April-July
    # 2020: post A 4 x 3,000.00 = 12,000.00 (B and C blocked, training has no estimate).
    assert grant["FY2019/20"] == D("10000.00")
    assert grant["FY2020/21"] == D("12000.00")
    # 10,000 + 12,000: the total forecast outturn of the grant.
    assert outturn.forecast_outturn == D("22000.00")


def test_savings_rules_by_hand():
    # 739 - 560 = 179 children fewer, at 1,000.005: 179,000.895 -> 179,000.90.
    assert savings_amount(D("739"), D("560"), D("1000.005")) == D("179000.90")
    # A level above the baseline saves nothing; no level, nothing.
    assert savings_amount(D("739"), D("750"), D("100")) == D("0.00")
    assert savings_amount(D("739"), None, D("100")) == D("0.00")
    assert measure_level(D("670"), [D("1"), D("2")]) == D("670")
    assert measure_level(None, [D("581"), D("560"), D("555")]) == D("565.3333333333333333333333333")
    assert measure_level(None, []) is None
    assert funded_pct(D("0.00"), D("10.00")) is None
    # 1 / 8 = 12.5% exactly; 1 / 3 = 33.33...% -> 33.3.
    assert funded_pct(D("8"), D("1")) == D("12.5")
    assert funded_pct(D("3"), D("1")) == D("33.3")
    assert sustainable_from([("a", D("1")), ("b", D("0")), ("c", D("-1"))]) == "b"
    assert sustainable_from([("a", D("-1")), ("b", D("1")), ("c", D("-1"))]) == "c"
    assert sustainable_from([("a", D("-1")), ("b", D("1"))]) is None
    assert sustainable_from([]) is None
    from datetime import date

    assert first_year_after(date(2021, 3, 31)) == "FY2021/22"
    assert first_year_after(date(2021, 7, 31)) == "FY2022/23"


def test_bad_input_is_refused_and_nothing_stored(tmp_path):
    with _ledger(tmp_path / "g.db") as fs:
        fs.plan.add_source("council", "base-budget")
        with pytest.raises(InvalidInput, match="kind"):
            fs.plan.add_source("x", "lottery")
        with pytest.raises(Conflict):
            fs.plan.add_source("council", "partner")
        with pytest.raises(NotFound):
            fs.plan.add_source("s", "savings", measure="nope", baseline="1", unit_cost="1.00")
        fs.measures.add("cp-plans", "2019-04-30", "581")
        with pytest.raises(InvalidInput, match="savings"):
            fs.plan.add_source("p", "partner", measure="cp-plans", baseline="1", unit_cost="1")
        with pytest.raises(InvalidInput, match="together"):
            fs.plan.add_source("s", "savings", measure="cp-plans")
        with pytest.raises(InvalidInput, match="floating"):
            fs.measures.add("cp-plans", "2019-05-31", 570.5)
        with pytest.raises(InvalidInput, match="negative"):
            fs.measures.add("cp-plans", "2019-05-31", "-1")
        with pytest.raises(InvalidInput, match="financial year"):
            fs.plan.fund("council", "2021/22", "1.00")
        with pytest.raises(InvalidInput):
            fs.plan.fund("council", "FY2021/22", 1.5)
        with pytest.raises(InvalidInput, match="negative"):
            fs.plan.fund("council", "FY2021/22", "-1.00")
        with pytest.raises(NotFound):
            fs.plan.fund("nobody", "FY2021/22", "1.00")
        with pytest.raises(InvalidInput, match="post"):
            fs.plan.cost("staffing", "FY2021/22", "1.00")
        fs.plan.add_source("s", "savings", measure="cp-plans", baseline="581", unit_cost="10")
        with pytest.raises(Conflict, match="measure"):
            fs.plan.fund("s", "FY2021/22", "1.00")
        with pytest.raises(InvalidInput, match="before"):
            fs.plan.report(from_fy="FY2022/23", to_fy="FY2021/22")
        assert fs.plan.funding() == [] and fs.plan.costs() == []
        assert [o.value for o in fs.measures.observations()] == [D("581")]


def test_a_closed_period_freezes_plan_records_dated_in_it(tmp_path):
    with _ledger(tmp_path / "g.db") as fs:
        fs.plan.add_source("council", "base-budget")
        fs.periods.close("2019/20", "2020-03-31", "Q4 return")
        with pytest.raises(PeriodClosed):
            fs.plan.fund("council", "FY2022/23", "1.00", on="2020-03-01")
        with pytest.raises(PeriodClosed):
            fs.plan.cost("training", "FY2022/23", "1.00", on="2020-03-31")
        # An observation is never refused: published statistics arrive months later.
        fs.measures.add("children-in-care", "2020-02-04", "739")
        with pytest.raises(PeriodClosed):
            fs.measures.target("children-in-care", "FY2022/23", "670", on="2020-01-01")
        # Dated after the closed date: accepted.
        fs.plan.fund("council", "FY2022/23", "1.00", on="2020-04-01")
        assert len(fs.plan.funding()) == 1


def test_plan_tables_are_append_only_and_in_the_fingerprint(tmp_path):
    import sqlite3

    with _ledger(tmp_path / "g.db") as fs:
        before = fs.exports.fingerprint()
        fs.plan.add_source("council", "base-budget")
        fs.plan.fund("council", "FY2022/23", "1.00", on="2021-01-01")
        assert fs.exports.fingerprint() != before
        assert not [f for f in fs.doctor() if f.problem]
        actions = [e.action for e in fs.audit.log()][-2:]
    assert actions == ["plan.source.add", "plan.fund"]
    raw = sqlite3.connect(tmp_path / "g.db")
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute("UPDATE plan_funding SET amount_pence = 200")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute("DELETE FROM plan_sources")
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute(
                "INSERT INTO plan_funding (source, financial_year, amount_pence, set_on,"
                " recorded_at, recorded_by) VALUES ('council', 'FY2022/23', 1.5,"
                " '2021-01-01', 'x', 'y')"
            )
    finally:
        raw.close()


def test_the_return_has_a_sustainability_sheet_that_verify_checks(tmp_path):
    from openpyxl import load_workbook

    with _ledger(tmp_path / "g.db") as fs:
        _plan(fs)
        path = fs.exports.write_return("2019/20", "2022-06-01", out=tmp_path / "r.xlsx")
        assert fs.exports.verify(path).ledger_matches
        assert fs.exports.verify(path).changes == ()
        wb = load_workbook(path)
        ws = wb["Sustainability"]
        rows = [tuple(c.value for c in r) for r in ws.iter_rows(min_row=4)]
        header = rows[0]
        assert header[:5] == ("Financial year", "Posts cost", "Other cost", "Total cost", "Grant")
        assert header[5:] == (
            "Funding: council",
            "Funding: care-savings",
            "Funding total",
            "Grant + funding",
            "Gap",
            "Funded %",
        )
        by_year = {r[0]: r for r in rows[1:5]}
        # FY2022/23 as worked out above: 25,000.00 cost, 16,000.00 + 9,752.55 funding,
        # gap -752.55, 103.0% (a number 1.03 in a percent format).
        fy = by_year["FY2022/23"]
        assert fy[3] == 25000 and fy[5] == 16000 and fy[6] == pytest.approx(9752.55)
        assert fy[9] == pytest.approx(-752.55) and fy[10] == pytest.approx(1.03)
        # Totals row: total cost 16,548.39 + 39,357.14 + 43,000.00 + 25,000.00.
        assert rows[5][0] == "Total" and rows[5][3] == pytest.approx(123905.53)
        assert len(ws._charts) == 1  # noqa: SLF001 (openpyxl lists a sheet's charts only here)
        wb.close()
        # A later revision moves the plan: verify names the sheet.
        fs.plan.fund("council", "FY2022/23", "1000.00", on="2022-05-01")
        found = {c.sheet for c in fs.exports.verify(path).changes}
    assert "Sustainability" in found


def test_cli_plan_and_measure_commands_and_the_json_contract(tmp_path):
    import json

    from typer.testing import CliRunner

    from fsgrant.cli import app

    db = tmp_path / "g.db"
    _ledger(db).close()
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, ["--db", str(db), *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("measure", "add", "children-in-care", "04/02/2020", "739", "--note", "report")
    run("measure", "target", "children-in-care", "FY2021/22", "560", "--on", "2020-03-01")
    out = run(
        "plan",
        "source",
        "add",
        "care",
        "--kind",
        "savings",
        "--measure",
        "children-in-care",
        "--baseline",
        "739",
        "--unit-cost",
        "100.00",
        "--on",
        "01/03/2020",
    )
    assert "Added source care" in out
    run("plan", "source", "add", "council", "--kind", "base-budget", "--on", "2020-03-01")
    assert "original" in run(
        "plan", "fund", "council", "FY2021/22", "£1,000.00", "--on", "2020-03-01"
    )
    assert "original" in run(
        "plan", "cost", "training", "FY2021/22", "500.00", "--on", "2020-03-01"
    )
    data = json.loads(
        run(
            "report",
            "sustainability",
            "--from",
            "FY2021/22",
            "--to",
            "FY2021/22",
            "--as-at",
            "2020-03-31",
            "-f",
            "json",
        )
    )
    assert data == {
        "as_at": "2020-03-31",
        "years": [
            {
                "financial_year": "FY2021/22",
                # Post A April-September 6 x 3,000.00 + post C 12 x 2,000.00.
                "posts_cost": "42000.00",
                "other_cost": "500.00",
                "total_cost": "42500.00",
                "grant": "0.00",
                # (739 - 560) x 100.00 = 17,900.00.
                "funding": {"care": "17900.00", "council": "1000.00"},
                "funding_total": "18900.00",
                "gap": "23600.00",
                # 18,900 / 42,500 = 44.47%.
                "funded_pct": "44.5",
                # The savings source names no beneficiary: the council's.
                "savings_by_beneficiary": {"council": "17900.00"},
            }
        ],
        "sustainable_from": None,
    }
    table = run("report", "sustainability", "--as-at", "2020-03-31")
    assert "does not close the gap" in table
    bad = runner.invoke(app, ["--db", str(db), "plan", "fund", "council", "2021", "1.00"])
    assert bad.exit_code == 2
    assert "not a financial year label" in bad.output
    bad = runner.invoke(app, ["--db", str(db), "measure", "add", "x", "2020-13-01", "1"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_the_original_plan_funding_is_the_earliest_dated(tmp_path):
    # A revision recorded first but dated later, then a backdated figure: the original
    # is the earliest-dated one (the rule of time), not the first recorded.
    with _ledger(tmp_path / "g.db") as fs:
        fs.plan.add_source("council", "base-budget", on="2020-01-01")
        fs.plan.fund("council", "FY2022/23", "2000.00", on="2021-06-01")
        fs.plan.fund("council", "FY2022/23", "1000.00", on="2020-06-01")
        got = [(f.amount, f.original) for f in fs.plan.funding()]
    assert got == [(D("1000.00"), True), (D("2000.00"), False)]
