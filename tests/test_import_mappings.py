"""Extracts as they really come: filters and rules on any column, every source field
kept, zero rows, header rows after title rows, and the Transparency Code preset.

Each test reproduces one problem met importing a council's published spending file
and shows the behaviour that replaced it. The grant: funding year 2019/20 from
1 August 2019, extended to 31 March 2021; the six default categories.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fsgrant.cli import app
from fsgrant.errors import SourceError


@pytest.fixture
def led(new_ledger):
    ledger = new_ledger()
    ledger.years.vary("2019/20", agreed_on="2020-02-14", reason="envelope moved", end="2021-03-31")
    ledger.posts.add(
        "DA-01",
        role="domestic-abuse",
        host="council",
        fte="1.0",
        planned_start="2020-01-01",
        annual_cost="40000.00",
    )
    return ledger


def write(folder: Path, name: str, text: str, *, newline: str = "\n", bom: bool = False) -> Path:
    path = folder / name
    body = text.lstrip("\n").replace("\n", newline)
    path.write_bytes(("\ufeff" if bom else "").encode() + body.encode("utf-8"))
    return path


def run(*args: str):
    return CliRunner().invoke(app, list(args))


PAYMENTS = """
Date,Transaction Number,Invoice Number,Amount,Supplier Name,Expense Area,Expense Type,Expense Code,Creditor Type
03/02/2020,T1,INV-1,500.00,MI Training Ltd,Children's Services,Training,2400,Vendor
03/02/2020,T2,INV-2,1200.00,Agency A,Children's Services,Agency Staff,1100,Vendor
04/02/2020,T3,INV-3,800.00,Agency B,Children’s Services,Agency Staff,1100,Vendor
04/02/2020,T4,INV-4,9000.00,Surfacing Ltd,Highways,Road Repairs,4100,Vendor
05/02/2020,T5,INV-5,300.00,Caterer,Adult Social Care,Catering,3000,Vendor
05/02/2020,T6,INV-6,250.00,Dr Jones,children's services,Consultancy,4500,Individual
"""

BASE = """
[source]
name = "payments"
[columns]
date = "Date"
amount = "Amount"
reference = "Transaction Number"
supplier = "Supplier Name"
[categories]
default = "other"
"""


def mapping(folder: Path, extra: str, base: str = BASE) -> Path:
    return write(folder, "payments.toml", base + extra)


# ------------------------------------------------------------------ 1. filter on any column
def test_filters_on_any_column_include_exclude_and_combined_named_in_the_counts(led, tmp_path):
    extract = write(tmp_path, "feb.csv", PAYMENTS)
    m = mapping(
        tmp_path,
        """
