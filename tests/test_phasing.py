"""Phased estimates: how the year's estimate falls by month, the budget to date and the
variance to date.

The scenario, as a programme lead would put it:

    2019/20: award 100,000.00, 1 August 2019 - 31 July 2020.
    Original estimates (1 August 2019): staffing 60,000.00, training 12,000.00.
    Post P1 (staffing): 36,000.00 a year at 1.0 FTE, in post from 1 March 2020:
        3,000.00 a month.
    The practitioners start in March, so the staffing budget is phased:
        March 10,000.00, April - July 12,500.00 each (10,000 + 4 x 12,500 = 60,000).
    Training is not phased: 12,000.00 / 12 = 1,000.00 a month.
    Spend: training 5,000.00 on 15 November 2019; P1 payroll 3,000.00 on 31 March 2020.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from decimal import Decimal

import pytest
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.domain.periods import Period
from fsgrant.domain.phasing import budget_to_date, split_in_proportion
from fsgrant.errors import InvalidInput, PeriodClosed, SourceError

D = Decimal

MONTHS = """month,amount
# staffing: the practitioners start in March
2020-03,10000.00
04/2020,"12,500.00"
2020-05,12500.00
2020-06,12500.00
2020-07,12500.00
"""


def build(path) -> fsgrant.Ledger:
    led = fsgrant.open(path)
    led.init("FS", "DfE", "Council")
    led.years.add("2019/20", "100000.00", "2019-08-01")
    led.estimates.set("2019/20", "staffing", "60000.00", on="2019-08-01")
    led.estimates.set("2019/20", "training", "12000.00", on="2019-08-01")
    led.posts.add(
        "P1",
        role="domestic-abuse",
        host="Council",
        fte="1",
        annual_cost="36000.00",
        planned_start="2020-03-01",
    )
    led.posts.set_status("P1", "in-post", "2020-03-01")
    led.spend.add("2019-11-15", "5000.00", "training")
    led.spend.add("2020-03-31", "3000.00", "staffing", post="P1")
    return led


@pytest.fixture
def led(tmp_path):
    ledger = build(tmp_path / "p.db")
    months = tmp_path / "staffing-months.csv"
    months.write_text(MONTHS, encoding="utf-8")
    ledger.estimates.phase("2019/20", "staffing", months=months, on="2019-08-01")
    return ledger


def lines(report):
    return {x.category: x for x in report.lines}


def test_a_phased_budget_from_a_months_file(led):
    v = led.reports.variance("2019/20", "2020-03-31")
    staffing, training = lines(v)["staffing"], lines(v)["training"]
    # Staffing: August - February have no budget, March 10,000.00 has ended: 10,000.00
    # to date; actual 3,000.00, so 3,000 - 10,000 = -7,000.00 (-70.0%).
    assert staffing.phasing == "months"
    assert (staffing.budget_to_date, staffing.variance_to_date) == (D("10000.00"), D("-7000.00"))
    assert staffing.variance_to_date_pct == D("-70.0")
    # Training, unphased: 8 months (August - March) x 1,000.00 = 8,000.00 to date;
    # actual 5,000.00, so -3,000.00 (-37.5%).
    assert training.phasing == "unphased"
    assert (training.budget_to_date, training.variance_to_date) == (D("8000.00"), D("-3000.00"))
    # Totals: 10,000 + 8,000 = 18,000.00 to date; 8,000 - 18,000 = -10,000.00.
    assert (v.totals.budget_to_date, v.totals.variance_to_date) == (
        D("18000.00"),
        D("-10000.00"),
    )
    assert v.totals.phasing == "mixed"
    # The full year is unchanged by phasing: staffing forecast April - July 4 x 3,000 =
    # 12,000, outturn 15,000, variance -45,000.00 (-75.0%, red); training forecast
    # assumed 12,000 - 5,000 = 7,000, outturn 12,000, variance 0 (green).
    assert (staffing.variance, staffing.rag) == (D("-45000.00"), "red")
    assert (training.variance, training.rag) == (D("0.00"), "green")
    assert v.rag_basis == "full-year"


def test_rag_read_to_date(led):
    v = led.reports.variance("2019/20", "2020-03-31", to_date=True)
    # Training is on budget for the year but 37.5% behind its budget to date: red.
    assert lines(v)["training"].rag == "red"
    assert v.rag_basis == "to-date"
    led.spend.add("2020-03-20", "2700.00", "training")
    # Now 7,700 - 8,000 = -300.00, 3.75% of 8,000: green to date.
    assert lines(led.reports.variance("2019/20", "2020-03-31", to_date=True))["training"].rag == (
        "green"
    )


def test_a_month_cut_by_the_as_at_date_counts_by_days(led):
    v = led.reports.variance("2019/20", "2020-03-10")
    # Staffing: 10 of March's 31 days: 10,000 x 10 / 31 = 3,225.806... -> 3,225.81.
    # Training: August - February 7 x 1,000 = 7,000 + 1,000 x 10 / 31 = 322.58 -> 7,322.58.
    assert lines(v)["staffing"].budget_to_date == D("3225.81")
    assert lines(v)["training"].budget_to_date == D("7322.58")
    assert v.totals.budget_to_date == D("10548.39")


def test_the_profile_follows_the_phasing(led):
    p = led.reports.profile("2019/20", "2020-03-31")
    est = {m.month: m.estimate for m in p.months}
    # August - February: training's 1,000.00 only; March 10,000 + 1,000 = 11,000.00;
    # April - July 12,500 + 1,000 = 13,500.00; 7 x 1,000 + 11,000 + 4 x 13,500 = 72,000.
    assert est["2019-08"] == est["2020-02"] == D("1000.00")
    assert est["2020-03"] == D("11000.00")
    assert est["2020-07"] == D("13500.00")
    assert p.totals.estimate == D("72000.00")
    # To date: 18,000.00 budget; actual 5,000 + 3,000 = 8,000; variance -10,000.00.
    assert (p.budget_to_date, p.variance_to_date) == (D("18000.00"), D("-10000.00"))
    assert p.phasing == {"staffing": "months", "training": "unphased"}


def test_a_revised_estimate_scales_the_months(led):
    led.estimates.set("2019/20", "staffing", "48000.00", on="2020-02-01", reason="late starts")
    v = led.reports.variance("2019/20", "2020-03-31", against="revised")
    # 48,000 / 60,000 = 0.8 of each month: March 8,000.00 to date.
    assert lines(v)["staffing"].budget_to_date == D("8000.00")
    # Against the original the months are used as given.
    assert lines(led.reports.variance("2019/20", "2020-03-31"))["staffing"].budget_to_date == (
        D("10000.00")
    )


def test_phasing_is_dated_history(led):
    led.estimates.phase("2019/20", "staffing", even=True, on="2020-04-15")
    # As at 30 April: even, 60,000 / 12 = 5,000.00 a month, 9 months (August - April).
    after = lines(led.reports.variance("2019/20", "2020-04-30"))["staffing"]
    assert (after.phasing, after.budget_to_date) == ("even", D("45000.00"))
    # As at 31 March the months file was still in force.
    before = lines(led.reports.variance("2019/20", "2020-03-31"))["staffing"]
    assert (before.phasing, before.budget_to_date) == ("months", D("10000.00"))
    assert [p.method for p in led.estimates.phasings("2019/20")] == ["months", "even"]


def test_from_posts_follows_the_planned_starts(tmp_path):
    led = fsgrant.open(tmp_path / "posts.db")
    led.init("FS", "DfE", "Council")
    led.years.add("2019/20", "100000.00", "2019-08-01")
    led.estimates.set("2019/20", "staffing", "63000.00", on="2019-08-01")
    for post_id, cost, start in (
        ("P1", "36000.00", "2020-03-01"),
        ("P2", "24000.00", "2020-05-01"),
    ):
        led.posts.add(
            post_id, role="other", host="Council", fte="1", annual_cost=cost, planned_start=start
        )
    # Blocked since, but the phasing follows the plan, not the status.
    led.posts.set_status("P2", "blocked", "2020-02-01", reason="cannot recruit")
    p = led.estimates.phase("2019/20", "staffing", from_posts=True, on="2019-08-01")
    # As planned: P1 3,000.00 a month from March; P2 2,000.00 from May. Weights March
    # 3,000, April 3,000, May - July 5,000 each = 21,000; 63,000 is 3 x that.
    got = {m.month: m.amount for m in p.months if m.amount}
    assert got == {
        "2020-03": D("9000.00"),
        "2020-04": D("9000.00"),
        "2020-05": D("15000.00"),
        "2020-06": D("15000.00"),
        "2020-07": D("15000.00"),
    }
    assert p.total == D("63000.00")
    led.close()


def test_bad_months_files_name_the_line(led, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("month,amount\n2020-03,10000.00\n2020-04,49999.99\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"add up to 59999\.99, not the estimate 60000\.00"):
        led.estimates.phase("2019/20", "staffing", months=bad, on="2019-08-01")
    bad.write_text("month,amount\n2020-03,10000.00\n2020-08,50000.00\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad.csv, line 3, field 'month': 2020-08 is outside"):
        led.estimates.phase("2019/20", "staffing", months=bad, on="2019-08-01")
    bad.write_text("month,amount\n2020-03,10000.005\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad.csv, line 2, field 'amount'"):
        led.estimates.phase("2019/20", "staffing", months=bad, on="2019-08-01")
    bad.write_text("month,amount\nMarch,10000.00\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"line 2, field 'month'"):
        led.estimates.phase("2019/20", "staffing", months=bad, on="2019-08-01")
    with pytest.raises(InvalidInput, match="exactly one"):
        led.estimates.phase("2019/20", "staffing", even=True, from_posts=True)
    with pytest.raises(InvalidInput, match="no estimate for evaluation"):
        led.estimates.phase("2019/20", "evaluation", months={"2020-03": "1.00"})
    # Nothing of the refused phasings was stored.
    assert len(led.estimates.phasings()) == 1


def test_a_phasing_in_a_closed_period_is_refused(led):
    led.periods.close("2019/20", "2020-03-31", "Q4 return")
    with pytest.raises(PeriodClosed):
        led.estimates.phase("2019/20", "training", even=True, on="2020-03-15")
    led.estimates.phase("2019/20", "training", even=True, on="2020-04-01")


def test_the_store_keeps_phasing_append_only(led):
    conn = sqlite3.connect(led.store.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE estimate_phasing_months SET amount_pence = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM estimate_phasing")
    with pytest.raises(sqlite3.DatabaseError, match="each month once"):
        conn.execute(
            "INSERT INTO estimate_phasing_months (phasing, month, amount_pence) "
            "VALUES (1, '2020-03', 5)"
        )
    conn.close()


def test_split_in_proportion_adds_up_exactly():
    # 100.00 in thirds: 33.333... each; floors 33.33 x 3 = 99.99, the leftover penny to
    # the first (ties go to the earlier).
    assert split_in_proportion(D("100.00"), [D(1), D(1), D(1)]) == [
        D("33.34"),
        D("33.33"),
        D("33.33"),
    ]
    # 1.00 as 2:1: 66.67p and 33.33p -> floors 66 and 33, the penny to the larger remainder.
    assert split_in_proportion(D("1.00"), [D(2), D(1)]) == [D("0.67"), D("0.33")]
    assert split_in_proportion(D("10.00"), [D(0), D(0)]) == [D("5.00"), D("5.00")]


def test_budget_to_date_of_a_year_starting_mid_month():
    # A period from 16 March: March's part is 16 days; as at 23 March, 8 of them:
    # 1,600.00 x 8 / 16 = 800.00.
    period = Period(date(2020, 3, 16), date(2021, 3, 15))
    assert budget_to_date({"2020-03": D("1600.00")}, period, date(2020, 3, 23)) == D("800.00")


def test_cli_phase_and_variance_to_date(led, tmp_path):
    runner = CliRunner()
    db = str(led.store.path)
    training = tmp_path / "training.csv"
    training.write_text("month,amount\n2019-11,6000.00\n2020-03,6000.00\n", encoding="utf-8")
    r = runner.invoke(
        app,
        [
            "--db",
            db,
            "estimate",
            "phase",
            "2019/20",
            "training",
            "--months",
            str(training),
            "--on",
            "2019-08-01",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "Phased 2019/20 training by months from training.csv" in r.output
    r = runner.invoke(
        app,
        [
            "--db",
            db,
            "report",
            "variance",
            "--year",
            "2019/20",
            "--as-at",
            "2020-03-31",
            "--format",
            "json",
        ],
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    got = {x["category"]: (x["budget_to_date"], x["variance_to_date"]) for x in data["lines"]}
    # Training now 6,000 (November) + 6,000 (March) = 12,000.00 to date; 5,000 - 12,000.
    assert got == {"staffing": ("10000.00", "-7000.00"), "training": ("12000.00", "-7000.00")}
    assert data["totals"]["budget_to_date"] == "22000.00"
    bad = tmp_path / "short.csv"
    bad.write_text("month,amount\n2020-03,1.00\n", encoding="utf-8")
    r = runner.invoke(
        app, ["--db", db, "estimate", "phase", "2019/20", "training", "--months", str(bad)]
    )
    assert r.exit_code == 2
    assert "not the estimate 12000.00" in r.output
    assert "Traceback" not in r.output
    r = runner.invoke(
        app,
        [
            "--db",
            db,
            "report",
            "variance",
            "--year",
            "2019/20",
            "--as-at",
            "2020-03-31",
            "--to-date",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "RAG to date" in r.output


# A ledger folder's estimate_phasing.csv: the same scenario, kept as files.
LEDGER_TOML = """[grant]
name = "FS"
funder = "DfE"
recipient = "Council"

