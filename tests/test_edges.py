"""The edges a user touches: text shown as typed, CSV that cannot run, negative amounts
typed as fsgrant prints them, whole help sentences, every format the same rows."""

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from fsgrant.cli import app
from fsgrant.formats.csv_safe import neutralise

runner = CliRunner()


def run(db, *args, ok=True, env=None):
    result = runner.invoke(app, ["--db", str(db), *args], env=env)
    if ok:
        assert result.exit_code == 0, result.output + repr(result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "e.db"
    run(path, "init", "--grant", "G", "--funder", "DfE", "--recipient", "Council")
    run(path, "year", "add", "2019/20", "--amount", "1000.00", "--start", "2019-08-01")
    return path


def test_markup_in_user_text_is_shown_as_typed(db):
    run(db, "spend", "add", "2019-09-01", "10.00", "training", "--supplier", "[/bold] Acme")
    run(db, "spend", "add", "2019-09-02", "20.00", "training", "--supplier", "Smith [bold]Ltd")
    out = run(db, "spend", "list", env={"COLUMNS": "240"}).output  # wide: nothing folded
    # rich read these as markup: a MarkupError for the first, "Smith Ltd" for the second.
    assert "[/bold] Acme" in out
    assert "Smith [bold]Ltd" in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("@SUM(1)", "'@SUM(1)"),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-12.00", "-12.00"),  # a plain number is no formula: money stays a number
        ("+5", "+5"),
        ("-£1,234.56", "-£1,234.56"),
        ("Acme = best", "Acme = best"),
        # Every line inside a cell, after CR, LF or CRLF.
        ("x\r=1+2", "x\r'=1+2"),
        ("a\n-b\r\n@c", "a\n'-b\r\n'@c"),
        ("a\n\tb", "a\n'\tb"),
        ("a\nb - c", "a\nb - c"),
    ],
)
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def test_a_cell_with_a_line_break_is_quoted_and_money_stays_plain():
    from fsgrant.formats.csv_safe import csv_text

    text = csv_text(["description", "amount"], [["x\r=1+2", "-12.00"], ["plain", "5.00"]])
    # A lone CR is not the line ending ("\n"), yet the cell is quoted.
    assert text == 'description,amount\n"x\r\'=1+2",-12.00\nplain,5.00\n'


def test_csv_outputs_carry_no_live_formula_and_money_stays_numbers(db):
    run(
        db,
        "spend",
        "add",
        "2019-09-01",
        "-12.00",
        "training",
        "--supplier",
        '=HYPERLINK("http://x","y")',
        "--ref",
        "@SUM(1)",
    )
    rows = list(csv.DictReader(io.StringIO(run(db, "spend", "list", "-f", "csv").output)))
    assert rows[0]["supplier"] == '\'=HYPERLINK("http://x","y")'
    assert rows[0]["reference"] == "'@SUM(1)"
    assert rows[0]["amount"] == "-12.00"
    assert rows[0]["date"] == "2019-09-01"


def test_rejects_file_neutralises_formulas(tmp_path, db):
    extract = tmp_path / "x.csv"
    extract.write_text(
        "date,amount,category,supplier\n"
        "2019-09-01,10.00,training,=cmd|' /C calc'!A0\n"
        "2019-09-02,12.345,training,@SUM(1)\n"
        "2019-09-03,-5.00,nonsense,Plain\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "r.csv"
    run(db, "spend", "import", str(extract), "--skip-invalid", "--rejects", str(rejects))
    got = list(csv.reader(io.StringIO(rejects.read_text(encoding="utf-8-sig"))))
    assert got[1][3] == "'@SUM(1)"
    assert got[2][1] == "-5.00"  # an amount is left a number
    # The first line was good and stored.
    assert run(db, "spend", "list", "-f", "json").output.count('"id"') == 1


@pytest.mark.parametrize("typed", ["-12.00", "-£12.00", "-1,250.00"])
def test_a_negative_amount_typed_as_printed_is_accepted(db, typed):
    run(db, "spend", "add", "2019-09-01", typed, "training")
    lines = json.loads(run(db, "spend", "list", "-f", "json").output)
    expected = "-1250.00" if "1,250" in typed else "-12.00"
    assert lines[0]["amount"] == expected


def test_a_negative_amount_after_options_and_a_bad_one_says_why(db):
    run(db, "spend", "add", "--supplier", "Acme", "2019-09-01", "-£12.00", "training")
    bad = run(db, "spend", "add", "2019-09-01", "-1.001", "training", ok=False)
    assert bad.exit_code == 2
    assert "'-1.001' has more than two decimal places" in bad.output


def test_a_negative_receipt_says_it_is_a_repayment(db):
    out = run(db, "receipt", "add", "2019-10-01", "(5.00)", "--year", "2019/20").output
    assert "repayment to the funder" in out
    assert "£5.00" in out


def test_version():
    from fsgrant import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"fsgrant {__version__}"


def _commands(group, path=()):
    for name, cmd in group.commands.items():
        yield (*path, name), cmd
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, (*path, name))


