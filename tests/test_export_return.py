"""The DfE return workbook: read back with openpyxl and compared with figures worked
out by hand; text safety checked in the sheet XML; verify, overwrite refusal and
atomic writes through the ledger."""

from __future__ import annotations

import errno
import re
import subprocess
import sys
import time
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.domain.reports import (
    BlockedPost,
    PeriodSpan,
    PostRow,
    PostsReport,
    ProfileMonth,
    ProfileReport,
    ProfileTotals,
    StatusCount,
    VarianceLine,
    VarianceReport,
)
from fsgrant.errors import Conflict, FsgrantError
from fsgrant.formats.dfe_return import SHEET_NAMES, ReturnData, write_return

D = Decimal

# ---------------------------------------------------------------- the scenario
# Example Council's grant: 2019/20 award £100,000.00 from 1 August 2019, extended on
# 14/02/2020 to 31/12/2020; an award change agreed on 01/05/2020 (after the as-at
# date, so not in the return). Original estimates: staffing 60,000.00, training
# 40,000.00. Received 50,000.00 on 01/10/2019. Spend, as at 31/03/2020:
#
#   1  30/09/2019   5,000.00  staffing  Agency A           September salaries
#   2  15/10/2019   1,234.56  training  =cmd|' /C calc'!A0 +SUM(A1:A2)        ref @SUM(1)
#   3  10/01/2020    -234.56  training  -Trainer           @risky (a credit)   ref #N/A
#   4  20/04/2020   2,000.00  training  (after the as-at date: not in the return)
#
# Actual to date = 5,000.00 + 1,234.56 - 234.56 = 6,000.00
# Award less actual = 100,000.00 - 6,000.00 = 94,000.00
AS_AT = "2020-03-31"
LABEL = "2019/20"
INJECTIONS = [
    "=cmd|' /C calc'!A0",
    "+SUM(A1:A2)",
    "-Trainer",
    "@risky",
    "@SUM(1)",
    "#N/A",
    "\tTabbed",
    "\rReturn",
    "=1+1",
]


def make_ledger(path: Path) -> fsgrant.Ledger:
    led = fsgrant.open(path)
    led.init(
        "Test grant",
        "Department for Education",
        "Example Council",
        funder_org_id="GB-GOR-PB1",
        recipient_org_id="GB-LAE-EXA",
    )
    led.years.add(
        LABEL,
        "100000.00",
        "2019-08-01",
        conditions=["Spend in line with original estimates"],
    )
    led.estimates.set(LABEL, "staffing", "60000.00", on="2019-08-01")
    led.estimates.set(LABEL, "training", "40000.00", on="2019-08-01")
    led.years.vary(
        LABEL,
        agreed_on="2020-02-14",
        end="2020-12-31",
        reason="-Recruitment delayed",
        reference="DfE/2020/01",
    )
    led.years.vary(LABEL, agreed_on="2020-05-01", award="90000.00", reason="Reduced")
    led.receipts.add("2019-10-01", "50000.00", LABEL, reference="Remittance 1")
    led.spend.add(
        "2019-09-30", "5000.00", "staffing", supplier="Agency A", description="September salaries"
    )
    led.spend.add(
        "15/10/2019",
        "1234.56",
        "training",
        supplier="=cmd|' /C calc'!A0",
        description="+SUM(A1:A2)",
        reference="@SUM(1)",
    )
    led.spend.add(
        "2020-01-10",
        "-234.56",
        "training",
        supplier="-Trainer",
        description="@risky",
        reference="#N/A",
    )
    led.spend.add("2020-04-20", "2000.00", "training")
    return led


@pytest.fixture
def ledger(tmp_path: Path) -> fsgrant.Ledger:
    return make_ledger(tmp_path / "store.db")


def values(ws) -> list[tuple]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def summary_map(wb) -> dict[str, object]:
    out: dict[str, object] = {}
    for row in wb["Summary"].iter_rows(values_only=True):
        if row and isinstance(row[0], str) and len(row) > 1:
            out.setdefault(row[0], row[1])
    return out


def find_row(rows: list[tuple], first: object) -> tuple:
    return next(r for r in rows if r and r[0] == first)


