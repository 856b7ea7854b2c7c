"""Accruals: work done by 31 March, not yet invoiced, charged to FY2019/20 and taken
out again on 1 April (FY2020/21); both fall in funding year 2019/20 (August to July),
where they net to zero. Figures worked out by hand below."""

from __future__ import annotations

from decimal import Decimal

import pytest
from reliability_helpers import make_grant
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.errors import Conflict, InvalidInput, PeriodClosed

D = Decimal


@pytest.fixture
def led(tmp_path):
    path = tmp_path / "grant.db"
    make_grant(path)
    with fsgrant.open(path, create=False) as ledger:
        yield ledger


def test_an_accrual_at_31_march_and_its_reversal(led) -> None:
    accrual, reversal = led.spend.accrue(
        "31/03/2020", "5000.00", "training", reference="PO-1001", description="March cohort"
    )
    assert (accrual.id, accrual.date.isoformat(), accrual.amount, accrual.accrual) == (
        1,
        "2020-03-31",
        D("5000.00"),
        "accrual",
    )
    assert (reversal.id, reversal.date.isoformat(), reversal.amount, reversal.accrual) == (
        2,
        "2020-04-01",  # the next day, by default
        D("-5000.00"),
        "reversal",
    )
    assert accrual.accrual_reversed_by == 2 and reversal.accrual_of == 1
    assert reversal.description == "Reversal of accrual (line 1): March cohort"
    # Financial years: +5,000.00 in FY2019/20, -5,000.00 in FY2020/21.
    by_fy = {r.key: r.amount for r in led.reports.spend("financial-year").rows}
    assert by_fy == {"FY2019/20": D("5000.00"), "FY2020/21": D("-5000.00")}
    # The funding year 2019/20 (1 August 2019 to 31 July 2020) holds both: net 0.00.
    by_year = {r.key: r.amount for r in led.reports.spend("funding-year").rows}
    assert by_year == {"2019/20": D("0.00")}
    # As at 31 March the accrual counts; as at 30 April it is reversed.
    assert led.reports.summary("2020-03-31").funding_years[0].actual == D("5000.00")
    assert led.reports.summary("2020-04-30").funding_years[0].actual == D("0.00")


def test_refused_together_when_either_date_is_closed(led) -> None:
    led.periods.close("2019/20", "2020-03-31", "Q4 return")
    with pytest.raises(PeriodClosed):
        led.spend.accrue("2020-03-31", "100.00", "training")
    assert led.spend.list() == []
    # 31 July 2020 is 2019/20's last day (open); 1 August is 2020/21's first, closed.
    led.periods.close("2020/21", "2020-09-30", "Q1 return")
    with pytest.raises(PeriodClosed, match="an accrual's reversal dated 2020-08-01"):
        led.spend.accrue("2020-07-31", "100.00", "training")
    assert led.spend.list() == []  # neither was stored


def test_a_reversal_comes_after_the_accrual(led) -> None:
    with pytest.raises(InvalidInput, match="reversed after it"):
        led.spend.accrue("2020-03-31", "100.00", "training", reverse_on="2020-03-31")
    with pytest.raises(InvalidInput):
        led.spend.accrue("2020-03-31", "0.00", "training")


def test_the_store_keeps_the_link(led) -> None:
    led.spend.accrue("2020-03-31", "100.00", "training", reverse_on="2020-04-03")
    store = led.store
    with pytest.raises(Conflict, match="reversed once"), store.transaction("test"):
        store.insert(
            "spend",
            {
                "date": "2020-04-05",
                "amount_pence": -10000,
                "category": "training",
                "accrual": "reversal",
                "accrual_of": 1,
                "recorded_at": "2020-04-05T00:00:00+00:00",
                "recorded_by": "x",
            },
        )


def test_cli_marks_them_in_the_list(tmp_path) -> None:
    db = str(tmp_path / "grant.db")
    make_grant(tmp_path / "grant.db")
    runner = CliRunner()
    r = runner.invoke(
        app, ["--db", db, "spend", "accrue", "31/03/2020", "1200.00", "training", "--ref", "PO-7"]
    )
    assert r.exit_code == 0, r.output
    assert r.output == (
        "Line 1 accrues £1,200.00 on 2020-03-31 (FY2019/20); "
        "line 2 reverses it on 2020-04-01 (FY2020/21).\n"
    )
    r = runner.invoke(app, ["--db", db, "spend", "list", "--format", "csv"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[1].endswith(",accrual (reversed by 2)")
    assert lines[2].endswith(",reversal of accrual 1")


def test_a_ledger_folder_line_with_reverse_on_is_an_accrual(tmp_path) -> None:
    import shutil
    from pathlib import Path

    folder = tmp_path / "ledger"
    shutil.copytree(Path(__file__).parent.parent / "ledgers" / "cambridgeshire", folder)
    for name in folder.glob("*.csv"):
        if name.name not in ("posts.csv", "estimates.csv"):
            name.unlink()
    (folder / "spend.csv").write_text(
        "date,amount,category,supplier,reference,reverse_on\n"
        "2020-03-31,640.00,training,Venue Hire Cambs,PO-9,2020-04-01\n"
    )
    with fsgrant.open(tmp_path / "grant.db") as led:
        assert led.load(folder).spend == 1
        lines = led.spend.list()
        assert [(x.date.isoformat(), x.amount, x.accrual) for x in lines] == [
            ("2020-03-31", D("640.00"), "accrual"),
            ("2020-04-01", D("-640.00"), "reversal"),
        ]
