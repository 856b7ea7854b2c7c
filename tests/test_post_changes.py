"""Dated changes of a post's details: pay awards, FTE changes, leaving dates, new hosts
and corrections, and what they do to the cost, the forecast and the reports.

Every expected figure is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date, datetime
from decimal import Decimal

import pytest
from scenario import FS_GRANT, TWO_YEARS
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.domain.periods import Period
from fsgrant.domain.posts import Post, PostChange, StatusChange, cost_by_month
from fsgrant.errors import InvalidInput, NotFound, PeriodClosed

D = Decimal
NOW = datetime(2020, 1, 1)


def change(i: int, effective: str, **fields: object) -> PostChange:
    return PostChange(
        id=i,
        post="P1",
        effective=effective,
        reason="pay award",
        recorded_at=NOW,
        recorded_by="test",
        **fields,
    )


def in_post(*changes: PostChange, annual: str = "46500.00", fte: str = "1") -> Post:
    """A post in post from 1 April 2019 with the given changes of details."""
    return Post(
        id="P1",
        role="domestic-abuse",
        host="Council",
        route="direct",
        fte=fte,
        annual_cost=annual,
        planned_start="2019-04-01",
        history=(
            StatusChange(
                id=1,
                post="P1",
                status="in-post",
                effective="2019-04-01",
                recorded_at=NOW,
                recorded_by="test",
            ),
        ),
        changes=changes,
    )


def months(p: Post, start: str, end: str) -> dict[str, Decimal]:
    window = Period(date.fromisoformat(start), date.fromisoformat(end))
    return {k.strftime("%Y-%m"): v for k, v in cost_by_month(p, window).items()}


# ---------------------------------------------------------------- the cost method
def test_a_pay_award_on_the_10th_splits_the_month_by_days_rounded_once_half_up():
    # 46,500.00 a year until 9 April 2020, 47,445.00 from 10 April.
    # March: 46,500 / 12 = 3,875.00. May: 47,445 / 12 = 3,953.75.
    # April (30 days): (46,500 x 9 + 47,445 x 21) / (12 x 30)
    #   = (418,500 + 996,345) / 360 = 1,414,845 / 360 = 3,930.125 -> 3,930.13 (half-up;
    #   banker's rounding would give 3,930.12).
    p = in_post(change(1, "2020-04-10", annual_cost="47445.00"))
    assert months(p, "2020-03-01", "2020-05-31") == {
        "2020-03": D("3875.00"),
        "2020-04": D("3930.13"),
        "2020-05": D("3953.75"),
    }


def test_an_fte_change_and_a_pay_award_in_the_same_month():
    # 36,000.00 at 1.0 FTE (3,000.00 a month); from 16 July 2020 0.5 FTE; from 21 July a
    # pay award to 37,200.00 (at 0.5 FTE: 18,600 a year).
    # July (31 days): (36,000 x 15 + 18,000 x 5 + 18,600 x 11) / (12 x 31)
    #   = (540,000 + 90,000 + 204,600) / 372 = 834,600 / 372 = 2,243.548... -> 2,243.55.
    # August: 18,600 / 12 = 1,550.00.
    p = in_post(
        change(1, "2020-07-16", fte="0.5"),
        change(2, "2020-07-21", annual_cost="37200.00"),
        annual="36000.00",
    )
    assert months(p, "2020-07-01", "2020-08-31") == {
        "2020-07": D("2243.55"),
        "2020-08": D("1550.00"),
    }


def test_a_leaving_date_recorded_later_stops_the_cost_after_it():
    # 36,000.00 a year; a change dated 1 October 2020 records that the post ended on
    # 15 September 2020. September: 3,000 x 15 / 30 = 1,500.00; nothing after.
    p = in_post(change(1, "2020-10-01", end="2020-09-15"), annual="36000.00")
    assert months(p, "2020-08-01", "2020-11-30") == {
        "2020-08": D("3000.00"),
        "2020-09": D("1500.00"),
    }


def test_details_as_at_a_date_and_a_correction_dated_at_the_start():
    p = in_post(
        change(1, "2019-04-01", annual_cost="46500.00"),  # keyed as 4,650.00 at first
        change(2, "2020-06-01", fte="0.6", host="NHS trust", route="secondment"),
        annual="4650.00",
    )
    assert p.as_at(date(2019, 3, 31)).annual_cost == D("4650.00")
    before = p.as_at(date(2020, 5, 31))
    assert (before.annual_cost, before.fte, before.host) == (D("46500.00"), D("1.00"), "Council")
    after = p.as_at(date(2020, 6, 1))
    assert (after.annual_cost, after.fte, after.host, after.route) == (
        D("46500.00"),
        D("0.60"),
        "NHS trust",
        "secondment",
    )
    # The correction is in force from the start: every month costs 46,500 / 12 = 3,875.00;
    # from June 0.6 x 3,875.00 = 2,325.00.
    assert months(p, "2019-04-01", "2019-04-30") == {"2019-04": D("3875.00")}
    assert months(p, "2020-06-01", "2020-06-30") == {"2020-06": D("2325.00")}


# ---------------------------------------------------------------- the ledger
@pytest.fixture
def led(new_ledger):
    # 2019/20: 1 Aug 2019 - 31 Jul 2020; 2020/21: 1 Aug 2020 - 31 Jul 2021.
    ledger = new_ledger("s.db", grant=FS_GRANT, years=TWO_YEARS)
    ledger.posts.add(
        "DA-N1",
        role="domestic-abuse",
        host="Council",
        fte="1",
        annual_cost="36000.00",
        planned_start="2020-04-01",
    )
    ledger.posts.set_status("DA-N1", "in-post", "2020-04-01")
    return ledger


def test_an_fte_change_and_a_leaving_date_feed_the_forecast_and_the_posts_report(led):
    led.posts.change("DA-N1", "2020-07-16", fte="0.5", reason="back from full time")
    led.posts.change("DA-N1", "2020-08-01", end="2020-09-30", reason="fixed-term contract")
    # As at 31 May 2020, the forecast from 1 June:
    #   June 3,000.00;
    #   July (31 days): (36,000 x 15 + 18,000 x 16) / 372 = 828,000 / 372 = 2,225.806...
    #     -> 2,225.81;
    #   2019/20 (to 31 July 2020): 3,000.00 + 2,225.81 = 5,225.81;
    #   2020/21: August and September at 18,000 / 12 = 1,500.00 each = 3,000.00; nothing
    #   after the leaving date.
    forecast = led.posts.forecast("2020-05-31")["DA-N1"]
    assert {y: sum(m.values()) for y, m in forecast.items()} == {
        "2019/20": D("5225.81"),
        "2020/21": D("3000.00"),
    }
    summary = {y.label: y for y in led.reports.summary("2020-05-31").funding_years}
    assert summary["2019/20"].forecast_remaining == D("5225.81")
    assert summary["2020/21"].forecast_remaining == D("3000.00")
    report = led.reports.posts("2020-05-31")
    row = report.posts[0]
    assert (row.fte, row.annual_cost, row.forecast_cost) == (
        D("1.00"),
        D("36000.00"),
        D("8225.81"),  # 5,225.81 + 3,000.00
    )
    assert report.fte_planned == D("1.00")
    later = led.reports.posts("2020-08-15")
    # In force on 15 August: 0.5 FTE. Forecast from 16 August: 1,500 x 16 / 31 = 774.19...
    #   -> 774.19, plus September 1,500.00 = 2,274.19.
    assert (later.posts[0].fte, later.posts[0].forecast_cost) == (D("0.50"), D("2274.19"))
    assert later.fte_in_post == D("0.50")
    listed = led.posts.list(as_at="2020-08-15")[0]
    assert (listed.fte, listed.end) == (D("0.50"), date(2020, 9, 30))


def test_a_pay_award_from_salary_and_on_cost_rate(led):
    c = led.posts.change(
        "DA-N1", "2021-04-01", salary="30000.00", on_cost_rate="25", reason="2021 pay award"
    )
    # 30,000.00 x 1.25 = 37,500.00.
    assert (c.annual_cost, c.salary, c.on_cost_rate) == (D("37500.00"), D("30000.00"), D("25"))
    now = led.posts.get("DA-N1").as_at(date(2021, 4, 1))
    assert (now.annual_cost, now.salary) == (D("37500.00"), D("30000.00"))
    led.posts.change("DA-N1", "2021-05-01", annual_cost="38000.00", reason="regraded")
    # A plain annual cost clears the salary it was computed from.
    assert led.posts.get("DA-N1").as_at(date(2021, 5, 1)).salary is None


def test_bad_changes_are_refused_and_nothing_is_stored(led):
    bad = [
        {"reason": "nothing"},  # nothing to change
        {"reason": "  ", "fte": "0.5"},  # no reason
        {"reason": "r", "fte": 0.5},  # a float
        {"reason": "r", "fte": "1.5"},
        {"reason": "r", "salary": "30000.00"},  # no on-cost rate
        {"reason": "r", "annual_cost": "1.00", "salary": "1.00", "on_cost_rate": "1"},
        {"reason": "r", "annual_cost": "-1.00"},
        {"reason": "r", "route": "sideways"},
        {"reason": "r", "end": "2020-03-31"},  # before the planned start
    ]
    for fields in bad:
        with pytest.raises(InvalidInput):
            led.posts.change("DA-N1", "2020-06-01", **fields)
    with pytest.raises(NotFound):
        led.posts.change("NOPE", "2020-06-01", fte="0.5", reason="r")
    assert led.posts.get("DA-N1").changes == ()


def test_a_change_dated_in_a_closed_period_is_refused(led):
    led.periods.close("2019/20", "2020-06-30", "DfE return Q1")
    with pytest.raises(PeriodClosed, match="a change of post DA-N1 dated 2020-06-01"):
        led.posts.change("DA-N1", "2020-06-01", fte="0.5", reason="r")
    c = led.posts.change("DA-N1", "2020-07-01", fte="0.5", reason="r")
    assert c.fte == D("0.50")


def test_changes_are_append_only_and_audited(led):
    c = led.posts.change("DA-N1", "2020-06-01", fte="0.8", reason="reduced hours")
    entry = led.audit.log()[-1]
    assert (entry.action, entry.subject) == ("post.change", "DA-N1")
    assert entry.detail["fte"] == "0.80" and entry.detail["reason"] == "reduced hours"
    raw = sqlite3.connect(led.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("UPDATE post_changes SET fte = '1.00' WHERE id = ?", [c.id])
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("DELETE FROM post_changes")
    finally:
        raw.close()
    assert not [f for f in led.doctor() if f.problem]


# ---------------------------------------------------------------- the command line
def test_post_change_show_and_list_as_at_from_the_command_line(tmp_path, led):
    db = ["--db", str(led.path)]
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            *db,
            "post",
            "change",
            "DA-N1",
            "--on",
            "10/04/2020",
            "--annual-cost",
            "37080.00",
            "--reason",
            "pay award 3%",
        ],
    )
    assert res.exit_code == 0, res.output
    assert res.output.strip() == "Post DA-N1 from 10/04/2020: annual cost £37,080.00."
    res = runner.invoke(
        app,
        [
            *db,
            "post",
            "change",
            "DA-N1",
            "--on",
            "2020-06-01",
            "--fte",
            "0.6",
            "--host",
            "NHS trust",
            "--reason",
            "[bold]moved[/bold]",
        ],
    )
    assert res.exit_code == 0, res.output
    bad = runner.invoke(
        app, [*db, "post", "change", "DA-N1", "--on", "2020-06-01", "--reason", "x"]
    )
    assert bad.exit_code == 2 and "nothing to change" in bad.output
    assert "Traceback" not in bad.output
    res = runner.invoke(app, [*db, "post", "show", "DA-N1", "--format", "csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.output)))
    # Status and details in date order, each with its reason and who recorded it.
    assert [(r["effective"], r["change"], r["reason"]) for r in rows] == [
        ("2020-04-01", "status in-post", ""),
        ("2020-04-10", "annual cost £37,080.00", "pay award 3%"),
        ("2020-06-01", "FTE 0.60, host NHS trust", "[bold]moved[/bold]"),
    ]
    assert all(r["recorded_by"] for r in rows)
    res = runner.invoke(app, [*db, "post", "show", "DA-N1"], env={"COLUMNS": "240"})
    assert "[bold]moved[/bold]" in res.output  # markup shown as typed (wide: not folded)
    res = runner.invoke(app, [*db, "post", "list", "--as-at", "2020-05-31", "-f", "json"])
    row = json.loads(res.output)[0]
    assert (row["fte"], row["annual_cost"], row["host"]) == ("1.00", "37080.00", "Council")
    res = runner.invoke(app, [*db, "post", "list", "--as-at", "2020-06-01", "-f", "json"])
    row = json.loads(res.output)[0]
    assert (row["fte"], row["annual_cost"], row["host"]) == ("0.60", "37080.00", "NHS trust")
    res = runner.invoke(app, [*db, "report", "posts", "--as-at", "2020-06-30", "-f", "json"])
    row = json.loads(res.output)["posts"][0]
    # As at 30 June: 0.6 FTE of 37,080.00; July 0.6 x 37,080 / 12 = 1,854.00 a month, to the
    # end of 2020/21 (31 July 2021): 13 months x 1,854.00 = 24,102.00.
    assert (row["fte"], row["annual_cost"], row["forecast_cost"]) == (
        "0.60",
        "37080.00",
        "24102.00",
    )


def test_a_ledger_folder_loads_post_changes_and_names_a_bad_line(tmp_path):
    folder = tmp_path / "ledger"
    folder.mkdir()
    (folder / "grant.toml").write_text(
        '[grant]\nname = "FS"\nfunder = "DfE"\nrecipient = "Council"\n\n'
        '[[funding_year]]\nlabel = "2019/20"\naward = "2490000.00"\nstart = "2019-08-01"\n'
    )
    (folder / "posts.csv").write_text(
        "id,role,host,fte,annual_cost,planned_start\nDA-N1,domestic-abuse,Council,1,46500.00,2019-11-01\n"
    )
    (folder / "post_changes.csv").write_text(
        "post,effective,reason,annual_cost,fte\n"
        "# illustrative pay award\n"
        "DA-N1,2020-04-01,pay award 2020,47895.00,\n"
    )
    with fsgrant.open(tmp_path / "a.db") as led:
        result = led.load(folder)
        assert result.post_changes == 1
        p = led.posts.get("DA-N1")
        # 46,500.00 x 1.03 = 47,895.00 from 1 April 2020.
        assert p.as_at(date(2020, 4, 1)).annual_cost == D("47895.00")
        assert p.as_at(date(2020, 3, 31)).annual_cost == D("46500.00")
    (folder / "post_changes.csv").write_text(
        "post,effective,reason,annual_cost,fte\nDA-N1,2020-04-01,pay award,47895.00,0.1.2\n"
    )
    with fsgrant.open(tmp_path / "b.db") as led:
        with pytest.raises(InvalidInput, match=r"post_changes.csv, line 2.*fte"):
            led.load(folder)
        assert led.tables.grant.name() is None  # nothing stored
