"""No date or year a user can type bricks a report: each is refused where it comes in,
naming the field, or stored within the horizon (1 January 1990 - 31 December 2199 at
the widest); and a store written before the horizon was checked still reports.

The ledger is the worked example (``ledgers/cambridgeshire``): 2019/20 runs 1 August
2019 - 31 July 2020, 2020/21 1 August 2020 - 31 July 2021.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import fsgrant.services.horizon as horizon_service
from fsgrant.cli import app
from fsgrant.domain.horizon import Horizon
from fsgrant.services.demo import example_ledger_path

runner = CliRunner()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("horizon") / "template.db"
    res = runner.invoke(app, ["--db", str(db), "load", str(example_ledger_path())])
    assert res.exit_code == 0, res.output
    return db


def copy_of(template: Path, folder: Path) -> Path:
    db = folder / "grant.db"
    shutil.copy(template, db)
    return db


def invoke(db: Path, *args: str):
    return runner.invoke(app, ["--db", str(db), *args])


def no_traceback(res) -> bool:
    return res.exception is None or isinstance(res.exception, SystemExit)


def reports_all_work(db: Path, folder: Path) -> None:
    """The four commands that must never fail on what a store holds."""
    out = folder / "return.xlsx"
    for args in (
        ("report", "summary"),
        ("report", "sustainability"),
        ("export", "return", "--year", "2019/20", "--out", str(out), "--force"),
        ("export", "verify", str(out)),
    ):
        res = invoke(db, *args)
        assert res.exit_code == 0 and no_traceback(res), (args, res.output, res.exception)


def test_a_typed_end_of_9999_is_refused_naming_the_field(template, tmp_path):
    db = copy_of(template, tmp_path)
    res = invoke(
        db,
        "year",
        "vary",
        "2019/20",
        "--agreed-on",
        "2020-01-01",
        "--end",
        "9999-12-31",
        "--reason",
        "x",
    )
    assert res.exit_code != 0 and no_traceback(res)
    assert "end: 9999-12-31 is after" in res.output
    reports_all_work(db, tmp_path)


def test_a_typed_financial_year_is_refused_naming_the_field(template, tmp_path):
    db = copy_of(template, tmp_path)
    res = invoke(db, "plan", "fund", "council-base", "FY2202/03", "1000", "--on", "2020-03-01")
    assert res.exit_code != 0 and no_traceback(res)
    assert "financial_year: FY2202/03 is outside FY1989/90 to FY2199/00" in res.output
    # Within 1990-2199 but past 25 years after the later of 31 July 2021 and today.
    res = invoke(db, "plan", "fund", "council-base", "FY2099/00", "1000", "--on", "2020-03-01")
    assert res.exit_code != 0 and "financial_year: FY2099/00 is wholly after" in res.output
    res = invoke(db, "receipt", "add", "31/12/1989", "100.00", "--year", "2019/20")
    assert res.exit_code != 0 and "date: 1989-12-31 is before 1990-01-01" in res.output
    res = invoke(
        db, "post", "change", "DA-N1", "--on", "2020-09-01", "--end", "2400-01-01", "--reason", "r"
    )
    assert res.exit_code != 0 and "end: 2400-01-01 is after" in res.output
    reports_all_work(db, tmp_path)


def test_a_store_written_before_the_horizon_still_reports(template, tmp_path, monkeypatch):
    db = copy_of(template, tmp_path)
    # An older fsgrant checked no horizon: enter what it would have taken.
    with monkeypatch.context() as m:
        m.setattr(horizon_service, "horizon", lambda tables: Horizon(date.min, date.max))
        for args in (
            (
                "year",
                "vary",
                "2020/21",
                "--agreed-on",
                "2020-09-01",
                "--end",
                "9999-12-31",
                "--reason",
                "typed",
            ),
            (
                "post",
                "change",
                "DA-N1",
                "--on",
                "2020-09-01",
                "--end",
                "9999-12-31",
                "--reason",
                "r",
            ),
            ("receipt", "add", "0001-01-01", "1.00", "--year", "2019/20"),
        ):
            res = invoke(db, *args)
            assert res.exit_code == 0, (args, res.output)
    # Financial years it took, typed wrong, written as it would have written them.
    with sqlite3.connect(db, isolation_level=None) as conn:
        for table, name, label in (
            ("plan_funding", "council-base", "FY2202/03"),
            ("plan_funding", "council-base", "FY9999/00"),
            ("plan_costs", "case-recording", "FY1800/01"),
        ):
            column = "source" if table == "plan_funding" else "category"
            conn.execute(
                f"INSERT INTO {table} ({column}, financial_year, amount_pence, set_on, "
                "recorded_at, recorded_by) VALUES (?, ?, 100000, '2020-03-01', "
                "'2020-03-01T00:00:00+00:00', 'older')",
                [name, label],
            )
        conn.execute(
            "INSERT INTO measure_targets (measure, financial_year, value, set_on, "
            "recorded_at, recorded_by) VALUES ('children-in-care', 'FY9999/00', '600', "
            "'2020-03-01', '2020-03-01T00:00:00+00:00', 'older')"
        )
    reports_all_work(db, tmp_path)
    res = invoke(db, "check")
    assert no_traceback(res)
    # 2020/21 read as ending 31 December 2199; check says so.
    assert "date-past-horizon" in res.output and "2020/21" in res.output


DAYS = st.one_of(
    # Within the example's funding years (most commands take these), twice as often.
    st.dates(min_value=date(2019, 8, 1), max_value=date(2021, 7, 31)),
    st.dates(min_value=date(2019, 8, 1), max_value=date(2021, 7, 31)),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.dates(min_value=date(1985, 1, 1), max_value=date(2080, 12, 31)),
    st.sampled_from(
        [
            date(1989, 12, 31),
            date(1990, 1, 1),
            date(2199, 12, 31),
            date(2200, 1, 1),
            date(9999, 12, 31),
            date(2020, 2, 29),
        ]
    ),
)


def day_text(day: date, uk: bool) -> str:
    return day.strftime("%d/%m/") + f"{day.year:04d}" if uk else day.isoformat()


TEXTS = st.builds(day_text, DAYS, st.booleans())
FY = st.one_of(
    st.integers(1000, 9999).map(lambda y: f"FY{y}/{(y + 1) % 100:02d}"),
    st.integers(1985, 2080).map(lambda y: f"FY{y}/{(y + 1) % 100:02d}"),
    st.builds(lambda y, z: f"FY{y}/{z:02d}", st.integers(1985, 2300), st.integers(0, 99)),
    st.sampled_from(["FY2202/03", "FY2022/03", "FY9999/00", "FY1989/90", "FY2199/00"]),
)


def _op(template: tuple[str, ...]):
    """A command with each ``D`` replaced by a date typed and each ``FY`` by a year."""
    n_days, n_fy = template.count("D"), template.count("FY")
    return st.tuples(
        st.lists(TEXTS, min_size=n_days, max_size=n_days),
        st.lists(FY, min_size=n_fy, max_size=n_fy),
    ).map(lambda got: _fill(template, list(got[0]), list(got[1])))


def _fill(template: tuple[str, ...], days: list[str], years: list[str]) -> tuple[str, ...]:
    out = []
    for word in template:
        out.append(days.pop(0) if word == "D" else years.pop(0) if word == "FY" else word)
    return tuple(out)


OPS = st.one_of(
    [
        _op(("year", "vary", "2020/21", "--agreed-on", "D", "--end", "D", "--reason", "r")),
        _op(
            (
                "year",
                "vary",
                "2020/21",
                "--agreed-on",
                "D",
                "--start",
                "D",
                "--end",
                "D",
                "--reason",
                "r",
            )
        ),
        _op(("year", "add", "2021/22", "--amount", "1000", "--start", "D", "--end", "D")),
        _op(("receipt", "add", "D", "100.00", "--year", "2019/20")),
        _op(("plan", "fund", "council-base", "FY", "1000", "--on", "D")),
        _op(("plan", "cost", "case-recording", "FY", "1000", "--on", "D")),
        _op(("measure", "add", "children-in-care", "D", "700")),
        _op(("measure", "target", "children-in-care", "FY", "650", "--on", "D")),
        _op(
            (
                "post",
                "add",
                "NEW-1",
                "--host",
                "Council",
                "--role",
                "domestic-abuse",
                "--fte",
                "1",
                "--annual-cost",
                "40000",
                "--planned-start",
                "D",
                "--end",
                "D",
            )
        ),
        _op(("post", "change", "DA-N1", "--on", "D", "--end", "D", "--reason", "r")),
        _op(
            (
                "post",
                "status",
                "DA-N1",
                "blocked",
                "--on",
                "D",
                "--reason",
                "r",
                "--expected-start",
                "D",
            )
        ),
        _op(("condition", "add", "2020/21", "a condition", "--due", "D", "--agreed-on", "D")),
        _op(("estimate", "set", "2020/21", "training", "1000.00", "--on", "D")),
        _op(("forecast", "set", "2020/21", "training", "1000.00", "--on", "D")),
        _op(("period", "close", "2020/21", "--through", "D", "--reference", "r")),
    ]
)


def _days_in(args: tuple[str, ...]) -> list[date]:
    out = []
    for word in args:
        for form in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                out.append(datetime.strptime(word, form).date())
            except ValueError:
                continue
    return out


@pytest.mark.slow
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(OPS, min_size=1, max_size=3))
def test_any_date_typed_is_refused_or_reported(template, tmp_path_factory, ops):
    folder = tmp_path_factory.mktemp("typed")
    db = copy_of(template, folder)
    for args in ops:
        res = invoke(db, *args)
        assert no_traceback(res), (args, res.exception)
        event(f"{args[0]} {args[1]}: {'refused' if res.exit_code else 'accepted'}")
        if res.exit_code != 0:
            assert "error" in res.output.lower(), (args, res.output)
        else:
            # Nothing stored is dated past what reports read.
            for day in _days_in(args):
                assert date(1990, 1, 1) <= day <= date(2199, 12, 31), (args, res.output)
            for word in args:
                if word.startswith("FY") and len(word) == 9:
                    assert 1989 <= int(word[2:6]) <= 2199, (args, res.output)
    reports_all_work(db, folder)


QUERIES = st.one_of(
    [
        _op(("report", "summary", "--as-at", "D")),
        _op(("report", "sustainability", "--as-at", "D")),
        _op(("report", "sustainability", "--from", "FY", "--to", "FY")),
        _op(("report", "sustainability", "--to", "FY")),
        _op(("report", "posts", "--as-at", "D")),
        _op(("report", "profile", "--year", "2020/21", "--as-at", "D")),
        _op(("report", "variance", "--year", "2019/20", "--as-at", "D")),
        _op(("report", "spend", "--by", "funding-quarter", "--from", "D", "--to", "D")),
        _op(("check", "--as-at", "D")),
        _op(("export", "return", "--year", "2019/20", "--as-at", "D", "--force")),
        _op(("export", "return", "--year", "2019/20", "--from", "D", "--to", "D", "--force")),
        st.builds(
            lambda fy, n: ("export", "return", "--year", "2019/20", "--quarter", f"{fy} Q{n}"),
            FY,
            st.integers(0, 9),
        ),
        st.builds(
            lambda n: ("export", "return", "--year", "2019/20", "--quarter", f"Q{n}"),
            st.integers(0, 99),
        ),
    ]
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(QUERIES)
def test_any_date_asked_about_is_answered_or_refused(template, tmp_path_factory, args):
    folder = tmp_path_factory.mktemp("asked")
    db = copy_of(template, folder)
    if args[0] == "export":
        args = (*args, "--out", str(folder / "r.xlsx"))
    res = invoke(db, *args)
    assert no_traceback(res), (args, res.exception)
    assert res.exit_code in (0, 1, 2), (args, res.output)


def test_an_imported_line_dated_far_out_is_refused_naming_its_line(template, tmp_path):
    # Spend, typed or imported, must fall in a funding year, and every year lies within
    # the horizon: a line dated 31/12/9999 or 01/01/1900 is refused, named by its line.
    db = copy_of(template, tmp_path)
    header = (
        "Period,Posting Date,Transaction Number,Cost Centre,Cost Centre Name,Expense Code,"
        "Expense Description,Supplier Name,Description,Amount\n"
    )
    extract = tmp_path / "far.csv"
    extract.write_text(
        header
        + "201912,31/12/9999,T-1,FS110,FS,2400,Training,X,Typed year,100.00\n"
        + "201912,01/01/1900,T-2,FS110,FS,2400,Training,X,Typed year,100.00\n"
        + "201912,03/03/2020,T-3,FS110,FS,2400,Training,X,Good,100.00\n",
        encoding="utf-8",
    )
    mapping = example_ledger_path() / "agresso-mapping.toml"
    res = invoke(db, "spend", "import", str(extract), "-m", str(mapping), "--skip-invalid")
    assert res.exit_code == 0 and no_traceback(res), res.output
    assert "rejected line 2 (Posting Date): no funding year covers 9999-12-31" in res.output
    assert "rejected line 3 (Posting Date): no funding year covers 1900-01-01" in res.output
    reports_all_work(db, tmp_path)