def test_every_short_help_is_a_whole_sentence():
    import typer.main

    root = typer.main.get_command(app)
    for path, cmd in _commands(root):
        short = cmd.get_short_help_str(limit=45)
        assert short.endswith((".", ")")), (path, short)
        assert not short.endswith(("e.g.", "i.e.", "...")), (path, short)


def test_variance_csv_carries_the_total_row(db):
    run(db, "estimate", "set", "2019/20", "training", "600.00", "--on", "2019-08-01")
    run(db, "estimate", "set", "2019/20", "evaluation", "400.00", "--on", "2019-08-01")
    run(db, "spend", "add", "2019-09-01", "100.00", "training")
    run(db, "spend", "add", "2019-09-02", "50.00", "evaluation")
    out = run(
        db, "report", "variance", "--year", "2019/20", "--as-at", "2019-12-31", "-f", "csv"
    ).output
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["category"] for r in rows] == ["evaluation", "training", "Total"]
    # actual 100.00 + 50.00; estimates 600.00 + 400.00
    assert rows[-1]["actual"] == "150.00"
    assert rows[-1]["estimate_original"] == "1000.00"


def test_year_list_json_gives_conditions_as_a_list(db):
    run(
        db,
        "year",
        "add",
        "2020/21",
        "--amount",
        "10",
        "--start",
        "2020-08-01",
        "--condition",
        "A; with a semicolon",
        "--condition",
        "B",
    )
    years = json.loads(run(db, "year", "list", "-f", "json").output)
    assert years[1]["conditions"] == ["A; with a semicolon", "B"]


@pytest.mark.parametrize(
    ("label", "start", "says"),
    [
        ("twenty", "2020-08-01", "not a funding year label"),
        ("2020/22", "2020-08-01", "not a funding year label"),
        ("2021/22", "2020-08-01", "a year starting then is labelled 2020/21"),
    ],
)
def test_year_labels_must_match_their_start(db, label, start, says):
    r = run(db, "year", "add", label, "--amount", "10", "--start", start, ok=False)
    assert r.exit_code == 2
    assert says in r.output


def test_overlapping_years_are_refused_unless_an_agreed_extension_made_them(db):
    # 2019/20 runs 2019-08-01 to 2020-07-31; a year from 2020-02-01 overlaps it.
    r = run(db, "year", "add", "2020/21", "--amount", "10", "--start", "2020-02-01", ok=False)
    assert r.exit_code == 1
    assert "overlaps 2019/20 (2019-08-01 to 2020-07-31)" in r.output
    run(
        db,
        "year",
        "vary",
        "2019/20",
        "--agreed-on",
        "2020-02-14",
        "--end",
        "2021-03-31",
        "--reason",
        "moved back",
    )
    # The extension overlaps 2020/21, as agreed: the new year is accepted.
    run(db, "year", "add", "2020/21", "--amount", "10", "--start", "2020-08-01")


def test_an_option_value_that_looks_like_a_negative_amount_is_kept_as_typed(db):
    run(db, "spend", "add", "2019-09-01", "-5.00", "training", "--ref", "-100", "--supplier", "-£5")
    line = json.loads(run(db, "spend", "list", "-f", "json").output)[0]
    assert (line["amount"], line["reference"], line["supplier"]) == ("-5.00", "-100", "-£5")
    run(
        db,
        "year",
        "vary",
        "2019/20",
        "--agreed-on",
        "2020-01-01",
        "--reason",
        "cut",
        "--amount",
        "900",
    )