[[filter.where]]
column = "Expense Area"
include = ["Children's Services"]
case_insensitive = true
[[filter.where]]
column = "Creditor Type"
exclude = ["Individual"]
""",
    )
    result = led.imports.import_file(extract, m)
    # Expense Area keeps T1, T2, T3 (curly apostrophe, normalised) and T6 (other case);
    # Creditor Type then drops T6: 500 + 1,200 + 800 = 2,500.00 from 3 lines.
    assert (result.rows_read, result.rows_added, result.rows_skipped) == (6, 3, 3)
    assert result.skipped_by == {
        "Expense Area not in [Children's Services]": 2,
        "Creditor Type in [Individual]": 1,
    }
    assert result.total_added == Decimal("2500.00")
    assert result.warnings == ()
    what = [r["what"] for r in result.summary_rows()]
    assert "skipped: Expense Area not in [Children's Services]" in what


def test_the_old_cost_centre_filter_still_works_and_case_matters_without_the_option(led, tmp_path):
    extract = write(tmp_path, "feb.csv", PAYMENTS)
    m = mapping(
        tmp_path,
        '[filter]\ncost_centres = ["Children\'s Services"]\n',
        BASE.replace('supplier = "Supplier Name"', 'cost_centre = "Expense Area"'),
    )
    result = led.imports.import_file(extract, m)
    # T1, T2, T3 (curly apostrophe normalised); T6 'children's services' differs in case.
    assert (result.rows_added, result.rows_skipped) == (3, 3)
    assert result.skipped_by == {"Expense Area not in [Children's Services]": 3}


# ------------------------------------------------------------------ 2. a filter that keeps nothing
def test_a_filter_that_keeps_nothing_warns_with_the_values_seen_and_strict_refuses(led, tmp_path):
    extract = write(tmp_path, "feb.csv", PAYMENTS)
    typo = mapping(
        tmp_path, '[[filter.where]]\ncolumn = "Expense Area"\ninclude = ["Childrens Services"]\n'
    )
    result = led.imports.import_file(extract, typo)
    assert (result.rows_added, result.rows_skipped) == (0, 6)
    [warning] = result.warnings
    # Three rows say Children's Services once normalised, but as written: T1, T2 straight,
    # T3 curly, T6 lower case; then one each of Highways and Adult Social Care.
    assert "kept none of 6 rows" in warning
    assert '"Children\'s Services" (2)' in warning
    assert "'Highways' (1)" in warning
    with pytest.raises(SourceError, match="kept none of 6 rows"):
        led.imports.import_file(extract, typo, strict=True)
    assert led.imports.list()[-1].id == 1  # the strict import stored nothing

    db = ["--db", str(led.path)]
    out = run(*db, "spend", "import", str(extract), "-m", str(typo), "--strict")
    assert out.exit_code == 2
    assert "kept none of 6 rows" in out.stderr
    checked = run(*db, "mapping", "check", str(typo), "--file", str(extract), "-f", "json")
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.output)
    [f] = report["filters"]
    assert (f["rows_seen"], f["rows_kept"]) == (6, 0)
    assert f["most_frequent"][0] == {"value": "Children's Services", "rows": 2}
    assert report["warnings"] and report["header_found_by"] == "column names"
    table = run(*db, "mapping", "check", str(typo), "--file", str(extract))
    assert "6 rows read, 0 kept by the filters" in table.output
    assert "Warning:" in table.stderr


# ------------------------------------------------------------------ 3. rules, templates, source fields
RULES = """
[columns]
date = "Date"
amount = "Amount"
reference = "Transaction Number"
supplier = "Supplier Name"
expense_code = "Expense Code"
description_template = "{Expense Type} - {Invoice Number}"
[source]
name = "payments"
[categories]
default = "other"
[categories.expense_code]
"2400" = "training"
[[categories.rules]]
column = "Expense Type"
equals = "agency staff"
case_insensitive = true
category = "staffing"
[[categories.rules]]
column = "Expense Code"
one_of = ["4500"]
also = { column = "Creditor Type", starts_with = "Indiv" }
category = "evaluation"
[[categories.rules]]
column = "Expense Type"
matches = "Road.*"
category = "programme-management"
[[posts.rules]]
column = "Supplier Name"
matches = "Agency [AB]"
post = "DA-01"
"""


def test_rules_on_any_column_a_template_and_every_source_field_kept(led, tmp_path):
    extract = write(tmp_path, "feb.csv", PAYMENTS)
    m = write(tmp_path, "rules.toml", RULES)
    result = led.imports.import_file(extract, m)
    assert result.rows_added == 6
    lines = {x.reference: x for x in led.spend.list()}
    got = {ref: (x.category, x.post, x.description) for ref, x in lines.items()}
    assert got == {
        "T1": ("training", None, "Training - INV-1"),  # the expense code map
        "T2": ("staffing", "DA-01", "Agency Staff - INV-2"),  # rule 1, any case
        "T3": ("staffing", "DA-01", "Agency Staff - INV-3"),
        "T4": ("programme-management", None, "Road Repairs - INV-4"),  # rule 3
        "T5": ("other", None, "Catering - INV-5"),  # the default
        "T6": ("evaluation", None, "Consultancy - INV-6"),  # rule 2: two columns
    }
    assert lines["T6"].source_fields == {
        "Date": "05/02/2020",
        "Transaction Number": "T6",
        "Invoice Number": "INV-6",
        "Amount": "250.00",
        "Supplier Name": "Dr Jones",
        "Expense Area": "children's services",
        "Expense Type": "Consultancy",
        "Expense Code": "4500",
        "Creditor Type": "Individual",
    }
    db = ["--db", str(led.path)]
    shown = run(*db, "spend", "show", str(lines["T6"].id))
    assert shown.exit_code == 0, shown.output
    assert "Creditor Type" in shown.output and "Individual" in shown.output
    as_json = json.loads(run(*db, "spend", "show", str(lines["T6"].id), "-f", "json").output)
    assert as_json["source_fields"]["Invoice Number"] == "INV-6"
    checked = led.imports.check_mapping(extract, m)
    gave = {(c.category, c.rule): c.rows for c in checked.categories}
    assert gave[("staffing", "rule: Expense Type = 'agency staff'")] == 2
    assert gave[("training", "Expense Code 2400")] == 1
    assert gave[("other", "default")] == 1


def test_a_bad_rule_or_template_names_the_mapping_line_and_what_was_expected(led, tmp_path):
    extract = write(tmp_path, "feb.csv", PAYMENTS)
    bad = write(tmp_path, "bad.toml", RULES.replace('equals = "agency staff"', 'equal = "x"'))
    with pytest.raises(SourceError, match=r"bad.toml, line 16, field 'categories.rules.0.equal'"):
        led.imports.import_file(extract, bad)
    lone = write(tmp_path, "lone.toml", RULES.replace("{Invoice Number}", "{Invoice Number"))
    with pytest.raises(SourceError, match=r"lone.toml, line 7, .*a lone '\{'"):
        led.imports.import_file(extract, lone)
    toml = write(tmp_path, "toml.toml", RULES.replace('default = "other"', "default = other"))
    with pytest.raises(SourceError, match=r"toml.toml, line 11: not valid TOML"):
        led.imports.import_file(extract, toml)
    missing = write(tmp_path, "missing.toml", RULES.replace("Expense Type}", "Expense Kind}"))
    with pytest.raises(SourceError, match=r"no header row with the columns .*Expense Kind"):
        led.imports.import_file(extract, missing)


# ------------------------------------------------------------------ 4-6. zero, snapped, timestamps
def test_zero_rows_are_counted_snaps_count_stored_lines_and_one_timestamp_format(led, tmp_path):
    extract = write(
        tmp_path,
        "mar.csv",
        """
