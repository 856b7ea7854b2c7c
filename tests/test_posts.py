"""Posts: the calendar-month cost method, the status timeline and the posts report.

Every expected figure is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scenario import FS_GRANT, TWO_YEARS

from fsgrant.domain.funding import apply_variations
from fsgrant.domain.models import FundingYear, Variation
from fsgrant.domain.periods import Period
from fsgrant.domain.posts import (
    Post,
    StatusChange,
    allocation_segments,
    annual_cost_from_salary,
    cost_by_month,
    forecast_by_year,
    parse_fte,
)
from fsgrant.errors import Conflict, InvalidInput, NotFound

D = Decimal
NOW = datetime(2020, 1, 1)


def post(
    *changes: tuple[str, str] | tuple[str, str, str | None],
    annual: str = "36000.00",
    fte: str = "1",
    planned: str = "2020-04-01",
    end: str | None = None,
) -> Post:
    """A post from (status, effective[, expected start]) changes, oldest first."""
    history = tuple(
        StatusChange(
            id=i,
            post="P1",
            status=c[0],
            effective=c[1],
            expected_start=c[2] if len(c) > 2 else None,
            reason="why" if c[0] in ("blocked", "withdrawn", "vacant") else None,
            recorded_at=NOW,
            recorded_by="test",
        )
        for i, c in enumerate(changes, start=1)
    )
    return Post(
        id="P1",
        role="domestic-abuse",
        host="Council",
        route="direct",
        fte=fte,
        annual_cost=annual,
        planned_start=planned,
        end=end,
        history=history,
    )


def months(p: Post, start: str, end: str) -> dict[str, Decimal]:
    window = Period(date.fromisoformat(start), date.fromisoformat(end))
    return {k.strftime("%Y-%m"): v for k, v in cost_by_month(p, window).items()}


def years(*, extended: bool) -> list:
    # 2019/20: 1 Aug 2019 - 31 Jul 2020; 2020/21: 1 Aug 2020 - 31 Jul 2021.
    originals = [
        FundingYear(
            label="2019/20",
            award="2490000",
            status="confirmed",
            start="2019-08-01",
            end="2020-07-31",
        ),
        FundingYear(
            label="2020/21",
            award="1600000",
            status="in-principle",
            start="2020-08-01",
            end="2021-07-31",
        ),
    ]
    variations = []
    if extended:
        variations.append(
            Variation(
                id=1,
                funding_year="2019/20",
                kind="extend",
                agreed_on="2020-02-14",
                reason="envelope moved back",
                new_end="2021-03-31",
                recorded_at=NOW,
                recorded_by="test",
            )
        )
    return apply_variations(originals, variations)


# ---------------------------------------------------------------- the cost method
def test_post_starting_mid_month_costs_16_of_31_days_of_march():
    # Annual 36,000.00 at 1.0 FTE: monthly 3,000.00.
    # In post 16 March 2020: 16 active days of 31 -> 3000 x 16 / 31 = 1548.387... -> 1548.39.
    # April is whole: 3000.00. The window's total is the sum: 4548.39.
    p = post(("in-post", "2020-03-16"))
    got = months(p, "2020-03-01", "2020-04-30")
    assert got == {"2020-03": D("1548.39"), "2020-04": D("3000.00")}
    assert sum(got.values()) == D("4548.39")


def test_part_time_post_costs_fte_share():
    # Annual 45,000.00 at 0.6 FTE: 45000 x 0.6 / 12 = 2,250.00 a month; April-June: 6,750.00.
    p = post(("in-post", "2020-04-01"), annual="45000.00", fte="0.6")
    assert p.monthly_cost == D("2250")
    assert months(p, "2020-04-01", "2020-06-30") == {
        "2020-04": D("2250.00"),
        "2020-05": D("2250.00"),
        "2020-06": D("2250.00"),
    }


def test_leap_year_february_has_29_days():
    # From 15 February 2020: 15 days of 29 -> 3000 x 15 / 29 = 1551.724... -> 1551.72.
    # From 15 February 2021: 14 days of 28 -> 3000 x 14 / 28 = 1500.00.
    p = post(("in-post", "2020-02-15"), planned="2020-02-15")
    assert months(p, "2020-02-01", "2020-02-29") == {"2020-02": D("1551.72")}
    p = post(("in-post", "2021-02-15"), planned="2021-02-15")
    assert months(p, "2021-02-01", "2021-02-28") == {"2021-02": D("1500.00")}


def test_rounding_is_half_up_per_month():
    # Annual 12,000.06 at 1.0 FTE: monthly 1000.005 -> a whole month rounds half-up to 1000.01
    # (banker's rounding would give 1000.00); three months: 3 x 1000.01 = 3000.03.
    p = post(("in-post", "2020-04-01"), annual="12000.06")
    got = months(p, "2020-04-01", "2020-06-30")
    assert set(got.values()) == {D("1000.01")}
    assert sum(got.values()) == D("3000.03")


def test_planned_post_costs_from_planned_or_expected_start():
    # No change recorded: planned, costs from the planned start, 1 May 2020.
    assert months(post(planned="2020-05-01"), "2020-04-01", "2020-05-31") == {
        "2020-05": D("3000.00")
    }
    # Planned from 1 April; offered on 6 April with an expected start of 11 May. Until the
    # offer the post is planned and costs from its planned start: 1-5 April, 5 days of 30
    # -> 3000 x 5 / 30 = 500.00. From the offer it costs from 11 May: 21 days of 31
    # -> 3000 x 21 / 31 = 2032.258... -> 2032.26.
    p = post(("offered", "2020-04-06", "2020-05-11"), planned="2020-04-01")
    assert months(p, "2020-04-01", "2020-05-31") == {
        "2020-04": D("500.00"),
        "2020-05": D("2032.26"),
    }


def test_blocked_post_without_expected_start_costs_nothing():
    # Planned from 1 April 2020, blocked since 1 March with no expected start: nothing.
    p = post(("blocked", "2020-03-01"))
    assert months(p, "2020-03-01", "2021-03-31") == {}


def test_blocked_post_with_expected_start_costs_from_then():
    # Blocked since 1 March, expected to start 18 May 2020:
    # May: 14 days of 31 -> 3000 x 14 / 31 = 1354.838... -> 1354.84; June 3000.00.
    p = post(("blocked", "2020-03-01", "2020-05-18"))
    assert months(p, "2020-03-01", "2020-06-30") == {
        "2020-05": D("1354.84"),
        "2020-06": D("3000.00"),
    }


def test_post_going_vacant_stops_costing_on_the_vacancy_date():
    # In post 1 April; vacant from 10 June (the first day without the practitioner):
    # April 3000.00, May 3000.00, June 9 days of 30 -> 900.00; nothing after.
    p = post(("in-post", "2020-04-01"), ("vacant", "2020-06-10"))
    assert months(p, "2020-04-01", "2020-08-31") == {
        "2020-04": D("3000.00"),
        "2020-05": D("3000.00"),
        "2020-06": D("900.00"),
    }
    # Re-advertised with an expected start of 1 September: September 3000.00 again.
    p2 = post(("in-post", "2020-04-01"), ("vacant", "2020-06-10", "2020-09-01"))
    assert months(p2, "2020-07-01", "2020-09-30") == {"2020-09": D("3000.00")}


def test_withdrawn_and_end_date():
    # Withdrawn: nothing. A post ending 15 April: 15 days of 30 -> 1500.00.
    assert months(post(("withdrawn", "2020-03-01")), "2020-01-01", "2020-12-31") == {}
    p = post(("in-post", "2020-04-01"), end="2020-04-15")
    assert months(p, "2020-04-01", "2020-06-30") == {"2020-04": D("1500.00")}


# ---------------------------------------------------------------- status as at
def test_status_as_at_before_on_and_after_a_change():
    p = post(("advertised", "2020-01-13"), ("in-post", "2020-03-16"))
    assert p.status_as_at(date(2020, 1, 12)) == "planned"  # before any change
    assert p.status_as_at(date(2020, 1, 13)) == "advertised"  # on the change
    assert p.status_as_at(date(2020, 3, 15)) == "advertised"  # the day before the next
    assert p.status_as_at(date(2020, 3, 16)) == "in-post"  # on it
    assert p.status_as_at(date(2020, 4, 1)) == "in-post"  # after
    assert p.status_since(date(2020, 4, 1)) == date(2020, 3, 16)
    assert p.status_since(date(2020, 1, 1)) is None


# ---------------------------------------------------------------- funding years
def test_forecast_across_a_funding_year_boundary():
    # In post 16 July 2020, monthly 3000.00; as at 20 July 2020, original periods.
    # 2019/20 (to 31 July): 21-31 July = 11 days of 31 -> 3000 x 11 / 31 = 1064.516 -> 1064.52.
    # 2020/21 (Aug 2020 - Jul 2021): 12 whole months -> 36000.00.
    p = post(("in-post", "2020-07-16"))
    got = forecast_by_year(p, date(2020, 7, 20), allocation_segments(years(extended=False)))
    assert {k: sum(v.values()) for k, v in got.items()} == {
        "2019/20": D("1064.52"),
        "2020/21": D("36000.00"),
    }


def test_overlapping_periods_after_an_extension_never_double_count():
    # 2019/20 extended to 31 March 2021 overlaps 2020/21 (from 1 August 2020). The earliest
    # start wins: 2019/20 takes August 2020 - March 2021 (8 x 3000 = 24000.00), 2020/21 takes
    # only April - July 2021 (4 x 3000 = 12000.00). 24000 + 12000 = 36000 = 12 months, once.
    segments = allocation_segments(years(extended=True))
    assert [(str(s.start), str(s.end), label) for s, label in segments] == [
        ("2019-08-01", "2021-03-31", "2019/20"),
        ("2021-04-01", "2021-07-31", "2020/21"),
    ]
    p = post(("in-post", "2020-04-01"))
    got = forecast_by_year(p, date(2020, 7, 31), segments)
    assert {k: sum(v.values()) for k, v in got.items()} == {
        "2019/20": D("24000.00"),
        "2020/21": D("12000.00"),
    }


def test_forecast_follows_changes_dated_after_the_as_at_date():
    # In post since January; a resignation recorded with a leaving date: vacant from 1 May.
    # As at 31 March the forecast is April only: 3000.00. (Status shown is still in-post.)
    p = post(("in-post", "2020-01-01"), ("vacant", "2020-05-01"))
    got = forecast_by_year(p, date(2020, 3, 31), allocation_segments(years(extended=False)))
    assert got == {"2019/20": {date(2020, 4, 1): D("3000.00")}}
    assert p.status_as_at(date(2020, 3, 31)) == "in-post"


# ---------------------------------------------------------------- parsing
def test_fte_is_exact_text_and_floats_are_refused():
    assert parse_fte("0.6") == D("0.60")
    assert parse_fte(1) == D("1.00")
    for bad in (0.5, "0", "1.01", "-0.5", "0.333", "half", "1e-1"):
        with pytest.raises(InvalidInput):
            parse_fte(bad)


def test_annual_cost_from_salary_and_on_cost_rate():
    # 35,000.00 + 30% on-costs = 45,500.00.
    assert annual_cost_from_salary(D("35000.00"), D("30")) == D("45500.00")
    # 33,333.33 x 1.285 = 42833.32905 -> 42833.33 (half-up to the penny).
    assert annual_cost_from_salary(D("33333.33"), D("28.5")) == D("42833.33")


# ---------------------------------------------------------------- the ledger
@pytest.fixture
def led(new_ledger):
    return new_ledger("s.db", grant=FS_GRANT, years=TWO_YEARS)


def test_ledger_records_posts_and_history(led):
    p = led.posts.add(
        "PROB-N1",
        role="probation",
        host="National Probation Service",
        fte="1",
        salary="38000.00",
        on_cost_rate="31",
        planned_start="2019-11-01",
        route="secondment",
        team="North",
    )
    # 38,000.00 x 1.31 = 49,780.00
    assert p.annual_cost == D("49780.00")
    with pytest.raises(Conflict):
        led.posts.add(
            "PROB-N1",
            role="probation",
            host="NPS",
            fte="1",
            annual_cost="1",
            planned_start="2020-01-01",
        )
    with pytest.raises(InvalidInput):
        led.posts.set_status("PROB-N1", "blocked", "2019-10-14")  # no reason
    with pytest.raises(InvalidInput):
        led.posts.set_status("PROB-N1", "in-post", "2019-10-14", expected_start="2019-11-01")
    led.posts.set_status("PROB-N1", "blocked", "2019-10-14", reason="TUPE transfer")
    led.posts.set_status(
        "PROB-N1", "blocked", "2020-02-01", reason="TUPE transfer", expected_start="2020-09-01"
    )
    with pytest.raises(NotFound):
        led.posts.set_status("NOPE", "advertised", "2020-01-01")
    history = led.posts.get("PROB-N1").history
    assert [(c.status, str(c.effective)) for c in history] == [
        ("blocked", "2019-10-14"),
        ("blocked", "2020-02-01"),
    ]
    assert [p.id for p in led.posts.list(status="blocked", as_at="2020-03-31")] == ["PROB-N1"]
    assert led.posts.list(status="planned", as_at="2019-10-13")[0].id == "PROB-N1"
    # Spend may name the post.
    led.spend.add("2020-03-27", "100.00", "staffing", post="PROB-N1")


def test_posts_report_hand_worked(led):
    # Two posts; report as at 31 March 2020, 2019/20 (1 Aug 2019 - 31 Jul 2020, no extension).
    led.posts.add(
        "DA-N1",
        role="domestic-abuse",
        host="Council",
        fte="1",
        annual_cost="36000.00",
        planned_start="2019-11-01",
    )
    led.posts.add(
        "PROB-N1",
        role="probation",
        host="NPS",
        fte="0.5",
        annual_cost="48000.00",
        planned_start="2019-11-01",
    )
    led.posts.set_status("DA-N1", "in-post", "2020-03-16")
    led.posts.set_status("PROB-N1", "blocked", "2019-10-14", reason="CRC/NPS TUPE transfer")
    led.spend.add("2020-03-27", "1548.39", "staffing", post="DA-N1")
    r = led.reports.posts("2020-03-31", "2019/20")
    rows = {p.id: p for p in r.posts}
    # DA-N1: April - July 2020, 4 x 3000.00 = 12000.00; actual to date 1548.39.
    assert rows["DA-N1"].forecast_cost == D("12000.00")
    assert rows["DA-N1"].cost_to_date == D("1548.39")
    # PROB-N1: blocked, no expected start: nothing. Blocked 14 Oct 2019 -> 31 Mar 2020:
    # 17 (rest of Oct) + 30 + 31 + 31 + 29 + 31 = 169 days.
    assert rows["PROB-N1"].forecast_cost == D("0.00")
    assert [(b.id, b.days_blocked, b.reason) for b in r.blocked] == [
        ("PROB-N1", 169, "CRC/NPS TUPE transfer")
    ]
    assert r.fte_planned == D("1.50")
    assert r.fte_in_post == D("1.00")
    data = r.model_dump(mode="json")
    assert data["by_status"] == {
        "in-post": {"posts": 1, "fte": "1.00"},
        "blocked": {"posts": 1, "fte": "0.50"},
    }
    assert data["posts"][0]["fte"] == "1.00"
    # Any funding year: DA-N1 also costs August 2020 - July 2021 in 2020/21: 12 x 3000 more.
    assert {p.id: p.forecast_cost for p in led.reports.posts("2020-03-31").posts}["DA-N1"] == D(
        "48000.00"
    )


def test_the_posts_report_carries_its_totals(led):
    led.posts.add(
        "DA-N1", role="domestic-abuse", host="Council", fte="1", annual_cost="36000.00",
        planned_start="2019-11-01",
    )  # fmt: skip
    led.posts.add(
        "MH-N1", role="mental-health", host="NHS", fte="0.5", annual_cost="24000.00",
        planned_start="2020-06-01",
    )  # fmt: skip
    led.posts.set_status("DA-N1", "in-post", "2020-03-16")
    led.posts.set_status("MH-N1", "offered", "2020-03-01", expected_start="2020-06-01")
    led.spend.add("2020-03-27", "1548.39", "staffing", post="DA-N1")
    led.spend.add("2020-03-30", "10.01", "staffing", post="MH-N1")
    r = led.reports.posts("2020-03-31", "2019/20")
    # Cost to date: 1548.39 + 10.01 = 1558.40.
    # Forecast in 2019/20 (to 31 July 2020): DA-N1 April - July, 4 x 3000.00 = 12000.00;
    # MH-N1 from 1 June, the annual cost being at 1.0 FTE: 24000.00 / 12 x 0.5 =
    # 1000.00 a month, June and July 2000.00; 14000.00 in all.
    assert (r.cost_to_date, r.forecast_cost) == (D("1558.40"), D("14000.00"))
    data = r.model_dump(mode="json")
    assert (data["cost_to_date"], data["forecast_cost"]) == ("1558.40", "14000.00")


def test_example_report_shows_blocked_probation_posts(tmp_path):
    from typer.testing import CliRunner

    from fsgrant.cli import app
    from fsgrant.services.demo import example_ledger_path

    runner = CliRunner()
    db = str(tmp_path / "e.db")
    assert runner.invoke(app, ["--db", db, "load", str(example_ledger_path())]).exit_code == 0
    res = runner.invoke(
        app, ["--db", db, "report", "posts", "--as-at", "2020-03-31", "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    import json

    data = json.loads(res.output)
    assert set(data) >= {
        "as_at",
        "funding_year",
        "posts",
        "by_status",
        "blocked",
        "fte_planned",
        "fte_in_post",
    }
    assert set(data["posts"][0]) >= {
        "id",
        "title",
        "role",
        "host",
        "fte",
        "status",
        "status_since",
        "reason",
        "expected_start",
        "annual_cost",
        "forecast_cost",
    }
    blocked = {b["id"]: b for b in data["blocked"]}
    assert sorted(blocked) == ["PROB-N1", "PROB-N2", "PROB-S1", "PROB-S2"]
    # Blocked since 14 October 2019: 169 days by 31 March 2020 (worked above).
    assert {b["days_blocked"] for b in blocked.values()} == {169}
    assert all("TUPE" in b["reason"] for b in blocked.values())
    table = runner.invoke(app, ["--db", db, "report", "posts", "--as-at", "2020-03-31"])
    assert "Blocked: PROB-N1 since 2019-10-14 (169 days)" in table.output


def test_post_cli(tmp_path):
    from typer.testing import CliRunner

    from fsgrant.cli import app

    runner = CliRunner()
    db = ["--db", str(tmp_path / "c.db")]
    assert (
        runner.invoke(
            app, [*db, "init", "--grant", "FS", "--funder", "DfE", "--recipient", "C"]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            app, [*db, "year", "add", "2019/20", "--amount", "2490000", "--start", "2019-08-01"]
        ).exit_code
        == 0
    )
    res = runner.invoke(
        app,
        [
            *db,
            "post",
            "add",
            "MH-S1",
            "--role",
            "mental-health",
            "--host",
            "NHS trust",
            "--fte",
            "0.6",
            "--annual-cost",
            "55200.00",
            "--planned-start",
            "01/04/2020",
            "--team",
            "South",
            "--route",
            "secondment",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "0.60 FTE" in res.output
    bad = runner.invoke(
        app,
        [
            *db,
            "post",
            "add",
            "X1",
            "--role",
            "wizard",
            "--host",
            "H",
            "--fte",
            "1",
            "--annual-cost",
            "1",
            "--planned-start",
            "2020-01-01",
        ],
    )
    assert bad.exit_code == 2 and "role" in bad.output
    res = runner.invoke(
        app,
        [
            *db,
            "post",
            "status",
            "MH-S1",
            "offered",
            "--on",
            "2020-03-02",
            "--expected-start",
            "2020-03-16",
        ],
    )
    assert res.exit_code == 0, res.output
    assert (
        runner.invoke(
            app, [*db, "post", "status", "MH-S1", "blocked", "--on", "2020-03-03"]
        ).exit_code
        == 2
    )
    res = runner.invoke(app, [*db, "post", "list", "--as-at", "2020-03-05", "--format", "csv"])
    assert "MH-S1" in res.output and "offered" in res.output
    res = runner.invoke(app, [*db, "post", "show", "MH-S1"])
    assert res.exit_code == 0 and "monthly £2,760.00" in res.output and "offered" in res.output
    res = runner.invoke(
        app,
        [*db, "report", "posts", "--as-at", "2020-03-31", "--year", "2019/20", "--format", "json"],
    )
    import json

    row = json.loads(res.output)["posts"][0]
    # 0.6 x 55200 / 12 = 2760.00 a month; April - July 2020: 4 x 2760 = 11040.00.
    assert row["forecast_cost"] == "11040.00"
    assert row["fte"] == "0.60"


# ---------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(date(2019, 8, 1), date(2021, 7, 31)),
    pence=st.integers(1, 10_000_000),
    fte=st.sampled_from(["0.1", "0.5", "0.6", "0.81", "1"]),
    as_at=st.dates(date(2019, 7, 1), date(2021, 8, 31)),
    extended=st.booleans(),
)
def test_forecast_by_year_adds_up_and_never_double_counts(start, pence, fte, as_at, extended):
    # Whatever the dates, the forecast split by funding year adds up to the cost of the days
    # after the as-at date that some year covers, each counted once; every month is whole
    # pence, and the months add up to the total.
    annual = (D(pence) / 100).quantize(D("0.01"))
    p = post(("in-post", start.isoformat()), annual=str(annual), fte=fte, planned=start.isoformat())
    segments = allocation_segments(years(extended=extended))
    split = forecast_by_year(p, as_at, segments)
    covered_end = max(s.end for s, _ in segments)
    after = max(as_at + timedelta(days=1), date(2019, 8, 1))
    whole = {} if after > covered_end else cost_by_month(p, Period(after, covered_end))
    # Segments here are whole months, so each month falls in one year: figures match exactly.
    assert sum(sum(m.values()) for m in split.values()) == sum(whole.values())
    assert all(v == v.quantize(D("0.01")) for m in split.values() for v in m.values())
