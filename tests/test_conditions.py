"""Conditions of funding years: numbers, a dated status history, evidence, closed
periods, the computed checks (figures worked out by hand), the summary's count of
conditions met, the command line, ledger folders, the return's Conditions sheet and
an upgraded store."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from old_stores import migrations_before, old_store
from openpyxl import load_workbook
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.domain.conditions import (
    ConditionStatusChange,
    estimates_check,
    first_year_after,
    status_as_at,
    sustainability_check,
)
from fsgrant.domain.models import FundingYearState
from fsgrant.domain.reports import PeriodSpan, VarianceLine, VarianceReport
from fsgrant.errors import InvalidInput, NotFound, PeriodClosed, SourceError

D = Decimal
Y1, Y2 = "2019/20", "2020/21"
REPORT_CONDITIONS = ["Evidence of onward sustainability", "Spend in line with original estimates"]


# ---------------------------------------------------------------- pure rules
def _change(id_: int, status: str, on: str) -> ConditionStatusChange:
    return ConditionStatusChange(
        id=id_,
        year=Y2,
        number=1,
        status=status,  # type: ignore[arg-type]
        on=on,
        reason="why" if status in ("not-met", "waived") else None,
        recorded_at=datetime(2020, 1, 1, tzinfo=UTC),
        recorded_by="finance",
    )


def test_the_status_as_at_a_date_is_the_latest_change_on_or_before_it():
    history = [
        _change(1, "submitted", "2020-03-20"),
        _change(2, "met", "2020-05-01"),
        # Two changes on one day: the later recorded is in force.
        _change(3, "not-met", "2020-06-01"),
        _change(4, "met", "2020-06-01"),
    ]
    assert status_as_at(history, date(2020, 3, 19)) is None  # open before the first
    assert status_as_at(history, date(2020, 3, 20)).status == "submitted"  # in force on its day
    assert status_as_at(history, date(2020, 4, 30)).status == "submitted"
    assert status_as_at(history, date(2020, 5, 1)).status == "met"
    assert status_as_at(history, date(2020, 6, 1)).id == 4


def _line(category: str, original: str, outturn: str) -> VarianceLine:
    o, t = D(original), D(outturn)
    return VarianceLine(
        category=category,
        estimate_original=o,
        estimate_revised=o,
        actual=t,
        forecast_remaining=D("0.00"),
        forecast_assumed=False,
        outturn=t,
        variance=t - o,
        variance_pct=None,
        rag=None,
    )


def _variance(*lines: VarianceLine) -> VarianceReport:
    return VarianceReport(
        funding_year=Y1,
        as_at=date(2020, 3, 31),
        period=PeriodSpan(start=date(2019, 8, 1), end=date(2020, 7, 31)),
        award=D("100000.00"),
        lines=lines,
        totals=_line("total", "0.00", "0.00"),  # not read by the check: it sums the lines
        underspend_at_risk=D("0.00"),
        overspend=D("0.00"),
    )


def test_the_estimates_check_by_hand():
    # staffing: 54,600.00 - 60,000.00 = -5,400.00; -5,400 / 60,000 = -9.0%: within 10%
    # training: 46,000.01 - 40,000.00 = +6,000.01; 15.000025% -> 15.0: outside
    # other:    nothing estimated, nothing forecast: within, no percentage
    # total:    100,600.01 - 100,000.00 = +600.01; 0.60001% -> 0.6: within
    check = estimates_check(
        _variance(
            _line("staffing", "60000.00", "54600.00"),
            _line("training", "40000.00", "46000.01"),
            _line("other", "0.00", "0.00"),
        ),
        D("10"),
    )
    assert (check.original_estimate, check.forecast_outturn) == (D("100000.00"), D("100600.01"))
    assert (check.variance, check.variance_pct, check.within_tolerance) == (
        D("600.01"),
        D("0.6"),
        True,
    )
    lines = {c.category: (c.variance, c.variance_pct, c.within_tolerance) for c in check.categories}
    assert lines == {
        "staffing": (D("-5400.00"), D("-9.0"), True),
        "training": (D("6000.01"), D("15.0"), False),
        "other": (D("0.00"), None, True),
    }
    assert (check.categories_outside, check.worst_category) == (1, "training")
    # A tighter tolerance: 0.6001% of the total is more than 0.5%; staffing's 9% too.
    tight = estimates_check(_variance(*(_variance().lines)), D("0.5"))
    assert tight.worst_category is None
    tight = estimates_check(
        _variance(
            _line("staffing", "60000.00", "54600.00"), _line("training", "40000.00", "46000.01")
        ),
        D("0.5"),
    )
    assert (tight.within_tolerance, tight.categories_outside) == (False, 2)


def test_the_tolerance_is_exact_at_its_edge_and_an_unestimated_spend_is_worst():
    # 66,000.00 is exactly 10% over 60,000.00: within. 66,000.01 rounds to 10.0% but is
    # over the line (6,000.01 x 100 > 10 x 60,000): outside.
    at_edge = estimates_check(_variance(_line("staffing", "60000.00", "66000.00")), D("10"))
    over = estimates_check(_variance(_line("staffing", "60000.00", "66000.01")), D("10"))
    assert (at_edge.variance_pct, at_edge.within_tolerance) == (D("10.0"), True)
    assert (over.variance_pct, over.within_tolerance) == (D("10.0"), False)
    # 500.00 spent where nothing was estimated is further out than training's +50%.
    check = estimates_check(
        _variance(_line("training", "1000.00", "1500.00"), _line("evaluation", "0.00", "500.00")),
        D("10"),
    )
    assert check.worst_category == "evaluation"
    assert [(c.category, c.within_tolerance) for c in check.categories] == [
        ("training", False),
        ("evaluation", False),
    ]


def _year(label: str, start: str, end: str, status: str = "confirmed") -> FundingYearState:
    return FundingYearState(
        label=label,
        status=status,  # type: ignore[arg-type]
        start=start,
        end=end,
        award=D("1.00"),
        original_start=start,
        original_end=end,
        original_award=D("1.00"),
        original_status=status,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class PlanYear:
    """A row of the sustainability plan, built by hand (the plan's own model lives
    with the plan)."""

    financial_year: str
    gap: Decimal
    funded_pct: Decimal | None


@dataclass(frozen=True)
class PlanReport:
    years: tuple[PlanYear, ...]
    sustainable_from: str | None


HAND_PLAN = PlanReport(
    years=(
        PlanYear("FY2020/21", D("-10000.00"), D("100.4")),
        PlanYear("FY2021/22", D("250000.00"), D("87.5")),
        PlanYear("FY2022/23", D("120000.50"), D("92.0")),
        PlanYear("FY2023/24", D("0.00"), D("100.0")),
    ),
    sustainable_from="FY2023/24",
)


def test_the_sustainability_check_reads_the_first_financial_year_after_the_grant():
    # The grant ends on 31/07/2021 (2020/21, the later end; the withdrawn year does
    # not count): FY2021/22 began before it, so the first year after is FY2022/23.
    years = [
        _year(Y1, "2019-08-01", "2021-03-31"),
        _year(Y2, "2020-08-01", "2021-07-31", "in-principle"),
        _year("2021/22", "2021-08-01", "2022-07-31", "withdrawn"),
    ]
    assert first_year_after(years) == (date(2021, 7, 31), "FY2022/23")
    check = sustainability_check(HAND_PLAN, years)
    assert (check.available, check.financial_year, check.gap, check.funded_pct) == (
        True,
        "FY2022/23",
        D("120000.50"),
        D("92.0"),
    )
    assert check.sustainable_from == "FY2023/24"
    # A grant ending on 31 March: the next financial year starts the next day.
    assert first_year_after([_year(Y1, "2019-08-01", "2021-03-31")])[1] == "FY2021/22"
    # A plan that stops short says so rather than showing figures.
    short = sustainability_check(PlanReport(HAND_PLAN.years[:2], None), years)
    assert not short.available
    assert "does not reach FY2022/23" in (short.note or "")


# ---------------------------------------------------------------- the ledger
@pytest.fixture
def led(tmp_path):
    fs = fsgrant.open(tmp_path / "c.db")
    fs.init("Family Safeguarding roll-out", "Department for Education", "The council")
    fs.years.add(Y1, "100000.00", "2019-08-01")
    fs.years.add(
        Y2, "1600000.00", "2020-08-01", status="in-principle", conditions=REPORT_CONDITIONS
    )
    fs.estimates.set(Y1, "staffing", "60000.00", on="2019-08-01")
    fs.estimates.set(Y1, "training", "40000.00", on="2019-08-01")
    fs.spend.add("2019-09-30", "30000.00", "staffing")
    fs.spend.add("2019-10-01", "46000.01", "training")
    fs.forecasts.set(Y1, "staffing", "24600.00", on="2020-03-31")
    fs.forecasts.set(Y1, "training", "0.00", on="2020-03-31")
    return fs


def test_conditions_are_numbered_after_those_recorded_with_their_year(led):
    assert [(c.number, c.text, c.status) for c in led.conditions.list(Y2)] == [
        (1, "Evidence of onward sustainability", "open"),
        (2, "Spend in line with original estimates", "open"),
    ]
    added = led.conditions.add(Y2, "Quarterly monitoring returns", due="30/06/2020")
    assert (added.number, added.due) == (3, date(2020, 6, 30))
    first = led.conditions.add(Y1, "A first condition of 2019/20")
    assert first.number == 1
    assert led.years.get(Y2).conditions == (*REPORT_CONDITIONS, "Quarterly monitoring returns")
    with pytest.raises(NotFound, match="2020/21 #4"):
        led.conditions.set_status(Y2, 4, "met", on="2020-05-01")
    with pytest.raises(InvalidInput, match="whole number"):
        led.conditions.add_evidence(Y2, "first", on="2020-05-01", note="x")
    with pytest.raises(InvalidInput, match="not one of"):
        led.conditions.add(Y2, "x", check="vibes")
    with pytest.raises(InvalidInput, match="check year"):
        led.conditions.add(Y2, "x", check="sustainability", check_year=Y1)


def test_a_status_history_evidence_and_the_summary_count(led):
    led.conditions.set_status(Y2, 1, "submitted", on="2020-03-20", reference="Q4 return")
    led.conditions.set_status(Y2, 1, "met", on="2020-05-01", reference="DfE letter")
    led.conditions.add_evidence(
        Y2, 1, on="2020-02-04", note="739 children in care", document="CYP report"
    )
    led.conditions.add_evidence(Y2, 1, on="2020-06-01", note="later")
    with pytest.raises(InvalidInput, match="needs a reason"):
        led.conditions.set_status(Y2, 2, "waived", on="2020-05-01")
    led.conditions.set_status(Y2, 2, "waived", on="2020-05-02", reason="DfE agreed")

    april = led.conditions.get(Y2, 1, as_at="2020-04-30")
    assert (april.status, april.status_on, april.reference) == (
        "submitted",
        date(2020, 3, 20),
        "Q4 return",
    )
    may = led.conditions.get(Y2, 1, as_at="2020-05-31")
    assert (may.status, may.status_on) == ("met", date(2020, 5, 1))
    # Evidence dated after the as-at date is not shown as at it.
    assert [(e.on, e.note, e.document) for e in may.evidence] == [
        (date(2020, 2, 4), "739 children in care", "CYP report")
    ]
    assert len(may.history) == 2

    y1, y2 = led.reports.summary("2020-05-31").funding_years
    assert (y1.secure, y1.conditions, y1.standing) == (True, 0, "confirmed")
    # 1 met and 1 waived (a waived condition is not unmet): still not secure, as DfE
    # has not confirmed the year.
    assert (y2.secure, y2.conditions, y2.conditions_met, y2.conditions_waived) == (False, 2, 1, 1)
    assert y2.standing == "in-principle (not secure: 2 of 2 conditions met or waived (1 waived))"
    assert led.reports.summary("2020-04-30").funding_years[1].conditions_met == 0
    actions = [e.action for e in led.audit.log()]
    assert actions.count("condition.status") == 3
    assert actions.count("condition.evidence") == 2


def test_the_history_is_append_only(led):
    led.conditions.set_status(Y2, 1, "met", on="2020-05-01")
    led.conditions.add_evidence(Y2, 1, on="2020-05-01", note="x")
    led.conditions.add(Y2, "third")
    conn = sqlite3.connect(led.path)
    try:
        for sql in (
            "UPDATE condition_status SET status = 'open'",
            "DELETE FROM condition_evidence",
            "UPDATE conditions SET text = 'other'",
        ):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute(sql)
    finally:
        conn.close()
    assert not [f for f in led.doctor() if f.problem]


def test_a_closed_period_freezes_its_conditions(led):
    # Every return shows every year's conditions, so closing 2019/20 through 31 March
    # freezes 2020/21's conditions dated by then too; one dated after is accepted.
    led.periods.close(Y1, "2020-03-31", "Y1 final")
    with pytest.raises(PeriodClosed, match="Y1 final"):
        led.conditions.add_evidence(Y2, 2, on="2020-03-01", note="monitoring")
    led.conditions.add_evidence(Y2, 2, on="2020-04-01", note="monitoring")
    led.periods.close(Y2, "2020-09-30", "Q1 return")
    with pytest.raises(PeriodClosed, match="Q1 return"):
        led.conditions.set_status(Y2, 1, "met", on="2020-09-30")
    with pytest.raises(PeriodClosed):
        led.conditions.add_evidence(Y2, 1, on="2020-09-01", note="x")
    with pytest.raises(PeriodClosed):
        led.conditions.add(Y2, "backdated", agreed_on="2020-08-15")
    assert led.conditions.list(Y2, as_at="2020-12-31")[0].status == "open"  # nothing stored
    led.conditions.set_status(Y2, 1, "met", on="2020-10-01")  # after the closed date
    assert led.conditions.get(Y2, 1, as_at="2020-10-01").status == "met"


def test_the_estimates_check_through_the_ledger_and_its_tolerance_setting(led):
    # As in the hand-worked check: staffing 30,000.00 spent + 24,600.00 forecast =
    # 54,600.00 (-9.0%); training 46,000.01 + 0.00 (+15.0%); total +600.01 (+0.6%).
    c = led.conditions.add(
        Y2, "Spend in line", check="estimates", check_year=Y1, agreed_on="2020-01-15"
    )
    check = led.conditions.get(Y2, c.number, as_at="2020-03-31").check
    assert check is not None and check.kind == "estimates"
    assert (check.funding_year, check.tolerance_pct) == (Y1, D("10"))
    assert (check.variance, check.variance_pct, check.within_tolerance) == (
        D("600.01"),
        D("0.6"),
        True,
    )
    assert check.worst_category == "training"
    led.settings.set("conditions.tolerance", "0.5")
    tight = led.conditions.get(Y2, c.number, as_at="2020-03-31").check
    assert (tight.within_tolerance, tight.categories_outside) == (False, 2)
    assert led.settings.get("conditions.tolerance") == "0.5"


def test_the_sustainability_check_reads_the_plan(led, monkeypatch):
    c = led.conditions.add(Y2, "Onward sustainability", check="sustainability")
    # The ledger's own plan (no sources yet): the grant ends 31/07/2021, so the first
    # financial year after it is FY2022/23, and with no funding it is not closed.
    check = led.conditions.get(Y2, c.number).check
    assert (check.kind, check.available, check.financial_year) == (
        "sustainability",
        True,
        "FY2022/23",
    )

    class Plan:
        def report(self, from_fy=None, to_fy=None, as_at=None):
            return HAND_PLAN

    # With a plan (fs.plan), its figures: the grant ends 31/07/2021 -> FY2022/23.
    monkeypatch.setattr(led, "plan", Plan(), raising=False)
    check = led.conditions.get(Y2, c.number).check
    assert (check.available, check.financial_year, check.gap) == (
        True,
        "FY2022/23",
        D("120000.50"),
    )


# ---------------------------------------------------------------- command line
def test_the_command_line(tmp_path):
    db = ["--db", str(tmp_path / "cli.db")]
    runner = CliRunner()

    def ok(*args: str) -> str:
        r = runner.invoke(app, [*db, *args])
        assert r.exit_code == 0, r.output + r.stderr
        return r.output

    ok("init", "--grant", "G", "--funder", "DfE", "--recipient", "Council")
    ok("year", "add", Y1, "--amount", "100000.00", "--start", "2019-08-01")
    ok("year", "add", Y2, "--amount", "1600000.00", "--start", "2020-08-01",
       "--status", "in-principle", "--condition", REPORT_CONDITIONS[0])  # fmt: skip
    out = ok("condition", "add", Y2, REPORT_CONDITIONS[1], "--due", "30/06/2020",
             "--check", "estimates", "--check-year", Y1, "--agreed-on", "15/01/2020")  # fmt: skip
    assert "2020/21 #2" in out
    ok("condition", "evidence", Y2, "1", "--on", "04/02/2020", "--note", "739 children in care",
       "--document", "=HYPERLINK(\"x\")")  # fmt: skip
    ok("condition", "status", Y2, "1", "met", "--on", "2020-05-01", "--reference", "DfE letter")
    bad = runner.invoke(app, [*db, "condition", "status", Y2, "2", "not-met", "--on", "2020-05-01"])
    assert bad.exit_code == 2
    assert bad.stderr.strip() == "fsgrant: error: a condition not-met needs a reason (--reason)"
    missing = runner.invoke(app, [*db, "condition", "status", Y2, "9", "met", "--on", "2020-05-01"])
    assert missing.exit_code == 1 and "2020/21 #9" in missing.stderr

    data = json.loads(ok("condition", "list", "--year", Y2, "--as-at", "2020-05-31", "-f", "json"))
    assert [(d["year"], d["number"], d["status"], d["status_on"]) for d in data] == [
        (Y2, 1, "met", "2020-05-01"),
        (Y2, 2, "open", None),
    ]
    assert data[0]["evidence"] == [
        {"id": 1, "on": "2020-02-04", "note": "739 children in care", "document": '=HYPERLINK("x")'}
    ]
    assert data[0]["check"] is None and data[1]["due"] == "2020-06-30"
    assert data[1]["check"]["kind"] == "estimates"
    assert data[1]["check"]["original_estimate"] == "0.00"  # no estimates recorded
    # Wide enough that no text cell is folded (piped, tables are drawn at 100 columns).
    wide = runner.invoke(
        app, [*db, "condition", "list", "--as-at", "2020-05-31"], env={"COLUMNS": "240"}
    )
    assert wide.exit_code == 0, wide.output
    assert "739 children in care" in wide.output
    summary = json.loads(ok("report", "summary", "--as-at", "2020-05-31", "-f", "json"))
    y2 = summary["funding_years"][1]
    assert (y2["secure"], y2["conditions"], y2["conditions_met"]) == (False, 2, 1)
    assert "1 of 2 conditions met" in ok("report", "summary", "--as-at", "2020-05-31")


# ---------------------------------------------------------------- ledger folders
def test_a_ledger_folder_with_conditions_and_a_bad_event(tmp_path):
    folder = tmp_path / "ledger"
    folder.mkdir()
    (folder / "grant.toml").write_text(
        '[grant]\nname = "G"\nfunder = "DfE"\nrecipient = "Council"\n\n'
        '[[funding_year]]\nlabel = "2020/21"\naward = "1600000.00"\nstart = 2020-08-01\n'
        'status = "in-principle"\nconditions = ["Listed with the year"]\n\n'
        '[[condition]]\nfunding_year = "2020/21"\ntext = "Added"\ncheck = "estimates"\n'
        "agreed_on = 2020-01-15\n",
        encoding="utf-8",
    )
    events = folder / "condition_events.csv"
    events.write_text(
        "funding_year,number,kind,on,status,note,document,reason,reference\n"
        "2020/21,2,evidence,2020-03-01,,monitoring,P11,,\n"
        "2020/21,2,status,2020-03-20,waived,,,,\n",
        encoding="utf-8",
    )
    with fsgrant.open(tmp_path / "bad.db") as fs, pytest.raises(SourceError) as err:
        fs.load(folder)
    assert "condition_events.csv" in str(err.value) and "line 3" in str(err.value)
    assert "reason" in str(err.value)
    events.write_text(
        "funding_year,number,kind,on,status,note,document,reason,reference\n"
        "2020/21,2,evidence,2020-03-01,,monitoring,P11,,\n"
        "2020/21,2,status,2020-03-20,waived,,,DfE agreed,\n",
        encoding="utf-8",
    )
    with fsgrant.open(tmp_path / "good.db") as fs:
        counts = fs.load(folder)
        assert (counts.conditions, counts.condition_events) == (1, 2)
        states = fs.conditions.list(as_at="2020-03-31")
        assert [(c.number, c.text, c.status, len(c.evidence)) for c in states] == [
            (1, "Listed with the year", "open", 0),
            (2, "Added", "waived", 1),
        ]


def test_the_example_records_the_reports_two_conditions(tmp_path):
    from fsgrant.services.demo import example_ledger_path

    with fsgrant.open(tmp_path / "cambs.db") as fs:
        fs.load(example_ledger_path())
        states = fs.conditions.list(Y2, as_at="2020-03-31")
        assert [(c.number, c.text, c.check_kind) for c in states] == [
            (1, "Evidence of onward sustainability", "sustainability"),
            (2, "Spend in line with original estimates", "estimates"),
        ]
        assert [e.note.split(";")[0] for e in states[0].evidence] == [
            "739 children in care on 4 February 2020",
            "Child protection plans down from a peak of 581 in April 2019",
        ]
        assert states[1].status == "submitted"


# ---------------------------------------------------------------- the return
def _sheet(path, name="Conditions"):
    wb = load_workbook(path)
    return [tuple(r) for r in wb[name].iter_rows(values_only=True)]


def test_the_returns_conditions_sheet_and_verify(led, tmp_path):
    led.conditions.add(
        Y2, "Spend in line", check="estimates", check_year=Y1, agreed_on="2020-01-15"
    )
    led.conditions.set_status(Y2, 1, "met", on="2020-03-20", reference="DfE letter")
    led.conditions.add_evidence(Y2, 1, on="2020-02-04", note="=739 in care", document="CYP")
    path = led.exports.write_return(Y1, "2020-03-31", out=tmp_path / "r.xlsx")
    rows = _sheet(path)
    first = next(r for r in rows if r[0] == "2020/21 #1")
    assert first[1:6] == (Y2, REPORT_CONDITIONS[0], None, "met", datetime(2020, 3, 20))
    assert first[7:9] == ("DfE letter", 1)
    evidence = next(r for r in rows if r[0] == "2020/21 #1 evidence 1")  # by its id
    assert evidence[1:4] == (datetime(2020, 2, 4), "=739 in care", "CYP")  # text, not a formula
    total = next(r for r in rows if r[0] == "Total")
    # 100,000.00 estimated, 100,600.01 forecast, +600.01, 0.6% (0.006), within 10%.
    assert total[1:4] == (100000, 100600.01, 600.01)
    assert total[4] == pytest.approx(0.006) and total[5] == "Yes"
    assert led.exports.verify(path).ledger_matches
    assert led.exports.verify(path).changes == ()

    # A return made before the Conditions (and Sustainability) sheets still verifies
    # on the sheets it has.
    wb = load_workbook(path)
    del wb["Conditions"]
    del wb["Sustainability"]
    older = tmp_path / "older.xlsx"
    wb.save(older)
    assert led.exports.verify(older).ledger_matches

    # New evidence moves a figure of the sheet, and says which record moved it.
    led.conditions.add_evidence(Y2, 1, on="2020-03-01", note="more")
    check = led.exports.verify(path)
    assert not check.ledger_matches
    moved = {(c.sheet, c.row, c.column) for c in check.changes}
    assert ("Conditions", "2020/21 #1", "Evidence items") in moved
    assert ("Conditions", "2020/21 #1 evidence 2", "Note") in moved
    # Evidence dated earlier but recorded later is its own row (keyed by its id, 3),
    # never a shift of the rows after it.
    led.conditions.add_evidence(Y2, 1, on="2020-01-20", note="earliest")
    moved = {(c.sheet, c.row, c.column) for c in led.exports.verify(path).changes}
    assert ("Conditions", "2020/21 #1 evidence 3", "Note") in moved
    assert ("Conditions", "2020/21 #1 evidence 1", "Note") not in moved


# ---------------------------------------------------------------- upgrade
def test_an_upgraded_store_numbers_its_listed_conditions_and_keeps_its_fingerprint(
    tmp_path, monkeypatch
):
    path = tmp_path / "old.db"
    old_store(
        path,
        migrations_before("0011_conditions"),
        years=[(Y2, 160_000_000, "in-principle", "2020-08-01", "2021-07-31", REPORT_CONDITIONS)],
    )
    # The fingerprint of that store before the upgrade, over the rows written above.
    before = "49da162280df52d35deec780bef7d37bbaedcc8c819f61a83b5c5627631a8636"
    with fsgrant.open(path, create=False) as fs:
        assert "0011_conditions" in fs.store.applied_migrations()
        # A return made before the upgrade still verifies: nothing was added.
        assert fs.exports.fingerprint() == before
        assert [c.number for c in fs.conditions.list(Y2)] == [1, 2]
        fs.conditions.set_status(Y2, 2, "met", on="2020-05-01")
        assert fs.exports.fingerprint() != before