[[funding_year]]
label = "2019/20"
award = "100000.00"
start = "2019-08-01"
"""
LEDGER_ESTIMATES = """funding_year,category,amount,set_on,reason
2019/20,staffing,60000.00,2019-08-01,
2019/20,training,12000.00,2019-08-01,
2019/20,staffing,66000.00,2020-01-10,pay award
"""


def ledger_folder(tmp_path, phasing: str):
    folder = tmp_path / "ledger"
    folder.mkdir(exist_ok=True)
    (folder / "grant.toml").write_text(LEDGER_TOML, encoding="utf-8")
    (folder / "estimates.csv").write_text(LEDGER_ESTIMATES, encoding="utf-8")
    (folder / "estimate_phasing.csv").write_text(phasing, encoding="utf-8")
    return folder


def test_a_ledger_folder_loads_phasings(tmp_path):
    # Two phasings of staffing: the original 60,000.00 set on 1 August 2019 (March
    # 10,000, April - July 12,500 each: 10,000 + 4 x 12,500 = 60,000), written with its
    # rows apart, and the revised 66,000.00 set on 10 January 2020 (March - July
    # 13,200 each: 5 x 13,200 = 66,000); training evenly (no file rows: unphased).
    folder = ledger_folder(
        tmp_path,
        "funding_year,category,month,amount,set_on\n"
        "# illustrative\n"
        "2019/20,staffing,2020-03,10000.00,2019-08-01\n"
        "2019/20,staffing,2020-04,12500.00,2019-08-01\n"
        "2019/20,staffing,2020-05,13200.00,2020-01-10\n"
        "2019/20,staffing,05/2020,12500.00,2019-08-01\n"
        '2019/20,staffing,2020-06,"12,500.00",2019-08-01\n'
        "2019/20,staffing,2020-07,12500.00,2019-08-01\n"
        + "".join(f"2019/20,staffing,2020-0{m},13200.00,2020-01-10\n" for m in (3, 4, 6, 7)),
    )
    with fsgrant.open(tmp_path / "l.db") as led:
        result = led.load(folder)
        assert (result.estimates, result.estimate_phasing) == (3, 2)
        first, second = led.estimates.phasings("2019/20")
        assert (first.set_on, first.total, first.method) == (
            date(2019, 8, 1),
            D("60000.00"),
            "months",
        )
        assert [(m.month, m.amount) for m in first.months] == [
            ("2020-03", D("10000.00")),
            ("2020-04", D("12500.00")),
            ("2020-05", D("12500.00")),
            ("2020-06", D("12500.00")),
            ("2020-07", D("12500.00")),
        ]
        assert (second.set_on, second.total) == (date(2020, 1, 10), D("66000.00"))
        assert [m.amount for m in second.months] == [D("13200.00")] * 5
        # As at 31 March 2020 against the revised 66,000.00: March's 13,200.00 to date.
        v = led.reports.variance("2019/20", "2020-03-31", against="revised")
        assert lines(v)["staffing"].budget_to_date == D("13200.00")
        assert lines(v)["training"].phasing == "unphased"


@pytest.mark.parametrize(
    ("rows", "where"),
    [
        # March 10,000 + April 12,500 = 22,500.00, not 60,000.00: the phasing's first line.
        (
            "2019/20,staffing,2020-03,10000.00,2019-08-01\n"
            "2019/20,staffing,2020-04,12500.00,2019-08-01\n",
            r"estimate_phasing.csv, line 2, field 'amount': .*22500.00, not the estimate 60000.00",
        ),
        # August 2020 is after the year ends (31 July 2020): its own line.
        (
            "2019/20,staffing,2020-03,10000.00,2019-08-01\n"
            "2019/20,staffing,2020-08,50000.00,2019-08-01\n",
            r"estimate_phasing.csv, line 3, field 'month': 2020-08 is outside",
        ),
        (
            "2019/20,staffing,2020-03,60000.00,2019-08-01\n"
            "2019/20,staffing,03/2020,0.00,2019-08-01\n",
            r"estimate_phasing.csv, line 3, field 'month': 2020-03 is given twice",
        ),
        (
            "2019/20,staffing,March,60000.00,2019-08-01\n",
            r"estimate_phasing.csv, line 2, field 'month': 'March' is not a month",
        ),
        (
            "2019/20,staffing,2020-03,60000.005,2019-08-01\n",
            r"estimate_phasing.csv, line 2, field 'amount'",
        ),
        (
            "2019/20,staffing,2020-03,,2019-08-01\n",
            r"estimate_phasing.csv, line 2, field 'amount': is empty",
        ),
        (
            "2019/20,nonsense,2020-03,60000.00,2019-08-01\n",
            r"estimate_phasing.csv, line 2, field 'category'",
        ),
    ],
)
def test_a_bad_phasing_in_a_ledger_folder_names_file_line_and_field(tmp_path, rows, where):
    folder = ledger_folder(tmp_path, "funding_year,category,month,amount,set_on\n" + rows)
    with fsgrant.open(tmp_path / "bad.db") as led:
        with pytest.raises(SourceError, match=where):
            led.load(folder)
        assert led.tables.grant.name() is None  # nothing stored