# ---------------------------------------------------------------- through the ledger
def test_export_return_sheets_labels_and_hand_worked_figures(ledger, tmp_path):
    path = ledger.exports.write_return(LABEL, AS_AT, out=tmp_path / "r.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == list(SHEET_NAMES)
    assert wb.sheetnames == [
        "Summary",
        "Spend vs estimate",
        "Monthly profile",
        "Posts",
        "Transactions",
        "Variations",
        "Conditions",
        "Sustainability",
        "Changes since the last return",
        "About this file",
    ]
    s = summary_map(wb)
    assert s["Grant"] == "Test grant"
    assert s["Funder"] == "Department for Education"
    assert s["Recipient org id"] == "GB-LAE-EXA"
    assert s["Funding year"] == "2019/20"
    assert s["Status"] == "confirmed"
    assert s["As at"] == datetime(2020, 3, 31)
    # Varied by 31/03/2020 only by the extension; the award change came later.
    assert s["Period start (as varied)"] == datetime(2019, 8, 1)
    assert s["Period end (as varied)"] == datetime(2020, 12, 31)
    assert s["Original period end"] == datetime(2020, 7, 31)
    assert s["Award (as varied)"] == 100000
    assert s["Received from funder"] == 50000
    assert s["Original estimate"] == 100000
    assert s["Actual spend to date"] == 6000
    assert s["Award less actual"] == 94000
    # What made the file is on its last sheet, not on the page that is signed.
    assert "fsgrant version" not in s and "Ledger fingerprint (SHA-256)" not in s
    about = {r[0]: r[1] for r in values(wb["About this file"]) if r and r[0]}
    assert about["fsgrant version"] == fsgrant.__version__
    assert about["Ledger fingerprint (SHA-256)"] == ledger.exports.fingerprint()
    assert re.fullmatch(r"[0-9a-f]{64}", about["Ledger fingerprint (SHA-256)"])
    for label in ("Prepared by", "Section 151 officer", "Signature", "Date signed"):
        assert label in s and s[label] is None  # left to fill in
    # Money cells are numbers in the pound format; dates real dates.
    ws = wb["Summary"]
    money = next(c for row in ws.iter_rows() for c in row if c.value == 6000)
    assert money.number_format == "£#,##0.00" and money.data_type == "n"
    condition = find_row(values(ws), "Spend in line with original estimates")
    assert condition[1] is None  # "Met or evidenced?" is for finance to fill in

    rows = values(wb["Transactions"])
    header = rows[3]
    assert header[:10] == (
        "Line",
        "Date",
        "Financial year",
        "Funding year",
        "Category",
        "Post",
        "Supplier",
        "Description",
        "Reference",
        "Amount",
    )
    body = [r for r in rows[4:] if isinstance(r[0], int)]
    assert [(r[0], r[1], r[9]) for r in body] == [
        (1, datetime(2019, 9, 30), 5000),
        (2, datetime(2019, 10, 15), 1234.56),
        (3, datetime(2020, 1, 10), -234.56),
    ]
    assert body[0][2] == "FY2019/20" and body[0][3] == "2019/20"
    assert body[1][6] == "=cmd|' /C calc'!A0"  # read back as the text it was
    assert body[2][8] == "#N/A"
    total = rows[4 + len(body)]
    assert total[0] == "Total (3 lines)" and total[9] == 6000
    assert wb["Transactions"].freeze_panes == "A5"
    assert wb["Transactions"].auto_filter.ref == "A4:M7"
    assert wb["Transactions"]["B5"].number_format == "dd/mm/yyyy"
    assert wb["Transactions"]["J5"].number_format == "£#,##0.00"

    var_rows = values(wb["Variations"])
    variation = next(r for r in var_rows if r[0] == 1)
    assert variation[1:7] == (
        "2019/20",
        "extend",
        "end moved to 2020-12-31",
        datetime(2020, 2, 14),
        "DfE/2020/01",
        "-Recruitment delayed",
    )
    assert not any(r[0] == 2 for r in var_rows)  # agreed after the as-at date
    assert ("2019/20", "confirmed", "Spend in line with original estimates") in [
        r[:3] for r in var_rows
    ]
    # Print set-up on every sheet.
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert "As at 31/03/2020" in ws.oddHeader.right.text
        assert "Test grant" in ws.oddHeader.left.text
    # The document properties come from the as-at date, not the clock.
    assert wb.properties.created == datetime(2020, 3, 31)
    assert wb.properties.modified == datetime(2020, 3, 31)


def sheet_xml(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        index = SHEET_NAMES.index(name) + 1
        return z.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")


def test_user_text_is_stored_as_text_never_a_formula_or_error(ledger, tmp_path):
    path = ledger.exports.write_return(LABEL, AS_AT, out=tmp_path / "r.xlsx")
    for name in SHEET_NAMES:
        xml = sheet_xml(path, name)
        assert "<f>" not in xml and "<f " not in xml, name  # no formula anywhere
        assert 't="e"' not in xml, name  # no error cell
    xml = sheet_xml(path, "Transactions")
    for text in ("=cmd|' /C calc'!A0", "+SUM(A1:A2)", "-Trainer", "@risky", "@SUM(1)", "#N/A"):
        escaped = text.replace("&", "&amp;").replace("'", "&apos;")
        cell = re.search(r"<c [^>]*>(?:(?!</c>).)*" + re.escape(f">{escaped}<"), xml)
        if cell is None:  # the apostrophe may be written as is
            cell = re.search(r"<c [^>]*>(?:(?!</c>).)*" + re.escape(f">{text}<"), xml)
        assert cell is not None, text
        assert 't="inlineStr"' in cell.group(0) or 't="s"' in cell.group(0), text
    # Values that start like a formula carry Excel's quote prefix.
    wb = load_workbook(path)
    ws = wb["Transactions"]
    supplier = ws["G6"]
    assert supplier.value == "=cmd|' /C calc'!A0"
    assert supplier.data_type == "s" and supplier.quotePrefix
    assert ws["I7"].value == "#N/A" and ws["I7"].data_type == "s"
    assert ws["G5"].value == "Agency A" and not ws["G5"].quotePrefix
    assert wb["Variations"]["G5"].quotePrefix  # "-Recruitment delayed"


def test_every_injection_case_through_the_pure_writer(tmp_path):
    # A description for each case, plus a NUL, which a worksheet cannot hold.
    lines = [
        _line(i + 1, description=text, supplier=text, reference=text)
        for i, text in enumerate([*INJECTIONS, "nul\x00here"])
    ]
    path = write_return(_data(transactions=lines), tmp_path / "r.xlsx")
    xml = sheet_xml(path, "Transactions")
    assert "<f>" not in xml and 't="e"' not in xml
    wb = load_workbook(path)
    ws = wb["Transactions"]
    for row, text in enumerate(INJECTIONS, start=5):
        stored = text.replace("\r", "\n")  # XML keeps no bare carriage return
        for col in ("G", "H", "I"):
            cell = ws[f"{col}{row}"]
            assert cell.value == stored and cell.data_type == "s", (col, row, text)
            assert cell.quotePrefix == (text[0] in "=+-@\t\r"), (col, row, text)
    assert ws[f"H{5 + len(INJECTIONS)}"].value == "nulhere"


def test_verify_passes_on_a_fresh_export_and_fails_after_a_change(ledger, tmp_path):
    path = ledger.exports.write_return(LABEL, AS_AT, out=tmp_path / "r.xlsx")
    fresh = ledger.exports.verify(path)
    assert fresh.ledger_matches and fresh.fingerprint_matches and fresh.changes == ()
    # A spend line dated before the as-at date: 6,000.00 + 10.00 = 6,010.00 spent.
    ledger.spend.add("2020-03-01", "10.00", "training", description="Late invoice")
    found = ledger.exports.verify(path)
    assert not found.ledger_matches and not found.fingerprint_matches
    moved = {(c.sheet, c.row, c.column): (c.submitted, c.now) for c in found.changes}
    assert moved[("Summary", "Actual spend to date", "value")] == ("6000.00", "6010.00")
    # The new line is one new row of the Transactions sheet (and the total it moves),
    # not a cascade of every row after it.
    assert {k for k in moved if k[0] == "Transactions" and k[2] == "Amount"} == {
        ("Transactions", "Line 5", "Amount"),
        ("Transactions", "Total", "Amount"),
    }


def test_verify_fails_when_only_the_store_changed(ledger, tmp_path):
    path = ledger.exports.write_return(LABEL, AS_AT, out=tmp_path / "r.xlsx")
    # Spend after the as-at date changes no figure, but the ledger is not the same:
    # a change of estimate, listed apart. (A return is timed to the second: what is
    # recorded within the second it was made counts as before it.)
    time.sleep(1.01)
    ledger.spend.add("2020-06-01", "10.00", "training")
    found = ledger.exports.verify(path)
    assert found.ledger_matches and not found.fingerprint_matches
    assert [e.detail["date"] for e in found.changes_of_estimate] == ["2020-06-01"]
    assert found.summary.endswith(
        "since then 1 change(s) of estimate (they move later returns only)"
    )


def test_verify_finds_a_figure_edited_in_the_workbook(ledger, tmp_path):
    path = ledger.exports.write_return(LABEL, AS_AT, out=tmp_path / "r.xlsx")
    wb = load_workbook(path)
    ws = wb["Transactions"]
    assert ws["J5"].value == 5000
    ws["J5"] = 5500
    wb["Summary"]["B2"] = "annotated by hand"  # text the ledger does not give: shown too
    wb.save(path)
    found = ledger.exports.verify(path)
    assert [(c.sheet, c.row, c.column, c.submitted, c.now) for c in found.changes] == [
        ("Transactions", "Line 1", "Amount", "5500.00", "5000.00"),
        (
            "Summary",
            "Example Council: funding year 2019/20, as at 31/03/2020",
            "value",
            "annotated by hand",
            None,
        ),
    ]


def test_export_refuses_to_overwrite_without_force(ledger, tmp_path):
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"an earlier return")
    with pytest.raises(Conflict, match="exists already"):
        ledger.exports.write_return(LABEL, AS_AT, out=target)
    assert target.read_bytes() == b"an earlier return"
    ledger.exports.write_return(LABEL, AS_AT, out=target, force=True)
    assert zipfile.is_zipfile(target)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_a_failed_export_leaves_no_file_and_no_half_written_return(ledger, tmp_path, monkeypatch):
    from fsgrant.services.spend import SpendService

    target = tmp_path / "r.xlsx"
    real = SpendService.transaction_lines

    def failing(self, year, as_at):
        # The first transaction is written, then the disk fills.
        lines = real(self, year, as_at)
        try:
            yield next(lines)
            raise OSError(errno.ENOSPC, "No space left on device")
        finally:
            lines.close()

    monkeypatch.setattr(SpendService, "transaction_lines", failing)
    # A fsgrant error, one line: what was not written and why.
    with pytest.raises(FsgrantError) as info:
        ledger.exports.write_return(LABEL, AS_AT, out=target)
    assert info.value.message == (
        f"cannot write {target}: No space left on device; nothing was written"
    )
    assert info.value.code == "write-failed"
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".part"]
    # With --force over an existing return, the old one survives a failure.
    target.write_bytes(b"the old return")
    with pytest.raises(FsgrantError, match="No space left on device"):
        ledger.exports.write_return(LABEL, AS_AT, out=target, force=True)
    assert target.read_bytes() == b"the old return"


