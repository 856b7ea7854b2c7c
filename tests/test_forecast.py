"""Spend against estimates: forecast outturn, variance, profile, spend views, checks.

The scenario, as a programme lead would put it:

    2019/20: award 100,000.00, 1 August 2019 - 31 July 2020, confirmed.
    2020/21: award  50,000.00, 1 August 2020 - 31 July 2021, in principle.
    Original estimates for 2019/20 (set 1 August 2019): staffing 60,000.00, training 20,000.00.
    Revised training estimate 24,000.00 set on 15 January 2020.
    Post P1 (staffing): 36,000.00 a year at 1.0 FTE, in post from 1 October 2019:
        3,000.00 a month.
    Spend: P1 payroll 3,000.00 on 31 Oct, 30 Nov and 31 Dec 2019;
           training 5,000.00 on 15 November 2019.

Staffing is post-driven (P1 names it); training is estimate-driven.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.domain.forecast import RagThresholds, rag_for, variance_pct
from fsgrant.errors import Conflict, InvalidInput

D = Decimal


def build(path) -> fsgrant.Ledger:
    led = fsgrant.open(path)
    led.init("FS", "DfE", "Council")
    led.years.add("2019/20", "100000.00", "2019-08-01")
    led.years.add("2020/21", "50000.00", "2020-08-01", status="in-principle")
    led.estimates.set("2019/20", "staffing", "60000.00", on="2019-08-01")
    led.estimates.set("2019/20", "training", "20000.00", on="2019-08-01")
    led.estimates.set("2019/20", "training", "24000.00", on="2020-01-15", reason="virement")
    led.posts.add(
        "P1",
        role="domestic-abuse",
        host="Council",
        fte="1",
        annual_cost="36000.00",
        planned_start="2019-10-01",
    )
    led.posts.set_status("P1", "in-post", "2019-10-01")
    for day in ("2019-10-31", "2019-11-30", "2019-12-31"):
        led.spend.add(day, "3000.00", "staffing", post="P1")
    led.spend.add("2019-11-15", "5000.00", "training")
    return led


@pytest.fixture
def led(tmp_path):
    ledger = build(tmp_path / "s.db")
    return ledger


def lines(report):
    return {x.category: x for x in report.lines}


def test_post_driven_next_to_estimate_driven(led):
    v = led.reports.variance("2019/20", "2019-12-31")
    staffing, training = lines(v)["staffing"], lines(v)["training"]
    # Staffing (post-driven): actual 3 x 3000 = 9000.00; forecast January - July 2020,
    # 7 x 3000 = 21000.00; outturn 30000.00; against 60000.00: -30000.00, -50.0%, red.
    assert (staffing.actual, staffing.forecast_remaining, staffing.outturn) == (
        D("9000.00"),
        D("21000.00"),
        D("30000.00"),
    )
    assert not staffing.forecast_assumed
    assert (staffing.variance, staffing.variance_pct, staffing.rag) == (
        D("-30000.00"),
        D("-50.0"),
        "red",
    )
    # Training (no forecast set): the latest estimate as at 31 December is still the
    # original 20000.00 (the revision is dated 15 January): 20000 - 5000 = 15000.00, assumed.
    assert training.forecast_remaining == D("15000.00")
    assert training.forecast_assumed
    assert (training.outturn, training.variance, training.rag) == (
        D("20000.00"),
        D("0.00"),
        "green",
    )
    # Totals are the sums of the lines: estimate 80000; actual 14000; forecast 36000;
    # outturn 50000; variance -30000 = -37.5%. Award 100000 - 50000 = 50000.00 at risk.
    t = v.totals
    assert (t.estimate_original, t.actual, t.forecast_remaining, t.outturn) == (
        D("80000.00"),
        D("14000.00"),
        D("36000.00"),
        D("50000.00"),
    )
    assert (t.variance, t.variance_pct) == (D("-30000.00"), D("-37.5"))
    assert (v.underspend_at_risk, v.overspend) == (D("50000.00"), D("0.00"))
    data = v.model_dump(mode="json")
    assert set(data) >= {"funding_year", "as_at", "period", "award", "lines", "totals"}
    assert data["lines"][0].keys() >= {
        "category", "estimate_original", "estimate_revised", "actual", "forecast_remaining",
        "forecast_assumed", "outturn", "variance", "variance_pct", "rag",
    }  # fmt: skip
    assert data["totals"]["variance_pct"] == "-37.5"


def test_against_revised_estimate(led):
    # As at 31 January 2020 the revised training estimate (24000.00, 15 January) is the
    # latest: forecast 24000 - 5000 = 19000.00; outturn 24000.00.
    # Against the original 20000.00: +4000.00 = +20.0%, red; against the revision: 0, green.
    orig = lines(led.reports.variance("2019/20", "2020-01-31"))["training"]
    rev = lines(led.reports.variance("2019/20", "2020-01-31", against="revised"))["training"]
    assert orig.outturn == rev.outturn == D("24000.00")
    assert (orig.variance, orig.variance_pct, orig.rag) == (D("4000.00"), D("20.0"), "red")
    assert (rev.variance, rev.variance_pct, rev.rag) == (D("0.00"), D("0.0"), "green")
    with pytest.raises(InvalidInput):
        led.reports.variance("2019/20", "2020-01-31", against="hoped-for")


def test_forecast_set_replaces_the_assumption_from_its_date(led):
    led.forecasts.set("2019/20", "training", "8000.00", on="2020-01-20", note="two cohorts left")
    # Before it was set: assumed, 24000 (revised) - 5000 = 19000.00 (as at 19 January).
    before = lines(led.reports.variance("2019/20", "2020-01-19"))["training"]
    assert (before.forecast_remaining, before.forecast_assumed) == (D("19000.00"), True)
    # From 20 January: 8000.00 as set; outturn 5000 + 8000 = 13000.00.
    after = lines(led.reports.variance("2019/20", "2020-01-31"))["training"]
    assert (after.forecast_remaining, after.forecast_assumed, after.outturn) == (
        D("8000.00"),
        False,
        D("13000.00"),
    )
    # Staffing follows its posts: a forecast cannot be set for it.
    with pytest.raises(InvalidInput, match="post"):
        led.forecasts.set("2019/20", "staffing", "1.00", on="2020-01-20")


def test_actual_includes_reversals_and_only_lines_on_or_before_as_at(led):
    line = led.spend.add("2020-02-10", "4000.00", "training")
    led.spend.reverse(line.id, "keyed twice")
    # As at 9 February the line does not count; as at 29 February it and its reversal
    # net to zero: training actual stays 5000.00.
    assert lines(led.reports.variance("2019/20", "2020-02-09"))["training"].actual == D("5000.00")
    assert lines(led.reports.variance("2019/20", "2020-02-29"))["training"].actual == D("5000.00")


def test_as_at_dates_before_and_after_a_variation(led):
    led.years.vary(
        "2019/20", agreed_on="2020-02-14", reason="envelope moved back", end="2021-03-31"
    )
    # As at 13 February (not yet agreed): 2019/20 ends 31 July 2020. P1 costs after the
    # as-at date: February 14-29 = 16 of 29 days -> 3000 x 16 / 29 = 1655.172 -> 1655.17,
    # plus March - July 5 x 3000 = 15000 -> 16655.17.
    before = lines(led.reports.variance("2019/20", "2020-02-13"))["staffing"]
    assert before.forecast_remaining == D("16655.17")
    # As at 14 February (agreed that day): 2019/20 ends 31 March 2021. February 15-29 =
    # 15 of 29 days -> 3000 x 15 / 29 = 1551.724 -> 1551.72, plus March 2020 - March 2021
    # 13 x 3000 = 39000 -> 40551.72.
    after = lines(led.reports.variance("2019/20", "2020-02-14"))["staffing"]
    assert after.forecast_remaining == D("40551.72")
    # 2020/21 now takes only April - July 2021 (earliest start wins on the overlap):
    # 4 x 3000 = 12000.00; before the variation, all of August 2020 - July 2021: 36000.00.
    s_before = {y.label: y for y in led.reports.summary("2020-02-13").funding_years}
    s_after = {y.label: y for y in led.reports.summary("2020-02-14").funding_years}
    assert s_before["2020/21"].forecast_remaining == D("36000.00")
    assert s_after["2020/21"].forecast_remaining == D("12000.00")
    assert s_after["2020/21"].secure is False and s_after["2019/20"].secure is True


def test_underspend_and_overspend(led):
    # As at 31 December: outturn 50000.00 (worked above) -> 50000.00 at risk, no overspend.
    y = {r.label: r for r in led.reports.summary("2019-12-31").funding_years}["2019/20"]
    assert (y.forecast_outturn, y.underspend_at_risk, y.overspend) == (
        D("50000.00"),
        D("50000.00"),
        D("0.00"),
    )
    # Training forecast set to 80000.00: outturn 9000 + 21000 + 5000 + 80000 = 115000.00,
    # 15000.00 over the 100000.00 award: overspend 15000.00, nothing at risk.
    led.forecasts.set("2019/20", "training", "80000.00", on="2019-12-31")
    y = {r.label: r for r in led.reports.summary("2019-12-31").funding_years}["2019/20"]
    assert (y.forecast_outturn, y.underspend_at_risk, y.overspend) == (
        D("115000.00"),
        D("0.00"),
        D("15000.00"),
    )
    codes = [f.code for f in led.check("2019-12-31")]
    assert codes == ["forecast-overspend"]


def test_no_forecast_after_the_period_ends(led):
    # As at 31 July 2020 (the last day) nothing remains: outturn = actual = 14000.00.
    v = led.reports.variance("2019/20", "2020-07-31")
    assert v.totals.forecast_remaining == D("0.00")
    assert v.totals.outturn == D("14000.00")


def test_financial_year_split_of_a_funding_year(led):
    led.spend.add("2020-05-29", "3000.00", "staffing", post="P1")
    # Funding year 2019/20 (Aug - Jul) straddles two council financial years:
    # FY2019/20 (to 31 March 2020): 9000 + 5000 = 14000.00; FY2020/21: 3000.00.
    fy = led.reports.spend("financial-year")
    assert [(r.key, r.amount) for r in fy.rows] == [
        ("FY2019/20", D("14000.00")),
        ("FY2020/21", D("3000.00")),
    ]
    assert fy.total == D("17000.00")
    # The same spend by funding year: all 17000.00 in 2019/20.
    assert [(r.key, r.amount) for r in led.reports.spend("funding-year").rows] == [
        ("2019/20", D("17000.00"))
    ]
    # By post, month, category, and between dates.
    assert [(r.key, r.amount) for r in led.reports.spend("post").rows] == [
        ("(none)", D("5000.00")),
        ("P1", D("12000.00")),
    ]
    by_month = led.reports.spend("month", from_date="2019-11-01", to_date="2019-11-30")
    assert [(r.key, r.amount) for r in by_month.rows] == [("2019-11", D("8000.00"))]
    assert led.reports.spend("category").model_dump(mode="json") == {
        "by": "category",
        "rows": [
            {"key": "staffing", "amount": "12000.00"},
            {"key": "training", "amount": "5000.00"},
        ],
        "total": "17000.00",
        "funding_year": None,
    }
    with pytest.raises(InvalidInput):
        led.reports.spend("supplier")


def test_profile_month_by_month(led):
    p = led.reports.profile("2019/20", "2019-12-31")
    m = {x.month: x for x in p.months}
    assert len(p.months) == 12
    # Original estimate 80000.00 over 12 months: 8,000,000p / 12 = 666,666p remainder 8,
    # so August - March get 6666.67 and April - July 6666.66 (8 x 6666.67 + 4 x 6666.66 = 80000).
    assert m["2019-08"].estimate == D("6666.67") and m["2020-03"].estimate == D("6666.67")
    assert m["2020-04"].estimate == D("6666.66")
    # Actual: October 3000; November 3000 + 5000 = 8000; December 3000.
    assert (m["2019-10"].actual, m["2019-11"].actual, m["2019-12"].actual) == (
        D("3000.00"),
        D("8000.00"),
        D("3000.00"),
    )
    # Forecast: P1 3000 a month, January - July; training's 15000.00 spread over those 7
    # months: 1,500,000p / 7 = 214,285p remainder 5 -> 2142.86 for January - May, 2142.85
    # for June and July. January: 3000 + 2142.86 = 5142.86; July: 5142.85.
    assert m["2020-01"].forecast == D("5142.86")
    assert m["2020-07"].forecast == D("5142.85")
    # Cumulative at July = actual 14000 + forecast 36000 = 50000.00 = the outturn.
    assert m["2020-07"].cumulative == D("50000.00")
    assert (p.totals.estimate, p.totals.actual, p.totals.forecast) == (
        D("80000.00"),
        D("14000.00"),
        D("36000.00"),
    )


def test_rag_thresholds():
    # Within 5% green, within 10% amber, beyond red; measured on the exact share.
    est = D("1000.00")
    assert rag_for(D("50.00"), est) == "green"  # 5.0%
    assert rag_for(D("-50.01"), est) == "amber"  # 5.001%
    assert rag_for(D("100.00"), est) == "amber"  # 10.0%
    assert rag_for(D("100.01"), est) == "red"
    assert rag_for(D("100.01"), est, RagThresholds(D(5), D(15))) == "amber"
    assert rag_for(D("0.00"), D("0.00")) == "green"
    assert rag_for(D("1.00"), D("0.00")) == "red"
    # 1/3 of the estimate: 33.333...% -> 33.3; 1/8: 12.5 exactly; 0.05% rounds half-up to 0.1.
    assert variance_pct(D("1.00"), D("3.00")) == D("33.3")
    assert variance_pct(D("-125.00"), D("1000.00")) == D("-12.5")
    assert variance_pct(D("0.50"), D("1000.00")) == D("0.1")


def test_rag_thresholds_are_set_per_store(led):
    # Training as at 31 January against the original: +20.0% -> red by default.
    assert lines(led.reports.variance("2019/20", "2020-01-31"))["training"].rag == "red"
    led.settings.set("rag.amber", "25")
    assert lines(led.reports.variance("2019/20", "2020-01-31"))["training"].rag == "amber"
    with pytest.raises(InvalidInput):
        led.settings.set("rag.green", "30")  # above amber
    with pytest.raises(InvalidInput):
        led.settings.set("rag.purple", "1")


def test_check_finds_each_problem(led):
    assert led.check("2019-12-31") == []
    led.spend.add("2020-06-15", "100.00", "evaluation")  # no estimate for evaluation
    led.spend.add("2020-07-15", "100.00", "training")
    led.spend.add("2020-08-15", "200.00", "training")  # in 2020/21, in principle
    led.estimates.set("2020/21", "staffing", "60000.00", on="2020-01-15")  # > 50000 award
    led.estimates.set("2020/21", "training", "1000.00", on="2020-01-15")
    led.receipts.add("2019-09-01", "110000.00", "2019/20")  # > 100000 award
    led.posts.add(
        "P2", role="probation", host="NPS", fte="1", annual_cost="1.00", planned_start="2019-10-01"
    )
    led.posts.set_status("P2", "blocked", "2019-10-01", reason="TUPE", expected_start="2020-01-01")
    # 2019/20 shortened to 30 June 2020: the 15 July line now falls in no period.
    # That is refused unless the user says so (the 15 July line would be orphaned).
    with pytest.raises(Conflict, match=r"1 spend line\(s\) \(total 100.00\)"):
        led.years.vary("2019/20", agreed_on="2020-06-30", reason="shortened", end="2020-06-30")
    led.years.vary(
        "2019/20", agreed_on="2020-06-30", reason="shortened", end="2020-06-30", orphan_ok=True
    )
    found = {f.code: f for f in led.check("2020-09-01")}
    assert found["spend-outside-periods"].severity == "error"
    assert found["spend-outside-periods"].subject == "2020-07-15"
    assert found["estimates-over-award"].subject == "2020/21"
    assert found["receipts-over-award"].subject == "2019/20"
    assert found["spend-without-estimate"].severity == "warning"
    assert found["in-principle-spend"].subject == "2020/21"
    assert found["blocked-past-expected-start"].subject == "P2"
    # CLI: printed, and exit 1 because there are errors; JSON for tools.
    runner = CliRunner()
    res = runner.invoke(
        app, ["--db", str(led.path), "check", "--as-at", "2020-09-01", "--format", "json"]
    )
    assert res.exit_code == 1
    data = json.loads(res.output)
    assert data["errors"] == 3
    assert {f["code"] for f in data["findings"]} >= {"spend-outside-periods", "receipts-over-award"}
    assert set(data["findings"][0]) == {"severity", "code", "message", "subject"}


def test_summary_json_gains_forecast_fields(led):
    led.receipts.add("2019-09-01", "50000.00", "2019/20")
    res = CliRunner().invoke(
        app,
        ["--db", str(led.path), "report", "summary", "--as-at", "2019-12-31", "--format", "json"],
    )
    assert res.exit_code == 0, res.output
    y = json.loads(res.output)["funding_years"]
    assert y[0]["label"] == "2019/20"
    assert {
        k: y[0][k]
        for k in (
            "received",
            "forecast_remaining",
            "forecast_outturn",
            "underspend_at_risk",
            "overspend",
            "secure",
        )
    } == {
        "received": "50000.00",
        "forecast_remaining": "36000.00",
        "forecast_outturn": "50000.00",
        "underspend_at_risk": "50000.00",
        "overspend": "0.00",
        "secure": True,
    }
    assert y[1]["secure"] is False


def test_forecast_cli(led):
    runner = CliRunner()
    db = ["--db", str(led.path)]
    res = runner.invoke(
        app, [*db, "forecast", "set", "2019/20", "training", "8000.00", "--on", "2020-01-20"]
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        app,
        [
            *db,
            "report",
            "variance",
            "--year",
            "2019/20",
            "--as-at",
            "2020-01-31",
            "--format",
            "json",
        ],
    )
    training = next(x for x in json.loads(res.output)["lines"] if x["category"] == "training")
    assert (training["forecast_remaining"], training["forecast_assumed"]) == ("8000.00", False)
    res = runner.invoke(
        app,
        [
            *db,
            "report",
            "profile",
            "--year",
            "2019/20",
            "--as-at",
            "2019-12-31",
            "--format",
            "json",
        ],
    )
    data = json.loads(res.output)
    assert data["months"][0] == {
        "month": "2019-08", "estimate": "6666.67", "actual": "0.00", "forecast": "0.00",
        "cumulative": "0.00", "cumulative_estimate": "6666.67",
    }  # fmt: skip
    res = runner.invoke(app, [*db, "report", "spend", "--by", "financial-year", "--format", "json"])
    assert json.loads(res.output) == {
        "by": "financial-year",
        "rows": [{"key": "FY2019/20", "amount": "14000.00"}],
        "total": "14000.00",
        "funding_year": None,
    }
    assert runner.invoke(app, [*db, "settings", "set", "rag.amber", "25"]).exit_code == 0
    assert runner.invoke(app, [*db, "settings", "set", "rag.nope", "25"]).exit_code == 2
    res = runner.invoke(app, [*db, "check", "--as-at", "2019-12-31"])
    assert res.exit_code == 0 and "No problems found" in res.output
    for args in (
        ["report", "variance", "--year", "2019/20"],
        ["report", "profile", "--year", "2019/20"],
        ["report", "spend"],
    ):
        assert (
            runner.invoke(
                app, [*db, *args, "--as-at" if args[1] != "spend" else "--to", "2020-03-31"]
            ).exit_code
            == 0
        )
