"""Importing finance-system extracts: the import's cases, one test each.

The grant in these tests: funding year 2019/20 from 1 August 2019, extended to
31 March 2021 (as in the worked example); categories are the six defaults.
"""

from __future__ import annotations

import csv
import re
import sqlite3
import time
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

import fsgrant
from fsgrant.cli import app
from fsgrant.errors import SourceError

MAPPING = """
[source]
name = "agresso"

[columns]
date = "Posting Date"
amount = "Amount"
reference = "Transaction Number"
supplier = "Supplier Name"
description = "Description"
cost_centre = "Cost Centre"
expense_code = "Expense Code"

[filter]
cost_centres = ["FS100", "FS110"]

[categories]
default = "other"
[categories.expense_code]
"1100" = "staffing"
"2400" = "training"
"""

HEADER = "Posting Date,Transaction Number,Cost Centre,Expense Code,Supplier Name,Description,Amount"


@pytest.fixture
def led(new_ledger):
    ledger = new_ledger()
    ledger.years.vary("2019/20", agreed_on="2020-02-14", reason="envelope moved", end="2021-03-31")
    return ledger


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.lstrip("\n").encode(encoding))
    return path


def mapping(folder: Path, text: str = MAPPING) -> Path:
    return write(folder, "agresso.toml", text)


def stored(led) -> tuple[int, Decimal]:
    lines = led.spend.list()
    return len(lines), sum((x.amount for x in lines), Decimal("0.00"))