def test_default_path_and_same_figures_every_time(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = ledger.exports.write_return(LABEL, AS_AT)
    assert first == Path("exports/test-grant-2019-20-return-2020-03-31.xlsx")
    second = ledger.exports.write_return(LABEL, AS_AT, out=tmp_path / "again.xlsx")

    def figures(path):
        wb = load_workbook(path, read_only=True)
        out = []
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                out.append(tuple(v for v in row if v is not None))
        wb.close()
        # The generated-at time may differ; nothing else may.
        return [r for r in out if not (r and r[0] == "Generated at (UTC)")]

    assert figures(first) == figures(second)


def test_export_does_not_import_openpyxl_when_fsgrant_loads():
    code = "import fsgrant, fsgrant.cli, fsgrant.services.ledger, sys; print('openpyxl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------- the CLI
def test_cli_export_return_and_verify(ledger, tmp_path):
    runner = CliRunner()
    db = str(ledger.path)
    out = tmp_path / "cli.xlsx"
    r = runner.invoke(
        app,
        [
            "--db",
            db,
            "export",
            "return",
            "--year",
            LABEL,
            "--as-at",
            "31/03/2020",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    assert str(out) in r.output
    r = runner.invoke(
        app, ["--db", db, "export", "return", "--year", LABEL, "--as-at", AS_AT, "--out", str(out)]
    )
    assert r.exit_code == 1 and "exists already" in r.output
    r = runner.invoke(app, ["--db", db, "export", "verify", str(out)])
    assert r.exit_code == 0, r.output
    assert "never submitted; the ledger gives the same figures" in r.output
    ledger.spend.add("2020-03-02", "1.00", "training")
    r = runner.invoke(app, ["--db", db, "export", "verify", str(out)])
    assert r.exit_code == 1
    # The headline figure it moved (the cause is named when the line was recorded
    # after the second the file was made; within it, the file cannot tell).
    assert "  Actual spend to date: " in r.output and "(+£1.00)" in r.output
    assert "Summary / Actual spend to date / value" not in r.output
    r = runner.invoke(app, ["--db", db, "export", "verify", str(out), "--detail"])
    assert "Summary / Actual spend to date / value" in r.output


# ---------------------------------------------------------------- the pure writers
def _line(n: int, **kw) -> fsgrant.SpendLine:
    fields = {
        "id": n,
        "date": date(2019, 9, 1),
        "amount": D("1.00"),
        "category": "training",
        "funding_year": LABEL,
        "recorded_at": datetime(2019, 9, 1, 12, 0),
        "recorded_by": "test",
    }
    fields.update(kw)
    return fsgrant.SpendLine(**fields)


def _variance() -> VarianceReport:
    # staffing: outturn 5,000.00 actual + 50,000.00 forecast = 55,000.00;
    #   variance 55,000.00 - 60,000.00 = -5,000.00 = -8.3% of 60,000.00 (amber)
    # training: outturn 1,000.00 + 39,000.00 = 40,000.00; variance 0.00 (green)
    # total: 6,000.00 actual, 89,000.00 forecast, 95,000.00 outturn, -5,000.00 = -5.0%
    def line(cat, est, actual, forecast, variance, pct, rag):
        return VarianceLine(
            category=cat,
            estimate_original=D(est),
            estimate_revised=D(est),
            actual=D(actual),
            forecast_remaining=D(forecast),
            forecast_assumed=False,
            outturn=D(actual) + D(forecast),
            variance=D(variance),
            variance_pct=D(pct),
            rag=rag,
        )

    return VarianceReport(
        funding_year=LABEL,
        as_at=date(2020, 3, 31),
        period=PeriodSpan(start=date(2019, 8, 1), end=date(2020, 12, 31)),
        award=D("100000.00"),
        lines=(
            line("staffing", "60000.00", "5000.00", "50000.00", "-5000.00", "-8.3", "amber"),
            line("training", "40000.00", "1000.00", "39000.00", "0.00", "0.0", "green"),
        ),
        totals=line("total", "100000.00", "6000.00", "89000.00", "-5000.00", "-5.0", "amber"),
        underspend_at_risk=D("5000.00"),
        overspend=D("0.00"),
    )


def _profile() -> ProfileReport:
    # Three months: estimate 10,000.00 each; actual 4,000.00 then 2,000.00, then a
    # forecast of 9,000.00. Cumulative: 4,000.00, 6,000.00, 15,000.00.
    def month(m, est, actual, forecast, cum, cum_est):
        return ProfileMonth(
            month=m,
            estimate=D(est),
            actual=D(actual),
            forecast=D(forecast),
            cumulative=D(cum),
            cumulative_estimate=D(cum_est),
        )

    return ProfileReport(
        funding_year=LABEL,
        as_at=date(2020, 3, 31),
        award=D("100000.00"),
        months=(
            month("2020-02", "10000.00", "4000.00", "0.00", "4000.00", "10000.00"),
            month("2020-03", "10000.00", "2000.00", "0.00", "6000.00", "20000.00"),
            month("2020-04", "10000.00", "0.00", "9000.00", "15000.00", "30000.00"),
        ),
        totals=ProfileTotals(estimate=D("30000.00"), actual=D("6000.00"), forecast=D("9000.00")),
    )


def _posts() -> PostsReport:
    # DA-01 in post since 01/01/2020 (1.0 FTE); PROB-01 blocked since 01/11/2019
    # (0.5 FTE): FTE planned 1.5, in post 1.0. Blocked 151 days to 31/03/2020.
    def post(pid, role, host, fte, status, since, reason, cost, to_date, forecast):
        return PostRow(
            id=pid,
            title=f"{role} worker",
            role=role,
            host=host,
            route="secondment",
            fte=D(fte),
            status=status,
            status_since=since,
            reason=reason,
            expected_start=None,
            annual_cost=D(cost),
            cost_to_date=D(to_date),
            forecast_cost=D(forecast),
        )

    return PostsReport(
        as_at=date(2020, 3, 31),
        funding_year=LABEL,
        posts=(
            post(
                "DA-01",
                "domestic-abuse",
                "Council",
                "1.00",
                "in-post",
                date(2020, 1, 1),
                None,
                "48000.00",
                "12000.00",
                "36000.00",
            ),
            post(
                "PROB-01",
                "probation",
                "National Probation Service",
                "0.50",
                "blocked",
                date(2019, 11, 1),
                "=NPS cannot recruit during the TUPE transfer",
                "24000.00",
                "0.00",
                "0.00",
            ),
        ),
        by_status={
            "blocked": StatusCount(posts=1, fte=D("0.50")),
            "in-post": StatusCount(posts=1, fte=D("1.00")),
        },
        blocked=(
            BlockedPost(
                id="PROB-01",
                since=date(2019, 11, 1),
                days_blocked=151,
                reason="=NPS cannot recruit during the TUPE transfer",
            ),
        ),
        fte_planned=D("1.50"),
        fte_in_post=D("1.00"),
    )


def _data(**changes) -> ReturnData:
    from fsgrant.domain.models import FundingYearState, Grant
    from fsgrant.domain.reports import YearSummary

    year = FundingYearState(
        label=LABEL,
        status="confirmed",
        start=date(2019, 8, 1),
        end=date(2020, 12, 31),
        award=D("100000.00"),
        original_start=date(2019, 8, 1),
        original_end=date(2020, 7, 31),
        original_award=D("100000.00"),
        original_status="confirmed",
        conditions=("Spend in line with original estimates",),
    )
    fields = {
        "grant": Grant(
            name="Test grant", funder="Department for Education", recipient="Example Council"
        ),
        "year": year,
        "as_at": date(2020, 3, 31),
        "summary": YearSummary(
            label=LABEL,
            status="confirmed",
            start=year.start,
            end=year.end,
            award=D("100000.00"),
            received=D("50000.00"),
            estimate_original=D("100000.00"),
            actual=D("6000.00"),
            remaining=D("94000.00"),
            forecast_remaining=D("89000.00"),
            forecast_outturn=D("95000.00"),
            underspend_at_risk=D("5000.00"),
            overspend=D("0.00"),
            secure=True,
        ),
        "variance": _variance(),
        "profile": _profile(),
        "posts": _posts(),
        "transactions": [],
        "variations": [],
        "years": [year],
        "fingerprint": "0" * 64,
        "version": "9.9.9",
        "generated_at": datetime(2020, 4, 1, 9, 30),
    }
    fields.update(changes)
    return ReturnData(**fields)


def test_spend_vs_estimate_sheet_from_a_hand_built_report(tmp_path):
    path = write_return(_data(), tmp_path / "r.xlsx")
    wb = load_workbook(path)
    ws = wb["Spend vs estimate"]
    rows = values(ws)
    assert rows[3][:10] == (
        "Category",
        "Original estimate",
        "Revised estimate",
        "Actual to date",
        "Forecast remaining",
        "Forecast outturn",
        "Variance",
        "Variance %",
        "RAG",
        "Forecast assumed",
    )
    assert rows[3][10:12] == ("Committed (orders not invoiced)", "Commentary (to complete)")
    assert rows[4][:10] == (
        "staffing",
        60000,
        60000,
        5000,
        50000,
        55000,
        -5000,
        -0.083,
        "Amber",
        "No",
    )
    assert rows[5][:9] == ("training", 40000, 40000, 1000, 39000, 40000, 0, 0, "Green")
    assert rows[6][:9] == ("Total", 100000, 100000, 6000, 89000, 95000, -5000, -0.05, "Amber")
    assert find_row(rows, "Underspend at risk")[1] == 5000
    assert ws["H5"].number_format == "0.0%"
    assert ws["B5"].number_format == "£#,##0.00"
    assert ws["I5"].fill.fgColor.rgb.endswith("FFEB9C")  # amber
    assert ws["I6"].fill.fgColor.rgb.endswith("C6EFCE")  # green
    assert ws.freeze_panes == "B5"
    assert ws.auto_filter.ref == "A4:L6"
    assert ws["A4"].font.b


def test_monthly_profile_sheet_and_chart(tmp_path):
    path = write_return(_data(), tmp_path / "r.xlsx")
    wb = load_workbook(path)
    rows = values(wb["Monthly profile"])
    assert rows[3][:6] == (
        "Month",
        "Estimate",
        "Actual",
        "Forecast",
        "Actual + forecast",
        "Cumulative actual + forecast",
    )
    assert rows[4] == (datetime(2020, 2, 1), 10000, 4000, 0, 4000, 4000, 10000, 100000)
    assert rows[6] == (datetime(2020, 4, 1), 10000, 0, 9000, 9000, 15000, 30000, 100000)
    assert rows[7][:5] == ("Total", 30000, 6000, 9000, 15000)
    assert wb["Monthly profile"]["A5"].number_format == "mmm yyyy"
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert charts
        chart = z.read(charts[0]).decode()
    assert "lineChart" in chart and "'Monthly profile'!$F$5:$F$7" in chart


def test_posts_sheet_blocked_posts_stand_out(tmp_path):
    path = write_return(_data(), tmp_path / "r.xlsx")
    wb = load_workbook(path)
    ws = wb["Posts"]
    rows = values(ws)
    assert rows[3][:8] == ("Post", "Title", "Role", "Team", "Host", "Route", "FTE", "Status")
    blocked = find_row(rows, "PROB-01")
    assert blocked[6] == 0.5 and blocked[7] == "blocked" and blocked[8] == datetime(2019, 11, 1)
    assert blocked[9] == "=NPS cannot recruit during the TUPE transfer"
    assert ws["H6"].fill.fgColor.rgb.endswith("FFC7CE") and ws["H6"].font.b
    assert ws["H5"].fill.fgColor.rgb in (None, "00000000")
    total = find_row(rows, "Total")
    assert rows[3][11:13] == (
        "Annual cost at 1.0 FTE (not a bill)",
        "Funded annual cost (annual cost x FTE)",
    )
    # Funded: 1.0 x the DA post's cost plus 0.5 x the probation post's; the 1.0-FTE
    # costs are not totalled.
    assert total[11] is None
    assert (total[6], total[12], total[13], total[14]) == (1.5, 60000, 12000, 36000)
    assert find_row(rows, "FTE planned")[1] == 1.5
    assert find_row(rows, "FTE in post")[1] == 1
    assert find_row(rows, "Blocked post")  # the list of blocked posts
    assert find_row(rows, "PROB-01")
    assert "<f>" not in sheet_xml(path, "Posts")


def test_pure_writer_streams_a_generator_of_transactions(tmp_path):
    lines = (_line(n, amount=D("0.01")) for n in range(1, 1001))
    path = write_return(_data(transactions=lines), tmp_path / "r.xlsx")
    wb = load_workbook(path, read_only=True)
    # The used range is recorded, so readers need not parse the sheet to size it:
    # 4 heading rows + 1,000 lines + the total.
    assert (wb["Transactions"].max_row, wb["Transactions"].max_column) == (1005, 13)
    rows = values(wb["Transactions"])
    wb.close()
    assert rows[-1][0] == "Total (1000 lines)" and rows[-1][9] == 10  # 1000 x 0.01


def test_a_return_gets_the_usual_file_permissions(ledger, tmp_path):
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    path = ledger.exports.write_return(LABEL, AS_AT, out=tmp_path / "r.xlsx")
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_demo_writes_the_example_return(tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    path = tmp_path / "family-safeguarding-roll-out-2019-20-return-2020-03-31.xlsx"
    assert f"Wrote the DfE return: {path}" in r.output
    # Example figures to 31/03/2020. spend.csv: 328,727.03 (worked line by line in
    # test_example_forecast.py). The demo also imports the Agresso extract, whose grant
    # cost centres (FS100, FS110, FS120) hold 4,500.00 + 1,200.00 + 2,750.00 - 350.00
    # + 2,433.20 (snapped) + 3,105.00 + 890.50 (snapped) + 7,291.66 + 2,334.35 + 420.00
    # = 24,574.71. Actual: 328,727.03 + 24,574.71 = 353,301.74.
    # Received 1,245,000.00 + 622,500.00 = 1,867,500.00.
    wb = load_workbook(path, read_only=True)
    s = summary_map(wb)
    wb.close()
    assert s["Funding year"] == "2019/20"
    assert s["Actual spend to date"] == 353301.74
    # Committed (the Spend vs estimate sheet, training and the total): PO-40117
    # 6,000.00 - 1,500.00 + PO-40152 18,750.00 = 23,250.00.
    wb = load_workbook(path, read_only=True)
    rows = values(wb["Spend vs estimate"])
    wb.close()
    committed = rows[3].index("Committed (orders not invoiced)")
    # Categories read by their description on the sheet.
    training = "Motivational Interviewing and other training"
    by_category = {r[0]: r[committed] for r in rows[4:] if r and r[0] in (training, "Total")}
    assert by_category == {training: 23250, "Total": 23250}
    assert s["Received from funder"] == 1867500
    with fsgrant.open(tmp_path / "demo.db", create=False) as led:
        assert led.exports.verify(path).ledger_matches
    # Run again: the store there is not replaced without --force; with it, it is.
    again = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert again.exit_code == 1
    assert f"{tmp_path / 'demo.db'} exists already; use --force to replace it" in again.output
    assert runner.invoke(app, ["demo", "--out", str(tmp_path), "--force"]).exit_code == 0


def test_verify_refuses_what_is_not_a_return(ledger, tmp_path):
    from openpyxl import Workbook

    from fsgrant.errors import InvalidInput

    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip at all")
    with pytest.raises(InvalidInput, match="not an XLSX"):
        ledger.exports.verify(junk)
    other = tmp_path / "other.xlsx"
    wb = Workbook()
    wb.active.title = "Summary"
    wb.active["A1"] = "Some other workbook"
    wb.save(other)
    with pytest.raises(InvalidInput, match="not an fsgrant return"):
        ledger.exports.verify(other)
    r = CliRunner().invoke(app, ["--db", str(ledger.path), "export", "verify", str(junk)])
    assert r.exit_code == 2 and "not an XLSX" in r.output


def test_an_in_principle_year_is_not_secure_and_lists_its_conditions(tmp_path):
    from fsgrant.services.demo import example_ledger_path

    with fsgrant.open(tmp_path / "s.db") as led:
        led.load(example_ledger_path())
        path = led.exports.write_return("2020/21", "2020-03-31", out=tmp_path / "r.xlsx")
        assert led.exports.verify(path).ledger_matches
    wb = load_workbook(path, read_only=True)
    rows = values(wb["Summary"])
    wb.close()
    s = {r[0]: r[1] for r in rows if r and isinstance(r[0], str) and len(r) > 1}
    assert s["Status"] == "in-principle"
    assert s["Money secure"] == "No: the award is in-principle"
    assert s["Actual spend to date"] == 0  # nothing falls in 2020/21 by 31/03/2020
    conditions = [
        r[0]
        for r in rows
        if r
        and r[0]
        in (
            "Evidence of onward sustainability",
            "Spend in line with original estimates",
        )
    ]
    assert conditions == [
        "Evidence of onward sustainability",
        "Spend in line with original estimates",
    ]


def test_transaction_lines_are_the_lines_spend_iter_gives(ledger):
    from fsgrant.domain.transactions import transaction_line

    lean = list(ledger.spend.transaction_lines(LABEL, AS_AT))
    records = [transaction_line(s) for s in ledger.spend.iter(year=LABEL, as_at=AS_AT)]
    assert lean == records
    # Three lines dated by 31/03/2020 (the fourth is 20/04/2020): 5000.00 + 1234.56 - 234.56.
    assert [s.pence for s in lean] == [500000, 123456, -23456]
    assert [s.financial_year for s in lean] == ["FY2019/20"] * 3
    assert {s.funding_year for s in lean} == {LABEL}


def test_a_return_reports_its_progress_as_a_share_of_the_lines(ledger, tmp_path):
    seen: list[float] = []
    ledger.exports.write_return(LABEL, AS_AT, out=tmp_path / "r.xlsx", progress=seen.append)
    # Three lines, fewer than a progress step: one call, at the end, all written.
    assert seen == [1.0]


def test_the_progress_bar_shows_only_once_a_return_takes_more_than_a_second():
    from fsgrant.cli.export import LateProgress

    bar = LateProgress("Writing", after=60.0)
    bar(0.5)
    assert bar.bar is None  # not a second yet: nothing drawn
    bar.close()