Date,Transaction Number,Amount,Supplier Name
02/03/2020,T1,890.4999999999999,A
02/03/2020,T2,0.00,B
03/03/2020,T3,2433.2000000000003,C
""",
    )
    m = mapping(tmp_path, "")
    first = led.imports.import_file(extract, m)
    # 890.50 + 2,433.20 = 3,323.70; the 0.00 row is a cancelled payment, not an error.
    assert (first.rows_added, first.rows_zero, first.rows_rejected) == (2, 1, 0)
    assert (first.amounts_snapped, first.total_added) == (2, Decimal("3323.70"))
    again = led.imports.import_file(extract, m)
    assert (again.rows_added, again.rows_duplicate, again.amounts_snapped) == (0, 2, 0)
    db = ["--db", str(led.path)]
    listed = run(*db, "imports", "list", "-f", "json")
    shown = run(*db, "imports", "show", "1", "-f", "json")
    table = run(*db, "imports", "list", "-f", "csv")
    stamp_list = json.loads(listed.output)[0]["imported_at"]
    stamp_show = json.loads(shown.output)["batch"]["imported_at"]
    assert stamp_list == stamp_show
    assert len(stamp_list) == len("2020-05-01T15:00:38Z") and stamp_list.endswith("Z")
    assert stamp_list in table.output


# ------------------------------------------------------------------ header after title rows (XLSX)
def test_xlsx_with_title_rows_blank_rows_and_a_totals_row(led, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["A County Council: payments over £500"])
    ws.append(["Run 03/04/2020"])
    ws.append([])
    ws.append(["Date", "Transaction Number", "Amount", "Supplier Name", "Expense Area"])
    ws.append([datetime(2020, 3, 2), "T1", 1200.5, "A", "Children's Services"])
    ws.append([])
    ws.append([datetime(2020, 3, 3), "T2", 99.5, "B", "Children's Services"])
    ws.append([None, None, 1300, "Total", None])
    path = tmp_path / "march.xlsx"
    wb.save(path)
    result = led.imports.import_file(path, mapping(tmp_path, ""))
    # 1,200.50 + 99.50 = 1,300.00; the totals row is skipped, not rejected.
    assert (result.header_line, result.rows_added, result.total_added) == (
        4,
        2,
        Decimal("1300.00"),
    )
    assert result.skipped_by == {"totals row": 1}
    # Rows 1-3 are titles and a blank row; row 4 is the first holding the four mapped
    # columns, and the import says so, as mapping check does.
    assert result.header_found_by == "column names"
    assert result.header_reason == (
        "the first of the first 50 rows holding every mapped column "
        "('Date', 'Amount', 'Supplier Name', 'Transaction Number')"
    )
    db = ["--db", str(led.path)]
    again = run(*db, "spend", "import", str(path), "-m", str(tmp_path / "payments.toml"))
    assert again.exit_code == 0, again.output
    assert "Header found on line 4: the first of the first 50 rows holding" in again.output
    checked = run(*db, "mapping", "check", str(tmp_path / "payments.toml"), "--file", str(path))
    assert "header on line 4 (the first of the first 50 rows holding every mapped" in " ".join(
        checked.output.split()
    )
    given = write(
        tmp_path,
        "given.toml",
        BASE.replace('name = "payments"', 'name = "payments"\nheader_row = 4'),
    )
    told = led.imports.import_file(path, given, dry_run=True)
    assert (told.header_line, told.header_found_by) == (4, "header_row")
    assert told.header_reason == "row 4, as the mapping's header_row says"
    # When no row holds them all, the message names the row that came closest and the
    # names it lacks; when the row given holds none of them, it says that.
    vendor = write(tmp_path, "vendor.toml", BASE.replace('"Supplier Name"', '"Vendor"'))
    with pytest.raises(SourceError, match=r"the nearest, line 4, has no 'Vendor'$"):
        led.imports.import_file(path, vendor)
    title = write(
        tmp_path,
        "title.toml",
        BASE.replace('name = "payments"', 'name = "payments"\nheader_row = 1'),
    )
    with pytest.raises(SourceError, match=r"in row 1 of sheet 'Sheet'; no row there holds any"):
        led.imports.import_file(path, title)
    assert result.rows_rejected == 0


# ------------------------------------------------------------------ the Transparency Code preset
TRANSPARENCY = """
Body Name,Body,Date,Transaction Number,Invoice Number,Amount,Supplier Name,Supplier ID,VAT Registration Number,Expense Area,Expense Type,Expense Code,Creditor Type
A County Council,E1234,2020-02-03 00:00:00,T100,INV-1,974.24,MI Training Ltd,S1,GB111,Children's Services,Training,2400,Vendor
A County Council,E1234,2020-02-03 00:00:00,T101,INV-2,-974.2399999999999,MI Training Ltd,S1,GB111,Children’s Services,Training,2400,Vendor
A County Council,E1234,2020-02-10 00:00:00,T102,INV-3,890.4999999999999,Drug Service,S2,,Children's Services,Agency Staff,1100,Vendor
A County Council,E1234,2020-02-11 00:00:00,T103,INV-4,0,Drug Service,S2,,Children's Services,Agency Staff,1100,Vendor
A County Council,E1234,2020-02-12 00:00:00,T104,INV-5,12480.00,Surfacing Ltd,S3,GB333,Highways,Road Repairs,4100,Vendor
A County Council,E1234,2020-03-02 00:00:00,T105,INV-6,"2,433.2000000000003",Family Hub,S4,,Children's Services,Premises,3100,Vendor
"""


def test_the_transparency_code_preset_on_a_published_file(led, tmp_path):
    extract = write(tmp_path, "spend-over-500.csv", TRANSPARENCY, newline="\r\n", bom=True)
    db = ["--db", str(led.path)]
    where = "Expense Area=Children's Services"
    out = run(
        *db, "spend", "import", str(extract), "-m", "transparency-code", "-w", where, "-f", "json"
    )
    assert out.exit_code == 0, out.output
    summary = json.loads(out.output)
    # Kept: T100 974.24, T101 -974.24 (credit, float noise), T102 890.50 (noise),
    # T105 2,433.20 (noise); T103 is 0 (zero), T104 is Highways (skipped).
    # 974.24 - 974.24 + 890.50 + 2,433.20 = 3,323.70.
    assert (summary["rows_read"], summary["rows_added"], summary["rows_zero"]) == (6, 4, 1)
    assert summary["skipped_by"] == {"Expense Area not in [Children's Services]": 1}
    assert (summary["amounts_snapped"], summary["total_added"]) == (3, "3323.70")
    lines = sorted(led.spend.list(), key=lambda x: x.source_line or 0)
    assert [(x.date.isoformat(), str(x.amount), x.category, x.description) for x in lines] == [
        ("2020-02-03", "974.24", "other", "Training"),
        ("2020-02-03", "-974.24", "other", "Training"),
        ("2020-02-10", "890.50", "other", "Agency Staff"),
        ("2020-03-02", "2433.20", "other", "Premises"),
    ]
    assert lines[0].source_fields is not None
    assert lines[0].source_fields["Body Name"] == "A County Council"
    assert lines[0].source_fields["VAT Registration Number"] == "GB111"
    again = run(
        *db, "spend", "import", str(extract), "-m", "transparency-code", "-w", where, "-f", "json"
    )
    assert json.loads(again.output)["rows_added"] == 0
    bad = run(*db, "spend", "import", str(extract), "-m", "transparency-code", "-w", "Expense Area")
    assert bad.exit_code == 2
    assert "expected COLUMN=VALUE" in bad.stderr


# ------------------------------------------------------------------ source fields on the return
def test_the_return_can_carry_the_source_fields_as_text_and_still_verifies(led, tmp_path):
    from openpyxl import load_workbook

    # Two extracts with different columns: the return's extra columns are their union in
    # first-seen order (Date, Transaction Number, Amount, Supplier Name from the first;
    # Cost Centre is new in the second), each line's value as text.
    first = write(
        tmp_path,
        "feb.csv",
        """