# ------------------------------------------------------------------ duplicates
def test_same_file_twice_adds_nothing_the_second_time(led, tmp_path):
    extract = write(
        tmp_path,
        "march.csv",
        f"""
{HEADER}
02/03/2020,T1,FS100,1100,,Salaries March,"7,291.66"
03/03/2020,T2,FS110,2400,MI Training Ltd,Coaching day,"4,500.00"
""",
    )
    first = led.imports.import_file(extract, mapping(tmp_path))
    # 7,291.66 + 4,500.00 = 11,791.66
    assert (first.rows_added, first.total_added) == (2, Decimal("11791.66"))
    second = led.imports.import_file(extract, mapping(tmp_path))
    assert (second.rows_read, second.rows_added, second.rows_duplicate) == (2, 0, 2)
    assert second.total_added == Decimal("0.00")
    assert second.earlier_batches == (first.batch_id,)
    # The same file through the same mapping: no batch, and it says which one it was.
    assert (second.batch_id, second.already_imported_as) == (None, first.batch_id)
    assert stored(led) == (2, Decimal("11791.66"))
    assert [b.rows_added for b in led.imports.list()] == [2]
    # Through another mapping (a filter added) it is a new import, recorded as a batch.
    third = led.imports.import_file(extract, mapping(tmp_path), where=["Cost Centre=FS100"])
    assert (third.rows_added, third.already_imported_as) == (0, None)
    assert [b.rows_added for b in led.imports.list()] == [2, 0]
    r = CliRunner().invoke(
        app,
        [
            "--db",
            str(led.path),
            "spend",
            "import",
            str(extract),
            "-m",
            str(tmp_path / "agresso.toml"),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "march.csv was already imported as batch 1" in r.output


def test_overlapping_extract_adds_only_its_new_lines(led, tmp_path):
    m = mapping(tmp_path)
    led.imports.import_file(
        write(
            tmp_path,
            "feb.csv",
            f"""
{HEADER}
27/02/2020,T10,FS100,1100,,Salaries Feb,100.00
28/02/2020,T11,FS100,1100,,On-costs Feb,20.00
""",
        ),
        m,
    )
    later = led.imports.import_file(
        write(
            tmp_path,
            "feb-mar.csv",
            f"""
{HEADER}
28/02/2020,T11,FS100,1100,,On-costs Feb,20.00
02/03/2020,T12,FS100,1100,,Salaries Mar,300.00
""",
        ),
        m,
    )
    assert (later.rows_added, later.rows_duplicate, later.total_added) == (1, 1, Decimal("300.00"))
    # 100.00 + 20.00 + 300.00
    assert stored(led) == (3, Decimal("420.00"))


def test_identical_lines_in_one_file_are_both_kept_and_not_reimported(led, tmp_path):
    # fsgrant's own columns (no mapping): no transaction reference, so lines are told
    # apart by their content and their occurrence within the file.
    extract = write(
        tmp_path,
        "spend.csv",
        """
date,amount,category,supplier,description
2020-03-02,45.00,other,Taxi Co,Home visit taxi
2020-03-02,45.00,other,Taxi Co,Home visit taxi
2020-03-03,45.00,other,Taxi Co,Home visit taxi
""",
    )
    first = led.imports.import_file(extract)
    assert (first.rows_added, first.total_added) == (3, Decimal("135.00"))
    again = led.imports.import_file(extract)
    assert (again.rows_added, again.rows_duplicate) == (0, 3)
    # An extract holding the same taxi three times on 2 March: one more is new.
    more = write(
        tmp_path,
        "spend2.csv",
        "date,amount,category,supplier,description\n"
        + "2020-03-02,45.00,other,Taxi Co,Home visit taxi\n" * 3,
    )
    third = led.imports.import_file(more)
    assert (third.rows_added, third.rows_duplicate) == (1, 2)
    assert stored(led) == (4, Decimal("180.00"))


def test_a_reference_repeated_within_a_file_is_refused(led, tmp_path):
    extract = write(
        tmp_path,
        "dup.csv",
        f"""
{HEADER}
02/03/2020,T1,FS100,1100,,Salaries,10.00
03/03/2020,T1,FS100,1100,,Something else,20.00
""",
    )
    with pytest.raises(SourceError) as err:
        led.imports.import_file(extract, mapping(tmp_path))
    assert err.value.line == 3
    assert "'T1' appears again (first at line 2)" in err.value.message
    assert stored(led) == (0, Decimal("0.00"))


# ------------------------------------------------------------------ bad rows
def _extract_250_lines(folder: Path) -> Path:
    lines = [HEADER]
    for n in range(2, 251):  # lines 2..250: 249 rows of 1.00
        amount = "12.345" if n == 230 else "1.00"
        lines.append(f"02/03/2020,T{n},FS100,1100,,Row {n},{amount}")
    return write(folder, "big.csv", "\n".join(lines) + "\n")


def test_a_bad_value_on_line_230_of_250_stores_nothing_and_names_the_line(led, tmp_path):
    extract = _extract_250_lines(tmp_path)
    with pytest.raises(SourceError) as err:
        led.imports.import_file(extract, mapping(tmp_path))
    assert err.value.line == 230
    assert err.value.field == "Amount"
    assert err.value.message.startswith("big.csv, line 230, field 'Amount': '12.345' has more than")
    assert stored(led) == (0, Decimal("0.00"))
    assert led.imports.list() == []


def test_skip_invalid_stores_the_good_rows_and_writes_the_rejects(led, tmp_path):
    extract = _extract_250_lines(tmp_path)
    m = mapping(tmp_path)
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["--db", str(led.path), "spend", "import", str(extract), "-m", str(m), "--skip-invalid"],
    )
    assert result.exit_code == 0, result.output
    assert "rejected line 230 (Amount): '12.345' has more than two decimal places" in result.output
    # 249 rows, one rejected: 248 x 1.00
    assert stored(led) == (248, Decimal("248.00"))
    rejects = tmp_path / "big-rejects.csv"
    with rejects.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1
    assert rows[0]["Transaction Number"] == "T230"
    assert rows[0]["source_line"] == "230"
    assert "more than two decimal places" in rows[0]["reason"]
    # Fixed and imported again with the same mapping, the rejects file adds its line.
    fixed = rejects.read_text(encoding="utf-8-sig").replace("12.345", "12.35")
    again = led.imports.import_file(write(tmp_path, "fixed.csv", fixed), m)
    assert (again.rows_added, again.total_added) == (1, Decimal("12.35"))


def test_the_rules_of_spend_add_apply_to_every_row(led, tmp_path):
    led.periods.close("2019/20", "2020-01-31", "Q3 return")
    extract = write(
        tmp_path,
        "mixed.csv",
        f"""
{HEADER}
15/01/2020,T1,FS100,1100,,In the closed period,10.00
01/04/2021,T2,FS100,1100,,After every funding year,10.00
02/03/2020,T3,FS100,1100,,Three decimals,12.345
31/02/2020,T4,FS100,1100,,No such day,10.00
02/03/2020,T5,FS100,1100,,Zero,0.00
02/03/2020,T6,FS100,1100,,Exponent,1e3
02/03/2020,T7,FS100,1100,,Good,10.00
""",
    )
    result = led.imports.import_file(extract, mapping(tmp_path), skip_invalid=True)
    reasons = {r.line: r.reason for r in result.rejects}
    # The 0.00 row (line 6) is a cancelled payment: skipped and counted, not rejected.
    assert (result.rows_added, result.rows_rejected, result.rows_zero) == (1, 5, 1)
    assert "closed through 2020-01-31 (reference 'Q3 return')" in reasons[2]
    assert reasons[3].startswith("no funding year covers 2021-04-01")
    assert "more than two decimal places" in reasons[4]
    assert "not a real day" in reasons[5]
    assert 6 not in reasons
    assert "no exponents" in reasons[7]
    kept = mapping(
        tmp_path, MAPPING.replace('name = "agresso"', 'name = "agresso"\nzero_rows = "reject"')
    )
    again = led.imports.import_file(extract, kept, skip_invalid=True, dry_run=True)
    assert (again.rows_rejected, again.rows_zero) == (6, 0)
    assert "0.00 records nothing" in {r.line: r.reason for r in again.rejects}[6]


def test_unmapped_category_without_default_is_an_error(led, tmp_path):
    m = mapping(tmp_path, MAPPING.replace('default = "other"\n', ""))
    extract = write(tmp_path, "x.csv", f"{HEADER}\n02/03/2020,T1,FS100,9999,,Mystery,10.00\n")
    with pytest.raises(SourceError) as err:
        led.imports.import_file(extract, m)
    assert err.value.field == "Expense Code"
    assert "no category for expense code '9999' or cost centre 'FS100'" in err.value.message


# ------------------------------------------------------------------ how finance systems write
def test_windows_1252_with_a_pound_sign(led, tmp_path):
    extract = write(
        tmp_path,
        "cp1252.csv",
        f"{HEADER}\n02/03/2020,T1,FS100,1100,Café Ltd,Training lunch,£1,234.56\n".replace(
            "£1,234.56", '"£1,234.56"'
        ),
        encoding="cp1252",
    )
    assert b"\xa3" in extract.read_bytes()  # the £ sign as Windows-1252 writes it
    result = led.imports.import_file(extract, mapping(tmp_path))
    line = led.spend.list()[0]
    assert (result.total_added, line.supplier) == (Decimal("1234.56"), "Café Ltd")


def test_utf8_with_a_byte_order_mark_and_title_rows(led, tmp_path):
    extract = write(
        tmp_path,
        "bom.csv",
        f"Ledger report\nRun 03/04/2020\n{HEADER}\n02/03/2020,T1,FS100,1100,,Salaries,10.00\n",
        encoding="utf-8-sig",
    )
    assert extract.read_bytes().startswith(b"\xef\xbb\xbf")
    result = led.imports.import_file(extract, mapping(tmp_path))
    assert result.rows_added == 1
    assert led.spend.list()[0].source_line == 4


def test_debit_and_credit_columns_and_a_tab_separated_file(led, tmp_path):
    m = mapping(
        tmp_path, MAPPING.replace('amount = "Amount"', 'debit = "Debit"\ncredit = "Credit"')
    )
    header = HEADER.replace("Amount", "Debit,Credit").replace(",", "\t")
    rows = [
        "02/03/2020,T1,FS100,1100,,Salaries,500.00,",
        "03/03/2020,T2,FS110,2400,Venue,Refund,,75.50",
    ]
    extract = write(
        tmp_path, "dc.tsv", header + "\n" + "\n".join(r.replace(",", "\t") for r in rows) + "\n"
    )
    result = led.imports.import_file(extract, m)
    # 500.00 debit - 75.50 credit
    assert result.total_added == Decimal("424.50")
    assert [x.amount for x in led.spend.list()] == [Decimal("500.00"), Decimal("-75.50")]


def test_negative_amounts_in_parentheses_and_float_noise(led, tmp_path):
    extract = write(
        tmp_path,
        "neg.csv",
        f"""
{HEADER}
02/03/2020,T1,FS100,1100,,Credit note,(350.00)
03/03/2020,T2,FS100,1100,,Spreadsheet noise,890.4999999999999
04/03/2020,T3,FS100,1100,,More noise,2433.2000000000003
05/03/2020 00:00:00,T4,FS100,1100,,With a time,"(1,000.00)"
""",
    )
    result = led.imports.import_file(extract, mapping(tmp_path))
    assert [x.amount for x in led.spend.list()] == [
        Decimal("-350.00"),
        Decimal("890.50"),
        Decimal("2433.20"),
        Decimal("-1000.00"),
    ]
    # -350.00 + 890.50 + 2,433.20 - 1,000.00 = 1,973.70
    assert (result.amounts_snapped, result.total_added) == (2, Decimal("1973.70"))


def test_cost_centre_filter_skips_and_counts_other_rows(led, tmp_path):
    extract = write(
        tmp_path,
        "cc.csv",
        f"""
{HEADER}
02/03/2020,H1,HW300,4100,Surfacing Ltd,Potholes,"12,480.00"
02/03/2020,T1,FS100,1100,,Salaries,100.00
not a date,H2,HW300,4100,,Garbage in another cost centre,???
""",
    )
    result = led.imports.import_file(extract, mapping(tmp_path))
    assert (result.rows_read, result.rows_added, result.rows_skipped) == (3, 1, 2)
    assert stored(led) == (1, Decimal("100.00"))


def test_dry_run_stores_nothing_and_says_the_same(led, tmp_path):
    extract = _extract_250_lines(tmp_path)
    m = mapping(tmp_path)
    dry = led.imports.import_file(extract, m, dry_run=True, skip_invalid=True)
    assert stored(led) == (0, Decimal("0.00"))
    assert led.imports.list() == []
    real = led.imports.import_file(extract, m, skip_invalid=True)
    fields = ("rows_read", "rows_added", "rows_duplicate", "rows_rejected", "total_added")
    assert [getattr(dry, f) for f in fields] == [getattr(real, f) for f in fields]
    assert dry.batch_id is None and real.batch_id == 1


# ------------------------------------------------------------------ XLSX
XLSX_MAPPING = MAPPING.replace(
    '[source]\nname = "agresso"', '[source]\nname = "agresso"\nsheet = "Ledger"'
)


def _workbook(path: Path, amount: object) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Cover"
    wb.active["A1"] = "Illustrative extract"
    ws = wb.create_sheet("Ledger")
    ws.append(HEADER.split(","))
    ws.append([datetime(2020, 3, 2), "T1", "FS100", 1100, None, "Salaries", 890.4999999999999])
    ws.append([datetime(2020, 3, 3), "T2", "FS100", "1100", None, "On-costs", amount])
    wb.save(path)
    return path


def test_xlsx_sheet_with_dates_and_float_noise(led, tmp_path):
    book = _workbook(tmp_path / "ledger.xlsx", 20)
    result = led.imports.import_file(book, mapping(tmp_path, XLSX_MAPPING))
    # 890.50 (snapped) + 20.00
    assert (result.rows_added, result.amounts_snapped) == (2, 1)
    assert result.total_added == Decimal("910.50")


def test_xlsx_formula_money_cell_without_saved_value_is_an_error_not_zero(led, tmp_path):
    book = _workbook(tmp_path / "formula.xlsx", "=G2*2")
    with pytest.raises(SourceError) as err:
        led.imports.import_file(book, mapping(tmp_path, XLSX_MAPPING))
    assert err.value.line == 3
    assert "cell G3" in err.value.message
    assert "formula whose value was never saved" in err.value.message
    assert stored(led) == (0, Decimal("0.00"))


def _rewrite_part(book: Path, part: str, data: bytes, out: Path) -> Path:
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, data if info.filename == part else src.read(info.filename))
    return out


