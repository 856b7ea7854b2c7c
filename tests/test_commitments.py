"""Commitments: a purchase order part-invoiced, then fully invoiced, another cancelled;
what is committed as at the dates between, in the summary, the variance and the
forecast's floor. Figures worked out by hand below."""

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
        ledger.estimates.set("2019/20", "training", "10000.00", on="2019-08-01")
        ledger.forecasts.set("2019/20", "training", "1000.00", on="2019-08-01")
        # PO-1001: Motivational Interviewing course, 4,800.00, raised 1 October 2019.
        ledger.commitments.add(
            "2019-10-01", "4800.00", "training", reference="PO-1001", supplier="MI Trainers"
        )
        # Invoiced 2,000.00 on 15 November, the other 2,800.00 on 20 January.
        ledger.spend.add("2019-11-15", "2000.00", "training", reference="PO-1001")
        ledger.spend.add("2020-01-20", "2800.00", "training", reference="PO-1001")
        # PO-1002: a venue, 1,500.00, raised 1 December, cancelled 10 February.
        ledger.commitments.add("2019-12-01", "1500.00", "training", reference="PO-1002")
        ledger.commitments.cancel(2, on="2020-02-10", reason="venue no longer needed")
        yield ledger


# As at:        PO-1001 open            PO-1002 open   committed
# 31/10/2019    4,800.00                -              4,800.00
# 30/11/2019    4,800 - 2,000 = 2,800   -              2,800.00
# 31/12/2019    2,800.00                1,500.00       4,300.00
# 31/01/2020    2,800 - 2,800 = 0       1,500.00       1,500.00
# 29/02/2020    0                       cancelled      0.00
COMMITTED = {
    "2019-10-31": "4800.00",
    "2019-11-30": "2800.00",
    "2019-12-31": "4300.00",
    "2020-01-31": "1500.00",
    "2020-02-29": "0.00",
}


@pytest.mark.parametrize(("day", "committed"), sorted(COMMITTED.items()))
def test_committed_as_at_dates_between(led, day, committed) -> None:
    assert led.commitments.committed(day).get(("2019/20", "training"), D("0.00")) == D(committed)
    summary = {y.label: y for y in led.reports.summary(day).funding_years}
    assert summary["2019/20"].committed == D(committed)
    line = next(x for x in led.reports.variance("2019/20", day).lines if x.category == "training")
    assert line.committed == D(committed)
    # The forecast set is 1,000.00: lifted to what is committed when that is more.
    assert line.forecast_remaining == max(D(committed), D("1000.00"))
    assert line.forecast_lifted_to_committed is (D(committed) > D("1000.00"))


def test_each_commitment_as_at_a_date(led) -> None:
    first, second = led.commitments.list(as_at="2019-12-31")
    assert (first.amount, first.drawn, first.open, first.status) == (
        D("4800.00"),
        D("2000.00"),
        D("2800.00"),
        "open",
    )
    assert (second.open, second.status, second.cancelled_on) == (D("1500.00"), "open", None)
    now = led.commitments.list()
    assert [(c.status, c.open) for c in now] == [("invoiced", D("0.00")), ("cancelled", D("0"))]
    assert now[1].cancel_reason == "venue no longer needed"
    assert led.commitments.list(open_only=True) == []
    assert [c.id for c in led.commitments.list(open_only=True, as_at="2020-01-31")] == [2]


def test_a_reversed_invoice_gives_the_money_back(led) -> None:
    led.spend.reverse(2, "keyed against the wrong order")  # the 2,800.00 of 20 January
    # As at 31 January: PO-1001 4,800 - (2,000 + 2,800 - 2,800) = 2,800; PO-1002 1,500.
    assert led.commitments.committed("2020-01-31")[("2019/20", "training")] == D("4300.00")


def test_an_invoice_beyond_the_order_draws_no_more_than_it(led) -> None:
    led.commitments.add("2020-03-01", "500.00", "training", reference="PO-1003")
    led.spend.add("2020-03-05", "650.00", "training", reference="PO-1003")
    c = led.commitments.list(as_at="2020-03-31")[-1]
    assert (c.invoiced, c.drawn, c.open, c.status) == (
        D("650.00"),
        D("500.00"),
        D("0.00"),
        "invoiced",
    )


def test_refusals(led) -> None:
    with pytest.raises(Conflict, match="commitment 1 already quotes PO-1001"):
        led.commitments.add("2020-03-01", "10.00", "training", reference="PO-1001")
    # A cancelled order's number may be raised again.
    led.commitments.add("2020-03-01", "10.00", "training", reference="PO-1002")
    with pytest.raises(InvalidInput):
        led.commitments.add("2020-03-01", "-10.00", "training", reference="PO-9")
    with pytest.raises(InvalidInput):
        led.commitments.add("2020-03-01", "10.00", "training", reference=" ")
    with pytest.raises(Conflict, match="cancelled on 2020-02-10"):
        led.commitments.cancel(2, on="2020-03-01", reason="again")
    with pytest.raises(InvalidInput, match="raised on 2019-10-01"):
        led.commitments.cancel(1, on="2019-09-01", reason="too early")
    for wrong in (None, True, 1.0, 10**30, "1"):
        with pytest.raises(
            InvalidInput, match=r"commitment_id (must be a whole number|.* is out of range)"
        ):
            led.commitments.cancel(wrong, on="2020-03-01", reason="x")
    led.periods.close("2019/20", "2020-03-31", "Q4 return")
    with pytest.raises(PeriodClosed):
        led.commitments.add("2020-03-15", "10.00", "training", reference="PO-9")