Date,Transaction Number,Amount,Supplier Name
03/02/2020,T1,500.00,=HYPERLINK("http://x")
04/02/2020,T2,250.00,#N/A
""",
    )
    second = write(
        tmp_path,
        "mar.csv",
        """
Date,Transaction Number,Amount,Supplier Name,Cost Centre
02/03/2020,T3,100.00,Agency A,007
""",
    )
    m = mapping(tmp_path, "")
    led.imports.import_file(first, m)
    led.imports.import_file(second, m)
    led.spend.add("2020-03-05", "12.00", "training", supplier="typed, not imported")
    out = led.exports.write_return("2019/20", "2020-03-31", tmp_path / "r.xlsx", source_fields=True)
    ws = load_workbook(out)["Transactions"]
    rows = [[c for c in row] for row in ws.iter_rows()]
    [header] = [r for r in rows if r[0].value == "Line"]
    names = [c.value for c in header[13:]]
    assert names == ["Date", "Transaction Number", "Amount", "Supplier Name", "Cost Centre"]
    body = {r[0].value: r for r in rows if isinstance(r[0].value, int)}
    t1, t3, typed = body[1], body[3], body[4]
    # A formula and an error literal are text cells; "007" keeps its zeros; a line
    # typed at the command line has no source fields, so blank cells.
    assert (t1[16].value, t1[16].data_type) == ('=HYPERLINK("http://x")', "s")
    assert (body[2][16].value, body[2][16].data_type) == ("#N/A", "s")
    assert (t3[17].value, t3[17].data_type) == ("007", "s")
    assert (t3[15].value, t3[15].data_type) == ("100.00", "s")
    assert t1[17].value is None
    assert [c.value for c in typed[13:18]] == [None] * 5
    check = led.exports.verify(out)
    assert check.ledger_matches, [str(c) for c in check.changes]
    # Without the option the sheet keeps its thirteen columns, and verifies too.
    plain = led.exports.write_return("2019/20", "2020-03-31", tmp_path / "p.xlsx")
    wsp = load_workbook(plain)["Transactions"]
    [plain_header] = [r for r in wsp.iter_rows(values_only=True) if r[0] == "Line"]
    assert len([v for v in plain_header if v is not None]) == 13
    assert led.exports.verify(plain).ledger_matches
    # The command line: --source-fields, and return submit accepts the file.
    db = ["--db", str(led.path)]
    cli = tmp_path / "cli.xlsx"
    made = run(
        *db,
        "export",
        "return",
        "--year",
        "2019/20",
        "--as-at",
        "2020-03-31",
        "--out",
        str(cli),
        "--source-fields",
    )
    assert made.exit_code == 0, made.output
    [cli_header] = [
        r for r in load_workbook(cli)["Transactions"].iter_rows(values_only=True) if r[0] == "Line"
    ]
    assert cli_header[-1] == "Cost Centre"
    submitted = run(*db, "return", "submit", str(cli), "--reference", "Q4")
    assert submitted.exit_code == 0, submitted.output