def test_xml_bomb_xlsx_is_refused_quickly(led, tmp_path):
    book = _workbook(tmp_path / "ok.xlsx", 20)
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
            for i in range(1, 10)
        )
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    bomb = _rewrite_part(book, "xl/worksheets/sheet2.xml", laughs, tmp_path / "bomb.xlsx")
    started = time.perf_counter()
    with pytest.raises(SourceError, match="XML bomb or external entity"):
        led.imports.import_file(bomb, mapping(tmp_path, XLSX_MAPPING))
    assert time.perf_counter() - started < 5


def test_external_entity_xlsx_is_refused_and_reads_nothing(led, tmp_path):
    # An XXE: the cell would pull in a local file. defusedxml refuses the entity, so
    # the secret never reaches a spend line, a message or the store.
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-PAYROLL")
    book = _workbook(tmp_path / "ok.xlsx", 20)
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode()
        + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    evil = _rewrite_part(book, "xl/worksheets/sheet2.xml", xxe, tmp_path / "xxe.xlsx")
    with pytest.raises(SourceError, match="XML bomb or external entity") as err:
        led.imports.import_file(evil, mapping(tmp_path, XLSX_MAPPING))
    assert "TOP-SECRET" not in str(err.value)
    assert stored(led) == (0, Decimal("0.00"))


