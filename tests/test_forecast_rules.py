"""Forecast rules at their edges, each figure worked out by hand.

* An *assumed* forecast (latest estimate less actual) never goes below zero.
* Two status changes of a post on one day: the later recorded wins, both are kept.
* A withdrawn funding year forecasts nothing and takes no forecast days of posts.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from scenario import two_year_grant
from typer.testing import CliRunner

from fsgrant.cli import app

D = Decimal


# ------------------------------------------------------------------ assumed forecast
def test_an_assumed_forecast_is_never_below_zero(tmp_path):
    led = two_year_grant(tmp_path / "s.db")
    led.estimates.set("2019/20", "training", "10000.00", on="2019-08-01")
    led.estimates.set("2019/20", "evaluation", "5000.00", on="2019-08-01")
    led.spend.add("2019-11-14", "7500.00", "training")
    led.spend.add("2020-02-20", "5000.00", "training")
    led.spend.add("2019-12-02", "1000.00", "evaluation")
    as_at = "2020-03-31"

    v = led.reports.variance("2019/20", as_at)
    lines = {x.category: x for x in v.lines}
    # Training: estimate 10,000.00, actual 7,500.00 + 5,000.00 = 12,500.00.
    # Forecast remaining = max(10,000.00 - 12,500.00, 0) = 0.00 (assumed), so
    # outturn = 12,500.00, variance = +2,500.00 = 2,500 / 10,000 = 25.0%: red.
    training = lines["training"]
    assert (training.actual, training.forecast_remaining, training.outturn) == (
        D("12500.00"),
        D("0.00"),
        D("12500.00"),
    )
    assert training.forecast_assumed
    assert (training.variance, training.variance_pct, training.rag) == (
        D("2500.00"),
        D("25.0"),
        "red",
    )
    # Evaluation: 5,000.00 - 1,000.00 = 4,000.00 still assumed to come.
    evaluation = lines["evaluation"]
    assert (evaluation.forecast_remaining, evaluation.outturn, evaluation.variance) == (
        D("4000.00"),
        D("5000.00"),
        D("0.00"),
    )
    # Totals: actual 13,500.00; forecast 0.00 + 4,000.00 = 4,000.00 (not 1,500.00);
    # outturn 17,500.00 against 15,000.00: +2,500.00, 16.7% (2500/15000 = 16.66..).
    assert (v.totals.actual, v.totals.forecast_remaining, v.totals.outturn) == (
        D("13500.00"),
        D("4000.00"),
        D("17500.00"),
    )
    assert (v.totals.variance, v.totals.variance_pct, v.totals.rag) == (
        D("2500.00"),
        D("16.7"),
        "red",
    )
    # Award 2,490,000.00 - 17,500.00 = 2,472,500.00 at risk.
    assert v.underspend_at_risk == D("2472500.00")

    year = {y.label: y for y in led.reports.summary(as_at=as_at).funding_years}["2019/20"]
    assert (year.actual, year.forecast_remaining, year.forecast_outturn) == (
        D("13500.00"),
        D("4000.00"),
        D("17500.00"),
    )
    assert (year.underspend_at_risk, year.overspend) == (D("2472500.00"), D("0.00"))

    p = led.reports.profile("2019/20", as_at=as_at)
    # Only evaluation's 4,000.00 is spread, over April - July 2020 (the months with
    # days after 31 March): 1,000.00 each; training adds nothing (never -2,500.00).
    forecast = {m.month: m.forecast for m in p.months}
    assert forecast == {
        **{f"2019-{m:02d}": D("0.00") for m in range(8, 13)},
        **{f"2020-{m:02d}": D("0.00") for m in range(1, 4)},
        **{f"2020-{m:02d}": D("1000.00") for m in range(4, 8)},
    }
    assert (p.totals.actual, p.totals.forecast) == (D("13500.00"), D("4000.00"))
    assert p.months[-1].cumulative == D("17500.00")
    led.close()


# ------------------------------------------------------------------ same-day changes
def _post(led, post_id: str, annual: str, fte: str, planned_start: str) -> None:
    led.posts.add(
        post_id,
        role="domestic-abuse",
        host="Cambridgeshire County Council",
        fte=fte,
        annual_cost=annual,
        planned_start=planned_start,
    )


def test_the_later_of_two_same_day_changes_wins_and_both_are_kept(tmp_path):
    led = two_year_grant(tmp_path / "s.db")
    # 24,000.00 a year at 0.5 FTE: 24,000 x 0.5 / 12 = 1,000.00 a month.
    _post(led, "DA-1", "24000.00", "0.5", "2020-01-01")
    led.posts.set_status("DA-1", "offered", "2020-02-10", expected_start="2020-03-16")
    led.posts.set_status("DA-1", "withdrawn", "2020-02-10", reason="candidate declined")
    # 46,500.00 a year at 1 FTE: 46,500 / 12 = 3,875.00 a month.
    _post(led, "DA-2", "46500.00", "1", "2020-01-01")
    led.posts.set_status("DA-2", "blocked", "2020-03-16", reason="TUPE transfer")
    led.posts.set_status("DA-2", "in-post", "2020-03-16")

    for day in ("2020-02-10", "2020-02-11", "2020-06-30"):
        assert led.posts.get("DA-1").status_as_at(date.fromisoformat(day)) == "withdrawn"
        assert [p.id for p in led.posts.list(status="withdrawn", as_at=day)] == ["DA-1"]
    assert [p.id for p in led.posts.list(status="offered", as_at="2020-02-10")] == []
    assert [p.id for p in led.posts.list(status="in-post", as_at="2020-03-16")] == ["DA-2"]
    assert [p.id for p in led.posts.list(status="blocked", as_at="2020-03-16")] == []

    # Both changes are kept, in the order they were recorded.
    assert [c.status for c in led.posts.get("DA-1").history] == ["offered", "withdrawn"]
    assert [c.status for c in led.posts.get("DA-2").history] == ["blocked", "in-post"]
    db = ["--db", str(led.path)]
    shown = CliRunner().invoke(app, [*db, "post", "show", "DA-1", "-f", "json"])
    assert shown.exit_code == 0, shown.output
    assert [c["status"] for c in json.loads(shown.output)["history"]] == ["offered", "withdrawn"]
    shown = CliRunner().invoke(app, [*db, "post", "show", "DA-2", "-f", "csv"])
    assert shown.exit_code == 0, shown.output
    rows = [r for r in shown.output.splitlines() if r.startswith("2020-03-16,")]
    # The history lists status and detail changes together: "status <new status>".
    assert [r.split(",")[1] for r in rows] == ["status blocked", "status in-post"]

    report = {r.id: r for r in led.reports.posts(as_at="2020-03-20").posts}
    assert (report["DA-1"].status, report["DA-2"].status) == ("withdrawn", "in-post")
    assert report["DA-2"].status_since.isoformat() == "2020-03-16"
    # DA-1 is withdrawn: nothing after 20 March (had the offer won: 16/31 of 1,000.00
    # in March + 4 x 1,000.00 = 4,516.13).
    assert report["DA-1"].forecast_cost == D("0.00")
    # DA-2 is in post from 16 March; the forecast counts from 21 March to 31 July 2020
    # (2019/20 ends then; 2020/21 from 1 August takes the rest, but the report's
    # forecast_cost is over any year, so it runs on):
    #   March: 3,875.00 x 11 / 31 = 1,375.00
    #   April 2020 - July 2021 (16 months; the post has no end date): 16 x 3,875.00
    #   = 62,000.00;  total 63,375.00.
    assert report["DA-2"].forecast_cost == D("63375.00")
    forecast = led.posts.forecast(as_at="2020-03-20")
    assert forecast["DA-1"] == {}
    assert sum(forecast["DA-2"]["2019/20"].values(), D(0)) == D("16875.00")  # 1,375 + 4 x 3,875
    assert sum(forecast["DA-2"]["2020/21"].values(), D(0)) == D("46500.00")  # 12 x 3,875

    # The staffing forecast in the summary follows the same changes.
    years = {y.label: y for y in led.reports.summary(as_at="2020-03-20").funding_years}
    assert years["2019/20"].forecast_remaining == D("16875.00")
    assert years["2020/21"].forecast_remaining == D("46500.00")
    led.close()


def test_same_day_changes_recorded_the_other_way_round(tmp_path):
    # The same two days, the changes recorded in the opposite order: now the later
    # recorded (offered, blocked) wins.
    led = two_year_grant(tmp_path / "s.db")
    _post(led, "DA-1", "24000.00", "0.5", "2020-01-01")
    led.posts.set_status("DA-1", "withdrawn", "2020-02-10", reason="candidate declined")
    led.posts.set_status("DA-1", "offered", "2020-02-10", expected_start="2020-03-16")
    _post(led, "DA-2", "46500.00", "1", "2020-01-01")
    led.posts.set_status("DA-2", "in-post", "2020-03-16")
    led.posts.set_status("DA-2", "blocked", "2020-03-16", reason="TUPE transfer")

    assert [c.status for c in led.posts.get("DA-1").history] == ["withdrawn", "offered"]
    report = {r.id: r for r in led.reports.posts(as_at="2020-02-29", year="2019/20").posts}
    assert (report["DA-1"].status, report["DA-2"].status) == ("offered", "planned")
    # DA-1 offered, expected from 16 March: 1,000.00 x 16 / 31 = 516.129.. -> 516.13,
    # then April - July 2020 4 x 1,000.00: 4,516.13 in 2019/20.
    assert report["DA-1"].forecast_cost == D("4516.13")
    report = {r.id: r for r in led.reports.posts(as_at="2020-03-20", year="2019/20").posts}
    # DA-2 blocked (no expected start) from 16 March: nothing more.
    assert report["DA-2"].status == "blocked"
    assert report["DA-2"].forecast_cost == D("0.00")
    led.close()


# ------------------------------------------------------------------ withdrawn year
def _withdrawal_scenario(tmp_path):
    """2019/20 extended to 31 March 2021; 2020/21 (1 Aug 2020 - 31 Jul 2021) withdrawn
    by DfE on 1 June 2020. Post DA-1 costs 36,000.00 a year at 1 FTE (3,000.00 a month)
    from its planned start, 1 January 2020, with no end."""
    led = two_year_grant(tmp_path / "s.db")
    led.years.vary("2019/20", agreed_on="2020-02-14", reason="moved back", end="2021-03-31")
    led.estimates.set("2020/21", "training", "40000.00", on="2019-08-01")
    _post(led, "DA-1", "36000.00", "1", "2020-01-01")
    # Entered before the withdrawal: one line naming 2020/21, one allocated to it.
    led.spend.add("2021-05-10", "1200.00", "training", year="2020/21")
    led.spend.add("2021-05-11", "300.00", "training")
    led.years.vary(
        "2020/21", agreed_on="2020-06-01", reason="DfE withdrew", status="withdrawn", orphan_ok=True
    )
    return led


def test_a_withdrawn_year_forecasts_nothing(tmp_path):
    led = _withdrawal_scenario(tmp_path)

    # Before the withdrawal (as at 31 May 2020) 2020/21 forecast:
    #   training: estimate 40,000.00 - actual 0.00 (the lines are dated 2021) = 40,000.00;
    #   staffing: the days 2019/20 does not take, 1 April - 31 July 2021: 4 x 3,000.00
    #   = 12,000.00.
    before = {y.label: y for y in led.reports.summary(as_at="2020-05-31").funding_years}
    assert before["2020/21"].forecast_remaining == D("52000.00")
    # 2019/20 takes June 2020 - March 2021: 10 x 3,000.00 = 30,000.00.
    assert before["2019/20"].forecast_remaining == D("30000.00")

    # After it (as at 30 June 2020): 2020/21 forecasts nothing at all.
    after = {y.label: y for y in led.reports.summary(as_at="2020-06-30").funding_years}
    y = after["2020/21"]
    assert y.status == "withdrawn"
    assert (y.actual, y.forecast_remaining, y.forecast_outturn) == (D("0.00"),) * 3
    # 2019/20: July 2020 - March 2021, 9 x 3,000.00 = 27,000.00; the post's days from
    # April 2021 go to no year at all.
    assert after["2019/20"].forecast_remaining == D("27000.00")
    assert led.posts.forecast(as_at="2020-06-30")["DA-1"].keys() == {"2019/20"}
    assert sum(led.posts.forecast(as_at="2020-06-30")["DA-1"]["2019/20"].values(), D(0)) == (
        D("27000.00")
    )
    posts = led.reports.posts(as_at="2020-06-30").posts
    assert [(p.id, p.forecast_cost) for p in posts] == [("DA-1", D("27000.00"))]

    # As at 31 May 2021, after both lines: the line naming 2020/21 stays its actual
    # (1,200.00); the other has no open year, and the summary counts it as spent in the
    # withdrawn year's period: actual 1,200.00 + 300.00 = 1,500.00, nothing forecast
    # (not 40,000.00 - 1,200.00 for training + 2 x 3,000.00 for June-July), award
    # 0.00, so all of it an overspend.
    late = {y.label: y for y in led.reports.summary(as_at="2021-05-31").funding_years}
    y = late["2020/21"]
    assert (y.actual, y.forecast_remaining, y.forecast_outturn, y.overspend) == (
        D("1500.00"),
        D("0.00"),
        D("1500.00"),
        D("1500.00"),
    )
    # The variance report's lines are the spend charged to the year: 1,200.00.
    v = led.reports.variance("2020/21", as_at="2021-05-31")
    training = {x.category: x for x in v.lines}["training"]
    assert (training.forecast_remaining, training.outturn, training.variance) == (
        D("0.00"),
        D("1200.00"),
        D("-38800.00"),
    )
    # No post's forecast days fall in the year, so staffing has no line at all.
    assert [(x.category, x.forecast_remaining) for x in v.lines] == [("training", D("0.00"))]
    assert v.totals.forecast_remaining == D("0.00")
    p = led.reports.profile("2020/21", as_at="2021-05-31")
    assert p.totals.forecast == D("0.00")
    assert all(m.forecast == 0 for m in p.months)
    led.close()