def test_cli(tmp_path) -> None:
    db = str(tmp_path / "grant.db")
    make_grant(tmp_path / "grant.db")
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, ["--db", db, *args])
        assert result.exit_code == 0, result.output
        return result.output

    assert run("commit", "add", "2019-10-01", "4800.00", "training", "--ref", "PO-1001") == "1\n"
    run("spend", "add", "2019-11-15", "2000.00", "training", "--ref", "PO-1001")
    out = run("commit", "list", "--as-at", "2019-11-30", "--format", "csv")
    assert "1,2019-10-01,PO-1001,4800.00,2000.00,2800.00,open,training" in out
    assert "£2,800.00" in run("report", "summary", "--as-at", "2019-11-30")
    said = run("commit", "cancel", "1", "--on", "2019-12-01", "--reason", "course moved")
    assert "£2,800.00 no longer committed" in said
    assert run("commit", "list", "--open", "--format", "csv").count("\n") == 1


def test_a_ledger_folder_carries_commitments(tmp_path) -> None:
    import shutil
    from pathlib import Path

    folder = tmp_path / "ledger"
    shutil.copytree(Path(__file__).parent.parent / "ledgers" / "cambridgeshire", folder)
    (folder / "commitments.csv").write_text(
        "# ILLUSTRATIVE\n"
        "date,amount,category,reference,supplier,cancelled_on,cancel_reason\n"
        "2020-02-03,3000.00,training,PO-7001,Venue Hire Cambs,,\n"
        "2020-02-04,900.00,training,PO-7002,Venue Hire Cambs,2020-02-20,room not needed\n"
    )
    with fsgrant.open(tmp_path / "grant.db") as led:
        counts = led.load(folder)
        assert counts.commitments == 2
        assert [(c.reference, c.status) for c in led.commitments.list()] == [
            ("PO-7001", "open"),
            ("PO-7002", "cancelled"),
        ]
        # As at 10 February both are open: 3,000 + 900 = 3,900.
        assert led.commitments.committed("2020-02-10")[("2019/20", "training")] == D("3900.00")
    (folder / "commitments.csv").write_text(
        "date,amount,category,reference,cancelled_on\n2020-02-04,900.00,training,PO-1,2020-02-20\n"
    )
    with fsgrant.open(tmp_path / "other.db") as led, pytest.raises(InvalidInput) as caught:
        led.load(folder)
    assert "commitments.csv" in str(caught.value) and "cancel_reason" in str(caught.value)


def test_check_warns_of_orders_open_after_the_year_ends(led) -> None:
    led.commitments.add("2020-07-01", "750.00", "training", reference="PO-1004")
    found = [f for f in led.check("2020-08-15") if f.code == "committed-after-year-end"]
    assert [(f.subject, f.message.split(" is still")[0]) for f in found] == [
        ("2019/20/training", "750.00")
    ]
    assert not [f for f in led.check("2020-07-31") if f.code == "committed-after-year-end"]


def test_an_imported_invoice_quoting_the_order_draws_it_down(led, tmp_path) -> None:
    extract = tmp_path / "april.csv"
    extract.write_text(
        "date,amount,category,supplier,reference\n"
        "2020-03-02,600.00,training,Venue Hire Cambs,PO-1003\n"
        "2020-03-03,99.00,training,Stationers,INV-77\n"
    )
    led.commitments.add("2020-03-01", "1000.00", "training", reference="PO-1003")
    led.imports.import_file(extract)
    # 1,000.00 - 600.00 = 400.00 left of PO-1003; the other line quotes no order.
    c = led.commitments.list(as_at="2020-03-31")[-1]
    assert (c.reference, c.drawn, c.open) == ("PO-1003", D("600.00"), D("400.00"))


def test_a_mapping_names_the_po_column(led, tmp_path) -> None:
    # The extract's reference is the finance system's transaction number; the purchase
    # order is a column of its own, named by the mapping's po.
    extract = tmp_path / "ledger.csv"
    extract.write_text(
        "Date,Transaction Number,Amount,Supplier Name,PO Number\n"
        "02/03/2020,T1,700.00,Venue Hire Cambs,PO-1003\n"
        "03/03/2020,T2,200.00,Venue Hire Cambs,\n"
    )
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        '[source]\nname = "ledger"\ndate_format = "day-first"\n'
        '[columns]\ndate = "Date"\namount = "Amount"\nreference = "Transaction Number"\n'
        'supplier = "Supplier Name"\npo = "PO Number"\n'
        '[categories]\ndefault = "training"\n'
    )
    led.commitments.add("2020-03-01", "1000.00", "training", reference="PO-1003")
    assert led.imports.import_file(extract, mapping).rows_added == 2
    # 1,000.00 - 700.00 = 300.00 left; T2 quotes no order.
    c = led.commitments.list(as_at="2020-03-31")[-1]
    assert (c.drawn, c.open) == (D("700.00"), D("300.00"))