def test_zip_bomb_xlsx_is_refused_before_parsing(led, tmp_path):
    book = _workbook(tmp_path / "ok.xlsx", 20)
    # 64 MiB of one repeated byte deflates about a thousand times.
    padding = b"<!--" + b" " * (64 << 20) + b"-->"
    bomb = tmp_path / "zipbomb.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("xl/padding.xml", padding)
    assert bomb.stat().st_size < 1 << 20
    started = time.perf_counter()
    with pytest.raises(SourceError, match="zip bomb"):
        led.imports.import_file(bomb, mapping(tmp_path, XLSX_MAPPING))
    assert time.perf_counter() - started < 5


def test_an_xlsx_too_big_when_unpacked_is_refused(led, tmp_path, monkeypatch):
    import fsgrant.imports.xlsx_guard

    monkeypatch.setattr(fsgrant.imports.xlsx_guard, "MAX_XLSX_UNCOMPRESSED", 1000)
    book = _workbook(tmp_path / "ok.xlsx", 20)
    with pytest.raises(SourceError, match="would unpack to"):
        led.imports.import_file(book, mapping(tmp_path, XLSX_MAPPING))


# ------------------------------------------------------------------ concurrency
def test_an_import_waits_for_another_writer_instead_of_failing(led, tmp_path):
    import threading

    extract = write(tmp_path, "w.csv", f"{HEADER}\n02/03/2020,T1,FS100,1100,,Salaries,10.00\n")
    other = sqlite3.connect(led.path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(0.5, lambda: other.execute("COMMIT")).start()
    result = led.imports.import_file(extract, mapping(tmp_path))
    other.close()
    assert result.rows_added == 1


# ------------------------------------------------------------------ a kill mid-import
_IMPORT_SCRIPT = """
import sys, fsgrant
led = fsgrant.open(sys.argv[1], create=False)
print("go", flush=True)
led.imports.import_file(sys.argv[2], sys.argv[3])
print("done", flush=True)
"""


@pytest.mark.slow
def test_a_process_killed_mid_import_leaves_all_or_none_of_the_file(led, tmp_path):
    import os
    import random
    import signal
    import subprocess
    import sys

    rows = 50_000
    lines = [HEADER] + [f"02/03/2020,K{n},FS100,1100,,Row {n},1.00" for n in range(rows)]
    extract = write(tmp_path, "kill.csv", "\n".join(lines) + "\n")
    m = mapping(tmp_path)
    script = write(tmp_path, "run_import.py", _IMPORT_SCRIPT)
    db = str(led.path)
    led.close()
    rng = random.Random(5)
    kills = 10 if os.environ.get("FSGRANT_SLOW") else 3
    for _ in range(kills):
        proc = subprocess.Popen(
            [sys.executable, str(script), db, str(extract), str(m)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "go"
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
        check = sqlite3.connect(db)
        try:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            count, total = check.execute(
                "SELECT count(*), coalesce(sum(amount_pence), 0) FROM spend"
            ).fetchone()
            batches = check.execute("SELECT count(*) FROM import_batches").fetchone()[0]
        finally:
            check.close()
        # All of the file (50,000 x 1.00 = 5,000,000 pence) or none of it.
        assert (count, total, batches) in {(0, 0, 0), (rows, rows * 100, 1)}
        if count:
            break
    with fsgrant.open(db, create=False) as again:
        result = again.imports.import_file(extract, m)
        assert result.rows_added + result.rows_duplicate == rows
        assert len(again.spend.list()) == rows


# ------------------------------------------------------------------ chunk boundaries
def test_dedupe_holds_across_chunks(led, tmp_path, monkeypatch):
    import fsgrant.imports.service

    # Chunks of two rows, so repeats and duplicates fall in different chunks.
    monkeypatch.setattr(fsgrant.imports.service, "CHUNK_ROWS", 2)
    m = mapping(tmp_path)
    first = write(
        tmp_path,
        "a.csv",
        f"{HEADER}\n" + "".join(f"02/03/2020,T{n},FS100,1100,,Row {n},1.00\n" for n in range(5)),
    )
    assert led.imports.import_file(first, m).rows_added == 5
    # T1 was imported before and appears twice; T7 is new and appears twice.
    second = write(
        tmp_path,
        "b.csv",
        f"""
{HEADER}
02/03/2020,T1,FS100,1100,,Row 1,1.00
02/03/2020,T6,FS100,1100,,Row 6,1.00
02/03/2020,T7,FS100,1100,,Row 7,1.00
02/03/2020,T1,FS100,1100,,Row 1,1.00
02/03/2020,T8,FS100,1100,,Row 8,1.00
02/03/2020,T7,FS100,1100,,Row 7,1.00
""",
    )
    result = led.imports.import_file(second, m, skip_invalid=True)
    assert (result.rows_added, result.rows_duplicate, result.rows_rejected) == (3, 1, 2)
    assert result.rows_read == 6  # every row counted once
    assert {r.line: r.reason.split(";")[0] for r in result.rejects} == {
        5: "transaction reference 'T1' appears again (first at line 2)",
        7: "transaction reference 'T7' appears again (first at line 4)",
    }
    # Hash keys: the same taxi five times, across three chunks, then again.
    taxis = write(tmp_path, "taxi.csv", "date,amount,category\n" + "2020-03-02,45.00,other\n" * 5)
    assert led.imports.import_file(taxis).rows_added == 5
    assert led.imports.import_file(taxis).rows_duplicate == 5


def test_the_fast_amount_reading_agrees_with_the_documented_rule():
    # Every text of up to four pieces: the fast path must accept and refuse exactly
    # what parse_amount does (three or more decimals aside: the float-noise rule).
    from itertools import product

    from fsgrant.domain.money import parse_amount, to_pence
    from fsgrant.errors import InvalidAmount
    from fsgrant.imports.amounts import read_extract_amount

    pieces = ["", "-", "£", "(", ")", ",", ".", " ", "1", "0", "9", "e", "00", "234"]
    texts = {"".join(p) for p in product(pieces, repeat=4)}
    assert len(texts) > 5000
    for text in texts:
        if re.search(r"\.\d{3}", text):
            continue
        try:
            expected: tuple[int, bool] | None = (to_pence(parse_amount(text)), False)
        except InvalidAmount:
            expected = None
        try:
            got: tuple[int, bool] | None = read_extract_amount(text)
        except InvalidAmount:
            got = None
        assert got == expected, text


# ------------------------------------------------------------------ command line and demo
def test_command_line_import_list_show_and_mapping_check(led, tmp_path):
    import json

    extract = write(
        tmp_path,
        "march.csv",
        f"""
{HEADER}
02/03/2020,H1,HW300,4100,Surfacing Ltd,Potholes,"12,480.00"
02/03/2020,T1,FS100,1100,,Salaries,"7,291.66"
03/03/2020,T2,FS110,2400,MI Training Ltd,Coaching day,(350.00)
""",
    )
    m = str(mapping(tmp_path))
    db = ["--db", str(led.path)]
    runner = CliRunner()
    dry = runner.invoke(app, [*db, "spend", "import", str(extract), "-m", m, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run of march.csv (nothing stored)" in dry.output
    assert led.spend.list() == []
    out = runner.invoke(app, [*db, "spend", "import", str(extract), "-m", m, "-f", "json"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.output)
    # 7,291.66 - 350.00 = 6,941.66
    assert (summary["batch_id"], summary["rows_added"], summary["rows_skipped"]) == (1, 2, 1)
    assert summary["total_added"] == "6941.66"
    listed = runner.invoke(app, [*db, "imports", "list", "-f", "csv"])
    assert listed.output.splitlines()[1].startswith("1,march.csv,")
    shown = runner.invoke(app, [*db, "imports", "show", "1", "-f", "json"])
    lines = json.loads(shown.output)["lines"]
    assert [(x["source_line"], x["amount"]) for x in lines] == [(3, "7291.66"), (4, "-350.00")]
    checked = runner.invoke(app, [*db, "mapping", "check", m, str(extract), "-f", "json"])
    rows = json.loads(checked.output)["rows"]
    assert [r["status"] for r in rows] == ["skipped", "stored", "stored"]
    bad = runner.invoke(app, [*db, "spend", "import", str(tmp_path / "missing.csv"), "-m", m])
    assert bad.exit_code == 2
    assert "missing.csv: no such file" in bad.output


def test_demo_imports_the_example_extract(tmp_path):
    from fsgrant.services.demo import run_demo

    result = run_demo(tmp_path / "out")
    # agresso-2020-04.csv: 17 rows, 10 in the grant's cost centres FS100/FS110/FS120,
    # 4,500 + 1,200 + 2,750 - 350 + 2,433.20 + 3,105 + 890.50 + 7,291.66 + 2,334.35
    # + 420 = 24,574.71; 2433.2000000000003 and 890.4999999999999 are snapped.
    assert any(
        "17 rows read, 10 new, 0 duplicate, 7 skipped (Cost Centre not in [FS100, FS110, "
        "FS120]: 7), 0 of 0.00 (skipped), 0 rejected, 2 amounts snapped to the penny; £24,574.71 added."
        in note
        for note in result.notes
    )


def test_a_mapping_with_a_typo_or_a_missing_column_is_refused_before_any_row(led, tmp_path):
    extract = write(tmp_path, "x.csv", f"{HEADER}\n02/03/2020,T1,FS100,1100,,Salaries,10.00\n")
    typo = mapping(tmp_path, MAPPING.replace("[filter]", "[filters]"))
    # [filters] is line 13 of the mapping; the message says which keys would do.
    with pytest.raises(
        SourceError,
        match=r"agresso.toml, line 13, field 'filters': unknown key 'filters' in the top level "
        r"\(did you mean 'filter'\?\); expected one of: source, columns, filter, categories, "
        "posts, dedupe",
    ):
        led.imports.import_file(extract, typo)
    absent = mapping(tmp_path, MAPPING.replace('"Supplier Name"', '"Vendor"'))
    with pytest.raises(SourceError, match="the nearest, line 1, has no 'Vendor'"):
        led.imports.import_file(extract, absent)
    assert led.imports.list() == []


# ------------------------------------------------------------------ bulk imports
def _index_sql(led) -> dict[str, str]:
    return {
        r[0]: r[1]
        for r in led.store.query("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
        if r[1]
    }


def test_a_bulk_import_rebuilds_the_covering_index_and_a_failed_one_keeps_it(
    led, tmp_path, monkeypatch
):
    import fsgrant.store.imports

    # Drop the reports' covering index from the first chunk, as a large import would.
    monkeypatch.setattr(fsgrant.store.imports, "BULK_MIN_ROWS", 1)
    monkeypatch.setattr(fsgrant.imports.service, "CHUNK_ROWS", 2)
    before = _index_sql(led)
    assert "spend_date_totals" in before and "spend_batch" in before
    rebuilt: list[list[str]] = []
    real = fsgrant.store.imports.ImportWriter.rebuild_indexes

    def spy(self):
        rebuilt.append(list(self.dropped))
        real(self)

    monkeypatch.setattr(fsgrant.store.imports.ImportWriter, "rebuild_indexes", spy)
    m = mapping(tmp_path)
    rows = "".join(f"0{n + 1}/03/2020,T{n},FS100,2400,,Row {n},10.0{n}\n" for n in range(5))
    good = write(tmp_path, "a.csv", f"{HEADER}\n{rows}")
    assert led.imports.import_file(good, m).rows_added == 5
    # Both were dropped, then built again.
    assert rebuilt == [[before["spend_date_totals"], before["spend_reference"]]]
    assert _index_sql(led) == before  # the same indexes as they were
    # 10.00 + 10.01 + 10.02 + 10.03 + 10.04 = 50.10, read through the rebuilt index.
    assert led.spend.totals() == {("2019/20", "training"): Decimal("50.10")}
    assert led.store.query("PRAGMA integrity_check")[0][0] == "ok"
    # A row that fails after the index was dropped: nothing stored, the index kept.
    bad = write(
        tmp_path, "b.csv", f"{HEADER}\n{rows.replace('T', 'U')}09/03/2020,U9,FS100,2400,,Bad,ten\n"
    )
    with pytest.raises(SourceError):
        led.imports.import_file(bad, m)
    assert _index_sql(led) == before
    assert stored(led) == (5, Decimal("50.10"))


def test_an_import_leaves_the_page_cache_and_the_collector_as_they_were(led, tmp_path):
    import gc

    cache = led.store.query("PRAGMA cache_size")[0][0]
    m = mapping(tmp_path)
    extract = write(tmp_path, "a.csv", f"{HEADER}\n02/03/2020,T1,FS100,1100,,Row,1.00\n")
    led.imports.import_file(extract, m)
    assert led.store.query("PRAGMA cache_size")[0][0] == cache
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("data", "utf8"),
    [
        (b"abc\xc3\xa9defgh", True),  # an e-acute split across two reads, then ASCII
        (b"\xc3\xa9\xc3\xa9abcd", True),
        (b"ab\xe2\x82\xacabcdefg", True),  # the euro sign split across two reads
        (b"abc\xc3", False),  # cut off inside a character
        (b"abc\xc3abcd", False),  # a character left unfinished before ASCII
        (b"abcd\xff", False),  # a byte UTF-8 never has (Windows-1252's y-umlaut)
        (b"abcdefgh", True),
    ],
)
def test_utf8_is_told_from_other_text_across_the_reads_of_a_file(tmp_path, monkeypatch, data, utf8):
    # The file is read four bytes at a time, so every case crosses a read.
    import hashlib

    import fsgrant.formats.file_hash as file_hash
    import fsgrant.imports.extracts as extracts

    monkeypatch.setattr(file_hash, "CHUNK", 4)
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    assert extracts.is_utf8(path) is utf8
    assert extracts.file_sha256(path) == hashlib.sha256(data).hexdigest()


def test_the_rejects_go_beside_the_extract_unless_named():
    from fsgrant.imports.rejects import rejects_beside

    assert rejects_beside("exports/march 2020.csv") == Path("exports/march 2020-rejects.csv")
    assert rejects_beside(Path("/data/q4.xlsx")) == Path("/data/q4-rejects.csv")


def test_an_extract_closed_before_its_first_row_leaves_no_file_open(tmp_path):
    # An import refused after the extract is opened but before its first row is read
    # (the store busy, a rule on a column the file lacks...) closes the extract: its
    # file must be closed then, not left to the garbage collector, which warns of an
    # unclosed file at some later moment, in whatever runs then.
    import gc
    import warnings

    from fsgrant.imports.check import close_rows, open_mapped
    from fsgrant.imports.mapping import load_mapping

    m = tmp_path / "m.toml"
    m.write_text(MAPPING, encoding="utf-8")
    path = write(tmp_path, "e.csv", f"{HEADER}\n02/03/2020,T1,FS100,1100,,Row,1.00\n")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        extract = open_mapped(path, load_mapping(m))
        close_rows(extract)
        del extract
        gc.collect()
    assert [str(w.message) for w in seen if issubclass(w.category, ResourceWarning)] == []
